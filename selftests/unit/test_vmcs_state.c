// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/vmx/vmcs_state.c l1vmm/vmx/vmcs_check.c l1vmm/vmx/vmx_ctls.c
/*
 * Host unit test of the guest state in the VMCS's terms
 * (l1vmm/vmx/vmcs_state.c): segment access rights both ways, the CRs the
 * CPU runs the guest with, the EPT pointer, and the RESET state and a
 * long-mode state, with the controls computed from Haswell-like
 * capability MSRs, passing the pre-entry checks (vmcs_check.c); a broken
 * state fails them with its rule.
 */
#include <stdint.h>
#include <string.h>

#include "ktap.h"
#include "l1vmm/portable/x86.h"
#include "l1vmm/vmx/vmcs_state.h"

#define CAP(allowed0, allowed1)	(((uint64_t)(allowed1) << 32) | (allowed0))

static const struct l1vmm_vmx_msrs haswell = {
	.basic = 0x12ULL | (0x1000ULL << 32) | (6ULL << 50) | L1VMM_VMX_BASIC_TRUE_CTLS,
	.pinbased = CAP(0x16, 0x7f),
	.procbased = CAP(0x0401e172, 0xfff9fffe),
	.exit = CAP(0x00036dff, 0x003fffff),
	.entry = CAP(0x000011ff, 0x0000ffff),
	.true_pinbased = CAP(0x16, 0x7f),
	.true_procbased = CAP(0x04006172, 0xfff9fffe),
	.true_exit = CAP(0x00036dfb, 0x003fffff),
	.true_entry = CAP(0x000011fb, 0x0000ffff),
	.procbased2 = CAP(0, 0x000037ff),
	.cr0_fixed0 = 0x80000021,
	.cr0_fixed1 = 0xffffffff,
	.cr4_fixed0 = 0x2000,
	.cr4_fixed1 = 0x3767ff,
	.ept_vpid_cap = L1VMM_EPT_CAP_WALK_LENGTH_4 | L1VMM_EPT_CAP_MEMTYPE_UC |
			L1VMM_EPT_CAP_MEMTYPE_WB | L1VMM_EPT_CAP_AD,
	.misc = L1VMM_VMX_MISC_ACTIVITY_HLT | L1VMM_VMX_MISC_ACTIVITY_WAIT_SIPI,
};

static struct l1vmm_vmcs_limits limits;
static struct l1vmm_vmx_ctls ctls;

/* Every case runs in a process of its own: each computes these first. */
static void setup(void)
{
	struct l1vmm_vmx_ctl_missing missing;

	memset(&limits, 0, sizeof(limits));
	l1vmm_vmx_limits_from_msrs(&haswell, &limits);
	limits.efer_allowed = L1VMM_EFER_SCE | L1VMM_EFER_LME | L1VMM_EFER_LMA | L1VMM_EFER_NXE;
	limits.phys_bits = 46;
	limits.virt_bits = 48;
	limits.host_ia32e = true;
	ASSERT_EQ(0, l1vmm_vmx_compute_ctls(&limits, l1vmm_vmx_want, &ctls, &missing));
}

static const struct l1vmm_vmx_vcpu_addrs addrs = {
	.io_bitmap_a = 0x10000, .io_bitmap_b = 0x11000, .msr_bitmap = 0x12000,
	.eptp = 0x5000 | L1VMM_EPTP_MEMTYPE_WB | L1VMM_EPTP_WALK_LENGTH_4,
	.vpid = 1,
};

/* A 64-bit Linux host, as the kernel side will fill it. */
static void host_state(struct l1vmm_vmcs_view *v)
{
	v->host_cr0 = 0x80050033;
	v->host_cr3 = 0x1000;
	v->host_cr4 = 0x3626f0;
	v->host_efer = 0xd01;
	v->host_rip = 0xffffffff81001000;
	v->host_gs_base = 0xffff888000000000;
	v->host_tr_base = 0xfffffe0000003000;
	v->host_gdtr_base = 0xfffffe0000001000;
	v->host_idtr_base = 0xfffffe0000000000;
	v->host_sel[L1VMM_VMCS_SEG_CS] = 0x10;
	v->host_sel[L1VMM_VMCS_SEG_SS] = 0x18;
	v->host_sel[L1VMM_VMCS_SEG_TR] = 0x40;
}

static void seg(struct l1vmm_vmx_guest_state *g, int i, u16 sel, u64 base, u32 limit,
		u8 type, u8 s)
{
	g->seg[i] = (struct l1vmm_vmx_seg){
		.base = base, .limit = limit, .selector = sel, .type = type, .s = s,
		.present = 1,
	};
}

