// SPDX-License-Identifier: GPL-2.0-only
/*
 * XSAVE layout math (Intel SDM vol. 1, 13.4 "XSAVE Area"; CPUID leaf 0xD
 * in vol. 2): sub-leaf i >= 2 gives component i's size (EAX), its offset
 * in the standard format (EBX), and in ECX bit 0 "supervisor" and bit 1
 * "64-byte aligned when compacted".
 */
#include "xstate/portable/layout.h"

void l1vmm_xstate_layout_read(l1vmm_host_cpuid_fn host, struct l1vmm_xstate_layout *l)
{
	struct l1vmm_cpuid_regs r;
	unsigned int i;

	memset(l, 0, sizeof(*l));
	host(L1VMM_CPUID_XSTATE, 0, &r);
	l->user = (u64)r.edx << 32 | r.eax;
	host(L1VMM_CPUID_XSTATE, 1, &r);
	l->supervisor = (u64)r.edx << 32 | r.ecx;

	/* x87 and SSE live in the legacy area, whatever CPUID says of them. */
	l->comp[L1VMM_XFEATURE_X87] = (struct l1vmm_xstate_component){ .size = 160, .offset = 0 };
	l->comp[L1VMM_XFEATURE_SSE] = (struct l1vmm_xstate_component){ .size = 256, .offset = 160 };
	for (i = L1VMM_XFEATURE_YMM; i < L1VMM_NR_XFEATURES; i++) {
		if (!((l->user | l->supervisor) & BIT_ULL(i)))
			continue;
		host(L1VMM_CPUID_XSTATE, i, &r);
		l->comp[i] = (struct l1vmm_xstate_component){
			.size = r.eax,
			.offset = r.ebx,
			.supervisor = r.ecx & L1VMM_XSTATE_ECX_SUPERVISOR,
			.align64 = r.ecx & L1VMM_XSTATE_ECX_ALIGN64,
		};
	}
}

u32 l1vmm_xstate_standard_size(const struct l1vmm_xstate_layout *l, u64 xfeatures)
{
	u32 size = L1VMM_XSAVE_EXTENDED_OFFSET;
	unsigned int i;

	for (i = L1VMM_XFEATURE_YMM; i < L1VMM_NR_XFEATURES; i++) {
		const struct l1vmm_xstate_component *c = &l->comp[i];

		if ((xfeatures & BIT_ULL(i)) && !c->supervisor && c->size &&
		    c->offset + c->size > size)
			size = c->offset + c->size;
	}
	return size;
}

u32 l1vmm_xstate_compacted_size(const struct l1vmm_xstate_layout *l, u64 xfeatures)
{
	u32 size = L1VMM_XSAVE_EXTENDED_OFFSET;
	unsigned int i;

	for (i = L1VMM_XFEATURE_YMM; i < L1VMM_NR_XFEATURES; i++) {
		const struct l1vmm_xstate_component *c = &l->comp[i];

		if (!(xfeatures & BIT_ULL(i)) || !c->size)
			continue;
		if (c->align64)
			size = (size + 63) & ~63u;
		size += c->size;
	}
	return size;
}

/* The offset of @l's APX area inside a buffer of @size bytes, or 0. */
static u32 apx_offset(u32 size, const struct l1vmm_xstate_layout *l)
{
	const struct l1vmm_xstate_component *apx = &l->comp[L1VMM_XFEATURE_APX];

	if (apx->size < L1VMM_NR_EGPRS * sizeof(unsigned long) || apx->supervisor ||
	    apx->offset < L1VMM_XSAVE_EXTENDED_OFFSET || apx->size > size ||
	    apx->offset > size - apx->size)
		return 0;
	return apx->offset;
}

int l1vmm_xsave_put_egprs(void *buf, u32 size, const struct l1vmm_xstate_layout *l,
			  const unsigned long *egprs)
{
	u32 off = apx_offset(size, l);
	u64 xstate_bv;

	if (!off)
		return -EINVAL;
	memcpy((char *)buf + off, egprs, L1VMM_NR_EGPRS * sizeof(*egprs));
	memcpy(&xstate_bv, (char *)buf + L1VMM_XSAVE_HEADER_OFFSET, sizeof(xstate_bv));
	xstate_bv |= L1VMM_XF(APX);
	memcpy((char *)buf + L1VMM_XSAVE_HEADER_OFFSET, &xstate_bv, sizeof(xstate_bv));
	return 0;
}

int l1vmm_xsave_take_egprs(void *buf, u32 size, const struct l1vmm_xstate_layout *l,
			   unsigned long *egprs)
{
	u32 off = apx_offset(size, l);
	u64 xstate_bv;

	if (!off)
		return -EINVAL;
	memcpy(&xstate_bv, (char *)buf + L1VMM_XSAVE_HEADER_OFFSET, sizeof(xstate_bv));
	if (!(xstate_bv & L1VMM_XF(APX)))
		return 0;
	memcpy(egprs, (char *)buf + off, L1VMM_NR_EGPRS * sizeof(*egprs));
	xstate_bv &= ~L1VMM_XF(APX);
	memcpy((char *)buf + L1VMM_XSAVE_HEADER_OFFSET, &xstate_bv, sizeof(xstate_bv));
	return 1;
}
