/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The in-kernel PIT (KVM_CREATE_PIT2, KVM's arch/x86/kvm/i8254.c): ports
 * 0x40-0x43 and, with KVM_PIT_SPEAKER_DUMMY, the speaker port 0x61 handled
 * in the kernel; channel 0 raises GSI 0 from an hrtimer once the in-kernel
 * irqchip exists. portable/pit.h decides, pit.c acts.
 *
 * Locking: pit->lock (a mutex, KVM's pit_state.lock) guards the model and
 * the timer's programming. The hrtimer callback takes no lock: it counts a
 * pending tick and queues pit->expired, which raises GSI 0 through the
 * irqchip (its own lock). The irqchip calls l1vmm_pit_pic_notify() and
 * l1vmm_pit_ioapic_notify() with its lock held: they only touch atomics
 * and queue work.
 */
#ifndef L1VMM_PIT_H_KERNEL
#define L1VMM_PIT_H_KERNEL

#include <linux/hrtimer.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

#include "l1vmm/portable/pit.h"

struct l1vmm_vm;
struct l1vmm_vcpu;

/* KVM's kvm_request_irq_source_id() for the PIT: the first one free. */
#define L1VMM_PIT_SOURCE	2

struct l1vmm_vpit {
	struct l1vmm_vm *vm;
	struct mutex lock;
	struct l1vmm_pit s;		/* under lock */
	bool speaker;			/* KVM_PIT_SPEAKER_DUMMY: port 0x61 here */
	struct hrtimer timer;
	u64 period_ns;			/* 0: one-shot; set with the timer stopped */
	/* KVM's reinjection: ticks not yet delivered, and whether the last one was acked. */
	atomic_t reinject;
	atomic_t pending;
	atomic_t irq_ack;
	struct work_struct expired;
};

long l1vmm_pit_vm_ioctl(struct l1vmm_vm *vm, unsigned int ioctl, void __user *argp);
void l1vmm_pit_free(struct l1vmm_vm *vm);
bool l1vmm_pit_pio(struct l1vmm_vcpu *vcpu, u16 port, bool in, unsigned int size,
		   unsigned long *rax);
/* Ack and mask notifiers of the PIC's pins 0-15 and the IOAPIC's pins (irqchip lock held). */
void l1vmm_pit_pic_notify(struct l1vmm_vm *vm, u32 acked, u32 unmasked);
void l1vmm_pit_ioapic_notify(struct l1vmm_vm *vm, u32 acked, u32 unmasked);

#endif /* L1VMM_PIT_H_KERNEL */
