// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_IOEVENTFD, as KVM (virt/kvm/eventfd.c) answers it: the same checks in
 * the same order and the same errnos; see ioeventfd.h for the locking. The
 * one difference: at most L1VMM_MAX_IOEVENTFDS per VM (ENOSPC), where KVM
 * has no count limit (doc/abi.md).
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/eventfd.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "l1vmm/ioeventfd.h"

static struct l1vmm_ioeventfds *table(struct l1vmm_vm *vm)
{
	return rcu_dereference_protected(vm->ioeventfds,
					 lockdep_is_held(&vm->ioeventfd_lock));
}

static struct l1vmm_ioeventfds *table_alloc(unsigned int n)
{
	struct l1vmm_ioeventfds *t;

	t = kvmalloc(struct_size(t, tab, n), GFP_KERNEL_ACCOUNT);
	if (t)
		t->n = n;
	return t;
}

static enum l1vmm_iobus bus_from_flags(u32 flags)
{
	if (flags & KVM_IOEVENTFD_FLAG_PIO)
		return L1VMM_IOBUS_PIO;
	if (flags & KVM_IOEVENTFD_FLAG_VIRTIO_CCW_NOTIFY)
		return L1VMM_IOBUS_CCW;
	return L1VMM_IOBUS_MMIO;
}

static void fill(struct l1vmm_ioeventfd *p, const struct kvm_ioeventfd *args,
		 struct eventfd_ctx *eventfd)
{
	p->addr = args->addr;
	p->bus = bus_from_flags(args->flags);
	p->len = args->len;
	p->eventfd = eventfd;
	p->wildcard = !(args->flags & KVM_IOEVENTFD_FLAG_DATAMATCH);
	p->datamatch = p->wildcard ? 0 : args->datamatch;
}

static int assign(struct l1vmm_vm *vm, const struct kvm_ioeventfd *args)
{
	struct l1vmm_ioeventfds *old, *new;
	struct eventfd_ctx *eventfd;
	struct l1vmm_ioeventfd p;
	unsigned int n, i;
	int r;

	switch (args->len) {
	case 0:
	case 1:
	case 2:
	case 4:
	case 8:
		break;
	default:
		return -EINVAL;
	}
	if (args->addr + args->len < args->addr)
		return -EINVAL;
	if (args->flags & ~KVM_IOEVENTFD_VALID_FLAG_MASK)
		return -EINVAL;
	if (!args->len && (args->flags & KVM_IOEVENTFD_FLAG_DATAMATCH))
		return -EINVAL;

	eventfd = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(eventfd))
		return PTR_ERR(eventfd);
	fill(&p, args, eventfd);

	mutex_lock(&vm->ioeventfd_lock);
	old = table(vm);
	n = old ? old->n : 0;
	r = -EEXIST;
	if (old && l1vmm_ioeventfd_collides(old->tab, n, &p))
		goto unlock;
	r = -ENOSPC;
	if (n >= L1VMM_MAX_IOEVENTFDS)
		goto unlock;
	r = -ENOMEM;
	new = table_alloc(n + 1);
	if (!new)
		goto unlock;

	/* Before the entries of the same key: their order does not matter. */
	i = old ? l1vmm_ioeventfd_lower_bound(old->tab, n, p.bus, p.addr) : 0;
	if (i)
		memcpy(new->tab, old->tab, i * sizeof(p));
	new->tab[i] = p;
	if (n > i)
		memcpy(new->tab + i + 1, old->tab + i, (n - i) * sizeof(p));
	rcu_assign_pointer(vm->ioeventfds, new);
	mutex_unlock(&vm->ioeventfd_lock);
	/* Nothing in the old table goes away: it only waits for its readers. */
	if (old)
		kvfree_rcu(old, rcu);
	return 0;

unlock:
	mutex_unlock(&vm->ioeventfd_lock);
	eventfd_ctx_put(eventfd);
	return r;
}

static int deassign(struct l1vmm_vm *vm, const struct kvm_ioeventfd *args)
{
	struct l1vmm_ioeventfds *old, *new = NULL;
	struct eventfd_ctx *eventfd;
	struct l1vmm_ioeventfd p;
	int i, r;

	eventfd = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(eventfd))
		return PTR_ERR(eventfd);
	fill(&p, args, eventfd);

	mutex_lock(&vm->ioeventfd_lock);
	old = table(vm);
	r = -ENOENT;
	/* Only a length KVM assigns can name one (p.len is a u8). */
	i = old && args->len <= 8 ? l1vmm_ioeventfd_find(old->tab, old->n, &p) : -1;
	if (i < 0)
		goto unlock;
	if (old->n > 1) {
		r = -ENOMEM;
		new = table_alloc(old->n - 1);
		if (!new)
			goto unlock;
		memcpy(new->tab, old->tab, i * sizeof(p));
		memcpy(new->tab + i, old->tab + i + 1, (old->n - i - 1) * sizeof(p));
	}
	rcu_assign_pointer(vm->ioeventfds, new);
	mutex_unlock(&vm->ioeventfd_lock);

	/*
	 * A vCPU may be signalling the removed eventfd right now: drop the
	 * reference only when it is done, so that it is never signalled after
	 * the deassign returns (KVM waits the same way, on its bus's SRCU).
	 */
	synchronize_rcu();
	eventfd_ctx_put(old->tab[i].eventfd);
	kvfree(old);
	eventfd_ctx_put(eventfd);
	return 0;

unlock:
	mutex_unlock(&vm->ioeventfd_lock);
	eventfd_ctx_put(eventfd);
	return r;
}

int l1vmm_ioeventfd_ioctl(struct l1vmm_vm *vm, const struct kvm_ioeventfd *args)
{
	if (args->flags & KVM_IOEVENTFD_FLAG_DEASSIGN)
		return deassign(vm, args);
	return assign(vm, args);
}

void l1vmm_ioeventfd_free(struct l1vmm_vm *vm)
{
	struct l1vmm_ioeventfds *t = rcu_dereference_protected(vm->ioeventfds, true);
	unsigned int i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		eventfd_ctx_put(t->tab[i].eventfd);
	kvfree(t);
	RCU_INIT_POINTER(vm->ioeventfds, NULL);
}

bool __l1vmm_ioeventfd_write(struct l1vmm_vm *vm, enum l1vmm_iobus bus, u64 addr,
			     unsigned int len, u64 val, bool signal)
{
	const struct l1vmm_ioeventfd *p = NULL;
	struct l1vmm_ioeventfds *t;

	rcu_read_lock();
	t = rcu_dereference(vm->ioeventfds);
	if (t)
		p = l1vmm_ioeventfd_match(t->tab, t->n, bus, addr, len, val);
	if (p && signal)
		eventfd_signal(p->eventfd, 1);
	rcu_read_unlock();
	return p;
}
