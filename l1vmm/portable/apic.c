// SPDX-License-Identifier: GPL-2.0-only
/*
 * The local APIC register file; see apic.h. Register behaviour from the
 * Intel SDM vol. 3 ("Advanced Programmable Interrupt Controller") as
 * KVM 6.1 implements it.
 */
#include "l1vmm/portable/apic.h"

#define NR_LVT_MAX		7
#define LVT_CMCI_INDEX		6
#define LVT_MASK		(L1VMM_APIC_LVT_MASKED | L1VMM_APIC_ICR_BUSY | L1VMM_APIC_VECTOR_MASK)
#define LINT_MASK		(LVT_MASK | L1VMM_APIC_MODE_MASK | L1VMM_APIC_INPUT_POLARITY | \
				 L1VMM_APIC_LVT_REMOTE_IRR | L1VMM_APIC_LEVEL_TRIG)
#define DFR_FLAT		0xffffffffU
#define DFR_CLUSTER		0x0fffffffU
#define X2APIC_ICR_RSVD		(0xfff00000ULL | 0x30000ULL | BIT_ULL(13))

/* The bits each LVT entry keeps, by index (the timer adds its mode bits). */
static const u32 lvt_mask[NR_LVT_MAX] = {
	LVT_MASK,				/* timer */
	LVT_MASK | L1VMM_APIC_MODE_MASK,	/* thermal */
	LVT_MASK | L1VMM_APIC_MODE_MASK,	/* performance counter */
	LINT_MASK,				/* LINT0 */
	LINT_MASK,				/* LINT1 */
	LVT_MASK,				/* error */
	LVT_MASK | L1VMM_APIC_MODE_MASK,	/* CMCI */
};

static u32 lvt_off(unsigned int i)
{
	return i == LVT_CMCI_INDEX ? L1VMM_APIC_LVTCMCI : L1VMM_APIC_LVTT + 0x10 * i;
}

/* The LVT index of register @off, or -1. */
static int lvt_index(u32 off)
{
	if (off == L1VMM_APIC_LVTCMCI)
		return LVT_CMCI_INDEX;
	if (off < L1VMM_APIC_LVTT || off > L1VMM_APIC_LVTERR)
		return -1;
	return array_index_nospec((off - L1VMM_APIC_LVTT) >> 4, NR_LVT_MAX);
}

/* --- Vector bitmaps: vector v is bit v % 32 of the register at bitmap + (v / 32) * 16. --- */

static u32 *vec_word(u32 *regs, u32 bitmap, u8 vec)
{
	return &regs[(bitmap + (vec >> 5) * 0x10) >> 2];
}

void l1vmm_apic_set_vec(struct l1vmm_apic *a, u32 bitmap, u8 vec)
{
	*vec_word(a->regs, bitmap, vec) |= 1U << (vec & 31);
}

void l1vmm_apic_clear_vec(struct l1vmm_apic *a, u32 bitmap, u8 vec)
{
	*vec_word(a->regs, bitmap, vec) &= ~(1U << (vec & 31));
}

bool l1vmm_apic_test_vec(const struct l1vmm_apic *a, u32 bitmap, u8 vec)
{
	return *vec_word((u32 *)a->regs, bitmap, vec) & (1U << (vec & 31));
}

int l1vmm_apic_highest_vec(const struct l1vmm_apic *a, u32 bitmap)
{
	int word, bit;
	u32 w;

	for (word = 7; word >= 0; word--) {
		w = l1vmm_apic_get(a, bitmap + word * 0x10);
		if (!w)
			continue;
		for (bit = 31; !(w & (1U << bit)); bit--)
			;
		return word * 32 + bit;
	}
	return -1;
}

/* --- Priorities --- */

u32 l1vmm_apic_ppr_of(u32 tpr, int isr)
{
	u32 isrv = isr < 0 ? 0 : isr;

	if ((tpr & 0xf0) >= (isrv & 0xf0))
		return tpr & 0xff;
	return isrv & 0xf0;
}

bool l1vmm_apic_update_ppr(struct l1vmm_apic *a)
{
	u32 old = l1vmm_apic_get(a, L1VMM_APIC_PPR);
	u32 ppr = l1vmm_apic_ppr_of(l1vmm_apic_get(a, L1VMM_APIC_TPR),
				    l1vmm_apic_highest_vec(a, L1VMM_APIC_ISR));

	l1vmm_apic_put(a, L1VMM_APIC_PPR, ppr);
	return ppr < old;
}

int l1vmm_apic_has_interrupt(struct l1vmm_apic *a)
{
	int irr;

	if (!l1vmm_apic_hw_enabled(a))
		return -1;
	l1vmm_apic_update_ppr(a);
	irr = l1vmm_apic_highest_vec(a, L1VMM_APIC_IRR);
	if (irr < 0 || (u32)(irr & 0xf0) <= l1vmm_apic_get(a, L1VMM_APIC_PPR))
		return -1;
	return irr;
}

