// SPDX-License-Identifier: GPL-2.0-only
/*
 * L2 guests in real mode: port I/O of each size in both directions, HLT,
 * a triple fault, immediate_exit. The same binary runs against KVM
 * (realmode@kvm in the suite): both must give the same exits and results.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "kvm_vm.h"

#define MEM_SIZE	0x10000
#define CODE_GPA	0x1000

static void guest_start(struct test_guest *g, const unsigned char *code, size_t len)
{
	guest_start_real_mode(g, MEM_SIZE, CODE_GPA, code, len);
}

static void test_io_and_hlt(void)
{
	static const unsigned char code[] = {
		0xb0, 0x42,				/* mov al, 0x42 */
		0xe6, 0x10,				/* out 0x10, al */
		0xe4, 0x11,				/* in al, 0x11 */
		0xe6, 0x12,				/* out 0x12, al */
		0xb8, 0x34, 0x12,			/* mov ax, 0x1234 */
		0xba, 0x00, 0x20,			/* mov dx, 0x2000 */
		0xef,					/* out dx, ax */
		0x66, 0xb8, 0x78, 0x56, 0x34, 0x12,	/* mov eax, 0x12345678 */
		0x66, 0xe7, 0x14,			/* out 0x14, eax */
		0x66, 0xe5, 0x15,			/* in eax, 0x15 */
		0xf4,					/* hlt */
	};
	struct kvm_regs regs;
	struct test_guest g;
	uint32_t v32;
	uint16_t v16;

	guest_start(&g, code, sizeof(code));

	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
	ASSERT_EQ(0x42, *(uint8_t *)vcpu_io_data(&g.vcpu));

	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_IN, 0x11, 1);
	*(uint8_t *)vcpu_io_data(&g.vcpu) = 0x99;

	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x12, 1);
	ASSERT_EQ(0x99, *(uint8_t *)vcpu_io_data(&g.vcpu));

	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x2000, 2);
	memcpy(&v16, vcpu_io_data(&g.vcpu), 2);
	ASSERT_EQ(0x1234, v16);

	ASSERT_EQ(0x12345678, vcpu_run_out32(&g.vcpu, 0x14));

	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_IN, 0x15, 4);
	v32 = 0xcafef00d;
	memcpy(vcpu_io_data(&g.vcpu), &v32, 4);

	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(CODE_GPA + sizeof(code), regs.rip);
	ASSERT_EQ(0xcafef00d, regs.rax);
	ASSERT_EQ(0x2000, regs.rdx);
	guest_stop(&g);
}

/*
 * A port access is retired on the next KVM_RUN, as in KVM: during the exit
 * RIP is on the instruction; registers written back unchanged (a VMM that
 * saves and restores them at every exit) do not stop it from completing,
 * and an IN's data still lands in AL; moving RIP abandons it.
 */
static void test_io_retired_on_next_run(void)
{
	static const unsigned char code[] = {
		0xe6, 0x10,				/* out 0x10, al */
		0xe4, 0x11,				/* in al, 0x11 */
		0xe6, 0x12,				/* out 0x12, al */
		0xe6, 0x13,				/* out 0x13, al */
		0xf4,					/* hlt */
	};
	struct kvm_regs regs;
	struct test_guest g;

	guest_start(&g, code, sizeof(code));
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(CODE_GPA, regs.rip);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);

	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_IN, 0x11, 1);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(CODE_GPA + 2, regs.rip);
	regs.rax = 0x1200;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);
	*(uint8_t *)vcpu_io_data(&g.vcpu) = 0x34;

	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x12, 1);
	ASSERT_EQ(0x34, *(uint8_t *)vcpu_io_data(&g.vcpu));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(0x1234, regs.rax);

	/* RIP moved to the next OUT: this one is abandoned, that one runs. */
	regs.rip = CODE_GPA + 6;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x13, 1);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(CODE_GPA + sizeof(code), regs.rip);
	guest_stop(&g);
}

