// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory slots: KVM_SET_USER_MEMORY_REGION's error cases,
 * KVM_SET/GET_NR_MMU_PAGES, move and delete
 * seen from a running guest, a guest touching memory outside its slots,
 * addresses bounded by MAXPHYADDR, kernel memory that stays flat while a
 * slot moves and is charged to the caller's memory cgroup, and 1,000 VMs
 * created and destroyed without a leak.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_vm.h"

#define PAGE		4096ul
#define CODE_GPA	0x1000

static void test_region_errors(void)
{
	struct test_vm vm;
	void *mem;
	uint64_t ua;

	vm_create(&vm);
	mem = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap: %s", ktap_errno_name(errno));
	ua = (uint64_t)(uintptr_t)mem;

	ASSERT_EQ(-EINVAL, vm_set_region(&vm, 0, 0x100, PAGE, ua, 0));	/* gpa */
	ASSERT_EQ(-EINVAL, vm_set_region(&vm, 0, 0, PAGE + 1, ua, 0));	/* size */
	ASSERT_EQ(-EINVAL, vm_set_region(&vm, 0, 0, PAGE, ua + 8, 0));	/* user address */
	ASSERT_EQ(-EINVAL, vm_set_region(&vm, 0, 0, PAGE, ua, 1u << 7));	/* flags */
	ASSERT_EQ(-EINVAL, vm_set_region(&vm, 0, -PAGE, 2 * PAGE, ua, 0));	/* wraps */
	ASSERT_EQ(-EINVAL, vm_set_region(&vm, 0, 1ull << 60, PAGE, ua, 0));	/* beyond GPA width */
	ASSERT_EQ(-EINVAL, vm_set_region(&vm, 3, 0, 0, 0, 0));		/* delete nothing */
	ASSERT_EQ(-EINVAL, vm_set_region(&vm, 32764, 0, PAGE, ua, 0));	/* KVM's last + 1 */
	/* Memory is looked up when the guest touches it: none need be there yet. */
	ASSERT_EQ(0, vm_set_region(&vm, 0, 0, PAGE, 0x1000, 0));
	ASSERT_EQ(0, vm_set_region(&vm, 0, 0, 0, 0, 0));
	/* Dirty logging, as KVM (the dirtylog test). */
	ASSERT_EQ(0, vm_set_region(&vm, 0, 0, PAGE, ua, KVM_MEM_LOG_DIRTY_PAGES));
	ASSERT_EQ(0, vm_set_region(&vm, 0, 0, 0, 0, 0));
	if (dev_is_l1vmm()) {
		/* Address space 1 is KVM's SMM memory; l1vmm has no SMM. */
		ASSERT_EQ(-EINVAL, vm_set_region(&vm, 1u << 16, 0, PAGE, ua, 0));
	}

	ASSERT_EQ(0, vm_set_region(&vm, 0, 0, 4 * PAGE, ua, 0));
	ASSERT_EQ(-EEXIST, vm_set_region(&vm, 1, 3 * PAGE, 2 * PAGE, ua + 4 * PAGE, 0));
	ASSERT_EQ(-EEXIST, vm_set_region(&vm, 1, 0, PAGE, ua + 4 * PAGE, 0));
	ASSERT_EQ(0, vm_set_region(&vm, 1, 4 * PAGE, 2 * PAGE, ua + 4 * PAGE, 0));
	/* Resize, new user address, read-only toggle: not allowed in place. */
	ASSERT_EQ(-EINVAL, vm_set_region(&vm, 0, 0, 2 * PAGE, ua, 0));
	ASSERT_EQ(-EINVAL, vm_set_region(&vm, 0, 0, 4 * PAGE, ua + 8 * PAGE, 0));
	ASSERT_EQ(-EINVAL, vm_set_region(&vm, 0, 0, 4 * PAGE, ua, KVM_MEM_READONLY));
	/* Move onto another slot: overlap; elsewhere: fine; delete: fine. */
	ASSERT_EQ(-EEXIST, vm_set_region(&vm, 0, 2 * PAGE, 4 * PAGE, ua, 0));
	ASSERT_EQ(0, vm_set_region(&vm, 0, 64 * PAGE, 4 * PAGE, ua, 0));
	ASSERT_EQ(0, vm_set_region(&vm, 0, 0, 0, 0, 0));
	ASSERT_EQ(0, vm_set_region(&vm, 1, 0, 0, 0, 0));

	munmap(mem, 16 * PAGE);
	vm_close(&vm);
}

/*
 * KVM_SET/GET_NR_MMU_PAGES, as KVM 6.1 answers them: 0 before any slot,
 * then a fiftieth of the slots' pages (64 at least) after each create and
 * delete, until user space sets a number (64 or more), which then stays.
 * l1vmm reports the number and, like KVM's TDP MMU, does not enforce it.
 */
