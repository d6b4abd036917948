// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/portable/sregs_check.c
/*
 * Host unit test of the KVM_SET_SREGS checks (l1vmm/portable/sregs_check.c): valid
 * real-mode, protected-mode and long-mode states pass, and each rule,
 * broken alone from one of them, fails with its own reason.
 */
#include <stdint.h>
#include <string.h>

#include "ktap.h"
#include "l1vmm/portable/sregs_check.h"

#define CR0_PE		(1ull << 0)
#define CR0_ET		(1ull << 4)
#define CR0_NE		(1ull << 5)
#define CR0_WP		(1ull << 16)
#define CR0_NW		(1ull << 29)
#define CR0_CD		(1ull << 30)
#define CR0_PG		(1ull << 31)
#define CR4_PAE		(1ull << 5)
#define CR4_OSFXSR	(1ull << 9)
#define CR4_OSXSAVE	(1ull << 18)
#define EFER_SCE	(1ull << 0)
#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)
#define EFER_NXE	(1ull << 11)
#define EFER_SVME	(1ull << 12)

#define GPA_BITS	48

#define CR4_BAD		"CR4 has reserved or unsupported bits"
#define EFER_BAD	"EFER has reserved or unsupported bits"
#define CR3_BAD		"CR3 beyond the guest-physical address width"

static const u64 cr4_allowed = L1VMM_CR4_OFFERED;

/* After RESET: CD and NW set, no protection, no paging. */
static struct l1vmm_sregs_view real_mode(void)
{
	return (struct l1vmm_sregs_view){ .cr0 = CR0_CD | CR0_NW | CR0_ET };
}

/* 32-bit protected mode with paging, CS.D set. */
static struct l1vmm_sregs_view protected_mode(void)
{
	return (struct l1vmm_sregs_view){
		.cr0 = CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_PE,
		.cr3 = 0xfffff000, .cr4 = CR4_OSFXSR, .cs_db = true,
	};
}

/* 64-bit mode: LME and LMA, PAE, paging, CS.L. */
static struct l1vmm_sregs_view long_mode(void)
{
	return (struct l1vmm_sregs_view){
		.cr0 = CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_PE,
		.cr3 = (1ull << GPA_BITS) - 4096, .cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXSAVE,
		.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE, .cs_l = true,
	};
}

static const char *check(const struct l1vmm_sregs_view *s)
{
	return l1vmm_sregs_invalid(s, GPA_BITS, cr4_allowed);
}

static void expect(const char *what, const struct l1vmm_sregs_view *s, const char *want)
{
	const char *got = check(s);

	TEST_ASSERT(got && !strcmp(got, want), "%s: wanted \"%s\", got \"%s\"", what, want,
		    got ? got : "(valid)");
}

static void expect_valid(const char *what, const struct l1vmm_sregs_view *s)
{
	const char *got = check(s);

	TEST_ASSERT(!got, "%s: wanted valid, got \"%s\"", what, got);
}

static void test_valid_states_pass(void)
{
	struct l1vmm_sregs_view s = real_mode();

	expect_valid("real mode after RESET", &s);
	s.cr0 = 0;
	expect_valid("real mode, caches on", &s);
	s.cr0 = CR0_CD;
	expect_valid("real mode, CD alone", &s);
	s = protected_mode();
	expect_valid("protected mode", &s);
	s.cr0 &= ~CR0_PG;
	s.efer = EFER_LME;
	expect_valid("protected mode without paging, LME set (long mode not active yet)", &s);
	s = protected_mode();
	s.cr4 |= CR4_PAE;
	s.efer = EFER_NXE;
	expect_valid("PAE paging", &s);
	s = long_mode();
	expect_valid("long mode", &s);
	s.cs_l = false;
	s.cs_db = true;
	expect_valid("compatibility mode, CS.D", &s);
	s.cs_db = false;
	expect_valid("compatibility mode, 16-bit CS", &s);
	/* Every CR4 bit offered, and every EFER bit but SVME. */
	s = long_mode();
	s.cr4 = L1VMM_CR4_OFFERED;
	s.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	expect_valid("every offered CR4 bit", &s);
}

