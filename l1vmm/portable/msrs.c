// SPDX-License-Identifier: GPL-2.0-only
/*
 * The MSRs l1vmm keeps for guests; see msrs.h.
 */
#include "l1vmm/portable/mce.h"
#include "l1vmm/portable/msrs.h"
#include "l1vmm/portable/x86.h"


const u32 l1vmm_msr_list[] = {
	L1VMM_MSR_TSC,
	L1VMM_MSR_SYSENTER_CS,
	L1VMM_MSR_SYSENTER_ESP,
	L1VMM_MSR_SYSENTER_EIP,
	L1VMM_MSR_PAT,
	L1VMM_MSR_EFER,
	L1VMM_MSR_STAR,
	L1VMM_MSR_LSTAR,
	L1VMM_MSR_CSTAR,
	L1VMM_MSR_SFMASK,
	L1VMM_MSR_KERNEL_GS_BASE,
	L1VMM_MSR_SPEC_CTRL,	/* these two only where the host has them */
	L1VMM_MSR_TSC_AUX,
	/*
	 * As KVM, from its emulated MSRs and in its order: TSC_ADJUST and
	 * MISC_ENABLE (tsc.c, msr_misc.c), the MCE registers QEMU saves and
	 * restores (MCG_CTL even without MCG_CTL_P: user space may write 0).
	 * The MTRRs are not listed (KVM does not list them either: user space
	 * knows them from CPUID), PLATFORM_INFO.
	 */
	L1VMM_MSR_TSC_ADJUST,
	L1VMM_MSR_MISC_ENABLE,
	L1VMM_MSR_MCG_STATUS,
	L1VMM_MSR_MCG_CTL,
	L1VMM_MSR_PLATFORM_INFO,
	/* KVM keeps it per vCPU for Windows guests; nothing acts on it. */
	L1VMM_MSR_POWER_CTL,
};
const unsigned int l1vmm_nr_msrs = ARRAY_SIZE(l1vmm_msr_list);

static const u32 feature_msrs_amd[] = {
	L1VMM_MSR_AMD64_DE_CFG,
	L1VMM_MSR_UCODE_REV,
	L1VMM_MSR_ARCH_CAPABILITIES,
	L1VMM_MSR_PERF_CAPABILITIES,
};
const struct l1vmm_feature_msrs l1vmm_feature_msrs_amd = {
	.index = feature_msrs_amd, .n = ARRAY_SIZE(feature_msrs_amd),
};

static const u32 feature_msrs_intel[] = {
	L1VMM_MSR_UCODE_REV,
	L1VMM_MSR_ARCH_CAPABILITIES,
	L1VMM_MSR_PERF_CAPABILITIES,
};
const struct l1vmm_feature_msrs l1vmm_feature_msrs_intel = {
	.index = feature_msrs_intel, .n = ARRAY_SIZE(feature_msrs_intel),
};

bool l1vmm_msr_known(u32 index)
{
	unsigned int i;

	for (i = 0; i < l1vmm_nr_msrs; i++)
		if (l1vmm_msr_list[i] == index)
			return true;
	return false;
}

bool l1vmm_efer_valid(u64 old, u64 val, bool paging)
{
	if (val & ~(L1VMM_EFER_SCE | L1VMM_EFER_LME | L1VMM_EFER_LMA | L1VMM_EFER_NXE))
		return false;
	if (paging && ((old ^ val) & L1VMM_EFER_LME))
		return false;
	return true;
}
