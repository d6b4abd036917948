// SPDX-License-Identifier: GPL-2.0-only
/*
 * The intercepts kept for the host's sake (doc/design.md, "Intercepts"),
 * seen from the guest: RDPMC reads no host counter (0, or a #GP), WBINVD,
 * INVD, MONITOR and MWAIT are no-ops that exit every time, the SVM
 * instructions and RSM are #UD, a single step (#DB) and an
 * alignment check (#AC) exit on every delivery and still reach the
 * guest's handler, also after an instruction l1vmm emulated. Runs against
 * l1vmm and KVM (intercepts@kvm); the #AC case needs an emulator that
 * raises #AC (Bochs: QEMU's emulator does not check alignment).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kvm_vm.h"

#define MEM_SIZE	(4ul << 20)
#define CODE_GPA	0x10000
#define IDT_GPA		0x5000
#define TSS_GPA		0x6000
#define HANDLER_GPA	0x8000		/* one 16-byte slot per vector */
#define COUNTER_GPA	0x9000
#define REPORT_PORT	0x80		/* a handler reports on 0x80 + vector */
#define DONE_PORT	0x10

#define X86_TRAP_DB	1
#define X86_TRAP_UD	6
#define X86_TRAP_GP	13
#define X86_TRAP_AC	17

/* Exits counted by the device's own statistic (l1vmm and KVM both have it). */
static uint64_t exits(struct test_vcpu *vcpu)
{
	uint64_t n;

	TEST_ASSERT(vcpu_stat(vcpu, "exits", &n), "no \"exits\" statistic");
	return n;
}

/* The handler for @vector reports it, and the error code if it has one, then halts. */
GUEST_CODE(report_and_halt, ".code32",
	"out %eax, $0x80\n\t"		/* patched: 0x80 + vector */
	"hlt\n\t");
GUEST_CODE(report_error_and_halt, ".code32",
	"pop %eax\n\t"
	"out %eax, $0x80\n\t"		/* patched */
	"hlt\n\t");

/* A 32-bit interrupt gate to code selector 0x08 at @handler. */
static void set_gate(struct test_guest *g, int vector, uint32_t handler)
{
	uint64_t *idt = (uint64_t *)(g->mem + IDT_GPA);

	idt[vector] = (handler & 0xffff) | (0x08ull << 16) | (0x8eull << 40) |
		      ((uint64_t)(handler >> 16) << 48);
}

static void set_handler(struct test_guest *g, int vector, bool error_code)
{
	uint32_t at = HANDLER_GPA + 16 * vector;
	const unsigned char *code = error_code ? report_error_and_halt : report_and_halt;
	size_t len = error_code ? GUEST_CODE_SIZE(report_error_and_halt) :
				  GUEST_CODE_SIZE(report_and_halt);

	memcpy(g->mem + at, code, len);
	g->mem[at + (error_code ? 2 : 1)] = REPORT_PORT + vector;	/* OUT's port */
	set_gate(g, vector, at);
}

/* 32-bit protected mode with an IDT whose #DB, #UD, #GP and #AC handlers report. */
static void start_guest(struct test_guest *g, const void *code, size_t len)
{
	struct kvm_sregs sregs;

	guest_start_protected_mode(g, MEM_SIZE, CODE_GPA, code, len);
	set_handler(g, X86_TRAP_DB, false);
	set_handler(g, X86_TRAP_UD, false);
	set_handler(g, X86_TRAP_GP, true);
	set_handler(g, X86_TRAP_AC, true);
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_GET_SREGS, &sregs);
	sregs.idt.base = IDT_GPA;
	sregs.idt.limit = 256 * 8 - 1;
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_SET_SREGS, &sregs);
}

static void set_rip(struct test_vcpu *vcpu, uint64_t rip)
{
	struct kvm_regs regs;

	ASSERT_IOCTL_OK(vcpu->fd, KVM_GET_REGS, &regs);
	regs.rip = rip;
	ASSERT_IOCTL_OK(vcpu->fd, KVM_SET_REGS, &regs);
}

GUEST_CODE(rdpmc_guest, ".code32",
	"mov $-1, %eax\n\t"
	"mov $-1, %edx\n\t"
	"xor %ecx, %ecx\n\t"
	"rdpmc\n\t"
	"or %edx, %eax\n\t"
	"out %eax, $0x10\n\t"
	"mov $4, %ecx\n\t"
	"rdpmc\n\t"
	"hlt\n\t");

