// SPDX-License-Identifier: GPL-2.0-only
/*
 * The in-kernel PIT (KVM_CREATE_PIT2): its ioctls and their errors, the
 * KVM_GET/SET_PIT2 state round trip, channel 0's interrupt on GSI 0 through
 * the PIC (ExtINT) and through IOAPIC pin 2 (QEMU's route), periodic and
 * one-shot, with and without reinjection, HPET legacy mode holding it back,
 * counts that run down, the latch and read-back commands, and channel 2
 * with its gate and output at the speaker port 0x61. The guests run in
 * 32-bit protected mode. Runs against l1vmm and KVM (pit@kvm).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm_vm.h"

#define MEM_SIZE	(1ul << 20)
#define IDT_GPA		0x6000
#define COUNT_GPA	0x7000		/* interrupts taken */
#define VECTOR_GPA	0x7004		/* the last one's vector */
#define HANDLERS_GPA	0x8000
#define CODE_GPA	0x10000

/*
 * h60: IRQ0 from the PIC, EOI at the master; h52: IOAPIC pin 2, EOI at
 * the xAPIC; hbad: any other vector, reported on port 0xee.
 */
GUEST_CODE(handlers, ".code32",
	"h60: push %eax\n\t"
	"incl 0x7000\n\t"
	"movl $0x60, 0x7004\n\t"
	"mov $0x20, %al\n\t"
	"out %al, $0x20\n\t"
	"pop %eax\n\t"
	"iret\n\t"
	"h52: incl 0x7000\n\t"
	"movl $0x52, 0x7004\n\t"
	"movl $0, 0xfee000b0\n\t"
	"iret\n\t"
	"hbad: mov $0xbad, %eax\n\t"
	"out %eax, $0xee\n\t"
	"hlt\n\t");
GUEST_LABEL(h60); GUEST_LABEL(h52); GUEST_LABEL(hbad);

/* The master PIC at vectors 0x60-0x67, IMR @imr; the xAPIC on, LVT0 ExtINT. */
#define PIC_EXTINT(imr)							\
	"mov $0x11, %al\n\t"						\
	"out %al, $0x20\n\t"						\
	"mov $0x60, %al\n\t"						\
	"out %al, $0x21\n\t"						\
	"mov $0x04, %al\n\t"						\
	"out %al, $0x21\n\t"						\
	"mov $0x01, %al\n\t"						\
	"out %al, $0x21\n\t"						\
	"mov $" #imr ", %al\n\t"					\
	"out %al, $0x21\n\t"						\
	"movl $0x1ff, 0xfee000f0\n\t"					\
	"movl $0x700, 0xfee00350\n\t"

/* Channel 0: control word @cw (LSB then MSB), count @lo, @hi. */
#define PIT_CH0(cw, lo, hi)						\
	"mov $" #cw ", %al\n\t"						\
	"out %al, $0x43\n\t"						\
	"mov $" #lo ", %al\n\t"						\
	"out %al, $0x40\n\t"						\
	"mov $" #hi ", %al\n\t"						\
	"out %al, $0x40\n\t"

/* Latch channel @ch's count and read it, LSB then MSB, into %reg (bx, cx). */
#define LATCH(ch, reg)							\
	"mov $(" #ch " << 6), %al\n\t"					\
	"out %al, $0x43\n\t"						\
	"in $(0x40 + " #ch "), %al\n\t"					\
	"mov %al, %" #reg "l\n\t"					\
	"in $(0x40 + " #ch "), %al\n\t"					\
	"mov %al, %" #reg "h\n\t"

/* Sleep until the handlers have counted @n interrupts. */
#define WAIT_COUNT(n)							\
	"1: cli\n\t"							\
	"cmpl $" #n ", 0x7000\n\t"					\
	"jae 2f\n\t"							\
	"sti\n\t"							\
	"hlt\n\t"							\
	"jmp 1b\n\t"							\
	"2: sti\n\t"

/*
 * Channel 0 in mode 2 at 1193 (1 ms) through the PIC: three interrupts.
 * Then one-shot (mode 0, 59659: 50 ms), which stops the periodic timer;
 * a tick the PIC still holds is taken before the count starts: one
 * interrupt, and none more while the host waits; then two latched
 * counts of channel 0 and its status by read-back.
 */
