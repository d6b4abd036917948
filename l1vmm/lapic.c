// SPDX-License-Identifier: GPL-2.0-only
/*
 * Each vCPU's local APIC with the in-kernel irqchip: KVM 6.1's lapic.c and
 * x86.c's vcpu_block() with the decisions taken by portable/apic.c. The
 * register file, MMIO page and x2APIC MSRs, the timer on an hrtimer,
 * injection before each entry, HLT in the kernel, INIT and SIPI.
 * irqchip.h says how it is locked.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/kvm.h>
#include <linux/math64.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <asm/trapnr.h>
#include <asm/tsc.h>

#include "l1vmm/exit.h"
#include "l1vmm/guest_mem.h"
#include "l1vmm/halt_poll.h"
#include "l1vmm/irqchip_priv.h"
#include "l1vmm/irqchip_split.h"
#include "l1vmm/portable/cpuid.h"
#include "l1vmm/portable/mov_cr.h"
#include "l1vmm/portable/msrs.h"
#include "l1vmm/portable/x86.h"

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
 * Make @vcpu look at its APIC before it enters the guest again: a request
 * bit, a wake-up if it sleeps in HLT, a reschedule IPI if it runs the guest
 * on another CPU (the physical interrupt makes it exit). Any context, no
 * lock needed: the timer's hard-IRQ callback calls it (KVM's kvm_vcpu_kick()).
 */
void l1vmm_lapic_kick(struct l1vmm_vcpu *vcpu)
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

/* KVM's __apic_accept_irq(): 1 when the APIC took @irq (lock held). */
int l1vmm_lapic_accept(struct l1vmm_vcpu *vcpu, const struct l1vmm_apic_irq *irq)
{
	switch (l1vmm_apic_accept(&vcpu->lapic->apic, irq)) {
	case L1VMM_APIC_ACC_IRR:
		l1vmm_lapic_kick(vcpu);
		return 1;
	case L1VMM_APIC_ACC_NMI:
		atomic_inc(&vcpu->lapic->nmi_queued);
		l1vmm_lapic_kick(vcpu);
		return 1;
	case L1VMM_APIC_ACC_INIT:
		set_bit(LAPIC_INIT, &vcpu->lapic->pending_events);
		l1vmm_lapic_kick(vcpu);
		return 1;
	case L1VMM_APIC_ACC_SIPI:
		vcpu->lapic->sipi_vector = irq->vector;
		/* The vector before the bit: accept_events() reads them in that order. */
		smp_wmb();
		set_bit(LAPIC_SIPI, &vcpu->lapic->pending_events);
		l1vmm_lapic_kick(vcpu);
		return 1;
	case L1VMM_APIC_ACC_DROPPED:
		return 0;
	default:
		/* SMI and KVM's PV unhalt: taken, not acted on. */
		return 1;
	}
}

/* --- Timer --- */

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
		/*
		 * Due already: fire now, without waiting for an hrtimer
		 * interrupt (KVM's start_sw_tscdeadline()). The caller is
		 * the vCPU's thread, which looks at the request before it
		 * enters again.
		 */
		if (l1vmm_ops->get_msr(vcpu, L1VMM_MSR_TSC) >= t->tscdeadline) {
			hrtimer_try_to_cancel(&l->timer);
			set_bit(0, &l->timer_fired);
			set_bit(L1VMM_REQ_EVENT, &vcpu->requests);
			return;
		}
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
	l1vmm_lapic_kick(l->vcpu);
	return HRTIMER_NORESTART;
}

/*
 * On the vCPU's thread, lock held: if the timer fired and is really due (a
 * reprogramming may have raced with the callback), raise LVTT and re-arm.
 * A TSC deadline the hrtimer reached a little before the guest's TSC did
 * is re-armed, and timer_arm() may find it due by then: it marks the timer
 * fired again, and this takes it at once rather than leave a halted vCPU
 * asleep with no hrtimer left to wake it.
 */
static void timer_check(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_lapic *l = vcpu->lapic;
	struct l1vmm_apic *a = &l->apic;
	struct l1vmm_apic_irq irq;
	u64 now;

	while (test_and_clear_bit(0, &l->timer_fired)) {
		now = now_ns();
		if (a->timer.mode == L1VMM_APIC_TIMER_TSCDEADLINE) {
			if (!a->timer.tscdeadline ||
			    l1vmm_ops->get_msr(vcpu, L1VMM_MSR_TSC) < a->timer.tscdeadline)
				goto rearm;
		} else if (!a->timer.armed || now < a->timer.target_ns) {
			goto rearm;
		}
		if (l1vmm_apic_timer_expired(a, now) &&
		    l1vmm_apic_lvt_irq(a, L1VMM_APIC_LVTT, &irq))
			l1vmm_lapic_accept(vcpu, &irq);
rearm:
		timer_arm(vcpu);
	}
}

