// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/vmx/vmx_ctls.c
/*
 * Host unit test of the VMX controls computed from the capability MSRs
 * (l1vmm/vmx/vmx_ctls.c): IA32_VMX_BASIC's rules, the TRUE_* MSRs where
 * bit 55 says so, the secondary controls only when they can be activated,
 * every control l1vmm needs named when the CPU lacks it, and the CR0/CR4
 * fixed bits with unrestricted guest relaxing PE and PG.
 */
#include <stdint.h>
#include <string.h>

#include "ktap.h"
#include "l1vmm/portable/x86.h"
#include "l1vmm/vmx/vmx_ctls.h"

#define CAP(allowed0, allowed1)	(((uint64_t)(allowed1) << 32) | (allowed0))

#define BASIC_GOOD	(0x12ULL | (0x1000ULL << L1VMM_VMX_BASIC_SIZE_SHIFT) | \
			 (L1VMM_VMX_BASIC_MEMTYPE_WB << L1VMM_VMX_BASIC_MEMTYPE_SHIFT))

/* Haswell-like: the default-1 controls, and the TRUE_* MSRs that let some go. */
#define PROC_DEFAULT1		0x0401e172U
#define PROC_TRUE_DEFAULT1	0x04006172U	/* CR3-load and CR3-store exiting may be 0 */
#define EXIT_DEFAULT1		0x00036dffU
#define EXIT_TRUE_DEFAULT1	0x00036dfbU	/* save debug controls may be 0 */
#define ENTRY_DEFAULT1		0x000011ffU
#define ENTRY_TRUE_DEFAULT1	0x000011fbU	/* load debug controls may be 0 */

static const struct l1vmm_vmx_msrs haswell = {
	.basic = BASIC_GOOD | L1VMM_VMX_BASIC_TRUE_CTLS,
	.pinbased = CAP(0x16, 0x7f),
	.procbased = CAP(PROC_DEFAULT1, 0xfff9fffe),
	.exit = CAP(EXIT_DEFAULT1, 0x007fffff),
	.entry = CAP(ENTRY_DEFAULT1, 0x0000ffff),
	.true_pinbased = CAP(0x16, 0x7f),
	.true_procbased = CAP(PROC_TRUE_DEFAULT1, 0xfff9fffe),
	.true_exit = CAP(EXIT_TRUE_DEFAULT1, 0x007fffff),
	.true_entry = CAP(ENTRY_TRUE_DEFAULT1, 0x0000ffff),
	.procbased2 = CAP(0, 0x000037ff),
	.cr0_fixed0 = 0x80000021,	/* PE, NE, PG */
	.cr0_fixed1 = 0xffffffff,
	.cr4_fixed0 = 0x2000,		/* VMXE */
	.cr4_fixed1 = 0x3767ff,
	.ept_vpid_cap = 0xf0106334141ULL,
	.misc = 0x300481e5,
};

static struct l1vmm_vmcs_limits limits_of(const struct l1vmm_vmx_msrs *m)
{
	struct l1vmm_vmcs_limits limits;

	memset(&limits, 0, sizeof(limits));
	l1vmm_vmx_limits_from_msrs(m, &limits);
	return limits;
}

static void test_basic(void)
{
	ASSERT_EQ(NULL, l1vmm_vmx_basic_invalid(haswell.basic));
	ASSERT_EQ(NULL, l1vmm_vmx_basic_invalid(BASIC_GOOD));
	ASSERT_STREQ("the VMCS region is larger than a page (IA32_VMX_BASIC)",
		     l1vmm_vmx_basic_invalid(BASIC_GOOD + (1ULL << L1VMM_VMX_BASIC_SIZE_SHIFT)));
	ASSERT_STREQ("VMX structures limited to 32-bit physical addresses (IA32_VMX_BASIC)",
		     l1vmm_vmx_basic_invalid(BASIC_GOOD | L1VMM_VMX_BASIC_32BIT_ADDRESSES));
	ASSERT_STREQ("the VMCS memory type is not write-back (IA32_VMX_BASIC)",
		     l1vmm_vmx_basic_invalid(BASIC_GOOD & ~L1VMM_VMX_BASIC_MEMTYPE_MASK));
}

