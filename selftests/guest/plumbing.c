// SPDX-License-Identifier: GPL-2.0-only
/*
 * The KVM_RUN plumbing VMMs rely on, as KVM 6.1 shows it:
 * KVM_SET_SIGNAL_MASK (signals blocked only inside KVM_RUN),
 * KVM_CAP_SYNC_REGS (registers, special registers and events through
 * kvm_run, invalid bits and invalid state refused), immediate_exit
 * completing a pending port read, kvm_run->cr8 taken at every KVM_RUN
 * (and ignored with the in-kernel APIC),
 * KVM_ENABLE_CAP on the VM and vCPU files (KVM_CAP_MAX_VCPU_ID), the vCPU
 * limits with sparse ids, and the VM's statistics file.
 *
 * Runs against /dev/l1vmm, and against KVM in the same guest (plumbing@kvm).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "kvm_vm.h"

#define MEM_SIZE	(1ul << 20)
#define CODE_GPA	0x1000
#define STATS_NAME_SIZE	48	/* KVM's KVM_STATS_NAME_SIZE, not in the uAPI header */

GUEST_CODE(spin, ".code16", "1: jmp 1b\n\t");
GUEST_CODE(halt, ".code16", "hlt\n\t");

/* The device's system file, opened once. */
static int sys_fd(void)
{
	static int fd = -1;

	if (fd < 0)
		fd = dev_open();
	return fd;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Signals to the vCPU thread: SIGUSR1 after 50 ms, SIGUSR2 500 ms later. */
struct signaller {
	pthread_t target;
	int sent;	/* the last signal sent (atomic accesses) */
};

static void *signal_thread(void *arg)
{
	struct signaller *s = arg;

	sleep_ms(50);
	__atomic_store_n(&s->sent, SIGUSR1, __ATOMIC_SEQ_CST);
	pthread_kill(s->target, SIGUSR1);
	sleep_ms(500);
	__atomic_store_n(&s->sent, SIGUSR2, __ATOMIC_SEQ_CST);
	pthread_kill(s->target, SIGUSR2);
	return NULL;
}

/* Handler counts, read and written with atomics. */
static int usr1_seen, usr2_seen;

static void on_signal(int sig)
{
	__atomic_add_fetch(sig == SIGUSR1 ? &usr1_seen : &usr2_seen, 1, __ATOMIC_SEQ_CST);
}

/* Run the spinning guest until a signal stops KVM_RUN; the last signal sent then. */
static int run_until_signal(struct test_vcpu *vcpu)
{
	struct signaller s = { .target = pthread_self() };
	pthread_t t;
	int r;

	TEST_ASSERT(!pthread_create(&t, NULL, signal_thread, &s), "pthread_create");
	r = ioctl(vcpu->fd, KVM_RUN, 0);
	TEST_ASSERT(r < 0 && errno == EINTR, "KVM_RUN: %d, %s", r, ktap_errno_name(errno));
	ASSERT_EQ(KVM_EXIT_INTR, vcpu->run->exit_reason);
	r = __atomic_load_n(&s.sent, __ATOMIC_SEQ_CST);
	pthread_join(t, NULL);
	return r;
}

static void test_signal_mask(void)
{
	/* struct kvm_signal_mask: len, then the kernel's 8-byte sigset at offset 4. */
	union {
		struct kvm_signal_mask hdr;
		unsigned char bytes[4 + 8];
	} mask = { 0 };
	uint64_t blocked = 1ull << (SIGUSR1 - 1);
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t before, after;
	struct test_guest g;

	/* The kernel fills only its 8 bytes of glibc's 128. */
	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));

	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, spin, GUEST_CODE_SIZE(spin));

	/* No mask: the first signal ends KVM_RUN. */
	__atomic_store_n(&usr1_seen, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&usr2_seen, 0, __ATOMIC_SEQ_CST);
	ASSERT_EQ(SIGUSR1, run_until_signal(&g.vcpu));

	/* SIGUSR1 blocked inside KVM_RUN: only SIGUSR2 ends it. */
	memcpy(mask.hdr.sigset, &blocked, sizeof(blocked));
	mask.hdr.len = sizeof(blocked);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SIGNAL_MASK, &mask);
	pthread_sigmask(SIG_SETMASK, NULL, &before);
	__atomic_store_n(&usr1_seen, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&usr2_seen, 0, __ATOMIC_SEQ_CST);
	ASSERT_EQ(SIGUSR2, run_until_signal(&g.vcpu));
	/* Back in user space the thread's own mask applies: both were delivered. */
	ASSERT_EQ(1, __atomic_load_n(&usr1_seen, __ATOMIC_SEQ_CST));
	ASSERT_EQ(1, __atomic_load_n(&usr2_seen, __ATOMIC_SEQ_CST));
	pthread_sigmask(SIG_SETMASK, NULL, &after);
	TEST_ASSERT(!memcmp(&before, &after, sizeof(before)), "the thread's mask changed");

	/* NULL: no mask any more. */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SIGNAL_MASK, NULL);
	ASSERT_EQ(SIGUSR1, run_until_signal(&g.vcpu));

	/* Only the kernel's sigset_t size is accepted. */
	mask.hdr.len = 4;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_SIGNAL_MASK, &mask, EINVAL);
	mask.hdr.len = 128;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_SIGNAL_MASK, &mask, EINVAL);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_SIGNAL_MASK, (void *)8, EFAULT);
	guest_stop(&g);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