/*
 * The guest never reads the host's counters: as in KVM on AMD, the four
 * legacy counters read 0 (nothing counts for the guest), and any other is
 * a #GP.
 */
static void test_rdpmc_reads_no_host_counter(void)
{
	struct test_guest g;

	if (!dev_is_l1vmm() && cpu_has_flag("vmx"))
		ktap_skip("kvm-intel answers RDPMC with its Intel vPMU; l1vmm as KVM on AMD (doc/abi.md)");
	start_guest(&g, rdpmc_guest, GUEST_CODE_SIZE(rdpmc_guest));
	ASSERT_EQ(0, vcpu_run_out32(&g.vcpu, DONE_PORT));
	vcpu_run(&g.vcpu);
	TEST_ASSERT(g.vcpu.run->exit_reason == KVM_EXIT_IO &&
		    g.vcpu.run->io.port == REPORT_PORT + X86_TRAP_GP,
		    "RDPMC(4): wanted the #GP handler, got exit %s port %#x",
		    exit_reason_name(g.vcpu.run->exit_reason), g.vcpu.run->io.port);
	ASSERT_EQ(0, *(uint32_t *)vcpu_io_data(&g.vcpu));	/* error code */
	guest_stop(&g);
}

/* 100 of each, then report: every one is an exit, and the guest goes on. */
GUEST_CODE(cache_and_mwait, ".code32",
	"mov $100, %ecx\n\t"
	"1: wbinvd\n\t"
	"loop 1b\n\t"
	"mov $100, %ecx\n\t"
	"2: invd\n\t"
	"loop 2b\n\t"
	"out %eax, $0x11\n\t"
	"mov $100, %ebx\n\t"
	"3: mov $0x9000, %eax\n\t"
	"xor %ecx, %ecx\n\t"
	"xor %edx, %edx\n\t"
	"monitor\n\t"
	"mwait\n\t"
	"dec %ebx\n\t"
	"jnz 3b\n\t"
	"out %eax, $0x12\n\t"
	"hlt\n\t");

static void test_cache_and_mwait_are_nops(void)
{
	struct test_guest g;
	uint64_t before;

	start_guest(&g, cache_and_mwait, GUEST_CODE_SIZE(cache_and_mwait));
	before = exits(&g.vcpu);
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x11, 4);
	TEST_ASSERT(exits(&g.vcpu) - before >= 200, "%llu exits for 200 WBINVD and INVD",
		    (unsigned long long)(exits(&g.vcpu) - before));
	/* A CPU without MONITOR raises #UD before any intercept (libvirt's EPYC). */
	if (!cpu_has_flag("monitor"))
		ktap_skip("WBINVD and INVD checked; this CPU has no MONITOR/MWAIT");
	before = exits(&g.vcpu);
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x12, 4);
	TEST_ASSERT(exits(&g.vcpu) - before >= 200, "%llu exits for 100 MONITOR and MWAIT",
		    (unsigned long long)(exits(&g.vcpu) - before));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

/*
 * Each at its own 16-byte slot, run one by one: a #UD each. (RDPRU is
 * intercepted too, but neither emulator implements it: QEMU 7.2 decodes
 * 0f 01 fd as something else.)
 */
#define SLOT(insn)	"1: " insn "\n\t.skip 16 - (. - 1b), 0x90\n\t"
GUEST_CODE(ud_insns, ".code32",
	SLOT("vmrun") SLOT("vmload") SLOT("vmsave") SLOT("stgi") SLOT("clgi")
	SLOT("skinit") SLOT("invlpga") SLOT("rsm"));

static void test_virtualization_insns_are_ud(void)
{
	static const char *const names[] = {
		"VMRUN", "VMLOAD", "VMSAVE", "STGI", "CLGI", "SKINIT", "INVLPGA", "RSM",
	};
	struct test_guest g;
	size_t i;

	start_guest(&g, ud_insns, GUEST_CODE_SIZE(ud_insns));
	for (i = 0; i < KTAP_ARRAY_SIZE(names); i++) {
		set_rip(&g.vcpu, CODE_GPA + 16 * i);
		vcpu_run(&g.vcpu);
		TEST_ASSERT(g.vcpu.run->exit_reason == KVM_EXIT_IO &&
			    g.vcpu.run->io.port == REPORT_PORT + X86_TRAP_UD,
			    "%s: wanted #UD, got exit %s port %#x", names[i],
			    exit_reason_name(g.vcpu.run->exit_reason), g.vcpu.run->io.port);
	}
	guest_stop(&g);
}

