// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interrupt injection without an in-kernel irqchip: the window protocol
 * (request_interrupt_window, KVM_EXIT_IRQ_WINDOW_OPEN, if_flag,
 * ready_for_interrupt_injection), KVM_INTERRUPT, and events set with
 * KVM_SET_VCPU_EVENTS delivered through the guest's IVT. Runs against
 * l1vmm and KVM (interrupts@kvm).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "kvm_vm.h"

#define MEM_SIZE	(1ul << 20)
#define CODE_GPA	0x1000
#define HANDLER_GPA	0x2000
#define UD_HANDLER_GPA	0x2100
#define IRQ_VECTOR	0x20
#define UD_VECTOR	6
#define RFLAGS_TF	(1u << 8)

GUEST_CODE(wait_for_irq, ".code16",
	"cli\n\t"
	"out %al, $0x10\n\t"
	"sti\n\t"
	"1: jmp 1b\n\t");

/* The interrupt handler: report, then stop with IF as the CPU left it. */
GUEST_CODE(irq_handler, ".code16",
	"out %al, $0x12\n\t"
	"hlt\n\t");

GUEST_CODE(ud_handler, ".code16",
	"out %al, $0x13\n\t"
	"hlt\n\t");

static void start_guest(struct test_guest *g)
{
	uint16_t *ivt;

	guest_start_real_mode(g, MEM_SIZE, CODE_GPA, wait_for_irq, GUEST_CODE_SIZE(wait_for_irq));
	memcpy(g->mem + HANDLER_GPA, irq_handler, GUEST_CODE_SIZE(irq_handler));
	memcpy(g->mem + UD_HANDLER_GPA, ud_handler, GUEST_CODE_SIZE(ud_handler));
	ivt = (uint16_t *)g->mem;
	ivt[2 * IRQ_VECTOR] = HANDLER_GPA;	/* offset, segment 0 */
	ivt[2 * UD_VECTOR] = UD_HANDLER_GPA;
}

static void test_window_protocol(void)
{
	struct kvm_interrupt irq = { .irq = IRQ_VECTOR };
	struct kvm_regs regs;
	struct test_guest g;
	struct kvm_run *run;

	start_guest(&g);
	run = g.vcpu.run;

	/* Stopped with IF = 0: not ready. */
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
	ASSERT_EQ(0, run->if_flag);
	ASSERT_EQ(0, run->ready_for_interrupt_injection);

	/* Ask for the window: the guest executes STI, then exits. */
	run->request_interrupt_window = 1;
	ASSERT_EQ(KVM_EXIT_IRQ_WINDOW_OPEN, vcpu_run(&g.vcpu));
	ASSERT_EQ(1, run->if_flag);
	ASSERT_EQ(1, run->ready_for_interrupt_injection);

	/* Inject: the handler runs. */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_INTERRUPT, &irq);
	run->request_interrupt_window = 0;
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x12, 1);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	/* Delivery through the IVT cleared IF and pushed the interrupted IP. */
	ASSERT_EQ(0, run->if_flag);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(0, regs.rflags & (1 << 9));
	ASSERT_EQ(0xfffa, regs.rsp);
	guest_stop(&g);
}

/*
 * An instruction l1vmm (or KVM) emulates ends the interrupt shadow of the
 * STI or MOV SS before it, as the CPU would. HLT is retired before its exit:
 * right after STI, the guest is ready for an interrupt. A port write is
 * retired on the next KVM_RUN (RIP stays on it during the exit, and so
 * does the shadow of a MOV SS before it): the next port write finds the
 * shadow gone.
 */
GUEST_CODE(shadow_then_exit, ".code16",
	"cli\n\t"
	"sti\n\t"
	"hlt\n\t"
	"mov %ss, %ax\n\t"
	"mov %ax, %ss\n\t"
	"out %al, $0x10\n\t"
	"out %al, $0x11\n\t"
	"hlt\n\t");

