// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/portable/apic.c
/*
 * Host unit test of the local APIC register file (l1vmm/portable/apic.c)
 * against what KVM 6.1 does (arch/x86/kvm/lapic.c).
 */
#include <linux/kvm.h>

#include "ktap.h"
#include "l1vmm/portable/apic.h"

_Static_assert(sizeof(((struct l1vmm_apic *)0)->regs) == sizeof(struct kvm_lapic_state),
	       "the register page is struct kvm_lapic_state");

#define ENABLE		L1VMM_APIC_BASE_ENABLE
#define X2APIC		L1VMM_APIC_BASE_X2APIC
#define BASE		L1VMM_APIC_DEFAULT_BASE

/* A vCPU's APIC after RESET, software-enabled with SPIV 0x1ff. */
static void setup(struct l1vmm_apic *a, u32 id, bool bsp)
{
	struct l1vmm_apic_fx fx = { 0 };

	memset(a, 0, sizeof(*a));
	a->vcpu_id = id;
	a->tsc_deadline = true;
	l1vmm_apic_reset(a, false, bsp);
	ASSERT_EQ(0, l1vmm_apic_reg_write(a, L1VMM_APIC_SPIV, 0x1ff, 0, &fx));
}

static void to_x2apic(struct l1vmm_apic *a)
{
	struct l1vmm_apic_fx fx = { 0 };

	ASSERT_EQ(0, l1vmm_apic_set_base(a, BASE | ENABLE | X2APIC, false, 0, true, &fx));
	TEST_ASSERT(l1vmm_apic_x2apic(a), "not in x2APIC mode");
}

static u32 wr(struct l1vmm_apic *a, u32 off, u32 val)
{
	struct l1vmm_apic_fx fx = { 0 };

	l1vmm_apic_mmio_write(a, off, 4, val, 0, &fx);
	return fx.flags;
}

static u32 rd(struct l1vmm_apic *a, u32 off)
{
	return l1vmm_apic_mmio_read(a, off, 4, 0);
}

static void test_vector_bitmaps(void)
{
	static const u8 vecs[] = { 0, 1, 31, 32, 33, 63, 64, 127, 128, 200, 254, 255 };
	struct l1vmm_apic a = { 0 };
	unsigned int i;

	ASSERT_EQ(-1, l1vmm_apic_highest_vec(&a, L1VMM_APIC_IRR));
	/* Vector v: bit v % 32 of the register at IRR + (v / 32) * 16. */
	l1vmm_apic_set_vec(&a, L1VMM_APIC_IRR, 33);
	ASSERT_EQ(2, a.regs[0x210 / 4]);
	l1vmm_apic_set_vec(&a, L1VMM_APIC_ISR, 255);
	ASSERT_EQ(0x80000000U, a.regs[0x170 / 4]);
	l1vmm_apic_set_vec(&a, L1VMM_APIC_TMR, 0);
	ASSERT_EQ(1, a.regs[0x180 / 4]);
	memset(&a, 0, sizeof(a));

	for (i = 0; i < KTAP_ARRAY_SIZE(vecs); i++) {
		TEST_ASSERT(!l1vmm_apic_test_vec(&a, L1VMM_APIC_IRR, vecs[i]), "vec %u", vecs[i]);
		l1vmm_apic_set_vec(&a, L1VMM_APIC_IRR, vecs[i]);
		TEST_ASSERT(l1vmm_apic_test_vec(&a, L1VMM_APIC_IRR, vecs[i]), "vec %u", vecs[i]);
		ASSERT_EQ(vecs[i], l1vmm_apic_highest_vec(&a, L1VMM_APIC_IRR));
		/* The other bitmaps are untouched. */
		ASSERT_EQ(-1, l1vmm_apic_highest_vec(&a, L1VMM_APIC_ISR));
		ASSERT_EQ(-1, l1vmm_apic_highest_vec(&a, L1VMM_APIC_TMR));
	}
	for (i = KTAP_ARRAY_SIZE(vecs); i-- > 0;) {
		ASSERT_EQ(vecs[i], l1vmm_apic_highest_vec(&a, L1VMM_APIC_IRR));
		l1vmm_apic_clear_vec(&a, L1VMM_APIC_IRR, vecs[i]);
		TEST_ASSERT(!l1vmm_apic_test_vec(&a, L1VMM_APIC_IRR, vecs[i]), "vec %u", vecs[i]);
	}
	ASSERT_EQ(-1, l1vmm_apic_highest_vec(&a, L1VMM_APIC_IRR));
}

static void test_ppr(void)
{
	static const struct { u32 tpr; int isr; u32 ppr; } t[] = {
		{ 0x00, -1, 0x00 },
		{ 0x35, -1, 0x35 },	/* TPR's subclass kept */
		{ 0x00, 0x41, 0x40 },	/* ISR's class, subclass 0 */
		{ 0x45, 0x41, 0x45 },	/* same class: TPR */
		{ 0x45, 0x51, 0x50 },
		{ 0x6f, 0x51, 0x6f },
		{ 0xf0, 0xff, 0xf0 },
		{ 0x1ff, -1, 0xff },	/* TPR bits above 7 ignored */
	};
	unsigned int i;

	for (i = 0; i < KTAP_ARRAY_SIZE(t); i++)
		TEST_ASSERT(l1vmm_apic_ppr_of(t[i].tpr, t[i].isr) == t[i].ppr,
			    "TPR %#x ISR %d: wanted %#x, got %#x", t[i].tpr, t[i].isr, t[i].ppr,
			    l1vmm_apic_ppr_of(t[i].tpr, t[i].isr));
}

static void test_ack_eoi(void)
{
	struct l1vmm_apic a;
	bool level;

	setup(&a, 0, true);
	ASSERT_EQ(-1, l1vmm_apic_has_interrupt(&a));
	ASSERT_EQ(-1, l1vmm_apic_ack(&a));
	/* EOI with nothing in service: nothing to do, legal. */
	ASSERT_EQ(-1, l1vmm_apic_eoi(&a, &level));
	ASSERT_EQ(0, wr(&a, L1VMM_APIC_EOI, 0) & L1VMM_APIC_FX_EOI);

	l1vmm_apic_set_vec(&a, L1VMM_APIC_IRR, 0x31);
	l1vmm_apic_set_vec(&a, L1VMM_APIC_IRR, 0x52);
	/* TPR 0x50 blocks class 5 and below. */
	wr(&a, L1VMM_APIC_TPR, 0x50);
	ASSERT_EQ(0x50, rd(&a, L1VMM_APIC_PPR));
	ASSERT_EQ(-1, l1vmm_apic_has_interrupt(&a));
	wr(&a, L1VMM_APIC_TPR, 0x4f);
	ASSERT_EQ(0x52, l1vmm_apic_has_interrupt(&a));
	wr(&a, L1VMM_APIC_TPR, 0);

	ASSERT_EQ(0x52, l1vmm_apic_ack(&a));
	TEST_ASSERT(!l1vmm_apic_test_vec(&a, L1VMM_APIC_IRR, 0x52), "IRR kept 0x52");
	TEST_ASSERT(l1vmm_apic_test_vec(&a, L1VMM_APIC_ISR, 0x52), "ISR lacks 0x52");
	ASSERT_EQ(0x50, rd(&a, L1VMM_APIC_PPR));
	/* 0x31 waits for the EOI; a higher class preempts. */
	ASSERT_EQ(-1, l1vmm_apic_has_interrupt(&a));
	l1vmm_apic_set_vec(&a, L1VMM_APIC_IRR, 0x5f);
	ASSERT_EQ(-1, l1vmm_apic_has_interrupt(&a));	/* same class: no */
	l1vmm_apic_set_vec(&a, L1VMM_APIC_IRR, 0x60);
	ASSERT_EQ(0x60, l1vmm_apic_ack(&a));
	ASSERT_EQ(0x60, rd(&a, L1VMM_APIC_PPR));

	/* EOI takes the highest in service; its TMR bit says level. */
	l1vmm_apic_set_vec(&a, L1VMM_APIC_TMR, 0x52);
	ASSERT_EQ(0x60, l1vmm_apic_eoi(&a, &level));
	TEST_ASSERT(!level, "0x60 is edge");
	ASSERT_EQ(0x50, rd(&a, L1VMM_APIC_PPR));
	/* 0x5f is of the class still in service. */
	ASSERT_EQ(-1, l1vmm_apic_has_interrupt(&a));
	{
		struct l1vmm_apic_fx fx = { 0 };

		l1vmm_apic_mmio_write(&a, L1VMM_APIC_EOI, 4, 0, 0, &fx);
		ASSERT_EQ(L1VMM_APIC_FX_EOI | L1VMM_APIC_FX_EVENT, fx.flags);
		ASSERT_EQ(0x52, fx.eoi_vector);
		TEST_ASSERT(fx.eoi_level, "0x52 is level");
	}
	ASSERT_EQ(0, rd(&a, L1VMM_APIC_PPR));
	ASSERT_EQ(0x5f, l1vmm_apic_ack(&a));
	ASSERT_EQ(0x5f, l1vmm_apic_eoi(&a, &level));
	ASSERT_EQ(0x31, l1vmm_apic_ack(&a));

	/* A hardware-disabled APIC has nothing to give. */
	l1vmm_apic_set_vec(&a, L1VMM_APIC_IRR, 0x80);
	a.base &= ~ENABLE;
	ASSERT_EQ(-1, l1vmm_apic_has_interrupt(&a));

	/* CR8 is the TPR's class. */
	setup(&a, 0, true);
	l1vmm_apic_set_cr8(&a, 0x1a);
	ASSERT_EQ(0xa0, rd(&a, L1VMM_APIC_TPR));
	ASSERT_EQ(0xa, l1vmm_apic_get_cr8(&a));
	wr(&a, L1VMM_APIC_TPR, 0x7c);
	ASSERT_EQ(7, l1vmm_apic_get_cr8(&a));
	/* Lowering the TPR asks for an event check. */
	ASSERT_EQ(L1VMM_APIC_FX_EVENT, wr(&a, L1VMM_APIC_TPR, 0x10));
	ASSERT_EQ(0, wr(&a, L1VMM_APIC_TPR, 0x20));
}