/* One rule broken at a time, from each state where it applies. */
static void test_each_rule(void)
{
	struct l1vmm_sregs_view s;

#define BREAK(base, change, reason)					\
	do {								\
		s = base();						\
		change;							\
		expect(#base ": " #change, &s, reason);			\
	} while (0)
	BREAK(real_mode, s.cr0 |= 1ull << 32, "CR0 bits 63:32 are reserved");
	BREAK(protected_mode, s.cr0 |= 1ull << 63, "CR0 bits 63:32 are reserved");
	BREAK(long_mode, s.cr0 |= 1ull << 40, "CR0 bits 63:32 are reserved");

	BREAK(real_mode, s.cr0 &= ~CR0_CD, "CR0.NW without CR0.CD");
	BREAK(protected_mode, s.cr0 |= CR0_NW, "CR0.NW without CR0.CD");
	BREAK(long_mode, s.cr0 |= CR0_NW, "CR0.NW without CR0.CD");

	BREAK(real_mode, s.cr0 |= CR0_PG, "CR0.PG without CR0.PE");
	BREAK(protected_mode, s.cr0 &= ~CR0_PE, "CR0.PG without CR0.PE");
	BREAK(long_mode, s.cr0 &= ~CR0_PE, "CR0.PG without CR0.PE");

	/* VMXE, SMXE, LA57, PKE, CET, and a reserved bit. */
	BREAK(real_mode, s.cr4 |= 1ull << 13, CR4_BAD);
	BREAK(protected_mode, s.cr4 |= 1ull << 14, CR4_BAD);
	BREAK(long_mode, s.cr4 |= 1ull << 12, CR4_BAD);
	BREAK(long_mode, s.cr4 |= 1ull << 22, CR4_BAD);
	BREAK(long_mode, s.cr4 |= 1ull << 23, CR4_BAD);
	BREAK(long_mode, s.cr4 |= 1ull << 32, CR4_BAD);

	/* SVME (not offered), reserved bit 1, FFXSR, and a reserved bit. */
	BREAK(real_mode, s.efer |= EFER_SVME, EFER_BAD);
	BREAK(protected_mode, s.efer |= 1ull << 1, EFER_BAD);
	BREAK(long_mode, s.efer |= 1ull << 14, EFER_BAD);
	BREAK(long_mode, s.efer |= 1ull << 63, EFER_BAD);

	BREAK(long_mode, s.cr4 &= ~CR4_PAE, "long mode without CR4.PAE");
	BREAK(protected_mode, s.efer |= EFER_LME, "long mode without CR4.PAE");
	BREAK(long_mode, s.efer &= ~EFER_LMA, "long mode without EFER.LMA");
	BREAK(long_mode, s.cr3 = 1ull << GPA_BITS, CR3_BAD);
	BREAK(long_mode, s.cr3 |= 1ull << 63, CR3_BAD);
	BREAK(long_mode, s.cs_db = true, "CS.L and CS.D both set in long mode");

	BREAK(real_mode, s.efer |= EFER_LMA, "EFER.LMA outside long mode");
	BREAK(protected_mode, s.efer |= EFER_LMA, "EFER.LMA outside long mode");
	BREAK(long_mode, s.efer &= ~EFER_LME, "EFER.LMA outside long mode");
	BREAK(long_mode, s.cr0 &= ~CR0_PG, "EFER.LMA outside long mode");

	BREAK(real_mode, s.cs_l = true, "CS.L outside long mode");
	BREAK(protected_mode, s.cs_l = true, "CS.L outside long mode");
#undef BREAK
}

/* A CR4 bit the host lacks is refused even though l1vmm offers it. */
static void test_cr4_follows_the_host(void)
{
	struct l1vmm_sregs_view s = long_mode();
	const char *got;

	got = l1vmm_sregs_invalid(&s, GPA_BITS, cr4_allowed & ~CR4_OSXSAVE);
	TEST_ASSERT(got && !strcmp(got, CR4_BAD),
		    "OSXSAVE on a host without XSAVE: got \"%s\"", got ? got : "(valid)");
	s.cr4 &= ~CR4_OSXSAVE;
	got = l1vmm_sregs_invalid(&s, GPA_BITS, cr4_allowed & ~CR4_OSXSAVE);
	TEST_ASSERT(!got, "without OSXSAVE: got \"%s\"", got);
}

/*
 * The CR4 bits a guest CPUID table withholds, as KVM's
 * cr4_guest_rsvd_bits: each feature bit gives back its CR4 bit alone.
 */
static void test_cr4_withheld_by_cpuid(void)
{
	static const struct {
		u32 function, ebx, ecx;
		u64 cr4;
	} features[] = {
		{ 1, 0, 1u << 26, 1ull << 18 },		/* XSAVE: OSXSAVE */
		{ 1, 0, 1u << 17, 1ull << 17 },		/* PCID: PCIDE */
		{ 7, 1u << 0, 0, 1ull << 16 },		/* FSGSBASE */
		{ 7, 1u << 7, 0, 1ull << 20 },		/* SMEP */
		{ 7, 1u << 20, 0, 1ull << 21 },		/* SMAP */
	};
	const u64 all = (1ull << 16) | (1ull << 17) | (1ull << 18) | (1ull << 20) | (1ull << 21);
	struct kvm_cpuid_entry2 table[2] = {
		{ .function = 1 },
		{ .function = 7, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX },
	};
	u64 got;
	size_t i;

	got = l1vmm_cr4_withheld_by_cpuid(NULL, 0);
	TEST_ASSERT(got == all, "empty table: %#llx", (unsigned long long)got);
	got = l1vmm_cr4_withheld_by_cpuid(table, 2);
	TEST_ASSERT(got == all, "no features: %#llx", (unsigned long long)got);
	for (i = 0; i < KTAP_ARRAY_SIZE(features); i++) {
		memset(&table[0].eax, 0, 4 * sizeof(u32));
		memset(&table[1].eax, 0, 4 * sizeof(u32));
		table[features[i].function == 7].ebx = features[i].ebx;
		table[features[i].function == 7].ecx = features[i].ecx;
		got = l1vmm_cr4_withheld_by_cpuid(table, 2);
		TEST_ASSERT(got == (all & ~features[i].cr4), "feature %zu: %#llx", i,
			    (unsigned long long)got);
	}
	/* Leaf 7's sub-leaf 1 is not sub-leaf 0. */
	table[1].index = 1;
	table[1].ebx = ~0u;
	got = l1vmm_cr4_withheld_by_cpuid(table, 2);
	TEST_ASSERT(got & (1ull << 20), "SMEP from sub-leaf 1: %#llx", (unsigned long long)got);
}

static void expect_fault(const char *what, const char *got, const char *want)
{
	TEST_ASSERT(got && !strcmp(got, want), "%s: wanted \"%s\", got \"%s\"", what, want,
		    got ? got : "(none)");
}

/*
 * The guest's own MOV to CR4 (l1vmm_cr4_write_fault()), each rule of
 * KVM's kvm_set_cr4() broken alone from a write that passes.
 */
static void test_cr4_write(void)
{
	const u64 lm_efer = EFER_LME | EFER_LMA, smep = 1ull << 20, la57 = 1ull << 12;
	const u64 pcide = 1ull << 17, lm = CR4_PAE | CR4_OSFXSR;
	const u64 allowed = L1VMM_CR4_OFFERED | pcide | la57;
	const struct {
		const char *what;
		u64 old, val, efer, cr3, allowed;
		const char *want;
	} cases[] = {
		{ "PGE toggled in long mode", lm, lm | (1ull << 7), lm_efer, 0, allowed, NULL },
		{ "PAE cleared outside long mode", CR4_PAE, 0, 0, 0, allowed, NULL },
		{ "SMEP set, allowed", lm, lm | smep, lm_efer, 0, allowed, NULL },
		{ "SMEP set, withheld", lm, lm | smep, lm_efer, 0, allowed & ~smep,
		  "CR4 has reserved or withheld bits" },
		{ "VMXE set", lm, lm | (1ull << 13), lm_efer, 0, allowed,
		  "CR4 has reserved or withheld bits" },
		{ "PKE set", lm, lm | (1ull << 22), lm_efer, 0, allowed,
		  "CR4 has reserved or withheld bits" },
		{ "bit 63 set", lm, lm | (1ull << 63), lm_efer, 0, allowed,
		  "CR4 has reserved or withheld bits" },
		{ "PAE cleared in long mode", lm, CR4_OSFXSR, lm_efer, 0, allowed,
		  "CR4.PAE cleared in long mode" },
		{ "LA57 set in long mode", lm, lm | la57, lm_efer, 0, allowed,
		  "CR4.LA57 changed in long mode" },
		{ "LA57 cleared in long mode", lm | la57, lm, lm_efer, 0, allowed,
		  "CR4.LA57 changed in long mode" },
		{ "LA57 set outside long mode", CR4_PAE, CR4_PAE | la57, 0, 0, allowed, NULL },
		{ "PCIDE set in long mode", lm, lm | pcide, lm_efer, 0x1000, allowed, NULL },
		{ "PCIDE kept with a PCID", lm | pcide, lm | pcide | smep, lm_efer, 0x1005,
		  allowed, NULL },
		{ "PCIDE set outside long mode", CR4_PAE, CR4_PAE | pcide, 0, 0, allowed,
		  "CR4.PCIDE set outside long mode" },
		{ "PCIDE set with a PCID", lm, lm | pcide, lm_efer, 0x1005, allowed,
		  "CR4.PCIDE set with a PCID in CR3" },
	};
	size_t i;

	for (i = 0; i < KTAP_ARRAY_SIZE(cases); i++) {
		const char *got = l1vmm_cr4_write_fault(cases[i].old, cases[i].val, cases[i].efer,
							cases[i].cr3, cases[i].allowed);

		if (cases[i].want)
			expect_fault(cases[i].what, got, cases[i].want);
		else
			TEST_ASSERT(!got, "%s: wanted no fault, got \"%s\"", cases[i].what, got);
	}
}

/*
 * Which MOV to CR4 loads the PDPTEs (l1vmm_cr4_write_loads_pdptes()), as
 * KVM's kvm_set_cr4(): under PAE paging after the write, a change of PGE,
 * PSE, PAE or SMEP; never in long mode, never without paging.
 */
static void test_cr4_write_loads_pdptes(void)
{
	const u64 pg = CR0_PE | CR0_PG, pge = 1ull << 7, pse = 1ull << 4;
	const u64 smep = 1ull << 20, smap = 1ull << 21, lm_efer = EFER_LME | EFER_LMA;
	const struct {
		const char *what;
		u64 old, val, cr0, efer;
		bool want;
	} cases[] = {
		{ "PGE set under PAE paging", CR4_PAE, CR4_PAE | pge, pg, 0, true },
		{ "PSE cleared under PAE paging", CR4_PAE | pse, CR4_PAE, pg, 0, true },
		{ "SMEP set under PAE paging", CR4_PAE, CR4_PAE | smep, pg, 0, true },
		{ "PAE set with paging on", 0, CR4_PAE, pg, 0, true },
		{ "SMAP set under PAE paging", CR4_PAE, CR4_PAE | smap, pg, 0, false },
		{ "OSFXSR set under PAE paging", CR4_PAE, CR4_PAE | CR4_OSFXSR, pg, 0, false },
		{ "nothing changed", CR4_PAE | pge, CR4_PAE | pge, pg, 0, false },
		{ "PAE cleared with paging on", CR4_PAE, 0, pg, 0, false },
		{ "PGE set without paging", CR4_PAE, CR4_PAE | pge, CR0_PE, 0, false },
		{ "PGE set in long mode", CR4_PAE, CR4_PAE | pge, pg, lm_efer, false },
		{ "PGE set with LME, paging off", CR4_PAE, CR4_PAE | pge, CR0_PE, EFER_LME,
		  false },
	};
	size_t i;

	for (i = 0; i < KTAP_ARRAY_SIZE(cases); i++) {
		bool got = l1vmm_cr4_write_loads_pdptes(cases[i].old, cases[i].val, cases[i].cr0,
							cases[i].efer);

		TEST_ASSERT(got == cases[i].want, "%s: PDPTE load wanted %d, got %d",
			    cases[i].what, cases[i].want, got);
	}
}

/*
 * CR3 against the guest-physical width: only in long mode, as in KVM's
 * kvm_is_valid_sregs(), and not at all for a 64-bit width.
 */
static void test_cr3_width(void)
{
	struct l1vmm_sregs_view s = long_mode();
	const char *got;

	s.cr3 = (1ull << 40) - 4096;
	got = l1vmm_sregs_invalid(&s, 40, cr4_allowed);
	TEST_ASSERT(!got, "CR3 just below 40 bits: got \"%s\"", got);
	s.cr3 = 1ull << 40;
	got = l1vmm_sregs_invalid(&s, 40, cr4_allowed);
	TEST_ASSERT(got && !strcmp(got, CR3_BAD),
		    "CR3 at 40 bits: got \"%s\"", got ? got : "(valid)");
	s.cr3 = ~0ull;
	got = l1vmm_sregs_invalid(&s, 64, cr4_allowed);
	TEST_ASSERT(!got, "64-bit width: got \"%s\"", got);

	s = protected_mode();
	s.cr3 = 1ull << 40;
	got = l1vmm_sregs_invalid(&s, 32, cr4_allowed);
	TEST_ASSERT(!got, "outside long mode: got \"%s\"", got);
}

/* With several rules broken, the first in the order of the checks wins. */
static void test_first_rule_wins(void)
{
	struct l1vmm_sregs_view s = long_mode();

	s.cr0 |= 1ull << 32;
	s.cr4 &= ~CR4_PAE;
	s.cs_db = true;
	expect("reserved CR0 and long-mode rules", &s, "CR0 bits 63:32 are reserved");
	s = long_mode();
	s.efer |= EFER_SVME;
	s.cr4 &= ~CR4_PAE;
	expect("SVME and no PAE", &s, "EFER has reserved or unsupported bits");
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_valid_states_pass),
	KTAP_CASE(test_each_rule),
	KTAP_CASE(test_cr4_follows_the_host),
	KTAP_CASE(test_cr4_withheld_by_cpuid),
	KTAP_CASE(test_cr4_write),
	KTAP_CASE(test_cr4_write_loads_pdptes),
	KTAP_CASE(test_cr3_width),
	KTAP_CASE(test_first_rule_wins),
};

int main(void)
{
	return ktap_run("sregs_check", tests, KTAP_ARRAY_SIZE(tests));
}
