// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/portable/mtrr.c l1vmm/portable/mce.c l1vmm/portable/msrs.c
/*
 * Host unit test of the MTRR and machine-check rules (l1vmm/portable/mtrr.c,
 * mce.c), against what KVM 6.1 does (arch/x86/kvm/mtrr.c, x86.c).
 */
#include "ktap.h"
#include "l1vmm/portable/mce.h"
#include "l1vmm/portable/msrs.h"
#include "l1vmm/portable/mtrr.h"

#define ONES	(~0ULL)
/* What each vendor's MCG_CAP keeps of KVM_X86_SETUP_MCE's value. */
#define AMD	L1VMM_MCG_CAP_KEEP_AMD
#define INTEL	L1VMM_MCG_CAP_KEEP_INTEL

/* The MSRs QEMU writes at every reset: all of them are MTRRs here. */
static void test_mtrr_slots(void)
{
	static const u32 fixed[] = { 0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b,
				     0x26c, 0x26d, 0x26e, 0x26f };
	bool used[L1VMM_MTRR_NR_SLOTS] = { 0 };
	unsigned int i;
	int slot;

	for (i = 0x200; i < 0x210; i++) {
		slot = l1vmm_mtrr_slot(i);
		TEST_ASSERT(slot >= 0 && slot < L1VMM_MTRR_NR_SLOTS && !used[slot],
			    "MSR %#x: slot %d", i, slot);
		used[slot] = true;
	}
	for (i = 0; i < KTAP_ARRAY_SIZE(fixed); i++) {
		slot = l1vmm_mtrr_slot(fixed[i]);
		TEST_ASSERT(slot >= 0 && slot < L1VMM_MTRR_NR_SLOTS && !used[slot],
			    "MSR %#x: slot %d", fixed[i], slot);
		used[slot] = true;
	}
	slot = l1vmm_mtrr_slot(0x2ff);
	TEST_ASSERT(slot >= 0 && slot < L1VMM_MTRR_NR_SLOTS && !used[slot], "defType: slot %d", slot);
	/* Not MTRRs: MTRRcap (read-only), the 9th range, PAT, the gaps, the MCE CTL2s. */
	ASSERT_EQ(-1, l1vmm_mtrr_slot(0xfe));
	ASSERT_EQ(-1, l1vmm_mtrr_slot(0x210));
	ASSERT_EQ(-1, l1vmm_mtrr_slot(0x251));
	ASSERT_EQ(-1, l1vmm_mtrr_slot(0x25a));
	ASSERT_EQ(-1, l1vmm_mtrr_slot(0x267));
	ASSERT_EQ(-1, l1vmm_mtrr_slot(0x270));
	ASSERT_EQ(-1, l1vmm_mtrr_slot(0x277));
	ASSERT_EQ(-1, l1vmm_mtrr_slot(0x280));
	ASSERT_EQ(-1, l1vmm_mtrr_slot(0x2fe));
}

