// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/portable/coalesced.c
/*
 * Host unit test of l1vmm/portable/coalesced.c: which writes a coalesced
 * zone takes and which zones an unregister names (KVM's
 * coalesced_mmio_in_range()), and the ring's free entry (KVM 6.1's
 * coalesced_mmio_has_room() and the bound on last).
 */
#include "ktap.h"
#include "l1vmm/portable/coalesced.h"

#define MAX	170	/* KVM_COALESCED_MMIO_MAX with 4 KiB pages */

static void test_in_range(void)
{
	/* Inside, at both edges. */
	TEST_ASSERT(l1vmm_coalesced_in_range(0x1000, 0x100, 0x1000, 4), "first bytes");
	TEST_ASSERT(l1vmm_coalesced_in_range(0x1000, 0x100, 0x10fc, 4), "last bytes");
	TEST_ASSERT(l1vmm_coalesced_in_range(0x1000, 0x100, 0x1000, 0x100), "the zone");
	/* Across an edge or outside. */
	TEST_ASSERT(!l1vmm_coalesced_in_range(0x1000, 0x100, 0xffe, 4), "before");
	TEST_ASSERT(!l1vmm_coalesced_in_range(0x1000, 0x100, 0x10fe, 4), "after");
	TEST_ASSERT(!l1vmm_coalesced_in_range(0x1000, 0x100, 0x2000, 1), "far");
	/* A negative length, a range that wraps. */
	TEST_ASSERT(!l1vmm_coalesced_in_range(0, 0xffffffffu, 0, -1), "len < 0");
	TEST_ASSERT(!l1vmm_coalesced_in_range(0, 0xffffffffu, ~0ull, 2), "wrap");
	/* A zone of size 0 takes only an empty range at its address. */
	TEST_ASSERT(!l1vmm_coalesced_in_range(0x1000, 0, 0x1000, 1), "size 0");
	TEST_ASSERT(l1vmm_coalesced_in_range(0x1000, 0, 0x1000, 0), "size 0, len 0");
	/* A zone that ends at the top of the address space wraps as KVM's. */
	TEST_ASSERT(!l1vmm_coalesced_in_range(~0ull - 0xff, 0x100, ~0ull - 0xf, 4), "top");
}

/*
 * KVM 6.1's room check, (first - last - 1) % max in 32-bit unsigned
 * arithmetic: exact while first > last, but with first <= last the
 * wrapped difference leaves 2^32 % max (86 for 170) in it, so the ring is
 * full at 85 entries behind first. Later kernels compare (last + 1) % max
 * with first instead.
 */
static void test_slot(void)
{
	ASSERT_EQ(0, l1vmm_coalesced_slot(0, 0, MAX));
	ASSERT_EQ(5, l1vmm_coalesced_slot(0, 5, MAX));
	ASSERT_EQ(84, l1vmm_coalesced_slot(0, 84, MAX));
	ASSERT_EQ(-1, l1vmm_coalesced_slot(0, 85, MAX));
	ASSERT_EQ(-1, l1vmm_coalesced_slot(10, 95, MAX));
	ASSERT_EQ(96, l1vmm_coalesced_slot(10, 96, MAX));
	/* Wrapped (first > last): full only right behind first. */
	ASSERT_EQ(-1, l1vmm_coalesced_slot(6, 5, MAX));
	ASSERT_EQ(4, l1vmm_coalesced_slot(6, 4, MAX));
	ASSERT_EQ(-1, l1vmm_coalesced_slot(85, 84, MAX));
	ASSERT_EQ(0, l1vmm_coalesced_slot(85, 0, MAX));
	/* What user space may have written. */
	ASSERT_EQ(-1, l1vmm_coalesced_slot(0, MAX, MAX));
	ASSERT_EQ(-1, l1vmm_coalesced_slot(0, ~0u, MAX));
	ASSERT_EQ(3, l1vmm_coalesced_slot(~0u, 3, MAX));
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_in_range),
	KTAP_CASE(test_slot),
};

int main(void)
{
	return ktap_run("coalesced", tests, KTAP_ARRAY_SIZE(tests));
}
