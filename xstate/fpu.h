/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KVM_GET_FPU / KVM_SET_FPU: the legacy (FXSAVE-format) view of the guest's
 * x87 and SSE state, kept in the kernel's guest FPU state.
 */
#ifndef L1VMM_XSTATE_FPU_H
#define L1VMM_XSTATE_FPU_H

#include <linux/kvm.h>

struct l1vmm_vcpu;

void l1vmm_get_fpu(struct l1vmm_vcpu *vcpu, struct kvm_fpu *fpu);
void l1vmm_set_fpu(struct l1vmm_vcpu *vcpu, const struct kvm_fpu *fpu);

#endif /* L1VMM_XSTATE_FPU_H */
