// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: xstate/portable/xcr0.c
/*
 * Host unit test of the XCR0 rules (xstate/portable/xcr0.c): for every rule, a
 * value that breaks it alone is refused with that rule's reason, and the
 * nearest value that keeps it is accepted. And which components INIT
 * clears.
 */
#include <string.h>

#include "ktap.h"
#include "xstate/portable/xcr0.h"

#define X87	L1VMM_XF(X87)
#define SSE	L1VMM_XF(SSE)
#define YMM	L1VMM_XF(YMM)
#define MPX	L1VMM_XF_MPX
#define AVX512	L1VMM_XF_AVX512
#define XTILE	L1VMM_XF_XTILE
#define APX	L1VMM_XF(APX)
#define PKRU	L1VMM_XF(PKRU)

/* A guest offered everything the rules talk about. */
#define ALL	(X87 | SSE | YMM | MPX | AVX512 | PKRU | XTILE | APX)

struct xcr0_case {
	u32 index;
	u64 xcr0, supported;
	const char *why;	/* NULL: accepted */
};

static const struct xcr0_case cases[] = {
	/* ECX selects the XCR: only 0 exists. */
	{ 0, X87, ALL, NULL },
	{ 1, X87, ALL, "only XCR0 exists" },
	{ 0xffffffff, X87 | SSE, ALL, "only XCR0 exists" },
	/* x87 always, even for a guest offered nothing. */
	{ 0, X87, 0, NULL },
	{ 0, 0, ALL, "x87 must be enabled" },
	{ 0, SSE | YMM, ALL, "x87 must be enabled" },
	/* AVX needs SSE. */
	{ 0, X87 | SSE | YMM, ALL, NULL },
	{ 0, X87 | YMM, ALL, "AVX needs SSE" },
	/* Nothing outside the guest's CPUID. */
	{ 0, X87 | SSE, X87 | SSE, NULL },
	{ 0, X87 | SSE, X87, "a feature the guest's CPUID does not offer" },
	{ 0, X87 | SSE | YMM, X87 | SSE, "a feature the guest's CPUID does not offer" },
	{ 0, X87 | BIT_ULL(20), ALL, "a feature the guest's CPUID does not offer" },
	{ 0, X87 | BIT_ULL(63), ~0ull, NULL },	/* the rules know no bit 63 */
	/* MPX: both or neither. */
	{ 0, X87 | MPX, ALL, NULL },
	{ 0, X87 | L1VMM_XF(BNDREGS), ALL, "the two MPX components go together" },
	{ 0, X87 | L1VMM_XF(BNDCSR), ALL, "the two MPX components go together" },
	/* AVX-512: all three, and AVX with them. */
	{ 0, X87 | SSE | YMM | AVX512, ALL, NULL },
	{ 0, X87 | SSE | AVX512, ALL, "AVX-512 needs AVX" },
	{ 0, X87 | SSE | YMM | L1VMM_XF(OPMASK), ALL, "the three AVX-512 components go together" },
	{ 0, X87 | SSE | YMM | L1VMM_XF(OPMASK) | L1VMM_XF(ZMM_HI256), ALL,
	  "the three AVX-512 components go together" },
	{ 0, X87 | SSE | YMM | L1VMM_XF(HI16_ZMM), ALL, "the three AVX-512 components go together" },
	/* AMX: both tile components or neither. */
	{ 0, X87 | SSE | XTILE, ALL, NULL },
	{ 0, X87 | SSE | L1VMM_XF(XTILE_CFG), ALL, "the two AMX tile components go together" },
	{ 0, X87 | SSE | L1VMM_XF(XTILE_DATA), ALL, "the two AMX tile components go together" },
	/* APX: never with MPX. */
	{ 0, X87 | SSE | APX, ALL, NULL },
	{ 0, X87 | APX | MPX, ALL, "APX and MPX share their XSAVE area" },
	{ 0, X87 | APX, ALL & ~APX, "a feature the guest's CPUID does not offer" },
	/* Everything at once that may go together. */
	{ 0, X87 | SSE | YMM | AVX512 | PKRU | XTILE | APX, ALL, NULL },
};

static void test_rules_table(void)
{
	size_t i;

	for (i = 0; i < KTAP_ARRAY_SIZE(cases); i++) {
		const struct xcr0_case *c = &cases[i];
		const char *got = l1vmm_xcr0_invalid(c->index, c->xcr0, c->supported);

		if (!c->why)
			TEST_ASSERT(!got, "case %zu: xcr%u=%#llx refused: %s", i, c->index,
				    (unsigned long long)c->xcr0, got);
		else
			TEST_ASSERT(got && !strcmp(got, c->why),
				    "case %zu: xcr%u=%#llx: wanted \"%s\", got \"%s\"", i,
				    c->index, (unsigned long long)c->xcr0, c->why,
				    got ? got : "(accepted)");
	}
}

/* Every rule in the table is tested from both sides. */
static void test_every_rule_is_covered(void)
{
	static const char *const rules[] = {
		"only XCR0 exists", "x87 must be enabled", "AVX needs SSE",
		"a feature the guest's CPUID does not offer",
		"the two MPX components go together", "AVX-512 needs AVX",
		"the three AVX-512 components go together",
		"the two AMX tile components go together",
		"APX and MPX share their XSAVE area",
	};
	size_t r, i;

	for (r = 0; r < KTAP_ARRAY_SIZE(rules); r++) {
		bool seen = false;

		for (i = 0; i < KTAP_ARRAY_SIZE(cases); i++)
			seen |= cases[i].why && !strcmp(cases[i].why, rules[r]);
		TEST_ASSERT(seen, "no case breaks \"%s\"", rules[r]);
	}
}

struct cleared {
	unsigned int n;
	unsigned int xfeature[64];
};

static void record_clear(unsigned int xfeature, void *ctx)
{
	struct cleared *c = ctx;

	c->xfeature[c->n++] = xfeature;
}

/* INIT clears MPX and CET, only where supported, lowest first, nothing else. */
static void test_init_clears_exactly(void)
{
	struct cleared c = { 0 };

	ASSERT_EQ(4, l1vmm_xstate_init_clear(~0ull, record_clear, &c));
	ASSERT_EQ(4, c.n);
	ASSERT_EQ(L1VMM_XFEATURE_BNDREGS, c.xfeature[0]);
	ASSERT_EQ(L1VMM_XFEATURE_BNDCSR, c.xfeature[1]);
	ASSERT_EQ(L1VMM_XFEATURE_CET_USER, c.xfeature[2]);
	ASSERT_EQ(L1VMM_XFEATURE_CET_KERNEL, c.xfeature[3]);

	/* An AVX-512 host without MPX or CET: nothing to clear. */
	c.n = 0;
	ASSERT_EQ(0, l1vmm_xstate_init_clear(X87 | SSE | YMM | AVX512 | PKRU | APX,
					     record_clear, &c));
	ASSERT_EQ(0, c.n);

	/* MPX only. */
	c.n = 0;
	ASSERT_EQ(2, l1vmm_xstate_init_clear(X87 | SSE | MPX, record_clear, &c));
	ASSERT_EQ(L1VMM_XFEATURE_BNDREGS, c.xfeature[0]);
	ASSERT_EQ(L1VMM_XFEATURE_BNDCSR, c.xfeature[1]);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_rules_table),
	KTAP_CASE(test_every_rule_is_covered),
	KTAP_CASE(test_init_clears_exactly),
};

int main(void)
{
	return ktap_run("xcr0", tests, KTAP_ARRAY_SIZE(tests));
}
