/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KVM_CHECK_EXTENSION answers: the capabilities l1vmm implements, as
 * doc/abi.md lists them, and KVM_ENABLE_CAP for those that can be enabled. Kernel only (some answers ask the host CPU); the
 * in-guest test "api" checks them over the ABI.
 */
#ifndef L1VMM_CAPS_H
#define L1VMM_CAPS_H

#include <linux/types.h>

struct kvm_enable_cap;
struct l1vmm_vcpu;
struct l1vmm_vm;

/* The answer for @cap; 0 means "not supported", as in KVM. */
long l1vmm_check_extension(long cap);

/* KVM_ENABLE_CAP on a VM or a vCPU: 0 or an errno, as in KVM. */
int l1vmm_vm_enable_cap(struct l1vmm_vm *vm, const struct kvm_enable_cap *cap);
int l1vmm_vcpu_enable_cap(struct l1vmm_vcpu *vcpu, const struct kvm_enable_cap *cap);

#endif /* L1VMM_CAPS_H */
