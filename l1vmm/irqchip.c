// SPDX-License-Identifier: GPL-2.0-only
/*
 * The in-kernel irqchip, the VM's side: KVM 6.1's behaviour (ioapic.c,
 * i8259.c, irq_comm.c, x86.c's irqchip ioctls) with the decisions taken by
 * the portable models (portable/apic.c, ioapic.c, pic.c). irqchip.h says
 * what is where and how it is locked.
 *
 * An interrupt reaches a vCPU in three steps: whoever sends it (an IPI, the
 * IOAPIC, an MSI, the timer) sets the vector in the target APIC's IRR under
 * the VM's irqchip->lock and kicks the vCPU (a request bit, a wake-up of a
 * halted vCPU, a reschedule IPI to a CPU running it); the vCPU, before its
 * next entry, takes the highest deliverable vector (the PIC's ExtINT
 * first) into the event slot when the guest can take it, or else opens
 * the interrupt window (lapic.c); the guest's EOI clears the ISR and is
 * forwarded to the IOAPIC.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "l1vmm/irqchip_priv.h"
#include "l1vmm/irqchip_split.h"
#include "l1vmm/pit.h"
#include "l1vmm/portable/x86.h"

/* --- Delivery of interrupt messages to the local APICs (lock held) --- */

/*
 * @irq to every APIC it names, or to one of them for lowest priority
 * (KVM's vector hashing). Returns KVM's kvm_irq_delivery_to_apic() answer:
 * how many took it; when no APIC matched, -1, or 0 where KVM answers from
 * its APIC map (l1vmm_apic_map_delivers(), once a vCPU exists).
 */
int l1vmm_irqchip_deliver(struct l1vmm_vm *vm, struct l1vmm_vcpu *src,
			  const struct l1vmm_apic_irq *irq)
{
	const struct l1vmm_apic *source = src ? &src->lapic->apic : NULL;
	bool quirk_off = READ_ONCE(vm->x2apic_broadcast_quirk_disabled);
	bool lowest = l1vmm_apic_lowest_prio(irq);
	unsigned int i, n = 0, pick, models = 0, vcpus = 0;
	struct l1vmm_vcpu *v;
	int r = -1;

	lockdep_assert_held(&vm->irqchip->lock);
	for (i = 0; i < l1vmm_nr_vcpus(vm); i++) {
		v = l1vmm_lapic_vcpu(vm, i);
		if (!v)
			continue;
		vcpus++;
		models |= l1vmm_apic_map_model(&v->lapic->apic);
		if (!l1vmm_apic_match_dest(&v->lapic->apic, source, irq, quirk_off))
			continue;
		if (lowest) {
			n += l1vmm_apic_sw_enabled(&v->lapic->apic);
			continue;
		}
		r = max(r, 0) + l1vmm_lapic_accept(v, irq);
	}
	if (r < 0 && !n && vcpus && l1vmm_apic_map_delivers(models, source, irq, quirk_off))
		r = 0;
	if (!lowest || !n)
		return r;
	pick = l1vmm_apic_lowest_pick(irq->vector, n);
	for (i = 0; i < l1vmm_nr_vcpus(vm); i++) {
		v = l1vmm_lapic_vcpu(vm, i);
		if (!v || !l1vmm_apic_match_dest(&v->lapic->apic, source, irq, quirk_off) ||
		    !l1vmm_apic_sw_enabled(&v->lapic->apic))
			continue;
		if (!pick--)
			return l1vmm_lapic_accept(v, irq);
	}
	return r;
}

/*
 * An MSI route as a message (KVM's kvm_set_msi_irq()): with
 * KVM_X2APIC_API_USE_32BIT_IDS, address_hi's bits 31:8 are the
 * destination's bits 31:8.
 */
void l1vmm_irqchip_msi_to_irq(struct l1vmm_vm *vm, const struct l1vmm_irq_route *e,
			      struct l1vmm_apic_irq *irq)
{
	u32 lo = e->msi.address_lo, data = e->msi.data;

