// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/portable/halt_poll.c
/*
 * Host unit test of halt polling's arithmetic (l1vmm/portable/halt_poll.c):
 * KVM's grow and shrink of a vCPU's poll time after each halt.
 */
#include "ktap.h"
#include "l1vmm/portable/halt_poll.h"

static const struct l1vmm_halt_poll_knobs defaults = {
	.grow = L1VMM_HALT_POLL_NS_GROW_DEFAULT,
	.grow_start = L1VMM_HALT_POLL_NS_GROW_START_DEFAULT,
	.shrink = L1VMM_HALT_POLL_NS_SHRINK_DEFAULT,
};

/* Growing starts at grow_start and doubles; grow 0 never grows. */
static void test_grow(void)
{
	struct l1vmm_halt_poll_knobs k = defaults;

	ASSERT_EQ(10000, l1vmm_halt_poll_grow(0, &k));
	ASSERT_EQ(10000, l1vmm_halt_poll_grow(4000, &k));
	ASSERT_EQ(20000, l1vmm_halt_poll_grow(10000, &k));
	k.grow = 0;
	ASSERT_EQ(0, l1vmm_halt_poll_grow(0, &k));
	ASSERT_EQ(30000, l1vmm_halt_poll_grow(30000, &k));
}

/* Shrink 0 stops polling; a divisor shrinks, to 0 below grow_start. */
static void test_shrink(void)
{
	struct l1vmm_halt_poll_knobs k = defaults;

	ASSERT_EQ(0, l1vmm_halt_poll_shrink(160000, &k));
	k.shrink = 2;
	ASSERT_EQ(80000, l1vmm_halt_poll_shrink(160000, &k));
	ASSERT_EQ(10000, l1vmm_halt_poll_shrink(20000, &k));
	ASSERT_EQ(0, l1vmm_halt_poll_shrink(19998, &k));
}

/* After a halt: within the poll nothing changes, short grows, long shrinks. */
static void test_next(void)
{
	const u32 max = L1VMM_HALT_POLL_NS_DEFAULT;

	ASSERT_EQ(0, l1vmm_halt_poll_next(40000, 0, 100, &defaults));
	ASSERT_EQ(40000, l1vmm_halt_poll_next(40000, max, 40000, &defaults));
	ASSERT_EQ(40000, l1vmm_halt_poll_next(40000, max, 1000, &defaults));
	ASSERT_EQ(10000, l1vmm_halt_poll_next(0, max, 50000, &defaults));
	ASSERT_EQ(80000, l1vmm_halt_poll_next(40000, max, 50000, &defaults));
	ASSERT_EQ(0, l1vmm_halt_poll_next(40000, max, max + 1, &defaults));
	/* Not polling and a long halt: still not polling. */
	ASSERT_EQ(0, l1vmm_halt_poll_next(0, max, 5ULL * max, &defaults));
	/* At the limit and a halt between the poll and the limit: kept. */
	ASSERT_EQ(max, l1vmm_halt_poll_next(max, max, max, &defaults));
	/* Growing may pass the limit; the next halt clamps it (halt_poll.c). */
	ASSERT_EQ(320000, l1vmm_halt_poll_next(160000, max, 170000, &defaults));
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_grow),
	KTAP_CASE(test_shrink),
	KTAP_CASE(test_next),
};

int main(void)
{
	return ktap_run("halt_poll", tests, KTAP_ARRAY_SIZE(tests));
}
