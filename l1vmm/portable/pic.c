// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dual 8259A; see pic.h. Command words from the Intel 8259A datasheet,
 * behaviour as KVM 6.1's.
 */
#include "l1vmm/portable/pic.h"

_Static_assert(sizeof(struct l1vmm_pic_chip) == 16, "struct kvm_pic_state");

#define NO_IRQ		8	/* get_priority(): nothing in the mask */

static bool is_slave(const struct l1vmm_pic *pic, const struct l1vmm_pic_chip *c)
{
	return c == &pic->chip[1];
}

/* @irq (0..7) of chip @c leaves the ISR; its ack notifiers must hear of it. */
static void clear_isr(struct l1vmm_pic *pic, struct l1vmm_pic_chip *c, unsigned int irq)
{
	c->isr &= ~BIT(irq);
	pic->acked |= BIT(irq + (is_slave(pic, c) ? 8 : 0));
}

/* Latch a line change in the IRR (KVM's pic_set_irq1()). */
static int set_irq1(struct l1vmm_pic_chip *c, unsigned int irq, bool level)
{
	u8 mask = BIT(irq);
	int ret = 1;

	if (c->elcr & mask) {
		if (level) {
			ret = !(c->irr & mask);
			c->irr |= mask;
			c->last_irr |= mask;
		} else {
			c->irr &= ~mask;
			c->last_irr &= ~mask;
		}
	} else {
		if (level) {
			/* Only a rising edge requests. */
			if (!(c->last_irr & mask)) {
				ret = !(c->irr & mask);
				c->irr |= mask;
			}
			c->last_irr |= mask;
		} else {
			c->last_irr &= ~mask;
		}
	}
	return (c->imr & mask) ? -1 : ret;
}

/* The priority (0 highest) of the best IRQ in @mask under the rotation, or NO_IRQ. */
static unsigned int get_priority(const struct l1vmm_pic_chip *c, u8 mask)
{
	unsigned int prio;

	if (!mask)
		return NO_IRQ;
	for (prio = 0; !(mask & BIT((prio + c->priority_add) & 7)); prio++)
		;
	return prio;
}

/* The IRQ chip @c would raise now, or -1: a request above everything in service. */
static int get_irq(const struct l1vmm_pic *pic, const struct l1vmm_pic_chip *c)
{
	unsigned int prio = get_priority(c, c->irr & ~c->imr);
	u8 in_service = c->isr;

	if (prio == NO_IRQ)
		return -1;
	/* Special fully nested: the slave's own requests nest within its IRQ2. */
	if (c->special_fully_nested_mode && !is_slave(pic, c))
		in_service &= ~BIT(2);
	if (prio < get_priority(c, in_service))
		return (prio + c->priority_add) & 7;
	return -1;
}

/* Re-evaluate the cascade and the master's INTR (KVM's pic_update_irq()). */
static void update_irq(struct l1vmm_pic *pic)
{
	bool level;

	/* The slave's INT pulses the master's IRQ2. */
	if (get_irq(pic, &pic->chip[1]) >= 0) {
		set_irq1(&pic->chip[0], 2, true);
		set_irq1(&pic->chip[0], 2, false);
	}
	level = get_irq(pic, &pic->chip[0]) >= 0;
	if (!pic->output)
		pic->wakeup = true;
	pic->output = level;
}

void l1vmm_pic_init(struct l1vmm_pic *pic)
{
	memset(pic, 0, sizeof(*pic));
	/* IRQ0-2 of the master and IRQ8 and 13 are always edge on a PIIX. */
	pic->chip[0].elcr_mask = 0xf8;
	pic->chip[1].elcr_mask = 0xde;
}

int l1vmm_pic_set_irq(struct l1vmm_pic *pic, unsigned int irq, unsigned int source, bool level)
{
	int ret;

	if (irq >= L1VMM_PIC_NUM_PINS || source >= 8 * sizeof(unsigned long))
		return -EINVAL;
	irq = array_index_nospec(irq, L1VMM_PIC_NUM_PINS);
	if (level)
		pic->line[irq] |= 1UL << source;
	else
		pic->line[irq] &= ~(1UL << source);
	ret = set_irq1(&pic->chip[irq >> 3], irq & 7, pic->line[irq] != 0);
	update_irq(pic);
	return ret;
}

