// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vCPU file: the mmap of struct kvm_run and the PIO data page, register
 * ioctls, and KVM_RUN with its entry loop.
 *
 * The entry loop, in order: pending signal or reschedule; IRQs and
 * preemption off; mode = IN_GUEST (a kick after this point sends an IPI,
 * which the guest exits on); the backend's instance of the run loop
 * (run.h: requests, enter, and enter again while the fastpath, fastpath.h,
 * handles the exits); mode = OUTSIDE; IRQs and preemption back on; the
 * core's full path handles the exit (exit.c).
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/kvm_host.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include <asm/trapnr.h>
#include <asm/tsc.h>

#include "l1vmm/caps.h"
#include "l1vmm/debugregs.h"
#include "l1vmm/exit.h"
#include "l1vmm/guest_mem.h"
#include "l1vmm/hw.h"
#include "l1vmm/irqchip.h"
#include "l1vmm/irqchip_split.h"
#include "l1vmm/kvmclock.h"
#include "l1vmm/msr_access.h"
#include "l1vmm/msr_misc.h"
#include "l1vmm/portable/cpuid.h"
#include "l1vmm/portable/msrs.h"
#include "l1vmm/portable/x86.h"
#include "l1vmm/portable/exc_payload.h"
#include "l1vmm/portable/sregs_check.h"
#include "l1vmm/tdp.h"
#include "l1vmm/tsc.h"
#include "l1vmm/trace.h"
#include "l1vmm/vm.h"
#include "xstate/fpu.h"
#include "xstate/guest_xcr0.h"
#include "xstate/guest_xsave.h"

static void kick_ipi(void *unused)
{
}

/*
 * Post @req to @vcpu and make sure it is seen before the guest runs again:
 * a vCPU in the guest is forced out by an IPI (interrupts are intercepted),
 * and smp_call_function_single() waits until it has left.
 */
void l1vmm_vcpu_kick(struct l1vmm_vcpu *vcpu, unsigned int req)
{
	int cpu;

	set_bit(req, &vcpu->requests);
	/* Pairs with smp_store_mb(vcpu->mode) in vcpu_run(): see there. */
	smp_mb__after_atomic();
	if (READ_ONCE(vcpu->mode) != L1VMM_IN_GUEST_MODE)
		return;
	cpu = READ_ONCE(vcpu->cpu);
	if (cpu >= 0 && cpu != raw_smp_processor_id())
		smp_call_function_single(cpu, kick_ipi, NULL, 1);
}

static void vcpu_get_regs(struct l1vmm_vcpu *vcpu, struct kvm_regs *r)
{
	const unsigned long *g = vcpu->regs;

	r->rax = g[L1VMM_REG_RAX];
	r->rbx = g[L1VMM_REG_RBX];
	r->rcx = g[L1VMM_REG_RCX];
	r->rdx = g[L1VMM_REG_RDX];
	r->rsi = g[L1VMM_REG_RSI];
	r->rdi = g[L1VMM_REG_RDI];
	r->rsp = g[L1VMM_REG_RSP];
	r->rbp = g[L1VMM_REG_RBP];
	r->r8 = g[L1VMM_REG_R8];
	r->r9 = g[L1VMM_REG_R9];
	r->r10 = g[L1VMM_REG_R10];
	r->r11 = g[L1VMM_REG_R11];
	r->r12 = g[L1VMM_REG_R12];
	r->r13 = g[L1VMM_REG_R13];
	r->r14 = g[L1VMM_REG_R14];
	r->r15 = g[L1VMM_REG_R15];
	r->rip = g[L1VMM_REG_RIP];
	r->rflags = l1vmm_get_rflags_user(vcpu);
}

static void vcpu_set_regs(struct l1vmm_vcpu *vcpu, const struct kvm_regs *r)
{
	unsigned long *g = vcpu->regs;

	g[L1VMM_REG_RAX] = r->rax;
	g[L1VMM_REG_RBX] = r->rbx;
	g[L1VMM_REG_RCX] = r->rcx;
	g[L1VMM_REG_RDX] = r->rdx;
	g[L1VMM_REG_RSI] = r->rsi;
	g[L1VMM_REG_RDI] = r->rdi;
	g[L1VMM_REG_RSP] = r->rsp;
	g[L1VMM_REG_RBP] = r->rbp;
	g[L1VMM_REG_R8] = r->r8;
	g[L1VMM_REG_R9] = r->r9;
	g[L1VMM_REG_R10] = r->r10;
	g[L1VMM_REG_R11] = r->r11;
	g[L1VMM_REG_R12] = r->r12;
	g[L1VMM_REG_R13] = r->r13;
	g[L1VMM_REG_R14] = r->r14;
	g[L1VMM_REG_R15] = r->r15;
	g[L1VMM_REG_RIP] = r->rip;
	vcpu->regs_dirty = BIT(L1VMM_NR_REGS) - 1;
	/* Bit 1 of RFLAGS always reads as 1. */
	l1vmm_set_rflags_user(vcpu, r->rflags | X86_EFLAGS_FIXED);
}

/* MAXPHYADDR from the guest's CPUID, 36 without one (KVM's cpuid_maxphyaddr()). */
static unsigned int guest_maxphyaddr(struct l1vmm_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e;

	e = l1vmm_cpuid_find(vcpu->cpuid, vcpu->cpuid_nent, 0x80000008, 0);
	return e ? e->eax & 0xff : 36;
}

/*
 * The PDPTEs as the CPU would load them from CR3 (KVM's load_pdptrs() under
 * nested paging), kept until the next entry. Where the guest's table is not
 * in a slot or a present entry has reserved bits, the last ones loaded
 * stay, as in KVM, and the answer is false.
 */
bool l1vmm_vcpu_load_pdptrs(struct l1vmm_vcpu *vcpu, u64 cr3)
{
	u64 pdpte[4];

	if (l1vmm_read_gpa(vcpu->vm, cr3 & ~0x1fULL, pdpte, sizeof(pdpte)))
		return false;
	if (!l1vmm_pdptes_valid(pdpte, guest_maxphyaddr(vcpu)))
		return false;
	memcpy(vcpu->pdptrs, pdpte, sizeof(pdpte));
	vcpu->pdptrs_cached = true;
	return true;
}

