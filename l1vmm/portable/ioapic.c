// SPDX-License-Identifier: GPL-2.0-only
/*
 * The I/O APIC; see ioapic.h. Register layout from the Intel 82093AA
 * datasheet, behaviour as KVM 6.1's.
 */
#include "l1vmm/portable/ioapic.h"

_Static_assert(sizeof(struct l1vmm_ioapic_state) == 216, "struct kvm_ioapic_state");

#define ALL_ONES	0xffffffffU

static bool level_pin(u64 entry)
{
	return entry & L1VMM_IOAPIC_LEVEL;
}

void l1vmm_ioapic_reset(struct l1vmm_ioapic *io)
{
	unsigned int i;

	/* Only the mask bits change: the rest of each entry is kept, as KVM does. */
	for (i = 0; i < L1VMM_IOAPIC_NUM_PINS; i++) {
		io->s.redirtbl[i] |= L1VMM_IOAPIC_MASKED;
		io->eoi_count[i] = 0;
	}
	io->s.base_address = L1VMM_IOAPIC_DEFAULT_BASE;
	io->s.ioregsel = 0;
	io->s.irr = 0;
	io->s.id = 0;
	io->irr_delivered = 0;
}

void l1vmm_ioapic_entry_irq(u64 entry, struct l1vmm_apic_irq *irq)
{
	memset(irq, 0, sizeof(*irq));
	irq->dest = entry >> L1VMM_IOAPIC_DEST_SHIFT;
	irq->vector = entry & L1VMM_IOAPIC_VECTOR;
	irq->delivery_mode = (entry >> L1VMM_IOAPIC_DM_SHIFT) & 7;
	irq->logical = entry & L1VMM_IOAPIC_LOGICAL;
	irq->trig_level = level_pin(entry);
	irq->level = true;
	irq->shorthand = L1VMM_APIC_SH_NONE;
}

/*
 * Send @pin's message unless it is masked or, level-triggered, still
 * waiting for its EOI (KVM's ioapic_service()). False (KVM's -1) when not.
 */
static bool service(struct l1vmm_ioapic *io, unsigned int pin, struct l1vmm_ioapic_out *out)
{
	u64 e = io->s.redirtbl[pin];

	if ((e & L1VMM_IOAPIC_MASKED) || (level_pin(e) && (e & L1VMM_IOAPIC_REMOTE_IRR)))
		return false;
	if (!level_pin(e))
		io->irr_delivered |= BIT(pin);
	l1vmm_ioapic_entry_irq(e, &out->msg[pin]);
	out->deliver |= BIT(pin);
	return true;
}

int l1vmm_ioapic_delivered(struct l1vmm_ioapic *io, unsigned int pin, int ret)
{
	if (pin >= L1VMM_IOAPIC_NUM_PINS)
		return ret;
	pin = array_index_nospec(pin, L1VMM_IOAPIC_NUM_PINS);
	/* No destination at all (-1) counts as sent, as in KVM. */
	if (ret && level_pin(io->s.redirtbl[pin]))
		io->s.redirtbl[pin] |= L1VMM_IOAPIC_REMOTE_IRR;
	return ret;
}

/* The pin's line is now at @level (KVM's ioapic_set_irq()). */
static int set_line(struct l1vmm_ioapic *io, unsigned int pin, bool level,
		    struct l1vmm_ioapic_out *out)
{
	u32 mask = BIT(pin), old = io->s.irr;

	if (!level) {
		io->s.irr &= ~mask;
		return 1;
	}
	io->s.irr |= mask;
	if (!level_pin(io->s.redirtbl[pin])) {
		io->irr_delivered &= ~mask;
		/* An edge needs a rising line. */
		if (old == io->s.irr)
			return 0;
	}
	return service(io, pin, out) ? 1 : -1;
}

int l1vmm_ioapic_set_irq(struct l1vmm_ioapic *io, unsigned int pin, unsigned int source,
			 bool level, struct l1vmm_ioapic_out *out)
{
	if (pin >= L1VMM_IOAPIC_NUM_PINS || source >= 8 * sizeof(unsigned long))
		return -EINVAL;
	pin = array_index_nospec(pin, L1VMM_IOAPIC_NUM_PINS);
	if (level)
		io->line[pin] |= 1UL << source;
	else
		io->line[pin] &= ~(1UL << source);
	return set_line(io, pin, io->line[pin] != 0, out);
}