/* GPRs set by KVM_SET_REGS reach the guest, and come back out. */
static void test_registers_round_trip(void)
{
	static const unsigned char code[] = {
		0x66, 0x01, 0xd8,	/* add eax, ebx */
		0x66, 0x87, 0xca,	/* xchg edx, ecx */
		0xf4,			/* hlt */
	};
	struct kvm_regs regs;
	struct test_guest g;

	guest_start(&g, code, sizeof(code));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	regs.rax = 1000;
	regs.rbx = 234;
	regs.rcx = 0x11111111;
	regs.rdx = 0x22222222;
	regs.rsi = 0x5151;
	regs.rdi = 0xd1d1;
	regs.rbp = 0xb0b0;
	regs.r8 = 0x8888888888888888ull;
	regs.r15 = 0xf0f0f0f0f0f0f0f0ull;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);

	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(1234, regs.rax);
	ASSERT_EQ(0x22222222, regs.rcx);
	ASSERT_EQ(0x11111111, regs.rdx);
	ASSERT_EQ(0x5151, regs.rsi);
	ASSERT_EQ(0xd1d1, regs.rdi);
	ASSERT_EQ(0xb0b0, regs.rbp);
	ASSERT_EQ(0x8888888888888888ull, regs.r8);
	ASSERT_EQ(0xf0f0f0f0f0f0f0f0ull, regs.r15);
	guest_stop(&g);
}

/* The architectural reset state: CS:IP f000:fff0, GPRs zero but RDX. */
static void assert_reset_state(int vcpu_fd)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	ASSERT_IOCTL_OK(vcpu_fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(0xfff0, regs.rip);
	ASSERT_EQ(0, regs.rax);
	ASSERT_EQ(0, regs.rsp);
	ASSERT_EQ(0x600, regs.rdx);	/* no CPUID leaf 1: KVM's signature */
	ASSERT_IOCTL_OK(vcpu_fd, KVM_GET_SREGS, &sregs);
	ASSERT_EQ(0xf000, sregs.cs.selector);
	ASSERT_EQ(0xffff0000, sregs.cs.base);
}

static void test_reset_state(void)
{
	struct test_vcpu vcpu;
	struct test_vm vm;

	vm_create(&vm);
	vcpu_create(&vm, 0, &vcpu);
	assert_reset_state(vcpu.fd);
	vcpu_close(&vcpu);
	vm_close(&vm);
}

/* An exception with an empty IVT faults again, then triple-faults. */
static void test_triple_fault_is_shutdown(void)
{
	static const unsigned char code[] = { 0xcc };	/* int3 */
	struct kvm_sregs sregs;
	struct test_guest g;

	guest_start(&g, code, sizeof(code));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
	sregs.idt.limit = 0;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &sregs);
	ASSERT_EQ(KVM_EXIT_SHUTDOWN, vcpu_run(&g.vcpu));
	if (cpu_has_flag("svm")) {
		/* The vCPU is back at the reset vector, as after RESET (see below). */
		assert_reset_state(g.vcpu.fd);
	} else {
		/* kvm-intel (and l1vmm on VMX) leave it where it faulted. */
		struct kvm_regs regs;

		ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
		ASSERT_EQ(CODE_GPA, regs.rip);
	}
	guest_stop(&g);
}

/*
 * immediate_exit makes KVM_RUN return -EINTR without entering, and leaves
 * exit_reason as it was; clearing it resumes the guest where it stopped.
 * (The vCPU runs once first: KVM 6.1 in this nested setup locked the whole
 * L1 guest when a vCPU's very first KVM_RUN was an immediate exit followed
 * by a real entry.)
 */
static void test_immediate_exit(void)
{
	static const unsigned char code[] = { 0xf4, 0xf4 };	/* hlt; hlt */
	struct kvm_regs regs;
	struct test_guest g;

	guest_start(&g, code, sizeof(code));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	g.vcpu.run->immediate_exit = 1;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_RUN, 0, EINTR);
	ASSERT_EQ(KVM_EXIT_HLT, g.vcpu.run->exit_reason);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(CODE_GPA + 1, regs.rip);

	g.vcpu.run->immediate_exit = 0;
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(CODE_GPA + 2, regs.rip);
	guest_stop(&g);
}

#define SIGNATURE	0x6d76316c	/* "l1vm" */

