// SPDX-License-Identifier: GPL-2.0-only
/*
 * The in-kernel irqchip, the kernel side of the portable models: KVM 6.1's
 * behaviour (lapic.c, ioapic.c, i8259.c, irq_comm.c, x86.c's vcpu_block())
 * with the decisions taken by portable/apic.c, ioapic.c and pic.c. irqchip.h
 * says what is where and how it is locked.
 *
 * An interrupt reaches a vCPU in three steps: whoever sends it (an IPI, the
 * IOAPIC, an MSI, the timer) sets the vector in the target APIC's IRR under
 * the VM's irqchip->lock and kicks the vCPU (a request bit, a wake-up of a
 * halted vCPU, a reschedule IPI to a CPU running it); the vCPU, before its
 * next entry, takes the highest deliverable vector (the PIC's ExtINT
 * first) into the event slot when the guest can take it, or else opens
 * the interrupt window; the guest's EOI clears the ISR and is forwarded to
 * the IOAPIC.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/kvm.h>
#include <linux/math64.h>
#include <linux/poll.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>
#include <linux/nospec.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <asm/tsc.h>

#include "l1vmm/exit.h"
#include "l1vmm/irqchip.h"
#include "l1vmm/portable/cpuid.h"
#include "l1vmm/portable/insn_decode.h"
#include "l1vmm/portable/msrs.h"
#include "l1vmm/portable/x86.h"
#include "l1vmm/vm.h"

#define MSR_TSC_DEADLINE	0x000006e0

/* Bits of lapic->pending_events. */
#define LAPIC_INIT		0
#define LAPIC_SIPI		1
#define CPUID_1_ECX_X2APIC	BIT(21)
#define CPUID_1_ECX_TSC_DEADLINE BIT(24)

static u64 now_ns(void)
{
	return ktime_get_ns();
}

/*
 * vCPU @i of @vm if it has a local APIC, else NULL. The vCPUs are published
 * with a release of nr_vcpus (vcpu.c); one whose file failed to open is
 * NULL again, and freed only after a grace period (the lock's region is one).
 */
static struct l1vmm_vcpu *lapic_vcpu(struct l1vmm_vm *vm, unsigned int i)
{
	struct l1vmm_vcpu *v = READ_ONCE(vm->vcpus[i]);

	return v && v->lapic ? v : NULL;
}

static unsigned int vm_nr_vcpus(struct l1vmm_vm *vm)
{
	/* Pairs with the release in l1vmm_vcpu_alloc(): vcpus[i] is set below the count. */
	return smp_load_acquire(&vm->nr_vcpus);
}

/*
 * Make @vcpu look at its APIC before it enters the guest again: a request
 * bit, a wake-up if it sleeps in HLT, a reschedule IPI if it runs the guest
 * on another CPU (the physical interrupt makes it exit). Any context, no
 * lock needed: the timer's hard-IRQ callback calls it (KVM's kvm_vcpu_kick()).
 */
static void lapic_kick(struct l1vmm_vcpu *vcpu)
{
	int cpu;

	set_bit(L1VMM_REQ_EVENT, &vcpu->requests);
	/* Pairs with smp_store_mb(vcpu->mode) in vcpu_run(). */
	smp_mb__after_atomic();
	wake_up_interruptible(&vcpu->lapic->wq);
	if (READ_ONCE(vcpu->mode) != L1VMM_IN_GUEST_MODE)
		return;
	cpu = READ_ONCE(vcpu->cpu);
	if (cpu >= 0 && cpu != raw_smp_processor_id())
		smp_send_reschedule(cpu);
}

static void irqfd_ack(struct l1vmm_vm *vm, u32 chip, u32 pin);
static int __set_gsi(struct l1vmm_vm *vm, unsigned int source, u32 gsi, bool level);

/* --- Delivery of interrupt messages to the local APICs (lock held) --- */

/* KVM's __apic_accept_irq(): 1 when the APIC took @irq. */
static int lapic_accept(struct l1vmm_vcpu *vcpu, const struct l1vmm_apic_irq *irq)
{
	switch (l1vmm_apic_accept(&vcpu->lapic->apic, irq)) {
	case L1VMM_APIC_ACC_IRR:
		lapic_kick(vcpu);
		return 1;
	case L1VMM_APIC_ACC_NMI:
		atomic_inc(&vcpu->lapic->nmi_queued);
		lapic_kick(vcpu);
		return 1;
	case L1VMM_APIC_ACC_INIT:
		set_bit(LAPIC_INIT, &vcpu->lapic->pending_events);
		lapic_kick(vcpu);
		return 1;
	case L1VMM_APIC_ACC_SIPI:
		vcpu->lapic->sipi_vector = irq->vector;
		/* The vector before the bit: accept_events() reads them in that order. */
		smp_wmb();
		set_bit(LAPIC_SIPI, &vcpu->lapic->pending_events);
		lapic_kick(vcpu);
		return 1;
	case L1VMM_APIC_ACC_DROPPED:
		return 0;
	default:
		/* SMI and KVM's PV unhalt: taken, not acted on. */
		return 1;
	}
}

/*
 * @irq to every APIC it names, or to one of them for lowest priority
 * (KVM's vector hashing). Returns KVM's kvm_irq_delivery_to_apic() answer:
 * -1 when no APIC matched, else how many took it.
 */
static int deliver(struct l1vmm_vm *vm, struct l1vmm_vcpu *src, const struct l1vmm_apic_irq *irq)
{
	const struct l1vmm_apic *source = src ? &src->lapic->apic : NULL;
	bool lowest = l1vmm_apic_lowest_prio(irq);
	unsigned int i, n = 0, pick;
	struct l1vmm_vcpu *v;
	int r = -1;

	lockdep_assert_held(&vm->irqchip->lock);
	for (i = 0; i < vm_nr_vcpus(vm); i++) {
		v = lapic_vcpu(vm, i);
		if (!v || !l1vmm_apic_match_dest(&v->lapic->apic, source, irq, false))
			continue;
		if (lowest) {
			n += l1vmm_apic_sw_enabled(&v->lapic->apic);
			continue;
		}
		r = max(r, 0) + lapic_accept(v, irq);
	}
	if (!lowest || !n)
		return r;
	pick = l1vmm_apic_lowest_pick(irq->vector, n);
	for (i = 0; i < vm_nr_vcpus(vm); i++) {
		v = lapic_vcpu(vm, i);
		if (!v || !l1vmm_apic_match_dest(&v->lapic->apic, source, irq, false) ||
		    !l1vmm_apic_sw_enabled(&v->lapic->apic))
			continue;
		if (!pick--)
			return lapic_accept(v, irq);
	}
	return r;
}

