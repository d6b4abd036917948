/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's machine-check architecture, kept per vCPU as KVM keeps it
 * (arch/x86/kvm/x86.c: set_msr_mce(), get_msr_mce(), KVM_X86_SETUP_MCE,
 * KVM_X86_SET_MCE): MCG_CAP, MCG_STATUS, MCG_CTL and up to 32 banks of
 * CTL, STATUS, ADDR, MISC from 0x400. Nothing but user space raises a
 * machine check in the guest. Portable: unit-tested on the host.
 */
#ifndef L1VMM_MCE_H
#define L1VMM_MCE_H

#include "l1vmm/portable/portable.h"

#define L1VMM_MSR_P5_MC_ADDR		0x00000000
#define L1VMM_MSR_P5_MC_TYPE		0x00000001
#define L1VMM_MSR_MCG_CAP		0x00000179
#define L1VMM_MSR_MCG_STATUS		0x0000017a
#define L1VMM_MSR_MCG_CTL		0x0000017b
#define L1VMM_MSR_MC0_CTL2		0x00000280
#define L1VMM_MSR_MC0_CTL		0x00000400

/* KVM_MAX_MCE_BANKS: KVM_CAP_MCE's answer. */
#define L1VMM_MCE_MAX_BANKS		32

#define L1VMM_MCG_CTL_P			BIT_ULL(8)
#define L1VMM_MCG_CMCI_P		BIT_ULL(10)
#define L1VMM_MCG_SER_P			BIT_ULL(24)
#define L1VMM_MCG_LMCE_P		BIT_ULL(27)
/*
 * KVM_X86_GET_MCE_CAP_SUPPORTED: MCG_CTL_P and MCG_SER_P, kvm-amd's
 * answer; kvm-intel adds LMCE and CMCI, which l1vmm does not offer
 * (doc/abi.md, "On VMX").
 */
#define L1VMM_MCE_CAP_SUPPORTED		(L1VMM_MCG_CTL_P | L1VMM_MCG_SER_P)
/*
 * What MCG_CAP keeps of KVM_X86_SETUP_MCE's value: kvm-amd the count and
 * MCG_CTL_P (svm_setup_mce()), kvm-intel all of it (vmx_setup_mce()).
 */
#define L1VMM_MCG_CAP_KEEP_AMD		0x1ffULL
#define L1VMM_MCG_CAP_KEEP_INTEL	(~0ULL)

#define L1VMM_MCG_STATUS_MCIP		BIT_ULL(2)
#define L1VMM_MCI_STATUS_VAL		BIT_ULL(63)
#define L1VMM_MCI_STATUS_OVER		BIT_ULL(62)
#define L1VMM_MCI_STATUS_UC		BIT_ULL(61)
#define L1VMM_MCI_STATUS_PCC		BIT_ULL(57)
#define L1VMM_MCI_STATUS_S		BIT_ULL(56)
#define L1VMM_MCI_STATUS_AR		BIT_ULL(55)

struct l1vmm_mce {
	u64 mcg_cap;
	u64 mcg_status;
	u64 mcg_ctl;
	/* Bank i: [4i] CTL, [4i + 1] STATUS, [4i + 2] ADDR, [4i + 3] MISC. */
	u64 banks[4 * L1VMM_MCE_MAX_BANKS];
};

/* A new vCPU's: 32 banks, no MCG_CTL_P, all registers 0 (as KVM). */
void l1vmm_mce_init(struct l1vmm_mce *m);

/*
 * KVM_X86_SETUP_MCE: false (-EINVAL) for a bank count outside 1..32 or a
 * capability bit not in L1VMM_MCE_CAP_SUPPORTED (bits 7:0 and 23:16 are
 * free, as in KVM); else MCG_CAP is the bits of @mcg_cap in @keep (the
 * backend's L1VMM_MCG_CAP_KEEP_*), MCG_CTL all ones where it exists, and
 * every bank's CTL all ones.
 */
bool l1vmm_mce_setup(struct l1vmm_mce *m, u64 mcg_cap, u64 keep);

/* Is @index an MSR of the machine-check architecture (whether or not this vCPU has it)? */
static inline bool l1vmm_mce_msr(u32 index)
{
	return index == L1VMM_MSR_P5_MC_ADDR || index == L1VMM_MSR_P5_MC_TYPE ||
	       (index >= L1VMM_MSR_MCG_CAP && index <= L1VMM_MSR_MCG_CTL) ||
	       (index >= L1VMM_MSR_MC0_CTL2 &&
		index < L1VMM_MSR_MC0_CTL2 + L1VMM_MCE_MAX_BANKS) ||
	       (index >= L1VMM_MSR_MC0_CTL &&
		index < L1VMM_MSR_MC0_CTL + 4 * L1VMM_MCE_MAX_BANKS);
}

/*
 * RDMSR / KVM_GET_MSRS (@host): 0 and the value, or 1 (#GP, the stop).
 * KVM's get_msr_mce(): MCG_CTL without MCG_CTL_P and the CTL2 MSRs
 * (no CMCI on AMD) only for user space; a bank beyond MCG_CAP's count never.
 */
int l1vmm_mce_get(const struct l1vmm_mce *m, u32 index, u64 *val, bool host);

/*
 * WRMSR / KVM_SET_MSRS (@host): 0, or 1 (#GP, the stop). KVM's
 * set_msr_mce(): MCG_CAP is not writable (KVM_X86_SETUP_MCE sets it);
 * MCG_STATUS takes anything; MCG_CTL 0 or all ones, and without
 * MCG_CTL_P only 0 from user space; a bank's CTL 0 or all ones (bits 10
 * and 0 may be clear); its STATUS from the guest only 0 (@mci_status_wr:
 * the guest may write any value, AMD's HWCR.McStatusWrEn); the CTL2 MSRs
 * only 0 from user space.
 */
int l1vmm_mce_set(struct l1vmm_mce *m, u32 index, u64 val, bool host, bool mci_status_wr);

/* What KVM_X86_SET_MCE did. */
enum l1vmm_mce_inject {
	L1VMM_MCE_INVALID,	/* -EINVAL: no such bank, or STATUS without VAL */
	L1VMM_MCE_DONE,		/* nothing raised: logged in the bank, or dropped */
	L1VMM_MCE_RAISE,	/* and a #MC for the guest */
	L1VMM_MCE_SHUTDOWN,	/* MCIP already set or CR4.MCE clear: triple fault */
};

/* The fields of struct kvm_x86_mce, as user space gave them. */
struct l1vmm_mce_event {
	u64 status;
	u64 addr;
	u64 misc;
	u64 mcg_status;
	u8 bank;
};

/* KVM_X86_SET_MCE, as KVM's kvm_vcpu_ioctl_x86_set_mce(); @cr4_mce: CR4.MCE. */
enum l1vmm_mce_inject l1vmm_mce_inject(struct l1vmm_mce *m, const struct l1vmm_mce_event *e,
				       bool cr4_mce);

#endif /* L1VMM_MCE_H */