void l1vmm_pic_clear_source(struct l1vmm_pic *pic, unsigned int source)
{
	unsigned int i;

	if (source >= 8 * sizeof(unsigned long))
		return;
	for (i = 0; i < L1VMM_PIC_NUM_PINS; i++)
		pic->line[i] &= ~(1UL << source);
}

/* Acknowledge @irq on chip @c (KVM's pic_intack()). */
static void intack(struct l1vmm_pic *pic, struct l1vmm_pic_chip *c, unsigned int irq)
{
	c->isr |= BIT(irq);
	/* A level request stays until its line drops. */
	if (!(c->elcr & BIT(irq)))
		c->irr &= ~BIT(irq);
	if (c->auto_eoi) {
		if (c->rotate_on_auto_eoi)
			c->priority_add = (irq + 1) & 7;
		clear_isr(pic, c, irq);
	}
}

u8 l1vmm_pic_read_irq(struct l1vmm_pic *pic)
{
	struct l1vmm_pic_chip *m = &pic->chip[0], *s = &pic->chip[1];
	int irq, irq2;
	u8 vec;

	pic->output = false;
	irq = get_irq(pic, m);
	if (irq < 0) {
		vec = m->irq_base + 7;		/* spurious on the master */
	} else {
		intack(pic, m, irq);
		if (irq == 2) {
			irq2 = get_irq(pic, s);
			if (irq2 >= 0)
				intack(pic, s, irq2);
			else
				irq2 = 7;	/* spurious on the slave */
			vec = s->irq_base + irq2;
		} else {
			vec = m->irq_base + irq;
		}
	}
	update_irq(pic);
	return vec;
}

/* ICW1 restarts initialisation (KVM's kvm_pic_reset()). */
static void icw1(struct l1vmm_pic *pic, struct l1vmm_pic_chip *c, u8 val)
{
	u8 edge_irr = c->irr & ~c->elcr;
	unsigned int irq;

	/* Single mode (bit 1) and level-triggered mode (bit 3) are not modelled, as KVM. */
	c->init4 = val & 1;
	c->last_irr = 0;
	c->irr &= c->elcr;
	c->imr = 0;
	c->priority_add = 0;
	c->special_mask = 0;
	c->read_reg_select = 0;
	if (!c->init4) {
		c->special_fully_nested_mode = 0;
		c->auto_eoi = 0;
	}
	c->init_state = 1;
	if (!pic->accepted)
		return;
	for (irq = 0; irq < 8; irq++)
		if (edge_irr & BIT(irq))
			clear_isr(pic, c, irq);
}

static void ocw2(struct l1vmm_pic *pic, struct l1vmm_pic_chip *c, u8 val)
{
	unsigned int cmd = val >> 5, prio, irq;

	switch (cmd) {
	case 0:		/* rotate in auto-EOI mode: clear */
	case 4:		/* ... set */
		c->rotate_on_auto_eoi = cmd >> 2;
		break;
	case 1:		/* non-specific EOI */
	case 5:		/* ... and rotate */
		prio = get_priority(c, c->isr);
		if (prio == NO_IRQ)
			break;
		irq = (prio + c->priority_add) & 7;
		if (cmd == 5)
			c->priority_add = (irq + 1) & 7;
		clear_isr(pic, c, irq);
		update_irq(pic);
		break;
	case 3:		/* specific EOI */
		clear_isr(pic, c, val & 7);
		update_irq(pic);
		break;
	case 6:		/* set priority: IRQ val & 7 the lowest */
		c->priority_add = (val + 1) & 7;
		update_irq(pic);
		break;
	case 7:		/* specific EOI and rotate */
		irq = val & 7;
		c->priority_add = (irq + 1) & 7;
		clear_isr(pic, c, irq);
		update_irq(pic);
		break;
	default:	/* 2: no operation */
		break;
	}
}

