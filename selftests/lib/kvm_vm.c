// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM-ABI selftest library: see kvm_vm.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_vm.h"

bool vm_create_irqchip;
bool vm_create_split_irqchip;

void vm_create(struct test_vm *vm)
{
	vm->sys_fd = dev_open();
	vm->fd = ASSERT_IOCTL_OK(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm_create_irqchip)
		ASSERT_IOCTL_OK(vm->fd, KVM_CREATE_IRQCHIP, 0);
	if (vm_create_split_irqchip) {
		struct kvm_enable_cap cap = { .cap = KVM_CAP_SPLIT_IRQCHIP, .args = { 24 } };

		ASSERT_IOCTL_OK(vm->fd, KVM_ENABLE_CAP, &cap);
	}
}

void vm_close(struct test_vm *vm)
{
	close(vm->fd);
	close(vm->sys_fd);
}

int vm_set_region(struct test_vm *vm, uint32_t slot, uint64_t gpa,
		  uint64_t size, uint64_t uaddr, uint32_t flags)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = uaddr,
	};

	return dev_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, (unsigned long)&region);
}

void *vm_add_memory(struct test_vm *vm, uint32_t slot, uint64_t gpa,
		    uint64_t size, uint32_t flags)
{
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	int r;

	TEST_ASSERT(mem != MAP_FAILED, "mmap %llu bytes: %s",
		    (unsigned long long)size, ktap_errno_name(errno));
	/*
	 * Small pages, before anything touches them: with THP "always" a
	 * mapping that happened to be 2 MiB aligned took a huge page, and
	 * tests that count 2 MiB leaves saw one more. A test that wants
	 * huge pages advises them itself.
	 */
	(void)madvise(mem, size, MADV_NOHUGEPAGE);
	r = vm_set_region(vm, slot, gpa, size, (uint64_t)(uintptr_t)mem, flags);
	TEST_ASSERT(r == 0, "KVM_SET_USER_MEMORY_REGION(slot %u, gpa %#llx): wanted success, got %s",
		    slot, (unsigned long long)gpa, ktap_errno_name(-r));
	return mem;
}

void vcpu_create(struct test_vm *vm, unsigned long id, struct test_vcpu *vcpu)
{
	long size = ASSERT_IOCTL_OK(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);

	TEST_ASSERT(size >= 2 * getpagesize(),
		    "KVM_GET_VCPU_MMAP_SIZE: wanted at least 2 pages, got %ld", size);
	vcpu->fd = ASSERT_IOCTL_OK(vm->fd, KVM_CREATE_VCPU, id);
	vcpu->run_size = size;
	vcpu->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	TEST_ASSERT(vcpu->run != MAP_FAILED, "mmap of the vCPU: %s",
		    ktap_errno_name(errno));
}

void vcpu_close(struct test_vcpu *vcpu)
{
	munmap(vcpu->run, vcpu->run_size);
	close(vcpu->fd);
}

