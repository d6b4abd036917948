/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Decoding MOV to and from a debug register (0F 21 /r, 0F 23 /r), for the
 * guest's MOV DR that l1vmm emulates while user space debugs the guest
 * (l1vmm/guest_debug.c): which general register it names. The exit says
 * which debug register and which direction; without the CPU's decode
 * assists (QEMU's emulator has none) the instruction says the register.
 * Portable, tested by test_mov_dr.
 */
#ifndef L1VMM_PORTABLE_MOV_DR_H
#define L1VMM_PORTABLE_MOV_DR_H

#include "l1vmm/portable/portable.h"

#define L1VMM_MOV_DR_MAX_LEN	15

struct l1vmm_mov_dr {
	unsigned int len;	/* bytes, prefixes included */
	u8 gpr;			/* L1VMM_REG_* numbering: ModRM.rm, REX.B */
	u8 dr;			/* ModRM.reg */
	bool write;		/* MOV to the debug register (0F 23) */
};

static inline bool l1vmm_is_legacy_prefix(u8 b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
		return true;
	default:
		return false;
	}
}

/*
 * Decode the @n bytes at @bytes, fetched at RIP; @long_mode: 64-bit code,
 * where REX prefixes exist. ModRM.mod is ignored, as the CPU ignores it.
 * Returns 0, or -EINVAL when the bytes are not a MOV DR (REX.R, which
 * would name DR8-DR15, included: the CPU raises #UD for it).
 */
static inline int l1vmm_decode_mov_dr(const u8 *bytes, unsigned int n, bool long_mode,
				      struct l1vmm_mov_dr *insn)
{
	unsigned int i = 0;
	u8 rex = 0, modrm;

	if (n > L1VMM_MOV_DR_MAX_LEN)
		n = L1VMM_MOV_DR_MAX_LEN;
	while (i < n && l1vmm_is_legacy_prefix(bytes[i]))
		i++;
	/* A REX prefix counts only right before the opcode. */
	if (long_mode && i < n && (bytes[i] & 0xf0) == 0x40)
		rex = bytes[i++];
	if (i + 3 > n || bytes[i] != 0x0f || (bytes[i + 1] != 0x21 && bytes[i + 1] != 0x23))
		return -EINVAL;
	if (rex & 0x4)
		return -EINVAL;
	modrm = bytes[i + 2];
	insn->write = bytes[i + 1] == 0x23;
	insn->dr = (modrm >> 3) & 7;
	insn->gpr = (modrm & 7) | ((rex & 1) << 3);
	insn->len = i + 3;
	return 0;
}

#endif /* L1VMM_PORTABLE_MOV_DR_H */
