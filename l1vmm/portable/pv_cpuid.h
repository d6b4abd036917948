/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KVM_CAP_ENFORCE_PV_FEATURE_CPUID: with it enabled on a vCPU, KVM's
 * paravirtual MSRs and hypercalls work only when the guest's CPUID leaf
 * KVM_CPUID_FEATURES offers their feature (KVM's guest_pv_has()).
 * Portable: the feature lookup and the MSR table are unit-tested on the host.
 */
#ifndef L1VMM_PV_CPUID_H
#define L1VMM_PV_CPUID_H

#include <linux/kvm.h>
#include <linux/kvm_para.h>

#include "l1vmm/portable/portable.h"

/* What a vCPU enforces: KVM's vcpu->arch.pv_cpuid. */
struct l1vmm_pv_cpuid {
	bool enforce;
	u32 features;	/* KVM_CPUID_FEATURES EAX of the last table that had it */
};

/*
 * The KVM_FEATURE_* bit that gates paravirtual MSR @index in KVM 6.1, or
 * -1 for an MSR that is not one of KVM's.
 */
int l1vmm_pv_msr_feature(u32 index);

/*
 * After KVM_SET_CPUID2, as KVM's kvm_update_pv_runtime(): the features
 * are leaf base + 1's EAX, base being the first hypervisor leaf (0x40000000
 * up to 0x4000ff00, every 0x100) whose EBX, ECX, EDX say "KVMKVMKVM";
 * without such a leaf, or without base + 1, they stay as they were.
 */
void l1vmm_pv_cpuid_update(struct l1vmm_pv_cpuid *pv, const struct kvm_cpuid_entry2 *entries,
			   unsigned int nent);

/* KVM's guest_pv_has(): everything unless enforced. */
static inline bool l1vmm_pv_has(const struct l1vmm_pv_cpuid *pv, unsigned int feature)
{
	return !pv->enforce || (pv->features & (1u << feature));
}

#endif /* L1VMM_PV_CPUID_H */
