// SPDX-License-Identifier: GPL-2.0-only
/*
 * Several vCPUs and the run loop: four vCPUs of one VM running at once,
 * each in its own thread; KVM_RUN interrupted by a signal, also by one
 * every 2 ms; a KVM_RUN longer than the RCU stall timeout, counted as
 * guest time; vCPU creation errors.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "kvm_vm.h"

#define NR_VCPUS	4
#define LOOPS		2000
#define CODE_GPA	0x1000

/*
 * Each vCPU: BX points at its own counter; LOOPS times, increment it and
 * report through port 0x10; then HLT.
 */
static const unsigned char counting_code[] = {
	0xb9, LOOPS & 0xff, LOOPS >> 8,	/* mov cx, LOOPS */
	0xff, 0x07,			/* l: inc word [bx] */
	0xe6, 0x10,			/* out 0x10, al */
	0xe2, 0xfa,			/* loop l */
	0xf4,				/* hlt */
};

struct vcpu_thread {
	struct test_vcpu vcpu;
	pthread_t thread;
	unsigned int io_exits;
	unsigned int last_exit;
	long error;
};

static void *vcpu_thread_fn(void *arg)
{
	struct vcpu_thread *t = arg;

	for (;;) {
		long r = dev_ioctl(t->vcpu.fd, KVM_RUN, 0);

		if (r) {
			t->error = r;
			return NULL;
		}
		t->last_exit = t->vcpu.run->exit_reason;
		if (t->last_exit != KVM_EXIT_IO)
			return NULL;
		t->io_exits++;
	}
}

static void test_four_vcpus_at_once(void)
{
	struct vcpu_thread t[NR_VCPUS];
	struct test_vm vm;
	struct kvm_regs regs;
	unsigned char *mem;
	int i;

	memset(t, 0, sizeof(t));
	vm_create(&vm);
	mem = vm_add_memory(&vm, 0, 0, 0x10000, 0);
	memcpy(mem + CODE_GPA, counting_code, sizeof(counting_code));
	for (i = 0; i < NR_VCPUS; i++) {
		vcpu_create(&vm, i, &t[i].vcpu);
		vcpu_setup_real_mode(&t[i].vcpu, CODE_GPA);
		ASSERT_IOCTL_OK(t[i].vcpu.fd, KVM_GET_REGS, &regs);
		regs.rbx = 0x8000 + 2 * i;
		ASSERT_IOCTL_OK(t[i].vcpu.fd, KVM_SET_REGS, &regs);
	}
	for (i = 0; i < NR_VCPUS; i++)
		TEST_ASSERT(!pthread_create(&t[i].thread, NULL, vcpu_thread_fn, &t[i]),
			    "pthread_create");
	for (i = 0; i < NR_VCPUS; i++) {
		pthread_join(t[i].thread, NULL);
		TEST_ASSERT(!t[i].error, "vCPU %d: KVM_RUN: %s", i,
			    ktap_errno_name((int)-t[i].error));
		TEST_ASSERT(t[i].last_exit == KVM_EXIT_HLT,
			    "vCPU %d: last exit: wanted HLT, got %s", i,
			    exit_reason_name(t[i].last_exit));
		ASSERT_EQ(LOOPS, t[i].io_exits);
		ASSERT_EQ(LOOPS, *(uint16_t *)(mem + 0x8000 + 2 * i));
	}
	for (i = 0; i < NR_VCPUS; i++)
		vcpu_close(&t[i].vcpu);
	vm_close(&vm);
}

static void on_sigusr1(int sig)
{
	(void)sig;
}

struct kicker {
	pthread_t target;
};

static void *kicker_fn(void *arg)
{
	struct kicker *k = arg;
	struct timespec ts = { 0, 200 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	pthread_kill(k->target, SIGUSR1);
	return NULL;
}

/* A guest that runs @code forever; a signal ends KVM_RUN with EINTR. */
static void signal_interrupts(const unsigned char *code, size_t size)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct test_guest g;
	struct kicker k;
	pthread_t kicker;

	sigaction(SIGUSR1, &sa, NULL);
	guest_start_real_mode(&g, 0x10000, CODE_GPA, code, size);

	k.target = pthread_self();
	TEST_ASSERT(!pthread_create(&kicker, NULL, kicker_fn, &k), "pthread_create");
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_RUN, 0, EINTR);
	ASSERT_EQ(KVM_EXIT_INTR, g.vcpu.run->exit_reason);
	pthread_join(kicker, NULL);
	guest_stop(&g);
}

static void test_signal_interrupts_run(void)
{
	static const unsigned char spin[] = { 0xeb, 0xfe };	/* jmp $ */

	signal_interrupts(spin, sizeof(spin));
}

/*
 * The same with a guest that exits all the time, on CPUID: with l1vmm
 * every exit is handled in the fastpath, which must still see the signal.
 */
static void test_signal_interrupts_fastpath(void)
{
	static const unsigned char spin[] = { 0x0f, 0xa2, 0xeb, 0xfc };	/* 1: cpuid; jmp 1b */

	signal_interrupts(spin, sizeof(spin));
}

/*
 * SIGALRM every 2 ms, as a fuzzer sends it, while the guest spins (in the
 * guest, and on CPUID in l1vmm's fastpath): each of 500 KVM_RUNs ends with
 * EINTR, none lasting longer than a second.
 */
