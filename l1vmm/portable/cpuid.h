/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's CPUID table, as user space set it with KVM_SET_CPUID2.
 * Portable: the lookup is unit-tested on the host.
 */
#ifndef L1VMM_CPUID_H
#define L1VMM_CPUID_H

#include <linux/kvm.h>

#include "l1vmm/portable/portable.h"

/* KVM's limit on the table size (KVM_MAX_CPUID_ENTRIES). */
#define L1VMM_MAX_CPUID_ENTRIES	256

/*
 * The entry for leaf @function, sub-leaf @index, or NULL. The sub-leaf only
 * counts for entries flagged KVM_CPUID_FLAG_SIGNIFCANT_INDEX, as in KVM.
 * Inline: the fastpath's CPUID exit looks up a leaf every time.
 */
static inline const struct kvm_cpuid_entry2 *
l1vmm_cpuid_find(const struct kvm_cpuid_entry2 *entries, unsigned int nent, u32 function,
		 u32 index)
{
	unsigned int i;

	for (i = 0; i < nent; i++) {
		const struct kvm_cpuid_entry2 *e = &entries[i];

		if (e->function != function)
			continue;
		if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e->index != index)
			continue;
		return e;
	}
	return NULL;
}

/*
 * CPUID 1 EDX with its APIC bit (9) following the global enable of
 * @apic_base (bit 11), as KVM's kvm_update_cpuid_runtime() keeps it.
 */
static inline u32 l1vmm_cpuid_1_edx_apic(u32 edx, u64 apic_base)
{
	return apic_base & (1ull << 11) ? edx | (1u << 9) : edx & ~(1u << 9);
}

/*
 * Whether KVM_SET_CPUID2 refuses @entries before the guest first runs, as
 * KVM 6.1's kvm_check_cpuid(): the virtual-address width in the first leaf
 * 0x80000008 entry (EAX bits 15:8, whatever the entry's sub-leaf) is not 0,
 * 48 or 57.
 */
static inline bool l1vmm_cpuid_invalid(const struct kvm_cpuid_entry2 *entries,
				       unsigned int nent)
{
	unsigned int i, vaddr_bits;

	for (i = 0; i < nent; i++) {
		if (entries[i].function != 0x80000008)
			continue;
		vaddr_bits = (entries[i].eax >> 8) & 0xff;
		return vaddr_bits != 0 && vaddr_bits != 48 && vaddr_bits != 57;
	}
	return false;
}

#endif /* L1VMM_CPUID_H */
