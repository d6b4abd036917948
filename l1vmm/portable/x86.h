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
#define L1VMM_CR4_LA57		BIT_ULL(12)

#define L1VMM_EFER_SCE		BIT_ULL(0)
#define L1VMM_EFER_LME		BIT_ULL(8)
#define L1VMM_EFER_LMA		BIT_ULL(10)
#define L1VMM_EFER_NXE		BIT_ULL(11)
#define L1VMM_EFER_SVME		BIT_ULL(12)

#define L1VMM_NMI_VECTOR	2

#endif /* L1VMM_PORTABLE_X86_H */