/* An MSI's address and data as a message (KVM's kvm_set_msi_irq(), no extended ID). */
static void msi_to_irq(u32 address_lo, u32 data, struct l1vmm_apic_irq *irq)
{
	memset(irq, 0, sizeof(*irq));
	irq->dest = (address_lo >> 12) & 0xff;
	irq->logical = address_lo & BIT(2);
	irq->vector = data & 0xff;
	irq->delivery_mode = (data >> 8) & 7;
	irq->trig_level = data & BIT(15);
	irq->level = true;
	irq->shorthand = L1VMM_APIC_SH_NONE;
}

/*
 * Deliver the pins an IOAPIC operation asked for and report each result
 * back (which sets remote IRR). Returns the result for @pin, or @ret if
 * @pin was not delivered.
 */
static int ioapic_flush(struct l1vmm_vm *vm, struct l1vmm_ioapic_out *out, int pin, int ret)
{
	struct l1vmm_irqchip *chip = vm->irqchip;
	unsigned int i;
	int r;

	for (i = 0; i < L1VMM_IOAPIC_NUM_PINS; i++) {
		if (!(out->deliver & BIT(i)))
			continue;
		r = l1vmm_ioapic_delivered(&chip->ioapic, i, deliver(vm, NULL, &out->msg[i]));
		if (i == pin)
			ret = r;
	}
	if (out->defer)
		schedule_delayed_work(&chip->eoi_inject, HZ / 100);
	return ret;
}

static void ioapic_eoi_inject_work(struct work_struct *work)
{
	struct l1vmm_irqchip *chip = container_of(to_delayed_work(work), struct l1vmm_irqchip,
						  eoi_inject);
	struct l1vmm_ioapic_out out = { 0 };
	struct l1vmm_vm *vm = chip->vm;
	unsigned long flags;

	spin_lock_irqsave(&chip->lock, flags);
	l1vmm_ioapic_eoi_inject(&chip->ioapic, &out);
	out.defer = false;
	ioapic_flush(vm, &out, -1, 0);
	spin_unlock_irqrestore(&chip->lock, flags);
}

/* Does a vCPU take the PIC's INTR now (LINT0 in ExtINT mode, or its APIC off)? */
static bool lapic_takes_pic(struct l1vmm_vcpu *vcpu)
{
	return l1vmm_apic_accepts_pic(&vcpu->lapic->apic);
}

/* Before a PIC operation: whether anyone takes its interrupts. */
static void pic_prepare(struct l1vmm_vm *vm)
{
	struct l1vmm_vcpu *v;
	unsigned int i;
	bool any = false;

	for (i = 0; i < vm_nr_vcpus(vm); i++) {
		v = lapic_vcpu(vm, i);
		any |= v && lapic_takes_pic(v);
	}
	vm->irqchip->pic.accepted = any;
}

/* After it: INTR rose, kick the vCPUs that take it (KVM's pic_unlock()). */
static void pic_finish(struct l1vmm_vm *vm)
{
	struct l1vmm_pic *pic = &vm->irqchip->pic;
	struct l1vmm_vcpu *v;
	unsigned int i;
	u16 acked = pic->acked;

	pic->acked = 0;
	pic->mask_changed = 0;
	for (i = 0; acked && i < L1VMM_PIC_NUM_PINS; i++)
		if (acked & BIT(i))
			irqfd_ack(vm, i < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE, i);
	if (!pic->wakeup)
		return;
	pic->wakeup = false;
	for (i = 0; i < vm_nr_vcpus(vm); i++) {
		v = lapic_vcpu(vm, i);
		if (v && lapic_takes_pic(v))
			lapic_kick(v);
	}
}

/* One route driven to @level by @source: KVM's kvm_set_pic_irq(), _ioapic_irq(), kvm_set_msi(). */
static int route_set(struct l1vmm_vm *vm, const struct l1vmm_irq_route *e, unsigned int source,
		     bool level)
{
	struct l1vmm_irqchip *chip = vm->irqchip;
	struct l1vmm_ioapic_out out = { 0 };
	struct l1vmm_apic_irq irq;
	int r;

	if (e->type == KVM_IRQ_ROUTING_MSI) {
		if (!level)
			return -1;
		msi_to_irq(e->msi.address_lo, e->msi.data, &irq);
		return deliver(vm, NULL, &irq);
	}
	if (e->irqchip.chip == KVM_IRQCHIP_IOAPIC) {
		r = l1vmm_ioapic_set_irq(&chip->ioapic, e->irqchip.pin, source, level, &out);
		return ioapic_flush(vm, &out, e->irqchip.pin, r);
	}
	pic_prepare(vm);
	r = l1vmm_pic_set_irq(&chip->pic, e->irqchip.pin, source, level);
	pic_finish(vm);
	return r;
}

/* KVM's kvm_set_irq(): every route of @gsi; -1 when none delivered. Lock held. */
static int __set_gsi(struct l1vmm_vm *vm, unsigned int source, u32 gsi, bool level)
{
	const struct l1vmm_irq_routes *rt = vm->irqchip->routes;
	unsigned int i;
	int ret = -1, r;

	for (i = 0; rt && i < rt->nr; i++) {
		if (rt->e[i].gsi != gsi)
			continue;
		r = route_set(vm, &rt->e[i], source, level);
		if (r < 0)
			continue;
		ret = r + (ret < 0 ? 0 : ret);
	}
	return ret;
}