int l1vmm_apic_ack(struct l1vmm_apic *a)
{
	int vec = l1vmm_apic_has_interrupt(a);

	if (vec < 0)
		return -1;
	l1vmm_apic_clear_vec(a, L1VMM_APIC_IRR, vec);
	l1vmm_apic_set_vec(a, L1VMM_APIC_ISR, vec);
	l1vmm_apic_update_ppr(a);
	return vec;
}

int l1vmm_apic_eoi(struct l1vmm_apic *a, bool *level)
{
	int vec = l1vmm_apic_highest_vec(a, L1VMM_APIC_ISR);

	*level = false;
	/* An EOI with nothing in service is legal (Linux's timer check does it). */
	if (vec < 0)
		return -1;
	l1vmm_apic_clear_vec(a, L1VMM_APIC_ISR, vec);
	l1vmm_apic_update_ppr(a);
	*level = l1vmm_apic_test_vec(a, L1VMM_APIC_TMR, vec);
	return vec;
}

static void set_tpr(struct l1vmm_apic *a, u32 tpr, struct l1vmm_apic_fx *fx)
{
	l1vmm_apic_put(a, L1VMM_APIC_TPR, tpr);
	if (l1vmm_apic_update_ppr(a))
		fx->flags |= L1VMM_APIC_FX_EVENT;
}

void l1vmm_apic_set_cr8(struct l1vmm_apic *a, u64 cr8)
{
	struct l1vmm_apic_fx fx = { 0 };

	set_tpr(a, (cr8 & 0xf) << 4, &fx);
}

u64 l1vmm_apic_get_cr8(const struct l1vmm_apic *a)
{
	return (l1vmm_apic_get(a, L1VMM_APIC_TPR) & 0xf0) >> 4;
}

u32 l1vmm_apic_vapic_word(const struct l1vmm_apic *a)
{
	int irr = l1vmm_apic_highest_vec(a, L1VMM_APIC_IRR);
	int isr = l1vmm_apic_highest_vec(a, L1VMM_APIC_ISR);

	return (l1vmm_apic_get(a, L1VMM_APIC_TPR) & 0xff) |
	       ((u32)(isr < 0 ? 0 : isr & 0xf0) << 8) | ((u32)(irr < 0 ? 0 : irr) << 24);
}

void l1vmm_apic_set_tpr(struct l1vmm_apic *a, u8 tpr)
{
	struct l1vmm_apic_fx fx = { 0 };

	set_tpr(a, tpr, &fx);
}

/* --- The timer --- */

unsigned int l1vmm_apic_divisor(u32 tdcr)
{
	/* Bits 3 and 1:0 make a 3-bit code; code c divides by 2^(c + 1), 7 by 1. */
	unsigned int code = (tdcr & 3) | ((tdcr & 8) >> 1);

	return 1U << ((code + 1) & 7);
}

static u64 count_to_ns(const struct l1vmm_apic *a, u32 count)
{
	return (u64)count * L1VMM_APIC_BUS_CYCLE_NS * a->timer.divide;
}

static void timer_stop(struct l1vmm_apic *a)
{
	a->timer.armed = false;
}

/* KVM's limit_periodic_timer_frequency(). */
static void limit_period(struct l1vmm_apic *a)
{
	if (a->timer.mode == L1VMM_APIC_TIMER_PERIODIC && a->timer.period_ns &&
	    a->timer.period_ns < L1VMM_APIC_MIN_PERIOD_NS)
		a->timer.period_ns = L1VMM_APIC_MIN_PERIOD_NS;
}

/*
 * Start one-shot or periodic counting (KVM's set_target_expiration()): from
 * TMICT, or, restoring state, from the count in @count_reg (TMCCT).
 */
static void timer_start(struct l1vmm_apic *a, u32 count_reg, u64 now)
{
	u64 deadline;

	a->timer.armed = false;
	if (a->timer.mode == L1VMM_APIC_TIMER_TSCDEADLINE)
		return;
	a->timer.period_ns = count_to_ns(a, l1vmm_apic_get(a, L1VMM_APIC_TMICT));
	if (!a->timer.period_ns)
		return;
	limit_period(a);
	deadline = a->timer.period_ns;
	if (count_reg != L1VMM_APIC_TMICT) {
		deadline = count_to_ns(a, l1vmm_apic_get(a, count_reg));
		if (!deadline) {
			deadline = a->timer.mode == L1VMM_APIC_TIMER_PERIODIC ?
				   a->timer.period_ns : 0;
		} else if (deadline > a->timer.period_ns) {
			l1vmm_apic_put(a, count_reg, 0);
			deadline = a->timer.period_ns;
		}
	}
	a->timer.target_ns = now + deadline;
	a->timer.armed = true;
}

