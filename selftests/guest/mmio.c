// SPDX-License-Identifier: GPL-2.0-only
/*
 * MMIO: guest accesses to guest-physical addresses without a slot, and
 * writes to read-only slots, exit as KVM_EXIT_MMIO with the decoded access;
 * reads complete from kvm_run.mmio.data on the next KVM_RUN. Each access
 * size, the MOV forms (register, immediate, high byte, MOVZX, MOVSX,
 * moffs), and an instruction l1vmm does not decode. Runs against l1vmm and
 * KVM (mmio@kvm).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "kvm_vm.h"

#define MEM_SIZE	(4ul << 20)
#define CODE_GPA	0x10000
#define MMIO_GPA	0x20000000ull	/* no slot; mapped by the guest's page tables */
#define ROM_GPA		0x00400000ull	/* the read-only slot */

GUEST_CODE(mmio_forms, ".code64",
	"mov $0x20000000, %rbx\n\t"
	"movb $0x12, (%rbx)\n\t"
	"movw $0x3456, 2(%rbx)\n\t"
	"movl $0x789abcde, 4(%rbx)\n\t"
	"mov $0x1122334455667788, %rax\n\t"
	"mov %rax, 8(%rbx)\n\t"
	"mov %ah, 16(%rbx)\n\t"
	"movq $-2, 24(%rbx)\n\t"
	"mov (%rbx), %cl\n\t"
	"mov 2(%rbx), %dx\n\t"
	"mov 4(%rbx), %esi\n\t"
	"mov 8(%rbx), %rdi\n\t"
	"movzbl 1(%rbx), %r8d\n\t"
	"movsbq 1(%rbx), %r9\n\t"
	"movswl 2(%rbx), %r10d\n\t"
	"movabs 0x20000040, %eax\n\t"
	"hlt\n\t");

struct mmio_step {
	uint64_t gpa;
	unsigned int len;
	bool is_write;
	uint64_t data;		/* written by the guest, or supplied for a read */
};

static const struct mmio_step steps[] = {
	{ MMIO_GPA + 0, 1, true, 0x12 },
	{ MMIO_GPA + 2, 2, true, 0x3456 },
	{ MMIO_GPA + 4, 4, true, 0x789abcde },
	{ MMIO_GPA + 8, 8, true, 0x1122334455667788ull },
	{ MMIO_GPA + 16, 1, true, 0x77 },
	{ MMIO_GPA + 24, 8, true, 0xfffffffffffffffeull },
	{ MMIO_GPA + 0, 1, false, 0xa1 },
	{ MMIO_GPA + 2, 2, false, 0xb2b2 },
	{ MMIO_GPA + 4, 4, false, 0xc3c3c3c3 },
	{ MMIO_GPA + 8, 8, false, 0xd4d4d4d4d4d4d4d4ull },
	{ MMIO_GPA + 1, 1, false, 0x80 },
	{ MMIO_GPA + 1, 1, false, 0x80 },
	{ MMIO_GPA + 2, 2, false, 0x8001 },
	{ MMIO_GPA + 0x40, 4, false, 0xe5e5e5e5 },
};

static void test_each_size_and_form(void)
{
	struct kvm_regs regs;
	struct test_guest g;
	size_t i;

	guest_start_long_mode(&g, MEM_SIZE, CODE_GPA, mmio_forms, GUEST_CODE_SIZE(mmio_forms));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	regs.rcx = regs.rdx = regs.rsi = ~0ull;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);

	for (i = 0; i < KTAP_ARRAY_SIZE(steps); i++) {
		uint64_t data = 0;

		vcpu_run(&g.vcpu);
		ASSERT_MMIO_EXIT(&g.vcpu, steps[i].gpa, steps[i].len, steps[i].is_write);
		if (steps[i].is_write) {
			memcpy(&data, g.vcpu.run->mmio.data, steps[i].len);
			TEST_ASSERT(data == steps[i].data, "step %zu: wrote %#llx", i,
				    (unsigned long long)data);
		} else {
			memcpy(g.vcpu.run->mmio.data, &steps[i].data, steps[i].len);
		}
	}
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(0xffffffffffffffa1ull, regs.rcx);	/* CL only */
	ASSERT_EQ(0xffffffffffffb2b2ull, regs.rdx);	/* DX only */
	ASSERT_EQ(0xc3c3c3c3ull, regs.rsi);		/* ESI zero-extends */
	ASSERT_EQ(0xd4d4d4d4d4d4d4d4ull, regs.rdi);
	ASSERT_EQ(0x80, regs.r8);			/* MOVZX */
	ASSERT_EQ(-128, (int64_t)regs.r9);		/* MOVSX */
	ASSERT_EQ(0xffff8001ull, regs.r10);		/* MOVSX to 32 bits, zero-extended */
	ASSERT_EQ(0xe5e5e5e5ull, regs.rax);		/* moffs */
	guest_stop(&g);
}

