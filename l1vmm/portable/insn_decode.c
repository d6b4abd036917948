// SPDX-License-Identifier: GPL-2.0-only
/*
 * MOV-form decoder for MMIO emulation; see insn_decode.h. Opcodes and
 * ModRM/SIB rules from the Intel SDM vol. 2, chapter 2, and the AMD APM
 * vol. 3, chapter 1. The ModRM register numbering is the GPR order of
 * l1vmm/regs.h (RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8..R15).
 */
#include "l1vmm/portable/insn_decode.h"
#include "l1vmm/portable/regs.h"

struct decoder {
	const u8 *bytes;
	unsigned int avail;
	unsigned int pos;
	int err;
};

static u8 next_byte(struct decoder *d)
{
	if (d->pos >= L1VMM_MAX_INSN_LEN) {
		d->err = -EINVAL;	/* longer than any instruction */
		return 0;
	}
	if (d->pos >= d->avail) {
		if (!d->err)
			d->err = -ENODATA;
		return 0;
	}
	return d->bytes[d->pos++];
}

/* A little-endian immediate or displacement of @size bytes. */
static u64 next_bytes(struct decoder *d, unsigned int size)
{
	u64 val = 0;
	unsigned int i;

	for (i = 0; i < size; i++)
		val |= (u64)next_byte(d) << (8 * i);
	return val;
}

static u64 sign_extend(u64 val, unsigned int size)
{
	unsigned int shift = 64 - 8 * size;

	return (u64)((s64)(val << shift) >> shift);
}

/* Skip the memory operand after ModRM; -EINVAL for a register operand. */
static int skip_modrm_memory(struct decoder *d, u8 modrm, unsigned int addr_size)
{
	unsigned int mod = modrm >> 6, rm = modrm & 7;

	if (mod == 3)
		return -EINVAL;
	if (addr_size == 2) {
		if (mod == 1)
			next_bytes(d, 1);
		else if (mod == 2 || (mod == 0 && rm == 6))
			next_bytes(d, 2);
		return 0;
	}
	if (rm == 4) {
		u8 sib = next_byte(d);

		if (mod == 0 && (sib & 7) == 5)
			next_bytes(d, 4);
	} else if (mod == 0 && rm == 5) {
		next_bytes(d, 4);	/* disp32, RIP-relative in 64-bit mode */
	}
	if (mod == 1)
		next_bytes(d, 1);
	else if (mod == 2)
		next_bytes(d, 4);
	return 0;
}

static int seg_of_prefix(u8 b)
{
	switch (b) {
	case 0x26: return L1VMM_SEG_ES;
	case 0x2e: return L1VMM_SEG_CS;
	case 0x36: return L1VMM_SEG_SS;
	case 0x3e: return L1VMM_SEG_DS;
	case 0x64: return L1VMM_SEG_FS;
	case 0x65: return L1VMM_SEG_GS;
	default: return -1;
	}
}

static bool is_prefix(u8 b)
{
	return seg_of_prefix(b) >= 0 || b == 0x66 || b == 0x67 || b == 0xf0 ||
	       b == 0xf2 || b == 0xf3;
}

void l1vmm_insn_prefixes(const u8 *bytes, unsigned int avail,
			 struct l1vmm_prefixes *prefixes)
{
	unsigned int i;

	*prefixes = (struct l1vmm_prefixes){ .seg = -1 };
	for (i = 0; i < avail && i < L1VMM_MAX_INSN_LEN && is_prefix(bytes[i]); i++) {
		if (seg_of_prefix(bytes[i]) >= 0)
			prefixes->seg = seg_of_prefix(bytes[i]);
		else if (bytes[i] == 0x67)
			prefixes->addr_size_override = true;
	}
}

unsigned int l1vmm_addr_size(unsigned int mode, bool override)
{
	if (mode == 8)
		return override ? 4 : 8;
	return (mode == 4) != override ? 4 : 2;
}

int l1vmm_insn_decode(const u8 *bytes, unsigned int avail, unsigned int mode,
		      struct l1vmm_insn *insn)
{
	struct decoder d = { .bytes = bytes, .avail = avail };
	bool opsize_prefix = false, addrsize_prefix = false;
	unsigned int op_size, addr_size, modrm_reg;
	u8 b, rex = 0, modrm = 0;
	bool has_modrm = true;

	if (mode != 2 && mode != 4 && mode != 8)
		return -EINVAL;
	*insn = (struct l1vmm_insn){ .seg = -1 };

	/* Legacy prefixes. */
	b = next_byte(&d);
	while (!d.err && is_prefix(b)) {
		if (b == 0x66)
			opsize_prefix = true;
		else if (b == 0x67)
			addrsize_prefix = true;
		else if (seg_of_prefix(b) >= 0)
			insn->seg = seg_of_prefix(b);
		else
			return -EINVAL;	/* LOCK/REP: not a plain MOV */
		b = next_byte(&d);
	}
	if (d.err)
		return d.err;
	/* REX, in 64-bit mode, counts only right before the opcode. */
	if (mode == 8 && (b & 0xf0) == 0x40) {
		rex = b;
		b = next_byte(&d);
		if (is_prefix(b) || (b & 0xf0) == 0x40)
			return d.err ? d.err : -EINVAL;
	}

