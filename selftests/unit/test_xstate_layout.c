// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: xstate/portable/layout.c
/*
 * Host unit test of the XSAVE layout math (xstate/portable/layout.c) on CPUID 0xD
 * tables recorded from three kinds of CPU: AVX only (AMD Zen), AVX-512 and
 * MPX and PKRU with a supervisor component (Intel Skylake-SP), and one with
 * AMX and APX (component 19, 128 bytes at MPX's old offset 960). And the
 * uABI copies of R16-R31 into and out of the APX area.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "ktap.h"
#include "xstate/portable/layout.h"

struct leaf_d {
	u32 index, eax, ebx, ecx, edx;
};

static const struct leaf_d *table;

static void recorded_cpuid(u32 leaf, u32 index, struct l1vmm_cpuid_regs *out)
{
	const struct leaf_d *e;

	*out = (struct l1vmm_cpuid_regs){ 0 };
	if (leaf != 0xd)
		return;
	for (e = table; e->index != ~0u; e++) {
		if (e->index == index) {
			*out = (struct l1vmm_cpuid_regs){ e->eax, e->ebx, e->ecx, e->edx };
			return;
		}
	}
}

static const struct leaf_d zen[] = {
	{ 0, 0x7, 0x340, 0x340, 0 },
	{ 1, 0xf, 0x340, 0, 0 },
	{ 2, 0x100, 0x240, 0, 0 },
	{ .index = ~0u },
};

static const struct leaf_d skylake_sp[] = {
	{ 0, 0x2ff, 0xa88, 0xa88, 0 },
	{ 1, 0xf, 0xa08, 0x100, 0 },		/* XSS: PT */
	{ 2, 0x100, 0x240, 0, 0 },
	{ 3, 0x40, 0x3c0, 0, 0 },
	{ 4, 0x40, 0x400, 0, 0 },
	{ 5, 0x40, 0x440, 0, 0 },
	{ 6, 0x200, 0x480, 0, 0 },
	{ 7, 0x400, 0x680, 0, 0 },
	{ 8, 0x80, 0, 1, 0 },			/* PT: supervisor */
	{ 9, 0x8, 0xa80, 0, 0 },
	{ .index = ~0u },
};

static const struct leaf_d amx_apx[] = {
	{ 0, 0xe02e7, 0x2b00, 0x2b00, 0 },
	{ 1, 0x1f, 0, 0, 0 },
	{ 2, 0x100, 0x240, 0, 0 },
	{ 5, 0x40, 0x440, 0, 0 },
	{ 6, 0x200, 0x480, 0, 0 },
	{ 7, 0x400, 0x680, 0, 0 },
	{ 9, 0x8, 0xa80, 0, 0 },		/* PKRU */
	{ 17, 0x40, 0xac0, 0, 0 },
	{ 18, 0x2000, 0xb00, 2, 0 },		/* tile data: 64-byte aligned */
	{ 19, 0x80, 0x3c0, 0, 0 },		/* APX: R16-R31 */
	{ .index = ~0u },
};

static void read_layout(const struct leaf_d *t, struct l1vmm_xstate_layout *l)
{
	table = t;
	l1vmm_xstate_layout_read(recorded_cpuid, l);
}

#define X87_SSE_YMM	(L1VMM_XF_FPSSE | L1VMM_XF(YMM))

static void test_avx_only(void)
{
	struct l1vmm_xstate_layout l;

	read_layout(zen, &l);
	ASSERT_EQ(X87_SSE_YMM, l.user);
	ASSERT_EQ(0, l.supervisor);
	ASSERT_EQ(576, l.comp[L1VMM_XFEATURE_YMM].offset);
	ASSERT_EQ(576, l1vmm_xstate_standard_size(&l, L1VMM_XF_FPSSE));
	ASSERT_EQ(832, l1vmm_xstate_standard_size(&l, X87_SSE_YMM));
	/* CPUID's own answer for everything enabled: EBX/ECX of 0xD.0. */
	ASSERT_EQ(0x340, l1vmm_xstate_standard_size(&l, l.user));
	ASSERT_EQ(832, l1vmm_xstate_compacted_size(&l, X87_SSE_YMM));
	/* A component the CPU lacks adds nothing. */
	ASSERT_EQ(832, l1vmm_xstate_standard_size(&l, X87_SSE_YMM | L1VMM_XF(APX)));
}

static void test_avx512_mpx_pkru(void)
{
	struct l1vmm_xstate_layout l;

	read_layout(skylake_sp, &l);
	ASSERT_EQ(0x2ff, l.user);
	ASSERT_EQ(L1VMM_XF(PT), l.supervisor);
	ASSERT_EQ(0xa88, l1vmm_xstate_standard_size(&l, l.user));
	ASSERT_EQ(2688, l1vmm_xstate_standard_size(&l, X87_SSE_YMM | L1VMM_XF_AVX512));
	ASSERT_EQ(1088, l1vmm_xstate_standard_size(&l, X87_SSE_YMM | L1VMM_XF_MPX));
	/* Compacted: no gaps, in component order. */
	ASSERT_EQ(576 + 256 + 64 + 64 + 64 + 512 + 1024 + 8,
		  l1vmm_xstate_compacted_size(&l, l.user));
	/* Supervisor state has no standard-format offset. */
	TEST_ASSERT(l.comp[L1VMM_XFEATURE_PT].supervisor, "PT is not supervisor");
	ASSERT_EQ(0xa88, l1vmm_xstate_standard_size(&l, l.user | L1VMM_XF(PT)));
	ASSERT_EQ(576 + 256 + 128, l1vmm_xstate_compacted_size(&l, X87_SSE_YMM | L1VMM_XF(PT)));
}

