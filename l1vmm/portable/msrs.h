/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The MSRs l1vmm keeps for its guests: the list KVM_GET_MSR_INDEX_LIST
 * reports, and what KVM_GET/SET_MSRS and the guest's RDMSR/WRMSR reach.
 * Portable: the list and the EFER rules are unit-tested on the host.
 */
#ifndef L1VMM_MSRS_H
#define L1VMM_MSRS_H

#include "l1vmm/portable/portable.h"

/* Architectural MSR numbers (Intel SDM vol. 4, AMD APM vol. 2). */
#define L1VMM_MSR_TSC			0x00000010
#define L1VMM_MSR_SPEC_CTRL		0x00000048
#define L1VMM_MSR_SYSENTER_CS		0x00000174
#define L1VMM_MSR_SYSENTER_ESP		0x00000175
#define L1VMM_MSR_SYSENTER_EIP		0x00000176
#define L1VMM_MSR_PAT			0x00000277
#define L1VMM_MSR_POWER_CTL		0x000001fc
#define L1VMM_MSR_EFER			0xc0000080
#define L1VMM_MSR_STAR			0xc0000081
#define L1VMM_MSR_LSTAR			0xc0000082
#define L1VMM_MSR_CSTAR			0xc0000083
#define L1VMM_MSR_SFMASK		0xc0000084
#define L1VMM_MSR_FS_BASE		0xc0000100
#define L1VMM_MSR_GS_BASE		0xc0000101
#define L1VMM_MSR_KERNEL_GS_BASE	0xc0000102
#define L1VMM_MSR_TSC_AUX		0xc0000103
#define L1VMM_MSR_TSC_ADJUST		0x0000003b
#define L1VMM_MSR_PLATFORM_INFO		0x000000ce
#define L1VMM_MSR_MISC_ENABLE		0x000001a0
#define L1VMM_MSR_DEBUGCTL		0x000001d9

#define L1VMM_DEBUGCTL_LBR		BIT_ULL(0)
#define L1VMM_DEBUGCTL_BTF		BIT_ULL(1)

/*
 * The guest's DEBUGCTL reads 0, as in KVM without LBR virtualization or a
 * PMU; a write of a bit the vendor module ignores succeeds and changes
 * nothing, a write of any other bit is refused. kvm-amd without LBRV
 * ignores every write; kvm-intel drops BTF and LBR and offers no other bit
 * (they need LBR through its PMU or bus-lock detection).
 */
#define L1VMM_DEBUGCTL_IGNORED_AMD	(~0ULL)
#define L1VMM_DEBUGCTL_IGNORED_INTEL	(L1VMM_DEBUGCTL_LBR | L1VMM_DEBUGCTL_BTF)

/*
 * Not an MSR: the backend's key for the guest's TSC offset (the guest's
 * TSC minus the host's), which the core sets (tsc.c) and the backend
 * stores (SVM: the VMCB's TSC offset), as KVM's write_tsc_offset. Never
 * reachable by the guest or user space: l1vmm_msr_in_backend() does not
 * name it.
 */
#define L1VMM_MSR_TSC_OFFSET		0x4c314f46

/* The feature MSRs (system-file KVM_GET_MSRS) KVM reports on AMD hosts. */
#define L1VMM_MSR_UCODE_REV		0x0000008b
#define L1VMM_MSR_ARCH_CAPABILITIES	0x0000010a
#define L1VMM_MSR_PERF_CAPABILITIES	0x00000345
#define L1VMM_MSR_AMD64_DE_CFG		0xc0011029

/* Room for the whole list below. */
#define L1VMM_MAX_MSRS			24

/* KVM's limit on entries per KVM_GET/SET_MSRS call (MAX_IO_MSRS). */
#define L1VMM_MAX_IO_MSRS		256

/*
 * Whether the backend stores MSR @index: every MSR of l1vmm_msr_list but
 * SPEC_CTRL and TSC_AUX, which the core keeps, and FS_BASE and GS_BASE,
 * which are segment state (KVM_GET/SET_SREGS) and, as in KVM, not listed
 * (the unit test checks that the two agree). The backend only stores them: which MSRs exist and which
 * values are refused is the core's (msr_access.h). Inline: the fastpath's
 * RDMSR and WRMSR exits ask.
 */
static inline bool l1vmm_msr_in_backend(u32 index)
{
	switch (index) {
	case L1VMM_MSR_TSC:
	case L1VMM_MSR_SYSENTER_CS:
	case L1VMM_MSR_SYSENTER_ESP:
	case L1VMM_MSR_SYSENTER_EIP:
	case L1VMM_MSR_PAT:
	case L1VMM_MSR_EFER:
	case L1VMM_MSR_STAR:
	case L1VMM_MSR_LSTAR:
	case L1VMM_MSR_CSTAR:
	case L1VMM_MSR_SFMASK:
	case L1VMM_MSR_FS_BASE:
	case L1VMM_MSR_GS_BASE:
	case L1VMM_MSR_KERNEL_GS_BASE:
		return true;
	default:
		return false;
	}
}