/* The vAPIC word: TPR, ISR class and IRR vector; its low byte sets the TPR. */
static void test_vapic_word(void)
{
	struct l1vmm_apic a = { 0 };

	setup(&a, 0, true);
	ASSERT_EQ(0, l1vmm_apic_vapic_word(&a));
	wr(&a, L1VMM_APIC_TPR, 0x23);
	l1vmm_apic_set_vec(&a, L1VMM_APIC_IRR, 0x41);
	l1vmm_apic_set_vec(&a, L1VMM_APIC_IRR, 0x9e);
	l1vmm_apic_set_vec(&a, L1VMM_APIC_ISR, 0x37);
	l1vmm_apic_set_vec(&a, L1VMM_APIC_ISR, 0x5b);
	ASSERT_EQ(0x9e005023, l1vmm_apic_vapic_word(&a));

	/* The guest writes its TPR there: PPR follows. */
	l1vmm_apic_clear_vec(&a, L1VMM_APIC_ISR, 0x37);
	l1vmm_apic_clear_vec(&a, L1VMM_APIC_ISR, 0x5b);
	l1vmm_apic_set_tpr(&a, 0xa1);
	ASSERT_EQ(0xa1, rd(&a, L1VMM_APIC_TPR));
	ASSERT_EQ(-1, l1vmm_apic_has_interrupt(&a));
	l1vmm_apic_set_tpr(&a, 0x80);
	ASSERT_EQ(0x9e, l1vmm_apic_has_interrupt(&a));
}

static void test_reset(void)
{
	struct l1vmm_apic a = { 0 };
	static const u32 lvts[] = { L1VMM_APIC_LVTT, L1VMM_APIC_LVTTHMR, L1VMM_APIC_LVTPC,
				    L1VMM_APIC_LVT1, L1VMM_APIC_LVTERR };
	unsigned int i;

	a.vcpu_id = 3;
	l1vmm_apic_reset(&a, false, false);
	ASSERT_EQ(BASE | ENABLE, a.base);
	ASSERT_EQ(3U << 24, rd(&a, L1VMM_APIC_ID));
	/* Version 0x14, max LVT 5 (no CMCI), no directed EOI. */
	ASSERT_EQ(0x50014, rd(&a, L1VMM_APIC_LVR));
	ASSERT_EQ(0xff, rd(&a, L1VMM_APIC_SPIV));
	ASSERT_EQ(0xffffffffU, rd(&a, L1VMM_APIC_DFR));
	ASSERT_EQ(0, rd(&a, L1VMM_APIC_LDR));
	for (i = 0; i < KTAP_ARRAY_SIZE(lvts); i++)
		ASSERT_EQ(L1VMM_APIC_LVT_MASKED, rd(&a, lvts[i]));
	ASSERT_EQ(L1VMM_APIC_LVT_MASKED, rd(&a, L1VMM_APIC_LVT0));	/* not the BSP */
	ASSERT_EQ(0, rd(&a, L1VMM_APIC_LVTCMCI));			/* no CMCI: reserved */

	memset(&a, 0, sizeof(a));
	l1vmm_apic_reset(&a, false, true);
	ASSERT_EQ(BASE | ENABLE | L1VMM_APIC_BASE_BSP, a.base);
	ASSERT_EQ(0x700, rd(&a, L1VMM_APIC_LVT0));	/* LINT0_REENABLED: ExtINT */
	TEST_ASSERT(l1vmm_apic_accepts_pic(&a), "BSP refuses the PIC");

	/* CMCI adds LVT index 6, masked; directed EOI is bit 24. */
	a.cmci = true;
	a.directed_eoi = true;
	l1vmm_apic_update_version(&a);
	ASSERT_EQ(0x1060014, rd(&a, L1VMM_APIC_LVR));
	ASSERT_EQ(L1VMM_APIC_LVT_MASKED, rd(&a, L1VMM_APIC_LVTCMCI));

	/* INIT keeps the ID and APIC_BASE, clears the rest. */
	wr(&a, L1VMM_APIC_ID, 0x7000000);
	wr(&a, L1VMM_APIC_SPIV, 0x1ff);
	wr(&a, L1VMM_APIC_TPR, 0x40);
	l1vmm_apic_set_vec(&a, L1VMM_APIC_IRR, 0x40);
	l1vmm_apic_set_vec(&a, L1VMM_APIC_ISR, 0x41);
	l1vmm_apic_reset(&a, true, false);
	ASSERT_EQ(0x7000000, rd(&a, L1VMM_APIC_ID));
	ASSERT_EQ(BASE | ENABLE | L1VMM_APIC_BASE_BSP, a.base);
	ASSERT_EQ(0xff, rd(&a, L1VMM_APIC_SPIV));
	ASSERT_EQ(0, rd(&a, L1VMM_APIC_TPR));
	ASSERT_EQ(0, rd(&a, L1VMM_APIC_PPR));
	ASSERT_EQ(-1, l1vmm_apic_highest_vec(&a, L1VMM_APIC_IRR));
	ASSERT_EQ(-1, l1vmm_apic_highest_vec(&a, L1VMM_APIC_ISR));
}

/* MMIO reads: which registers exist, partial reads, a disabled APIC. */
static void test_mmio_read(void)
{
	static const u32 reserved[] = { 0x00, 0x10, 0x40, 0x70, 0xb0, 0xc0, 0x290, 0x2e0,
					0x2f0, 0x3a0, 0x3d0, 0x3f0, 0x400, 0xff0 };
	struct l1vmm_apic a;
	unsigned int i;

	setup(&a, 1, false);
	ASSERT_EQ(1U << 24, rd(&a, L1VMM_APIC_ID));
	ASSERT_EQ(0x14, l1vmm_apic_mmio_read(&a, L1VMM_APIC_LVR, 1, 0));
	ASSERT_EQ(0x5, l1vmm_apic_mmio_read(&a, L1VMM_APIC_LVR + 2, 1, 0));
	ASSERT_EQ(0x5, l1vmm_apic_mmio_read(&a, L1VMM_APIC_LVR + 2, 2, 0));
	ASSERT_EQ(0x100, l1vmm_apic_mmio_read(&a, L1VMM_APIC_ID + 2, 2, 0));
	/* Crossing the 4-byte register, or a bad size: 0. */
	ASSERT_EQ(0, l1vmm_apic_mmio_read(&a, L1VMM_APIC_LVR + 2, 4, 0));
	ASSERT_EQ(0, l1vmm_apic_mmio_read(&a, L1VMM_APIC_LVR, 3, 0));
	ASSERT_EQ(0, l1vmm_apic_mmio_read(&a, L1VMM_APIC_LVR + 4, 4, 0));
	for (i = 0; i < KTAP_ARRAY_SIZE(reserved); i++) {
		a.regs[(reserved[i] & 0x3f0) / 4] = 0xdead;
		TEST_ASSERT(rd(&a, reserved[i]) == 0, "offset %#x readable", reserved[i]);
	}
	/* APR exists in xAPIC mode and reads 0. */
	a.regs[L1VMM_APIC_APR / 4] = 0x55;
	ASSERT_EQ(0, rd(&a, L1VMM_APIC_APR));
	/* A hardware-disabled APIC reads all ones (LAPIC_MMIO_HOLE). */
	a.base &= ~ENABLE;
	ASSERT_EQ(0xffffffffU, rd(&a, L1VMM_APIC_ID));
	ASSERT_EQ(0xffff, l1vmm_apic_mmio_read(&a, L1VMM_APIC_ID, 2, 0));
	ASSERT_EQ(0, wr(&a, L1VMM_APIC_TPR, 0x20));
	a.base |= ENABLE;
	ASSERT_EQ(0, rd(&a, L1VMM_APIC_TPR));
}