static void set_cpuid(int vcpu_fd, const struct kvm_cpuid_entry2 *e, unsigned int n)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 entries[8];
	} c;

	memset(&c, 0, sizeof(c));
	c.hdr.nent = n;
	memcpy(c.entries, e, n * sizeof(*e));
	ASSERT_IOCTL_OK(vcpu_fd, KVM_SET_CPUID2, &c);
}

static const struct kvm_cpuid_entry2 test_cpuid[] = {
	{ .function = 0x40000000, .eax = 0x40000000, .ebx = SIGNATURE },
	{ .function = 7, .index = 0, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .ebx = 70 },
	{ .function = 7, .index = 1, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .ebx = 71 },
};

/* The guest sees the table user space set, sub-leaves included. */
static void test_cpuid_from_table(void)
{
	static const unsigned char code[] = {
		0x66, 0xb8, 0x00, 0x00, 0x00, 0x40,	/* mov eax, 0x40000000 */
		0x0f, 0xa2,				/* cpuid */
		0x66, 0x89, 0xd8,			/* mov eax, ebx */
		0x66, 0xe7, 0x10,			/* out 0x10, eax */
		0x66, 0xb8, 0x07, 0x00, 0x00, 0x00,	/* mov eax, 7 */
		0x66, 0xb9, 0x01, 0x00, 0x00, 0x00,	/* mov ecx, 1 */
		0x0f, 0xa2,				/* cpuid */
		0x66, 0x89, 0xd8,			/* mov eax, ebx */
		0x66, 0xe7, 0x10,			/* out 0x10, eax */
		0xf4,					/* hlt */
	};
	struct test_guest g;

	guest_start(&g, code, sizeof(code));
	set_cpuid(g.vcpu.fd, test_cpuid, KTAP_ARRAY_SIZE(test_cpuid));

	ASSERT_EQ(SIGNATURE, vcpu_run_out32(&g.vcpu, 0x10));
	ASSERT_EQ(71, vcpu_run_out32(&g.vcpu, 0x10));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

GUEST_CODE(cpuid_leaf1, ".code16",
	"mov $1, %eax\n\t"
	"cpuid\n\t"
	"mov %ecx, %eax\n\t"
	"out %eax, $0x10\n\t"
	"mov %edx, %eax\n\t"
	"out %eax, $0x10\n\t"
	"hlt\n\t");

/*
 * KVM_GET_SUPPORTED_CPUID: -E2BIG without room (nent untouched), then a
 * table that, given to the vCPU, is what the guest reads.
 */
static void test_supported_cpuid(void)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 entries[256];
	} c;
	const struct kvm_cpuid_entry2 *leaf1 = NULL;
	struct test_guest g;
	unsigned int i;

	guest_start(&g, cpuid_leaf1, GUEST_CODE_SIZE(cpuid_leaf1));
	memset(&c, 0, sizeof(c));
	ASSERT_IOCTL_ERRNO(g.vm.sys_fd, KVM_GET_SUPPORTED_CPUID, &c, E2BIG);
	c.hdr.nent = 1;
	ASSERT_IOCTL_ERRNO(g.vm.sys_fd, KVM_GET_SUPPORTED_CPUID, &c, E2BIG);
	ASSERT_EQ(1, c.hdr.nent);
	c.hdr.nent = 256;
	ASSERT_IOCTL_OK(g.vm.sys_fd, KVM_GET_SUPPORTED_CPUID, &c);
	TEST_ASSERT(c.hdr.nent >= 2 && c.hdr.nent <= 256, "nent %u", c.hdr.nent);
	for (i = 0; i < c.hdr.nent; i++)
		if (c.entries[i].function == 1)
			leaf1 = &c.entries[i];
	TEST_ASSERT(leaf1, "no leaf 1");
	if (!dev_is_l1vmm() && cpu_has_flag("vmx"))
		ktap_skip("kvm-intel under Bochs shows the guest leaf 1 EDX bit 10, which its table lacks");
	TEST_ASSERT(leaf1->edx & (1u << 25), "leaf 1 EDX: no SSE");
	if (dev_is_l1vmm())	/* XSAVE where the host has it */
		ASSERT_EQ(cpu_has_flag("xsave") ? 1u << 26 : 0, leaf1->ecx & (1u << 26));

	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_CPUID2, &c);
	ASSERT_EQ(leaf1->ecx, vcpu_run_out32(&g.vcpu, 0x10));
	ASSERT_EQ(leaf1->edx, vcpu_run_out32(&g.vcpu, 0x10));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