GUEST_CODE(sync_guest, ".code16",
	"mov $0x1234, %ax\n\t"
	"out %ax, $0x10\n\t"
	"mov %bx, %ax\n\t"
	"out %ax, $0x11\n\t"
	"hlt\n\t");

static void test_sync_regs(void)
{
	struct kvm_vcpu_events events;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct test_guest g;
	struct kvm_run *run;

	ASSERT_EQ(KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS | KVM_SYNC_X86_EVENTS,
		  ASSERT_IOCTL_OK(sys_fd(), KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS));
	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, sync_guest, GUEST_CODE_SIZE(sync_guest));
	run = g.vcpu.run;

	/* Out: the state after the exit, as the ioctls give it. */
	run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS | KVM_SYNC_X86_EVENTS;
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	ASSERT_EQ(0x10, run->io.port);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_VCPU_EVENTS, &events);
	ASSERT_EQ(0x1234, run->s.regs.regs.rax & 0xffff);
	TEST_ASSERT(!memcmp(&regs, &run->s.regs.regs, sizeof(regs)), "synced regs differ");
	TEST_ASSERT(!memcmp(&sregs, &run->s.regs.sregs, sizeof(sregs)), "synced sregs differ");
	TEST_ASSERT(!memcmp(&events, &run->s.regs.events, sizeof(events)), "synced events differ");

	/* In: a dirty part goes in before the entry, and its bit is cleared. */
	run->s.regs.regs.rbx = 0x5678;
	run->kvm_dirty_regs = KVM_SYNC_X86_REGS;
	run->kvm_valid_regs = 0;
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	ASSERT_EQ(0x11, run->io.port);
	ASSERT_EQ(0x5678, *(uint16_t *)vcpu_io_data(&g.vcpu));
	ASSERT_EQ(0, run->kvm_dirty_regs);

	/* Unknown bits in either mask: EINVAL, nothing runs. */
	run->kvm_valid_regs = 1u << 3;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_RUN, 0, EINVAL);
	run->kvm_valid_regs = 0;
	run->kvm_dirty_regs = 1u << 5;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_RUN, 0, EINVAL);

	/* Invalid special registers (CR0.PG without PE): EINVAL, the bit stays. */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &run->s.regs.sregs);
	run->s.regs.sregs.cr0 = (run->s.regs.sregs.cr0 & ~1ull) | (1ull << 31);
	run->kvm_dirty_regs = KVM_SYNC_X86_SREGS;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_RUN, 0, EINVAL);
	ASSERT_EQ(KVM_SYNC_X86_SREGS, run->kvm_dirty_regs);
	run->kvm_dirty_regs = 0;

	/* Invalid events (unknown flags): EINVAL. */
	memset(&run->s.regs.events, 0, sizeof(run->s.regs.events));
	run->s.regs.events.flags = 1u << 30;
	run->kvm_dirty_regs = KVM_SYNC_X86_EVENTS;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_RUN, 0, EINVAL);
	run->kvm_dirty_regs = 0;

	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

