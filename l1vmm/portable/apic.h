/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The local APIC of one vCPU as a register file, with KVM's rules
 * (arch/x86/kvm/lapic.c): the 1 KiB register page that KVM_GET_LAPIC and
 * KVM_SET_LAPIC carry, the IRR/ISR/TMR bitmaps, the priorities, EOI, the
 * xAPIC MMIO and x2APIC MSR register semantics, destination matching, ICR
 * decoding and the timer's arithmetic. Nothing here sleeps, locks or
 * touches a vCPU: operations return what the caller must do (deliver an
 * IPI, forward an EOI to the IOAPIC, re-arm the timer). Times are
 * nanoseconds on whatever monotonic clock the caller passes in @now.
 * Portable: unit-tested on the host (selftests/unit/test_apic.c).
 */
#ifndef L1VMM_APIC_H
#define L1VMM_APIC_H

#include "l1vmm/portable/portable.h"

/* KVM_APIC_REG_SIZE: struct kvm_lapic_state. */
#define L1VMM_APIC_REG_SIZE		0x400

/* Register offsets in the xAPIC page (x2APIC MSR 0x800 + offset / 16). */
#define L1VMM_APIC_ID			0x20
#define L1VMM_APIC_LVR			0x30
#define L1VMM_APIC_TPR			0x80
#define L1VMM_APIC_APR			0x90
#define L1VMM_APIC_PPR			0xa0
#define L1VMM_APIC_EOI			0xb0
#define L1VMM_APIC_LDR			0xd0
#define L1VMM_APIC_DFR			0xe0
#define L1VMM_APIC_SPIV			0xf0
#define L1VMM_APIC_ISR			0x100
#define L1VMM_APIC_TMR			0x180
#define L1VMM_APIC_IRR			0x200
#define L1VMM_APIC_ESR			0x280
#define L1VMM_APIC_LVTCMCI		0x2f0
#define L1VMM_APIC_ICR			0x300
#define L1VMM_APIC_ICR2			0x310
#define L1VMM_APIC_LVTT			0x320
#define L1VMM_APIC_LVTTHMR		0x330
#define L1VMM_APIC_LVTPC		0x340
#define L1VMM_APIC_LVT0			0x350
#define L1VMM_APIC_LVT1			0x360
#define L1VMM_APIC_LVTERR		0x370
#define L1VMM_APIC_TMICT		0x380
#define L1VMM_APIC_TMCCT		0x390
#define L1VMM_APIC_TDCR			0x3e0
#define L1VMM_APIC_SELF_IPI		0x3f0

#define L1VMM_MSR_APIC_BASE		0x0000001b
#define L1VMM_MSR_X2APIC_FIRST		0x00000800
#define L1VMM_MSR_X2APIC_LAST		0x000008ff
#define L1VMM_APIC_BASE_BSP		BIT_ULL(8)
#define L1VMM_APIC_BASE_X2APIC		BIT_ULL(10)
#define L1VMM_APIC_BASE_ENABLE		BIT_ULL(11)
#define L1VMM_APIC_DEFAULT_BASE		0xfee00000ULL

/* KVM's version register: 0x14, the last LVT index in 23:16, directed EOI in 24. */
#define L1VMM_APIC_VERSION		0x14
#define L1VMM_APIC_LVR_DIRECTED_EOI	BIT(24)

#define L1VMM_APIC_SPIV_ENABLED		BIT(8)
#define L1VMM_APIC_SPIV_DIRECTED_EOI	BIT(12)

/* Fields of an LVT entry and of the ICR. */
#define L1VMM_APIC_VECTOR_MASK		0xffU
#define L1VMM_APIC_MODE_MASK		0x700U
#define L1VMM_APIC_DEST_LOGICAL		BIT(11)
#define L1VMM_APIC_ICR_BUSY		BIT(12)
#define L1VMM_APIC_INPUT_POLARITY	BIT(13)
#define L1VMM_APIC_LVT_REMOTE_IRR	BIT(14)
#define L1VMM_APIC_INT_ASSERT		BIT(14)
#define L1VMM_APIC_LEVEL_TRIG		BIT(15)
#define L1VMM_APIC_LVT_MASKED		BIT(16)
#define L1VMM_APIC_SHORT_SHIFT		18
#define L1VMM_APIC_TIMER_MODE_MASK	(3U << 17)
#define L1VMM_APIC_TIMER_ONESHOT	(0U << 17)
#define L1VMM_APIC_TIMER_PERIODIC	(1U << 17)
#define L1VMM_APIC_TIMER_TSCDEADLINE	(2U << 17)

