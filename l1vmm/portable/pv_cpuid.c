// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_CAP_ENFORCE_PV_FEATURE_CPUID's rules; see pv_cpuid.h.
 */
#include "l1vmm/portable/cpuid.h"
#include "l1vmm/portable/pv_cpuid.h"

int l1vmm_pv_msr_feature(u32 index)
{
	switch (index) {
	case MSR_KVM_WALL_CLOCK:
	case MSR_KVM_SYSTEM_TIME:
		return KVM_FEATURE_CLOCKSOURCE;
	case MSR_KVM_WALL_CLOCK_NEW:
	case MSR_KVM_SYSTEM_TIME_NEW:
		return KVM_FEATURE_CLOCKSOURCE2;
	case MSR_KVM_ASYNC_PF_EN:
		return KVM_FEATURE_ASYNC_PF;
	case MSR_KVM_STEAL_TIME:
		return KVM_FEATURE_STEAL_TIME;
	case MSR_KVM_PV_EOI_EN:
		return KVM_FEATURE_PV_EOI;
	case MSR_KVM_POLL_CONTROL:
		return KVM_FEATURE_POLL_CONTROL;
	case MSR_KVM_ASYNC_PF_INT:
	case MSR_KVM_ASYNC_PF_ACK:
		return KVM_FEATURE_ASYNC_PF_INT;
	default:
		return -1;
	}
}

/* "KVMKVMKVM\0\0\0" as CPUID's EBX, ECX, EDX. */
#define KVM_SIG_EBX	0x4b4d564b
#define KVM_SIG_ECX	0x564b4d56
#define KVM_SIG_EDX	0x0000004d

void l1vmm_pv_cpuid_update(struct l1vmm_pv_cpuid *pv, const struct kvm_cpuid_entry2 *entries,
			   unsigned int nent)
{
	const struct kvm_cpuid_entry2 *e;
	u32 base;

	for (base = 0x40000000; base < 0x40010000; base += 0x100) {
		e = l1vmm_cpuid_find(entries, nent, base, 0);
		if (e && e->ebx == KVM_SIG_EBX && e->ecx == KVM_SIG_ECX && e->edx == KVM_SIG_EDX)
			break;
	}
	if (base == 0x40010000)
		return;
	e = l1vmm_cpuid_find(entries, nent, base | KVM_CPUID_FEATURES, 0);
	if (e)
		pv->features = e->eax;
}
