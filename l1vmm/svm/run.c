// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SVM backend's side of the run loop (l1vmm/run.h): the steps the
 * core's loop calls, instantiated here with svm_ops so that every one is a
 * direct call or inlined, the VMRUN around the entry assembly
 * (vmenter.S), the exit decoded into struct l1vmm_exit, and the backend's
 * ops table.
 */
#define pr_fmt(fmt) "l1vmm: svm: " fmt

#include <linux/mm.h>
#include <linux/percpu.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/smp.h>

#include "l1vmm/hw.h"
#include "l1vmm/portable/mce.h"
#include "l1vmm/portable/msrs.h"
#include "l1vmm/run.h"
#include "l1vmm/svm/event_inj.h"
#include "l1vmm/svm/svm.h"

/* Intercepted by L0 without vGIF, and counted (l1vmm_l1_cond()). */
static inline void svm_clgi(struct l1vmm_vcpu_stats *st)
{
	asm volatile("clgi" ::: "memory");
	l1vmm_l1_cond(st);
}

static inline void svm_stgi(struct l1vmm_vcpu_stats *st)
{
	asm volatile("stgi" ::: "memory");
	l1vmm_l1_cond(st);
}

/* Intercepted by L0 without virtual VMLOAD/VMSAVE, and counted. */
static inline void svm_vmsave(u64 pa, struct l1vmm_vcpu_stats *st)
{
	asm volatile("vmsave %%rax" : : "a" (pa) : "memory");
	l1vmm_l1_cond(st);
}

/*
 * An ASID is valid on one CPU for one generation. A vCPU that moves to
 * another CPU, or finds the generation changed, takes the next one; when
 * they run out, the CPU starts a new generation with a full flush.
 */
static void svm_assign_asid(struct svm_vcpu *svm, struct svm_cpu *sd, int cpu)
{
	struct vmcb_control_area *c = &svm->vmcb->control;

	if (svm->asid_cpu == cpu && svm->asid_generation == sd->asid_generation)
		return;
	if (svm->asid_cpu != cpu)
		svm->dirty = CLEAN_ALL;	/* L0 may not cache a VMCB across CPUs */
	if (sd->next_asid >= svm_nr_asids) {
		sd->asid_generation++;
		sd->next_asid = 1;
		c->tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
	}
	c->asid = sd->next_asid++;
	svm->asid_cpu = cpu;
	svm->asid_generation = sd->asid_generation;
	mark_dirty(svm, CLEAN_ASID);
}

/* The run loop's prepare_run: an ASID valid on this CPU. */
static void svm_prepare_run(struct l1vmm_vcpu *vcpu)
{
	svm_assign_asid(to_svm(vcpu), this_cpu_ptr(&svm_cpus), smp_processor_id());
}

/* The TLB_FLUSH request: this ASID's entries, unless a wider flush is due. */
static void svm_flush_tlb(struct l1vmm_vcpu *vcpu)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;

	if (c->tlb_ctl == TLB_CONTROL_DO_NOTHING)
		c->tlb_ctl = (svm_features & SVM_FEATURE_FLUSH_BY_ASID) ?
			     TLB_CONTROL_FLUSH_ASID : TLB_CONTROL_FLUSH_ALL_ASID;
}

/* RIP after the @len-byte instruction that exited: the CPU says, with NRIPS. */
static __always_inline u64 svm_next_rip(const struct vmcb *vmcb, const struct l1vmm_vcpu *vcpu,
					unsigned int len)
{
	return (svm_features & SVM_FEATURE_NRIPS) ? vmcb->control.next_rip :
						     vcpu->regs[L1VMM_REG_RIP] + len;
}

/* The raw exit information, for the exits whose report carries it. */
static __always_inline void svm_exit_info(struct l1vmm_exit *e, const struct vmcb_control_area *c)
{
	e->info1 = c->exit_info_1;
	e->info2 = c->exit_info_2;
}

