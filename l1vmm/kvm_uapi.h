/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KVM uAPI that came after the 6.1 headers l1vmm builds against, defined
 * exactly as upstream <linux/kvm.h> has it, for the module and for the
 * selftests (user space). Each block stands only where the header lacks it.
 */
#ifndef L1VMM_KVM_UAPI_H
#define L1VMM_KVM_UAPI_H

#include <linux/kvm.h>

/* Linux 6.8: KVM_SET_USER_MEMORY_REGION2 and guest_memfd's slot flag. */
#ifndef KVM_SET_USER_MEMORY_REGION2
struct kvm_userspace_memory_region2 {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 guest_memfd_offset;
	__u32 guest_memfd;
	__u32 pad1;
	__u64 pad2[14];
};

#define KVM_MEM_GUEST_MEMFD		(1UL << 2)
#define KVM_SET_USER_MEMORY_REGION2	_IOW(KVMIO, 0x49, struct kvm_userspace_memory_region2)
#define KVM_CAP_USER_MEMORY2		231
#endif

#endif /* L1VMM_KVM_UAPI_H */
