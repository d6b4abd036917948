// SPDX-License-Identifier: GPL-2.0-only
/*
 * An L2 guest in 64-bit long mode with paging: the demo guest's greeting
 * over port I/O, CPUID from the table, a hypercall with its full 64-bit
 * result, and HLT. Runs against l1vmm and KVM (longmode@kvm).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "demo_guest.h"
#include "kvm_vm.h"

#define MEM_SIZE	(2ul << 20)
#define CODE_GPA	0x10000

static void test_demo_guest(void)
{
	const struct kvm_cpuid_entry2 leaf = {
		.function = 0x40000000, .ebx = DEMO_CPUID_SIGNATURE,
	};
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 entry;
	} cpuid = { .hdr.nent = 1, .entry = leaf };
	char out[64] = "";
	struct kvm_regs regs;
	struct test_guest g;
	uint32_t lo = 0, hi = 0, sig = 0;
	size_t n = 0;

	guest_start_long_mode(&g, MEM_SIZE, CODE_GPA, demo_guest_code,
			      sizeof(demo_guest_code));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_CPUID2, &cpuid);

	while (vcpu_run(&g.vcpu) == KVM_EXIT_IO) {
		struct kvm_run *run = g.vcpu.run;

		TEST_ASSERT(run->io.direction == KVM_EXIT_IO_OUT, "unexpected IN");
		if (run->io.port == DEMO_SERIAL_PORT && n < sizeof(out) - 1)
			out[n++] = *(char *)vcpu_io_data(&g.vcpu);
		else if (run->io.port == DEMO_CPUID_PORT)
			memcpy(&sig, vcpu_io_data(&g.vcpu), 4);
		else if (run->io.port == DEMO_HCALL_LO_PORT)
			memcpy(&lo, vcpu_io_data(&g.vcpu), 4);
		else if (run->io.port == DEMO_HCALL_HI_PORT)
			memcpy(&hi, vcpu_io_data(&g.vcpu), 4);
	}
	TEST_ASSERT(g.vcpu.run->exit_reason == KVM_EXIT_HLT, "wanted HLT, got %s",
		    exit_reason_name(g.vcpu.run->exit_reason));
	ASSERT_STREQ(DEMO_GREETING, out);
	ASSERT_EQ(DEMO_CPUID_SIGNATURE, sig);
	/* In 64-bit mode the hypercall result is all 64 bits of -KVM_ENOSYS. */
	ASSERT_EQ(-1000, (int64_t)(((uint64_t)hi << 32) | lo));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(CODE_GPA + 47, regs.rip);
	guest_stop(&g);
}

/* 64-bit GPRs, all of them, through the guest and back. */
static void test_registers_64bit(void)
{
	static const unsigned char code[] = {
		0x48, 0x01, 0xd8,	/* add rax, rbx */
		0x4d, 0x87, 0xc7,	/* xchg r15, r8 */
		0x48, 0xf7, 0xd1,	/* not rcx */
		0xf4,			/* hlt */
	};
	struct kvm_regs regs;
	struct test_guest g;

	guest_start_long_mode(&g, MEM_SIZE, CODE_GPA, code, sizeof(code));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	regs.rax = 0x100000000ull;
	regs.rbx = 0x0000000200000002ull;
	regs.rcx = 0x00ff00ff00ff00ffull;
	regs.r8 = 0x8888888888888888ull;
	regs.r15 = 0x1515151515151515ull;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(0x0000000300000002ull, regs.rax);
	ASSERT_EQ(0xff00ff00ff00ff00ull, regs.rcx);
	ASSERT_EQ(0x1515151515151515ull, regs.r8);
	ASSERT_EQ(0x8888888888888888ull, regs.r15);
	guest_stop(&g);
}

/* guest_start_long_mode()'s layout (kvm_vm.h): the PML4 and the GDT. */
#define LM_PML4_GPA	0x1000
#define LM_GDT_GPA	0x4000
#define HIGH_ALIAS	0xffffff8000000000ull	/* PML4 entry 511 */

