// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/svm/vmcb_check.c
/*
 * Host unit test of the vmcb12 consistency checks (l1vmm/svm/vmcb_check.c):
 * a good long-mode VMCB passes, and each rule, broken alone, fails with
 * its own reason.
 */
#include <stdint.h>
#include <string.h>

#include "ktap.h"
#include "l1vmm/svm/vmcb_check.h"

static const struct l1vmm_vmcb_limits limits = {
	.guest_phys_bits = 48, .host_phys_bits = 40,
	.cr4_allowed = 0x7ff | (1 << 16) | (1 << 18) | (1 << 20) | (1 << 21),
};

static struct l1vmm_vmcb_view good(void)
{
	return (struct l1vmm_vmcb_view){
		.efer = 0x1d00,				/* SVME LMA LME */
		.cr0 = 0x80050033, .cr3 = 0x1000, .cr4 = 0x620,
		.dr6 = 0xffff0ff0, .dr7 = 0x400,
		.cs_l = true, .asid = 1, .intercept_vmrun = true, .np_enable = true,
		.nested_cr3 = 0x12345000, .iopm_pa = 0x100000, .msrpm_pa = 0x200000,
	};
}

static void expect(const struct l1vmm_vmcb_view *v, const char *want)
{
	const char *got = l1vmm_vmcb_invalid(v, &limits);

	TEST_ASSERT(got && !strcmp(got, want), "wanted \"%s\", got \"%s\"", want,
		    got ? got : "(valid)");
}

static void test_good_vmcbs_pass(void)
{
	struct l1vmm_vmcb_view v = good();

	TEST_ASSERT(!l1vmm_vmcb_invalid(&v, &limits), "long mode: %s", l1vmm_vmcb_invalid(&v, &limits));
	/* Real mode after RESET: CD and NW set, no paging. */
	v = (struct l1vmm_vmcb_view){
		.efer = 0x1000, .cr0 = 0x60000010, .dr6 = 0xffff0ff0, .dr7 = 0x400,
		.asid = 7, .intercept_vmrun = true, .np_enable = true,
		.iopm_pa = 0x100000, .msrpm_pa = 0x200000,
	};
	TEST_ASSERT(!l1vmm_vmcb_invalid(&v, &limits), "real mode: %s", l1vmm_vmcb_invalid(&v, &limits));
	/* Each kind of valid event. */
	v.event_inj = 0x80000000 | (0 << 8) | 0x20;
	TEST_ASSERT(!l1vmm_vmcb_invalid(&v, &limits), "interrupt");
	v.event_inj = 0x80000000 | (3 << 8) | (1 << 11) | 13;
	TEST_ASSERT(!l1vmm_vmcb_invalid(&v, &limits), "#GP with error code");
	v.event_inj = 0x80000000 | (2 << 8) | 2;
	TEST_ASSERT(!l1vmm_vmcb_invalid(&v, &limits), "NMI");
	v.event_inj = 0x80000000 | (4 << 8) | 0x80;
	TEST_ASSERT(!l1vmm_vmcb_invalid(&v, &limits), "INT 0x80");
	v.event_inj = 0x7fffffff;	/* not valid: ignored */
	TEST_ASSERT(!l1vmm_vmcb_invalid(&v, &limits), "V clear");
}

static void test_each_rule(void)
{
	struct l1vmm_vmcb_view v;

#define BREAK(field_change, reason) do { v = good(); field_change; expect(&v, reason); } while (0)
	BREAK(v.efer &= ~0x1000ull, "EFER.SVME clear");
	BREAK(v.cr0 = (v.cr0 & ~(1ull << 30)) | (1ull << 29), "CR0.NW without CR0.CD");
	BREAK(v.cr0 |= 1ull << 40, "CR0 bits 63:32 set");
	BREAK(v.dr6 |= 1ull << 32, "DR6 bits 63:32 set");
	BREAK(v.dr7 |= 1ull << 63, "DR7 bits 63:32 set");
	BREAK(v.cr4 &= ~0x20ull, "long mode without CR4.PAE");
	BREAK(v.cr0 &= ~1ull, "long mode without CR0.PE");
	BREAK(v.cr3 = 1ull << 48, "CR3 beyond the guest-physical width");
	BREAK(v.cr4 |= 1ull << 13, "CR4 reserved or unsupported bits set");	/* VMXE */
	BREAK(v.cr4 |= 1ull << 12, "CR4 reserved or unsupported bits set");	/* LA57 */
	BREAK(v.efer |= 1ull << 14, "EFER reserved bits set");		/* FFXSR */
	BREAK(v.intercept_vmrun = false, "VMRUN not intercepted");
	BREAK(v.asid = 0, "ASID 0");
	BREAK(v.msrpm_pa = (1ull << 40) - 4096, "MSR permission map beyond the physical width");
	BREAK(v.iopm_pa = 1ull << 41, "I/O permission map beyond the physical width");
	BREAK(v.nested_cr3 = 1ull << 40, "nested CR3 beyond the physical width");
	BREAK(v.cs_d = true, "CS.L and CS.D both set in long mode");
	BREAK(v.event_inj = 0x80000000 | (1 << 8), "EVENTINJ with a reserved type");
	BREAK(v.event_inj = 0x80000000 | (3 << 8) | 32, "EVENTINJ exception with a vector that is not one");
	BREAK(v.event_inj = 0x80000000 | (3 << 8) | 2, "EVENTINJ exception with a vector that is not one");
	BREAK(v.event_inj = 0x80000000 | (2 << 8) | 3, "EVENTINJ NMI with vector other than 2");
	BREAK(v.event_inj = 0x80000000 | (1 << 20), "EVENTINJ reserved bits set");
#undef BREAK
	/* Nested CR3 does not matter without nested paging; CS.L/D outside long mode. */
	v = good();
	v.np_enable = false;
	v.nested_cr3 = ~0ull;
	TEST_ASSERT(!l1vmm_vmcb_invalid(&v, &limits), "nCR3 without NP");
}

