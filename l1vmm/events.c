// SPDX-License-Identifier: GPL-2.0-only
/*
 * Events for the guest without an in-kernel irqchip, as KVM does it:
 * KVM_INTERRUPT queues an external interrupt that is injected at the next
 * entry (user space checks ready_for_interrupt_injection first);
 * request_interrupt_window makes the guest exit with
 * KVM_EXIT_IRQ_WINDOW_OPEN as soon as it can take one; KVM_GET/SET_VCPU_EVENTS
 * read and replace the pending exception, interrupt, interrupt shadow and
 * NMI state.
 *
 * NMIs as KVM on AMD without vNMI keeps them (x86.c, process_nmi(),
 * inject_pending_event(); svm.c, svm_inject_nmi(), iret_interception(),
 * svm_enable_nmi_window()): KVM_NMI makes one wait (at most two, one if
 * one is being handled); it is injected before any interrupt when the
 * guest is not handling one and no interrupt shadow blocks it; from then
 * NMIs are blocked and IRET is intercepted; the exit comes before the
 * IRET runs, so they unblock once RIP has moved past it. While one waits
 * on an IRET seen or on an interrupt shadow, l1vmm single-steps the guest
 * over the instruction (TF and RF, hidden from user space), and injects
 * it after the #DB: the NMI window.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/kvm.h>
#include <asm/trapnr.h>

#include "l1vmm/debugregs.h"
#include "l1vmm/exit.h"
#include "l1vmm/hw.h"
#include "l1vmm/irqchip.h"
#include "l1vmm/portable/exc_payload.h"
#include "l1vmm/portable/x86.h"
#include "l1vmm/vm.h"


void l1vmm_queue_exception(struct l1vmm_vcpu *vcpu, u8 vector, bool has_error, u32 error)
{
	struct l1vmm_event ev = {
		.valid = true, .type = L1VMM_EVENT_EXCEPTION, .vector = vector,
		.has_error = has_error, .error = error,
	};

	l1vmm_ops->set_event(vcpu, &ev);
}

/*
 * The guest single-steps (RFLAGS.TF) over an instruction l1vmm emulated:
 * the CPU would have raised the #DB trap after it, with DR6.BS, so queue
 * it as KVM's kvm_vcpu_do_singlestep() does.
 */
void l1vmm_single_step_trap(struct l1vmm_vcpu *vcpu)
{
	u64 dr6;

	/* The window step, not the guest's: the full path injects what waited. */
	if (unlikely(vcpu->window_step) && !l1vmm_window_step_done(vcpu))
		return;
	/* User space single-steps: KVM_EXIT_DEBUG before the next entry. */
	if (unlikely(vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP)) {
		set_bit(L1VMM_REQ_DEBUG_EXIT, &vcpu->requests);
		return;
	}
	dr6 = l1vmm_ops->get_dr6(vcpu);
	l1vmm_ops->set_dr6(vcpu, (dr6 & ~DR_TRAP_BITS) | DR_STEP);
	l1vmm_queue_exception(vcpu, X86_TRAP_DB, false, 0);
}

/* The IRET intercepted has run once RIP moved on: NMIs unblock (svm_complete_interrupts()). */
static void nmi_check_iret(struct l1vmm_vcpu *vcpu)
{
	if (vcpu->nmi_iret && vcpu->regs[L1VMM_REG_RIP] != vcpu->nmi_iret_rip) {
		vcpu->nmi_iret = false;
		vcpu->nmi_masked = false;
	}
}

static bool nmi_in_slot(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_event ev;

	l1vmm_ops->get_event(vcpu, &ev);
	return ev.valid && ev.type == L1VMM_EVENT_NMI;
}

/*
 * The window step has not happened: RIP is still on the instruction that
 * held the event back (an exit such as a nested page fault
 * on its fetch came first). Whatever blocked the NMI still does, even where
 * L0 reports the interrupt shadow gone after that exit (QEMU's emulator).
 */