GUEST_CODE(in_guest, ".code16",
	"in $0x10, %al\n\t"
	"out %al, $0x11\n\t"
	"hlt\n\t");

/* immediate_exit after a port read: the read completes, nothing runs. */
static void test_immediate_exit_completes_io(void)
{
	struct kvm_regs regs;
	struct test_guest g;

	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, in_guest, GUEST_CODE_SIZE(in_guest));
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	ASSERT_EQ(KVM_EXIT_IO_IN, g.vcpu.run->io.direction);
	*(uint8_t *)vcpu_io_data(&g.vcpu) = 0x42;
	g.vcpu.run->immediate_exit = 1;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_RUN, 0, EINTR);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(0x42, regs.rax & 0xff);
	ASSERT_EQ(CODE_GPA + 2, regs.rip);
	g.vcpu.run->immediate_exit = 0;
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	ASSERT_EQ(0x11, g.vcpu.run->io.port);
	ASSERT_EQ(0x42, *(uint8_t *)vcpu_io_data(&g.vcpu));
	guest_stop(&g);
}

/* Without an in-kernel APIC, user space owns CR8: kvm_run->cr8 goes in at every KVM_RUN. */
static void test_cr8_from_kvm_run(void)
{
	struct kvm_sregs sregs;
	struct test_guest g;

	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, sync_guest, GUEST_CODE_SIZE(sync_guest));
	g.vcpu.run->cr8 = 16;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_RUN, 0, EINVAL);
	g.vcpu.run->cr8 = 5;
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	ASSERT_EQ(5, g.vcpu.run->cr8);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
	ASSERT_EQ(5, sregs.cr8);

	/* KVM_SET_SREGS ignores a CR8 with reserved bits... */
	sregs.cr8 = 0x17;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &sregs);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
	ASSERT_EQ(5, sregs.cr8);
	/* ...takes a valid one, which the next KVM_RUN replaces with kvm_run's. */
	sregs.cr8 = 7;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &sregs);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
	ASSERT_EQ(7, sregs.cr8);
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	ASSERT_EQ(5, g.vcpu.run->cr8);
	guest_stop(&g);
}

/*
 * With the in-kernel APIC the TPR is the APIC's: KVM_RUN neither checks
 * nor takes kvm_run->cr8, and reports the TPR in it at every exit.
 */
static void test_cr8_ignored_with_irqchip(void)
{
	struct kvm_lapic_state lapic;
	struct kvm_sregs sregs;
	struct test_guest g;

	vm_create_irqchip = true;
	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, sync_guest, GUEST_CODE_SIZE(sync_guest));
	vm_create_irqchip = false;
	g.vcpu.run->cr8 = 16;
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	ASSERT_EQ(0, g.vcpu.run->cr8);
	g.vcpu.run->cr8 = 5;
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	ASSERT_EQ(0x11, g.vcpu.run->io.port);
	ASSERT_EQ(0, g.vcpu.run->cr8);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
	ASSERT_EQ(0, sregs.cr8);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_LAPIC, &lapic);
	ASSERT_EQ(0, *(uint32_t *)(lapic.regs + 0x80));
	guest_stop(&g);
}

static int enable_cap(int fd, uint32_t cap, uint32_t flags, uint64_t arg0)
{
	struct kvm_enable_cap c = { .cap = cap, .flags = flags, .args = { arg0 } };

	return ioctl(fd, KVM_ENABLE_CAP, &c) ? -errno : 0;
}