/* KVM's RESET state: real mode at 0xfffffff0, CD and NW set. */
static struct l1vmm_vmx_guest_state reset_state(void)
{
	struct l1vmm_vmx_guest_state g = {
		.cr0 = 0x60000010, .rip = 0xfff0, .rflags = 0x2, .dr7 = 0x400,
		.gdtr_limit = 0xffff, .idtr_limit = 0xffff,
	};
	int i;

	for (i = L1VMM_VMCS_SEG_ES; i <= L1VMM_VMCS_SEG_GS; i++)
		seg(&g, i, 0, 0, 0xffff, 3, 1);
	seg(&g, L1VMM_VMCS_SEG_CS, 0xf000, 0xffff0000, 0xffff, 11, 1);
	seg(&g, L1VMM_VMCS_SEG_LDTR, 0, 0, 0xffff, 2, 0);
	seg(&g, L1VMM_VMCS_SEG_TR, 0, 0, 0xffff, 11, 0);
	return g;
}

/* A 64-bit kernel: flat CS with L, SS, the data segments null, a busy TSS. */
static struct l1vmm_vmx_guest_state long_state(void)
{
	struct l1vmm_vmx_guest_state g = {
		.cr0 = 0x80050033, .cr3 = 0x3000, .cr4 = 0x20, .efer = 0xd01,
		.rip = 0xffffffff81000000, .rflags = 0x202, .dr7 = 0x400,
		.gdtr_base = 0xfffffe0000001000, .gdtr_limit = 0x7f,
		.idtr_base = 0xfffffe0000000000, .idtr_limit = 0xfff,
	};
	int i;

	for (i = L1VMM_VMCS_SEG_ES; i <= L1VMM_VMCS_SEG_GS; i++)
		g.seg[i] = (struct l1vmm_vmx_seg){ .unusable = 1 };
	seg(&g, L1VMM_VMCS_SEG_CS, 0x10, 0, 0xffffffff, 11, 1);
	g.seg[L1VMM_VMCS_SEG_CS].l = 1;
	g.seg[L1VMM_VMCS_SEG_CS].g = 1;
	seg(&g, L1VMM_VMCS_SEG_SS, 0x18, 0, 0xffffffff, 3, 1);
	g.seg[L1VMM_VMCS_SEG_SS].db = 1;
	g.seg[L1VMM_VMCS_SEG_SS].g = 1;
	g.seg[L1VMM_VMCS_SEG_LDTR] = (struct l1vmm_vmx_seg){ .unusable = 1 };
	seg(&g, L1VMM_VMCS_SEG_TR, 0x40, 0xfffffe0000003000, 0x67, 11, 0);
	return g;
}

static const char *check(const struct l1vmm_vmx_guest_state *g)
{
	struct l1vmm_vmcs_view v;

	setup();
	memset(&v, 0, sizeof(v));
	host_state(&v);
	l1vmm_vmx_guest_view(&ctls, &addrs, g, &limits, &v);
	return l1vmm_vmcs_invalid(&v, &limits);
}

static void test_seg_ar(void)
{
	struct l1vmm_vmx_guest_state g = long_state();
	struct l1vmm_vmx_seg back;

	ASSERT_EQ(0xa09bU, l1vmm_vmx_seg_ar(&g.seg[L1VMM_VMCS_SEG_CS]));
	ASSERT_EQ(0xc093U, l1vmm_vmx_seg_ar(&g.seg[L1VMM_VMCS_SEG_SS]));
	ASSERT_EQ(0x8bU, l1vmm_vmx_seg_ar(&g.seg[L1VMM_VMCS_SEG_TR]));
	ASSERT_EQ(L1VMM_AR_UNUSABLE, l1vmm_vmx_seg_ar(&g.seg[L1VMM_VMCS_SEG_DS]));
	/* Not present is unusable, whatever else it says. */
	g.seg[L1VMM_VMCS_SEG_SS].present = 0;
	ASSERT_EQ(L1VMM_AR_UNUSABLE, l1vmm_vmx_seg_ar(&g.seg[L1VMM_VMCS_SEG_SS]));
	g.seg[L1VMM_VMCS_SEG_CS].dpl = 3;
	g.seg[L1VMM_VMCS_SEG_CS].avl = 1;
	ASSERT_EQ(0xb0fbU, l1vmm_vmx_seg_ar(&g.seg[L1VMM_VMCS_SEG_CS]));

	memset(&back, 0, sizeof(back));
	l1vmm_vmx_seg_from_ar(0xb0fb, &back);
	ASSERT_EQ(11, back.type);
	ASSERT_EQ(1, back.s);
	ASSERT_EQ(3, back.dpl);
	ASSERT_EQ(1, back.present);
	ASSERT_EQ(1, back.avl);
	ASSERT_EQ(1, back.l);
	ASSERT_EQ(0, back.db);
	ASSERT_EQ(1, back.g);
	ASSERT_EQ(0, back.unusable);
	l1vmm_vmx_seg_from_ar(L1VMM_AR_UNUSABLE, &back);
	ASSERT_EQ(1, back.unusable);
	ASSERT_EQ(0, back.present);
}