/* Delivery modes, as bits 10:8 of the ICR and of an LVT entry. */
enum l1vmm_apic_dm {
	L1VMM_APIC_DM_FIXED = 0,
	L1VMM_APIC_DM_LOWEST = 1,
	L1VMM_APIC_DM_SMI = 2,
	L1VMM_APIC_DM_REMRD = 3,
	L1VMM_APIC_DM_NMI = 4,
	L1VMM_APIC_DM_INIT = 5,
	L1VMM_APIC_DM_SIPI = 6,
	L1VMM_APIC_DM_EXTINT = 7,
};

/* Destination shorthands, bits 19:18 of the ICR. */
enum l1vmm_apic_shorthand {
	L1VMM_APIC_SH_NONE = 0,
	L1VMM_APIC_SH_SELF = 1,
	L1VMM_APIC_SH_ALL = 2,		/* all including self */
	L1VMM_APIC_SH_ALL_BUT_SELF = 3,
};

#define L1VMM_APIC_BROADCAST		0xffU
#define L1VMM_X2APIC_BROADCAST		0xffffffffU

/* KVM's APIC_BUS_CYCLE_NS in 6.1: the timer counts at 1 GHz before the divider. */
#define L1VMM_APIC_BUS_CYCLE_NS		1
/* KVM's min_timer_period_us default: the shortest periodic timer, 200 us. */
#define L1VMM_APIC_MIN_PERIOD_NS	200000ULL

/* An interrupt message: a decoded ICR, LVT entry, MSI or IOAPIC entry (KVM's kvm_lapic_irq). */
struct l1vmm_apic_irq {
	u32 dest;			/* APIC ID or logical destination */
	u8 vector;
	u8 delivery_mode;		/* enum l1vmm_apic_dm */
	u8 shorthand;			/* enum l1vmm_apic_shorthand */
	bool logical;			/* destination mode */
	bool level;			/* asserted (the ICR's level bit) */
	bool trig_level;		/* level-triggered */
};

/* The timer's state beside the registers (KVM's struct kvm_timer, in nanoseconds). */
struct l1vmm_apic_timer {
	u64 period_ns;			/* TMICT x divider; 0 when TMICT is 0 */
	u64 target_ns;			/* the next expiry, on the caller's clock */
	u64 tscdeadline;		/* IA32_TSC_DEADLINE; 0: disarmed */
	u32 mode;			/* the LVTT mode in effect (L1VMM_APIC_TIMER_*) */
	u32 divide;			/* 1..128, from TDCR */
	bool armed;			/* one-shot or periodic running (not TSC deadline) */
};

struct l1vmm_apic {
	/* The register page; registers are 32 bits at 16-byte strides. */
	u32 regs[L1VMM_APIC_REG_SIZE / 4];
	struct l1vmm_apic_timer timer;
	u64 base;			/* IA32_APIC_BASE */
	u32 vcpu_id;			/* the x2APIC ID */
	u8 nr_lvt;			/* 6, or 7 with CMCI */
	/* Set by the caller before l1vmm_apic_reset() or l1vmm_apic_update_version(). */
	bool cmci;			/* MCG_CAP.MCG_CMCI_P: LVTCMCI exists */
	bool directed_eoi;		/* guest CPUID has x2APIC and the IOAPIC is not in kernel */
	bool tsc_deadline;		/* guest CPUID has TSC-deadline */
};

/* What a register write asks of the caller; see struct l1vmm_apic_fx. */
#define L1VMM_APIC_FX_EOI	BIT(0)	/* eoi_vector left the ISR: tell the IOAPIC */
#define L1VMM_APIC_FX_IPI	BIT(1)	/* send ipi */
#define L1VMM_APIC_FX_TIMER	BIT(2)	/* the timer changed: re-arm or cancel it */
#define L1VMM_APIC_FX_MAP	BIT(3)	/* ID, LDR, DFR or enables changed */
#define L1VMM_APIC_FX_EVENT	BIT(4)	/* re-check for a deliverable interrupt */

struct l1vmm_apic_fx {
	u32 flags;
	int eoi_vector;
	bool eoi_level;			/* its TMR bit was set: level-triggered */
	struct l1vmm_apic_irq ipi;
};

static inline u32 l1vmm_apic_get(const struct l1vmm_apic *a, u32 off)
{
	return a->regs[off >> 2];
}

static inline void l1vmm_apic_put(struct l1vmm_apic *a, u32 off, u32 val)
{
	a->regs[off >> 2] = val;
}

