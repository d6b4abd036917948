/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the in-kernel irqchip's files share (irqchip.c: delivery, the PIC
 * and IOAPIC, the VM's ioctls; lapic.c: each vCPU's local APIC;
 * irq_routing.c: GSI routes; irqfd.c: KVM_IRQFD). irqchip.h is what the
 * rest of l1vmm calls, and says how it is locked.
 */
#ifndef L1VMM_IRQCHIP_PRIV_H
#define L1VMM_IRQCHIP_PRIV_H

#include "l1vmm/irqchip.h"
#include "l1vmm/vcpu.h"
#include "l1vmm/vm.h"

/*
 * vCPU @i of @vm if it has a local APIC, else NULL. The vCPUs are published
 * with a release of nr_vcpus (vcpu.c); one whose file failed to open is
 * NULL again, and freed only after a grace period (the lock's region is one).
 */
static inline struct l1vmm_vcpu *l1vmm_lapic_vcpu(struct l1vmm_vm *vm, unsigned int i)
{
	struct l1vmm_vcpu *v = READ_ONCE(vm->vcpus[i]);

	return v && v->lapic ? v : NULL;
}

static inline unsigned int l1vmm_nr_vcpus(struct l1vmm_vm *vm)
{
	/* Pairs with the release in l1vmm_vcpu_alloc(): vcpus[i] is set below the count. */
	return smp_load_acquire(&vm->nr_vcpus);
}

/* Does a vCPU take the PIC's INTR now (LINT0 in ExtINT mode, or its APIC off)? */
static inline bool l1vmm_lapic_takes_pic(struct l1vmm_vcpu *vcpu)
{
	return l1vmm_apic_accepts_pic(&vcpu->lapic->apic);
}

/* irqchip.c, each with the VM's irqchip->lock held. */
int l1vmm_irqchip_deliver(struct l1vmm_vm *vm, struct l1vmm_vcpu *src,
			  const struct l1vmm_apic_irq *irq);
int l1vmm_irqchip_ioapic_flush(struct l1vmm_vm *vm, struct l1vmm_ioapic_out *out, int pin,
			       int ret);
bool l1vmm_irqchip_ioapic_mmio(struct l1vmm_vm *vm, u64 gpa, bool write, unsigned int len,
			       u64 *data);
void l1vmm_irqchip_pic_prepare(struct l1vmm_vm *vm);
void l1vmm_irqchip_pic_finish(struct l1vmm_vm *vm);
int l1vmm_irqchip_route_set(struct l1vmm_vm *vm, const struct l1vmm_irq_route *e,
			    unsigned int source, bool level);
int l1vmm_irqchip_set_gsi_locked(struct l1vmm_vm *vm, unsigned int source, u32 gsi, bool level);
/* The same, taking the lock: l1vmm_irqchip_set_gsi() (irqchip.h). */

/* lapic.c */
void l1vmm_lapic_kick(struct l1vmm_vcpu *vcpu);
int l1vmm_lapic_accept(struct l1vmm_vcpu *vcpu, const struct l1vmm_apic_irq *irq);

/* irqfd.c, lock held: resampling irqfds see the acks. */
void l1vmm_irqfd_ack(struct l1vmm_vm *vm, u32 chip, u32 pin);
void l1vmm_irqfd_ack_vector(struct l1vmm_vm *vm, int vector);

#endif /* L1VMM_IRQCHIP_PRIV_H */