static bool window_step_pending(struct l1vmm_vcpu *vcpu)
{
	return vcpu->window_step && vcpu->regs[L1VMM_REG_RIP] == vcpu->window_step_rip;
}

/* KVM's svm_inject_nmi(): NMIs blocked until the handler's IRET. */
static void inject_nmi(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_event ev = {
		.valid = true, .type = L1VMM_EVENT_NMI, .vector = L1VMM_NMI_VECTOR,
	};

	l1vmm_ops->set_event(vcpu, &ev);
	vcpu->nmi_masked = true;
	l1vmm_ops->set_iret_intercept(vcpu, true);
}

/*
 * Into the free event slot, in KVM's order (inject_pending_event()): an NMI
 * to deliver again, an interrupt from KVM_INTERRUPT (KVM holds it as
 * injected already), then a waiting NMI the guest can take.
 */
static void inject_event(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_event ev;

	l1vmm_ops->get_event(vcpu, &ev);
	if (ev.valid)
		return;
	if (vcpu->nmi_injected) {
		vcpu->nmi_injected = false;
		inject_nmi(vcpu);
	} else if (vcpu->irq_pending) {
		ev = (struct l1vmm_event){
			.valid = true, .type = L1VMM_EVENT_INTR, .vector = vcpu->irq_vector,
		};
		l1vmm_ops->set_event(vcpu, &ev);
		vcpu->irq_pending = false;
	} else if (vcpu->nmi_pending && !vcpu->nmi_masked &&
		   !l1vmm_ops->get_interrupt_shadow(vcpu) && !window_step_pending(vcpu)) {
		vcpu->nmi_pending--;
		inject_nmi(vcpu);
	}
}

/*
 * Single-step the guest over the instruction at RIP (TF and RF, as KVM's
 * svm_enable_nmi_window()): its #DB, intercepted, or its emulation ends
 * the step (l1vmm_window_step_done()), and the full path looks at what
 * waits again.
 */
static void start_window_step(struct l1vmm_vcpu *vcpu)
{
	unsigned long rflags = l1vmm_ops->get_rflags(vcpu);

	vcpu->window_step_rflags = rflags;
	vcpu->window_step_rip = vcpu->regs[L1VMM_REG_RIP];
	vcpu->window_step = true;
	l1vmm_ops->set_rflags(vcpu, rflags | X86_EFLAGS_TF | X86_EFLAGS_RF);
}

/*
 * An NMI still waits (svm_enable_nmi_window()): an intercepted IRET will
 * say when the guest's handler ends; else single-step the guest over what
 * blocks it (the IRET seen, an interrupt shadow). While an event waits in
 * the slot, KVM single-steps its delivery too; l1vmm does not (TF would
 * be pushed on the guest's stack), and injects the NMI at the next exit.
 */
static void open_nmi_window(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_event ev;

	if (!vcpu->nmi_pending || vcpu->window_step)
		return;
	/* VMX's NMI-window exiting waits for both (vmx_enable_nmi_window()). */
	if (l1vmm_ops->nmi_window_exits) {
		l1vmm_ops->set_iret_intercept(vcpu, true);
		return;
	}
	if (vcpu->nmi_masked && !vcpu->nmi_iret)
		return;
	l1vmm_ops->get_event(vcpu, &ev);
	if (!ev.valid)
		start_window_step(vcpu);
}

/*
 * The #DB (or an emulated instruction) after the window step: TF and RF
 * go back to what the guest had, unless user space single-steps
 * (KVM's disable_nmi_singlestep()). True when TF stays set: the step is the
 * guest's or user space's too.
 */
bool l1vmm_window_step_done(struct l1vmm_vcpu *vcpu)
{
	unsigned long rflags = l1vmm_ops->get_rflags(vcpu);

	vcpu->window_step = false;
	if (!(vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP)) {
		if (!(vcpu->window_step_rflags & X86_EFLAGS_TF))
			rflags &= ~X86_EFLAGS_TF;
		if (!(vcpu->window_step_rflags & X86_EFLAGS_RF))
			rflags &= ~X86_EFLAGS_RF;
		l1vmm_ops->set_rflags(vcpu, rflags);
	}
	return rflags & X86_EFLAGS_TF;
}

