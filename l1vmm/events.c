// SPDX-License-Identifier: GPL-2.0-only
/*
 * Events for the guest without an in-kernel irqchip, as KVM does it:
 * KVM_INTERRUPT queues an external interrupt that is injected at the next
 * entry (user space checks ready_for_interrupt_injection first);
 * request_interrupt_window makes the guest exit with
 * KVM_EXIT_IRQ_WINDOW_OPEN as soon as it can take one; KVM_GET/SET_VCPU_EVENTS
 * read and replace the pending exception, interrupt and interrupt shadow.
 *
 * NMIs are not modelled: there is no KVM_NMI, events report none, and
 * setting one is refused.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/kvm.h>
#include <asm/trapnr.h>

#include "l1vmm/debugregs.h"
#include "l1vmm/exit.h"
#include "l1vmm/portable/x86.h"


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
	u64 dr6 = l1vmm_ops->get_dr6(vcpu);

	l1vmm_ops->set_dr6(vcpu, (dr6 & ~DR_TRAP_BITS) | DR_STEP);
	l1vmm_queue_exception(vcpu, X86_TRAP_DB, false, 0);
}

/*
 * Before each entry: move a queued KVM_INTERRUPT into the event slot when
 * it is free (an exception or an event being re-delivered goes first), and
 * open the interrupt window if user space asked for it. Like KVM, the
 * window is requested even when interrupts are allowed already: the guest
 * then exits at once.
 */
void l1vmm_inject_pending(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_event ev;

	if (vcpu->irq_pending) {
		l1vmm_ops->get_event(vcpu, &ev);
		if (!ev.valid) {
			ev = (struct l1vmm_event){
				.valid = true, .type = L1VMM_EVENT_INTR,
				.vector = vcpu->irq_vector,
			};
			l1vmm_ops->set_event(vcpu, &ev);
			vcpu->irq_pending = false;
		}
	}
	l1vmm_ops->set_irq_window(vcpu, READ_ONCE(vcpu->run->request_interrupt_window));
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
	l1vmm_ops->get_event(vcpu, &ev);
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
	/* SVM keeps one shadow bit; KVM reports it as both kinds. */
	if (l1vmm_ops->get_interrupt_shadow(vcpu))
		events->interrupt.shadow = KVM_X86_SHADOW_INT_MOV_SS | KVM_X86_SHADOW_INT_STI;
	events->flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW |
			KVM_VCPUEVENT_VALID_SMM;
}

#define SUPPORTED_EVENT_FLAGS	(KVM_VCPUEVENT_VALID_NMI_PENDING | \
				 KVM_VCPUEVENT_VALID_SIPI_VECTOR | \
				 KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_SMM)

/* Everything is checked before anything changes. */
int l1vmm_set_vcpu_events(struct l1vmm_vcpu *vcpu, const struct kvm_vcpu_events *events)
{
	const typeof(events->exception) *exc = &events->exception;
	const typeof(events->interrupt) *intr = &events->interrupt;
	struct l1vmm_event ev = { 0 };

	/* Payloads and triple faults need capabilities l1vmm does not offer. */
	if (events->flags & ~SUPPORTED_EVENT_FLAGS)
		return -EINVAL;
	if ((exc->injected || exc->pending) && (exc->nr > 31 || exc->nr == L1VMM_NMI_VECTOR))
		return -EINVAL;
	if (events->nmi.injected || events->nmi.masked ||
	    ((events->flags & KVM_VCPUEVENT_VALID_NMI_PENDING) && events->nmi.pending))
		return -EINVAL;
	if ((events->flags & KVM_VCPUEVENT_VALID_SMM) &&
	    (events->smi.smm || events->smi.pending || events->smi.smm_inside_nmi ||
	     events->smi.latched_init))
		return -EINVAL;
	if ((exc->injected || exc->pending) && intr->injected && intr->soft)
		return -EINVAL;	/* one event slot: only a hardware interrupt can wait */

	vcpu->irq_pending = false;
	if (exc->injected || exc->pending) {
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
	return 0;
}