/* --- Register side effects --- */

/* What a register write asked for (lock held). */
static void lapic_fx(struct l1vmm_vcpu *vcpu, const struct l1vmm_apic_fx *fx)
{
	struct l1vmm_vm *vm = vcpu->vm;
	struct l1vmm_ioapic_out out = { 0 };
	bool directed;

	if ((fx->flags & L1VMM_APIC_FX_EOI) && vm->irqchip->split) {
		l1vmm_split_eoi(vcpu, fx->eoi_vector);
	} else if (fx->flags & L1VMM_APIC_FX_EOI) {
		directed = l1vmm_apic_get(&vcpu->lapic->apic, L1VMM_APIC_SPIV) &
			   L1VMM_APIC_SPIV_DIRECTED_EOI;
		/*
		 * As KVM's IOAPIC: the pins of the vector are acked first, so a
		 * resampling irqfd lowers its line before remote IRR clears.
		 */
		l1vmm_irqfd_ack_vector(vm, fx->eoi_vector);
		l1vmm_ioapic_eoi(&vm->irqchip->ioapic, fx->eoi_vector, fx->eoi_level, directed,
				 &out);
		l1vmm_irqchip_ioapic_flush(vm, &out, -1, 0);
	}
	if (fx->flags & L1VMM_APIC_FX_IPI)
		l1vmm_irqchip_deliver(vm, vcpu, &fx->ipi);
	if (fx->flags & L1VMM_APIC_FX_TIMER)
		timer_arm(vcpu);
	if (fx->flags & (L1VMM_APIC_FX_EVENT | L1VMM_APIC_FX_MAP))
		set_bit(L1VMM_REQ_EVENT, &vcpu->requests);
	/* A destination changed: the split irqchip's EOI-exit vectors too. */
	if (fx->flags & L1VMM_APIC_FX_MAP)
		vm->irqchip->scan_gen++;
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
	struct l1vmm_apic_fx fx = { 0 };
	struct l1vmm_apic *a = &vcpu->lapic->apic;
	unsigned long flags;
	bool taken = true;

	spin_lock_irqsave(&chip->lock, flags);
	if (!in_lapic_page(vcpu, gpa)) {
		taken = l1vmm_irqchip_ioapic_mmio(vcpu->vm, gpa, write, len, data);
	} else if (write) {
		l1vmm_apic_mmio_write(a, gpa & 0xfff, len, *data, now_ns(), &fx);
		lapic_fx(vcpu, &fx);
	} else {
		*data = l1vmm_apic_mmio_read(a, gpa & 0xfff, len, now_ns());
	}
	spin_unlock_irqrestore(&chip->lock, flags);
	return taken;
}

/* --- MSRs --- */

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
	struct l1vmm_apic *a;
	unsigned long flags;
	int r = 0;

	if (!vcpu->lapic) {
		*data = vcpu->apic_base;	/* IA32_APIC_BASE alone comes here */
		return 0;
	}
	a = &vcpu->lapic->apic;
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

/*
 * IA32_APIC_BASE without the in-kernel APIC: the value KVM keeps for user
 * space (KVM_GET_SREGS, kvm_run, CPUID 1's APIC bit), written by the rules
 * of kvm_set_apic_base(); 1 if refused.
 */
static int set_base_without_apic(struct l1vmm_vcpu *vcpu, u64 base, bool host)
{
	if (l1vmm_apic_base_refused(vcpu->apic_base, base, host, rsvd_gpa(vcpu),
				    cpuid_1_ecx(vcpu) & CPUID_1_ECX_X2APIC))
		return 1;
	vcpu->apic_base = base;
	return 0;
}

