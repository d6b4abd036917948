/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Two-dimensional paging (KVM's TDP: AMD NPT, Intel EPT): the table that
 * maps guest-physical to host-physical addresses, built from the memory
 * slots. The walk and the table life cycle are the core's; the backend
 * names its format (struct l1vmm_tdp_format): the bits of a table entry
 * and of a leaf, which bits mean present, and the depth. The backend
 * builds its root pointer (nCR3, EPTP) from root_pa and levels.
 *
 * Unmapping a range frees the tables it leaves empty, so that a VM's
 * tables never outgrow its slots: they go on a list that the caller frees
 * only after every vCPU has left the guest with a TLB flush pending
 * (mmu.c), so that no walk by the CPU reads a freed table. Callers hold
 * the VM's MMU lock (a spinlock, mmu.h): the tables a fault adds come from
 * a cache filled before it (struct l1vmm_tdp_cache).
 */
#ifndef L1VMM_TDP_H
#define L1VMM_TDP_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>

/* A 4 KiB table of 512 eight-byte entries, a leaf maps a 4 KiB page. */
struct l1vmm_tdp_format {
	u64 present;		/* an entry with any of these bits is there */
	u64 table;		/* an entry pointing at the next table */
	u64 leaf;		/* a leaf the guest may read and execute */
	u64 leaf_writable;	/* added to a leaf the guest may write */
	u64 large;		/* added to a leaf above level 1 (2 MiB, 1 GiB) */
	u64 accessed;		/* set by the CPU in a leaf it walks to, or 0 (page aging) */
	int levels;		/* 4, or 5 */
	int max_leaf_level;	/* with large: 2, or 3 where the CPU maps 1 GiB leaves */
};

/* Leaves of 4 KiB (level 1), 2 MiB (level 2) and 1 GiB (level 3). */
#define L1VMM_TDP_MAX_LEAF_LEVEL	3
/* The 4 KiB pages a leaf of @level maps. */
#define L1VMM_TDP_LEVEL_PAGES(level)	(1ull << (9 * ((level) - 1)))

struct l1vmm_tdp {
	const struct l1vmm_tdp_format *format;
	u64 *root;
	u64 root_pa;
	/* Leaves mapped now, by level (KVM's pages_4k, _2m, _1g), or NULL. */
	u64 *nr_leaves;
};

/* The backend's format, set at load (main.c) before any VM exists. */
extern const struct l1vmm_tdp_format *l1vmm_tdp_format;

/* Enough tables for one more leaf at any depth (levels - 1, at most 4). */
#define L1VMM_TDP_CACHE_TABLES	4

struct l1vmm_tdp_cache {
	unsigned int nr;
	void *tables[L1VMM_TDP_CACHE_TABLES];
};

int l1vmm_tdp_init(struct l1vmm_tdp *tdp);
void l1vmm_tdp_free(struct l1vmm_tdp *tdp);
/* Map @gfn, allocating tables (a VM no one else sees yet: probe_l0.c). */
int l1vmm_tdp_map(struct l1vmm_tdp *tdp, u64 gfn, u64 pfn, bool writable);
/*
 * Map @gfn with a leaf of @level (1: 4 KiB; 2: 2 MiB; 3: 1 GiB, up to
 * the format's max_leaf_level; @gfn and @pfn aligned to it) with tables
 * from @cache, under @lock: 1 when a leaf was there before or a larger one
 * gave way (the caller flushes), 0, -ENOMEM when @cache ran out, or
 * -EEXIST when tables of smaller leaves are where a large one would go
 * (map smaller instead).
 */
int l1vmm_tdp_map_cached(struct l1vmm_tdp *tdp, u64 gfn, u64 pfn, bool writable, int level,
			 struct l1vmm_tdp_cache *cache);
/*
 * Fill @cache, protected by @lock (held; dropped around each allocation):
 * 0 or -ENOMEM.
 */
int l1vmm_tdp_cache_topup(struct l1vmm_tdp_cache *cache, spinlock_t *lock);
void l1vmm_tdp_cache_free(struct l1vmm_tdp_cache *cache);
/*
 * Unmap [@gfn, @gfn + @npages); tables left empty go on @freed (page->lru).
 * Returns whether a leaf was there (a TLB flush is due).
 */
bool l1vmm_tdp_unmap_range(struct l1vmm_tdp *tdp, u64 gfn, u64 npages, struct list_head *freed);
void l1vmm_tdp_free_tables(struct list_head *freed);
/*
 * Make the leaves in [@gfn, @gfn + @npages) read-only (dirty logging):
 * whether one was writable (a TLB flush is due).
 */
bool l1vmm_tdp_write_protect_range(struct l1vmm_tdp *tdp, u64 gfn, u64 npages);
/*
 * Page aging: whether a leaf in [@gfn, @gfn + @npages) has its accessed
 * bit set; with @clear, clear them all (a TLB flush makes the CPU set
 * them again on the next use). False for a format without the bit.
 */
bool l1vmm_tdp_age_range(struct l1vmm_tdp *tdp, u64 gfn, u64 npages, bool clear);
/*
 * Guest-physical address bits a VM may use: the host's MAXPHYADDR (KVM
 * bounds memory slots the same way), within what the tables translate.
 */
unsigned int l1vmm_tdp_gpa_bits(void);
/* The same for a format of @levels, before it is the VMs' (backend set-up). */
unsigned int l1vmm_tdp_gpa_bits_for(int levels);

#endif /* L1VMM_TDP_H */
