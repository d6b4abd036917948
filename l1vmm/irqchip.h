/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The in-kernel irqchip (KVM_CREATE_IRQCHIP): the VM's dual 8259 PIC and
 * IOAPIC, its GSI routes, and each vCPU's local APIC with its timer. The
 * portable models (portable/apic.h, ioapic.h, pic.h) decide; the kernel
 * side acts: irqchip.c delivers messages to the APICs and drives the PIC
 * and IOAPIC, lapic.c kicks and wakes vCPUs, runs the timers on hrtimers
 * and injects the interrupt each vCPU takes, irq_routing.c keeps the GSI
 * routes, irqfd.c the irqfds (irqchip_priv.h: what they share).
 *
 * Locking: one spinlock per VM, irqchip->lock (IRQs off), guards the PIC,
 * the IOAPIC, the routes and every vCPU's APIC model, as KVM's
 * ioapic->lock and pic->lock guard theirs. The timer's callback takes no
 * lock: it only marks that the timer fired and kicks the vCPU, which
 * delivers the timer's interrupt itself before its next entry.
 */
#ifndef L1VMM_IRQCHIP_H
#define L1VMM_IRQCHIP_H

#include <linux/hrtimer.h>
#include <linux/kvm.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "l1vmm/portable/apic.h"
#include "l1vmm/portable/ioapic.h"
#include "l1vmm/portable/pic.h"

struct l1vmm_vm;
struct l1vmm_vcpu;
struct l1vmm_insn;

/* KVM_MAX_IRQ_ROUTES: GSIs and routes below this. */
#define L1VMM_MAX_IRQ_ROUTES	4096
/* KVM_USERSPACE_IRQ_SOURCE_ID: KVM_IRQ_LINE's source. */
#define L1VMM_USERSPACE_SOURCE	0
/* KVM_IRQFD_RESAMPLE_IRQ_SOURCE_ID: what resampling irqfds assert. */
#define L1VMM_RESAMPLE_SOURCE	1

/* One GSI route as KVM_SET_GSI_ROUTING gave it, checked. */
struct l1vmm_irq_route {
	u32 gsi;
	u32 type;		/* KVM_IRQ_ROUTING_IRQCHIP or _MSI */
	union {
		struct {
			u32 chip;	/* KVM_IRQCHIP_* */
			u32 pin;	/* PIC: 0-15 (slave's + 8), IOAPIC: 0-23 */
		} irqchip;
		struct {
			u32 address_lo;
			u32 address_hi;
			u32 data;
		} msi;
	};
};

struct l1vmm_irq_routes {
	unsigned int nr;
	struct l1vmm_irq_route e[];
};

struct l1vmm_irqchip {
	spinlock_t lock;
	struct l1vmm_pic pic;
	struct l1vmm_ioapic ioapic;
	struct l1vmm_irq_routes *routes;	/* replaced whole, under lock */
	/* After an EOI storm the IOAPIC re-delivers later (KVM's eoi_inject). */
	struct delayed_work eoi_inject;
	struct l1vmm_vm *vm;
	struct list_head resamplers;	/* irqfds with a resamplefd, under lock */
	/*
	 * KVM_CAP_SPLIT_IRQCHIP (irqchip_split.h): only the local APICs are
	 * here, the PIC and IOAPIC are user space's; the GSIs below
	 * nr_reserved_ioapic_pins are its IOAPIC's pins. scan_gen moves when
	 * the routes or an APIC's destination change, which makes every
	 * vCPU compute its EOI-exit vectors again.
	 */
	bool split;
	u32 nr_reserved_ioapic_pins;
	u32 scan_gen;
};

/* A vCPU's local APIC, with the VM's irqchip (vcpu->lapic). */
struct l1vmm_lapic {
	struct l1vmm_apic apic;		/* under the VM's irqchip->lock */
	struct l1vmm_vcpu *vcpu;
	struct hrtimer timer;
	unsigned long timer_fired;	/* bit 0: the hrtimer ran since last looked at */
	atomic_t nmi_queued;		/* NMIs sent by other APICs or the IOAPIC */
	/* INIT and SIPI sent to it, for the vCPU to act on (KVM's pending_events). */
	unsigned long pending_events;
	u8 sipi_vector;
	wait_queue_head_t wq;		/* a halted vCPU sleeps here */
	u32 mp_state;			/* KVM_MP_STATE_RUNNABLE or _HALTED */
	u64 halt_wakeups;		/* sleeps in HLT that ended with a wake-up */
	u64 vapic_addr;			/* KVM_SET_VAPIC_ADDR's word, 0: none */
	/* Split irqchip (irqchip_split.c), under the lock but for pending_ioapic_eoi. */
	int pending_extint;		/* KVM_INTERRUPT's ExtINT vector, or -1 */
	int pending_ioapic_eoi;		/* for KVM_EXIT_IOAPIC_EOI, or -1; the vCPU's own */
	u32 scan_gen;			/* irqchip->scan_gen of ioapic_vectors */
	DECLARE_BITMAP(ioapic_vectors, 256);	/* EOIs that exit (KVM's ioapic_handled_vectors) */
	unsigned int halt_poll_ns;	/* halt_poll.c: how long the next HLT polls */
};