/*
 * The guest turns on long mode by itself, as a Linux AP's trampoline does:
 * from 32-bit protected mode with EFER.LME set, a MOV to CR0 that sets PG
 * alone (on VMX the guest's own bit: no exit), a far jump to 64-bit code,
 * a jump to an address above 4 GiB, then WRMSRs of GS_BASE in a loop,
 * each a fastpath exit, long enough for a series of them to end (VMX
 * bounds a series in time) right after one, then an OUT to user space.
 * Until stop 34 l1vmm on VMX checked the entry that follows such an end
 * against the CR0, EFER and entry controls of before the MOV, which no
 * exit had read since, and refused it ("guest RIP bits 63:32 set outside
 * 64-bit mode"): that stopped an L2 Linux's second vCPU.
 *
 * TR holds a 32-bit TSS, as Linux loads one before it turns on long mode:
 * the SDM makes that MOV to CR0 a #GP with a 16-bit TSS in TR (the reset
 * value on SVM), and Bochs checks it on its AMD models too. kvm-amd
 * emulates the MOV (selective CR0 intercept) without that check; l1vmm
 * lets the CPU execute it (doc/abi.md, "Differences from KVM").
 */
static void test_paging_on_by_itself(void)
{
	static const unsigned char code[] = {
		0x0f, 0x20, 0xc0,			/* mov eax, cr0 */
		0x0f, 0xba, 0xe8, 0x1f,			/* bts eax, 31 */
		0x0f, 0x22, 0xc0,			/* mov cr0, eax */
		0xea, 0x11, 0x00, 0x01, 0x00, 0x08, 0x00, /* jmp far 0x08:CODE_GPA + 17 */
		0x48, 0xb8, 0x1d, 0x00, 0x01, 0x00,	/* movabs rax, HIGH_ALIAS + CODE_GPA + 29 */
		0x80, 0xff, 0xff, 0xff,
		0xff, 0xe0,				/* jmp rax */
		0xb9, 0x01, 0x01, 0x00, 0xc0,		/* mov ecx, GS_BASE */
		0xbb, 0x20, 0x4e, 0x00, 0x00,		/* mov ebx, 20000 */
		0x89, 0xd8,				/* 1: mov eax, ebx */
		0x31, 0xd2,				/* xor edx, edx */
		0x0f, 0x30,				/* wrmsr */
		0xff, 0xcb,				/* dec ebx */
		0x75, 0xf6,				/* jnz 1b */
		0xe6, 0x10,				/* out 0x10, al */
		0xf4,					/* hlt */
	};
	const uint64_t code32 = 0x00cf9b000000ffffull;	/* GDT entry 3, selector 0x18 */
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct test_guest g;

	guest_start_long_mode(&g, MEM_SIZE, CODE_GPA, code, sizeof(code));
	((uint64_t *)(g.mem + LM_PML4_GPA))[511] = ((uint64_t *)(g.mem + LM_PML4_GPA))[0];
	memcpy(g.mem + LM_GDT_GPA + 3 * 8, &code32, sizeof(code32));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
	sregs.gdt.limit = 4 * 8 - 1;
	sregs.cs.selector = 0x18;
	sregs.cs.l = 0;
	sregs.cs.db = 1;
	sregs.tr.type = 11;			/* busy 32-bit TSS */
	sregs.cr0 &= ~(1ull << 31);		/* PG */
	sregs.efer &= ~(1ull << 10);		/* LMA */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &sregs);

	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(HIGH_ALIAS + CODE_GPA + 49, regs.rip);	/* at the OUT, as KVM */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
	ASSERT_EQ(1ull << 10, sregs.efer & (1ull << 10));
	ASSERT_EQ(1, sregs.cs.l);
	ASSERT_EQ(1, sregs.gs.base);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