static int set_gsi(struct l1vmm_vm *vm, unsigned int source, u32 gsi, bool level)
{
	unsigned long flags;
	int r;

	spin_lock_irqsave(&vm->irqchip->lock, flags);
	r = __set_gsi(vm, source, gsi, level);
	spin_unlock_irqrestore(&vm->irqchip->lock, flags);
	return r;
}

/* --- GSI routing --- */

/* One entry checked as KVM's setup_routing_entry() and kvm_set_routing_entry(). */
static int route_from_user(const struct kvm_irq_routing_entry *ue, struct l1vmm_irq_route *e)
{
	e->gsi = ue->gsi;
	e->type = ue->type;
	switch (ue->type) {
	case KVM_IRQ_ROUTING_IRQCHIP:
		if (ue->flags)
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
		return 0;
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

int l1vmm_irqchip_set_routing(struct l1vmm_vm *vm, const struct kvm_irq_routing_entry *ue,
			      unsigned int nr)
{
	struct l1vmm_irqchip *chip = vm->irqchip;
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

		r = route_from_user(&ue[i], &e);
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
	spin_unlock_irqrestore(&chip->lock, flags);
	kvfree(old);
	return 0;
}

/* KVM's default routes: GSI 0-15 to the PIC and the IOAPIC pin of the same number, 16-23 to the IOAPIC. */
static int default_routing(struct l1vmm_vm *vm)
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
	return l1vmm_irqchip_set_routing(vm, ue, n);
}

/* KVM_SIGNAL_MSI with the irqchip (KVM's kvm_send_userspace_msi()). */
int l1vmm_irqchip_signal_msi(struct l1vmm_vm *vm, const struct kvm_msi *msi)
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
	r = route_set(vm, &e, L1VMM_USERSPACE_SOURCE, true);
	spin_unlock_irqrestore(&vm->irqchip->lock, flags);
	return r;
}

/* --- KVM_IRQFD (KVM's virt/kvm/eventfd.c) --- */

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
static void irqfd_ack(struct l1vmm_vm *vm, u32 chip, u32 pin)
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
				__set_gsi(vm, L1VMM_RESAMPLE_SOURCE, e->gsi, false);
			lowered = true;
			eventfd_signal(irqfd->resamplefd, 1);
		}
	}
}

/* The IOAPIC pins an EOI of @vector acks (KVM's __kvm_ioapic_update_eoi()). Lock held. */
static void ioapic_ack_vector(struct l1vmm_vm *vm, int vector)
{
	const struct l1vmm_ioapic *io = &vm->irqchip->ioapic;
	unsigned int i;

	if (vector < 0 || list_empty(&vm->irqchip->resamplers))
		return;
	for (i = 0; i < L1VMM_IOAPIC_NUM_PINS; i++)
		if ((io->s.redirtbl[i] & L1VMM_IOAPIC_VECTOR) == vector)
			irqfd_ack(vm, KVM_IRQCHIP_IOAPIC, i);
}