static void test_cpuid2_get_and_errors(void)
{
	static const unsigned char code[] = { 0xf4 };
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 entries[8];
	} c;
	struct test_guest g;
	unsigned int i;

	guest_start(&g, code, sizeof(code));
	set_cpuid(g.vcpu.fd, test_cpuid, KTAP_ARRAY_SIZE(test_cpuid));

	memset(&c, 0, sizeof(c));
	c.hdr.nent = 1;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_GET_CPUID2, &c, E2BIG);
	c.hdr.nent = 8;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_CPUID2, &c);
	/* l1vmm reports the count; KVM 6.1 leaves nent as passed (doc/abi.md). */
	if (dev_is_l1vmm())
		ASSERT_EQ(KTAP_ARRAY_SIZE(test_cpuid), c.hdr.nent);
	for (i = 0; i < KTAP_ARRAY_SIZE(test_cpuid); i++) {
		ASSERT_EQ(test_cpuid[i].function, c.entries[i].function);
		ASSERT_EQ(test_cpuid[i].index, c.entries[i].index);
		ASSERT_EQ(test_cpuid[i].ebx, c.entries[i].ebx);
	}

	c.hdr.nent = 100000;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_CPUID2, &c, E2BIG);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_CPUID2, NULL, EFAULT);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_GET_CPUID2, NULL, EFAULT);
	guest_stop(&g);
}

/* A leaf that is not in the table reads as zeros (KVM differs: doc/abi.md). */
static void test_cpuid_missing_leaf_is_zero(void)
{
	static const unsigned char code[] = {
		0x66, 0xb8, 0x05, 0x00, 0x00, 0x40,	/* mov eax, 0x40000005 */
		0x0f, 0xa2,				/* cpuid */
		0x66, 0x09, 0xd8,			/* or eax, ebx */
		0x66, 0x09, 0xc8,			/* or eax, ecx */
		0x66, 0x09, 0xd0,			/* or eax, edx */
		0x66, 0xe7, 0x10,			/* out 0x10, eax */
		0xf4,
	};
	struct test_guest g;

	if (!dev_is_l1vmm())
		ktap_skip("KVM answers a missing leaf with the highest basic leaf");
	guest_start(&g, code, sizeof(code));
	set_cpuid(g.vcpu.fd, test_cpuid, KTAP_ARRAY_SIZE(test_cpuid));
	ASSERT_EQ(0, vcpu_run_out32(&g.vcpu, 0x10));
	guest_stop(&g);
}

/* An unknown hypercall returns -KVM_ENOSYS, 32 bits wide outside long mode. */
static void test_unknown_hypercall(void)
{
	static const unsigned char code[] = {
		0x66, 0xb8, 0x39, 0x30, 0x00, 0x00,	/* mov eax, 12345 */
		0x0f, 0x01, 0xd9,			/* vmmcall */
		0xf4,					/* hlt */
	};
	struct kvm_regs regs;
	struct test_guest g;

	if (!dev_is_l1vmm() && cpu_has_flag("vmx"))
		ktap_skip("kvm-intel under Bochs fails to emulate the real-mode VMMCALL (emulation failure)");
	guest_start(&g, code, sizeof(code));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ((uint32_t)-1000, regs.rax);	/* -KVM_ENOSYS */
	ASSERT_EQ(CODE_GPA + sizeof(code), regs.rip);
	guest_stop(&g);
}

/* CPUID 1 (ECX, EDX) and 0xD.0 EBX, as the guest sees them. */
GUEST_CODE(cpuid_runtime_guest, ".code16",
	"mov $1, %eax\n\t"
	"cpuid\n\t"
	"mov %ecx, %eax\n\t"
	"out %eax, $0x10\n\t"
	"mov %edx, %eax\n\t"
	"out %eax, $0x10\n\t"
	"mov $0xd, %eax\n\t"
	"xor %ecx, %ecx\n\t"
	"cpuid\n\t"
	"mov %ebx, %eax\n\t"
	"out %eax, $0x10\n\t"
	"hlt\n\t");