static void ocw3(struct l1vmm_pic_chip *c, u8 val)
{
	if (val & 0x04)
		c->poll = 1;
	if (val & 0x02)
		c->read_reg_select = val & 1;
	if (val & 0x40)
		c->special_mask = (val >> 5) & 1;
}

/* A write to the data port: OCW1 (IMR), or ICW2-ICW4 during initialisation. */
static void data_write(struct l1vmm_pic *pic, struct l1vmm_pic_chip *c, u8 val)
{
	unsigned int off = is_slave(pic, c) ? 8 : 0;

	switch (c->init_state) {
	case 0:
		pic->mask_changed |= (u16)(c->imr ^ val) << off;
		c->imr = val;
		update_irq(pic);
		break;
	case 1:
		c->irq_base = val & 0xf8;
		c->init_state = 2;
		break;
	case 2:		/* ICW3: the cascade is fixed on IRQ2 */
		c->init_state = c->init4 ? 3 : 0;
		break;
	case 3:
		c->special_fully_nested_mode = (val >> 4) & 1;
		c->auto_eoi = (val >> 1) & 1;
		c->init_state = 0;
		break;
	}
}

/* The ports the pair decodes: two per chip, and the two ELCRs. */
static bool pic_port(u16 port)
{
	switch (port) {
	case L1VMM_PIC_MASTER:
	case L1VMM_PIC_MASTER + 1:
	case L1VMM_PIC_SLAVE:
	case L1VMM_PIC_SLAVE + 1:
	case L1VMM_PIC_ELCR:
	case L1VMM_PIC_ELCR + 1:
		return true;
	default:
		return false;
	}
}

bool l1vmm_pic_write(struct l1vmm_pic *pic, u16 port, unsigned int len, u8 val)
{
	struct l1vmm_pic_chip *c;

	if (!pic_port(port))
		return false;
	if (len != 1)
		return true;
	if (port >= L1VMM_PIC_ELCR) {
		c = &pic->chip[port & 1];
		c->elcr = val & c->elcr_mask;
		return true;
	}
	c = &pic->chip[port >> 7];
	if (port & 1)
		data_write(pic, c, val);
	else if (val & 0x10)
		icw1(pic, c, val);
	else if (val & 0x08)
		ocw3(c, val);
	else
		ocw2(pic, c, val);
	return true;
}

/* A read after OCW3 poll: the highest request, acknowledged, or 7 (KVM's pic_poll_read()). */
static u8 poll_read(struct l1vmm_pic *pic, struct l1vmm_pic_chip *c)
{
	struct l1vmm_pic_chip *m = &pic->chip[0];
	int irq = get_irq(pic, c);

	if (irq < 0) {
		update_irq(pic);
		return 7;
	}
	if (is_slave(pic, c)) {
		m->isr &= ~BIT(2);
		m->irr &= ~BIT(2);
	}
	c->irr &= ~BIT(irq);
	clear_isr(pic, c, irq);
	if (is_slave(pic, c) || irq != 2)
		update_irq(pic);
	return irq;
}

bool l1vmm_pic_read(struct l1vmm_pic *pic, u16 port, unsigned int len, u8 *val)
{
	struct l1vmm_pic_chip *c;

	if (!pic_port(port))
		return false;
	*val = 0;
	if (len != 1)
		return true;
	if (port >= L1VMM_PIC_ELCR) {
		*val = pic->chip[port & 1].elcr;
		return true;
	}
	c = &pic->chip[port >> 7];
	if (c->poll) {
		*val = poll_read(pic, c);
		c->poll = 0;
	} else if (port & 1) {
		*val = c->imr;
	} else {
		*val = c->read_reg_select ? c->isr : c->irr;
	}
	return true;
}

void l1vmm_pic_set_state(struct l1vmm_pic *pic, bool slave, const struct l1vmm_pic_chip *s)
{
	pic->chip[slave] = *s;
	update_irq(pic);
}
