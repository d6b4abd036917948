// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/portable/slot_index.c
/*
 * Host unit test of the sorted memory-slot index
 * (l1vmm/portable/slot_index.c): lookup at the edges of each range,
 * overlap checks (a slot being moved does not overlap itself), insertion
 * in order, removal, and thousands of slots checked against a linear scan;
 * the largest nested leaf a slot's geometry allows (4 KiB, 2 MiB, 1 GiB).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ktap.h"
#include "l1vmm/portable/slot_index.h"

#define MANY	32764

static struct l1vmm_gfn_range r[MANY];
static int tags[MANY];

static unsigned long add(unsigned long n, u64 base, u64 npages, void *slot)
{
	struct l1vmm_gfn_range e = { .base_gfn = base, .npages = npages, .slot = slot };

	TEST_ASSERT(!l1vmm_slot_index_overlaps(r, n, base, npages, NULL),
		    "[%#llx, +%#llx) overlaps", (unsigned long long)base,
		    (unsigned long long)npages);
	return l1vmm_slot_index_insert(r, n, &e);
}

static void test_empty(void)
{
	ASSERT_EQ(-1, l1vmm_slot_index_find(r, 0, 0));
	ASSERT_EQ(-1, l1vmm_slot_index_find(r, 0, ~0ull));
	ASSERT_EQ(0, l1vmm_slot_index_overlaps(r, 0, 0, 1, NULL));
}

static void test_find_edges(void)
{
	unsigned long n = 0;

	/* Out of order on purpose; 0x100 sits between two others. */
	n = add(n, 0x200, 0x10, &tags[2]);
	n = add(n, 0x0, 0x100, &tags[0]);
	n = add(n, 0x100, 0x1, &tags[1]);
	n = add(n, 0xfffffffffffffff0ull, 0x10, &tags[3]);
	ASSERT_EQ(4, n);
	ASSERT_EQ(0, r[0].base_gfn);
	ASSERT_EQ(0x100, r[1].base_gfn);
	ASSERT_EQ(0x200, r[2].base_gfn);

	ASSERT_EQ(0, l1vmm_slot_index_find(r, n, 0));
	ASSERT_EQ(0, l1vmm_slot_index_find(r, n, 0xff));
	ASSERT_EQ(1, l1vmm_slot_index_find(r, n, 0x100));
	ASSERT_EQ(-1, l1vmm_slot_index_find(r, n, 0x101));
	ASSERT_EQ(-1, l1vmm_slot_index_find(r, n, 0x1ff));
	ASSERT_EQ(2, l1vmm_slot_index_find(r, n, 0x20f));
	ASSERT_EQ(-1, l1vmm_slot_index_find(r, n, 0x210));
	ASSERT_EQ(3, l1vmm_slot_index_find(r, n, ~0ull));
	ASSERT_EQ(3, l1vmm_slot_index_find(r, n, 0xfffffffffffffff0ull));
	ASSERT_EQ(-1, l1vmm_slot_index_find(r, n, 0xffffffffffffffefull));
}

static void test_overlaps(void)
{
	unsigned long n = 0;

	n = add(n, 0x100, 0x100, &tags[0]);
	n = add(n, 0x300, 0x100, &tags[1]);
	ASSERT_EQ(0, l1vmm_slot_index_overlaps(r, n, 0, 0x100, NULL));
	ASSERT_EQ(1, l1vmm_slot_index_overlaps(r, n, 0, 0x101, NULL));
	ASSERT_EQ(1, l1vmm_slot_index_overlaps(r, n, 0x1ff, 1, NULL));
	ASSERT_EQ(0, l1vmm_slot_index_overlaps(r, n, 0x200, 0x100, NULL));
	ASSERT_EQ(1, l1vmm_slot_index_overlaps(r, n, 0x200, 0x101, NULL));
	ASSERT_EQ(1, l1vmm_slot_index_overlaps(r, n, 0, 0x1000, NULL));
	/* Moving slot 0 over its own range, and onto slot 1's. */
	ASSERT_EQ(0, l1vmm_slot_index_overlaps(r, n, 0x180, 0x100, &tags[0]));
	ASSERT_EQ(1, l1vmm_slot_index_overlaps(r, n, 0x280, 0x100, &tags[0]));
	ASSERT_EQ(0, l1vmm_slot_index_overlaps(r, n, 0x300, 0x100, &tags[1]));
	ASSERT_EQ(1, l1vmm_slot_index_overlaps(r, n, 0x1ff, 0x100, &tags[1]));
}

static void test_remove(void)
{
	unsigned long n = 0;

	n = add(n, 0x10, 1, &tags[0]);
	n = add(n, 0x20, 1, &tags[1]);
	n = add(n, 0x30, 1, &tags[2]);
	n = l1vmm_slot_index_remove(r, n, 1);
	ASSERT_EQ(2, n);
	ASSERT_EQ(-1, l1vmm_slot_index_find(r, n, 0x20));
	ASSERT_EQ(1, l1vmm_slot_index_find(r, n, 0x30));
	n = l1vmm_slot_index_remove(r, n, 1);
	n = l1vmm_slot_index_remove(r, n, 0);
	ASSERT_EQ(0, n);
	ASSERT_EQ(-1, l1vmm_slot_index_find(r, n, 0x10));
}