/* LVTT changed: take its mode; switching to or from TSC deadline stops the timer. */
static bool update_lvtt(struct l1vmm_apic *a)
{
	u32 mode = l1vmm_apic_get(a, L1VMM_APIC_LVTT) &
		   (a->tsc_deadline ? L1VMM_APIC_TIMER_MODE_MASK : L1VMM_APIC_TIMER_PERIODIC);
	bool stop;

	if (mode == a->timer.mode)
		return false;
	stop = (a->timer.mode == L1VMM_APIC_TIMER_TSCDEADLINE) !=
	       (mode == L1VMM_APIC_TIMER_TSCDEADLINE);
	if (stop) {
		timer_stop(a);
		l1vmm_apic_put(a, L1VMM_APIC_TMICT, 0);
		a->timer.period_ns = 0;
		a->timer.tscdeadline = 0;
	}
	a->timer.mode = mode;
	limit_period(a);
	return stop;
}

u32 l1vmm_apic_tmcct(const struct l1vmm_apic *a, u64 now)
{
	u64 left;

	if (a->timer.mode == L1VMM_APIC_TIMER_TSCDEADLINE)
		return 0;
	if (!l1vmm_apic_get(a, L1VMM_APIC_TMICT) || !a->timer.period_ns)
		return 0;
	left = a->timer.target_ns > now ? a->timer.target_ns - now : 0;
	left %= a->timer.period_ns;
	return left / ((u64)L1VMM_APIC_BUS_CYCLE_NS * a->timer.divide);
}

bool l1vmm_apic_timer_expired(struct l1vmm_apic *a, u64 now)
{
	if (a->timer.mode == L1VMM_APIC_TIMER_TSCDEADLINE) {
		if (!a->timer.tscdeadline)
			return false;
		a->timer.tscdeadline = 0;
		return true;
	}
	if (!a->timer.armed)
		return false;
	if (a->timer.mode == L1VMM_APIC_TIMER_PERIODIC && a->timer.period_ns) {
		/* Missed periods are not caught up: KVM delivers one interrupt. */
		a->timer.target_ns += a->timer.period_ns;
		if (a->timer.target_ns < now)
			a->timer.target_ns = now;
	} else {
		a->timer.armed = false;
	}
	return true;
}

bool l1vmm_apic_set_tscdeadline(struct l1vmm_apic *a, u64 val)
{
	if (!l1vmm_apic_hw_enabled(a) || a->timer.mode != L1VMM_APIC_TIMER_TSCDEADLINE)
		return false;
	a->timer.tscdeadline = val;
	return true;
}

u64 l1vmm_apic_get_tscdeadline(const struct l1vmm_apic *a)
{
	if (!l1vmm_apic_hw_enabled(a) || a->timer.mode != L1VMM_APIC_TIMER_TSCDEADLINE)
		return 0;
	return a->timer.tscdeadline;
}

/* TDCR changed the divider of a running timer: scale what is left of it (KVM's
 * update_target_expiration()).
 */
static void timer_rescale(struct l1vmm_apic *a, unsigned int old_divide, u64 now)
{
	u64 left = a->timer.target_ns > now ? a->timer.target_ns - now : 0;

	a->timer.period_ns = count_to_ns(a, l1vmm_apic_get(a, L1VMM_APIC_TMICT));
	limit_period(a);
	a->timer.target_ns = now + left / old_divide * a->timer.divide +
			     left % old_divide * a->timer.divide / old_divide;
}

/* --- Lifecycle --- */

void l1vmm_apic_update_version(struct l1vmm_apic *a)
{
	unsigned int n = a->cmci ? NR_LVT_MAX : NR_LVT_MAX - 1, i;
	u32 v;

	/* A new LVT entry (CMCI appearing) starts masked. */
	for (i = a->nr_lvt; i < n; i++)
		l1vmm_apic_put(a, lvt_off(i), L1VMM_APIC_LVT_MASKED);
	a->nr_lvt = n;
	v = L1VMM_APIC_VERSION | ((n - 1) << 16);
	/*
	 * Directed EOI only where user space models the IOAPIC: the in-kernel
	 * one is an 82093AA without an EOI register (as KVM).
	 */
	if (a->directed_eoi)
		v |= L1VMM_APIC_LVR_DIRECTED_EOI;
	l1vmm_apic_put(a, L1VMM_APIC_LVR, v);
}

static void set_spiv(struct l1vmm_apic *a, u32 val, struct l1vmm_apic_fx *fx)
{
	if ((val ^ l1vmm_apic_get(a, L1VMM_APIC_SPIV)) & L1VMM_APIC_SPIV_ENABLED)
		fx->flags |= L1VMM_APIC_FX_MAP;
	l1vmm_apic_put(a, L1VMM_APIC_SPIV, val);
}