int l1vmm_lapic_set_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 data, bool host)
{
	struct l1vmm_apic *a;
	struct l1vmm_apic_fx fx = { 0 };
	unsigned long flags;
	int r = 0;

	if (!vcpu->lapic)
		return set_base_without_apic(vcpu, data, host);
	a = &vcpu->lapic->apic;
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

/*
 * KVM_SET_SREGS's apic_base: a host write of the MSR, with or without the
 * in-kernel APIC (KVM's); -EINVAL if refused.
 */
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

/*
 * The guest's MOV to CR8, intercepted while an interrupt waits below the
 * TPR (l1vmm_lapic_inject()): the new TPR, and the interrupt it lets
 * through before the next instruction (KVM's cr8_write_interception()).
 * Reserved bits are a #GP, as KVM's kvm_set_cr8().
 */
int l1vmm_lapic_cr8_write(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_guest_view view;
	u8 bytes[L1VMM_MAX_INSN_LEN];
	struct l1vmm_mov_cr insn;
	unsigned int n;
	u64 val;

	if (WARN_ON_ONCE(!vcpu->lapic))
		return l1vmm_emulation_failure(vcpu, 0);
	l1vmm_guest_view(vcpu, &view);
	n = l1vmm_fetch_insn(vcpu, &view, bytes);
	if (l1vmm_decode_mov_to_cr(bytes, n, view.code_size == 8, 8, &insn))
		return l1vmm_emulation_failure(vcpu, 0);
	val = vcpu->regs[insn.gpr];
	if (view.code_size != 8)
		val = (u32)val;
	if (val & ~L1VMM_CR8_TPR) {
		l1vmm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return 1;
	}
	l1vmm_lapic_set_cr8(vcpu, val);
	set_bit(L1VMM_REQ_EVENT, &vcpu->requests);
	l1vmm_skip_to(vcpu, vcpu->regs[L1VMM_REG_RIP] + insn.len);
	return 1;
}

/* --- Injection, HLT --- */

/* The PIC's INTR for this vCPU (KVM's kvm_cpu_has_extint()); lock held. */
static bool has_extint(struct l1vmm_vcpu *vcpu)
{
	/* The split irqchip: user space's PIC sent it with KVM_INTERRUPT. */
	if (vcpu->vm->irqchip->split)
		return vcpu->lapic->pending_extint >= 0 && l1vmm_lapic_takes_pic(vcpu);
	return vcpu->vm->irqchip->pic.output && l1vmm_lapic_takes_pic(vcpu);
}

/* --- The fastpath --- */

/*
 * The fastpath's APIC writes (fastpath.h), IRQs off, outside the guest
 * context: TSC_DEADLINE, the x2APIC EOI, and an x2APIC ICR write of a
 * fixed IPI to one physical destination without shorthand, the only kind
 * KVM's handle_fastpath_set_x2apic_icr_irqoff() takes. True when done, as
 * l1vmm_lapic_set_msr() would have done it; false, with nothing changed,
 * for the full path: the other ICR forms, xAPIC mode, a value that is a
 * #GP. An interrupt the write made deliverable is a REQ_EVENT, which ends
 * the fastpath's series.
 */
bool l1vmm_lapic_fastpath_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 data)
{
	struct l1vmm_apic *a = &vcpu->lapic->apic;
	struct l1vmm_apic_fx fx = { 0 };
	u64 cr8 = l1vmm_ops->get_cr8(vcpu);
	bool done = false;

	lockdep_assert_irqs_disabled();
	spin_lock(&vcpu->vm->irqchip->lock);
	/* A CR8 write that did not exit counts for the EOI's check below. */
	if (cr8 != l1vmm_apic_get_cr8(a))
		l1vmm_apic_set_cr8(a, cr8);
	switch (index) {
	case MSR_TSC_DEADLINE:
		if (l1vmm_apic_set_tscdeadline(a, data))
			timer_arm(vcpu);
		done = true;
		break;
	case L1VMM_MSR_X2APIC_ICR:
		if ((data & (L1VMM_APIC_MODE_MASK | L1VMM_APIC_DEST_LOGICAL |
			     (3U << L1VMM_APIC_SHORT_SHIFT))) ||
		    (u32)(data >> 32) == L1VMM_X2APIC_BROADCAST)
			break;
		fallthrough;
	case L1VMM_MSR_X2APIC_EOI:
		done = !l1vmm_apic_msr_write(a, index, data, now_ns(), &fx);
		break;
	}
	if (done) {
		/* Only an interrupt the guest can take now ends the series. */
		if ((fx.flags & L1VMM_APIC_FX_EVENT) &&
		    (l1vmm_apic_has_interrupt(a) >= 0 || has_extint(vcpu)))
			set_bit(L1VMM_REQ_EVENT, &vcpu->requests);
		fx.flags &= ~L1VMM_APIC_FX_EVENT;
		lapic_fx(vcpu, &fx);
	}
	spin_unlock(&vcpu->vm->irqchip->lock);
	return done;
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
	bool window = false, cr8_exit;
	int vec = -1, irr;
	u32 word = 0;
	u64 cr8;

	spin_lock_irqsave(&chip->lock, flags);
	cr8 = l1vmm_apic_get_cr8(a);
	if (l1vmm_ops->get_cr8(vcpu) != cr8)
		l1vmm_ops->set_cr8(vcpu, cr8);
	if (has_extint(vcpu) || l1vmm_apic_has_interrupt(a) >= 0) {
		if (!l1vmm_ready_for_interrupt(vcpu)) {
			window = true;
		} else if (has_extint(vcpu) && chip->split) {
			vec = xchg(&vcpu->lapic->pending_extint, -1);
		} else if (has_extint(vcpu)) {
			l1vmm_irqchip_pic_prepare(vcpu->vm);
			vec = l1vmm_pic_read_irq(&chip->pic);
			l1vmm_irqchip_pic_finish(vcpu->vm);
		} else {
			vec = l1vmm_apic_ack(a);
		}
	}
	if (vcpu->lapic->vapic_addr)
		word = l1vmm_apic_vapic_word(a);
	/* User space's request for the window, as KVM's dm_request_for_irq_injection(). */
	if (chip->split && READ_ONCE(vcpu->run->request_interrupt_window) &&
	    l1vmm_split_accept_dm_intr(vcpu))
		window = true;
	/*
	 * An interrupt the TPR holds back: the guest's MOV CR8 that lowers
	 * the TPR exits, so that it comes in before the next instruction
	 * (KVM's update_cr8_intercept(), which the vAPIC word turns off).
	 */
	irr = l1vmm_apic_highest_vec(a, L1VMM_APIC_IRR);
	cr8_exit = !vcpu->lapic->vapic_addr && irr >= 0 && (irr >> 4) <= cr8;
	spin_unlock_irqrestore(&chip->lock, flags);
	if (vec >= 0) {
		ev.vector = vec;
		l1vmm_ops->set_event(vcpu, &ev);
	}
	l1vmm_set_irq_window(vcpu, window);
	l1vmm_ops->set_cr8_intercept(vcpu, cr8_exit);
	/* A word no slot backs any more is not written (KVM's cached write fails). */
	if (vcpu->lapic->vapic_addr)
		l1vmm_copy_gpa(vcpu->vm, vcpu->lapic->vapic_addr, &word, sizeof(word), true);
}