/* The CR4 bits the guest may set: what the host offers, less its CPUID's. */
u64 l1vmm_vcpu_cr4_allowed(const struct l1vmm_vcpu *vcpu)
{
	return l1vmm_guest_cr4_allowed() & ~vcpu->cr4_withheld;
}

static int vcpu_set_sregs(struct l1vmm_vcpu *vcpu, const struct kvm_sregs *sregs)
{
	struct l1vmm_sregs_view view = {
		.cr0 = sregs->cr0, .cr3 = sregs->cr3, .cr4 = sregs->cr4,
		.efer = sregs->efer, .cs_l = sregs->cs.l, .cs_db = sregs->cs.db,
	};
	struct kvm_sregs old;

	if (l1vmm_sregs_invalid(&view, l1vmm_tdp_gpa_bits(),
				l1vmm_vcpu_cr4_allowed(vcpu)))
		return -EINVAL;
	/* apic_base is a host write of the MSR, checked with or without the APIC (KVM's). */
	if (l1vmm_lapic_set_base(vcpu, sregs->apic_base))
		return -EINVAL;
	/* A new CS base moves the pending instruction away too (KVM compares linear RIPs). */
	if (vcpu->pending.complete) {
		l1vmm_ops->get_sregs(vcpu, &old);
		if (old.cs.base != sregs->cs.base)
			vcpu->pending.complete = NULL;
	}
	l1vmm_ops->set_sregs(vcpu, sregs);
	/* KVM ignores a CR8 with reserved bits here (its kvm_set_cr8() fails). */
	if (!(sregs->cr8 & ~L1VMM_CR8_TPR)) {
		if (vcpu->lapic)
			l1vmm_lapic_set_cr8(vcpu, sregs->cr8);
		else
			l1vmm_ops->set_cr8(vcpu, sregs->cr8);
	}
	/* KVM loads the PDPTEs from memory again (__set_sregs_common()). */
	if (l1vmm_pae_paging(sregs->cr0, sregs->cr4, sregs->efer))
		l1vmm_vcpu_load_pdptrs(vcpu, sregs->cr3);
	return 0;
}

/* The backend's registers, and APIC_BASE and CR8 from the in-kernel APIC if any. */
static void sregs_read(struct l1vmm_vcpu *vcpu, struct kvm_sregs *sregs)
{
	l1vmm_ops->get_sregs(vcpu, sregs);
	sregs->apic_base = vcpu->apic_base;
	if (vcpu->lapic) {
		sregs->apic_base = l1vmm_lapic_get_base(vcpu);
		sregs->cr8 = l1vmm_lapic_get_cr8(vcpu);
	}
}

static void vcpu_get_sregs(struct l1vmm_vcpu *vcpu, struct kvm_sregs *sregs)
{
	memset(sregs, 0, sizeof(*sregs));
	sregs_read(vcpu, sregs);
}

/*
 * KVM_SREGS2: struct kvm_sregs up to apic_base, then flags and the four
 * PDPTEs of PAE paging in place of the interrupt bitmap.
 */
static_assert(offsetof(struct kvm_sregs2, flags) == offsetof(struct kvm_sregs, interrupt_bitmap));

/*
 * KVM_GET_SREGS2: under PAE paging, the PDPTEs with
 * KVM_SREGS2_FLAGS_PDPTRS_VALID: those KVM_SET_SREGS2 gave or last loaded,
 * until the next entry; after it, those in memory again (KVM reads them
 * once after each exit, and keeps the old ones if that fails).
 */
static void vcpu_get_sregs2(struct l1vmm_vcpu *vcpu, struct kvm_sregs2 *sregs2)
{
	struct kvm_sregs *sregs = (struct kvm_sregs *)sregs2;

	memset(sregs2, 0, sizeof(*sregs2));
	sregs_read(vcpu, sregs);
	if (!l1vmm_pae_paging(sregs2->cr0, sregs2->cr4, sregs2->efer))
		return;
	if (!vcpu->pdptrs_cached) {
		l1vmm_vcpu_load_pdptrs(vcpu, sregs2->cr3);
		vcpu->pdptrs_cached = true;
	}
	memcpy(sregs2->pdptrs, vcpu->pdptrs, sizeof(sregs2->pdptrs));
	sregs2->flags = KVM_SREGS2_FLAGS_PDPTRS_VALID;
}

/* KVM_SET_SREGS2: PDPTEs only for PAE paging, no other flag (KVM's __set_sregs2()). */
static int vcpu_set_sregs2(struct l1vmm_vcpu *vcpu, const struct kvm_sregs2 *sregs2)
{
	bool pdptrs = sregs2->flags & KVM_SREGS2_FLAGS_PDPTRS_VALID;
	struct kvm_sregs sregs = { 0 };
	int r;

	if (sregs2->flags & ~KVM_SREGS2_FLAGS_PDPTRS_VALID)
		return -EINVAL;
	if (pdptrs && !l1vmm_pae_paging(sregs2->cr0, sregs2->cr4, sregs2->efer))
		return -EINVAL;
	memcpy(&sregs, sregs2, offsetof(struct kvm_sregs, interrupt_bitmap));
	r = vcpu_set_sregs(vcpu, &sregs);
	if (r || !pdptrs)
		return r;
	memcpy(vcpu->pdptrs, sregs2->pdptrs, sizeof(vcpu->pdptrs));
	vcpu->pdptrs_cached = true;
	return 0;
}

/*
 * KVM_CAP_SYNC_REGS: before the run, the parts of kvm_run->s.regs that user
 * space marked dirty go in, checked as the ioctls check them; after it,
 * the parts it asked for come out. KVM's sync_regs() and store_regs().
 */
static int vcpu_sync_regs_in(struct l1vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	if (run->kvm_dirty_regs & KVM_SYNC_X86_REGS) {
		vcpu_set_regs(vcpu, &run->s.regs.regs);
		run->kvm_dirty_regs &= ~KVM_SYNC_X86_REGS;
	}
	if (run->kvm_dirty_regs & KVM_SYNC_X86_SREGS) {
		if (vcpu_set_sregs(vcpu, &run->s.regs.sregs))
			return -EINVAL;
		run->kvm_dirty_regs &= ~KVM_SYNC_X86_SREGS;
	}
	if (run->kvm_dirty_regs & KVM_SYNC_X86_EVENTS) {
		if (l1vmm_set_vcpu_events(vcpu, &run->s.regs.events))
			return -EINVAL;
		run->kvm_dirty_regs &= ~KVM_SYNC_X86_EVENTS;
	}
	return 0;
}