void l1vmm_apic_reset(struct l1vmm_apic *a, bool init_event, bool bsp)
{
	struct l1vmm_apic_fx fx = { 0 };
	unsigned int i;

	if (!init_event)
		l1vmm_apic_set_base(a, L1VMM_APIC_DEFAULT_BASE | L1VMM_APIC_BASE_ENABLE |
				    (bsp ? L1VMM_APIC_BASE_BSP : 0), true, 0, true, &fx);
	timer_stop(a);
	if (!init_event)
		l1vmm_apic_put(a, L1VMM_APIC_ID, a->vcpu_id << 24);
	l1vmm_apic_update_version(a);
	for (i = 0; i < a->nr_lvt; i++)
		l1vmm_apic_put(a, lvt_off(i), L1VMM_APIC_LVT_MASKED);
	update_lvtt(a);
	/* KVM_X86_QUIRK_LINT0_REENABLED: the BSP takes the PIC through LINT0. */
	if (bsp)
		l1vmm_apic_put(a, L1VMM_APIC_LVT0, L1VMM_APIC_DM_EXTINT << 8);
	l1vmm_apic_put(a, L1VMM_APIC_DFR, DFR_FLAT);
	l1vmm_apic_put(a, L1VMM_APIC_SPIV, 0xff);
	l1vmm_apic_put(a, L1VMM_APIC_TPR, 0);
	if (!l1vmm_apic_x2apic(a))
		l1vmm_apic_put(a, L1VMM_APIC_LDR, 0);
	l1vmm_apic_put(a, L1VMM_APIC_ESR, 0);
	l1vmm_apic_put(a, L1VMM_APIC_ICR, 0);
	l1vmm_apic_put(a, L1VMM_APIC_ICR2, 0);
	l1vmm_apic_put(a, L1VMM_APIC_TDCR, 0);
	l1vmm_apic_put(a, L1VMM_APIC_TMICT, 0);
	for (i = 0; i < 8; i++) {
		l1vmm_apic_put(a, L1VMM_APIC_IRR + 0x10 * i, 0);
		l1vmm_apic_put(a, L1VMM_APIC_ISR + 0x10 * i, 0);
		l1vmm_apic_put(a, L1VMM_APIC_TMR + 0x10 * i, 0);
	}
	a->timer.divide = l1vmm_apic_divisor(0);
	a->timer.period_ns = 0;
	l1vmm_apic_update_ppr(a);
}

bool l1vmm_apic_base_refused(u64 old, u64 val, bool host, u64 rsvd_gpa, bool x2apic_cpuid)
{
	const u64 modes = L1VMM_APIC_BASE_ENABLE | L1VMM_APIC_BASE_X2APIC;
	u64 rsvd = rsvd_gpa | 0x2ff | (x2apic_cpuid ? 0 : L1VMM_APIC_BASE_X2APIC);
	u64 old_mode = old & modes, new_mode = val & modes;

	if ((val & rsvd) || new_mode == L1VMM_APIC_BASE_X2APIC)
		return true;
	if (!host && old_mode == modes && new_mode == L1VMM_APIC_BASE_ENABLE)
		return true;
	return !host && !old_mode && new_mode == modes;
}

int l1vmm_apic_set_base(struct l1vmm_apic *a, u64 val, bool host, u64 rsvd_gpa,
			bool x2apic_cpuid, struct l1vmm_apic_fx *fx)
{
	const u64 modes = L1VMM_APIC_BASE_ENABLE | L1VMM_APIC_BASE_X2APIC;
	u64 old = a->base;

	if (l1vmm_apic_base_refused(old, val, host, rsvd_gpa, x2apic_cpuid))
		return 1;

	a->base = val;
	if (((old ^ val) & L1VMM_APIC_BASE_ENABLE) && (val & L1VMM_APIC_BASE_ENABLE))
		l1vmm_apic_put(a, L1VMM_APIC_ID, a->vcpu_id << 24);
	if (((old ^ val) & L1VMM_APIC_BASE_X2APIC) && (val & L1VMM_APIC_BASE_X2APIC)) {
		l1vmm_apic_put(a, L1VMM_APIC_ID, a->vcpu_id);
		l1vmm_apic_put(a, L1VMM_APIC_LDR, l1vmm_x2apic_ldr(a->vcpu_id));
	}
	if ((old ^ val) & modes)
		fx->flags |= L1VMM_APIC_FX_MAP;
	return 0;
}

void l1vmm_apic_get_state(struct l1vmm_apic *a, void *regs, bool x2apic_format, u64 now)
{
	u32 *r = regs;

	memcpy(r, a->regs, L1VMM_APIC_REG_SIZE);
	r[L1VMM_APIC_TMCCT >> 2] = l1vmm_apic_tmcct(a, now);
	if (l1vmm_apic_x2apic(a) && !x2apic_format)
		r[L1VMM_APIC_ID >> 2] <<= 24;
}

int l1vmm_apic_set_state(struct l1vmm_apic *a, const void *regs, bool x2apic_format, u64 now)
{
	const u32 *r = regs;
	u32 id = r[L1VMM_APIC_ID >> 2];

	if (l1vmm_apic_x2apic(a)) {
		if (x2apic_format && id != a->vcpu_id)
			return -EINVAL;
		if (!x2apic_format)
			id >>= 24;
	}
	memcpy(a->regs, r, L1VMM_APIC_REG_SIZE);
	if (l1vmm_apic_x2apic(a)) {
		l1vmm_apic_put(a, L1VMM_APIC_ID, id);
		l1vmm_apic_put(a, L1VMM_APIC_LDR, l1vmm_x2apic_ldr(id));
	}
	l1vmm_apic_update_version(a);
	l1vmm_apic_update_ppr(a);
	timer_stop(a);
	update_lvtt(a);
	a->timer.divide = l1vmm_apic_divisor(l1vmm_apic_get(a, L1VMM_APIC_TDCR));
	timer_start(a, L1VMM_APIC_TMCCT, now);
	l1vmm_apic_put(a, L1VMM_APIC_TMCCT, 0);
	return 0;
}

