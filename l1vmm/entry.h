/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the core does around the backends' run loops (l1vmm_backend_ops.run):
 * once around a series, the kernel's guest-context bookkeeping; around each
 * entry, the guest's TSC_AUX, its XCR0 and R16-R31. Inline: the per-entry
 * steps run on every fastpath round trip.
 */
#ifndef L1VMM_ENTRY_H
#define L1VMM_ENTRY_H

#include <linux/kvm_host.h>

#include "l1vmm/l1vmm.h"
#include "xstate/entry.h"

/*
 * Around a backend's series of entries, IRQs off: the kernel's guest-entry
 * bookkeeping, as KVM does it around each VMRUN. The guest counts as an
 * RCU quiescent state (an extended one under context tracking, as user
 * mode is): a vCPU that stays in its run loop for minutes never stalls
 * RCU. Between the two, nothing may use RCU, tracing or printk: the
 * fastpath between re-entries touches vCPU memory and MSRs only, and a
 * failed check on a re-entry is reported by the full path.
 */
static __always_inline void l1vmm_guest_context_enter(void)
{
	guest_state_enter_irqoff();
}

static __always_inline void l1vmm_guest_context_exit(void)
{
	guest_state_exit_irqoff();
}

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
