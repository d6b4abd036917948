/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * HLT in the kernel with halt polling (halt_poll.c): before a halted vCPU
 * sleeps it polls for a while, as KVM's kvm_vcpu_halt(), with KVM's knobs
 * (the halt_poll_ns* module parameters, KVM_CAP_HALT_POLL per VM) and
 * statistics (halt_* in the vCPU's statistics file).
 */
#ifndef L1VMM_HALT_POLL_H_KERNEL
#define L1VMM_HALT_POLL_H_KERNEL

#include <linux/types.h>

struct l1vmm_vcpu;
struct l1vmm_vm;

/*
 * Wait, on the vCPU's thread, until @wakes(vcpu) holds; polling first when
 * @halted (HLT, not a wait for INIT or SIPI). 0, or -ERESTARTSYS for a
 * signal. Needs the vCPU's local APIC (its wait queue).
 */
int l1vmm_halt_wait(struct l1vmm_vcpu *vcpu, bool halted, bool (*wakes)(struct l1vmm_vcpu *vcpu));

/* KVM_ENABLE_CAP(KVM_CAP_HALT_POLL): this VM's poll limit in ns, a u32. */
int l1vmm_halt_poll_enable_cap(struct l1vmm_vm *vm, u64 ns);

#endif /* L1VMM_HALT_POLL_H_KERNEL */