static void test_true_ctls_where_basic_says(void)
{
	struct l1vmm_vmx_msrs m = haswell;
	struct l1vmm_vmcs_limits l = limits_of(&m);

	ASSERT_EQ(PROC_TRUE_DEFAULT1, l.proc.allowed0);
	ASSERT_EQ(EXIT_TRUE_DEFAULT1, l.exit.allowed0);
	ASSERT_EQ(ENTRY_TRUE_DEFAULT1, l.entry.allowed0);
	ASSERT_EQ(0xfff9fffeU, l.proc.allowed1);
	ASSERT_EQ(0x37ffU, l.proc2.allowed1);
	ASSERT_EQ(0x80000021ULL, l.cr0_fixed0);
	ASSERT_EQ(0x3767ffULL, l.cr4_fixed1);
	ASSERT_EQ(haswell.ept_vpid_cap, l.ept_vpid_cap);
	ASSERT_EQ(haswell.misc, l.misc);

	/* Without bit 55 the TRUE_* values (garbage here) are not looked at. */
	m.basic &= ~L1VMM_VMX_BASIC_TRUE_CTLS;
	m.true_procbased = m.true_exit = m.true_entry = m.true_pinbased = ~0ULL;
	l = limits_of(&m);
	ASSERT_EQ(PROC_DEFAULT1, l.proc.allowed0);
	ASSERT_EQ(EXIT_DEFAULT1, l.exit.allowed0);
	ASSERT_EQ(ENTRY_DEFAULT1, l.entry.allowed0);
	ASSERT_EQ(0x16U, l.pin.allowed0);
}

static void test_no_secondary_without_activation(void)
{
	struct l1vmm_vmx_msrs m = haswell;
	struct l1vmm_vmcs_limits l;

	m.true_procbased &= ~CAP(0, L1VMM_PROC_ACTIVATE_SECONDARY);
	l = limits_of(&m);
	ASSERT_EQ(0U, l.proc2.allowed0);
	ASSERT_EQ(0U, l.proc2.allowed1);
}

static void test_computed_controls(void)
{
	struct l1vmm_vmcs_limits l = limits_of(&haswell);
	struct l1vmm_vmx_ctl_missing missing;
	struct l1vmm_vmx_ctls c;
	enum l1vmm_vmx_ctl_field f;

	ASSERT_EQ(0, l1vmm_vmx_compute_ctls(&l, l1vmm_vmx_want, &c, &missing));
	for (f = 0; f < L1VMM_NR_CTL_FIELDS; f++) {
		const struct l1vmm_vmx_ctl_cap *cap = f == L1VMM_CTL_PIN ? &l.pin :
						      f == L1VMM_CTL_PROC ? &l.proc :
						      f == L1VMM_CTL_PROC2 ? &l.proc2 :
						      f == L1VMM_CTL_EXIT ? &l.exit : &l.entry;

		TEST_ASSERT((c.val[f] & cap->allowed0) == cap->allowed0,
			    "%s: 0x%x lacks required 0x%x", l1vmm_vmx_ctl_field_name(f),
			    c.val[f], cap->allowed0);
		TEST_ASSERT(!(c.val[f] & ~cap->allowed1), "%s: 0x%x beyond allowed 0x%x",
			    l1vmm_vmx_ctl_field_name(f), c.val[f], cap->allowed1);
		TEST_ASSERT((c.val[f] & l1vmm_vmx_want[f].min) == l1vmm_vmx_want[f].min,
			    "%s: 0x%x lacks l1vmm's 0x%x", l1vmm_vmx_ctl_field_name(f),
			    c.val[f], l1vmm_vmx_want[f].min);
		ASSERT_EQ(l1vmm_vmx_want[f].dyn, c.dyn[f]);
		TEST_ASSERT(!(c.val[f] & c.dyn[f]), "%s: toggled control on at the start",
			    l1vmm_vmx_ctl_field_name(f));
	}
	/* The TRUE_* MSRs let CR3 exiting go, which EPT makes pointless. */
	ASSERT_EQ(0U, c.val[L1VMM_CTL_PROC] & (L1VMM_PROC_CR3_LOAD_EXITING |
					       L1VMM_PROC_CR3_STORE_EXITING));
	/* Allowed optional controls are on. */
	TEST_ASSERT(c.val[L1VMM_CTL_PROC2] & L1VMM_PROC2_ENABLE_VPID, "VPID off");
	TEST_ASSERT(c.val[L1VMM_CTL_PIN] & L1VMM_PIN_PREEMPTION_TIMER, "preemption timer off");
	TEST_ASSERT(c.val[L1VMM_CTL_EXIT] & L1VMM_EXIT_SAVE_PREEMPTION_TIMER,
		    "preemption timer not saved at exits");
	TEST_ASSERT(c.val[L1VMM_CTL_ENTRY] & L1VMM_ENTRY_LOAD_IA32_PAT, "PAT load off");
}

