// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/portable/exc_payload.c
/*
 * Host unit test of l1vmm/portable/exc_payload.c: DR6 after a #DB payload,
 * which exceptions are faults, PAE paging and the PDPTE reserved bits, with
 * the values KVM's kvm_deliver_exception_payload() and load_pdptrs() give.
 */
#include "ktap.h"
#include "l1vmm/portable/exc_payload.h"

#define DR6_RESET	0xffff0ff0ull
#define DR6_BS		(1ull << 14)
#define DR6_BD		(1ull << 13)
#define DR6_RTM		(1ull << 16)

static void test_dr6(void)
{
	/* A single step: BS set, B0-B3 cleared, the fixed bits kept. */
	ASSERT_EQ(DR6_RESET | DR6_BS, l1vmm_dr6_deliver_payload(DR6_RESET | 0xf, DR6_BS));
	/* A breakpoint: its B bit. */
	ASSERT_EQ(DR6_RESET | 0x2, l1vmm_dr6_deliver_payload(DR6_RESET | 0x1, 0x2));
	/* BD and BS stay from before (only B0-B3 are cleared). */
	ASSERT_EQ(DR6_RESET | DR6_BD | 0x4,
		  l1vmm_dr6_deliver_payload(DR6_RESET | DR6_BD, 0x4));
	/* RTM in the payload clears the active-low DR6.RTM. */
	ASSERT_EQ(DR6_RESET & ~DR6_RTM, l1vmm_dr6_deliver_payload(DR6_RESET, DR6_RTM));
	/* Bit 12 (enabled breakpoint) never reaches DR6. */
	ASSERT_EQ(DR6_RESET | 0x1, l1vmm_dr6_deliver_payload(DR6_RESET, (1ull << 12) | 0x1));
	/* A DR6 with the fixed bits clear gets them back. */
	ASSERT_EQ(DR6_RESET | DR6_BS, l1vmm_dr6_deliver_payload(0, DR6_BS));
}

static void test_fault(void)
{
	static const unsigned char faults[] = { 0, 5, 6, 7, 10, 11, 12, 13, 14, 16, 17, 19, 20, 21, 31 };
	static const unsigned char others[] = { 1, 2, 3, 4, 8, 18, 32, 255 };
	unsigned int i;

	for (i = 0; i < sizeof(faults); i++)
		TEST_ASSERT(l1vmm_exception_is_fault(faults[i]), "vector %u", faults[i]);
	for (i = 0; i < sizeof(others); i++)
		TEST_ASSERT(!l1vmm_exception_is_fault(others[i]), "vector %u", others[i]);
}

#define CR0_PE		(1ull << 0)
#define CR0_PG		(1ull << 31)
#define CR4_PAE		(1ull << 5)
#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)

static void test_pae(void)
{
	TEST_ASSERT(l1vmm_pae_paging(CR0_PG | CR0_PE, CR4_PAE, 0), "");
	TEST_ASSERT(l1vmm_pae_paging(CR0_PG | CR0_PE, CR4_PAE, EFER_LME), "");
	TEST_ASSERT(!l1vmm_pae_paging(CR0_PG | CR0_PE, CR4_PAE, EFER_LME | EFER_LMA), "");
	TEST_ASSERT(!l1vmm_pae_paging(CR0_PE, CR4_PAE, 0), "");
	TEST_ASSERT(!l1vmm_pae_paging(CR0_PG | CR0_PE, 0, 0), "");
}

static void test_pdptes(void)
{
	u64 p[4] = { 0x2001, 0x3001, 0, 0 };

	TEST_ASSERT(l1vmm_pdptes_valid(p, 36), "");
	/* Reserved bits 2:1 and 8:5 in a present entry. */
	p[1] = 0x3003;
	TEST_ASSERT(!l1vmm_pdptes_valid(p, 36), "");
	p[1] = 0x3021;
	TEST_ASSERT(!l1vmm_pdptes_valid(p, 36), "");
	/* Anything in an entry that is not present. */
	p[1] = 0xfffffffffffffffeull;
	TEST_ASSERT(l1vmm_pdptes_valid(p, 36), "");
	/* Address bits at and above MAXPHYADDR. */
	p[1] = (1ull << 36) | 1;
	TEST_ASSERT(!l1vmm_pdptes_valid(p, 36), "");
	TEST_ASSERT(l1vmm_pdptes_valid(p, 48), "");
	/* PWT, PCD and the ignored bits 11:9 are allowed. */
	p[1] = 0x3e19;
	TEST_ASSERT(l1vmm_pdptes_valid(p, 36), "");
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_dr6),
	KTAP_CASE(test_fault),
	KTAP_CASE(test_pae),
	KTAP_CASE(test_pdptes),
};

int main(void)
{
	return ktap_run("exc_payload", tests, KTAP_ARRAY_SIZE(tests));
}
