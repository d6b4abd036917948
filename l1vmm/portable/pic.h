/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The two cascaded 8259A PICs of a PC with KVM's rules (arch/x86/kvm/i8259.c):
 * the master at ports 0x20/0x21, the slave at 0xa0/0xa1 on the master's
 * IRQ2, the PIIX edge/level control registers at 0x4d0/0x4d1, each chip's
 * state the layout that KVM_GET_IRQCHIP/KVM_SET_IRQCHIP carry (struct
 * kvm_pic_state). The caller serialises every call (KVM's pic->lock),
 * delivers the master's INTR output to the vCPUs that take PIC interrupts
 * (LINT0 in ExtINT mode) and runs the ack and mask notifiers for the pins
 * reported in struct l1vmm_pic. Portable: unit-tested on the host
 * (selftests/unit/test_pic.c).
 */
#ifndef L1VMM_PIC_H
#define L1VMM_PIC_H

#include "l1vmm/portable/portable.h"

#define L1VMM_PIC_NUM_PINS	16
#define L1VMM_PIC_MASTER	0x20
#define L1VMM_PIC_SLAVE		0xa0
#define L1VMM_PIC_ELCR		0x4d0

/* struct kvm_pic_state: one 8259A. */
struct l1vmm_pic_chip {
	u8 last_irr;		/* the line levels seen last, for edge detection */
	u8 irr;
	u8 imr;
	u8 isr;
	u8 priority_add;	/* the IRQ of the highest priority */
	u8 irq_base;		/* ICW2: vector of IRQ0 */
	u8 read_reg_select;	/* OCW3 RR/RIS: 0 IRR, 1 ISR */
	u8 poll;		/* OCW3 P: the next read polls */
	u8 special_mask;	/* OCW3 SMM: kept, not applied (as KVM) */
	u8 init_state;		/* 0 ready, 1-3 awaiting ICW2-ICW4 */
	u8 auto_eoi;
	u8 rotate_on_auto_eoi;
	u8 special_fully_nested_mode;
	u8 init4;		/* ICW1 IC4: an ICW4 follows */
	u8 elcr;		/* PIIX edge/level control: 1 level */
	u8 elcr_mask;		/* its writable bits */
};

struct l1vmm_pic {
	struct l1vmm_pic_chip chip[2];		/* master, slave */
	unsigned long line[L1VMM_PIC_NUM_PINS];	/* asserting sources, a bit each */
	bool output;		/* the master's INTR */
	/*
	 * Set by the caller: does some vCPU take PIC interrupts now (KVM's
	 * kvm_apic_accept_pic_intr() on any)? An ICW1 acks pending edges then.
	 */
	bool accepted;
	/* For the caller, to act on and clear: */
	bool wakeup;		/* INTR was low: kick a vCPU that takes PIC interrupts */
	u16 acked;		/* pins that left the ISR: their ack notifiers */
	u16 mask_changed;	/* pins whose IMR bit changed: their mask notifiers */
};

/* A new PIC (KVM's kvm_pic_init()): all zero, ELCR masks 0xf8 and 0xde. */
void l1vmm_pic_init(struct l1vmm_pic *pic);

/*
 * Source @source drives IRQ @irq (0..15) to @level; the line is the OR of
 * its sources'. An edge pin latches a rising line, a level pin (ELCR)
 * follows it. Returns KVM's kvm_pic_set_irq() answer: -1 when the pin is
 * masked, 0 when its IRR bit was already set (coalesced), else 1; -EINVAL
 * for a bad pin or source.
 */
int l1vmm_pic_set_irq(struct l1vmm_pic *pic, unsigned int irq, unsigned int source, bool level);

/* Forget @source's assertions without changing the IRR (KVM's kvm_pic_clear_all()). */
void l1vmm_pic_clear_source(struct l1vmm_pic *pic, unsigned int source);

/*
 * The interrupt acknowledge cycle (KVM's kvm_pic_read_irq()): the vector of
 * the highest-priority request, moved to the ISR (cascading through the
 * slave on IRQ2), or a spurious IRQ7 (master's base + 7, or the slave's
 * when the slave has nothing). Lowers INTR until the next evaluation.
 */
u8 l1vmm_pic_read_irq(struct l1vmm_pic *pic);

/*
 * A guest port access: 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1. False for any
 * other port (not the PIC's). Only 1-byte accesses count: others write
 * nothing and read 0.
 */
bool l1vmm_pic_write(struct l1vmm_pic *pic, u16 port, unsigned int len, u8 val);
bool l1vmm_pic_read(struct l1vmm_pic *pic, u16 port, unsigned int len, u8 *val);

/* KVM_SET_IRQCHIP of chip @slave: the state taken whole, INTR re-evaluated. */
void l1vmm_pic_set_state(struct l1vmm_pic *pic, bool slave, const struct l1vmm_pic_chip *s);

#endif /* L1VMM_PIC_H */