GUEST_CODE(pic_guest, ".code32",
	PIC_EXTINT(0xfe)
	PIT_CH0(0x34, 0xa9, 0x04)
	"sti\n\t"
	WAIT_COUNT(3)
	"out %eax, $0xe1\n\t"
	"cli\n\t"
	PIT_CH0(0x30, 0x0b, 0xe9)
	"sti\n\t"
	"nop\n\t"
	"nop\n\t"
	"cli\n\t"
	"movl $0, 0x7000\n\t"
	WAIT_COUNT(1)
	"out %eax, $0xe2\n\t"
	"nop\n\t"
	"nop\n\t"
	"cli\n\t"
	"mov 0x7000, %eax\n\t"
	"out %eax, $0xe3\n\t"
	LATCH(0, b)
	LATCH(0, c)
	"movzwl %bx, %eax\n\t"
	"out %eax, $0xe4\n\t"
	"movzwl %cx, %eax\n\t"
	"out %eax, $0xe5\n\t"
	"mov $0xe2, %al\n\t"
	"out %al, $0x43\n\t"
	"xor %eax, %eax\n\t"
	"in $0x40, %al\n\t"
	"out %eax, $0xe6\n\t");

/*
 * Channel 0 in mode 2 through IOAPIC pin 2 (vector 0x52, edge), the PIC
 * left masked and LVT0 masked: three interrupts, then three more.
 */
GUEST_CODE(ioapic_guest, ".code32",
	"movl $0x1ff, 0xfee000f0\n\t"
	"movl $0x10000, 0xfee00350\n\t"
	"movl $0x14, 0xfec00000\n\t"
	"movl $0x52, 0xfec00010\n\t"
	PIT_CH0(0x34, 0xa9, 0x04)
	"sti\n\t"
	WAIT_COUNT(3)
	"out %eax, $0xe1\n\t"
	WAIT_COUNT(6)
	"out %eax, $0xe2\n\t");

/* Mode 2 programmed under HPET legacy mode: no interrupt until it ends. */
GUEST_CODE(hpet_guest, ".code32",
	PIC_EXTINT(0xfe)
	PIT_CH0(0x34, 0xa9, 0x04)
	"sti\n\t"
	"out %eax, $0xe1\n\t"
	"nop\n\t"
	"cli\n\t"
	"mov 0x7000, %eax\n\t"
	"out %eax, $0xe2\n\t"
	WAIT_COUNT(2)
	"out %eax, $0xe3\n\t");

/*
 * Channel 2 through the speaker port: IN from 0x43 keeps AL, the gate
 * on, mode 0 at 11932, two latched counts (the second with OUT2 in bit
 * 21), OUT2 rising at 0x61, the
 * status by read-back; then speaker data on and mode 7 on channel 1.
 */
GUEST_CODE(speaker_guest, ".code32",
	"mov $0x12345678, %eax\n\t"
	"in $0x43, %al\n\t"
	"out %eax, $0xe0\n\t"
	"mov $0x01, %al\n\t"
	"out %al, $0x61\n\t"
	"mov $0xb0, %al\n\t"
	"out %al, $0x43\n\t"
	"mov $0x9c, %al\n\t"
	"out %al, $0x42\n\t"
	"mov $0x2e, %al\n\t"
	"out %al, $0x42\n\t"
	"xor %eax, %eax\n\t"
	"in $0x61, %al\n\t"
	"out %eax, $0xe1\n\t"
	LATCH(2, b)
	LATCH(2, c)
	"movzwl %bx, %eax\n\t"
	"out %eax, $0xe2\n\t"
	"movzwl %cx, %ecx\n\t"
	"in $0x61, %al\n\t"
	"and $0x20, %eax\n\t"
	"shl $16, %eax\n\t"
	"or %ecx, %eax\n\t"
	"out %eax, $0xe3\n\t"
	"1: in $0x61, %al\n\t"
	"test $0x20, %al\n\t"
	"jz 1b\n\t"
	"movzbl %al, %eax\n\t"
	"out %eax, $0xe4\n\t"
	"mov $0xe8, %al\n\t"
	"out %al, $0x43\n\t"
	"xor %eax, %eax\n\t"
	"in $0x42, %al\n\t"
	"out %eax, $0xe5\n\t"
	"mov $0x03, %al\n\t"
	"out %al, $0x61\n\t"
	"mov $0x7e, %al\n\t"
	"out %al, $0x43\n\t"
	"out %eax, $0xe6\n\t");