static void vcpu_sync_regs_out(struct l1vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	if (run->kvm_valid_regs & KVM_SYNC_X86_REGS)
		vcpu_get_regs(vcpu, &run->s.regs.regs);
	if (run->kvm_valid_regs & KVM_SYNC_X86_SREGS)
		vcpu_get_sregs(vcpu, &run->s.regs.sregs);
	if (run->kvm_valid_regs & KVM_SYNC_X86_EVENTS)
		l1vmm_get_vcpu_events(vcpu, &run->s.regs.events);
}

/*
 * What KVM_RUN takes from kvm_run before it completes a pending access or
 * enters: the synced registers, then CR8 (user space owns the TPR without
 * an in-kernel APIC, as in KVM's kvm_arch_vcpu_ioctl_run()).
 */
static int vcpu_run_input(struct l1vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	u64 cr8;
	int r;

	run->flags = 0;
	if ((run->kvm_valid_regs | run->kvm_dirty_regs) & ~KVM_SYNC_X86_VALID_FIELDS)
		return -EINVAL;
	if (run->kvm_dirty_regs) {
		r = vcpu_sync_regs_in(vcpu);
		if (r)
			return r;
	}
	/* The in-kernel APIC owns the TPR: KVM ignores run->cr8 then. */
	if (vcpu->lapic)
		return 0;
	cr8 = READ_ONCE(run->cr8);
	if (cr8 & ~L1VMM_CR8_TPR)
		return -EINVAL;
	l1vmm_ops->set_cr8(vcpu, cr8);
	return 0;
}

/*
 * Can user space's PIC inject with KVM_INTERRUPT now (KVM's
 * kvm_vcpu_ready_for_interrupt_injection())? Never asked with the PIC in
 * the kernel.
 */
static bool user_irq_window_open(struct l1vmm_vcpu *vcpu)
{
	if (!vcpu->lapic)
		return l1vmm_ready_for_interrupt(vcpu);
	return l1vmm_irqchip_split(vcpu->vm) && l1vmm_split_ready_for_injection(vcpu);
}

static int vcpu_run(struct l1vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	enum l1vmm_fastpath fast;
	int r;

	/* KVM's first check: a vCPU waiting for INIT and SIPI only waits. */
	if (vcpu->lapic && l1vmm_lapic_uninit(vcpu->lapic))
		return l1vmm_lapic_run_uninit(vcpu);
	r = vcpu_run_input(vcpu);
	if (r)
		return r;

	if (vcpu->pending.complete) {
		int (*complete)(struct l1vmm_vcpu *vcpu) = vcpu->pending.complete;

		vcpu->pending.complete = NULL;
		/* User space moved RIP: it took the access over, as KVM assumes. */
		if (vcpu->regs[L1VMM_REG_RIP] == vcpu->pending.rip) {
			r = complete(vcpu);
			if (r <= 0)
				return r;
		}
	}

	/*
	 * As KVM: after the pending access completes (so that user space can
	 * finish one without entering), -EINTR, exit_reason left as it was.
	 */
	if (READ_ONCE(run->immediate_exit))
		return -EINTR;

	/*
	 * KVM_X86_SET_MCE's shutdown (KVM's KVM_REQ_TRIPLE_FAULT, no INIT),
	 * after the exit user space completed, as in KVM. Only an ioctl
	 * between two runs requests it: once per KVM_RUN is enough.
	 */
	if (unlikely(test_and_clear_bit(L1VMM_REQ_TRIPLE_FAULT, &vcpu->requests))) {
		run->exit_reason = KVM_EXIT_SHUTDOWN;
		return 0;
	}

	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, true);
	for (;;) {
		if (signal_pending(current)) {
			run->exit_reason = KVM_EXIT_INTR;
			r = -EINTR;
			break;
		}
		cond_resched();
		/* The in-kernel APIC: its timer, NMIs it took, and the sleep in HLT. */
		if (vcpu->lapic) {
			r = l1vmm_lapic_before_entry(vcpu);
			if (r <= 0)
				break;
		}
		if (unlikely(test_bit(L1VMM_REQ_CLOCK_UPDATE, &vcpu->requests)))
			l1vmm_kvmclock_update(vcpu);
		l1vmm_inject_pending(vcpu);
		if (unlikely(vcpu->guest_debug)) {
			r = l1vmm_guest_debug_enter(vcpu);
			if (r <= 0)
				break;
		}

		preempt_disable();
		if (l1vmm_ops->vcpu_load)
			l1vmm_ops->vcpu_load(vcpu);
		local_irq_disable();
		WRITE_ONCE(vcpu->cpu, smp_processor_id());
		/*
		 * Publish IN_GUEST before the backend reads vcpu->requests;
		 * pairs with the barrier in l1vmm_vcpu_kick(): either we see
		 * the request, or the kicker sees IN_GUEST and sends the IPI.
		 */
		smp_store_mb(vcpu->mode, L1VMM_IN_GUEST_MODE);
		/*
		 * A signal or reschedule since the checks above, a pvclock
		 * page to write for this CPU, or an interrupt for the
		 * in-kernel APIC to look at: not one more entry.
		 */
		if (unlikely(l1vmm_task_work_pending() ||
			     l1vmm_kvmclock_stale(vcpu, smp_processor_id()) ||
			     test_bit(L1VMM_REQ_EVENT, &vcpu->requests))) {
			WRITE_ONCE(vcpu->mode, L1VMM_OUTSIDE_GUEST_MODE);
			local_irq_enable();
			preempt_enable();
			continue;
		}
		/*
		 * A reschedule since the swap in (faulting guest memory in
		 * sleeps) left the guest's FPU state in memory, not in the
		 * registers: load it, as KVM's vcpu_enter_guest() does.
		 */
		if (test_thread_flag(TIF_NEED_FPU_LOAD))
			switch_fpu_return();
		l1vmm_debugregs_enter(vcpu);
		/* Time from here to guest_timing_exit_irqoff() is the guest's. */
		guest_timing_enter_irqoff();
		if (trace_l1vmm_inj_event_enabled())
			l1vmm_trace_inj_event(vcpu);
		trace_l1vmm_entry(vcpu);
		/* Traced, a series is one entry: every exit passes here (trace.h). */
		if (static_branch_unlikely(&l1vmm_trace_run)) {
			set_bit(L1VMM_REQ_SINGLE_ENTRY, &vcpu->requests);
			fast = l1vmm_ops->run(vcpu);
			clear_bit(L1VMM_REQ_SINGLE_ENTRY, &vcpu->requests);
		} else {
			fast = l1vmm_ops->run(vcpu);
		}
		l1vmm_debugregs_exit(vcpu);
		vcpu->last_vmentry_cpu = vcpu->cpu;
		/* The guest ran: KVM_GET_SREGS2 reads its PDPTEs from memory again. */
		vcpu->pdptrs_cached = false;
		if (unlikely(vcpu->exit.reason == L1VMM_EXIT_EXCEPTION &&
			     vcpu->exit.exception.vector == X86_TRAP_MC))
			l1vmm_host_machine_check();
		WRITE_ONCE(vcpu->mode, L1VMM_OUTSIDE_GUEST_MODE);
		/*
		 * Take the interrupt that ended the guest (the tick, most of
		 * the time) while this task is still accounted as a guest, as
		 * KVM does: its time is guest time (/proc, top).
		 */
		local_irq_enable();
		local_irq_disable();
		guest_timing_exit_irqoff();
		local_irq_enable();
		preempt_enable();

		if (unlikely(vcpu->dbg_swapped))
			l1vmm_guest_debug_exit(vcpu);
		if (vcpu->lapic)
			l1vmm_lapic_after_exit(vcpu);
		trace_l1vmm_exit(vcpu);
		trace_l1vmm_fastpath(vcpu, fast);
		r = fast == L1VMM_FASTPATH_HANDLED ? 1 : l1vmm_handle_exit(vcpu);
		if (trace_l1vmm_msr_enabled() && vcpu->exit.reason == L1VMM_EXIT_MSR && r > 0)
			l1vmm_trace_msr_exit(vcpu);
		if (r <= 0)
			break;
		/* With the PIC in the kernel, KVM ignores the request. */
		if (READ_ONCE(run->request_interrupt_window) && user_irq_window_open(vcpu)) {
			run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
			r = 0;
			break;
		}
	}
	/* A signal after user space's DR6 and DR7 went in: the guest's come back. */
	if (unlikely(vcpu->dbg_swapped))
		l1vmm_guest_debug_exit(vcpu);
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, false);
	return r;
}

