// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_IRQFD with the in-kernel irqchip (KVM 6.1's virt/kvm/eventfd.c): an
 * eventfd's signal drives a GSI; with KVM_IRQFD_FLAG_RESAMPLE the line
 * stays up until the guest acks it, and the resamplefd says so.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/kvm.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

#include "l1vmm/irqchip_priv.h"
#include "l1vmm/irqchip_split.h"

struct l1vmm_irqfd {
	struct l1vmm_vm *vm;
	struct eventfd_ctx *eventfd;
	struct eventfd_ctx *resamplefd;		/* NULL: not resampling */
	u32 gsi;
	wait_queue_entry_t wait;
	poll_table pt;
	struct work_struct inject;
	struct work_struct shutdown;		/* after EPOLLHUP: the eventfd closed */
	struct list_head list;			/* vm->irqfds; empty once deactivated */
	struct list_head resample_link;		/* irqchip->resamplers */
};

/*
 * An ack of @chip's @pin (an EOI of its vector, a PIC's ISR bit cleared):
 * every resampling irqfd of a GSI routed there lowers its line and
 * signals its resamplefd (KVM's irqfd_resampler_ack()). Lock held.
 */
void l1vmm_irqfd_ack(struct l1vmm_vm *vm, u32 chip, u32 pin)
{
	struct l1vmm_irqchip *ic = vm->irqchip;
	const struct l1vmm_irq_routes *rt = ic->routes;
	struct l1vmm_irqfd *irqfd;
	unsigned int i;

	if (list_empty(&ic->resamplers) || !rt)
		return;
	for (i = 0; i < rt->nr; i++) {
		const struct l1vmm_irq_route *e = &rt->e[i];
		bool lowered = false;

		if (e->type != KVM_IRQ_ROUTING_IRQCHIP || e->irqchip.chip != chip ||
		    e->irqchip.pin != pin)
			continue;
		list_for_each_entry(irqfd, &ic->resamplers, resample_link) {
			if (irqfd->gsi != e->gsi)
				continue;
			if (!lowered)
				l1vmm_irqchip_set_gsi_locked(vm, L1VMM_RESAMPLE_SOURCE, e->gsi,
							     false);
			lowered = true;
			eventfd_signal(irqfd->resamplefd, 1);
		}
	}
}

/* The IOAPIC pins an EOI of @vector acks (KVM's __kvm_ioapic_update_eoi()). Lock held. */
void l1vmm_irqfd_ack_vector(struct l1vmm_vm *vm, int vector)
{
	const struct l1vmm_ioapic *io = &vm->irqchip->ioapic;
	unsigned int i;

	if (vector < 0 || list_empty(&vm->irqchip->resamplers))
		return;
	for (i = 0; i < L1VMM_IOAPIC_NUM_PINS; i++)
		if ((io->s.redirtbl[i] & L1VMM_IOAPIC_VECTOR) == vector)
			l1vmm_irqfd_ack(vm, KVM_IRQCHIP_IOAPIC, i);
}

static void irqfd_inject(struct work_struct *work)
{
	struct l1vmm_irqfd *irqfd = container_of(work, struct l1vmm_irqfd, inject);

	if (irqfd->resamplefd) {
		l1vmm_irqchip_set_gsi(irqfd->vm, L1VMM_RESAMPLE_SOURCE, irqfd->gsi, true);
	} else {
		l1vmm_irqchip_set_gsi(irqfd->vm, L1VMM_USERSPACE_SOURCE, irqfd->gsi, true);
		l1vmm_irqchip_set_gsi(irqfd->vm, L1VMM_USERSPACE_SOURCE, irqfd->gsi, false);
	}
}

/* Tear down an irqfd no list holds any more; may sleep. */
static void irqfd_free(struct l1vmm_irqfd *irqfd)
{
	struct l1vmm_vm *vm = irqfd->vm;
	unsigned long flags;
	u64 cnt;

	/* No wake-up runs after this: none can queue the injection again. */
	eventfd_ctx_remove_wait_queue(irqfd->eventfd, &irqfd->wait, &cnt);
	flush_work(&irqfd->inject);
	if (irqfd->resamplefd) {
		spin_lock_irqsave(&vm->irqchip->lock, flags);
		list_del(&irqfd->resample_link);
		l1vmm_irqchip_set_gsi_locked(vm, L1VMM_RESAMPLE_SOURCE, irqfd->gsi, false);
		spin_unlock_irqrestore(&vm->irqchip->lock, flags);
		eventfd_ctx_put(irqfd->resamplefd);
	}
	eventfd_ctx_put(irqfd->eventfd);
	kfree(irqfd);
	if (atomic_dec_and_test(&vm->nr_irqfds))
		wake_up_var(&vm->nr_irqfds);
}