/* Without KVM_PIT_SPEAKER_DUMMY: 0x61 and accesses past 0x43 go to user space. */
GUEST_CODE(no_speaker_guest, ".code32",
	"in $0x61, %al\n\t"
	"in $0x41, %eax\n\t"
	"mov $0xffffffff, %eax\n\t"
	"in $0x40, %eax\n\t"
	"out %eax, $0xe0\n\t");

/* The VM of the guest running, for run_out32()'s report of a guest that sleeps for good. */
static int vm_fd = -1;

static void set_gate(unsigned char *mem, unsigned int vec, const unsigned char *stub)
{
	uint32_t off = HANDLERS_GPA + (uint32_t)(stub - handlers);
	uint32_t *gate = (uint32_t *)(mem + IDT_GPA + 8 * vec);

	gate[0] = (0x08 << 16) | (off & 0xffff);
	gate[1] = (off & 0xffff0000) | 0x8e00;	/* present, 32-bit interrupt gate */
}

/* A protected-mode guest, the in-kernel irqchip if @irqchip, a PIT with @flags. */
static void start_guest(struct test_guest *g, const void *code, size_t len, bool irqchip,
			uint32_t flags)
{
	struct kvm_pit_config config = { .flags = flags };
	struct kvm_sregs sregs;
	unsigned int v;

	vm_create_irqchip = irqchip;
	guest_start_protected_mode(g, MEM_SIZE, CODE_GPA, code, len);
	vm_create_irqchip = false;
	ASSERT_IOCTL_OK(g->vm.fd, KVM_CREATE_PIT2, &config);
	vm_fd = g->vm.fd;
	memcpy(g->mem + HANDLERS_GPA, handlers, GUEST_CODE_SIZE(handlers));
	for (v = 0; v < 256; v++)
		set_gate(g->mem, v, hbad);
	set_gate(g->mem, 0x60, h60);
	set_gate(g->mem, 0x52, h52);
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_GET_SREGS, &sregs);
	sregs.idt.base = IDT_GPA;
	sregs.idt.limit = 256 * 8 - 1;
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_SET_SREGS, &sregs);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* KVM_RUN to a 4-byte OUT to @port, with a watchdog for a guest that sleeps for good. */
static uint32_t run_out32(const char *file, int line, struct test_vcpu *vcpu, int port)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct kvm_irqchip pic = { .chip_id = KVM_IRQCHIP_PIC_MASTER };
	struct kvm_pit_state2 ps2 = { 0 };
	struct kvm_regs regs;
	int ret;

	sigaction(SIGALRM, &sa, NULL);
	alarm(10);
	ret = ioctl(vcpu->fd, KVM_RUN, 0);
	alarm(0);
	if (ret) {
		ret = errno;
		ioctl(vcpu->fd, KVM_GET_REGS, &regs);
		ioctl(vm_fd, KVM_GET_IRQCHIP, &pic);
		ioctl(vm_fd, KVM_GET_PIT2, &ps2);
		ktap_fail(file, line, "KVM_RUN: %s; RIP %llx RFLAGS %llx; PIC IRR %x ISR %x IMR %x; PIT mode %u count %u",
			  ktap_errno_name(ret), regs.rip, regs.rflags, pic.chip.pic.irr,
			  pic.chip.pic.isr, pic.chip.pic.imr, ps2.channels[0].mode,
			  ps2.channels[0].count);
	}
	__assert_io_exit(file, line, vcpu, KVM_EXIT_IO_OUT, port, 4);
	return *(uint32_t *)vcpu_io_data(vcpu);
}

#define RUN_OUT(vcpu, port)	run_out32(__FILE__, __LINE__, vcpu, port)

static uint32_t mem32(struct test_guest *g, uint32_t gpa)
{
	uint32_t v;

	memcpy(&v, g->mem + gpa, 4);
	return v;
}