static inline bool l1vmm_apic_hw_enabled(const struct l1vmm_apic *a)
{
	return a->base & L1VMM_APIC_BASE_ENABLE;
}

static inline bool l1vmm_apic_x2apic(const struct l1vmm_apic *a)
{
	return (a->base & (L1VMM_APIC_BASE_ENABLE | L1VMM_APIC_BASE_X2APIC)) ==
	       (L1VMM_APIC_BASE_ENABLE | L1VMM_APIC_BASE_X2APIC);
}

static inline bool l1vmm_apic_sw_enabled(const struct l1vmm_apic *a)
{
	return l1vmm_apic_get(a, L1VMM_APIC_SPIV) & L1VMM_APIC_SPIV_ENABLED;
}

/* Both enables: KVM's apic_enabled(), what accepting a fixed interrupt needs. */
static inline bool l1vmm_apic_enabled(const struct l1vmm_apic *a)
{
	return l1vmm_apic_hw_enabled(a) && l1vmm_apic_sw_enabled(a);
}

/* The 8-bit xAPIC ID (bits 31:24 of the ID register). */
static inline u8 l1vmm_apic_xapic_id(const struct l1vmm_apic *a)
{
	return l1vmm_apic_get(a, L1VMM_APIC_ID) >> 24;
}

/* The x2APIC LDR that x2APIC ID @id implies: cluster id >> 4, bit id & 15. */
static inline u32 l1vmm_x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | (1U << (id & 0xf));
}

/* --- The vector bitmaps: IRR, ISR, TMR (@bitmap is one of their offsets) --- */

void l1vmm_apic_set_vec(struct l1vmm_apic *a, u32 bitmap, u8 vec);
void l1vmm_apic_clear_vec(struct l1vmm_apic *a, u32 bitmap, u8 vec);
bool l1vmm_apic_test_vec(const struct l1vmm_apic *a, u32 bitmap, u8 vec);
/* The highest vector set in @bitmap, or -1. */
int l1vmm_apic_highest_vec(const struct l1vmm_apic *a, u32 bitmap);

/* --- Priorities, acknowledge, EOI --- */

/*
 * The processor priority from the TPR and the highest in-service vector
 * (-1: none): the TPR when its class is at least the ISR's, else the
 * ISR's class with a zero subclass.
 */
u32 l1vmm_apic_ppr_of(u32 tpr, int isr);

/* Recompute PPR into the register page; true when it went down. */
bool l1vmm_apic_update_ppr(struct l1vmm_apic *a);

/*
 * The vector the vCPU would take now, or -1: the highest IRR vector whose
 * class is above the PPR's (KVM's kvm_apic_has_interrupt(), -1 with the
 * APIC hardware-disabled).
 */
int l1vmm_apic_has_interrupt(struct l1vmm_apic *a);

/* Take that vector: IRR to ISR, PPR raised. Returns it, or -1 (nothing changed). */
int l1vmm_apic_ack(struct l1vmm_apic *a);

/*
 * EOI: clear the highest ISR bit, recompute the PPR. Returns the vector
 * (-1 with the ISR empty) and in @level whether its TMR bit is set, which
 * is what the IOAPIC's EOI needs.
 */
int l1vmm_apic_eoi(struct l1vmm_apic *a, bool *level);

/* CR8 moves: the TPR's class (KVM's kvm_lapic_set_tpr(), kvm_lapic_get_cr8()). */
void l1vmm_apic_set_cr8(struct l1vmm_apic *a, u64 cr8);
u64 l1vmm_apic_get_cr8(const struct l1vmm_apic *a);

/*
 * The word at the address KVM_SET_VAPIC_ADDR names (KVM's
 * kvm_lapic_sync_to_vapic()): the TPR in bits 7:0, the highest in-service
 * vector's class in 15:12, the highest requested vector in 31:24 (0 for
 * none). The guest's writes of its low byte set the TPR (sync_from_vapic).
 */
u32 l1vmm_apic_vapic_word(const struct l1vmm_apic *a);
void l1vmm_apic_set_tpr(struct l1vmm_apic *a, u8 tpr);

/* --- Lifecycle and state --- */

/* LVR from nr_lvt and directed_eoi; after cmci changes, masks any new LVT. */
void l1vmm_apic_update_version(struct l1vmm_apic *a);

/*
 * RESET (@init_event false: APIC_BASE to 0xfee00000, enabled, BSP for @bsp,
 * xAPIC ID the vCPU id) or INIT (keeps APIC_BASE and the ID): LVTs masked
 * (LVT0 ExtINT on the BSP, KVM's LINT0_REENABLED quirk), software-disabled,
 * TPR, ESR, ICR, timer and bitmaps clear, DFR flat. KVM's kvm_lapic_reset().
 */