static void irqfd_shutdown(struct work_struct *work)
{
	irqfd_free(container_of(work, struct l1vmm_irqfd, shutdown));
}

/* Take @irqfd off the VM's list; true if this caller did (and so frees it). */
static bool irqfd_deactivate(struct l1vmm_irqfd *irqfd)
{
	lockdep_assert_held(&irqfd->vm->irqfd_lock);
	if (list_empty(&irqfd->list))
		return false;
	list_del_init(&irqfd->list);
	return true;
}

/*
 * Where an irqfd whose eventfd closed is freed (KVM's irqfd_cleanup_wq):
 * the module's own, so that a VM going away can wait until no freeing
 * function is still running, its last instructions included, before the
 * VM's memory (and, at rmmod, the module's code) goes.
 */
static struct workqueue_struct *irqfd_cleanup_wq;

int l1vmm_irqfd_init(void)
{
	irqfd_cleanup_wq = alloc_workqueue("l1vmm-irqfd-cleanup", 0, 0);
	return irqfd_cleanup_wq ? 0 : -ENOMEM;
}

void l1vmm_irqfd_exit(void)
{
	destroy_workqueue(irqfd_cleanup_wq);
}

/* The eventfd's wake-up, its wait queue's lock held, IRQs off (KVM's irqfd_wakeup()). */
static int irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode, int sync, void *key)
{
	struct l1vmm_irqfd *irqfd = container_of(wait, struct l1vmm_irqfd, wait);
	__poll_t events = key_to_poll(key);
	unsigned long flags;
	u64 cnt;

	if (events & EPOLLIN) {
		eventfd_ctx_do_read(irqfd->eventfd, &cnt);
		schedule_work(&irqfd->inject);
	}
	if (events & EPOLLHUP) {
		spin_lock_irqsave(&irqfd->vm->irqfd_lock, flags);
		if (irqfd_deactivate(irqfd))
			queue_work(irqfd_cleanup_wq, &irqfd->shutdown);
		spin_unlock_irqrestore(&irqfd->vm->irqfd_lock, flags);
	}
	return 0;
}

static void irqfd_queue_proc(struct file *file, wait_queue_head_t *wqh, poll_table *pt)
{
	struct l1vmm_irqfd *irqfd = container_of(pt, struct l1vmm_irqfd, pt);

	add_wait_queue(wqh, &irqfd->wait);
}

