/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Intel 8254 PIT of a PC with KVM's rules (arch/x86/kvm/i8254.c): three
 * channels at ports 0x40-0x42, the control word at 0x43, channel 2's gate
 * and output at the speaker port 0x61. Counts and outputs are computed from
 * the nanoseconds elapsed since a count was loaded, at KVM's 1193181 Hz;
 * BCD is stored and ignored, as in KVM. Each channel's state is the layout
 * KVM_GET_PIT2/KVM_SET_PIT2 carry (struct kvm_pit_channel_state).
 *
 * The caller serialises every call (KVM's pit_state.lock), passes the time
 * (CLOCK_MONOTONIC ns) and runs channel 0's timer as struct l1vmm_pit_timer
 * asks. Portable: unit-tested on the host (selftests/unit/test_pit.c).
 */
#ifndef L1VMM_PIT_H
#define L1VMM_PIT_H

#include "l1vmm/portable/portable.h"

#define L1VMM_PIT_FREQ		1193181		/* KVM_PIT_FREQ */
#define L1VMM_PIT_BASE		0x40
#define L1VMM_PIT_SPEAKER	0x61
/* KVM's min_timer_period_us default: the shortest periodic interval. */
#define L1VMM_PIT_MIN_PERIOD_NS	200000ULL

#define L1VMM_PIT_HPET_LEGACY	0x1		/* KVM_PIT_FLAGS_HPET_LEGACY */
#define L1VMM_PIT_SPEAKER_ON	0x2		/* KVM_PIT_FLAGS_SPEAKER_DATA_ON */

/* read_state, write_state, rw_mode, count_latched: KVM's RW_STATE_*. */
enum {
	L1VMM_PIT_RW_LSB = 1,
	L1VMM_PIT_RW_MSB = 2,
	L1VMM_PIT_RW_WORD0 = 3,
	L1VMM_PIT_RW_WORD1 = 4,
};

/* struct kvm_pit_channel_state: one channel, as user space sees it. */
struct l1vmm_pit_channel {
	u32 count;		/* the initial count, 1..0x10000 once loaded */
	u16 latched_count;
	u8 count_latched;	/* the RW_STATE of the latched count, 0: none */
	u8 status_latched;
	u8 status;
	u8 read_state;
	u8 write_state;
	u8 write_latch;		/* the LSB of a two-byte write */
	u8 rw_mode;
	u8 mode;		/* 0-5, 0xff after reset: no mode */
	u8 bcd;			/* kept, not applied (as KVM) */
	u8 gate;
	s64 count_load_time;	/* ns, CLOCK_MONOTONIC */
};

/* What channel 0's timer must do after a call. */
enum l1vmm_pit_timer_op {
	L1VMM_PIT_TIMER_KEEP,	/* leave it as it is */
	L1VMM_PIT_TIMER_START,	/* (re)start it; reset the reinjection state */
	L1VMM_PIT_TIMER_STOP,
};

struct l1vmm_pit_timer {
	enum l1vmm_pit_timer_op op;
	u64 first_ns;		/* START: first expiry this long after now */
	u64 period_ns;		/* START: then every period_ns; 0: one-shot */
};

struct l1vmm_pit {
	struct l1vmm_pit_channel ch[3];
	u32 flags;		/* KVM_PIT_FLAGS_* as KVM_SET_PIT2 gave them */
	/*
	 * Set by the caller before each call: channel 0 may run a timer (KVM's
	 * ioapic_in_kernel()). Without one, and with HPET legacy on, loading
	 * channel 0 leaves the timer as it is, as in KVM.
	 */
	bool timer_allowed;
	bool timer_started;	/* channel 0 ever got a timer: its count runs */
};

/* KVM's kvm_pit_reset(): no mode, gates 1, 1, 0, counts 0x10000, flags 0. */
void l1vmm_pit_reset(struct l1vmm_pit *pit, u64 now, struct l1vmm_pit_timer *t);

/* An OUT of @val to port 0x40 + @port (0-3). */
void l1vmm_pit_write(struct l1vmm_pit *pit, unsigned int port, u8 val, u64 now,
		     struct l1vmm_pit_timer *t);
/* An IN from port 0x40 + @port (0-2). */
u8 l1vmm_pit_read(struct l1vmm_pit *pit, unsigned int port, u64 now);
/* Port 0x61: bit 0 channel 2's gate, bit 1 speaker data. */
void l1vmm_pit_speaker_write(struct l1vmm_pit *pit, u32 val, u64 now);
u32 l1vmm_pit_speaker_read(struct l1vmm_pit *pit, u64 now);

/* The current count and output of @ch (KVM's pit_get_count()/pit_get_out()). */
int l1vmm_pit_get_count(const struct l1vmm_pit *pit, unsigned int ch, u64 now);
int l1vmm_pit_get_out(const struct l1vmm_pit *pit, unsigned int ch, u64 now);

/*
 * KVM_SET_PIT/KVM_SET_PIT2: take @ch and @flags and load every channel's
 * count again; @hpet_start (HPET legacy just turned on) stops channel 0's
 * timer and keeps its mode (KVM's kvm_pit_load_count()).
 */
void l1vmm_pit_set_state(struct l1vmm_pit *pit, const struct l1vmm_pit_channel ch[3],
			 u32 flags, bool hpet_start, u64 now, struct l1vmm_pit_timer *t);

#endif /* L1VMM_PIT_H */