static void test_enable_cap(void)
{
	struct test_vcpu v0, v7;
	struct test_vm vm;
	int max_ids;

	ASSERT_EQ(1, ASSERT_IOCTL_OK(sys_fd(), KVM_CHECK_EXTENSION, KVM_CAP_ENABLE_CAP));
	ASSERT_EQ(1, ASSERT_IOCTL_OK(sys_fd(), KVM_CHECK_EXTENSION,
				     KVM_CAP_ENABLE_CAP_VM));
	max_ids = ASSERT_IOCTL_OK(sys_fd(), KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPU_ID);

	vm_create(&vm);
	ASSERT_EQ(-EINVAL, enable_cap(vm.fd, KVM_CAP_MAX_VCPU_ID, 1, 8));
	ASSERT_EQ(-EINVAL, enable_cap(vm.fd, 0xffff, 0, 0));
	ASSERT_EQ(-EINVAL, enable_cap(vm.fd, KVM_CAP_MAX_VCPU_ID, 0, max_ids + 1));
	ASSERT_EQ(0, enable_cap(vm.fd, KVM_CAP_MAX_VCPU_ID, 0, 8));
	ASSERT_EQ(0, enable_cap(vm.fd, KVM_CAP_MAX_VCPU_ID, 0, 8));
	ASSERT_EQ(-EINVAL, enable_cap(vm.fd, KVM_CAP_MAX_VCPU_ID, 0, 16));
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_CREATE_VCPU, 8, EINVAL);
	vcpu_create(&vm, 7, &v7);
	/* The vCPU file: flags, and a capability it cannot enable. */
	ASSERT_EQ(-EINVAL, enable_cap(v7.fd, 0xffff, 0, 0));
	ASSERT_EQ(-EINVAL, enable_cap(v7.fd, KVM_CAP_MAX_VCPU_ID, 1, 0));
	ASSERT_IOCTL_ERRNO(v7.fd, KVM_ENABLE_CAP, (void *)8, EFAULT);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_ENABLE_CAP, (void *)8, EFAULT);
	vcpu_close(&v7);
	vm_close(&vm);

	/* The first vCPU fixes the limit at the default. */
	vm_create(&vm);
	vcpu_create(&vm, 0, &v0);
	ASSERT_EQ(-EINVAL, enable_cap(vm.fd, KVM_CAP_MAX_VCPU_ID, 0, 8));
	ASSERT_EQ(0, enable_cap(vm.fd, KVM_CAP_MAX_VCPU_ID, 0, max_ids));
	vcpu_close(&v0);
	vm_close(&vm);
}

/* As many vCPUs as KVM_CAP_MAX_VCPUS says, with ids spread up to KVM_CAP_MAX_VCPU_ID. */
static void test_vcpu_limits(void)
{
	int max_vcpus, max_ids, stride, i, *fds;
	struct rlimit rl;
	struct test_vm vm;

	max_vcpus = ASSERT_IOCTL_OK(sys_fd(), KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	max_ids = ASSERT_IOCTL_OK(sys_fd(), KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPU_ID);
	ASSERT_EQ(1024, max_vcpus);
	ASSERT_EQ(4096, max_ids);
	TEST_ASSERT(ASSERT_IOCTL_OK(sys_fd(), KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS) ==
		    sysconf(_SC_NPROCESSORS_ONLN), "KVM_CAP_NR_VCPUS is not the online CPUs");

	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	if (rl.rlim_cur < (rlim_t)max_vcpus + 64)
		rl.rlim_cur = rl.rlim_max = max_vcpus + 64;
	TEST_ASSERT(!setrlimit(RLIMIT_NOFILE, &rl), "setrlimit: %s", strerror(errno));

	fds = calloc(max_vcpus, sizeof(*fds));
	TEST_ASSERT(fds, "out of memory");
	vm_create(&vm);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_CREATE_VCPU, max_ids, EINVAL);
	stride = max_ids / max_vcpus;
	/* The highest id first, then the rest. */
	fds[0] = ASSERT_IOCTL_OK(vm.fd, KVM_CREATE_VCPU, max_ids - 1);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_CREATE_VCPU, max_ids - 1, EEXIST);
	for (i = 1; i < max_vcpus; i++)
		fds[i] = ASSERT_IOCTL_OK(vm.fd, KVM_CREATE_VCPU, (i - 1) * stride);
	/* One more is refused, whatever its id. */
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_CREATE_VCPU, max_ids - 2, EINVAL);
	for (i = 0; i < max_vcpus; i++)
		close(fds[i]);
	free(fds);
	vm_close(&vm);
}

