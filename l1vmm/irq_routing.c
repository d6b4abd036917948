// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interrupt routing without an in-kernel irqchip. l1vmm has none yet (no
 * KVM_CREATE_IRQCHIP), and KVM, without one, accepts no route, no MSI and
 * no irqfd, yet reports the capabilities (QEMU requires
 * KVM_CAP_IRQ_ROUTING even with its interrupt controllers in user space).
 * These are KVM's answers in that state (Linux 6.1, kvm_vm_ioctl(),
 * kvm_irqfd(), kvm_send_userspace_msi(), kvm_arch_can_set_irq_routing(),
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
#include "l1vmm/irqchip.h"

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
		r = l1vmm_irqchip_set_routing(vm, entries, routing.nr);
		kvfree(entries);
		return r;
	}
	case KVM_SIGNAL_MSI: {
		struct kvm_msi msi;

		if (copy_from_user(&msi, argp, sizeof(msi)))
			return -EFAULT;
		if (!vm->irqchip)
			return -EINVAL;
		return l1vmm_irqchip_signal_msi(vm, &msi);
	}
	default:
		return -ENOTTY;
	}
}