/*
 * After an exit: a CR8 write the guest made without exiting goes into the
 * TPR, then the TPR the guest wrote into its vAPIC word (KVM's
 * sync_cr8_to_lapic(), then kvm_lapic_sync_from_vapic()).
 */
void l1vmm_lapic_after_exit(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_apic *a = &vcpu->lapic->apic;
	u64 cr8 = l1vmm_ops->get_cr8(vcpu);
	u64 vapic = vcpu->lapic->vapic_addr;
	unsigned long flags;
	u32 word;

	if (cr8 != l1vmm_apic_get_cr8(a)) {
		spin_lock_irqsave(&vcpu->vm->irqchip->lock, flags);
		l1vmm_apic_set_cr8(a, cr8);
		spin_unlock_irqrestore(&vcpu->vm->irqchip->lock, flags);
	}
	if (vapic && !l1vmm_copy_gpa(vcpu->vm, vapic, &word, sizeof(word), false)) {
		spin_lock_irqsave(&vcpu->vm->irqchip->lock, flags);
		l1vmm_apic_set_tpr(a, word & 0xff);
		spin_unlock_irqrestore(&vcpu->vm->irqchip->lock, flags);
	}
}

/*
 * KVM_SET_VAPIC_ADDR (KVM's kvm_lapic_set_vapic_addr()): a word in guest
 * memory that mirrors the TPR (QEMU's kvmvapic option ROM patches old
 * 32-bit Windows guests' TPR accesses to use it). 0 turns it off; a word
 * no writable slot backs is -EINVAL.
 */
