/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IA32_MISC_ENABLE and MSR_PLATFORM_INFO per vCPU, as KVM 6.1 keeps them
 * (msr_misc.c).
 */
#ifndef L1VMM_MSR_MISC_H
#define L1VMM_MSR_MISC_H

#include <linux/types.h>

struct l1vmm_vcpu;

/* RESET (not INIT): IA32_MISC_ENABLE to its reset value. */
void l1vmm_msr_misc_reset(struct l1vmm_vcpu *vcpu, bool init);

/*
 * 0, or 1 for an MSR that is not one of them or a refused access (the
 * guest's #GP). @host: KVM_GET/SET_MSRS. Safe with IRQs off.
 */
int l1vmm_msr_misc_get(struct l1vmm_vcpu *vcpu, u32 index, u64 *data, bool host);
int l1vmm_msr_misc_set(struct l1vmm_vcpu *vcpu, u32 index, u64 data, bool host);

/*
 * With the MISC_ENABLE_NO_MWAIT quirk off, CPUID 1 ECX MWAIT in the
 * vCPU's table follows IA32_MISC_ENABLE's MWAIT bit (KVM's
 * kvm_update_cpuid_runtime()); after KVM_SET_CPUID2 and such a write.
 */
void l1vmm_misc_enable_update_cpuid(struct l1vmm_vcpu *vcpu);

#endif /* L1VMM_MSR_MISC_H */
