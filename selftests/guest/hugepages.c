// SPDX-License-Identifier: GPL-2.0-only
/*
 * Large nested pages (issue 19): guest memory backed by transparent huge
 * pages (MADV_HUGEPAGE) is mapped with 2 MiB nested leaves (the VM's
 * pages_2m statistic, as KVM's); MADV_DONTNEED of one 4 KiB page inside
 * one makes the guest see zeroes there and only there; dirty logging on
 * such a slot still logs 4 KiB pages; a slot that is not 2 MiB aligned in
 * user space maps 4 KiB pages only. A 1 GiB hugetlbfs page behind a whole,
 * 1 GiB aligned slot is one 1 GiB nested leaf (pages_1g) where the CPU has
 * 1 GiB pages (pdpe1gb); dirty logging splits it into 4 KiB pages, turning
 * it off brings it back, deleting the slot takes it; a slot 2 MiB off in
 * the same page gets 2 MiB leaves. The 1 GiB cases need a 1 GiB page the kernel can allocate (a
 * guest of more than 2 GiB: selftests/suites/hugepages-1g) and skip
 * without one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_vm.h"
#include "l1vmm/kvm_uapi.h"

#define PAGE		4096ul
#define HUGE		(2ul << 20)
#define CODE_GPA	0x10000
#define DATA_GPA	0x400000	/* slot 1: 2 MiB aligned */
#define DATA_SIZE	(2 * HUGE)
#define GIANT		(1ul << 30)
#define GIANT_GPA	GIANT		/* slot 1 of the 1 GiB cases */
#define LM_PDPT		0x2000		/* guest_start_long_mode()'s tables */
#define PD_1G		0x6000		/* the guest's map of its second GiB */
#define HUGETLB_1G	"/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages"
#ifndef MAP_HUGE_1GB
#define MAP_HUGE_1GB	(30 << 26)	/* MAP_HUGE_SHIFT */
#endif

/*
 * A guest that reads the 32-bit word at DATA_GPA + the offset it gets
 * (IN 0x11), reports it (OUT 0x10), then writes there what it gets next
 * (IN 0x12).
 */
GUEST_CODE(rw_code, ".code64",
	"1: in $0x11, %eax\n\t"
	"mov %eax, %ebx\n\t"
	"mov 0x400000(%rbx), %eax\n\t"
	"out %eax, $0x10\n\t"
	"in $0x12, %eax\n\t"
	"mov %eax, 0x400000(%rbx)\n\t"
	"jmp 1b");

/* The same at GIANT_GPA + the offset. */
GUEST_CODE(rw_1g_code, ".code64",
	"1: in $0x11, %eax\n\t"
	"mov %eax, %ebx\n\t"
	"mov 0x40000000(%rbx), %eax\n\t"
	"out %eax, $0x10\n\t"
	"in $0x12, %eax\n\t"
	"mov %eax, 0x40000000(%rbx)\n\t"
	"jmp 1b");

/* The guest reads at @offset, then writes @value there (done by the next call). */
static uint32_t guest_rw(struct test_guest *g, uint32_t offset, uint32_t value)
{
	uint32_t v;

	vcpu_run(&g->vcpu);
	ASSERT_IO_EXIT(&g->vcpu, KVM_EXIT_IO_IN, 0x11, 4);
	*(uint32_t *)vcpu_io_data(&g->vcpu) = offset;
	vcpu_run(&g->vcpu);
	ASSERT_IO_EXIT(&g->vcpu, KVM_EXIT_IO_OUT, 0x10, 4);
	v = *(uint32_t *)vcpu_io_data(&g->vcpu);
	vcpu_run(&g->vcpu);
	ASSERT_IO_EXIT(&g->vcpu, KVM_EXIT_IO_IN, 0x12, 4);
	*(uint32_t *)vcpu_io_data(&g->vcpu) = value;
	return v;
}