/* xAPIC register writes and what each keeps. */
static void test_mmio_write(void)
{
	static const struct { u32 off; u32 val; u32 want; } t[] = {
		{ L1VMM_APIC_ID, 0xffffffffU, 0xff000000U },
		{ L1VMM_APIC_TPR, 0xffffffffU, 0xff },
		{ L1VMM_APIC_LDR, 0xffffffffU, 0xff000000U },
		{ L1VMM_APIC_DFR, 0, 0x0fffffffU },
		{ L1VMM_APIC_DFR, 0xf0000000U, 0xffffffffU },
		{ L1VMM_APIC_SPIV, 0xffffffffU, 0x3ff },	/* no directed EOI in LVR */
		{ L1VMM_APIC_ICR2, 0xffffffffU, 0xff000000U },
		{ L1VMM_APIC_ICR, 0xffffffffU, 0xffffefffU },	/* busy reads clear */
		{ L1VMM_APIC_LVTT, 0xffffffffU, 0x710ff },	/* TSC deadline in CPUID */
		{ L1VMM_APIC_LVTTHMR, 0xffffffffU, 0x117ff },
		{ L1VMM_APIC_LVTPC, 0xffffffffU, 0x117ff },
		{ L1VMM_APIC_LVT0, 0xffffffffU, 0x1f7ff },
		{ L1VMM_APIC_LVT1, 0xffffffffU, 0x1f7ff },
		{ L1VMM_APIC_LVTERR, 0xffffffffU, 0x110ff },
		{ L1VMM_APIC_LVTCMCI, 0xffffffffU, 0 },		/* no CMCI */
		{ L1VMM_APIC_TDCR, 0xffffffffU, 0xb },
		{ L1VMM_APIC_ESR, 0xffffffffU, 0 },		/* nothing latched */
		/* Read-only and reserved registers do not change. */
		{ L1VMM_APIC_LVR, 0, 0x50014 },
		{ L1VMM_APIC_PPR, 0xff, 0 },
		{ L1VMM_APIC_APR, 0xff, 0 },
		{ L1VMM_APIC_ISR + 0x10, 0xff, 0 },
		{ L1VMM_APIC_IRR, 0xff, 0 },
		{ L1VMM_APIC_TMCCT, 0xff, 0 },
	};
	struct l1vmm_apic a;
	unsigned int i;

	for (i = 0; i < KTAP_ARRAY_SIZE(t); i++) {
		setup(&a, 0, false);
		wr(&a, t[i].off, t[i].val);
		TEST_ASSERT(a.regs[t[i].off / 4] == t[i].want, "write %#x to %#x: wanted %#x, got %#x",
			    t[i].val, t[i].off, t[i].want, a.regs[t[i].off / 4]);
	}

	/* Only aligned 4-byte writes count. */
	setup(&a, 0, false);
	l1vmm_apic_mmio_write(&a, L1VMM_APIC_TPR, 2, 0x30, 0, &(struct l1vmm_apic_fx){ 0 });
	l1vmm_apic_mmio_write(&a, L1VMM_APIC_TPR + 4, 4, 0x30, 0, &(struct l1vmm_apic_fx){ 0 });
	ASSERT_EQ(0, rd(&a, L1VMM_APIC_TPR));

	/* Without TSC deadline in CPUID, LVTT has one mode bit. */
	setup(&a, 0, false);
	a.tsc_deadline = false;
	wr(&a, L1VMM_APIC_LVTT, 0x60030);
	ASSERT_EQ(0x20030, rd(&a, L1VMM_APIC_LVTT));

	/* With directed EOI in the version, SPIV keeps bit 12. */
	setup(&a, 0, false);
	a.directed_eoi = true;
	l1vmm_apic_update_version(&a);
	wr(&a, L1VMM_APIC_SPIV, 0xffffffffU);
	ASSERT_EQ(0x13ff, rd(&a, L1VMM_APIC_SPIV));

	/* ID, LDR, DFR and the software enable change the destination maps. */
	setup(&a, 0, false);
	ASSERT_EQ(L1VMM_APIC_FX_MAP, wr(&a, L1VMM_APIC_ID, 0x2000000));
	ASSERT_EQ(L1VMM_APIC_FX_MAP, wr(&a, L1VMM_APIC_LDR, 0x1000000));
	ASSERT_EQ(L1VMM_APIC_FX_MAP, wr(&a, L1VMM_APIC_DFR, 0));
	ASSERT_EQ(L1VMM_APIC_FX_MAP, wr(&a, L1VMM_APIC_SPIV, 0xff));
	ASSERT_EQ(0, wr(&a, L1VMM_APIC_SPIV, 0xfe));
}

/* SVR's software enable: clearing it masks every LVT; while clear, LVT writes stay masked. */
static void test_svr(void)
{
	static const u32 lvts[] = { L1VMM_APIC_LVTT, L1VMM_APIC_LVTTHMR, L1VMM_APIC_LVTPC,
				    L1VMM_APIC_LVT0, L1VMM_APIC_LVT1, L1VMM_APIC_LVTERR,
				    L1VMM_APIC_LVTCMCI };
	struct l1vmm_apic a;
	unsigned int i;

	setup(&a, 0, false);
	a.cmci = true;
	l1vmm_apic_update_version(&a);
	for (i = 0; i < KTAP_ARRAY_SIZE(lvts); i++) {
		wr(&a, lvts[i], 0x30 + i);
		ASSERT_EQ(0x30 + i, rd(&a, lvts[i]));
	}
	wr(&a, L1VMM_APIC_SPIV, 0xff);
	TEST_ASSERT(!l1vmm_apic_sw_enabled(&a), "still enabled");
	for (i = 0; i < KTAP_ARRAY_SIZE(lvts); i++)
		ASSERT_EQ(L1VMM_APIC_LVT_MASKED | (0x30 + i), rd(&a, lvts[i]));
	for (i = 0; i < KTAP_ARRAY_SIZE(lvts); i++) {
		wr(&a, lvts[i], 0x40);
		ASSERT_EQ(L1VMM_APIC_LVT_MASKED | 0x40, rd(&a, lvts[i]));
	}
	/* Re-enabling unmasks nothing. */
	wr(&a, L1VMM_APIC_SPIV, 0x1ff);
	ASSERT_EQ(L1VMM_APIC_LVT_MASKED | 0x40, rd(&a, L1VMM_APIC_LVT1));

	/* A software-disabled APIC takes no fixed interrupt, but NMI and INIT. */
	wr(&a, L1VMM_APIC_SPIV, 0xff);
	{
		struct l1vmm_apic_irq irq = { .vector = 0x40 };

		ASSERT_EQ(L1VMM_APIC_ACC_DROPPED, l1vmm_apic_accept(&a, &irq));
		irq.delivery_mode = L1VMM_APIC_DM_NMI;
		ASSERT_EQ(L1VMM_APIC_ACC_NMI, l1vmm_apic_accept(&a, &irq));
		irq.delivery_mode = L1VMM_APIC_DM_INIT;
		ASSERT_EQ(L1VMM_APIC_ACC_INIT, l1vmm_apic_accept(&a, &irq));
	}
}

#define IRQ(d, v, dm, sh, lg, lv, tr)						\
	{ .dest = (d), .vector = (v), .delivery_mode = (dm), .shorthand = (sh),	\
	  .logical = (lg), .level = (lv), .trig_level = (tr) }

