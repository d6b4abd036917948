// SPDX-License-Identifier: GPL-2.0-only
/*
 * Coalesced MMIO and PIO; see coalesced_mmio.h.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "l1vmm/coalesced_mmio.h"
#include "l1vmm/portable/coalesced.h"

/* The entries of the one-page ring, as KVM's KVM_COALESCED_MMIO_MAX. */
#define RING_MAX	((PAGE_SIZE - sizeof(struct kvm_coalesced_mmio_ring)) / \
			 sizeof(struct kvm_coalesced_mmio))

int l1vmm_coalesced_init(struct l1vmm_vm *vm)
{
	vm->coalesced_ring = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vm->coalesced_ring)
		return -ENOMEM;
	spin_lock_init(&vm->ring_lock);
	mutex_init(&vm->coalesced_lock);
	return 0;
}

/* No vCPU runs and no file maps the ring any more. */
void l1vmm_coalesced_free(struct l1vmm_vm *vm)
{
	kfree(rcu_dereference_protected(vm->coalesced_zones, true));
	free_page((unsigned long)vm->coalesced_ring);
}

static struct l1vmm_coalesced_zones *zones_alloc(unsigned int n)
{
	struct l1vmm_coalesced_zones *z;

	return kmalloc(struct_size(z, tab, n), GFP_KERNEL_ACCOUNT);
}

/* Publish @new (NULL when empty) and free the old table after a grace period. */
static void zones_replace(struct l1vmm_vm *vm, struct l1vmm_coalesced_zones *new)
{
	struct l1vmm_coalesced_zones *old;

	old = rcu_replace_pointer(vm->coalesced_zones, new, lockdep_is_held(&vm->coalesced_lock));
	if (old)
		kfree_rcu(old, rcu);
}

/* As KVM: only pio 0 (MMIO) or 1 (port I/O); any address and size, overlaps allowed. */
int l1vmm_coalesced_register(struct l1vmm_vm *vm, const struct kvm_coalesced_mmio_zone *zone)
{
	struct l1vmm_coalesced_zones *old, *new;
	unsigned int n;
	int r = 0;

	if (zone->pio != 0 && zone->pio != 1)
		return -EINVAL;
	mutex_lock(&vm->coalesced_lock);
	old = rcu_dereference_protected(vm->coalesced_zones, lockdep_is_held(&vm->coalesced_lock));
	n = old ? old->n : 0;
	if (n >= L1VMM_MAX_COALESCED_ZONES) {
		r = -ENOSPC;
		goto out;
	}
	new = zones_alloc(n + 1);
	if (!new) {
		r = -ENOMEM;
		goto out;
	}
	if (n)
		memcpy(new->tab, old->tab, n * sizeof(new->tab[0]));
	new->tab[n] = *zone;
	new->n = n + 1;
	zones_replace(vm, new);
out:
	mutex_unlock(&vm->coalesced_lock);
	return r;
}

/*
 * As KVM: every zone on the same bus that contains the range given goes;
 * none is no error.
 */
int l1vmm_coalesced_unregister(struct l1vmm_vm *vm, const struct kvm_coalesced_mmio_zone *zone)
{
	struct l1vmm_coalesced_zones *old, *new = NULL;
	unsigned int i, kept = 0;

	if (zone->pio != 0 && zone->pio != 1)
		return -EINVAL;
	mutex_lock(&vm->coalesced_lock);
	old = rcu_dereference_protected(vm->coalesced_zones, lockdep_is_held(&vm->coalesced_lock));
	if (!old)
		goto out;
	for (i = 0; i < old->n; i++)
		if (old->tab[i].pio != zone->pio ||
		    !l1vmm_coalesced_in_range(old->tab[i].addr, old->tab[i].size, zone->addr,
					      (int)zone->size))
			kept++;
	if (kept == old->n)
		goto out;
	if (kept) {
		new = zones_alloc(kept);
		if (!new) {
			mutex_unlock(&vm->coalesced_lock);
			return -ENOMEM;
		}
		new->n = 0;
		for (i = 0; i < old->n; i++)
			if (old->tab[i].pio != zone->pio ||
			    !l1vmm_coalesced_in_range(old->tab[i].addr, old->tab[i].size,
						      zone->addr, (int)zone->size))
				new->tab[new->n++] = old->tab[i];
	}
	zones_replace(vm, new);
out:
	mutex_unlock(&vm->coalesced_lock);
	return 0;
}

bool __l1vmm_coalesced_write(struct l1vmm_vm *vm, enum l1vmm_iobus bus, u64 addr,
			     unsigned int len, const void *data)
{
	struct kvm_coalesced_mmio_ring *ring = vm->coalesced_ring;
	const struct l1vmm_coalesced_zones *zones;
	u32 pio = bus == L1VMM_IOBUS_PIO;
	bool found = false;
	unsigned int i;
	int slot;

	if (WARN_ON_ONCE(len > sizeof(ring->coalesced_mmio[0].data)))
		return false;
	rcu_read_lock();
	zones = rcu_dereference(vm->coalesced_zones);
	for (i = 0; zones && i < zones->n && !found; i++)
		found = zones->tab[i].pio == pio &&
			l1vmm_coalesced_in_range(zones->tab[i].addr, zones->tab[i].size, addr, len);
	rcu_read_unlock();
	if (!found)
		return false;

	/* first and last are in memory user space writes too: read each once. */
	spin_lock(&vm->ring_lock);
	slot = l1vmm_coalesced_slot(READ_ONCE(ring->first), READ_ONCE(ring->last), RING_MAX);
	if (slot >= 0) {
		ring->coalesced_mmio[slot].phys_addr = addr;
		ring->coalesced_mmio[slot].len = len;
		memcpy(ring->coalesced_mmio[slot].data, data, len);
		ring->coalesced_mmio[slot].pio = pio;
		/* The entry before the index that publishes it. */
		smp_wmb();
		WRITE_ONCE(ring->last, (slot + 1) % RING_MAX);
	}
	spin_unlock(&vm->ring_lock);
	return slot >= 0;
}