/* The guest reads at @offset and writes back what it read. */
static uint32_t guest_read(struct test_guest *g, uint32_t offset)
{
	uint32_t v;

	vcpu_run(&g->vcpu);
	ASSERT_IO_EXIT(&g->vcpu, KVM_EXIT_IO_IN, 0x11, 4);
	*(uint32_t *)vcpu_io_data(&g->vcpu) = offset;
	vcpu_run(&g->vcpu);
	ASSERT_IO_EXIT(&g->vcpu, KVM_EXIT_IO_OUT, 0x10, 4);
	v = *(uint32_t *)vcpu_io_data(&g->vcpu);
	vcpu_run(&g->vcpu);
	ASSERT_IO_EXIT(&g->vcpu, KVM_EXIT_IO_IN, 0x12, 4);
	*(uint32_t *)vcpu_io_data(&g->vcpu) = v;
	return v;
}

/* AnonHugePages of the mapping that holds @addr, in kB (/proc/self/smaps). */
static long anon_huge_kb(const void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	bool in = false;
	char line[256];
	long kb = -1;

	TEST_ASSERT(f, "/proc/self/smaps: %s", ktap_errno_name(errno));
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;

		/* A mapping's first line; the field lines start with a name. */
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			in = (uintptr_t)addr >= start && (uintptr_t)addr < end;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/* @size bytes at a 2 MiB boundary (+ @skew), THP-advised, filled by user space. */
static unsigned char *map_huge(size_t size, size_t skew, void **base)
{
	unsigned char *p = mmap(NULL, size + HUGE + skew, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *mem;
	size_t i;

	TEST_ASSERT(p != MAP_FAILED, "mmap: %s", ktap_errno_name(errno));
	*base = p;
	mem = (unsigned char *)(((uintptr_t)p + HUGE - 1) & ~(HUGE - 1)) + skew;
	ASSERT_EQ(0, madvise(mem - skew, size + skew, MADV_HUGEPAGE));
	for (i = 0; i < size; i += PAGE)
		*(uint32_t *)(mem + i) = i / PAGE + 1;
	return mem;
}

/* Slot 0 (code, page tables) in small pages, so pages_2m counts slot 1 only. */
static void start(struct test_guest *g)
{
	guest_start_long_mode(g, 2 << 20, CODE_GPA, rw_code, GUEST_CODE_SIZE(rw_code));
	ASSERT_EQ(0, madvise(g->mem, g->mem_size, MADV_NOHUGEPAGE));
}

static void test_thp_dontneed_4k(void)
{
	uint64_t pages_2m = 0;
	struct test_guest g;
	unsigned char *mem;
	bool have_stat;
	void *base;
	long kb;

	start(&g);
	mem = map_huge(DATA_SIZE, 0, &base);
	kb = anon_huge_kb(mem);
	if (kb < 2048) {
		guest_stop(&g);
		munmap(base, DATA_SIZE + HUGE);
		ktap_skip("no transparent huge pages behind the memory (AnonHugePages %ld kB)",
			  kb);
	}
	ASSERT_EQ(0, vm_set_region(&g.vm, 1, DATA_GPA, DATA_SIZE, (uintptr_t)mem, 0));
	ASSERT_EQ(1, guest_read(&g, 0));
	ASSERT_EQ(4, guest_rw(&g, 3 * PAGE, 0xdead));
	ASSERT_EQ(600, guest_read(&g, HUGE + 87 * PAGE));
	ASSERT_EQ(0xdead, guest_read(&g, 3 * PAGE));
	ASSERT_EQ(0xdead, *(uint32_t *)(mem + 3 * PAGE));
	have_stat = vm_stat(&g.vm, "pages_2m", &pages_2m);
	ktap_info("AnonHugePages %ld kB, pages_2m %" PRIu64 "%s", kb, pages_2m,
		  have_stat ? "" : " (no such statistic)");
	if (have_stat)
		TEST_ASSERT(pages_2m == 2, "pages_2m: wanted 2, got %" PRIu64, pages_2m);

	/* One 4 KiB page of the second 2 MiB goes: zero there, only there. */
	ASSERT_EQ(0, madvise(mem + HUGE + 5 * PAGE, PAGE, MADV_DONTNEED));
	ASSERT_EQ(0, *(uint32_t *)(mem + HUGE + 5 * PAGE));
	ASSERT_EQ(0, guest_rw(&g, HUGE + 5 * PAGE, 0xbeef));
	ASSERT_EQ(517, guest_read(&g, HUGE + 4 * PAGE));
	ASSERT_EQ(519, guest_read(&g, HUGE + 6 * PAGE));
	ASSERT_EQ(1024, guest_read(&g, HUGE + 511 * PAGE));
	ASSERT_EQ(0xbeef, guest_read(&g, HUGE + 5 * PAGE));
	ASSERT_EQ(0xbeef, *(uint32_t *)(mem + HUGE + 5 * PAGE));
	ASSERT_EQ(0xdead, guest_read(&g, 3 * PAGE));
	ASSERT_EQ(512, guest_read(&g, 511 * PAGE));
	if (have_stat) {
		TEST_ASSERT(vm_stat(&g.vm, "pages_2m", &pages_2m), "pages_2m went");
		ktap_info("pages_2m after the split: %" PRIu64, pages_2m);
		TEST_ASSERT(pages_2m >= 1, "pages_2m: wanted the first 2 MiB still, got %" PRIu64,
			    pages_2m);
	}

	/* Dirty logging counts 4 KiB pages, large backing or not. */
	if (dev_ioctl(g.vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2) > 0) {
		uint64_t bitmap[DATA_SIZE / PAGE / 64];
		struct kvm_dirty_log log = { .slot = 1, .dirty_bitmap = bitmap };
		unsigned int i;

		/* Retire the write-back to page 511 before logging starts. */
		ASSERT_EQ(0xdead, guest_read(&g, 3 * PAGE));
		ASSERT_EQ(0, vm_set_region(&g.vm, 1, DATA_GPA, DATA_SIZE, (uintptr_t)mem,
					   KVM_MEM_LOG_DIRTY_PAGES));
		ASSERT_EQ(0, dev_ioctl(g.vm.fd, KVM_GET_DIRTY_LOG, (uintptr_t)&log));
		ASSERT_EQ(0xdead, guest_rw(&g, 3 * PAGE, 0xd00d));
		ASSERT_EQ(0xd00d, guest_read(&g, 3 * PAGE));
		ASSERT_EQ(0, dev_ioctl(g.vm.fd, KVM_GET_DIRTY_LOG, (uintptr_t)&log));
		for (i = 0; i < KTAP_ARRAY_SIZE(bitmap); i++)
			TEST_ASSERT(bitmap[i] == (i ? 0 : 1ull << 3),
				    "log word %u: wanted %#llx, got %#llx", i,
				    i ? 0ull : 1ull << 3, (unsigned long long)bitmap[i]);
		ASSERT_EQ(0, vm_set_region(&g.vm, 1, DATA_GPA, DATA_SIZE, (uintptr_t)mem, 0));
		ASSERT_EQ(0xd00d, guest_read(&g, 3 * PAGE));
	}
	guest_stop(&g);
	munmap(base, DATA_SIZE + HUGE);
}

/* User address 4 KiB off a 2 MiB boundary: never a 2 MiB nested leaf. */
static void test_misaligned_slot_small(void)
{
	uint64_t pages_2m = 0;
	struct test_guest g;
	unsigned char *mem;
	void *base;

	start(&g);
	mem = map_huge(DATA_SIZE, PAGE, &base);
	ASSERT_EQ(0, vm_set_region(&g.vm, 1, DATA_GPA, DATA_SIZE, (uintptr_t)mem, 0));
	ASSERT_EQ(1, guest_read(&g, 0));
	ASSERT_EQ(1000, guest_read(&g, 999 * PAGE));
	if (vm_stat(&g.vm, "pages_2m", &pages_2m))
		ASSERT_EQ(0, pages_2m);
	guest_stop(&g);
	munmap(base, DATA_SIZE + HUGE + PAGE);
}

/* Why the 1 GiB cases cannot run, or NULL; the pool size to restore. */
static char giant_skip[160];
static long giant_pool = -1;

static bool cpu_has_pdpe1gb(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	bool has = false;

	if (!f)
		return false;
	while (!has && fgets(line, sizeof(line), f))
		has = !strncmp(line, "flags", 5) && strstr(line, " pdpe1gb");
	fclose(f);
	return has;
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static bool write_long(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%ld\n", v) > 0;
	return !fclose(f) && ok;
}

/* One free 1 GiB huge page for the 1 GiB cases, in the parent (restored at the end). */
static void giant_pool_get(void)
{
	long nr;

	if (!cpu_has_pdpe1gb()) {
		snprintf(giant_skip, sizeof(giant_skip),
			 "the CPU has no 1 GiB pages (no pdpe1gb from L0): no 1 GiB nested leaves");
		return;
	}
	nr = read_long(HUGETLB_1G);
	if (nr < 0) {
		snprintf(giant_skip, sizeof(giant_skip), "no %s", HUGETLB_1G);
		return;
	}
	if (read_long("/sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages") > 0)
		return;
	giant_pool = nr;
	if (!write_long(HUGETLB_1G, nr + 1) || read_long(HUGETLB_1G) <= nr)
		snprintf(giant_skip, sizeof(giant_skip),
			 "could not allocate a 1 GiB huge page (%ld MiB of memory; the hugepages-1g suite boots with enough)",
			 sysconf(_SC_PHYS_PAGES) * (sysconf(_SC_PAGESIZE) >> 10) >> 10);
}

static void giant_pool_put(void)
{
	if (giant_pool >= 0)
		write_long(HUGETLB_1G, giant_pool);
}

/*
 * 1 GiB of hugetlbfs memory, each 4 KiB page's first word its number + 1,
 * or a skip.
 */
static unsigned char *map_giant(void)
{
	unsigned char *mem;
	size_t i;

	if (giant_skip[0])
		ktap_skip("%s", giant_skip);
	mem = mmap(NULL, GIANT, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_1GB, -1, 0);
	if (mem == MAP_FAILED)
		ktap_skip("mmap of a 1 GiB huge page: %s", ktap_errno_name(errno));
	for (i = 0; i < GIANT; i += PAGE)
		*(uint32_t *)(mem + i) = i / PAGE + 1;
	return mem;
}

/* start() for the code at GIANT_GPA, the guest's second GiB mapped 2 MiB at a time. */
static void start_giant(struct test_guest *g)
{
	uint64_t *pd;
	int i;

	guest_start_long_mode(g, 2 << 20, CODE_GPA, rw_1g_code, GUEST_CODE_SIZE(rw_1g_code));
	ASSERT_EQ(0, madvise(g->mem, g->mem_size, MADV_NOHUGEPAGE));
	pd = (uint64_t *)(g->mem + PD_1G);
	for (i = 0; i < 512; i++)
		pd[i] = (GIANT + ((uint64_t)i << 21)) | 0x83;	/* P, RW, PS */
	((uint64_t *)(g->mem + LM_PDPT))[1] = PD_1G | 0x3;
}

/* The VM's statistic @name, or -1 where the device has none. */
static long stat_or(struct test_guest *g, const char *name)
{
	uint64_t v;

	return vm_stat(&g->vm, name, &v) ? (long)v : -1;
}

/* A 1 GiB page behind a whole 1 GiB slot: one leaf; dirty logging splits it. */
static void test_hugetlb_1g(void)
{
	static uint64_t bitmap[GIANT / PAGE / 64];
	struct kvm_dirty_log log = { .slot = 1, .dirty_bitmap = bitmap };
	struct test_guest g;
	unsigned char *mem;
	unsigned int i;

	mem = map_giant();
	start_giant(&g);
	ASSERT_EQ(0, vm_set_region(&g.vm, 1, GIANT_GPA, GIANT, (uintptr_t)mem, 0));
	ASSERT_EQ(1, guest_read(&g, 0));
	ASSERT_EQ(4, guest_rw(&g, 3 * PAGE, 0xdead));
	ASSERT_EQ(179206, guest_read(&g, (700ul << 20) + 5 * PAGE));
	ASSERT_EQ(262144, guest_read(&g, GIANT - PAGE));
	ASSERT_EQ(0xdead, guest_read(&g, 3 * PAGE));
	ASSERT_EQ(0xdead, *(uint32_t *)(mem + 3 * PAGE));
	*(uint32_t *)(mem + (900ul << 20)) = 0xfeed;
	ASSERT_EQ(0xfeed, guest_read(&g, 900ul << 20));
	ktap_info("pages_1g %ld, pages_2m %ld", stat_or(&g, "pages_1g"), stat_or(&g, "pages_2m"));
	TEST_ASSERT(stat_or(&g, "pages_1g") == 1, "pages_1g: wanted 1, got %ld",
		    stat_or(&g, "pages_1g"));
	ASSERT_EQ(0, stat_or(&g, "pages_2m"));

	/* Dirty logging: the leaf goes, 4 KiB pages are logged. */
	ASSERT_EQ(0xdead, guest_read(&g, 3 * PAGE));
	ASSERT_EQ(0, vm_set_region(&g.vm, 1, GIANT_GPA, GIANT, (uintptr_t)mem,
				   KVM_MEM_LOG_DIRTY_PAGES));
	ASSERT_EQ(0, dev_ioctl(g.vm.fd, KVM_GET_DIRTY_LOG, (uintptr_t)&log));
	ASSERT_EQ(0, stat_or(&g, "pages_1g"));
	ASSERT_EQ(0xdead, guest_rw(&g, 3 * PAGE, 0xd00d));
	ASSERT_EQ(0xd00d, guest_read(&g, 3 * PAGE));
	ASSERT_EQ(0, dev_ioctl(g.vm.fd, KVM_GET_DIRTY_LOG, (uintptr_t)&log));
	for (i = 0; i < KTAP_ARRAY_SIZE(bitmap); i++)
		TEST_ASSERT(bitmap[i] == (i ? 0 : 1ull << 3), "log word %u: wanted %#llx, got %#llx",
			    i, i ? 0ull : 1ull << 3, (unsigned long long)bitmap[i]);
	ASSERT_EQ(0, stat_or(&g, "pages_1g"));
	ASSERT_EQ(0, stat_or(&g, "pages_2m"));
	ASSERT_EQ(0xd00d, *(uint32_t *)(mem + 3 * PAGE));

	/* Logging off: the next fault maps the whole GiB again. */
	ASSERT_EQ(0, vm_set_region(&g.vm, 1, GIANT_GPA, GIANT, (uintptr_t)mem, 0));
	ASSERT_EQ(0xd00d, guest_read(&g, 3 * PAGE));
	ASSERT_EQ(0xfeed, guest_read(&g, 900ul << 20));
	ktap_info("after logging: pages_1g %ld, pages_2m %ld", stat_or(&g, "pages_1g"),
		  stat_or(&g, "pages_2m"));
	ASSERT_EQ(1, stat_or(&g, "pages_1g"));

	/* Deleting the slot takes the leaf; adding it again maps it again. */
	ASSERT_EQ(0xfeed, guest_read(&g, 900ul << 20));
	ASSERT_EQ(0, vm_set_region(&g.vm, 1, GIANT_GPA, 0, (uintptr_t)mem, 0));
	ASSERT_EQ(0, stat_or(&g, "pages_1g"));
	ASSERT_EQ(0, vm_set_region(&g.vm, 1, GIANT_GPA, GIANT, (uintptr_t)mem, 0));
	ASSERT_EQ(0xd00d, guest_read(&g, 3 * PAGE));
	ASSERT_EQ(1, stat_or(&g, "pages_1g"));
	ASSERT_EQ(0, stat_or(&g, "pages_2m"));
	guest_stop(&g);
	munmap(mem, GIANT);
}

/* The same page, the slot 2 MiB into it: 2 MiB leaves, no 1 GiB one. */
static void test_hugetlb_1g_misaligned(void)
{
	struct test_guest g;
	unsigned char *mem;

	mem = map_giant();
	start_giant(&g);
	ASSERT_EQ(0, vm_set_region(&g.vm, 1, GIANT_GPA, GIANT - HUGE, (uintptr_t)mem + HUGE, 0));
	ASSERT_EQ(513, guest_read(&g, 0));
	ASSERT_EQ(1793, guest_read(&g, 5ul << 20));
	ASSERT_EQ(262144, guest_read(&g, GIANT - HUGE - PAGE));
	ktap_info("pages_1g %ld, pages_2m %ld", stat_or(&g, "pages_1g"), stat_or(&g, "pages_2m"));
	ASSERT_EQ(0, stat_or(&g, "pages_1g"));
	ASSERT_EQ(3, stat_or(&g, "pages_2m"));
	guest_stop(&g);
	munmap(mem, GIANT);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_thp_dontneed_4k),
	KTAP_CASE(test_misaligned_slot_small),
	KTAP_CASE(test_hugetlb_1g),
	KTAP_CASE(test_hugetlb_1g_misaligned),
};

int main(void)
{
	int r;

	giant_pool_get();
	r = ktap_run("hugepages", tests, KTAP_ARRAY_SIZE(tests));
	giant_pool_put();
	return r;
}
