/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * asm/rex2.h's macros, assembled for every R16-R31 and a few bases and
 * displacements, into tables that selftests/unit/test_rex2.c checks.
 * The loops here must produce the rows in the order the test expects:
 * n = 0..15, then base, then displacement (REX2_SAMPLE_* below).
 */
#include "asm/rex2.h"

	.section .rodata
	.balign 8

/* 8 bytes per row: 2 prefix, opcode, ModRM, disp32. */
	.globl rex2_to_mem
rex2_to_mem:
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.irp base, 0, 3, 6, 7
	.irp disp, 0, 0x88, -8, 0x12345678
	REX2_MOV_TO_MEM \n, \base, \disp
	.endr
	.endr
	.endr

	.globl rex2_from_mem
rex2_from_mem:
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.irp base, 0, 3, 6, 7
	.irp disp, 0, 0x88, -8, 0x12345678
	REX2_MOV_FROM_MEM \n, \base, \disp
	.endr
	.endr
	.endr

/* 4 bytes per row. */
	.globl rex2_zero
rex2_zero:
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	REX2_ZERO \n
	.endr

	.section .note.GNU-stack, "", @progbits
