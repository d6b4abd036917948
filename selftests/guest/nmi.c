// SPDX-License-Identifier: GPL-2.0-only
/*
 * NMIs without an in-kernel irqchip: KVM_NMI delivered to the guest's
 * vector 2 handler; NMIs blocked from delivery until the handler's IRET
 * (a second KVM_NMI in the handler comes right after the IRET); the NMI
 * state in KVM_GET/SET_VCPU_EVENTS (injected, pending, masked,
 * KVM_VCPUEVENT_VALID_NMI_PENDING); an interrupt shadow holding one back
 * for one instruction; an NMI and a KVM_INTERRUPT together. Real-mode
 * guests, handlers in the IVT. Runs against l1vmm and KVM (nmi@kvm).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "kvm_vm.h"

#define MEM_SIZE	(1ul << 20)
#define CODE_GPA	0x1000
#define NMI_HANDLER_GPA	0x2000
#define IRQ_HANDLER_GPA	0x2100
#define NMI_VECTOR	2
#define IRQ_VECTOR	0x20

/* Main: stops at port 0x10, then 0x11, 0x12, and halts. */
GUEST_CODE(main_code, ".code16",
	"out %al, $0x10\n\t"
	"out %al, $0x11\n\t"
	"out %al, $0x12\n\t"
	"hlt\n\t");

/*
 * The NMI handler: the IP it returns to at port 0x20 (2 bytes), a stop at
 * port 0x21 while still inside, then IRET.
 */
GUEST_CODE(nmi_handler, ".code16",
	"pop %ax\n\t"
	"push %ax\n\t"
	"out %ax, $0x20\n\t"
	"out %al, $0x21\n\t"
	"iret\n\t");

GUEST_CODE(irq_handler, ".code16",
	"out %al, $0x30\n\t"
	"iret\n\t");

/* Two one-byte instructions first: an interrupt shadow covers the first. */
GUEST_CODE(shadow_code, ".code16",
	"nop\n\t"
	"nop\n\t"
	"out %al, $0x10\n\t"
	"hlt\n\t");

static void start_guest(struct test_guest *g, const void *code, size_t len)
{
	uint16_t *ivt;

	guest_start_real_mode(g, MEM_SIZE, CODE_GPA, code, len);
	memcpy(g->mem + NMI_HANDLER_GPA, nmi_handler, GUEST_CODE_SIZE(nmi_handler));
	memcpy(g->mem + IRQ_HANDLER_GPA, irq_handler, GUEST_CODE_SIZE(irq_handler));
	ivt = (uint16_t *)g->mem;
	ivt[2 * NMI_VECTOR] = NMI_HANDLER_GPA;	/* offset, segment 0 */
	ivt[2 * IRQ_VECTOR] = IRQ_HANDLER_GPA;
}

static void get_events(struct test_vcpu *vcpu, struct kvm_vcpu_events *ev)
{
	memset(ev, 0xaa, sizeof(*ev));
	ASSERT_IOCTL_OK(vcpu->fd, KVM_GET_VCPU_EVENTS, ev);
	TEST_ASSERT(ev->flags & KVM_VCPUEVENT_VALID_NMI_PENDING, "flags %#x", ev->flags);
}

#define ASSERT_NMI_STATE(vcpu, want_injected, want_pending, want_masked)		\
	do {									\
		struct kvm_vcpu_events __ev;					\
										\
		get_events(vcpu, &__ev);					\
		ASSERT_EQ(want_injected, __ev.nmi.injected);			\
		ASSERT_EQ(want_pending, __ev.nmi.pending);			\
		ASSERT_EQ(want_masked, __ev.nmi.masked);			\
	} while (0)

/* The handler entered with @ip as its return address, and stopped inside. */
#define ASSERT_IN_HANDLER(vcpu, ip)						\
	do {									\
		vcpu_run(vcpu);							\
		ASSERT_IO_EXIT(vcpu, KVM_EXIT_IO_OUT, 0x20, 2);			\
		ASSERT_EQ(ip, *(uint16_t *)vcpu_io_data(vcpu));			\
		vcpu_run(vcpu);							\
		ASSERT_IO_EXIT(vcpu, KVM_EXIT_IO_OUT, 0x21, 1);			\
	} while (0)