/* Where the guest stopped: RIP, the shadow, and what kvm_run says of it. */
static void assert_stopped(struct test_vcpu *vcpu, uint64_t rip, unsigned int shadow)
{
	struct kvm_vcpu_events ev;
	struct kvm_regs regs;

	ASSERT_IOCTL_OK(vcpu->fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(rip, regs.rip);
	ASSERT_IOCTL_OK(vcpu->fd, KVM_GET_VCPU_EVENTS, &ev);
	ASSERT_EQ(shadow, ev.interrupt.shadow);
	ASSERT_EQ(1, vcpu->run->if_flag);
	ASSERT_EQ(!shadow, vcpu->run->ready_for_interrupt_injection);
}

static void test_shadow_ends_with_emulated_insn(void)
{
	const uint64_t out_gpa = CODE_GPA + 7;	/* cli, sti, hlt, two 2-byte MOVs */
	struct test_guest g;

	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, shadow_then_exit,
			      GUEST_CODE_SIZE(shadow_then_exit));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	assert_stopped(&g.vcpu, CODE_GPA + 3, 0);

	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
	/* SVM has one shadow bit, which KVM reports as both; VMX has each. */
	assert_stopped(&g.vcpu, out_gpa, cpu_has_flag("svm") ?
			KVM_X86_SHADOW_INT_MOV_SS | KVM_X86_SHADOW_INT_STI :
			KVM_X86_SHADOW_INT_MOV_SS);

	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x11, 1);
	assert_stopped(&g.vcpu, out_gpa + 2, 0);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

/*
 * Entered in the shadow of an STI, at a HLT, with the window asked for:
 * the HLT runs first, as on the CPU, then the window opens. QEMU's emulator
 * as L0 drops the shadow at VMRUN and exits for the window at once; l1vmm
 * keeps the window shut in a shadow there (its l0_drops_int_shadow).
 */
GUEST_CODE(sti_hlt, ".code16",
	"sti\n\t"
	"hlt\n\t"
	"hlt\n\t");

/*
 * @code in real mode, entered at its second instruction in the shadow of
 * its first (an STI), with RFLAGS.IF set and the window asked for; the
 * exit that KVM_RUN returns, with the registers in @regs.
 */
static int run_in_sti_shadow(struct test_guest *g, const void *code, size_t size,
			     struct kvm_regs *regs)
{
	struct kvm_vcpu_events ev;
	int exit_reason;

	guest_start_real_mode(g, MEM_SIZE, CODE_GPA, code, size);
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_GET_REGS, regs);
	regs->rip = CODE_GPA + 1;
	regs->rflags |= 1 << 9;
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_SET_REGS, regs);
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_GET_VCPU_EVENTS, &ev);
	ev.interrupt.shadow = KVM_X86_SHADOW_INT_STI;
	ev.flags = KVM_VCPUEVENT_VALID_SHADOW;
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_SET_VCPU_EVENTS, &ev);
	g->vcpu.run->request_interrupt_window = 1;

	exit_reason = vcpu_run(&g->vcpu);
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_GET_REGS, regs);
	if (!dev_is_l1vmm() && exit_reason == KVM_EXIT_IRQ_WINDOW_OPEN && regs->rip == CODE_GPA + 1)
		ktap_skip("KVM as L1 opened the window in the shadow: L0 dropped it at entry (QEMU's emulator)");
	return exit_reason;
}

static void test_window_waits_for_shadow(void)
{
	struct kvm_regs regs;
	struct test_guest g;
	int exit_reason;

	exit_reason = run_in_sti_shadow(&g, sti_hlt, GUEST_CODE_SIZE(sti_hlt), &regs);
	ASSERT_EQ(KVM_EXIT_HLT, exit_reason);
	ASSERT_EQ(CODE_GPA + 2, regs.rip);
	ASSERT_EQ(KVM_EXIT_IRQ_WINDOW_OPEN, vcpu_run(&g.vcpu));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(CODE_GPA + 2, regs.rip);
	guest_stop(&g);
}

/*
 * The same with a NOP in the shadow and an OUT after it: the window opens
 * after the NOP, before the OUT. l1vmm on QEMU's emulator single-steps
 * the NOP to get there, and neither its TF nor its DR6.BS shows; before
 * it did, the OUT exited first (an interrupt would have come after the
 * exit to user space).
 */
GUEST_CODE(sti_nop_out, ".code16",
	"sti\n\t"
	"nop\n\t"
	"out %al, $0x10\n\t"
	"hlt\n\t");

static void test_window_after_shadowed_insn(void)
{
	struct kvm_debugregs dbg;
	struct kvm_regs regs;
	struct test_guest g;

	ASSERT_EQ(KVM_EXIT_IRQ_WINDOW_OPEN,
		  run_in_sti_shadow(&g, sti_nop_out, GUEST_CODE_SIZE(sti_nop_out), &regs));
	ASSERT_EQ(CODE_GPA + 2, regs.rip);
	ASSERT_EQ(0x202, regs.rflags & (0x202 | RFLAGS_TF));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_DEBUGREGS, &dbg);
	ASSERT_EQ(0xffff0ff0, dbg.dr6);
	g.vcpu.run->request_interrupt_window = 0;
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(0, regs.rflags & RFLAGS_TF);
	guest_stop(&g);
}

