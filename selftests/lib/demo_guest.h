/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The demo L2 guest, 64-bit code assembled by hand (binutils needs no part
 * in it): print a greeting on the serial port (0x3f8, one OUT per byte),
 * run CPUID leaf 0x40000000 and report EBX on port 0x10, make hypercall
 * 12345 and report RAX on port 0x11 (as two 32-bit OUTs: 0x11 low, 0x12
 * high), then HLT. Shared by the longmode selftest and tools/l1vmm-demo.
 */
#ifndef L1VMM_DEMO_GUEST_H
#define L1VMM_DEMO_GUEST_H

#define DEMO_SERIAL_PORT	0x3f8
#define DEMO_CPUID_PORT		0x10
#define DEMO_HCALL_LO_PORT	0x11
#define DEMO_HCALL_HI_PORT	0x12
#define DEMO_HYPERCALL_NR	12345
#define DEMO_CPUID_SIGNATURE	0x6d76316c	/* "l1vm" */
#define DEMO_GREETING		"Hello from an L2 guest!\n"

static const unsigned char demo_guest_code[] = {
	0x48, 0x8d, 0x35, 0x2c, 0x00, 0x00, 0x00, /*  0: lea rsi, [rip + msg] (51 - 7) */
	0x66, 0xba, 0xf8, 0x03,		/*  7: mov dx, 0x3f8 */
	0xac,				/* 11: lodsb */
	0x84, 0xc0,			/* 12: test al, al */
	0x74, 0x03,			/* 14: jz 19 */
	0xee,				/* 16: out dx, al */
	0xeb, 0xf8,			/* 17: jmp 11 */
	0xb8, 0x00, 0x00, 0x00, 0x40,	/* 19: mov eax, 0x40000000 */
	0x0f, 0xa2,			/* 24: cpuid */
	0x89, 0xd8,			/* 26: mov eax, ebx */
	0xe7, 0x10,			/* 28: out 0x10, eax */
	0xb8, 0x39, 0x30, 0x00, 0x00,	/* 30: mov eax, 12345 */
	0x0f, 0x01, 0xd9,		/* 35: vmmcall */
	0xe7, 0x11,			/* 38: out 0x11, eax */
	0x48, 0xc1, 0xe8, 0x20,		/* 40: shr rax, 32 */
	0xe7, 0x12,			/* 44: out 0x12, eax */
	0xf4,				/* 46: hlt */
	0x90, 0x90, 0x90, 0x90,		/* 47: padding */
	/* 51: msg */
	'H', 'e', 'l', 'l', 'o', ' ', 'f', 'r', 'o', 'm', ' ', 'a', 'n', ' ',
	'L', '2', ' ', 'g', 'u', 'e', 's', 't', '!', '\n', 0,
};

#endif /* L1VMM_DEMO_GUEST_H */
