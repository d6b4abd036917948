// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_SET_GUEST_DEBUG and KVM_EXIT_DEBUG: single-stepping (the pc of each
 * exit, TF hidden from KVM_GET_REGS, an instruction retired by the
 * hypervisor), software breakpoints (#BP exits, KVM_GUESTDBG_INJECT_BP),
 * hardware breakpoints through user space's DR7 (execution, data write),
 * the guest's own debug registers kept apart from user space's, -EBUSY,
 * and the flags KVM 6.1 accepts. Real-mode guests: pc is CS.base + IP.
 * Runs against l1vmm and KVM (guest_debug@kvm).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvm_vm.h"

#define MEM_SIZE	(1ul << 20)
#define CODE_GPA	0x1000
#define BP_HANDLER_GPA	0x2000
#define DATA_GPA	0x3000
#define DR6_RESET	0xffff0ff0u
#define DR6_BS		(1u << 14)
/*
 * B0-B3 may be set for a breakpoint that matched though DR7 does not
 * enable it (SDM, "Debug Status Register"): QEMU's emulator does, for
 * whatever an earlier test left in DR0-DR3 under KVM.
 */
#define DR6_B0_3	0xfu
#define DR7_RESET	0x400u
#define X86_TF		(1u << 8)
#define BP_VECTOR	3
#define DB_VECTOR	1

/* Offsets of the instructions, from CODE_GPA: pc of each step. */
GUEST_CODE(steps, ".code16",
	"mov $1, %ax\n\t"		/* 0: b8 01 00 */
	"inc %ax\n\t"			/* 3: 40 */
	"nop\n\t"			/* 4: 90 */
	"out %al, $0x10\n\t"		/* 5: e6 10 */
	"nop\n\t"			/* 7 */
	"hlt\n\t");			/* 8 */

/* INT3 at offset 1; the guest's #BP handler reports the IP it returns to. */
GUEST_CODE(breakpoint, ".code16",
	"nop\n\t"
	"int3\n\t"
	"out %al, $0x11\n\t"
	"hlt\n\t");

GUEST_CODE(bp_handler, ".code16",
	"pop %ax\n\t"
	"push %ax\n\t"
	"out %ax, $0x13\n\t"
	"iret\n\t");

/* A word written to DATA_GPA at offset 3 (c7 06 00 30 34 12 is 6 bytes). */
GUEST_CODE(watch, ".code16",
	"nop\n\t"			/* 0 */
	"nop\n\t"			/* 1 */
	"nop\n\t"			/* 2 */
	"movw $0x1234, (0x3000)\n\t"	/* 3 */
	"nop\n\t"			/* 9 */
	"hlt\n\t");			/* 10 */

/* The guest's own DR0, DR7 and DR6 to ports 0x20, 0x27, 0x26; writes DR1. */
GUEST_CODE(own_drs, ".code16",
	"mov %dr0, %eax\n\t"
	"out %eax, $0x20\n\t"
	"mov %dr7, %eax\n\t"
	"out %eax, $0x27\n\t"
	"mov %dr6, %eax\n\t"
	"out %eax, $0x26\n\t"
	"mov $0x5000, %eax\n\t"
	"mov %eax, %dr1\n\t"
	"hlt\n\t");

/* Steps over NOPs, then OUT to 0x12; the handler of IRQ_VECTOR reports on port 0x11. */
#define IRQ_VECTOR	0x30
#define IRQ_HANDLER_GPA	0x2800
GUEST_CODE(nops, ".code16",
	"nop\n\t"			/* 0 */
	"nop\n\t"			/* 1 */
	"nop\n\t"			/* 2 */
	"nop\n\t"			/* 3 */
	"out %al, $0x12\n\t");		/* 4 */

GUEST_CODE(irq_handler, ".code16",
	"out %al, $0x11\n\t"
	"iret\n\t");

static void set_debug(struct test_vcpu *vcpu, uint32_t control, const uint64_t *drs)
{
	struct kvm_guest_debug dbg;

	memset(&dbg, 0, sizeof(dbg));
	dbg.control = control;
	if (drs)
		memcpy(dbg.arch.debugreg, drs, sizeof(dbg.arch.debugreg));
	ASSERT_IOCTL_OK(vcpu->fd, KVM_SET_GUEST_DEBUG, &dbg);
}

#define ASSERT_DEBUG_EXIT(vcpu, want_exc, want_pc)				\
	do {									\
		ASSERT_STREQ("DEBUG", exit_reason_name(vcpu_run(vcpu)));	\
		ASSERT_EQ(want_exc, (vcpu)->run->debug.arch.exception);	\
		ASSERT_EQ(want_pc, (vcpu)->run->debug.arch.pc);		\
	} while (0)

static void test_capability(void)
{
	struct test_guest g;

	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, steps, GUEST_CODE_SIZE(steps));
	ASSERT_EQ(1, dev_ioctl(g.vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG));
	guest_stop(&g);
}