/*
 * The guest's IRET while NMIs are blocked, before it runs
 * (iret_interception()): the intercept goes, NMIs unblock once RIP moves.
 */
int l1vmm_handle_iret(struct l1vmm_vcpu *vcpu)
{
	l1vmm_ops->set_iret_intercept(vcpu, false);
	vcpu->nmi_iret = true;
	vcpu->nmi_iret_rip = vcpu->regs[L1VMM_REG_RIP];
	return 1;
}

/*
 * VMX's NMI-window exit: the handler's IRET has run, NMIs are unblocked
 * and no shadow holds one back; a waiting NMI goes in at the next entry.
 */
int l1vmm_handle_nmi_window(struct l1vmm_vcpu *vcpu)
{
	l1vmm_ops->set_iret_intercept(vcpu, false);
	vcpu->nmi_masked = false;
	vcpu->nmi_iret = false;
	return 1;
}

/* KVM_NMI (process_nmi()): one more waits, at most two, one while one is handled. */
int l1vmm_nmi(struct l1vmm_vcpu *vcpu)
{
	unsigned int limit = 2;

	nmi_check_iret(vcpu);
	if (vcpu->nmi_masked || vcpu->nmi_injected || nmi_in_slot(vcpu))
		limit = 1;
	vcpu->nmi_pending = min(vcpu->nmi_pending + 1u, limit);
	return 0;
}

/* RESET and INIT: no NMI waits or is blocked (the backend drops the IRET intercept). */
void l1vmm_nmi_reset(struct l1vmm_vcpu *vcpu)
{
	vcpu->nmi_pending = 0;
	vcpu->nmi_injected = false;
	vcpu->nmi_masked = false;
	vcpu->nmi_iret = false;
	vcpu->window_step = false;
}

/*
 * The payload of the pending exception goes where the CPU would have put
 * it (kvm_deliver_exception_payload()): CR2 for a #PF, DR6 for a #DB.
 */
static void deliver_payload(struct l1vmm_vcpu *vcpu)
{
	struct kvm_sregs sregs;

	if (!vcpu->exc.has_payload)
		return;
	if (vcpu->exc.vector == X86_TRAP_DB) {
		l1vmm_ops->set_dr6(vcpu, l1vmm_dr6_deliver_payload(l1vmm_ops->get_dr6(vcpu),
								   vcpu->exc.payload));
	} else if (vcpu->exc.vector == X86_TRAP_PF) {
		l1vmm_ops->get_sregs(vcpu, &sregs);
		sregs.cr2 = vcpu->exc.payload;
		l1vmm_ops->set_sregs(vcpu, &sregs);
	}
	vcpu->exc.has_payload = false;
	vcpu->exc.payload = 0;
}

/* DR7.GD: MOV DR raises #DB; the CPU clears it when it delivers a #DB. */
#define DR7_GENERAL_DETECT	BIT(13)

/*
 * The exception user space left pending goes into the event slot before
 * anything else, as in KVM's kvm_check_and_inject_events(): a fault with
 * RFLAGS.RF set in the image pushed, a #DB with its payload in DR6 and
 * DR7.GD cleared, then the payload of any other one delivered. It waits
 * while the slot holds an event (one an access user space completed
 * raised): the guest takes that first.
 */
static void inject_pending_exception(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_event ev;
	u64 dr7;

	l1vmm_ops->get_event(vcpu, &ev);
	if (ev.valid)
		return;
	if (l1vmm_exception_is_fault(vcpu->exc.vector))
		l1vmm_ops->set_rflags(vcpu, l1vmm_ops->get_rflags(vcpu) | X86_EFLAGS_RF);
	if (vcpu->exc.vector == X86_TRAP_DB) {
		dr7 = l1vmm_ops->get_dr7(vcpu);
		if (dr7 & DR7_GENERAL_DETECT)
			l1vmm_ops->set_dr7(vcpu, dr7 & ~DR7_GENERAL_DETECT);
	}
	deliver_payload(vcpu);
	vcpu->exc.pending = false;
	l1vmm_queue_exception(vcpu, vcpu->exc.vector, vcpu->exc.has_error, vcpu->exc.error);
}

