/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fastpath (doc/design.md): the exits l1vmm handles right after the
 * exit, IRQs off and GIF still clear, before it enters the guest again.
 * Inline, into the run loop (run.h) and into the full path's handler
 * (exit.c), which share emulate(): every call on the fastpath's round trip
 * costs instructions (doc/performance.md).
 */
#ifndef L1VMM_FASTPATH_H
#define L1VMM_FASTPATH_H

#include <linux/kvm_host.h>
#include <linux/kvm_para.h>
#include <linux/sched/signal.h>
#include <asm/trapnr.h>

#include "l1vmm/exit.h"
#include "l1vmm/irqchip.h"
#include "l1vmm/msr_access.h"
#include "l1vmm/msr_user.h"
#include "l1vmm/portable/cpuid.h"
#include "l1vmm/vcpu.h"
#include "l1vmm/vm.h"
#include "xstate/entry.h"
#include "xstate/guest_xcr0.h"
#include "xstate/guest_xsave.h"

/*
 * CPUID from the vCPU's table, with the XSAVE fields and the APIC bit that
 * follow the guest's state filled in. A leaf that is not in the table reads
 * as zeros (KVM instead repeats the highest basic leaf, as Intel CPUs do;
 * doc/abi.md).
 *
 * The emulate_*() functions below are the exits both paths handle, inlined
 * into both: the fastpath's round trip pays for every call
 * (doc/performance.md). The instruction is not skipped yet; the ones that
 * can refuse say false when the guest gets a #GP instead. They leave
 * marking RAX dirty to emulate()'s callers (EMULATED_DIRTY).
 */
static __always_inline void emulate_cpuid(const struct l1vmm_backend_ops *ops,
					  struct l1vmm_vcpu *vcpu)
{
	unsigned long *r = vcpu->regs;
	u32 leaf = r[L1VMM_REG_RAX], index = r[L1VMM_REG_RCX];
	const struct kvm_cpuid_entry2 *e;

	e = l1vmm_cpuid_find(vcpu->cpuid, vcpu->cpuid_nent, leaf, index);
	if (!e) {
		r[L1VMM_REG_RAX] = r[L1VMM_REG_RBX] = r[L1VMM_REG_RCX] = r[L1VMM_REG_RDX] = 0;
		return;
	}
	r[L1VMM_REG_RAX] = e->eax;
	r[L1VMM_REG_RBX] = e->ebx;
	r[L1VMM_REG_RCX] = e->ecx;
	r[L1VMM_REG_RDX] = e->edx;
	l1vmm_xsave_cpuid_runtime(ops, vcpu, leaf, index);
	if (leaf == 1)
		r[L1VMM_REG_RDX] = l1vmm_cpuid_1_edx_apic(e->edx, l1vmm_vcpu_apic_base(vcpu));
}

/*
 * KVM's hypercall convention: number in RAX, result in RAX. Of KVM's
 * hypercalls l1vmm has KVM_HC_SCHED_YIELD (0 unless the guest's CPUID is
 * enforced without PV_SCHED_YIELD: a hint, which l1vmm takes as no more);
 * every other number answers -KVM_ENOSYS; from CPL > 0 the answer is
 * -KVM_EPERM, as in KVM. The backend read the CPL and the mode at the exit.
 */
static __always_inline void emulate_hypercall(struct l1vmm_vcpu *vcpu)
{
	long ret = vcpu->exit.cpl ? -KVM_EPERM : -KVM_ENOSYS;
	unsigned long nr = vcpu->regs[L1VMM_REG_RAX];

	if (!vcpu->exit.hypercall.long_mode)
		nr = (u32)nr;
	if (!vcpu->exit.cpl && nr == KVM_HC_SCHED_YIELD &&
	    l1vmm_pv_has(&vcpu->pv_cpuid, KVM_FEATURE_PV_SCHED_YIELD))
		ret = 0;

	/* Outside 64-bit mode the result is 32 bits wide, as in KVM. */
	vcpu->regs[L1VMM_REG_RAX] = vcpu->exit.hypercall.long_mode ? ret : (u32)ret;
}