static void test_default1_controls_stay_without_true_msrs(void)
{
	struct l1vmm_vmx_msrs m = haswell;
	struct l1vmm_vmx_ctl_missing missing;
	struct l1vmm_vmcs_limits l;
	struct l1vmm_vmx_ctls c;

	m.basic &= ~L1VMM_VMX_BASIC_TRUE_CTLS;
	l = limits_of(&m);
	ASSERT_EQ(0, l1vmm_vmx_compute_ctls(&l, l1vmm_vmx_want, &c, &missing));
	ASSERT_EQ(L1VMM_PROC_CR3_LOAD_EXITING | L1VMM_PROC_CR3_STORE_EXITING,
		  c.val[L1VMM_CTL_PROC] & (L1VMM_PROC_CR3_LOAD_EXITING |
					   L1VMM_PROC_CR3_STORE_EXITING));
}

static void test_optional_controls_drop(void)
{
	struct l1vmm_vmx_ctl_missing missing;
	struct l1vmm_vmcs_limits l = limits_of(&haswell);
	struct l1vmm_vmx_ctls c;

	l.proc2.allowed1 &= ~L1VMM_PROC2_ENABLE_VPID;
	l.pin.allowed1 &= ~L1VMM_PIN_PREEMPTION_TIMER;
	ASSERT_EQ(0, l1vmm_vmx_compute_ctls(&l, l1vmm_vmx_want, &c, &missing));
	ASSERT_EQ(0U, c.val[L1VMM_CTL_PROC2] & L1VMM_PROC2_ENABLE_VPID);
	ASSERT_EQ(0U, c.val[L1VMM_CTL_PIN] & L1VMM_PIN_PREEMPTION_TIMER);
	/* Saving the timer's value goes with the timer. */
	ASSERT_EQ(0U, c.val[L1VMM_CTL_EXIT] & L1VMM_EXIT_SAVE_PREEMPTION_TIMER);
}

/* Each control l1vmm needs, taken away alone, is the one named. */
static void test_each_needed_control_named(void)
{
	const struct l1vmm_vmcs_limits good = limits_of(&haswell);
	enum l1vmm_vmx_ctl_field f;
	unsigned int bit, n = 0;

	for (f = 0; f < L1VMM_NR_CTL_FIELDS; f++) {
		u32 needed = l1vmm_vmx_want[f].min | l1vmm_vmx_want[f].dyn;

		for (bit = 0; bit < 32; bit++) {
			struct l1vmm_vmcs_limits l = good;
			struct l1vmm_vmx_ctl_missing missing;
			struct l1vmm_vmx_ctl_cap *cap = f == L1VMM_CTL_PIN ? &l.pin :
							f == L1VMM_CTL_PROC ? &l.proc :
							f == L1VMM_CTL_PROC2 ? &l.proc2 :
							f == L1VMM_CTL_EXIT ? &l.exit : &l.entry;
			struct l1vmm_vmx_ctls c;

			if (!(needed & BIT(bit)))
				continue;
			cap->allowed1 &= ~BIT(bit);
			cap->allowed0 &= ~BIT(bit);
			ASSERT_EQ(-EIO, l1vmm_vmx_compute_ctls(&l, l1vmm_vmx_want, &c, &missing));
			TEST_ASSERT(missing.field == f && missing.bit == bit && !missing.must_be_one,
				    "%s bit %u: wanted it named, got field %d bit %u",
				    l1vmm_vmx_ctl_field_name(f), bit, missing.field, missing.bit);
			TEST_ASSERT(l1vmm_vmx_ctl_name(f, bit), "%s bit %u has no name",
				    l1vmm_vmx_ctl_field_name(f), bit);
			n++;
		}
	}
	ktap_info("%u needed controls, each named when missing", n);
	ASSERT_EQ(NULL, l1vmm_vmx_ctl_name(L1VMM_CTL_PIN, 31));
	ASSERT_EQ(NULL, l1vmm_vmx_ctl_name(L1VMM_CTL_PIN, 32));
	ASSERT_STREQ("enable EPT", l1vmm_vmx_ctl_name(L1VMM_CTL_PROC2, 1));
	ASSERT_STREQ("VM-entry", l1vmm_vmx_ctl_field_name(L1VMM_CTL_ENTRY));
}

static void test_toggled_control_forced_on(void)
{
	struct l1vmm_vmx_ctl_missing missing;
	struct l1vmm_vmcs_limits l = limits_of(&haswell);
	struct l1vmm_vmx_ctls c;

	l.entry.allowed0 |= L1VMM_ENTRY_IA32E_MODE_GUEST;
	ASSERT_EQ(-EIO, l1vmm_vmx_compute_ctls(&l, l1vmm_vmx_want, &c, &missing));
	ASSERT_EQ(L1VMM_CTL_ENTRY, missing.field);
	ASSERT_EQ(9U, missing.bit);
	ASSERT_EQ(true, missing.must_be_one);
}

