// SPDX-License-Identifier: GPL-2.0-only
/*
 * Two-dimensional paging: see tdp.h.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <asm/pgtable.h>
#include <asm/processor.h>

#include "l1vmm/tdp.h"

#define TDP_ADDR_MASK	PTE_PFN_MASK
#define TDP_ENTRIES	512

const struct l1vmm_tdp_format *l1vmm_tdp_format __read_mostly;

static unsigned int tdp_index(u64 gfn, int level)
{
	return (gfn >> (9 * (level - 1))) & (TDP_ENTRIES - 1);
}

int l1vmm_tdp_init(struct l1vmm_tdp *tdp)
{
	tdp->format = l1vmm_tdp_format;
	tdp->nr_leaves = NULL;
	tdp->root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!tdp->root)
		return -ENOMEM;
	tdp->root_pa = __pa(tdp->root);
	return 0;
}

unsigned int l1vmm_tdp_gpa_bits_for(int levels)
{
	unsigned int host = boot_cpu_data.x86_phys_bits;

	/* The CPU's own answer, not reduced by memory encryption, as in KVM. */
	if (boot_cpu_data.extended_cpuid_level >= 0x80000008)
		host = cpuid_eax(0x80000008) & 0xff;
	return min_t(unsigned int, host, PAGE_SHIFT + 9 * levels);
}

unsigned int l1vmm_tdp_gpa_bits(void)
{
	return l1vmm_tdp_gpa_bits_for(l1vmm_tdp_format->levels);
}

/* Whether @e, an entry of a table of @level, points at a table below. */
static bool tdp_is_table(const struct l1vmm_tdp_format *f, u64 e, int level)
{
	return level > 1 && (e & f->present) && !(e & f->large);
}

/* A leaf of @level was added (+1) or went (-1): the VM's pages_4k/_2m/_1g. */
static void tdp_count(struct l1vmm_tdp *tdp, int level, int n)
{
	if (tdp->nr_leaves && level <= L1VMM_TDP_MAX_LEAF_LEVEL)
		tdp->nr_leaves[level - 1] += n;
}

static void tdp_free_table(const struct l1vmm_tdp_format *f, u64 *table, int level)
{
	unsigned int i;

	for (i = 0; i < TDP_ENTRIES; i++)
		if (tdp_is_table(f, table[i], level))
			tdp_free_table(f, __va(table[i] & TDP_ADDR_MASK), level - 1);
	free_page((unsigned long)table);
}

void l1vmm_tdp_free(struct l1vmm_tdp *tdp)
{
	if (tdp->root)
		tdp_free_table(tdp->format, tdp->root, tdp->format->levels);
	tdp->root = NULL;
}