static void test_hw_crs(void)
{
	setup();
	/* Unrestricted: NE only, and never CD or NW. */
	ASSERT_EQ(0x30ULL, l1vmm_vmx_hw_cr0(0x60000010, &limits, true));
	ASSERT_EQ(0x80000031ULL, l1vmm_vmx_hw_cr0(0x10, &limits, false));
	ASSERT_EQ(0x80050033ULL, l1vmm_vmx_hw_cr0(0x80050033, &limits, true));
	ASSERT_EQ(0x2020ULL, l1vmm_vmx_hw_cr4(0x20, &limits));
}

static void test_eptp(void)
{
	u64 cap = haswell.ept_vpid_cap;

	/* Haswell's: write-back, 4 levels, accessed/dirty flags (bit 6). */
	ASSERT_EQ(0x5000ULL | 0x40 | 0x18 | 6, l1vmm_vmx_eptp(0x5000, 4, cap));
	ASSERT_EQ(0x5000ULL | 0x18 | 6, l1vmm_vmx_eptp(0x5000, 4, cap & ~L1VMM_EPT_CAP_AD));
	ASSERT_EQ(0ULL, l1vmm_vmx_eptp(0x5000, 5, cap));
	ASSERT_EQ(0x5000ULL | 0x40 | 0x20 | 6,
		  l1vmm_vmx_eptp(0x5000, 5, cap | L1VMM_EPT_CAP_WALK_LENGTH_5));
	ASSERT_EQ(0ULL, l1vmm_vmx_eptp(0x5000, 4, cap & ~L1VMM_EPT_CAP_MEMTYPE_WB));
	ASSERT_EQ(0ULL, l1vmm_vmx_eptp(0x5000, 3, cap));
}

static void test_reset_state_enters(void)
{
	struct l1vmm_vmx_guest_state g = reset_state();
	const char *why = check(&g);

	TEST_ASSERT(!why, "RESET state: %s", why);
}

static void test_long_mode_enters(void)
{
	struct l1vmm_vmx_guest_state g = long_state();
	struct l1vmm_vmcs_view v;
	const char *why = check(&g);

	TEST_ASSERT(!why, "long mode: %s", why);
	setup();
	memset(&v, 0, sizeof(v));
	l1vmm_vmx_guest_view(&ctls, &addrs, &g, &limits, &v);
	TEST_ASSERT(v.entry & L1VMM_ENTRY_IA32E_MODE_GUEST, "IA-32e mode guest off with LMA");
	g = reset_state();
	l1vmm_vmx_guest_view(&ctls, &addrs, &g, &limits, &v);
	TEST_ASSERT(!(v.entry & L1VMM_ENTRY_IA32E_MODE_GUEST), "IA-32e mode guest on in real mode");
}

/* States the checks refuse, each with its rule. */
static void test_broken_states_refused(void)
{
	struct l1vmm_vmx_guest_state g = long_state();
	const char *why;

	g.seg[L1VMM_VMCS_SEG_CS].unusable = 1;
	why = check(&g);
	TEST_ASSERT(why, "an unusable CS passed");
	ktap_info("unusable CS: %s", why);

	g = long_state();
	g.seg[L1VMM_VMCS_SEG_TR].type = 9;	/* an available TSS */
	why = check(&g);
	TEST_ASSERT(why, "an available TSS passed");
	ktap_info("available TSS: %s", why);

	g = long_state();
	g.efer &= ~L1VMM_EFER_LMA;	/* paging on, LME without LMA */
	why = check(&g);
	TEST_ASSERT(why, "LME with paging but no LMA passed");
	ktap_info("LMA clear: %s", why);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_seg_ar),
	KTAP_CASE(test_hw_crs),
	KTAP_CASE(test_eptp),
	KTAP_CASE(test_reset_state_enters),
	KTAP_CASE(test_long_mode_enters),
	KTAP_CASE(test_broken_states_refused),
};

int main(void)
{
	return ktap_run("vmcs_state", tests, KTAP_ARRAY_SIZE(tests));
}
