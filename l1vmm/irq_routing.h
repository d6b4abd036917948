/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KVM_IRQFD, KVM_SET_GSI_ROUTING and KVM_SIGNAL_MSI for a VM without an
 * in-kernel irqchip: KVM's answers then, in KVM's order. irq_routing.c.
 */
#ifndef L1VMM_IRQ_ROUTING_H
#define L1VMM_IRQ_ROUTING_H

#include "l1vmm/vm.h"

long l1vmm_irq_routing_ioctl(struct l1vmm_vm *vm, unsigned int ioctl, void __user *argp);

#endif /* L1VMM_IRQ_ROUTING_H */