static void test_mtrr_values(void)
{
	struct l1vmm_mtrr m = { 0 };
	u64 v;

	/* MTRRcap: VCNT 8, FIX, WC, read-only. */
	ASSERT_EQ(0, l1vmm_mtrr_get(&m, 0xfe, &v, 48));
	ASSERT_EQ(0x508, v);
	ASSERT_EQ(1, l1vmm_mtrr_set(&m, 0xfe, 0x508, 48));

	/* defType: type, FE, E; types 2, 3, 7 refused. */
	ASSERT_EQ(0, l1vmm_mtrr_set(&m, 0x2ff, 0xc06, 48));
	ASSERT_EQ(0, l1vmm_mtrr_get(&m, 0x2ff, &v, 48));
	ASSERT_EQ(0xc06, v);
	ASSERT_EQ(1, l1vmm_mtrr_set(&m, 0x2ff, 0x1006, 48));	/* bit 12 */
	ASSERT_EQ(1, l1vmm_mtrr_set(&m, 0x2ff, 0x102, 48));	/* bit 8 */
	ASSERT_EQ(1, l1vmm_mtrr_set(&m, 0x2ff, 0x2, 48));
	ASSERT_EQ(1, l1vmm_mtrr_set(&m, 0x2ff, 0x7, 48));
	ASSERT_EQ(0, l1vmm_mtrr_get(&m, 0x2ff, &v, 48));
	ASSERT_EQ(0xc06, v);					/* unchanged */

	/* Fixed: every byte a type. */
	ASSERT_EQ(0, l1vmm_mtrr_set(&m, 0x250, 0x0606060606060606ULL, 48));
	ASSERT_EQ(0, l1vmm_mtrr_set(&m, 0x26f, 0x0005040100060504ULL, 48));
	ASSERT_EQ(1, l1vmm_mtrr_set(&m, 0x258, 0x0606060606060607ULL, 48));
	ASSERT_EQ(1, l1vmm_mtrr_set(&m, 0x259, 0x0306060606060606ULL, 48));
	ASSERT_EQ(1, l1vmm_mtrr_set(&m, 0x268, 0x1000000000000000ULL, 48));

	/* Variable: base type and bits 11:8, mask bits 10:0, both the bits above MAXPHYADDR. */
	ASSERT_EQ(0, l1vmm_mtrr_set(&m, 0x200, 0x80000006ULL, 48));
	ASSERT_EQ(0, l1vmm_mtrr_set(&m, 0x201, 0xff80000800ULL, 48));
	ASSERT_EQ(1, l1vmm_mtrr_set(&m, 0x200, 0x80000002ULL, 48));
	ASSERT_EQ(1, l1vmm_mtrr_set(&m, 0x200, 0x80000106ULL, 48));
	ASSERT_EQ(1, l1vmm_mtrr_set(&m, 0x201, 0xff80000801ULL, 48));
	ASSERT_EQ(0, l1vmm_mtrr_set(&m, 0x20f, 0xfffffffff800ULL, 48));
	ASSERT_EQ(1, l1vmm_mtrr_set(&m, 0x20f, 0x1fffffffff800ULL, 48));
	ASSERT_EQ(1, l1vmm_mtrr_set(&m, 0x20e, 1ULL << 36, 36));	/* KVM's default width */
	ASSERT_EQ(0, l1vmm_mtrr_get(&m, 0x201, &v, 48));
	ASSERT_EQ(0xff80000800ULL, v);
	/* A narrower MAXPHYADDR later hides the bits above it, as KVM. */
	ASSERT_EQ(0, l1vmm_mtrr_get(&m, 0x201, &v, 36));
	ASSERT_EQ(0xf80000800ULL, v);
	/* A width of 0 (a zero 0x80000008 EAX) refuses every non-zero range. */
	ASSERT_EQ(1, l1vmm_mtrr_set(&m, 0x201, 0x800, 0));
	ASSERT_EQ(0, l1vmm_mtrr_set(&m, 0x201, 0, 0));
	/* Not MTRRs. */
	ASSERT_EQ(1, l1vmm_mtrr_get(&m, 0x210, &v, 48));
	ASSERT_EQ(1, l1vmm_mtrr_set(&m, 0x277, 0x0007040600070406ULL, 48));
}

static void test_maxphyaddr(void)
{
	ASSERT_EQ(36, l1vmm_guest_maxphyaddr(false, 0, false, 0));
	ASSERT_EQ(36, l1vmm_guest_maxphyaddr(true, 0x80000007, true, 0x3030));
	ASSERT_EQ(36, l1vmm_guest_maxphyaddr(true, 0x80000008, false, 0));
	ASSERT_EQ(48, l1vmm_guest_maxphyaddr(true, 0x80000008, true, 0x3030));
	ASSERT_EQ(0, l1vmm_guest_maxphyaddr(true, 0x80000021, true, 0x3000));
}

