// SPDX-License-Identifier: GPL-2.0-only
/*
 * A vCPU's guest state in the VMCS's terms; see vmcs_state.h.
 */
#include "l1vmm/vmx/vmcs_state.h"

#define AR_AVL			BIT(12)
#define AR_TYPE_SHIFT		0
#define AR_S_SHIFT		4
#define AR_DPL_SHIFT		5
#define AR_P_SHIFT		7
#define AR_AVL_SHIFT		12
#define AR_L_SHIFT		13
#define AR_DB_SHIFT		14
#define AR_G_SHIFT		15

u32 l1vmm_vmx_seg_ar(const struct l1vmm_vmx_seg *seg)
{
	if (seg->unusable || !seg->present)
		return L1VMM_AR_UNUSABLE;
	return (seg->type & L1VMM_AR_TYPE_MASK) << AR_TYPE_SHIFT |
	       (seg->s & 1) << AR_S_SHIFT | (seg->dpl & 3) << AR_DPL_SHIFT |
	       1U << AR_P_SHIFT | (seg->avl & 1) << AR_AVL_SHIFT |
	       (seg->l & 1) << AR_L_SHIFT | (seg->db & 1) << AR_DB_SHIFT |
	       (seg->g & 1) << AR_G_SHIFT;
}

void l1vmm_vmx_seg_from_ar(u32 ar, struct l1vmm_vmx_seg *seg)
{
	seg->type = ar & L1VMM_AR_TYPE_MASK;
	seg->s = !!(ar & L1VMM_AR_S);
	seg->dpl = (ar & L1VMM_AR_DPL_MASK) >> AR_DPL_SHIFT;
	seg->present = !!(ar & L1VMM_AR_P);
	seg->avl = !!(ar & AR_AVL);
	seg->l = !!(ar & L1VMM_AR_L);
	seg->db = !!(ar & L1VMM_AR_DB);
	seg->g = !!(ar & L1VMM_AR_G);
	seg->unusable = !!(ar & L1VMM_AR_UNUSABLE);
}

u64 l1vmm_vmx_hw_cr0(u64 cr0, const struct l1vmm_vmcs_limits *limits, bool unrestricted)
{
	return (cr0 & ~L1VMM_VMX_CR0_ALWAYS_OFF) | l1vmm_vmx_guest_cr0_fixed0(limits, unrestricted);
}

u64 l1vmm_vmx_hw_cr4(u64 cr4, const struct l1vmm_vmcs_limits *limits)
{
	return cr4 | limits->cr4_fixed0;
}

u64 l1vmm_vmx_eptp(u64 root_pa, int levels, u64 ept_cap)
{
	u64 walk;

	if (!(ept_cap & L1VMM_EPT_CAP_MEMTYPE_WB))
		return 0;
	if (levels == 4 && (ept_cap & L1VMM_EPT_CAP_WALK_LENGTH_4))
		walk = L1VMM_EPTP_WALK_LENGTH_4;
	else if (levels == 5 && (ept_cap & L1VMM_EPT_CAP_WALK_LENGTH_5))
		walk = L1VMM_EPTP_WALK_LENGTH_5;
	else
		return 0;
	if (ept_cap & L1VMM_EPT_CAP_AD)
		walk |= L1VMM_EPTP_AD_ENABLE;
	return root_pa | walk | L1VMM_EPTP_MEMTYPE_WB;
}

void l1vmm_vmx_guest_view(const struct l1vmm_vmx_ctls *ctls,
			  const struct l1vmm_vmx_vcpu_addrs *addrs,
			  const struct l1vmm_vmx_guest_state *g,
			  const struct l1vmm_vmcs_limits *limits,
			  struct l1vmm_vmcs_view *v)
{
	bool unrestricted;
	int i;

	v->pin = ctls->val[L1VMM_CTL_PIN];
	v->proc = ctls->val[L1VMM_CTL_PROC];
	v->proc2 = ctls->val[L1VMM_CTL_PROC2];
	v->exit = ctls->val[L1VMM_CTL_EXIT];
	v->entry = ctls->val[L1VMM_CTL_ENTRY] & ~L1VMM_ENTRY_IA32E_MODE_GUEST;
	if (g->efer & L1VMM_EFER_LMA)
		v->entry |= L1VMM_ENTRY_IA32E_MODE_GUEST;
	if (!(v->proc2 & L1VMM_PROC2_ENABLE_VPID))
		v->vpid = 0;
	else
		v->vpid = addrs->vpid;
	v->cr3_target_count = 0;
	v->io_bitmap_a = addrs->io_bitmap_a;
	v->io_bitmap_b = addrs->io_bitmap_b;
	v->msr_bitmap = addrs->msr_bitmap;
	v->eptp = addrs->eptp;
	v->entry_intr_info = 0;
	v->entry_error_code = 0;
	v->entry_insn_len = 0;

	unrestricted = v->proc2 & L1VMM_PROC2_UNRESTRICTED_GUEST;
	v->guest_cr0 = l1vmm_vmx_hw_cr0(g->cr0, limits, unrestricted);
	v->guest_cr3 = g->cr3;
	v->guest_cr4 = l1vmm_vmx_hw_cr4(g->cr4, limits);
	v->guest_dr7 = g->dr7;
	v->guest_efer = g->efer;
	v->guest_rip = g->rip;
	v->guest_rflags = g->rflags;
	for (i = 0; i < L1VMM_VMCS_SEG_NR; i++) {
		v->guest_seg[i].selector = g->seg[i].selector;
		v->guest_seg[i].base = g->seg[i].base;
		v->guest_seg[i].limit = g->seg[i].limit;
		v->guest_seg[i].ar = l1vmm_vmx_seg_ar(&g->seg[i]);
	}
	v->guest_gdtr_base = g->gdtr_base;
	v->guest_gdtr_limit = g->gdtr_limit;
	v->guest_idtr_base = g->idtr_base;
	v->guest_idtr_limit = g->idtr_limit;
	v->guest_activity = g->activity;
	v->guest_interruptibility = g->interruptibility;
	v->guest_pending_dbg = g->pending_dbg;
	v->vmcs_link_pointer = L1VMM_VMCS_LINK_NONE;
}
