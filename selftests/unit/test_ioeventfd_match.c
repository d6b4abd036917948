// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/portable/ioeventfd_match.c
/*
 * Host unit test of KVM_IOEVENTFD's rules (l1vmm/portable/ioeventfd_match.c):
 * which write an entry takes (address, length, any length, datamatch with
 * the value cut to the write's length), which new entry collides, which one
 * a deassign names, and the sorted table's search at its edges.
 */
#include <stdint.h>
#include <string.h>

#include "ktap.h"
#include "l1vmm/portable/ioeventfd_match.h"

#define MMIO	L1VMM_IOBUS_MMIO
#define PIO	L1VMM_IOBUS_PIO
#define CCW	L1VMM_IOBUS_CCW

static int fd_a, fd_b;	/* stand-ins for two eventfds */

static struct l1vmm_ioeventfd any_value(u8 bus, u64 addr, u8 len)
{
	return (struct l1vmm_ioeventfd){ .bus = bus, .addr = addr, .len = len,
					 .wildcard = true, .eventfd = &fd_a };
}

static struct l1vmm_ioeventfd value(u8 bus, u64 addr, u8 len, u64 datamatch)
{
	return (struct l1vmm_ioeventfd){ .bus = bus, .addr = addr, .len = len,
					 .datamatch = datamatch, .eventfd = &fd_a };
}

/* A table kept sorted the way l1vmm/ioeventfd.c inserts. */
struct table {
	struct l1vmm_ioeventfd tab[16];
	unsigned int n;
};

static void insert(struct table *t, struct l1vmm_ioeventfd e)
{
	unsigned int i = l1vmm_ioeventfd_lower_bound(t->tab, t->n, e.bus, e.addr);

	TEST_ASSERT(!l1vmm_ioeventfd_collides(t->tab, t->n, &e), "entry %#llx collides",
		    (unsigned long long)e.addr);
	memmove(&t->tab[i + 1], &t->tab[i], (t->n - i) * sizeof(e));
	t->tab[i] = e;
	t->n++;
}

static const struct l1vmm_ioeventfd *match(const struct table *t, u8 bus, u64 addr,
					   unsigned int len, u64 val)
{
	return l1vmm_ioeventfd_match(t->tab, t->n, bus, addr, len, val);
}

static void test_empty_table(void)
{
	struct l1vmm_ioeventfd e = any_value(PIO, 0x60, 2);

	ASSERT_EQ(0, l1vmm_ioeventfd_lower_bound(NULL, 0, PIO, 0x60));
	ASSERT_EQ(0, !!l1vmm_ioeventfd_match(NULL, 0, PIO, 0x60, 2, 0));
	ASSERT_EQ(0, l1vmm_ioeventfd_collides(NULL, 0, &e));
	ASSERT_EQ(-1, l1vmm_ioeventfd_find(NULL, 0, &e));
}

static void test_match_rules(void)
{
	struct table t = { .n = 0 };

	insert(&t, any_value(PIO, 0x60, 2));
	insert(&t, value(PIO, 0x64, 1, 0x80));
	insert(&t, any_value(MMIO, 0x1000, 0));
	insert(&t, value(MMIO, 0x2000, 4, 0xdeadbeef));
	insert(&t, value(MMIO, 0x2000, 8, 0x1122334455667788ull));
	insert(&t, value(MMIO, 0x3000, 1, 0x1ff));	/* wider than its length */

	/* Exact address and length; any value. */
	ASSERT_EQ(&t.tab[l1vmm_ioeventfd_lower_bound(t.tab, t.n, PIO, 0x60)],
		  match(&t, PIO, 0x60, 2, 0xffff1234));
	ASSERT_EQ(0, !!match(&t, PIO, 0x60, 1, 0));
	ASSERT_EQ(0, !!match(&t, PIO, 0x60, 4, 0));
	ASSERT_EQ(0, !!match(&t, PIO, 0x61, 2, 0));
	ASSERT_EQ(0, !!match(&t, MMIO, 0x60, 2, 0));
	/* Datamatch on the written bytes only. */
	ASSERT_EQ(1, !!match(&t, PIO, 0x64, 1, 0x80));
	ASSERT_EQ(1, !!match(&t, PIO, 0x64, 1, 0xff80));
	ASSERT_EQ(0, !!match(&t, PIO, 0x64, 1, 0x81));
	/* Any length. */
	ASSERT_EQ(1, !!match(&t, MMIO, 0x1000, 1, 0));
	ASSERT_EQ(1, !!match(&t, MMIO, 0x1000, 8, ~0ull));
	ASSERT_EQ(0, !!match(&t, MMIO, 0x1001, 1, 0));
	/* Two lengths at one address, each with its value. */
	ASSERT_EQ(4, match(&t, MMIO, 0x2000, 4, 0xdeadbeef)->len);
	ASSERT_EQ(8, match(&t, MMIO, 0x2000, 8, 0x1122334455667788ull)->len);
	ASSERT_EQ(0, !!match(&t, MMIO, 0x2000, 8, 0xdeadbeef));
	ASSERT_EQ(0, !!match(&t, MMIO, 0x2000, 2, 0xbeef));
	/* A datamatch wider than the length never matches. */
	ASSERT_EQ(0, !!match(&t, MMIO, 0x3000, 1, 0x1ff));
	ASSERT_EQ(0, !!match(&t, MMIO, 0x3000, 1, 0xff));
	/* The virtio-ccw bus is its own. */
	ASSERT_EQ(0, !!match(&t, CCW, 0x1000, 4, 0));
}