#define ASSERT_OUT(vcpu, port)							\
	do {									\
		vcpu_run(vcpu);							\
		ASSERT_IO_EXIT(vcpu, KVM_EXIT_IO_OUT, port, 1);			\
	} while (0)

static void test_capability(void)
{
	struct test_guest g;

	start_guest(&g, main_code, GUEST_CODE_SIZE(main_code));
	ASSERT_EQ(1, dev_ioctl(g.vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_NMI));
	ASSERT_NMI_STATE(&g.vcpu, 0, 0, 0);
	guest_stop(&g);
}

/* KVM_NMI: the handler runs before the next instruction, NMIs blocked until its IRET. */
static void test_delivered(void)
{
	struct test_guest g;

	start_guest(&g, main_code, GUEST_CODE_SIZE(main_code));
	ASSERT_OUT(&g.vcpu, 0x10);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_NMI, NULL);
	ASSERT_NMI_STATE(&g.vcpu, 0, 1, 0);
	ASSERT_IN_HANDLER(&g.vcpu, CODE_GPA + 2);
	ASSERT_NMI_STATE(&g.vcpu, 0, 0, 1);
	ASSERT_OUT(&g.vcpu, 0x11);
	ASSERT_NMI_STATE(&g.vcpu, 0, 0, 0);
	ASSERT_OUT(&g.vcpu, 0x12);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

/*
 * A second NMI while the handler runs waits for its IRET, and comes right
 * after it: the handler runs again before the main code's next
 * instruction. A third one while one waits is dropped (one running, one
 * waiting, as on the CPU).
 */
static void test_blocked_until_iret(void)
{
	struct test_guest g;

	start_guest(&g, main_code, GUEST_CODE_SIZE(main_code));
	ASSERT_OUT(&g.vcpu, 0x10);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_NMI, NULL);
	ASSERT_IN_HANDLER(&g.vcpu, CODE_GPA + 2);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_NMI, NULL);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_NMI, NULL);
	ASSERT_NMI_STATE(&g.vcpu, 0, 1, 1);
	/* Still blocked: the handler goes on to its IRET ... */
	ASSERT_IN_HANDLER(&g.vcpu, CODE_GPA + 2);
	ASSERT_NMI_STATE(&g.vcpu, 0, 0, 1);
	/* ... and after the second one's IRET, nothing more. */
	ASSERT_OUT(&g.vcpu, 0x11);
	ASSERT_NMI_STATE(&g.vcpu, 0, 0, 0);
	ASSERT_OUT(&g.vcpu, 0x12);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

/* Two NMIs queued at once: one delivered, one after its IRET. */
static void test_two_queued(void)
{
	struct test_guest g;

	start_guest(&g, main_code, GUEST_CODE_SIZE(main_code));
	ASSERT_OUT(&g.vcpu, 0x10);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_NMI, NULL);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_NMI, NULL);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_NMI, NULL);
	ASSERT_IN_HANDLER(&g.vcpu, CODE_GPA + 2);
	ASSERT_NMI_STATE(&g.vcpu, 0, 1, 1);
	ASSERT_IN_HANDLER(&g.vcpu, CODE_GPA + 2);
	ASSERT_OUT(&g.vcpu, 0x11);
	ASSERT_NMI_STATE(&g.vcpu, 0, 0, 0);
	guest_stop(&g);
}

