// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's own changes to guest memory reach the nested page tables
 * through the MMU notifier (issue 19): KSM merging two guest pages and
 * unmerging them on a write, THP collapse (MADV_COLLAPSE) and split
 * (mprotect of a 4 KiB page inside a 2 MiB leaf), swap-out (MADV_PAGEOUT
 * to zram) and migration (MADV_SOFT_OFFLINE moves a page; compaction).
 * Each is checked with the guest stopped between steps, and again while
 * a vCPU walks the memory writing a counter: a translation the notifier
 * did not zap shows as a guest write that user space never sees, a user
 * space write that the guest never sees, or a guest write that KVM_RUN
 * should have refused. memchurn.c and hugepages.c have MADV_DONTNEED,
 * mprotect, munmap and fork.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/swap.h>
#include <time.h>
#include <unistd.h>

#include "kvm_vm.h"
#include "l1vmm/kvm_uapi.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE		25
#endif
#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE	101
#endif

#define PAGE		4096ul
#define HUGE		(2ul << 20)
#define CODE_GPA	0x10000
#define DATA_GPA	0x400000	/* slot 1, 2 MiB aligned */
#define WALK_PAGES	512		/* the walker's 2 MiB */
#define CHURN_MS	1200		/* how long each walker test churns */

#define KSM_DIR		"/sys/kernel/mm/ksm/"
#define THP_ENABLED	"/sys/kernel/mm/transparent_hugepage/enabled"
#define ZRAM		"/dev/zram0"
#define ZRAM_SYS	"/sys/block/zram0"
/* Where scripts/vmrun puts zsmalloc.ko and zram.ko in the test guest. */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

/* A number from /proc/vmstat; 0 when the kernel has no such counter. */
static unsigned long vmstat_get(const char *name)
{
	FILE *f = fopen("/proc/vmstat", "r");
	unsigned long v = 0, n;
	char key[64];

	TEST_ASSERT(f, "/proc/vmstat: %s", ktap_errno_name(errno));
	while (fscanf(f, "%63s %lu", key, &n) == 2) {
		if (!strcmp(key, name)) {
			v = n;
			break;
		}
	}
	fclose(f);
	return v;
}

static bool read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = 0;
	return true;
}

static long read_long(const char *path)
{
	char buf[64];

	return read_file(path, buf, sizeof(buf)) ? strtol(buf, NULL, 0) : -1;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

static void write_long(const char *path, long v)
{
	char buf[32];
	int r;

	snprintf(buf, sizeof(buf), "%ld", v);
	r = write_str(path, buf);
	TEST_ASSERT(!r, "writing %s to %s: %s", buf, path, ktap_errno_name(-r));
}

/* /proc/self/pagemap's entry for @addr: bit 63 present, 62 swapped, 54:0 the PFN. */
static uint64_t pagemap_entry(const void *addr)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	uint64_t e = 0;

	TEST_ASSERT(fd >= 0, "/proc/self/pagemap: %s", ktap_errno_name(errno));
	ASSERT_EQ(8, pread(fd, &e, 8, (uintptr_t)addr / PAGE * 8));
	close(fd);
	return e;
}

#define PM_PRESENT	(1ull << 63)
#define PM_SWAPPED	(1ull << 62)
#define PM_PFN(e)	((e) & ((1ull << 55) - 1))

