// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/portable/pic.c
/*
 * Host unit test of the dual 8259A (l1vmm/portable/pic.c) against what
 * KVM 6.1 does (arch/x86/kvm/i8259.c).
 */
#include <stddef.h>
#include <linux/kvm.h>

#include "ktap.h"
#include "l1vmm/portable/pic.h"

#define SAME_FIELD(f)							\
	_Static_assert(offsetof(struct l1vmm_pic_chip, f) ==		\
		       offsetof(struct kvm_pic_state, f), #f)
_Static_assert(sizeof(struct l1vmm_pic_chip) == sizeof(struct kvm_pic_state), "size");
SAME_FIELD(last_irr);
SAME_FIELD(irr);
SAME_FIELD(imr);
SAME_FIELD(isr);
SAME_FIELD(priority_add);
SAME_FIELD(irq_base);
SAME_FIELD(read_reg_select);
SAME_FIELD(poll);
SAME_FIELD(special_mask);
SAME_FIELD(init_state);
SAME_FIELD(auto_eoi);
SAME_FIELD(rotate_on_auto_eoi);
SAME_FIELD(special_fully_nested_mode);
SAME_FIELD(init4);
SAME_FIELD(elcr);
SAME_FIELD(elcr_mask);

#define M		0x20
#define S		0xa0
#define MBASE		0x30
#define SBASE		0x38

static void out8(struct l1vmm_pic *pic, u16 port, u8 val)
{
	TEST_ASSERT(l1vmm_pic_write(pic, port, 1, val), "port %#x refused", port);
}

static u8 in8(struct l1vmm_pic *pic, u16 port)
{
	u8 v = 0xa5;

	TEST_ASSERT(l1vmm_pic_read(pic, port, 1, &v), "port %#x refused", port);
	return v;
}

/* The BIOS's programming: edge, cascade on IRQ2, 8086 mode, @icw4 as given. */
static void setup_icw4(struct l1vmm_pic *pic, u8 icw4)
{
	l1vmm_pic_init(pic);
	out8(pic, M, 0x11);
	out8(pic, M + 1, MBASE);
	out8(pic, M + 1, 0x04);
	out8(pic, M + 1, icw4);
	out8(pic, S, 0x11);
	out8(pic, S + 1, SBASE);
	out8(pic, S + 1, 0x02);
	out8(pic, S + 1, icw4 & ~0x10);
	pic->acked = 0;
	pic->mask_changed = 0;
}

static void setup(struct l1vmm_pic *pic)
{
	setup_icw4(pic, 0x01);
}

static void eoi(struct l1vmm_pic *pic, u16 chip)
{
	out8(pic, chip, 0x20);
}

/* Pulse an edge IRQ from source 0. */
static int pulse(struct l1vmm_pic *pic, unsigned int irq)
{
	int ret = l1vmm_pic_set_irq(pic, irq, 0, true);

	l1vmm_pic_set_irq(pic, irq, 0, false);
	return ret;
}

static void test_init(void)
{
	struct l1vmm_pic pic;

	l1vmm_pic_init(&pic);
	ASSERT_EQ(0xf8, pic.chip[0].elcr_mask);
	ASSERT_EQ(0xde, pic.chip[1].elcr_mask);
	/* ELCR keeps only its mask's bits. */
	out8(&pic, 0x4d0, 0xff);
	out8(&pic, 0x4d1, 0xff);
	ASSERT_EQ(0xf8, in8(&pic, 0x4d0));
	ASSERT_EQ(0xde, in8(&pic, 0x4d1));

	setup(&pic);
	ASSERT_EQ(MBASE, pic.chip[0].irq_base);
	ASSERT_EQ(SBASE, pic.chip[1].irq_base);
	ASSERT_EQ(0, pic.chip[0].init_state);
	ASSERT_EQ(1, pic.chip[0].init4);
	/* ICW2 drops bits 2:0. */
	out8(&pic, M, 0x11);
	ASSERT_EQ(1, pic.chip[0].init_state);
	out8(&pic, M + 1, 0x47);
	ASSERT_EQ(2, pic.chip[0].init_state);
	ASSERT_EQ(0x40, pic.chip[0].irq_base);
	out8(&pic, M + 1, 0x04);
	ASSERT_EQ(3, pic.chip[0].init_state);
	out8(&pic, M + 1, 0x13);			/* SFNM, AEOI */
	ASSERT_EQ(0, pic.chip[0].init_state);
	ASSERT_EQ(1, pic.chip[0].special_fully_nested_mode);
	ASSERT_EQ(1, pic.chip[0].auto_eoi);
	/* Without IC4 there is no ICW4, and SFNM and AEOI clear. */
	out8(&pic, M, 0x10);
	out8(&pic, M + 1, 0x08);
	out8(&pic, M + 1, 0x04);
	ASSERT_EQ(0, pic.chip[0].init_state);
	ASSERT_EQ(0, pic.chip[0].special_fully_nested_mode);
	ASSERT_EQ(0, pic.chip[0].auto_eoi);
	/* The next data write is OCW1. */
	out8(&pic, M + 1, 0xfb);
	ASSERT_EQ(0xfb, in8(&pic, M + 1));
}

static void test_ports(void)
{
	struct l1vmm_pic pic;
	u8 v = 0x55;

	setup(&pic);
	/* Not the PIC's. */
	TEST_ASSERT(!l1vmm_pic_write(&pic, 0x22, 1, 0), "0x22 taken");
	TEST_ASSERT(!l1vmm_pic_read(&pic, 0xa2, 1, &v), "0xa2 taken");
	TEST_ASSERT(!l1vmm_pic_read(&pic, 0x4d2, 1, &v), "0x4d2 taken");
	ASSERT_EQ(0x55, v);
	/* Wider accesses: ignored, read as 0. */
	TEST_ASSERT(l1vmm_pic_write(&pic, M + 1, 2, 0xff), "0x21 word write refused");
	ASSERT_EQ(0, in8(&pic, M + 1));
	TEST_ASSERT(l1vmm_pic_read(&pic, M + 1, 2, &v), "0x21 word read refused");
	ASSERT_EQ(0, v);
	/* IMR per chip. */
	out8(&pic, M + 1, 0x12);
	out8(&pic, S + 1, 0x34);
	ASSERT_EQ(0x12, in8(&pic, M + 1));
	ASSERT_EQ(0x34, in8(&pic, S + 1));
	ASSERT_EQ(0x3412, pic.mask_changed);
}

static void test_edge(void)
{
	struct l1vmm_pic pic;

	setup(&pic);
	TEST_ASSERT(!pic.output, "INTR with nothing pending");
	ASSERT_EQ(1, l1vmm_pic_set_irq(&pic, 1, 0, true));
	TEST_ASSERT(pic.output, "no INTR");
	TEST_ASSERT(pic.wakeup, "no wakeup");
	ASSERT_EQ(0x02, in8(&pic, M));				/* IRR */
	/* Held high: no new edge, and KVM still answers 1. */
	ASSERT_EQ(1, l1vmm_pic_set_irq(&pic, 1, 0, true));
	/* A new edge while the last is still in the IRR: coalesced. */
	l1vmm_pic_set_irq(&pic, 1, 0, false);
	ASSERT_EQ(0, l1vmm_pic_set_irq(&pic, 1, 0, true));
	ASSERT_EQ(MBASE + 1, l1vmm_pic_read_irq(&pic));
	ASSERT_EQ(0, in8(&pic, M));				/* IRR cleared */
	out8(&pic, M, 0x0b);
	ASSERT_EQ(0x02, in8(&pic, M));				/* ISR */
	out8(&pic, M, 0x0a);
	TEST_ASSERT(!pic.output, "INTR after ack");
	/* Still high, another source: no edge. */
	ASSERT_EQ(1, l1vmm_pic_set_irq(&pic, 1, 1, true));
	ASSERT_EQ(0, in8(&pic, M));
	/* Both drop, one rises: a new edge. */
	l1vmm_pic_set_irq(&pic, 1, 0, false);
	ASSERT_EQ(0, in8(&pic, M));
	l1vmm_pic_set_irq(&pic, 1, 1, false);
	ASSERT_EQ(1, l1vmm_pic_set_irq(&pic, 1, 1, true));
	ASSERT_EQ(0x02, in8(&pic, M));
	/* Same IRQ in service: not raised until EOI. */
	TEST_ASSERT(!pic.output, "INTR while in service");
	eoi(&pic, M);
	ASSERT_EQ(0x02, pic.acked);
	TEST_ASSERT(pic.output, "no INTR after EOI");
	/* Masked: -1 and no INTR. */
	setup(&pic);
	out8(&pic, M + 1, 0x08);
	ASSERT_EQ(-1, l1vmm_pic_set_irq(&pic, 3, 0, true));
	TEST_ASSERT(!pic.output, "INTR from a masked IRQ");
	out8(&pic, M + 1, 0x00);
	TEST_ASSERT(pic.output, "no INTR on unmask");
	/* Bad arguments. */
	ASSERT_EQ(-EINVAL, l1vmm_pic_set_irq(&pic, 16, 0, true));
	ASSERT_EQ(-EINVAL, l1vmm_pic_set_irq(&pic, 0, 8 * sizeof(long), true));
}

static void test_level(void)
{
	struct l1vmm_pic pic;

	setup(&pic);
	out8(&pic, 0x4d0, 0x20);				/* IRQ5 level */
	ASSERT_EQ(1, l1vmm_pic_set_irq(&pic, 5, 0, true));
	ASSERT_EQ(0, l1vmm_pic_set_irq(&pic, 5, 0, true));	/* already pending */
	ASSERT_EQ(MBASE + 5, l1vmm_pic_read_irq(&pic));
	ASSERT_EQ(0x20, in8(&pic, M));				/* IRR kept */
	eoi(&pic, M);
	TEST_ASSERT(pic.output, "asserted level not raised again");
	ASSERT_EQ(MBASE + 5, l1vmm_pic_read_irq(&pic));
	/* The line drops: IRR clears with it. */
	l1vmm_pic_set_irq(&pic, 5, 0, false);
	ASSERT_EQ(0, in8(&pic, M));
	eoi(&pic, M);
	TEST_ASSERT(!pic.output, "INTR after the line dropped");
	/* Two sources: the line stays up until both drop. */
	l1vmm_pic_set_irq(&pic, 5, 0, true);
	l1vmm_pic_set_irq(&pic, 5, 1, true);
	l1vmm_pic_set_irq(&pic, 5, 0, false);
	ASSERT_EQ(0x20, in8(&pic, M));
	l1vmm_pic_set_irq(&pic, 5, 1, false);
	ASSERT_EQ(0, in8(&pic, M));
	/* A level line seen high is no new edge when the pin turns edge. */
	l1vmm_pic_set_irq(&pic, 5, 0, true);
	ASSERT_EQ(MBASE + 5, l1vmm_pic_read_irq(&pic));
	eoi(&pic, M);
	out8(&pic, 0x4d0, 0);
	l1vmm_pic_read_irq(&pic);			/* takes the old request */
	eoi(&pic, M);
	ASSERT_EQ(1, l1vmm_pic_set_irq(&pic, 5, 0, true));
	ASSERT_EQ(0, in8(&pic, M));
}

static void test_priority(void)
{
	struct l1vmm_pic pic;

	setup(&pic);
	pulse(&pic, 5);
	pulse(&pic, 3);
	pulse(&pic, 7);
	/* Fixed priority: lowest number first. */
	ASSERT_EQ(MBASE + 3, l1vmm_pic_read_irq(&pic));
	/* IRQ1 preempts 3 in service; 5 does not. */
	TEST_ASSERT(!pic.output, "5 preempts 3");
	pulse(&pic, 1);
	TEST_ASSERT(pic.output, "1 does not preempt 3");
	ASSERT_EQ(MBASE + 1, l1vmm_pic_read_irq(&pic));
	/* A non-specific EOI ends the highest in service: 1. */
	eoi(&pic, M);
	ASSERT_EQ(0x02, pic.acked);
	out8(&pic, M, 0x0b);
	ASSERT_EQ(0x08, in8(&pic, M));
	eoi(&pic, M);
	ASSERT_EQ(MBASE + 5, l1vmm_pic_read_irq(&pic));
	/* A specific EOI for a bit not the highest. */
	out8(&pic, M, 0x65);
	ASSERT_EQ(0, in8(&pic, M));				/* ISR */
	out8(&pic, M, 0x0a);

	/* Set priority: IRQ4 lowest, so 5 is the highest. */
	setup(&pic);
	out8(&pic, M, 0xc4);
	ASSERT_EQ(5, pic.chip[0].priority_add);
	pulse(&pic, 3);
	pulse(&pic, 6);
	pulse(&pic, 4);
	ASSERT_EQ(MBASE + 6, l1vmm_pic_read_irq(&pic));
	/* Rotate on non-specific EOI: 6 becomes the lowest, 7 the highest. */
	out8(&pic, M, 0xa0);
	ASSERT_EQ(7, pic.chip[0].priority_add);
	ASSERT_EQ(MBASE + 3, l1vmm_pic_read_irq(&pic));
	/* Rotate on specific EOI of 3: 4 the highest. */
	out8(&pic, M, 0xe3);
	ASSERT_EQ(4, pic.chip[0].priority_add);
	ASSERT_EQ(MBASE + 4, l1vmm_pic_read_irq(&pic));
	/* OCW2 no-op and a non-specific EOI with nothing in service change nothing. */
	out8(&pic, M, 0x40);
	eoi(&pic, M);
	pic.acked = 0;
	eoi(&pic, M);
	ASSERT_EQ(0, pic.acked);
	ASSERT_EQ(4, pic.chip[0].priority_add);
}

static void test_cascade(void)
{
	struct l1vmm_pic pic;

	setup(&pic);
	ASSERT_EQ(1, pulse(&pic, 12));
	TEST_ASSERT(pic.output, "slave IRQ not through the master");
	ASSERT_EQ(0x10, in8(&pic, S));
	ASSERT_EQ(SBASE + 4, l1vmm_pic_read_irq(&pic));
	/* Both chips have it in service. */
	out8(&pic, M, 0x0b);
	out8(&pic, S, 0x0b);
	ASSERT_EQ(0x04, in8(&pic, M));
	ASSERT_EQ(0x10, in8(&pic, S));
	eoi(&pic, S);
	eoi(&pic, M);
	ASSERT_EQ(0x1004, pic.acked);
	ASSERT_EQ(0, in8(&pic, M));
	/* IRQ2 blocks lower master IRQs while in service. */
	pulse(&pic, 9);
	ASSERT_EQ(SBASE + 1, l1vmm_pic_read_irq(&pic));
	pulse(&pic, 3);
	TEST_ASSERT(!pic.output, "IRQ3 preempted IRQ2");
	/* Masking IRQ2 on the master hides the slave. */
	setup(&pic);
	out8(&pic, M + 1, 0x04);
	pulse(&pic, 10);
	TEST_ASSERT(!pic.output, "slave through a masked IRQ2");
}

static void test_spurious(void)
{
	struct l1vmm_pic pic;

	setup(&pic);
	/* Nothing pending: IRQ7 of the master, nothing in service. */
	ASSERT_EQ(MBASE + 7, l1vmm_pic_read_irq(&pic));
	ASSERT_EQ(0, pic.chip[0].isr);
	/* The slave's request went away before the acknowledge: its IRQ7 (IRQ15). */
	out8(&pic, 0x4d1, 0x02);				/* IRQ9 level */
	l1vmm_pic_set_irq(&pic, 9, 0, true);
	TEST_ASSERT(pic.output, "no INTR");
	l1vmm_pic_set_irq(&pic, 9, 0, false);
	ASSERT_EQ(0x04, pic.chip[0].irr);			/* the cascade latched */
	ASSERT_EQ(SBASE + 7, l1vmm_pic_read_irq(&pic));
	ASSERT_EQ(0, pic.chip[1].isr);
	ASSERT_EQ(0x04, pic.chip[0].isr);
}

static void test_auto_eoi(void)
{
	struct l1vmm_pic pic;

	setup_icw4(&pic, 0x03);
	pulse(&pic, 4);
	ASSERT_EQ(MBASE + 4, l1vmm_pic_read_irq(&pic));
	ASSERT_EQ(0, pic.chip[0].isr);
	ASSERT_EQ(0x10, pic.acked);
	ASSERT_EQ(0, pic.chip[0].priority_add);
	/* Rotate in auto-EOI mode. */
	out8(&pic, M, 0x80);
	ASSERT_EQ(1, pic.chip[0].rotate_on_auto_eoi);
	pulse(&pic, 4);
	ASSERT_EQ(MBASE + 4, l1vmm_pic_read_irq(&pic));
	ASSERT_EQ(5, pic.chip[0].priority_add);
	out8(&pic, M, 0x00);
	ASSERT_EQ(0, pic.chip[0].rotate_on_auto_eoi);
}

static void test_poll(void)
{
	struct l1vmm_pic pic;

	setup(&pic);
	pulse(&pic, 6);
	out8(&pic, M, 0x0c);
	ASSERT_EQ(6, in8(&pic, M + 1));				/* either port polls */
	ASSERT_EQ(0, pic.chip[0].irr);
	ASSERT_EQ(0, pic.chip[0].isr);
	ASSERT_EQ(0x40, pic.acked);
	ASSERT_EQ(0, pic.chip[0].poll);
	/* The next read is a normal one again. */
	pulse(&pic, 6);
	ASSERT_EQ(0x40, in8(&pic, M));
	/* Poll with nothing: 7. */
	setup(&pic);
	out8(&pic, M, 0x0c);
	ASSERT_EQ(7, in8(&pic, M));
	/* Polling the slave also clears the cascade on the master. */
	pulse(&pic, 11);
	out8(&pic, S, 0x0c);
	ASSERT_EQ(3, in8(&pic, S));
	ASSERT_EQ(0, pic.chip[0].irr & 0x04);
	ASSERT_EQ(0, pic.chip[0].isr & 0x04);
	/* ... and its ISR bit: the slave's in-service IRQ2 ends with the poll. */
	pulse(&pic, 11);
	ASSERT_EQ(SBASE + 3, l1vmm_pic_read_irq(&pic));
	ASSERT_EQ(0x04, pic.chip[0].isr);
	pulse(&pic, 9);
	out8(&pic, S, 0x0c);
	ASSERT_EQ(1, in8(&pic, S));
	ASSERT_EQ(0, pic.chip[0].isr);
	/* OCW3 special mask mode is kept (KVM does not apply it). */
	out8(&pic, M, 0x68);
	ASSERT_EQ(1, pic.chip[0].special_mask);
	out8(&pic, M, 0x48);
	ASSERT_EQ(0, pic.chip[0].special_mask);
}

/* Special fully nested mode: a higher slave IRQ nests inside the slave's IRQ2. */
static void test_sfnm(void)
{
	struct l1vmm_pic pic;

	setup(&pic);
	pulse(&pic, 12);
	ASSERT_EQ(SBASE + 4, l1vmm_pic_read_irq(&pic));
	pulse(&pic, 9);
	TEST_ASSERT(!pic.output, "nested without SFNM");

	setup_icw4(&pic, 0x11);
	ASSERT_EQ(1, pic.chip[0].special_fully_nested_mode);
	ASSERT_EQ(0, pic.chip[1].special_fully_nested_mode);
	pulse(&pic, 12);
	ASSERT_EQ(SBASE + 4, l1vmm_pic_read_irq(&pic));
	pulse(&pic, 9);
	TEST_ASSERT(pic.output, "not nested with SFNM");
	ASSERT_EQ(SBASE + 1, l1vmm_pic_read_irq(&pic));
}

/* ICW1 on an initialised chip: what it clears, what it keeps. */
static void test_reinit(void)
{
	struct l1vmm_pic pic;

	setup(&pic);
	out8(&pic, 0x4d0, 0x80);				/* IRQ7 level */
	out8(&pic, M + 1, 0x40);
	l1vmm_pic_set_irq(&pic, 7, 0, true);
	pulse(&pic, 3);
	pulse(&pic, 4);
	ASSERT_EQ(MBASE + 3, l1vmm_pic_read_irq(&pic));
	out8(&pic, M, 0x0b);
	out8(&pic, M, 0xc2);					/* priority_add 3 */
	pic.acked = 0;
	pic.accepted = false;
	out8(&pic, M, 0x11);
	ASSERT_EQ(0x80, pic.chip[0].irr);			/* the level request stays */
	ASSERT_EQ(0x08, pic.chip[0].isr);			/* the ISR too */
	ASSERT_EQ(0, pic.chip[0].imr);
	ASSERT_EQ(0, pic.chip[0].priority_add);
	ASSERT_EQ(0, pic.chip[0].read_reg_select);
	ASSERT_EQ(0, pic.chip[0].last_irr);
	ASSERT_EQ(MBASE, pic.chip[0].irq_base);			/* until ICW2 */
	ASSERT_EQ(0, pic.acked);
	/* With a vCPU taking PIC interrupts, the dropped edges are acked. */
	setup(&pic);
	pulse(&pic, 3);
	pulse(&pic, 4);
	ASSERT_EQ(MBASE + 3, l1vmm_pic_read_irq(&pic));
	pic.acked = 0;
	pic.accepted = true;
	out8(&pic, M, 0x11);
	ASSERT_EQ(0x10, pic.acked);
	ASSERT_EQ(0x08, pic.chip[0].isr);
}

static void test_state(void)
{
	struct l1vmm_pic pic;
	struct l1vmm_pic_chip c;

	setup(&pic);
	c = pic.chip[1];
	c.irr = 0x01;
	l1vmm_pic_set_state(&pic, true, &c);
	TEST_ASSERT(pic.output, "restored request not raised");
	ASSERT_EQ(SBASE, l1vmm_pic_read_irq(&pic));
	c = pic.chip[0];
	c.imr = 0xff;
	l1vmm_pic_set_state(&pic, false, &c);
	ASSERT_EQ(0xff, in8(&pic, M + 1));
	/* Sources forgotten: the line is low again for the next assertion. */
	l1vmm_pic_set_irq(&pic, 3, 2, true);
	l1vmm_pic_clear_source(&pic, 2);
	ASSERT_EQ(0, pic.line[3]);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_init),
	KTAP_CASE(test_ports),
	KTAP_CASE(test_edge),
	KTAP_CASE(test_level),
	KTAP_CASE(test_priority),
	KTAP_CASE(test_cascade),
	KTAP_CASE(test_spurious),
	KTAP_CASE(test_auto_eoi),
	KTAP_CASE(test_poll),
	KTAP_CASE(test_sfnm),
	KTAP_CASE(test_reinit),
	KTAP_CASE(test_state),
};

int main(void)
{
	return ktap_run("pic", tests, KTAP_ARRAY_SIZE(tests));
}
