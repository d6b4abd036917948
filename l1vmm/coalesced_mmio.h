/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Coalesced MMIO and PIO (KVM_CAP_COALESCED_MMIO, KVM_CAP_COALESCED_PIO):
 * guest writes into zones user space registered go into a ring, one page
 * per VM mapped at KVM_COALESCED_MMIO_PAGE_OFFSET of every vCPU's mmap,
 * and the guest runs on; user space drains the ring when it next looks
 * (QEMU: at every exit). As KVM's virt/kvm/coalesced_mmio.c; the rules are
 * l1vmm/portable/coalesced.c.
 *
 * Locking: the zones are an RCU-protected array that is never changed in
 * place, replaced under the VM's coalesced_lock; the ring's writers take
 * the VM's ring_lock. A VM without zones pays one load and branch per
 * port or MMIO write exit.
 */
#ifndef L1VMM_COALESCED_MMIO_H
#define L1VMM_COALESCED_MMIO_H

#include <linux/kvm.h>
#include <linux/rcupdate.h>

#include "l1vmm/portable/ioeventfd_match.h"
#include "l1vmm/vm.h"

/* Zones per VM, both buses together: KVM's bus limit (NR_IOBUS_DEVS). */
#define L1VMM_MAX_COALESCED_ZONES	1000

struct l1vmm_coalesced_zones {
	struct rcu_head rcu;
	unsigned int n;
	struct kvm_coalesced_mmio_zone tab[];
};

int l1vmm_coalesced_init(struct l1vmm_vm *vm);
void l1vmm_coalesced_free(struct l1vmm_vm *vm);

/* KVM_REGISTER_COALESCED_MMIO and KVM_UNREGISTER_COALESCED_MMIO. */
int l1vmm_coalesced_register(struct l1vmm_vm *vm, const struct kvm_coalesced_mmio_zone *zone);
int l1vmm_coalesced_unregister(struct l1vmm_vm *vm, const struct kvm_coalesced_mmio_zone *zone);

bool __l1vmm_coalesced_write(struct l1vmm_vm *vm, enum l1vmm_iobus bus, u64 addr,
			     unsigned int len, const void *data);

/*
 * A guest write of @len bytes at @data to @addr on @bus: true when a zone
 * took it into the ring (the caller retires the instruction and re-enters
 * the guest), false when it goes on to user space (no zone, or a full ring).
 */
static inline bool l1vmm_coalesced_write(struct l1vmm_vm *vm, enum l1vmm_iobus bus, u64 addr,
					 unsigned int len, const void *data)
{
	if (likely(!rcu_access_pointer(vm->coalesced_zones)))
		return false;
	return __l1vmm_coalesced_write(vm, bus, addr, len, data);
}

#endif /* L1VMM_COALESCED_MMIO_H */