static void test_nr_mmu_pages(void)
{
	const uint64_t small = 16384 * PAGE, big = 262144 * PAGE;
	struct test_vm vm;
	uint64_t ua;
	void *mem;

	vm_create(&vm);
	ASSERT_EQ(1, ASSERT_IOCTL_OK(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_MMU_SHADOW_CACHE_CONTROL));
	/* Reserved only: slots look their pages up when the guest touches them. */
	mem = mmap(NULL, small + big, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap: %s", ktap_errno_name(errno));
	ua = (uint64_t)(uintptr_t)mem;

	ASSERT_EQ(0, ASSERT_IOCTL_OK(vm.fd, KVM_GET_NR_MMU_PAGES, 0));
	ASSERT_EQ(0, vm_set_region(&vm, 0, 0, small, ua, 0));
	ASSERT_EQ(16384 / 50, ASSERT_IOCTL_OK(vm.fd, KVM_GET_NR_MMU_PAGES, 0));
	ASSERT_EQ(0, vm_set_region(&vm, 1, 1ull << 32, big, ua + small, 0));
	ASSERT_EQ((16384 + 262144) / 50, ASSERT_IOCTL_OK(vm.fd, KVM_GET_NR_MMU_PAGES, 0));
	/* A move changes no number; a delete does. */
	ASSERT_EQ(0, vm_set_region(&vm, 0, 1ull << 31, small, ua, 0));
	ASSERT_EQ((16384 + 262144) / 50, ASSERT_IOCTL_OK(vm.fd, KVM_GET_NR_MMU_PAGES, 0));
	ASSERT_EQ(0, vm_set_region(&vm, 1, 0, 0, 0, 0));
	ASSERT_EQ(16384 / 50, ASSERT_IOCTL_OK(vm.fd, KVM_GET_NR_MMU_PAGES, 0));
	ASSERT_EQ(0, vm_set_region(&vm, 0, 0, 0, 0, 0));
	ASSERT_EQ(64, ASSERT_IOCTL_OK(vm.fd, KVM_GET_NR_MMU_PAGES, 0));

	ASSERT_IOCTL_ERRNO(vm.fd, KVM_SET_NR_MMU_PAGES, 63, EINVAL);
	ASSERT_EQ(0, ASSERT_IOCTL_OK(vm.fd, KVM_SET_NR_MMU_PAGES, 100));
	ASSERT_EQ(100, ASSERT_IOCTL_OK(vm.fd, KVM_GET_NR_MMU_PAGES, 0));
	ASSERT_EQ(0, vm_set_region(&vm, 1, 1ull << 32, big, ua + small, 0));
	ASSERT_EQ(100, ASSERT_IOCTL_OK(vm.fd, KVM_GET_NR_MMU_PAGES, 0));

	munmap(mem, small + big);
	vm_close(&vm);
}

/*
 * A guest reads a word, HLTs; the slot moves and is deleted between runs.
 * After the move the guest sees the same memory at the new address; after
 * the delete, the access does not reach the old pages.
 */
static void test_move_and_delete_seen_by_guest(void)
{
	static const unsigned char code[] = {
		0xa1, 0x00, 0x80,	/* mov ax, [0x8000] */
		0xe6, 0x10,		/* out 0x10, al */
		0xeb, 0xf9,		/* jmp back to the mov */
	};
	struct test_vcpu vcpu;
	struct test_vm vm;
	unsigned char *low, *data;
	uint64_t data_ua;

	vm_create(&vm);
	low = vm_add_memory(&vm, 0, 0, 0x8000, 0);
	memcpy(low + CODE_GPA, code, sizeof(code));
	data = vm_add_memory(&vm, 1, 0x8000, PAGE, 0);
	data_ua = (uint64_t)(uintptr_t)data;
	data[0] = 0x5a;
	vcpu_create(&vm, 0, &vcpu);
	vcpu_setup_real_mode(&vcpu, CODE_GPA);

	vcpu_run(&vcpu);
	ASSERT_IO_EXIT(&vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
	ASSERT_EQ(0x5a, *(uint8_t *)vcpu_io_data(&vcpu));

	/* Move the data slot away and map another page at 0x8000. */
	ASSERT_EQ(0, vm_set_region(&vm, 1, 0x20000, PAGE, data_ua, 0));
	data = vm_add_memory(&vm, 2, 0x8000, PAGE, 0);
	data[0] = 0xa5;
	vcpu_run(&vcpu);
	ASSERT_IO_EXIT(&vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
	ASSERT_EQ(0xa5, *(uint8_t *)vcpu_io_data(&vcpu));

	/* Delete it: the read goes to no memory, which is not handled yet. */
	ASSERT_EQ(0, vm_set_region(&vm, 2, 0, 0, 0, 0));
	vcpu_run(&vcpu);
	TEST_ASSERT(vcpu.run->exit_reason == KVM_EXIT_MMIO ||
		    vcpu.run->exit_reason == KVM_EXIT_INTERNAL_ERROR,
		    "read of deleted memory: wanted MMIO or INTERNAL_ERROR, got %s",
		    exit_reason_name(vcpu.run->exit_reason));

	vcpu_close(&vcpu);
	vm_close(&vm);
}

/*
 * A guest that writes all over guest-physical memory outside its slot
 * reaches none of the host's memory: l1vmm stops it on the first access.
 * (Under KVM the same write is an MMIO exit.)
 */
static void test_write_outside_memory(void)
{
	static const unsigned char code[] = {
		0xb8, 0x00, 0x10,	/* mov ax, 0x1000 */
		0x8e, 0xd8,		/* mov ds, ax: DS base 0x10000 */
		0xc6, 0x06, 0x00, 0x00, 0x77,	/* mov byte [0], 0x77 */
		0xf4,			/* hlt */
	};
	struct test_guest g;

	guest_start_real_mode(&g, 0x10000, CODE_GPA, code, sizeof(code));
	vcpu_run(&g.vcpu);
	TEST_ASSERT(g.vcpu.run->exit_reason == KVM_EXIT_MMIO ||
		    g.vcpu.run->exit_reason == KVM_EXIT_INTERNAL_ERROR,
		    "write outside memory: wanted MMIO or INTERNAL_ERROR, got %s",
		    exit_reason_name(g.vcpu.run->exit_reason));
	guest_stop(&g);
}

/* MAXPHYADDR as the device offers it: KVM_GET_SUPPORTED_CPUID, leaf 0x80000008. */
static unsigned int supported_phys_bits(struct test_vm *vm)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 e[256];
	} cpuid = { .hdr.nent = 256 };
	unsigned int i;

	ASSERT_IOCTL_OK(vm->sys_fd, KVM_GET_SUPPORTED_CPUID, &cpuid);
	for (i = 0; i < cpuid.hdr.nent; i++)
		if (cpuid.e[i].function == 0x80000008)
			return cpuid.e[i].eax & 0xff;
	TEST_FAIL("no leaf 0x80000008 in KVM_GET_SUPPORTED_CPUID");
}

/* Slots end below MAXPHYADDR, as in KVM (not at the page tables' 48 bits). */
static void test_gpa_bounded_by_maxphyaddr(void)
{
	struct test_vm vm;
	unsigned int bits;
	uint64_t ua, top;
	void *mem;

	vm_create(&vm);
	bits = supported_phys_bits(&vm);
	top = 1ull << bits;
	ktap_info("MAXPHYADDR %u", bits);
	mem = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap: %s", ktap_errno_name(errno));
	ua = (uint64_t)(uintptr_t)mem;
	ASSERT_EQ(-EINVAL, vm_set_region(&vm, 0, top, PAGE, ua, 0));
	ASSERT_EQ(-EINVAL, vm_set_region(&vm, 0, top - PAGE, 2 * PAGE, ua, 0));
	ASSERT_EQ(0, vm_set_region(&vm, 0, top - PAGE, PAGE, ua, 0));
	ASSERT_EQ(-EINVAL, vm_set_region(&vm, 0, top, PAGE, ua, 0));	/* a move too */
	ASSERT_EQ(0, vm_set_region(&vm, 0, 0, 0, 0, 0));
	munmap(mem, 2 * PAGE);
	vm_close(&vm);
}

/*
 * One 4 KiB slot moved 20,000 times to random addresses below MAXPHYADDR:
 * the tables each address needs are freed again when the slot leaves it,
 * so the kernel memory the VM holds (charged to this test's memory
 * cgroup) stays flat. Before, it grew by about 140 MB.
 */
static void test_slot_moves_bounded_memory(void)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull, ua, mask;
	long before, after;
	struct test_vm vm;
	void *mem;
	int i;

	memcg_enter("memslots");
	vm_create(&vm);
	mask = ((1ull << supported_phys_bits(&vm)) - 1) & ~(PAGE - 1);
	mem = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap: %s", ktap_errno_name(errno));
	memset(mem, 1, PAGE);	/* a page of our own, charged to us */
	ua = (uint64_t)(uintptr_t)mem;
	ASSERT_EQ(0, vm_set_region(&vm, 0, 0, PAGE, ua, 0));
	before = memcg_current_kb();
	for (i = 0; i < 20000; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		ASSERT_EQ(0, vm_set_region(&vm, 0, seed & mask, PAGE, ua, 0));
	}
	after = memcg_current_kb();
	ktap_info("20000 moves: memory.current %+ld kB", after - before);
	TEST_ASSERT(after - before <= 256, "memory.current grew by %ld kB over 20000 moves",
		    after - before);
	munmap(mem, PAGE);
	vm_close(&vm);
}