/* A table for tdp_walk(): from @cache when there is one, else allocated. */
static u64 *tdp_alloc_table(struct l1vmm_tdp_cache *cache)
{
	if (!cache)
		return (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	return cache->nr ? cache->tables[--cache->nr] : NULL;
}

int l1vmm_tdp_cache_topup(struct l1vmm_tdp_cache *cache, spinlock_t *lock)
{
	lockdep_assert_held(lock);
	while (cache->nr < L1VMM_TDP_CACHE_TABLES) {
		void *table;

		spin_unlock(lock);
		table = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
		spin_lock(lock);
		if (!table)
			return -ENOMEM;
		if (cache->nr < L1VMM_TDP_CACHE_TABLES)
			cache->tables[cache->nr++] = table;
		else
			free_page((unsigned long)table);
	}
	return 0;
}

void l1vmm_tdp_cache_free(struct l1vmm_tdp_cache *cache)
{
	while (cache->nr)
		free_page((unsigned long)cache->tables[--cache->nr]);
}

/*
 * The entry of @level for @gfn, adding tables on the way: from @cache, or
 * allocated when @cache is NULL. A large leaf above @level gives way to a
 * table (*@split): the rest of what it mapped faults in again, and the
 * caller flushes. NULL when out of tables.
 */
static u64 *tdp_walk(struct l1vmm_tdp *tdp, u64 gfn, int target, struct l1vmm_tdp_cache *cache,
		     bool *split)
{
	const struct l1vmm_tdp_format *f = tdp->format;
	u64 *table = tdp->root;
	int level;

	for (level = f->levels; level > target; level--) {
		u64 *entry = &table[tdp_index(gfn, level)];
		u64 e = READ_ONCE(*entry);

		if (!tdp_is_table(f, e, level)) {
			u64 *next = tdp_alloc_table(cache);

			if (!next)
				return NULL;
			if (e & f->present) {
				tdp_count(tdp, level, -1);
				*split = true;
			}
			WRITE_ONCE(*entry, __pa(next) | f->table);
		}
		table = __va(READ_ONCE(*entry) & TDP_ADDR_MASK);
	}
	return &table[tdp_index(gfn, target)];
}

static int tdp_map(struct l1vmm_tdp *tdp, u64 gfn, u64 pfn, bool writable, int level,
		   struct l1vmm_tdp_cache *cache)
{
	const struct l1vmm_tdp_format *f = tdp->format;
	bool split = false;
	u64 *leaf, old;

	if (WARN_ON_ONCE(level < 1 || level > (f->large ? f->max_leaf_level : 1)))
		return -EINVAL;
	leaf = tdp_walk(tdp, gfn, level, cache, &split);
	if (!leaf)
		return -ENOMEM;
	old = READ_ONCE(*leaf);
	/* Tables of small pages there: keep them, the caller maps small. */
	if (tdp_is_table(f, old, level))
		return -EEXIST;
	if (!(old & f->present))
		tdp_count(tdp, level, 1);
	WRITE_ONCE(*leaf, (pfn << PAGE_SHIFT) | f->leaf | (level > 1 ? f->large : 0) |
			  (writable ? f->leaf_writable : 0));
	return split || (old & f->present);
}

int l1vmm_tdp_map(struct l1vmm_tdp *tdp, u64 gfn, u64 pfn, bool writable)
{
	int r = tdp_map(tdp, gfn, pfn, writable, 1, NULL);

	return r < 0 ? r : 0;
}

int l1vmm_tdp_map_cached(struct l1vmm_tdp *tdp, u64 gfn, u64 pfn, bool writable, int level,
			 struct l1vmm_tdp_cache *cache)
{
	return tdp_map(tdp, gfn, pfn, writable, level, cache);
}

static bool table_empty(const u64 *table)
{
	unsigned int i;

	for (i = 0; i < TDP_ENTRIES; i++)
		if (table[i])
			return false;
	return true;
}

/*
 * Clear [@gfn, @end) in @table, a table of @level, and free (onto @freed)
 * the tables below it that become empty; *@cleared is set when an entry
 * was there. Returns whether @table itself is empty now.
 */
static bool tdp_unmap(struct l1vmm_tdp *tdp, u64 *table, int level, u64 gfn, u64 end,
		      struct list_head *freed, bool *cleared)
{
	u64 present = tdp->format->present;
	u64 span = L1VMM_TDP_LEVEL_PAGES(level);	/* pages one entry covers */

	while (gfn < end) {
		u64 *entry = &table[tdp_index(gfn, level)];
		u64 next = min(end, round_down(gfn, span) + span);
		u64 *child;

		if (!(*entry & present)) {
			/* Nothing here: skip what the entry covers. */
		} else if (!tdp_is_table(tdp->format, *entry, level)) {
			/* A leaf: a large one goes whole, however little of it is asked. */
			WRITE_ONCE(*entry, 0);
			tdp_count(tdp, level, -1);
			*cleared = true;
		} else {
			child = __va(*entry & TDP_ADDR_MASK);
			if (tdp_unmap(tdp, child, level - 1, gfn, next, freed, cleared)) {
				WRITE_ONCE(*entry, 0);
				list_add(&virt_to_page(child)->lru, freed);
			}
		}
		gfn = next;
	}
	return table_empty(table);
}

bool l1vmm_tdp_unmap_range(struct l1vmm_tdp *tdp, u64 gfn, u64 npages, struct list_head *freed)
{
	bool cleared = false;

	tdp_unmap(tdp, tdp->root, tdp->format->levels, gfn, gfn + npages, freed, &cleared);
	return cleared;
}

/*
 * Take the write permission from the leaves in [@gfn, @end) of @table, a
 * table of @level: the guest's next write there faults. Returns whether
 * a leaf lost it (a TLB flush is due).
 */
static bool tdp_write_protect(const struct l1vmm_tdp_format *f, u64 *table, int level, u64 gfn,
			      u64 end)
{
	u64 span = L1VMM_TDP_LEVEL_PAGES(level);
	bool changed = false;

	while (gfn < end) {
		u64 *entry = &table[tdp_index(gfn, level)];
		u64 next = min(end, round_down(gfn, span) + span);
		u64 e = READ_ONCE(*entry);

		if (!(e & f->present)) {
			/* Nothing mapped here. */
		} else if (!tdp_is_table(f, e, level)) {
			if (e & f->leaf_writable) {
				WRITE_ONCE(*entry, e & ~f->leaf_writable);
				changed = true;
			}
		} else {
			changed |= tdp_write_protect(f, __va(e & TDP_ADDR_MASK), level - 1, gfn,
						     next);
		}
		gfn = next;
	}
	return changed;
}

bool l1vmm_tdp_write_protect_range(struct l1vmm_tdp *tdp, u64 gfn, u64 npages)
{
	return tdp_write_protect(tdp->format, tdp->root, tdp->format->levels, gfn, gfn + npages);
}

/*
 * Whether a leaf in [@gfn, @end) of @table, a table of @level, has the
 * accessed bit; with @clear, clear it in every leaf (atomically: the CPU
 * may set bits of the entry at the same time), else stop at the first.
 */
static bool tdp_age(const struct l1vmm_tdp_format *f, u64 *table, int level, u64 gfn, u64 end,
		    bool clear)
{
	u64 span = L1VMM_TDP_LEVEL_PAGES(level);
	bool young = false;

	while (gfn < end && (clear || !young)) {
		u64 *entry = &table[tdp_index(gfn, level)];
		u64 next = min(end, round_down(gfn, span) + span);
		u64 e = READ_ONCE(*entry);

		if (!(e & f->present)) {
			/* Nothing mapped here. */
		} else if (!tdp_is_table(f, e, level)) {
			if (e & f->accessed) {
				young = true;
				if (clear)
					clear_bit(__ffs64(f->accessed), (unsigned long *)entry);
			}
		} else {
			young |= tdp_age(f, __va(e & TDP_ADDR_MASK), level - 1, gfn, next, clear);
		}
		gfn = next;
	}
	return young;
}

bool l1vmm_tdp_age_range(struct l1vmm_tdp *tdp, u64 gfn, u64 npages, bool clear)
{
	if (!tdp->format->accessed)
		return false;
	return tdp_age(tdp->format, tdp->root, tdp->format->levels, gfn, gfn + npages, clear);
}

void l1vmm_tdp_free_tables(struct list_head *freed)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, freed, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
}