struct cpuid_table {
	struct kvm_cpuid2 hdr;
	struct kvm_cpuid_entry2 entries[256];
};

static struct kvm_cpuid_entry2 *table_entry(struct cpuid_table *c, uint32_t function,
					    uint32_t index)
{
	unsigned int i;

	for (i = 0; i < c->hdr.nent; i++)
		if (c->entries[i].function == function && c->entries[i].index == index)
			return &c->entries[i];
	ktap_fail(__FILE__, __LINE__, "no CPUID entry %#x.%u", function, index);
	return NULL;
}

/* KVM_GET_CPUID2 of a table of @nent entries (KVM 6.1 leaves nent as passed). */
static void get_cpuid2(struct test_vcpu *vcpu, struct cpuid_table *c, unsigned int nent)
{
	memset(c, 0, sizeof(*c));
	c->hdr.nent = 256;
	ASSERT_IOCTL_OK(vcpu->fd, KVM_GET_CPUID2, c);
	c->hdr.nent = nent;
}

#define CPUID_1_ECX_OSXSAVE	(1u << 27)
#define CPUID_1_EDX_APIC	(1u << 9)
#define MSR_APIC_BASE		0x1b

/*
 * KVM writes the run-time bits into the vCPU's table (its
 * kvm_update_cpuid_runtime()): KVM_GET_CPUID2 shows OSXSAVE as CR4 has it,
 * the APIC bit as APIC_BASE has it and 0xD.0 EBX for XCR0, and the guest
 * sees the same (Linux's cpuid_test compares the two). After KVM_RUN only
 * the same table may be set again.
 */
static void test_cpuid_runtime_bits(void)
{
	static struct cpuid_table supported, c;
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} msrs = { .hdr.nmsrs = 1, .e.index = MSR_APIC_BASE };
	uint64_t xcr0 = host_xcr0() & (XF_FPSSE | XF_YMM);
	struct kvm_cpuid_entry2 *e;
	struct test_guest g;

	if (!cpu_has_flag("xsave"))
		ktap_skip("the host has no XSAVE");
	vm_create_irqchip = true;
	guest_start(&g, cpuid_runtime_guest, GUEST_CODE_SIZE(cpuid_runtime_guest));
	vm_create_irqchip = false;
	supported.hdr.nent = 256;
	ASSERT_IOCTL_OK(g.vm.sys_fd, KVM_GET_SUPPORTED_CPUID, &supported);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_CPUID2, &supported);

	/* After RESET: CR4 0, XCR0 x87, the APIC enabled. */
	get_cpuid2(&g.vcpu, &c, supported.hdr.nent);
	ASSERT_EQ(0, table_entry(&c, 1, 0)->ecx & CPUID_1_ECX_OSXSAVE);
	ASSERT_EQ(CPUID_1_EDX_APIC, table_entry(&c, 1, 0)->edx & CPUID_1_EDX_APIC);
	ASSERT_EQ(512 + 64, table_entry(&c, 0xd, 0)->ebx);

	vcpu_set_cr4_bits(&g.vcpu, CR4_OSXSAVE);
	ASSERT_EQ(0, vcpu_set_xcr(&g.vcpu, 0, xcr0));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_MSRS, &msrs);
	msrs.e.data &= ~(1ull << 11);	/* the APIC globally disabled */
	ASSERT_EQ(1, ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_MSRS, &msrs));
	get_cpuid2(&g.vcpu, &c, supported.hdr.nent);
	e = table_entry(&c, 1, 0);
	ASSERT_EQ(CPUID_1_ECX_OSXSAVE, e->ecx & CPUID_1_ECX_OSXSAVE);
	ASSERT_EQ(0, e->edx & CPUID_1_EDX_APIC);
	ASSERT_EQ(xcr0 & XF_YMM ? 512 + 64 + 256 : 512 + 64, table_entry(&c, 0xd, 0)->ebx);

	ASSERT_EQ(e->ecx, vcpu_run_out32(&g.vcpu, 0x10));
	ASSERT_EQ(e->edx, vcpu_run_out32(&g.vcpu, 0x10));
	/* Not run to its HLT: with the in-kernel APIC, HLT waits in the kernel. */
	ASSERT_EQ(table_entry(&c, 0xd, 0)->ebx, vcpu_run_out32(&g.vcpu, 0x10));

	/* After KVM_RUN: the same table again (its run-time bits aside) only. */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_CPUID2, &supported);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_CPUID2, &c);
	table_entry(&supported, 0x80000008, 0)->eax--;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_CPUID2, &supported, EINVAL);
	table_entry(&supported, 0x80000008, 0)->eax++;
	supported.hdr.nent--;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_CPUID2, &supported, EINVAL);
	supported.hdr.nent++;
	get_cpuid2(&g.vcpu, &supported, c.hdr.nent);
	TEST_ASSERT(!memcmp(&supported.entries, &c.entries, c.hdr.nent * sizeof(*e)),
		    "the table changed");
	guest_stop(&g);
}