/* The exits the fastpath does not handle: out of its loop. */
static noinline enum l1vmm_exit_reason svm_decode_slow_exit(struct l1vmm_vcpu *vcpu,
							    struct svm_vcpu *svm, u64 code)
{
	const struct vmcb *vmcb = svm->vmcb;
	const struct vmcb_control_area *c = &vmcb->control;
	struct l1vmm_exit *e = &vcpu->exit;

	e->raw = code;
	/* The first exit after l1vmm injected a software event: did its delivery end? */
	if (unlikely(svm->soft_inj)) {
		if (svm_redeliver_soft(svm->soft_inj, svm->soft_inj_rip, c->exit_int_info,
				       vmcb->save.rip)) {
			svm->vmcb->control.event_inj = c->exit_int_info;
			svm->vmcb->control.event_inj_err = c->exit_int_info_err;
		}
		svm->soft_inj = 0;
	}
	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
		return e->reason = L1VMM_EXIT_INTR;
	case SVM_EXIT_HLT:
		e->next_rip = svm_next_rip(vmcb, vcpu, 1);
		return e->reason = L1VMM_EXIT_HLT;
	case SVM_EXIT_IOIO:
		e->io.port = c->exit_info_1 >> 16;
		e->io.in = c->exit_info_1 & SVM_IOIO_TYPE_MASK;
		e->io.string = c->exit_info_1 & SVM_IOIO_STR_MASK;
		e->io.rep = c->exit_info_1 & SVM_IOIO_REP_MASK;
		/* SZ8, SZ16, SZ32 are one-hot bits worth 1, 2 and 4. */
		e->io.size = (c->exit_info_1 & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;
		/* A16, A32, A64 are one-hot bits worth 1, 2 and 4: twice the bytes. */
		e->io.addr_size = 2 * ((c->exit_info_1 & SVM_IOIO_ASIZE_MASK) >>
				       SVM_IOIO_ASIZE_SHIFT);
		e->next_rip = c->exit_info_2;
		svm_exit_info(e, c);
		return e->reason = L1VMM_EXIT_IO;
	case SVM_EXIT_NPF:
		/* The error code (AMD APM, "Nested versus Guest Page Faults"). */
		e->npf.gpa = c->exit_info_2;
		e->npf.present = c->exit_info_1 & PFERR_PRESENT_MASK;
		e->npf.write = c->exit_info_1 & PFERR_WRITE_MASK;
		e->npf.fetch = c->exit_info_1 & PFERR_FETCH_MASK;
		e->npf.in_walk = c->exit_info_1 & PFERR_GUEST_PAGE_MASK;
		svm_exit_info(e, c);
		return e->reason = L1VMM_EXIT_NPF;
	case SVM_EXIT_SHUTDOWN:
		return e->reason = L1VMM_EXIT_SHUTDOWN;
	case SVM_EXIT_EXCP_BASE + X86_TRAP_DB:
	case SVM_EXIT_EXCP_BASE + X86_TRAP_BP:
	case SVM_EXIT_EXCP_BASE + X86_TRAP_UD:
	case SVM_EXIT_EXCP_BASE + X86_TRAP_AC:
	case SVM_EXIT_EXCP_BASE + X86_TRAP_MC:
		e->exception.vector = code - SVM_EXIT_EXCP_BASE;
		e->exception.error_code = c->exit_info_1;
		return e->reason = L1VMM_EXIT_EXCEPTION;
	case SVM_EXIT_RDPMC:
		e->next_rip = svm_next_rip(vmcb, vcpu, 2);		/* 0f 33 */
		return e->reason = L1VMM_EXIT_RDPMC;
	case SVM_EXIT_INVD:
	case SVM_EXIT_WBINVD:
		e->next_rip = svm_next_rip(vmcb, vcpu, 2);		/* 0f 08, 0f 09 */
		return e->reason = L1VMM_EXIT_WBINVD;
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_COND:
		e->next_rip = svm_next_rip(vmcb, vcpu, 3);		/* 0f 01 c8, 0f 01 c9 */
		return e->reason = L1VMM_EXIT_MWAIT;
	case SVM_EXIT_PAUSE:
		e->next_rip = svm_next_rip(vmcb, vcpu, 2);		/* f3 90 */
		return e->reason = L1VMM_EXIT_PAUSE;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD ... SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_RSM:
	case SVM_EXIT_RDPRU:
		return e->reason = L1VMM_EXIT_UD;
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_READ_DR0 + 7:
	case SVM_EXIT_WRITE_DR0 ... SVM_EXIT_WRITE_DR0 + 7:
		e->dr.index = (code - SVM_EXIT_READ_DR0) & 7;
		e->dr.write = code >= SVM_EXIT_WRITE_DR0;
		svm_exit_info(e, c);
		return e->reason = L1VMM_EXIT_DR_ACCESS;
	case SVM_EXIT_IRET:
		return e->reason = L1VMM_EXIT_IRET;
	case SVM_EXIT_WRITE_CR8:
		return e->reason = L1VMM_EXIT_CR8_WRITE;
	case SVM_EXIT_WRITE_CR4:
		return e->reason = L1VMM_EXIT_CR4_WRITE;
	case SVM_EXIT_VINTR:
		svm_set_irq_window(vcpu, false);
		return e->reason = L1VMM_EXIT_IRQ_WINDOW;
	/* QEMU's emulator writes the low half only; KVM looks at no more. */
	case (u64)SVM_EXIT_ERR:
	case VMEXIT_INVALID:
		e->raw = VMEXIT_INVALID;
		e->fail_entry.check = NULL;	/* the CPU refused it: no check of ours */
		e->fail_entry.faulted = false;
		return e->reason = L1VMM_EXIT_FAIL_ENTRY;
	default:
		svm_exit_info(e, c);
		return e->reason = L1VMM_EXIT_UNKNOWN;
	}
}

