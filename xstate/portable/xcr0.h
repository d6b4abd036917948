/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * XSAVE feature bits and the rules for a guest's XCR0 (what XSETBV and
 * KVM_SET_XCRS accept). The rules are KVM's __kvm_set_xcr() plus APX's
 * overlap with MPX. Portable: unit-tested on the host.
 */
#ifndef L1VMM_XSTATE_XCR0_H
#define L1VMM_XSTATE_XCR0_H

#include "l1vmm/portable/portable.h"

/* XSAVE state components (Intel SDM vol. 1, 13.1; APX spec, 3.1.4). */
enum l1vmm_xfeature {
	L1VMM_XFEATURE_X87,
	L1VMM_XFEATURE_SSE,
	L1VMM_XFEATURE_YMM,
	L1VMM_XFEATURE_BNDREGS,
	L1VMM_XFEATURE_BNDCSR,
	L1VMM_XFEATURE_OPMASK,
	L1VMM_XFEATURE_ZMM_HI256,
	L1VMM_XFEATURE_HI16_ZMM,
	L1VMM_XFEATURE_PT,		/* supervisor (IA32_XSS) */
	L1VMM_XFEATURE_PKRU,
	L1VMM_XFEATURE_PASID,		/* supervisor */
	L1VMM_XFEATURE_CET_USER,	/* supervisor */
	L1VMM_XFEATURE_CET_KERNEL,	/* supervisor */
	L1VMM_XFEATURE_HDC,		/* supervisor */
	L1VMM_XFEATURE_UINTR,		/* supervisor */
	L1VMM_XFEATURE_LBR,		/* supervisor */
	L1VMM_XFEATURE_HWP,		/* supervisor */
	L1VMM_XFEATURE_XTILE_CFG,
	L1VMM_XFEATURE_XTILE_DATA,
	L1VMM_XFEATURE_APX,		/* R16-R31 */
	L1VMM_NR_XFEATURES,
};

#define L1VMM_XF(name)		BIT_ULL(L1VMM_XFEATURE_##name)
#define L1VMM_XF_FPSSE		(L1VMM_XF(X87) | L1VMM_XF(SSE))
#define L1VMM_XF_MPX		(L1VMM_XF(BNDREGS) | L1VMM_XF(BNDCSR))
#define L1VMM_XF_AVX512		(L1VMM_XF(OPMASK) | L1VMM_XF(ZMM_HI256) | L1VMM_XF(HI16_ZMM))
#define L1VMM_XF_XTILE		(L1VMM_XF(XTILE_CFG) | L1VMM_XF(XTILE_DATA))
#define L1VMM_XF_CET		(L1VMM_XF(CET_USER) | L1VMM_XF(CET_KERNEL))

/* XCR0 after RESET: x87 only. INIT leaves XCR0 as it was. */
#define L1VMM_XCR0_RESET	L1VMM_XF(X87)

/*
 * The components INIT puts in their initial state: MPX's and CET's (Intel
 * SDM vol. 3, "Processor State after Reset and INIT"; CET spec). x87, SSE,
 * AVX and the rest keep their contents across INIT.
 */
#define L1VMM_XF_INIT_CLEARED	(L1VMM_XF_MPX | L1VMM_XF_CET)

/* The only extended control register: XCR0 (ECX = 0 for XSETBV). */
#define L1VMM_XCR_XFEATURE_ENABLED_MASK	0

/*
 * Returns NULL when @xcr0 may be written to XCR @index of a guest whose
 * CPUID offers @guest_supported, else the rule it breaks. x87 is always
 * allowed, even to a guest without XSAVE (as in KVM).
 */
const char *l1vmm_xcr0_invalid(u32 index, u64 xcr0, u64 guest_supported);

/*
 * INIT: call @clear for each component of @supported that INIT clears,
 * lowest first. Returns how many it cleared.
 */
unsigned int l1vmm_xstate_init_clear(u64 supported, void (*clear)(unsigned int xfeature, void *ctx),
				     void *ctx);

#endif /* L1VMM_XSTATE_XCR0_H */
