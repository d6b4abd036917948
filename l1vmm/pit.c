// SPDX-License-Identifier: GPL-2.0-only
/*
 * The in-kernel PIT: KVM_CREATE_PIT(2), KVM_GET/SET_PIT(2),
 * KVM_REINJECT_CONTROL, the guest's accesses to ports 0x40-0x43 and 0x61,
 * and channel 0's interrupt on GSI 0, as KVM's i8254.c and x86.c do.
 * portable/pit.c is the 8254; this file runs its timer and its interrupt.
 *
 * Channel 0's ticks in KVM's default reinjection mode: the hrtimer counts
 * a pending tick; the work raises GSI 0 only once the last tick it raised
 * was acked (an EOI at the IOAPIC or the PIC of a pin GSI 0 is routed to),
 * and every ack raises one of the ticks still pending. Unmasking such a
 * pin forgets the ticks pending. With reinjection off every tick raises
 * GSI 0.
 */
#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "l1vmm/irqchip.h"
#include "l1vmm/pit.h"
#include "l1vmm/portable/insn_decode.h"
#include "l1vmm/vcpu.h"
#include "l1vmm/vm.h"

static void reset_reinject(struct l1vmm_vpit *pit)
{
	atomic_set(&pit->pending, 0);
	atomic_set(&pit->irq_ack, 1);
}

/* KVM's pit_do_work(): one tick on GSI 0, edge-triggered. */
static void pit_expired(struct work_struct *work)
{
	struct l1vmm_vpit *pit = container_of(work, struct l1vmm_vpit, expired);

	if (atomic_read(&pit->reinject) && !atomic_xchg(&pit->irq_ack, 0))
		return;
	l1vmm_irqchip_set_gsi(pit->vm, L1VMM_PIT_SOURCE, 0, true);
	l1vmm_irqchip_set_gsi(pit->vm, L1VMM_PIT_SOURCE, 0, false);
}

/* Hard IRQ: count the tick, hand it to the work (KVM's pit_timer_fn()). */
static enum hrtimer_restart pit_timer_fn(struct hrtimer *timer)
{
	struct l1vmm_vpit *pit = container_of(timer, struct l1vmm_vpit, timer);

	if (atomic_read(&pit->reinject))
		atomic_inc(&pit->pending);
	queue_work(system_highpri_wq, &pit->expired);
	if (!pit->period_ns)
		return HRTIMER_NORESTART;
	hrtimer_add_expires_ns(timer, pit->period_ns);
	return HRTIMER_RESTART;
}

/* Do to channel 0's timer what the model asked (pit->lock held). */
static void timer_apply(struct l1vmm_vpit *pit, const struct l1vmm_pit_timer *t, u64 now)
{
	lockdep_assert_held(&pit->lock);
	if (t->op == L1VMM_PIT_TIMER_KEEP)
		return;
	hrtimer_cancel(&pit->timer);
	flush_work(&pit->expired);
	if (t->op != L1VMM_PIT_TIMER_START)
		return;
	pit->period_ns = t->period_ns;
	reset_reinject(pit);
	hrtimer_start(&pit->timer, ns_to_ktime(now + t->first_ns), HRTIMER_MODE_ABS_HARD);
}

/* Before each model call: channel 0 runs a timer only with the in-kernel irqchip. */
static u64 pit_begin(struct l1vmm_vpit *pit)
{
	mutex_lock(&pit->lock);
	pit->s.timer_allowed = !!READ_ONCE(pit->vm->irqchip);
	return ktime_get_ns();
}

static struct l1vmm_vpit *vm_pit(struct l1vmm_vm *vm)
{
	/* Pairs with pit_create()'s release: the PIT is initialised. */
	return smp_load_acquire(&vm->pit);
}

