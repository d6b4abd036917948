// SPDX-License-Identifier: GPL-2.0-only
// unit-sources:
/*
 * Host unit test of the CPUID table lookup (l1vmm/cpuid.c).
 */
#include <stdint.h>
#include <string.h>

#include "ktap.h"
#include "l1vmm/portable/cpuid.h"

static const struct kvm_cpuid_entry2 table[] = {
	{ .function = 0, .eax = 0xd },
	{ .function = 7, .index = 0, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .ebx = 70 },
	{ .function = 7, .index = 1, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .ebx = 71 },
	{ .function = 0x40000000, .ebx = 0x6d76316c },
};

static void test_plain_leaf_ignores_index(void)
{
	const struct kvm_cpuid_entry2 *e;

	e = l1vmm_cpuid_find(table, KTAP_ARRAY_SIZE(table), 0x40000000, 123);
	TEST_ASSERT(e && e->ebx == 0x6d76316c, "leaf 0x40000000 not found");
	e = l1vmm_cpuid_find(table, KTAP_ARRAY_SIZE(table), 0, 0);
	TEST_ASSERT(e && e->eax == 0xd, "leaf 0 not found");
}

static void test_significant_index(void)
{
	const struct kvm_cpuid_entry2 *e;

	e = l1vmm_cpuid_find(table, KTAP_ARRAY_SIZE(table), 7, 1);
	TEST_ASSERT(e && e->ebx == 71, "leaf 7.1: wanted ebx 71");
	e = l1vmm_cpuid_find(table, KTAP_ARRAY_SIZE(table), 7, 0);
	TEST_ASSERT(e && e->ebx == 70, "leaf 7.0: wanted ebx 70");
	ASSERT_EQ(0, (long)(uintptr_t)l1vmm_cpuid_find(table, KTAP_ARRAY_SIZE(table), 7, 2));
}

static void test_missing_leaf(void)
{
	ASSERT_EQ(0, (long)(uintptr_t)l1vmm_cpuid_find(table, KTAP_ARRAY_SIZE(table), 1, 0));
	ASSERT_EQ(0, (long)(uintptr_t)l1vmm_cpuid_find(table, 0, 0, 0));
}

/* CPUID 1 EDX.APIC (bit 9) follows APIC_BASE's global enable (bit 11), nothing else. */
static void test_apic_bit_follows_apic_base(void)
{
	ASSERT_EQ(0x178bfbffu, l1vmm_cpuid_1_edx_apic(0x178bf9ffu, 0xfee00900ull));
	ASSERT_EQ(0x178bf9ffu, l1vmm_cpuid_1_edx_apic(0x178bfbffu, 0xfee00100ull));
	ASSERT_EQ(0x200u, l1vmm_cpuid_1_edx_apic(0, 0x800));
	ASSERT_EQ(0xfffffdffu, l1vmm_cpuid_1_edx_apic(0xffffffffu, ~0x800ull));
}

/* KVM_SET_CPUID2's check of the virtual-address width (kvm_check_cpuid()). */
static void test_vaddr_bits(void)
{
	static const struct {
		u32 eax;
		bool invalid;
	} cases[] = {
		{ 0x3030, false }, { 0x3930, false }, { 0x0030, false }, { 0x2f30, true },
		{ 0x3130, true }, { 0x4030, true }, { 0xff30, true }, { 0x00ff, false },
	};
	struct kvm_cpuid_entry2 t[3] = {
		{ .function = 0 },
		{ .function = 0x80000008, .index = 5, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX },
		{ .function = 0x80000008, .eax = 0x3030 },
	};
	size_t i;

	for (i = 0; i < KTAP_ARRAY_SIZE(cases); i++) {
		t[1].eax = cases[i].eax;
		TEST_ASSERT(l1vmm_cpuid_invalid(t, 3) == cases[i].invalid,
			    "0x80000008 EAX %#x: refusal wanted %d", cases[i].eax,
			    cases[i].invalid);
	}
	/* Only the first 0x80000008 entry counts; none, nothing to check. */
	t[1].eax = 0x3030;
	t[2].eax = 0x2030;
	TEST_ASSERT(!l1vmm_cpuid_invalid(t, 3), "the second 0x80000008 entry was checked");
	TEST_ASSERT(!l1vmm_cpuid_invalid(t, 1), "a table without 0x80000008 was refused");
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_plain_leaf_ignores_index),
	KTAP_CASE(test_significant_index),
	KTAP_CASE(test_missing_leaf),
	KTAP_CASE(test_apic_bit_follows_apic_base),
	KTAP_CASE(test_vaddr_bits),
};

int main(void)
{
	return ktap_run("cpuid", tests, KTAP_ARRAY_SIZE(tests));
}
