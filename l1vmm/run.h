/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The run loop, the core's for every backend (doc/design.md, "One exit's
 * path"): requests, one entry, the exit decoded, the fastpath, and the
 * next entry for as long as the fastpath handles the exits. Inline: each
 * backend instantiates l1vmm_run_loop() with its own constant ops
 * (l1vmm_backend_ops.run), so that every step below is a direct call, or
 * inlined, and the re-entry path has no indirect branch
 * (scripts/check-run-loop proves it on the object code).
 *
 * Once around the loop, the kernel's guest-context bookkeeping and the
 * guest's XCR0; around each entry, the guest's TSC_AUX and R16-R31.
 */
#ifndef L1VMM_RUN_H
#define L1VMM_RUN_H

#include <linux/kvm_host.h>

#include "l1vmm/backend.h"
#include "l1vmm/fastpath.h"
#include "l1vmm/tsc_aux.h"
#include "l1vmm/vcpu.h"
#include "xstate/entry.h"

/*
 * Around the loop's series of entries, IRQs off: the kernel's guest-entry
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

/*
 * IRQs off, right before VMRUN (VMRESUME). @egpr_may_switch: whether any
 * entry switches R16-R31, decided once for the series.
 */
static __always_inline void l1vmm_guest_state_enter(struct l1vmm_vcpu *vcpu,
						    bool egpr_may_switch)
{
	l1vmm_tsc_aux_load(vcpu->tsc_aux, &vcpu->stats);
	l1vmm_xstate_enter(vcpu, egpr_may_switch);
}

/* IRQs still off, right after the exit, before anything else runs. */
static __always_inline void l1vmm_guest_state_exit(struct l1vmm_vcpu *vcpu)
{
	l1vmm_xstate_exit(vcpu);
}

/*
 * Enter the guest, IRQs and preemption off, and enter it again for as long
 * as l1vmm_fastpath() handles its exits: a series, in which a re-entry may
 * keep what the first entry set up (the backend's begin_entries()).
 * Returns what the fastpath said of the last exit, which is in vcpu->exit.
 * @ops: the backend's own, a constant where it is instantiated.
 */
static __always_inline enum l1vmm_fastpath l1vmm_run_loop(const struct l1vmm_backend_ops *ops,
							  struct l1vmm_vcpu *vcpu)
{
	bool egpr_may_switch = l1vmm_egpr_may_switch();
	enum l1vmm_fastpath fast;

	ops->prepare_run(vcpu);
	if (test_and_clear_bit(L1VMM_REQ_TLB_FLUSH, &vcpu->requests))
		ops->flush_tlb(vcpu);
	if (!ops->entry_ready(vcpu, true))
		return L1VMM_FASTPATH_NONE;

	ops->begin_entries(vcpu);
	l1vmm_xstate_begin(ops, vcpu);
	l1vmm_guest_context_enter();
	for (;;) {
		enum l1vmm_exit_reason reason;
		bool faulted;

		l1vmm_guest_state_enter(vcpu, egpr_may_switch);
		faulted = ops->enter_once(vcpu);
		l1vmm_guest_state_exit(vcpu);
		reason = ops->decode_exit(vcpu, faulted);
		fast = l1vmm_fastpath(ops, vcpu, reason);
		if (fast != L1VMM_FASTPATH_REENTER)
			break;
		if (!ops->entry_ready(vcpu, false)) {
			fast = L1VMM_FASTPATH_NONE;	/* the full path reports it */
			break;
		}
	}
	l1vmm_guest_context_exit();
	l1vmm_xstate_end(vcpu);
	ops->end_entries(vcpu);
	return fast;
}

#endif /* L1VMM_RUN_H */