static int set_vapic_addr(struct l1vmm_vcpu *vcpu, u64 addr)
{
	u64 last = addr + sizeof(u32) - 1;

	if (addr && (last < addr ||
		     !l1vmm_gfn_backed(vcpu->vm, addr >> PAGE_SHIFT, true) ||
		     !l1vmm_gfn_backed(vcpu->vm, last >> PAGE_SHIFT, true)))
		return -EINVAL;
	vcpu->lapic->vapic_addr = addr;
	return 0;
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
	/* The split irqchip's EOI for user space's IOAPIC (KVM_REQ_IOAPIC_EOI_EXIT). */
	if (!l1vmm_split_eoi_exit(vcpu))
		return 0;
	accept_events(vcpu);
	spin_lock_irqsave(&vcpu->vm->irqchip->lock, flags);
	timer_check(vcpu);
	spin_unlock_irqrestore(&vcpu->vm->irqchip->lock, flags);
	while (l->mp_state != KVM_MP_STATE_RUNNABLE) {
		/* Halted, it polls before it sleeps (halt_poll.c). */
		if (l1vmm_halt_wait(vcpu, l->mp_state == KVM_MP_STATE_HALTED, lapic_wakes)) {
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

/* HLT with the APIC in the kernel: the vCPU sleeps at its next entry (KVM's __kvm_emulate_halt). */
int l1vmm_lapic_halt(struct l1vmm_vcpu *vcpu)
{
	l1vmm_skip_instruction(vcpu);
	vcpu->lapic->mp_state = KVM_MP_STATE_HALTED;
	return 1;
}

/* --- Life cycle and ioctls --- */

int l1vmm_lapic_create(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_lapic *l;

	l = kzalloc(sizeof(*l), GFP_KERNEL_ACCOUNT);
	if (!l)
		return -ENOMEM;
	l->vcpu = vcpu;
	l->apic.vcpu_id = vcpu->id;
	l->pending_extint = -1;
	l->pending_ioapic_eoi = -1;
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

/* KVM's kvm_apic_set_version(): directed EOI with x2APIC and the IOAPIC in user space. */
static bool directed_eoi(struct l1vmm_vcpu *vcpu)
{
	return vcpu->vm->irqchip->split && (cpuid_1_ecx(vcpu) & CPUID_1_ECX_X2APIC);
}

/* RESET or INIT of the APIC (KVM's kvm_lapic_reset()); KVM_SET_BOOT_CPU_ID names the BSP. */
void l1vmm_lapic_reset(struct l1vmm_vcpu *vcpu, bool init)
{
	struct l1vmm_lapic *l = vcpu->lapic;
	unsigned long flags;

	spin_lock_irqsave(&vcpu->vm->irqchip->lock, flags);
	l->apic.tsc_deadline = cpuid_1_ecx(vcpu) & CPUID_1_ECX_TSC_DEADLINE;
	l->apic.directed_eoi = directed_eoi(vcpu);
	l1vmm_apic_reset(&l->apic, init, is_bsp(vcpu));
	vcpu->vm->irqchip->scan_gen++;
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
	vcpu->lapic->apic.directed_eoi = directed_eoi(vcpu);
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
		l1vmm_apic_get_state(a, s->regs, READ_ONCE(vcpu->vm->x2apic_format), now_ns());
		spin_unlock_irqrestore(&vcpu->vm->irqchip->lock, flags);
		r = copy_to_user(argp, s, sizeof(*s)) ? -EFAULT : 0;
		kfree(s);
		return r;
	case KVM_SET_LAPIC:
		s = memdup_user(argp, sizeof(*s));
		if (IS_ERR(s))
			return PTR_ERR(s);
		spin_lock_irqsave(&vcpu->vm->irqchip->lock, flags);
		r = l1vmm_apic_set_state(a, s->regs, READ_ONCE(vcpu->vm->x2apic_format), now_ns());
		timer_arm(vcpu);
		vcpu->vm->irqchip->scan_gen++;
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
	case KVM_SET_VAPIC_ADDR: {
		struct kvm_vapic_addr va;

		if (copy_from_user(&va, argp, sizeof(va)))
			return -EFAULT;
		return set_vapic_addr(vcpu, va.vapic_addr);
	}
	case KVM_INTERRUPT: {
		struct kvm_interrupt irq;

		if (copy_from_user(&irq, argp, sizeof(irq)))
			return -EFAULT;
		/* An ExtINT for the split irqchip; -ENXIO with the PIC in the kernel. */
		return l1vmm_split_interrupt(vcpu, &irq);
	}
	default:
		return -ENOTTY;
	}
}

