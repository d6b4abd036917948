/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Decoding MOV to a control register (0F 22 /r, REX.R for CR8 and up;
 * outside 64-bit code AMD's LOCK MOV CR0 form of CR8, F0 0F 22 /r), for
 * the writes SVM intercepts: CR8 while an interrupt waits below the TPR
 * (l1vmm/lapic.c), CR4 always (l1vmm/cr4_write.c). Which general register
 * holds the value: without the CPU's decode assists (QEMU's and Bochs's
 * SVM have none) only the instruction says. Portable, tested by
 * test_mov_cr.
 */
#ifndef L1VMM_PORTABLE_MOV_CR_H
#define L1VMM_PORTABLE_MOV_CR_H

#include "l1vmm/portable/mov_dr.h"

struct l1vmm_mov_cr {
	unsigned int len;	/* bytes, prefixes included */
	u8 gpr;			/* L1VMM_REG_* numbering: ModRM.rm, REX.B */
};

/*
 * Decode the @n bytes at @bytes, fetched at RIP; @long_mode: 64-bit code,
 * where REX prefixes exist. ModRM.mod is ignored, as the CPU ignores it.
 * Returns 0, or -EINVAL when the bytes are not a MOV to CR@want.
 */
static inline int l1vmm_decode_mov_to_cr(const u8 *bytes, unsigned int n, bool long_mode,
					 unsigned int want, struct l1vmm_mov_cr *insn)
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
	if (cr != want)
		return -EINVAL;
	insn->gpr = (modrm & 7) | ((rex & 1) << 3);
	insn->len = i + 3;
	return 0;
}

#endif /* L1VMM_PORTABLE_MOV_CR_H */