/*
 * One exit after each instruction, with DR6.BS alone; an OUT exits to user
 * space first, and its completion is the step. TF never shows.
 */
static void test_single_step(void)
{
	static const unsigned int pcs[] = { 3, 4, 5 };
	struct kvm_debugregs dregs;
	struct kvm_regs regs;
	struct test_guest g;
	unsigned int i;

	/*
	 * Bochs 2.7 as L0 ends a VM entry with RFLAGS.TF set by the #DB
	 * before the first instruction: kvm-intel and l1vmm both see it.
	 */
	if (l1_guest_is("bochs-intel"))
		ktap_skip("Bochs's VMX steps before the first instruction (kvm-intel too)");
	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, steps, GUEST_CODE_SIZE(steps));
	set_debug(&g.vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP, NULL);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(0, regs.rflags & X86_TF);
	for (i = 0; i < KTAP_ARRAY_SIZE(pcs); i++) {
		ASSERT_DEBUG_EXIT(&g.vcpu, DB_VECTOR, CODE_GPA + pcs[i]);
		ASSERT_EQ(DR6_RESET | DR6_BS, g.vcpu.run->debug.arch.dr6 & ~DR6_B0_3);
		ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
		ASSERT_EQ(CODE_GPA + pcs[i], regs.rip);
		ASSERT_EQ(0, regs.rflags & X86_TF);
	}
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
	ASSERT_DEBUG_EXIT(&g.vcpu, DB_VECTOR, CODE_GPA + 7);
	ASSERT_EQ(DR6_RESET | DR6_BS, g.vcpu.run->debug.arch.dr6 & ~DR6_B0_3);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(2, regs.rax);

	/* The guest's DR6 never saw the steps. */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_DEBUGREGS, &dregs);
	ASSERT_EQ(DR6_RESET, dregs.dr6);
	ASSERT_EQ(DR7_RESET, dregs.dr7);

	/* Off again: the guest runs to its end, without TF. */
	set_debug(&g.vcpu, 0, NULL);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(0, regs.rflags & X86_TF);
	guest_stop(&g);
}

/*
 * KVM_GUESTDBG_BLOCKIRQ (KVM_CAP_SET_GUEST_DEBUG2): an interrupt of the
 * in-kernel APIC that comes while user space single-steps waits until the
 * flag goes, then the guest takes it. Linux's debug_regs test steps so;
 * l1vmm ignored the flag and gave its guest the interrupt at once (there,
 * with no IDT, a triple fault).
 */