/* What every return from KVM_RUN tells user space (KVM's post_kvm_run_save()). */
static void vcpu_post_run(struct l1vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	if (run->kvm_valid_regs)
		vcpu_sync_regs_out(vcpu);
	run->if_flag = !!(l1vmm_ops->get_rflags(vcpu) & X86_EFLAGS_IF);
	if (vcpu->lapic) {
		/* As KVM with the PIC in the kernel: always ready. */
		run->cr8 = l1vmm_lapic_get_cr8(vcpu);
		run->apic_base = l1vmm_lapic_get_base(vcpu);
		run->ready_for_interrupt_injection = l1vmm_pic_in_kernel(vcpu->vm) ||
						     user_irq_window_open(vcpu);
		return;
	}
	run->cr8 = l1vmm_ops->get_cr8(vcpu);
	run->apic_base = vcpu->apic_base;
	run->ready_for_interrupt_injection = l1vmm_ready_for_interrupt(vcpu);
}

/*
 * KVM_GET/SET_MP_STATE without an in-kernel APIC: the vCPU is always
 * runnable (HLT exits to user space), and any other state is -EINVAL, as
 * in KVM.
 */
static int vcpu_set_mp_state(struct l1vmm_vcpu *vcpu, const struct kvm_mp_state *mp)
{
	return mp->mp_state == KVM_MP_STATE_RUNNABLE ? 0 : -EINVAL;
}

u64 l1vmm_vcpu_apic_base(struct l1vmm_vcpu *vcpu)
{
	return vcpu->lapic ? l1vmm_lapic_get_base(vcpu) : vcpu->apic_base;
}

/*
 * The run-time bits of a CPUID table, as KVM's kvm_update_cpuid_runtime()
 * writes them: OSXSAVE and the XSAVE sizes (xstate/guest_xsave.c), and the
 * APIC bit. KVM rewrites its table whenever CR4, XCR0 or APIC_BASE change;
 * l1vmm does not see every change (the guest's MOV to CR4 need not exit),
 * so it computes them where they are read: at the guest's CPUID
 * (fastpath.h), for KVM_GET_CPUID2, and for KVM_SET_CPUID2's comparison.
 * Nothing else reads these bits of the table.
 */
static void cpuid_update_runtime(struct l1vmm_vcpu *vcpu, struct kvm_cpuid_entry2 *entries,
				 unsigned int nent)
{
	bool osxsave = l1vmm_ops->get_cr4(vcpu) & X86_CR4_OSXSAVE;
	static const u32 leaves[][2] = { { 1, 0 }, { 0xd, 0 }, { 0xd, 1 } };
	struct kvm_cpuid_entry2 *e;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(leaves); i++) {
		e = (struct kvm_cpuid_entry2 *)l1vmm_cpuid_find(entries, nent, leaves[i][0],
								 leaves[i][1]);
		if (!e)
			continue;
		l1vmm_xsave_cpuid_entry_runtime(vcpu, e, osxsave);
		if (e->function == 1)
			e->edx = l1vmm_cpuid_1_edx_apic(e->edx, l1vmm_vcpu_apic_base(vcpu));
	}
}

/*
 * After the vCPU ran, KVM takes only the table it has (KVM's
 * kvm_cpuid_check_equal(), after the run-time bits of both): changing it
 * then is -EINVAL, as its MMU does not follow such changes.
 */
static int cpuid_check_equal(struct l1vmm_vcpu *vcpu, struct kvm_cpuid_entry2 *entries,
			     unsigned int nent)
{
	const struct kvm_cpuid_entry2 *a, *b;
	unsigned int i;

	if (nent != vcpu->cpuid_nent)
		return -EINVAL;
	cpuid_update_runtime(vcpu, entries, nent);
	cpuid_update_runtime(vcpu, vcpu->cpuid, vcpu->cpuid_nent);
	for (i = 0; i < nent; i++) {
		a = &entries[i];
		b = &vcpu->cpuid[i];
		if (a->function != b->function || a->index != b->index ||
		    a->flags != b->flags || a->eax != b->eax || a->ebx != b->ebx ||
		    a->ecx != b->ecx || a->edx != b->edx)
			return -EINVAL;
	}
	return 0;
}

