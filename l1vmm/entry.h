/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the core switches around each entry of the backends' run loops
 * (l1vmm_backend_ops.run): the guest's TSC_AUX, its XCR0 and R16-R31.
 * Inline: these run on every fastpath round trip.
 */
#ifndef L1VMM_ENTRY_H
#define L1VMM_ENTRY_H

#include "l1vmm/l1vmm.h"
#include "xstate/entry.h"

/* IRQs off, right before VMRUN (VMRESUME). */
static __always_inline void l1vmm_guest_state_enter(struct l1vmm_vcpu *vcpu)
{
	l1vmm_tsc_aux_load(vcpu->tsc_aux, &vcpu->stats);
	l1vmm_xstate_enter(vcpu);
}

/* IRQs still off, right after the exit, before anything else runs. */
static __always_inline void l1vmm_guest_state_exit(struct l1vmm_vcpu *vcpu)
{
	l1vmm_xstate_exit(vcpu);
}

#endif /* L1VMM_ENTRY_H */
