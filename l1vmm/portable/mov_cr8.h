/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Decoding MOV to CR8 (0F 22 /r with REX.R; outside 64-bit code AMD's
 * LOCK MOV CR0 form, F0 0F 22 /r), for the guest's CR8 writes l1vmm
 * intercepts while an interrupt waits below the TPR (l1vmm/lapic.c): which
 * general register holds the value. Without the CPU's decode assists
 * (QEMU's emulator has none) only the instruction says. Portable, tested
 * by test_mov_cr8.
 */
#ifndef L1VMM_PORTABLE_MOV_CR8_H
#define L1VMM_PORTABLE_MOV_CR8_H

#include "l1vmm/portable/mov_dr.h"

struct l1vmm_mov_cr8 {
	unsigned int len;	/* bytes, prefixes included */
	u8 gpr;			/* L1VMM_REG_* numbering: ModRM.rm, REX.B */
};

/*
 * Decode the @n bytes at @bytes, fetched at RIP; @long_mode: 64-bit code,
 * where REX prefixes exist. ModRM.mod is ignored, as the CPU ignores it.
 * Returns 0, or -EINVAL when the bytes are not a MOV to CR8.
 */
static inline int l1vmm_decode_mov_cr8(const u8 *bytes, unsigned int n, bool long_mode,
				       struct l1vmm_mov_cr8 *insn)
{
	unsigned int i = 0, cr;
	bool lock = false;
	u8 rex = 0, modrm;

	if (n > L1VMM_MOV_DR_MAX_LEN)
		n = L1VMM_MOV_DR_MAX_LEN;
	while (i < n && l1vmm_is_legacy_prefix(bytes[i]))
		lock |= bytes[i++] == 0xf0;
	/* A REX prefix counts only right before the opcode. */
	if (long_mode && i < n && (bytes[i] & 0xf0) == 0x40)
		rex = bytes[i++];
	if (i + 3 > n || bytes[i] != 0x0f || bytes[i + 1] != 0x22)
		return -EINVAL;
	modrm = bytes[i + 2];
	cr = ((modrm >> 3) & 7) | ((rex & 4) << 1);
	if (lock && cr == 0)
		cr = 8;
	if (cr != 8)
		return -EINVAL;
	insn->gpr = (modrm & 7) | ((rex & 1) << 3);
	insn->len = i + 3;
	return 0;
}

#endif /* L1VMM_PORTABLE_MOV_CR8_H */