static void test_block_irq(void)
{
	const uint32_t control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP |
				 KVM_GUESTDBG_BLOCKIRQ;
	struct kvm_msi msi = { .address_lo = 0xfee00000, .data = IRQ_VECTOR };
	struct kvm_lapic_state lapic;
	struct kvm_regs regs;
	struct test_guest g;
	uint32_t svr;
	uint16_t *ivt;
	int cap;

	if (l1_guest_is("bochs-intel"))
		ktap_skip("Bochs's VMX steps before the first instruction (kvm-intel too)");
	vm_create_irqchip = true;
	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, nops, GUEST_CODE_SIZE(nops));
	vm_create_irqchip = false;
	cap = dev_ioctl(g.vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG2);
	ASSERT_EQ(control, cap & control);
	memcpy(g.mem + IRQ_HANDLER_GPA, irq_handler, GUEST_CODE_SIZE(irq_handler));
	ivt = (uint16_t *)g.mem;
	ivt[2 * IRQ_VECTOR] = IRQ_HANDLER_GPA;	/* offset, segment 0 */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	regs.rflags |= 1u << 9;			/* IF */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);
	/* The local APIC software-enabled (SVR bit 8), to take the MSI. */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_LAPIC, &lapic);
	memcpy(&svr, &lapic.regs[0xf0], sizeof(svr));
	svr |= 1u << 8;
	memcpy(&lapic.regs[0xf0], &svr, sizeof(svr));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_LAPIC, &lapic);

	set_debug(&g.vcpu, control, NULL);
	ASSERT_DEBUG_EXIT(&g.vcpu, DB_VECTOR, CODE_GPA + 1);
	ASSERT_EQ(1, ioctl(g.vm.fd, KVM_SIGNAL_MSI, &msi));
	ASSERT_DEBUG_EXIT(&g.vcpu, DB_VECTOR, CODE_GPA + 2);
	ASSERT_DEBUG_EXIT(&g.vcpu, DB_VECTOR, CODE_GPA + 3);

	/* Off again: the interrupt comes first. */
	set_debug(&g.vcpu, 0, NULL);
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x11, 1);
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x12, 1);
	guest_stop(&g);
}

static void start_bp_guest(struct test_guest *g)
{
	uint16_t *ivt;

	guest_start_real_mode(g, MEM_SIZE, CODE_GPA, breakpoint, GUEST_CODE_SIZE(breakpoint));
	memcpy(g->mem + BP_HANDLER_GPA, bp_handler, GUEST_CODE_SIZE(bp_handler));
	ivt = (uint16_t *)g->mem;
	ivt[2 * BP_VECTOR] = BP_HANDLER_GPA;	/* offset, segment 0 */
}

/*
 * INT3 exits with the INT3's address; KVM_GUESTDBG_INJECT_BP gives the
 * guest its #BP, returning after the INT3. QEMU's emulator as L0 treats
 * INT3 as a software interrupt, not as a #BP exception, for the
 * intercepts, so there the guest's handler runs at once, on KVM as well:
 * then only that is checked.
 */
static void test_sw_breakpoint(void)
{
	unsigned int reason;
	struct test_guest g;

	start_bp_guest(&g);
	set_debug(&g.vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP, NULL);
	reason = vcpu_run(&g.vcpu);
	if (reason == KVM_EXIT_IO) {
		ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x13, 2);
		ASSERT_EQ(CODE_GPA + 2, *(uint16_t *)vcpu_io_data(&g.vcpu));
		ktap_info("L0 does not intercept INT3 as #BP: the guest's handler ran");
		guest_stop(&g);
		return;
	}
	ASSERT_STREQ("DEBUG", exit_reason_name(reason));
	ASSERT_EQ(BP_VECTOR, g.vcpu.run->debug.arch.exception);
	ASSERT_EQ(CODE_GPA + 1, g.vcpu.run->debug.arch.pc);

	/* Not user space's: the guest's handler gets it, returning after the INT3. */
	set_debug(&g.vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP |
		  KVM_GUESTDBG_INJECT_BP, NULL);
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x13, 2);
	ASSERT_EQ(CODE_GPA + 2, *(uint16_t *)vcpu_io_data(&g.vcpu));
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x11, 1);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

/*
 * KVM_GUESTDBG_INJECT_BP with RIP on the INT3 (where a #BP exit leaves
 * it): the guest's handler returns after the INT3, which does not run
 * again.
 */