/*
 * Single-stepping: TF set by POPF traps after the next instruction, and
 * after every one from then on, CPUID (which l1vmm emulates) included.
 * Each #DB exits (intercepted) and reaches the guest's handler, which
 * reports the EIP it returns to and DR6, clears DR6, and returns with
 * IRET.
 */
GUEST_CODE(step_handler, ".code32",
	"push %eax\n\t"
	"mov 4(%esp), %eax\n\t"
	"out %eax, $0x81\n\t"		/* the EIP it returns to */
	"mov %dr6, %eax\n\t"
	"out %eax, $0x82\n\t"
	"xor %eax, %eax\n\t"
	"mov %eax, %dr6\n\t"
	"pop %eax\n\t"
	"iret\n\t");

GUEST_CODE(stepped, ".code32",
	"pushf\n\t"
	"orl $0x100, (%esp)\n\t"
	"popf\n\t"
	"nop\n\t"
	"step_after_nop: xor %eax, %eax\n\t"
	"cpuid\n\t"
	"step_after_cpuid: pushf\n\t"
	"andl $~0x100, (%esp)\n\t"
	"popf\n\t"
	"step_after_popf: out %eax, $0x10\n\t"
	"hlt\n\t");
GUEST_LABEL(step_after_nop);
GUEST_LABEL(step_after_cpuid);
GUEST_LABEL(step_after_popf);

static void test_single_step_exits_and_reaches_guest(void)
{
	const uint32_t after_nop = CODE_GPA + (step_after_nop - stepped);
	const uint32_t after_cpuid = CODE_GPA + (step_after_cpuid - stepped);
	const uint32_t after_popf = CODE_GPA + (step_after_popf - stepped);
	const char *vm = getenv("l1vmm_vm");
	uint32_t eips[16];
	struct test_guest g;
	unsigned int n = 0;
	uint64_t before;
	bool seen_cpuid = false;

	/* Bochs 2.7 raises the trap of an intercepted instruction in L1 after the exit. */
	if (vm && !strncmp(vm, "bochs", 5))
		ktap_skip("Bochs delivers a single-stepped intercepted instruction's #DB to L1 (doc/testing.md)");
	start_guest(&g, stepped, GUEST_CODE_SIZE(stepped));
	memcpy(g.mem + HANDLER_GPA + 16 * X86_TRAP_DB, step_handler,
	       GUEST_CODE_SIZE(step_handler));
	before = exits(&g.vcpu);
	for (;;) {
		vcpu_run(&g.vcpu);
		TEST_ASSERT(g.vcpu.run->exit_reason == KVM_EXIT_IO, "wanted I/O, got %s",
			    exit_reason_name(g.vcpu.run->exit_reason));
		if (g.vcpu.run->io.port == DONE_PORT)
			break;
		ASSERT_EQ(0x81, g.vcpu.run->io.port);
		TEST_ASSERT(n < KTAP_ARRAY_SIZE(eips), "more than %u steps", n);
		eips[n] = *(uint32_t *)vcpu_io_data(&g.vcpu);
		seen_cpuid |= eips[n] == after_cpuid;
		n++;
		vcpu_run(&g.vcpu);
		ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x82, 4);
		/*
		 * The #DB after the emulated CPUID is the hypervisor's own,
		 * with DR6.BS. (For the others, DR6 is what the emulator
		 * leaves at the intercept: Bochs has no BS there, for KVM too.)
		 */
		if (eips[n - 1] == after_cpuid)
			TEST_ASSERT(*(uint32_t *)vcpu_io_data(&g.vcpu) & 0x4000,
				    "DR6 %#x after CPUID: wanted BS",
				    *(uint32_t *)vcpu_io_data(&g.vcpu));
	}
	/* nop, xor, cpuid, pushf, andl, popf */
	ASSERT_EQ(6, n);
	ASSERT_EQ(after_nop, eips[0]);
	TEST_ASSERT(seen_cpuid, "no #DB after the emulated CPUID");
	ASSERT_EQ(after_popf, eips[5]);
	/* Every step exited: 6 #DB intercepts, 12 reports, and the last OUT. */
	TEST_ASSERT(exits(&g.vcpu) - before >= 6 + 12 + 1, "%llu exits for 6 steps",
		    (unsigned long long)(exits(&g.vcpu) - before));
	guest_stop(&g);
}

