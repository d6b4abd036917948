// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's MTRRs; see mtrr.h. Bit layouts from the Intel SDM vol. 3
 * ("Memory Type Range Registers") and the AMD APM vol. 2.
 */
#include "l1vmm/portable/mtrr.h"

#define DEF_TYPE_ALLOWED	0xcffULL	/* type, FE (bit 10), E (bit 11) */
#define PHYSBASE_RSVD		0xf00ULL
#define PHYSMASK_RSVD		0x7ffULL

int l1vmm_mtrr_slot(u32 index)
{
	switch (index) {
	case L1VMM_MSR_MTRR_PHYSBASE0 ... L1VMM_MSR_MTRR_PHYSBASE0 + 2 * L1VMM_MTRR_NR_VAR - 1:
		return index - L1VMM_MSR_MTRR_PHYSBASE0;
	case L1VMM_MSR_MTRR_FIX64K_00000:
		return L1VMM_MTRR_SLOT_FIXED;
	case L1VMM_MSR_MTRR_FIX16K_80000:
	case L1VMM_MSR_MTRR_FIX16K_A0000:
		return L1VMM_MTRR_SLOT_FIXED + 1 + index - L1VMM_MSR_MTRR_FIX16K_80000;
	case L1VMM_MSR_MTRR_FIX4K_C0000 ... L1VMM_MSR_MTRR_FIX4K_F8000:
		return L1VMM_MTRR_SLOT_FIXED + 3 + index - L1VMM_MSR_MTRR_FIX4K_C0000;
	case L1VMM_MSR_MTRR_DEF_TYPE:
		return L1VMM_MTRR_SLOT_DEF_TYPE;
	default:
		return -1;
	}
}

/* UC (0), WC (1), WT (4), WP (5), WB (6); not 2, 3, 7 (UC- is PAT only) or above. */
static bool mtrr_type_valid(u64 type)
{
	return type < 8 && (BIT(type) & 0x73);
}

/* The guest-physical address bits at and above @maxphyaddr. */
static u64 gpa_rsvd(unsigned int maxphyaddr)
{
	return maxphyaddr >= 64 ? 0 : ~0ULL << maxphyaddr;
}

bool l1vmm_mtrr_valid(u32 index, u64 val, unsigned int maxphyaddr)
{
	int slot = l1vmm_mtrr_slot(index);
	int i;

	if (slot < 0)
		return false;
	if (slot == L1VMM_MTRR_SLOT_DEF_TYPE)
		return !(val & ~DEF_TYPE_ALLOWED) && mtrr_type_valid(val & 0xff);
	if (slot >= L1VMM_MTRR_SLOT_FIXED) {
		for (i = 0; i < 8; i++)
			if (!mtrr_type_valid((val >> (8 * i)) & 0xff))
				return false;
		return true;
	}
	if (slot & 1)		/* PHYSMASK */
		return !(val & (gpa_rsvd(maxphyaddr) | PHYSMASK_RSVD));
	return mtrr_type_valid(val & 0xff) &&
	       !(val & (gpa_rsvd(maxphyaddr) | PHYSBASE_RSVD));
}

int l1vmm_mtrr_get(const struct l1vmm_mtrr *m, u32 index, u64 *val, unsigned int maxphyaddr)
{
	int slot;

	if (index == L1VMM_MSR_MTRRCAP) {
		*val = L1VMM_MTRRCAP_VALUE;
		return 0;
	}
	slot = l1vmm_mtrr_slot(index);
	if (slot < 0)
		return 1;
	slot = array_index_nospec(slot, L1VMM_MTRR_NR_SLOTS);
	*val = m->msr[slot];
	/* As KVM: a variable range never shows bits beyond the current MAXPHYADDR. */
	if (slot < L1VMM_MTRR_SLOT_FIXED)
		*val &= ~gpa_rsvd(maxphyaddr);
	return 0;
}

int l1vmm_mtrr_set(struct l1vmm_mtrr *m, u32 index, u64 val, unsigned int maxphyaddr)
{
	int slot = l1vmm_mtrr_slot(index);

	if (slot < 0 || !l1vmm_mtrr_valid(index, val, maxphyaddr))
		return 1;
	m->msr[array_index_nospec(slot, L1VMM_MTRR_NR_SLOTS)] = val;
	return 0;
}