static void test_vm_stats_fd(void)
{
	struct kvm_stats_header h;
	struct test_vcpu vcpu;
	char id[STATS_NAME_SIZE + 1] = { 0 }, want[STATS_NAME_SIZE];
	struct test_vm vm;
	uint64_t flushes = 0, after = 0;
	char link[64], target[128];
	struct test_guest g;
	ssize_t n;
	int fd;

	ASSERT_EQ(1, ASSERT_IOCTL_OK(sys_fd(), KVM_CHECK_EXTENSION,
				     KVM_CAP_BINARY_STATS_FD));
	vm_create(&vm);
	vm_add_memory(&vm, 0, 0, MEM_SIZE, 0);
	vcpu_create(&vm, 3, &vcpu);
	fd = ASSERT_IOCTL_OK(vm.fd, KVM_GET_STATS_FD, 0);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	TEST_ASSERT(n > 0, "readlink: %s", strerror(errno));
	target[n] = '\0';
	ASSERT_STREQ("anon_inode:kvm-vm-stats", target);

	ASSERT_EQ(sizeof(h), pread(fd, &h, sizeof(h), 0));
	ASSERT_EQ(0, h.flags);
	ASSERT_EQ(STATS_NAME_SIZE, h.name_size);
	TEST_ASSERT(h.num_desc >= 1, "no statistics");
	ASSERT_EQ(STATS_NAME_SIZE, pread(fd, id, STATS_NAME_SIZE, h.id_offset));
	snprintf(want, sizeof(want), "kvm-%d", getpid());
	ASSERT_STREQ(want, id);
	TEST_ASSERT(write(fd, &h, sizeof(h)) < 0 && errno == EBADF, "write: %s", strerror(errno));
	close(fd);

	/* The vCPU's id string names the VM's creator too. */
	fd = ASSERT_IOCTL_OK(vcpu.fd, KVM_GET_STATS_FD, 0);
	ASSERT_EQ(sizeof(h), pread(fd, &h, sizeof(h), 0));
	ASSERT_EQ(STATS_NAME_SIZE, pread(fd, id, STATS_NAME_SIZE, h.id_offset));
	snprintf(want, sizeof(want), "kvm-%d/vcpu-3", getpid());
	ASSERT_STREQ(want, id);
	close(fd);

	vcpu_close(&vcpu);
	vm_close(&vm);

	/*
	 * A counter KVM has too; on l1vmm, deleting a slot the guest used
	 * (its pages are mapped once it ran) flushes every vCPU.
	 */
	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, halt, GUEST_CODE_SIZE(halt));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	TEST_ASSERT(vm_stat(&g.vm, "remote_tlb_flush_requests", &flushes),
		    "no remote_tlb_flush_requests");
	ASSERT_EQ(0, vm_set_region(&g.vm, 0, 0, 0, 0, 0));
	TEST_ASSERT(vm_stat(&g.vm, "remote_tlb_flush_requests", &after), "gone");
	if (dev_is_l1vmm())
		ASSERT_EQ(flushes + 1, after);
	guest_stop(&g);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_signal_mask),
	KTAP_CASE(test_sync_regs),
	KTAP_CASE(test_immediate_exit_completes_io),
	KTAP_CASE(test_cr8_from_kvm_run),
	KTAP_CASE(test_cr8_ignored_with_irqchip),
	KTAP_CASE(test_enable_cap),
	KTAP_CASE(test_vcpu_limits),
	KTAP_CASE(test_vm_stats_fd),
};

int main(void)
{
	return ktap_run(dev_is_l1vmm() ? "plumbing" : "plumbing-kvm", tests,
			KTAP_ARRAY_SIZE(tests));
}
