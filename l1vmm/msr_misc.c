// SPDX-License-Identifier: GPL-2.0-only
/*
 * Two of KVM's emulated MSRs, per vCPU:
 *
 * - IA32_MISC_ENABLE (0x1a0): any value from user space, the guest's
 *   writes with KVM's rules (portable/msrs.h). While the VM has the
 *   MISC_ENABLE_NO_MWAIT quirk off, its MWAIT bit is the guest's CPUID 1
 *   ECX MWAIT bit, written into the vCPU's table as KVM does.
 * - MSR_PLATFORM_INFO (0xce): user space's to write, the guest's to read
 *   while KVM_CAP_MSR_PLATFORM_INFO allows it (the default), else a #GP.
 *   It starts at 0, where KVM's has CPUID_FAULT (bit 31): l1vmm has no
 *   CPUID faulting (MSR_MISC_FEATURES_ENABLES) to offer.
 *
 * And DEBUGCTL (0x1d9), the guest's always 0, as the vendor module keeps
 * it without LBR virtualization or a PMU (portable/msrs.h). The host's is
 * the backend's to keep (a VM exit on VMX clears it).
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/kvm.h>

#include "l1vmm/backend.h"
#include "l1vmm/msr_misc.h"
#include "l1vmm/portable/cpuid.h"
#include "l1vmm/portable/msrs.h"
#include "l1vmm/vcpu.h"
#include "l1vmm/vm.h"

#define CPUID_1_ECX_SSE3	BIT(0)
#define CPUID_1_ECX_MWAIT	BIT(3)

void l1vmm_msr_misc_reset(struct l1vmm_vcpu *vcpu, bool init)
{
	if (!init)
		vcpu->misc_enable = L1VMM_MISC_ENABLE_RESET;
}

void l1vmm_misc_enable_update_cpuid(struct l1vmm_vcpu *vcpu)
{
	struct kvm_cpuid_entry2 *e;

	if (l1vmm_has_quirk(vcpu->vm, KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT))
		return;
	e = (struct kvm_cpuid_entry2 *)l1vmm_cpuid_find(vcpu->cpuid, vcpu->cpuid_nent, 1, 0);
	if (!e)
		return;
	if (vcpu->misc_enable & L1VMM_MISC_ENABLE_MWAIT)
		e->ecx |= CPUID_1_ECX_MWAIT;
	else
		e->ecx &= ~CPUID_1_ECX_MWAIT;
}

int l1vmm_msr_misc_get(struct l1vmm_vcpu *vcpu, u32 index, u64 *data, bool host)
{
	switch (index) {
	case L1VMM_MSR_MISC_ENABLE:
		*data = vcpu->misc_enable;
		return 0;
	case L1VMM_MSR_PLATFORM_INFO:
		if (!host && !READ_ONCE(vcpu->vm->platform_info_readable))
			return 1;
		*data = vcpu->platform_info;
		return 0;
	case L1VMM_MSR_DEBUGCTL:
		*data = 0;
		return 0;
	default:
		return 1;
	}
}

int l1vmm_msr_misc_set(struct l1vmm_vcpu *vcpu, u32 index, u64 data, bool host)
{
	const struct kvm_cpuid_entry2 *leaf1;
	bool quirk_off, sse3;
	u64 old;

	switch (index) {
	case L1VMM_MSR_MISC_ENABLE:
		old = vcpu->misc_enable;
		quirk_off = !l1vmm_has_quirk(vcpu->vm, KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT);
		leaf1 = l1vmm_cpuid_find(vcpu->cpuid, vcpu->cpuid_nent, 1, 0);
		sse3 = leaf1 && (leaf1->ecx & CPUID_1_ECX_SSE3);
		if (!l1vmm_misc_enable_write(old, &data, host, quirk_off, sse3))
			return 1;
		vcpu->misc_enable = data;
		if (quirk_off && ((old ^ data) & L1VMM_MISC_ENABLE_MWAIT))
			l1vmm_misc_enable_update_cpuid(vcpu);
		return 0;
	case L1VMM_MSR_PLATFORM_INFO:
		/* No CPUID faulting here, so KVM's check on its bit never refuses. */
		if (!host)
			return 1;
		vcpu->platform_info = data;
		return 0;
	case L1VMM_MSR_DEBUGCTL:
		return data & ~l1vmm_ops->debugctl_ignored ? 1 : 0;
	default:
		return 1;
	}
}
