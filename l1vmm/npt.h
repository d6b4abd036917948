/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Nested page tables (AMD NPT): guest-physical to host-physical, built from
 * the memory slots. The format is the host's long-mode page-table format
 * with the host's depth: 4 levels, or 5 when the L1 kernel runs with LA57.
 *
 * Table pages live until the VM is destroyed; unmapping clears leaf entries
 * only, so a walk in progress on another CPU never reads a freed table.
 */
#ifndef L1VMM_NPT_H
#define L1VMM_NPT_H

#include <linux/types.h>

struct l1vmm_npt {
	u64 *root;
	u64 root_pa;
	int levels;
};

int l1vmm_npt_init(struct l1vmm_npt *npt);
void l1vmm_npt_free(struct l1vmm_npt *npt);
int l1vmm_npt_map(struct l1vmm_npt *npt, u64 gfn, u64 pfn, bool writable);
void l1vmm_npt_unmap(struct l1vmm_npt *npt, u64 gfn);
/* Guest-physical address bits the tables of any VM can translate. */
unsigned int l1vmm_npt_gpa_bits(void);

#endif /* L1VMM_NPT_H */
