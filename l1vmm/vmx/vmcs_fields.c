// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMCS field table and its lookup; see vmcs_fields.h.
 */
#include "l1vmm/vmx/vmcs_fields.h"

const struct l1vmm_vmcs_field_info l1vmm_vmcs_fields[L1VMM_NR_VMCS_FIELDS] = {
#define L1VMM_VMCS_FIELD(fname, w, t, s) \
	{ #fname, L1VMM_VMCS_##fname, L1VMM_VMCS_W##w, L1VMM_VMCS_TYPE_##t, L1VMM_VMCS_SHADOW_##s },
#include "l1vmm/vmx/vmcs_field_list.h"
#undef L1VMM_VMCS_FIELD
};

/* A binary search: the table ascends (the unit test checks it). */
const struct l1vmm_vmcs_field_info *l1vmm_vmcs_field(u32 enc)
{
	unsigned int lo = 0, hi = L1VMM_NR_VMCS_FIELDS;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (l1vmm_vmcs_fields[mid].encoding == enc)
			return &l1vmm_vmcs_fields[mid];
		if (l1vmm_vmcs_fields[mid].encoding < enc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