/*
 * RDMSR/WRMSR of the MSRs l1vmm keeps, the MTRRs and machine-check
 * registers out of line (msr_access.h); any other MSR, or a refused value,
 * is a #GP in the guest (KVM with ignore_msrs=0 does the same).
 */
static __always_inline bool emulate_msr(const struct l1vmm_backend_ops *ops,
					struct l1vmm_vcpu *vcpu)
{
	unsigned long *r = vcpu->regs;
	u32 index = r[L1VMM_REG_RCX];
	/* Not on the stack: an address taken there costs a stack canary. */
	u64 *data = &vcpu->exit.msr.data;

	if (vcpu->exit.msr.write)
		return !__l1vmm_set_msr(ops, vcpu, index,
					(r[L1VMM_REG_RDX] << 32) | (u32)r[L1VMM_REG_RAX]) ||
		       l1vmm_guest_msr_slow(vcpu);
	if (__l1vmm_get_msr(ops, vcpu, index, data))
		return l1vmm_guest_msr_slow(vcpu);
	r[L1VMM_REG_RAX] = (u32)*data;
	r[L1VMM_REG_RDX] = *data >> 32;
	return true;
}

/*
 * What emulate() did: an exit it does not know, done with an exception
 * queued for the guest (its #GP, or the #DB of a single step), or done.
 */
enum emulated {
	EMULATE_NOT_MINE,
	EMULATE_EVENT,
	EMULATE_DONE,
};

/*
 * The registers emulate() may change that the backend keeps elsewhere too
 * (SVM: the VMCB's RAX and RIP), and does not mark dirty itself: a fastpath
 * re-entry writes both back without looking, so the marks would be work
 * for nothing on the round trip that counts. Its callers mark them when
 * the full path enters next.
 */
#define EMULATED_DIRTY	(BIT(L1VMM_REG_RAX) | BIT(L1VMM_REG_RIP))

/*
 * Emulate and skip the instruction, or queue the guest's #GP, for the
 * exits both paths handle.
 */
static __always_inline enum emulated emulate(const struct l1vmm_backend_ops *ops,
					      struct l1vmm_vcpu *vcpu,
					      enum l1vmm_exit_reason reason)
{
	switch (reason) {
	case L1VMM_EXIT_CPUID:
		emulate_cpuid(ops, vcpu);
		break;
	case L1VMM_EXIT_HYPERCALL:
		emulate_hypercall(vcpu);
		break;
	case L1VMM_EXIT_MSR:
		/* A filter or user-space MSR exits: the full path (msr_user.c). */
		if (static_branch_unlikely(&l1vmm_msr_user_in_use) &&
		    READ_ONCE(vcpu->vm->msr_user_policy))
			return EMULATE_NOT_MINE;
		/* The in-kernel APIC's MSRs take its lock and may kick: the full path. */
		if (unlikely(vcpu->lapic) && l1vmm_lapic_msr(vcpu->regs[L1VMM_REG_RCX]))
			return EMULATE_NOT_MINE;
		if (!emulate_msr(ops, vcpu))
			goto gp;
		break;
	case L1VMM_EXIT_XSETBV:
		if (!l1vmm_emulate_xsetbv(vcpu))
			goto gp;
		break;
	default:
		return EMULATE_NOT_MINE;
	}
	if (__l1vmm_skip_to(ops, vcpu, vcpu->exit.next_rip))
		return EMULATE_EVENT;
	return EMULATE_DONE;
gp:
	l1vmm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
	return EMULATE_EVENT;
}

/*
 * An x2APIC ICR or EOI write or a TSC_DEADLINE write with the in-kernel
 * APIC, that lapic.c takes out of line (KVM's
 * handle_fastpath_set_msr_irqoff(), which takes the ICR and TSC_DEADLINE).
 * They take the irqchip's lock, kick other vCPUs and start hrtimers, which
 * trace and need RCU: the guest context (run.h) is left around them. True
 * when done, the instruction not skipped yet; false, nothing changed, for
 * the full path.
 */
