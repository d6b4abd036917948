/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KVM_CAP_SPLIT_IRQCHIP (irqchip_split.c): the local APICs in the kernel,
 * the PIC and IOAPIC in user space. The VM then has an irqchip
 * (vm->irqchip, its lock, its routes and every vCPU's APIC) whose PIC and
 * IOAPIC are unused: whatever drives those asks l1vmm_pic_in_kernel().
 */
#ifndef L1VMM_IRQCHIP_SPLIT_H
#define L1VMM_IRQCHIP_SPLIT_H

#include <linux/kvm.h>

#include "l1vmm/irqchip.h"
#include "l1vmm/vm.h"

struct l1vmm_vcpu;

/* KVM's irqchip_split(). */
static inline bool l1vmm_irqchip_split(const struct l1vmm_vm *vm)
{
	return vm->irqchip && vm->irqchip->split;
}

/* KVM's pic_in_kernel() and ioapic_in_kernel(): KVM_CREATE_IRQCHIP's chips. */
static inline bool l1vmm_pic_in_kernel(const struct l1vmm_vm *vm)
{
	return vm->irqchip && !vm->irqchip->split;
}

/* KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP), args[0] the IOAPIC pins user space keeps. */
int l1vmm_irqchip_enable_split(struct l1vmm_vm *vm, u64 nr_ioapic_pins);

/* KVM_INTERRUPT with an in-kernel APIC: an ExtINT for split, -ENXIO with the PIC in. */
int l1vmm_split_interrupt(struct l1vmm_vcpu *vcpu, const struct kvm_interrupt *irq);

/*
 * The guest's EOI of @vector, lock held: an exit to user space's IOAPIC
 * when a level-triggered route of its pins targets this vCPU with it
 * (KVM's kvm_ioapic_send_eoi() for the split irqchip).
 */
void l1vmm_split_eoi(struct l1vmm_vcpu *vcpu, int vector);

/* Before an entry: 0 with KVM_EXIT_IOAPIC_EOI filled in when one is due, else 1. */
int l1vmm_split_eoi_exit(struct l1vmm_vcpu *vcpu);

/*
 * KVM's kvm_cpu_accept_dm_intr(): can user space's KVM_INTERRUPT go in
 * (no ExtINT waiting, and the APIC takes the PIC's interrupt)? Lock held.
 */
bool l1vmm_split_accept_dm_intr(struct l1vmm_vcpu *vcpu);

/* KVM's kvm_vcpu_ready_for_interrupt_injection() for the split irqchip. */
bool l1vmm_split_ready_for_injection(struct l1vmm_vcpu *vcpu);

/* KVM's KVM_X2APIC_API_VALID_FLAGS. */
#define L1VMM_X2APIC_API_VALID_FLAGS	(KVM_X2APIC_API_USE_32BIT_IDS | \
					 KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK)

/* KVM_ENABLE_CAP(KVM_CAP_X2APIC_API) with @flags. */
int l1vmm_x2apic_api_enable(struct l1vmm_vm *vm, u64 flags);

#endif /* L1VMM_IRQCHIP_SPLIT_H */