/* KVM_CREATE_PIT(2): no check of the flags, an irqchip or vCPUs, as KVM. */
static int pit_create(struct l1vmm_vm *vm, u32 flags)
{
	struct l1vmm_pit_timer t = { 0 };
	struct l1vmm_vpit *pit;
	int r;

	mutex_lock(&vm->lock);
	r = -EEXIST;
	if (vm->pit)
		goto unlock;
	r = -ENOMEM;
	pit = kzalloc(sizeof(*pit), GFP_KERNEL_ACCOUNT);
	if (!pit)
		goto unlock;
	pit->vm = vm;
	mutex_init(&pit->lock);
	hrtimer_init(&pit->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	pit->timer.function = pit_timer_fn;
	INIT_WORK(&pit->expired, pit_expired);
	pit->speaker = flags & KVM_PIT_SPEAKER_DUMMY;
	/* Reset leaves every channel without a mode: no timer to start. */
	l1vmm_pit_reset(&pit->s, ktime_get_ns(), &t);
	atomic_set(&pit->reinject, 1);
	reset_reinject(pit);
	/* Publish it initialised to vCPUs that run meanwhile (vm_pit()). */
	smp_store_release(&vm->pit, pit);
	r = 0;
unlock:
	mutex_unlock(&vm->lock);
	return r;
}

void l1vmm_pit_free(struct l1vmm_vm *vm)
{
	struct l1vmm_vpit *pit = vm->pit;
	unsigned long flags;

	if (!pit)
		return;
	/* No notifier of the irqchip's queues the work after this. */
	if (vm->irqchip) {
		spin_lock_irqsave(&vm->irqchip->lock, flags);
		WRITE_ONCE(vm->pit, NULL);
		spin_unlock_irqrestore(&vm->irqchip->lock, flags);
	} else {
		WRITE_ONCE(vm->pit, NULL);
	}
	hrtimer_cancel(&pit->timer);
	cancel_work_sync(&pit->expired);
	kfree(pit);
}

/* KVM_SET_PIT/KVM_SET_PIT2: KVM's kvm_vm_ioctl_set_pit(2)(). */
static void pit_set(struct l1vmm_vpit *pit, const struct kvm_pit_channel_state *ch, u32 flags,
		    bool pit2)
{
	struct l1vmm_pit_timer t = { 0 };
	bool start;
	u64 now;

	BUILD_BUG_ON(sizeof(struct l1vmm_pit_channel) != sizeof(struct kvm_pit_channel_state));
	BUILD_BUG_ON(offsetof(struct l1vmm_pit_channel, count_load_time) !=
		     offsetof(struct kvm_pit_channel_state, count_load_time));
	now = pit_begin(pit);
	if (!pit2)
		flags = pit->s.flags;
	/* HPET legacy turning on stops channel 0's timer. */
	start = pit2 && !(pit->s.flags & KVM_PIT_FLAGS_HPET_LEGACY) &&
		(flags & KVM_PIT_FLAGS_HPET_LEGACY);
	l1vmm_pit_set_state(&pit->s, (const struct l1vmm_pit_channel *)ch, flags, start, now, &t);
	timer_apply(pit, &t, now);
	mutex_unlock(&pit->lock);
}

static void pit_get(struct l1vmm_vpit *pit, struct kvm_pit_channel_state *ch, u32 *flags)
{
	mutex_lock(&pit->lock);
	memcpy(ch, pit->s.ch, sizeof(pit->s.ch));
	if (flags)
		*flags = pit->s.flags;
	mutex_unlock(&pit->lock);
}

/* KVM's kvm_pit_set_reinject(): turning it on starts with nothing pending. */
static void pit_set_reinject(struct l1vmm_vpit *pit, bool on)
{
	mutex_lock(&pit->lock);
	if (atomic_read(&pit->reinject) != on) {
		if (on)
			reset_reinject(pit);
		atomic_set(&pit->reinject, on);
	}
	mutex_unlock(&pit->lock);
}

/* The PIT's VM ioctls, with KVM's order of checks (x86.c). */
long l1vmm_pit_vm_ioctl(struct l1vmm_vm *vm, unsigned int ioctl, void __user *argp)
{
	union {
		struct kvm_pit_config config;
		struct kvm_pit_state ps;
		struct kvm_pit_state2 ps2;
		struct kvm_reinject_control control;
	} u;
	struct l1vmm_vpit *pit;
	long r;

	memset(&u, 0, sizeof(u));
	switch (ioctl) {
	case KVM_CREATE_PIT:
		return pit_create(vm, KVM_PIT_SPEAKER_DUMMY);
	case KVM_CREATE_PIT2:
		if (copy_from_user(&u.config, argp, sizeof(u.config)))
			return -EFAULT;
		return pit_create(vm, u.config.flags);
	case KVM_GET_PIT:
		if (copy_from_user(&u.ps, argp, sizeof(u.ps)))
			return -EFAULT;
		pit = vm_pit(vm);
		if (!pit)
			return -ENXIO;
		pit_get(pit, u.ps.channels, NULL);
		return copy_to_user(argp, &u.ps, sizeof(u.ps)) ? -EFAULT : 0;
	case KVM_GET_PIT2:
		pit = vm_pit(vm);
		if (!pit)
			return -ENXIO;
		pit_get(pit, u.ps2.channels, &u.ps2.flags);
		return copy_to_user(argp, &u.ps2, sizeof(u.ps2)) ? -EFAULT : 0;
	case KVM_SET_PIT:
	case KVM_SET_PIT2:
		if (ioctl == KVM_SET_PIT ? copy_from_user(&u.ps, argp, sizeof(u.ps)) :
					   copy_from_user(&u.ps2, argp, sizeof(u.ps2)))
			return -EFAULT;
		mutex_lock(&vm->lock);
		r = -ENXIO;
		pit = vm->pit;
		if (pit) {
			if (ioctl == KVM_SET_PIT)
				pit_set(pit, u.ps.channels, 0, false);
			else
				pit_set(pit, u.ps2.channels, u.ps2.flags, true);
			r = 0;
		}
		mutex_unlock(&vm->lock);
		return r;
	case KVM_REINJECT_CONTROL:
		if (copy_from_user(&u.control, argp, sizeof(u.control)))
			return -EFAULT;
		pit = vm_pit(vm);
		if (!pit)
			return -ENXIO;
		pit_set_reinject(pit, u.control.pit_reinject);
		return 0;
	default:
		return -ENOTTY;
	}
}

/*
 * A guest IN or OUT at the PIT's ports (0x40-0x43, the whole access in
 * them) or, with KVM_PIT_SPEAKER_DUMMY, at port 0x61. Returns false for
 * user space to take it. As KVM: an IN from 0x43 leaves AL alone, a wider
 * IN from 0x40-0x42 reads one byte, zero-extended.
 */
bool l1vmm_pit_pio(struct l1vmm_vcpu *vcpu, u16 port, bool in, unsigned int size,
		   unsigned long *rax)
{
	struct l1vmm_vpit *pit = vm_pit(vcpu->vm);
	struct l1vmm_pit_timer t = { 0 };
	u32 val = 0;
	u64 now;

	if (!pit)
		return false;
	if (port >= L1VMM_PIT_BASE && port + size <= L1VMM_PIT_BASE + 4) {
		now = pit_begin(pit);
		if (!in) {
			l1vmm_pit_write(&pit->s, port - L1VMM_PIT_BASE, (u8)*rax, now, &t);
			timer_apply(pit, &t, now);
		} else if (port != L1VMM_PIT_BASE + 3) {
			val = l1vmm_pit_read(&pit->s, port - L1VMM_PIT_BASE, now);
			*rax = l1vmm_merge_reg(*rax, val, size);
		}
		mutex_unlock(&pit->lock);
		return true;
	}
	if (port != L1VMM_PIT_SPEAKER || !pit->speaker)
		return false;
	now = pit_begin(pit);
	if (in)
		*rax = l1vmm_merge_reg(*rax, l1vmm_pit_speaker_read(&pit->s, now), size);
	else
		l1vmm_pit_speaker_write(&pit->s, (u32)*rax, now);
	mutex_unlock(&pit->lock);
	return true;
}

/* KVM's kvm_irq_map_chip_pin() == 0: the last route of @chip's @pin is GSI 0. */
static bool pin_is_gsi0(struct l1vmm_vm *vm, u32 chip, u32 pin)
{
	const struct l1vmm_irq_routes *rt = vm->irqchip->routes;
	unsigned int i;
	int gsi = -1;

	for (i = 0; rt && i < rt->nr; i++) {
		const struct l1vmm_irq_route *e = &rt->e[i];

		if (e->type == KVM_IRQ_ROUTING_IRQCHIP && e->irqchip.chip == chip &&
		    e->irqchip.pin == pin)
			gsi = e->gsi;
	}
	return gsi == 0;
}

/* KVM's kvm_pit_ack_irq(): the tick was taken, raise the next one pending. */
static void pit_acked(struct l1vmm_vpit *pit)
{
	atomic_set(&pit->irq_ack, 1);
	/* Set irq_ack before reading pending: pairs with the timer and the work. */
	smp_mb__after_atomic();
	if (atomic_dec_if_positive(&pit->pending) > 0)
		queue_work(system_highpri_wq, &pit->expired);
}

/*
 * The ack and mask notifiers of GSI 0, which exist while reinjection is
 * on (KVM registers them then). Bit i is the IOAPIC's pin i or, for
 * @pic, the PIC's IRQ i; @masked says which pins are masked now.
 */
static void pit_notify(struct l1vmm_vm *vm, u32 acked, u32 mask_changed, u32 masked, bool pic)
{
	struct l1vmm_vpit *pit = READ_ONCE(vm->pit);
	unsigned long bits = acked | (mask_changed & ~masked);
	unsigned int i;
	u32 chip;

	lockdep_assert_held(&vm->irqchip->lock);
	if (!pit || !bits || !atomic_read(&pit->reinject))
		return;
	for_each_set_bit(i, &bits, 32) {
		chip = !pic ? KVM_IRQCHIP_IOAPIC :
		       i < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE;
		if (!pin_is_gsi0(vm, chip, i))
			continue;
		if (mask_changed & ~masked & BIT(i))
			reset_reinject(pit);
		if (acked & BIT(i))
			pit_acked(pit);
	}
}

void l1vmm_pit_pic_notify(struct l1vmm_vm *vm, u32 acked, u32 mask_changed)
{
	const struct l1vmm_pic *pic = &vm->irqchip->pic;

	pit_notify(vm, acked, mask_changed, pic->chip[0].imr | pic->chip[1].imr << 8, true);
}

void l1vmm_pit_ioapic_notify(struct l1vmm_vm *vm, u32 acked, u32 mask_changed)
{
	const struct l1vmm_ioapic *io = &vm->irqchip->ioapic;
	u32 masked = 0;
	unsigned int i;

	for (i = 0; i < L1VMM_IOAPIC_NUM_PINS; i++)
		if (io->s.redirtbl[i] & L1VMM_IOAPIC_MASKED)
			masked |= BIT(i);
	pit_notify(vm, acked, mask_changed, masked, false);
}
