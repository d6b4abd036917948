// SPDX-License-Identifier: GPL-2.0-only
/*
 * The memory slots sorted by guest frame; see slot_index.h.
 */
#include "l1vmm/portable/slot_index.h"

unsigned long l1vmm_slot_index_lower(const struct l1vmm_gfn_range *r, unsigned long n, u64 gfn)
{
	unsigned long lo = 0, hi = n;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (r[mid].base_gfn < gfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long l1vmm_slot_index_find(const struct l1vmm_gfn_range *r, unsigned long n, u64 gfn)
{
	/* The last range starting at or below @gfn is the only candidate. */
	unsigned long i = l1vmm_slot_index_lower(r, n, gfn + 1);

	if (gfn == ~0ull)
		i = n;
	if (!i)
		return -1;
	i--;
	return gfn - r[i].base_gfn < r[i].npages ? (long)i : -1;
}

bool l1vmm_slot_index_overlaps(const struct l1vmm_gfn_range *r, unsigned long n,
			       u64 gfn, u64 npages, const void *except)
{
	unsigned long i = l1vmm_slot_index_lower(r, n, gfn + npages);

	/*
	 * The ranges do not overlap each other, so their ends are in order
	 * too: of those that start below the end, only the last can reach
	 * past @gfn.
	 */
	while (i--) {
		if (r[i].slot == except)
			continue;
		return r[i].base_gfn + r[i].npages > gfn;
	}
	return false;
}

unsigned long l1vmm_slot_index_insert(struct l1vmm_gfn_range *r, unsigned long n,
				      const struct l1vmm_gfn_range *e)
{
	unsigned long i = l1vmm_slot_index_lower(r, n, e->base_gfn);

	memmove(&r[i + 1], &r[i], (n - i) * sizeof(*r));
	r[i] = *e;
	return n + 1;
}

unsigned long l1vmm_slot_index_remove(struct l1vmm_gfn_range *r, unsigned long n,
				      unsigned long i)
{
	memmove(&r[i], &r[i + 1], (n - i - 1) * sizeof(*r));
	return n - 1;
}

int l1vmm_slot_max_leaf_level(u64 base_gfn, u64 npages, u64 user_pfn, u64 gfn, int max_level)
{
	int level;

	for (level = max_level; level > 1; level--) {
		u64 pages = 1ull << (9 * (level - 1));
		u64 first = gfn & ~(pages - 1);

		if (!((base_gfn ^ user_pfn) & (pages - 1)) && first >= base_gfn &&
		    first + pages <= base_gfn + npages)
			break;
	}
	return level;
}