static void test_icr(void)
{
	static const struct {
		u32 low, high;
		bool x2apic;
		struct l1vmm_apic_irq want;
	} t[] = {
		{ 0x000040fd, 0x03000000, false, IRQ(3, 0xfd, L1VMM_APIC_DM_FIXED, 0, false, true, false) },
		{ 0x00000930, 0x0f000000, false, IRQ(0xf, 0x30, L1VMM_APIC_DM_LOWEST, 0, true, false, false) },
		{ 0x0000c500, 0x01000000, false, IRQ(1, 0, L1VMM_APIC_DM_INIT, 0, false, true, true) },
		{ 0x00008500, 0x01000000, false, IRQ(1, 0, L1VMM_APIC_DM_INIT, 0, false, false, true) },
		{ 0x00000699, 0x01000000, false, IRQ(1, 0x99, L1VMM_APIC_DM_SIPI, 0, false, false, false) },
		{ 0x00000400, 0x00ffffff, false, IRQ(0, 0, L1VMM_APIC_DM_NMI, 0, false, false, false) },
		{ 0x00000200, 0x05000000, false, IRQ(5, 0, L1VMM_APIC_DM_SMI, 0, false, false, false) },
		{ 0x00040041, 0, false, IRQ(0, 0x41, 0, L1VMM_APIC_SH_SELF, false, false, false) },
		{ 0x00080042, 0, false, IRQ(0, 0x42, 0, L1VMM_APIC_SH_ALL, false, false, false) },
		{ 0x000c0043, 0, false, IRQ(0, 0x43, 0, L1VMM_APIC_SH_ALL_BUT_SELF, false, false, false) },
		{ 0x00000744, 0x12345678, true,
		  IRQ(0x12345678, 0x44, L1VMM_APIC_DM_EXTINT, 0, false, false, false) },
	};
	struct l1vmm_apic_irq irq;
	unsigned int i;

	for (i = 0; i < KTAP_ARRAY_SIZE(t); i++) {
		memset(&irq, 0xa5, sizeof(irq));
		l1vmm_apic_icr_decode(t[i].low, t[i].high, t[i].x2apic, &irq);
		TEST_ASSERT(irq.dest == t[i].want.dest && irq.vector == t[i].want.vector &&
			    irq.delivery_mode == t[i].want.delivery_mode &&
			    irq.shorthand == t[i].want.shorthand &&
			    irq.logical == t[i].want.logical && irq.level == t[i].want.level &&
			    irq.trig_level == t[i].want.trig_level,
			    "ICR %#x:%#x: got dest %#x vec %#x dm %u sh %u log %d lvl %d trig %d",
			    t[i].high, t[i].low, irq.dest, irq.vector, irq.delivery_mode,
			    irq.shorthand, irq.logical, irq.level, irq.trig_level);
	}
}

/* Writing the ICR sends; ICR2 gives the destination. */
static void test_ipi(void)
{
	struct l1vmm_apic_fx fx = { 0 };
	struct l1vmm_apic a;

	setup(&a, 0, true);
	wr(&a, L1VMM_APIC_ICR2, 0x02000000);
	l1vmm_apic_mmio_write(&a, L1VMM_APIC_ICR, 4, 0xd5fe, 0, &fx);
	ASSERT_EQ(L1VMM_APIC_FX_IPI, fx.flags);
	ASSERT_EQ(2, fx.ipi.dest);
	ASSERT_EQ(0xfe, fx.ipi.vector);
	ASSERT_EQ(L1VMM_APIC_DM_INIT, fx.ipi.delivery_mode);
	TEST_ASSERT(fx.ipi.level && fx.ipi.trig_level, "INIT assert level");
	ASSERT_EQ(0xc5fe, rd(&a, L1VMM_APIC_ICR));	/* busy clear */
	/* SELF_IPI is x2APIC only. */
	memset(&fx, 0, sizeof(fx));
	ASSERT_EQ(1, l1vmm_apic_reg_write(&a, L1VMM_APIC_SELF_IPI, 0x40, 0, &fx));
	ASSERT_EQ(0, fx.flags);
}

static void test_x2apic(void)
{
	struct l1vmm_apic_fx fx = { 0 };
	struct l1vmm_apic a;
	u64 v;

	setup(&a, 0x23, false);
	/* Not in x2APIC mode: every x2APIC MSR faults. */
	ASSERT_EQ(1, l1vmm_apic_msr_read(&a, 0x802, &v, 0));
	ASSERT_EQ(1, l1vmm_apic_msr_write(&a, 0x808, 0, 0, &fx));
	to_x2apic(&a);
	/* The ID is the vCPU id, the LDR derived: cluster 2, bit 3. */
	ASSERT_EQ(0, l1vmm_apic_msr_read(&a, 0x802, &v, 0));
	ASSERT_EQ(0x23, v);
	ASSERT_EQ(0, l1vmm_apic_msr_read(&a, 0x80d, &v, 0));
	ASSERT_EQ(0x20008, v);
	/* Both read-only; DFR does not exist. */
	ASSERT_EQ(1, l1vmm_apic_msr_write(&a, 0x802, 0x23, 0, &fx));
	ASSERT_EQ(1, l1vmm_apic_msr_write(&a, 0x80d, 0x20008, 0, &fx));
	ASSERT_EQ(1, l1vmm_apic_msr_read(&a, 0x80e, &v, 0));
	ASSERT_EQ(1, l1vmm_apic_msr_write(&a, 0x80e, 0, 0, &fx));
	/* Version, SPIV, TPR as in xAPIC; write-only EOI and SELF_IPI not readable. */
	ASSERT_EQ(0, l1vmm_apic_msr_read(&a, 0x803, &v, 0));
	ASSERT_EQ(0x50014, v);
	ASSERT_EQ(0, l1vmm_apic_msr_write(&a, 0x808, 0x30, 0, &fx));
	ASSERT_EQ(0, l1vmm_apic_msr_read(&a, 0x808, &v, 0));
	ASSERT_EQ(0x30, v);
	ASSERT_EQ(1, l1vmm_apic_msr_read(&a, 0x80b, &v, 0));
	ASSERT_EQ(1, l1vmm_apic_msr_read(&a, 0x83f, &v, 0));
	/* APR and ICR2 do not exist; PPR, LVR, ISR are read-only. */
	ASSERT_EQ(1, l1vmm_apic_msr_read(&a, 0x809, &v, 0));
	ASSERT_EQ(1, l1vmm_apic_msr_read(&a, 0x831, &v, 0));
	ASSERT_EQ(1, l1vmm_apic_msr_write(&a, 0x831, 0, 0, &fx));
	ASSERT_EQ(1, l1vmm_apic_msr_write(&a, 0x80a, 0, 0, &fx));
	ASSERT_EQ(1, l1vmm_apic_msr_write(&a, 0x803, 0, 0, &fx));
	ASSERT_EQ(1, l1vmm_apic_msr_write(&a, 0x810, 0, 0, &fx));
	ASSERT_EQ(1, l1vmm_apic_msr_write(&a, 0x839, 0, 0, &fx));	/* TMCCT */
	/* Bits 63:32 reserved but in the ICR. */
	ASSERT_EQ(1, l1vmm_apic_msr_write(&a, 0x808, 1ULL << 32, 0, &fx));
	/* ESR: only 0. */
	ASSERT_EQ(0, l1vmm_apic_msr_write(&a, 0x828, 0, 0, &fx));
	ASSERT_EQ(1, l1vmm_apic_msr_write(&a, 0x828, 1, 0, &fx));
	ASSERT_EQ(0, fx.flags);

	/* ICR: one 64-bit register, 32-bit destination, reserved bits fault. */
	ASSERT_EQ(0, l1vmm_apic_msr_write(&a, 0x830, 0x1234567800001030ULL, 0, &fx));
	ASSERT_EQ(L1VMM_APIC_FX_IPI, fx.flags);
	ASSERT_EQ(0x12345678, fx.ipi.dest);
	ASSERT_EQ(0x30, fx.ipi.vector);
	ASSERT_EQ(0, l1vmm_apic_msr_read(&a, 0x830, &v, 0));
	ASSERT_EQ(0x1234567800000030ULL, v);	/* busy dropped */
	ASSERT_EQ(0x12345678, a.regs[L1VMM_APIC_ICR2 / 4]);	/* the split kvm-amd layout */
	fx.flags = 0;
	ASSERT_EQ(1, l1vmm_apic_msr_write(&a, 0x830, 1ULL << 20, 0, &fx));
	ASSERT_EQ(1, l1vmm_apic_msr_write(&a, 0x830, 1ULL << 31, 0, &fx));
	ASSERT_EQ(1, l1vmm_apic_msr_write(&a, 0x830, 1ULL << 16, 0, &fx));
	ASSERT_EQ(1, l1vmm_apic_msr_write(&a, 0x830, 1ULL << 17, 0, &fx));
	ASSERT_EQ(1, l1vmm_apic_msr_write(&a, 0x830, 1ULL << 13, 0, &fx));
	ASSERT_EQ(0, fx.flags);

	/* SELF_IPI: the vector only. */
	ASSERT_EQ(1, l1vmm_apic_msr_write(&a, 0x83f, 0x140, 0, &fx));
	ASSERT_EQ(0, l1vmm_apic_msr_write(&a, 0x83f, 0x40, 0, &fx));
	ASSERT_EQ(L1VMM_APIC_FX_IPI, fx.flags);
	ASSERT_EQ(L1VMM_APIC_SH_SELF, fx.ipi.shorthand);
	ASSERT_EQ(0x40, fx.ipi.vector);
	ASSERT_EQ(L1VMM_APIC_DM_FIXED, fx.ipi.delivery_mode);

	/* Outside the x2APIC range. */
	ASSERT_EQ(1, l1vmm_apic_msr_read(&a, 0x900, &v, 0));
	/* The MMIO page is a hole in x2APIC mode. */
	ASSERT_EQ(0xffffffffU, rd(&a, L1VMM_APIC_TPR));
	wr(&a, L1VMM_APIC_TPR, 0);
	ASSERT_EQ(0, l1vmm_apic_msr_read(&a, 0x808, &v, 0));
	ASSERT_EQ(0x30, v);
}