/* RDMSR IA32_APIC_BASE to port 0x10, WRMSR of EBX to it, RDMSR again. */
GUEST_CODE(apic_base_guest, ".code16",
	"mov $0x1b, %ecx\n\t"
	"rdmsr\n\t"
	"out %eax, $0x10\n\t"
	"mov %ebx, %eax\n\t"
	"xor %edx, %edx\n\t"
	"wrmsr\n\t"
	"rdmsr\n\t"
	"out %eax, $0x10\n\t"
	"hlt\n\t");

/*
 * Without the in-kernel irqchip, KVM_SET_SREGS's apic_base is still KVM's
 * kvm_set_apic_base() from the host: a reserved bit (7:0, 9, 52 is above
 * any MAXPHYADDR), x2APIC enable without x2APIC in CPUID, or x2APIC without
 * enable is -EINVAL with nothing changed; any other value is kept,
 * KVM_GET_SREGS and kvm_run report it, and CPUID 1's APIC bit follows its
 * enable bit. The guest reads and writes the same IA32_APIC_BASE.
 */
static void test_apic_base_without_irqchip(void)
{
	static const uint64_t bad[] = {
		0xfee00000 | 0x800 | 1, 0xfee00000 | 0x800 | 0x200, 0xfee00000 | 0x400,
		0xfee00000 | 0x800 | 0x400, 0xfee00000 | 0x800 | 1ull << 52,
	};
	static const unsigned char code[] = { 0xf4 };	/* hlt */
	static struct cpuid_table supported, c;
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} msrs = { .hdr.nmsrs = 1, .e.index = MSR_APIC_BASE };
	struct kvm_sregs s, orig;
	struct kvm_cpuid_entry2 *e;
	struct kvm_regs regs;
	struct test_guest g;
	size_t i;

	guest_start(&g, code, sizeof(code));
	supported.hdr.nent = 256;
	ASSERT_IOCTL_OK(g.vm.sys_fd, KVM_GET_SUPPORTED_CPUID, &supported);
	e = table_entry(&supported, 1, 0);
	e->ecx &= ~(1u << 21);				/* no x2APIC */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_CPUID2, &supported);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &orig);
	ASSERT_EQ(0xfee00000 | 0x800 | 0x100, orig.apic_base);
	for (i = 0; i < KTAP_ARRAY_SIZE(bad); i++) {
		s = orig;
		s.apic_base = bad[i];
		ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_SREGS, &s, EINVAL);
	}
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &s);
	ASSERT_EQ(orig.apic_base, s.apic_base);

	/* Disabled, moved: kept and reported; CPUID 1 loses the APIC bit. */
	s.apic_base = 0xfed00000 | 0x100;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &s);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &s);
	ASSERT_EQ(0xfed00000 | 0x100, s.apic_base);
	get_cpuid2(&g.vcpu, &c, supported.hdr.nent);
	ASSERT_EQ(0, table_entry(&c, 1, 0)->edx & CPUID_1_EDX_APIC);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_EQ(0xfed00000 | 0x100, g.vcpu.run->apic_base);
	guest_stop(&g);

	/* The guest's RDMSR and WRMSR: enabled again at another address. */
	guest_start(&g, apic_base_guest, GUEST_CODE_SIZE(apic_base_guest));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	regs.rbx = 0xfec00000 | 0x800 | 0x100;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);
	ASSERT_EQ(0xfee00000 | 0x800 | 0x100, vcpu_run_out32(&g.vcpu, 0x10));
	ASSERT_EQ(0xfec00000 | 0x800 | 0x100, vcpu_run_out32(&g.vcpu, 0x10));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &s);
	ASSERT_EQ(0xfec00000 | 0x800 | 0x100, s.apic_base);

	/* And user space's KVM_GET/SET_MSRS: a refused value stops the list there. */
	ASSERT_EQ(1, ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_MSRS, &msrs));
	ASSERT_EQ(0xfec00000 | 0x800 | 0x100, msrs.e.data);
	msrs.e.data = 0xfee00000 | 0x800 | 1;
	ASSERT_EQ(0, ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_MSRS, &msrs));
	msrs.e.data = 0xfee00000 | 0x800;
	ASSERT_EQ(1, ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_MSRS, &msrs));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &s);
	ASSERT_EQ(0xfee00000 | 0x800, s.apic_base);
	guest_stop(&g);
}