/* KVM's kvm_irqfd_assign(), its checks in its order. */
static int irqfd_assign(struct l1vmm_vm *vm, const struct kvm_irqfd *args)
{
	struct l1vmm_irqfd *irqfd, *o;
	unsigned long flags;
	__poll_t events;
	struct fd f;
	int r;

	/* KVM's kvm_arch_irqfd_allowed(): resampling needs the in-kernel IOAPIC. */
	if ((args->flags & KVM_IRQFD_FLAG_RESAMPLE) && !l1vmm_pic_in_kernel(vm))
		return -EINVAL;
	irqfd = kzalloc(sizeof(*irqfd), GFP_KERNEL_ACCOUNT);
	if (!irqfd)
		return -ENOMEM;
	irqfd->vm = vm;
	irqfd->gsi = args->gsi;
	INIT_LIST_HEAD(&irqfd->list);
	INIT_LIST_HEAD(&irqfd->resample_link);
	INIT_WORK(&irqfd->inject, irqfd_inject);
	INIT_WORK(&irqfd->shutdown, irqfd_shutdown);
	f = fdget(args->fd);
	r = -EBADF;
	if (!f.file)
		goto free;
	irqfd->eventfd = eventfd_ctx_fileget(f.file);
	if (IS_ERR(irqfd->eventfd)) {
		r = PTR_ERR(irqfd->eventfd);
		goto put_file;
	}
	if (args->flags & KVM_IRQFD_FLAG_RESAMPLE) {
		irqfd->resamplefd = eventfd_ctx_fdget(args->resamplefd);
		if (IS_ERR(irqfd->resamplefd)) {
			r = PTR_ERR(irqfd->resamplefd);
			goto put_eventfd;
		}
	}
	init_waitqueue_func_entry(&irqfd->wait, irqfd_wakeup);
	init_poll_funcptr(&irqfd->pt, irqfd_queue_proc);

	spin_lock_irqsave(&vm->irqfd_lock, flags);
	list_for_each_entry(o, &vm->irqfds, list) {
		if (o->eventfd == irqfd->eventfd) {
			spin_unlock_irqrestore(&vm->irqfd_lock, flags);
			r = -EBUSY;
			goto put_resample;
		}
	}
	list_add_tail(&irqfd->list, &vm->irqfds);
	atomic_inc(&vm->nr_irqfds);
	spin_unlock_irqrestore(&vm->irqfd_lock, flags);
	if (irqfd->resamplefd) {
		spin_lock_irqsave(&vm->irqchip->lock, flags);
		list_add_tail(&irqfd->resample_link, &vm->irqchip->resamplers);
		spin_unlock_irqrestore(&vm->irqchip->lock, flags);
	}
	/* Signalled before it was assigned: inject now, as KVM. */
	events = vfs_poll(f.file, &irqfd->pt);
	if (events & EPOLLIN)
		schedule_work(&irqfd->inject);
	fdput(f);
	return 0;

put_resample:
	if (irqfd->resamplefd)
		eventfd_ctx_put(irqfd->resamplefd);
put_eventfd:
	eventfd_ctx_put(irqfd->eventfd);
put_file:
	fdput(f);
free:
	kfree(irqfd);
	return r;
}

/* KVM's kvm_irqfd_deassign(): the irqfd of this eventfd and GSI, gone when it returns. */
static int irqfd_deassign(struct l1vmm_vm *vm, const struct kvm_irqfd *args)
{
	struct l1vmm_irqfd *irqfd, *tmp, *found = NULL;
	struct eventfd_ctx *eventfd;
	unsigned long flags;

	eventfd = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(eventfd))
		return PTR_ERR(eventfd);
	spin_lock_irqsave(&vm->irqfd_lock, flags);
	list_for_each_entry_safe(irqfd, tmp, &vm->irqfds, list) {
		if (irqfd->eventfd == eventfd && irqfd->gsi == args->gsi) {
			irqfd_deactivate(irqfd);
			found = irqfd;
			break;
		}
	}
	spin_unlock_irqrestore(&vm->irqfd_lock, flags);
	eventfd_ctx_put(eventfd);
	if (found)
		irqfd_free(found);
	return 0;
}

/*
 * Assign and deassign under the VM's lock: an assign lists its irqfd
 * before vfs_poll() adds it to the eventfd's wait queue, and a deassign
 * from another thread in between would free it there (removing a wait
 * entry never added, then the assign going on with freed memory). KVM
 * 6.1 has that window; upstream closed it later by listing the irqfd
 * from the poll callback.
 */
int l1vmm_irqfd(struct l1vmm_vm *vm, const struct kvm_irqfd *args)
{
	int r;

	if (args->flags & ~(KVM_IRQFD_FLAG_DEASSIGN | KVM_IRQFD_FLAG_RESAMPLE))
		return -EINVAL;
	mutex_lock(&vm->lock);
	if (args->flags & KVM_IRQFD_FLAG_DEASSIGN)
		r = irqfd_deassign(vm, args);
	else
		r = irqfd_assign(vm, args);
	mutex_unlock(&vm->lock);
	return r;
}

/* The VM's end: every irqfd goes, and none is left for a work to free. */
void l1vmm_irqfd_release(struct l1vmm_vm *vm)
{
	struct l1vmm_irqfd *irqfd;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&vm->irqfd_lock, flags);
		irqfd = list_first_entry_or_null(&vm->irqfds, struct l1vmm_irqfd, list);
		if (irqfd)
			irqfd_deactivate(irqfd);
		spin_unlock_irqrestore(&vm->irqfd_lock, flags);
		if (!irqfd)
			break;
		irqfd_free(irqfd);
	}
	wait_var_event(&vm->nr_irqfds, !atomic_read(&vm->nr_irqfds));
	/* A shutdown that dropped the count may still be returning. */
	flush_workqueue(irqfd_cleanup_wq);
}

