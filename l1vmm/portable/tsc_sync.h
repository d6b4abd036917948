/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's TSC offset as KVM 6.1 sets it from user space (x86.c,
 * kvm_synchronize_tsc(), __kvm_synchronize_tsc(), kvm_arch_tsc_set_attr()):
 * the VM remembers the last write and the current "generation" of
 * matched writes, so that a host write that looks like an attempt to
 * synchronize the vCPUs (0 at vCPU creation, or a value within a second
 * of what the last write's TSC reads now) gives every vCPU the same
 * offset. Portable: the decisions are unit-tested on the host; the caller
 * reads the clocks and holds the VM's lock.
 */
#ifndef L1VMM_TSC_SYNC_H
#define L1VMM_TSC_SYNC_H

#include "l1vmm/portable/portable.h"

/* Per VM: KVM's kvm_arch last_tsc_* and cur_tsc_* fields. */
struct l1vmm_tsc_sync {
	u64 last_nsec;		/* the time of the last write (ns) */
	u64 last_write;		/* the TSC value it wrote */
	u64 last_offset;
	u32 last_khz;		/* the writing vCPU's TSC rate */
	u64 cur_generation;	/* the current run of matched writes */
	u64 cur_nsec;
	u64 cur_write;
	u64 cur_offset;
	unsigned int nr_matched;	/* vCPUs that joined it */
};

/* Per vCPU: the generation it last joined, and its last write. */
struct l1vmm_vcpu_tsc_sync {
	u64 generation;
	u64 nsec;
	u64 write;
	u64 last_guest_tsc;
};

/* What the host's clocks read, and the writing vCPU's rate. */
struct l1vmm_tsc_now {
	u64 host_tsc;	/* the host's TSC (no scaling: the guest's runs at its rate) */
	u64 ns;		/* kvmclock's base: boot time at the raw clock's rate */
	u32 khz;	/* the vCPU's TSC rate (KVM_SET_TSC_KHZ), 0 if unknown */
	bool unstable;	/* the host's TSC is marked unstable */
};

/*
 * A host-initiated write of @data to IA32_TSC (KVM_SET_MSRS, and 0 at
 * vCPU creation): returns the vCPU's new TSC offset, and records the
 * write. A synchronizing write at the last writer's rate takes the
 * current generation's offset (an unstable TSC: @data plus the time since
 * the last write) and joins it; any other starts a new generation.
 */
u64 l1vmm_tsc_sync_write(struct l1vmm_tsc_sync *s, struct l1vmm_vcpu_tsc_sync *v,
			 const struct l1vmm_tsc_now *now, u64 data);

/*
 * KVM_SET_DEVICE_ATTR(KVM_VCPU_TSC_CTRL, KVM_VCPU_TSC_OFFSET): @offset is
 * the vCPU's new offset; recorded as a write of the TSC it gives now,
 * matched when the last write had the same offset at the same rate.
 */
void l1vmm_tsc_sync_set_offset(struct l1vmm_tsc_sync *s, struct l1vmm_vcpu_tsc_sync *v,
			       const struct l1vmm_tsc_now *now, u64 offset);

#endif /* L1VMM_TSC_SYNC_H */
