// SPDX-License-Identifier: GPL-2.0-only
/*
 * The 8254 PIT with KVM's rules (arch/x86/kvm/i8254.c); see pit.h.
 */
#include "l1vmm/portable/pit.h"

#define NSEC_PER_SEC_U64	1000000000ULL

/* Input clock ticks in @ns, rounded down, without a 128-bit product. */
static u64 ns_to_ticks(u64 ns)
{
	return ns / NSEC_PER_SEC_U64 * L1VMM_PIT_FREQ +
	       ns % NSEC_PER_SEC_U64 * L1VMM_PIT_FREQ / NSEC_PER_SEC_U64;
}

/*
 * Nanoseconds channel @c has counted. Channel 0 counts only once it has
 * had a timer (KVM reads it from the timer, which runs only with the
 * in-kernel irqchip); the counter does not stop at zero.
 */
static u64 elapsed_ns(const struct l1vmm_pit *pit, unsigned int c, u64 now)
{
	s64 t;

	if (c == 0 && !pit->timer_started)
		return 0;
	t = (s64)(now - (u64)pit->ch[c].count_load_time);
	return t > 0 ? (u64)t : 0;
}

int l1vmm_pit_get_count(const struct l1vmm_pit *pit, unsigned int c, u64 now)
{
	const struct l1vmm_pit_channel *s = &pit->ch[c];
	u64 d = ns_to_ticks(elapsed_ns(pit, c, now));
	u32 count = s->count ? s->count : 0x10000;

	switch (s->mode) {
	case 0:
	case 1:
	case 4:
	case 5:
		return (int)((count - d) & 0xffff);
	case 3:
		/* As KVM: half the count per half period, odd counts or not. */
		return (int)(count - (2 * d) % count);
	default:
		return (int)(count - d % count);
	}
}

int l1vmm_pit_get_out(const struct l1vmm_pit *pit, unsigned int c, u64 now)
{
	const struct l1vmm_pit_channel *s = &pit->ch[c];
	u64 d = ns_to_ticks(elapsed_ns(pit, c, now));
	u32 count = s->count ? s->count : 0x10000;

	switch (s->mode) {
	default:
	case 0:
		return d >= count;
	case 1:
		return d < count;
	case 2:
		return d % count == 0 && d;
	case 3:
		return d % count < (count + 1) / 2;
	case 4:
	case 5:
		return d == count;
	}
}

/* Channel 0's timer for a count of @val ticks (KVM's create_pit_timer()). */
static void timer_start(struct l1vmm_pit *pit, u32 val, bool periodic, struct l1vmm_pit_timer *t)
{
	u64 interval;

	if (!pit->timer_allowed || (pit->flags & L1VMM_PIT_HPET_LEGACY))
		return;
	interval = (u64)val * NSEC_PER_SEC_U64 / L1VMM_PIT_FREQ;
	t->op = L1VMM_PIT_TIMER_START;
	t->first_ns = interval;
	t->period_ns = 0;
	/* Periodic timers are not throttled by the scheduler: bound them. */
	if (periodic)
		t->period_ns = interval < L1VMM_PIT_MIN_PERIOD_NS ? L1VMM_PIT_MIN_PERIOD_NS : interval;
	pit->timer_started = true;
}

/* KVM's pit_load_count(): a count of 0 is 0x10000. */
static void load_count(struct l1vmm_pit *pit, unsigned int c, u32 val, u64 now,
		       struct l1vmm_pit_timer *t)
{
	if (!val)
		val = 0x10000;
	pit->ch[c].count = val;
	pit->ch[c].count_load_time = (s64)now;
	if (c)
		return;
	switch (pit->ch[0].mode) {
	case 0:
	case 1:
	case 4:
		timer_start(pit, val, false, t);
		break;
	case 2:
	case 3:
		timer_start(pit, val, true, t);
		break;
	default:
		t->op = L1VMM_PIT_TIMER_STOP;
	}
}

void l1vmm_pit_reset(struct l1vmm_pit *pit, u64 now, struct l1vmm_pit_timer *t)
{
	unsigned int i;

	memset(pit->ch, 0, sizeof(pit->ch));
	pit->flags = 0;
	for (i = 0; i < 3; i++) {
		pit->ch[i].mode = 0xff;
		pit->ch[i].gate = i != 2;
		load_count(pit, i, 0, now, t);
	}
}

static void latch_count(struct l1vmm_pit *pit, unsigned int c, u64 now)
{
	struct l1vmm_pit_channel *s = &pit->ch[c];

	if (!s->count_latched) {
		s->latched_count = (u16)l1vmm_pit_get_count(pit, c, now);
		s->count_latched = s->rw_mode;
	}
}

static void latch_status(struct l1vmm_pit *pit, unsigned int c, u64 now)
{
	struct l1vmm_pit_channel *s = &pit->ch[c];

	/* As KVM: NULL COUNT (bit 6) is always 0. */
	if (!s->status_latched) {
		s->status = (u8)((l1vmm_pit_get_out(pit, c, now) << 7) | (s->rw_mode << 4) |
				 (s->mode << 1) | s->bcd);
		s->status_latched = 1;
	}
}