/* IA32_APIC_BASE transitions (KVM's kvm_set_apic_base()). */
static void test_apic_base(void)
{
	static const struct {
		u64 from, to;
		bool host;
		int ret;
	} t[] = {
		{ ENABLE, ENABLE | X2APIC, false, 0 },
		{ ENABLE | X2APIC, ENABLE, false, 1 },	/* x2APIC to xAPIC: via disabled */
		{ ENABLE | X2APIC, ENABLE, true, 0 },
		{ ENABLE | X2APIC, 0, false, 0 },
		{ 0, ENABLE | X2APIC, false, 1 },
		{ 0, ENABLE | X2APIC, true, 0 },
		{ 0, ENABLE, false, 0 },
		{ ENABLE, X2APIC, false, 1 },		/* invalid mode */
		{ ENABLE, X2APIC, true, 1 },
		{ ENABLE, ENABLE | 0x100, false, 0 },	/* BSP */
		{ ENABLE, ENABLE | 0x200, false, 1 },	/* reserved */
		{ ENABLE, ENABLE | 0x80, false, 1 },
		{ ENABLE, ENABLE | BIT_ULL(40), false, 1 },	/* above MAXPHYADDR 40 */
	};
	struct l1vmm_apic_fx fx = { 0 };
	struct l1vmm_apic a;
	unsigned int i;

	for (i = 0; i < KTAP_ARRAY_SIZE(t); i++) {
		setup(&a, 5, false);
		a.base = BASE | t[i].from;
		TEST_ASSERT(l1vmm_apic_set_base(&a, BASE | t[i].to, t[i].host, ~0ULL << 40, true,
						&fx) == t[i].ret,
			    "%#llx -> %#llx host %d: wanted %d", (unsigned long long)t[i].from,
			    (unsigned long long)t[i].to, t[i].host, t[i].ret);
	}
	/* x2APIC enable needs x2APIC in CPUID. */
	setup(&a, 5, false);
	ASSERT_EQ(1, l1vmm_apic_set_base(&a, BASE | ENABLE | X2APIC, false, 0, false, &fx));

	/* The refusals alone, as they are checked without an in-kernel APIC. */
	for (i = 0; i < KTAP_ARRAY_SIZE(t); i++)
		TEST_ASSERT(l1vmm_apic_base_refused(BASE | t[i].from, BASE | t[i].to, t[i].host,
						    ~0ULL << 40, true) == t[i].ret,
			    "refused %#llx -> %#llx host %d: wanted %d",
			    (unsigned long long)t[i].from, (unsigned long long)t[i].to, t[i].host,
			    t[i].ret);
	TEST_ASSERT(l1vmm_apic_base_refused(BASE | ENABLE, BASE | ENABLE | X2APIC, true,
					    ~0ULL << 36, false), "x2APIC without it in CPUID");

	/* Disable then enable: the xAPIC ID is the vCPU id again. */
	setup(&a, 5, false);
	wr(&a, L1VMM_APIC_ID, 0x9000000);
	fx.flags = 0;
	ASSERT_EQ(0, l1vmm_apic_set_base(&a, BASE, false, 0, true, &fx));
	ASSERT_EQ(L1VMM_APIC_FX_MAP, fx.flags);
	ASSERT_EQ(0, l1vmm_apic_set_base(&a, BASE | ENABLE, false, 0, true, &fx));
	ASSERT_EQ(5U << 24, rd(&a, L1VMM_APIC_ID));
}

/* kvm_recalculate_apic_map()'s logical models and kvm_apic_map_get_dest_lapic()'s choice. */
static void test_map_delivers(void)
{
	struct l1vmm_apic a, x;
	struct l1vmm_apic_irq irq = { .dest = 7 };
	const unsigned int mixed = L1VMM_APIC_MAP_FLAT | L1VMM_APIC_MAP_X2APIC;

	setup(&a, 1, true);
	setup(&x, 2, false);
	to_x2apic(&x);
	ASSERT_EQ(0, l1vmm_apic_map_model(&a));			/* no logical ID yet */
	wr(&a, L1VMM_APIC_LDR, 0x1000000);
	ASSERT_EQ(L1VMM_APIC_MAP_FLAT, l1vmm_apic_map_model(&a));
	wr(&a, L1VMM_APIC_DFR, 0x0fffffff);
	ASSERT_EQ(L1VMM_APIC_MAP_CLUSTER, l1vmm_apic_map_model(&a));
	ASSERT_EQ(L1VMM_APIC_MAP_X2APIC, l1vmm_apic_map_model(&x));
	l1vmm_apic_put(&x, L1VMM_APIC_SPIV, 0xff);		/* software-disabled */
	ASSERT_EQ(0, l1vmm_apic_map_model(&x));

	/* Physical: from the map, whatever the models; not a broadcast. */
	TEST_ASSERT(l1vmm_apic_map_delivers(mixed, NULL, &irq, false), "physical");
	irq.dest = 0xff;
	TEST_ASSERT(!l1vmm_apic_map_delivers(0, NULL, &irq, false), "0xff from an MSI");
	TEST_ASSERT(!l1vmm_apic_map_delivers(0, &a, &irq, false), "0xff from an xAPIC");
	TEST_ASSERT(l1vmm_apic_map_delivers(0, &x, &irq, false), "0xff from an x2APIC");
	TEST_ASSERT(!l1vmm_apic_map_delivers(0, NULL, &irq, true), "0xff, quirk off");
	TEST_ASSERT(l1vmm_apic_map_delivers(L1VMM_APIC_MAP_X2APIC, NULL, &irq, true),
		    "0xff, quirk off, x2APIC map");
	irq.dest = 0xffffffff;
	TEST_ASSERT(!l1vmm_apic_map_delivers(L1VMM_APIC_MAP_X2APIC, NULL, &irq, true),
		    "x2APIC broadcast, quirk off");
	/* Logical: one model only. */
	irq = (struct l1vmm_apic_irq){ .dest = 4, .logical = true };
	TEST_ASSERT(l1vmm_apic_map_delivers(L1VMM_APIC_MAP_FLAT, NULL, &irq, false), "flat");
	TEST_ASSERT(l1vmm_apic_map_delivers(L1VMM_APIC_MAP_CLUSTER, NULL, &irq, false), "cluster");
	TEST_ASSERT(!l1vmm_apic_map_delivers(mixed, NULL, &irq, false), "mixed");
	TEST_ASSERT(!l1vmm_apic_map_delivers(0, NULL, &irq, false), "no logical IDs");
	/* Shorthands never. */
	irq = (struct l1vmm_apic_irq){ .dest = 1, .shorthand = L1VMM_APIC_SH_ALL_BUT_SELF };
	TEST_ASSERT(!l1vmm_apic_map_delivers(L1VMM_APIC_MAP_FLAT, &a, &irq, false), "shorthand");
}