static void test_create(void)
{
	struct kvm_pit_config config = { .flags = 0 };
	struct kvm_reinject_control control = { .pit_reinject = 1 };
	struct kvm_pit_state2 ps2;
	struct kvm_pit_state ps;
	struct test_vm vm;
	unsigned int i;

	vm_create(&vm);
	ASSERT_EQ(1, dev_ioctl(vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_PIT));
	ASSERT_EQ(1, dev_ioctl(vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_PIT2));
	ASSERT_EQ(1, dev_ioctl(vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_PIT_STATE2));
	ASSERT_EQ(1, dev_ioctl(vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_REINJECT_CONTROL));
	/* No PIT yet: ENXIO, after the copy from user space where KVM makes it. */
	memset(&ps2, 0, sizeof(ps2));
	memset(&ps, 0, sizeof(ps));
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_GET_PIT2, &ps2, ENXIO);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_GET_PIT2, NULL, ENXIO);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_SET_PIT2, &ps2, ENXIO);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_SET_PIT2, NULL, EFAULT);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_GET_PIT, &ps, ENXIO);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_GET_PIT, NULL, EFAULT);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_SET_PIT, &ps, ENXIO);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_REINJECT_CONTROL, &control, ENXIO);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_REINJECT_CONTROL, NULL, EFAULT);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_CREATE_PIT2, NULL, EFAULT);
	/* No irqchip needed; flags are not checked; one PIT per VM. */
	config.flags = 0xffffffff;
	ASSERT_IOCTL_OK(vm.fd, KVM_CREATE_PIT2, &config);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_CREATE_PIT2, &config, EEXIST);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_CREATE_PIT, 0, EEXIST);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_GET_PIT2, NULL, EFAULT);
	/* KVM's reset state. */
	memset(&ps2, 0xaa, sizeof(ps2));
	ASSERT_IOCTL_OK(vm.fd, KVM_GET_PIT2, &ps2);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0x10000, ps2.channels[i].count);
		ASSERT_EQ(0xff, ps2.channels[i].mode);
		ASSERT_EQ(i != 2, ps2.channels[i].gate);
		ASSERT_EQ(0, ps2.channels[i].rw_mode);
		ASSERT_EQ(0, ps2.channels[i].count_latched);
	}
	ASSERT_EQ(0, ps2.flags);
	for (i = 0; i < 9; i++)
		ASSERT_EQ(0, ps2.reserved[i]);
	ASSERT_IOCTL_OK(vm.fd, KVM_REINJECT_CONTROL, &control);
	control.pit_reinject = 0;
	ASSERT_IOCTL_OK(vm.fd, KVM_REINJECT_CONTROL, &control);
	vm_close(&vm);

	/* The old KVM_CREATE_PIT, before the irqchip. */
	vm_create(&vm);
	ASSERT_IOCTL_OK(vm.fd, KVM_CREATE_PIT, 0);
	ASSERT_IOCTL_OK(vm.fd, KVM_CREATE_IRQCHIP, 0);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_CREATE_PIT2, &config, EEXIST);
	vm_close(&vm);
}

static void test_state(void)
{
	struct kvm_pit_state2 in, out;
	struct kvm_pit_state ps;
	struct test_vm vm;
	unsigned int i;

	vm_create_irqchip = true;
	vm_create(&vm);
	vm_create_irqchip = false;
	ASSERT_IOCTL_OK(vm.fd, KVM_CREATE_PIT, 0);
	memset(&in, 0, sizeof(in));
	/* Channel 0 runs periodic with nobody to take its interrupts. */
	in.channels[0].count = 1000;
	in.channels[0].mode = 2;
	in.channels[0].rw_mode = 3;
	in.channels[0].read_state = 3;
	in.channels[0].write_state = 4;
	in.channels[0].write_latch = 0x12;
	in.channels[0].gate = 1;
	in.channels[1].count = 0;			/* 0 is 0x10000 */
	in.channels[1].latched_count = 0x1234;
	in.channels[1].count_latched = 1;
	in.channels[1].status_latched = 1;
	in.channels[1].status = 0x36;
	in.channels[1].mode = 3;
	in.channels[1].bcd = 1;
	in.channels[2].count = 0xffff;
	in.channels[2].mode = 7;			/* no such mode: kept, as KVM */
	in.channels[2].rw_mode = 9;
	in.flags = KVM_PIT_FLAGS_SPEAKER_DATA_ON | 0x40;	/* unknown flags kept too */
	in.reserved[3] = 7;
	ASSERT_IOCTL_OK(vm.fd, KVM_SET_PIT2, &in);
	memset(&out, 0xaa, sizeof(out));
	ASSERT_IOCTL_OK(vm.fd, KVM_GET_PIT2, &out);
	in.channels[1].count = 0x10000;
	for (i = 0; i < 3; i++) {
		out.channels[i].count_load_time = 0;
		ASSERT_EQ(0, memcmp(&in.channels[i], &out.channels[i], sizeof(in.channels[i])));
	}
	ASSERT_EQ(in.flags, out.flags);
	for (i = 0; i < 9; i++)
		ASSERT_EQ(0, out.reserved[i]);
	/* KVM_GET_PIT has the same channels; KVM_SET_PIT leaves the flags. */
	ASSERT_IOCTL_OK(vm.fd, KVM_GET_PIT, &ps);
	ps.channels[0].count_load_time = 0;
	ps.channels[1].count_load_time = 0;
	ps.channels[2].count_load_time = 0;
	ASSERT_EQ(0, memcmp(ps.channels, out.channels, sizeof(ps.channels)));
	ps.channels[0].mode = 3;
	ASSERT_IOCTL_OK(vm.fd, KVM_SET_PIT, &ps);
	ASSERT_IOCTL_OK(vm.fd, KVM_GET_PIT2, &out);
	ASSERT_EQ(3, out.channels[0].mode);
	ASSERT_EQ(in.flags, out.flags);
	in.flags = KVM_PIT_FLAGS_HPET_LEGACY;
	ASSERT_IOCTL_OK(vm.fd, KVM_SET_PIT2, &in);
	ASSERT_IOCTL_OK(vm.fd, KVM_GET_PIT2, &out);
	ASSERT_EQ(KVM_PIT_FLAGS_HPET_LEGACY, out.flags);
	ASSERT_EQ(2, out.channels[0].mode);		/* kept for when it ends */
	in.flags = 0;
	ASSERT_IOCTL_OK(vm.fd, KVM_SET_PIT2, &in);
	/* Closed with the timer running. */
	vm_close(&vm);
}