static void test_collisions(void)
{
	struct table t = { .n = 0 };
	struct l1vmm_ioeventfd e;

	insert(&t, value(PIO, 0x60, 2, 5));
	e = value(PIO, 0x60, 2, 5);
	ASSERT_EQ(1, l1vmm_ioeventfd_collides(t.tab, t.n, &e));
	e.eventfd = &fd_b;	/* another eventfd changes nothing */
	ASSERT_EQ(1, l1vmm_ioeventfd_collides(t.tab, t.n, &e));
	e = any_value(PIO, 0x60, 2);
	ASSERT_EQ(1, l1vmm_ioeventfd_collides(t.tab, t.n, &e));
	e = any_value(PIO, 0x60, 0);
	ASSERT_EQ(1, l1vmm_ioeventfd_collides(t.tab, t.n, &e));
	e = value(PIO, 0x60, 2, 6);
	ASSERT_EQ(0, l1vmm_ioeventfd_collides(t.tab, t.n, &e));
	e = value(PIO, 0x60, 4, 5);
	ASSERT_EQ(0, l1vmm_ioeventfd_collides(t.tab, t.n, &e));
	e = value(MMIO, 0x60, 2, 5);
	ASSERT_EQ(0, l1vmm_ioeventfd_collides(t.tab, t.n, &e));
	e = value(PIO, 0x61, 2, 5);
	ASSERT_EQ(0, l1vmm_ioeventfd_collides(t.tab, t.n, &e));
	/* An any-length entry collides with every length there. */
	insert(&t, any_value(MMIO, 0x1000, 0));
	e = value(MMIO, 0x1000, 8, 1);
	ASSERT_EQ(1, l1vmm_ioeventfd_collides(t.tab, t.n, &e));
}

static void test_find_for_deassign(void)
{
	struct table t = { .n = 0 };
	struct l1vmm_ioeventfd e;
	int i;

	insert(&t, any_value(MMIO, 0x1000, 4));
	insert(&t, value(PIO, 0x60, 2, 5));
	insert(&t, value(PIO, 0x60, 2, 6));

	e = value(PIO, 0x60, 2, 6);
	i = l1vmm_ioeventfd_find(t.tab, t.n, &e);
	TEST_ASSERT(i >= 0 && t.tab[i].datamatch == 6, "found %d", i);
	e.eventfd = &fd_b;
	ASSERT_EQ(-1, l1vmm_ioeventfd_find(t.tab, t.n, &e));
	e = any_value(PIO, 0x60, 2);
	ASSERT_EQ(-1, l1vmm_ioeventfd_find(t.tab, t.n, &e));
	e = value(PIO, 0x60, 4, 5);
	ASSERT_EQ(-1, l1vmm_ioeventfd_find(t.tab, t.n, &e));
	/* A wildcard is named whatever datamatch the deassign carries. */
	e = any_value(MMIO, 0x1000, 4);
	e.datamatch = 99;
	ASSERT_EQ(0, l1vmm_ioeventfd_find(t.tab, t.n, &e));
	e = value(MMIO, 0x1000, 4, 0);
	ASSERT_EQ(-1, l1vmm_ioeventfd_find(t.tab, t.n, &e));
}

/* The search at the ends of the key space, and many entries in order. */
static void test_sorted_search(void)
{
	struct table t = { .n = 0 };
	unsigned int i;

	insert(&t, any_value(CCW, 0, 1));
	insert(&t, any_value(MMIO, ~0ull, 0));
	insert(&t, any_value(MMIO, 0, 0));
	insert(&t, any_value(PIO, ~0ull, 0));
	for (i = 0; i < 8; i++)
		insert(&t, any_value(PIO, 0x100 - 16 * i, 1));
	for (i = 1; i < t.n; i++)
		TEST_ASSERT(t.tab[i - 1].bus < t.tab[i].bus ||
			    (t.tab[i - 1].bus == t.tab[i].bus && t.tab[i - 1].addr <= t.tab[i].addr),
			    "entry %u out of order", i);
	ASSERT_EQ(1, !!match(&t, MMIO, ~0ull, 1, 0));
	ASSERT_EQ(1, !!match(&t, MMIO, 0, 1, 0));
	ASSERT_EQ(1, !!match(&t, PIO, ~0ull, 4, 0));
	ASSERT_EQ(1, !!match(&t, CCW, 0, 1, 0));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(1, !!match(&t, PIO, 0x100 - 16 * i, 1, 0));
	ASSERT_EQ(0, !!match(&t, PIO, 0x101, 1, 0));
	ASSERT_EQ(0, !!match(&t, PIO, 0, 1, 0));
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_empty_table),
	KTAP_CASE(test_match_rules),
	KTAP_CASE(test_collisions),
	KTAP_CASE(test_find_for_deassign),
	KTAP_CASE(test_sorted_search),
};

int main(void)
{
	return ktap_run("ioeventfd_match", tests, KTAP_ARRAY_SIZE(tests));
}
