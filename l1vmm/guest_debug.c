// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_SET_GUEST_DEBUG, as KVM on AMD does it (x86.c,
 * kvm_arch_vcpu_ioctl_set_guest_debug(); svm.c, db_interception(),
 * bp_interception()):
 *
 *  - KVM_GUESTDBG_SINGLESTEP sets RFLAGS.TF, hidden from KVM_GET_REGS; the
 *    #DB after each instruction exits with KVM_EXIT_DEBUG, as does an
 *    instruction l1vmm retires itself (L1VMM_REQ_DEBUG_EXIT).
 *  - KVM_GUESTDBG_USE_SW_BP intercepts #BP: KVM_EXIT_DEBUG, exception 3,
 *    pc the INT3's linear address.
 *  - KVM_GUESTDBG_USE_HW_BP runs the guest on user space's DR0-DR3 and
 *    DR7; a hit is a #DB and exits.
 *  - KVM_GUESTDBG_INJECT_DB and _INJECT_BP queue the exception (-EBUSY
 *    when one waits already).
 *  - KVM_GUESTDBG_BLOCKIRQ keeps new NMIs and interrupts out of the guest
 *    while it is set (l1vmm_inject_pending()).
 *
 * The guest's own debug registers stay its own: while user space debugs,
 * its MOV DR is emulated (as KVM does whenever guest_debug is set) on
 * vcpu->db and the VMCB's DR6 and DR7, and while the guest runs with
 * single-stepping or hardware breakpoints the VMCB holds a clean DR6 (so
 * that the DR6 of KVM_EXIT_DEBUG is this #DB's alone) and user space's
 * DR7, the guest's being put back after every series
 * (l1vmm_guest_debug_enter()/_exit()). KVM_GET_DEBUGREGS reads the guest's.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/kvm.h>
#include <asm/trapnr.h>

#include "l1vmm/debugregs.h"
#include "l1vmm/exit.h"
#include "l1vmm/guest_mem.h"
#include "l1vmm/portable/mov_dr.h"

/* The flags that put user space's DR6 and DR7 in the VMCB while the guest runs. */
#define GUESTDBG_SWAP	(KVM_GUESTDBG_SINGLESTEP | KVM_GUESTDBG_USE_HW_BP)

/* DR6 and DR7 as KVM writes them for a MOV DR (kvm_set_dr()). */
#define L1VMM_DR6_VOLATILE	0x0001e80fULL
#define L1VMM_DR6_FIXED_1	(DR6_RESERVED & ~L1VMM_DR6_VOLATILE)
#define L1VMM_DR7_VOLATILE	0xffff2bffULL

/* KVM's kvm_get_linear_rip(): the pc of a single-step exit. */
static u64 linear_rip(struct l1vmm_vcpu *vcpu)
{
	struct kvm_segment cs;
	u64 rip = vcpu->regs[L1VMM_REG_RIP];

	return l1vmm_guest_cs(vcpu, &cs) ? rip : (u32)(cs.base + rip);
}

/* SVM's pc for an intercepted #DB or #BP: CS base plus RIP, as svm.c reports it. */
static u64 exception_pc(struct l1vmm_vcpu *vcpu)
{
	struct kvm_segment cs;

	l1vmm_ops->get_segment(vcpu, L1VMM_SEG_CS, &cs);
	return cs.base + vcpu->regs[L1VMM_REG_RIP];
}

/*
 * RFLAGS as user space sees it (KVM's kvm_get_rflags()): without the TF
 * of single-stepping, nor the TF and RF of the window step (events.c)
 * that the guest did not set itself.
 */
unsigned long l1vmm_get_rflags_user(struct l1vmm_vcpu *vcpu)
{
	unsigned long rflags = l1vmm_ops->get_rflags(vcpu);

	if (unlikely(vcpu->window_step))
		rflags &= ~(X86_EFLAGS_TF | X86_EFLAGS_RF) |
			  (vcpu->window_step_rflags & (X86_EFLAGS_TF | X86_EFLAGS_RF));
	if (vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP)
		rflags &= ~X86_EFLAGS_TF;
	return rflags;
}

/*
 * KVM's kvm_set_rflags(): single-stepping keeps TF while RIP is where it
 * began (a KVM_SET_REGS that moves RIP ends it until the next
 * KVM_SET_GUEST_DEBUG, as in KVM).
 */
void l1vmm_set_rflags_user(struct l1vmm_vcpu *vcpu, unsigned long rflags)
{
	/* And the window step keeps its flags (KVM's svm_set_rflags()). */
	if (unlikely(vcpu->window_step))
		rflags |= X86_EFLAGS_TF | X86_EFLAGS_RF;
	if ((vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP) &&
	    linear_rip(vcpu) == vcpu->singlestep_rip)
		rflags |= X86_EFLAGS_TF;
	l1vmm_ops->set_rflags(vcpu, rflags);
}

/* KVM_SET_GUEST_DEBUG. Flags KVM 6.1 does not know are ignored, as there. */
int l1vmm_set_guest_debug(struct l1vmm_vcpu *vcpu, const struct kvm_guest_debug *dbg)
{
	unsigned long rflags;
	struct l1vmm_event ev;
	unsigned int i;

	if (dbg->control & (KVM_GUESTDBG_INJECT_DB | KVM_GUESTDBG_INJECT_BP)) {
		l1vmm_ops->get_event(vcpu, &ev);
		/* KVM's kvm_is_exception_pending(): a triple fault counts. */
		if ((ev.valid && ev.type == L1VMM_EVENT_EXCEPTION) || vcpu->exc.pending ||
		    test_bit(L1VMM_REQ_TRIPLE_FAULT, &vcpu->requests))
			return -EBUSY;
		/*
		 * An NMI or interrupt being delivered again waits behind the
		 * exception, as in KVM; a soft interrupt cannot wait.
		 */
		if (ev.valid && ev.type == L1VMM_EVENT_NMI) {
			vcpu->nmi_injected = true;
		} else if (ev.valid && ev.type == L1VMM_EVENT_INTR && !vcpu->irq_pending) {
			vcpu->irq_pending = true;
			vcpu->irq_vector = ev.vector;
		} else if (ev.valid) {
			return -EBUSY;
		}
		if (dbg->control & KVM_GUESTDBG_INJECT_DB)
			l1vmm_queue_exception(vcpu, X86_TRAP_DB, false, 0);
		else
			l1vmm_inject_bp(vcpu);
	}

	/* Before the flags change: TF hidden if it was single-stepping. */
	rflags = l1vmm_get_rflags_user(vcpu);

	vcpu->guest_debug = dbg->control & KVM_GUESTDBG_ENABLE ? dbg->control : 0;
	clear_bit(L1VMM_REQ_DEBUG_EXIT, &vcpu->requests);
	if (vcpu->guest_debug & KVM_GUESTDBG_USE_HW_BP) {
		for (i = 0; i < ARRAY_SIZE(vcpu->dbg_db); i++)
			vcpu->dbg_db[i] = dbg->arch.debugreg[i];
		vcpu->dbg_dr7 = dbg->arch.debugreg[7];
		vcpu->switch_db |= L1VMM_DEBUGREG_USER;
	} else {
		vcpu->switch_db &= ~L1VMM_DEBUGREG_USER;
	}
	if (vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP)
		vcpu->singlestep_rip = linear_rip(vcpu);
	l1vmm_set_rflags_user(vcpu, rflags);
	l1vmm_ops->set_exception_intercept(vcpu, X86_TRAP_BP,
					   vcpu->guest_debug & KVM_GUESTDBG_USE_SW_BP);
	return 0;
}

/*
 * KVM_GUESTDBG_INJECT_BP: the #BP of the INT3 at RIP (the one user space
 * saw in its KVM_EXIT_DEBUG), delivered as the CPU would: with the return
 * address after the instruction. KVM finds its length by decoding it; the
 * event slot holds RIP already past it (svm/event_inj.h).
 */
void l1vmm_inject_bp(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_guest_view view;
	u8 bytes[L1VMM_MAX_INSN_LEN];
	unsigned int n, len = 0;

	l1vmm_guest_view(vcpu, &view);
	n = l1vmm_fetch_insn(vcpu, &view, bytes);
	if (n >= 1 && bytes[0] == 0xcc)
		len = 1;		/* INT3 */
	else if (n >= 2 && bytes[0] == 0xcd)
		len = 2;		/* INT n */
	if (len)
		l1vmm_set_rip(vcpu, vcpu->regs[L1VMM_REG_RIP] + len);
	l1vmm_queue_exception(vcpu, X86_TRAP_BP, false, 0);
}

/*
 * Before the series, in KVM_RUN's loop, when guest_debug is set: report
 * an instruction l1vmm retired under single-stepping (0, KVM_EXIT_DEBUG
 * as kvm_vcpu_do_singlestep() fills it), else put user space's DR6 and
 * DR7 in the VMCB for the series (1).
 */
int l1vmm_guest_debug_enter(struct l1vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	if (test_and_clear_bit(L1VMM_REQ_DEBUG_EXIT, &vcpu->requests)) {
		run->exit_reason = KVM_EXIT_DEBUG;
		run->debug.arch.exception = X86_TRAP_DB;
		run->debug.arch.pc = linear_rip(vcpu);
		run->debug.arch.dr6 = DR_STEP | DR6_RESERVED;
		return 0;
	}
	if (!(vcpu->guest_debug & GUESTDBG_SWAP) || vcpu->dbg_swapped)
		return 1;
	vcpu->dbg_guest_dr6 = l1vmm_ops->get_dr6(vcpu);
	l1vmm_ops->set_dr6(vcpu, DR6_RESERVED);
	if (vcpu->guest_debug & KVM_GUESTDBG_USE_HW_BP) {
		vcpu->dbg_guest_dr7 = l1vmm_ops->get_dr7(vcpu);
		l1vmm_ops->set_dr7(vcpu, vcpu->dbg_dr7);
	}
	vcpu->dbg_swapped = true;
	return 1;
}

/* After the series: keep DR6 and DR7 of the exit for KVM_EXIT_DEBUG, give the guest its own. */
void l1vmm_guest_debug_exit(struct l1vmm_vcpu *vcpu)
{
	vcpu->dbg_exit_dr6 = l1vmm_ops->get_dr6(vcpu);
	vcpu->dbg_exit_dr7 = l1vmm_ops->get_dr7(vcpu);
	l1vmm_ops->set_dr6(vcpu, vcpu->dbg_guest_dr6);
	if (vcpu->guest_debug & KVM_GUESTDBG_USE_HW_BP)
		l1vmm_ops->set_dr7(vcpu, vcpu->dbg_guest_dr7);
	vcpu->dbg_swapped = false;
}

/*
 * An intercepted #DB (db_interception()): the end of the window step
 * (events.c); user space's when it single-steps or uses hardware
 * breakpoints (every #DB then exits, as in KVM); else the guest's.
 */
int l1vmm_handle_db(struct l1vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	if (vcpu->window_step) {
		l1vmm_window_step_done(vcpu);
		/* The step was l1vmm's: the guest's DR6 does not see it. */
		if (!(vcpu->guest_debug & GUESTDBG_SWAP))
			l1vmm_ops->set_dr6(vcpu, l1vmm_ops->get_dr6(vcpu) & ~DR_STEP);
	} else if (!(vcpu->guest_debug & GUESTDBG_SWAP)) {
		l1vmm_queue_exception(vcpu, X86_TRAP_DB, false, 0);
		return 1;
	}
	if (!(vcpu->guest_debug & GUESTDBG_SWAP))
		return 1;
	run->exit_reason = KVM_EXIT_DEBUG;
	run->debug.arch.exception = X86_TRAP_DB;
	run->debug.arch.pc = exception_pc(vcpu);
	run->debug.arch.dr6 = vcpu->dbg_exit_dr6;
	run->debug.arch.dr7 = vcpu->dbg_exit_dr7;
	return 0;
}

/* An intercepted #BP: only KVM_GUESTDBG_USE_SW_BP intercepts it (bp_interception()). */
int l1vmm_handle_bp(struct l1vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_DEBUG;
	run->debug.arch.pc = exception_pc(vcpu);
	run->debug.arch.exception = X86_TRAP_BP;
	return 0;
}

/*
 * The guest's MOV DR while user space debugs it, emulated on the guest's
 * own registers as KVM's kvm_get_dr()/kvm_set_dr(): DR4 and DR5 are DR6
 * and DR7 (the CPU raised #UD before the exit where CR4.DE forbids them),
 * DR6 and DR7 take only their defined bits, a write of bits 63:32 is #GP.
 */
int l1vmm_emulate_dr_access(struct l1vmm_vcpu *vcpu)
{
	const struct l1vmm_exit *e = &vcpu->exit;
	struct l1vmm_guest_view view;
	u8 bytes[L1VMM_MAX_INSN_LEN];
	struct l1vmm_mov_dr insn;
	unsigned int n, dr = e->dr.index;
	bool long_mode;
	u64 val;

	l1vmm_guest_view(vcpu, &view);
	long_mode = view.code_size == 8;
	n = l1vmm_fetch_insn(vcpu, &view, bytes);
	if (l1vmm_decode_mov_dr(bytes, n, long_mode, &insn) ||
	    insn.dr != dr || insn.write != e->dr.write)
		return l1vmm_emulation_failure(vcpu, 0);

	if (!insn.write) {
		if (dr < 4)
			val = vcpu->db[dr];
		else if (dr == 4 || dr == 6)
			val = l1vmm_ops->get_dr6(vcpu);
		else
			val = l1vmm_ops->get_dr7(vcpu);
		vcpu->regs[insn.gpr] = long_mode ? val : (u32)val;
		vcpu->regs_dirty |= BIT(insn.gpr);
	} else {
		val = vcpu->regs[insn.gpr];
		if (!long_mode)
			val = (u32)val;
		if (dr < 4) {
			vcpu->db[dr] = val;
		} else if (upper_32_bits(val)) {
			l1vmm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
			return 1;
		} else if (dr == 4 || dr == 6) {
			l1vmm_ops->set_dr6(vcpu, (val & L1VMM_DR6_VOLATILE) | L1VMM_DR6_FIXED_1);
		} else {
			val = (val & L1VMM_DR7_VOLATILE) | L1VMM_DR7_RESET;
			l1vmm_ops->set_dr7(vcpu, val);
			l1vmm_debugregs_update_bp_enabled(vcpu, val);
		}
	}
	l1vmm_skip_to(vcpu, vcpu->regs[L1VMM_REG_RIP] + insn.len);
	return 1;
}