/*
 * vcpu->exit from the VMCB; returns its reason too, so that the fastpath
 * inlined after it needs no second dispatch on it. The fastpath's own
 * exits are told apart first, with the fewest compares.
 */
static __always_inline enum l1vmm_exit_reason svm_decode_exit(struct l1vmm_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	const struct vmcb *vmcb = svm->vmcb;
	struct l1vmm_exit *e = &vcpu->exit;
	u64 code = ((u64)vmcb->control.exit_code_hi << 32) | vmcb->control.exit_code;

	switch (code) {
	case SVM_EXIT_CPUID:
		e->next_rip = svm_next_rip(vmcb, vcpu, 2);		/* 0f a2 */
		return e->reason = L1VMM_EXIT_CPUID;
	case SVM_EXIT_VMMCALL:
		e->cpl = vmcb->save.cpl;
		e->hypercall.long_mode = svm_in_64bit_mode(&vmcb->save);
		e->next_rip = svm_next_rip(vmcb, vcpu, 3);		/* 0f 01 d9 */
		return e->reason = L1VMM_EXIT_HYPERCALL;
	case SVM_EXIT_MSR:
		e->msr.write = vmcb->control.exit_info_1 & 1;
		e->next_rip = svm_next_rip(vmcb, vcpu, 2);		/* 0f 32, 0f 30 */
		return e->reason = L1VMM_EXIT_MSR;
	case SVM_EXIT_XSETBV:
		e->cpl = vmcb->save.cpl;
		e->next_rip = svm_next_rip(vmcb, vcpu, 3);		/* 0f 01 d1 */
		return e->reason = L1VMM_EXIT_XSETBV;
	default:
		return svm_decode_slow_exit(vcpu, svm, code);
	}
}

/*
 * KVM's vmcb12 checks, on the VMCB as it is about to run. l1vmm validates
 * what user space sets when it is set; this is the last line, so that a
 * state L0 would refuse is a clean KVM_EXIT_FAIL_ENTRY with the reason in
 * the kernel log, never an unexplained VMRUN failure.
 */