static void test_secondary_needs_activation(void)
{
	struct l1vmm_vmx_msrs m = haswell;
	struct l1vmm_vmx_ctl_want want[L1VMM_NR_CTL_FIELDS];
	struct l1vmm_vmx_ctl_missing missing;
	struct l1vmm_vmcs_limits l;
	struct l1vmm_vmx_ctls c;

	/* No secondary controls: l1vmm's EPT cannot be had. */
	m.true_procbased &= ~CAP(0, L1VMM_PROC_ACTIVATE_SECONDARY);
	l = limits_of(&m);
	ASSERT_EQ(-EIO, l1vmm_vmx_compute_ctls(&l, l1vmm_vmx_want, &c, &missing));
	ASSERT_EQ(L1VMM_CTL_PROC, missing.field);
	ASSERT_EQ(31U, missing.bit);

	/* A request without them: the secondary field is 0, whatever it allows. */
	memcpy(want, l1vmm_vmx_want, sizeof(want));
	want[L1VMM_CTL_PROC].min &= ~L1VMM_PROC_ACTIVATE_SECONDARY;
	l = limits_of(&haswell);
	l.proc2.allowed0 = L1VMM_PROC2_ENABLE_VPID;
	ASSERT_EQ(0, l1vmm_vmx_compute_ctls(&l, want, &c, &missing));
	ASSERT_EQ(0U, c.val[L1VMM_CTL_PROC2]);
}

static void test_guest_cr0_fixed0(void)
{
	struct l1vmm_vmcs_limits l = limits_of(&haswell);

	ASSERT_EQ(0x80000021ULL, l1vmm_vmx_guest_cr0_fixed0(&l, false));
	ASSERT_EQ(0x20ULL, l1vmm_vmx_guest_cr0_fixed0(&l, true));
}

static void test_host_fixed_bits(void)
{
	struct l1vmm_vmcs_limits l = limits_of(&haswell);
	struct l1vmm_vmx_fixed_err err;
	u64 cr0 = 0x80050033, cr4 = 0x3606f0;

	/* CR4.VMXE clear now is fine: VMXON sets it. */
	ASSERT_EQ(false, l1vmm_vmx_host_crs_invalid(cr0, cr4, &l, &err));
	ASSERT_EQ(true, l1vmm_vmx_host_crs_invalid(cr0 & ~0x20ULL, cr4, &l, &err));
	ASSERT_EQ(0U, err.cr);
	ASSERT_EQ(5U, err.bit);
	ASSERT_EQ(true, err.must_be_one);
	ASSERT_EQ(true, l1vmm_vmx_host_crs_invalid(cr0, cr4 | BIT_ULL(23), &l, &err));
	ASSERT_EQ(4U, err.cr);
	ASSERT_EQ(23U, err.bit);
	ASSERT_EQ(false, err.must_be_one);
	/* CR0 is checked first, lowest bit first. */
	ASSERT_EQ(true, l1vmm_vmx_host_crs_invalid(cr0 & ~(L1VMM_CR0_PG | 0x20ULL),
						   cr4 | BIT_ULL(23), &l, &err));
	ASSERT_EQ(0U, err.cr);
	ASSERT_EQ(5U, err.bit);
	l.cr4_fixed0 |= L1VMM_CR4_PAE;
	ASSERT_EQ(true, l1vmm_vmx_host_crs_invalid(cr0, cr4 & ~L1VMM_CR4_PAE, &l, &err));
	ASSERT_EQ(4U, err.cr);
	ASSERT_EQ(5U, err.bit);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_basic),
	KTAP_CASE(test_true_ctls_where_basic_says),
	KTAP_CASE(test_no_secondary_without_activation),
	KTAP_CASE(test_computed_controls),
	KTAP_CASE(test_default1_controls_stay_without_true_msrs),
	KTAP_CASE(test_optional_controls_drop),
	KTAP_CASE(test_each_needed_control_named),
	KTAP_CASE(test_toggled_control_forced_on),
	KTAP_CASE(test_secondary_needs_activation),
	KTAP_CASE(test_guest_cr0_fixed0),
	KTAP_CASE(test_host_fixed_bits),
};

int main(void)
{
	return ktap_run("vmx_ctls", tests, KTAP_ARRAY_SIZE(tests));
}
