/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KVM_X86_SET_MSR_FILTER and KVM_CAP_X86_USER_SPACE_MSR (msr_user.c).
 */
#ifndef L1VMM_MSR_USER_H
#define L1VMM_MSR_USER_H

#include <linux/jump_label.h>
#include <linux/types.h>

struct kvm_msr_filter;
struct l1vmm_vcpu;
struct l1vmm_vm;

DECLARE_STATIC_KEY_FALSE(l1vmm_msr_user_in_use);

int l1vmm_set_msr_filter(struct l1vmm_vm *vm, const struct kvm_msr_filter *filter);
int l1vmm_set_user_space_msr(struct l1vmm_vm *vm, u64 reasons);
void l1vmm_msr_filter_free(struct l1vmm_vm *vm);
int l1vmm_handle_msr(struct l1vmm_vcpu *vcpu);

#endif /* L1VMM_MSR_USER_H */
