/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KVM_IOEVENTFD: guest port and MMIO writes that signal an eventfd in the
 * kernel instead of exiting to user space (virtio doorbells). ioeventfd.c;
 * the matching rules are l1vmm/portable/ioeventfd_match.c.
 *
 * Locking: the VM's table is an RCU-protected, sorted array that is never
 * changed in place. KVM_IOEVENTFD builds a new one under the VM's
 * ioeventfd_lock and publishes it; a vCPU looks up under rcu_read_lock().
 * An empty table is NULL, so a VM without ioeventfds pays one load and
 * branch per port or MMIO write exit.
 */
#ifndef L1VMM_IOEVENTFD_H
#define L1VMM_IOEVENTFD_H

#include <linux/kvm.h>
#include <linux/rcupdate.h>

#include "l1vmm/portable/ioeventfd_match.h"
#include "l1vmm/vm.h"

struct l1vmm_ioeventfds {
	struct rcu_head rcu;
	unsigned int n;
	struct l1vmm_ioeventfd tab[];
};

/* KVM_IOEVENTFD (assign or deassign): 0 or KVM's errno. */
int l1vmm_ioeventfd_ioctl(struct l1vmm_vm *vm, const struct kvm_ioeventfd *args);

/* Drop every ioeventfd and its eventfd reference; no vCPU runs any more. */
void l1vmm_ioeventfd_free(struct l1vmm_vm *vm);

/* The lookup itself; with !@signal, only whether an ioeventfd would take it. */
bool __l1vmm_ioeventfd_write(struct l1vmm_vm *vm, enum l1vmm_iobus bus, u64 addr,
			     unsigned int len, u64 val, bool signal);

/*
 * A guest write of @len bytes of @val to @addr on @bus: true when an
 * ioeventfd took it (its eventfd is signalled; the caller retires the
 * instruction and re-enters the guest), false when it goes on to user space.
 */
static inline bool l1vmm_ioeventfd_write(struct l1vmm_vm *vm, enum l1vmm_iobus bus, u64 addr,
					 unsigned int len, u64 val)
{
	if (likely(!rcu_access_pointer(vm->ioeventfds)))
		return false;
	return __l1vmm_ioeventfd_write(vm, bus, addr, len, val, true);
}

#endif /* L1VMM_IOEVENTFD_H */