static void test_ch0_pic(void)
{
	struct test_guest g;
	uint32_t a, b;

	start_guest(&g, pic_guest, GUEST_CODE_SIZE(pic_guest), true, 0);
	RUN_OUT(&g.vcpu, 0xe1);
	ASSERT_EQ(1, mem32(&g, COUNT_GPA) >= 3);	/* one more may come before the CLI */
	ASSERT_EQ(0x60, mem32(&g, VECTOR_GPA));
	/* One-shot: one interrupt, and no other in 30 ms. */
	RUN_OUT(&g.vcpu, 0xe2);
	usleep(30000);
	ASSERT_EQ(1, RUN_OUT(&g.vcpu, 0xe3));
	/*
	 * Past zero the count runs on through 0xffff: it moved (how far
	 * depends on how slowly the guest runs, maybe past a wrap).
	 */
	a = RUN_OUT(&g.vcpu, 0xe4);
	b = RUN_OUT(&g.vcpu, 0xe5);
	TEST_ASSERT(a != b, "channel 0's count stood at %#x", a);
	/* Read-back status: OUT high, LSB/MSB, mode 0, binary. */
	ASSERT_EQ(0xb0, RUN_OUT(&g.vcpu, 0xe6));
	guest_stop(&g);
}

static void test_ch0_ioapic(void)
{
	struct {
		struct kvm_irq_routing hdr;
		struct kvm_irq_routing_entry e[2];
	} rt = { 0 };
	struct kvm_reinject_control control = { .pit_reinject = 0 };
	struct test_guest g;

	start_guest(&g, ioapic_guest, GUEST_CODE_SIZE(ioapic_guest), true, 0);
	/* QEMU's route of GSI 0: the PIC's IRQ0 and the IOAPIC's pin 2. */
	rt.hdr.nr = 2;
	rt.e[0].gsi = 0;
	rt.e[0].type = KVM_IRQ_ROUTING_IRQCHIP;
	rt.e[0].u.irqchip.irqchip = KVM_IRQCHIP_PIC_MASTER;
	rt.e[0].u.irqchip.pin = 0;
	rt.e[1].gsi = 0;
	rt.e[1].type = KVM_IRQ_ROUTING_IRQCHIP;
	rt.e[1].u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
	rt.e[1].u.irqchip.pin = 2;
	ASSERT_IOCTL_OK(g.vm.fd, KVM_SET_GSI_ROUTING, &rt);
	/* Reinjection (the default) needs the EOI's ack of pin 2 for each tick. */
	RUN_OUT(&g.vcpu, 0xe1);
	ASSERT_EQ(1, mem32(&g, COUNT_GPA) >= 3);
	ASSERT_EQ(0x52, mem32(&g, VECTOR_GPA));
	ASSERT_IOCTL_OK(g.vm.fd, KVM_REINJECT_CONTROL, &control);
	RUN_OUT(&g.vcpu, 0xe2);
	ASSERT_EQ(1, mem32(&g, COUNT_GPA) >= 6);
	ASSERT_EQ(0x52, mem32(&g, VECTOR_GPA));
	guest_stop(&g);
}

