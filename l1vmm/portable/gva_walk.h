/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's own page tables, walked in software: what the emulation
 * paths (MMIO instruction fetch, string I/O) need to turn a guest linear
 * address into a guest-physical one. Portable: unit-tested on the host
 * with page tables in a plain array.
 *
 * Only presence is checked: the walk does not enforce the guest's
 * write/user/no-execute bits and does not set accessed/dirty bits (the
 * CPU did both when it executed the instruction that exited).
 */
#ifndef L1VMM_GVA_WALK_H
#define L1VMM_GVA_WALK_H

#include "l1vmm/portable/portable.h"

/* The control registers that select the paging mode. */
struct l1vmm_paging {
	u64 cr0, cr3, cr4, efer;
};

/* Read a page-table entry of @size (4 or 8) bytes at @gpa; 0 or -errno. */
typedef int (*l1vmm_read_pte_fn)(void *ctx, u64 gpa, unsigned int size, u64 *pte);

/*
 * Translate @gva. Returns 0 with *@gpa set, -EFAULT when an entry on the
 * way is not present, or the reader's error.
 */
int l1vmm_gva_to_gpa(const struct l1vmm_paging *p, u64 gva, l1vmm_read_pte_fn read,
		     void *ctx, u64 *gpa);

#endif /* L1VMM_GVA_WALK_H */
