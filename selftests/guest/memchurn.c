// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest memory faulted in on demand and kept coherent with the VMM's
 * mapping (issue 19): a guest reads and writes memory while user space
 * madvises (MADV_DONTNEED: the guest sees zeroes), mprotects (read-only:
 * a guest write makes KVM_RUN fail with EFAULT), munmaps and forks; four
 * vCPUs run while a thread churns their memory; a 4 GiB slot is created
 * and deleted at once, and first touch is timed; thousands of slots; the
 * pages the guest touched go back to the system when the VM goes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kvm_vm.h"
#include "l1vmm/kvm_uapi.h"

#define PAGE		4096ul
#define CODE_GPA	0x1000
#define DATA_GPA	0x8000
#define GIB		(1ull << 30)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void *map_anon(size_t size, int flags)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags,
		       -1, 0);

	TEST_ASSERT(p != MAP_FAILED, "mmap %zu bytes: %s", size, ktap_errno_name(errno));
	return p;
}

/*
 * A real-mode guest that reads the byte at DATA_GPA and reports it (OUT
 * 0x10), asks for a byte (IN 0x11), writes it to DATA_GPA and says so
 * (OUT 0x12), and again.
 */
static const unsigned char rw_code[] = {
	0xa1, 0x00, 0x80,	/* mov ax, [0x8000] */
	0xe6, 0x10,		/* out 0x10, al */
	0xe4, 0x11,		/* in al, 0x11 */
	0xa2, 0x00, 0x80,	/* mov [0x8000], al */
	0xe6, 0x12,		/* out 0x12, al */
	0xeb, 0xf2,		/* jmp to the start */
};

struct rw_guest {
	struct test_guest g;
	unsigned char *data;	/* the data slot's page: slot 1 at DATA_GPA */
};

static void rw_start(struct rw_guest *rw)
{
	guest_start_real_mode(&rw->g, DATA_GPA, CODE_GPA, rw_code, sizeof(rw_code));
	rw->data = vm_add_memory(&rw->g.vm, 1, DATA_GPA, PAGE, 0);
}

static void rw_stop(struct rw_guest *rw)
{
	munmap(rw->data, PAGE);
	guest_stop(&rw->g);
}