/* A field of /proc/self/smaps ("AnonHugePages", "Swap") for the mapping of @addr, in kB. */
static long smaps_kb(const void *addr, const char *field)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	size_t len = strlen(field);
	bool in = false;
	char line[256];
	long kb = -1;

	TEST_ASSERT(f, "/proc/self/smaps: %s", ktap_errno_name(errno));
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;

		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			in = (uintptr_t)addr >= start && (uintptr_t)addr < end;
			continue;
		}
		if (in && !strncmp(line, field, len) && line[len] == ':') {
			kb = strtol(line + len + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

/* @size bytes at a 2 MiB boundary; *@base and *@len are what to munmap. */
static unsigned char *map_aligned(size_t size, int advice, void **base, size_t *len)
{
	unsigned char *p, *mem;

	*len = size + HUGE;
	p = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(p != MAP_FAILED, "mmap: %s", ktap_errno_name(errno));
	*base = p;
	mem = (unsigned char *)(((uintptr_t)p + HUGE - 1) & ~(HUGE - 1));
	ASSERT_EQ(0, madvise(mem, size, advice));
	return mem;
}

static uint32_t *word(unsigned char *mem, unsigned long page)
{
	return (uint32_t *)(mem + page * PAGE);
}

/*
 * A guest that takes commands: IN 0x11 gives an offset into slot 1, bit
 * 31 set for a write. A read reports the 32-bit word there (OUT 0x10); a
 * write takes the value (IN 0x12), stores it and says so (OUT 0x13).
 */
GUEST_CODE(cmd_code, ".code64",
	"1: in $0x11, %eax\n\t"
	"mov %eax, %ebx\n\t"
	"and $0x7fffffff, %ebx\n\t"
	"test %eax, %eax\n\t"
	"js 2f\n\t"
	"mov 0x400000(%rbx), %eax\n\t"
	"out %eax, $0x10\n\t"
	"jmp 1b\n"
	"2: in $0x12, %eax\n\t"
	"mov %eax, 0x400000(%rbx)\n\t"
	"out %eax, $0x13\n\t"
	"jmp 1b");

/*
 * A guest that walks 512 pages, one counter value per page: at page
 * c % 512 it reads the value it wrote there 512 rounds before (c - 512),
 * writes c and reads it back; every 64 rounds it reports (OUT 0x10). A
 * read of anything else is reported as stale (OUT 0x11 with the value).
 * RCX holds c: user space fills page p with p and starts it at 511.
 */
GUEST_CODE(walk_code, ".code64",
	"1: inc %ecx\n\t"
	"mov %ecx, %eax\n\t"
	"and $511, %eax\n\t"
	"shl $12, %eax\n\t"
	"mov 0x400000(%rax), %ebx\n\t"
	"lea -512(%rcx), %edx\n\t"
	"cmp %edx, %ebx\n\t"
	"jne 8f\n\t"
	"mov %ecx, 0x400000(%rax)\n\t"
	"mov 0x400000(%rax), %ebx\n\t"
	"cmp %ecx, %ebx\n\t"
	"jne 8f\n\t"
	"test $63, %cl\n\t"
	"jne 1b\n\t"
	"out %eax, $0x10\n\t"
	"jmp 1b\n"
	"8: mov %ebx, %eax\n\t"
	"out %eax, $0x11\n\t"
	"jmp 8b");

/* Slot 0 (code, page tables) in small pages, so pages_2m counts slot 1 only. */
static void start(struct test_guest *g, const unsigned char *code, size_t len)
{
	guest_start_long_mode(g, HUGE, CODE_GPA, code, len);
	ASSERT_EQ(0, madvise(g->mem, g->mem_size, MADV_NOHUGEPAGE));
}

/* What the guest reads at @off in slot 1. */
static uint32_t g_read(struct test_guest *g, uint32_t off)
{
	vcpu_run(&g->vcpu);
	ASSERT_IO_EXIT(&g->vcpu, KVM_EXIT_IO_IN, 0x11, 4);
	*(uint32_t *)vcpu_io_data(&g->vcpu) = off;
	vcpu_run(&g->vcpu);
	ASSERT_IO_EXIT(&g->vcpu, KVM_EXIT_IO_OUT, 0x10, 4);
	return *(uint32_t *)vcpu_io_data(&g->vcpu);
}

/* Run the guest's pending store: KVM_RUN's result (0, or -errno: run it again). */
static long g_write_done(struct test_guest *g)
{
	long r = dev_ioctl(g->vcpu.fd, KVM_RUN, 0);

	if (r)
		return r;
	ASSERT_IO_EXIT(&g->vcpu, KVM_EXIT_IO_OUT, 0x13, 4);
	return 0;
}

/* The guest writes @v at @off in slot 1. */
static long g_write(struct test_guest *g, uint32_t off, uint32_t v)
{
	vcpu_run(&g->vcpu);
	ASSERT_IO_EXIT(&g->vcpu, KVM_EXIT_IO_IN, 0x11, 4);
	*(uint32_t *)vcpu_io_data(&g->vcpu) = off | 1u << 31;
	vcpu_run(&g->vcpu);
	ASSERT_IO_EXIT(&g->vcpu, KVM_EXIT_IO_IN, 0x12, 4);
	*(uint32_t *)vcpu_io_data(&g->vcpu) = v;
	return g_write_done(g);
}

/* The VM's pages_2m, or -1 where the device has no such statistic. */
static long pages_2m(struct test_guest *g)
{
	uint64_t v;

	return vm_stat(&g->vm, "pages_2m", &v) ? (long)v : -1;
}

/* --- the walker --------------------------------------------------------------------- */

struct walker {
	struct test_guest g;
	unsigned char *mem;
	void *base;
	size_t len;
	pthread_t thread;
	atomic_bool stop;
	atomic_ulong reports;	/* OUT 0x10: 64 rounds each */
	atomic_ulong efaults;	/* KVM_RUN refused a write to read-only memory */
	unsigned int pause_us;	/* the vCPU thread sleeps after each report */
	long error;		/* an errno from KVM_RUN, or 0 */
	bool stale;
	uint32_t stale_value;
};

static void *walker_thread(void *arg)
{
	struct walker *w = arg;
	struct test_vcpu *vcpu = &w->g.vcpu;

	for (;;) {
		long r = dev_ioctl(vcpu->fd, KVM_RUN, 0);

		if (r == -EFAULT) {
			atomic_fetch_add(&w->efaults, 1);
			continue;	/* read-only for now: retry */
		}
		if (r) {
			w->error = r;
			break;
		}
		if (vcpu->run->exit_reason != KVM_EXIT_IO) {
			w->error = -EINVAL;
			break;
		}
		if (vcpu->run->io.port == 0x11) {
			w->stale = true;
			w->stale_value = *(uint32_t *)vcpu_io_data(vcpu);
			break;
		}
		atomic_fetch_add(&w->reports, 1);
		/* Stop only here: every round up to RCX has written its page. */
		if (atomic_load(&w->stop))
			break;
		if (w->pause_us)
			usleep(w->pause_us);
	}
	return NULL;
}

/* Wait until the walker has reported @n more times; false if it stopped. */
static bool walker_wait(struct walker *w, unsigned long n)
{
	unsigned long until = atomic_load(&w->reports) + n;
	uint64_t end = now_ms() + 20000;

	while (atomic_load(&w->reports) < until) {
		if (w->error || w->stale || now_ms() > end)
			return false;
		usleep(1000);
	}
	return true;
}

/* 2 MiB for the walker, in small pages (@advice MADV_NOHUGEPAGE) or not. */
static void walker_start(struct walker *w, int advice)
{
	struct kvm_regs regs;
	unsigned long p;

	memset(w, 0, sizeof(*w));
	start(&w->g, walk_code, GUEST_CODE_SIZE(walk_code));
	w->mem = map_aligned(HUGE, advice, &w->base, &w->len);
	for (p = 0; p < WALK_PAGES; p++)
		*word(w->mem, p) = p;
	ASSERT_EQ(0, vm_set_region(&w->g.vm, 1, DATA_GPA, HUGE, (uintptr_t)w->mem, 0));
	ASSERT_IOCTL_OK(w->g.vcpu.fd, KVM_GET_REGS, &regs);
	regs.rcx = WALK_PAGES - 1;
	ASSERT_IOCTL_OK(w->g.vcpu.fd, KVM_SET_REGS, &regs);
	ASSERT_EQ(0, pthread_create(&w->thread, NULL, walker_thread, w));
	/* Two laps: every page mapped for writing before the churn starts. */
	TEST_ASSERT(walker_wait(w, 2 * WALK_PAGES / 64), "the walker did not get going");
}

/*
 * Stop the walker and check it: no stale read, and in memory, as user
 * space sees it, what the walker wrote last at each page.
 */
static void walker_stop(struct walker *w)
{
	unsigned long p, wrong = 0, first = 0;
	struct kvm_regs regs;
	uint32_t c;

	atomic_store(&w->stop, true);
	ASSERT_EQ(0, pthread_join(w->thread, NULL));
	ASSERT_IOCTL_OK(w->g.vcpu.fd, KVM_GET_REGS, &regs);
	c = regs.rcx;
	ktap_info("walker: %u rounds, %lu refused writes", c - (WALK_PAGES - 1),
		  (unsigned long)atomic_load(&w->efaults));
	TEST_ASSERT(!w->stale, "the guest read %#x at page %u, not %#x: a stale translation",
		    w->stale_value, c % WALK_PAGES, c - WALK_PAGES);
	TEST_ASSERT(!w->error, "KVM_RUN: %s", ktap_errno_name((int)-w->error));
	for (p = 0; p < WALK_PAGES; p++) {
		uint32_t want = c - ((c - p) & (WALK_PAGES - 1));

		if (*word(w->mem, p) != want && !wrong++)
			first = p;
	}
	TEST_ASSERT(!wrong, "%lu pages lost the guest's last write: page %lu has %#x, not %#x",
		    wrong, first, *word(w->mem, first),
		    c - ((c - (uint32_t)first) & (WALK_PAGES - 1)));
	guest_stop(&w->g);
	munmap(w->base, w->len);
}

/* --- KSM ---------------------------------------------------------------------------- */

struct ksm_saved {
	long run, pages_to_scan, sleep_millisecs;
};

static void ksm_restore(const struct ksm_saved *s)
{
	write_long(KSM_DIR "run", s->run);
	write_long(KSM_DIR "pages_to_scan", s->pages_to_scan);
	write_long(KSM_DIR "sleep_millisecs", s->sleep_millisecs);
}

/* KSM on, scanning every 10 ms; the old settings in @s. */
static void ksm_start(struct ksm_saved *s)
{
	s->run = read_long(KSM_DIR "run");
	s->pages_to_scan = read_long(KSM_DIR "pages_to_scan");
	s->sleep_millisecs = read_long(KSM_DIR "sleep_millisecs");
	write_long(KSM_DIR "pages_to_scan", 1000);
	write_long(KSM_DIR "sleep_millisecs", 10);
	write_long(KSM_DIR "run", 1);
}

/* Two pages of the same contents, KSM-mergeable, as slot 1. */
static unsigned char *ksm_pages(struct test_guest *g)
{
	unsigned char *mem;
	unsigned int i;

	mem = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap: %s", ktap_errno_name(errno));
	ASSERT_EQ(0, madvise(mem, 2 * PAGE, MADV_NOHUGEPAGE));
	for (i = 0; i < PAGE / 4; i++)
		((uint32_t *)mem)[i] = ((uint32_t *)(mem + PAGE))[i] = 0x5a5a0000 + i;
	ASSERT_EQ(0, madvise(mem, 2 * PAGE, MADV_MERGEABLE));
	ASSERT_EQ(0, vm_set_region(&g->vm, 1, DATA_GPA, 2 * PAGE, (uintptr_t)mem, 0));
	return mem;
}

/*
 * Two guest pages with the same contents, both mapped writable for the
 * guest, are merged by KSM into one write-protected page: the guest reads
 * the same data; its write to one copies it (and only that one); user
 * space's write to the other copies that one, and the guest sees it.
 */
static void test_ksm_merge_unmerge(void)
{
	const uint32_t a = 0, b = PAGE;	/* the two pages' offsets in slot 1 */
	struct ksm_saved saved;
	struct test_guest g;
	uint64_t t0, pfn_a, pfn_b;
	unsigned char *mem;
	long sharing = 0;

	if (access(KSM_DIR "run", W_OK))
		ktap_skip("no KSM in this kernel (%s: %s)", KSM_DIR "run",
			  ktap_errno_name(errno));
	start(&g, cmd_code, GUEST_CODE_SIZE(cmd_code));
	mem = ksm_pages(&g);

	/* The guest maps both pages writable; the contents stay the same. */
	ASSERT_EQ(0x5a5a0000, g_read(&g, a));
	ASSERT_EQ(0x5a5a0000, g_read(&g, b));
	ASSERT_EQ(0, g_write(&g, a + 16, 0x5a5a0004));
	ASSERT_EQ(0, g_write(&g, b + 16, 0x5a5a0004));
	TEST_ASSERT(PM_PFN(pagemap_entry(mem)) != PM_PFN(pagemap_entry(mem + PAGE)) ||
		    !PM_PFN(pagemap_entry(mem)), "the pages are one before KSM ran");

	ksm_start(&saved);
	t0 = now_ms();
	do {
		usleep(10000);
		pfn_a = PM_PFN(pagemap_entry(mem));
		pfn_b = PM_PFN(pagemap_entry(mem + PAGE));
		sharing = read_long(KSM_DIR "pages_sharing");
	} while (!(sharing > 0 && pfn_a == pfn_b) && now_ms() - t0 < 15000);
	/* Stop KSM: nothing merges again behind the test's back. */
	ksm_restore(&saved);
	ktap_info("KSM: pages_sharing %ld after %llu ms, PFNs %#llx %#llx", sharing,
		  (unsigned long long)(now_ms() - t0), (unsigned long long)pfn_a,
		  (unsigned long long)pfn_b);
	TEST_ASSERT(sharing > 0 && pfn_a == pfn_b, "KSM did not merge the two pages in 15 s");

	/* One page behind both now: the guest reads it through both. */
	ASSERT_EQ(0x5a5a0000, g_read(&g, a));
	ASSERT_EQ(0x5a5a0004, g_read(&g, b + 16));
	ASSERT_EQ(0x5a5a0000 + 999, g_read(&g, b + 999 * 4));
	ASSERT_EQ(0x5a5a0000 + 999, g_read(&g, a + 999 * 4));

	/* The guest's write unmerges its page only. */
	ASSERT_EQ(0, g_write(&g, a, 0xaaaa));
	ASSERT_EQ(0xaaaa, *(uint32_t *)mem);
	ASSERT_EQ(0x5a5a0000, *(uint32_t *)(mem + PAGE));
	ASSERT_EQ(0x5a5a0000, g_read(&g, b));
	ASSERT_EQ(0xaaaa, g_read(&g, a));
	TEST_ASSERT(PM_PFN(pagemap_entry(mem)) != PM_PFN(pagemap_entry(mem + PAGE)),
		    "one page behind both after the guest's write");

	/* User space's write unmerges the other; the guest sees it. */
	*(uint32_t *)(mem + PAGE + 8) = 0xbbbb;
	ASSERT_EQ(0xbbbb, g_read(&g, b + 8));
	ASSERT_EQ(0x5a5a0002, g_read(&g, a + 8));
	ASSERT_EQ(0, g_write(&g, b + 12, 0xcccc));
	ASSERT_EQ(0xcccc, *(uint32_t *)(mem + PAGE + 12));
	ASSERT_EQ(0x5a5a0003, *(uint32_t *)(mem + 12));
	guest_stop(&g);
	munmap(mem, 2 * PAGE);
}

/*
 * A guest that keeps writing the first word of page A (slot 1) away from
 * what page B holds and back, checking both each time (OUT 0x11 with the
 * value read when one is wrong), then waits with the two pages equal, for
 * KSM to merge them; every 16 times it reports (OUT 0x10).
 */
GUEST_CODE(ksm_loop_code, ".code64",
	"1: movl $0x77777777, 0x400000\n\t"
	"mov 0x400000, %eax\n\t"
	"cmp $0x77777777, %eax\n\t"
	"jne 8f\n\t"
	"mov 0x401000, %eax\n\t"
	"cmp $0x5a5a0000, %eax\n\t"
	"jne 8f\n\t"
	"movl $0x5a5a0000, 0x400000\n\t"
	"mov 0x400000, %eax\n\t"
	"cmp $0x5a5a0000, %eax\n\t"
	"jne 8f\n\t"
	"mov $20000, %ecx\n"
	"2: loop 2b\n\t"
	"inc %edx\n\t"
	"test $15, %dl\n\t"
	"jne 1b\n\t"
	"out %eax, $0x10\n\t"
	"jmp 1b\n"
	"8: out %eax, $0x11\n\t"
	"jmp 8b");

#define KSM_LOOP_GPA	(CODE_GPA + 0x1000)

/*
 * KSM merges the two pages while a vCPU keeps unmerging them with its
 * writes: the guest never sees its write in the other page, nor an old
 * value in its own. Then the two still go their own ways.
 */
static void test_ksm_churn(void)
{
	unsigned long merges = 0, samples = 0;
	struct ksm_saved saved;
	struct kvm_regs regs;
	bool merged = false;
	unsigned char *mem;
	struct walker w;
	uint64_t t0;

	if (access(KSM_DIR "run", W_OK))
		ktap_skip("no KSM in this kernel (%s: %s)", KSM_DIR "run",
			  ktap_errno_name(errno));
	memset(&w, 0, sizeof(w));
	start(&w.g, cmd_code, GUEST_CODE_SIZE(cmd_code));
	memcpy(w.g.mem + KSM_LOOP_GPA, ksm_loop_code, GUEST_CODE_SIZE(ksm_loop_code));
	mem = ksm_pages(&w.g);
	ASSERT_IOCTL_OK(w.g.vcpu.fd, KVM_GET_REGS, &regs);
	regs.rip = KSM_LOOP_GPA;
	ASSERT_IOCTL_OK(w.g.vcpu.fd, KVM_SET_REGS, &regs);
	ASSERT_EQ(0, pthread_create(&w.thread, NULL, walker_thread, &w));
	TEST_ASSERT(walker_wait(&w, 2), "the guest did not get going");

	/*
	 * KSM merges a page only after its checksum held across two scans,
	 * and the guest changes page A between its waits: on a loaded machine
	 * that takes seconds. The loop ends at the fifth merge.
	 */
	ksm_start(&saved);
	t0 = now_ms();
	while (now_ms() - t0 < 15000 && merges < 5 && !w.stale && !w.error) {
		uint64_t pfn = PM_PFN(pagemap_entry(mem));
		bool m = pfn && pfn == PM_PFN(pagemap_entry(mem + PAGE));

		merges += m && !merged;
		merged = m;
		samples++;
		usleep(1000);
	}
	ksm_restore(&saved);
	atomic_store(&w.stop, true);
	ASSERT_EQ(0, pthread_join(w.thread, NULL));
	ktap_info("%lu merges seen in %llu ms (%lu samples), %lu x 16 guest rounds", merges,
		  (unsigned long long)(now_ms() - t0), samples,
		  (unsigned long)atomic_load(&w.reports));
	TEST_ASSERT(!w.stale, "the guest read %#x", w.stale_value);
	TEST_ASSERT(!w.error, "KVM_RUN: %s", ktap_errno_name((int)-w.error));
	TEST_ASSERT(merges, "KSM merged nothing in 15 s");

	/* Stopped after its report, pages equal: on to the command loop. */
	ASSERT_EQ(0x5a5a0000, *(uint32_t *)mem);
	ASSERT_IOCTL_OK(w.g.vcpu.fd, KVM_GET_REGS, &regs);
	regs.rip = CODE_GPA;
	ASSERT_IOCTL_OK(w.g.vcpu.fd, KVM_SET_REGS, &regs);
	*(uint32_t *)(mem + PAGE + 12) = 0xb3;
	ASSERT_EQ(0xb3, g_read(&w.g, PAGE + 12));
	ASSERT_EQ(0x5a5a0003, g_read(&w.g, 12));
	ASSERT_EQ(0, g_write(&w.g, 16, 0xa4));
	ASSERT_EQ(0xa4, *(uint32_t *)(mem + 16));
	ASSERT_EQ(0x5a5a0004, *(uint32_t *)(mem + PAGE + 16));
	ASSERT_EQ(0x5a5a0004, g_read(&w.g, PAGE + 16));
	guest_stop(&w.g);
	munmap(mem, 2 * PAGE);
}

/* --- THP collapse and split ------------------------------------------------------------ */

static void need_thp(void)
{
	char buf[128];

	if (!read_file(THP_ENABLED, buf, sizeof(buf)))
		ktap_skip("no transparent huge pages in this kernel (%s)", THP_ENABLED);
	if (strstr(buf, "[never]"))
		ktap_skip("transparent huge pages are off (%s: never)", THP_ENABLED);
}

/* MADV_COLLAPSE, retried while it is busy: 0 or -errno. */
static int collapse(unsigned char *mem)
{
	int i, r = 0;

	for (i = 0; i < 10; i++) {
		r = madvise(mem, HUGE, MADV_COLLAPSE) ? -errno : 0;
		if (r != -EAGAIN)
			break;
		usleep(1000);
	}
	return r;
}

/*
 * 2 MiB in 4 KiB pages, mapped 4 KiB by the guest, collapsed into one
 * huge page by MADV_COLLAPSE (copied to a new page): the guest reads the
 * same data, its writes land where user space reads, user space's writes
 * reach it, and it maps the huge page with a 2 MiB leaf.
 */
static void test_thp_collapse(void)
{
	unsigned long alloc0, p;
	uint64_t pfn0, pfn;
	struct test_guest g;
	unsigned char *mem;
	void *base;
	size_t len;
	int r;

	need_thp();
	start(&g, cmd_code, GUEST_CODE_SIZE(cmd_code));
	mem = map_aligned(HUGE, MADV_NOHUGEPAGE, &base, &len);
	for (p = 0; p < WALK_PAGES; p++)
		*word(mem, p) = p + 1;
	ASSERT_EQ(0, smaps_kb(mem, "AnonHugePages"));
	ASSERT_EQ(0, vm_set_region(&g.vm, 1, DATA_GPA, HUGE, (uintptr_t)mem, 0));
	for (p = 0; p < 16; p++)
		ASSERT_EQ(p + 1, g_read(&g, p * PAGE));
	ASSERT_EQ(512, g_read(&g, 511 * PAGE));
	ASSERT_EQ(0, g_write(&g, 7 * PAGE, 0x777));
	ASSERT_EQ(0x777, *word(mem, 7));
	ASSERT_EQ(0, g_write(&g, 300 * PAGE, 0x300));
	TEST_ASSERT(pages_2m(&g) <= 0, "pages_2m %ld with small pages behind", pages_2m(&g));

	pfn0 = PM_PFN(pagemap_entry(mem));
	alloc0 = vmstat_get("thp_collapse_alloc");
	ASSERT_EQ(0, madvise(mem, HUGE, MADV_HUGEPAGE));
	r = collapse(mem);
	if (r == -EINVAL) {
		guest_stop(&g);
		munmap(base, len);
		ktap_skip("no MADV_COLLAPSE (Linux 6.1 has it)");
	}
	TEST_ASSERT(!r, "MADV_COLLAPSE: %s", ktap_errno_name(-r));
	pfn = PM_PFN(pagemap_entry(mem));
	ktap_info("collapsed: AnonHugePages %ld kB, thp_collapse_alloc +%lu, PFN %#llx -> %#llx",
		  smaps_kb(mem, "AnonHugePages"), vmstat_get("thp_collapse_alloc") - alloc0,
		  (unsigned long long)pfn0, (unsigned long long)pfn);
	ASSERT_EQ(2048, smaps_kb(mem, "AnonHugePages"));
	TEST_ASSERT(pfn != pfn0 && !(pfn & 511), "PFN %#llx -> %#llx: not a new huge page",
		    (unsigned long long)pfn0, (unsigned long long)pfn);

	/* The guest's old 4 KiB translations are gone: it sees the copy. */
	for (p = 0; p < 16; p++)
		ASSERT_EQ(p == 7 ? 0x777 : p + 1, g_read(&g, p * PAGE));
	ASSERT_EQ(0x300, g_read(&g, 300 * PAGE));
	ASSERT_EQ(512, g_read(&g, 511 * PAGE));
	ASSERT_EQ(0, g_write(&g, 3 * PAGE, 0x333));
	ASSERT_EQ(0x333, *word(mem, 3));
	ASSERT_EQ(0, g_write(&g, 300 * PAGE + 4, 0x301));
	ASSERT_EQ(0x301, *(uint32_t *)(mem + 300 * PAGE + 4));
	*word(mem, 5) = 0x555;
	ASSERT_EQ(0x555, g_read(&g, 5 * PAGE));
	*word(mem, 400) = 0x400;
	ASSERT_EQ(0x400, g_read(&g, 400 * PAGE));
	ktap_info("pages_2m after the collapse: %ld", pages_2m(&g));
	TEST_ASSERT(pages_2m(&g) == 1 || pages_2m(&g) == -1,
		    "pages_2m %ld: wanted the huge page as one 2 MiB leaf", pages_2m(&g));
	guest_stop(&g);
	munmap(base, len);
}

/*
 * A huge page the guest maps with a writable 2 MiB leaf; mprotect makes
 * one 4 KiB page of it read-only (splitting the VMM's huge mapping): the
 * guest reads that page, writes the others, and a write to it fails
 * (EFAULT) until user space makes it writable again. Then MADV_DONTNEED
 * of one page: zeroes there only.
 */
static void test_thp_split_mprotect(void)
{
	unsigned long split0, p;
	struct test_guest g;
	unsigned char *mem;
	void *base;
	size_t len;
	long kb;

	need_thp();
	start(&g, cmd_code, GUEST_CODE_SIZE(cmd_code));
	mem = map_aligned(HUGE, MADV_HUGEPAGE, &base, &len);
	for (p = 0; p < WALK_PAGES; p++)
		*word(mem, p) = p + 1;
	kb = smaps_kb(mem, "AnonHugePages");
	if (kb < 2048) {
		guest_stop(&g);
		munmap(base, len);
		ktap_skip("no huge page behind the memory (AnonHugePages %ld kB)", kb);
	}
	ASSERT_EQ(0, vm_set_region(&g.vm, 1, DATA_GPA, HUGE, (uintptr_t)mem, 0));
	ASSERT_EQ(1, g_read(&g, 0));
	ASSERT_EQ(0, g_write(&g, 9 * PAGE, 0x999));
	ASSERT_EQ(0x999, *word(mem, 9));
	TEST_ASSERT(pages_2m(&g) == 1 || pages_2m(&g) == -1, "pages_2m %ld, wanted 1",
		    pages_2m(&g));

	split0 = vmstat_get("thp_split_pmd");
	ASSERT_EQ(0, mprotect(mem + 9 * PAGE, PAGE, PROT_READ));
	ktap_info("mprotect of one page: thp_split_pmd +%lu, AnonHugePages %ld kB",
		  vmstat_get("thp_split_pmd") - split0, smaps_kb(mem, "AnonHugePages"));
	TEST_ASSERT(vmstat_get("thp_split_pmd") > split0, "mprotect did not split the huge mapping");
	ASSERT_EQ(0x999, g_read(&g, 9 * PAGE));
	ASSERT_EQ(0, g_write(&g, 10 * PAGE, 0xaaa));
	ASSERT_EQ(0xaaa, *word(mem, 10));
	ASSERT_EQ(0, g_write(&g, 8 * PAGE, 0x888));
	ASSERT_EQ(0x888, *word(mem, 8));
	ASSERT_EQ(512, g_read(&g, 511 * PAGE));
	/* The old writable 2 MiB leaf would let this through. */
	ASSERT_EQ(-EFAULT, g_write(&g, 9 * PAGE, 0x9999));
	ASSERT_EQ(-EFAULT, g_write_done(&g));
	ASSERT_EQ(0x999, *word(mem, 9));
	ASSERT_EQ(0, mprotect(mem + 9 * PAGE, PAGE, PROT_READ | PROT_WRITE));
	ASSERT_EQ(0, g_write_done(&g));
	ASSERT_EQ(0x9999, *word(mem, 9));

	ASSERT_EQ(0, madvise(mem + 20 * PAGE, PAGE, MADV_DONTNEED));
	ASSERT_EQ(0, g_read(&g, 20 * PAGE));
	ASSERT_EQ(20, g_read(&g, 19 * PAGE));
	ASSERT_EQ(22, g_read(&g, 21 * PAGE));
	ASSERT_EQ(0xaaa, g_read(&g, 10 * PAGE));
	ASSERT_EQ(0x9999, g_read(&g, 9 * PAGE));
	ASSERT_EQ(0, g_write(&g, 20 * PAGE, 0x2020));
	ASSERT_EQ(0x2020, *word(mem, 20));
	guest_stop(&g);
	munmap(base, len);
}

/*
 * The walker runs while its 2 MiB is collapsed into a huge page, the
 * huge mapping split by mprotect of one page, collapsed again, ...
 */
static void test_thp_churn_walker(void)
{
	unsigned long collapsed = 0, busy = 0, rounds = 0, split0, alloc0, k = 0;
	bool have_collapse = true;
	struct walker w;
	uint64_t end;

	need_thp();
	walker_start(&w, MADV_NOHUGEPAGE);
	split0 = vmstat_get("thp_split_pmd");
	alloc0 = vmstat_get("thp_collapse_alloc");
	ASSERT_EQ(0, madvise(w.mem, HUGE, MADV_HUGEPAGE));
	end = now_ms() + CHURN_MS;
	while (now_ms() < end) {
		int r = have_collapse ? collapse(w.mem) : -EINVAL;

		if (!r)
			collapsed++;
		else if (r == -EINVAL)
			have_collapse = false;
		else
			busy++;
		usleep(20000);
		k = (k + 37) % WALK_PAGES;
		ASSERT_EQ(0, mprotect(w.mem + k * PAGE, PAGE, PROT_READ));
		usleep(5000);
		ASSERT_EQ(0, mprotect(w.mem + k * PAGE, PAGE, PROT_READ | PROT_WRITE));
		usleep(20000);
		rounds++;
	}
	ktap_info("%lu rounds: %lu collapses (%lu busy), thp_collapse_alloc +%lu, thp_split_pmd +%lu%s",
		  rounds, collapsed, busy,
		  vmstat_get("thp_collapse_alloc") - alloc0, vmstat_get("thp_split_pmd") - split0,
		  have_collapse ? "" : " (no MADV_COLLAPSE)");
	walker_stop(&w);
	TEST_ASSERT(!have_collapse || collapsed, "no MADV_COLLAPSE succeeded");
}

/* --- swap-out ----------------------------------------------------------------------- */

static bool zram_swap_on(void)
{
	char buf[4096];

	return read_file("/proc/swaps", buf, sizeof(buf)) && strstr(buf, ZRAM);
}

/* Swap on zram: NULL when it is on, else why it cannot be. */
static const char *swap_setup(void)
{
	static char why[160];
	int r;

	if (zram_swap_on())
		return NULL;
	if (access(ZRAM_SYS, F_OK)) {
		r = module_load(EXTRA_MODULES "zsmalloc.ko", "");
		if (r && r != -EEXIST && r != -ENOENT) {
			snprintf(why, sizeof(why), "loading zsmalloc.ko: %s", ktap_errno_name(-r));
			return why;
		}
		r = module_load(EXTRA_MODULES "zram.ko", "num_devices=1");
		if (r == -ENOENT && system("modprobe zram num_devices=1 >/dev/null 2>&1"))
			return "no zram module (" EXTRA_MODULES "zram.ko, modprobe zram)";
		if (r && r != -EEXIST && r != -ENOENT) {
			snprintf(why, sizeof(why), "loading zram.ko: %s", ktap_errno_name(-r));
			return why;
		}
	}
	if (access(ZRAM_SYS, F_OK))
		return "no " ZRAM_SYS " after loading zram";
	if (read_long(ZRAM_SYS "/disksize") <= 0) {
		r = write_str(ZRAM_SYS "/disksize", "32M");
		if (r) {
			snprintf(why, sizeof(why), "zram disksize: %s", ktap_errno_name(-r));
			return why;
		}
	}
	if (system("mkswap " ZRAM " >/dev/null 2>&1"))
		return "mkswap " ZRAM " failed";
	if (swapon(ZRAM, 0)) {
		snprintf(why, sizeof(why), "swapon " ZRAM ": %s", ktap_errno_name(errno));
		return why;
	}
	return NULL;
}

/*
 * Stay on this CPU: MADV_PAGEOUT drains only this CPU's batches of pages
 * on their way to the LRU lists (new pages, and the ones an earlier call
 * kept), and takes no page still in another CPU's.
 */
static void stay_on_this_cpu(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(sched_getcpu(), &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
}

static void swap_teardown(void)
{
	TEST_ASSERT(!swapoff(ZRAM), "swapoff " ZRAM ": %s", ktap_errno_name(errno));
}

/* How many of @n pages at @mem are out in swap. */
static unsigned long swapped(unsigned char *mem, unsigned long n)
{
	unsigned long p, out = 0;

	for (p = 0; p < n; p++)
		out += !!(pagemap_entry(mem + p * PAGE) & PM_SWAPPED);
	return out;
}

/*
 * MADV_PAGEOUT until the first @n pages at @mem are all out in swap: the
 * first call keeps what the guest used since it last looked (the nested
 * accessed bits, as KVM's page aging) and clears that; the next takes it.
 */
static unsigned int page_out(unsigned char *mem, size_t size, unsigned long n)
{
	unsigned int calls = 0;

	do {
		ASSERT_EQ(0, madvise(mem, size, MADV_PAGEOUT));
	} while (++calls < 4 && swapped(mem, n) < n);
	TEST_ASSERT(swapped(mem, n) == n, "%lu of %lu pages out after %u MADV_PAGEOUTs",
		    swapped(mem, n), n, calls);
	return calls;
}

/*
 * Pages the guest wrote (mapped writable) and read go out to swap
 * (MADV_PAGEOUT; reclaim first skips them while the guest's nested
 * accessed bits say it used them): the guest reads them back, its writes
 * after that land in the pages user space reads, and user space's in the
 * guest's view.
 */
static void test_swap_out(void)
{
	const unsigned long n = 64;
	unsigned long p, pswpout0;
	struct test_guest g;
	unsigned char *mem;
	const char *why;
	void *base;
	size_t len;

	why = swap_setup();
	if (why)
		ktap_skip("no swap: %s", why);
	stay_on_this_cpu();
	start(&g, cmd_code, GUEST_CODE_SIZE(cmd_code));
	mem = map_aligned(n * PAGE, MADV_NOHUGEPAGE, &base, &len);
	for (p = 0; p < n; p++)
		*word(mem, p) = p + 1;
	ASSERT_EQ(0, vm_set_region(&g.vm, 1, DATA_GPA, n * PAGE, (uintptr_t)mem, 0));
	for (p = 0; p < 8; p++)
		ASSERT_EQ(0, g_write(&g, p * PAGE, 0x1000 + p));
	for (p = 8; p < 16; p++)
		ASSERT_EQ(p + 1, g_read(&g, p * PAGE));

	/* What the guest just used stays; the rest goes. */
	pswpout0 = vmstat_get("pswpout");
	ASSERT_EQ(0, madvise(mem, n * PAGE, MADV_PAGEOUT));
	ktap_info("MADV_PAGEOUT: in swap %lu of the guest's 16 pages, %lu of the other %lu",
		  swapped(mem, 16), swapped(mem + 16 * PAGE, n - 16), n - 16);
	ktap_info("smaps Swap %ld kB, pswpout +%lu", smaps_kb(mem, "Swap"),
		  vmstat_get("pswpout") - pswpout0);
	ASSERT_EQ(n - 16, swapped(mem + 16 * PAGE, n - 16));
	ASSERT_EQ(0, swapped(mem, 16));
	/* The guest has not used them since: now they go. */
	ASSERT_EQ(0, madvise(mem, n * PAGE, MADV_PAGEOUT));
	ASSERT_EQ(16, swapped(mem, 16));

	for (p = 0; p < 16; p++)
		ASSERT_EQ(p < 8 ? 0x1000 + p : p + 1, g_read(&g, p * PAGE));
	ASSERT_EQ(0, g_write(&g, 2 * PAGE, 0x2222));
	ASSERT_EQ(0x2222, *word(mem, 2));
	*word(mem, 9) = 0x9999;
	ASSERT_EQ(0x9999, g_read(&g, 9 * PAGE));

	/* Out again, then a write before any read. */
	page_out(mem, n * PAGE, 16);
	ASSERT_EQ(0, g_write(&g, 4 * PAGE, 0x4444));
	ASSERT_EQ(0x4444, *word(mem, 4));
	ASSERT_EQ(0x9999, g_read(&g, 9 * PAGE));
	ASSERT_EQ(0x2222, g_read(&g, 2 * PAGE));
	ASSERT_EQ(0x1005, g_read(&g, 5 * PAGE));
	ASSERT_EQ(40, g_read(&g, 39 * PAGE));
	guest_stop(&g);
	munmap(base, len);
	swap_teardown();
}

/* The walker runs while its memory keeps going out to swap. */
static void test_swap_walker(void)
{
	unsigned long pageouts = 0, pswpout0, pswpin0;
	struct walker w;
	const char *why;
	uint64_t end;

	/* Measured on l1vmm and kvm-intel alike: 34 MADV_PAGEOUTs, pswpout +0. */
	if (l1_guest_is("bochs-intel"))
		ktap_skip("under Bochs the walker keeps every page young: none goes out, on KVM too");
	why = swap_setup();
	if (why)
		ktap_skip("no swap: %s", why);
	/*
	 * A lap of 2 MiB takes the walker some 25 ms: what it has not used
	 * since the last MADV_PAGEOUT goes out, and comes back as it does.
	 */
	walker_start(&w, MADV_NOHUGEPAGE);
	w.pause_us = 3000;
	pswpout0 = vmstat_get("pswpout");
	pswpin0 = vmstat_get("pswpin");
	end = now_ms() + CHURN_MS;
	while (now_ms() < end) {
		ASSERT_EQ(0, madvise(w.mem, HUGE, MADV_PAGEOUT));
		pageouts++;
		usleep(10000);
	}
	ktap_info("%lu MADV_PAGEOUTs: pswpout +%lu, pswpin +%lu", pageouts,
		  vmstat_get("pswpout") - pswpout0, vmstat_get("pswpin") - pswpin0);
	TEST_ASSERT(vmstat_get("pswpout") > pswpout0, "nothing went out to swap");
	walker_stop(&w);
	swap_teardown();
}

/* --- migration ---------------------------------------------------------------------- */

/* Soft-offline (migrate) the page at @addr: 0, or why not as a skip reason. */
static const char *soft_offline(void *addr)
{
	static char why[96];

	if (!madvise(addr, PAGE, MADV_SOFT_OFFLINE))
		return NULL;
	snprintf(why, sizeof(why), "MADV_SOFT_OFFLINE: %s", ktap_errno_name(errno));
	return why;
}

/*
 * MADV_SOFT_OFFLINE migrates a page to a new one (on any number of NUMA
 * nodes): two pages of a huge page the guest maps as a 2 MiB leaf (the
 * huge page is split first), and a 4 KiB one. The guest reads the same
 * data, and writes after the move land in the new pages.
 */
static void test_migrate(void)
{
	static const unsigned long moved[] = { 3, 300, 512 + 7 };
	unsigned long mig0, split0, p;
	uint64_t pfn[3];
	struct test_guest g;
	unsigned char *mem;
	const char *why;
	unsigned int i;
	void *base;
	size_t len;

	start(&g, cmd_code, GUEST_CODE_SIZE(cmd_code));
	/* The first 2 MiB huge where THP is on, the second in small pages. */
	mem = map_aligned(2 * HUGE, MADV_HUGEPAGE, &base, &len);
	ASSERT_EQ(0, madvise(mem + HUGE, HUGE, MADV_NOHUGEPAGE));
	for (p = 0; p < 2 * WALK_PAGES; p++)
		*word(mem, p) = p + 1;
	ASSERT_EQ(0, vm_set_region(&g.vm, 1, DATA_GPA, 2 * HUGE, (uintptr_t)mem, 0));
	ktap_info("AnonHugePages %ld kB", smaps_kb(mem, "AnonHugePages"));
	for (i = 0; i < KTAP_ARRAY_SIZE(moved); i++) {
		ASSERT_EQ(0, g_write(&g, moved[i] * PAGE, 0x1000 + i));
		ASSERT_EQ(moved[i] + 2, g_read(&g, (moved[i] + 1) * PAGE));
		pfn[i] = PM_PFN(pagemap_entry(mem + moved[i] * PAGE));
	}
	ktap_info("pages_2m before: %ld", pages_2m(&g));

	mig0 = vmstat_get("pgmigrate_success");
	split0 = vmstat_get("thp_split_page");
	for (i = 0; i < KTAP_ARRAY_SIZE(moved); i++) {
		why = soft_offline(mem + moved[i] * PAGE);
		if (why) {
			guest_stop(&g);
			munmap(base, len);
			ktap_skip("cannot migrate a page: %s", why);
		}
	}
	ktap_info("soft offline: pgmigrate_success +%lu, thp_split_page +%lu",
		  vmstat_get("pgmigrate_success") - mig0, vmstat_get("thp_split_page") - split0);
	for (i = 0; i < KTAP_ARRAY_SIZE(moved); i++) {
		uint64_t now = PM_PFN(pagemap_entry(mem + moved[i] * PAGE));

		TEST_ASSERT(!pfn[i] || now != pfn[i], "page %lu is still at PFN %#llx",
			    moved[i], (unsigned long long)now);
	}
	TEST_ASSERT(vmstat_get("pgmigrate_success") - mig0 >= KTAP_ARRAY_SIZE(moved),
		    "pgmigrate_success +%lu", vmstat_get("pgmigrate_success") - mig0);

	for (i = 0; i < KTAP_ARRAY_SIZE(moved); i++) {
		unsigned long m = moved[i];

		ASSERT_EQ(0x1000 + i, g_read(&g, m * PAGE));
		ASSERT_EQ(m, g_read(&g, (m - 1) * PAGE));
		ASSERT_EQ(0, g_write(&g, m * PAGE + 4, 0x2000 + i));
		ASSERT_EQ(0x2000 + i, *(uint32_t *)(mem + m * PAGE + 4));
		*(uint32_t *)(mem + m * PAGE + 8) = 0x3000 + i;
		ASSERT_EQ(0x3000 + i, g_read(&g, m * PAGE + 8));
	}
	ASSERT_EQ(512, g_read(&g, 511 * PAGE));
	guest_stop(&g);
	munmap(base, len);
}

/*
 * The walker runs while its pages are migrated one by one (soft offline),
 * and while the kernel compacts memory.
 */
static void test_migrate_walker(void)
{
	unsigned long mig0, moved = 0, k = 0;
	struct walker w;
	const char *why;
	uint64_t end;

	walker_start(&w, MADV_NOHUGEPAGE);
	mig0 = vmstat_get("pgmigrate_success");
	if (!access("/proc/sys/vm/compact_memory", W_OK))
		write_long("/proc/sys/vm/compact_memory", 1);
	ktap_info("compaction: pgmigrate_success +%lu", vmstat_get("pgmigrate_success") - mig0);
	end = now_ms() + CHURN_MS;
	while (now_ms() < end && moved < 48) {
		k = (k + 97) % WALK_PAGES;
		why = soft_offline(w.mem + k * PAGE);
		if (why) {
			atomic_store(&w.stop, true);
			walker_stop(&w);
			ktap_skip("cannot migrate a page: %s", why);
		}
		moved++;
		usleep(20000);
	}
	ktap_info("%lu pages soft-offlined: pgmigrate_success +%lu in all", moved,
		  vmstat_get("pgmigrate_success") - mig0);
	TEST_ASSERT(vmstat_get("pgmigrate_success") > mig0, "nothing migrated");
	walker_stop(&w);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_ksm_merge_unmerge),
	KTAP_CASE(test_ksm_churn),
	KTAP_CASE(test_thp_collapse),
	KTAP_CASE(test_thp_split_mprotect),
	KTAP_CASE(test_thp_churn_walker),
	KTAP_CASE(test_swap_out),
	KTAP_CASE(test_swap_walker),
	KTAP_CASE(test_migrate),
	KTAP_CASE(test_migrate_walker),
};

int main(void)
{
	return ktap_run("memnotify", tests, KTAP_ARRAY_SIZE(tests));
}
