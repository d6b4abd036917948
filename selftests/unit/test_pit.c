// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/portable/pit.c
/*
 * Host unit test of the 8254 PIT (l1vmm/portable/pit.c) against what KVM
 * 6.1 does (arch/x86/kvm/i8254.c).
 */
#include <stddef.h>
#include <linux/kvm.h>

#include "ktap.h"
#include "l1vmm/portable/pit.h"

#define SAME_FIELD(f)							\
	_Static_assert(offsetof(struct l1vmm_pit_channel, f) ==		\
		       offsetof(struct kvm_pit_channel_state, f), #f)
_Static_assert(sizeof(struct l1vmm_pit_channel) == sizeof(struct kvm_pit_channel_state), "size");
SAME_FIELD(count);
SAME_FIELD(latched_count);
SAME_FIELD(count_latched);
SAME_FIELD(status_latched);
SAME_FIELD(status);
SAME_FIELD(read_state);
SAME_FIELD(write_state);
SAME_FIELD(write_latch);
SAME_FIELD(rw_mode);
SAME_FIELD(mode);
SAME_FIELD(bcd);
SAME_FIELD(gate);
SAME_FIELD(count_load_time);
_Static_assert(L1VMM_PIT_HPET_LEGACY == KVM_PIT_FLAGS_HPET_LEGACY, "hpet");
_Static_assert(L1VMM_PIT_SPEAKER_ON == KVM_PIT_FLAGS_SPEAKER_DATA_ON, "speaker");

#define T0	1000000000000ULL

/* The first time, in ns after a load, at which @k input clocks have passed. */
static u64 tk(u64 k)
{
	return (k * 1000000000ULL + L1VMM_PIT_FREQ - 1) / L1VMM_PIT_FREQ;
}

static struct l1vmm_pit_timer t;

static void setup(struct l1vmm_pit *pit)
{
	memset(pit, 0, sizeof(*pit));
	pit->timer_allowed = true;
	memset(&t, 0, sizeof(t));
	l1vmm_pit_reset(pit, T0, &t);
}

static void out(struct l1vmm_pit *pit, unsigned int port, u8 val, u64 now)
{
	memset(&t, 0, sizeof(t));
	l1vmm_pit_write(pit, port, val, now, &t);
}

/* Program @c: mode @mode, LSB then MSB, count @count, at @now. */
static void program(struct l1vmm_pit *pit, unsigned int c, unsigned int mode, u16 count, u64 now)
{
	out(pit, 3, (u8)(c << 6 | 0x30 | mode << 1), now);
	out(pit, c, count & 0xff, now);
	out(pit, c, count >> 8, now);
}

static u16 in16(struct l1vmm_pit *pit, unsigned int c, u64 now)
{
	u16 lo = l1vmm_pit_read(pit, c, now);

	return lo | l1vmm_pit_read(pit, c, now) << 8;
}

static void test_reset(void)
{
	struct l1vmm_pit pit;
	unsigned int i;

	setup(&pit);
	ASSERT_EQ(L1VMM_PIT_TIMER_STOP, t.op);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0x10000, pit.ch[i].count);
		ASSERT_EQ(0xff, pit.ch[i].mode);
		ASSERT_EQ(i != 2, pit.ch[i].gate);
		ASSERT_EQ(0, pit.ch[i].rw_mode);
	}
	ASSERT_EQ(0, pit.flags);
	/* Channel 0 has never had a timer: its count does not run. */
	ASSERT_EQ(0x10000, l1vmm_pit_get_count(&pit, 0, T0 + 1000000));
}

static void test_control_and_writes(void)
{
	struct l1vmm_pit pit;

	setup(&pit);
	/* Channel 1, LSB only, mode 2, BCD. */
	out(&pit, 3, 0x55, T0);
	ASSERT_EQ(L1VMM_PIT_RW_LSB, pit.ch[1].rw_mode);
	ASSERT_EQ(2, pit.ch[1].mode);
	ASSERT_EQ(1, pit.ch[1].bcd);
	out(&pit, 1, 0x34, T0);
	ASSERT_EQ(0x34, pit.ch[1].count);
	ASSERT_EQ(L1VMM_PIT_TIMER_KEEP, t.op);		/* only channel 0 has a timer */
	/* MSB only: the count is the byte shifted. */
	out(&pit, 3, 0x64, T0);
	out(&pit, 1, 0x12, T0);
	ASSERT_EQ(0x1200, pit.ch[1].count);
	/* Modes 6 and 7 are 2 and 3. */
	out(&pit, 3, 0x7e, T0);
	ASSERT_EQ(3, pit.ch[1].mode);
	out(&pit, 3, 0x7c, T0);
	ASSERT_EQ(2, pit.ch[1].mode);
	/* Both bytes: the LSB waits for the MSB; 0 is 0x10000. */
	ASSERT_EQ(L1VMM_PIT_RW_WORD0, pit.ch[1].write_state);
	out(&pit, 1, 0x00, T0);
	ASSERT_EQ(L1VMM_PIT_RW_WORD1, pit.ch[1].write_state);
	ASSERT_EQ(0x1200, pit.ch[1].count);
	out(&pit, 1, 0x00, T0);
	ASSERT_EQ(0x10000, pit.ch[1].count);
	ASSERT_EQ(L1VMM_PIT_RW_WORD0, pit.ch[1].write_state);
}