/*
 * Alignment check: CR0.AM, EFLAGS.AC and a misaligned load at CPL 3. The
 * handler (CPL 0, through the TSS) counts in memory and returns to the
 * load 50 times, then reports: 50 deliveries, each an exit.
 */
GUEST_CODE(ac_kernel, ".code32",
	"mov %cr0, %eax\n\t"
	"or $0x40000, %eax\n\t"		/* CR0.AM */
	"mov %eax, %cr0\n\t"
	"push $0x23\n\t"		/* SS: user data */
	"push %edi\n\t"			/* ESP: user stack */
	"push $0x40002\n\t"		/* EFLAGS: AC */
	"push $0x1b\n\t"		/* CS: user code */
	"push %esi\n\t"			/* EIP: ac_user */
	"iret\n\t");
GUEST_CODE(ac_user, ".code32",
	"1: mov 1(%esp), %eax\n\t"
	"jmp 1b\n\t");
GUEST_CODE(ac_handler, ".code32",	/* DS is null after the IRET to CPL 3: use SS */
	"incl %ss:0x9000\n\t"
	"cmpl $50, %ss:0x9000\n\t"
	"jae 1f\n\t"
	"add $4, %esp\n\t"		/* the error code */
	"iret\n\t"
	"1: pop %eax\n\t"
	"out %eax, $0x91\n\t"
	"hlt\n\t");

static void test_alignment_check_exits_and_reaches_guest(void)
{
	/* Null, kernel code and data, user code and data, TSS. */
	static const uint64_t gdt[] = {
		0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull,
		0x00cffb000000ffffull, 0x00cff3000000ffffull,
		0x0000890000000067ull | ((uint64_t)TSS_GPA << 16),
	};
	const char *vm = getenv("l1vmm_vm");
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct test_guest g;
	uint32_t *tss;
	uint64_t before;

	if (!vm || strncmp(vm, "bochs", 5))
		ktap_skip("needs an emulator that raises #AC (Bochs), not %s", vm ? vm : "this one");
	start_guest(&g, ac_kernel, GUEST_CODE_SIZE(ac_kernel));
	memcpy(g.mem + CODE_GPA + 0x100, ac_user, GUEST_CODE_SIZE(ac_user));
	memcpy(g.mem + HANDLER_GPA + 16 * 32, ac_handler, GUEST_CODE_SIZE(ac_handler));
	set_gate(&g, X86_TRAP_AC, HANDLER_GPA + 16 * 32);
	memcpy(g.mem + 0x4000, gdt, sizeof(gdt));
	tss = (uint32_t *)(g.mem + TSS_GPA);
	tss[1] = 0x70000;		/* ESP0 */
	tss[2] = 0x10;			/* SS0 */

	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
	sregs.gdt.limit = sizeof(gdt) - 1;
	sregs.tr = (struct kvm_segment){
		.base = TSS_GPA, .limit = 0x67, .selector = 0x28, .type = 11, .present = 1,
	};
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &sregs);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	regs.rsi = CODE_GPA + 0x100;
	regs.rdi = 0x60000;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);

	before = exits(&g.vcpu);
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x91, 4);
	ASSERT_EQ(0, *(uint32_t *)vcpu_io_data(&g.vcpu));	/* #AC's error code */
	ASSERT_EQ(50, *(uint32_t *)(g.mem + COUNTER_GPA));
	TEST_ASSERT(exits(&g.vcpu) - before >= 50, "%llu exits for 50 #AC",
		    (unsigned long long)(exits(&g.vcpu) - before));
	guest_stop(&g);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_rdpmc_reads_no_host_counter),
	KTAP_CASE(test_cache_and_mwait_are_nops),
	KTAP_CASE(test_virtualization_insns_are_ud),
	KTAP_CASE(test_single_step_exits_and_reaches_guest),
	KTAP_CASE(test_alignment_check_exits_and_reaches_guest),
};

int main(void)
{
	return ktap_run(dev_is_l1vmm() ? "intercepts" : "intercepts@kvm", tests,
			KTAP_ARRAY_SIZE(tests));
}
