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

static void tdp_free_table(u64 *table, int level, u64 present)
{
	unsigned int i;

	if (level > 1) {
		for (i = 0; i < TDP_ENTRIES; i++)
			if (table[i] & present)
				tdp_free_table(__va(table[i] & TDP_ADDR_MASK), level - 1, present);
	}
	free_page((unsigned long)table);
}

void l1vmm_tdp_free(struct l1vmm_tdp *tdp)
{
	if (tdp->root)
		tdp_free_table(tdp->root, tdp->format->levels, tdp->format->present);
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
 * The leaf entry for @gfn, adding tables on the way when @alloc: from
 * @cache, or allocated when @cache is NULL.
 */
static u64 *tdp_walk(struct l1vmm_tdp *tdp, u64 gfn, bool alloc, struct l1vmm_tdp_cache *cache)
{
	u64 *table = tdp->root;
	int level;

	for (level = tdp->format->levels; level > 1; level--) {
		u64 *entry = &table[tdp_index(gfn, level)];

		if (!(READ_ONCE(*entry) & tdp->format->present)) {
			u64 *next;

			if (!alloc)
				return NULL;
			next = tdp_alloc_table(cache);
			if (!next)
				return NULL;
			WRITE_ONCE(*entry, __pa(next) | tdp->format->table);
		}
		table = __va(READ_ONCE(*entry) & TDP_ADDR_MASK);
	}
	return &table[tdp_index(gfn, 1)];
}

static int tdp_map(struct l1vmm_tdp *tdp, u64 gfn, u64 pfn, bool writable,
		   struct l1vmm_tdp_cache *cache)
{
	u64 *leaf = tdp_walk(tdp, gfn, true, cache);
	bool was_present;

	if (!leaf)
		return -ENOMEM;
	was_present = READ_ONCE(*leaf) & tdp->format->present;
	WRITE_ONCE(*leaf, (pfn << PAGE_SHIFT) | tdp->format->leaf |
			  (writable ? tdp->format->leaf_writable : 0));
	return was_present;
}

int l1vmm_tdp_map(struct l1vmm_tdp *tdp, u64 gfn, u64 pfn, bool writable)
{
	int r = tdp_map(tdp, gfn, pfn, writable, NULL);

	return r < 0 ? r : 0;
}

int l1vmm_tdp_map_cached(struct l1vmm_tdp *tdp, u64 gfn, u64 pfn, bool writable,
			 struct l1vmm_tdp_cache *cache)
{
	return tdp_map(tdp, gfn, pfn, writable, cache);
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
static bool tdp_unmap(u64 *table, int level, u64 gfn, u64 end, u64 present,
		      struct list_head *freed, bool *cleared)
{
	u64 span = 1ull << (9 * (level - 1));	/* pages one entry covers */

	while (gfn < end) {
		u64 *entry = &table[tdp_index(gfn, level)];
		u64 next = min(end, round_down(gfn, span) + span);
		u64 *child;

		if (!(*entry & present)) {
			/* Nothing here: skip what the entry covers. */
		} else if (level == 1) {
			WRITE_ONCE(*entry, 0);
			*cleared = true;
		} else {
			child = __va(*entry & TDP_ADDR_MASK);
			if (tdp_unmap(child, level - 1, gfn, next, present, freed, cleared)) {
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

	tdp_unmap(tdp->root, tdp->format->levels, gfn, gfn + npages, tdp->format->present, freed,
		  &cleared);
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
	u64 span = 1ull << (9 * (level - 1));
	bool changed = false;

	while (gfn < end) {
		u64 *entry = &table[tdp_index(gfn, level)];
		u64 next = min(end, round_down(gfn, span) + span);
		u64 e = READ_ONCE(*entry);

		if (!(e & f->present)) {
			/* Nothing mapped here. */
		} else if (level == 1) {
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

void l1vmm_tdp_free_tables(struct list_head *freed)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, freed, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
}
