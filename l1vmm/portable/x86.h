/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The architectural bits the portable code tests, defined once (Intel SDM
 * vol. 3, AMD APM vol. 2): the kernel's names live in headers that do not
 * build in user space.
 */
#ifndef L1VMM_PORTABLE_X86_H
#define L1VMM_PORTABLE_X86_H

#include "l1vmm/portable/portable.h"

#define L1VMM_CR0_PE		BIT_ULL(0)
#define L1VMM_CR0_NW		BIT_ULL(29)
#define L1VMM_CR0_CD		BIT_ULL(30)
#define L1VMM_CR0_PG		BIT_ULL(31)

#define L1VMM_CR4_PSE		BIT_ULL(4)
#define L1VMM_CR4_PAE		BIT_ULL(5)
#define L1VMM_CR4_PGE		BIT_ULL(7)
#define L1VMM_CR4_LA57		BIT_ULL(12)
#define L1VMM_CR4_FSGSBASE	BIT_ULL(16)
#define L1VMM_CR4_PCIDE		BIT_ULL(17)
#define L1VMM_CR4_OSXSAVE	BIT_ULL(18)
#define L1VMM_CR4_SMEP		BIT_ULL(20)
#define L1VMM_CR4_SMAP		BIT_ULL(21)
/* With CR4.PCIDE, CR3 bits 11:0 are the current PCID. */
#define L1VMM_CR3_PCID		0xfffULL
/* CR8 holds the task priority, bits 3:0; the rest is reserved. */
#define L1VMM_CR8_TPR		0xfULL

/* The CPUID feature bits of those CR4 bits (SDM vol. 2, CPUID). */
#define L1VMM_CPUID_1_ECX_PCID		BIT(17)
#define L1VMM_CPUID_1_ECX_XSAVE		BIT(26)
#define L1VMM_CPUID_7_EBX_FSGSBASE	BIT(0)
#define L1VMM_CPUID_7_EBX_SMEP		BIT(7)
#define L1VMM_CPUID_7_EBX_SMAP		BIT(20)

#define L1VMM_EFER_SCE		BIT_ULL(0)
#define L1VMM_EFER_LME		BIT_ULL(8)
#define L1VMM_EFER_LMA		BIT_ULL(10)
#define L1VMM_EFER_NXE		BIT_ULL(11)
#define L1VMM_EFER_SVME		BIT_ULL(12)

#define L1VMM_RFLAGS_TF		BIT_ULL(8)
#define L1VMM_RFLAGS_IF		BIT_ULL(9)
#define L1VMM_RFLAGS_VM		BIT_ULL(17)
/* Bit 1 reads as 1; bits 3, 5, 15 and 63:22 are reserved (must be 0). */
#define L1VMM_RFLAGS_FIXED1	BIT_ULL(1)
#define L1VMM_RFLAGS_RESERVED	(BIT_ULL(3) | BIT_ULL(5) | BIT_ULL(15) | ~0x3fffffULL)

/* A segment selector: requested privilege level and table indicator. */
#define L1VMM_SEL_RPL_MASK	0x3
#define L1VMM_SEL_TI		BIT(2)

#define L1VMM_DB_VECTOR		1
#define L1VMM_NMI_VECTOR	2
#define L1VMM_DF_VECTOR		8
#define L1VMM_TS_VECTOR		10
#define L1VMM_NP_VECTOR		11
#define L1VMM_SS_VECTOR		12
#define L1VMM_GP_VECTOR		13
#define L1VMM_PF_VECTOR		14
#define L1VMM_AC_VECTOR		17
#define L1VMM_MC_VECTOR		18

#endif /* L1VMM_PORTABLE_X86_H */