/* kvm_apic_match_dest(): one case per rule. */
static void test_match_dest(void)
{
	struct l1vmm_apic a, b, x;
	struct l1vmm_apic_irq irq;

	setup(&a, 1, true);
	setup(&b, 2, false);
	setup(&x, 0x123, false);
	to_x2apic(&x);

	/* Physical: the xAPIC ID; 0xff everyone. */
	irq = (struct l1vmm_apic_irq){ .dest = 1 };
	TEST_ASSERT(l1vmm_apic_match_dest(&a, &b, &irq, false), "phys 1");
	TEST_ASSERT(!l1vmm_apic_match_dest(&b, &a, &irq, false), "phys 1 vs 2");
	wr(&b, L1VMM_APIC_ID, 0x1000000);			/* the writable xAPIC ID */
	TEST_ASSERT(l1vmm_apic_match_dest(&b, &a, &irq, false), "phys, changed ID");
	wr(&b, L1VMM_APIC_ID, 0x2000000);
	irq.dest = 0xff;
	TEST_ASSERT(l1vmm_apic_match_dest(&a, NULL, &irq, false), "phys broadcast");
	/* An xAPIC vCPU matches a wide ID by its x2APIC id (the hotplug rule). */
	irq.dest = 0x123;
	setup(&b, 0x123, false);
	TEST_ASSERT(l1vmm_apic_match_dest(&b, NULL, &irq, false), "hotplug xAPIC");
	irq.dest = 0x23;
	TEST_ASSERT(l1vmm_apic_match_dest(&b, NULL, &irq, false), "xAPIC id 0x23");
	setup(&b, 2, false);

	/* x2APIC physical: the full ID; 0xff from an IOAPIC/MSI is broadcast unless quirk off. */
	irq.dest = 0x123;
	TEST_ASSERT(l1vmm_apic_match_dest(&x, NULL, &irq, false), "x2 phys");
	irq.dest = 0x23;
	TEST_ASSERT(!l1vmm_apic_match_dest(&x, NULL, &irq, false), "x2 no aliasing");
	irq.dest = 0xff;
	TEST_ASSERT(l1vmm_apic_match_dest(&x, NULL, &irq, false), "x2 0xff quirk");
	TEST_ASSERT(!l1vmm_apic_match_dest(&x, NULL, &irq, true), "x2 0xff quirk off");
	TEST_ASSERT(!l1vmm_apic_match_dest(&x, &a, &irq, false), "x2 0xff IPI");
	irq.dest = 0xffffffffU;
	TEST_ASSERT(l1vmm_apic_match_dest(&x, &a, &irq, false), "x2 broadcast");

	/* Logical flat: LDR bits 31:24 AND the destination. */
	wr(&a, L1VMM_APIC_LDR, 0x05000000);
	irq = (struct l1vmm_apic_irq){ .logical = true, .dest = 0x04 };
	TEST_ASSERT(l1vmm_apic_match_dest(&a, NULL, &irq, false), "flat 0x04");
	irq.dest = 0x0a;
	TEST_ASSERT(!l1vmm_apic_match_dest(&a, NULL, &irq, false), "flat 0x0a");
	irq.dest = 0xff;
	TEST_ASSERT(l1vmm_apic_match_dest(&a, NULL, &irq, false), "flat broadcast");
	/* Logical cluster: cluster in 7:4 equal, member bits in 3:0 overlap. */
	wr(&a, L1VMM_APIC_DFR, 0x0fffffff);
	wr(&a, L1VMM_APIC_LDR, 0x32000000);
	irq.dest = 0x33;
	TEST_ASSERT(l1vmm_apic_match_dest(&a, NULL, &irq, false), "cluster 3:0x3");
	irq.dest = 0x31;
	TEST_ASSERT(!l1vmm_apic_match_dest(&a, NULL, &irq, false), "cluster 3:0x1");
	irq.dest = 0x22;
	TEST_ASSERT(!l1vmm_apic_match_dest(&a, NULL, &irq, false), "cluster 2");
	/* A DFR model neither flat nor cluster matches nothing. */
	a.regs[L1VMM_APIC_DFR / 4] = 0x5fffffff;
	irq.dest = 0x32;
	TEST_ASSERT(!l1vmm_apic_match_dest(&a, NULL, &irq, false), "bad DFR");
	/* x2APIC cluster: 31:16 the cluster, 15:0 the members. */
	irq.dest = 0x00120008;
	TEST_ASSERT(l1vmm_apic_match_dest(&x, NULL, &irq, false), "x2 cluster 0x12 bit 3");
	irq.dest = 0x00120004;
	TEST_ASSERT(!l1vmm_apic_match_dest(&x, NULL, &irq, false), "x2 cluster bit 2");
	irq.dest = 0x00020008;
	TEST_ASSERT(!l1vmm_apic_match_dest(&x, NULL, &irq, false), "x2 cluster 2");
	irq.dest = 0xffffffffU;
	TEST_ASSERT(l1vmm_apic_match_dest(&x, NULL, &irq, false), "x2 logical broadcast");

	/* Shorthands ignore the destination. */
	irq = (struct l1vmm_apic_irq){ .dest = 0x77, .shorthand = L1VMM_APIC_SH_SELF };
	TEST_ASSERT(l1vmm_apic_match_dest(&a, &a, &irq, false), "self");
	TEST_ASSERT(!l1vmm_apic_match_dest(&b, &a, &irq, false), "self, other");
	TEST_ASSERT(!l1vmm_apic_match_dest(&a, NULL, &irq, false), "self, no source");
	irq.shorthand = L1VMM_APIC_SH_ALL;
	TEST_ASSERT(l1vmm_apic_match_dest(&a, &a, &irq, false), "all incl, self");
	TEST_ASSERT(l1vmm_apic_match_dest(&b, &a, &irq, false), "all incl, other");
	irq.shorthand = L1VMM_APIC_SH_ALL_BUT_SELF;
	TEST_ASSERT(!l1vmm_apic_match_dest(&a, &a, &irq, false), "all excl, self");
	TEST_ASSERT(l1vmm_apic_match_dest(&b, &a, &irq, false), "all excl, other");
}

static void test_lowest_prio(void)
{
	struct l1vmm_apic_irq irq = { .delivery_mode = L1VMM_APIC_DM_LOWEST, .dest = 3,
				      .logical = true };

	TEST_ASSERT(l1vmm_apic_lowest_prio(&irq), "logical lowest");
	irq.logical = false;
	TEST_ASSERT(l1vmm_apic_lowest_prio(&irq), "physical lowest");
	irq.dest = 0xff;
	TEST_ASSERT(!l1vmm_apic_lowest_prio(&irq), "physical broadcast is fixed");
	irq.logical = true;
	TEST_ASSERT(l1vmm_apic_lowest_prio(&irq), "logical 0xff");
	irq.delivery_mode = L1VMM_APIC_DM_FIXED;
	TEST_ASSERT(!l1vmm_apic_lowest_prio(&irq), "fixed");
	/* Vector hashing: vector mod candidates. */
	ASSERT_EQ(0, l1vmm_apic_lowest_pick(0x30, 1));
	ASSERT_EQ(0x31 % 3, l1vmm_apic_lowest_pick(0x31, 3));
	ASSERT_EQ(0xff % 7, l1vmm_apic_lowest_pick(0xff, 7));
}

