// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/portable/insn_decode.c
/*
 * Host unit test of the MMIO instruction decoder (l1vmm/portable/insn_decode.c):
 * every supported MOV form in each mode, the register results, and the
 * instructions it must refuse. Encodings checked against binutils' output.
 */
#include <stdint.h>
#include <string.h>

#include "ktap.h"
#include "l1vmm/portable/insn_decode.h"
#include "l1vmm/portable/regs.h"

struct decode_case {
	const char *what;
	unsigned int mode;
	const char *bytes;
	unsigned int n;
	enum l1vmm_insn_op op;
	unsigned int len, mem_size, reg_size, reg;
	bool high_byte, sign_extend;
	uint64_t imm;
	int seg;
};

static const struct decode_case good[] = {
	{ "mov [rax], bl", 8, "\x88\x18", 2, L1VMM_INSN_STORE, 2, 1, 1, L1VMM_REG_RBX, .seg = -1 },
	{ "mov [rax], bh", 8, "\x88\x38", 2, L1VMM_INSN_STORE, 2, 1, 1, L1VMM_REG_RBX, true, .seg = -1 },
	{ "mov [rax], dil", 8, "\x40\x88\x38", 3, L1VMM_INSN_STORE, 3, 1, 1, L1VMM_REG_RDI, .seg = -1 },
	{ "mov [rax], r9b", 8, "\x44\x88\x08", 3, L1VMM_INSN_STORE, 3, 1, 1, L1VMM_REG_R9, .seg = -1 },
	{ "mov [rax], cx", 8, "\x66\x89\x08", 3, L1VMM_INSN_STORE, 3, 2, 2, L1VMM_REG_RCX, .seg = -1 },
	{ "mov [rax], ecx", 8, "\x89\x08", 2, L1VMM_INSN_STORE, 2, 4, 4, L1VMM_REG_RCX, .seg = -1 },
	{ "mov [rax], rcx", 8, "\x48\x89\x08", 3, L1VMM_INSN_STORE, 3, 8, 8, L1VMM_REG_RCX, .seg = -1 },
	{ "mov [r12+r13*4+0x10], r15", 8, "\x4f\x89\x7c\xac\x10", 5,
	  L1VMM_INSN_STORE, 5, 8, 8, L1VMM_REG_R15, .seg = -1 },
	{ "mov edx, [rip+0x1000]", 8, "\x8b\x15\x00\x10\x00\x00", 6,
	  L1VMM_INSN_LOAD, 6, 4, 4, L1VMM_REG_RDX, .seg = -1 },
	{ "mov esi, [rbx+0x12345678]", 8, "\x8b\xb3\x78\x56\x34\x12", 6,
	  L1VMM_INSN_LOAD, 6, 4, 4, L1VMM_REG_RSI, .seg = -1 },
	{ "mov eax, [0x1000] (SIB, no base)", 8, "\x8b\x04\x25\x00\x10\x00\x00", 7,
	  L1VMM_INSN_LOAD, 7, 4, 4, L1VMM_REG_RAX, .seg = -1 },
	{ "mov al, [rdi]", 8, "\x8a\x07", 2, L1VMM_INSN_LOAD, 2, 1, 1, L1VMM_REG_RAX, .seg = -1 },
	{ "mov byte [rax], 0x80", 8, "\xc6\x00\x80", 3, L1VMM_INSN_STORE_IMM, 3, 1, 0, 0,
	  .imm = 0xffffffffffffff80ull, .seg = -1 },
	{ "mov word [rax], 0x1234", 8, "\x66\xc7\x00\x34\x12", 5, L1VMM_INSN_STORE_IMM,
	  5, 2, 0, 0, .imm = 0x1234, .seg = -1 },
	{ "mov qword [rax], -2", 8, "\x48\xc7\x00\xfe\xff\xff\xff", 7,
	  L1VMM_INSN_STORE_IMM, 7, 8, 0, 0, .imm = 0xfffffffffffffffeull, .seg = -1 },
	{ "movzx ecx, byte [rax]", 8, "\x0f\xb6\x08", 3, L1VMM_INSN_LOAD, 3, 1, 4, L1VMM_REG_RCX, .seg = -1 },
	{ "movzx r8, word [rax]", 8, "\x4c\x0f\xb7\x00", 4, L1VMM_INSN_LOAD, 4, 2, 8, L1VMM_REG_R8, .seg = -1 },
	{ "movsx rdx, byte [rax]", 8, "\x48\x0f\xbe\x10", 4, L1VMM_INSN_LOAD, 4, 1, 8,
	  L1VMM_REG_RDX, .sign_extend = true, .seg = -1 },
	{ "movsx ax, word [rax] (66)", 8, "\x66\x0f\xbf\x00", 4, L1VMM_INSN_LOAD, 4, 2, 2,
	  L1VMM_REG_RAX, .sign_extend = true, .seg = -1 },
	{ "mov rax, [moffs64]", 8, "\x48\xa1\x01\x02\x03\x04\x05\x06\x07\x08", 10, L1VMM_INSN_LOAD, 10, 8, 8,
	  L1VMM_REG_RAX, .seg = -1 },
	{ "mov [moffs32], al (67)", 8, "\x67\xa2\x01\x02\x03\x04", 6, L1VMM_INSN_STORE, 6, 1, 1,
	  L1VMM_REG_RAX, .seg = -1 },
	{ "mov eax, gs:[rax]", 8, "\x65\x8b\x00", 3, L1VMM_INSN_LOAD, 3, 4, 4, L1VMM_REG_RAX,
	  .seg = L1VMM_SEG_GS },
	/* 32-bit code. */
	{ "mov [ebx], eax (32)", 4, "\x89\x03", 2, L1VMM_INSN_STORE, 2, 4, 4, L1VMM_REG_RAX, .seg = -1 },
	{ "mov [ebx], ax (32)", 4, "\x66\x89\x03", 3, L1VMM_INSN_STORE, 3, 2, 2, L1VMM_REG_RAX, .seg = -1 },
	{ "mov eax, [moffs32] (32)", 4, "\xa1\x00\x00\x00\xc0", 5, L1VMM_INSN_LOAD, 5, 4, 4,
	  L1VMM_REG_RAX, .seg = -1 },
	{ "mov dword [0xc0000000], imm (32)", 4, "\xc7\x05\x00\x00\x00\xc0\x78\x56\x34\x12", 10,
	  L1VMM_INSN_STORE_IMM, 10, 4, 0, 0, .imm = 0x12345678, .seg = -1 },
	{ "inc eax is REX in 64-bit only: 0x40 (32) is not a prefix", 4, "\x8b\x00", 2,
	  L1VMM_INSN_LOAD, 2, 4, 4, L1VMM_REG_RAX, .seg = -1 },
	/* 16-bit code. */
	{ "mov [bx+si], al (16)", 2, "\x88\x00", 2, L1VMM_INSN_STORE, 2, 1, 1, L1VMM_REG_RAX, .seg = -1 },
	{ "mov ax, [0x1234] (16)", 2, "\x8b\x06\x34\x12", 4, L1VMM_INSN_LOAD, 4, 2, 2,
	  L1VMM_REG_RAX, .seg = -1 },
	{ "mov eax, [bx+0x10] (16, 66)", 2, "\x66\x8b\x47\x10", 4, L1VMM_INSN_LOAD, 4, 4, 4,
	  L1VMM_REG_RAX, .seg = -1 },
	{ "mov [es:di+0x1000], cx (16)", 2, "\x26\x89\x8d\x00\x10", 5, L1VMM_INSN_STORE, 5, 2, 2,
	  L1VMM_REG_RCX, .seg = L1VMM_SEG_ES },
	{ "mov [eax], ecx (16, 66 67)", 2, "\x66\x67\x89\x08", 4, L1VMM_INSN_STORE, 4, 4, 4,
	  L1VMM_REG_RCX, .seg = -1 },
};