/* --- Register access --- */

#define REG_BIT(off)		BIT_ULL((off) >> 4)
#define REG_BITS(off, n)	(REG_BIT(off) * (BIT_ULL(n) - 1))

/* Registers that can be read: one bit per 16-byte slot (KVM's valid_reg_mask). */
static bool readable(const struct l1vmm_apic *a, u32 off)
{
	u64 valid = REG_BIT(L1VMM_APIC_ID) | REG_BIT(L1VMM_APIC_LVR) |
		    REG_BIT(L1VMM_APIC_TPR) | REG_BIT(L1VMM_APIC_PPR) |
		    REG_BIT(L1VMM_APIC_LDR) | REG_BIT(L1VMM_APIC_DFR) |
		    REG_BIT(L1VMM_APIC_SPIV) | REG_BITS(L1VMM_APIC_ISR, 8) |
		    REG_BITS(L1VMM_APIC_TMR, 8) | REG_BITS(L1VMM_APIC_IRR, 8) |
		    REG_BIT(L1VMM_APIC_ESR) | REG_BIT(L1VMM_APIC_ICR) |
		    REG_BITS(L1VMM_APIC_LVTT, 6) | REG_BIT(L1VMM_APIC_TMICT) |
		    REG_BIT(L1VMM_APIC_TMCCT) | REG_BIT(L1VMM_APIC_TDCR);

	if (a->nr_lvt > LVT_CMCI_INDEX)
		valid |= REG_BIT(L1VMM_APIC_LVTCMCI);
	/* APR and ICR2 do not exist in x2APIC mode. */
	if (!l1vmm_apic_x2apic(a))
		valid |= REG_BIT(L1VMM_APIC_APR) | REG_BIT(L1VMM_APIC_ICR2);
	return off <= 0x3f0 && (valid & REG_BIT(off));
}

/* The register at 16-byte aligned @off, as a read sees it (KVM's __apic_read()). */
static u32 reg_read(struct l1vmm_apic *a, u32 off, u64 now)
{
	switch (off) {
	case L1VMM_APIC_APR:
		return 0;	/* no arbitration priority is modelled */
	case L1VMM_APIC_TMCCT:
		return l1vmm_apic_tmcct(a, now);
	case L1VMM_APIC_PPR:
		l1vmm_apic_update_ppr(a);
		return l1vmm_apic_get(a, off);
	default:
		return l1vmm_apic_get(a, off);
	}
}

u32 l1vmm_apic_mmio_read(struct l1vmm_apic *a, u32 off, unsigned int len, u64 now)
{
	unsigned int align = off & 0xf;
	u32 val;

	if (!l1vmm_apic_hw_enabled(a) || l1vmm_apic_x2apic(a))
		return len >= 4 ? 0xffffffffU : (1U << (8 * len)) - 1;
	if ((len != 1 && len != 2 && len != 4) || align + len > 4 || !readable(a, off & ~0xfU))
		return 0;
	val = reg_read(a, off & ~0xfU, now) >> (8 * align);
	return len == 4 ? val : val & ((1U << (8 * len)) - 1);
}

void l1vmm_apic_mmio_write(struct l1vmm_apic *a, u32 off, unsigned int len, u32 val, u64 now,
			   struct l1vmm_apic_fx *fx)
{
	if (!l1vmm_apic_hw_enabled(a) || l1vmm_apic_x2apic(a))
		return;
	/* Registers take aligned 32-bit accesses only (SDM "Local APIC Register Address Map"). */
	if (len != 4 || (off & 0xf) || off >= 0x1000)
		return;
	l1vmm_apic_reg_write(a, off & 0xff0, val, now, fx);
}

static void send_ipi(struct l1vmm_apic *a, u32 low, u32 high, struct l1vmm_apic_fx *fx)
{
	l1vmm_apic_icr_decode(low, high, l1vmm_apic_x2apic(a), &fx->ipi);
	fx->flags |= L1VMM_APIC_FX_IPI;
}

static void write_spiv(struct l1vmm_apic *a, u32 val, struct l1vmm_apic_fx *fx)
{
	u32 mask = 0x3ff;
	unsigned int i;

	if (l1vmm_apic_get(a, L1VMM_APIC_LVR) & L1VMM_APIC_LVR_DIRECTED_EOI)
		mask |= L1VMM_APIC_SPIV_DIRECTED_EOI;
	set_spiv(a, val & mask, fx);
	if (val & L1VMM_APIC_SPIV_ENABLED)
		return;
	/* Software disable masks every LVT entry (SDM "Software Enabling/Disabling"). */
	for (i = 0; i < a->nr_lvt; i++)
		l1vmm_apic_put(a, lvt_off(i), l1vmm_apic_get(a, lvt_off(i)) |
			       L1VMM_APIC_LVT_MASKED);
	if (update_lvtt(a))
		fx->flags |= L1VMM_APIC_FX_TIMER;
}