/*
 * Open or close the interrupt window. On an L0 that drops the guest's
 * interrupt shadow at entry (probe_l0.c: QEMU's emulator), a window opened
 * in a shadow would exit before the STI's or MOV SS's next instruction ran
 * and the interrupt would come in the shadow. There the window stays shut
 * and the guest single-steps over the shadowed instruction (a HLT exits
 * first); the step's #DB opens the window, before the next instruction
 * as on the CPU. Waiting for the guest's next exit instead let an OUT go
 * to user space ahead of the interrupt. An event in the slot ends the
 * shadow with its delivery: the window opens.
 */
void l1vmm_set_irq_window(struct l1vmm_vcpu *vcpu, bool on)
{
	struct l1vmm_event ev;

	if (on && unlikely(l1vmm_l0_drops_int_shadow) && l1vmm_ops->get_interrupt_shadow(vcpu)) {
		l1vmm_ops->get_event(vcpu, &ev);
		if (!ev.valid) {
			if (!vcpu->window_step)
				start_window_step(vcpu);
			on = false;
		}
	}
	l1vmm_ops->set_irq_window(vcpu, on);
}

/*
 * Before each entry: move an NMI or a queued KVM_INTERRUPT into the event
 * slot when it is free (an exception or an event being re-delivered goes
 * first), and open the interrupt window if user space asked for it. Like KVM, the window is requested even when
 * interrupts are allowed already: the guest then exits at once.
 */
void l1vmm_inject_pending(struct l1vmm_vcpu *vcpu)
{
	bool nmi = vcpu->nmi_pending || vcpu->nmi_injected || vcpu->nmi_iret;

	if (unlikely(vcpu->exc.pending))
		inject_pending_exception(vcpu);
	/*
	 * KVM_GUESTDBG_BLOCKIRQ: while user space debugs, no NMI and no
	 * interrupt of the in-kernel APIC, nor a window for one (KVM's
	 * inject_pending_event()). An NMI being delivered again and a
	 * KVM_INTERRUPT go: KVM 6.1 holds both as injected already.
	 */
	if (unlikely(vcpu->guest_debug & KVM_GUESTDBG_BLOCKIRQ)) {
		if (vcpu->nmi_injected || vcpu->irq_pending)
			inject_event(vcpu);
		if (vcpu->lapic)
			l1vmm_ops->set_irq_window(vcpu, false);
		else
			l1vmm_set_irq_window(vcpu, READ_ONCE(vcpu->run->request_interrupt_window));
		return;
	}
	if (unlikely(nmi)) {
		nmi_check_iret(vcpu);
		inject_event(vcpu);
		open_nmi_window(vcpu);
	} else if (vcpu->irq_pending) {
		inject_event(vcpu);
	}
	/* The in-kernel APIC's interrupt, or its window; user space's request is ignored. */
	if (vcpu->lapic)
		l1vmm_lapic_inject(vcpu);
	else
		l1vmm_set_irq_window(vcpu, READ_ONCE(vcpu->run->request_interrupt_window));
}

/* RFLAGS.IF set, no interrupt shadow, nothing waiting to be injected. */
bool l1vmm_ready_for_interrupt(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_event ev;

	if (vcpu->irq_pending || !(l1vmm_ops->get_rflags(vcpu) & X86_EFLAGS_IF) ||
	    l1vmm_ops->get_interrupt_shadow(vcpu))
		return false;
	l1vmm_ops->get_event(vcpu, &ev);
	return !ev.valid;
}

/* KVM_INTERRUPT: a later interrupt replaces a queued one, as in KVM. */
int l1vmm_interrupt(struct l1vmm_vcpu *vcpu, const struct kvm_interrupt *irq)
{
	if (irq->irq >= 256)
		return -EINVAL;
	vcpu->irq_pending = true;
	vcpu->irq_vector = irq->irq;
	return 0;
}