/* What the guest reads now; the guest then waits for guest_write(). */
static uint8_t guest_read(struct rw_guest *rw)
{
	uint8_t v;

	vcpu_run(&rw->g.vcpu);
	ASSERT_IO_EXIT(&rw->g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
	v = *(uint8_t *)vcpu_io_data(&rw->g.vcpu);
	vcpu_run(&rw->g.vcpu);
	ASSERT_IO_EXIT(&rw->g.vcpu, KVM_EXIT_IO_IN, 0x11, 1);
	return v;
}

/* The guest writes @v: KVM_RUN's result (0, or -errno: the write is retried). */
static long guest_write(struct rw_guest *rw, uint8_t v, bool supply)
{
	long r;

	if (supply)
		*(uint8_t *)vcpu_io_data(&rw->g.vcpu) = v;
	r = dev_ioctl(rw->g.vcpu.fd, KVM_RUN, 0);
	if (r)
		return r;
	ASSERT_IO_EXIT(&rw->g.vcpu, KVM_EXIT_IO_OUT, 0x12, 1);
	return 0;
}

static void test_dontneed_gives_zeroes(void)
{
	struct rw_guest rw;

	rw_start(&rw);
	ASSERT_EQ(0, guest_read(&rw));		/* never touched */
	rw.data[0] = 0x42;			/* replaces the zero page */
	ASSERT_EQ(0, guest_write(&rw, 0x43, true));
	ASSERT_EQ(0x43, rw.data[0]);
	ASSERT_EQ(0x43, guest_read(&rw));
	ASSERT_EQ(0, madvise(rw.data, PAGE, MADV_DONTNEED));
	ASSERT_EQ(0, rw.data[0]);
	ASSERT_EQ(0, guest_write(&rw, 0x44, true));
	ASSERT_EQ(0x44, rw.data[0]);
	ASSERT_EQ(0x44, guest_read(&rw));
	ASSERT_EQ(0, guest_write(&rw, 0x44, true));
	ASSERT_EQ(0, madvise(rw.data, PAGE, MADV_DONTNEED));
	ASSERT_EQ(0, guest_read(&rw));
	rw.data[0] = 0x45;
	ASSERT_EQ(0, guest_write(&rw, 0x45, true));
	ASSERT_EQ(0x45, guest_read(&rw));
	rw_stop(&rw);
}

static void test_mprotect_readonly_write_efault(void)
{
	struct rw_guest rw;

	rw_start(&rw);
	rw.data[0] = 0x11;
	ASSERT_EQ(0x11, guest_read(&rw));
	ASSERT_EQ(0, mprotect(rw.data, PAGE, PROT_READ));
	ASSERT_EQ(-EFAULT, guest_write(&rw, 0x22, true));
	ASSERT_EQ(-EFAULT, guest_write(&rw, 0x22, false));	/* retried, same answer */
	ASSERT_EQ(0x11, rw.data[0]);
	ASSERT_EQ(0, mprotect(rw.data, PAGE, PROT_READ | PROT_WRITE));
	ASSERT_EQ(0, guest_write(&rw, 0x22, false));
	ASSERT_EQ(0x22, rw.data[0]);
	/* Read-only with the page mapped for the guest: reads still work. */
	ASSERT_EQ(0, mprotect(rw.data, PAGE, PROT_READ));
	ASSERT_EQ(0x22, guest_read(&rw));
	ASSERT_EQ(-EFAULT, guest_write(&rw, 0x33, true));
	ASSERT_EQ(0, mprotect(rw.data, PAGE, PROT_READ | PROT_WRITE));
	ASSERT_EQ(0, guest_write(&rw, 0x33, false));
	ASSERT_EQ(0x33, guest_read(&rw));
	rw_stop(&rw);
}

static void test_munmap_then_remap(void)
{
	struct rw_guest rw;
	void *p;

	rw_start(&rw);
	rw.data[0] = 0x5a;
	ASSERT_EQ(0x5a, guest_read(&rw));
	ASSERT_EQ(0, guest_write(&rw, 0x5b, true));
	ASSERT_EQ(0, munmap(rw.data, PAGE));
	/* Nothing behind the slot: KVM_RUN fails, as on KVM. */
	ASSERT_EQ(-EFAULT, dev_ioctl(rw.g.vcpu.fd, KVM_RUN, 0));
	p = mmap(rw.data, PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	TEST_ASSERT(p == rw.data, "mmap at %p: %s", (void *)rw.data, ktap_errno_name(errno));
	rw.data[0] = 0x66;
	vcpu_run(&rw.g.vcpu);
	ASSERT_IO_EXIT(&rw.g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
	ASSERT_EQ(0x66, *(uint8_t *)vcpu_io_data(&rw.g.vcpu));
	vcpu_run(&rw.g.vcpu);
	ASSERT_IO_EXIT(&rw.g.vcpu, KVM_EXIT_IO_IN, 0x11, 1);
	ASSERT_EQ(0, guest_write(&rw, 0x67, true));
	ASSERT_EQ(0x67, rw.data[0]);
	rw_stop(&rw);
}

/*
 * fork() makes the page copy-on-write: the guest's next write goes to
 * the parent's own copy, which user space sees, and never to the child's.
 */
static void test_fork_cow(void)
{
	int to_child[2], to_parent[2], status;
	struct rw_guest rw;
	char c = 0;
	pid_t pid;

	rw_start(&rw);
	rw.data[0] = 0x11;
	ASSERT_EQ(0x11, guest_read(&rw));
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork: %s", ktap_errno_name(errno));
	if (!pid) {
		/* The child: wait for the guest's write, then look at its copy. */
		if (read(to_child[0], &c, 1) != 1)
			_exit(2);
		c = rw.data[0];
		if (write(to_parent[1], &c, 1) != 1)
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(0, guest_write(&rw, 0x33, true));
	ASSERT_EQ(0x33, rw.data[0]);
	ASSERT_EQ(1, write(to_child[1], &c, 1));
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	ASSERT_EQ(0x11, c);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	rw.data[0] = 0x44;
	ASSERT_EQ(0x44, guest_read(&rw));
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
	rw_stop(&rw);
}

/*
 * Four vCPUs each write a counter to a page of their own and read it
 * back: the read must give the counter, or zero when the page was
 * dropped in between; anything else is a stale translation. A thread
 * meanwhile madvises, mprotects, munmaps and forks over all four pages.
 */
#define CHURN_VCPUS	4
#define CHURN_SECONDS	3

static const unsigned char churn_code[] = {
	0x41,			/* 0: inc cx */
	0x89, 0x0c,		/* 1: mov [si], cx */
	0x8b, 0x04,		/* 3: mov ax, [si] */
	0x39, 0xc8,		/* 5: cmp ax, cx */
	0x74, 0x08,		/* 7: je 17 */
	0x85, 0xc0,		/* 9: test ax, ax */
	0x74, 0x04,		/* 11: je 17 */
	0xe6, 0x11,		/* 13: out 0x11, al: a stale value */
	0xeb, 0xfe,		/* 15: jmp $ */
	0x84, 0xc9,		/* 17: test cl, cl */
	0x75, 0xeb,		/* 19: jne 0 */
	0xe6, 0x10,		/* 21: out 0x10, al: 256 more */
	0xeb, 0xe7,		/* 23: jmp 0 */
};

struct churn_vcpu {
	struct test_vcpu vcpu;
	pthread_t thread;
	unsigned long rounds, efaults;
	long error;		/* an errno from KVM_RUN, or 0 */
	int stale;		/* the guest read a value it never wrote */
};

static atomic_bool churn_stop;

static void *churn_vcpu_thread(void *arg)
{
	struct churn_vcpu *c = arg;

	while (!atomic_load(&churn_stop)) {
		long r = dev_ioctl(c->vcpu.fd, KVM_RUN, 0);

		if (r == -EFAULT) {
			c->efaults++;	/* unmapped or read-only now: try again */
			continue;
		}
		if (r) {
			c->error = r;
			break;
		}
		if (c->vcpu.run->exit_reason != KVM_EXIT_IO) {
			c->error = -EINVAL;
			break;
		}
		if (c->vcpu.run->io.port == 0x11) {
			c->stale = 1;
			break;
		}
		c->rounds++;
	}
	return NULL;
}

static void test_churn_with_vcpus(void)
{
	struct churn_vcpu vcpus[CHURN_VCPUS];
	const size_t size = CHURN_VCPUS * PAGE;
	unsigned long ops = 0, forks = 0;
	struct test_vm vm;
	unsigned char *low, *data;
	uint64_t end;
	int i;

	vm_create(&vm);
	low = vm_add_memory(&vm, 0, 0, DATA_GPA, 0);
	memcpy(low + CODE_GPA, churn_code, sizeof(churn_code));
	data = vm_add_memory(&vm, 1, DATA_GPA, size, 0);
	atomic_store(&churn_stop, false);
	for (i = 0; i < CHURN_VCPUS; i++) {
		struct kvm_regs regs;

		memset(&vcpus[i], 0, sizeof(vcpus[i]));
		vcpu_create(&vm, i, &vcpus[i].vcpu);
		vcpu_setup_real_mode(&vcpus[i].vcpu, CODE_GPA);
		ASSERT_IOCTL_OK(vcpus[i].vcpu.fd, KVM_GET_REGS, &regs);
		regs.rsi = DATA_GPA + i * PAGE;
		regs.rcx = 0;
		ASSERT_IOCTL_OK(vcpus[i].vcpu.fd, KVM_SET_REGS, &regs);
	}
	for (i = 0; i < CHURN_VCPUS; i++)
		ASSERT_EQ(0, pthread_create(&vcpus[i].thread, NULL, churn_vcpu_thread, &vcpus[i]));

	end = now_ns() + CHURN_SECONDS * 1000000000ull;
	while (now_ns() < end) {
		pid_t pid;
		void *p;

		switch (ops++ % 4) {
		case 0:
			ASSERT_EQ(0, madvise(data, size, MADV_DONTNEED));
			break;
		case 1:
			ASSERT_EQ(0, mprotect(data, size, PROT_READ));
			usleep(100);
			ASSERT_EQ(0, mprotect(data, size, PROT_READ | PROT_WRITE));
			break;
		case 2:
			ASSERT_EQ(0, munmap(data, size));
			p = mmap(data, size, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			TEST_ASSERT(p == data, "mmap again: %s", ktap_errno_name(errno));
			break;
		case 3:
			pid = fork();
			TEST_ASSERT(pid >= 0, "fork: %s", ktap_errno_name(errno));
			if (!pid)
				_exit(0);
			ASSERT_EQ(pid, waitpid(pid, NULL, 0));
			forks++;
			break;
		}
		usleep(500);
	}
	atomic_store(&churn_stop, true);
	for (i = 0; i < CHURN_VCPUS; i++) {
		ASSERT_EQ(0, pthread_join(vcpus[i].thread, NULL));
		ktap_info("vCPU %d: %lu x 256 rounds, %lu EFAULTs", i, vcpus[i].rounds,
			  vcpus[i].efaults);
		TEST_ASSERT(!vcpus[i].stale, "vCPU %d read a value it never wrote", i);
		TEST_ASSERT(!vcpus[i].error, "vCPU %d: KVM_RUN: %s", i,
			    ktap_errno_name((int)-vcpus[i].error));
		TEST_ASSERT(vcpus[i].rounds > 0, "vCPU %d made no progress", i);
	}
	ktap_info("%lu churn operations, %lu forks", ops, forks);
	for (i = 0; i < CHURN_VCPUS; i++)
		vcpu_close(&vcpus[i].vcpu);
	vm_close(&vm);
	munmap(data, size);
	munmap(low, DATA_GPA);
}

/*
 * Slots of memory that is not there yet (MAP_NORESERVE) cost nothing to
 * create, move or delete, whatever their size: 64 MiB, 1 GiB, 4 GiB.
 */
static void test_large_slot_fast(void)
{
	static const uint64_t sizes[] = { 64ull << 20, GIB, 4 * GIB };
	/* KVM allocates per-page arrays for a slot: seen up to 88 ms for 4 GiB. */
	const uint64_t limit_ns = dev_is_l1vmm() ? 100000000ull : 2000000000ull;
	struct test_vm vm;
	unsigned int i;

	vm_create(&vm);
	for (i = 0; i < KTAP_ARRAY_SIZE(sizes); i++) {
		uint64_t size = sizes[i], t0, t1, t2, t3;
		void *mem = map_anon(size, MAP_NORESERVE);

		t0 = now_ns();
		ASSERT_EQ(0, vm_set_region(&vm, 0, 4 * GIB, size, (uintptr_t)mem, 0));
		t1 = now_ns();
		ASSERT_EQ(0, vm_set_region(&vm, 0, 16 * GIB, size, (uintptr_t)mem, 0));
		t2 = now_ns();
		ASSERT_EQ(0, vm_set_region(&vm, 0, 0, 0, 0, 0));
		t3 = now_ns();
		ktap_info("%llu MiB slot: create %llu us, move %llu us, delete %llu us",
			  (unsigned long long)(size >> 20),
			  (unsigned long long)(t1 - t0) / 1000,
			  (unsigned long long)(t2 - t1) / 1000,
			  (unsigned long long)(t3 - t2) / 1000);
		TEST_ASSERT(t1 - t0 < limit_ns, "creating a %llu MiB slot took %llu ms",
			    (unsigned long long)(size >> 20),
			    (unsigned long long)(t1 - t0) / 1000000);
		munmap(mem, size);
	}
	vm_close(&vm);
}

/*
 * A 64-bit guest in a 4 GiB slot touches 64 MiB, a page at a time: the
 * time per page is the first-touch cost, the memory comes from the
 * system as the guest touches it, and it is all back after the VM and
 * the mapping are gone (no page stays referenced).
 */
static void test_first_touch_and_no_leak(void)
{
	static const unsigned char code[] = {
		0x48, 0xc7, 0xc7, 0x00, 0x00, 0x00, 0x01,	/* mov rdi, 16 MiB */
		0xb9, 0x00, 0x40, 0x00, 0x00,			/* mov ecx, 16384 */
		0xc6, 0x07, 0x01,				/* 1: mov byte [rdi], 1 */
		0x48, 0x81, 0xc7, 0x00, 0x10, 0x00, 0x00,	/* add rdi, 4096 */
		0xe2, 0xf4,					/* loop 1b */
		0xe6, 0x10,					/* out 0x10, al */
		0xf4,						/* hlt */
	};
	long before, touched, after, free_before;
	struct test_guest g;
	uint64_t t0, t1;

	/*
	 * The test's own memory cgroup: the guest's pages are charged to it
	 * while they exist and uncharged when they are freed, wherever they
	 * go then (MemFree also moves with per-CPU page lists and caches).
	 */
	memcg_enter("memchurn");
	free_before = meminfo_kb("MemFree");
	before = memcg_current_kb();
	guest_start_long_mode(&g, 4 * GIB, 0x10000, code, sizeof(code));
	t0 = now_ns();
	vcpu_run(&g.vcpu);
	t1 = now_ns();
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
	ASSERT_EQ(1, g.mem[16 << 20]);
	ASSERT_EQ(1, g.mem[(80 << 20) - PAGE]);
	touched = memcg_current_kb();
	ktap_info("first touch: %llu ns per 4 KiB page (16384 pages)",
		  (unsigned long long)(t1 - t0) / 16384);
	ktap_info("memory.current: %+ld kB with 64 MiB touched", touched - before);
	TEST_ASSERT(touched - before >= 60 * 1024,
		    "memory.current grew by %ld kB, wanted at least 60 MiB", touched - before);
	guest_stop(&g);
	after = memcg_current_kb();
	ktap_info("memory.current: %+ld kB after the VM; MemFree %+ld kB", after - before,
		  meminfo_kb("MemFree") - free_before);
	TEST_ASSERT(after - before < 2 * 1024,
		    "memory.current is %ld kB up after the VM went", after - before);
}

/*
 * 4000 one-page slots with holes between them, the last with KVM's
 * highest id: a real-mode guest reads the 40 below 1 MiB and sees each
 * slot's own page.
 */
#define MANY_SLOTS	4000

static void test_thousands_of_slots(void)
{
	static const unsigned char code[] = {
		0xba, 0x00, 0x22,	/* mov dx, 0x2200 */
		0xb9, 0x28, 0x00,	/* mov cx, 40 */
		0x8e, 0xda,		/* 1: mov ds, dx */
		0xa0, 0x00, 0x00,	/* mov al, [0] */
		0xe6, 0x10,		/* out 0x10, al */
		0x81, 0xc2, 0x00, 0x02,	/* add dx, 0x200 */
		0xe2, 0xf3,		/* loop 1b */
		0xf4,			/* hlt */
	};
	unsigned char *pages;
	struct test_guest g;
	uint64_t t0, t1, t2;
	int i;

	guest_start_real_mode(&g, 0x10000, CODE_GPA, code, sizeof(code));
	pages = map_anon(MANY_SLOTS * PAGE, MAP_NORESERVE);
	t0 = now_ns();
	for (i = 1; i <= MANY_SLOTS; i++) {
		uint32_t id = i == MANY_SLOTS ? 32763 : i;
		uint64_t gpa = i <= 40 ? 0x20000 + i * 0x2000ull : 4 * GIB + i * 0x2000ull;

		pages[(i - 1) * PAGE] = i;
		ASSERT_EQ(0, vm_set_region(&g.vm, id, gpa, PAGE,
					   (uintptr_t)pages + (i - 1) * PAGE, 0));
	}
	t1 = now_ns();
	for (i = 1; i <= 40; i++) {
		vcpu_run(&g.vcpu);
		ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
		ASSERT_EQ(i, *(uint8_t *)vcpu_io_data(&g.vcpu));
	}
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	for (i = 1; i <= MANY_SLOTS; i++)
		ASSERT_EQ(0, vm_set_region(&g.vm, i == MANY_SLOTS ? 32763 : i, 0, 0, 0, 0));
	t2 = now_ns();
	ktap_info("%d slots: %llu us to create, %llu us to delete", MANY_SLOTS,
		  (unsigned long long)(t1 - t0) / 1000, (unsigned long long)(t2 - t1) / 1000);
	munmap(pages, MANY_SLOTS * PAGE);
	guest_stop(&g);
}

/* KVM_SET_USER_MEMORY_REGION2 (Linux 6.8), where the device offers it. */
static void test_region2(void)
{
	struct kvm_userspace_memory_region2 r = { .memory_size = PAGE };
	struct test_vm vm;
	void *mem;

	vm_create(&vm);
	if (dev_ioctl(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY2) <= 0) {
		vm_close(&vm);
		ktap_skip("no KVM_CAP_USER_MEMORY2");
	}
	mem = map_anon(PAGE, 0);
	r.userspace_addr = (uintptr_t)mem;
	r.flags = KVM_MEM_GUEST_MEMFD;	/* no guest_memfd here */
	ASSERT_EQ(-EINVAL, dev_ioctl(vm.fd, KVM_SET_USER_MEMORY_REGION2, (uintptr_t)&r));
	r.flags = 0;
	ASSERT_EQ(0, dev_ioctl(vm.fd, KVM_SET_USER_MEMORY_REGION2, (uintptr_t)&r));
	/* The old ioctl sees the same slot. */
	ASSERT_EQ(-EEXIST, vm_set_region(&vm, 1, 0, PAGE, (uintptr_t)mem, 0));
	r.memory_size = 0;
	ASSERT_EQ(0, dev_ioctl(vm.fd, KVM_SET_USER_MEMORY_REGION2, (uintptr_t)&r));
	munmap(mem, PAGE);
	vm_close(&vm);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_dontneed_gives_zeroes),
	KTAP_CASE(test_mprotect_readonly_write_efault),
	KTAP_CASE(test_munmap_then_remap),
	KTAP_CASE(test_fork_cow),
	KTAP_CASE(test_churn_with_vcpus),
	KTAP_CASE(test_large_slot_fast),
	KTAP_CASE(test_first_touch_and_no_leak),
	KTAP_CASE(test_thousands_of_slots),
	KTAP_CASE(test_region2),
};

int main(void)
{
	return ktap_run("memchurn", tests, KTAP_ARRAY_SIZE(tests));
}
