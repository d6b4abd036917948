// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/portable/pv_cpuid.c
/*
 * Host unit test of KVM_CAP_ENFORCE_PV_FEATURE_CPUID's rules
 * (l1vmm/portable/pv_cpuid.c).
 */
#include "ktap.h"
#include "l1vmm/portable/pv_cpuid.h"

#define SIG_EBX	0x4b4d564b	/* "KVMKVMKVM\0\0\0" */
#define SIG_ECX	0x564b4d56
#define SIG_EDX	0x0000004d

/* Each of KVM's PV MSRs and its feature, as KVM 6.1's kvm_set_msr_common(). */
static void test_msr_features(void)
{
	ASSERT_EQ(KVM_FEATURE_CLOCKSOURCE, l1vmm_pv_msr_feature(0x11));
	ASSERT_EQ(KVM_FEATURE_CLOCKSOURCE, l1vmm_pv_msr_feature(0x12));
	ASSERT_EQ(KVM_FEATURE_CLOCKSOURCE2, l1vmm_pv_msr_feature(0x4b564d00));
	ASSERT_EQ(KVM_FEATURE_CLOCKSOURCE2, l1vmm_pv_msr_feature(0x4b564d01));
	ASSERT_EQ(KVM_FEATURE_ASYNC_PF, l1vmm_pv_msr_feature(0x4b564d02));
	ASSERT_EQ(KVM_FEATURE_STEAL_TIME, l1vmm_pv_msr_feature(0x4b564d03));
	ASSERT_EQ(KVM_FEATURE_PV_EOI, l1vmm_pv_msr_feature(0x4b564d04));
	ASSERT_EQ(KVM_FEATURE_POLL_CONTROL, l1vmm_pv_msr_feature(0x4b564d05));
	ASSERT_EQ(KVM_FEATURE_ASYNC_PF_INT, l1vmm_pv_msr_feature(0x4b564d06));
	ASSERT_EQ(KVM_FEATURE_ASYNC_PF_INT, l1vmm_pv_msr_feature(0x4b564d07));
	ASSERT_EQ(-1, l1vmm_pv_msr_feature(0x4b564d08));
	ASSERT_EQ(-1, l1vmm_pv_msr_feature(0x10));
	ASSERT_EQ(-1, l1vmm_pv_msr_feature(0x1fc));
}

/* The features come from base + 1 of the first leaf with KVM's signature. */
static void test_features_from_cpuid(void)
{
	struct kvm_cpuid_entry2 t[] = {
		{ .function = 0x40000000, .eax = 0x40000001, .ebx = 0x1234 },
		{ .function = 0x40000100, .eax = 0x40000101,
		  .ebx = SIG_EBX, .ecx = SIG_ECX, .edx = SIG_EDX },
		{ .function = 0x40000001, .eax = 0x5 },
		{ .function = 0x40000101, .eax = 0x9 },
	};
	struct l1vmm_pv_cpuid pv = { .enforce = true, .features = 0x77 };

	l1vmm_pv_cpuid_update(&pv, t, 4);
	ASSERT_EQ(0x9, pv.features);
	TEST_ASSERT(l1vmm_pv_has(&pv, 0) && l1vmm_pv_has(&pv, 3), "features 0 and 3");
	TEST_ASSERT(!l1vmm_pv_has(&pv, 1) && !l1vmm_pv_has(&pv, 13), "features 1 and 13");

	/* No features leaf behind the signature: the old features stay. */
	pv.features = 0x77;
	l1vmm_pv_cpuid_update(&pv, t, 2);
	ASSERT_EQ(0x77, pv.features);
	/* No signature at all: the same. */
	t[1].ecx = 0;
	l1vmm_pv_cpuid_update(&pv, t, 4);
	ASSERT_EQ(0x77, pv.features);
	/* A signature at 0x40000000 wins over a later one; a zeroed leaf is 0. */
	t[0].ebx = SIG_EBX;
	t[0].ecx = SIG_ECX;
	t[0].edx = SIG_EDX;
	t[1].ecx = SIG_ECX;
	t[2].eax = 0;
	l1vmm_pv_cpuid_update(&pv, t, 4);
	ASSERT_EQ(0, pv.features);
	TEST_ASSERT(!l1vmm_pv_has(&pv, 0), "feature 0 with features 0");
	/* Not enforced: everything. */
	pv.enforce = false;
	TEST_ASSERT(l1vmm_pv_has(&pv, 0) && l1vmm_pv_has(&pv, 31), "not enforced");
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_msr_features),
	KTAP_CASE(test_features_from_cpuid),
};

int main(void)
{
	return ktap_run("pv_cpuid", tests, KTAP_ARRAY_SIZE(tests));
}