/* SREGS that no CPU could enter are refused, and leave the vCPU as it was. */
static void test_invalid_sregs(void)
{
	static const unsigned char code[] = { 0xf4 };
	struct kvm_sregs good, bad;
	struct test_guest g;

	guest_start_long_mode(&g, MEM_SIZE, CODE_GPA, code, sizeof(code));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &good);

	bad = good;
	bad.cr4 &= ~(1ull << 5);		/* long mode without PAE */
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_SREGS, &bad, EINVAL);
	bad = good;
	bad.efer &= ~(1ull << 10);		/* LME and PG without LMA */
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_SREGS, &bad, EINVAL);
	bad = good;
	bad.cr0 = (bad.cr0 & ~(1ull << 30)) | (1ull << 29);	/* NW without CD */
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_SREGS, &bad, EINVAL);
	bad = good;
	bad.cr0 &= ~1ull;			/* PG without PE */
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_SREGS, &bad, EINVAL);
	bad = good;
	bad.cr0 |= 1ull << 32;			/* reserved upper half */
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_SREGS, &bad, EINVAL);
	bad = good;
	bad.cr0 &= ~(1ull << 31);		/* LMA without paging */
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_SREGS, &bad, EINVAL);
	bad = good;
	bad.cr3 = 1ull << 62;			/* beyond the physical width */
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_SREGS, &bad, EINVAL);
	bad = good;
	bad.cr4 |= 1ull << 13;			/* VMXE: never offered (kvm-intel: nested VMX) */
	if (dev_is_l1vmm() || !cpu_has_flag("vmx"))
		ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_SREGS, &bad, EINVAL);
	if (!cpu_has_flag("pcid")) {
		/* A feature the host lacks: VMRUN would refuse it. */
		bad = good;
		bad.cr4 |= 1ull << 17;		/* PCIDE */
		ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_SREGS, &bad, EINVAL);
	}
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_SREGS, NULL, EFAULT);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_GET_SREGS, NULL, EFAULT);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_REGS, NULL, EFAULT);

	/* Nothing changed: the guest still runs in long mode. */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &bad);
	ASSERT_EQ(good.cr0, bad.cr0);
	ASSERT_EQ(good.efer, bad.efer);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

/* The leaf's register from a CPUID table (sub-leaf 0), or 0. */
static uint32_t cpuid_reg(const struct kvm_cpuid2 *c, uint32_t function, int reg)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == function && e->index == 0)
			return reg == 'b' ? e->ebx : e->ecx;
	}
	return 0;
}

/*
 * A CR4 bit is set only for a feature the device supports
 * (KVM_GET_SUPPORTED_CPUID) and, after KVM_SET_CPUID2, the guest's table
 * has (KVM's cr4_guest_rsvd_bits). Linux's set_sregs_test found l1vmm
 * taking PCIDE on a host with PCID, which l1vmm does not offer (stop 35,
 * under Bochs Intel).
 */
static void test_cr4_follows_cpuid(void)
{
	static const struct {
		uint64_t cr4;
		uint32_t function;
		int reg;
		uint32_t feature;
	} bits[] = {
		{ 1ull << 16, 7, 'b', 1u << 0 },	/* FSGSBASE */
		{ 1ull << 17, 1, 'c', 1u << 17 },	/* PCIDE: PCID */
		{ 1ull << 18, 1, 'c', 1u << 26 },	/* OSXSAVE: XSAVE */
		{ 1ull << 20, 7, 'b', 1u << 7 },	/* SMEP */
		{ 1ull << 21, 7, 'b', 1u << 20 },	/* SMAP */
	};
	static const unsigned char code[] = { 0xf4 };	/* hlt */
	static struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 entries[256];
	} sup = { .hdr.nent = 256 };
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 entry;
	} bare = { .hdr.nent = 1, .entry = { .function = 0x40000000 } };
	struct kvm_sregs base, sregs;
	struct test_guest g;
	size_t i;
	bool has;

	guest_start_long_mode(&g, MEM_SIZE, CODE_GPA, code, sizeof(code));
	ASSERT_IOCTL_OK(g.vm.sys_fd, KVM_GET_SUPPORTED_CPUID, &sup);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &base);
	for (i = 0; i < KTAP_ARRAY_SIZE(bits); i++) {
		has = cpuid_reg(&sup.hdr, bits[i].function, bits[i].reg) & bits[i].feature;
		sregs = base;
		sregs.cr4 |= bits[i].cr4;
		if (has) {
			ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &sregs);
			ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &base);
		} else {
			ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_SREGS, &sregs, EINVAL);
		}
	}

	/* A table without leaves 1 and 7 withholds them all. */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_CPUID2, &bare);
	for (i = 0; i < KTAP_ARRAY_SIZE(bits); i++) {
		sregs = base;
		sregs.cr4 |= bits[i].cr4;
		ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_SREGS, &sregs, EINVAL);
	}

	/* The supported table gives back what the device supports. */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_CPUID2, &sup);
	for (i = 0; i < KTAP_ARRAY_SIZE(bits); i++) {
		if (!(cpuid_reg(&sup.hdr, bits[i].function, bits[i].reg) & bits[i].feature))
			continue;
		sregs = base;
		sregs.cr4 |= bits[i].cr4;
		ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &sregs);
		ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &base);
	}
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

