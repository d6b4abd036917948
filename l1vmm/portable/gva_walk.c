// SPDX-License-Identifier: GPL-2.0-only
/*
 * Software walk of the guest's page tables; see gva_walk.h. The formats are
 * the SDM vol. 3, chapter 4 ("Paging"): 32-bit (2 levels, 4 MiB pages with
 * CR4.PSE), PAE (PDPTE + 2 levels), 4-level and 5-level (CR4.LA57).
 */
#include "l1vmm/portable/gva_walk.h"
#include "l1vmm/portable/x86.h"


#define PTE_PRESENT	BIT_ULL(0)
#define PTE_LARGE	BIT_ULL(7)	/* PS: this entry maps a page */
#define PTE_ADDR_MASK	0x000ffffffffff000ULL

static u64 low_bits(u64 val, unsigned int bits)
{
	return val & ((1ULL << bits) - 1);
}

/* 32-bit paging: 10 + 10 + 12 bits, 4-byte entries. */
static int walk_32bit(const struct l1vmm_paging *p, u32 gva, l1vmm_read_pte_fn read,
		      void *ctx, u64 *gpa)
{
	u64 pde, pte;
	int r;

	r = read(ctx, (p->cr3 & 0xfffff000) + 4 * (gva >> 22), 4, &pde);
	if (r)
		return r;
	if (!(pde & PTE_PRESENT))
		return -EFAULT;
	if ((pde & PTE_LARGE) && (p->cr4 & L1VMM_CR4_PSE)) {
		/* PSE-36: bits 20:13 of the PDE are physical address bits 39:32. */
		*gpa = (pde & 0xffc00000) | (((pde >> 13) & 0xff) << 32) |
		       low_bits(gva, 22);
		return 0;
	}
	r = read(ctx, (pde & 0xfffff000) + 4 * ((gva >> 12) & 0x3ff), 4, &pte);
	if (r)
		return r;
	if (!(pte & PTE_PRESENT))
		return -EFAULT;
	*gpa = (pte & 0xfffff000) | low_bits(gva, 12);
	return 0;
}

/*
 * PAE, 4- and 5-level paging: 8-byte entries, 9 index bits per level.
 * @levels counts from the top table; PAE starts at the PDPT (2 bits).
 */
static int walk_64bit(u64 table, u64 gva, unsigned int levels, l1vmm_read_pte_fn read,
		      void *ctx, u64 *gpa)
{
	unsigned int level;
	u64 pte;
	int r;

	for (level = levels; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);

		r = read(ctx, table + 8 * ((gva >> shift) & 0x1ff), 8, &pte);
		if (r)
			return r;
		if (!(pte & PTE_PRESENT))
			return -EFAULT;
		/* 1 GiB (level 3) and 2 MiB (level 2) pages. */
		if (level == 1 || ((level == 2 || level == 3) && (pte & PTE_LARGE))) {
			*gpa = (pte & PTE_ADDR_MASK & ~low_bits(~0ULL, shift)) |
			       low_bits(gva, shift);
			return 0;
		}
		table = pte & PTE_ADDR_MASK;
	}
	return -EFAULT;
}

int l1vmm_gva_to_gpa(const struct l1vmm_paging *p, u64 gva, l1vmm_read_pte_fn read,
		     void *ctx, u64 *gpa)
{
	u64 pdpte;
	int r;

	if (!(p->cr0 & L1VMM_CR0_PG)) {
		*gpa = (u32)gva;
		return 0;
	}
	if (p->efer & L1VMM_EFER_LMA)
		return walk_64bit(p->cr3 & PTE_ADDR_MASK, gva,
				  p->cr4 & L1VMM_CR4_LA57 ? 5 : 4, read, ctx, gpa);
	if (!(p->cr4 & L1VMM_CR4_PAE))
		return walk_32bit(p, (u32)gva, read, ctx, gpa);

	/* PAE: CR3 points at four 8-byte PDPTEs, indexed by bits 31:30. */
	r = read(ctx, (p->cr3 & 0xffffffe0) + 8 * (((u32)gva >> 30) & 3), 8, &pdpte);
	if (r)
		return r;
	if (!(pdpte & PTE_PRESENT))
		return -EFAULT;
	return walk_64bit(pdpte & PTE_ADDR_MASK, (u32)gva, 2, read, ctx, gpa);
}