/*
 * Before the guest first runs, a table KVM's kvm_check_cpuid() refuses is
 * -EINVAL for a virtual-address width (0x80000008 EAX 15:8) other than 0,
 * 48 or 57, and -EPERM for AMX tile data without the process's permission. A KVM_RUN that returns before entering (immediate_exit) leaves
 * the table free to change, as KVM's last_vmentry_cpu does; the first
 * entry fixes it.
 */
static void test_cpuid2_before_first_entry(void)
{
	static const unsigned char code[] = { 0xf4 };	/* hlt */
	static struct cpuid_table supported;
	struct kvm_cpuid_entry2 *e;
	uint32_t eax, xstate;
	struct test_guest g;

	guest_start(&g, code, sizeof(code));
	supported.hdr.nent = 256;
	ASSERT_IOCTL_OK(g.vm.sys_fd, KVM_GET_SUPPORTED_CPUID, &supported);
	e = table_entry(&supported, 0x80000008, 0);
	eax = e->eax;
	e->eax = (eax & ~0xff00u) | 47u << 8;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_CPUID2, &supported, EINVAL);
	e->eax = (eax & ~0xff00u) | 64u << 8;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_CPUID2, &supported, EINVAL);
	e->eax = eax & ~0xff00u;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_CPUID2, &supported);
	e->eax = (eax & ~0xff00u) | 57u << 8;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_CPUID2, &supported);

	/*
	 * AMX tile data offered in 0xD.0: the FPU core wants the process's
	 * permission for it, never asked for here (KVM's kvm_check_cpuid()).
	 */
	if (cpu_has_flag("xsave")) {
		e = table_entry(&supported, 0xd, 0);
		xstate = e->eax;
		e->eax |= 1u << 18;
		ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_CPUID2, &supported, EPERM);
		e->eax = xstate;
	}
	e = table_entry(&supported, 0x80000008, 0);

	g.vcpu.run->immediate_exit = 1;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_RUN, 0, EINTR);
	g.vcpu.run->immediate_exit = 0;
	e->eax = eax;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_CPUID2, &supported);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	e->eax = eax ^ 1;		/* another physical width: still a valid table */
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_CPUID2, &supported, EINVAL);
	guest_stop(&g);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_io_and_hlt),
	KTAP_CASE(test_io_retired_on_next_run),
	KTAP_CASE(test_registers_round_trip),
	KTAP_CASE(test_reset_state),
	KTAP_CASE(test_triple_fault_is_shutdown),
	KTAP_CASE(test_immediate_exit),
	KTAP_CASE(test_cpuid_from_table),
	KTAP_CASE(test_cpuid2_get_and_errors),
	KTAP_CASE(test_supported_cpuid),
	KTAP_CASE(test_cpuid_missing_leaf_is_zero),
	KTAP_CASE(test_cpuid_runtime_bits),
	KTAP_CASE(test_cpuid2_before_first_entry),
	KTAP_CASE(test_apic_base_without_irqchip),
	KTAP_CASE(test_unknown_hypercall),
};

int main(void)
{
	return ktap_run(dev_is_l1vmm() ? "realmode" : "realmode@kvm", tests,
			KTAP_ARRAY_SIZE(tests));
}