static void test_supported_forms(void)
{
	size_t i;

	for (i = 0; i < KTAP_ARRAY_SIZE(good); i++) {
		const struct decode_case *c = &good[i];
		struct l1vmm_insn insn;
		int r = l1vmm_insn_decode((const unsigned char *)c->bytes, c->n, c->mode, &insn);

		TEST_ASSERT(r == 0, "%s: decode returned %d", c->what, r);
		TEST_ASSERT(insn.op == c->op, "%s: op %d", c->what, insn.op);
		TEST_ASSERT(insn.len == c->len, "%s: len %u", c->what, insn.len);
		TEST_ASSERT(insn.mem_size == c->mem_size, "%s: mem_size %u", c->what, insn.mem_size);
		if (c->op != L1VMM_INSN_STORE_IMM) {
			TEST_ASSERT(insn.reg_size == c->reg_size, "%s: reg_size %u", c->what,
				    insn.reg_size);
			TEST_ASSERT(insn.reg == c->reg, "%s: reg %u", c->what, insn.reg);
		}
		TEST_ASSERT(insn.high_byte == c->high_byte, "%s: high_byte", c->what);
		TEST_ASSERT(insn.sign_extend == c->sign_extend, "%s: sign_extend", c->what);
		TEST_ASSERT(insn.imm == c->imm, "%s: imm %#llx", c->what,
			    (unsigned long long)insn.imm);
		TEST_ASSERT(insn.seg == c->seg, "%s: seg %d", c->what, insn.seg);
	}
}