static int write_lvt(struct l1vmm_apic *a, u32 off, u32 val, struct l1vmm_apic_fx *fx)
{
	int i = lvt_index(off);

	if (i < 0 || i >= a->nr_lvt)
		return 1;
	if (!l1vmm_apic_sw_enabled(a))
		val |= L1VMM_APIC_LVT_MASKED;
	if (i == 0) {
		val &= lvt_mask[0] | (a->tsc_deadline ? L1VMM_APIC_TIMER_MODE_MASK :
				      L1VMM_APIC_TIMER_PERIODIC);
		l1vmm_apic_put(a, off, val);
		if (update_lvtt(a))
			fx->flags |= L1VMM_APIC_FX_TIMER;
		return 0;
	}
	l1vmm_apic_put(a, off, val & lvt_mask[i]);
	return 0;
}

static void write_tdcr(struct l1vmm_apic *a, u32 val, u64 now, struct l1vmm_apic_fx *fx)
{
	unsigned int old = a->timer.divide;

	l1vmm_apic_put(a, L1VMM_APIC_TDCR, val & 0xb);
	a->timer.divide = l1vmm_apic_divisor(val);
	if (a->timer.divide != old && a->timer.period_ns) {
		timer_rescale(a, old, now);
		fx->flags |= L1VMM_APIC_FX_TIMER;
	}
}

int l1vmm_apic_reg_write(struct l1vmm_apic *a, u32 off, u32 val, u64 now,
			 struct l1vmm_apic_fx *fx)
{
	bool x2apic = l1vmm_apic_x2apic(a);

	switch (off) {
	case L1VMM_APIC_ID:
		if (x2apic)
			return 1;
		l1vmm_apic_put(a, L1VMM_APIC_ID, val & 0xff000000U);
		fx->flags |= L1VMM_APIC_FX_MAP;
		return 0;
	case L1VMM_APIC_TPR:
		set_tpr(a, val & 0xff, fx);
		return 0;
	case L1VMM_APIC_EOI:
		fx->eoi_vector = l1vmm_apic_eoi(a, &fx->eoi_level);
		if (fx->eoi_vector >= 0)
			fx->flags |= L1VMM_APIC_FX_EOI | L1VMM_APIC_FX_EVENT;
		return 0;
	case L1VMM_APIC_LDR:
		if (x2apic)
			return 1;
		l1vmm_apic_put(a, L1VMM_APIC_LDR, val & 0xff000000U);
		fx->flags |= L1VMM_APIC_FX_MAP;
		return 0;
	case L1VMM_APIC_DFR:
		if (x2apic)
			return 1;
		l1vmm_apic_put(a, L1VMM_APIC_DFR, val | DFR_CLUSTER);
		fx->flags |= L1VMM_APIC_FX_MAP;
		return 0;
	case L1VMM_APIC_SPIV:
		write_spiv(a, val, fx);
		return 0;
	case L1VMM_APIC_ICR:
		/* Delivery is immediate: the busy bit always reads clear. */
		val &= ~L1VMM_APIC_ICR_BUSY;
		send_ipi(a, val, l1vmm_apic_get(a, L1VMM_APIC_ICR2), fx);
		l1vmm_apic_put(a, L1VMM_APIC_ICR, val);
		return 0;
	case L1VMM_APIC_ICR2:
		if (x2apic)
			return 1;
		l1vmm_apic_put(a, L1VMM_APIC_ICR2, val & 0xff000000U);
		return 0;
	case L1VMM_APIC_LVTT:
	case L1VMM_APIC_LVTTHMR:
	case L1VMM_APIC_LVTPC:
	case L1VMM_APIC_LVT0:
	case L1VMM_APIC_LVT1:
	case L1VMM_APIC_LVTERR:
	case L1VMM_APIC_LVTCMCI:
		return write_lvt(a, off, val, fx);
	case L1VMM_APIC_TMICT:
		if (a->timer.mode == L1VMM_APIC_TIMER_TSCDEADLINE)
			return 0;
		l1vmm_apic_put(a, L1VMM_APIC_TMICT, val);
		timer_start(a, L1VMM_APIC_TMICT, now);
		fx->flags |= L1VMM_APIC_FX_TIMER;
		return 0;
	case L1VMM_APIC_TDCR:
		write_tdcr(a, val, now, fx);
		return 0;
	case L1VMM_APIC_ESR:
		/* No error is ever latched (as KVM): the write only has to be legal. */
		return x2apic && val;
	case L1VMM_APIC_SELF_IPI:
		if (!x2apic || (val & ~L1VMM_APIC_VECTOR_MASK))
			return 1;
		send_ipi(a, val | (L1VMM_APIC_SH_SELF << L1VMM_APIC_SHORT_SHIFT), 0, fx);
		return 0;
	default:
		return 1;
	}
}

