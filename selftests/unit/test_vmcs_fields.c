// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/vmx/vmcs_fields.c
/*
 * Host unit test of the VMCS field table (l1vmm/vmx/vmcs_fields.[ch]):
 * every encoding agrees with the width and type the table declares for it
 * and has its reserved bits clear, encodings ascend without duplicates,
 * the lookup finds each field and nothing else, and the shadow column is
 * KVM 6.1's list (arch/x86/kvm/vmx/vmcs_shadow_fields.h), written out here
 * again as plain numbers.
 */
#include <stdint.h>

#include "ktap.h"
#include "l1vmm/vmx/vmcs_fields.h"

/* KVM 6.1's shadowed fields, read-write and read-only, by encoding. */
static const uint16_t kvm_shadow_rw[] = {
	0x0810, 0x0812, 0x0c08, 0x0c0a,
	0x4002, 0x4000, 0x4004, 0x4018, 0x4016, 0x401a, 0x401c, 0x4824, 0x482e,
	0x681e, 0x681c, 0x6800, 0x6802, 0x6804, 0x6820, 0x6000, 0x6004, 0x6006,
	0x6c06, 0x6c08,
};

static const uint16_t kvm_shadow_ro[] = {
	0x4402, 0x4404, 0x440c, 0x4408, 0x440a, 0x4406, 0x4816, 0x4818,
	0x6400, 0x640a, 0x2400, 0x2401,
};

static bool in(const uint16_t *list, size_t n, u32 enc)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == enc)
			return true;
	return false;
}

static void test_encodings_match_widths_and_types(void)
{
	unsigned int i;

	for (i = 0; i < L1VMM_NR_VMCS_FIELDS; i++) {
		const struct l1vmm_vmcs_field_info *f = &l1vmm_vmcs_fields[i];

		TEST_ASSERT(f->name, "field %u has no name", i);
		TEST_ASSERT(!(f->encoding & L1VMM_VMCS_ENC_RESERVED),
			    "%s: 0x%x has reserved bits", f->name, f->encoding);
		TEST_ASSERT(l1vmm_vmcs_enc_width(f->encoding) == f->width,
			    "%s: 0x%x: wanted width %u, the encoding says %u", f->name,
			    f->encoding, f->width, l1vmm_vmcs_enc_width(f->encoding));
		TEST_ASSERT(l1vmm_vmcs_enc_type(f->encoding) == f->type,
			    "%s: 0x%x: wanted type %u, the encoding says %u", f->name,
			    f->encoding, f->type, l1vmm_vmcs_enc_type(f->encoding));
		/* A high half belongs to a 64-bit field that is listed too. */
		if (f->encoding & L1VMM_VMCS_ENC_HIGH) {
			const struct l1vmm_vmcs_field_info *full =
				l1vmm_vmcs_field(f->encoding & ~L1VMM_VMCS_ENC_HIGH);

			TEST_ASSERT(full && full->width == L1VMM_VMCS_W64,
				    "%s: no 64-bit field for this high half", f->name);
			TEST_ASSERT(((f->encoding >> L1VMM_VMCS_ENC_WIDTH_SHIFT) & 3) ==
				    L1VMM_VMCS_W64, "%s: a high half of a field not 64-bit",
				    f->name);
		}
		if (i)
			TEST_ASSERT(l1vmm_vmcs_fields[i - 1].encoding < f->encoding,
				    "%s: 0x%x not after %s", f->name, f->encoding,
				    l1vmm_vmcs_fields[i - 1].name);
	}
	ktap_info("%u fields", (unsigned int)L1VMM_NR_VMCS_FIELDS);
}

/* A few by name, so that a wrong enumeration shows. */
static void test_known_encodings(void)
{
	ASSERT_EQ(0x0000U, (u32)L1VMM_VMCS_VIRTUAL_PROCESSOR_ID);
	ASSERT_EQ(0x201aU, (u32)L1VMM_VMCS_EPT_POINTER);
	ASSERT_EQ(0x4402U, (u32)L1VMM_VMCS_VM_EXIT_REASON);
	ASSERT_EQ(0x681eU, (u32)L1VMM_VMCS_GUEST_RIP);
	ASSERT_EQ(0x6c16U, (u32)L1VMM_VMCS_HOST_RIP);
	ASSERT_EQ(L1VMM_VMCS_W16, l1vmm_vmcs_enc_width(L1VMM_VMCS_GUEST_CS_SELECTOR));
	ASSERT_EQ(L1VMM_VMCS_W32, l1vmm_vmcs_enc_width(L1VMM_VMCS_GUEST_CS_AR_BYTES));
	ASSERT_EQ(L1VMM_VMCS_W64, l1vmm_vmcs_enc_width(L1VMM_VMCS_GUEST_IA32_EFER));
	ASSERT_EQ(L1VMM_VMCS_WNAT, l1vmm_vmcs_enc_width(L1VMM_VMCS_GUEST_CR0));
	ASSERT_EQ(L1VMM_VMCS_W32, l1vmm_vmcs_enc_width(L1VMM_VMCS_GUEST_IA32_EFER + 1));
}

