// SPDX-License-Identifier: GPL-2.0-only
/*
 * The XCR0 rules: Intel SDM vol. 1, 13.3 ("Enabling the XSAVE Feature
 * Set and XSAVE-Enabled Features"), as KVM's __kvm_set_xcr() applies them,
 * and the APX specification's rule that APX and MPX's bound registers,
 * which share an area of the standard layout, are never enabled together.
 */
#include "xstate/portable/xcr0.h"

const char *l1vmm_xcr0_invalid(u32 index, u64 xcr0, u64 guest_supported)
{
	if (index != L1VMM_XCR_XFEATURE_ENABLED_MASK)
		return "only XCR0 exists";
	if (!(xcr0 & L1VMM_XF(X87)))
		return "x87 must be enabled";
	if ((xcr0 & L1VMM_XF(YMM)) && !(xcr0 & L1VMM_XF(SSE)))
		return "AVX needs SSE";
	if (xcr0 & ~(guest_supported | L1VMM_XF(X87)))
		return "a feature the guest's CPUID does not offer";
	if (!(xcr0 & L1VMM_XF(BNDREGS)) != !(xcr0 & L1VMM_XF(BNDCSR)))
		return "the two MPX components go together";
	if ((xcr0 & L1VMM_XF_AVX512) && !(xcr0 & L1VMM_XF(YMM)))
		return "AVX-512 needs AVX";
	if ((xcr0 & L1VMM_XF_AVX512) && (xcr0 & L1VMM_XF_AVX512) != L1VMM_XF_AVX512)
		return "the three AVX-512 components go together";
	if ((xcr0 & L1VMM_XF_XTILE) && (xcr0 & L1VMM_XF_XTILE) != L1VMM_XF_XTILE)
		return "the two AMX tile components go together";
	if ((xcr0 & L1VMM_XF(APX)) && (xcr0 & L1VMM_XF(BNDREGS)))
		return "APX and MPX share their XSAVE area";
	return NULL;
}

unsigned int l1vmm_xstate_init_clear(u64 supported, void (*clear)(unsigned int xfeature, void *ctx),
				     void *ctx)
{
	const u64 mask = L1VMM_XF_INIT_CLEARED & supported;
	unsigned int i, n = 0;

	/* The mask is one u64: every component needs a bit of it. */
	_Static_assert(8 * sizeof(mask) >= L1VMM_NR_XFEATURES, "XSAVE components outgrow a u64");
	for (i = 0; i < 8 * sizeof(mask); i++) {
		if (mask & BIT_ULL(i)) {
			clear(i, ctx);
			n++;
		}
	}
	return n;
}