/*
 * What a VM makes the kernel hold is charged to the caller's memory cgroup
 * (GFP_KERNEL_ACCOUNT), as in KVM: here 16 vCPUs (each a run, a PIO and a
 * VMCB page and a 256-entry CPUID table) and 32 one-page slots a GiB apart
 * (the slots share one user page; no table is built until the guest
 * touches them, so they add little). memory.current moves in batches of 64 pages held per CPU,
 * so one batch is allowed for: the test runs on one CPU.
 */
static void test_vm_memory_charged_to_memcg(void)
{
	static struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 e[256];
	} cpuid = { .hdr.nent = 256 };
	const long batch_kb = 64 * PAGE / 1024;
	const long want_kb = 16 * (3 * PAGE + sizeof(cpuid.e)) / 1024;
	struct test_vcpu vcpus[16];
	long before, after;
	struct test_vm vm;
	cpu_set_t cpus;
	uint64_t ua;
	void *mem;
	int i;

	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	TEST_ASSERT(!sched_setaffinity(0, sizeof(cpus), &cpus), "sched_setaffinity");
	memcg_enter("memslots");
	vm_create(&vm);
	mem = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap: %s", ktap_errno_name(errno));
	memset(mem, 1, PAGE);	/* a page of our own, charged to us */
	ua = (uint64_t)(uintptr_t)mem;
	for (i = 0; i < 256; i++)
		cpuid.e[i].function = 0x40000000 + i;

	before = memcg_current_kb();
	for (i = 0; i < 16; i++) {
		vcpu_create(&vm, i, &vcpus[i]);
		ASSERT_IOCTL_OK(vcpus[i].fd, KVM_SET_CPUID2, &cpuid);
	}
	for (i = 0; i < 32; i++)
		ASSERT_EQ(0, vm_set_region(&vm, i, (uint64_t)(i + 1) << 30, PAGE, ua, 0));
	after = memcg_current_kb();
	ktap_info("16 vCPUs, 32 slots: memory.current %+ld kB (at least %ld kB charged)",
		  after - before, want_kb);
	TEST_ASSERT(after - before >= want_kb - batch_kb,
		    "memory.current grew by %ld kB, wanted at least %ld (%ld less a batch)",
		    after - before, want_kb - batch_kb, want_kb);
	for (i = 0; i < 16; i++)
		vcpu_close(&vcpus[i]);
	vm_close(&vm);
	munmap(mem, PAGE);
}

