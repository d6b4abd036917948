/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The I/O APIC of a VM with KVM's rules (arch/x86/kvm/ioapic.c): an
 * 82093AA-like IOAPIC with 24 pins, version 0x11, no EOI register, reached
 * through IOREGSEL/IOWIN at 0xfec00000, its state the layout that
 * KVM_GET_IRQCHIP/KVM_SET_IRQCHIP carry (struct kvm_ioapic_state).
 *
 * Nothing here delivers an interrupt: operations fill a struct
 * l1vmm_ioapic_out with the pins whose messages the caller must deliver to
 * the local APICs; the caller then reports each delivery's result with
 * l1vmm_ioapic_delivered(), which is what sets a level pin's remote IRR.
 * The caller serialises all of this (KVM's ioapic->lock). Portable:
 * unit-tested on the host (selftests/unit/test_ioapic.c).
 */
#ifndef L1VMM_IOAPIC_H
#define L1VMM_IOAPIC_H

#include "l1vmm/portable/portable.h"
#include "l1vmm/portable/apic.h"

#define L1VMM_IOAPIC_NUM_PINS		24
#define L1VMM_IOAPIC_DEFAULT_BASE	0xfec00000ULL
#define L1VMM_IOAPIC_MEM_LENGTH		0x100
#define L1VMM_IOAPIC_VERSION		0x11
#define L1VMM_IOAPIC_RTC_PIN		8

/* MMIO offsets and indirect registers. */
#define L1VMM_IOAPIC_REGSEL		0x00
#define L1VMM_IOAPIC_WINDOW		0x10
#define L1VMM_IOAPIC_REG_ID		0x00
#define L1VMM_IOAPIC_REG_VERSION	0x01
#define L1VMM_IOAPIC_REG_ARB		0x02
#define L1VMM_IOAPIC_REG_REDIR		0x10	/* pin n: 0x10 + 2n (low), + 1 (high) */

/* Redirection entry fields. */
#define L1VMM_IOAPIC_VECTOR		0xffULL
#define L1VMM_IOAPIC_DM_SHIFT		8
#define L1VMM_IOAPIC_LOGICAL		BIT_ULL(11)
#define L1VMM_IOAPIC_DELIV_STATUS	BIT_ULL(12)
#define L1VMM_IOAPIC_POLARITY		BIT_ULL(13)
#define L1VMM_IOAPIC_REMOTE_IRR		BIT_ULL(14)
#define L1VMM_IOAPIC_LEVEL		BIT_ULL(15)
#define L1VMM_IOAPIC_MASKED		BIT_ULL(16)
#define L1VMM_IOAPIC_DEST_SHIFT		56

/* Level-triggered EOIs in a row that re-deliver at once before one waits (KVM's). */
#define L1VMM_IOAPIC_EOI_STORM		10000

/* struct kvm_ioapic_state, as KVM_GET_IRQCHIP/KVM_SET_IRQCHIP carry it. */
struct l1vmm_ioapic_state {
	u64 base_address;
	u32 ioregsel;
	u32 id;
	u32 irr;
	u32 pad;
	u64 redirtbl[L1VMM_IOAPIC_NUM_PINS];
};

struct l1vmm_ioapic {
	struct l1vmm_ioapic_state s;
	u32 irr_delivered;		/* edge pins whose assertion went out */
	u32 eoi_count[L1VMM_IOAPIC_NUM_PINS];	/* re-deliveries on EOI in a row */
	unsigned long line[L1VMM_IOAPIC_NUM_PINS];	/* asserting sources, a bit each */
};

/* What an operation asks of the caller. */
struct l1vmm_ioapic_out {
	u32 deliver;			/* pins whose msg[] to deliver, lowest first */
	u32 acked;			/* pins that took an EOI: run their ack notifiers */
	u32 mask_changed;		/* pins whose mask bit changed: mask notifiers */
	bool scan;			/* the table changed: recompute handled vectors */
	bool defer;			/* an EOI storm: call l1vmm_ioapic_eoi_inject() later */
	struct l1vmm_apic_irq msg[L1VMM_IOAPIC_NUM_PINS];
};

/* Power-on (KVM's kvm_ioapic_reset()): every pin masked, ID 0, nothing pending. */
void l1vmm_ioapic_reset(struct l1vmm_ioapic *io);

/*
 * A guest access at offset @off (within the 256-byte window) of @len bytes:
 * IOREGSEL (8 bits) and IOWIN; other offsets read 0 and ignore writes.
 */
u64 l1vmm_ioapic_mmio_read(struct l1vmm_ioapic *io, u32 off, unsigned int len);
void l1vmm_ioapic_mmio_write(struct l1vmm_ioapic *io, u32 off, unsigned int len, u64 val,
			     struct l1vmm_ioapic_out *out);

/*
 * Source @source (0..BITS_PER_LONG - 1, KVM's irq_source_id) drives pin
 * @pin to @level; the pin's level is the OR of its sources'. Returns what
 * KVM_IRQ_LINE_STATUS reports when nothing is to be delivered: 1 for a
 * deassert, 0 for an edge already pending (coalesced), -1 for a masked pin
 * or a level pin awaiting EOI. With a delivery in @out, the status is the
 * result the caller gives l1vmm_ioapic_delivered(). -EINVAL for a bad pin.
 */
int l1vmm_ioapic_set_irq(struct l1vmm_ioapic *io, unsigned int pin, unsigned int source,
			 bool level, struct l1vmm_ioapic_out *out);

/* Forget @source's assertions without changing the IRR (KVM's kvm_ioapic_clear_all()). */
void l1vmm_ioapic_clear_source(struct l1vmm_ioapic *io, unsigned int source);

/*
 * The message for @pin went to @ret local APICs (-1: none matched, as KVM's
 * kvm_irq_delivery_to_apic()): a level pin waits for EOI unless it was 0.
 * Returns @ret.
 */
int l1vmm_ioapic_delivered(struct l1vmm_ioapic *io, unsigned int pin, int ret);

/*
 * A local APIC's EOI of @vector, @level its TMR bit; @directed_eoi: that
 * APIC's SPIV has directed EOI on (then only an IOAPIC EOI would do, and
 * this one has none). Every pin of @vector is acked; a level pin's remote
 * IRR clears and a still-asserted, unmasked line is delivered again.
 */
void l1vmm_ioapic_eoi(struct l1vmm_ioapic *io, u8 vector, bool level, bool directed_eoi,
		      struct l1vmm_ioapic_out *out);

/* The deferred work after an EOI storm: every asserted, idle level pin again. */
void l1vmm_ioapic_eoi_inject(struct l1vmm_ioapic *io, struct l1vmm_ioapic_out *out);

/* KVM_GET_IRQCHIP: the state, IRR without delivered edges. */
void l1vmm_ioapic_get_state(const struct l1vmm_ioapic *io, struct l1vmm_ioapic_state *s);

/* KVM_SET_IRQCHIP: the state taken and its IRR asserted again (KVM's kvm_set_ioapic()). */
void l1vmm_ioapic_set_state(struct l1vmm_ioapic *io, const struct l1vmm_ioapic_state *s,
			    struct l1vmm_ioapic_out *out);

/*
 * The vectors whose EOI this IOAPIC must hear from @apic (KVM's
 * kvm_ioapic_scan_entry()): those of level pins, of @notified pins (ack
 * notifiers) and of the RTC's pin, aimed at @apic or still in its ISR,
 * set in @vectors.
 */
void l1vmm_ioapic_handled_vectors(const struct l1vmm_ioapic *io, const struct l1vmm_apic *apic,
				  u32 notified, bool broadcast_quirk_off, u64 vectors[4]);

/* The message a redirection entry sends (KVM's ioapic_service()). */
void l1vmm_ioapic_entry_irq(u64 entry, struct l1vmm_apic_irq *irq);

#endif /* L1VMM_IOAPIC_H */
