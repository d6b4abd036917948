// SPDX-License-Identifier: GPL-2.0-only
/*
 * L2 guests in 32-bit protected mode: without paging (port I/O, CPUID, a
 * hypercall with its 32-bit result), and with 32-bit paging where linear
 * addresses differ from physical ones, so that string I/O and MMIO must
 * walk the guest's page tables (4 MiB pages). Runs against l1vmm and KVM
 * (pmode@kvm).
 */
#include <stdint.h>
#include <string.h>

#include "kvm_vm.h"

#define MEM_SIZE	(4ul << 20)
#define CODE_GPA	0x10000
#define PGDIR_GPA	0x8000

GUEST_CODE(pmode_flat, ".code32",
	"mov $0x40000000, %eax\n\t"
	"cpuid\n\t"
	"mov %ebx, %eax\n\t"
	"out %eax, $0x10\n\t"
	"mov $12345, %eax\n\t"
	"vmmcall\n\t"
	"out %eax, $0x11\n\t"
	"in $0x12, %al\n\t"
	"out %eax, $0x13\n\t"
	"hlt\n\t");

static void test_flat_32bit(void)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 entry;
	} cpuid = { .hdr.nent = 1, .entry = { .function = 0x40000000, .ebx = 0x32333233 } };
	struct test_guest g;
	struct kvm_regs regs;

	guest_start_protected_mode(&g, MEM_SIZE, CODE_GPA, pmode_flat, GUEST_CODE_SIZE(pmode_flat));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_CPUID2, &cpuid);
	ASSERT_EQ(0x32333233, vcpu_run_out32(&g.vcpu, 0x10));
	/* -KVM_ENOSYS, 32 bits wide outside 64-bit mode. */
	ASSERT_EQ((uint32_t)-1000, vcpu_run_out32(&g.vcpu, 0x11));
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_IN, 0x12, 1);
	*(uint8_t *)vcpu_io_data(&g.vcpu) = 0x42;
	ASSERT_EQ(0xfffffc42, vcpu_run_out32(&g.vcpu, 0x13));	/* AL only: -1000 was 0xfffffc18 */
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(CODE_GPA + GUEST_CODE_SIZE(pmode_flat), regs.rip);
	guest_stop(&g);
}

/*
 * Outside 64-bit mode an instruction that l1vmm (or KVM) skips wraps EIP at
 * 4 GiB: a CPUID in the last two bytes continues at 0 (where an OUT exits,
 * RIP on it), and a HLT in the last byte leaves RIP at 0. A page at
 * 0xfffff000 holds them.
 */
static void test_rip_wraps_at_4g(void)
{
	static const uint8_t cpuid[] = { 0x0f, 0xa2 }, hlt = 0xf4;
	static const uint8_t out_at_0[] = { 0xe6, 0x10 };	/* out %al, $0x10 */
	struct test_guest g;
	struct kvm_regs regs;
	uint8_t *top;

	guest_start_protected_mode(&g, MEM_SIZE, CODE_GPA, pmode_flat, GUEST_CODE_SIZE(pmode_flat));
	top = vm_add_memory(&g.vm, 1, 0xfffff000, 0x1000, 0);
	memcpy(top + 0xffe, cpuid, sizeof(cpuid));
	memcpy(g.mem, out_at_0, sizeof(out_at_0));

	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	regs.rip = 0xfffffffe;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(0, regs.rip);

	top[0xfff] = hlt;
	regs.rip = 0xffffffff;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(0, regs.rip);
	guest_stop(&g);
}

/*
 * Linear 0x40000000 maps physical 0 (the code runs there), linear
 * 0xc0000000 maps physical 0xfec00000, where no slot is: MMIO.
 */
GUEST_CODE(pmode_paged, ".code32",
	"cld\n\t"
	"mov $0x40020000, %esi\n\t"
	"mov $16, %ecx\n\t"
	"mov $0x42, %dx\n\t"
	"rep outsb\n\t"
	"movl $0xcafef00d, 0xc0000010\n\t"
	"mov 0xc0000020, %eax\n\t"
	"out %eax, $0x43\n\t"
	"hlt\n\t");

static void test_paged_32bit(void)
{
	uint32_t *pgdir;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct test_guest g;
	unsigned char out[16];
	unsigned int got = 0;

	guest_start_protected_mode(&g, MEM_SIZE, CODE_GPA, pmode_paged,
				   GUEST_CODE_SIZE(pmode_paged));
	pgdir = (uint32_t *)(g.mem + PGDIR_GPA);
	pgdir[0x100] = 0x00000000 | 0x83;	/* 4 MiB, present, writable */
	pgdir[0x300] = 0xfec00000 | 0x83;
	memcpy(g.mem + 0x20000, "paged 32-bit ok!", 16);

	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
	sregs.cr3 = PGDIR_GPA;
	sregs.cr4 |= 1 << 4;			/* PSE */
	sregs.cr0 |= 1u << 31;			/* PG */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &sregs);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	regs.rip = 0x40000000 + CODE_GPA;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);

	while (got < sizeof(out)) {
		vcpu_run(&g.vcpu);
		ASSERT_EQ(KVM_EXIT_IO, g.vcpu.run->exit_reason);
		ASSERT_EQ(0x42, g.vcpu.run->io.port);
		memcpy(out + got, vcpu_io_data(&g.vcpu), g.vcpu.run->io.count);
		got += g.vcpu.run->io.count;
	}
	TEST_ASSERT(!memcmp(out, "paged 32-bit ok!", 16), "OUTSB through the guest's paging");
	vcpu_run(&g.vcpu);
	ASSERT_MMIO_EXIT(&g.vcpu, 0xfec00010, 4, true);
	ASSERT_EQ(0xcafef00d, *(uint32_t *)g.vcpu.run->mmio.data);
	vcpu_run(&g.vcpu);
	ASSERT_MMIO_EXIT(&g.vcpu, 0xfec00020, 4, false);
	memcpy(g.vcpu.run->mmio.data, "\x78\x56\x34\x12", 4);
	ASSERT_EQ(0x12345678, vcpu_run_out32(&g.vcpu, 0x43));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_flat_32bit),
	KTAP_CASE(test_paged_32bit),
	KTAP_CASE(test_rip_wraps_at_4g),
};

int main(void)
{
	return ktap_run(dev_is_l1vmm() ? "pmode" : "pmode@kvm", tests, KTAP_ARRAY_SIZE(tests));
}