void l1vmm_get_vcpu_events(struct l1vmm_vcpu *vcpu, struct kvm_vcpu_events *events)
{
	struct l1vmm_event ev;

	memset(events, 0, sizeof(*events));
	nmi_check_iret(vcpu);
	l1vmm_ops->get_event(vcpu, &ev);
	if (vcpu->exc.pending) {
		/*
		 * As KVM: without KVM_CAP_EXCEPTION_PAYLOAD the payload is
		 * delivered now, and the exception reported as injected too.
		 */
		if (!vcpu->vm->exception_payload_enabled)
			deliver_payload(vcpu);
		events->exception.pending = 1;
		events->exception.injected = !vcpu->vm->exception_payload_enabled;
		events->exception.nr = vcpu->exc.vector;
		events->exception.has_error_code = vcpu->exc.has_error;
		events->exception.error_code = vcpu->exc.error;
		events->exception_has_payload = vcpu->exc.has_payload;
	}
	/* KVM reports the last payload set until one is delivered. */
	events->exception_payload = vcpu->exc.payload;
	if (ev.valid && ev.type == L1VMM_EVENT_EXCEPTION) {
		events->exception.injected = 1;
		events->exception.nr = ev.vector;
		events->exception.has_error_code = ev.has_error;
		events->exception.error_code = ev.error;
	} else if (ev.valid && (ev.type == L1VMM_EVENT_INTR || ev.type == L1VMM_EVENT_SOFT_INTR)) {
		events->interrupt.injected = 1;
		events->interrupt.nr = ev.vector;
		events->interrupt.soft = ev.type == L1VMM_EVENT_SOFT_INTR;
	} else if (ev.valid && ev.type == L1VMM_EVENT_NMI) {
		events->nmi.injected = 1;	/* re-delivery of a guest's own NMI */
	}
	if (vcpu->irq_pending && !events->interrupt.injected) {
		events->interrupt.injected = 1;
		events->interrupt.nr = vcpu->irq_vector;
	}
	if (vcpu->nmi_injected)
		events->nmi.injected = 1;
	events->nmi.pending = vcpu->nmi_pending != 0;
	events->nmi.masked = vcpu->nmi_masked;
	/* SVM keeps one shadow bit, reported as both kinds; VMX has each. */
	events->interrupt.shadow = l1vmm_ops->get_interrupt_shadow(vcpu);
	events->flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW |
			KVM_VCPUEVENT_VALID_SMM;
	if (vcpu->vm->exception_payload_enabled)
		events->flags |= KVM_VCPUEVENT_VALID_PAYLOAD;
	if (vcpu->vm->triple_fault_event) {
		events->triple_fault.pending = test_bit(L1VMM_REQ_TRIPLE_FAULT, &vcpu->requests);
		events->flags |= KVM_VCPUEVENT_VALID_TRIPLE_FAULT;
	}
}

#define SUPPORTED_EVENT_FLAGS	(KVM_VCPUEVENT_VALID_NMI_PENDING | \
				 KVM_VCPUEVENT_VALID_SIPI_VECTOR | \
				 KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_SMM | \
				 KVM_VCPUEVENT_VALID_PAYLOAD | KVM_VCPUEVENT_VALID_TRIPLE_FAULT)

/*
 * Everything is checked before anything changes (KVM checks the triple
 * fault's capability last, after the rest is set).
 */