/*
 * The guest's own MOV to CR4 sets one bit: where its CPUID withholds the
 * feature (a table without leaves 1 and 7) that is a #GP, here a triple
 * fault with no IDT, as in KVM; with the device's supported table the
 * guest goes on to HLT with the bit set if the table has the feature, and
 * takes the #GP if not (l1vmm offers no PCID: on Bochs's haswell the CPU
 * itself would take PCIDE). Not under Bochs AMD, whose SVM gives no
 * SHUTDOWN exit for a triple fault.
 */
static void test_cr4_mov_follows_cpuid(void)
{
	static const struct {
		uint32_t cr4, function;
		int reg;
		uint32_t feature;
	} bits[] = {
		{ 1u << 16, 7, 'b', 1u << 0 },	/* FSGSBASE */
		{ 1u << 17, 1, 'c', 1u << 17 },	/* PCIDE: PCID */
		{ 1u << 18, 1, 'c', 1u << 26 },	/* OSXSAVE: XSAVE */
	};
	static unsigned char code[] = {
		0x0f, 0x20, 0xe0,			/* mov %cr4,%rax */
		0x48, 0x0d, 0x00, 0x00, 0x00, 0x00,	/* or $bit,%rax */
		0x0f, 0x22, 0xe0,			/* mov %rax,%cr4 */
		0xf4,					/* hlt */
	};
	static struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 entries[256];
	} sup;
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 entry;
	} bare = { .hdr.nent = 1, .entry = { .function = 0x40000000 } };
	struct kvm_sregs sregs;
	struct test_guest g;
	unsigned int want;
	int withhold;
	bool has;
	size_t i;

	if (l1_guest_is("bochs-amd"))
		ktap_skip("Bochs's SVM resets the L1 machine at an L2 triple fault (doc/testing.md)");
	for (i = 0; i < KTAP_ARRAY_SIZE(bits); i++) {
		memcpy(&code[5], &bits[i].cr4, sizeof(bits[i].cr4));
		for (withhold = 1; withhold >= 0; withhold--) {
			guest_start_long_mode(&g, MEM_SIZE, CODE_GPA, code, sizeof(code));
			sup.hdr.nent = 256;
			ASSERT_IOCTL_OK(g.vm.sys_fd, KVM_GET_SUPPORTED_CPUID, &sup);
			has = cpuid_reg(&sup.hdr, bits[i].function, bits[i].reg) & bits[i].feature;
			if (withhold)
				ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_CPUID2, &bare);
			else
				ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_CPUID2, &sup);
			ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
			sregs.idt.limit = 0;
			ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &sregs);
			want = withhold || !has ? KVM_EXIT_SHUTDOWN : KVM_EXIT_HLT;
			TEST_ASSERT(vcpu_run(&g.vcpu) == want, "CR4 bit %#x, %s table: exit %u",
				    bits[i].cr4, withhold ? "bare" : "supported",
				    g.vcpu.run->exit_reason);
			if (want == KVM_EXIT_HLT) {
				ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
				ASSERT_EQ(bits[i].cr4, sregs.cr4 & bits[i].cr4);
			}
			guest_stop(&g);
		}
	}
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_demo_guest),
	KTAP_CASE(test_registers_64bit),
	KTAP_CASE(test_invalid_sregs),
	KTAP_CASE(test_cr4_follows_cpuid),
	KTAP_CASE(test_cr4_mov_follows_cpuid),
	KTAP_CASE(test_paging_on_by_itself),
};

int main(void)
{
	return ktap_run(dev_is_l1vmm() ? "longmode" : "longmode@kvm", tests,
			KTAP_ARRAY_SIZE(tests));
}
