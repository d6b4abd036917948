// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/portable/ioapic.c l1vmm/portable/apic.c
/*
 * Host unit test of the I/O APIC (l1vmm/portable/ioapic.c) against what
 * KVM 6.1 does (arch/x86/kvm/ioapic.c).
 */
#include <stddef.h>
#include <linux/kvm.h>

#include "ktap.h"
#include "l1vmm/portable/ioapic.h"

#define SAME_FIELD(f)							\
	_Static_assert(offsetof(struct l1vmm_ioapic_state, f) ==		\
		       offsetof(struct kvm_ioapic_state, f), #f)
_Static_assert(sizeof(struct l1vmm_ioapic_state) == sizeof(struct kvm_ioapic_state), "size");
_Static_assert(L1VMM_IOAPIC_NUM_PINS == KVM_IOAPIC_NUM_PINS, "pins");
SAME_FIELD(base_address);
SAME_FIELD(ioregsel);
SAME_FIELD(id);
SAME_FIELD(irr);
SAME_FIELD(redirtbl);

#define LEVEL		L1VMM_IOAPIC_LEVEL
#define MASKED		L1VMM_IOAPIC_MASKED
#define RIRR		L1VMM_IOAPIC_REMOTE_IRR
#define DEST(d)		((u64)(d) << L1VMM_IOAPIC_DEST_SHIFT)

static struct l1vmm_ioapic_out out;

static void setup(struct l1vmm_ioapic *io)
{
	memset(io, 0, sizeof(*io));
	memset(&out, 0, sizeof(out));
	l1vmm_ioapic_reset(io);
}

static void sel(struct l1vmm_ioapic *io, u32 reg)
{
	l1vmm_ioapic_mmio_write(io, L1VMM_IOAPIC_REGSEL, 4, reg, &out);
}

static u32 rd(struct l1vmm_ioapic *io, u32 reg)
{
	sel(io, reg);
	return l1vmm_ioapic_mmio_read(io, L1VMM_IOAPIC_WINDOW, 4);
}

static void wr(struct l1vmm_ioapic *io, u32 reg, u32 val)
{
	sel(io, reg);
	l1vmm_ioapic_mmio_write(io, L1VMM_IOAPIC_WINDOW, 4, val, &out);
}

/* Program pin @pin's whole entry through the window, as a guest does. */
static void program(struct l1vmm_ioapic *io, unsigned int pin, u64 e)
{
	wr(io, 0x11 + 2 * pin, e >> 32);
	wr(io, 0x10 + 2 * pin, (u32)e);
	memset(&out, 0, sizeof(out));
}

/* The entry bits are where the uAPI's bitfields put them. */
static void test_layout(void)
{
	struct kvm_ioapic_state k;

	memset(&k, 0, sizeof(k));
	k.redirtbl[0].fields.vector = 0xff;
	ASSERT_EQ(L1VMM_IOAPIC_VECTOR, k.redirtbl[0].bits);
	k.redirtbl[1].fields.delivery_mode = 7;
	ASSERT_EQ(7ULL << L1VMM_IOAPIC_DM_SHIFT, k.redirtbl[1].bits);
	k.redirtbl[2].fields.dest_mode = 1;
	ASSERT_EQ(L1VMM_IOAPIC_LOGICAL, k.redirtbl[2].bits);
	k.redirtbl[3].fields.delivery_status = 1;
	ASSERT_EQ(L1VMM_IOAPIC_DELIV_STATUS, k.redirtbl[3].bits);
	k.redirtbl[4].fields.polarity = 1;
	ASSERT_EQ(L1VMM_IOAPIC_POLARITY, k.redirtbl[4].bits);
	k.redirtbl[5].fields.remote_irr = 1;
	ASSERT_EQ(L1VMM_IOAPIC_REMOTE_IRR, k.redirtbl[5].bits);
	k.redirtbl[6].fields.trig_mode = 1;
	ASSERT_EQ(L1VMM_IOAPIC_LEVEL, k.redirtbl[6].bits);
	k.redirtbl[7].fields.mask = 1;
	ASSERT_EQ(L1VMM_IOAPIC_MASKED, k.redirtbl[7].bits);
	k.redirtbl[8].fields.dest_id = 0xff;
	ASSERT_EQ(0xffULL << L1VMM_IOAPIC_DEST_SHIFT, k.redirtbl[8].bits);
}

static void test_registers(void)
{
	struct l1vmm_ioapic io;
	unsigned int i;

	setup(&io);
	ASSERT_EQ(L1VMM_IOAPIC_DEFAULT_BASE, io.s.base_address);
	/* Version 0x11, 24 pins (max redirection entry 23). */
	ASSERT_EQ(0x170011, rd(&io, 1));
	wr(&io, 1, 0);
	ASSERT_EQ(0x170011, rd(&io, 1));
	/* ID: bits 27:24; arbitration reads the same, is read-only. */
	ASSERT_EQ(0, rd(&io, 0));
	wr(&io, 0, 0xffffffffU);
	ASSERT_EQ(0x0f000000, rd(&io, 0));
	ASSERT_EQ(0x0f000000, rd(&io, 2));
	ASSERT_EQ(0xf, io.s.id);
	wr(&io, 2, 0);
	ASSERT_EQ(0x0f000000, rd(&io, 0));
	/* Reserved selectors and pins beyond 23 read all ones. */
	ASSERT_EQ(0xffffffffU, rd(&io, 3));
	ASSERT_EQ(0xffffffffU, rd(&io, 0xf));
	ASSERT_EQ(0xffffffffU, rd(&io, 0x40));
	ASSERT_EQ(0xffffffffU, rd(&io, 0xff));
	/* Every pin masked after reset. */
	for (i = 0; i < L1VMM_IOAPIC_NUM_PINS; i++) {
		ASSERT_EQ(0x10000, rd(&io, 0x10 + 2 * i));
		ASSERT_EQ(0, rd(&io, 0x11 + 2 * i));
	}
	/* IOREGSEL is 8 bits and reads back. */
	sel(&io, 0x1234);
	ASSERT_EQ(0x34, l1vmm_ioapic_mmio_read(&io, 0, 4));
	ASSERT_EQ(0x34, io.s.ioregsel);
	/* Other offsets read 0; narrow reads take the low bytes; odd sizes 0. */
	ASSERT_EQ(0, l1vmm_ioapic_mmio_read(&io, 0x20, 4));
	ASSERT_EQ(0, l1vmm_ioapic_mmio_read(&io, 0x04, 4));
	sel(&io, 1);
	ASSERT_EQ(0x11, l1vmm_ioapic_mmio_read(&io, 0x10, 1));
	ASSERT_EQ(0x11, l1vmm_ioapic_mmio_read(&io, 0x10, 2));
	ASSERT_EQ(0x170011, l1vmm_ioapic_mmio_read(&io, 0x10, 8));
	ASSERT_EQ(0, l1vmm_ioapic_mmio_read(&io, 0x10, 3));
	/* A byte write to IOREGSEL; a 3-byte write is dropped. */
	l1vmm_ioapic_mmio_write(&io, 0, 1, 0x312, &out);
	ASSERT_EQ(0x12, io.s.ioregsel);
	l1vmm_ioapic_mmio_write(&io, 0, 3, 0x10, &out);
	ASSERT_EQ(0x12, io.s.ioregsel);
	/* The window offset is taken modulo 256. */
	ASSERT_EQ(0x12, l1vmm_ioapic_mmio_read(&io, 0x100, 4));
}

static void test_redirection(void)
{
	struct l1vmm_ioapic io;

	setup(&io);
	/* Everything but remote IRR and delivery status is writable, reserved bits too. */
	wr(&io, 0x10 + 2 * 5, 0xffffffffU);
	ASSERT_EQ(0xffffafffU, rd(&io, 0x10 + 2 * 5));
	wr(&io, 0x11 + 2 * 5, 0xffffffffU);
	ASSERT_EQ(0xffffffffU, rd(&io, 0x11 + 2 * 5));
	ASSERT_EQ(0xffffffffffffafffULL, io.s.redirtbl[5]);
	/* The halves are independent. */
	wr(&io, 0x10 + 2 * 5, 0x30);
	ASSERT_EQ(0xffffffff00000030ULL, io.s.redirtbl[5]);
	/* Remote IRR survives a write to a level pin, not a switch to edge. */
	io.s.redirtbl[5] = LEVEL | RIRR | 0x30;
	wr(&io, 0x10 + 2 * 5, LEVEL | 0x31);
	ASSERT_EQ(LEVEL | RIRR | 0x31, io.s.redirtbl[5]);
	wr(&io, 0x10 + 2 * 5, RIRR | 0x31);
	ASSERT_EQ(0x31, io.s.redirtbl[5]);
	/* Writing the entry asks for a scan; the mask bit for the mask notifiers. */
	memset(&out, 0, sizeof(out));
	wr(&io, 0x10 + 2 * 5, 0x31 | MASKED);
	TEST_ASSERT(out.scan, "no scan");
	ASSERT_EQ(BIT(5), out.mask_changed);
	memset(&out, 0, sizeof(out));
	wr(&io, 0x11 + 2 * 5, 0);
	ASSERT_EQ(0, out.mask_changed);
	ASSERT_EQ(0, out.deliver);
	/* Pin 23 exists, 24 does not. */
	wr(&io, 0x10 + 2 * 23, 0x40);
	ASSERT_EQ(0x40, io.s.redirtbl[23]);
	wr(&io, 0x10 + 2 * 24, 0x40);
	ASSERT_EQ(0xffffffffU, rd(&io, 0x10 + 2 * 24));
}

static void test_entry_irq(void)
{
	struct l1vmm_apic_irq irq;

	l1vmm_ioapic_entry_irq(DEST(0x3c) | LEVEL | L1VMM_IOAPIC_LOGICAL | 0x100 | 0x61, &irq);
	ASSERT_EQ(0x3c, irq.dest);
	ASSERT_EQ(0x61, irq.vector);
	ASSERT_EQ(L1VMM_APIC_DM_LOWEST, irq.delivery_mode);
	TEST_ASSERT(irq.logical && irq.trig_level && irq.level, "flags");
	ASSERT_EQ(L1VMM_APIC_SH_NONE, irq.shorthand);
	l1vmm_ioapic_entry_irq(0x400 | L1VMM_IOAPIC_POLARITY, &irq);
	ASSERT_EQ(L1VMM_APIC_DM_NMI, irq.delivery_mode);
	TEST_ASSERT(!irq.logical && !irq.trig_level && irq.level, "flags");
}

static void test_edge(void)
{
	struct l1vmm_ioapic io;
	struct l1vmm_ioapic_state st;

	setup(&io);
	/* Masked: nothing goes out, the IRR holds the line. */
	ASSERT_EQ(-1, l1vmm_ioapic_set_irq(&io, 4, 0, true, &out));
	ASSERT_EQ(0, out.deliver);
	ASSERT_EQ(BIT(4), io.s.irr);
	ASSERT_EQ(1, l1vmm_ioapic_set_irq(&io, 4, 0, false, &out));
	ASSERT_EQ(0, io.s.irr);

	program(&io, 4, DEST(1) | 0x34);
	ASSERT_EQ(1, l1vmm_ioapic_set_irq(&io, 4, 0, true, &out));
	ASSERT_EQ(BIT(4), out.deliver);
	ASSERT_EQ(0x34, out.msg[4].vector);
	ASSERT_EQ(1, out.msg[4].dest);
	TEST_ASSERT(!out.msg[4].trig_level, "edge sent as level");
	ASSERT_EQ(1, l1vmm_ioapic_delivered(&io, 4, 1));
	ASSERT_EQ(0, io.s.redirtbl[4] & RIRR);	/* no remote IRR on an edge */
	/* Get state hides a delivered edge. */
	l1vmm_ioapic_get_state(&io, &st);
	ASSERT_EQ(0, st.irr);
	ASSERT_EQ(BIT(4), io.s.irr);
	/* Still high: coalesced, nothing sent. */
	memset(&out, 0, sizeof(out));
	ASSERT_EQ(0, l1vmm_ioapic_set_irq(&io, 4, 0, true, &out));
	ASSERT_EQ(0, out.deliver);
	/* Another source asserting the same pin: no edge either. */
	ASSERT_EQ(0, l1vmm_ioapic_set_irq(&io, 4, 1, true, &out));
	/* One source dropping keeps the line high. */
	ASSERT_EQ(0, l1vmm_ioapic_set_irq(&io, 4, 0, false, &out));
	ASSERT_EQ(BIT(4), io.s.irr);
	ASSERT_EQ(1, l1vmm_ioapic_set_irq(&io, 4, 1, false, &out));
	ASSERT_EQ(0, io.s.irr);
	/* Falling then rising: a new edge. */
	ASSERT_EQ(1, l1vmm_ioapic_set_irq(&io, 4, 0, true, &out));
	ASSERT_EQ(BIT(4), out.deliver);
	/* An edge pin's EOI only acks. */
	memset(&out, 0, sizeof(out));
	l1vmm_ioapic_eoi(&io, 0x34, false, false, &out);
	ASSERT_EQ(BIT(4), out.acked);
	ASSERT_EQ(0, out.deliver);
	/* A source forgotten: its assertion no longer holds the line. */
	l1vmm_ioapic_set_irq(&io, 4, 2, true, &out);
	l1vmm_ioapic_clear_source(&io, 2);
	ASSERT_EQ(BIT(4), io.s.irr);			/* the IRR is left alone */
	ASSERT_EQ(1, l1vmm_ioapic_set_irq(&io, 4, 0, false, &out));
	ASSERT_EQ(0, io.s.irr);
	/* Bad pin or source. */
	ASSERT_EQ(-EINVAL, l1vmm_ioapic_set_irq(&io, 24, 0, true, &out));
	ASSERT_EQ(-EINVAL, l1vmm_ioapic_set_irq(&io, 0, 8 * sizeof(long), true, &out));
}

static void test_level(void)
{
	struct l1vmm_ioapic io;

	setup(&io);
	program(&io, 10, DEST(2) | LEVEL | 0x5a);
	ASSERT_EQ(1, l1vmm_ioapic_set_irq(&io, 10, 0, true, &out));
	ASSERT_EQ(BIT(10), out.deliver);
	TEST_ASSERT(out.msg[10].trig_level && out.msg[10].level, "level message");
	ASSERT_EQ(1, l1vmm_ioapic_delivered(&io, 10, 1));
	TEST_ASSERT(io.s.redirtbl[10] & RIRR, "remote IRR not set");
	ASSERT_EQ(RIRR, rd(&io, 0x10 + 2 * 10) & RIRR);
	/* Awaiting EOI: a new assertion is not sent. */
	memset(&out, 0, sizeof(out));
	ASSERT_EQ(-1, l1vmm_ioapic_set_irq(&io, 10, 1, true, &out));
	ASSERT_EQ(0, out.deliver);
	/* EOI with the line still high: remote IRR clear, sent again. */
	l1vmm_ioapic_eoi(&io, 0x5a, true, false, &out);
	ASSERT_EQ(BIT(10), out.acked);
	ASSERT_EQ(BIT(10), out.deliver);
	ASSERT_EQ(0, io.s.redirtbl[10] & RIRR);
	l1vmm_ioapic_delivered(&io, 10, 1);
	/* The line drops; the EOI clears remote IRR and sends nothing. */
	l1vmm_ioapic_set_irq(&io, 10, 0, false, &out);
	l1vmm_ioapic_set_irq(&io, 10, 1, false, &out);
	memset(&out, 0, sizeof(out));
	l1vmm_ioapic_eoi(&io, 0x5a, true, false, &out);
	ASSERT_EQ(0, out.deliver);
	ASSERT_EQ(0, io.s.redirtbl[10] & RIRR);
	/* An EOI for another vector, or an edge EOI, leaves remote IRR alone. */
	l1vmm_ioapic_set_irq(&io, 10, 0, true, &out);
	l1vmm_ioapic_delivered(&io, 10, 1);
	memset(&out, 0, sizeof(out));
	l1vmm_ioapic_eoi(&io, 0x5b, true, false, &out);
	ASSERT_EQ(0, out.acked);
	l1vmm_ioapic_eoi(&io, 0x5a, false, false, &out);
	ASSERT_EQ(BIT(10), out.acked);
	TEST_ASSERT(io.s.redirtbl[10] & RIRR, "edge EOI cleared remote IRR");
	/* Directed EOI in the APIC's SPIV: the broadcast does not count. */
	l1vmm_ioapic_eoi(&io, 0x5a, true, true, &out);
	TEST_ASSERT(io.s.redirtbl[10] & RIRR, "directed EOI cleared remote IRR");
	/* Delivered to nobody (0): no remote IRR; no destination at all (-1): set. */
	setup(&io);
	program(&io, 3, LEVEL | 0x40);
	l1vmm_ioapic_set_irq(&io, 3, 0, true, &out);
	ASSERT_EQ(0, l1vmm_ioapic_delivered(&io, 3, 0));
	ASSERT_EQ(0, io.s.redirtbl[3] & RIRR);
	ASSERT_EQ(-1, l1vmm_ioapic_delivered(&io, 3, -1));
	TEST_ASSERT(io.s.redirtbl[3] & RIRR, "-1 left remote IRR clear");
}

/* Unmasking or reprogramming an asserted level pin delivers it. */
static void test_level_unmask(void)
{
	struct l1vmm_ioapic io;

	setup(&io);
	program(&io, 7, LEVEL | MASKED | 0x70);
	ASSERT_EQ(-1, l1vmm_ioapic_set_irq(&io, 7, 0, true, &out));
	ASSERT_EQ(0, out.deliver);
	wr(&io, 0x10 + 2 * 7, LEVEL | 0x70);
	ASSERT_EQ(BIT(7), out.deliver);
	ASSERT_EQ(BIT(7), out.mask_changed);
	/* An edge pin is not re-sent by unmasking. */
	setup(&io);
	program(&io, 7, MASKED | 0x70);
	l1vmm_ioapic_set_irq(&io, 7, 0, true, &out);
	wr(&io, 0x10 + 2 * 7, 0x70);
	ASSERT_EQ(0, out.deliver);
	/* Masked at EOI time: remote IRR clears, nothing sent. */
	setup(&io);
	program(&io, 7, LEVEL | 0x70);
	l1vmm_ioapic_set_irq(&io, 7, 0, true, &out);
	l1vmm_ioapic_delivered(&io, 7, 1);
	wr(&io, 0x10 + 2 * 7, LEVEL | MASKED | 0x70);
	memset(&out, 0, sizeof(out));
	l1vmm_ioapic_eoi(&io, 0x70, true, false, &out);
	ASSERT_EQ(0, out.deliver);
	ASSERT_EQ(0, io.s.redirtbl[7] & RIRR);
}

/* Two pins sharing a vector both hear the EOI. */
static void test_shared_vector(void)
{
	struct l1vmm_ioapic io;

	setup(&io);
	program(&io, 16, LEVEL | 0x80);
	program(&io, 17, LEVEL | 0x80);
	l1vmm_ioapic_set_irq(&io, 16, 0, true, &out);
	l1vmm_ioapic_set_irq(&io, 17, 0, true, &out);
	ASSERT_EQ(BIT(16) | BIT(17), out.deliver);
	l1vmm_ioapic_delivered(&io, 16, 1);
	l1vmm_ioapic_delivered(&io, 17, 1);
	l1vmm_ioapic_set_irq(&io, 17, 0, false, &out);
	memset(&out, 0, sizeof(out));
	l1vmm_ioapic_eoi(&io, 0x80, true, false, &out);
	ASSERT_EQ(BIT(16) | BIT(17), out.acked);
	ASSERT_EQ(BIT(16), out.deliver);
}

/* A line that stays asserted through 10000 EOIs waits for the deferred work. */
static void test_eoi_storm(void)
{
	struct l1vmm_ioapic io;
	unsigned int i;

	setup(&io);
	program(&io, 9, LEVEL | 0x99);
	l1vmm_ioapic_set_irq(&io, 9, 0, true, &out);
	l1vmm_ioapic_delivered(&io, 9, 1);
	for (i = 1; i < L1VMM_IOAPIC_EOI_STORM; i++) {
		memset(&out, 0, sizeof(out));
		l1vmm_ioapic_eoi(&io, 0x99, true, false, &out);
		if (out.deliver != BIT(9) || out.defer)
			TEST_FAIL("EOI %u: deliver %#x defer %d", i, out.deliver, out.defer);
		l1vmm_ioapic_delivered(&io, 9, 1);
	}
	memset(&out, 0, sizeof(out));
	l1vmm_ioapic_eoi(&io, 0x99, true, false, &out);
	ASSERT_EQ(0, out.deliver);
	TEST_ASSERT(out.defer, "no deferral");
	ASSERT_EQ(0, io.s.redirtbl[9] & RIRR);
	/* The deferred work sends it. */
	memset(&out, 0, sizeof(out));
	l1vmm_ioapic_eoi_inject(&io, &out);
	ASSERT_EQ(BIT(9), out.deliver);
	l1vmm_ioapic_delivered(&io, 9, 1);
	/* And the count started over. */
	memset(&out, 0, sizeof(out));
	l1vmm_ioapic_eoi(&io, 0x99, true, false, &out);
	ASSERT_EQ(BIT(9), out.deliver);
	/* The work skips a pin awaiting EOI. */
	l1vmm_ioapic_delivered(&io, 9, 1);
	memset(&out, 0, sizeof(out));
	l1vmm_ioapic_eoi_inject(&io, &out);
	ASSERT_EQ(0, out.deliver);
}

static void test_state(void)
{
	struct l1vmm_ioapic io;
	struct l1vmm_ioapic_state st = { 0 };

	setup(&io);
	st.base_address = L1VMM_IOAPIC_DEFAULT_BASE;
	st.id = 3;
	st.ioregsel = 0x12;
	st.irr = BIT(1) | BIT(2) | BIT(3);
	st.redirtbl[1] = 0x41;			/* edge: sent */
	st.redirtbl[2] = LEVEL | 0x42;		/* level: sent */
	st.redirtbl[3] = LEVEL | RIRR | 0x43;	/* awaiting EOI: not */
	l1vmm_ioapic_set_state(&io, &st, &out);
	TEST_ASSERT(out.scan, "no scan");
	ASSERT_EQ(BIT(1) | BIT(2), out.deliver);
	ASSERT_EQ(st.irr, io.s.irr);
	ASSERT_EQ(3, io.s.id);
	ASSERT_EQ(0x12, io.s.ioregsel);
	/* The ID register shows 4 bits of whatever the state held. */
	io.s.id = 0x1f;
	ASSERT_EQ(0x0f000000, rd(&io, 0));
	l1vmm_ioapic_delivered(&io, 2, 1);
	l1vmm_ioapic_get_state(&io, &st);
	ASSERT_EQ(BIT(2) | BIT(3), st.irr);	/* the sent edge hidden */
	TEST_ASSERT(st.redirtbl[2] & RIRR, "remote IRR lost");
	/* Reset masks all, keeps the rest of the entries. */
	l1vmm_ioapic_reset(&io);
	ASSERT_EQ(MASKED | LEVEL | RIRR | 0x43, io.s.redirtbl[3]);
	ASSERT_EQ(0, io.s.irr);
	ASSERT_EQ(0, io.s.id);
}

static void test_handled_vectors(void)
{
	struct l1vmm_ioapic io;
	struct l1vmm_apic a, b;
	u64 v[4] = { 0 };

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.vcpu_id = 0;
	b.vcpu_id = 1;
	l1vmm_apic_reset(&a, false, true);
	l1vmm_apic_reset(&b, false, false);
	setup(&io);
	program(&io, 1, DEST(0) | LEVEL | 0x51);	/* level to APIC 0 */
	program(&io, 2, DEST(1) | LEVEL | 0x52);	/* level to APIC 1 */
	program(&io, 3, DEST(0) | 0x53);		/* edge, not notified */
	program(&io, 4, DEST(0) | 0x54);		/* edge with a notifier */
	program(&io, 8, DEST(0) | 0x58);		/* the RTC */
	l1vmm_ioapic_handled_vectors(&io, &a, BIT(4), false, v);
	ASSERT_EQ(BIT_ULL(0x51 - 64) | BIT_ULL(0x54 - 64) | BIT_ULL(0x58 - 64), v[1]);
	ASSERT_EQ(0, v[0] | v[2] | v[3]);
	/* A vector still in service counts even when aimed elsewhere now. */
	l1vmm_apic_set_vec(&a, L1VMM_APIC_ISR, 0x52);
	memset(v, 0, sizeof(v));
	l1vmm_ioapic_handled_vectors(&io, &a, 0, false, v);
	ASSERT_EQ(BIT_ULL(0x51 - 64) | BIT_ULL(0x52 - 64) | BIT_ULL(0x58 - 64), v[1]);
	memset(v, 0, sizeof(v));
	l1vmm_ioapic_handled_vectors(&io, &b, 0, false, v);
	ASSERT_EQ(BIT_ULL(0x52 - 64), v[1]);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_layout),
	KTAP_CASE(test_registers),
	KTAP_CASE(test_redirection),
	KTAP_CASE(test_entry_irq),
	KTAP_CASE(test_edge),
	KTAP_CASE(test_level),
	KTAP_CASE(test_level_unmask),
	KTAP_CASE(test_shared_vector),
	KTAP_CASE(test_eoi_storm),
	KTAP_CASE(test_state),
	KTAP_CASE(test_handled_vectors),
};

int main(void)
{
	return ktap_run("ioapic", tests, KTAP_ARRAY_SIZE(tests));
}