static void test_signal_storm(void)
{
	static const unsigned char spins[2][4] = {
		{ 0xeb, 0xfe },			/* jmp $ */
		{ 0x0f, 0xa2, 0xeb, 0xfc },	/* 1: cpuid; jmp 1b */
	};
	struct itimerval every_2ms = { { 0, 2000 }, { 0, 2000 } }, off = { 0 };
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	double longest = 0, t;
	struct test_guest g;
	int i, k;

	sigaction(SIGALRM, &sa, NULL);
	for (k = 0; k < 2; k++) {
		guest_start_real_mode(&g, 0x10000, CODE_GPA, spins[k], sizeof(spins[k]));
		setitimer(ITIMER_REAL, &every_2ms, NULL);
		for (i = 0; i < 250; i++) {
			t = mono_seconds();
			ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_RUN, 0, EINTR);
			ASSERT_EQ(KVM_EXIT_INTR, g.vcpu.run->exit_reason);
			t = mono_seconds() - t;
			if (t > longest)
				longest = t;
		}
		setitimer(ITIMER_REAL, &off, NULL);
		guest_stop(&g);
	}
	ktap_info("longest KVM_RUN under a 2 ms SIGALRM: %.3f s", longest);
	TEST_ASSERT(longest < 1.0, "a KVM_RUN lasted %.3f s with SIGALRM every 2 ms", longest);
}

/* Clock ticks this thread has run as a guest (/proc, "guest_time"). */
static long thread_guest_ticks(void)
{
	char buf[1024], *p;
	long ticks = -1;
	FILE *f;
	int field;

	f = fopen("/proc/thread-self/stat", "r");
	TEST_ASSERT(f && fgets(buf, sizeof(buf), f), "reading /proc/thread-self/stat");
	fclose(f);
	/* After the command's closing parenthesis: field 3 on, guest_time is 43. */
	p = strrchr(buf, ')');
	for (field = 3; p && field <= 43; field++) {
		p = strchr(p + 1, ' ');
		if (p && field == 43)
			ticks = strtol(p + 1, NULL, 10);
	}
	TEST_ASSERT(ticks >= 0, "no guest_time in /proc/thread-self/stat");
	return ticks;
}

struct long_kicker {
	pthread_t target;
	unsigned int seconds;
};

static void *long_kicker_fn(void *arg)
{
	struct long_kicker *k = arg;

	sleep(k->seconds);
	pthread_kill(k->target, SIGUSR1);
	return NULL;
}

/*
 * One KVM_RUN that lasts longer than the RCU stall timeout (21 s), on a
 * guest that never exits to user space: the vCPU is in an RCU quiescent
 * state while the guest runs, as in KVM (a stall panics the test guest),
 * and the time counts as guest time (/proc/<tid>/stat, top, /proc/stat).
 * L1VMM_LONG_RUN_S shortens it for a quick look.
 */
static void test_long_run_is_guest_time(void)
{
	static const unsigned char spin[] = { 0xeb, 0xfe };	/* jmp $ */
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct long_kicker k = { .target = pthread_self(), .seconds = 25 };
	long before, after, hz = sysconf(_SC_CLK_TCK);
	struct test_guest g;
	pthread_t kicker;

	if (getenv("L1VMM_LONG_RUN_S"))
		k.seconds = atoi(getenv("L1VMM_LONG_RUN_S"));
	sigaction(SIGUSR1, &sa, NULL);
	guest_start_real_mode(&g, 0x10000, CODE_GPA, spin, sizeof(spin));
	before = thread_guest_ticks();
	TEST_ASSERT(!pthread_create(&kicker, NULL, long_kicker_fn, &k), "pthread_create");
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_RUN, 0, EINTR);
	after = thread_guest_ticks();
	pthread_join(kicker, NULL);
	ktap_info("%u s in KVM_RUN: %ld ticks of guest time (%ld per second)", k.seconds,
		  after - before, hz);
	TEST_ASSERT(after - before >= k.seconds * hz / 2,
		    "guest time %ld ticks over %u s: wanted at least half", after - before,
		    k.seconds);
	guest_stop(&g);
}

static void test_create_vcpu_errors(void)
{
	struct test_vcpu vcpu;
	struct test_vm vm;

	vm_create(&vm);
	vcpu_create(&vm, 0, &vcpu);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_CREATE_VCPU, 0, EEXIST);
	/* KVM's x86 limit on ids, which l1vmm shares. */
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_CREATE_VCPU, 4096, EINVAL);
	/* The id is a u32 in KVM: 1 << 40 is id 0, which exists. */
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_CREATE_VCPU, 1ul << 40, EEXIST);
	ASSERT_IOCTL_ERRNO(vcpu.fd, KVM_RUN, 1, EINVAL);
	vcpu_close(&vcpu);
	vm_close(&vm);
}

static const struct ktap_case tests[] = {
	KTAP_CASE_TIMEOUT(test_four_vcpus_at_once, 120),
	KTAP_CASE(test_signal_interrupts_run),
	KTAP_CASE(test_signal_interrupts_fastpath),
	KTAP_CASE(test_signal_storm),
	KTAP_CASE_TIMEOUT(test_long_run_is_guest_time, 90),
	KTAP_CASE(test_create_vcpu_errors),
};

int main(void)
{
	return ktap_run(dev_is_l1vmm() ? "vcpus" : "vcpus@kvm", tests,
			KTAP_ARRAY_SIZE(tests));
}
