// SPDX-License-Identifier: GPL-2.0-only
// unit-sources:
/*
 * Host unit test of the MOV DR decoder (l1vmm/portable/mov_dr.h): the
 * general register, debug register and direction of each form, with
 * prefixes and REX, and what it must refuse. Encodings as binutils
 * assembles them.
 */
#include "ktap.h"
#include "l1vmm/portable/mov_dr.h"
#include "l1vmm/portable/regs.h"

struct mov_dr_case {
	const char *what;
	bool long_mode;
	const char *bytes;
	unsigned int n;
	unsigned int len, gpr, dr;
	bool write;
};

static const struct mov_dr_case good[] = {
	{ "mov %dr0,%eax with an operand-size prefix", false, "\x66\x0f\x21\xc0", 4, 4, L1VMM_REG_RAX, 0, false },
	{ "mov %eax,%dr7", false, "\x0f\x23\xf8", 3, 3, L1VMM_REG_RAX, 7, true },
	{ "mov %dr6,%ebx", false, "\x0f\x21\xf3", 3, 3, L1VMM_REG_RBX, 6, false },
	{ "mov %rdi,%dr1", true, "\x0f\x23\xcf", 3, 3, L1VMM_REG_RDI, 1, true },
	{ "mov %dr3,%r9", true, "\x41\x0f\x21\xd9", 4, 4, L1VMM_REG_R9, 3, false },
	{ "mov %r15,%dr2", true, "\x41\x0f\x23\xd7", 4, 4, L1VMM_REG_R15, 2, true },
	{ "mod ignored: 0f 21 00 is mov %dr0,%eax", false, "\x0f\x21\x00", 3, 3,
	  L1VMM_REG_RAX, 0, false },
	{ "segment prefix, then REX", true, "\x2e\x48\x0f\x21\xc1", 5, 5, L1VMM_REG_RCX, 0, false },
};

static const struct mov_dr_case bad[] = {
	{ "MOV CR", false, "\x0f\x20\xc0", 3, 0, 0, 0, false },
	{ "truncated", false, "\x0f\x21", 2, 0, 0, 0, false },
	{ "REX.R: DR8", true, "\x44\x0f\x21\xc0", 4, 0, 0, 0, false },
	{ "REX outside 64-bit code is INC", false, "\x41\x0f\x21\xc0", 4, 0, 0, 0, false },
	{ "REX before a legacy prefix (the CPU ignores it): refused", true,
	  "\x41\x66\x0f\x21\xc0", 5, 0, 0, 0, false },
	{ "nothing", false, "", 0, 0, 0, 0, false },
};

static void test_forms(void)
{
	struct l1vmm_mov_dr insn;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		const struct mov_dr_case *c = &good[i];

		TEST_ASSERT(!l1vmm_decode_mov_dr((const u8 *)c->bytes, c->n, c->long_mode, &insn),
			    "%s refused", c->what);
		TEST_ASSERT(insn.len == c->len, "%s: wanted length %u, got %u", c->what, c->len,
			    insn.len);
		TEST_ASSERT(insn.gpr == c->gpr, "%s: wanted register %u, got %u", c->what,
			    c->gpr, insn.gpr);
		TEST_ASSERT(insn.dr == c->dr, "%s: wanted DR%u, got DR%u", c->what, c->dr,
			    insn.dr);
		TEST_ASSERT(insn.write == c->write, "%s: direction", c->what);
	}
}

static void test_refused(void)
{
	struct l1vmm_mov_dr insn;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		TEST_ASSERT(l1vmm_decode_mov_dr((const u8 *)bad[i].bytes, bad[i].n,
						bad[i].long_mode, &insn) == -EINVAL,
			    "%s decoded", bad[i].what);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_forms),
	KTAP_CASE(test_refused),
};

int main(void)
{
	return ktap_run("mov_dr", tests, KTAP_ARRAY_SIZE(tests));
}