void l1vmm_ioapic_clear_source(struct l1vmm_ioapic *io, unsigned int source)
{
	unsigned int i;

	if (source >= 8 * sizeof(unsigned long))
		return;
	for (i = 0; i < L1VMM_IOAPIC_NUM_PINS; i++)
		io->line[i] &= ~(1UL << source);
}

static u32 read_indirect(const struct l1vmm_ioapic *io)
{
	u32 sel = io->s.ioregsel, pin;
	u64 e = ~0ULL;

	switch (sel) {
	case L1VMM_IOAPIC_REG_VERSION:
		return ((L1VMM_IOAPIC_NUM_PINS - 1) << 16) | L1VMM_IOAPIC_VERSION;
	case L1VMM_IOAPIC_REG_ID:
	case L1VMM_IOAPIC_REG_ARB:
		return (io->s.id & 0xf) << 24;
	default:
		/* 0x03-0x0f and beyond the table read all ones. */
		pin = (sel - L1VMM_IOAPIC_REG_REDIR) >> 1;
		if (sel >= L1VMM_IOAPIC_REG_REDIR && pin < L1VMM_IOAPIC_NUM_PINS)
			e = io->s.redirtbl[array_index_nospec(pin, L1VMM_IOAPIC_NUM_PINS)];
		return (sel & 1) ? e >> 32 : (u32)e;
	}
}

static void write_redir(struct l1vmm_ioapic *io, unsigned int pin, u32 val,
			struct l1vmm_ioapic_out *out)
{
	const u64 ro = L1VMM_IOAPIC_REMOTE_IRR | L1VMM_IOAPIC_DELIV_STATUS;
	u64 old = io->s.redirtbl[pin], e;

	if (io->s.ioregsel & 1)
		e = (old & ALL_ONES) | (u64)val << 32;
	else
		e = (old & ~(u64)ALL_ONES) | val;
	/* Remote IRR and delivery status are read-only. */
	e = (e & ~ro) | (old & ro);
	/*
	 * Linux and Xen clear a stuck remote IRR by switching the pin to edge
	 * (an IOAPIC without an EOI register): an edge pin has none.
	 */
	if (!level_pin(e))
		e &= ~L1VMM_IOAPIC_REMOTE_IRR;
	io->s.redirtbl[pin] = e;
	if ((old ^ e) & L1VMM_IOAPIC_MASKED)
		out->mask_changed |= BIT(pin);
	if (level_pin(e) && (io->s.irr & BIT(pin)))
		service(io, pin, out);
	out->scan = true;
}

static void write_indirect(struct l1vmm_ioapic *io, u32 val, struct l1vmm_ioapic_out *out)
{
	u32 sel = io->s.ioregsel, pin;

	switch (sel) {
	case L1VMM_IOAPIC_REG_VERSION:
	case L1VMM_IOAPIC_REG_ARB:
		return;		/* read-only */
	case L1VMM_IOAPIC_REG_ID:
		io->s.id = (val >> 24) & 0xf;
		return;
	default:
		pin = (sel - L1VMM_IOAPIC_REG_REDIR) >> 1;
		if (sel < L1VMM_IOAPIC_REG_REDIR || pin >= L1VMM_IOAPIC_NUM_PINS)
			return;
		write_redir(io, array_index_nospec(pin, L1VMM_IOAPIC_NUM_PINS), val, out);
	}
}

u64 l1vmm_ioapic_mmio_read(struct l1vmm_ioapic *io, u32 off, unsigned int len)
{
	u32 val;

	switch (off & 0xff) {
	case L1VMM_IOAPIC_REGSEL:
		val = io->s.ioregsel;
		break;
	case L1VMM_IOAPIC_WINDOW:
		val = read_indirect(io);
		break;
	default:
		val = 0;
		break;
	}
	switch (len) {
	case 1:
		return (u8)val;
	case 2:
		return (u16)val;
	case 4:
	case 8:
		return val;
	default:
		return 0;
	}
}