const char *exit_reason_name(unsigned int reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN",
		[KVM_EXIT_EXCEPTION] = "EXCEPTION",
		[KVM_EXIT_IO] = "IO",
		[KVM_EXIT_HYPERCALL] = "HYPERCALL",
		[KVM_EXIT_DEBUG] = "DEBUG",
		[KVM_EXIT_HLT] = "HLT",
		[KVM_EXIT_MMIO] = "MMIO",
		[KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
		[KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[KVM_EXIT_INTR] = "INTR",
		[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
	};

	if (reason < KTAP_ARRAY_SIZE(names) && names[reason])
		return names[reason];
	return "(other)";
}

unsigned int __vcpu_run(const char *file, int line, struct test_vcpu *vcpu)
{
	long r = dev_ioctl(vcpu->fd, KVM_RUN, 0);

	if (r)
		ktap_fail(file, line, "KVM_RUN: wanted success, got %s (exit reason %s)",
			  ktap_errno_name((int)-r), exit_reason_name(vcpu->run->exit_reason));
	if (vcpu->run->exit_reason == KVM_EXIT_INTERNAL_ERROR) {
		const struct kvm_run *run = vcpu->run;
		unsigned int i;

		/* Said once here, so that every unexpected one explains itself. */
		ktap_info("internal error: suberror %u, ndata %u", run->internal.suberror,
			  run->internal.ndata);
		for (i = 0; i < run->internal.ndata && i < 16; i++)
			ktap_info("  data[%u] = %#llx", i,
				  (unsigned long long)run->internal.data[i]);
	}
	return vcpu->run->exit_reason;
}

void vcpu_setup_real_mode(struct test_vcpu *vcpu, uint64_t rip)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	ASSERT_IOCTL_OK(vcpu->fd, KVM_GET_SREGS, &sregs);
	sregs.cs.selector = 0;
	sregs.cs.base = 0;
	ASSERT_IOCTL_OK(vcpu->fd, KVM_SET_SREGS, &sregs);

	memset(&regs, 0, sizeof(regs));
	regs.rip = rip;
	regs.rflags = 2;
	ASSERT_IOCTL_OK(vcpu->fd, KVM_SET_REGS, &regs);
}

void guest_start_real_mode(struct test_guest *g, uint64_t mem_size,
			   uint64_t code_gpa, const void *code, size_t len)
{
	vm_create(&g->vm);
	g->mem_size = mem_size;
	g->mem = vm_add_memory(&g->vm, 0, 0, mem_size, 0);
	memcpy(g->mem + code_gpa, code, len);
	vcpu_create(&g->vm, 0, &g->vcpu);
	vcpu_setup_real_mode(&g->vcpu, code_gpa);
}

/* Long-mode layout (guest-physical). */
#define LM_PML4		0x1000
#define LM_PDPT		0x2000
#define LM_PD		0x3000
#define LM_GDT		0x4000
#define LM_CODE_SEL	0x08
#define LM_DATA_SEL	0x10

#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_PS		(1ull << 7)

#define CR0_PE		(1ull << 0)
#define CR0_MP		(1ull << 1)
#define CR0_ET		(1ull << 4)
#define CR0_NE		(1ull << 5)
#define CR0_WP		(1ull << 16)
#define CR0_PG		(1ull << 31)
#define CR4_PAE		(1ull << 5)
#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)

/* A flat 4 GiB segment; @code64 makes it a 64-bit code segment (L, not D). */
static void flat_segment(struct kvm_segment *seg, uint16_t sel, uint8_t type, bool code64)
{
	*seg = (struct kvm_segment) {
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .s = 1, .g = 1, .l = code64, .db = !code64,
	};
}

void guest_start_protected_mode(struct test_guest *g, uint64_t mem_size,
				uint64_t code_gpa, const void *code, size_t len)
{
	/* Null, 32-bit code (execute/read), data (read/write). */
	static const uint64_t gdt[] = {
		0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	vm_create(&g->vm);
	g->mem_size = mem_size;
	g->mem = vm_add_memory(&g->vm, 0, 0, mem_size, 0);
	memcpy(g->mem + code_gpa, code, len);
	memcpy(g->mem + LM_GDT, gdt, sizeof(gdt));

	vcpu_create(&g->vm, 0, &g->vcpu);
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_GET_SREGS, &sregs);
	flat_segment(&sregs.cs, LM_CODE_SEL, 0xb, false);
	flat_segment(&sregs.ds, LM_DATA_SEL, 0x3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.gdt.base = LM_GDT;
	sregs.gdt.limit = sizeof(gdt) - 1;
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE;
	sregs.cr4 = CR4_OSFXSR;
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_SET_SREGS, &sregs);

	memset(&regs, 0, sizeof(regs));
	regs.rip = code_gpa;
	regs.rsp = mem_size;
	regs.rflags = 2;
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_SET_REGS, &regs);
}