static void test_mce_setup(void)
{
	struct l1vmm_mce m;
	unsigned int i;

	l1vmm_mce_init(&m);
	ASSERT_EQ(32, m.mcg_cap);
	ASSERT_EQ(0, m.banks[0]);
	TEST_ASSERT(!l1vmm_mce_setup(&m, 0, AMD), "0 banks accepted");
	TEST_ASSERT(!l1vmm_mce_setup(&m, 33, AMD), "33 banks accepted");
	TEST_ASSERT(!l1vmm_mce_setup(&m, 10 | L1VMM_MCG_CMCI_P, AMD), "CMCI_P accepted");
	TEST_ASSERT(!l1vmm_mce_setup(&m, 10 | (1ULL << 9), AMD), "EXT_P accepted");
	TEST_ASSERT(!l1vmm_mce_setup(&m, 10 | (1ULL << 32), AMD), "bit 32 accepted");
	ASSERT_EQ(32, m.mcg_cap);				/* unchanged */
	/* QEMU's: 10 banks, MCG_CTL_P, MCG_SER_P; the count and extended count are free. */
	TEST_ASSERT(l1vmm_mce_setup(&m, 0x1000a | L1VMM_MCE_CAP_SUPPORTED, AMD), "QEMU's refused");
	ASSERT_EQ(0xa | L1VMM_MCG_CTL_P, m.mcg_cap);		/* kvm-amd keeps bits 8:0 */
	ASSERT_EQ(ONES, m.mcg_ctl);
	for (i = 0; i < 10; i++)
		ASSERT_EQ(ONES, m.banks[4 * i]);
	ASSERT_EQ(0, m.banks[40]);

	/* kvm-intel keeps all of it; LMCE is kvm-intel's, not offered. */
	l1vmm_mce_init(&m);
	TEST_ASSERT(!l1vmm_mce_setup(&m, 10 | L1VMM_MCG_LMCE_P, INTEL), "LMCE_P accepted");
	TEST_ASSERT(l1vmm_mce_setup(&m, 0x1000a | L1VMM_MCE_CAP_SUPPORTED, INTEL),
		    "QEMU's refused on Intel");
	ASSERT_EQ(0x1000a | L1VMM_MCE_CAP_SUPPORTED, m.mcg_cap);
}