	memset(irq, 0, sizeof(*irq));
	irq->dest = (lo >> 12) & 0xff;
	if (READ_ONCE(vm->x2apic_format))
		irq->dest |= e->msi.address_hi & 0xffffff00;
	irq->logical = lo & BIT(2);
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
int l1vmm_irqchip_ioapic_flush(struct l1vmm_vm *vm, struct l1vmm_ioapic_out *out, int pin, int ret)
{
	struct l1vmm_irqchip *chip = vm->irqchip;
	unsigned int i;
	int r;

	for (i = 0; i < L1VMM_IOAPIC_NUM_PINS; i++) {
		if (!(out->deliver & BIT(i)))
			continue;
		r = l1vmm_irqchip_deliver(vm, NULL, &out->msg[i]);
		r = l1vmm_ioapic_delivered(&chip->ioapic, i, r);
		if (i == pin)
			ret = r;
	}
	if (out->defer)
		schedule_delayed_work(&chip->eoi_inject, HZ / 100);
	if (out->acked | out->mask_changed)
		l1vmm_pit_ioapic_notify(vm, out->acked, out->mask_changed);
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
	l1vmm_irqchip_ioapic_flush(vm, &out, -1, 0);
	spin_unlock_irqrestore(&chip->lock, flags);
}

/* Before a PIC operation: whether anyone takes its interrupts. */
void l1vmm_irqchip_pic_prepare(struct l1vmm_vm *vm)
{
	struct l1vmm_vcpu *v;
	unsigned int i;
	bool any = false;

	for (i = 0; i < l1vmm_nr_vcpus(vm); i++) {
		v = l1vmm_lapic_vcpu(vm, i);
		any |= v && l1vmm_lapic_takes_pic(v);
	}
	vm->irqchip->pic.accepted = any;
}

/* After it: INTR rose, kick the vCPUs that take it (KVM's pic_unlock()). */
void l1vmm_irqchip_pic_finish(struct l1vmm_vm *vm)
{
	struct l1vmm_pic *pic = &vm->irqchip->pic;
	struct l1vmm_vcpu *v;
	unsigned int i;
	u16 acked = pic->acked;

	if (acked | pic->mask_changed)
		l1vmm_pit_pic_notify(vm, acked, pic->mask_changed);
	pic->acked = 0;
	pic->mask_changed = 0;
	for (i = 0; acked && i < L1VMM_PIC_NUM_PINS; i++)
		if (acked & BIT(i))
			l1vmm_irqfd_ack(vm, i < 8 ? KVM_IRQCHIP_PIC_MASTER :
					     KVM_IRQCHIP_PIC_SLAVE, i);
	if (!pic->wakeup)
		return;
	pic->wakeup = false;
	for (i = 0; i < l1vmm_nr_vcpus(vm); i++) {
		v = l1vmm_lapic_vcpu(vm, i);
		if (v && l1vmm_lapic_takes_pic(v))
			l1vmm_lapic_kick(v);
	}
}

/* One route driven to @level by @source: KVM's kvm_set_pic_irq(), _ioapic_irq(), kvm_set_msi(). */
int l1vmm_irqchip_route_set(struct l1vmm_vm *vm, const struct l1vmm_irq_route *e,
			    unsigned int source, bool level)
{
	struct l1vmm_irqchip *chip = vm->irqchip;
	struct l1vmm_ioapic_out out = { 0 };
	struct l1vmm_apic_irq irq;
	int r;

	if (e->type == KVM_IRQ_ROUTING_MSI) {
		if (l1vmm_msi_route_invalid(vm, e))
			return -EINVAL;
		if (!level)
			return -1;
		l1vmm_irqchip_msi_to_irq(vm, e, &irq);
		return l1vmm_irqchip_deliver(vm, NULL, &irq);
	}
	if (e->irqchip.chip == KVM_IRQCHIP_IOAPIC) {
		r = l1vmm_ioapic_set_irq(&chip->ioapic, e->irqchip.pin, source, level, &out);
		return l1vmm_irqchip_ioapic_flush(vm, &out, e->irqchip.pin, r);
	}
	l1vmm_irqchip_pic_prepare(vm);
	r = l1vmm_pic_set_irq(&chip->pic, e->irqchip.pin, source, level);
	l1vmm_irqchip_pic_finish(vm);
	return r;
}

/* KVM's kvm_set_irq(): every route of @gsi; -1 when none delivered. Lock held. */
int l1vmm_irqchip_set_gsi_locked(struct l1vmm_vm *vm, unsigned int source, u32 gsi, bool level)
{
	const struct l1vmm_irq_routes *rt = vm->irqchip->routes;
	unsigned int i;
	int ret = -1, r;

	for (i = 0; rt && i < rt->nr; i++) {
		if (rt->e[i].gsi != gsi)
			continue;
		r = l1vmm_irqchip_route_set(vm, &rt->e[i], source, level);
		if (r < 0)
			continue;
		ret = r + (ret < 0 ? 0 : ret);
	}
	return ret;
}

int l1vmm_irqchip_set_gsi(struct l1vmm_vm *vm, unsigned int source, u32 gsi, bool level)
{
	unsigned long flags;
	int r;

	spin_lock_irqsave(&vm->irqchip->lock, flags);
	r = l1vmm_irqchip_set_gsi_locked(vm, source, gsi, level);
	spin_unlock_irqrestore(&vm->irqchip->lock, flags);
	return r;
}

/* An access to the IOAPIC's window; false when @gpa is outside it. */
bool l1vmm_irqchip_ioapic_mmio(struct l1vmm_vm *vm, u64 gpa, bool write, unsigned int len,
			       u64 *data)
{
	struct l1vmm_irqchip *chip = vm->irqchip;
	struct l1vmm_ioapic_out out = { 0 };
	u64 base = chip->ioapic.s.base_address;

	lockdep_assert_held(&chip->lock);
	if (chip->split || gpa < base || gpa >= base + L1VMM_IOAPIC_MEM_LENGTH)
		return false;
	if (write) {
		l1vmm_ioapic_mmio_write(&chip->ioapic, gpa - base, len, *data, &out);
		l1vmm_irqchip_ioapic_flush(vm, &out, -1, 0);
	} else {
		*data = l1vmm_ioapic_mmio_read(&chip->ioapic, gpa - base, len);
	}
	return true;
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

	if (vm->irqchip->split)
		return false;
	switch (port) {
	case 0x20: case 0x21: case 0xa0: case 0xa1: case 0x4d0: case 0x4d1:
		break;
	default:
		return false;
	}
	spin_lock_irqsave(&vm->irqchip->lock, flags);
	l1vmm_irqchip_pic_prepare(vm);
	if (in) {
		taken = l1vmm_pic_read(pic, port, size, &val);
		if (taken)
			*rax = l1vmm_merge_reg(*rax, val, size);
	} else {
		taken = l1vmm_pic_write(pic, port, size, *rax);
	}
	l1vmm_irqchip_pic_finish(vm);
	spin_unlock_irqrestore(&vm->irqchip->lock, flags);
	return taken;
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

/* A new irqchip with its PIC and IOAPIC reset and no routes; not published yet. */
struct l1vmm_irqchip *l1vmm_irqchip_alloc(struct l1vmm_vm *vm)
{
	struct l1vmm_irqchip *chip;

	chip = kzalloc(sizeof(*chip), GFP_KERNEL_ACCOUNT);
	if (!chip)
		return NULL;
	spin_lock_init(&chip->lock);
	l1vmm_pic_init(&chip->pic);
	l1vmm_ioapic_reset(&chip->ioapic);
	chip->vm = vm;
	INIT_DELAYED_WORK(&chip->eoi_inject, ioapic_eoi_inject_work);
	INIT_LIST_HEAD(&chip->resamplers);
	return chip;
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
	chip = l1vmm_irqchip_alloc(vm);
	if (!chip)
		goto unlock;
	/*
	 * Routes first: ioctls that do not take vm->lock (KVM_IRQ_LINE,
	 * KVM_SIGNAL_MSI...) use the chip as soon as they see it, so it is
	 * never freed again once published.
	 */
	r = l1vmm_irqchip_default_routing(vm, chip);
	if (r) {
		kfree(chip);
		goto unlock;
	}
	/* Initialised and routed before those readers see it, as the split one. */
	smp_store_release(&vm->irqchip, chip);
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
		l1vmm_irqchip_pic_prepare(vm);
		l1vmm_pic_set_state(&chip->pic, c->chip_id == KVM_IRQCHIP_PIC_SLAVE,
				    (const struct l1vmm_pic_chip *)&c->chip.pic);
		l1vmm_irqchip_pic_finish(vm);
		break;
	case KVM_IRQCHIP_IOAPIC:
		l1vmm_ioapic_set_state(&chip->ioapic,
				       (const struct l1vmm_ioapic_state *)&c->chip.ioapic, &out);
		l1vmm_irqchip_ioapic_flush(vm, &out, -1, 0);
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
		line.status = l1vmm_irqchip_set_gsi(vm, L1VMM_USERSPACE_SOURCE, line.irq,
						    line.level);
		if (ioctl == KVM_IRQ_LINE_STATUS && copy_to_user(argp, &line, sizeof(line)))
			return -EFAULT;
		return 0;
	}
	case KVM_GET_IRQCHIP:
		c = memdup_user(argp, sizeof(*c));
		if (IS_ERR(c))
			return PTR_ERR(c);
		/* As KVM: -ENXIO for the split irqchip too. */
		r = l1vmm_pic_in_kernel(vm) ? get_irqchip(vm, c) : -ENXIO;
		if (!r && copy_to_user(argp, c, sizeof(*c)))
			r = -EFAULT;
		kfree(c);
		return r;
	case KVM_SET_IRQCHIP:
		c = memdup_user(argp, sizeof(*c));
		if (IS_ERR(c))
			return PTR_ERR(c);
		r = l1vmm_pic_in_kernel(vm) ? set_irqchip(vm, c) : -ENXIO;
		kfree(c);
		return r;
	default:
		return -ENOTTY;
	}
}