struct refuse_case {
	const char *what;
	unsigned int mode;
	const char *bytes;
	unsigned int n;
	int err;
};

static const struct refuse_case bad[] = {
	{ "add [rax], ecx", 8, "\x01\x08", 2, -EINVAL },
	{ "mov eax, ecx (register operand)", 8, "\x8b\xc1", 2, -EINVAL },
	{ "lock mov", 8, "\xf0\x89\x08", 3, -EINVAL },
	{ "rep movsb", 8, "\xf3\xa4", 2, -EINVAL },
	{ "c7 /1 is not MOV", 8, "\xc7\x08\x00\x00\x00\x00", 6, -EINVAL },
	{ "movdqa xmm0, [rax]", 8, "\x66\x0f\x6f\x00", 4, -EINVAL },
	{ "REX before a prefix", 8, "\x48\x66\x89\x08", 4, -EINVAL },
	{ "16 prefixes", 8, "\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x89", 16, -EINVAL },
	{ "truncated after opcode", 8, "\x89", 1, -ENODATA },
	{ "truncated displacement", 8, "\x8b\x80\x00\x10", 4, -ENODATA },
	{ "truncated immediate", 4, "\xc7\x00\x01\x02", 4, -ENODATA },
	{ "nothing", 8, "\x90", 1, -EINVAL },
};

static void test_refused_forms(void)
{
	size_t i;

	for (i = 0; i < KTAP_ARRAY_SIZE(bad); i++) {
		struct l1vmm_insn insn;
		int r = l1vmm_insn_decode((const unsigned char *)bad[i].bytes, bad[i].n, bad[i].mode, &insn);

		TEST_ASSERT(r == bad[i].err, "%s: wanted %d, got %d", bad[i].what, bad[i].err, r);
	}
	ASSERT_EQ(-EINVAL, l1vmm_insn_decode((const unsigned char *)"\x89\x08", 2, 3,
					     &(struct l1vmm_insn){ 0 }));
}

static void test_load_results(void)
{
	struct l1vmm_insn insn;
	unsigned long old = 0x1122334455667788ul;

	/* mov al, [m]: only AL changes. */
	l1vmm_insn_decode((const unsigned char *)"\x8a\x00", 2, 8, &insn);
	ASSERT_EQ(0x11223344556677aaul, l1vmm_insn_load_result(&insn, old, 0xaa));
	/* mov ah, [m] (no REX): bits 15:8. */
	l1vmm_insn_decode((const unsigned char *)"\x8a\x20", 2, 8, &insn);
	ASSERT_EQ(L1VMM_REG_RAX, insn.reg);
	ASSERT_EQ(0x112233445566aa88ul, l1vmm_insn_load_result(&insn, old, 0xaa));
	/* mov ax, [m]: AX only. */
	l1vmm_insn_decode((const unsigned char *)"\x66\x8b\x00", 3, 8, &insn);
	ASSERT_EQ(0x112233445566beeful, l1vmm_insn_load_result(&insn, old, 0xbeef));
	/* mov eax, [m]: zero-extends. */
	l1vmm_insn_decode((const unsigned char *)"\x8b\x00", 2, 8, &insn);
	ASSERT_EQ(0xdeadbeeful, l1vmm_insn_load_result(&insn, old, 0xdeadbeef));
	/* movsx rax, byte [m]. */
	l1vmm_insn_decode((const unsigned char *)"\x48\x0f\xbe\x00", 4, 8, &insn);
	ASSERT_EQ(0xffffffffffffff80ul, l1vmm_insn_load_result(&insn, old, 0x80));
	/* movsx ax, byte [m]: AX only, sign-extended to 16 bits. */
	l1vmm_insn_decode((const unsigned char *)"\x66\x0f\xbe\x00", 4, 8, &insn);
	ASSERT_EQ(0x112233445566ff80ul, l1vmm_insn_load_result(&insn, old, 0x80));
	/* movzx eax, word [m]: ignores data beyond the access size. */
	l1vmm_insn_decode((const unsigned char *)"\x0f\xb7\x00", 3, 8, &insn);
	ASSERT_EQ(0x8000ul, l1vmm_insn_load_result(&insn, old, 0xffff8000));
}

