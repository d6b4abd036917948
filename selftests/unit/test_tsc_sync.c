// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/portable/tsc_sync.c l1vmm/portable/pvclock.c
/*
 * Host unit test of the TSC offsets user space writes, matched as KVM
 * 6.1's kvm_synchronize_tsc() and kvm_arch_tsc_set_attr() match them
 * (l1vmm/portable/tsc_sync.c).
 */
#include "ktap.h"
#include "l1vmm/portable/tsc_sync.h"

#define KHZ		2000000U		/* 2 GHz: 2 ticks per ns */
#define SEC		1000000000ULL

static struct l1vmm_tsc_now at(u64 host_tsc, u64 ns)
{
	return (struct l1vmm_tsc_now){ .host_tsc = host_tsc, .ns = ns, .khz = KHZ };
}

/* The first vCPU's 0 starts a generation; the next ones' 0 joins it. */
static void test_creation_matches(void)
{
	struct l1vmm_tsc_sync s = { 0 };
	struct l1vmm_vcpu_tsc_sync v0 = { 0 }, v1 = { 0 };
	struct l1vmm_tsc_now now = at(1000000, 5 * SEC);
	u64 off0, off1;

	off0 = l1vmm_tsc_sync_write(&s, &v0, &now, 0);
	ASSERT_EQ(-1000000ULL, off0);
	ASSERT_EQ(1, s.cur_generation);
	ASSERT_EQ(0, s.nr_matched);
	now = at(9000000, 6 * SEC);
	off1 = l1vmm_tsc_sync_write(&s, &v1, &now, 0);
	ASSERT_EQ(off0, off1);		/* a stable TSC: the same offset */
	ASSERT_EQ(1, s.cur_generation);
	ASSERT_EQ(1, s.nr_matched);
	ASSERT_EQ(1, v1.generation);
}

/* On an unstable TSC the joining vCPU gets the time since the last write. */
static void test_creation_unstable(void)
{
	struct l1vmm_tsc_sync s = { 0 };
	struct l1vmm_vcpu_tsc_sync v0 = { 0 }, v1 = { 0 };
	struct l1vmm_tsc_now now = at(1000000, 5 * SEC);
	u64 off1;

	l1vmm_tsc_sync_write(&s, &v0, &now, 0);
	now = at(9000000, 5 * SEC + 1000);
	now.unstable = true;
	off1 = l1vmm_tsc_sync_write(&s, &v1, &now, 0);
	ASSERT_EQ(2000 - 9000000ULL, off1);	/* 1000 ns at 2 GHz */
	ASSERT_EQ(1, s.nr_matched);
}

/*
 * A write within a second of what the last write's TSC reads now is a
 * synchronization: the generation's offset, not the value written. One
 * further away sets its own offset in a new generation.
 */
static void test_write_window(void)
{
	struct l1vmm_tsc_sync s = { 0 };
	struct l1vmm_vcpu_tsc_sync v0 = { 0 }, v1 = { 0 };
	struct l1vmm_tsc_now now = at(100, SEC);
	u64 off;

	l1vmm_tsc_sync_write(&s, &v0, &now, 0);		/* offset -100 */
	now = at(100 + 2 * SEC, 2 * SEC);		/* one second later */
	off = l1vmm_tsc_sync_write(&s, &v1, &now, 2 * SEC + 2 * SEC / 2);
	ASSERT_EQ(-100ULL, off);
	ASSERT_EQ(1, s.cur_generation);
	/* Ten seconds of ticks ahead: a new generation at the value written. */
	now = at(100 + 4 * SEC, 3 * SEC);
	off = l1vmm_tsc_sync_write(&s, &v1, &now, 20 * SEC);
	ASSERT_EQ(20 * SEC - (100 + 4 * SEC), off);
	ASSERT_EQ(2, s.cur_generation);
	ASSERT_EQ(0, s.nr_matched);
	ASSERT_EQ(20 * SEC, s.last_write);
}

/* Another TSC rate never matches; nor does any write without a rate. */
static void test_rate_must_match(void)
{
	struct l1vmm_tsc_sync s = { 0 };
	struct l1vmm_vcpu_tsc_sync v0 = { 0 }, v1 = { 0 };
	struct l1vmm_tsc_now now = at(100, SEC);

	l1vmm_tsc_sync_write(&s, &v0, &now, 0);
	now = at(300, SEC);
	now.khz = KHZ / 2;
	ASSERT_EQ(-300ULL, l1vmm_tsc_sync_write(&s, &v1, &now, 0));
	ASSERT_EQ(2, s.cur_generation);
	now.khz = 0;
	ASSERT_EQ(-300ULL, l1vmm_tsc_sync_write(&s, &v1, &now, 0));
	ASSERT_EQ(3, s.cur_generation);
}

/* KVM_VCPU_TSC_OFFSET: matched when the last write had the same offset. */
static void test_set_offset(void)
{
	struct l1vmm_tsc_sync s = { 0 };
	struct l1vmm_vcpu_tsc_sync v0 = { 0 }, v1 = { 0 };
	struct l1vmm_tsc_now now = at(1000, SEC);

	l1vmm_tsc_sync_set_offset(&s, &v0, &now, 5000);
	ASSERT_EQ(1, s.cur_generation);		/* the first: a new generation */
	ASSERT_EQ(6000, s.last_write);
	ASSERT_EQ(5000, s.cur_offset);
	ASSERT_EQ(6000, v0.last_guest_tsc);
	now = at(2000, 2 * SEC);
	l1vmm_tsc_sync_set_offset(&s, &v1, &now, 5000);
	ASSERT_EQ(1, s.cur_generation);
	ASSERT_EQ(1, s.nr_matched);
	ASSERT_EQ(7000, s.last_write);
	l1vmm_tsc_sync_set_offset(&s, &v1, &now, 7);
	ASSERT_EQ(2, s.cur_generation);
	ASSERT_EQ(7, s.last_offset);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_creation_matches),
	KTAP_CASE(test_creation_unstable),
	KTAP_CASE(test_write_window),
	KTAP_CASE(test_rate_must_match),
	KTAP_CASE(test_set_offset),
};

int main(void)
{
	return ktap_run("tsc_sync", tests, KTAP_ARRAY_SIZE(tests));
}