int l1vmm_apic_msr_read(struct l1vmm_apic *a, u32 msr, u64 *val, u64 now)
{
	u32 off = (msr - L1VMM_MSR_X2APIC_FIRST) << 4;

	if (msr < L1VMM_MSR_X2APIC_FIRST || msr > L1VMM_MSR_X2APIC_LAST || !l1vmm_apic_x2apic(a))
		return 1;
	/* One 64-bit ICR, kept split in ICR and ICR2 as kvm-amd keeps it. */
	if (off == L1VMM_APIC_ICR) {
		*val = l1vmm_apic_get(a, L1VMM_APIC_ICR) |
		       (u64)l1vmm_apic_get(a, L1VMM_APIC_ICR2) << 32;
		return 0;
	}
	if (off == L1VMM_APIC_DFR || !readable(a, off))
		return 1;
	*val = reg_read(a, off, now);
	return 0;
}

int l1vmm_apic_msr_write(struct l1vmm_apic *a, u32 msr, u64 val, u64 now,
			 struct l1vmm_apic_fx *fx)
{
	u32 off = (msr - L1VMM_MSR_X2APIC_FIRST) << 4;

	if (msr < L1VMM_MSR_X2APIC_FIRST || msr > L1VMM_MSR_X2APIC_LAST || !l1vmm_apic_x2apic(a))
		return 1;
	if (off == L1VMM_APIC_ICR) {
		if (val & X2APIC_ICR_RSVD)
			return 1;
		val &= ~(u64)L1VMM_APIC_ICR_BUSY;
		send_ipi(a, val, val >> 32, fx);
		l1vmm_apic_put(a, L1VMM_APIC_ICR, val);
		l1vmm_apic_put(a, L1VMM_APIC_ICR2, val >> 32);
		return 0;
	}
	if (val >> 32)
		return 1;
	return l1vmm_apic_reg_write(a, off, val, now, fx);
}

/* --- Interrupt messages --- */

void l1vmm_apic_icr_decode(u32 low, u32 high, bool x2apic, struct l1vmm_apic_irq *irq)
{
	irq->vector = low & L1VMM_APIC_VECTOR_MASK;
	irq->delivery_mode = (low & L1VMM_APIC_MODE_MASK) >> 8;
	irq->logical = low & L1VMM_APIC_DEST_LOGICAL;
	irq->level = low & L1VMM_APIC_INT_ASSERT;
	irq->trig_level = low & L1VMM_APIC_LEVEL_TRIG;
	irq->shorthand = (low >> L1VMM_APIC_SHORT_SHIFT) & 3;
	irq->dest = x2apic ? high : high >> 24;
}

static bool match_physical(const struct l1vmm_apic *a, u32 mda)
{
	bool x2apic = l1vmm_apic_x2apic(a);

	if (mda == (x2apic ? L1VMM_X2APIC_BROADCAST : L1VMM_APIC_BROADCAST))
		return true;
	/*
	 * An ID beyond 8 bits matches the x2APIC ID even in xAPIC mode: KVM's
	 * way to reach hot-plugged vCPUs that have not switched yet.
	 */
	if (x2apic || mda > 0xff)
		return mda == a->vcpu_id;
	return mda == l1vmm_apic_xapic_id(a);
}

static bool match_logical(const struct l1vmm_apic *a, u32 mda)
{
	u32 ldr = l1vmm_apic_get(a, L1VMM_APIC_LDR);

	if (l1vmm_apic_x2apic(a)) {
		if (mda == L1VMM_X2APIC_BROADCAST)
			return true;
		/* Cluster in 31:16, a bit per member in 15:0. */
		return (ldr >> 16) == (mda >> 16) && (ldr & mda & 0xffff);
	}
	if (mda == L1VMM_APIC_BROADCAST)
		return true;
	ldr >>= 24;
	switch (l1vmm_apic_get(a, L1VMM_APIC_DFR)) {
	case DFR_FLAT:
		return ldr & mda;
	case DFR_CLUSTER:
		return (ldr >> 4) == (mda >> 4) && (ldr & mda & 0xf);
	default:
		return false;
	}
}

bool l1vmm_apic_match_dest(const struct l1vmm_apic *target, const struct l1vmm_apic *source,
			   const struct l1vmm_apic_irq *irq, bool broadcast_quirk_off)
{
	u32 mda = irq->dest;

	/* Without interrupt remapping, 0xff from an IOAPIC or MSI means everyone. */
	if (!source && !broadcast_quirk_off && mda == L1VMM_APIC_BROADCAST &&
	    l1vmm_apic_x2apic(target))
		mda = L1VMM_X2APIC_BROADCAST;

	switch (irq->shorthand) {
	case L1VMM_APIC_SH_NONE:
		return irq->logical ? match_logical(target, mda) : match_physical(target, mda);
	case L1VMM_APIC_SH_SELF:
		return target == source;
	case L1VMM_APIC_SH_ALL:
		return true;
	case L1VMM_APIC_SH_ALL_BUT_SELF:
		return target != source;
	default:
		return false;
	}
}

