// SPDX-License-Identifier: GPL-2.0-only
/*
 * The split irqchip (KVM_CAP_SPLIT_IRQCHIP) and the x2APIC API
 * (KVM_CAP_X2APIC_API), as KVM 6.1 (x86.c, irq.c, irq_comm.c, lapic.c):
 *
 * - The VM gets an irqchip without PIC and IOAPIC: every vCPU has its local
 *   APIC in the kernel, GSI routes may only be MSIs, and the GSIs below the
 *   pins user space reserved are its IOAPIC's pins: an EOI of a vector that
 *   a level-triggered one of them sends to this vCPU exits with
 *   KVM_EXIT_IOAPIC_EOI, so that user space's IOAPIC clears remote IRR.
 * - User space's PIC injects with KVM_INTERRUPT: the vector waits in the
 *   vCPU's APIC as its ExtINT until the vCPU takes it (lapic.c's inject),
 *   and ready_for_interrupt_injection and request_interrupt_window say
 *   when another can go in, as without an irqchip.
 *
 * Locking as irqchip.h: the VM's irqchip->lock guards the routes and the
 * APIC state here; pending_ioapic_eoi is the vCPU's own.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/kvm.h>
#include <linux/slab.h>

#include "l1vmm/exit.h"
#include "l1vmm/irqchip_priv.h"
#include "l1vmm/irqchip_split.h"

/* KVM's MAX_NR_RESERVED_IOAPIC_PINS: as many as there are routes. */
#define MAX_RESERVED_IOAPIC_PINS	L1VMM_MAX_IRQ_ROUTES

/* KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP): KVM's checks and errnos, in its order. */
int l1vmm_irqchip_enable_split(struct l1vmm_vm *vm, u64 nr_ioapic_pins)
{
	struct l1vmm_irqchip *chip;
	int r;

	mutex_lock(&vm->lock);
	r = -EINVAL;
	if (nr_ioapic_pins > MAX_RESERVED_IOAPIC_PINS)
		goto unlock;
	r = -EEXIST;
	if (vm->irqchip || vm->nr_vcpus)
		goto unlock;
	r = -ENOMEM;
	chip = l1vmm_irqchip_alloc(vm);
	if (!chip)
		goto unlock;
	/* No routes: KVM's kvm_setup_empty_irq_routing(). */
	chip->split = true;
	chip->nr_reserved_ioapic_pins = nr_ioapic_pins;
	chip->scan_gen = 1;
	/* Readers that do not take vm->lock see split with the pointer. */
	smp_store_release(&vm->irqchip, chip);
	r = 0;
unlock:
	mutex_unlock(&vm->lock);
	return r;
}

int l1vmm_split_interrupt(struct l1vmm_vcpu *vcpu, const struct kvm_interrupt *irq)
{
	struct l1vmm_irqchip *chip = vcpu->vm->irqchip;
	unsigned long flags;
	int r = 0;

	if (irq->irq >= 256)
		return -EINVAL;
	/* With the PIC in the kernel, only it injects ExtINT. */
	if (!chip->split)
		return -ENXIO;
	spin_lock_irqsave(&chip->lock, flags);
	if (vcpu->lapic->pending_extint >= 0)
		r = -EEXIST;
	else
		vcpu->lapic->pending_extint = irq->irq;
	spin_unlock_irqrestore(&chip->lock, flags);
	if (!r)
		set_bit(L1VMM_REQ_EVENT, &vcpu->requests);
	return r;
}

/*
 * The vectors whose EOI exits, for this vCPU (KVM's
 * kvm_scan_ioapic_routes()): those of the level-triggered MSI routes of
 * the reserved GSIs that name its APIC. Lock held.
 */
static void scan_routes(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_vm *vm = vcpu->vm;
	struct l1vmm_irqchip *chip = vm->irqchip;
	const struct l1vmm_irq_routes *rt = chip->routes;
	bool quirk_off = READ_ONCE(vm->x2apic_broadcast_quirk_disabled);
	struct l1vmm_lapic *l = vcpu->lapic;
	struct l1vmm_apic_irq irq;
	unsigned int i;

	lockdep_assert_held(&chip->lock);
	bitmap_zero(l->ioapic_vectors, 256);
	for (i = 0; rt && i < rt->nr; i++) {
		const struct l1vmm_irq_route *e = &rt->e[i];

		if (e->gsi >= chip->nr_reserved_ioapic_pins || e->type != KVM_IRQ_ROUTING_MSI)
			continue;
		l1vmm_irqchip_msi_to_irq(vm, e, &irq);
		if (irq.trig_level && l1vmm_apic_match_dest(&l->apic, NULL, &irq, quirk_off))
			__set_bit(irq.vector, l->ioapic_vectors);
	}
	l->scan_gen = chip->scan_gen;
}

void l1vmm_split_eoi(struct l1vmm_vcpu *vcpu, int vector)
{
	struct l1vmm_lapic *l = vcpu->lapic;

	lockdep_assert_held(&vcpu->vm->irqchip->lock);
	if (vector < 0)
		return;
	if (l->scan_gen != vcpu->vm->irqchip->scan_gen)
		scan_routes(vcpu);
	if (test_bit(vector, l->ioapic_vectors)) {
		l->pending_ioapic_eoi = vector;
		/* An x2APIC EOI in the fastpath: its series ends, the exit comes first. */
		set_bit(L1VMM_REQ_EVENT, &vcpu->requests);
	}
}

int l1vmm_split_eoi_exit(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_lapic *l = vcpu->lapic;
	int vector = l->pending_ioapic_eoi;

	if (likely(vector < 0))
		return 1;
	l->pending_ioapic_eoi = -1;
	vcpu->run->exit_reason = KVM_EXIT_IOAPIC_EOI;
	vcpu->run->eoi.vector = vector;
	return 0;
}

bool l1vmm_split_accept_dm_intr(struct l1vmm_vcpu *vcpu)
{
	lockdep_assert_held(&vcpu->vm->irqchip->lock);
	/* Acknowledging ExtINT does not happen with LINT0 masked. */
	return vcpu->lapic->pending_extint < 0 && l1vmm_lapic_takes_pic(vcpu);
}

bool l1vmm_split_ready_for_injection(struct l1vmm_vcpu *vcpu)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&vcpu->vm->irqchip->lock, flags);
	ok = l1vmm_split_accept_dm_intr(vcpu);
	spin_unlock_irqrestore(&vcpu->vm->irqchip->lock, flags);
	return ok && !vcpu->exc.pending && l1vmm_ready_for_interrupt(vcpu);
}

/*
 * KVM_ENABLE_CAP(KVM_CAP_X2APIC_API): KVM's flags, each kept once set.
 * MSI destinations change with the ID format: the EOI-exit vectors are
 * computed again.
 */
int l1vmm_x2apic_api_enable(struct l1vmm_vm *vm, u64 flags)
{
	unsigned long irqf;

	if (flags & ~L1VMM_X2APIC_API_VALID_FLAGS)
		return -EINVAL;
	if (flags & KVM_X2APIC_API_USE_32BIT_IDS)
		WRITE_ONCE(vm->x2apic_format, true);
	if (flags & KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK)
		WRITE_ONCE(vm->x2apic_broadcast_quirk_disabled, true);
	mutex_lock(&vm->lock);
	if (vm->irqchip) {
		spin_lock_irqsave(&vm->irqchip->lock, irqf);
		vm->irqchip->scan_gen++;
		spin_unlock_irqrestore(&vm->irqchip->lock, irqf);
	}
	mutex_unlock(&vm->lock);
	return 0;
}
