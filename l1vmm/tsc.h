/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's TSC as KVM 6.1 keeps it (tsc.c): IA32_TSC and IA32_TSC_ADJUST
 * with KVM's rules for the guest's and user space's writes, the offsets
 * user space writes matched across vCPUs, and the vCPU attribute
 * KVM_VCPU_TSC_CTRL/KVM_VCPU_TSC_OFFSET.
 */
#ifndef L1VMM_TSC_H
#define L1VMM_TSC_H

#include <linux/types.h>

struct l1vmm_vcpu;
struct l1vmm_vm;

void l1vmm_tsc_vm_init(struct l1vmm_vm *vm);
/* A new vCPU's TSC: user space's write of 0, which matches the others'. */
void l1vmm_tsc_vcpu_init(struct l1vmm_vcpu *vcpu);

/*
 * IA32_TSC (writes) and IA32_TSC_ADJUST: 0, or 1 for an MSR that is not
 * one of them. @host: KVM_GET/SET_MSRS. Safe with IRQs off.
 */
int l1vmm_tsc_get_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 *data);
int l1vmm_tsc_set_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 data, bool host);

/* KVM_HAS/GET/SET_DEVICE_ATTR on a vCPU. */
int l1vmm_vcpu_device_attr(struct l1vmm_vcpu *vcpu, unsigned int ioctl, void __user *argp);

#endif /* L1VMM_TSC_H */
