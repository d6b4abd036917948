/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's MTRRs, kept per vCPU as KVM keeps them (arch/x86/kvm/mtrr.c):
 * MTRRcap (read-only), MTRRdefType, 8 variable ranges and the 11 fixed-range
 * MSRs, with KVM's value rules. They are storage only: with nested paging
 * the guest's memory types come from its PAT and page tables, and KVM on
 * AMD ignores the guest's MTRRs as well (doc/abi.md). Portable: unit-tested.
 */
#ifndef L1VMM_MTRR_H
#define L1VMM_MTRR_H

#include "l1vmm/portable/portable.h"

#define L1VMM_MSR_MTRRCAP		0x000000fe
#define L1VMM_MSR_MTRR_PHYSBASE0	0x00000200
#define L1VMM_MSR_MTRR_FIX64K_00000	0x00000250
#define L1VMM_MSR_MTRR_FIX16K_80000	0x00000258
#define L1VMM_MSR_MTRR_FIX16K_A0000	0x00000259
#define L1VMM_MSR_MTRR_FIX4K_C0000	0x00000268
#define L1VMM_MSR_MTRR_FIX4K_F8000	0x0000026f
#define L1VMM_MSR_MTRR_DEF_TYPE		0x000002ff

/* KVM_NR_VAR_MTRR: each range is a PHYSBASE, PHYSMASK pair from 0x200. */
#define L1VMM_MTRR_NR_VAR		8
#define L1VMM_MTRR_NR_FIXED		11

/* What RDMSR of MTRRcap gives, as in KVM: VCNT 8, FIX, WC; no SMRR. */
#define L1VMM_MTRRCAP_VALUE		(0x500 | L1VMM_MTRR_NR_VAR)

/* Slots of struct l1vmm_mtrr: the variable MSRs, the fixed ones, defType. */
#define L1VMM_MTRR_SLOT_FIXED		(2 * L1VMM_MTRR_NR_VAR)
#define L1VMM_MTRR_SLOT_DEF_TYPE	(L1VMM_MTRR_SLOT_FIXED + L1VMM_MTRR_NR_FIXED)
#define L1VMM_MTRR_NR_SLOTS		(L1VMM_MTRR_SLOT_DEF_TYPE + 1)

/* All zeros after RESET and kept by INIT, as in KVM. */
struct l1vmm_mtrr {
	u64 msr[L1VMM_MTRR_NR_SLOTS];
};

/* Where MSR @index lives in struct l1vmm_mtrr, or -1 (MTRRcap: -1 too). */
int l1vmm_mtrr_slot(u32 index);

/*
 * May MTRR @index take @val? As KVM's kvm_mtrr_valid(): every memory type
 * field UC, WC, WT, WP or WB; defType bits other than type, FE and E
 * clear; in a PHYSBASE bits 11:8, in a PHYSMASK bits 10:0, and in both
 * the bits from the guest's MAXPHYADDR (@maxphyaddr) up clear.
 */
bool l1vmm_mtrr_valid(u32 index, u64 val, unsigned int maxphyaddr);

/* 0 and the value, or 1 when @index is not an MTRR (KVM's kvm_mtrr_get_msr()). */
int l1vmm_mtrr_get(const struct l1vmm_mtrr *m, u32 index, u64 *val, unsigned int maxphyaddr);

/* 0, or 1 when @index is not a writable MTRR or @val is refused. */
int l1vmm_mtrr_set(struct l1vmm_mtrr *m, u32 index, u64 val, unsigned int maxphyaddr);

/*
 * The guest's MAXPHYADDR as KVM takes it from its CPUID (cpuid_query_maxphyaddr()):
 * 0x80000008 EAX[7:0] when the table has leaves 0x80000000 (@has_ext0, its
 * EAX @max_ext reaching 0x80000008) and 0x80000008 (@has_ext8, its EAX
 * @ext8_eax), else 36.
 */
static inline unsigned int l1vmm_guest_maxphyaddr(bool has_ext0, u32 max_ext,
						  bool has_ext8, u32 ext8_eax)
{
	if (!has_ext0 || max_ext < 0x80000008 || !has_ext8)
		return 36;
	return ext8_eax & 0xff;
}

#endif /* L1VMM_MTRR_H */