static void test_store_values(void)
{
	unsigned long regs[L1VMM_NR_REGS] = { 0 };
	struct l1vmm_insn insn;

	regs[L1VMM_REG_RBX] = 0x1122334455667788ul;
	l1vmm_insn_decode((const unsigned char *)"\x88\x38", 2, 8, &insn);	/* bh */
	ASSERT_EQ(0x77, l1vmm_insn_store_value(&insn, regs));
	l1vmm_insn_decode((const unsigned char *)"\x88\x18", 2, 8, &insn);	/* bl */
	ASSERT_EQ(0x88, l1vmm_insn_store_value(&insn, regs));
	l1vmm_insn_decode((const unsigned char *)"\x66\x89\x18", 3, 8, &insn);	/* bx */
	ASSERT_EQ(0x7788, l1vmm_insn_store_value(&insn, regs));
	l1vmm_insn_decode((const unsigned char *)"\x89\x18", 2, 8, &insn);	/* ebx */
	ASSERT_EQ(0x55667788, l1vmm_insn_store_value(&insn, regs));
	l1vmm_insn_decode((const unsigned char *)"\x48\x89\x18", 3, 8, &insn);	/* rbx */
	ASSERT_EQ(0x1122334455667788ul, l1vmm_insn_store_value(&insn, regs));
	l1vmm_insn_decode((const unsigned char *)"\xc6\x00\x80", 3, 8, &insn);
	ASSERT_EQ(0x80, l1vmm_insn_store_value(&insn, regs));
}

static void test_merge_reg(void)
{
	ASSERT_EQ(0xffffffffffff0012ul, l1vmm_merge_reg(~0ul, 0x12, 2));
	ASSERT_EQ(0x12ul, l1vmm_merge_reg(~0ul, 0x12, 4));
	ASSERT_EQ(0xffffffffffffff34ul, l1vmm_merge_reg(~0ul, 0x1234, 1));
	ASSERT_EQ(0x1234ul, l1vmm_merge_reg(~0ul, 0x1234, 8));
}

static int seg_of(const char *bytes, unsigned int n)
{
	struct l1vmm_prefixes p;

	l1vmm_insn_prefixes((const unsigned char *)bytes, n, &p);
	return p.seg;
}

static void test_prefixes(void)
{
	struct l1vmm_prefixes p;

	ASSERT_EQ(-1, seg_of("\xf3\x6e", 2));
	ASSERT_EQ(L1VMM_SEG_FS, seg_of("\x64\xf3\x6e", 3));
	/* The last override wins; bytes after the prefixes do not count. */
	ASSERT_EQ(L1VMM_SEG_SS, seg_of("\x2e\x36\x6e\x65", 4));
	ASSERT_EQ(L1VMM_SEG_ES, seg_of("\x66\x26", 2));
	ASSERT_EQ(-1, seg_of("\x65", 0));
	l1vmm_insn_prefixes((const unsigned char *)"\xf3\x67\x6c", 3, &p);
	ASSERT_EQ(true, p.addr_size_override);
	l1vmm_insn_prefixes((const unsigned char *)"\xf3\x6c\x67", 3, &p);
	ASSERT_EQ(false, p.addr_size_override);
	ASSERT_EQ(8, l1vmm_addr_size(8, false));
	ASSERT_EQ(4, l1vmm_addr_size(8, true));
	ASSERT_EQ(4, l1vmm_addr_size(4, false));
	ASSERT_EQ(2, l1vmm_addr_size(4, true));
	ASSERT_EQ(2, l1vmm_addr_size(2, false));
	ASSERT_EQ(4, l1vmm_addr_size(2, true));
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_supported_forms),
	KTAP_CASE(test_refused_forms),
	KTAP_CASE(test_load_results),
	KTAP_CASE(test_store_values),
	KTAP_CASE(test_merge_reg),
	KTAP_CASE(test_prefixes),
};

int main(void)
{
	return ktap_run("insn_decode", tests, KTAP_ARRAY_SIZE(tests));
}