extern const u32 l1vmm_msr_list[];
extern const unsigned int l1vmm_nr_msrs;

/*
 * KVM_GET_MSR_FEATURE_INDEX_LIST: the feature MSRs, in KVM's order (its
 * msr_based_features_all[]), less what each vendor module refuses:
 * kvm-amd the VMX MSRs, kvm-intel AMD's DE_CFG and, without nested VMX
 * (which l1vmm does not offer), the VMX MSRs too.
 */
struct l1vmm_feature_msrs {
	const u32 *index;
	unsigned int n;
};
extern const struct l1vmm_feature_msrs l1vmm_feature_msrs_amd;
extern const struct l1vmm_feature_msrs l1vmm_feature_msrs_intel;

bool l1vmm_msr_known(u32 index);

/*
 * May EFER become @val? @paging: the guest has CR0.PG set. Reserved bits,
 * SVME (no nested virtualization), and changing LME with paging on are
 * refused; LMA is the CPU's and is kept from @old.
 */
bool l1vmm_efer_valid(u64 old, u64 val, bool paging);

/* 48-bit canonical: bits 63:47 all equal (no LA57 for guests). */
static inline bool l1vmm_canonical(u64 val)
{
	return (u64)((s64)(val << 16) >> 16) == val;
}

/*
 * Each PAT byte is UC (0), WC (1), WT (4), WP (5), WB (6) or UC- (7): no
 * bit above 2, and no 2 or 3 (bit 1 set without bit 2), all bytes at once
 * as KVM's kvm_pat_valid() tests them.
 */
static inline bool l1vmm_pat_valid(u64 val)
{
	if (val & 0xf8f8f8f8f8f8f8f8ULL)
		return false;
	return (val | ((val & 0x0202020202020202ULL) << 1)) == val;
}

/*
 * May MSR @index take @val? Non-canonical LSTAR/CSTAR/FS/GS/KERNEL_GS_BASE and
 * PAT entries that are not a memory type are refused, as in KVM (for user
 * space and the guest alike). EFER has its own rule above. Inline: the
 * fastpath's WRMSR exit asks.
 */
static inline bool l1vmm_msr_value_valid(u32 index, u64 val)
{
	switch (index) {
	case L1VMM_MSR_LSTAR:
	case L1VMM_MSR_CSTAR:
	case L1VMM_MSR_FS_BASE:
	case L1VMM_MSR_GS_BASE:
	case L1VMM_MSR_KERNEL_GS_BASE:
	case L1VMM_MSR_SYSENTER_ESP:
	case L1VMM_MSR_SYSENTER_EIP:
		return l1vmm_canonical(val);
	case L1VMM_MSR_PAT:
		return l1vmm_pat_valid(val);
	default:
		return true;
	}
}

/* IA32_MISC_ENABLE bits KVM gives meaning to. */
#define L1VMM_MISC_ENABLE_EMON		BIT_ULL(7)
#define L1VMM_MISC_ENABLE_BTS_UNAVAIL	BIT_ULL(11)
#define L1VMM_MISC_ENABLE_PEBS_UNAVAIL	BIT_ULL(12)
#define L1VMM_MISC_ENABLE_MWAIT		BIT_ULL(18)
/* After RESET (KVM's kvm_vcpu_reset()): no BTS, no PEBS. */
#define L1VMM_MISC_ENABLE_RESET		(L1VMM_MISC_ENABLE_BTS_UNAVAIL | \
					 L1VMM_MISC_ENABLE_PEBS_UNAVAIL)

/*
 * A write of IA32_MISC_ENABLE from @old to *@val, as KVM's
 * kvm_set_msr_common(): the guest (!@host) may not change the PMU's
 * read-only bits (BTS/PEBS unavailable), and its EMON writes are ignored
 * (*@val keeps the old bit); with the MISC_ENABLE_NO_MWAIT quirk off
 * (@quirk_off) the MWAIT bit may change only when the guest's CPUID has
 * SSE3 (@sse3). False: refused (the guest's #GP).
 */
static inline bool l1vmm_misc_enable_write(u64 old, u64 *val, bool host, bool quirk_off,
					   bool sse3)
{
	u64 data = *val;

	if (!host) {
		if ((old ^ data) & (L1VMM_MISC_ENABLE_BTS_UNAVAIL | L1VMM_MISC_ENABLE_PEBS_UNAVAIL))
			return false;
		data = (data & ~L1VMM_MISC_ENABLE_EMON) | (old & L1VMM_MISC_ENABLE_EMON);
	}
	if (quirk_off && ((old ^ data) & L1VMM_MISC_ENABLE_MWAIT) && !sse3)
		return false;
	*val = data;
	return true;
}

#endif /* L1VMM_MSRS_H */
