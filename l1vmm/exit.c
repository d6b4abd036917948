// SPDX-License-Identifier: GPL-2.0-only
/*
 * The core's exit policy: what to do about each vendor-neutral exit the
 * backend decoded. Handlers follow the convention in l1vmm.h (1 re-enter,
 * 0 to user space with kvm_run filled in, negative errno).
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/kvm.h>
#include <linux/nospec.h>
#include <linux/sched/signal.h>
#include <linux/smp.h>

#include <linux/kvm_para.h>
#include <asm/trapnr.h>

#include "l1vmm/cpuid.h"
#include "l1vmm/l1vmm.h"
#include "xstate/guest_xcr0.h"
#include "xstate/guest_xsave.h"

void l1vmm_set_rip(struct l1vmm_vcpu *vcpu, u64 rip)
{
	vcpu->regs[L1VMM_REG_RIP] = rip;
	vcpu->regs_dirty |= BIT(L1VMM_REG_RIP);
}

void l1vmm_skip_instruction(struct l1vmm_vcpu *vcpu)
{
	l1vmm_set_rip(vcpu, vcpu->exit.next_rip);
}

/*
 * An instruction l1vmm cannot emulate, reported as KVM reports it without
 * KVM_CAP_EXIT_ON_EMULATION_FAILURE: data[0] flags (0), data[1..5] the exit
 * code, its two information words, and two zeros (KVM's interrupt info and
 * error code), then @info (for MMIO: the guest-physical address).
 */
int l1vmm_emulation_failure(struct l1vmm_vcpu *vcpu, u64 info)
{
	struct kvm_run *run = vcpu->run;
	const struct l1vmm_exit *e = &vcpu->exit;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	memset(run->internal.data, 0, 7 * sizeof(run->internal.data[0]));
	run->internal.data[1] = e->raw;
	run->internal.data[2] = e->info1;
	run->internal.data[3] = e->info2;
	run->internal.data[6] = info;
	run->internal.ndata = 7;
	return 0;
}

/* An exit l1vmm does not handle: KVM's report for an unexpected exit. */
static int handle_unknown(struct l1vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON;
	run->internal.ndata = 2;
	run->internal.data[0] = vcpu->exit.raw;
	run->internal.data[1] = vcpu->cpu;
	return 0;
}

static int handle_intr(struct l1vmm_vcpu *vcpu)
{
	return 1;	/* the interrupt was taken on the way out */
}

static int handle_hlt(struct l1vmm_vcpu *vcpu)
{
	l1vmm_skip_instruction(vcpu);
	vcpu->run->exit_reason = KVM_EXIT_HLT;
	return 0;
}

/*
 * CPUID from the vCPU's table, with the XSAVE fields that follow the
 * guest's state filled in. A leaf that is not in the table reads as zeros
 * (KVM instead repeats the highest basic leaf, as Intel CPUs do;
 * doc/abi.md).
 *
 * The emulate_*() functions below are the exits both paths handle: true
 * when done (the instruction is not skipped yet), false when the guest
 * gets a #GP instead.
 */
static bool emulate_cpuid(struct l1vmm_vcpu *vcpu)
{
	unsigned long *r = vcpu->regs;
	u32 leaf = r[L1VMM_REG_RAX], index = r[L1VMM_REG_RCX];
	const struct kvm_cpuid_entry2 *e;
	u32 eax = 0, ebx = 0, ecx = 0, edx = 0;

	e = l1vmm_cpuid_find(vcpu->cpuid, vcpu->cpuid_nent, leaf, index);
	if (e) {
		eax = e->eax;
		ebx = e->ebx;
		ecx = e->ecx;
		edx = e->edx;
		l1vmm_xsave_cpuid_runtime(vcpu, leaf, index, eax, &ebx, &ecx);
	}
	r[L1VMM_REG_RAX] = eax;
	r[L1VMM_REG_RBX] = ebx;
	r[L1VMM_REG_RCX] = ecx;
	r[L1VMM_REG_RDX] = edx;
	vcpu->regs_dirty |= BIT(L1VMM_REG_RAX);
	return true;
}

/*
 * KVM's hypercall convention: number in RAX, result in RAX. l1vmm offers
 * none of KVM's hypercalls, so every number answers -KVM_ENOSYS; from CPL > 0
 * the answer is -KVM_EPERM, as in KVM.
 */
static bool emulate_hypercall(struct l1vmm_vcpu *vcpu)
{
	long ret = l1vmm_ops->get_cpl(vcpu) ? -KVM_EPERM : -KVM_ENOSYS;

	/* Outside 64-bit mode the result is 32 bits wide, as in KVM. */
	vcpu->regs[L1VMM_REG_RAX] = l1vmm_ops->in_64bit_mode(vcpu) ? ret : (u32)ret;
	vcpu->regs_dirty |= BIT(L1VMM_REG_RAX);
	return true;
}

/*
 * RDMSR/WRMSR of the MSRs l1vmm keeps; any other MSR, or a refused value,
 * is a #GP in the guest (KVM with ignore_msrs=0 does the same).
 */
static bool emulate_msr(struct l1vmm_vcpu *vcpu)
{
	unsigned long *r = vcpu->regs;
	u32 index = r[L1VMM_REG_RCX];
	u64 data;

	if (vcpu->exit.msr.write) {
		data = (r[L1VMM_REG_RDX] << 32) | (u32)r[L1VMM_REG_RAX];
		return !l1vmm_set_msr(vcpu, index, data);
	}
	if (l1vmm_get_msr(vcpu, index, &data))
		return false;
	r[L1VMM_REG_RAX] = (u32)data;
	r[L1VMM_REG_RDX] = data >> 32;
	vcpu->regs_dirty |= BIT(L1VMM_REG_RAX);
	return true;
}