static void control_word(struct l1vmm_pit *pit, u8 val, u64 now)
{
	unsigned int c = val >> 6, access = (val >> 4) & 3;
	struct l1vmm_pit_channel *s;

	if (c == 3) {
		/* Read-back: bit 1 + c selects, COUNT# (5) and STATUS# (4) latch when 0. */
		for (c = 0; c < 3; c++) {
			if (!(val & (2 << c)))
				continue;
			if (!(val & 0x20))
				latch_count(pit, c, now);
			if (!(val & 0x10))
				latch_status(pit, c, now);
		}
		return;
	}
	if (!access) {
		latch_count(pit, c, now);
		return;
	}
	s = &pit->ch[c];
	s->rw_mode = access;
	s->read_state = access;
	s->write_state = access;
	s->mode = (val >> 1) & 7;
	if (s->mode > 5)		/* 6 and 7 are 2 and 3 */
		s->mode -= 4;
	s->bcd = val & 1;
}

void l1vmm_pit_write(struct l1vmm_pit *pit, unsigned int port, u8 val, u64 now,
		     struct l1vmm_pit_timer *t)
{
	struct l1vmm_pit_channel *s;

	if (port == 3) {
		control_word(pit, val, now);
		return;
	}
	port = array_index_nospec(port, 3);
	s = &pit->ch[port];
	switch (s->write_state) {
	default:
	case L1VMM_PIT_RW_LSB:
		load_count(pit, port, val, now, t);
		break;
	case L1VMM_PIT_RW_MSB:
		load_count(pit, port, (u32)val << 8, now, t);
		break;
	case L1VMM_PIT_RW_WORD0:
		s->write_latch = val;
		s->write_state = L1VMM_PIT_RW_WORD1;
		break;
	case L1VMM_PIT_RW_WORD1:
		load_count(pit, port, s->write_latch | ((u32)val << 8), now, t);
		s->write_state = L1VMM_PIT_RW_WORD0;
		break;
	}
}

u8 l1vmm_pit_read(struct l1vmm_pit *pit, unsigned int port, u64 now)
{
	struct l1vmm_pit_channel *s;
	int count;

	port = array_index_nospec(port, 3);
	s = &pit->ch[port];
	if (s->status_latched) {
		s->status_latched = 0;
		return s->status;
	}
	if (s->count_latched) {
		switch (s->count_latched) {
		default:
		case L1VMM_PIT_RW_LSB:
			s->count_latched = 0;
			return s->latched_count & 0xff;
		case L1VMM_PIT_RW_MSB:
			s->count_latched = 0;
			return s->latched_count >> 8;
		case L1VMM_PIT_RW_WORD0:
			s->count_latched = L1VMM_PIT_RW_MSB;
			return s->latched_count & 0xff;
		}
	}
	count = l1vmm_pit_get_count(pit, port, now);
	switch (s->read_state) {
	default:
	case L1VMM_PIT_RW_LSB:
		return count & 0xff;
	case L1VMM_PIT_RW_MSB:
		return (count >> 8) & 0xff;
	case L1VMM_PIT_RW_WORD0:
		s->read_state = L1VMM_PIT_RW_WORD1;
		return count & 0xff;
	case L1VMM_PIT_RW_WORD1:
		s->read_state = L1VMM_PIT_RW_WORD0;
		return (count >> 8) & 0xff;
	}
}

/* KVM's pit_set_gate(): a rising gate restarts modes 1, 2, 3 and 5. */
static void set_gate(struct l1vmm_pit *pit, unsigned int c, u8 val, u64 now)
{
	struct l1vmm_pit_channel *s = &pit->ch[c];

	switch (s->mode) {
	case 1:
	case 2:
	case 3:
	case 5:
		if (s->gate < val)
			s->count_load_time = (s64)now;
		break;
	default:
		/* Modes 0 and 4: KVM does not stop the count either. */
		break;
	}
	s->gate = val;
}

void l1vmm_pit_speaker_write(struct l1vmm_pit *pit, u32 val, u64 now)
{
	if (val & 2)
		pit->flags |= L1VMM_PIT_SPEAKER_ON;
	else
		pit->flags &= ~L1VMM_PIT_SPEAKER_ON;
	set_gate(pit, 2, val & 1, now);
}

u32 l1vmm_pit_speaker_read(struct l1vmm_pit *pit, u64 now)
{
	/* The refresh clock toggles about every 15 us: 2^14 ns, as KVM. */
	u32 refresh = ((u32)now >> 14) & 1;

	return (!!(pit->flags & L1VMM_PIT_SPEAKER_ON) << 1) | pit->ch[2].gate |
	       (l1vmm_pit_get_out(pit, 2, now) << 5) | (refresh << 4);
}

void l1vmm_pit_set_state(struct l1vmm_pit *pit, const struct l1vmm_pit_channel ch[3],
			 u32 flags, bool hpet_start, u64 now, struct l1vmm_pit_timer *t)
{
	unsigned int i;
	u8 mode;

	memcpy(pit->ch, ch, sizeof(pit->ch));
	pit->flags = flags;
	for (i = 0; i < 3; i++) {
		if (i == 0 && hpet_start) {
			/* Stop the timer, keep the mode for when HPET legacy ends. */
			mode = pit->ch[0].mode;
			pit->ch[0].mode = 0xff;
			load_count(pit, 0, pit->ch[0].count, now, t);
			pit->ch[0].mode = mode;
		} else {
			load_count(pit, i, pit->ch[i].count, now, t);
		}
	}
}
