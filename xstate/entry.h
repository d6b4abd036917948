/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's extended state for the run loop (l1vmm/run.h): its XCR0
 * (guest_xcr0.c) around a series of entries, and around each entry
 * whether the entry assembly switches R16-R31 (egpr.c). These run on
 * every round trip, the fastpath's too, so the common case (the guest's
 * XCR0 is the host's, the host has no APX) is decided here, inline, and
 * the out-of-line steps run only when there is work.
 */
#ifndef L1VMM_XSTATE_ENTRY_H
#define L1VMM_XSTATE_ENTRY_H

#include <asm/fpu/xcr.h>

#include "l1vmm/backend.h"
#include "l1vmm/vcpu.h"
#include "xstate/egpr.h"
#include "xstate/guest_xcr0.h"
#include "xstate/portable/xcr0.h"

/* Whether any entry can switch R16-R31: see l1vmm_egpr_enter(). */
static inline bool l1vmm_egpr_may_switch(void)
{
	return IS_ENABLED(CONFIG_L1VMM_EGPR_SHADOW) ||
	       (IS_ENABLED(CONFIG_L1VMM_EGPR_SWITCH_CONDITIONAL) &&
		(l1vmm_xcr0_host & L1VMM_XF(APX)));
}

/* The XCR0 the guest runs with: its own, when it differs and it can see it. */
static __always_inline u64 l1vmm_xcr0_wanted(const struct l1vmm_backend_ops *ops,
					     struct l1vmm_vcpu *vcpu)
{
	if (IS_ENABLED(CONFIG_L1VMM_XCR0_SWITCH_ALWAYS))
		return l1vmm_xcr0_host ? vcpu->xcr0 : 0;
	/* A host without XSAVE (host XCR0 0) never loads one. */
	if (vcpu->xcr0 == l1vmm_xcr0_host || !l1vmm_xcr0_host ||
	    !(ops->get_cr4(vcpu) & X86_CR4_OSXSAVE))
		return 0;
	return vcpu->xcr0;
}

/*
 * Once before a series of entries, interrupts off (l1vmm_run_loop()): the
 * guest's XCR0 goes into the CPU when it differs from the host's and the
 * guest has CR4.OSXSAVE (without it no instruction can see XCR0), and it
 * stays there across the fastpath's re-entries: the fastpath between them
 * touches no extended state, interrupts are off, and GIF=0 holds NMIs and
 * SMIs. @ops: the backend's own, a direct call for CR4.
 */
static __always_inline void l1vmm_xstate_begin(const struct l1vmm_backend_ops *ops,
					       struct l1vmm_vcpu *vcpu)
{
	u64 xcr0 = l1vmm_xcr0_wanted(ops, vcpu);

	if (xcr0)
		l1vmm_xcr0_enter(vcpu, xcr0);
}

/*
 * After the series, interrupts still off: the host's XCR0 back when l1vmm
 * loaded the guest's, or when the guest wrote its own without an exit
 * (l1vmm_xcr0_check_exit: L0 lets XSETBV through).
 */
static __always_inline void l1vmm_xstate_end(struct l1vmm_vcpu *vcpu)
{
	if (vcpu->xcr0_loaded ||
	    (l1vmm_xcr0_check_exit && xgetbv(XCR_XFEATURE_ENABLED_MASK) != l1vmm_xcr0_host))
		l1vmm_xcr0_exit(vcpu);
}

/*
 * The fastpath emulated the guest's XSETBV, inside a series: the CPU gets
 * the XCR0 the next entry wants, if it holds another.
 */
static __always_inline void l1vmm_xstate_xsetbv(const struct l1vmm_backend_ops *ops,
						struct l1vmm_vcpu *vcpu)
{
	u64 xcr0 = l1vmm_xcr0_wanted(ops, vcpu);

	if (xcr0 == vcpu->xcr0_loaded)
		return;
	if (xcr0)
		l1vmm_xcr0_enter(vcpu, xcr0);
	else
		l1vmm_xcr0_exit(vcpu);
}

/*
 * Interrupts off, right before each entry: whether R16-R31 are switched.
 * @may_switch: l1vmm_egpr_may_switch(), read once for a series.
 */
static __always_inline void l1vmm_xstate_enter(struct l1vmm_vcpu *vcpu, bool may_switch)
{
	vcpu->egprs = may_switch ? l1vmm_egpr_enter(vcpu) : 0;
}

/* Right after each exit, interrupts still off: the guest's R16-R31 out. */
static __always_inline void l1vmm_xstate_exit(struct l1vmm_vcpu *vcpu)
{
	if (vcpu->egprs || IS_ENABLED(CONFIG_L1VMM_EGPR_SHADOW))
		l1vmm_egpr_exit(vcpu);
}

#endif /* L1VMM_XSTATE_ENTRY_H */