void l1vmm_ioapic_mmio_write(struct l1vmm_ioapic *io, u32 off, unsigned int len, u64 val,
			     struct l1vmm_ioapic_out *out)
{
	u32 data;

	switch (len) {
	case 1:
		data = (u8)val;
		break;
	case 2:
		data = (u16)val;
		break;
	case 4:
	case 8:
		data = (u32)val;
		break;
	default:
		return;
	}
	switch (off & 0xff) {
	case L1VMM_IOAPIC_REGSEL:
		io->s.ioregsel = data & 0xff;
		break;
	case L1VMM_IOAPIC_WINDOW:
		write_indirect(io, data, out);
		break;
	}
}

void l1vmm_ioapic_eoi(struct l1vmm_ioapic *io, u8 vector, bool level, bool directed_eoi,
		      struct l1vmm_ioapic_out *out)
{
	unsigned int pin;
	u64 *e;

	for (pin = 0; pin < L1VMM_IOAPIC_NUM_PINS; pin++) {
		e = &io->s.redirtbl[pin];
		if ((*e & L1VMM_IOAPIC_VECTOR) != vector)
			continue;
		out->acked |= BIT(pin);
		/* An edge EOI, or one the guest means for an IOAPIC EOI register. */
		if (!level || directed_eoi)
			continue;
		*e &= ~L1VMM_IOAPIC_REMOTE_IRR;
		if ((*e & L1VMM_IOAPIC_MASKED) || !(io->s.irr & BIT(pin))) {
			io->eoi_count[pin] = 0;
			continue;
		}
		/*
		 * Hardware does not re-deliver during the EOI broadcast: after
		 * many at once, wait a little so a guest that never quiets the
		 * line still makes progress.
		 */
		if (++io->eoi_count[pin] == L1VMM_IOAPIC_EOI_STORM) {
			io->eoi_count[pin] = 0;
			out->defer = true;
			continue;
		}
		service(io, pin, out);
	}
}

void l1vmm_ioapic_eoi_inject(struct l1vmm_ioapic *io, struct l1vmm_ioapic_out *out)
{
	unsigned int pin;
	u64 e;

	for (pin = 0; pin < L1VMM_IOAPIC_NUM_PINS; pin++) {
		e = io->s.redirtbl[pin];
		if (level_pin(e) && (io->s.irr & BIT(pin)) && !(e & L1VMM_IOAPIC_REMOTE_IRR))
			service(io, pin, out);
	}
}

void l1vmm_ioapic_get_state(const struct l1vmm_ioapic *io, struct l1vmm_ioapic_state *s)
{
	*s = io->s;
	s->irr &= ~io->irr_delivered;
}

void l1vmm_ioapic_set_state(struct l1vmm_ioapic *io, const struct l1vmm_ioapic_state *s,
			    struct l1vmm_ioapic_out *out)
{
	u32 irr = s->irr;
	unsigned int pin;

	io->s = *s;
	io->s.irr = 0;
	io->irr_delivered = 0;
	out->scan = true;
	for (pin = 0; pin < L1VMM_IOAPIC_NUM_PINS; pin++)
		if (irr & BIT(pin))
			set_line(io, pin, true, out);
}

void l1vmm_ioapic_handled_vectors(const struct l1vmm_ioapic *io, const struct l1vmm_apic *apic,
				  u32 notified, bool broadcast_quirk_off, u64 vectors[4])
{
	struct l1vmm_apic_irq irq;
	unsigned int pin;
	u64 e;

	for (pin = 0; pin < L1VMM_IOAPIC_NUM_PINS; pin++) {
		e = io->s.redirtbl[pin];
		/* KVM always tracks the RTC's pin (for its coalescing check). */
		if (!level_pin(e) && !(notified & BIT(pin)) && pin != L1VMM_IOAPIC_RTC_PIN)
			continue;
		l1vmm_ioapic_entry_irq(e, &irq);
		if (l1vmm_apic_match_dest(apic, NULL, &irq, broadcast_quirk_off) ||
		    l1vmm_apic_test_vec(apic, L1VMM_APIC_ISR, irq.vector))
			vectors[irq.vector / 64] |= BIT_ULL(irq.vector % 64);
	}
}