void l1vmm_apic_reset(struct l1vmm_apic *a, bool init_event, bool bsp);

/*
 * Whether KVM's kvm_set_apic_base() refuses a write of IA32_APIC_BASE from
 * @old to @val: a reserved bit (@rsvd_gpa: the bits above the guest's
 * MAXPHYADDR; bits 7:0 and 9; x2APIC enable without @x2apic_cpuid),
 * x2APIC enable without enable, or, from the guest (!@host), x2APIC to
 * xAPIC or disabled to x2APIC. With or without an in-kernel APIC.
 */
bool l1vmm_apic_base_refused(u64 old, u64 val, bool host, u64 rsvd_gpa, bool x2apic_cpuid);

/*
 * WRMSR IA32_APIC_BASE: 1 (#GP) where l1vmm_apic_base_refused(). Else 0
 * with the mode changes KVM's kvm_lapic_set_base() makes (enabling sets the
 * xAPIC ID, entering x2APIC the x2APIC ID and LDR), and FX_MAP in @fx.
 */
int l1vmm_apic_set_base(struct l1vmm_apic *a, u64 val, bool host, u64 rsvd_gpa,
			bool x2apic_cpuid, struct l1vmm_apic_fx *fx);

/*
 * KVM_GET_LAPIC: the page with TMCCT computed at @now; in x2APIC mode the
 * ID shifted to bits 31:24 unless @x2apic_format (KVM_CAP_X2APIC_API).
 * @regs is L1VMM_APIC_REG_SIZE bytes.
 */
void l1vmm_apic_get_state(struct l1vmm_apic *a, void *regs, bool x2apic_format, u64 now);

/*
 * KVM_SET_LAPIC: -EINVAL in x2APIC mode with @x2apic_format and an ID
 * other than the vCPU id; else 0 with the page taken (x2APIC LDR derived
 * from the ID), the version and PPR recomputed and the timer restarted
 * from the page's TMCCT (KVM's __start_apic_timer(apic, APIC_TMCCT)).
 */
int l1vmm_apic_set_state(struct l1vmm_apic *a, const void *regs, bool x2apic_format, u64 now);

/* --- Register access --- */

/*
 * A guest read at @off of @len (1, 2 or 4) bytes through the MMIO page,
 * as KVM's apic_mmio_read(): all ones with the APIC hardware-disabled or
 * in x2APIC mode (the LAPIC_MMIO_HOLE quirk), 0 for a reserved register or
 * an access crossing 4 bytes, else the bytes of the register.
 */
u32 l1vmm_apic_mmio_read(struct l1vmm_apic *a, u32 off, unsigned int len, u64 now);

/*
 * A guest write through the MMIO page (KVM's apic_mmio_write()): only
 * aligned 4-byte writes in xAPIC mode count; others are dropped.
 */
void l1vmm_apic_mmio_write(struct l1vmm_apic *a, u32 off, unsigned int len, u32 val, u64 now,
			   struct l1vmm_apic_fx *fx);

/*
 * RDMSR/WRMSR of x2APIC register @msr (0x800..0x8ff): 0, or 1 for #GP (not
 * in x2APIC mode, a reserved or write-only register, DFR, a read-only
 * register written, a reserved bit set: bits 63:32 but in the ICR, the
 * ICR's reserved bits, SELF_IPI beyond the vector, ESR not 0).
 */
int l1vmm_apic_msr_read(struct l1vmm_apic *a, u32 msr, u64 *val, u64 now);
int l1vmm_apic_msr_write(struct l1vmm_apic *a, u32 msr, u64 val, u64 now,
			 struct l1vmm_apic_fx *fx);

/*
 * One 32-bit register write with KVM's semantics (kvm_lapic_reg_write());
 * 0, or 1 for a register that cannot be written in the current mode.
 */
int l1vmm_apic_reg_write(struct l1vmm_apic *a, u32 off, u32 val, u64 now,
			 struct l1vmm_apic_fx *fx);

/* --- Interrupt messages --- */

/* The ICR as an interrupt message; the destination from @high's 31:24 in xAPIC. */
void l1vmm_apic_icr_decode(u32 low, u32 high, bool x2apic, struct l1vmm_apic_irq *irq);

/*
 * Is @target a destination of @irq (KVM's kvm_apic_match_dest())? @source is
 * the sending APIC for an IPI, NULL for an IOAPIC or MSI message, which in
 * x2APIC mode turns destination 0xff into the x2APIC broadcast unless
 * @broadcast_quirk_off (KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK).
 */