static __always_inline bool fastpath_apic_msr(struct l1vmm_vcpu *vcpu,
					      enum l1vmm_exit_reason reason)
{
	unsigned long *r = vcpu->regs;
	u32 index = r[L1VMM_REG_RCX];
	bool done;

	if (reason != L1VMM_EXIT_MSR || !vcpu->lapic || !vcpu->exit.msr.write ||
	    !l1vmm_lapic_fast_msr(index))
		return false;
	/* A filter or user-space MSR exits: the full path (msr_user.c). */
	if (static_branch_unlikely(&l1vmm_msr_user_in_use) && READ_ONCE(vcpu->vm->msr_user_policy))
		return false;
	guest_state_exit_irqoff();
	done = l1vmm_lapic_fastpath_msr(vcpu, index,
					(r[L1VMM_REG_RDX] << 32) | (u32)r[L1VMM_REG_RAX]);
	guest_state_enter_irqoff();
	if (done)
		vcpu->stats.fastpath_apic_writes++;
	return done;
}

/*
 * Something outside the IRQs-off region is waiting: a request, a signal,
 * a reschedule, or an interrupt for the guest that the full path injects.
 */
static __always_inline bool exit_requested(struct l1vmm_vcpu *vcpu)
{
	return READ_ONCE(vcpu->requests) || l1vmm_task_work_pending() ||
	       vcpu->irq_pending || READ_ONCE(vcpu->run->request_interrupt_window);
}

/* The series has run for the backend's bound (backend.h: bounded_series). */
static __always_inline bool series_over(const struct l1vmm_backend_ops *ops,
					struct l1vmm_vcpu *vcpu)
{
	if (!ops->bounded_series || rdtsc() <= vcpu->series_end)
		return false;
	vcpu->stats.fastpath_series_bounded++;
	return true;
}

/*
 * The fastpath, in the run loop (run.h) with IRQs off right after the
 * exit: CPUID, hypercalls, in-kernel MSRs, XSETBV and the APIC writes
 * above are handled here and, unless something waits outside, the guest
 * is entered again without the full path's steps. An exception for the guest (#GP, or the #DB of a
 * single step) is queued here and entered through the full path, which
 * checks the guest state again. With
 * CONFIG_L1VMM_FASTPATH=n every exit takes the full path. @ops: the
 * backend's own (a constant there, so its ops are direct calls); @reason
 * is vcpu->exit.reason, as the backend's decode returned it.
 */
static __always_inline enum l1vmm_fastpath l1vmm_fastpath(const struct l1vmm_backend_ops *ops,
							  struct l1vmm_vcpu *vcpu,
							  enum l1vmm_exit_reason reason)
{
	enum emulated e;

	if (!IS_ENABLED(CONFIG_L1VMM_FASTPATH))
		return L1VMM_FASTPATH_NONE;
	e = emulate(ops, vcpu, reason);
	if (e == EMULATE_NOT_MINE) {
		if (!fastpath_apic_msr(vcpu, reason))
			return L1VMM_FASTPATH_NONE;
		e = __l1vmm_skip_to(ops, vcpu, vcpu->exit.next_rip) ? EMULATE_EVENT : EMULATE_DONE;
	}
	if (reason == L1VMM_EXIT_XSETBV)
		l1vmm_xstate_xsetbv(ops, vcpu);
	vcpu->stats.exits++;
	vcpu->stats.fastpath_exits++;
	if (e == EMULATE_EVENT || exit_requested(vcpu) || series_over(ops, vcpu)) {
		vcpu->regs_dirty |= EMULATED_DIRTY;
		return L1VMM_FASTPATH_HANDLED;
	}
	return L1VMM_FASTPATH_REENTER;
}

#endif /* L1VMM_FASTPATH_H */
