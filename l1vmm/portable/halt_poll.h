/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Halt polling's arithmetic, as KVM's kvm_vcpu_halt() (virt/kvm/kvm_main.c):
 * how long a vCPU polls in its next HLT before it sleeps, grown after short
 * halts and shrunk after long ones. halt_poll.c does the polling and keeps
 * the statistics. Portable: unit-tested on the host
 * (selftests/unit/test_halt_poll.c).
 */
#ifndef L1VMM_HALT_POLL_H
#define L1VMM_HALT_POLL_H

#include "l1vmm/portable/portable.h"

/* KVM_HALT_POLL_NS_DEFAULT on x86, and KVM's other halt_poll_ns_* defaults. */
#define L1VMM_HALT_POLL_NS_DEFAULT		200000U
#define L1VMM_HALT_POLL_NS_GROW_DEFAULT		2U
#define L1VMM_HALT_POLL_NS_GROW_START_DEFAULT	10000U
#define L1VMM_HALT_POLL_NS_SHRINK_DEFAULT	0U

/* The module's halt_poll_ns_grow, _grow_start and _shrink, read once per halt. */
struct l1vmm_halt_poll_knobs {
	u32 grow;		/* factor; 0: never grows */
	u32 grow_start;		/* the first poll time; below it, no polling */
	u32 shrink;		/* divisor; 0: back to no polling */
};

/* KVM's grow_halt_poll_ns(): @cur times grow, at least grow_start. */
u32 l1vmm_halt_poll_grow(u32 cur, const struct l1vmm_halt_poll_knobs *k);

/* KVM's shrink_halt_poll_ns(): @cur over shrink, 0 below grow_start. */
u32 l1vmm_halt_poll_shrink(u32 cur, const struct l1vmm_halt_poll_knobs *k);

/*
 * The poll time for the next halt after one that lasted @halt_ns (polling
 * included) with @cur polled and @max the VM's limit then: unchanged when
 * the halt ended within the poll, shrunk after a halt longer than @max,
 * grown after a short one, 0 when @max is 0 (KVM's tail of kvm_vcpu_halt(),
 * x86, where every wake-up is valid).
 */
u32 l1vmm_halt_poll_next(u32 cur, u32 max, u64 halt_ns, const struct l1vmm_halt_poll_knobs *k);

#endif /* L1VMM_HALT_POLL_H */