static noinline const char *svm_vmcb_invalid(const struct vmcb *vmcb)
{
	const struct vmcb_control_area *c = &vmcb->control;
	const struct vmcb_save_area *s = &vmcb->save;
	struct l1vmm_vmcb_view v = {
		.efer = s->efer, .cr0 = s->cr0, .cr3 = s->cr3, .cr4 = s->cr4,
		.dr6 = s->dr6, .dr7 = s->dr7,
		.cs_l = s->cs.attrib & SVM_SELECTOR_L_MASK,
		.cs_d = s->cs.attrib & SVM_SELECTOR_DB_MASK,
		.asid = c->asid,
		.intercept_vmrun = c->intercepts[INTERCEPT_VMRUN / 32] & BIT(INTERCEPT_VMRUN % 32),
		.np_enable = c->nested_ctl & SVM_NESTED_CTL_NP_ENABLE,
		.nested_cr3 = c->nested_cr3, .iopm_pa = c->iopm_base_pa,
		.msrpm_pa = c->msrpm_base_pa, .event_inj = c->event_inj,
		.cpl = s->cpl, .tr_present = s->tr.attrib & SVM_SELECTOR_P_MASK,
		.tr_type = s->tr.attrib & SVM_SELECTOR_TYPE_MASK,
	};

	return l1vmm_vmcb_invalid(&v, &svm_vmcb_limits);
}

/*
 * The CONFIG_L1VMM_SPEC_CTRL_RESTORE_C experiment: SPEC_CTRL switched here
 * around the entry assembly instead of inside it.
 */
static void svm_spec_ctrl_in_c(const struct l1vmm_spec_ctrl *spec_ctrl, bool to_guest,
			       struct l1vmm_vcpu_stats *st)
{
	if (IS_ENABLED(CONFIG_L1VMM_SPEC_CTRL_RESTORE_C) && svm_switch_spec_ctrl &&
	    spec_ctrl->guest != spec_ctrl->host) {
		native_wrmsrl(MSR_IA32_SPEC_CTRL, to_guest ? spec_ctrl->guest : spec_ctrl->host);
		l1vmm_l1_cond(st);	/* KVM passes SPEC_CTRL through once used */
	}
}

/*
 * The run loop's begin_entries, before the first VMRUN of a series (in
 * svm->series): GIF=0 until svm_end_entries() (IF=1 in svm_enter() then
 * only decides whether interrupts end the guest), and the host state
 * VMRUN does not switch saved, the host's SPEC_CTRL read. Nothing changes
 * them while IRQs stay off, so re-entries from the fastpath keep them.
 */
static __always_inline void svm_begin_entries(struct l1vmm_vcpu *vcpu)
{
	struct svm_series *series = &to_svm(vcpu)->series;
	struct l1vmm_spec_ctrl *spec_ctrl = &vcpu->spec_ctrl;
	struct l1vmm_vcpu_stats *st = &vcpu->stats;

	series->host_save_pa = this_cpu_read(svm_cpus.host_save_pa);
	series->spec_ctrl = spec_ctrl;
	series->spec_ctrl_asm = NULL;
	series->st = st;
	if (svm_switch_spec_ctrl) {
		spec_ctrl->host = this_cpu_read(x86_spec_ctrl_current);
		if (IS_ENABLED(CONFIG_L1VMM_SPEC_CTRL_RESTORE_ASM))
			series->spec_ctrl_asm = spec_ctrl;
	}
	svm_clgi(st);
	svm_vmsave(series->host_save_pa, st);
}

static __always_inline void svm_end_entries(struct l1vmm_vcpu *vcpu)
{
	svm_stgi(&vcpu->stats);
}

/*
 * VMRUN once, between svm_begin_entries() and svm_end_entries(); @egprs:
 * see vmenter.S; L1 instructions L0 intercepts go to the series'
 * statistics.
 */