	if (mode == 8)
		op_size = (rex & 0x08) ? 8 : opsize_prefix ? 2 : 4;
	else
		op_size = (mode == 4) != opsize_prefix ? 4 : 2;
	addr_size = l1vmm_addr_size(mode, addrsize_prefix);

	switch (b) {
	case 0x88:	/* mov r/m8, r8 */
	case 0x8a:	/* mov r8, r/m8 */
		insn->op = b == 0x88 ? L1VMM_INSN_STORE : L1VMM_INSN_LOAD;
		insn->mem_size = insn->reg_size = 1;
		break;
	case 0x89:	/* mov r/m, r */
	case 0x8b:	/* mov r, r/m */
		insn->op = b == 0x89 ? L1VMM_INSN_STORE : L1VMM_INSN_LOAD;
		insn->mem_size = insn->reg_size = op_size;
		break;
	case 0xc6:	/* mov r/m8, imm8 */
	case 0xc7:	/* mov r/m, imm16/32 */
		insn->op = L1VMM_INSN_STORE_IMM;
		insn->mem_size = b == 0xc6 ? 1 : op_size;
		break;
	case 0xa0:	/* mov al, moffs8 */
	case 0xa1:	/* mov eax, moffs */
	case 0xa2:	/* mov moffs8, al */
	case 0xa3:	/* mov moffs, eax */
		insn->op = b & 2 ? L1VMM_INSN_STORE : L1VMM_INSN_LOAD;
		insn->mem_size = insn->reg_size = b & 1 ? op_size : 1;
		insn->reg = L1VMM_REG_RAX;
		has_modrm = false;
		next_bytes(&d, addr_size);	/* the offset: the GPA is known */
		break;
	case 0x0f:
		b = next_byte(&d);
		if (b != 0xb6 && b != 0xb7 && b != 0xbe && b != 0xbf)
			return d.err ? d.err : -EINVAL;
		insn->op = L1VMM_INSN_LOAD;
		insn->mem_size = b & 1 ? 2 : 1;
		insn->reg_size = op_size;
		insn->sign_extend = b & 8;
		break;
	default:
		return d.err ? d.err : -EINVAL;
	}

	if (has_modrm) {
		int r;

		modrm = next_byte(&d);
		if (d.err)
			return d.err;
		r = skip_modrm_memory(&d, modrm, addr_size);
		if (r)
			return r;
		modrm_reg = ((modrm >> 3) & 7) | (rex & 0x04 ? 8 : 0);
		if (insn->op == L1VMM_INSN_STORE_IMM) {
			if ((modrm >> 3) & 7)
				return -EINVAL;	/* C6/C7 /1../7 are not MOV */
		} else {
			insn->reg = modrm_reg;
			/* Without REX, byte registers 4..7 are AH, CH, DH, BH. */
			if (insn->reg_size == 1 && !rex && modrm_reg >= 4) {
				insn->high_byte = true;
				insn->reg = modrm_reg - 4;
			}
		}
	}
	if (insn->op == L1VMM_INSN_STORE_IMM) {
		unsigned int imm_size = insn->mem_size == 8 ? 4 : insn->mem_size;

		insn->imm = sign_extend(next_bytes(&d, imm_size), imm_size);
	}
	if (d.err)
		return d.err;
	insn->len = d.pos;
	return 0;
}

u64 l1vmm_size_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

u64 l1vmm_insn_store_value(const struct l1vmm_insn *insn, const unsigned long *regs)
{
	if (insn->op == L1VMM_INSN_STORE_IMM)
		return insn->imm & l1vmm_size_mask(insn->mem_size);
	if (insn->high_byte)
		return (regs[insn->reg] >> 8) & 0xff;
	return regs[insn->reg] & l1vmm_size_mask(insn->mem_size);
}

unsigned long l1vmm_merge_reg(unsigned long old, u64 val, unsigned int size)
{
	if (size >= 4)
		return val & l1vmm_size_mask(size);	/* 32-bit writes zero-extend */
	return (old & ~l1vmm_size_mask(size)) | (val & l1vmm_size_mask(size));
}

unsigned long l1vmm_insn_load_result(const struct l1vmm_insn *insn, unsigned long old,
				     u64 data)
{
	data &= l1vmm_size_mask(insn->mem_size);
	if (insn->high_byte)
		return (old & ~0xff00UL) | (unsigned long)(data << 8);
	if (insn->sign_extend)
		data = sign_extend(data, insn->mem_size);
	return l1vmm_merge_reg(old, data, insn->reg_size);
}