static void test_lookup(void)
{
	unsigned int i;

	for (i = 0; i < L1VMM_NR_VMCS_FIELDS; i++)
		ASSERT_EQ(&l1vmm_vmcs_fields[i], l1vmm_vmcs_field(l1vmm_vmcs_fields[i].encoding));
	ASSERT_EQ(NULL, l1vmm_vmcs_field(0x0001));
	ASSERT_EQ(NULL, l1vmm_vmcs_field(0x6c18));
	ASSERT_EQ(NULL, l1vmm_vmcs_field(0xffffffff));
		ASSERT_EQ(&l1vmm_vmcs_fields[0], l1vmm_vmcs_field(0x0000));
	ASSERT_EQ(&l1vmm_vmcs_fields[L1VMM_VMCS_ID_HOST_RIP], l1vmm_vmcs_field(0x6c16));
}

static void test_shadow_column_is_kvms(void)
{
	unsigned int i, rw = 0, ro = 0;

	for (i = 0; i < L1VMM_NR_VMCS_FIELDS; i++) {
		const struct l1vmm_vmcs_field_info *f = &l1vmm_vmcs_fields[i];
		enum l1vmm_vmcs_shadow want = L1VMM_VMCS_SHADOW_NONE;

		if (in(kvm_shadow_rw, KTAP_ARRAY_SIZE(kvm_shadow_rw), f->encoding))
			want = L1VMM_VMCS_SHADOW_RW;
		else if (in(kvm_shadow_ro, KTAP_ARRAY_SIZE(kvm_shadow_ro), f->encoding))
			want = L1VMM_VMCS_SHADOW_RO;
		TEST_ASSERT(f->shadow == want, "%s: wanted shadow %d, got %d", f->name,
			    want, f->shadow);
		ASSERT_EQ(want == L1VMM_VMCS_SHADOW_NONE, l1vmm_vmread_exits(i));
		ASSERT_EQ(want != L1VMM_VMCS_SHADOW_RW, l1vmm_vmwrite_exits(i));
		rw += want == L1VMM_VMCS_SHADOW_RW;
		ro += want == L1VMM_VMCS_SHADOW_RO;
	}
	/* Every field of KVM's list is in the table. */
	ASSERT_EQ((unsigned int)KTAP_ARRAY_SIZE(kvm_shadow_rw), rw);
	ASSERT_EQ((unsigned int)KTAP_ARRAY_SIZE(kvm_shadow_ro), ro);
}

static void test_which_accesses_exit(void)
{
	ASSERT_EQ(false, l1vmm_vmread_exits(L1VMM_VMCS_ID_GUEST_RIP));
	ASSERT_EQ(false, l1vmm_vmwrite_exits(L1VMM_VMCS_ID_GUEST_RIP));
	ASSERT_EQ(false, l1vmm_vmread_exits(L1VMM_VMCS_ID_VM_EXIT_REASON));
	ASSERT_EQ(true, l1vmm_vmwrite_exits(L1VMM_VMCS_ID_VM_EXIT_REASON));
	ASSERT_EQ(true, l1vmm_vmread_exits(L1VMM_VMCS_ID_GUEST_IA32_EFER));
	ASSERT_EQ(true, l1vmm_vmwrite_exits(L1VMM_VMCS_ID_GUEST_IA32_EFER));
	ASSERT_EQ(true, l1vmm_vmread_exits(L1VMM_VMCS_ID_CR4_GUEST_HOST_MASK));
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_encodings_match_widths_and_types),
	KTAP_CASE(test_known_encodings),
	KTAP_CASE(test_lookup),
	KTAP_CASE(test_shadow_column_is_kvms),
	KTAP_CASE(test_which_accesses_exit),
};

int main(void)
{
	return ktap_run("vmcs_fields", tests, KTAP_ARRAY_SIZE(tests));
}