static void test_inject_bp(void)
{
	struct kvm_regs regs;
	struct test_guest g;

	/* Measured: kvm-intel's entry with the #BP fails there, l1vmm's does not. */
	if (!dev_is_l1vmm() && l1_guest_is("bochs-intel"))
		ktap_skip("kvm-intel's entry that injects the #BP fails under Bochs (FAIL_ENTRY)");
	start_bp_guest(&g);
	vcpu_setup_real_mode(&g.vcpu, CODE_GPA + 1);
	set_debug(&g.vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_INJECT_BP, NULL);
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x13, 2);
	ASSERT_EQ(CODE_GPA + 2, *(uint16_t *)vcpu_io_data(&g.vcpu));
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x11, 1);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(CODE_GPA + 2, regs.rip);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

/* KVM_GUESTDBG_INJECT_DB: the guest's #DB handler runs, returning to RIP. */
static void test_inject_db(void)
{
	struct test_guest g;

	start_bp_guest(&g);
	((uint16_t *)g.mem)[2 * DB_VECTOR] = BP_HANDLER_GPA;
	set_debug(&g.vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_INJECT_DB, NULL);
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x13, 2);
	ASSERT_EQ(CODE_GPA, *(uint16_t *)vcpu_io_data(&g.vcpu));
	guest_stop(&g);
}

/* An exception queued already: -EBUSY, as kvm_is_exception_pending(). */
static void test_inject_busy(void)
{
	struct kvm_vcpu_events events;
	struct kvm_guest_debug dbg;
	struct test_guest g;

	start_bp_guest(&g);
	memset(&dbg, 0, sizeof(dbg));
	dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_INJECT_DB;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_GUEST_DEBUG, &dbg);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_VCPU_EVENTS, &events);
	ASSERT_EQ(1, events.exception.injected);
	ASSERT_EQ(DB_VECTOR, events.exception.nr);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_GUEST_DEBUG, &dbg, EBUSY);
	dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_INJECT_BP;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_GUEST_DEBUG, &dbg, EBUSY);
	guest_stop(&g);
}

/*
 * QEMU's emulator as L0 (7.2) does not arm the DR7 that VMRUN loads: no
 * breakpoint fires in its guests, KVM's included (the KVM selftest
 * debug_regs fails there). Then the guest runs on as without one, and
 * that is what is checked.
 */
static bool no_breakpoints_in_l2(unsigned int reason)
{
	if (reason == KVM_EXIT_DEBUG)
		return false;
	ktap_info("L0 fires no DR7 breakpoint in a guest: %s exit instead",
		  exit_reason_name(reason));
	return true;
}

/* An execution breakpoint in user space's DR0: the exit is before the instruction. */
static void test_hw_exec_breakpoint(void)
{
	uint64_t drs[8] = { CODE_GPA + 4, 0, 0, 0, 0, 0, 0, DR7_RESET | 0x1 };
	struct kvm_debugregs dregs;
	struct kvm_regs regs;
	struct test_guest g;

	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, steps, GUEST_CODE_SIZE(steps));
	set_debug(&g.vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, drs);
	if (no_breakpoints_in_l2(vcpu_run(&g.vcpu))) {
		ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
		ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
		guest_stop(&g);
		return;
	}
	ASSERT_EQ(DB_VECTOR, g.vcpu.run->debug.arch.exception);
	ASSERT_EQ(CODE_GPA + 4, g.vcpu.run->debug.arch.pc);
	ASSERT_EQ(DR6_RESET | 0x1, g.vcpu.run->debug.arch.dr6);
	ASSERT_EQ(DR7_RESET | 0x1, g.vcpu.run->debug.arch.dr7);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(CODE_GPA + 4, regs.rip);
	ASSERT_EQ(2, regs.rax);

	/* The guest's own registers are untouched. */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_DEBUGREGS, &dregs);
	ASSERT_EQ(0, dregs.db[0]);
	ASSERT_EQ(DR6_RESET, dregs.dr6);
	ASSERT_EQ(DR7_RESET, dregs.dr7);

	set_debug(&g.vcpu, 0, NULL);
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