static void test_hpet_legacy(void)
{
	struct kvm_pit_state2 ps2;
	struct test_guest g;

	start_guest(&g, hpet_guest, GUEST_CODE_SIZE(hpet_guest), true, 0);
	ASSERT_IOCTL_OK(g.vm.fd, KVM_GET_PIT2, &ps2);
	ps2.flags = KVM_PIT_FLAGS_HPET_LEGACY;
	ASSERT_IOCTL_OK(g.vm.fd, KVM_SET_PIT2, &ps2);
	RUN_OUT(&g.vcpu, 0xe1);
	usleep(20000);
	ASSERT_EQ(0, RUN_OUT(&g.vcpu, 0xe2));
	/* HPET legacy off: the mode 2 count loads again and the timer runs. */
	ASSERT_IOCTL_OK(g.vm.fd, KVM_GET_PIT2, &ps2);
	ASSERT_EQ(2, ps2.channels[0].mode);
	ASSERT_EQ(1193, ps2.channels[0].count);
	ps2.flags = 0;
	ASSERT_IOCTL_OK(g.vm.fd, KVM_SET_PIT2, &ps2);
	RUN_OUT(&g.vcpu, 0xe3);
	ASSERT_EQ(0x60, mem32(&g, VECTOR_GPA));
	guest_stop(&g);
}

static void test_speaker(void)
{
	struct kvm_pit_state2 ps2;
	struct test_guest g;
	uint32_t a, b;

	start_guest(&g, speaker_guest, GUEST_CODE_SIZE(speaker_guest), false,
		    KVM_PIT_SPEAKER_DUMMY);
	ASSERT_EQ(0x12345678, RUN_OUT(&g.vcpu, 0xe0));
	/* Gate on, speaker data off. */
	ASSERT_EQ(0x01, RUN_OUT(&g.vcpu, 0xe1) & 0x03);
	a = RUN_OUT(&g.vcpu, 0xe2);
	b = RUN_OUT(&g.vcpu, 0xe3);
	/*
	 * OUT2 still low after the second read: the count went down from
	 * at most 11932 without passing zero. Else (a guest slower than 10 ms
	 * here) it moved at least.
	 */
	if (!(b & 0x200000)) {
		ASSERT_EQ(1, a <= 11932);
		TEST_ASSERT(b < a, "channel 2 read %#x, then %#x", a, b);
	} else {
		TEST_ASSERT((b & 0xffff) != a, "channel 2's count stood at %#x", a);
	}
	ASSERT_EQ(0x21, RUN_OUT(&g.vcpu, 0xe4) & 0x23);
	ASSERT_EQ(0xb0, RUN_OUT(&g.vcpu, 0xe5));
	RUN_OUT(&g.vcpu, 0xe6);
	ASSERT_IOCTL_OK(g.vm.fd, KVM_GET_PIT2, &ps2);
	ASSERT_EQ(KVM_PIT_FLAGS_SPEAKER_DATA_ON, ps2.flags);
	ASSERT_EQ(3, ps2.channels[1].mode);		/* mode 7 is mode 3 */
	ASSERT_EQ(3, ps2.channels[1].rw_mode);
	ASSERT_EQ(0, ps2.channels[2].mode);
	ASSERT_EQ(11932, ps2.channels[2].count);
	ASSERT_EQ(1, ps2.channels[2].gate);
	guest_stop(&g);

	start_guest(&g, no_speaker_guest, GUEST_CODE_SIZE(no_speaker_guest), false, 0);
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_IN, 0x61, 1);
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_IN, 0x41, 4);
	/* A 4-byte IN from 0x40 reads one byte, zero-extended. */
	ASSERT_EQ(1, RUN_OUT(&g.vcpu, 0xe0) <= 0xff);
	guest_stop(&g);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_create),
	KTAP_CASE(test_state),
	KTAP_CASE(test_ch0_pic),
	KTAP_CASE(test_ch0_ioapic),
	KTAP_CASE(test_hpet_legacy),
	KTAP_CASE(test_speaker),
};

int main(void)
{
	return ktap_run(dev_is_l1vmm() ? "pit" : "pit@kvm", tests, KTAP_ARRAY_SIZE(tests));
}