/* VM side. */
int l1vmm_irqchip_create(struct l1vmm_vm *vm);
int l1vmm_set_boot_cpu_id(struct l1vmm_vm *vm, unsigned long id);
void l1vmm_irqchip_free(struct l1vmm_vm *vm);
long l1vmm_irqchip_vm_ioctl(struct l1vmm_vm *vm, unsigned int ioctl, void __user *argp);
/* Drive @gsi to @level from @source (KVM's kvm_set_irq()), e.g. the PIT's (pit.c). */
int l1vmm_irqchip_set_gsi(struct l1vmm_vm *vm, unsigned int source, u32 gsi, bool level);
int l1vmm_irqchip_default_routing(struct l1vmm_vm *vm, struct l1vmm_irqchip *chip);
int l1vmm_irqfd(struct l1vmm_vm *vm, const struct kvm_irqfd *args);
void l1vmm_irqfd_release(struct l1vmm_vm *vm);
int l1vmm_irqfd_init(void);
void l1vmm_irqfd_exit(void);

/* vCPU side: nothing here is called for a vCPU without a local APIC. */
int l1vmm_lapic_create(struct l1vmm_vcpu *vcpu);
void l1vmm_lapic_free(struct l1vmm_vcpu *vcpu);
void l1vmm_lapic_reset(struct l1vmm_vcpu *vcpu, bool init);
void l1vmm_lapic_update_cpuid(struct l1vmm_vcpu *vcpu);
long l1vmm_lapic_ioctl(struct l1vmm_vcpu *vcpu, unsigned int ioctl, void __user *argp);
int l1vmm_lapic_before_entry(struct l1vmm_vcpu *vcpu);
void l1vmm_lapic_set_sipi_vector(struct l1vmm_vcpu *vcpu, u8 vector);
void l1vmm_lapic_inject(struct l1vmm_vcpu *vcpu);
void l1vmm_lapic_after_exit(struct l1vmm_vcpu *vcpu);
int l1vmm_lapic_halt(struct l1vmm_vcpu *vcpu);
int l1vmm_lapic_run_uninit(struct l1vmm_vcpu *vcpu);

static inline bool l1vmm_lapic_uninit(const struct l1vmm_lapic *l)
{
	return READ_ONCE(l->mp_state) == KVM_MP_STATE_UNINITIALIZED;
}
bool l1vmm_lapic_mmio(struct l1vmm_vcpu *vcpu, u64 gpa, bool write, unsigned int len,
		      u64 *data);
bool l1vmm_irqchip_pio(struct l1vmm_vcpu *vcpu, u16 port, bool in, unsigned int size,
		       unsigned long *rax);
bool l1vmm_lapic_msr(u32 index);
bool l1vmm_lapic_fastpath_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 data);

/* The writes l1vmm_lapic_fastpath_msr() may take: x2APIC ICR and EOI, TSC_DEADLINE. */
#define L1VMM_MSR_X2APIC_EOI	0x0000080b
#define L1VMM_MSR_X2APIC_ICR	0x00000830
#define L1VMM_MSR_TSC_DEADLINE	0x000006e0

static inline bool l1vmm_lapic_fast_msr(u32 index)
{
	return index == L1VMM_MSR_X2APIC_ICR || index == L1VMM_MSR_X2APIC_EOI ||
	       index == L1VMM_MSR_TSC_DEADLINE;
}
int l1vmm_lapic_get_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 *data, bool host);
int l1vmm_lapic_set_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 data, bool host);
u64 l1vmm_lapic_get_base(struct l1vmm_vcpu *vcpu);
int l1vmm_lapic_set_base(struct l1vmm_vcpu *vcpu, u64 base);
u64 l1vmm_lapic_get_cr8(struct l1vmm_vcpu *vcpu);
void l1vmm_lapic_set_cr8(struct l1vmm_vcpu *vcpu, u64 cr8);
int l1vmm_lapic_cr8_write(struct l1vmm_vcpu *vcpu);

#endif /* L1VMM_IRQCHIP_H */
