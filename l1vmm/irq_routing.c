// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_SET_GSI_ROUTING, KVM_SIGNAL_MSI and KVM_IRQFD's checks. With the
 * in-kernel irqchip: the route table (KVM 6.1's irqchip.c and irq_comm.c),
 * KVM's default routes, MSIs. Without one, KVM accepts no route, no MSI
 * and no irqfd, yet reports the capabilities (QEMU requires
 * KVM_CAP_IRQ_ROUTING even with its interrupt controllers in user space):
 * KVM's answers in that state (kvm_vm_ioctl(), kvm_irqfd(),
 * kvm_send_userspace_msi(), kvm_arch_can_set_irq_routing(),
 * kvm_arch_irqfd_allowed()), each check in KVM's order.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/eventfd.h>
#include <linux/err.h>
#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "l1vmm/irq_routing.h"
#include "l1vmm/irqchip_priv.h"
#include "l1vmm/irqchip_split.h"

/* --- GSI routing with the irqchip --- */

/* One entry checked as KVM's setup_routing_entry() and kvm_set_routing_entry(). */
static int route_from_user(struct l1vmm_vm *vm, const struct l1vmm_irqchip *chip,
			   const struct kvm_irq_routing_entry *ue, struct l1vmm_irq_route *e)
{
	e->gsi = ue->gsi;
	e->type = ue->type;
	switch (ue->type) {
	case KVM_IRQ_ROUTING_IRQCHIP:
		/* The split irqchip has no PIC and IOAPIC to route to. */
		if (ue->flags || chip->split)
			return -EINVAL;
		e->irqchip.chip = ue->u.irqchip.irqchip;
		e->irqchip.pin = ue->u.irqchip.pin;
		switch (ue->u.irqchip.irqchip) {
		case KVM_IRQCHIP_PIC_SLAVE:
			e->irqchip.pin += L1VMM_PIC_NUM_PINS / 2;
			fallthrough;
		case KVM_IRQCHIP_PIC_MASTER:
			if (ue->u.irqchip.pin >= L1VMM_PIC_NUM_PINS / 2)
				return -EINVAL;
			return 0;
		case KVM_IRQCHIP_IOAPIC:
			if (ue->u.irqchip.pin >= L1VMM_IOAPIC_NUM_PINS)
				return -EINVAL;
			return 0;
		default:
			return -EINVAL;
		}
	case KVM_IRQ_ROUTING_MSI:
		if (ue->flags & ~KVM_MSI_VALID_DEVID)
			return -EINVAL;
		e->msi.address_lo = ue->u.msi.address_lo;
		e->msi.address_hi = ue->u.msi.address_hi;
		e->msi.data = ue->u.msi.data;
		return l1vmm_msi_route_invalid(vm, e) ? -EINVAL : 0;
	default:
		/* Hyper-V SINT and Xen event channel routes: l1vmm has neither. */
		return -EINVAL;
	}
}

/* Is @e a second route of its GSI to the same irqchip, or beside a non-irqchip route? */
static bool route_conflicts(const struct l1vmm_irq_routes *rt, const struct l1vmm_irq_route *e)
{
	unsigned int i;

	for (i = 0; i < rt->nr; i++) {
		const struct l1vmm_irq_route *o = &rt->e[i];

		if (o->gsi != e->gsi)
			continue;
		if (o->type != KVM_IRQ_ROUTING_IRQCHIP || e->type != KVM_IRQ_ROUTING_IRQCHIP ||
		    o->irqchip.chip == e->irqchip.chip)
			return true;
	}
	return false;
}

static int set_routing(struct l1vmm_vm *vm, struct l1vmm_irqchip *chip,
		       const struct kvm_irq_routing_entry *ue, unsigned int nr)
{
	struct l1vmm_irq_routes *rt, *old;
	unsigned long flags;
	unsigned int i;
	int r;

	for (i = 0; i < nr; i++)
		if (ue[i].gsi >= L1VMM_MAX_IRQ_ROUTES)
			return -EINVAL;
	rt = kvzalloc(struct_size(rt, e, nr), GFP_KERNEL_ACCOUNT);
	if (!rt)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		struct l1vmm_irq_route e = { 0 };

		r = route_from_user(vm, chip, &ue[i], &e);
		if (!r && route_conflicts(rt, &e))
			r = -EINVAL;
		if (r) {
			kvfree(rt);
			return r;
		}
		rt->e[rt->nr++] = e;
	}
	spin_lock_irqsave(&chip->lock, flags);
	old = chip->routes;
	chip->routes = rt;
	chip->scan_gen++;
	spin_unlock_irqrestore(&chip->lock, flags);
	kvfree(old);
	return 0;
}