int l1vmm_set_vcpu_events(struct l1vmm_vcpu *vcpu, const struct kvm_vcpu_events *events)
{
	struct kvm_vcpu_events e = *events;	/* the exception's flags change */
	typeof(e.exception) *exc = &e.exception;
	const typeof(events->interrupt) *intr = &events->interrupt;
	struct l1vmm_vm *vm = vcpu->vm;
	struct l1vmm_event ev = { 0 };
	bool has_payload = events->exception_has_payload;

	if (events->flags & ~SUPPORTED_EVENT_FLAGS)
		return -EINVAL;
	/*
	 * As KVM: with KVM_VCPUEVENT_VALID_PAYLOAD, a pending exception wins
	 * over an injected one and only it has a payload; without it, there
	 * is no pending exception (user space conflates the two).
	 */
	if (events->flags & KVM_VCPUEVENT_VALID_PAYLOAD) {
		if (!vm->exception_payload_enabled)
			return -EINVAL;
		if (exc->pending)
			exc->injected = 0;
		else
			has_payload = false;
	} else {
		exc->pending = 0;
		has_payload = false;
	}
	if ((events->flags & KVM_VCPUEVENT_VALID_TRIPLE_FAULT) && !vm->triple_fault_event)
		return -EINVAL;
	if ((exc->injected || exc->pending) && (exc->nr > 31 || exc->nr == L1VMM_NMI_VECTOR))
		return -EINVAL;
	if ((events->flags & KVM_VCPUEVENT_VALID_SMM) &&
	    (events->smi.smm || events->smi.pending || events->smi.smm_inside_nmi ||
	     events->smi.latched_init))
		return -EINVAL;
	if ((exc->injected || exc->pending) && intr->injected && intr->soft)
		return -EINVAL;	/* one event slot: only a hardware interrupt can wait */

	vcpu->irq_pending = false;
	vcpu->exc.pending = exc->pending;
	vcpu->exc.payload = events->exception_payload;
	if (exc->pending) {
		vcpu->exc.vector = exc->nr;
		vcpu->exc.has_error = exc->has_error_code;
		vcpu->exc.error = exc->error_code;
		vcpu->exc.has_payload = has_payload;
		/* It waits outside the slot; a hardware interrupt waits behind it. */
		if (intr->injected) {
			vcpu->irq_pending = true;
			vcpu->irq_vector = intr->nr;
		}
	} else if (exc->injected) {
		ev = (struct l1vmm_event){
			.valid = true, .type = L1VMM_EVENT_EXCEPTION, .vector = exc->nr,
			.has_error = exc->has_error_code, .error = exc->error_code,
		};
		if (intr->injected) {
			vcpu->irq_pending = true;
			vcpu->irq_vector = intr->nr;
		}
	} else if (intr->injected) {
		ev = (struct l1vmm_event){
			.valid = true, .vector = intr->nr,
			.type = intr->soft ? L1VMM_EVENT_SOFT_INTR : L1VMM_EVENT_INTR,
		};
	}
	l1vmm_ops->set_event(vcpu, &ev);
	if (events->flags & KVM_VCPUEVENT_VALID_SHADOW)
		l1vmm_ops->set_interrupt_shadow(vcpu, intr->shadow);

	/* An injected NMI waits for the slot if an exception or interrupt holds it. */
	vcpu->nmi_injected = events->nmi.injected;
	vcpu->nmi_masked = events->nmi.masked;
	vcpu->nmi_iret = false;
	l1vmm_ops->set_iret_intercept(vcpu, events->nmi.masked);
	if (l1vmm_ops->set_nmi_blocked)
		l1vmm_ops->set_nmi_blocked(vcpu, events->nmi.masked);
	if (events->flags & KVM_VCPUEVENT_VALID_NMI_PENDING)
		vcpu->nmi_pending = min_t(unsigned int, events->nmi.pending,
					  events->nmi.masked || events->nmi.injected ? 1 : 2);
	/* The vector a SIPI_RECEIVED state starts at (KVM keeps it in the APIC). */
	if ((events->flags & KVM_VCPUEVENT_VALID_SIPI_VECTOR) && vcpu->lapic)
		l1vmm_lapic_set_sipi_vector(vcpu, events->sipi_vector);
	if (events->flags & KVM_VCPUEVENT_VALID_TRIPLE_FAULT) {
		if (events->triple_fault.pending)
			set_bit(L1VMM_REQ_TRIPLE_FAULT, &vcpu->requests);
		else
			clear_bit(L1VMM_REQ_TRIPLE_FAULT, &vcpu->requests);
	}
	return 0;
}
