/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hand-encoded APX instructions on R16-R31, for assemblers that do not
 * know APX (binutils 2.40). Assembler macros only: included by
 * asm/svm_vmenter.S and by the unit test that checks the bytes against
 * the APX specification (selftests/unit/test_rex2.c).
 *
 * REX2 (APX spec, 3.1.2.1) is the byte 0xd5 followed by a payload:
 *
 *	bit  7   6   5   4   3   2   1   0
 *	     M0  R4  X4  B4  W   R3  X3  B3
 *
 * R4:R3 extend ModRM.reg, B4:B3 extend ModRM.rm (or SIB.base), X4:X3
 * SIB.index; M0 = 0 selects the legacy map 0, where MOV is 0x89/0x8b and
 * XOR 0x31. W = 1 is a 64-bit operand. Here @n is 0..15 for R16..R31 (so
 * R4 is always set and R3 is bit 3 of @n), and @base is a legacy GPR
 * number 0..7 other than RSP (4), which would need a SIB byte: an address
 * is disp32(base), ModRM.mod = 10b.
 */
#ifndef L1VMM_ASM_REX2_H
#define L1VMM_ASM_REX2_H

#define REX2_PREFIX	0xd5
#define REX2_R4		0x40
#define REX2_B4		0x10
#define REX2_W		0x08
#define REX2_R3		0x04
#define REX2_B3		0x01

.macro REX2_CHECK n:req, base:req
	.if (\n) < 0 || (\n) > 15
	.error "REX2: R16+n needs n in 0..15"
	.endif
	.if (\base) < 0 || (\base) > 7 || (\base) == 4
	.error "REX2: the base must be a legacy GPR other than RSP"
	.endif
.endm

/* mov %r(16+n), disp32(%base):  REX2.W 89 /r */
.macro REX2_MOV_TO_MEM n:req, base:req, disp:req
	REX2_CHECK \n, \base
	.byte REX2_PREFIX, REX2_R4 | REX2_W | (((\n) >> 3) & 1) * REX2_R3
	.byte 0x89, 0x80 | (((\n) & 7) << 3) | (\base)
	.long \disp
.endm

/* mov disp32(%base), %r(16+n):  REX2.W 8b /r */
.macro REX2_MOV_FROM_MEM n:req, base:req, disp:req
	REX2_CHECK \n, \base
	.byte REX2_PREFIX, REX2_R4 | REX2_W | (((\n) >> 3) & 1) * REX2_R3
	.byte 0x8b, 0x80 | (((\n) & 7) << 3) | (\base)
	.long \disp
.endm

/* xor %r(16+n)d, %r(16+n)d: 31 /r, register to register; zero-extends. */
.macro REX2_ZERO n:req
	REX2_CHECK \n, 0
	.byte REX2_PREFIX, REX2_R4 | REX2_B4 | (((\n) >> 3) & 1) * (REX2_R3 | REX2_B3)
	.byte 0x31, 0xc0 | (((\n) & 7) << 3) | ((\n) & 7)
.endm

#endif /* L1VMM_ASM_REX2_H */
