/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest MSRs for user space and the guest (msr_access.c): which exist is
 * the core's (portable/msrs.c); SPEC_CTRL and TSC_AUX are kept in the core,
 * the same for every backend; the others are stored by the backend.
 */
#ifndef L1VMM_MSR_ACCESS_H
#define L1VMM_MSR_ACCESS_H

#include <linux/kvm.h>
#include <asm/cpufeature.h>
#include <asm/processor-flags.h>

#include "l1vmm/backend.h"
#include "l1vmm/kvmclock.h"
#include "l1vmm/portable/cpuid.h"
#include "l1vmm/portable/msrs.h"
#include "l1vmm/vcpu.h"

/* The SPEC_CTRL bits a guest may set: the controls this host implements. */
extern u64 l1vmm_spec_ctrl_allowed __read_mostly;

void l1vmm_msr_access_init(void);
int l1vmm_get_msr_index_list(struct kvm_msr_list __user *ulist);
int l1vmm_get_msr_feature_index_list(struct kvm_msr_list __user *ulist);
int l1vmm_get_feature_msrs(struct kvm_msrs __user *umsrs);
int l1vmm_setup_mce(struct l1vmm_vcpu *vcpu, u64 __user *ucap);
int l1vmm_set_mce(struct l1vmm_vcpu *vcpu, struct kvm_x86_mce __user *umce);

/*
 * The MSRs behind the inline cases below (msr_access.c): the MTRRs and the
 * machine-check registers. Out of line, asked only for an MSR or a value
 * the inline cases refuse, so that the fastpath's own MSRs cost what they
 * did; safe with IRQs off. @host: KVM_GET/SET_MSRS, not the guest. 0, or 1
 * as below. l1vmm_guest_msr_slow(): the guest's RDMSR/WRMSR of one (ECX,
 * EDX:EAX), true when done, false for its #GP.
 */
int l1vmm_get_msr_slow(struct l1vmm_vcpu *vcpu, u32 index, u64 *data, bool host);
int l1vmm_set_msr_slow(struct l1vmm_vcpu *vcpu, u32 index, u64 data, bool host);
bool l1vmm_guest_msr_slow(struct l1vmm_vcpu *vcpu);
int l1vmm_vcpu_msrs(struct l1vmm_vcpu *vcpu, struct kvm_msrs __user *umsrs, bool set);

static inline bool l1vmm_host_has_msr(u32 index)
{
	switch (index) {
	case L1VMM_MSR_SPEC_CTRL:
		return boot_cpu_has(X86_FEATURE_MSR_SPEC_CTRL);
	case L1VMM_MSR_TSC_AUX:
		return boot_cpu_has(X86_FEATURE_RDTSCP) || boot_cpu_has(X86_FEATURE_RDPID);
	default:
		return true;
	}
}

/*
 * 0, or 1 when the MSR is unknown (#GP for the guest, the stop for
 * KVM_GET_MSRS). Inline: the fastpath's RDMSR exit runs it, with the
 * backend's own @ops, so that its get_msr is a direct call.
 */
static __always_inline int __l1vmm_get_msr(const struct l1vmm_backend_ops *ops,
					   struct l1vmm_vcpu *vcpu, u32 index, u64 *data)
{
	switch (index) {
	case L1VMM_MSR_SPEC_CTRL:
		if (!l1vmm_host_has_msr(index))
			return 1;
		*data = vcpu->spec_ctrl.guest;
		return 0;
	case L1VMM_MSR_TSC_AUX:
		if (!l1vmm_host_has_msr(index))
			return 1;
		*data = vcpu->tsc_aux;
		return 0;
	default:
		if (!l1vmm_msr_in_backend(index))
			return 1;
		*data = ops->get_msr(vcpu, index);
		return 0;
	}
}

/*
 * 0, or 1 when the MSR is unknown or the value refused; the same rules for
 * the guest's WRMSR and for KVM_SET_MSRS, as in KVM. Inline for the
 * fastpath's WRMSR exit, as above.
 */
