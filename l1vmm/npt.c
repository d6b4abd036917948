// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nested page tables: see npt.h.
 *
 * Guest accesses through NPT are user accesses (AMD APM, "Nested Paging"),
 * so every level carries U/S, and leaves carry A and D so the CPU never has
 * to write them back.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <asm/pgtable.h>
#include <asm/processor.h>

#include "l1vmm/npt.h"

#define NPT_PRESENT	_PAGE_PRESENT
#define NPT_WRITABLE	_PAGE_RW
#define NPT_USER	_PAGE_USER
#define NPT_ACCESSED	_PAGE_ACCESSED
#define NPT_DIRTY	_PAGE_DIRTY
#define NPT_TABLE	(NPT_PRESENT | NPT_WRITABLE | NPT_USER | NPT_ACCESSED)
#define NPT_ADDR_MASK	PTE_PFN_MASK
#define NPT_ENTRIES	512

static unsigned int npt_index(u64 gfn, int level)
{
	return (gfn >> (9 * (level - 1))) & (NPT_ENTRIES - 1);
}

/* The depth of the L1 kernel's own paging, which every VM's NPT follows. */
static int npt_levels(void)
{
	return pgtable_l5_enabled() ? 5 : 4;
}

int l1vmm_npt_init(struct l1vmm_npt *npt)
{
	npt->levels = npt_levels();
	npt->root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!npt->root)
		return -ENOMEM;
	npt->root_pa = __pa(npt->root);
	return 0;
}

unsigned int l1vmm_npt_gpa_bits(void)
{
	unsigned int host = boot_cpu_data.x86_phys_bits;

	/* The CPU's own answer, not reduced by memory encryption, as in KVM. */
	if (boot_cpu_data.extended_cpuid_level >= 0x80000008)
		host = cpuid_eax(0x80000008) & 0xff;
	return min_t(unsigned int, host, PAGE_SHIFT + 9 * npt_levels());
}

static void npt_free_table(u64 *table, int level)
{
	unsigned int i;

	if (level > 1) {
		for (i = 0; i < NPT_ENTRIES; i++)
			if (table[i] & NPT_PRESENT)
				npt_free_table(__va(table[i] & NPT_ADDR_MASK), level - 1);
	}
	free_page((unsigned long)table);
}

void l1vmm_npt_free(struct l1vmm_npt *npt)
{
	if (npt->root)
		npt_free_table(npt->root, npt->levels);
	npt->root = NULL;
}

/* The leaf entry for @gfn, allocating tables on the way when @alloc. */
static u64 *npt_walk(struct l1vmm_npt *npt, u64 gfn, bool alloc)
{
	u64 *table = npt->root;
	int level;

	for (level = npt->levels; level > 1; level--) {
		u64 *entry = &table[npt_index(gfn, level)];

		if (!(READ_ONCE(*entry) & NPT_PRESENT)) {
			u64 *next;

			if (!alloc)
				return NULL;
			next = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
			if (!next)
				return NULL;
			WRITE_ONCE(*entry, __pa(next) | NPT_TABLE);
		}
		table = __va(READ_ONCE(*entry) & NPT_ADDR_MASK);
	}
	return &table[npt_index(gfn, 1)];
}

int l1vmm_npt_map(struct l1vmm_npt *npt, u64 gfn, u64 pfn, bool writable)
{
	u64 *leaf = npt_walk(npt, gfn, true);

	if (!leaf)
		return -ENOMEM;
	WRITE_ONCE(*leaf, (pfn << PAGE_SHIFT) | NPT_PRESENT | NPT_USER |
			  NPT_ACCESSED | (writable ? NPT_WRITABLE | NPT_DIRTY : 0));
	return 0;
}

static bool table_empty(const u64 *table)
{
	unsigned int i;

	for (i = 0; i < NPT_ENTRIES; i++)
		if (table[i])
			return false;
	return true;
}

/*
 * Clear [@gfn, @end) in @table, a table of @level, and free (onto @freed)
 * the tables below it that become empty. Returns whether @table itself is
 * empty now.
 */
static bool npt_unmap(u64 *table, int level, u64 gfn, u64 end, struct list_head *freed)
{
	u64 span = 1ull << (9 * (level - 1));	/* pages one entry covers */

	while (gfn < end) {
		u64 *entry = &table[npt_index(gfn, level)];
		u64 next = min(end, round_down(gfn, span) + span);
		u64 *child;

		if (level == 1 || !(*entry & NPT_PRESENT)) {
			WRITE_ONCE(*entry, 0);
		} else {
			child = __va(*entry & NPT_ADDR_MASK);
			if (npt_unmap(child, level - 1, gfn, next, freed)) {
				WRITE_ONCE(*entry, 0);
				list_add(&virt_to_page(child)->lru, freed);
			}
		}
		gfn = next;
	}
	return table_empty(table);
}

void l1vmm_npt_unmap_range(struct l1vmm_npt *npt, u64 gfn, u64 npages, struct list_head *freed)
{
	npt_unmap(npt->root, npt->levels, gfn, gfn + npages, freed);
}

void l1vmm_npt_free_tables(struct list_head *freed)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, freed, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
}