/*
 * Each KVM_INTERRUPT is delivered once, however long its handler runs
 * before the next exit. The guest loops on a port write; each exit
 * injects, and the handler counts itself in memory and then spins for
 * 2^17 iterations with IF clear (saving ECX, so that a second delivery
 * costs no more than the first). Interrupts come as long as a second of
 * the host's time: QEMU's emulator as L0 delivered an injected interrupt
 * a second time when its vCPU loop was kicked while the handler ran (a
 * tick of the other vCPU, the round-robin timer), until l1vmm made that
 * entry end at once (doc/design.md); KVM as L1 makes the same exit.
 */
#define COUNT_GPA	0x500
#define ONCE_MIN_ROUNDS	100
#define ONCE_MAX_ROUNDS	100000

GUEST_CODE(out_loop, ".code16",
	"sti\n\t"
	"nop\n\t"
	"1: out %al, $0x10\n\t"
	"jmp 1b\n\t");

GUEST_CODE(counting_handler, ".code16",
	"push %ecx\n\t"
	"incl 0x500\n\t"
	"mov $0x20000, %ecx\n\t"
	"2: dec %ecx\n\t"
	"jnz 2b\n\t"
	"pop %ecx\n\t"
	"iret\n\t");

static void test_injected_once(void)
{
	struct kvm_interrupt irq = { .irq = IRQ_VECTOR };
	const uint32_t *count;
	struct test_guest g;
	unsigned int rounds;
	double t0;
	uint16_t *ivt;

	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, out_loop, GUEST_CODE_SIZE(out_loop));
	memcpy(g.mem + HANDLER_GPA, counting_handler, GUEST_CODE_SIZE(counting_handler));
	ivt = (uint16_t *)g.mem;
	ivt[2 * IRQ_VECTOR] = HANDLER_GPA;
	count = (const uint32_t *)(g.mem + COUNT_GPA);	/* reread after each run */
	t0 = mono_seconds();
	for (rounds = 0; rounds < ONCE_MAX_ROUNDS; rounds++) {
		vcpu_run(&g.vcpu);
		ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
		TEST_ASSERT(*count == rounds, "handler entered %u times for %u interrupts",
			    *count, rounds);
		if (rounds >= ONCE_MIN_ROUNDS && mono_seconds() - t0 >= 1.0)
			break;
		ASSERT_EQ(1, g.vcpu.run->ready_for_interrupt_injection);
		ASSERT_IOCTL_OK(g.vcpu.fd, KVM_INTERRUPT, &irq);
	}
	ktap_info("%u interrupts in %.2f s, each delivered once", rounds,
		  mono_seconds() - t0);
	guest_stop(&g);
}

static void test_interrupt_errors(void)
{
	struct kvm_interrupt irq = { .irq = 256 };
	struct test_guest g;

	start_guest(&g);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_INTERRUPT, &irq, EINVAL);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_INTERRUPT, NULL, EFAULT);
	guest_stop(&g);
}

static void test_events_inject_exception(void)
{
	struct kvm_vcpu_events ev, back;
	struct test_guest g;

	start_guest(&g);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_VCPU_EVENTS, &ev);
	ASSERT_EQ(0, ev.exception.injected);
	ASSERT_EQ(0, ev.interrupt.injected);
	ASSERT_EQ(0, ev.nmi.injected);
	ASSERT_EQ(0, ev.interrupt.shadow);

	ev.exception.injected = 1;
	ev.exception.nr = UD_VECTOR;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_VCPU_EVENTS, &ev);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_VCPU_EVENTS, &back);
	ASSERT_EQ(1, back.exception.injected);
	ASSERT_EQ(UD_VECTOR, back.exception.nr);

	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x13, 1);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_VCPU_EVENTS, &back);
	ASSERT_EQ(0, back.exception.injected);
	guest_stop(&g);
}

