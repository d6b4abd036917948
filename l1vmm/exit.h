/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The core's exit policy (exit.c), the instruction-retiring helpers every
 * handler uses, events for the guest (events.c) and the exits user space
 * emulates (pio.c, mmio.c).
 */
#ifndef L1VMM_EXIT_H
#define L1VMM_EXIT_H

#include <linux/kvm.h>

#include "l1vmm/backend.h"
#include "l1vmm/vcpu.h"

/* exit.c: the core's exit policy. */
int l1vmm_handle_exit(struct l1vmm_vcpu *vcpu);
void l1vmm_host_machine_check(void);

/* cr4_write.c: the guest's MOV to CR4 where the backend exits for it (SVM). */
int l1vmm_handle_cr4_write(struct l1vmm_vcpu *vcpu);

static inline void l1vmm_set_rip(struct l1vmm_vcpu *vcpu, u64 rip)
{
	vcpu->regs[L1VMM_REG_RIP] = rip;
	vcpu->regs_dirty |= BIT(L1VMM_REG_RIP);
}

u64 l1vmm_wrap_rip(struct l1vmm_vcpu *vcpu, u64 rip);
void l1vmm_single_step_trap(struct l1vmm_vcpu *vcpu);

/*
 * RIP past an instruction the guest executed and l1vmm emulated, as KVM's
 * kvm_skip_emulated_instruction(): the interrupt shadow of an STI or MOV SS
 * before it ends with it, outside 64-bit mode RIP wraps at 32 bits, and a
 * guest single-stepping (RFLAGS.TF) gets the #DB trap the CPU would have
 * raised after it. Only a carry out of bit 31 can wrap, so only then is
 * the mode looked up. @ops: the backend's own on the fastpath, so that its
 * ops are direct calls; RIP is left for the caller to mark dirty
 * (l1vmm_skip_to() does). Returns true when it queued the #DB.
 */
static __always_inline bool __l1vmm_skip_to(const struct l1vmm_backend_ops *ops,
					    struct l1vmm_vcpu *vcpu, u64 next_rip)
{
	unsigned long rflags = ops->get_rflags(vcpu);

	ops->set_interrupt_shadow(vcpu, false);
	/* A carry out of bit 31: the low half went down. */
	if (unlikely((u32)next_rip < (u32)vcpu->regs[L1VMM_REG_RIP]))
		next_rip = l1vmm_wrap_rip(vcpu, next_rip);
	vcpu->regs[L1VMM_REG_RIP] = next_rip;	/* the caller marks it dirty */
	if (unlikely(rflags & X86_EFLAGS_TF)) {
		l1vmm_single_step_trap(vcpu);
		return true;
	}
	return false;
}

static inline void l1vmm_skip_to(struct l1vmm_vcpu *vcpu, u64 next_rip)
{
	__l1vmm_skip_to(l1vmm_ops, vcpu, next_rip);
	vcpu->regs_dirty |= BIT(L1VMM_REG_RIP);
}

/* Retire the instruction with @complete on the next KVM_RUN (struct l1vmm_pending_io). */
static inline void l1vmm_complete_later(struct l1vmm_vcpu *vcpu,
					int (*complete)(struct l1vmm_vcpu *vcpu), u64 next_rip)
{
	vcpu->pending.complete = complete;
	vcpu->pending.rip = vcpu->regs[L1VMM_REG_RIP];
	vcpu->pending.next_rip = next_rip;
}

/* Past the instruction that exited (vcpu->exit.next_rip). */
static inline void l1vmm_skip_instruction(struct l1vmm_vcpu *vcpu)
{
	l1vmm_skip_to(vcpu, vcpu->exit.next_rip);
}
void l1vmm_queue_exception(struct l1vmm_vcpu *vcpu, u8 vector, bool has_error, u32 error);
int l1vmm_emulation_failure(struct l1vmm_vcpu *vcpu, u64 info);

/* events.c: interrupts and exceptions for the guest, KVM_*_VCPU_EVENTS. */
void l1vmm_inject_pending(struct l1vmm_vcpu *vcpu);
void l1vmm_set_irq_window(struct l1vmm_vcpu *vcpu, bool on);
bool l1vmm_ready_for_interrupt(struct l1vmm_vcpu *vcpu);
int l1vmm_interrupt(struct l1vmm_vcpu *vcpu, const struct kvm_interrupt *irq);
void l1vmm_get_vcpu_events(struct l1vmm_vcpu *vcpu, struct kvm_vcpu_events *events);
int l1vmm_set_vcpu_events(struct l1vmm_vcpu *vcpu, const struct kvm_vcpu_events *events);
int l1vmm_nmi(struct l1vmm_vcpu *vcpu);
void l1vmm_nmi_reset(struct l1vmm_vcpu *vcpu);
bool l1vmm_window_step_done(struct l1vmm_vcpu *vcpu);
int l1vmm_handle_iret(struct l1vmm_vcpu *vcpu);
int l1vmm_handle_nmi_window(struct l1vmm_vcpu *vcpu);

/* guest_debug.c: KVM_SET_GUEST_DEBUG and KVM_EXIT_DEBUG. */
int l1vmm_set_guest_debug(struct l1vmm_vcpu *vcpu, const struct kvm_guest_debug *dbg);
unsigned long l1vmm_get_rflags_user(struct l1vmm_vcpu *vcpu);
void l1vmm_set_rflags_user(struct l1vmm_vcpu *vcpu, unsigned long rflags);
void l1vmm_inject_bp(struct l1vmm_vcpu *vcpu);
int l1vmm_guest_debug_enter(struct l1vmm_vcpu *vcpu);
void l1vmm_guest_debug_exit(struct l1vmm_vcpu *vcpu);
int l1vmm_handle_db(struct l1vmm_vcpu *vcpu);
int l1vmm_handle_bp(struct l1vmm_vcpu *vcpu);
int l1vmm_emulate_dr_access(struct l1vmm_vcpu *vcpu);

/* pio.c and mmio.c: the exits user space emulates. */
int l1vmm_handle_io(struct l1vmm_vcpu *vcpu);
int l1vmm_handle_npf(struct l1vmm_vcpu *vcpu);

#endif /* L1VMM_EXIT_H */
