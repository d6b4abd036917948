/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvmclock's arithmetic (pvclock.c): the guest's pvclock page, the scale
 * from TSC ticks to nanoseconds, and the wall clock. Portable: unit-tested
 * on the host (selftests/unit/test_pvclock.c). The layouts are the guest
 * ABI of Documentation/virt/kvm/x86/msr.rst; kvmclock.c pins them against
 * the kernel's struct pvclock_vcpu_time_info and pvclock_wall_clock.
 */
#ifndef L1VMM_PVCLOCK_H
#define L1VMM_PVCLOCK_H

#include "l1vmm/portable/portable.h"

/* The MSRs (KVM's MSR_KVM_*), and the enable bit of the system-time ones. */
#define L1VMM_MSR_KVM_WALL_CLOCK	0x00000011
#define L1VMM_MSR_KVM_SYSTEM_TIME	0x00000012
#define L1VMM_MSR_KVM_WALL_CLOCK_NEW	0x4b564d00
#define L1VMM_MSR_KVM_SYSTEM_TIME_NEW	0x4b564d01
#define L1VMM_KVMCLOCK_ENABLE		BIT_ULL(0)

/* pvclock flags: the TSC is stable across vCPUs; the guest was stopped. */
#define L1VMM_PVCLOCK_TSC_STABLE_BIT	BIT(0)
#define L1VMM_PVCLOCK_GUEST_STOPPED	BIT(1)

/* The guest's per-vCPU page (struct pvclock_vcpu_time_info), 32 bytes. */
struct l1vmm_pvclock_time {
	u32 version;		/* odd while being written */
	u32 pad0;
	u64 tsc_timestamp;	/* the guest's TSC at system_time */
	u64 system_time;	/* nanoseconds */
	u32 tsc_to_system_mul;
	signed char tsc_shift;
	u8 flags;
	u8 pad[2];
} __attribute__((__packed__));

/* The wall clock (struct pvclock_wall_clock), 12 bytes. */
struct l1vmm_pvclock_wall_clock {
	u32 version;
	u32 sec;
	u32 nsec;
} __attribute__((__packed__));

/*
 * The multiplier and shift that turn ticks of @base_hz into ticks of
 * @scaled_hz (nanoseconds: 1000000000) the way the guest applies them,
 * l1vmm_pvclock_scale_delta(); the same numbers as KVM's
 * kvm_get_time_scale(), which a Linux guest expects (mul < 2^32, the
 * shift as small as the multiplier's precision allows).
 */
void l1vmm_pvclock_time_scale(u64 scaled_hz, u64 base_hz, signed char *shift, u32 *mul);

/* @delta ticks scaled by @mul and @shift, as the guest computes it. */
u64 l1vmm_pvclock_scale_delta(u64 delta, u32 mul, signed char shift);

/* The guest's clock at TSC @tsc, from @t (pvclock_read_cycles()). */
u64 l1vmm_pvclock_read(const struct l1vmm_pvclock_time *t, u64 tsc);

/*
 * The odd version a writer stores before it changes the page, when the
 * page holds @old: the next odd number, so that a reader never sees the
 * same even version around a change (also over a page the guest filled
 * with junk).
 */
static inline u32 l1vmm_pvclock_version_begin(u32 old)
{
	return (old + 1) | 1;
}

/*
 * The wall clock for a guest whose kvmclock reads @kvmclock_ns when the
 * host's real time is @real_ns: the real time at which kvmclock was 0,
 * seconds (32 bits: wraps in 2106, as in KVM) and nanoseconds; @version
 * is the version to store with it.
 */
void l1vmm_pvclock_wall_clock(u64 real_ns, u64 kvmclock_ns, u32 version,
			      struct l1vmm_pvclock_wall_clock *wc);

#endif /* L1VMM_PVCLOCK_H */