unsigned int l1vmm_apic_map_model(const struct l1vmm_apic *a)
{
	if (!l1vmm_apic_hw_enabled(a) || !l1vmm_apic_sw_enabled(a))
		return 0;
	if (l1vmm_apic_x2apic(a))
		return L1VMM_APIC_MAP_X2APIC;
	if (!l1vmm_apic_get(a, L1VMM_APIC_LDR))
		return 0;
	return l1vmm_apic_get(a, L1VMM_APIC_DFR) == DFR_FLAT ? L1VMM_APIC_MAP_FLAT :
							       L1VMM_APIC_MAP_CLUSTER;
}

bool l1vmm_apic_map_delivers(unsigned int models, const struct l1vmm_apic *source,
			     const struct l1vmm_apic_irq *irq, bool broadcast_quirk_off)
{
	if (irq->shorthand != L1VMM_APIC_SH_NONE)
		return false;
	if (broadcast_quirk_off) {
		if (irq->dest == L1VMM_X2APIC_BROADCAST ||
		    (irq->dest == L1VMM_APIC_BROADCAST && models != L1VMM_APIC_MAP_X2APIC))
			return false;
	} else if (irq->dest == (source && l1vmm_apic_x2apic(source) ?
				 L1VMM_X2APIC_BROADCAST : L1VMM_APIC_BROADCAST)) {
		return false;
	}
	if (!irq->logical)
		return true;
	return models == L1VMM_APIC_MAP_X2APIC || models == L1VMM_APIC_MAP_FLAT ||
	       models == L1VMM_APIC_MAP_CLUSTER;
}

bool l1vmm_apic_lowest_prio(const struct l1vmm_apic_irq *irq)
{
	return irq->delivery_mode == L1VMM_APIC_DM_LOWEST &&
	       !(!irq->logical && irq->dest == L1VMM_APIC_BROADCAST);
}

enum l1vmm_apic_accept l1vmm_apic_accept(struct l1vmm_apic *a, const struct l1vmm_apic_irq *irq)
{
	switch (irq->delivery_mode) {
	case L1VMM_APIC_DM_FIXED:
	case L1VMM_APIC_DM_LOWEST:
		/* A level-triggered deassert only matters to the IOAPIC. */
		if (irq->trig_level && !irq->level)
			return L1VMM_APIC_ACC_DROPPED;
		if (!l1vmm_apic_enabled(a))
			return L1VMM_APIC_ACC_DROPPED;
		if (irq->trig_level)
			l1vmm_apic_set_vec(a, L1VMM_APIC_TMR, irq->vector);
		else
			l1vmm_apic_clear_vec(a, L1VMM_APIC_TMR, irq->vector);
		l1vmm_apic_set_vec(a, L1VMM_APIC_IRR, irq->vector);
		return L1VMM_APIC_ACC_IRR;
	case L1VMM_APIC_DM_REMRD:
		return L1VMM_APIC_ACC_REMRD;
	case L1VMM_APIC_DM_SMI:
		return L1VMM_APIC_ACC_SMI;
	case L1VMM_APIC_DM_NMI:
		return L1VMM_APIC_ACC_NMI;
	case L1VMM_APIC_DM_INIT:
		/* The INIT level de-assert is a no-op. */
		if (irq->trig_level && !irq->level)
			return L1VMM_APIC_ACC_DROPPED;
		return L1VMM_APIC_ACC_INIT;
	case L1VMM_APIC_DM_SIPI:
		return L1VMM_APIC_ACC_SIPI;
	default:
		/* ExtINT comes through l1vmm_apic_accepts_pic(), never as a message. */
		return L1VMM_APIC_ACC_DROPPED;
	}
}

bool l1vmm_apic_lvt_irq(const struct l1vmm_apic *a, u32 lvt, struct l1vmm_apic_irq *irq)
{
	u32 reg = l1vmm_apic_get(a, lvt);

	if (!l1vmm_apic_hw_enabled(a) || (reg & L1VMM_APIC_LVT_MASKED))
		return false;
	memset(irq, 0, sizeof(*irq));
	irq->vector = reg & L1VMM_APIC_VECTOR_MASK;
	irq->delivery_mode = (reg & L1VMM_APIC_MODE_MASK) >> 8;
	irq->trig_level = reg & L1VMM_APIC_LEVEL_TRIG;
	irq->level = true;
	irq->shorthand = L1VMM_APIC_SH_SELF;
	return true;
}

bool l1vmm_apic_accepts_pic(const struct l1vmm_apic *a)
{
	u32 lvt0 = l1vmm_apic_get(a, L1VMM_APIC_LVT0);

	if (!l1vmm_apic_hw_enabled(a))
		return true;
	return !(lvt0 & L1VMM_APIC_LVT_MASKED) &&
	       ((lvt0 & L1VMM_APIC_MODE_MASK) >> 8) == L1VMM_APIC_DM_EXTINT;
}