static void test_counts(void)
{
	struct l1vmm_pit pit;

	setup(&pit);
	/* Mode 2: counts down from 1000 and reloads. */
	program(&pit, 1, 2, 1000, T0);
	ASSERT_EQ(1000, l1vmm_pit_get_count(&pit, 1, T0));
	ASSERT_EQ(900, l1vmm_pit_get_count(&pit, 1, T0 + tk(100)));
	ASSERT_EQ(1000, l1vmm_pit_get_count(&pit, 1, T0 + tk(1000)));
	ASSERT_EQ(999, l1vmm_pit_get_count(&pit, 1, T0 + tk(1001)));
	ASSERT_EQ(0, l1vmm_pit_get_out(&pit, 1, T0 + tk(999)));
	ASSERT_EQ(1, l1vmm_pit_get_out(&pit, 1, T0 + tk(1000)));
	/* The word read: LSB then MSB of the count at that moment. */
	ASSERT_EQ(900, in16(&pit, 1, T0 + tk(100)));
	/* Mode 0: counts through zero and wraps at 16 bits; OUT rises at zero. */
	program(&pit, 1, 0, 10, T0);
	ASSERT_EQ(0, l1vmm_pit_get_out(&pit, 1, T0 + tk(9)));
	ASSERT_EQ(1, l1vmm_pit_get_out(&pit, 1, T0 + tk(10)));
	ASSERT_EQ(0xffff, l1vmm_pit_get_count(&pit, 1, T0 + tk(11)));
	/* Mode 3: two per input clock; OUT high for the first half. */
	program(&pit, 1, 3, 100, T0);
	ASSERT_EQ(80, l1vmm_pit_get_count(&pit, 1, T0 + tk(10)));
	ASSERT_EQ(1, l1vmm_pit_get_out(&pit, 1, T0 + tk(49)));
	ASSERT_EQ(0, l1vmm_pit_get_out(&pit, 1, T0 + tk(50)));
	/* Mode 4: OUT is the one clock at zero; mode 1: high until zero. */
	program(&pit, 1, 4, 10, T0);
	ASSERT_EQ(1, l1vmm_pit_get_out(&pit, 1, T0 + tk(10)));
	ASSERT_EQ(0, l1vmm_pit_get_out(&pit, 1, T0 + tk(11)));
	program(&pit, 1, 1, 10, T0);
	ASSERT_EQ(1, l1vmm_pit_get_out(&pit, 1, T0 + tk(9)));
	ASSERT_EQ(0, l1vmm_pit_get_out(&pit, 1, T0 + tk(10)));
}

static void test_latch_and_read_back(void)
{
	struct l1vmm_pit pit;

	setup(&pit);
	program(&pit, 2, 0, 0x1234, T0);
	/* Counter latch: the value stays until both bytes are read. */
	out(&pit, 3, 0x80, T0 + tk(0x34));
	ASSERT_EQ(0x1200, pit.ch[2].latched_count);
	ASSERT_EQ(0x00, l1vmm_pit_read(&pit, 2, T0 + tk(0x100)));
	/* A second latch before the read ends is ignored. */
	out(&pit, 3, 0x80, T0 + tk(0x200));
	ASSERT_EQ(0x12, l1vmm_pit_read(&pit, 2, T0 + tk(0x300)));
	ASSERT_EQ(0, pit.ch[2].count_latched);
	/* Read-back of channel 2's status and count: status first. */
	out(&pit, 3, 0xc8, T0 + tk(0x1000));
	ASSERT_EQ(0x30, l1vmm_pit_read(&pit, 2, T0));
	ASSERT_EQ(0x0234, in16(&pit, 2, T0 + tk(0x1100)));
	/* Status only, after the count passed zero: OUT (bit 7) set. */
	out(&pit, 3, 0xe8, T0 + tk(0x1234));
	ASSERT_EQ(0xb0, l1vmm_pit_read(&pit, 2, T0));
	/* Count only, channel 2 not selected: nothing latched. */
	out(&pit, 3, 0xd2, T0);
	ASSERT_EQ(0, pit.ch[2].count_latched);
	/* LSB-only latch: one read ends it. */
	out(&pit, 3, 0x90, T0);
	out(&pit, 2, 0x50, T0);
	out(&pit, 3, 0x80, T0 + tk(0x10));
	ASSERT_EQ(0x40, l1vmm_pit_read(&pit, 2, T0));
	ASSERT_EQ(0, pit.ch[2].count_latched);
}

