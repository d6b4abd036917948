// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/portable/msrs.c
/*
 * Host unit test of the MSR list and the EFER rules (l1vmm/portable/msrs.c).
 */
#include "ktap.h"
#include "l1vmm/portable/msrs.h"

static void test_list_has_what_a_64bit_guest_needs(void)
{
	static const u32 needed[] = {
		L1VMM_MSR_EFER, L1VMM_MSR_STAR, L1VMM_MSR_LSTAR, L1VMM_MSR_CSTAR,
		L1VMM_MSR_SFMASK, L1VMM_MSR_KERNEL_GS_BASE, L1VMM_MSR_SYSENTER_CS,
		L1VMM_MSR_SYSENTER_ESP, L1VMM_MSR_SYSENTER_EIP, L1VMM_MSR_TSC,
		L1VMM_MSR_PAT,
	};
	unsigned int i, j;

	for (i = 0; i < KTAP_ARRAY_SIZE(needed); i++)
		TEST_ASSERT(l1vmm_msr_known(needed[i]), "MSR %#x missing", needed[i]);
	/* KVM lists IA32_POWER_CTL among its emulated MSRs. */
	TEST_ASSERT(l1vmm_msr_known(L1VMM_MSR_POWER_CTL), "IA32_POWER_CTL missing");
	TEST_ASSERT(!l1vmm_msr_known(0x12345678), "unknown MSR reported as known");
	TEST_ASSERT(l1vmm_nr_msrs <= L1VMM_MAX_MSRS, "%u MSRs, room for %u", l1vmm_nr_msrs,
		    L1VMM_MAX_MSRS);
	for (i = 0; i < l1vmm_nr_msrs; i++)
		for (j = i + 1; j < l1vmm_nr_msrs; j++)
			TEST_ASSERT(l1vmm_msr_list[i] != l1vmm_msr_list[j],
				    "MSR %#x listed twice", l1vmm_msr_list[i]);
}

static void test_efer_rules(void)
{
	/* SCE, NXE, LME free without paging; reserved bits and SVME never. */
	TEST_ASSERT(l1vmm_efer_valid(0, 0x901, false), "SCE|LME|NXE refused");
	TEST_ASSERT(!l1vmm_efer_valid(0, 1ull << 12, false), "SVME accepted");
	TEST_ASSERT(!l1vmm_efer_valid(0, 1ull << 63, false), "bit 63 accepted");
	TEST_ASSERT(!l1vmm_efer_valid(0, 1ull << 1, false), "bit 1 accepted");
	/* With paging on, LME may not change; other bits may. */
	TEST_ASSERT(!l1vmm_efer_valid(0x500, 0x400, true), "LME cleared under paging");
	TEST_ASSERT(!l1vmm_efer_valid(0, 0x100, true), "LME set under paging");
	TEST_ASSERT(l1vmm_efer_valid(0x500, 0xd01, true), "SCE|NXE refused under paging");
}

static void test_value_rules(void)
{
	TEST_ASSERT(l1vmm_msr_value_valid(L1VMM_MSR_LSTAR, 0xffffffff81000000ull),
		    "canonical kernel address refused");
	TEST_ASSERT(l1vmm_msr_value_valid(L1VMM_MSR_LSTAR, 0x00007fffffffffffull),
		    "canonical user address refused");
	TEST_ASSERT(!l1vmm_msr_value_valid(L1VMM_MSR_LSTAR, 0x0000800000000000ull),
		    "non-canonical LSTAR accepted");
	TEST_ASSERT(!l1vmm_msr_value_valid(L1VMM_MSR_KERNEL_GS_BASE, 1ull << 60),
		    "non-canonical KERNEL_GS_BASE accepted");
	TEST_ASSERT(l1vmm_msr_value_valid(L1VMM_MSR_PAT, 0x0007040600070406ull),
		    "the reset PAT refused");
	TEST_ASSERT(!l1vmm_msr_value_valid(L1VMM_MSR_PAT, 0x0007040600070402ull),
		    "PAT type 2 accepted");
	TEST_ASSERT(!l1vmm_msr_value_valid(L1VMM_MSR_PAT, 0x0807040600070406ull),
		    "PAT type 8 accepted");
	TEST_ASSERT(l1vmm_msr_value_valid(L1VMM_MSR_STAR, ~0ull), "STAR refused");
}

/* The PAT rule byte by byte, as the SDM states it. */
static bool pat_valid_bytewise(u64 val)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		u8 type = val >> (8 * i);

		if (type > 7 || type == 2 || type == 3)
			return false;
	}
	return true;
}

/*
 * The all-bytes-at-once test agrees with the byte loop: every byte value
 * in every position, over valid and invalid neighbours.
 */
static void test_pat_rule_matches_bytewise(void)
{
	static const u64 backgrounds[] = { 0, 0x0007040600070406ull, 0x0101010101010101ull,
					   0x0303030303030303ull };
	unsigned int b, pos, v;

	for (b = 0; b < KTAP_ARRAY_SIZE(backgrounds); b++)
		for (pos = 0; pos < 8; pos++)
			for (v = 0; v < 256; v++) {
				u64 val = (backgrounds[b] & ~(0xffull << (8 * pos))) |
					  ((u64)v << (8 * pos));

				TEST_ASSERT(l1vmm_pat_valid(val) == pat_valid_bytewise(val),
					    "PAT %#llx: %d, bytewise %d", (unsigned long long)val,
					    l1vmm_pat_valid(val), pat_valid_bytewise(val));
			}
}