/* The NMI state through KVM_SET_VCPU_EVENTS: pending, masked, injected. */
static void test_events(void)
{
	struct kvm_vcpu_events ev;
	struct test_guest g;

	start_guest(&g, main_code, GUEST_CODE_SIZE(main_code));

	/* Pending and masked: it waits, the main code runs on. */
	get_events(&g.vcpu, &ev);
	ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING;
	ev.nmi.pending = 1;
	ev.nmi.masked = 1;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_VCPU_EVENTS, &ev);
	ASSERT_NMI_STATE(&g.vcpu, 0, 1, 1);
	ASSERT_OUT(&g.vcpu, 0x10);
	ASSERT_NMI_STATE(&g.vcpu, 0, 1, 1);

	/* Unmasked: delivered at once. */
	get_events(&g.vcpu, &ev);
	ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING;
	ev.nmi.masked = 0;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_VCPU_EVENTS, &ev);
	ASSERT_IN_HANDLER(&g.vcpu, CODE_GPA + 2);

	/* Save inside the handler, let it return, restore: it is inside again. */
	get_events(&g.vcpu, &ev);
	ASSERT_EQ(1, ev.nmi.masked);
	ASSERT_OUT(&g.vcpu, 0x11);
	ASSERT_NMI_STATE(&g.vcpu, 0, 0, 0);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_VCPU_EVENTS, &ev);
	ASSERT_NMI_STATE(&g.vcpu, 0, 0, 1);

	/* Without VALID_NMI_PENDING, pending is left alone. */
	ev.flags = 0;
	ev.nmi.pending = 1;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_VCPU_EVENTS, &ev);
	ASSERT_NMI_STATE(&g.vcpu, 0, 0, 1);

	/* Injected: delivered at the next entry, and blocks NMIs. */
	ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING;
	ev.nmi.injected = 1;
	ev.nmi.pending = 0;
	ev.nmi.masked = 0;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_VCPU_EVENTS, &ev);
	ASSERT_NMI_STATE(&g.vcpu, 1, 0, 0);
	ASSERT_IN_HANDLER(&g.vcpu, CODE_GPA + 4);
	ASSERT_NMI_STATE(&g.vcpu, 0, 0, 1);
	ASSERT_OUT(&g.vcpu, 0x12);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

/* An interrupt shadow holds the NMI back for one instruction. */
static void test_interrupt_shadow(void)
{
	struct kvm_vcpu_events ev;
	struct kvm_regs regs;
	struct test_guest g;

	start_guest(&g, shadow_code, GUEST_CODE_SIZE(shadow_code));
	/* As after an STI: VMX refuses an STI shadow with IF clear. */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	regs.rflags |= 1 << 9;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);
	get_events(&g.vcpu, &ev);
	ev.flags = KVM_VCPUEVENT_VALID_SHADOW;
	ev.interrupt.shadow = KVM_X86_SHADOW_INT_STI;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_VCPU_EVENTS, &ev);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_NMI, NULL);
	ASSERT_IN_HANDLER(&g.vcpu, CODE_GPA + 1);
	ASSERT_OUT(&g.vcpu, 0x10);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

/*
 * An NMI and a KVM_INTERRUPT queued together: both handlers run before
 * the main code goes on (which first, and where the second lands, is
 * KVM's single-step detail: see doc/abi.md).
 */
static void test_with_interrupt(void)
{
	struct kvm_interrupt irq = { .irq = IRQ_VECTOR };
	struct kvm_regs regs;
	struct test_guest g;
	unsigned int seen_nmi = 0, seen_irq = 0, i;

	start_guest(&g, main_code, GUEST_CODE_SIZE(main_code));
	ASSERT_OUT(&g.vcpu, 0x10);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	regs.rflags |= 1u << 9;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_NMI, NULL);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_INTERRUPT, &irq);
	for (i = 0; i < 8; i++) {
		vcpu_run(&g.vcpu);
		ASSERT_EQ(KVM_EXIT_IO, g.vcpu.run->exit_reason);
		if (g.vcpu.run->io.port == 0x11)
			break;
		if (g.vcpu.run->io.port == 0x20)
			seen_nmi++;
		else if (g.vcpu.run->io.port == 0x30)
			seen_irq++;
	}
	ASSERT_EQ(0x11, g.vcpu.run->io.port);
	ASSERT_EQ(1, seen_nmi);
	ASSERT_EQ(1, seen_irq);
	guest_stop(&g);
}

int main(void)
{
	static const struct ktap_case cases[] = {
		KTAP_CASE(test_capability),
		KTAP_CASE(test_delivered),
		KTAP_CASE(test_blocked_until_iret),
		KTAP_CASE(test_two_queued),
		KTAP_CASE(test_events),
		KTAP_CASE(test_interrupt_shadow),
		KTAP_CASE(test_with_interrupt),
	};

	return ktap_run("nmi", cases, KTAP_ARRAY_SIZE(cases));
}