/*
 * KVM_SET_CPUID2: replace the table; -E2BIG over KVM's 256 entries; after
 * the first entry into the guest only the same table again (not after a
 * KVM_RUN that returned before entering, as KVM's last_vmentry_cpu); before
 * it, the error of KVM's kvm_check_cpuid() for a table it refuses.
 */
static int vcpu_set_cpuid2(struct l1vmm_vcpu *vcpu, struct kvm_cpuid2 __user *ucpuid)
{
	struct kvm_cpuid_entry2 *entries = NULL;
	struct kvm_cpuid2 cpuid;
	int r;

	if (copy_from_user(&cpuid, ucpuid, sizeof(cpuid)))
		return -EFAULT;
	if (cpuid.nent > L1VMM_MAX_CPUID_ENTRIES)
		return -E2BIG;
	if (cpuid.nent) {
		/* The VM's memory: charged to the caller's memory cgroup. */
		entries = kvmalloc_array(cpuid.nent, sizeof(*entries), GFP_KERNEL_ACCOUNT);
		if (!entries)
			return -ENOMEM;
		if (copy_from_user(entries, ucpuid->entries,
				   array_size(cpuid.nent, sizeof(*entries)))) {
			kvfree(entries);
			return -EFAULT;
		}
	}
	if (vcpu->last_vmentry_cpu != -1) {
		r = cpuid_check_equal(vcpu, entries, cpuid.nent);
		kvfree(entries);
		return r;
	}
	r = l1vmm_cpuid_invalid(entries, cpuid.nent) ? -EINVAL :
	    l1vmm_xsave_check_cpuid(vcpu, entries, cpuid.nent);
	if (r) {
		kvfree(entries);
		return r;
	}
	kvfree(vcpu->cpuid);
	vcpu->cpuid = entries;
	vcpu->cpuid_nent = cpuid.nent;
	vcpu->cr4_withheld = l1vmm_cr4_withheld_by_cpuid(vcpu->cpuid, vcpu->cpuid_nent);
	l1vmm_xcr0_update_cpuid(vcpu);
	if (vcpu->lapic)
		l1vmm_lapic_update_cpuid(vcpu);
	l1vmm_misc_enable_update_cpuid(vcpu);
	l1vmm_pv_cpuid_update(&vcpu->pv_cpuid, vcpu->cpuid, vcpu->cpuid_nent);
	return 0;
}

/*
 * KVM_GET_CPUID2: the table with its run-time bits as they are now; -E2BIG
 * when the caller's array is too small.
 */
static int vcpu_get_cpuid2(struct l1vmm_vcpu *vcpu, struct kvm_cpuid2 __user *ucpuid)
{
	struct kvm_cpuid2 cpuid;

	if (copy_from_user(&cpuid, ucpuid, sizeof(cpuid)))
		return -EFAULT;
	if (cpuid.nent < vcpu->cpuid_nent)
		return -E2BIG;
	cpuid_update_runtime(vcpu, vcpu->cpuid, vcpu->cpuid_nent);
	if (copy_to_user(ucpuid->entries, vcpu->cpuid,
			 array_size(vcpu->cpuid_nent, sizeof(*vcpu->cpuid))))
		return -EFAULT;
	cpuid.nent = vcpu->cpuid_nent;
	return copy_to_user(ucpuid, &cpuid, sizeof(cpuid)) ? -EFAULT : 0;
}

/*
 * KVM_SET_TSC_KHZ without TSC scaling, as KVM does it (x86.c,
 * kvm_set_tsc_khz()): 0 means the host's rate; the rate is recorded,
 * and KVM_GET_TSC_KHZ reports it, before it is checked; a rate within
 * KVM's default tolerance of the host's (tsc_tolerance_ppm, 250 ppm)
 * needs nothing done. Below it KVM fails with -EINVAL too; above it KVM
 * catches the guest's TSC up at each entry, which l1vmm does not do.
 */
#define L1VMM_TSC_TOLERANCE_PPM	250

static u32 tsc_khz_adjust(u32 khz, s32 ppm)
{
	u64 v = (u64)khz * (1000000 + ppm);

	do_div(v, 1000000);
	return v;
}

static int vcpu_set_tsc_khz(struct l1vmm_vcpu *vcpu, u32 khz)
{
	if (!khz)
		khz = tsc_khz;
	if (!khz)
		return -EINVAL;	/* the host's TSC was not calibrated */
	vcpu->tsc_khz = khz;
	if (khz < tsc_khz_adjust(tsc_khz, -L1VMM_TSC_TOLERANCE_PPM) ||
	    khz > tsc_khz_adjust(tsc_khz, L1VMM_TSC_TOLERANCE_PPM))
		return -EINVAL;
	return 0;
}

/*
 * KVM_TRANSLATE as KVM's kvm_arch_vcpu_ioctl_translate(): a supervisor
 * read walk of the guest's page tables; an unmapped address is
 * physical_address ~0 (INVALID_GPA) with valid 0; writeable is always 1
 * and usermode always 0, whatever the entries say. Without paging the
 * linear address is the physical one, all 64 bits of it.
 */
static void vcpu_translate(struct l1vmm_vcpu *vcpu, struct kvm_translation *tr)
{
	struct l1vmm_guest_view view;
	u64 gpa = tr->linear_address;

	l1vmm_guest_view(vcpu, &view);
	if ((view.paging.cr0 & X86_CR0_PG) &&
	    l1vmm_translate_linear(vcpu, &view, tr->linear_address, &gpa))
		gpa = ~0ULL;
	tr->physical_address = gpa;
	tr->valid = gpa != ~0ULL;
	tr->writeable = 1;
	tr->usermode = 0;
}

/*
 * KVM_SET_SIGNAL_MASK: the signals blocked while KVM_RUN runs (a NULL
 * argument: none beyond the thread's own). SIGKILL and SIGSTOP are never
 * blocked. KVM's kvm_vcpu_ioctl_set_sigmask().
 */