/*
 * KVM's default routes: GSI 0-15 to the PIC and the IOAPIC pin of the same
 * number, 16-23 to the IOAPIC; in @chip, before it is published.
 */
int l1vmm_irqchip_default_routing(struct l1vmm_vm *vm, struct l1vmm_irqchip *chip)
{
	struct kvm_irq_routing_entry ue[16 * 2 + 8] = { 0 };
	unsigned int i, n = 0;

	for (i = 0; i < L1VMM_IOAPIC_NUM_PINS; i++) {
		if (i < L1VMM_PIC_NUM_PINS) {
			ue[n].gsi = i;
			ue[n].type = KVM_IRQ_ROUTING_IRQCHIP;
			ue[n].u.irqchip.irqchip = i < 8 ? KVM_IRQCHIP_PIC_MASTER :
							  KVM_IRQCHIP_PIC_SLAVE;
			ue[n].u.irqchip.pin = i % 8;
			n++;
		}
		ue[n].gsi = i;
		ue[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		ue[n].u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		ue[n].u.irqchip.pin = i;
		n++;
	}
	return set_routing(vm, chip, ue, n);
}

/* KVM_SIGNAL_MSI with the irqchip (KVM's kvm_send_userspace_msi()). */
static int signal_msi(struct l1vmm_vm *vm, const struct kvm_msi *msi)
{
	struct l1vmm_irq_route e = {
		.type = KVM_IRQ_ROUTING_MSI,
		.msi = { .address_lo = msi->address_lo, .address_hi = msi->address_hi,
			 .data = msi->data },
	};
	unsigned long flags;
	int r;

	if (msi->flags & ~KVM_MSI_VALID_DEVID)
		return -EINVAL;
	spin_lock_irqsave(&vm->irqchip->lock, flags);
	r = l1vmm_irqchip_route_set(vm, &e, L1VMM_USERSPACE_SOURCE, true);
	spin_unlock_irqrestore(&vm->irqchip->lock, flags);
	return r;
}

/* --- Without an irqchip --- */

static long irqfd(const struct kvm_irqfd *args)
{
	struct eventfd_ctx *eventfd;

	if (args->flags & ~(KVM_IRQFD_FLAG_DEASSIGN | KVM_IRQFD_FLAG_RESAMPLE))
		return -EINVAL;
	/* Deassign finds nothing to remove, but still wants an eventfd. */
	if (args->flags & KVM_IRQFD_FLAG_DEASSIGN) {
		eventfd = eventfd_ctx_fdget(args->fd);
		if (IS_ERR(eventfd))
			return PTR_ERR(eventfd);
		eventfd_ctx_put(eventfd);
		return 0;
	}
	/* Assign: not allowed without an irqchip, before the fd is looked at. */
	return -EINVAL;
}

long l1vmm_irq_routing_ioctl(struct l1vmm_vm *vm, unsigned int ioctl, void __user *argp)
{
	switch (ioctl) {
	case KVM_IRQFD: {
		struct kvm_irqfd data;

		if (copy_from_user(&data, argp, sizeof(data)))
			return -EFAULT;
		if (vm->irqchip)
			return l1vmm_irqfd(vm, &data);
		return irqfd(&data);
	}
	case KVM_SET_GSI_ROUTING: {
		struct kvm_irq_routing routing;

		struct kvm_irq_routing_entry *entries = NULL;
		long r;

		/* The header only: KVM refuses before the entries, count or flags. */
		if (copy_from_user(&routing, argp, sizeof(routing)))
			return -EFAULT;
		if (!vm->irqchip)
			return -EINVAL;
		if (routing.nr > L1VMM_MAX_IRQ_ROUTES || routing.flags)
			return -EINVAL;
		if (routing.nr) {
			struct kvm_irq_routing __user *urouting = argp;

			entries = vmemdup_user(urouting->entries,
					       array_size(sizeof(*entries), routing.nr));
			if (IS_ERR(entries))
				return PTR_ERR(entries);
		}
		r = set_routing(vm, vm->irqchip, entries, routing.nr);
		kvfree(entries);
		return r;
	}
	case KVM_SIGNAL_MSI: {
		struct kvm_msi msi;

		if (copy_from_user(&msi, argp, sizeof(msi)))
			return -EFAULT;
		if (!vm->irqchip)
			return -EINVAL;
		return signal_msi(vm, &msi);
	}
	default:
		return -ENOTTY;
	}
}
