/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The memory slots of a VM sorted by guest frame: an array of ranges that
 * do not overlap, kept in order of base_gfn, searched by bisection, so that
 * the gfn -> slot lookup of every nested page fault stays O(log n) with
 * thousands of slots. The caller owns the array (and its room) and its
 * locking; these functions only search and shift. Portable: unit-tested
 * on the host (selftests/unit/test_slot_index.c).
 */
#ifndef L1VMM_SLOT_INDEX_H
#define L1VMM_SLOT_INDEX_H

#include "l1vmm/portable/portable.h"

struct l1vmm_gfn_range {
	u64 base_gfn;
	u64 npages;
	void *slot;		/* the caller's */
};

/* The index of the range that holds @gfn, or -1. */
long l1vmm_slot_index_find(const struct l1vmm_gfn_range *r, unsigned long n, u64 gfn);

/* How many ranges start below @gfn: where a range starting at @gfn goes. */
unsigned long l1vmm_slot_index_lower(const struct l1vmm_gfn_range *r, unsigned long n, u64 gfn);

/*
 * Whether [@gfn, @gfn + @npages) overlaps a range other than the one whose
 * slot is @except (a slot being moved); @gfn + @npages must not wrap.
 */
bool l1vmm_slot_index_overlaps(const struct l1vmm_gfn_range *r, unsigned long n,
			       u64 gfn, u64 npages, const void *except);

/* Insert @e in order; the array has room for n + 1. Returns n + 1. */
unsigned long l1vmm_slot_index_insert(struct l1vmm_gfn_range *r, unsigned long n,
				      const struct l1vmm_gfn_range *e);

/* Remove the range at @i (< @n). Returns n - 1. */
unsigned long l1vmm_slot_index_remove(struct l1vmm_gfn_range *r, unsigned long n,
				      unsigned long i);

/*
 * The largest nested leaf, as a level (1: 4 KiB, 2: 2 MiB, 3: 1 GiB; at
 * most @max_level), that may map @gfn of the slot of @npages frames at
 * @base_gfn whose user address is frame @user_pfn, as KVM's lpage_info
 * does: guest and user frames at the same offset in a page of that size,
 * and the whole page inside the slot. The caller bounds @max_level by the
 * format, the VMM's own mapping and dirty logging.
 */
int l1vmm_slot_max_leaf_level(u64 base_gfn, u64 npages, u64 user_pfn, u64 gfn, int max_level);

#endif /* L1VMM_SLOT_INDEX_H */
