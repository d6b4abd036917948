// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/portable/pvclock.c
/*
 * Host unit test of kvmclock's arithmetic (l1vmm/portable/pvclock.c): the
 * TSC-to-nanoseconds scale a guest applies, reading the pvclock page, the
 * version protocol and the wall clock.
 */
#include <stddef.h>
#include <stdint.h>

#include "ktap.h"
#include "l1vmm/portable/pvclock.h"

#define NSEC_PER_SEC	1000000000ull

static void test_layouts(void)
{
	ASSERT_EQ(32, sizeof(struct l1vmm_pvclock_time));
	ASSERT_EQ(8, offsetof(struct l1vmm_pvclock_time, tsc_timestamp));
	ASSERT_EQ(16, offsetof(struct l1vmm_pvclock_time, system_time));
	ASSERT_EQ(24, offsetof(struct l1vmm_pvclock_time, tsc_to_system_mul));
	ASSERT_EQ(28, offsetof(struct l1vmm_pvclock_time, tsc_shift));
	ASSERT_EQ(29, offsetof(struct l1vmm_pvclock_time, flags));
	ASSERT_EQ(12, sizeof(struct l1vmm_pvclock_wall_clock));
}

/* A 1 GHz TSC counts nanoseconds: one half, shifted left once. */
static void test_scale_1ghz(void)
{
	signed char shift;
	u32 mul;

	l1vmm_pvclock_time_scale(NSEC_PER_SEC, NSEC_PER_SEC, &shift, &mul);
	ASSERT_EQ(1, shift);
	ASSERT_EQ(0x80000000u, mul);
	ASSERT_EQ(12345, l1vmm_pvclock_scale_delta(12345, mul, shift));
}

/*
 * One second's worth of ticks is one second, within a nanosecond or two
 * (the multiplier is a 32-bit fraction), from 1 MHz to 20 GHz; an hour
 * is an hour within a microsecond, and the multiplier has its full
 * precision (at least 2^30).
 */
static void test_scale_rates(void)
{
	static const u64 rates[] = {
		1000000, 14318180, 100000000, 999999999, 1000000001, 1500000000,
		2123456789, 2994374000, 3000000000, 4200000000, 5000000000, 20000000000,
	};
	unsigned int i;

	for (i = 0; i < KTAP_ARRAY_SIZE(rates); i++) {
		u64 hz = rates[i], ns, hour;
		signed char shift;
		u32 mul;

		l1vmm_pvclock_time_scale(NSEC_PER_SEC, hz, &shift, &mul);
		ns = l1vmm_pvclock_scale_delta(hz, mul, shift);
		TEST_ASSERT(ns >= NSEC_PER_SEC - 2 && ns <= NSEC_PER_SEC + 2,
			    "%llu Hz: one second of ticks is %llu ns (mul %#x shift %d)",
			    (unsigned long long)hz, (unsigned long long)ns, mul, shift);
		hour = l1vmm_pvclock_scale_delta(hz * 3600, mul, shift);
		TEST_ASSERT(hour >= 3600 * NSEC_PER_SEC - 10000 &&
			    hour <= 3600 * NSEC_PER_SEC + 10000,
			    "%llu Hz: an hour of ticks is %llu ns", (unsigned long long)hz,
			    (unsigned long long)hour);
		TEST_ASSERT(mul >= 0x40000000u, "%llu Hz: mul %#x has lost precision",
			    (unsigned long long)hz, mul);
	}
}

/* The guest's reading: system_time plus the scaled ticks since the stamp. */
static void test_read(void)
{
	struct l1vmm_pvclock_time t = {
		.version = 2, .tsc_timestamp = 1000, .system_time = 5 * NSEC_PER_SEC,
	};
	signed char shift;
	u32 mul;
	u64 ns;

	l1vmm_pvclock_time_scale(NSEC_PER_SEC, 2000000000, &shift, &mul);
	t.tsc_shift = shift;
	t.tsc_to_system_mul = mul;
	ASSERT_EQ(5 * NSEC_PER_SEC, l1vmm_pvclock_read(&t, 1000));
	ns = l1vmm_pvclock_read(&t, 1000 + 2000000000ull);
	TEST_ASSERT(ns >= 6 * NSEC_PER_SEC - 1 && ns <= 6 * NSEC_PER_SEC + 1,
		    "wanted 6 s, got %llu ns", (unsigned long long)ns);
	ns = l1vmm_pvclock_read(&t, 1002);
	ASSERT_EQ(5 * NSEC_PER_SEC + 1, ns);
}

/* Odd while written, never the same odd number twice in a row. */
static void test_version(void)
{
	ASSERT_EQ(1, l1vmm_pvclock_version_begin(0));
	ASSERT_EQ(3, l1vmm_pvclock_version_begin(1));	/* junk, or a torn write */
	ASSERT_EQ(3, l1vmm_pvclock_version_begin(2));
	ASSERT_EQ(0xffffffffu, l1vmm_pvclock_version_begin(0xfffffffe));
	ASSERT_EQ(1, l1vmm_pvclock_version_begin(0xffffffff));
}

/* The wall clock is the real time at which kvmclock read 0. */
static void test_wall_clock(void)
{
	struct l1vmm_pvclock_wall_clock wc;

	l1vmm_pvclock_wall_clock(1700000000ull * NSEC_PER_SEC + 123456789,
				 10 * NSEC_PER_SEC + 500000000, 4, &wc);
	ASSERT_EQ(4, wc.version);
	ASSERT_EQ(1699999989, wc.sec);
	ASSERT_EQ(623456789, wc.nsec);
	/* After 2106 the seconds wrap, as in KVM. */
	l1vmm_pvclock_wall_clock((1ull << 32) * NSEC_PER_SEC + 7, 0, 2, &wc);
	ASSERT_EQ(0, wc.sec);
	ASSERT_EQ(7, wc.nsec);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_layouts),
	KTAP_CASE(test_scale_1ghz),
	KTAP_CASE(test_scale_rates),
	KTAP_CASE(test_read),
	KTAP_CASE(test_version),
	KTAP_CASE(test_wall_clock),
};

int main(void)
{
	return ktap_run("pvclock", tests, KTAP_ARRAY_SIZE(tests));
}