static void irqfd_inject(struct work_struct *work)
{
	struct l1vmm_irqfd *irqfd = container_of(work, struct l1vmm_irqfd, inject);

	if (irqfd->resamplefd) {
		set_gsi(irqfd->vm, L1VMM_RESAMPLE_SOURCE, irqfd->gsi, true);
	} else {
		set_gsi(irqfd->vm, L1VMM_USERSPACE_SOURCE, irqfd->gsi, true);
		set_gsi(irqfd->vm, L1VMM_USERSPACE_SOURCE, irqfd->gsi, false);
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
		__set_gsi(vm, L1VMM_RESAMPLE_SOURCE, irqfd->gsi, false);
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

int l1vmm_irqchip_init(void)
{
	irqfd_cleanup_wq = alloc_workqueue("l1vmm-irqfd-cleanup", 0, 0);
	return irqfd_cleanup_wq ? 0 : -ENOMEM;
}

void l1vmm_irqchip_exit(void)
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

int l1vmm_irqfd(struct l1vmm_vm *vm, const struct kvm_irqfd *args)
{
	if (args->flags & ~(KVM_IRQFD_FLAG_DEASSIGN | KVM_IRQFD_FLAG_RESAMPLE))
		return -EINVAL;
	if (args->flags & KVM_IRQFD_FLAG_DEASSIGN)
		return irqfd_deassign(vm, args);
	return irqfd_assign(vm, args);
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

/* --- The VM's ioctls --- */

/* KVM_SET_BOOT_CPU_ID: before the first vCPU (KVM's -EBUSY after), taken as a u32. */
int l1vmm_set_boot_cpu_id(struct l1vmm_vm *vm, unsigned long id)
{
	int r = 0;

	mutex_lock(&vm->lock);
	if (vm->nr_vcpus)
		r = -EBUSY;
	else
		vm->bsp_vcpu_id = id;
	mutex_unlock(&vm->lock);
	return r;
}

/* KVM_CREATE_IRQCHIP: KVM's checks under the VM's lock (x86.c). */
int l1vmm_irqchip_create(struct l1vmm_vm *vm)
{
	struct l1vmm_irqchip *chip;
	int r;

	mutex_lock(&vm->lock);
	r = -EEXIST;
	if (vm->irqchip)
		goto unlock;
	r = -EINVAL;
	if (vm->nr_vcpus)
		goto unlock;
	r = -ENOMEM;
	chip = kzalloc(sizeof(*chip), GFP_KERNEL_ACCOUNT);
	if (!chip)
		goto unlock;
	spin_lock_init(&chip->lock);
	l1vmm_pic_init(&chip->pic);
	l1vmm_ioapic_reset(&chip->ioapic);
	chip->vm = vm;
	INIT_DELAYED_WORK(&chip->eoi_inject, ioapic_eoi_inject_work);
	INIT_LIST_HEAD(&chip->resamplers);
	vm->irqchip = chip;
	r = default_routing(vm);
	if (r) {
		vm->irqchip = NULL;
		kfree(chip);
	}
unlock:
	mutex_unlock(&vm->lock);
	return r;
}

void l1vmm_irqchip_free(struct l1vmm_vm *vm)
{
	struct l1vmm_irqchip *chip = vm->irqchip;

	if (!chip)
		return;
	cancel_delayed_work_sync(&chip->eoi_inject);
	kvfree(chip->routes);
	kfree(chip);
	vm->irqchip = NULL;
}

static int get_irqchip(struct l1vmm_vm *vm, struct kvm_irqchip *c)
{
	struct l1vmm_irqchip *chip = vm->irqchip;
	unsigned long flags;
	int r = 0;

	BUILD_BUG_ON(sizeof(struct l1vmm_pic_chip) != sizeof(struct kvm_pic_state));
	BUILD_BUG_ON(sizeof(struct l1vmm_ioapic_state) != sizeof(struct kvm_ioapic_state));
	spin_lock_irqsave(&chip->lock, flags);
	switch (c->chip_id) {
	case KVM_IRQCHIP_PIC_MASTER:
	case KVM_IRQCHIP_PIC_SLAVE:
		memcpy(&c->chip.pic, &chip->pic.chip[c->chip_id], sizeof(c->chip.pic));
		break;
	case KVM_IRQCHIP_IOAPIC:
		l1vmm_ioapic_get_state(&chip->ioapic, (struct l1vmm_ioapic_state *)&c->chip.ioapic);
		break;
	default:
		r = -EINVAL;
	}
	spin_unlock_irqrestore(&chip->lock, flags);
	return r;
}

static int set_irqchip(struct l1vmm_vm *vm, const struct kvm_irqchip *c)
{
	struct l1vmm_irqchip *chip = vm->irqchip;
	struct l1vmm_ioapic_out out = { 0 };
	unsigned long flags;
	int r = 0;

	spin_lock_irqsave(&chip->lock, flags);
	switch (c->chip_id) {
	case KVM_IRQCHIP_PIC_MASTER:
	case KVM_IRQCHIP_PIC_SLAVE:
		pic_prepare(vm);
		l1vmm_pic_set_state(&chip->pic, c->chip_id == KVM_IRQCHIP_PIC_SLAVE,
				    (const struct l1vmm_pic_chip *)&c->chip.pic);
		pic_finish(vm);
		break;
	case KVM_IRQCHIP_IOAPIC:
		l1vmm_ioapic_set_state(&chip->ioapic,
				       (const struct l1vmm_ioapic_state *)&c->chip.ioapic, &out);
		ioapic_flush(vm, &out, -1, 0);
		break;
	default:
		r = -EINVAL;
	}
	spin_unlock_irqrestore(&chip->lock, flags);
	return r;
}

/* KVM_GET/SET_IRQCHIP, KVM_IRQ_LINE(_STATUS): -ENXIO without the irqchip, as KVM. */
long l1vmm_irqchip_vm_ioctl(struct l1vmm_vm *vm, unsigned int ioctl, void __user *argp)
{
	struct kvm_irqchip *c;
	long r;

	switch (ioctl) {
	case KVM_IRQ_LINE:
	case KVM_IRQ_LINE_STATUS: {
		struct kvm_irq_level line;

		if (copy_from_user(&line, argp, sizeof(line)))
			return -EFAULT;
		if (!vm->irqchip)
			return -ENXIO;
		line.status = set_gsi(vm, L1VMM_USERSPACE_SOURCE, line.irq, line.level);
		if (ioctl == KVM_IRQ_LINE_STATUS && copy_to_user(argp, &line, sizeof(line)))
			return -EFAULT;
		return 0;
	}
	case KVM_GET_IRQCHIP:
		c = memdup_user(argp, sizeof(*c));
		if (IS_ERR(c))
			return PTR_ERR(c);
		r = vm->irqchip ? get_irqchip(vm, c) : -ENXIO;
		if (!r && copy_to_user(argp, c, sizeof(*c)))
			r = -EFAULT;
		kfree(c);
		return r;
	case KVM_SET_IRQCHIP:
		c = memdup_user(argp, sizeof(*c));
		if (IS_ERR(c))
			return PTR_ERR(c);
		r = vm->irqchip ? set_irqchip(vm, c) : -ENXIO;
		kfree(c);
		return r;
	default:
		return -ENOTTY;
	}
}

/* --- The local APIC: timer --- */

/* A guest TSC value as a time on the host's clock (KVM's tsc-deadline conversion). */
static u64 tsc_deadline_ns(struct l1vmm_vcpu *vcpu, u64 deadline)
{
	u64 guest_tsc = l1vmm_ops->get_msr(vcpu, L1VMM_MSR_TSC);
	u64 now = now_ns();
	u32 khz = vcpu->tsc_khz ? vcpu->tsc_khz : tsc_khz;

	if (deadline <= guest_tsc || !khz)
		return now;
	return now + mul_u64_u32_div(deadline - guest_tsc, 1000000, khz);
}

/* Start, restart or cancel the hrtimer for what the model says (lock held). */
static void timer_arm(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_lapic *l = vcpu->lapic;
	const struct l1vmm_apic_timer *t = &l->apic.timer;
	u64 target;

	if (t->mode == L1VMM_APIC_TIMER_TSCDEADLINE) {
		if (!t->tscdeadline)
			goto cancel;
		target = tsc_deadline_ns(vcpu, t->tscdeadline);
	} else if (t->armed) {
		target = t->target_ns;
	} else {
		goto cancel;
	}
	hrtimer_start(&l->timer, ns_to_ktime(target), HRTIMER_MODE_ABS_HARD);
	return;
cancel:
	hrtimer_try_to_cancel(&l->timer);
}

/* The hrtimer's callback, hard IRQ: note it and kick (KVM's apic_timer_fn()). */
static enum hrtimer_restart timer_fn(struct hrtimer *timer)
{
	struct l1vmm_lapic *l = container_of(timer, struct l1vmm_lapic, timer);

	set_bit(0, &l->timer_fired);
	lapic_kick(l->vcpu);
	return HRTIMER_NORESTART;
}

/*
 * On the vCPU's thread, lock held: if the timer fired and is really due (a
 * reprogramming may have raced with the callback), raise LVTT and re-arm.
 */
static void timer_check(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_lapic *l = vcpu->lapic;
	struct l1vmm_apic *a = &l->apic;
	struct l1vmm_apic_irq irq;
	u64 now;

	if (!test_and_clear_bit(0, &l->timer_fired))
		return;
	now = now_ns();
	if (a->timer.mode == L1VMM_APIC_TIMER_TSCDEADLINE) {
		if (!a->timer.tscdeadline ||
		    l1vmm_ops->get_msr(vcpu, L1VMM_MSR_TSC) < a->timer.tscdeadline)
			goto rearm;
	} else if (!a->timer.armed || now < a->timer.target_ns) {
		goto rearm;
	}
	if (l1vmm_apic_timer_expired(a, now) && l1vmm_apic_lvt_irq(a, L1VMM_APIC_LVTT, &irq))
		lapic_accept(vcpu, &irq);
rearm:
	timer_arm(vcpu);
}

/* --- The local APIC: register side effects --- */

/* What a register write asked for (lock held). */
static void lapic_fx(struct l1vmm_vcpu *vcpu, const struct l1vmm_apic_fx *fx)
{
	struct l1vmm_vm *vm = vcpu->vm;
	struct l1vmm_ioapic_out out = { 0 };
	bool directed;

	if (fx->flags & L1VMM_APIC_FX_EOI) {
		directed = l1vmm_apic_get(&vcpu->lapic->apic, L1VMM_APIC_SPIV) &
			   L1VMM_APIC_SPIV_DIRECTED_EOI;
		/*
		 * As KVM's IOAPIC: the pins of the vector are acked first, so a
		 * resampling irqfd lowers its line before remote IRR clears.
		 */
		ioapic_ack_vector(vm, fx->eoi_vector);
		l1vmm_ioapic_eoi(&vm->irqchip->ioapic, fx->eoi_vector, fx->eoi_level, directed,
				 &out);
		ioapic_flush(vm, &out, -1, 0);
	}
	if (fx->flags & L1VMM_APIC_FX_IPI)
		deliver(vm, vcpu, &fx->ipi);
	if (fx->flags & L1VMM_APIC_FX_TIMER)
		timer_arm(vcpu);
	if (fx->flags & (L1VMM_APIC_FX_EVENT | L1VMM_APIC_FX_MAP))
		set_bit(L1VMM_REQ_EVENT, &vcpu->requests);
}

static bool in_lapic_page(struct l1vmm_vcpu *vcpu, u64 gpa)
{
	const struct l1vmm_apic *a = &vcpu->lapic->apic;
	u64 base = a->base & ~0xfffULL & ((1ULL << 52) - 1);

	return l1vmm_apic_hw_enabled(a) && gpa >= base && gpa < base + PAGE_SIZE;
}

/*
 * An MMIO access no slot backs: the local APIC's page or the IOAPIC's
 * window (KVM's vcpu_mmio_read()/write() ask the APIC, then the bus). True
 * when taken; a read's value in @data.
 */
bool l1vmm_lapic_mmio(struct l1vmm_vcpu *vcpu, u64 gpa, bool write, unsigned int len,
		      u64 *data)
{
	struct l1vmm_irqchip *chip = vcpu->vm->irqchip;
	struct l1vmm_ioapic_out out = { 0 };
	struct l1vmm_apic_fx fx = { 0 };
	struct l1vmm_apic *a = &vcpu->lapic->apic;
	unsigned long flags;
	bool taken = true;
	u64 io_base;

	spin_lock_irqsave(&chip->lock, flags);
	io_base = chip->ioapic.s.base_address;
	if (in_lapic_page(vcpu, gpa)) {
		if (write) {
			l1vmm_apic_mmio_write(a, gpa & 0xfff, len, *data, now_ns(), &fx);
			lapic_fx(vcpu, &fx);
		} else {
			*data = l1vmm_apic_mmio_read(a, gpa & 0xfff, len, now_ns());
		}
	} else if (gpa >= io_base && gpa < io_base + L1VMM_IOAPIC_MEM_LENGTH) {
		if (write) {
			l1vmm_ioapic_mmio_write(&chip->ioapic, gpa - io_base, len, *data, &out);
			ioapic_flush(vcpu->vm, &out, -1, 0);
		} else {
			*data = l1vmm_ioapic_mmio_read(&chip->ioapic, gpa - io_base, len);
		}
	} else {
		taken = false;
	}
	spin_unlock_irqrestore(&chip->lock, flags);
	return taken;
}

/* The PIC's ports and the ELCR (KVM's in-kernel PIC on the PIO bus). */
bool l1vmm_irqchip_pio(struct l1vmm_vcpu *vcpu, u16 port, bool in, unsigned int size,
		       unsigned long *rax)
{
	struct l1vmm_vm *vm = vcpu->vm;
	struct l1vmm_pic *pic = &vm->irqchip->pic;
	unsigned long flags;
	bool taken;
	u8 val = 0;

	switch (port) {
	case 0x20: case 0x21: case 0xa0: case 0xa1: case 0x4d0: case 0x4d1:
		break;
	default:
		return false;
	}
	spin_lock_irqsave(&vm->irqchip->lock, flags);
	pic_prepare(vm);
	if (in) {
		taken = l1vmm_pic_read(pic, port, size, &val);
		if (taken)
			*rax = l1vmm_merge_reg(*rax, val, size);
	} else {
		taken = l1vmm_pic_write(pic, port, size, *rax);
	}
	pic_finish(vm);
	spin_unlock_irqrestore(&vm->irqchip->lock, flags);
	return taken;
}

/* --- The local APIC: MSRs --- */

bool l1vmm_lapic_msr(u32 index)
{
	return index == L1VMM_MSR_APIC_BASE || index == MSR_TSC_DEADLINE ||
	       (index >= L1VMM_MSR_X2APIC_FIRST && index <= L1VMM_MSR_X2APIC_LAST);
}

static u32 cpuid_1_ecx(struct l1vmm_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e = l1vmm_cpuid_find(vcpu->cpuid, vcpu->cpuid_nent, 1, 0);

	return e ? e->ecx : 0;
}

/* The bits of a GPA above the guest's MAXPHYADDR (36 without CPUID 0x80000008). */
static u64 rsvd_gpa(struct l1vmm_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e;
	unsigned int bits;

	e = l1vmm_cpuid_find(vcpu->cpuid, vcpu->cpuid_nent, 0x80000008, 0);
	bits = e ? e->eax & 0xff : 36;
	if (bits < 32 || bits > 52)
		bits = 36;
	return ~((1ULL << bits) - 1);
}

int l1vmm_lapic_get_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 *data, bool host)
{
	struct l1vmm_apic *a = &vcpu->lapic->apic;
	unsigned long flags;
	int r = 0;

	spin_lock_irqsave(&vcpu->vm->irqchip->lock, flags);
	if (index == L1VMM_MSR_APIC_BASE)
		*data = a->base;
	else if (index == MSR_TSC_DEADLINE)
		*data = l1vmm_apic_get_tscdeadline(a);
	else
		r = l1vmm_apic_msr_read(a, index, data, now_ns());
	spin_unlock_irqrestore(&vcpu->vm->irqchip->lock, flags);
	return r;
}

int l1vmm_lapic_set_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 data, bool host)
{
	struct l1vmm_apic *a = &vcpu->lapic->apic;
	struct l1vmm_apic_fx fx = { 0 };
	unsigned long flags;
	int r = 0;

	spin_lock_irqsave(&vcpu->vm->irqchip->lock, flags);
	if (index == L1VMM_MSR_APIC_BASE) {
		r = l1vmm_apic_set_base(a, data, host, rsvd_gpa(vcpu),
					cpuid_1_ecx(vcpu) & CPUID_1_ECX_X2APIC, &fx);
		if (!r && !l1vmm_apic_hw_enabled(a))
			fx.flags |= L1VMM_APIC_FX_TIMER;
	} else if (index == MSR_TSC_DEADLINE) {
		if (l1vmm_apic_set_tscdeadline(a, data))
			fx.flags |= L1VMM_APIC_FX_TIMER;
	} else {
		r = l1vmm_apic_msr_write(a, index, data, now_ns(), &fx);
	}
	if (!r)
		lapic_fx(vcpu, &fx);
	spin_unlock_irqrestore(&vcpu->vm->irqchip->lock, flags);
	return r;
}

u64 l1vmm_lapic_get_base(struct l1vmm_vcpu *vcpu)
{
	return READ_ONCE(vcpu->lapic->apic.base);
}

/* KVM_SET_SREGS's apic_base: as a host write of the MSR; -EINVAL if refused. */
int l1vmm_lapic_set_base(struct l1vmm_vcpu *vcpu, u64 base)
{
	return l1vmm_lapic_set_msr(vcpu, L1VMM_MSR_APIC_BASE, base, true) ? -EINVAL : 0;
}

u64 l1vmm_lapic_get_cr8(struct l1vmm_vcpu *vcpu)
{
	return l1vmm_apic_get_cr8(&vcpu->lapic->apic);
}

void l1vmm_lapic_set_cr8(struct l1vmm_vcpu *vcpu, u64 cr8)
{
	unsigned long flags;

	spin_lock_irqsave(&vcpu->vm->irqchip->lock, flags);
	l1vmm_apic_set_cr8(&vcpu->lapic->apic, cr8);
	spin_unlock_irqrestore(&vcpu->vm->irqchip->lock, flags);
	l1vmm_ops->set_cr8(vcpu, cr8);
}

/* --- The local APIC: injection, HLT --- */

/* The PIC's INTR for this vCPU (KVM's kvm_cpu_has_extint()); lock held. */
static bool has_extint(struct l1vmm_vcpu *vcpu)
{
	return vcpu->vm->irqchip->pic.output && lapic_takes_pic(vcpu);
}

/*
 * Before each entry, after NMIs and exceptions had the event slot: the
 * PIC's ExtINT or the APIC's highest deliverable vector goes in when the
 * guest can take it; otherwise the interrupt window says when it can. The
 * TPR goes to the guest's V_TPR (CR8) first.
 */
void l1vmm_lapic_inject(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_irqchip *chip = vcpu->vm->irqchip;
	struct l1vmm_apic *a = &vcpu->lapic->apic;
	struct l1vmm_event ev = { .valid = true, .type = L1VMM_EVENT_INTR };
	unsigned long flags;
	bool window = false;
	int vec = -1;
	u64 cr8;

	spin_lock_irqsave(&chip->lock, flags);
	cr8 = l1vmm_apic_get_cr8(a);
	if (l1vmm_ops->get_cr8(vcpu) != cr8)
		l1vmm_ops->set_cr8(vcpu, cr8);
	if (has_extint(vcpu) || l1vmm_apic_has_interrupt(a) >= 0) {
		if (!l1vmm_ready_for_interrupt(vcpu)) {
			window = true;
		} else if (has_extint(vcpu)) {
			pic_prepare(vcpu->vm);
			vec = l1vmm_pic_read_irq(&chip->pic);
			pic_finish(vcpu->vm);
		} else {
			vec = l1vmm_apic_ack(a);
		}
	}
	spin_unlock_irqrestore(&chip->lock, flags);
	if (vec >= 0) {
		ev.vector = vec;
		l1vmm_ops->set_event(vcpu, &ev);
	}
	l1vmm_ops->set_irq_window(vcpu, window);
}

/* After an exit: a CR8 write the guest made without exiting goes into the TPR. */
void l1vmm_lapic_after_exit(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_apic *a = &vcpu->lapic->apic;
	u64 cr8 = l1vmm_ops->get_cr8(vcpu);
	unsigned long flags;

	if (cr8 == l1vmm_apic_get_cr8(a))
		return;
	spin_lock_irqsave(&vcpu->vm->irqchip->lock, flags);
	l1vmm_apic_set_cr8(a, cr8);
	spin_unlock_irqrestore(&vcpu->vm->irqchip->lock, flags);
}

static bool is_bsp(struct l1vmm_vcpu *vcpu)
{
	return vcpu->id == vcpu->vm->bsp_vcpu_id;
}

/* The real-mode start of a SIPI's vector: CS = vector << 8, IP 0 (KVM's deliver_sipi_vector). */
static void deliver_sipi(struct l1vmm_vcpu *vcpu, u8 vector)
{
	struct kvm_sregs sregs;

	l1vmm_ops->get_sregs(vcpu, &sregs);
	sregs.cs.selector = vector << 8;
	sregs.cs.base = (u64)vector << 12;
	l1vmm_ops->set_sregs(vcpu, &sregs);
	vcpu->regs[L1VMM_REG_RIP] = 0;
	vcpu->regs_dirty |= BIT(L1VMM_REG_RIP);
}

/*
 * An INIT or SIPI other vCPUs sent (KVM's kvm_apic_accept_events()): INIT
 * puts the vCPU in its INIT state, the BSP runnable and the others
 * waiting for a SIPI; a SIPI starts a waiting vCPU at its vector, and is
 * dropped otherwise. The guest's FPU state is loaded (INIT clears parts).
 */
static void accept_events(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_lapic *l = vcpu->lapic;
	unsigned long pe;

	if (!READ_ONCE(l->pending_events))
		return;
	pe = xchg(&l->pending_events, 0);
	if (test_bit(LAPIC_INIT, &pe)) {
		l1vmm_vcpu_reset(vcpu, true);
		l->mp_state = is_bsp(vcpu) ? KVM_MP_STATE_RUNNABLE : KVM_MP_STATE_INIT_RECEIVED;
	}
	if (test_bit(LAPIC_SIPI, &pe) && l->mp_state == KVM_MP_STATE_INIT_RECEIVED) {
		/* Pairs with the smp_wmb() of the sender: the bit, then the vector. */
		smp_rmb();
		deliver_sipi(vcpu, READ_ONCE(l->sipi_vector));
		l->mp_state = KVM_MP_STATE_RUNNABLE;
	}
}

/* KVM_SET_VCPU_EVENTS with KVM_VCPUEVENT_VALID_SIPI_VECTOR. */
void l1vmm_lapic_set_sipi_vector(struct l1vmm_vcpu *vcpu, u8 vector)
{
	vcpu->lapic->sipi_vector = vector;
}

/* Can a halted vCPU take something: an NMI, or an interrupt with RFLAGS.IF set? */
static bool halt_ends(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_lapic *l = vcpu->lapic;
	unsigned long flags;
	bool r;

	if (atomic_read(&l->nmi_queued) || vcpu->nmi_pending)
		return true;
	spin_lock_irqsave(&vcpu->vm->irqchip->lock, flags);
	timer_check(vcpu);
	r = (l1vmm_ops->get_rflags(vcpu) & X86_EFLAGS_IF) &&
	    (has_extint(vcpu) || l1vmm_apic_has_interrupt(&l->apic) >= 0);
	spin_unlock_irqrestore(&vcpu->vm->irqchip->lock, flags);
	return r;
}

/*
 * The condition a vCPU that does not run waits for (KVM's
 * kvm_arch_vcpu_runnable()): an INIT or SIPI, or, halted, something it
 * can take. Runs on the vCPU's thread.
 */
static bool lapic_wakes(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_lapic *l = vcpu->lapic;

	if (READ_ONCE(l->pending_events))
		return true;
	switch (l->mp_state) {
	case KVM_MP_STATE_RUNNABLE:
		return true;
	case KVM_MP_STATE_HALTED:
	case KVM_MP_STATE_AP_RESET_HOLD:
		return halt_ends(vcpu);
	default:
		return false;	/* UNINITIALIZED, INIT_RECEIVED: a SIPI, or user space */
	}
}

/*
 * Top of the entry loop: INIT and SIPI, the timer, and for a vCPU that
 * does not run (halted, waiting for a SIPI) the sleep until something
 * wakes it (KVM's vcpu_block()); then NMIs other APICs sent. 1 to go on;
 * -EINTR with KVM_EXIT_INTR for a signal.
 */
int l1vmm_lapic_before_entry(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_lapic *l = vcpu->lapic;
	unsigned long flags;
	int n;

	clear_bit(L1VMM_REQ_EVENT, &vcpu->requests);
	accept_events(vcpu);
	spin_lock_irqsave(&vcpu->vm->irqchip->lock, flags);
	timer_check(vcpu);
	spin_unlock_irqrestore(&vcpu->vm->irqchip->lock, flags);
	while (l->mp_state != KVM_MP_STATE_RUNNABLE) {
		if (wait_event_interruptible(l->wq, lapic_wakes(vcpu))) {
			vcpu->run->exit_reason = KVM_EXIT_INTR;
			return -EINTR;
		}
		clear_bit(L1VMM_REQ_EVENT, &vcpu->requests);
		accept_events(vcpu);
		if ((l->mp_state == KVM_MP_STATE_HALTED ||
		     l->mp_state == KVM_MP_STATE_AP_RESET_HOLD) && halt_ends(vcpu)) {
			l->halt_wakeups++;
			l->mp_state = KVM_MP_STATE_RUNNABLE;
		}
	}
	for (n = atomic_xchg(&l->nmi_queued, 0); n > 0; n--)
		l1vmm_nmi(vcpu);
	return 1;
}

/*
 * KVM_RUN of a vCPU that never ran and waits for INIT and SIPI (KVM's
 * UNINITIALIZED case in kvm_arch_vcpu_ioctl_run()): sleep until one comes,
 * take it, and return -EAGAIN for user space to run again; -EINTR for
 * immediate_exit or a signal.
 */
int l1vmm_lapic_run_uninit(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_lapic *l = vcpu->lapic;

	if (READ_ONCE(vcpu->run->immediate_exit))
		return -EINTR;
	if (wait_event_interruptible(l->wq, READ_ONCE(l->pending_events) ||
				     l->mp_state != KVM_MP_STATE_UNINITIALIZED)) {
		vcpu->run->exit_reason = KVM_EXIT_INTR;
		return -EINTR;
	}
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, true);
	accept_events(vcpu);
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, false);
	return -EAGAIN;
}