static void test_timer(void)
{
	struct l1vmm_pit pit;

	setup(&pit);
	/* Mode 2, 1193 clocks: a periodic timer of about 1 ms. */
	program(&pit, 0, 2, 1193, T0);
	ASSERT_EQ(L1VMM_PIT_TIMER_START, t.op);
	ASSERT_EQ(999848, t.first_ns);
	ASSERT_EQ(999848, t.period_ns);
	ASSERT_EQ(1093, l1vmm_pit_get_count(&pit, 0, T0 + tk(100)));
	/* Mode 0: one-shot. Mode 4 too. */
	program(&pit, 0, 0, 1193, T0);
	ASSERT_EQ(L1VMM_PIT_TIMER_START, t.op);
	ASSERT_EQ(0, t.period_ns);
	program(&pit, 0, 4, 100, T0);
	ASSERT_EQ(0, t.period_ns);
	ASSERT_EQ(83809, t.first_ns);
	/* Short periods are bounded; the first expiry is not. */
	program(&pit, 0, 3, 2, T0);
	ASSERT_EQ(1676, t.first_ns);
	ASSERT_EQ(L1VMM_PIT_MIN_PERIOD_NS, t.period_ns);
	/* Mode 5 has no timer: it stops. */
	program(&pit, 0, 5, 100, T0);
	ASSERT_EQ(L1VMM_PIT_TIMER_STOP, t.op);
	/* Without the in-kernel irqchip, or with HPET legacy: left alone. */
	pit.timer_allowed = false;
	program(&pit, 0, 2, 100, T0);
	ASSERT_EQ(L1VMM_PIT_TIMER_KEEP, t.op);
	pit.timer_allowed = true;
	pit.flags = L1VMM_PIT_HPET_LEGACY;
	program(&pit, 0, 2, 100, T0);
	ASSERT_EQ(L1VMM_PIT_TIMER_KEEP, t.op);
}

static void test_speaker(void)
{
	struct l1vmm_pit pit;
	u32 v;

	setup(&pit);
	program(&pit, 2, 0, 100, T0);
	v = l1vmm_pit_speaker_read(&pit, T0);
	ASSERT_EQ(0, v & 0x23);
	l1vmm_pit_speaker_write(&pit, 3, T0);
	ASSERT_EQ(L1VMM_PIT_SPEAKER_ON, pit.flags);
	ASSERT_EQ(1, pit.ch[2].gate);
	ASSERT_EQ(0x03, l1vmm_pit_speaker_read(&pit, T0 + tk(99)) & 0x23);
	ASSERT_EQ(0x23, l1vmm_pit_speaker_read(&pit, T0 + tk(100)) & 0x23);
	/* The refresh bit follows bit 14 of the time. */
	ASSERT_EQ(0x10, l1vmm_pit_speaker_read(&pit, 1 << 14) & 0x10);
	ASSERT_EQ(0, l1vmm_pit_speaker_read(&pit, 1 << 15) & 0x10);
	/* Mode 2: a rising gate restarts the count; mode 0 does not. */
	program(&pit, 2, 2, 100, T0);
	l1vmm_pit_speaker_write(&pit, 0, T0);
	ASSERT_EQ(0, pit.flags);
	l1vmm_pit_speaker_write(&pit, 1, T0 + tk(50));
	ASSERT_EQ(100, l1vmm_pit_get_count(&pit, 2, T0 + tk(50)));
	program(&pit, 2, 0, 100, T0);
	l1vmm_pit_speaker_write(&pit, 0, T0);
	l1vmm_pit_speaker_write(&pit, 1, T0 + tk(50));
	ASSERT_EQ(50, l1vmm_pit_get_count(&pit, 2, T0 + tk(50)));
}

static void test_set_state(void)
{
	struct l1vmm_pit_channel ch[3];
	struct l1vmm_pit pit;

	setup(&pit);
	program(&pit, 0, 2, 1000, T0);
	memcpy(ch, pit.ch, sizeof(ch));
	ch[1].count = 0;
	ch[2].mode = 7;
	/* HPET legacy turning on: the timer stops, the mode stays. */
	memset(&t, 0, sizeof(t));
	l1vmm_pit_set_state(&pit, ch, L1VMM_PIT_HPET_LEGACY, true, T0, &t);
	ASSERT_EQ(L1VMM_PIT_TIMER_STOP, t.op);
	ASSERT_EQ(2, pit.ch[0].mode);
	ASSERT_EQ(0x10000, pit.ch[1].count);
	ASSERT_EQ(L1VMM_PIT_HPET_LEGACY, pit.flags);
	/* A mode the 8254 has not: counted as mode 2 would be, no crash. */
	ASSERT_EQ(0x10000 - 1000, l1vmm_pit_get_count(&pit, 2, T0 + tk(1000)));
	/* Off again: the timer starts. */
	memset(&t, 0, sizeof(t));
	l1vmm_pit_set_state(&pit, ch, 0, false, T0, &t);
	ASSERT_EQ(L1VMM_PIT_TIMER_START, t.op);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_reset),
	KTAP_CASE(test_control_and_writes),
	KTAP_CASE(test_counts),
	KTAP_CASE(test_latch_and_read_back),
	KTAP_CASE(test_timer),
	KTAP_CASE(test_speaker),
	KTAP_CASE(test_set_state),
};

int main(void)
{
	return ktap_run("pit", tests, KTAP_ARRAY_SIZE(tests));
}
