/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The instruction decoder behind MMIO emulation: it knows the MOV forms
 * that compilers emit for device registers, and nothing else. Anything it
 * does not know is reported, never guessed. Portable: unit-tested on the
 * host (selftests/unit/test_insn_decode.c).
 */
#ifndef L1VMM_INSN_DECODE_H
#define L1VMM_INSN_DECODE_H

#include "l1vmm/portable/portable.h"

#define L1VMM_MAX_INSN_LEN	15

enum l1vmm_insn_op {
	L1VMM_INSN_LOAD,	/* register <- memory: MOV, MOVZX, MOVSX */
	L1VMM_INSN_STORE,	/* memory <- register */
	L1VMM_INSN_STORE_IMM,	/* memory <- immediate */
};

struct l1vmm_insn {
	enum l1vmm_insn_op op;
	u8 len;			/* bytes, prefixes included */
	u8 mem_size;		/* bytes read or written in memory */
	u8 reg_size;		/* bytes of the register operand */
	u8 reg;			/* GPR, KVM's order (l1vmm/regs.h) */
	bool high_byte;		/* the register is AH, CH, DH or BH */
	bool sign_extend;	/* MOVSX */
	u64 imm;		/* STORE_IMM: the value, already extended */
	int seg;		/* segment override prefix (L1VMM_SEG_*), or -1 */
};

/* Segment numbers of override prefixes, in the SVM/VMX encoding order. */
enum l1vmm_seg {
	L1VMM_SEG_ES, L1VMM_SEG_CS, L1VMM_SEG_SS, L1VMM_SEG_DS,
	L1VMM_SEG_FS, L1VMM_SEG_GS,
};

/*
 * Decode the instruction in @bytes (@avail of them were readable), running
 * with a default operand and address size of @mode bytes (2: 16-bit code,
 * 4: 32-bit code, 8: 64-bit mode). Returns 0, -EINVAL for an instruction
 * that is not one of the supported memory MOV forms, or -ENODATA when
 * @avail ends inside the instruction.
 */
int l1vmm_insn_decode(const u8 *bytes, unsigned int avail, unsigned int mode,
		      struct l1vmm_insn *insn);

/* What the legacy prefixes of any instruction (not only MOV) say. */
struct l1vmm_prefixes {
	int seg;			/* the last segment override, or -1 */
	bool addr_size_override;	/* 0x67 */
};

void l1vmm_insn_prefixes(const u8 *bytes, unsigned int avail,
			 struct l1vmm_prefixes *prefixes);

/* The address size in bytes for code of @mode bytes, with or without 0x67. */
unsigned int l1vmm_addr_size(unsigned int mode, bool override);

/* The value a STORE writes to memory, from the guest's registers. */
u64 l1vmm_insn_store_value(const struct l1vmm_insn *insn, const unsigned long *regs);

/*
 * The new value of the register a LOAD writes, given its old value and the
 * @data read from memory: 8- and 16-bit writes keep the other bits, 32-bit
 * writes zero-extend, as the CPU does.
 */
unsigned long l1vmm_insn_load_result(const struct l1vmm_insn *insn, unsigned long old,
				     u64 data);

/* The low @size bytes (1, 2, 4, 8) of a value. */
u64 l1vmm_size_mask(unsigned int size);

/* Write the low @size bytes of @val over @old, with the CPU's rules as above. */
unsigned long l1vmm_merge_reg(unsigned long old, u64 val, unsigned int size);

#endif /* L1VMM_INSN_DECODE_H */