/* A linear scan: what the index must agree with. */
static long slow_find(unsigned long n, u64 gfn)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		if (gfn - r[i].base_gfn < r[i].npages)
			return i;
	return -1;
}

static void test_many(void)
{
	unsigned long n = 0, i, k;

	srand(19);
	/* KVM's 32764 slots of 1..4 pages with holes, inserted in random order. */
	for (i = 0; i < MANY; i++) {
		u64 base = (u64)((i * 7919) % MANY) * 8;

		n = add(n, base, 1 + rand() % 4, &tags[i]);
	}
	ASSERT_EQ(MANY, n);
	for (i = 1; i < n; i++)
		TEST_ASSERT(r[i - 1].base_gfn + r[i - 1].npages <= r[i].base_gfn,
			    "ranges %lu and %lu out of order", i - 1, i);
	for (k = 0; k < 100000; k++) {
		u64 gfn = rand() % (MANY * 8 + 16);

		ASSERT_EQ(slow_find(n, gfn), l1vmm_slot_index_find(r, n, gfn));
	}
	/* Remove every other one: the rest are still found. */
	for (i = 0; i < n; i++)
		n = l1vmm_slot_index_remove(r, n, i);
	ASSERT_EQ(MANY / 2, n);
	for (k = 0; k < 100000; k++) {
		u64 gfn = rand() % (MANY * 8 + 16);

		ASSERT_EQ(slow_find(n, gfn), l1vmm_slot_index_find(r, n, gfn));
	}
}

#define P2M	512ull		/* frames in 2 MiB */
#define P1G	(512ull * 512)	/* frames in 1 GiB */

/* The largest leaf a slot allows: alignment of guest and user frames, whole page inside. */
static void test_max_leaf_level(void)
{
	/* 1 GiB at 1 GiB, user address 1 GiB aligned: one 1 GiB leaf anywhere in it. */
	ASSERT_EQ(3, l1vmm_slot_max_leaf_level(P1G, P1G, 7 * P1G, P1G, 3));
	ASSERT_EQ(3, l1vmm_slot_max_leaf_level(P1G, P1G, 7 * P1G, 2 * P1G - 1, 3));
	/* The format or the VMM's mapping bounds it. */
	ASSERT_EQ(2, l1vmm_slot_max_leaf_level(P1G, P1G, 7 * P1G, P1G + 5, 2));
	ASSERT_EQ(1, l1vmm_slot_max_leaf_level(P1G, P1G, 7 * P1G, P1G + 5, 1));
	/* One frame short of the whole GiB: 2 MiB, except in its last 2 MiB. */
	ASSERT_EQ(2, l1vmm_slot_max_leaf_level(P1G, P1G - 1, 7 * P1G, P1G, 3));
	ASSERT_EQ(1, l1vmm_slot_max_leaf_level(P1G, P1G - 1, 7 * P1G, 2 * P1G - 2, 3));
	/* User address 2 MiB off a 1 GiB boundary: 2 MiB leaves only. */
	ASSERT_EQ(2, l1vmm_slot_max_leaf_level(P1G, P1G, 7 * P1G + P2M, P1G + 3, 3));
	/* Slot starting 2 MiB into the GiB, same offset in user space: 2 MiB. */
	ASSERT_EQ(2, l1vmm_slot_max_leaf_level(P1G + P2M, P1G - P2M, 7 * P1G + P2M,
					       P1G + P2M, 3));
	/* 4 KiB off in user space: 4 KiB only. */
	ASSERT_EQ(1, l1vmm_slot_max_leaf_level(P1G, P1G, 7 * P1G + 1, P1G + P2M, 3));
	/* A 2 GiB slot at 1 GiB: both of its GiBs. */
	ASSERT_EQ(3, l1vmm_slot_max_leaf_level(P1G, 2 * P1G, 0, P1G, 3));
	ASSERT_EQ(3, l1vmm_slot_max_leaf_level(P1G, 2 * P1G, 0, 3 * P1G - 1, 3));
	/* A GiB inside a slot, which covers the GiBs before and after it in part. */
	ASSERT_EQ(2, l1vmm_slot_max_leaf_level(P1G - P2M, P1G + 2 * P2M, P1G - P2M, P1G - 1,
					       3));
	ASSERT_EQ(3, l1vmm_slot_max_leaf_level(P1G - P2M, P1G + 2 * P2M, P1G - P2M, P1G, 3));
	ASSERT_EQ(2, l1vmm_slot_max_leaf_level(P1G - P2M, P1G + 2 * P2M, P1G - P2M, 2 * P1G,
					       3));
	ASSERT_EQ(2, l1vmm_slot_max_leaf_level(P1G - P2M, P1G + 2 * P2M, P1G - P2M,
					       2 * P1G + P2M - 1, 3));
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_empty),
	KTAP_CASE(test_find_edges),
	KTAP_CASE(test_overlaps),
	KTAP_CASE(test_remove),
	KTAP_CASE(test_many),
	KTAP_CASE(test_max_leaf_level),
};

int main(void)
{
	return ktap_run("slot_index", tests, KTAP_ARRAY_SIZE(tests));
}