/* KVM's guest_cpuid_is_intel(): CPUID leaf 0's vendor is GenuineIntel. */
static inline bool l1vmm_guest_cpuid_is_intel(const struct l1vmm_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e;

	e = l1vmm_cpuid_find(vcpu->cpuid, vcpu->cpuid_nent, 0, 0);
	return e && e->ebx == 0x756e6547 && e->ecx == 0x6c65746e && e->edx == 0x49656e69;
}

static __always_inline int __l1vmm_set_msr(const struct l1vmm_backend_ops *ops,
					   struct l1vmm_vcpu *vcpu, u32 index, u64 data)
{
	switch (index) {
	case L1VMM_MSR_SPEC_CTRL:
		if (!l1vmm_host_has_msr(index) || (data & ~l1vmm_spec_ctrl_allowed))
			return 1;
		vcpu->spec_ctrl.guest = data;
		return 0;
	case L1VMM_MSR_TSC_AUX:
		if (!l1vmm_host_has_msr(index))
			return 1;
		/*
		 * AMD CPUs ignore bits 63:32; KVM clears them for non-Intel
		 * guests and, as Intel's SDM reserves them, refuses them for a
		 * guest whose CPUID says GenuineIntel (kvm_set_msr_ignored_check()).
		 */
		if ((data >> 32) && l1vmm_guest_cpuid_is_intel(vcpu))
			return 1;
		vcpu->tsc_aux = (u32)data;
		return 0;
	/* Out of line (tsc.c): the guest's and user space's writes differ. */
	case L1VMM_MSR_TSC:
		return 1;
	case L1VMM_MSR_EFER:
		if (!l1vmm_efer_valid(ops->get_msr(vcpu, index), data,
				      ops->get_cr0(vcpu) & X86_CR0_PG))
			return 1;
		ops->set_msr(vcpu, index, data);
		return 0;
	default:
		if (!l1vmm_msr_in_backend(index) || !l1vmm_msr_value_valid(index, data))
			return 1;
		ops->set_msr(vcpu, index, data);
		return 0;
	}
}

/*
 * KVM's paravirtual MSRs under KVM_CAP_ENFORCE_PV_FEATURE_CPUID: unknown,
 * for user space and guest alike, when the guest's CPUID lacks their
 * feature (KVM 6.1's KVM_MSR_RET_UNSUPPORTED).
 */
static inline bool l1vmm_pv_msr_refused(struct l1vmm_vcpu *vcpu, u32 index)
{
	int feature;

	if (likely(!vcpu->pv_cpuid.enforce))
		return false;
	feature = l1vmm_pv_msr_feature(index);
	return feature >= 0 && !l1vmm_pv_has(&vcpu->pv_cpuid, feature);
}

/*
 * The full path's and the ioctls' MSRs: the fastpath's, then kvmclock's
 * (out of line), whose guest memory writes are done at once here.
 */
static inline int l1vmm_get_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 *data)
{
	if (!__l1vmm_get_msr(l1vmm_ops, vcpu, index, data))
		return 0;
	if (l1vmm_pv_msr_refused(vcpu, index))
		return 1;
	return l1vmm_kvmclock_get_msr(vcpu, index, data);
}

static inline int l1vmm_set_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 data)
{
	if (!__l1vmm_set_msr(l1vmm_ops, vcpu, index, data))
		return 0;
	if (l1vmm_pv_msr_refused(vcpu, index))
		return 1;
	return l1vmm_kvmclock_set_msr(vcpu, index, data, true);
}

/*
 * Every MSR the guest can reach, for the full path (msr_user.c): the
 * inline ones, then those behind the fastpath's refusal. 0, or 1 when
 * unknown or refused, as above.
 */
static inline int l1vmm_guest_get_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 *data)
{
	return l1vmm_get_msr(vcpu, index, data) &&
	       l1vmm_get_msr_slow(vcpu, index, data, false);
}

static inline int l1vmm_guest_set_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 data)
{
	return l1vmm_set_msr(vcpu, index, data) &&
	       l1vmm_set_msr_slow(vcpu, index, data, false);
}

#endif /* L1VMM_MSR_ACCESS_H */