/* What emulate() did: an exit it does not know, a #GP queued, or done. */
enum emulated {
	EMULATE_NOT_MINE,
	EMULATE_GP,
	EMULATE_DONE,
};

/*
 * Emulate and skip the instruction, or queue the guest's #GP, for the
 * exits both paths handle. Inlined: the fastpath's round trip pays for
 * every call (doc/performance.md).
 */
static __always_inline enum emulated emulate(struct l1vmm_vcpu *vcpu)
{
	bool done;

	switch (vcpu->exit.reason) {
	case L1VMM_EXIT_CPUID:
		done = emulate_cpuid(vcpu);
		break;
	case L1VMM_EXIT_HYPERCALL:
		done = emulate_hypercall(vcpu);
		break;
	case L1VMM_EXIT_MSR:
		done = emulate_msr(vcpu);
		break;
	case L1VMM_EXIT_XSETBV:
		done = l1vmm_emulate_xsetbv(vcpu);
		break;
	default:
		return EMULATE_NOT_MINE;
	}
	if (!done) {
		l1vmm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return EMULATE_GP;
	}
	l1vmm_skip_instruction(vcpu);
	return EMULATE_DONE;
}

/* The full path's handler for the exits emulate() knows. */
static int handle_emulated(struct l1vmm_vcpu *vcpu)
{
	emulate(vcpu);
	return 1;
}

/*
 * Something outside the IRQs-off region is waiting: a request, a signal,
 * a reschedule, or an interrupt for the guest that the full path injects.
 */
static bool exit_requested(struct l1vmm_vcpu *vcpu)
{
	return READ_ONCE(vcpu->requests) || need_resched() || signal_pending(current) ||
	       vcpu->irq_pending || READ_ONCE(vcpu->run->request_interrupt_window);
}

/*
 * The fastpath, called with IRQs off right after the exit, before the
 * backend's leave(): CPUID, hypercalls, in-kernel MSRs and XSETBV are
 * handled here and, unless something waits outside, the guest is entered
 * again without the full path's steps. A #GP for the guest is queued here
 * and entered through the full path, which checks the VMCB again. With
 * CONFIG_L1VMM_FASTPATH=n every exit takes the full path.
 */
enum l1vmm_fastpath l1vmm_fastpath(struct l1vmm_vcpu *vcpu)
{
	enum emulated e;

	if (!IS_ENABLED(CONFIG_L1VMM_FASTPATH))
		return L1VMM_FASTPATH_NONE;
	e = emulate(vcpu);
	if (e == EMULATE_NOT_MINE)
		return L1VMM_FASTPATH_NONE;
	vcpu->stats.exits++;
	vcpu->stats.fastpath_exits++;
	if (e == EMULATE_GP || exit_requested(vcpu))
		return L1VMM_FASTPATH_HANDLED;
	return L1VMM_FASTPATH_REENTER;
}

/*
 * The VMCB (VMCS) is undefined after a shutdown: INIT the vCPU, as KVM
 * does, and tell user space.
 */
static int handle_shutdown(struct l1vmm_vcpu *vcpu)
{
	l1vmm_vcpu_reset(vcpu, true);
	vcpu->run->exit_reason = KVM_EXIT_SHUTDOWN;
	return 0;
}

static int handle_fail_entry(struct l1vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = vcpu->exit.raw;
	run->fail_entry.cpu = vcpu->cpu;
	return 0;
}

/*
 * The window user space asked for is open: the backend has closed it
 * again; vcpu_run() reports KVM_EXIT_IRQ_WINDOW_OPEN.
 */
static int handle_irq_window(struct l1vmm_vcpu *vcpu)
{
	return 1;
}

typedef int (*l1vmm_exit_handler)(struct l1vmm_vcpu *vcpu);

static const l1vmm_exit_handler exit_handlers[L1VMM_NR_EXIT_REASONS] = {
	[L1VMM_EXIT_UNKNOWN]	= handle_unknown,
	[L1VMM_EXIT_INTR]	= handle_intr,
	[L1VMM_EXIT_HLT]	= handle_hlt,
	[L1VMM_EXIT_IO]		= l1vmm_handle_io,
	[L1VMM_EXIT_NPF]	= l1vmm_handle_npf,
	[L1VMM_EXIT_SHUTDOWN]	= handle_shutdown,
	[L1VMM_EXIT_CPUID]	= handle_emulated,
	[L1VMM_EXIT_HYPERCALL]	= handle_emulated,
	[L1VMM_EXIT_MSR]	= handle_emulated,
	[L1VMM_EXIT_FAIL_ENTRY]	= handle_fail_entry,
	[L1VMM_EXIT_IRQ_WINDOW]	= handle_irq_window,
	[L1VMM_EXIT_XSETBV]	= handle_emulated,
};

int l1vmm_handle_exit(struct l1vmm_vcpu *vcpu)
{
	unsigned int reason = vcpu->exit.reason;

	vcpu->stats.exits++;
	if (WARN_ON_ONCE(reason >= L1VMM_NR_EXIT_REASONS))
		return handle_unknown(vcpu);
	reason = array_index_nospec(reason, L1VMM_NR_EXIT_REASONS);
	if (WARN_ON_ONCE(!exit_handlers[reason]))
		return handle_unknown(vcpu);
	return exit_handlers[reason](vcpu);
}