static void test_accept(void)
{
	struct l1vmm_apic a;
	struct l1vmm_apic_irq irq = { .vector = 0x50, .level = true, .trig_level = true };

	setup(&a, 0, false);
	ASSERT_EQ(L1VMM_APIC_ACC_IRR, l1vmm_apic_accept(&a, &irq));
	TEST_ASSERT(l1vmm_apic_test_vec(&a, L1VMM_APIC_IRR, 0x50), "IRR");
	TEST_ASSERT(l1vmm_apic_test_vec(&a, L1VMM_APIC_TMR, 0x50), "TMR for level");
	/* Edge clears TMR again. */
	irq.trig_level = false;
	irq.delivery_mode = L1VMM_APIC_DM_LOWEST;
	ASSERT_EQ(L1VMM_APIC_ACC_IRR, l1vmm_apic_accept(&a, &irq));
	TEST_ASSERT(!l1vmm_apic_test_vec(&a, L1VMM_APIC_TMR, 0x50), "TMR for edge");
	/* Level deassert is dropped. */
	irq.trig_level = true;
	irq.level = false;
	irq.vector = 0x60;
	ASSERT_EQ(L1VMM_APIC_ACC_DROPPED, l1vmm_apic_accept(&a, &irq));
	TEST_ASSERT(!l1vmm_apic_test_vec(&a, L1VMM_APIC_IRR, 0x60), "deassert in IRR");
	/* INIT: the level deassert is dropped, edge and assert taken. */
	irq.delivery_mode = L1VMM_APIC_DM_INIT;
	ASSERT_EQ(L1VMM_APIC_ACC_DROPPED, l1vmm_apic_accept(&a, &irq));
	irq.level = true;
	ASSERT_EQ(L1VMM_APIC_ACC_INIT, l1vmm_apic_accept(&a, &irq));
	irq.level = false;
	irq.trig_level = false;
	ASSERT_EQ(L1VMM_APIC_ACC_INIT, l1vmm_apic_accept(&a, &irq));
	irq.delivery_mode = L1VMM_APIC_DM_SIPI;
	ASSERT_EQ(L1VMM_APIC_ACC_SIPI, l1vmm_apic_accept(&a, &irq));
	irq.delivery_mode = L1VMM_APIC_DM_SMI;
	ASSERT_EQ(L1VMM_APIC_ACC_SMI, l1vmm_apic_accept(&a, &irq));
	irq.delivery_mode = L1VMM_APIC_DM_REMRD;
	ASSERT_EQ(L1VMM_APIC_ACC_REMRD, l1vmm_apic_accept(&a, &irq));
	irq.delivery_mode = L1VMM_APIC_DM_EXTINT;
	ASSERT_EQ(L1VMM_APIC_ACC_DROPPED, l1vmm_apic_accept(&a, &irq));
	/* Hardware-disabled: fixed dropped. */
	a.base &= ~ENABLE;
	irq.delivery_mode = L1VMM_APIC_DM_FIXED;
	irq.vector = 0x70;
	ASSERT_EQ(L1VMM_APIC_ACC_DROPPED, l1vmm_apic_accept(&a, &irq));

	/* LVT messages: masked or hardware-disabled give none. */
	setup(&a, 0, false);
	TEST_ASSERT(!l1vmm_apic_lvt_irq(&a, L1VMM_APIC_LVTT, &irq), "masked LVTT");
	wr(&a, L1VMM_APIC_LVT1, 0x8400);
	TEST_ASSERT(l1vmm_apic_lvt_irq(&a, L1VMM_APIC_LVT1, &irq), "LVT1");
	ASSERT_EQ(L1VMM_APIC_DM_NMI, irq.delivery_mode);
	TEST_ASSERT(irq.trig_level && irq.level, "LVT1 level");
	wr(&a, L1VMM_APIC_LVTT, 0x20ec);
	TEST_ASSERT(l1vmm_apic_lvt_irq(&a, L1VMM_APIC_LVTT, &irq), "LVTT");
	ASSERT_EQ(0xec, irq.vector);
	ASSERT_EQ(L1VMM_APIC_DM_FIXED, irq.delivery_mode);
	a.base &= ~ENABLE;
	TEST_ASSERT(!l1vmm_apic_lvt_irq(&a, L1VMM_APIC_LVTT, &irq), "disabled APIC");
	/* PIC through LINT0: ExtINT unmasked, or the APIC hardware-disabled. */
	TEST_ASSERT(l1vmm_apic_accepts_pic(&a), "disabled APIC takes PIC");
	a.base |= ENABLE;
	TEST_ASSERT(!l1vmm_apic_accepts_pic(&a), "LINT0 masked");
	wr(&a, L1VMM_APIC_LVT0, 0x700);
	TEST_ASSERT(l1vmm_apic_accepts_pic(&a), "LINT0 ExtINT");
	wr(&a, L1VMM_APIC_LVT0, 0x400);
	TEST_ASSERT(!l1vmm_apic_accepts_pic(&a), "LINT0 NMI");
}

static void test_divisor(void)
{
	static const struct { u32 tdcr; unsigned int div; } t[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
		{ 0x4, 2 }, { 0xf, 1 }, { 0xfffffff0, 2 },	/* bit 2 and 31:4 ignored */
	};
	unsigned int i;

	for (i = 0; i < KTAP_ARRAY_SIZE(t); i++)
		TEST_ASSERT(l1vmm_apic_divisor(t[i].tdcr) == t[i].div, "TDCR %#x: wanted %u, got %u",
			    t[i].tdcr, t[i].div, l1vmm_apic_divisor(t[i].tdcr));
}

static void test_timer_oneshot(void)
{
	struct l1vmm_apic_fx fx = { 0 };
	struct l1vmm_apic a;

	setup(&a, 0, false);
	ASSERT_EQ(2, a.timer.divide);
	l1vmm_apic_mmio_write(&a, L1VMM_APIC_TDCR, 4, 0x3, 0, &fx);	/* divide by 16 */
	ASSERT_EQ(16, a.timer.divide);
	ASSERT_EQ(0, fx.flags);				/* no timer running */
	wr(&a, L1VMM_APIC_LVTT, 0x30);			/* one-shot, vector 0x30 */
	l1vmm_apic_mmio_write(&a, L1VMM_APIC_TMICT, 4, 1000, 5000, &fx);
	ASSERT_EQ(L1VMM_APIC_FX_TIMER, fx.flags);
	/* 1000 ticks x 16 x 1 ns. */
	TEST_ASSERT(a.timer.armed, "not armed");
	ASSERT_EQ(16000, a.timer.period_ns);
	ASSERT_EQ(21000, a.timer.target_ns);
	ASSERT_EQ(1000, rd(&a, L1VMM_APIC_TMICT));
	/* The count is what is left modulo the period: 0 at the very start (as KVM). */
	ASSERT_EQ(0, l1vmm_apic_mmio_read(&a, L1VMM_APIC_TMCCT, 4, 5000));
	ASSERT_EQ(999, l1vmm_apic_mmio_read(&a, L1VMM_APIC_TMCCT, 4, 5001));
	ASSERT_EQ(500, l1vmm_apic_mmio_read(&a, L1VMM_APIC_TMCCT, 4, 13000));
	ASSERT_EQ(499, l1vmm_apic_mmio_read(&a, L1VMM_APIC_TMCCT, 4, 13001));
	ASSERT_EQ(0, l1vmm_apic_mmio_read(&a, L1VMM_APIC_TMCCT, 4, 21000));
	ASSERT_EQ(0, l1vmm_apic_mmio_read(&a, L1VMM_APIC_TMCCT, 4, 99999));
	/* Expiry: deliver once, disarm; the count stays 0. */
	TEST_ASSERT(l1vmm_apic_timer_expired(&a, 21000), "no expiry");
	TEST_ASSERT(!a.timer.armed, "one-shot still armed");
	TEST_ASSERT(!l1vmm_apic_timer_expired(&a, 40000), "second expiry");
	/* TMICT 0 stops it. */
	wr(&a, L1VMM_APIC_TMICT, 1000);
	wr(&a, L1VMM_APIC_TMICT, 0);
	TEST_ASSERT(!a.timer.armed, "TMICT 0 armed");
	ASSERT_EQ(0, rd(&a, L1VMM_APIC_TMCCT));

	/* TDCR on a running timer rescales what is left: 8000 ns at /16 become 4000 at /8. */
	fx.flags = 0;
	l1vmm_apic_mmio_write(&a, L1VMM_APIC_TMICT, 4, 1000, 0, &fx);
	l1vmm_apic_mmio_write(&a, L1VMM_APIC_TDCR, 4, 0x2, 8000, &fx);
	ASSERT_EQ(L1VMM_APIC_FX_TIMER, fx.flags);
	ASSERT_EQ(8000, a.timer.period_ns);
	ASSERT_EQ(12000, a.timer.target_ns);
	ASSERT_EQ(500, l1vmm_apic_mmio_read(&a, L1VMM_APIC_TMCCT, 4, 8000));
}

static void test_timer_periodic(void)
{
	struct l1vmm_apic a;

	setup(&a, 0, false);
	wr(&a, L1VMM_APIC_TDCR, 0xb);			/* divide by 1 */
	wr(&a, L1VMM_APIC_LVTT, 0x20031);		/* periodic */
	ASSERT_EQ(L1VMM_APIC_TIMER_PERIODIC, a.timer.mode);
	l1vmm_apic_mmio_write(&a, L1VMM_APIC_TMICT, 4, 1000000, 100,
			      &(struct l1vmm_apic_fx){ 0 });
	ASSERT_EQ(1000000, a.timer.period_ns);
	ASSERT_EQ(1000100, a.timer.target_ns);
	/* The count wraps with the period. */
	ASSERT_EQ(999999, l1vmm_apic_tmcct(&a, 101));
	ASSERT_EQ(1, l1vmm_apic_tmcct(&a, 1000099));
	TEST_ASSERT(l1vmm_apic_timer_expired(&a, 1000100), "no expiry");
	TEST_ASSERT(a.timer.armed, "periodic disarmed");
	ASSERT_EQ(2000100, a.timer.target_ns);
	ASSERT_EQ(999999, l1vmm_apic_tmcct(&a, 1000101));
	/* Late: no catching up, the next period from now. */
	TEST_ASSERT(l1vmm_apic_timer_expired(&a, 9000000), "no expiry");
	ASSERT_EQ(9000000, a.timer.target_ns);

	/* A period under 200 us is raised to it (min_timer_period_us). */
	l1vmm_apic_mmio_write(&a, L1VMM_APIC_TMICT, 4, 100, 0, &(struct l1vmm_apic_fx){ 0 });
	ASSERT_EQ(L1VMM_APIC_MIN_PERIOD_NS, a.timer.period_ns);
	/* Not in one-shot mode. */
	wr(&a, L1VMM_APIC_LVTT, 0x31);
	wr(&a, L1VMM_APIC_TMICT, 100);
	ASSERT_EQ(100, a.timer.period_ns);
}