static void test_amx_apx(void)
{
	struct l1vmm_xstate_layout l;
	const struct l1vmm_xstate_component *apx;

	read_layout(amx_apx, &l);
	apx = &l.comp[L1VMM_XFEATURE_APX];
	ASSERT_EQ(128, apx->size);
	ASSERT_EQ(960, apx->offset);	/* where MPX's bound registers were */
	ASSERT_EQ(1088, l1vmm_xstate_standard_size(&l, X87_SSE_YMM | L1VMM_XF(APX)));
	ASSERT_EQ(0x2b00, l1vmm_xstate_standard_size(&l, l.user));
	ASSERT_EQ(576 + 256 + 128, l1vmm_xstate_compacted_size(&l, X87_SSE_YMM | L1VMM_XF(APX)));
	/* Tile data starts 64-byte aligned: after PKRU's 8 bytes, a gap. */
	ASSERT_EQ(576 + 8 + 56 + 8192,
		  l1vmm_xstate_compacted_size(&l, L1VMM_XF_FPSSE | L1VMM_XF(PKRU) |
					      L1VMM_XF(XTILE_DATA)));
	ASSERT_EQ(576 + 256 + 64 + 512 + 1024 + 8 + 64 + 56 + 8192 + 128,
		  l1vmm_xstate_compacted_size(&l, l.user));
}

#define UABI_SIZE	0x2b00
#define HDR		512

static uint64_t xstate_bv(const uint8_t *buf)
{
	uint64_t v;

	memcpy(&v, buf + HDR, sizeof(v));
	return v;
}

/* Get: R16-R31 land at APX's offset and XSTATE_BV gains the APX bit. */
static void test_put_egprs(void)
{
	static uint8_t buf[UABI_SIZE];
	unsigned long egprs[L1VMM_NR_EGPRS], seen[L1VMM_NR_EGPRS];
	struct l1vmm_xstate_layout l;
	unsigned int i;

	read_layout(amx_apx, &l);
	for (i = 0; i < L1VMM_NR_EGPRS; i++)
		egprs[i] = 0x1600000000000000ul + i;
	memset(buf, 0, sizeof(buf));
	buf[HDR] = 0x3;				/* x87, SSE */
	ASSERT_EQ(0, l1vmm_xsave_put_egprs(buf, sizeof(buf), &l, egprs));
	ASSERT_EQ(0x3 | L1VMM_XF(APX), xstate_bv(buf));
	memcpy(seen, buf + 960, sizeof(seen));
	ASSERT_EQ(0, memcmp(egprs, seen, sizeof(seen)));
	/* Nothing outside the area moved: MPX's old neighbours are zero. */
	ASSERT_EQ(0, buf[959]);
	ASSERT_EQ(0, buf[960 + 128]);

	/* No APX area, or one beyond the buffer: refused. */
	read_layout(skylake_sp, &l);
	ASSERT_EQ(-EINVAL, l1vmm_xsave_put_egprs(buf, sizeof(buf), &l, egprs));
	read_layout(amx_apx, &l);
	ASSERT_EQ(-EINVAL, l1vmm_xsave_put_egprs(buf, 1024, &l, egprs));
	ASSERT_EQ(-EINVAL, l1vmm_xsave_put_egprs(buf, 64, &l, egprs));	/* smaller than the area */
}

/* Set: taken only with the APX bit, which is then cleared. */
static void test_take_egprs(void)
{
	static uint8_t buf[UABI_SIZE];
	unsigned long egprs[L1VMM_NR_EGPRS], want[L1VMM_NR_EGPRS];
	struct l1vmm_xstate_layout l;
	unsigned int i;

	read_layout(amx_apx, &l);
	for (i = 0; i < L1VMM_NR_EGPRS; i++)
		want[i] = 0x3100000000000000ul + i;
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 960, want, sizeof(want));

	/* Without the header bit, the area is not the guest's registers. */
	memset(egprs, 0xee, sizeof(egprs));
	buf[HDR] = 0x3;
	ASSERT_EQ(0, l1vmm_xsave_take_egprs(buf, sizeof(buf), &l, egprs));
	ASSERT_EQ(0xeeeeeeeeeeeeeeeeul, egprs[0]);
	ASSERT_EQ(0x3, xstate_bv(buf));

	buf[HDR + 2] = L1VMM_XF(APX) >> 16;	/* bit 19 */
	ASSERT_EQ(0x3 | L1VMM_XF(APX), xstate_bv(buf));
	ASSERT_EQ(1, l1vmm_xsave_take_egprs(buf, sizeof(buf), &l, egprs));
	ASSERT_EQ(0, memcmp(want, egprs, sizeof(want)));
	ASSERT_EQ(0x3, xstate_bv(buf));

	read_layout(zen, &l);
	ASSERT_EQ(-EINVAL, l1vmm_xsave_take_egprs(buf, sizeof(buf), &l, egprs));
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_avx_only),
	KTAP_CASE(test_avx512_mpx_pkru),
	KTAP_CASE(test_amx_apx),
	KTAP_CASE(test_put_egprs),
	KTAP_CASE(test_take_egprs),
};

int main(void)
{
	return ktap_run("xstate_layout", tests, KTAP_ARRAY_SIZE(tests));
}