static __always_inline int svm_enter(const struct svm_series *series, u64 vmcb_pa,
				     unsigned long *regs, unsigned long egprs)
{
	int faulted;

	raw_local_irq_enable();
	svm_spec_ctrl_in_c(series->spec_ctrl, true, series->st);
	faulted = __l1vmm_svm_vcpu_run(vmcb_pa, regs, series->host_save_pa,
				       series->spec_ctrl_asm, egprs,
				       &series->st->l1_intercepted_cond);
	if (IS_ENABLED(CONFIG_L1VMM_SPEC_CTRL_RESTORE_C)) {
		svm_spec_ctrl_in_c(series->spec_ctrl, false, series->st);
		l1vmm_egpr_spec_ctrl_restored(egprs);
	}
	raw_local_irq_disable();
	return faulted;
}

/*
 * The VMCB areas the checks before VMRUN read (svm_vmcb_invalid()), by
 * clean bit: a re-entry checks again only when a setter marked one dirty
 * with fields the checks read (mark_dirty(), not mark_dirty_unchecked()).
 * EVENTINJ has no clean bit; the fastpath never re-enters with an event
 * it queued.
 */
#define CLEAN_CHECKED	(BIT(CLEAN_INTERCEPTS) | BIT(CLEAN_PERM_MAPS) | BIT(CLEAN_ASID) | \
			 BIT(CLEAN_NP) | BIT(CLEAN_CRX) | BIT(CLEAN_DRX) | BIT(CLEAN_SEG))


/*
 * The run loop's entry_ready: the VMCB as the next VMRUN needs it, the
 * registers the core changed, the checks (on a re-entry only when a setter
 * marked a checked area dirty), the clean bits. False, with a FAIL_ENTRY
 * exit, when the checks refuse.
 */
static __always_inline bool svm_entry_ready(struct l1vmm_vcpu *vcpu, bool first)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	/*
	 * On a re-entry vcpu->regs holds what the exit left and the fastpath
	 * wrote: RAX and RIP are current, and writing them beats testing.
	 * The fastpath never writes RSP.
	 */
	unsigned long dirty = first ? vcpu->regs_dirty : BIT(L1VMM_REG_RAX) | BIT(L1VMM_REG_RIP);
	struct vmcb *vmcb = svm->vmcb;
	const char *invalid;

	/* As KVM: an exception in real mode pushes no error code. */
	if (first && unlikely(vmcb->control.event_inj & SVM_EVTINJ_VALID_ERR) &&
	    !(vmcb->save.cr0 & X86_CR0_PE))
		vmcb->control.event_inj &= ~SVM_EVTINJ_VALID_ERR;
	/* A software event returns to RIP: NextRIP says so where the CPU uses it. */
	if (first && unlikely(svm_event_is_soft(vmcb->control.event_inj))) {
		svm->soft_inj = vmcb->control.event_inj;
		svm->soft_inj_rip = vcpu->regs[L1VMM_REG_RIP];
		vmcb->control.next_rip = svm->soft_inj_rip;
	}

	if (dirty & BIT(L1VMM_REG_RAX))
		vmcb->save.rax = vcpu->regs[L1VMM_REG_RAX];
	if (dirty & BIT(L1VMM_REG_RSP))
		vmcb->save.rsp = vcpu->regs[L1VMM_REG_RSP];
	if (dirty & BIT(L1VMM_REG_RIP))
		vmcb->save.rip = vcpu->regs[L1VMM_REG_RIP];
	vcpu->regs_dirty = 0;

	invalid = NULL;
	if (first || (svm->recheck & CLEAN_CHECKED)) {
		invalid = svm_vmcb_invalid(vmcb);
		svm->recheck = 0;
	}
	if (unlikely(invalid)) {
		/* Reported by the full path: no printk inside the guest context. */
		vcpu->exit.reason = L1VMM_EXIT_FAIL_ENTRY;
		vcpu->exit.raw = VMEXIT_INVALID;
		vcpu->exit.fail_entry.check = invalid;
		vcpu->exit.fail_entry.faulted = false;
		return false;
	}
	vmcb->control.clean = CLEAN_ALL & ~svm->dirty;
	svm->dirty = 0;
	return true;
}