static void test_timer_tscdeadline(void)
{
	struct l1vmm_apic_fx fx = { 0 };
	struct l1vmm_apic a;

	setup(&a, 0, false);
	/* Not in TSC-deadline mode: the MSR is ignored and reads 0. */
	TEST_ASSERT(!l1vmm_apic_set_tscdeadline(&a, 1234), "deadline outside the mode");
	ASSERT_EQ(0, l1vmm_apic_get_tscdeadline(&a));
	wr(&a, L1VMM_APIC_TMICT, 5000);
	TEST_ASSERT(a.timer.armed, "one-shot not armed");
	/* Switching to TSC deadline stops the count and clears TMICT. */
	l1vmm_apic_mmio_write(&a, L1VMM_APIC_LVTT, 4, 0x40032, 0, &fx);
	ASSERT_EQ(L1VMM_APIC_FX_TIMER, fx.flags);
	ASSERT_EQ(L1VMM_APIC_TIMER_TSCDEADLINE, a.timer.mode);
	TEST_ASSERT(!a.timer.armed, "count still armed");
	ASSERT_EQ(0, rd(&a, L1VMM_APIC_TMICT));
	/* TMICT writes are ignored, TMCCT reads 0. */
	wr(&a, L1VMM_APIC_TMICT, 5000);
	ASSERT_EQ(0, rd(&a, L1VMM_APIC_TMICT));
	ASSERT_EQ(0, rd(&a, L1VMM_APIC_TMCCT));
	TEST_ASSERT(l1vmm_apic_set_tscdeadline(&a, 1234), "deadline refused");
	ASSERT_EQ(1234, l1vmm_apic_get_tscdeadline(&a));
	TEST_ASSERT(l1vmm_apic_timer_expired(&a, 0), "no expiry");
	ASSERT_EQ(0, l1vmm_apic_get_tscdeadline(&a));	/* disarmed after firing */
	TEST_ASSERT(!l1vmm_apic_timer_expired(&a, 0), "second expiry");
	/* Leaving the mode clears the deadline. */
	l1vmm_apic_set_tscdeadline(&a, 99);
	fx.flags = 0;
	l1vmm_apic_mmio_write(&a, L1VMM_APIC_LVTT, 4, 0x32, 0, &fx);
	ASSERT_EQ(L1VMM_APIC_FX_TIMER, fx.flags);
	ASSERT_EQ(0, a.timer.tscdeadline);
	/* Between one-shot and periodic nothing stops. */
	wr(&a, L1VMM_APIC_TMICT, 5000);
	fx.flags = 0;
	l1vmm_apic_mmio_write(&a, L1VMM_APIC_LVTT, 4, 0x20032, 0, &fx);
	ASSERT_EQ(0, fx.flags);
	TEST_ASSERT(a.timer.armed, "periodic switch stopped it");
	/* Software disable masks LVTT and keeps the mode. */
	wr(&a, L1VMM_APIC_SPIV, 0xff);
	ASSERT_EQ(0x30032, rd(&a, L1VMM_APIC_LVTT));
	/* Without TSC deadline in CPUID, bit 18 is dropped: no mode switch. */
	setup(&a, 0, false);
	a.tsc_deadline = false;
	wr(&a, L1VMM_APIC_LVTT, 0x40032);
	ASSERT_EQ(L1VMM_APIC_TIMER_ONESHOT, a.timer.mode);
}

/* KVM_GET_LAPIC / KVM_SET_LAPIC. */
static void test_state(void)
{
	struct l1vmm_apic a, b;
	u32 page[256];

	setup(&a, 4, false);
	wr(&a, L1VMM_APIC_TDCR, 0xb);
	wr(&a, L1VMM_APIC_LVTT, 0x20040);
	l1vmm_apic_mmio_write(&a, L1VMM_APIC_TMICT, 4, 1000000, 0, &(struct l1vmm_apic_fx){ 0 });
	wr(&a, L1VMM_APIC_TPR, 0x20);
	l1vmm_apic_set_vec(&a, L1VMM_APIC_ISR, 0x41);
	l1vmm_apic_get_state(&a, page, false, 250000);
	ASSERT_EQ(750000, page[L1VMM_APIC_TMCCT / 4]);
	ASSERT_EQ(4U << 24, page[L1VMM_APIC_ID / 4]);
	ASSERT_EQ(0, a.regs[L1VMM_APIC_TMCCT / 4]);

	/* Restore elsewhere: the count goes on from TMCCT, PPR recomputed. */
	setup(&b, 4, false);
	page[L1VMM_APIC_PPR / 4] = 0;
	ASSERT_EQ(0, l1vmm_apic_set_state(&b, page, false, 10));
	ASSERT_EQ(0x40, rd(&b, L1VMM_APIC_PPR));
	TEST_ASSERT(b.timer.armed, "restored timer idle");
	ASSERT_EQ(1000000, b.timer.period_ns);
	ASSERT_EQ(750010, b.timer.target_ns);
	ASSERT_EQ(0, b.regs[L1VMM_APIC_TMCCT / 4]);
	/* TMCCT above TMICT starts a full period; 0 in periodic mode too. */
	page[L1VMM_APIC_TMCCT / 4] = 2000000;
	l1vmm_apic_set_state(&b, page, false, 0);
	ASSERT_EQ(1000000, b.timer.target_ns);
	page[L1VMM_APIC_TMCCT / 4] = 0;
	l1vmm_apic_set_state(&b, page, false, 0);
	ASSERT_EQ(1000000, b.timer.target_ns);
	/* One-shot with TMCCT 0: due now. */
	page[L1VMM_APIC_LVTT / 4] = 0x40;
	l1vmm_apic_set_state(&b, page, false, 7);
	ASSERT_EQ(7, b.timer.target_ns);
	ASSERT_EQ(L1VMM_APIC_TIMER_ONESHOT, b.timer.mode);

	/* x2APIC: the ID at 31:24 unless x2apic_format; LDR derived on set. */
	setup(&a, 0x21, false);
	to_x2apic(&a);
	l1vmm_apic_get_state(&a, page, false, 0);
	ASSERT_EQ(0x21000000, page[L1VMM_APIC_ID / 4]);
	l1vmm_apic_get_state(&a, page, true, 0);
	ASSERT_EQ(0x21, page[L1VMM_APIC_ID / 4]);
	page[L1VMM_APIC_LDR / 4] = 0;
	ASSERT_EQ(0, l1vmm_apic_set_state(&a, page, true, 0));
	ASSERT_EQ(0x20002, a.regs[L1VMM_APIC_LDR / 4]);
	page[L1VMM_APIC_ID / 4] = 0x22;
	ASSERT_EQ(-EINVAL, l1vmm_apic_set_state(&a, page, true, 0));
	page[L1VMM_APIC_ID / 4] = 0x21000000;
	ASSERT_EQ(0, l1vmm_apic_set_state(&a, page, false, 0));
	ASSERT_EQ(0x21, a.regs[L1VMM_APIC_ID / 4]);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_vector_bitmaps),
	KTAP_CASE(test_ppr),
	KTAP_CASE(test_ack_eoi),
	KTAP_CASE(test_vapic_word),
	KTAP_CASE(test_reset),
	KTAP_CASE(test_mmio_read),
	KTAP_CASE(test_mmio_write),
	KTAP_CASE(test_svr),
	KTAP_CASE(test_icr),
	KTAP_CASE(test_ipi),
	KTAP_CASE(test_x2apic),
	KTAP_CASE(test_apic_base),
	KTAP_CASE(test_match_dest),
	KTAP_CASE(test_lowest_prio),
	KTAP_CASE(test_accept),
	KTAP_CASE(test_divisor),
	KTAP_CASE(test_timer_oneshot),
	KTAP_CASE(test_timer_periodic),
	KTAP_CASE(test_timer_tscdeadline),
	KTAP_CASE(test_state),
	KTAP_CASE(test_map_delivers),
};

int main(void)
{
	return ktap_run("apic", tests, KTAP_ARRAY_SIZE(tests));
}
