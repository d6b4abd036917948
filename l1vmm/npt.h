/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Nested page tables (AMD NPT): guest-physical to host-physical, built from
 * the memory slots. The format is the host's long-mode page-table format
 * with the host's depth: 4 levels, or 5 when the L1 kernel runs with LA57.
 *
 * Unmapping a range frees the tables it leaves empty, so that a VM's
 * tables never outgrow its slots: they go on a list that the caller frees
 * only after every vCPU has left the guest with a TLB flush pending
 * (vm.c), so that no walk by the CPU reads a freed table. Callers hold
 * the VM's lock.
 */
#ifndef L1VMM_NPT_H
#define L1VMM_NPT_H

#include <linux/list.h>
#include <linux/types.h>

struct l1vmm_npt {
	u64 *root;
	u64 root_pa;
	int levels;
};

int l1vmm_npt_init(struct l1vmm_npt *npt);
void l1vmm_npt_free(struct l1vmm_npt *npt);
int l1vmm_npt_map(struct l1vmm_npt *npt, u64 gfn, u64 pfn, bool writable);
/* Unmap [@gfn, @gfn + @npages); tables left empty go on @freed (page->lru). */
void l1vmm_npt_unmap_range(struct l1vmm_npt *npt, u64 gfn, u64 npages, struct list_head *freed);
void l1vmm_npt_free_tables(struct list_head *freed);
/*
 * Guest-physical address bits a VM may use: the host's MAXPHYADDR (KVM
 * bounds memory slots the same way), within what the tables translate.
 */
unsigned int l1vmm_npt_gpa_bits(void);

#endif /* L1VMM_NPT_H */