/*
 * QEMU's emulator as L0 (l0_quirks) delivers an EVENTINJ interrupt within
 * VMRUN but leaves its vector behind as a pending exception: when its vCPU
 * loop is kicked before the next #VMEXIT (the other vCPU's tick, its
 * round-robin timer), it delivers the vector again, wherever the guest is
 * by then (interrupts injected_once, doc/testing.md). An interrupt
 * pending for L1 ends such an entry right after the delivery, before the
 * guest's first instruction, and the #VMEXIT clears what was left behind.
 * KVM as L1 makes the same exit (it asks for one at once while a
 * KVM_INTERRUPT is outstanding), with the same reschedule IPI to itself.
 */
static noinline void svm_l0_kick_self(void)
{
	/* Out of line: smp_send_reschedule() is an indirect call (smp_ops). */
	smp_send_reschedule(smp_processor_id());
}

static __always_inline void svm_l0_end_intr_entry(const struct vmcb_control_area *c)
{
	if (unlikely(svm_vmcb_limits.l0_tcg_quirks) &&
	    (c->event_inj & (SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_MASK)) ==
	    (SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_INTR))
		svm_l0_kick_self();
}

/*
 * The run loop's enter_once: one VMRUN of the series. After it, the event
 * whose delivery the exit interrupted (EXITINTINFO) is queued again
 * (svm_reinject_event(): a software interrupt instead runs its instruction
 * again), and anything injected was consumed.
 */
static __always_inline bool svm_enter_once(struct l1vmm_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control_area *c = &svm->vmcb->control;
	u64 shadow_rip = ~0ULL;
	int faulted;

	/*
	 * An L0 that drops the interrupt shadow at VMRUN (probe_l0.c) also
	 * reports none at the exit. Where the guest did not get past the
	 * shadowed instruction (an interrupt or a nested page fault before
	 * it, or its own intercept), the shadow is still on, as the CPU would
	 * report it.
	 */
	if (unlikely(l1vmm_l0_drops_int_shadow) && (c->int_state & SVM_INTERRUPT_SHADOW_MASK))
		shadow_rip = svm->vmcb->save.rip;
	svm_l0_end_intr_entry(c);
	faulted = svm_enter(&svm->series, svm->vmcb_pa, vcpu->regs, vcpu->egprs);
	if (unlikely(shadow_rip != ~0ULL) && svm->vmcb->save.rip == shadow_rip)
		c->int_state |= SVM_INTERRUPT_SHADOW_MASK;
	c->tlb_ctl = TLB_CONTROL_DO_NOTHING;
	c->event_inj = svm_reinject_event(c->exit_int_info);
	c->event_inj_err = c->exit_int_info_err;
	return faulted;
}

/*
 * The run loop's decode_exit: the registers the VMCB holds, then the exit;
 * returns its reason too, so that the fastpath inlined after it needs no
 * second dispatch on it.
 */
static __always_inline enum l1vmm_exit_reason svm_decode_run_exit(struct l1vmm_vcpu *vcpu,
								  bool faulted)
{
	const struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	if (unlikely(faulted)) {
		vcpu->exit.raw = VMEXIT_INVALID;
		vcpu->exit.fail_entry.check = NULL;
		vcpu->exit.fail_entry.faulted = true;
		return vcpu->exit.reason = L1VMM_EXIT_FAIL_ENTRY;
	}
	vcpu->regs[L1VMM_REG_RAX] = vmcb->save.rax;
	vcpu->regs[L1VMM_REG_RSP] = vmcb->save.rsp;
	vcpu->regs[L1VMM_REG_RIP] = vmcb->save.rip;
	return svm_decode_exit(vcpu);
}

