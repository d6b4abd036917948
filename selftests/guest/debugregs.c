// SPDX-License-Identifier: GPL-2.0-only
/*
 * Debug registers: KVM_GET/SET_DEBUGREGS and what the guest reads with
 * MOV DR, and that no guest sees another guest's or the host's DR0-DR3,
 * nor leaves its own in the host: a second VM in another process on the
 * same CPU reads zeroes, and a hardware breakpoint of the host process
 * still fires after the guest wrote DR0-DR7. Runs against l1vmm and KVM
 * (debugregs@kvm).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvm_vm.h"

#define MEM_SIZE	(1ul << 20)
#define CODE_GPA	0x1000
#define DR6_RESET	0xffff0ff0u
#define DR7_RESET	0x400u

/* DR0-DR3, DR6, DR7 to ports 0x10-0x13, 0x16, 0x17. */
GUEST_CODE(read_drs, ".code16",
	"mov %dr0, %eax\n\t"
	"out %eax, $0x10\n\t"
	"mov %dr1, %eax\n\t"
	"out %eax, $0x11\n\t"
	"mov %dr2, %eax\n\t"
	"out %eax, $0x12\n\t"
	"mov %dr3, %eax\n\t"
	"out %eax, $0x13\n\t"
	"mov %dr6, %eax\n\t"
	"out %eax, $0x16\n\t"
	"mov %dr7, %eax\n\t"
	"out %eax, $0x17\n\t"
	"hlt\n\t");

/* Its own DR0-DR3, and DR7 enabling an execution breakpoint on DR0. */
GUEST_CODE(write_drs, ".code16",
	"mov $0x11111000, %eax\n\t"
	"mov %eax, %dr0\n\t"
	"mov $0x22222000, %eax\n\t"
	"mov %eax, %dr1\n\t"
	"mov $0x33333000, %eax\n\t"
	"mov %eax, %dr2\n\t"
	"mov $0x44444000, %eax\n\t"
	"mov %eax, %dr3\n\t"
	"mov $0x403, %eax\n\t"
	"mov %eax, %dr7\n\t"
	"hlt\n\t");

static const uint32_t written[4] = { 0x11111000, 0x22222000, 0x33333000, 0x44444000 };

/* Run read_drs to its end; what it read, in the order of its ports. */
static void run_reader(struct test_vcpu *vcpu, uint32_t got[6])
{
	static const int ports[6] = { 0x10, 0x11, 0x12, 0x13, 0x16, 0x17 };
	int i;

	for (i = 0; i < 6; i++)
		got[i] = vcpu_run_out32(vcpu, ports[i]);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(vcpu));
}

static void pin_to_cpu(int cpu)
{
	cpu_set_t cpus;

	CPU_ZERO(&cpus);
	CPU_SET(cpu, &cpus);
	TEST_ASSERT(!sched_setaffinity(0, sizeof(cpus), &cpus), "sched_setaffinity: %s",
		    ktap_errno_name(errno));
}

static void test_reset_values(void)
{
	struct kvm_debugregs dbg;
	struct test_guest g;
	int i;

	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, read_drs, GUEST_CODE_SIZE(read_drs));
	ASSERT_EQ(1, dev_ioctl(g.vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_DEBUGREGS));
	memset(&dbg, 0xaa, sizeof(dbg));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_DEBUGREGS, &dbg);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, dbg.db[i]);
	ASSERT_EQ(DR6_RESET, dbg.dr6);
	ASSERT_EQ(DR7_RESET, dbg.dr7);
	ASSERT_EQ(0, dbg.flags);
	for (i = 0; i < 9; i++)
		ASSERT_EQ(0, dbg.reserved[i]);
	guest_stop(&g);
}

/* Values set from user space are what the guest reads; its writes come back. */
static void test_set_read_write_get(void)
{
	struct kvm_debugregs dbg = {
		.db = { 0x1000, 0x2000, 0x3000, 0x4000 },
		.dr6 = DR6_RESET, .dr7 = DR7_RESET,
	};
	struct test_guest g;
	uint32_t got[6];
	int i;

	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, read_drs, GUEST_CODE_SIZE(read_drs));
	memcpy(g.mem + 0x2000, write_drs, GUEST_CODE_SIZE(write_drs));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_DEBUGREGS, &dbg);
	run_reader(&g.vcpu, got);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(dbg.db[i], got[i]);
	ASSERT_EQ(DR6_RESET, got[4]);
	ASSERT_EQ(DR7_RESET, got[5]);

	vcpu_setup_real_mode(&g.vcpu, 0x2000);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_DEBUGREGS, &dbg);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(written[i], dbg.db[i]);
	ASSERT_EQ(0x403, dbg.dr7);

	/* Across exits to user space, the guest keeps them. */
	vcpu_setup_real_mode(&g.vcpu, CODE_GPA);
	run_reader(&g.vcpu, got);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(written[i], got[i]);
	ASSERT_EQ(0x403, got[5]);
	guest_stop(&g);
}