/* A write watchpoint in DR1 (RW1 = write, LEN1 = 4 bytes): the exit follows the write. */
static void test_hw_write_watchpoint(void)
{
	uint64_t drs[8] = { 0, DATA_GPA, 0, 0, 0, 0, 0,
			    DR7_RESET | (1u << 3) | (0xdu << 20) };
	struct test_guest g;

	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, watch, GUEST_CODE_SIZE(watch));
	set_debug(&g.vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, drs);
	if (no_breakpoints_in_l2(vcpu_run(&g.vcpu))) {
		ASSERT_EQ(KVM_EXIT_HLT, g.vcpu.run->exit_reason);
		ASSERT_EQ(0x1234, *(uint16_t *)(g.mem + DATA_GPA));
		guest_stop(&g);
		return;
	}
	ASSERT_EQ(DB_VECTOR, g.vcpu.run->debug.arch.exception);
	ASSERT_EQ(CODE_GPA + 9, g.vcpu.run->debug.arch.pc);
	ASSERT_EQ(DR6_RESET | 0x2, g.vcpu.run->debug.arch.dr6);
	ASSERT_EQ(drs[7], g.vcpu.run->debug.arch.dr7);
	ASSERT_EQ(0x1234, *(uint16_t *)(g.mem + DATA_GPA));
	set_debug(&g.vcpu, 0, NULL);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

/*
 * While user space's breakpoints are armed the guest reads and writes its
 * own debug registers, and KVM_GET_DEBUGREGS reports the guest's.
 */
static void test_guest_drs_kept(void)
{
	uint64_t drs[8] = { 0xfff0, 0, 0, 0, 0, 0, 0, DR7_RESET | 0x2 };
	struct kvm_debugregs dregs = {
		.db = { 0x7000, 0, 0, 0 }, .dr6 = DR6_RESET, .dr7 = DR7_RESET | 0x200,
	};
	struct test_guest g;

	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, own_drs, GUEST_CODE_SIZE(own_drs));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_DEBUGREGS, &dregs);
	set_debug(&g.vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, drs);
	ASSERT_EQ(0x7000, vcpu_run_out32(&g.vcpu, 0x20));
	ASSERT_EQ(DR7_RESET | 0x200, vcpu_run_out32(&g.vcpu, 0x27));
	ASSERT_EQ(DR6_RESET, vcpu_run_out32(&g.vcpu, 0x26));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	memset(&dregs, 0, sizeof(dregs));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_DEBUGREGS, &dregs);
	ASSERT_EQ(0x7000, dregs.db[0]);
	ASSERT_EQ(0x5000, dregs.db[1]);
	ASSERT_EQ(DR6_RESET, dregs.dr6);
	ASSERT_EQ(DR7_RESET | 0x200, dregs.dr7);
	guest_stop(&g);
}

/*
 * Flags: without KVM_GUESTDBG_ENABLE nothing is on; bits KVM 6.1 does not
 * know are accepted and ignored (later kernels refuse them).
 */
static void test_flags(void)
{
	struct kvm_guest_debug dbg;
	struct test_guest g;

	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, steps, GUEST_CODE_SIZE(steps));
	set_debug(&g.vcpu, KVM_GUESTDBG_SINGLESTEP, NULL);
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
	memset(&dbg, 0, sizeof(dbg));
	dbg.control = KVM_GUESTDBG_ENABLE | 0x00f00000;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_GUEST_DEBUG, &dbg);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_GUEST_DEBUG, NULL, EFAULT);
	guest_stop(&g);
}

int main(void)
{
	static const struct ktap_case cases[] = {
		KTAP_CASE(test_capability),
		KTAP_CASE(test_single_step),
		KTAP_CASE(test_block_irq),
		KTAP_CASE(test_sw_breakpoint),
		KTAP_CASE(test_inject_bp),
		KTAP_CASE(test_inject_db),
		KTAP_CASE(test_inject_busy),
		KTAP_CASE(test_hw_exec_breakpoint),
		KTAP_CASE(test_hw_write_watchpoint),
		KTAP_CASE(test_guest_drs_kept),
		KTAP_CASE(test_flags),
	};

	return ktap_run("guest_debug", cases, KTAP_ARRAY_SIZE(cases));
}