/*
 * Who stores an MSR: 1 the backend, 2 the core's inline cases, 3 the core's
 * slow path (the listed machine-check registers, POWER_CTL), 0 nobody (unknown).
 */
static int msr_owner(u32 index)
{
	if (l1vmm_msr_in_backend(index))
		return 1;
	if (index == 0x17a || index == 0x17b)
		return 3;
	/* TSC_ADJUST, MISC_ENABLE, PLATFORM_INFO, POWER_CTL: the core's slow path too. */
	if (index == L1VMM_MSR_TSC_ADJUST || index == L1VMM_MSR_MISC_ENABLE ||
	    index == L1VMM_MSR_PLATFORM_INFO || index == L1VMM_MSR_POWER_CTL)
		return 3;
	return index == L1VMM_MSR_SPEC_CTRL || index == L1VMM_MSR_TSC_AUX ? 2 : 0;
}

/* Every listed MSR has an owner, and the backend's cases are all listed. */
static void test_backend_cases_match_the_list(void)
{
	unsigned int i, backend = 0;

	for (i = 0; i < l1vmm_nr_msrs; i++) {
		int owner = msr_owner(l1vmm_msr_list[i]);

		TEST_ASSERT(owner, "MSR %#x listed but stored by nobody", l1vmm_msr_list[i]);
		backend += owner == 1;
	}
	TEST_ASSERT(backend == l1vmm_nr_msrs - 8, "%u backend MSRs in the list of %u", backend,
		    l1vmm_nr_msrs);
	/* No backend MSR outside the list, in the ranges MSRs live in. */
	for (i = 0; i < 0x2000; i++) {
		u32 index = 0xc0000000 + i;

		TEST_ASSERT(!msr_owner(i) || l1vmm_msr_known(i), "MSR %#x stored, not listed", i);

		/* FS and GS base are segment state, unlisted, as in KVM. */
		TEST_ASSERT(!msr_owner(index) || l1vmm_msr_known(index) ||
			    index == L1VMM_MSR_FS_BASE || index == L1VMM_MSR_GS_BASE,
			    "MSR %#x stored, not listed", index);
	}
}

/* IA32_MISC_ENABLE's write rules, KVM's kvm_set_msr_common(). */
static void test_misc_enable_rules(void)
{
	const u64 reset = L1VMM_MISC_ENABLE_RESET, mwait = L1VMM_MISC_ENABLE_MWAIT;
	const u64 emon = L1VMM_MISC_ENABLE_EMON;
	u64 v;

	ASSERT_EQ(0x1800, reset);
	/* The guest may not change the PMU's read-only bits; user space may. */
	v = 0;
	TEST_ASSERT(!l1vmm_misc_enable_write(reset, &v, false, false, true), "guest cleared BTS/PEBS_UNAVAIL");
	TEST_ASSERT(l1vmm_misc_enable_write(reset, &v, true, false, true), "host refused 0");
	ASSERT_EQ(0, v);
	/* The guest's EMON writes are dropped without a fault. */
	v = reset | emon;
	TEST_ASSERT(l1vmm_misc_enable_write(reset, &v, false, false, true), "guest EMON refused");
	ASSERT_EQ(reset, v);
	v = reset;
	TEST_ASSERT(l1vmm_misc_enable_write(reset | emon, &v, false, false, true), "guest EMON clear refused");
	ASSERT_EQ(reset | emon, v);
	v = emon;
	TEST_ASSERT(l1vmm_misc_enable_write(0, &v, true, false, false), "host EMON refused");
	ASSERT_EQ(emon, v);
	/* MWAIT: free with the quirk on; with it off, only with SSE3. */
	v = reset | mwait;
	TEST_ASSERT(l1vmm_misc_enable_write(reset, &v, false, false, false), "MWAIT refused, quirk on");
	v = mwait;
	TEST_ASSERT(!l1vmm_misc_enable_write(0, &v, true, true, false), "MWAIT without SSE3 accepted");
	TEST_ASSERT(!l1vmm_misc_enable_write(mwait, &(u64){ 0 }, true, true, false),
		    "MWAIT cleared without SSE3");
	TEST_ASSERT(l1vmm_misc_enable_write(mwait, &v, true, true, false), "unchanged MWAIT refused");
	TEST_ASSERT(l1vmm_misc_enable_write(0, &v, true, true, true), "MWAIT with SSE3 refused");
	ASSERT_EQ(mwait, v);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_misc_enable_rules),
	KTAP_CASE(test_pat_rule_matches_bytewise),
	KTAP_CASE(test_backend_cases_match_the_list),
	KTAP_CASE(test_value_rules),
	KTAP_CASE(test_list_has_what_a_64bit_guest_needs),
	KTAP_CASE(test_efer_rules),
};

int main(void)
{
	return ktap_run("msrs", tests, KTAP_ARRAY_SIZE(tests));
}