bool l1vmm_apic_match_dest(const struct l1vmm_apic *target, const struct l1vmm_apic *source,
			   const struct l1vmm_apic_irq *irq, bool broadcast_quirk_off);

/*
 * Does @irq go to one of its destinations only? Lowest priority does,
 * except to the physical broadcast, which KVM delivers as fixed.
 */
/*
 * The logical model an APIC adds to KVM's APIC map (kvm_recalculate_apic_map()):
 * L1VMM_APIC_MAP_X2APIC, _FLAT or _CLUSTER for a present, software-enabled
 * APIC (an xAPIC only with a logical ID), else 0. OR them over the vCPUs.
 */
#define L1VMM_APIC_MAP_X2APIC		BIT(0)
#define L1VMM_APIC_MAP_FLAT		BIT(1)
#define L1VMM_APIC_MAP_CLUSTER		BIT(2)
unsigned int l1vmm_apic_map_model(const struct l1vmm_apic *a);

/*
 * Would KVM deliver @irq from its APIC map (kvm_apic_map_get_dest_lapic())?
 * Then a message that names no APIC is 0, not -1: no shorthand, not a
 * broadcast, and a logical destination only while @models (the OR above)
 * is one model. @source: the sending APIC, NULL for an IOAPIC or MSI.
 */
bool l1vmm_apic_map_delivers(unsigned int models, const struct l1vmm_apic *source,
			     const struct l1vmm_apic_irq *irq, bool broadcast_quirk_off);

bool l1vmm_apic_lowest_prio(const struct l1vmm_apic_irq *irq);

/*
 * Which of @n (> 0) software-enabled candidates, in vCPU order, takes a
 * lowest-priority @vector: KVM's vector hashing (kvm_vector_to_index()).
 */
static inline unsigned int l1vmm_apic_lowest_pick(u8 vector, unsigned int n)
{
	return vector % n;
}

/* What accepting an interrupt message did (KVM's __apic_accept_irq()). */
enum l1vmm_apic_accept {
	L1VMM_APIC_ACC_DROPPED,		/* not taken */
	L1VMM_APIC_ACC_IRR,		/* fixed or lowest priority: in the IRR now */
	L1VMM_APIC_ACC_NMI,
	L1VMM_APIC_ACC_SMI,
	L1VMM_APIC_ACC_INIT,
	L1VMM_APIC_ACC_SIPI,		/* with irq->vector */
	L1VMM_APIC_ACC_REMRD,		/* KVM's PV unhalt */
};

/*
 * Take @irq at this APIC: fixed and lowest-priority need both enables and,
 * level-triggered, an asserted level, and set the vector's TMR bit to its
 * trigger; INIT needs edge or assert; ExtINT is never taken here.
 */
enum l1vmm_apic_accept l1vmm_apic_accept(struct l1vmm_apic *a, const struct l1vmm_apic_irq *irq);

/*
 * The message LVT entry @lvt (an LVT offset) raises, for the timer, LINT0/1,
 * errors...: false when the APIC is hardware-disabled or the entry masked.
 */
bool l1vmm_apic_lvt_irq(const struct l1vmm_apic *a, u32 lvt, struct l1vmm_apic_irq *irq);

/* Does the vCPU take the PIC's interrupt (KVM's kvm_apic_accept_pic_intr())? */
bool l1vmm_apic_accepts_pic(const struct l1vmm_apic *a);

/* --- The timer --- */

/* The divider TDCR selects: bits 3, 1:0; 0b1011 is 1. */
unsigned int l1vmm_apic_divisor(u32 tdcr);

/* The current count at @now (KVM's apic_get_tmcct()); 0 in TSC-deadline mode. */
u32 l1vmm_apic_tmcct(const struct l1vmm_apic *a, u64 now);

/*
 * The timer fired at @now: true when LVTT is to be delivered. Periodic:
 * the next target a period on (not before @now); otherwise disarmed.
 */
bool l1vmm_apic_timer_expired(struct l1vmm_apic *a, u64 now);

/*
 * IA32_TSC_DEADLINE: ignored (false) and read as 0 outside TSC-deadline
 * mode; true when the caller must re-arm the timer for @val (0: cancel).
 */
bool l1vmm_apic_set_tscdeadline(struct l1vmm_apic *a, u64 val);
u64 l1vmm_apic_get_tscdeadline(const struct l1vmm_apic *a);

#endif /* L1VMM_APIC_H */
