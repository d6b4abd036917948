// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPUID table lookup: see cpuid.h.
 */
#include "l1vmm/cpuid.h"

const struct kvm_cpuid_entry2 *l1vmm_cpuid_find(const struct kvm_cpuid_entry2 *entries,
						unsigned int nent, u32 function,
						u32 index)
{
	unsigned int i;

	for (i = 0; i < nent; i++) {
		const struct kvm_cpuid_entry2 *e = &entries[i];

		if (e->function != function)
			continue;
		if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e->index != index)
			continue;
		return e;
	}
	return NULL;
}