struct mem_counters {
	long free_kb, slab_kb;
};

static void read_counters(struct mem_counters *c)
{
	c->free_kb = meminfo_kb("MemFree");
	c->slab_kb = meminfo_kb("SUnreclaim");
}

static void one_vm(void)
{
	static const unsigned char code[] = { 0xf4 };
	struct test_guest g;

	guest_start_real_mode(&g, 0x10000, CODE_GPA, code, sizeof(code));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

/*
 * 1,000 VMs, each with a slot, a vCPU and one entry. Each VM holds about
 * 40 KiB of kernel memory (NPT, VMCB, run pages, FPU state): a leak of even
 * one page per VM shows as 4 MB; noise is a few hundred kB.
 */
static void test_thousand_vms_no_leak(void)
{
	struct mem_counters before, after;
	int i;

	for (i = 0; i < 10; i++)
		one_vm();
	read_counters(&before);
	for (i = 0; i < 1000; i++)
		one_vm();
	read_counters(&after);
	ktap_info("1000 VMs: MemFree %+ld kB, SUnreclaim %+ld kB",
		  after.free_kb - before.free_kb, after.slab_kb - before.slab_kb);
	/* KVM's own memory is not under test: its numbers are shown, not held. */
	if (!dev_is_l1vmm())
		return;
	TEST_ASSERT(before.free_kb - after.free_kb <= 2048,
		    "MemFree fell by %ld kB over 1000 VMs", before.free_kb - after.free_kb);
	TEST_ASSERT(after.slab_kb - before.slab_kb <= 512,
		    "SUnreclaim grew by %ld kB over 1000 VMs", after.slab_kb - before.slab_kb);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_region_errors),
	KTAP_CASE(test_nr_mmu_pages),
	KTAP_CASE(test_move_and_delete_seen_by_guest),
	KTAP_CASE(test_write_outside_memory),
	KTAP_CASE(test_gpa_bounded_by_maxphyaddr),
	KTAP_CASE_TIMEOUT(test_slot_moves_bounded_memory, 240),
	KTAP_CASE(test_vm_memory_charged_to_memcg),
	KTAP_CASE_TIMEOUT(test_thousand_vms_no_leak, 240),
};

int main(void)
{
	return ktap_run(dev_is_l1vmm() ? "memslots" : "memslots@kvm", tests,
			KTAP_ARRAY_SIZE(tests));
}