/*
 * As in KVM, an MMIO write is retired before its exit (RIP past it), a read
 * only once its data has come (RIP on it, the register as it was).
 */
GUEST_CODE(mmio_retire, ".code64",
	"mov $0x20000000, %rbx\n\t"	/* 7 bytes */
	"mov %rax, 8(%rbx)\n\t"	/* 4 bytes */
	"mov 8(%rbx), %rdi\n\t"	/* 4 bytes */
	"hlt\n\t");

static void test_write_then_read_retired(void)
{
	struct kvm_regs regs;
	struct test_guest g;

	guest_start_long_mode(&g, MEM_SIZE, CODE_GPA, mmio_retire, GUEST_CODE_SIZE(mmio_retire));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	regs.rdi = 0x5555;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);

	vcpu_run(&g.vcpu);
	ASSERT_MMIO_EXIT(&g.vcpu, MMIO_GPA + 8, 8, true);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(CODE_GPA + 11, regs.rip);

	vcpu_run(&g.vcpu);
	ASSERT_MMIO_EXIT(&g.vcpu, MMIO_GPA + 8, 8, false);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(CODE_GPA + 11, regs.rip);
	ASSERT_EQ(0x5555, regs.rdi);
	memset(g.vcpu.run->mmio.data, 0x66, 8);

	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(0x6666666666666666ull, regs.rdi);
	ASSERT_EQ(CODE_GPA + GUEST_CODE_SIZE(mmio_retire), regs.rip);
	guest_stop(&g);
}

GUEST_CODE(mmio_rom, ".code64",
	"mov $0x400000, %rbx\n\t"
	"mov (%rbx), %eax\n\t"		/* an ordinary read: no exit */
	"out %eax, $0x10\n\t"
	"movl $0xabcd, (%rbx)\n\t"	/* a write: MMIO */
	"mov (%rbx), %eax\n\t"		/* still the ROM's value */
	"out %eax, $0x11\n\t"
	"hlt\n\t");

static void test_read_only_slot(void)
{
	struct test_guest g;
	uint32_t *rom;

	guest_start_long_mode(&g, MEM_SIZE / 2, CODE_GPA, mmio_rom, GUEST_CODE_SIZE(mmio_rom));
	rom = vm_add_memory(&g.vm, 1, ROM_GPA, 4096, KVM_MEM_READONLY);
	rom[0] = 0x5a5a5a5a;

	ASSERT_EQ(0x5a5a5a5a, vcpu_run_out32(&g.vcpu, 0x10));
	vcpu_run(&g.vcpu);
	ASSERT_MMIO_EXIT(&g.vcpu, ROM_GPA, 4, true);
	ASSERT_EQ(0xabcd, *(uint32_t *)g.vcpu.run->mmio.data);
	ASSERT_EQ(0x5a5a5a5a, vcpu_run_out32(&g.vcpu, 0x11));
	ASSERT_EQ(0x5a5a5a5a, rom[0]);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

GUEST_CODE(mmio_add, ".code64",
	"mov $0x20000000, %rbx\n\t"
	"addl $1, (%rbx)\n\t"
	"hlt\n\t");

/*
 * l1vmm decodes MOV forms only; KVM emulates ADD (a read, then a write), so
 * this case is l1vmm's alone.
 */
static void test_undecodable_is_emulation_failure(void)
{
	struct kvm_regs regs;
	struct test_guest g;
	struct kvm_run *run;

	if (!dev_is_l1vmm())
		ktap_skip("KVM emulates ADD to MMIO; the failure report is l1vmm's");
	guest_start_long_mode(&g, MEM_SIZE, CODE_GPA, mmio_add, GUEST_CODE_SIZE(mmio_add));
	run = g.vcpu.run;
	ASSERT_EQ(KVM_EXIT_INTERNAL_ERROR, vcpu_run(&g.vcpu));
	ASSERT_EQ(KVM_INTERNAL_ERROR_EMULATION, run->internal.suberror);
	ASSERT_EQ(7, run->internal.ndata);
	ASSERT_EQ(0, run->internal.data[0]);			/* flags */
	/* SVM_EXIT_NPF, or VMX's EPT violation (48) as kvm-intel reports it. */
	ASSERT_EQ(cpu_has_flag("svm") ? 0x400 : 48, run->internal.data[1]);
	ASSERT_EQ(MMIO_GPA, run->internal.data[6]);
	/* RIP stays on the instruction. */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(CODE_GPA + 7, regs.rip);	/* after the 7-byte MOV to RBX */
	guest_stop(&g);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_each_size_and_form),
	KTAP_CASE(test_write_then_read_retired),
	KTAP_CASE(test_read_only_slot),
	KTAP_CASE(test_undecodable_is_emulation_failure),
};

int main(void)
{
	return ktap_run(dev_is_l1vmm() ? "mmio" : "mmio@kvm", tests, KTAP_ARRAY_SIZE(tests));
}