static void test_mce_msrs(void)
{
	struct l1vmm_mce m;
	u64 v;

	l1vmm_mce_init(&m);
	/* No MCG_CTL_P: MCG_CTL for user space only, and only 0 written. */
	ASSERT_EQ(1, l1vmm_mce_get(&m, 0x17b, &v, false));
	ASSERT_EQ(0, l1vmm_mce_get(&m, 0x17b, &v, true));
	ASSERT_EQ(0, l1vmm_mce_set(&m, 0x17b, 0, true, false));
	ASSERT_EQ(1, l1vmm_mce_set(&m, 0x17b, ONES, true, false));
	ASSERT_EQ(1, l1vmm_mce_set(&m, 0x17b, 0, false, false));
	/* MCG_CAP: read-only; P5 MSRs read as 0, not written. */
	ASSERT_EQ(0, l1vmm_mce_get(&m, 0x179, &v, false));
	ASSERT_EQ(32, v);
	ASSERT_EQ(1, l1vmm_mce_set(&m, 0x179, 32, true, false));
	ASSERT_EQ(0, l1vmm_mce_get(&m, 0, &v, false));
	ASSERT_EQ(1, l1vmm_mce_set(&m, 1, 0, true, false));

	TEST_ASSERT(l1vmm_mce_setup(&m, 2 | L1VMM_MCG_CTL_P, AMD), "setup refused");
	/* MCG_CTL: 0 or all ones, for both. */
	ASSERT_EQ(0, l1vmm_mce_set(&m, 0x17b, 0, false, false));
	ASSERT_EQ(0, l1vmm_mce_set(&m, 0x17b, ONES, false, false));
	ASSERT_EQ(1, l1vmm_mce_set(&m, 0x17b, 1, true, false));
	/* MCG_STATUS: anything. */
	ASSERT_EQ(0, l1vmm_mce_set(&m, 0x17a, 0x5, false, false));
	ASSERT_EQ(0, l1vmm_mce_get(&m, 0x17a, &v, false));
	ASSERT_EQ(5, v);
	/* Banks: 2 of them, 0x400-0x407. */
	ASSERT_EQ(0, l1vmm_mce_get(&m, 0x407, &v, false));
	ASSERT_EQ(1, l1vmm_mce_get(&m, 0x408, &v, true));
	ASSERT_EQ(1, l1vmm_mce_set(&m, 0x408, 0, true, false));
	/* CTL: 0, all ones, all ones but bits 10 and 0. */
	ASSERT_EQ(0, l1vmm_mce_set(&m, 0x404, 0, false, false));
	ASSERT_EQ(0, l1vmm_mce_set(&m, 0x404, ONES & ~0x401ULL, false, false));
	ASSERT_EQ(1, l1vmm_mce_set(&m, 0x404, ONES & ~0x2ULL, true, false));
	ASSERT_EQ(1, l1vmm_mce_set(&m, 0x404, 1, true, false));
	/* STATUS: the guest writes 0 only (unless McStatusWrEn), user space anything. */
	ASSERT_EQ(0, l1vmm_mce_set(&m, 0x405, 0, false, false));
	ASSERT_EQ(1, l1vmm_mce_set(&m, 0x405, 1, false, false));
	ASSERT_EQ(0, l1vmm_mce_set(&m, 0x405, 1, false, true));
	ASSERT_EQ(0, l1vmm_mce_set(&m, 0x405, L1VMM_MCI_STATUS_VAL, true, false));
	ASSERT_EQ(0, l1vmm_mce_get(&m, 0x405, &v, false));
	ASSERT_EQ(L1VMM_MCI_STATUS_VAL, v);
	/* ADDR, MISC: anything. */
	ASSERT_EQ(0, l1vmm_mce_set(&m, 0x406, ONES, false, false));
	ASSERT_EQ(0, l1vmm_mce_set(&m, 0x403, 0x1234, false, false));
	/* CTL2 (no CMCI): user space reads 0 and writes 0; the guest neither. */
	ASSERT_EQ(0, l1vmm_mce_get(&m, 0x281, &v, true));
	ASSERT_EQ(0, v);
	ASSERT_EQ(1, l1vmm_mce_get(&m, 0x281, &v, false));
	ASSERT_EQ(0, l1vmm_mce_set(&m, 0x281, 0, true, false));
	ASSERT_EQ(1, l1vmm_mce_set(&m, 0x281, 1, true, false));
	ASSERT_EQ(1, l1vmm_mce_set(&m, 0x280, 0, false, false));
	ASSERT_EQ(1, l1vmm_mce_get(&m, 0x282, &v, true));	/* bank 2 of 2 */
}

