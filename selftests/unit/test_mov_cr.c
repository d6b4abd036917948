// SPDX-License-Identifier: GPL-2.0-only
// unit-sources:
/*
 * Host unit test of the MOV to CR decoder (l1vmm/portable/mov_cr.h): the
 * general register and length of each form of MOV to CR8 and CR4, with
 * prefixes, REX and AMD's LOCK MOV CR0, and what it must refuse. Encodings
 * as binutils assembles them.
 */
#include "ktap.h"
#include "l1vmm/portable/mov_cr.h"
#include "l1vmm/portable/regs.h"

struct mov_cr_case {
	const char *what;
	unsigned int cr;
	bool long_mode;
	const char *bytes;
	unsigned int n;
	unsigned int len, gpr;
};

static const struct mov_cr_case good[] = {
	{ "mov %rax,%cr8", 8, true, "\x44\x0f\x22\xc0", 4, 4, L1VMM_REG_RAX },
	{ "mov %rbx,%cr8", 8, true, "\x44\x0f\x22\xc3", 4, 4, L1VMM_REG_RBX },
	{ "mov %r12,%cr8", 8, true, "\x45\x0f\x22\xc4", 4, 4, L1VMM_REG_R12 },
	{ "REX.W too", 8, true, "\x4c\x0f\x22\xc0", 4, 4, L1VMM_REG_RAX },
	{ "lock mov %eax,%cr0 (AMD's CR8)", 8, false, "\xf0\x0f\x22\xc0", 4, 4, L1VMM_REG_RAX },
	{ "lock mov %ecx,%cr0 (AMD's CR8)", 8, false, "\xf0\x0f\x22\xc1", 4, 4, L1VMM_REG_RCX },
	{ "mod ignored", 8, true, "\x44\x0f\x22\x07", 4, 4, L1VMM_REG_RDI },
	{ "mov %rax,%cr4", 4, true, "\x0f\x22\xe0", 3, 3, L1VMM_REG_RAX },
	{ "mov %r9,%cr4", 4, true, "\x41\x0f\x22\xe1", 4, 4, L1VMM_REG_R9 },
	{ "mov %esi,%cr4", 4, false, "\x0f\x22\xe6", 3, 3, L1VMM_REG_RSI },
	{ "cs mov %rdx,%cr4", 4, true, "\x2e\x0f\x22\xe2", 4, 4, L1VMM_REG_RDX },
};

static const struct mov_cr_case bad[] = {
	{ "mov %rax,%cr0", 8, true, "\x0f\x22\xc0", 3, 0, 0 },
	{ "mov %cr8,%rax (a read)", 8, true, "\x44\x0f\x20\xc0", 4, 0, 0 },
	{ "mov %rax,%cr9", 8, true, "\x44\x0f\x22\xc8", 4, 0, 0 },
	{ "REX outside 64-bit code is INC", 8, false, "\x44\x0f\x22\xc0", 4, 0, 0 },
	{ "truncated", 8, true, "\x44\x0f\x22", 3, 0, 0 },
	{ "MOV DR", 8, true, "\x44\x0f\x23\xc0", 4, 0, 0 },
	{ "nothing", 8, false, "", 0, 0, 0 },
	{ "mov %rax,%cr8 for CR4", 4, true, "\x44\x0f\x22\xc0", 4, 0, 0 },
	{ "mov %rax,%cr12 (REX.R) for CR4", 4, true, "\x44\x0f\x22\xe0", 4, 0, 0 },
	{ "lock mov %eax,%cr0 for CR4", 4, false, "\xf0\x0f\x22\xc0", 4, 0, 0 },
	{ "mov %cr4,%rax (a read)", 4, true, "\x0f\x20\xe0", 3, 0, 0 },
};

static void test_forms(void)
{
	struct l1vmm_mov_cr insn;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		const struct mov_cr_case *c = &good[i];

		TEST_ASSERT(!l1vmm_decode_mov_to_cr((const u8 *)c->bytes, c->n, c->long_mode, c->cr,
						    &insn),
			    "%s refused", c->what);
		TEST_ASSERT(insn.len == c->len, "%s: wanted length %u, got %u", c->what, c->len,
			    insn.len);
		TEST_ASSERT(insn.gpr == c->gpr, "%s: wanted register %u, got %u", c->what,
			    c->gpr, insn.gpr);
	}
}

static void test_refused(void)
{
	struct l1vmm_mov_cr insn;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		TEST_ASSERT(l1vmm_decode_mov_to_cr((const u8 *)bad[i].bytes, bad[i].n,
						   bad[i].long_mode, bad[i].cr, &insn) == -EINVAL,
			    "%s decoded", bad[i].what);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_forms),
	KTAP_CASE(test_refused),
};

int main(void)
{
	return ktap_run("mov_cr", tests, KTAP_ARRAY_SIZE(tests));
}