static void test_set_errors(void)
{
	struct kvm_debugregs good, dbg;
	struct test_guest g;

	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, read_drs, GUEST_CODE_SIZE(read_drs));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_DEBUGREGS, &good);
	dbg = good;
	dbg.flags = 1;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_DEBUGREGS, &dbg, EINVAL);
	dbg = good;
	dbg.dr6 |= 1ull << 32;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_DEBUGREGS, &dbg, EINVAL);
	dbg = good;
	dbg.dr7 |= 1ull << 40;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_DEBUGREGS, &dbg, EINVAL);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_DEBUGREGS, NULL, EFAULT);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_GET_DEBUGREGS, NULL, EFAULT);
	/* Nothing changed. */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_DEBUGREGS, &dbg);
	ASSERT_EQ(0, memcmp(&good, &dbg, sizeof(dbg)));
	guest_stop(&g);
}

/*
 * One VM's guest writes DR0-DR3 and halts; a second VM in a child process,
 * on the same CPU, must read its own zeroes.
 */
static void test_no_leak_between_vms(void)
{
	struct test_guest g;
	int status, i;
	pid_t pid;

	pin_to_cpu(0);
	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, write_drs, GUEST_CODE_SIZE(write_drs));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));

	pid = fork();
	TEST_ASSERT(pid >= 0, "fork: %s", ktap_errno_name(errno));
	if (pid == 0) {
		struct test_guest other;
		uint32_t got[6];

		guest_start_real_mode(&other, MEM_SIZE, CODE_GPA, read_drs,
				      GUEST_CODE_SIZE(read_drs));
		run_reader(&other.vcpu, got);
		for (i = 0; i < 4; i++)
			TEST_ASSERT(got[i] == 0, "the second VM read DR%d = %#x, wanted 0", i,
				    got[i]);
		ASSERT_EQ(DR7_RESET, got[5]);
		guest_stop(&other);
		_exit(0);
	}
	TEST_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid");
	TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "the second VM's process failed (status %#x)", status);
	guest_stop(&g);
}

static long perf_event_open(struct perf_event_attr *attr)
{
	return syscall(__NR_perf_event_open, attr, 0, -1, -1, 0);
}

static uint64_t hits(int fd)
{
	uint64_t count = 0;

	TEST_ASSERT(read(fd, &count, sizeof(count)) == sizeof(count), "read of the perf counter");
	return count;
}

/*
 * The host process watches a variable with a hardware breakpoint (perf).
 * After a guest wrote DR0-DR3 and DR7, the breakpoint still fires in the
 * host, and a guest reading DR0 sees its own value, not the host's.
 */
static void test_host_breakpoint_survives(void)
{
	static uint32_t watched;
	struct perf_event_attr attr = {
		.type = PERF_TYPE_BREAKPOINT, .size = sizeof(attr),
		.bp_type = HW_BREAKPOINT_W, .bp_addr = (uintptr_t)&watched,
		.bp_len = HW_BREAKPOINT_LEN_4, .exclude_kernel = 1, .exclude_hv = 1,
	};
	struct test_guest g;
	uint64_t before;
	uint32_t got[6];
	int fd;

	pin_to_cpu(0);
	fd = perf_event_open(&attr);
	if (fd < 0)
		ktap_skip("no hardware breakpoints for perf here: %s", ktap_errno_name(errno));
	__atomic_store_n(&watched, 1, __ATOMIC_RELAXED);
	ASSERT_EQ(1, hits(fd));

	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, write_drs, GUEST_CODE_SIZE(write_drs));
	memcpy(g.mem + 0x2000, read_drs, GUEST_CODE_SIZE(read_drs));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	before = hits(fd);
	__atomic_store_n(&watched, 2, __ATOMIC_RELAXED);
	ASSERT_EQ(before + 1, hits(fd));

	/* A fresh vCPU's guest reads zeroes even while the host's breakpoint is set. */
	guest_stop(&g);
	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, read_drs, GUEST_CODE_SIZE(read_drs));
	run_reader(&g.vcpu, got);
	ASSERT_EQ(0, got[0]);
	before = hits(fd);
	__atomic_store_n(&watched, 3, __ATOMIC_RELAXED);
	ASSERT_EQ(before + 1, hits(fd));
	guest_stop(&g);
	close(fd);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_reset_values),
	KTAP_CASE(test_set_read_write_get),
	KTAP_CASE(test_set_errors),
	KTAP_CASE(test_no_leak_between_vms),
	KTAP_CASE(test_host_breakpoint_survives),
};

int main(void)
{
	return ktap_run(dev_is_l1vmm() ? "debugregs" : "debugregs@kvm", tests,
			KTAP_ARRAY_SIZE(tests));
}