static int vcpu_set_signal_mask(struct l1vmm_vcpu *vcpu,
				struct kvm_signal_mask __user *umask)
{
	struct kvm_signal_mask mask;
	sigset_t set;

	if (!umask) {
		vcpu->sigset_active = false;
		return 0;
	}
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	if (mask.len != sizeof(set))
		return -EINVAL;
	if (copy_from_user(&set, umask->sigset, sizeof(set)))
		return -EFAULT;
	sigdelsetmask(&set, sigmask(SIGKILL) | sigmask(SIGSTOP));
	vcpu->sigset = set;
	vcpu->sigset_active = true;
	return 0;
}

/*
 * Around KVM_RUN, the thread runs with the vCPU's mask; its own waits in
 * real_blocked (which only current changes), as in KVM.
 */
static void vcpu_sigset_activate(struct l1vmm_vcpu *vcpu)
{
	if (vcpu->sigset_active)
		sigprocmask(SIG_SETMASK, &vcpu->sigset, &current->real_blocked);
}

static void vcpu_sigset_deactivate(struct l1vmm_vcpu *vcpu)
{
	if (!vcpu->sigset_active)
		return;
	sigprocmask(SIG_SETMASK, &current->real_blocked, NULL);
	sigemptyset(&current->real_blocked);
}

static long vcpu_ioctl(struct file *filp, unsigned int ioctl, unsigned long arg)
{
	struct l1vmm_vcpu *vcpu = filp->private_data;
	void __user *argp = (void __user *)arg;
	long r;

	if (vcpu->vm->mm != current->mm)
		return -EIO;
	/* KVM's kvm_vcpu_ioctl() refuses another driver's ioctl first. */
	if (_IOC_TYPE(ioctl) != KVMIO)
		return -EINVAL;
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;

	switch (ioctl) {
	case KVM_RUN:
		r = -EINVAL;
		if (arg)
			break;
		vcpu_sigset_activate(vcpu);
		r = vcpu_run(vcpu);
		vcpu_post_run(vcpu);
		trace_l1vmm_userspace_exit(vcpu->run->exit_reason, r);
		vcpu_sigset_deactivate(vcpu);
		break;
	case KVM_SET_SIGNAL_MASK:
		r = vcpu_set_signal_mask(vcpu, argp);
		break;
	case KVM_ENABLE_CAP: {
		struct kvm_enable_cap cap;

		r = -EFAULT;
		if (copy_from_user(&cap, argp, sizeof(cap)))
			break;
		r = l1vmm_vcpu_enable_cap(vcpu, &cap);
		break;
	}
	case KVM_GET_LAPIC:
	case KVM_SET_LAPIC:
	case KVM_SET_VAPIC_ADDR:
		/* Without the in-kernel APIC, KVM's -EINVAL. */
		r = vcpu->lapic ? l1vmm_lapic_ioctl(vcpu, ioctl, argp) : -EINVAL;
		break;
	case KVM_INTERRUPT: {
		struct kvm_interrupt irq;

		if (vcpu->lapic) {
			r = l1vmm_lapic_ioctl(vcpu, ioctl, argp);
			break;
		}
		r = -EFAULT;
		if (copy_from_user(&irq, argp, sizeof(irq)))
			break;
		r = l1vmm_interrupt(vcpu, &irq);
		break;
	}
	case KVM_NMI:
		r = l1vmm_nmi(vcpu);
		break;
	case KVM_SET_GUEST_DEBUG: {
		struct kvm_guest_debug dbg;

		r = -EFAULT;
		if (copy_from_user(&dbg, argp, sizeof(dbg)))
			break;
		r = l1vmm_set_guest_debug(vcpu, &dbg);
		break;
	}
	case KVM_GET_VCPU_EVENTS: {
		struct kvm_vcpu_events events;

		l1vmm_get_vcpu_events(vcpu, &events);
		r = copy_to_user(argp, &events, sizeof(events)) ? -EFAULT : 0;
		break;
	}
	case KVM_SET_VCPU_EVENTS: {
		struct kvm_vcpu_events events;

		r = -EFAULT;
		if (copy_from_user(&events, argp, sizeof(events)))
			break;
		r = l1vmm_set_vcpu_events(vcpu, &events);
		break;
	}
	case KVM_GET_MP_STATE: {
		struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

		if (vcpu->lapic) {
			r = l1vmm_lapic_ioctl(vcpu, ioctl, argp);
			break;
		}
		r = copy_to_user(argp, &mp, sizeof(mp)) ? -EFAULT : 0;
		break;
	}
	case KVM_SET_MP_STATE: {
		struct kvm_mp_state mp;

		if (vcpu->lapic) {
			r = l1vmm_lapic_ioctl(vcpu, ioctl, argp);
			break;
		}
		r = -EFAULT;
		if (copy_from_user(&mp, argp, sizeof(mp)))
			break;
		r = vcpu_set_mp_state(vcpu, &mp);
		break;
	}
	case KVM_GET_XCRS: {
		struct kvm_xcrs xcrs;

		l1vmm_get_xcrs(vcpu, &xcrs);
		r = copy_to_user(argp, &xcrs, sizeof(xcrs)) ? -EFAULT : 0;
		break;
	}
	case KVM_SET_XCRS: {
		struct kvm_xcrs xcrs;

		r = -EFAULT;
		if (copy_from_user(&xcrs, argp, sizeof(xcrs)))
			break;
		r = l1vmm_set_xcrs(vcpu, &xcrs);
		break;
	}
	case KVM_GET_XSAVE:
		r = l1vmm_get_xsave(vcpu, argp, sizeof(struct kvm_xsave));
		break;
	case KVM_GET_XSAVE2:
		r = l1vmm_get_xsave(vcpu, argp, l1vmm_xsave_uabi_size());
		break;
	case KVM_SET_XSAVE:
		r = l1vmm_set_xsave(vcpu, argp);
		break;
	case KVM_GET_STATS_FD:
		r = l1vmm_vcpu_stats_fd(vcpu);
		break;
	case KVM_GET_DEBUGREGS: {
		struct kvm_debugregs dbg;

		l1vmm_get_debugregs(vcpu, &dbg);
		r = copy_to_user(argp, &dbg, sizeof(dbg)) ? -EFAULT : 0;
		break;
	}
	case KVM_SET_DEBUGREGS: {
		struct kvm_debugregs dbg;

		r = -EFAULT;
		if (copy_from_user(&dbg, argp, sizeof(dbg)))
			break;
		r = l1vmm_set_debugregs(vcpu, &dbg);
		break;
	}
	case KVM_GET_FPU: {
		struct kvm_fpu fpu;

		l1vmm_get_fpu(vcpu, &fpu);
		r = copy_to_user(argp, &fpu, sizeof(fpu)) ? -EFAULT : 0;
		break;
	}
	case KVM_SET_FPU: {
		struct kvm_fpu fpu;

		r = -EFAULT;
		if (copy_from_user(&fpu, argp, sizeof(fpu)))
			break;
		l1vmm_set_fpu(vcpu, &fpu);
		r = 0;
		break;
	}
	case KVM_GET_REGS: {
		struct kvm_regs regs;

		vcpu_get_regs(vcpu, &regs);
		r = copy_to_user(argp, &regs, sizeof(regs)) ? -EFAULT : 0;
		break;
	}
	case KVM_SET_REGS: {
		struct kvm_regs regs;

		r = -EFAULT;
		if (copy_from_user(&regs, argp, sizeof(regs)))
			break;
		vcpu_set_regs(vcpu, &regs);
		r = 0;
		break;
	}
	case KVM_GET_SREGS: {
		struct kvm_sregs sregs;

		vcpu_get_sregs(vcpu, &sregs);
		r = copy_to_user(argp, &sregs, sizeof(sregs)) ? -EFAULT : 0;
		break;
	}
	case KVM_SET_SREGS: {
		struct kvm_sregs sregs;

		r = -EFAULT;
		if (copy_from_user(&sregs, argp, sizeof(sregs)))
			break;
		r = vcpu_set_sregs(vcpu, &sregs);
		break;
	}
	case KVM_GET_SREGS2: {
		struct kvm_sregs2 *sregs2 = kmalloc(sizeof(*sregs2), GFP_KERNEL_ACCOUNT);

		r = -ENOMEM;
		if (!sregs2)
			break;
		vcpu_get_sregs2(vcpu, sregs2);
		r = copy_to_user(argp, sregs2, sizeof(*sregs2)) ? -EFAULT : 0;
		kfree(sregs2);
		break;
	}
	case KVM_SET_SREGS2: {
		struct kvm_sregs2 *sregs2 = memdup_user(argp, sizeof(*sregs2));

		r = PTR_ERR_OR_ZERO(sregs2);
		if (r)
			break;
		r = vcpu_set_sregs2(vcpu, sregs2);
		kfree(sregs2);
		break;
	}
	case KVM_GET_MSRS:
		r = l1vmm_vcpu_msrs(vcpu, argp, false);
		break;
	case KVM_SET_MSRS:
		r = l1vmm_vcpu_msrs(vcpu, argp, true);
		break;
	case KVM_X86_SETUP_MCE:
		r = l1vmm_setup_mce(vcpu, argp);
		break;
	case KVM_X86_SET_MCE:
		r = l1vmm_set_mce(vcpu, argp);
		break;
	case KVM_SET_CPUID2:
		r = vcpu_set_cpuid2(vcpu, argp);
		break;
	case KVM_GET_CPUID2:
		r = vcpu_get_cpuid2(vcpu, argp);
		break;
	case KVM_GET_TSC_KHZ:
		r = vcpu->tsc_khz;
		break;
	case KVM_SET_TSC_KHZ:
		r = vcpu_set_tsc_khz(vcpu, arg);
		break;
	case KVM_HAS_DEVICE_ATTR:
	case KVM_GET_DEVICE_ATTR:
	case KVM_SET_DEVICE_ATTR:
		r = l1vmm_vcpu_device_attr(vcpu, ioctl, argp);
		break;
	case KVM_TRANSLATE: {
		struct kvm_translation tr;

		r = -EFAULT;
		if (copy_from_user(&tr, argp, sizeof(tr)))
			break;
		vcpu_translate(vcpu, &tr);
		r = copy_to_user(argp, &tr, sizeof(tr)) ? -EFAULT : 0;
		break;
	}
	case KVM_SET_CPUID:
	case KVM_SMI:
	case KVM_TPR_ACCESS_REPORTING:
	case KVM_KVMCLOCK_CTRL:
	case KVM_GET_NESTED_STATE:
	case KVM_SET_NESTED_STATE:
	case KVM_GET_SUPPORTED_HV_CPUID:
	case KVM_XEN_VCPU_GET_ATTR:
	case KVM_XEN_VCPU_SET_ATTR:
		r = -ENOTTY;	/* KVM 6.1's, not (yet) l1vmm's */
		break;
	default:
		r = -EINVAL;	/* kvm_arch_vcpu_ioctl()'s answer */
		break;
	}
	mutex_unlock(&vcpu->mutex);
	return r;
}

