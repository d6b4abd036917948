/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host's XSAVE layout, from CPUID leaf 0xD: which components exist,
 * their sizes and standard-format offsets, alignment in the compacted
 * format, user (XCR0) or supervisor (IA32_XSS). Sizes are derived from it,
 * never hard-coded: APX (component 19) included. Portable: unit-tested on
 * the host with recorded CPUID tables.
 */
#ifndef L1VMM_XSTATE_LAYOUT_H
#define L1VMM_XSTATE_LAYOUT_H

#include "l1vmm/portable/cpuid_supported.h"
#include "l1vmm/portable/portable.h"
#include "l1vmm/portable/regs.h"
#include "xstate/portable/xcr0.h"

/* CPUID leaf 0xD: sub-leaf i >= 2 describes component i. */
#define L1VMM_CPUID_XSTATE		0xd
#define L1VMM_XSTATE_ECX_SUPERVISOR	BIT(0)	/* in IA32_XSS, not XCR0 */
#define L1VMM_XSTATE_ECX_ALIGN64	BIT(1)	/* 64-byte aligned when compacted */

/* The legacy area (x87, SSE) and the XSAVE header. */
#define L1VMM_XSAVE_LEGACY_SIZE		512
#define L1VMM_XSAVE_HEADER_SIZE		64
#define L1VMM_XSAVE_HEADER_OFFSET	L1VMM_XSAVE_LEGACY_SIZE
#define L1VMM_XSAVE_EXTENDED_OFFSET	(L1VMM_XSAVE_LEGACY_SIZE + L1VMM_XSAVE_HEADER_SIZE)

struct l1vmm_xstate_component {
	u32 size;		/* 0: the component does not exist */
	u32 offset;		/* in the standard format; 0 for supervisor ones */
	bool align64;		/* 64-byte aligned in the compacted format */
	bool supervisor;
};

struct l1vmm_xstate_layout {
	u64 user;		/* CPUID 0xD.0 EDX:EAX: what XCR0 may enable */
	u64 supervisor;		/* CPUID 0xD.1 EDX:ECX: what IA32_XSS may enable */
	struct l1vmm_xstate_component comp[L1VMM_NR_XFEATURES];
};

/* Read the layout with @host (CPUID); components past APX are ignored. */
void l1vmm_xstate_layout_read(l1vmm_host_cpuid_fn host, struct l1vmm_xstate_layout *l);

/*
 * Bytes of a standard-format (non-compacted) XSAVE area holding
 * @xfeatures: the legacy area and header, and up to the end of the last
 * component; what KVM_CAP_XSAVE2 reports (with 4096 as its floor).
 */
u32 l1vmm_xstate_standard_size(const struct l1vmm_xstate_layout *l, u64 xfeatures);

/* Bytes of a compacted-format area holding @xfeatures (XSAVEC, XSAVES). */
u32 l1vmm_xstate_compacted_size(const struct l1vmm_xstate_layout *l, u64 xfeatures);

/*
 * APX's registers in a standard-format uABI buffer of @size bytes. The
 * guest's R16-R31 live in its register file, not in its XSAVE state: get
 * writes @egprs into the APX area after the generic copy and sets the APX
 * bit in XSTATE_BV; set takes them from the area only when that bit is set
 * (returns 1), and clears the bit so that the generic copy leaves APX out.
 * Both return -EINVAL when the layout has no APX area inside @size.
 */
int l1vmm_xsave_put_egprs(void *buf, u32 size, const struct l1vmm_xstate_layout *l,
			  const unsigned long *egprs);
int l1vmm_xsave_take_egprs(void *buf, u32 size, const struct l1vmm_xstate_layout *l,
			   unsigned long *egprs);

#endif /* L1VMM_XSTATE_LAYOUT_H */