/* HLT with the APIC in the kernel: the vCPU sleeps at its next entry (KVM's __kvm_emulate_halt()). */
int l1vmm_lapic_halt(struct l1vmm_vcpu *vcpu)
{
	l1vmm_skip_instruction(vcpu);
	vcpu->lapic->mp_state = KVM_MP_STATE_HALTED;
	return 1;
}

/* --- The local APIC: life cycle and ioctls --- */

int l1vmm_lapic_create(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_lapic *l;

	l = kzalloc(sizeof(*l), GFP_KERNEL_ACCOUNT);
	if (!l)
		return -ENOMEM;
	l->vcpu = vcpu;
	l->apic.vcpu_id = vcpu->id;
	init_waitqueue_head(&l->wq);
	atomic_set(&l->nmi_queued, 0);
	hrtimer_init(&l->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	l->timer.function = timer_fn;
	/* As KVM: the BSP runs, the others wait for INIT and SIPI. */
	l->mp_state = is_bsp(vcpu) ? KVM_MP_STATE_RUNNABLE : KVM_MP_STATE_UNINITIALIZED;
	vcpu->lapic = l;
	return 0;
}

/* When the VM goes: no timer may outlive its vCPU. */
void l1vmm_lapic_free(struct l1vmm_vcpu *vcpu)
{
	if (!vcpu->lapic)
		return;
	hrtimer_cancel(&vcpu->lapic->timer);
	kfree(vcpu->lapic);
	vcpu->lapic = NULL;
}

/* RESET or INIT of the APIC (KVM's kvm_lapic_reset()); KVM_SET_BOOT_CPU_ID names the BSP. */
void l1vmm_lapic_reset(struct l1vmm_vcpu *vcpu, bool init)
{
	struct l1vmm_lapic *l = vcpu->lapic;
	unsigned long flags;

	spin_lock_irqsave(&vcpu->vm->irqchip->lock, flags);
	l->apic.tsc_deadline = cpuid_1_ecx(vcpu) & CPUID_1_ECX_TSC_DEADLINE;
	l1vmm_apic_reset(&l->apic, init, is_bsp(vcpu));
	timer_arm(vcpu);
	spin_unlock_irqrestore(&vcpu->vm->irqchip->lock, flags);
	clear_bit(0, &l->timer_fired);
}

/* KVM_SET_CPUID2: TSC-deadline follows the guest's CPUID. */
void l1vmm_lapic_update_cpuid(struct l1vmm_vcpu *vcpu)
{
	unsigned long flags;

	spin_lock_irqsave(&vcpu->vm->irqchip->lock, flags);
	vcpu->lapic->apic.tsc_deadline = cpuid_1_ecx(vcpu) & CPUID_1_ECX_TSC_DEADLINE;
	l1vmm_apic_update_version(&vcpu->lapic->apic);
	spin_unlock_irqrestore(&vcpu->vm->irqchip->lock, flags);
}

/* KVM_SET_MP_STATE (KVM's kvm_arch_vcpu_ioctl_set_mpstate()). */
static int set_mp_state(struct l1vmm_vcpu *vcpu, u32 state)
{
	switch (state) {
	case KVM_MP_STATE_RUNNABLE:
	case KVM_MP_STATE_UNINITIALIZED:
	case KVM_MP_STATE_HALTED:
	case KVM_MP_STATE_AP_RESET_HOLD:
	case KVM_MP_STATE_INIT_RECEIVED:
		vcpu->lapic->mp_state = state;
		break;
	case KVM_MP_STATE_SIPI_RECEIVED:
		/* Waiting for INIT's end, with a SIPI of the vector user space set. */
		vcpu->lapic->mp_state = KVM_MP_STATE_INIT_RECEIVED;
		set_bit(LAPIC_SIPI, &vcpu->lapic->pending_events);
		break;
	default:
		return -EINVAL;
	}
	set_bit(L1VMM_REQ_EVENT, &vcpu->requests);
	return 0;
}

/* The vCPU ioctls the local APIC answers; -ENOTTY for the others. */
long l1vmm_lapic_ioctl(struct l1vmm_vcpu *vcpu, unsigned int ioctl, void __user *argp)
{
	struct l1vmm_apic *a = &vcpu->lapic->apic;
	struct kvm_lapic_state *s;
	struct kvm_mp_state mp;
	unsigned long flags;
	long r;

	switch (ioctl) {
	case KVM_GET_LAPIC:
		s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
		if (!s)
			return -ENOMEM;
		spin_lock_irqsave(&vcpu->vm->irqchip->lock, flags);
		l1vmm_apic_get_state(a, s->regs, false, now_ns());
		spin_unlock_irqrestore(&vcpu->vm->irqchip->lock, flags);
		r = copy_to_user(argp, s, sizeof(*s)) ? -EFAULT : 0;
		kfree(s);
		return r;
	case KVM_SET_LAPIC:
		s = memdup_user(argp, sizeof(*s));
		if (IS_ERR(s))
			return PTR_ERR(s);
		spin_lock_irqsave(&vcpu->vm->irqchip->lock, flags);
		r = l1vmm_apic_set_state(a, s->regs, false, now_ns());
		timer_arm(vcpu);
		spin_unlock_irqrestore(&vcpu->vm->irqchip->lock, flags);
		set_bit(L1VMM_REQ_EVENT, &vcpu->requests);
		kfree(s);
		return r;
	case KVM_GET_MP_STATE:
		/* As KVM, INIT and SIPI sent are taken first, with the guest's FPU state in. */
		if (READ_ONCE(vcpu->lapic->pending_events)) {
			fpu_swap_kvm_fpstate(&vcpu->guest_fpu, true);
			accept_events(vcpu);
			fpu_swap_kvm_fpstate(&vcpu->guest_fpu, false);
		}
		mp.mp_state = vcpu->lapic->mp_state;
		return copy_to_user(argp, &mp, sizeof(mp)) ? -EFAULT : 0;
	case KVM_SET_MP_STATE:
		if (copy_from_user(&mp, argp, sizeof(mp)))
			return -EFAULT;
		return set_mp_state(vcpu, mp.mp_state);
	case KVM_INTERRUPT:
		/* The PIC is in the kernel: user space cannot inject (KVM's answer). */
		return -ENXIO;
	default:
		return -ENOTTY;
	}
}