/*
 * The ops' get_exit_info, for the l1vmm_exit tracepoint: the VMCB's record
 * of the last #VMEXIT, and the guest's RIP there (the full path and the
 * fastpath move vcpu->regs past the instruction; the VMCB's RIP stays
 * until the next entry). An entry that did not run (a check refused it,
 * or VMRUN faulted) left no record: VMEXIT_INVALID.
 */
static void svm_get_exit_info(struct l1vmm_vcpu *vcpu, struct l1vmm_exit_info *info)
{
	const struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	const struct vmcb_control_area *c = &vmcb->control;
	const struct l1vmm_exit *e = &vcpu->exit;

	memset(info, 0, sizeof(*info));
	info->isa = L1VMM_BACKEND_SVM;
	info->rip = vmcb->save.rip;
	if (e->reason == L1VMM_EXIT_FAIL_ENTRY && (e->fail_entry.check || e->fail_entry.faulted)) {
		info->code = VMEXIT_INVALID;
		return;
	}
	info->code = c->exit_code;
	info->info1 = c->exit_info_1;
	info->info2 = c->exit_info_2;
	info->intr_info = c->exit_int_info;
	info->error_code = c->exit_int_info_err;
}

/* The core's run loop with svm_ops: every step above a direct call. */
static noinline enum l1vmm_fastpath svm_run(struct l1vmm_vcpu *vcpu)
{
	return l1vmm_run_loop(&svm_ops, vcpu);
}

const struct l1vmm_backend_ops svm_ops = {
	.name			= "svm",
	.tdp			= &svm_npt_format,
	.hardware_enable	= svm_hardware_enable,
	.hardware_disable	= svm_hardware_disable,
	.vcpu_create		= svm_vcpu_create,
	.vcpu_reset		= svm_vcpu_reset,
	.vcpu_free		= svm_vcpu_free,
	.get_sregs		= svm_get_sregs,
	.set_sregs		= svm_set_sregs,
	.get_rflags		= svm_get_rflags,
	.set_rflags		= svm_set_rflags,
	.get_msr		= svm_get_msr,
	.set_msr		= svm_set_msr,
	.get_event		= svm_get_event,
	.set_event		= svm_set_event,
	.get_interrupt_shadow	= svm_get_interrupt_shadow,
	.set_interrupt_shadow	= svm_set_interrupt_shadow,
	.set_irq_window		= svm_set_irq_window,
	.get_dr6		= svm_get_dr6,
	.set_dr6		= svm_set_dr6,
	.get_dr7		= svm_get_dr7,
	.set_dr7		= svm_set_dr7,
	.set_dr_intercepts	= svm_set_dr_intercepts,
	.set_exception_intercept = svm_set_exception_intercept,
	.set_iret_intercept	= svm_set_iret_intercept,
	.mcg_cap_keep		= L1VMM_MCG_CAP_KEEP_AMD,
	.debugctl_ignored	= L1VMM_DEBUGCTL_IGNORED_AMD,
	.feature_msrs		= &l1vmm_feature_msrs_amd,
	.get_cr0		= svm_get_cr0,
	.get_cr3		= svm_get_cr3,
	.get_cr4		= svm_get_cr4,
	.get_segment		= svm_get_segment,
	.get_cr8		= svm_get_cr8,
	.set_cr8		= svm_set_cr8,
	.set_cr4		= svm_set_cr4,
	.set_cr8_intercept	= svm_set_cr8_intercept,
	.prepare_run		= svm_prepare_run,
	.flush_tlb		= svm_flush_tlb,
	.entry_ready		= svm_entry_ready,
	.begin_entries		= svm_begin_entries,
	.enter_once		= svm_enter_once,
	.decode_exit		= svm_decode_run_exit,
	.end_entries		= svm_end_entries,
	.run			= svm_run,
	.get_exit_info		= svm_get_exit_info,
};