/*
 * On QEMU's emulator as L0: real mode with EFER.LME, and CPL > 0 without an
 * available TSS, refused only with the quirks on; busy TSS types too.
 */
static void test_l0_tcg_quirks(void)
{
	struct l1vmm_vmcb_limits quirks = limits;
	struct l1vmm_vmcb_view v = good();
	const char *got;

	quirks.l0_tcg_quirks = true;
	v.tr_present = true;
	v.tr_type = 11;		/* busy 32-bit TSS: fine at CPL 0 */
	TEST_ASSERT(!l1vmm_vmcb_invalid(&v, &quirks), "CPL 0, busy TSS");
	v.cpl = 3;
	TEST_ASSERT(!l1vmm_vmcb_invalid(&v, &limits), "quirks off: CPL 3, busy TSS");
	got = l1vmm_vmcb_invalid(&v, &quirks);
	TEST_ASSERT(got && strstr(got, "CPL > 0 without an available TSS"), "CPL 3, busy TSS: %s",
		    got ? got : "(valid)");
	v.tr_type = 9;
	TEST_ASSERT(!l1vmm_vmcb_invalid(&v, &quirks), "CPL 3, available 32-bit TSS");
	v.tr_type = 1;
	TEST_ASSERT(!l1vmm_vmcb_invalid(&v, &quirks), "CPL 3, available 16-bit TSS");
	v.tr_present = false;
	TEST_ASSERT(l1vmm_vmcb_invalid(&v, &quirks), "CPL 3, TR not present");

	/* Real mode with LME: quirks only. PE alone clear, PG already clear. */
	v = good();
	v.cr0 &= ~0x80000001ull;
	v.efer = 0x1100;		/* SVME LME */
	TEST_ASSERT(!l1vmm_vmcb_invalid(&v, &limits), "quirks off: real mode with LME");
	got = l1vmm_vmcb_invalid(&v, &quirks);
	TEST_ASSERT(got && strstr(got, "real mode with EFER.LME"), "real mode with LME: %s",
		    got ? got : "(valid)");
	v.efer = 0x1000;
	TEST_ASSERT(!l1vmm_vmcb_invalid(&v, &quirks), "real mode without LME");
	/* CR3 beyond the guest-physical width outside long mode: quirks only. */
	v = good();
	v.cr0 = 0x11;			/* protected mode, no paging */
	v.efer = 0x1000;
	v.cs_l = false;
	v.cr3 = 1ull << 48;
	TEST_ASSERT(!l1vmm_vmcb_invalid(&v, &limits), "quirks off: CR3 beyond outside long mode");
	got = l1vmm_vmcb_invalid(&v, &quirks);
	TEST_ASSERT(got && strstr(got, "CR3 beyond"), "CR3 beyond: %s", got ? got : "(valid)");
	v.cr3 = (1ull << 48) - 4096;
	TEST_ASSERT(!l1vmm_vmcb_invalid(&v, &quirks), "CR3 within");

	/* An architectural reason comes first. */
	v = good();
	v.cr0 &= ~0x80000001ull;
	v.efer = 0x1100;
	v.cr0 |= 1ull << 40;
	expect(&v, "CR0 bits 63:32 set");
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_good_vmcbs_pass),
	KTAP_CASE(test_each_rule),
	KTAP_CASE(test_l0_tcg_quirks),
};

int main(void)
{
	return ktap_run("vmcb_check", tests, KTAP_ARRAY_SIZE(tests));
}