void guest_start_long_mode(struct test_guest *g, uint64_t mem_size,
			   uint64_t code_gpa, const void *code, size_t len)
{
	/* Null, 64-bit code (execute/read), data (read/write). */
	static const uint64_t gdt[] = {
		0, 0x00af9b000000ffffull, 0x00cf93000000ffffull,
	};
	uint64_t *pml4, *pdpt, *pd;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int i;

	vm_create(&g->vm);
	g->mem_size = mem_size;
	g->mem = vm_add_memory(&g->vm, 0, 0, mem_size, 0);
	memcpy(g->mem + code_gpa, code, len);
	memcpy(g->mem + LM_GDT, gdt, sizeof(gdt));
	pml4 = (uint64_t *)(g->mem + LM_PML4);
	pdpt = (uint64_t *)(g->mem + LM_PDPT);
	pd = (uint64_t *)(g->mem + LM_PD);
	pml4[0] = LM_PDPT | PTE_P | PTE_RW;
	pdpt[0] = LM_PD | PTE_P | PTE_RW;
	for (i = 0; i < 512; i++)
		pd[i] = ((uint64_t)i << 21) | PTE_P | PTE_RW | PTE_PS;

	vcpu_create(&g->vm, 0, &g->vcpu);
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_GET_SREGS, &sregs);
	flat_segment(&sregs.cs, LM_CODE_SEL, 0xb, true);
	flat_segment(&sregs.ds, LM_DATA_SEL, 0x3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.gdt.base = LM_GDT;
	sregs.gdt.limit = sizeof(gdt) - 1;
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sregs.cr3 = LM_PML4;
	sregs.cr4 = CR4_PAE | CR4_OSFXSR;
	sregs.efer = EFER_LME | EFER_LMA;
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_SET_SREGS, &sregs);

	memset(&regs, 0, sizeof(regs));
	regs.rip = code_gpa;
	regs.rsp = mem_size;
	regs.rflags = 2;
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_SET_REGS, &regs);
}

void guest_stop(struct test_guest *g)
{
	vcpu_close(&g->vcpu);
	vm_close(&g->vm);
	munmap(g->mem, g->mem_size);
}

void __assert_mmio_exit(const char *file, int line, struct test_vcpu *vcpu,
			uint64_t gpa, unsigned int len, bool is_write)
{
	struct kvm_run *run = vcpu->run;

	if (run->exit_reason != KVM_EXIT_MMIO)
		ktap_fail(file, line, "exit reason: wanted MMIO, got %s",
			  exit_reason_name(run->exit_reason));
	if (run->mmio.phys_addr != gpa || run->mmio.len != len ||
	    run->mmio.is_write != is_write)
		ktap_fail(file, line, "wanted MMIO %s of %u at %#llx, got %s of %u at %#llx",
			  is_write ? "write" : "read", len, (unsigned long long)gpa,
			  run->mmio.is_write ? "write" : "read", run->mmio.len,
			  (unsigned long long)run->mmio.phys_addr);
}

void __assert_io_exit(const char *file, int line, struct test_vcpu *vcpu,
		      int dir, int port, int size)
{
	struct kvm_run *run = vcpu->run;

	if (run->exit_reason != KVM_EXIT_IO)
		ktap_fail(file, line, "exit reason: wanted IO, got %s",
			  exit_reason_name(run->exit_reason));
	if (run->io.direction != dir || run->io.port != port ||
	    run->io.size != size || run->io.count != 1) {
		uint32_t data = 0;

		/* What an unexpected OUT wrote says which guest path ran. */
		if (run->io.direction == KVM_EXIT_IO_OUT && run->io.size <= 4)
			memcpy(&data, vcpu_io_data(vcpu), run->io.size);
		ktap_fail(file, line,
			  "I/O exit: wanted %s port %#x size %d count 1, got %s port %#x size %d count %u (data %#x)",
			  dir == KVM_EXIT_IO_IN ? "in" : "out", port, size,
			  run->io.direction == KVM_EXIT_IO_IN ? "in" : "out",
			  run->io.port, run->io.size, run->io.count, data);
	}
}