static vm_fault_t vcpu_fault(struct vm_fault *vmf)
{
	struct l1vmm_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	switch (vmf->pgoff) {
	case 0:
		page = virt_to_page(vcpu->run);
		break;
	case KVM_PIO_PAGE_OFFSET:
		page = virt_to_page(vcpu->pio_data);
		break;
	case KVM_COALESCED_MMIO_PAGE_OFFSET:
		page = virt_to_page(vcpu->vm->coalesced_ring);
		break;
	default:
		return VM_FAULT_SIGBUS;
	}
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct vcpu_vm_ops = {
	.fault = vcpu_fault,
};

static int vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	vma->vm_ops = &vcpu_vm_ops;
	return 0;
}

static int vcpu_release(struct inode *inode, struct file *filp)
{
	struct l1vmm_vcpu *vcpu = filp->private_data;

	l1vmm_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations vcpu_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= vcpu_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= vcpu_mmap,
	.release	= vcpu_release,
	.llseek		= noop_llseek,
};

/*
 * RESET, or INIT (@init; the INIT after a shutdown, inside KVM_RUN): GPRs
 * zero but RDX, which holds the CPU signature (CPUID 1 EAX, or KVM's 0x600
 * when the table has no leaf 1), RIP at the reset vector, backend state
 * reset. RESET puts XCR0 back to x87; INIT keeps it, and clears only the
 * extended state INIT clears.
 */