static void test_events_inject_interrupt_and_shadow(void)
{
	struct kvm_vcpu_events ev, back;
	struct test_guest g;

	start_guest(&g);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_VCPU_EVENTS, &ev);
	ev.flags = KVM_VCPUEVENT_VALID_SHADOW;
	ev.interrupt.shadow = KVM_X86_SHADOW_INT_STI;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_VCPU_EVENTS, &ev);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_VCPU_EVENTS, &back);
	TEST_ASSERT(back.interrupt.shadow != 0, "shadow reads back as %u", back.interrupt.shadow);

	ev.flags = KVM_VCPUEVENT_VALID_SHADOW;
	ev.interrupt.shadow = 0;
	ev.interrupt.injected = 1;
	ev.interrupt.nr = IRQ_VECTOR;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_VCPU_EVENTS, &ev);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_VCPU_EVENTS, &back);
	ASSERT_EQ(0, back.interrupt.shadow);
	ASSERT_EQ(1, back.interrupt.injected);
	ASSERT_EQ(IRQ_VECTOR, back.interrupt.nr);
	vcpu_run(&g.vcpu);
	/*
	 * The guest runs with RFLAGS.IF clear. SVM delivers the interrupt
	 * anyway; VMX refuses to enter with it (SDM 26.3.1.4), and KVM on
	 * Intel reports that entry failure (doc/abi.md).
	 */
	if (cpu_has_flag("vmx")) {
		ASSERT_EQ(KVM_EXIT_FAIL_ENTRY, g.vcpu.run->exit_reason);
		ASSERT_EQ(0x80000021ull,
			  g.vcpu.run->fail_entry.hardware_entry_failure_reason);
	} else {
		ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x12, 1);
	}
	guest_stop(&g);
}

static void test_events_errors(void)
{
	struct kvm_vcpu_events ev, good;
	struct test_guest g;

	start_guest(&g);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_VCPU_EVENTS, &good);

	ev = good;
	ev.flags |= 1u << 15;			/* unknown flag */
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_VCPU_EVENTS, &ev, EINVAL);
	ev = good;
	ev.flags |= KVM_VCPUEVENT_VALID_PAYLOAD;	/* needs KVM_CAP_EXCEPTION_PAYLOAD */
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_VCPU_EVENTS, &ev, EINVAL);
	ev = good;
	ev.exception.injected = 1;
	ev.exception.nr = 32;			/* not an exception */
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_VCPU_EVENTS, &ev, EINVAL);
	ev.exception.nr = 2;			/* NMI is not an exception */
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_VCPU_EVENTS, &ev, EINVAL);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_VCPU_EVENTS, NULL, EFAULT);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_GET_VCPU_EVENTS, NULL, EFAULT);
	if (dev_is_l1vmm()) {
		/* l1vmm does not model SMM (KVM accepts it); NMIs: the nmi test. */
		ev = good;
		ev.flags |= KVM_VCPUEVENT_VALID_SMM;
		ev.smi.smm = 1;
		ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_VCPU_EVENTS, &ev, EINVAL);
	}

	/* Nothing changed: the guest runs as if no event had been set. */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_VCPU_EVENTS, &ev);
	ASSERT_EQ(0, ev.exception.injected);
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
	guest_stop(&g);
}

static void test_mp_state(void)
{
	struct kvm_mp_state mp;
	struct test_guest g;

	start_guest(&g);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_MP_STATE, &mp);
	ASSERT_EQ(KVM_MP_STATE_RUNNABLE, mp.mp_state);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_MP_STATE, &mp);
	/* Without an in-kernel APIC every other state is refused, as in KVM. */
	mp.mp_state = KVM_MP_STATE_HALTED;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_MP_STATE, &mp, EINVAL);
	mp.mp_state = KVM_MP_STATE_INIT_RECEIVED;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_MP_STATE, &mp, EINVAL);
	mp.mp_state = 99;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_MP_STATE, &mp, EINVAL);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_MP_STATE, NULL, EFAULT);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_GET_MP_STATE, NULL, EFAULT);
	guest_stop(&g);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_window_protocol),
	KTAP_CASE(test_shadow_ends_with_emulated_insn),
	KTAP_CASE(test_window_waits_for_shadow),
	KTAP_CASE(test_window_after_shadowed_insn),
	KTAP_CASE(test_injected_once),
	KTAP_CASE(test_interrupt_errors),
	KTAP_CASE(test_events_inject_exception),
	KTAP_CASE(test_events_inject_interrupt_and_shadow),
	KTAP_CASE(test_events_errors),
	KTAP_CASE(test_mp_state),
};

int main(void)
{
	return ktap_run(dev_is_l1vmm() ? "interrupts" : "interrupts@kvm", tests,
			KTAP_ARRAY_SIZE(tests));
}