uint32_t __vcpu_run_out32(const char *file, int line, struct test_vcpu *vcpu, int port)
{
	uint32_t val;

	__vcpu_run(file, line, vcpu);
	__assert_io_exit(file, line, vcpu, KVM_EXIT_IO_OUT, port, 4);
	memcpy(&val, vcpu_io_data(vcpu), 4);
	return val;
}

void *vcpu_io_data(struct test_vcpu *vcpu)
{
	return (char *)vcpu->run + vcpu->run->io.data_offset;
}

/* Look @name up in the statistics file @fd, and close it. */
static bool stats_file_value(int fd, const char *name, uint64_t *value)
{
	struct kvm_stats_header h;
	struct kvm_stats_desc *d;
	bool found = false;
	size_t desc_size;
	uint32_t i;

	TEST_ASSERT(pread(fd, &h, sizeof(h), 0) == sizeof(h), "stats header: %s", strerror(errno));
	desc_size = sizeof(*d) + h.name_size;
	d = malloc(desc_size);
	TEST_ASSERT(d, "out of memory");
	for (i = 0; i < h.num_desc && !found; i++) {
		TEST_ASSERT(pread(fd, d, desc_size, h.desc_offset + i * desc_size) ==
			    (ssize_t)desc_size, "stats descriptor %u", i);
		if (strncmp(d->name, name, h.name_size))
			continue;
		TEST_ASSERT(pread(fd, value, sizeof(*value), h.data_offset + d->offset) ==
			    sizeof(*value), "stats value of %s", name);
		found = true;
	}
	free(d);
	close(fd);
	return found;
}

bool vcpu_stat(struct test_vcpu *vcpu, const char *name, uint64_t *value)
{
	return stats_file_value(ASSERT_IOCTL_OK(vcpu->fd, KVM_GET_STATS_FD, 0), name, value);
}

bool vm_stat(struct test_vm *vm, const char *name, uint64_t *value)
{
	return stats_file_value(ASSERT_IOCTL_OK(vm->fd, KVM_GET_STATS_FD, 0), name, value);
}

void guest_set_supported_cpuid(struct test_guest *g)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 entries[256];
	} c = { .hdr.nent = 256 };

	ASSERT_IOCTL_OK(g->vm.sys_fd, KVM_GET_SUPPORTED_CPUID, &c);
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_SET_CPUID2, &c);
}

uint64_t host_xcr0(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

void vcpu_set_cpuid_xsave(struct test_vcpu *vcpu, uint64_t xcr0)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 entries[2];
	} c = {
		.hdr.nent = 2,
		.entries = {
			{ .function = 1, .ecx = 1u << 26 },	/* XSAVE */
			{ .function = 0xd, .index = 0, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
			  .eax = (uint32_t)xcr0, .edx = xcr0 >> 32 },
		},
	};

	ASSERT_IOCTL_OK(vcpu->fd, KVM_SET_CPUID2, &c);
}

void vcpu_set_cr4_bits(struct test_vcpu *vcpu, uint64_t bits)
{
	struct kvm_sregs sregs;

	ASSERT_IOCTL_OK(vcpu->fd, KVM_GET_SREGS, &sregs);
	sregs.cr4 |= bits;
	ASSERT_IOCTL_OK(vcpu->fd, KVM_SET_SREGS, &sregs);
}

int vcpu_set_xcr(struct test_vcpu *vcpu, uint32_t xcr, uint64_t value)
{
	struct kvm_xcrs xcrs = { .nr_xcrs = 1, .xcrs[0] = { .xcr = xcr, .value = value } };

	return ioctl(vcpu->fd, KVM_SET_XCRS, &xcrs) ? -errno : 0;
}