static void test_mce_inject(void)
{
	const u64 uc = L1VMM_MCI_STATUS_VAL | L1VMM_MCI_STATUS_UC | L1VMM_MCI_STATUS_PCC;
	const u64 ce = L1VMM_MCI_STATUS_VAL | 0x17;
	struct l1vmm_mce_event e = { .status = uc, .addr = 0x1000, .misc = 0x86,
				     .mcg_status = 0x7, .bank = 1 };
	struct l1vmm_mce m;

	l1vmm_mce_init(&m);
	TEST_ASSERT(l1vmm_mce_setup(&m, 4 | L1VMM_MCG_CTL_P, AMD), "setup refused");
	/* No such bank, or STATUS without VAL. */
	e.bank = 4;
	ASSERT_EQ(L1VMM_MCE_INVALID, l1vmm_mce_inject(&m, &e, true));
	e.bank = 1;
	e.status = L1VMM_MCI_STATUS_UC;
	ASSERT_EQ(L1VMM_MCE_INVALID, l1vmm_mce_inject(&m, &e, true));
	e.status = uc;
	/* CR4.MCE clear: shutdown, nothing logged. */
	ASSERT_EQ(L1VMM_MCE_SHUTDOWN, l1vmm_mce_inject(&m, &e, false));
	ASSERT_EQ(0, m.banks[5]);
	/* Raised and logged. */
	ASSERT_EQ(L1VMM_MCE_RAISE, l1vmm_mce_inject(&m, &e, true));
	ASSERT_EQ(uc, m.banks[5]);
	ASSERT_EQ(0x1000, m.banks[6]);
	ASSERT_EQ(0x86, m.banks[7]);
	ASSERT_EQ(7, m.mcg_status);
	/* A second one while MCIP: shutdown. */
	ASSERT_EQ(L1VMM_MCE_SHUTDOWN, l1vmm_mce_inject(&m, &e, true));
	/* MCIP cleared, the bank still valid: OVER. */
	m.mcg_status = 0;
	ASSERT_EQ(L1VMM_MCE_RAISE, l1vmm_mce_inject(&m, &e, true));
	ASSERT_EQ(uc | L1VMM_MCI_STATUS_OVER, m.banks[5]);
	/* A corrected error on a bank holding an uncorrected one: only OVER. */
	e.status = ce;
	e.addr = 0x2000;
	m.banks[5] = uc;
	ASSERT_EQ(L1VMM_MCE_DONE, l1vmm_mce_inject(&m, &e, true));
	ASSERT_EQ(uc | L1VMM_MCI_STATUS_OVER, m.banks[5]);
	ASSERT_EQ(0x1000, m.banks[6]);
	/* On a clear bank: logged, MCG_STATUS untouched, never shutdown. */
	e.bank = 2;
	m.mcg_status = 0x4;
	ASSERT_EQ(L1VMM_MCE_DONE, l1vmm_mce_inject(&m, &e, false));
	ASSERT_EQ(ce, m.banks[9]);
	ASSERT_EQ(0x2000, m.banks[10]);
	ASSERT_EQ(4, m.mcg_status);
	/* Uncorrected with the bank's CTL or MCG_CTL not all ones: dropped. */
	m.mcg_status = 0;
	e.status = uc;
	e.bank = 3;
	m.banks[12] = 0;
	ASSERT_EQ(L1VMM_MCE_DONE, l1vmm_mce_inject(&m, &e, true));
	ASSERT_EQ(0, m.banks[13]);
	m.banks[12] = ONES;
	m.mcg_ctl = 0;
	ASSERT_EQ(L1VMM_MCE_DONE, l1vmm_mce_inject(&m, &e, true));
	ASSERT_EQ(0, m.banks[13]);
	/* UCNA (no PCC/S/AR, no MCG_STATUS): logged, no #MC, even with MCG_CTL 0. */
	e.status = L1VMM_MCI_STATUS_VAL | L1VMM_MCI_STATUS_UC;
	e.mcg_status = 0;
	ASSERT_EQ(L1VMM_MCE_DONE, l1vmm_mce_inject(&m, &e, false));
	ASSERT_EQ(e.status, m.banks[13]);
}

/* The MSR lists: MCG_STATUS and MCG_CTL listed, no MTRR; the feature MSRs as KVM on AMD. */
static void test_lists(void)
{
	unsigned int i;

	TEST_ASSERT(l1vmm_msr_known(0x17a) && l1vmm_msr_known(0x17b), "MCG MSRs not listed");
	for (i = 0; i < l1vmm_nr_msrs; i++)
		TEST_ASSERT(l1vmm_mtrr_slot(l1vmm_msr_list[i]) < 0 && l1vmm_msr_list[i] != 0xfe,
			    "MTRR %#x listed", l1vmm_msr_list[i]);
	/* kvm-amd's: DE_CFG first; kvm-intel's without nested VMX: the other three. */
	ASSERT_EQ(4, l1vmm_feature_msrs_amd.n);
	ASSERT_EQ(0xc0011029, l1vmm_feature_msrs_amd.index[0]);
	ASSERT_EQ(3, l1vmm_feature_msrs_intel.n);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(l1vmm_feature_msrs_amd.index[i + 1], l1vmm_feature_msrs_intel.index[i]);
		ASSERT_EQ(((const uint32_t[]){ 0x8b, 0x10a, 0x345 })[i],
			  l1vmm_feature_msrs_intel.index[i]);
	}
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_mtrr_slots),
	KTAP_CASE(test_mtrr_values),
	KTAP_CASE(test_maxphyaddr),
	KTAP_CASE(test_mce_setup),
	KTAP_CASE(test_mce_msrs),
	KTAP_CASE(test_mce_inject),
	KTAP_CASE(test_lists),
};

int main(void)
{
	return ktap_run("mtrr_mce", tests, KTAP_ARRAY_SIZE(tests));
}