void l1vmm_vcpu_reset(struct l1vmm_vcpu *vcpu, bool init)
{
	const struct kvm_cpuid_entry2 *leaf1;

	leaf1 = l1vmm_cpuid_find(vcpu->cpuid, vcpu->cpuid_nent, 1, 0);
	memset(vcpu->regs, 0, sizeof(vcpu->regs));
	vcpu->regs[L1VMM_REG_RDX] = leaf1 ? leaf1->eax : 0x600;
	vcpu->regs[L1VMM_REG_RIP] = L1VMM_RESET_RIP;
	vcpu->regs_dirty = BIT(L1VMM_NR_REGS) - 1;
	vcpu->pending.complete = NULL;
	vcpu->irq_pending = false;
	vcpu->exc.pending = false;
	vcpu->pdptrs_cached = false;
	l1vmm_nmi_reset(vcpu);
	if (init)
		l1vmm_xsave_init_event(vcpu);
	else
		l1vmm_xcr0_reset(vcpu);
	l1vmm_ops->vcpu_reset(vcpu);
	l1vmm_debugregs_reset(vcpu);
	l1vmm_kvmclock_reset(vcpu);
	l1vmm_msr_misc_reset(vcpu, init);
	if (vcpu->lapic)
		l1vmm_lapic_reset(vcpu, init);
}

/* Called when the VM goes away; no vCPU file is open any more. */
void l1vmm_vcpu_free(struct l1vmm_vcpu *vcpu)
{
	l1vmm_lapic_free(vcpu);
	l1vmm_ops->vcpu_free(vcpu);
	kvfree(vcpu->cpuid);
	fpu_free_guest_fpstate(&vcpu->guest_fpu);
	free_page((unsigned long)vcpu->pio_data);
	free_page((unsigned long)vcpu->run);
	kfree(vcpu);
}

/*
 * A vCPU of @vm with @id, in its RESET state and last in the VM's list; an
 * ERR_PTR on failure. The VM frees it (vm.c): it holds no reference. The
 * caller holds the VM's lock.
 */
struct l1vmm_vcpu *l1vmm_vcpu_alloc(struct l1vmm_vm *vm, unsigned long id)
{
	struct l1vmm_vcpu *vcpu;
	unsigned int i;
	int r;

	BUILD_BUG_ON(!L1VMM_REGS_FIT_IN_A_WORD);
	lockdep_assert_held(&vm->lock);

	/* KVM's checks and errors: the id, the count, then duplicates. */
	if (id >= L1VMM_MAX_VCPU_IDS || vm->nr_vcpus >= L1VMM_MAX_VCPUS)
		return ERR_PTR(-EINVAL);
	if (!vm->max_vcpu_ids)
		vm->max_vcpu_ids = L1VMM_MAX_VCPU_IDS;
	if (id >= vm->max_vcpu_ids)
		return ERR_PTR(-EINVAL);

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return ERR_PTR(-ENOMEM);
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->creator = task_pid_nr(current);
	vcpu->cpu = -1;
	vcpu->last_vmentry_cpu = -1;
	/* The VM's rate, recorded even where it is refused (KVM's). */
	vcpu_set_tsc_khz(vcpu, READ_ONCE(vm->default_tsc_khz));
	l1vmm_mce_init(&vcpu->mce);	/* MCE and MTRRs: RESET and INIT keep them, as KVM */
	mutex_init(&vcpu->mutex);
	/* The BSP is vCPU 0, as in KVM without an in-kernel irqchip. */
	vcpu->apic_base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE |
			  (id == 0 ? MSR_IA32_APICBASE_BSP : 0);

	r = -ENOMEM;
	vcpu->run = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vcpu->pio_data = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->run || !vcpu->pio_data)
		goto free_pages;
	if (!fpu_alloc_guest_fpstate(&vcpu->guest_fpu))
		goto free_pages;

	r = -EEXIST;
	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->id == id)
			goto free_fpu;
	r = l1vmm_ops->vcpu_create(vcpu);
	if (r)
		goto free_fpu;
	if (vm->irqchip) {
		r = l1vmm_lapic_create(vcpu);
		if (r) {
			l1vmm_ops->vcpu_free(vcpu);
			goto free_fpu;
		}
	}
	l1vmm_vcpu_reset(vcpu, false);
	/* KVM's kvm_arch_vcpu_postcreate(): user space's write of TSC 0. */
	l1vmm_tsc_vcpu_init(vcpu);
	WRITE_ONCE(vm->vcpus[array_index_nospec(vm->nr_vcpus, L1VMM_MAX_VCPUS)], vcpu);
	/* The in-kernel irqchip walks the vCPUs without the VM's lock (irqchip.c). */
	smp_store_release(&vm->nr_vcpus, vm->nr_vcpus + 1);
	return vcpu;

free_fpu:
	fpu_free_guest_fpstate(&vcpu->guest_fpu);
free_pages:
	free_page((unsigned long)vcpu->pio_data);
	free_page((unsigned long)vcpu->run);
	kfree(vcpu);
	return ERR_PTR(r);
}

/*
 * KVM_CREATE_VCPU: returns the vCPU's file descriptor. The VM's lock is
 * held from the vCPU's creation to its file's, so that no one sees a vCPU
 * that then goes away.
 */
int l1vmm_vcpu_create(struct l1vmm_vm *vm, unsigned long id)
{
	char name[sizeof("kvm-vcpu:") + 11];
	struct l1vmm_vcpu *vcpu;
	int fd;

	mutex_lock(&vm->lock);
	vcpu = l1vmm_vcpu_alloc(vm, id);
	if (IS_ERR(vcpu)) {
		fd = PTR_ERR(vcpu);
		goto unlock;
	}
	refcount_inc(&vm->users);
	/* KVM's name: /proc/<pid>/fd reads anon_inode:kvm-vcpu:<id>. */
	snprintf(name, sizeof(name), "kvm-vcpu:%d", vcpu->id);
	fd = anon_inode_getfd(name, &vcpu_fops, vcpu, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		vm->vcpus[--vm->nr_vcpus] = NULL;
		refcount_dec(&vm->users);
		/* The MMU notifier may be kicking it (mmu.c): wait for that. */
		synchronize_rcu();
		l1vmm_vcpu_free(vcpu);
	}
unlock:
	mutex_unlock(&vm->lock);
	return fd;
}
