/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's extended state around each entry, for the run loop: its
 * XCR0 (guest_xcr0.c) and whether the entry assembly switches R16-R31
 * (egpr.c). These run on every entry, the fastpath's too, so the common
 * case (the guest's XCR0 is the host's, the host has no APX) is decided
 * here, inline, and the out-of-line steps run only when there is work.
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

/*
 * Interrupts off, right before the entry (l1vmm_guest_state_enter()): the
 * guest's XCR0 goes into the CPU when it differs from the host's and the
 * guest has CR4.OSXSAVE (without it the guest cannot see XCR0). A host
 * without XSAVE (host XCR0 0) never loads one. @ops: the backend's own,
 * so that reading CR4 is a direct call on every entry that asks.
 */
static __always_inline void l1vmm_xstate_enter(const struct l1vmm_backend_ops *ops,
					       struct l1vmm_vcpu *vcpu)
{
	if (IS_ENABLED(CONFIG_L1VMM_XCR0_SWITCH_ALWAYS))
		vcpu->xcr0_loaded = l1vmm_xcr0_host != 0;
	else
		vcpu->xcr0_loaded = vcpu->xcr0 != l1vmm_xcr0_host && l1vmm_xcr0_host &&
				    (ops->get_cr4(vcpu) & X86_CR4_OSXSAVE);
	if (vcpu->xcr0_loaded)
		l1vmm_xcr0_enter(vcpu);
	vcpu->egprs = l1vmm_egpr_may_switch() ? l1vmm_egpr_enter(vcpu) : 0;
}

/*
 * Right after the exit, interrupts still off: the host's XCR0
 * back when l1vmm loaded the guest's, or when the guest wrote its own
 * without an exit (l1vmm_xcr0_check_exit: L0 lets XSETBV through).
 */
static inline void l1vmm_xstate_exit(struct l1vmm_vcpu *vcpu)
{
	if (vcpu->egprs || IS_ENABLED(CONFIG_L1VMM_EGPR_SHADOW))
		l1vmm_egpr_exit(vcpu);
	if (vcpu->xcr0_loaded ||
	    (l1vmm_xcr0_check_exit && xgetbv(XCR_XFEATURE_ENABLED_MASK) != l1vmm_xcr0_host))
		l1vmm_xcr0_exit(vcpu);
}

#endif /* L1VMM_XSTATE_ENTRY_H */
