// SPDX-License-Identifier: GPL-2.0-only
/*
 * The in-kernel irqchip (KVM_CREATE_IRQCHIP): its ioctls and their errors,
 * the local APIC through its xAPIC page and its x2APIC MSRs (self IPIs,
 * EOI, TPR, the timer one-shot, periodic and TSC-deadline, HLT sleeping
 * in the kernel until an interrupt), the IOAPIC (edge and level pins with
 * KVM_IRQ_LINE_STATUS, remote IRR and EOI), MSIs (KVM_SIGNAL_MSI, MSI
 * routes), ExtINT from the PIC through LINT0, a fixed IPI that wakes
 * another vCPU halted in the kernel, an NMI IPI, lowest-priority delivery,
 * INIT/SIPI bring-up of a second vCPU (and the same through
 * KVM_SET_MP_STATE), KVM_SET_BOOT_CPU_ID, the TPR mirrored in a guest word
 * (KVM_SET_VAPIC_ADDR). The guests run in 32-bit protected
 * mode and report each interrupt they take on port 0xe4. Runs against
 * l1vmm and KVM (irqchip@kvm).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "kvm_vm.h"

#define MEM_SIZE	(1ul << 20)
#define IDT_GPA		0x6000
#define HANDLERS_GPA	0x8000
#define CODE_GPA	0x10000
#define AP_CODE_GPA	0x20000
#define REPORT_PORT	0xe4

/*
 * One stub per vector: report it on port 0xe4, then EOI. x... stubs EOI
 * through the x2APIC MSR, pic... stubs at the master PIC, the others at
 * the xAPIC page.
 */
#define XAPIC_STUB(v)	"h" #v ": push %eax\n\tmov $0x" #v ", %eax\n\tjmp xapic_eoi\n\t"
#define X2APIC_STUB(v)	"h" #v ": push %eax\n\tmov $0x" #v ", %eax\n\tjmp x2apic_eoi\n\t"

GUEST_CODE(handlers, ".code32",
	XAPIC_STUB(40) XAPIC_STUB(41) XAPIC_STUB(42) XAPIC_STUB(44) XAPIC_STUB(46)
	XAPIC_STUB(47) XAPIC_STUB(50) XAPIC_STUB(51) XAPIC_STUB(4a) XAPIC_STUB(4b) XAPIC_STUB(4c)
	XAPIC_STUB(53) XAPIC_STUB(54)
	X2APIC_STUB(45) X2APIC_STUB(48) X2APIC_STUB(49)
	"h02: push %eax\n\t"
	"incl 0x7000\n\t"
	"mov $0x02, %eax\n\t"
	"out %eax, $0xe4\n\t"
	"pop %eax\n\t"
	"iret\n\t"
	"h63: push %eax\n\t"
	"mov $0x63, %eax\n\t"
	"out %eax, $0xe4\n\t"
	"mov $0x20, %al\n\t"
	"out %al, $0x20\n\t"
	"pop %eax\n\t"
	"iret\n\t"
	"xapic_eoi: push %ebx\n\t"
	"incl 0x7000\n\t"
	"out %eax, $0xe4\n\t"
	"mov $0xfee000b0, %ebx\n\t"
	"mov %eax, (%ebx)\n\t"
	"pop %ebx\n\t"
	"pop %eax\n\t"
	"iret\n\t"
	"x2apic_eoi: push %ecx\n\t"
	"incl 0x7000\n\t"
	"push %edx\n\t"
	"out %eax, $0xe4\n\t"
	"mov $0x80b, %ecx\n\t"
	"xor %eax, %eax\n\t"
	"xor %edx, %edx\n\t"
	"wrmsr\n\t"
	"pop %edx\n\t"
	"pop %ecx\n\t"
	"pop %eax\n\t"
	"iret\n\t");
GUEST_LABEL(h40); GUEST_LABEL(h41); GUEST_LABEL(h42); GUEST_LABEL(h44);
GUEST_LABEL(h45); GUEST_LABEL(h46); GUEST_LABEL(h47); GUEST_LABEL(h48);
GUEST_LABEL(h49); GUEST_LABEL(h4a); GUEST_LABEL(h50); GUEST_LABEL(h51);
GUEST_LABEL(h53); GUEST_LABEL(h54);
GUEST_LABEL(h63); GUEST_LABEL(h02); GUEST_LABEL(h4b); GUEST_LABEL(h4c);

/* Enable the xAPIC with LVT0 masked (the PIC stays out), IF on. */
#define XAPIC_ON							\
	"mov $0xfee00000, %ebx\n\t"					\
	"mov $0x10000, %eax\n\t"					\
	"mov %eax, 0x350(%ebx)\n\t"					\
	"mov $0x1ff, %eax\n\t"						\
	"mov %eax, 0xf0(%ebx)\n\t"					\
	"sti\n\t"

/*
 * Sleep until the handlers have counted @n interrupts: STI;HLT lets no
 * interrupt in between the test and the sleep.
 */
#define WAIT_COUNT(n)							\
	"1: cli\n\t"							\
	"cmpl $" #n ", 0x7000\n\t"					\
	"jae 2f\n\t"							\
	"sti\n\t"							\
	"hlt\n\t"							\
	"jmp 1b\n\t"							\
	"2: sti\n\t"

/* xAPIC register write: offset, value. */
#define XAPIC_W(off, val)						\
	"mov $" #val ", %eax\n\t"					\
	"mov %eax, " #off "(%ebx)\n\t"

GUEST_CODE(xapic_guest, ".code32",
	XAPIC_ON
	"mov 0x30(%ebx), %eax\n\t"
	"out %eax, $0xe8\n\t"
	/* A self IPI: taken right after the ICR write. */
	XAPIC_W(0x300, 0x40040)
	"nop\n\t"
	"out %eax, $0xe0\n\t"
	/* One-shot timer, 1 ms at 1 GHz, divide by 1: HLT sleeps until it fires. */
	XAPIC_W(0x320, 0x41)
	XAPIC_W(0x3e0, 0xb)
	XAPIC_W(0x380, 1000000)
	WAIT_COUNT(2)
	"out %eax, $0xe1\n\t"
	/*
	 * Periodic, 5 ms: three ticks at least, then masked and stopped. A
	 * tick costs an exit to user space and an emulated EOI: with 0.5 ms,
	 * under Bochs (50 MIPS) with the L1D flush on VMX, each IRET met the
	 * next tick and the guest never got back to its loop.
	 */
	XAPIC_W(0x320, 0x20042)
	XAPIC_W(0x380, 5000000)
	WAIT_COUNT(5)
	XAPIC_W(0x320, 0x10000)
	XAPIC_W(0x380, 0)
	"out %eax, $0xe2\n\t"
	/* TPR 0x50 holds vector 0x44 back; TPR 0 lets it in. */
	XAPIC_W(0x80, 0x50)
	XAPIC_W(0x300, 0x40044)
	"mov 0x220(%ebx), %eax\n\t"
	"out %eax, $0xe3\n\t"
	XAPIC_W(0x80, 0)
	"nop\n\t"
	"out %eax, $0xe5\n\t");

GUEST_CODE(ioapic_guest, ".code32",
	XAPIC_ON
	"mov $0xfec00000, %esi\n\t"
	/* Pin 5: vector 0x50, edge. Pin 6: vector 0x51, level. */
	"mov $0x1a, %eax\n\t"
	"mov %eax, (%esi)\n\t"
	"mov $0x50, %eax\n\t"
	"mov %eax, 0x10(%esi)\n\t"
	"mov $0x1c, %eax\n\t"
	"mov %eax, (%esi)\n\t"
	"mov $0x8051, %eax\n\t"
	"mov %eax, 0x10(%esi)\n\t"
	"mov $0x01, %eax\n\t"
	"mov %eax, (%esi)\n\t"
	"mov 0x10(%esi), %eax\n\t"
	"out %eax, $0xe8\n\t"
	"out %eax, $0xe0\n\t"
	"out %eax, $0xe1\n\t"
	"out %eax, $0xe2\n\t"
	"out %eax, $0xe3\n\t"
	/* The PIC: vectors 0x60-0x67, only IRQ3 unmasked; LVT0 ExtINT. */
	"mov $0x11, %al\n\t"
	"out %al, $0x20\n\t"
	"mov $0x60, %al\n\t"
	"out %al, $0x21\n\t"
	"mov $0x04, %al\n\t"
	"out %al, $0x21\n\t"
	"mov $0x01, %al\n\t"
	"out %al, $0x21\n\t"
	"mov $0xf7, %al\n\t"
	"out %al, $0x21\n\t"
	XAPIC_W(0x350, 0x700)
	"out %eax, $0xe5\n\t"
	"out %eax, $0xe6\n\t"
	"out %eax, $0xe7\n\t");

GUEST_CODE(x2apic_guest, ".code32",
	"mov $0x1b, %ecx\n\t"
	"rdmsr\n\t"
	"or $0xc00, %eax\n\t"
	"wrmsr\n\t"
	"mov $0x802, %ecx\n\t"
	"rdmsr\n\t"
	"out %eax, $0xe8\n\t"
	"xor %edx, %edx\n\t"
	"mov $0x80f, %ecx\n\t"
	"mov $0x1ff, %eax\n\t"
	"wrmsr\n\t"
	"mov $0x835, %ecx\n\t"
	"mov $0x10000, %eax\n\t"
	"wrmsr\n\t"
	"sti\n\t"
	/* SELF_IPI 0x45. */
	"mov $0x83f, %ecx\n\t"
	"mov $0x45, %eax\n\t"
	"wrmsr\n\t"
	"nop\n\t"
	"out %eax, $0xe0\n\t"
	/* TSC deadline 2M cycles ahead, vector 0x48. */
	"mov $0x832, %ecx\n\t"
	"mov $0x40048, %eax\n\t"
	"xor %edx, %edx\n\t"
	"wrmsr\n\t"
	"rdtsc\n\t"
	"add $2000000, %eax\n\t"
	"adc $0, %edx\n\t"
	"mov $0x6e0, %ecx\n\t"
	"wrmsr\n\t"
	WAIT_COUNT(2)
	"out %eax, $0xe1\n\t"
	/* A fixed IPI to x2APIC ID 0 through the 64-bit ICR. */
	"mov $0x830, %ecx\n\t"
	"mov $0x49, %eax\n\t"
	"xor %edx, %edx\n\t"
	"wrmsr\n\t"
	"nop\n\t"
	"out %eax, $0xe2\n\t");

/* vCPU 0 sends vector 0x4a to APIC ID 1 when the host says so. */
GUEST_CODE(bsp_guest, ".code32",
	XAPIC_ON
	"out %eax, $0xe0\n\t"
	XAPIC_W(0x310, 0x01000000)
	XAPIC_W(0x300, 0x4a)
	"out %eax, $0xe1\n\t");

/* IOAPIC pin 9: vector 0x53, edge; pin 10: vector 0x54, level. */
GUEST_CODE(irqfd_guest, ".code32",
	XAPIC_ON
	"mov $0xfec00000, %esi\n\t"
	"mov $0x22, %eax\n\t"
	"mov %eax, (%esi)\n\t"
	"mov $0x53, %eax\n\t"
	"mov %eax, 0x10(%esi)\n\t"
	"mov $0x24, %eax\n\t"
	"mov %eax, (%esi)\n\t"
	"mov $0x8054, %eax\n\t"
	"mov %eax, 0x10(%esi)\n\t"
	"out %eax, $0xe0\n\t"
	WAIT_COUNT(1)
	"out %eax, $0xe1\n\t"
	WAIT_COUNT(2)
	"out %eax, $0xe2\n\t");

/* vCPU 1 waits in HLT for it. */
GUEST_CODE(ap_guest, ".code32",
	XAPIC_ON
	"mov 0x20(%ebx), %eax\n\t"
	"out %eax, $0xe0\n\t"
	WAIT_COUNT(1)
	"out %eax, $0xe1\n\t");

/*
 * vCPU 0 sends an NMI to APIC ID 1, then lowest-priority vectors 0x4b and
 * 0x4c to logical destination 3 (both vCPUs, flat model): KVM's vector
 * hashing gives 0x4b to the second candidate, 0x4c to the first.
 */
GUEST_CODE(bsp_mp_guest, ".code32",
	XAPIC_ON
	XAPIC_W(0xd0, 0x01000000)
	"out %eax, $0xe0\n\t"
	XAPIC_W(0x310, 0x01000000)
	XAPIC_W(0x300, 0x400)
	"out %eax, $0xe1\n\t"
	XAPIC_W(0x310, 0x03000000)
	XAPIC_W(0x300, 0x94b)
	"out %eax, $0xe2\n\t"
	XAPIC_W(0x300, 0x94c)
	"nop\n\t"
	"out %eax, $0xe3\n\t");

GUEST_CODE(ap_mp_guest, ".code32",
	XAPIC_ON
	XAPIC_W(0xd0, 0x02000000)
	"out %eax, $0xe0\n\t"
	WAIT_COUNT(1)
	"out %eax, $0xe1\n\t"
	WAIT_COUNT(2)
	"out %eax, $0xe2\n\t");

/* vCPU 0 starts vCPU 1 with INIT and a SIPI of vector 0x30. */
GUEST_CODE(bsp_init_sipi_guest, ".code32",
	XAPIC_ON
	XAPIC_W(0x310, 0x01000000)
	XAPIC_W(0x300, 0x4500)
	XAPIC_W(0x300, 0x4630)
	"out %eax, $0xe1\n\t");

/* The AP's real-mode start at 0x30000 (CS 0x3000, IP 0). */
GUEST_CODE(sipi_target, ".code16",
	"mov %cs, %ax\n\t"
	"out %ax, $0xe9\n\t"
	"1: hlt\n\t"
	"jmp 1b\n\t");

static void set_gate(unsigned char *mem, unsigned int vec, const unsigned char *stub)
{
	uint32_t off = HANDLERS_GPA + (uint32_t)(stub - handlers);
	uint32_t *gate = (uint32_t *)(mem + IDT_GPA + 8 * vec);

	gate[0] = (0x08 << 16) | (off & 0xffff);
	gate[1] = (off & 0xffff0000) | 0x8e00;	/* present, 32-bit interrupt gate */
}

static void setup_idt(struct test_vcpu *vcpu)
{
	struct kvm_sregs sregs;

	ASSERT_IOCTL_OK(vcpu->fd, KVM_GET_SREGS, &sregs);
	sregs.idt.base = IDT_GPA;
	sregs.idt.limit = 256 * 8 - 1;
	ASSERT_IOCTL_OK(vcpu->fd, KVM_SET_SREGS, &sregs);
}

/* A protected-mode guest on a VM with the in-kernel irqchip. */
static void start_guest(struct test_guest *g, const void *code, size_t len)
{
	vm_create_irqchip = true;
	guest_start_protected_mode(g, MEM_SIZE, CODE_GPA, code, len);
	vm_create_irqchip = false;
	memcpy(g->mem + HANDLERS_GPA, handlers, GUEST_CODE_SIZE(handlers));
	set_gate(g->mem, 0x40, h40);
	set_gate(g->mem, 0x41, h41);
	set_gate(g->mem, 0x42, h42);
	set_gate(g->mem, 0x44, h44);
	set_gate(g->mem, 0x45, h45);
	set_gate(g->mem, 0x46, h46);
	set_gate(g->mem, 0x47, h47);
	set_gate(g->mem, 0x48, h48);
	set_gate(g->mem, 0x49, h49);
	set_gate(g->mem, 0x4a, h4a);
	set_gate(g->mem, 0x50, h50);
	set_gate(g->mem, 0x51, h51);
	set_gate(g->mem, 0x63, h63);
	set_gate(g->mem, 0x02, h02);
	set_gate(g->mem, 0x53, h53);
	set_gate(g->mem, 0x54, h54);
	set_gate(g->mem, 0x4b, h4b);
	set_gate(g->mem, 0x4c, h4c);
	setup_idt(&g->vcpu);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * KVM_RUN with a watchdog: a guest that sleeps for good fails the case
 * with where it stopped and its APIC's state, instead of hanging it.
 */
static void run_watched(const char *file, int line, struct test_vcpu *vcpu)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct kvm_lapic_state l;
	struct kvm_regs regs;
	uint32_t *r = (uint32_t *)l.regs;
	int ret;

	sigaction(SIGALRM, &sa, NULL);
	alarm(10);
	ret = ioctl(vcpu->fd, KVM_RUN, 0);
	alarm(0);
	if (!ret)
		return;
	ioctl(vcpu->fd, KVM_GET_REGS, &regs);
	ioctl(vcpu->fd, KVM_GET_LAPIC, &l);
	ktap_fail(file, line, "KVM_RUN: %s; RIP %llx RFLAGS %llx ISR[32..63] %x IRR[64..95] %x LVTT %x TMICT %x TPR %x PPR %x",
		  ktap_errno_name(errno), regs.rip, regs.rflags, r[0x110 / 4], r[0x220 / 4],
		  r[0x320 / 4], r[0x380 / 4], r[0x80 / 4], r[0xa0 / 4]);
}

static uint32_t run_out32(const char *file, int line, struct test_vcpu *vcpu, int port)
{
	run_watched(file, line, vcpu);
	__assert_io_exit(file, line, vcpu, KVM_EXIT_IO_OUT, port, 4);
	return *(uint32_t *)vcpu_io_data(vcpu);
}

/* KVM_RUN to a 2-byte OUT to port 0xe9 (the SIPI target's); returns its value. */
static uint16_t vcpu_run_out32_16(struct test_vcpu *vcpu)
{
	uint16_t v;

	run_watched(__FILE__, __LINE__, vcpu);
	ASSERT_IO_EXIT(vcpu, KVM_EXIT_IO_OUT, 0xe9, 2);
	memcpy(&v, vcpu_io_data(vcpu), 2);
	return v;
}

/* The guest's next report: an interrupt it took (@vector), or a step marker. */
#define ASSERT_TOOK(vcpu, vector)	ASSERT_EQ(vector, run_out32(__FILE__, __LINE__, vcpu, REPORT_PORT))
#define ASSERT_STEP(vcpu, port)		run_out32(__FILE__, __LINE__, vcpu, port)

static void test_create_irqchip(void)
{
	struct kvm_lapic_state lapic;
	struct kvm_irqchip chip;
	struct kvm_interrupt irq = { .irq = 0x20 };
	struct kvm_irq_level line = { .irq = 1 };
	struct kvm_mp_state mp;
	struct kvm_sregs sregs;
	struct test_vcpu ap;
	struct test_vm vm;
	uint32_t *regs = (uint32_t *)lapic.regs;

	vm_create(&vm);
	ASSERT_EQ(1, dev_ioctl(vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP));
	ASSERT_EQ(1, dev_ioctl(vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQ_INJECT_STATUS));
	/* Before the irqchip: KVM's answers without one. */
	chip.chip_id = KVM_IRQCHIP_IOAPIC;
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_GET_IRQCHIP, &chip, ENXIO);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_SET_IRQCHIP, &chip, ENXIO);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_IRQ_LINE, &line, ENXIO);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_IRQ_LINE_STATUS, &line, ENXIO);
	ASSERT_IOCTL_OK(vm.fd, KVM_CREATE_IRQCHIP, 0);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_CREATE_IRQCHIP, 0, EEXIST);
	ASSERT_IOCTL_OK(vm.fd, KVM_GET_IRQCHIP, &chip);
	ASSERT_EQ(0xfec00000, chip.chip.ioapic.base_address);
	ASSERT_EQ(1ull << 16, chip.chip.ioapic.redirtbl[0].bits);	/* masked */
	ASSERT_IOCTL_OK(vm.fd, KVM_SET_IRQCHIP, &chip);
	chip.chip_id = KVM_IRQCHIP_PIC_SLAVE;
	ASSERT_IOCTL_OK(vm.fd, KVM_GET_IRQCHIP, &chip);
	ASSERT_EQ(0xde, chip.chip.pic.elcr_mask);
	ASSERT_IOCTL_OK(vm.fd, KVM_SET_IRQCHIP, &chip);
	chip.chip_id = 3;
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_GET_IRQCHIP, &chip, EINVAL);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_SET_IRQCHIP, &chip, EINVAL);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_GET_IRQCHIP, NULL, EFAULT);

	/* vCPU 0 is the BSP and runs; vCPU 1 waits for INIT and SIPI. */
	vcpu_create(&vm, 0, &ap);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_CREATE_IRQCHIP, 0, EEXIST);
	ASSERT_IOCTL_OK(ap.fd, KVM_GET_MP_STATE, &mp);
	ASSERT_EQ(KVM_MP_STATE_RUNNABLE, mp.mp_state);
	ASSERT_IOCTL_ERRNO(ap.fd, KVM_INTERRUPT, &irq, ENXIO);
	ASSERT_IOCTL_OK(ap.fd, KVM_GET_LAPIC, &lapic);
	ASSERT_EQ(0, regs[0x20 / 4]);			/* ID */
	ASSERT_EQ(0x14, regs[0x30 / 4] & 0xff);		/* version */
	ASSERT_EQ(0x700, regs[0x350 / 4]);		/* LVT0: ExtINT on the BSP */
	ASSERT_EQ(0xff, regs[0xf0 / 4]);		/* SVR: software-disabled */
	ASSERT_IOCTL_OK(ap.fd, KVM_GET_SREGS, &sregs);
	ASSERT_EQ(0xfee00900, sregs.apic_base);
	regs[0x80 / 4] = 0x30;				/* TPR: CR8 reads 3 */
	ASSERT_IOCTL_OK(ap.fd, KVM_SET_LAPIC, &lapic);
	ASSERT_IOCTL_OK(ap.fd, KVM_GET_SREGS, &sregs);
	ASSERT_EQ(3, sregs.cr8);
	mp.mp_state = KVM_MP_STATE_HALTED;
	ASSERT_IOCTL_OK(ap.fd, KVM_SET_MP_STATE, &mp);
	ASSERT_IOCTL_OK(ap.fd, KVM_GET_MP_STATE, &mp);
	ASSERT_EQ(KVM_MP_STATE_HALTED, mp.mp_state);
	mp.mp_state = 99;
	ASSERT_IOCTL_ERRNO(ap.fd, KVM_SET_MP_STATE, &mp, EINVAL);
	vcpu_close(&ap);

	vcpu_create(&vm, 1, &ap);
	ASSERT_IOCTL_OK(ap.fd, KVM_GET_MP_STATE, &mp);
	ASSERT_EQ(KVM_MP_STATE_UNINITIALIZED, mp.mp_state);
	ASSERT_IOCTL_OK(ap.fd, KVM_GET_LAPIC, &lapic);
	ASSERT_EQ(1u << 24, regs[0x20 / 4]);
	ASSERT_EQ(0x10000, regs[0x350 / 4]);		/* LVT0 masked on an AP */
	ASSERT_IOCTL_OK(ap.fd, KVM_GET_SREGS, &sregs);
	ASSERT_EQ(0xfee00800, sregs.apic_base);
	vcpu_close(&ap);
	vm_close(&vm);

	/* Once a vCPU exists, no irqchip; without it, no local APIC. */
	vm_create(&vm);
	vcpu_create(&vm, 0, &ap);
	ASSERT_IOCTL_ERRNO(ap.fd, KVM_GET_LAPIC, &lapic, EINVAL);
	ASSERT_IOCTL_ERRNO(ap.fd, KVM_SET_LAPIC, &lapic, EINVAL);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_CREATE_IRQCHIP, 0, EINVAL);
	vcpu_close(&ap);
	vm_close(&vm);
}

/*
 * A CPUID with x2APIC and TSC deadline. KVM needs one before LVTT keeps
 * its mode bits: until KVM_SET_CPUID2 there is no periodic timer.
 */
static void set_x2apic_cpuid(struct test_guest *g)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 entries[256];
	} c = { .hdr.nent = 256 };
	unsigned int i;

	ASSERT_IOCTL_OK(g->vm.sys_fd, KVM_GET_SUPPORTED_CPUID, &c);
	for (i = 0; i < c.hdr.nent; i++)
		if (c.entries[i].function == 1)
			c.entries[i].ecx |= (1u << 21) | (1u << 24);	/* x2APIC, TSC deadline */
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_SET_CPUID2, &c);
}

static void test_xapic(void)
{
	struct test_guest g;
	struct kvm_run *run;
	unsigned int ticks;

	start_guest(&g, xapic_guest, GUEST_CODE_SIZE(xapic_guest));
	set_x2apic_cpuid(&g);
	run = g.vcpu.run;
	ASSERT_EQ(0x50014, vcpu_run_out32(&g.vcpu, 0xe8));	/* LVR: 6 LVTs, version 0x14 */
	ASSERT_TOOK(&g.vcpu, 0x40);
	ASSERT_STEP(&g.vcpu, 0xe0);
	ASSERT_TOOK(&g.vcpu, 0x41);
	ASSERT_STEP(&g.vcpu, 0xe1);
	/* A fourth tick may come before the guest stops the timer. */
	for (ticks = 0; ; ticks++) {
		run_watched(__FILE__, __LINE__, &g.vcpu);
		if (run->io.port != REPORT_PORT)
			break;
		ASSERT_EQ(0x42, *(uint32_t *)vcpu_io_data(&g.vcpu));
	}
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0xe2, 4);
	TEST_ASSERT(ticks >= 3, "wanted 3 periodic ticks at least, got %u", ticks);
	/* 0x44 waits in the IRR while the TPR holds it back. */
	ASSERT_EQ(1u << 4, vcpu_run_out32(&g.vcpu, 0xe3));
	ASSERT_TOOK(&g.vcpu, 0x44);
	ASSERT_STEP(&g.vcpu, 0xe5);
	guest_stop(&g);
}

#define VAPIC_GPA	0x7100

/* The TPR set through the vAPIC word; an interrupt it holds back shows there. */
GUEST_CODE(vapic_guest, ".code32",
	XAPIC_ON
	"movb $0x50, 0x7100\n\t"
	"out %eax, $0xe0\n\t"
	"mov 0x7100, %eax\n\t"
	"out %eax, $0xe1\n\t"
	"movb $0, 0x7100\n\t"
	"out %eax, $0xe2\n\t"
	"out %eax, $0xe3\n\t");

static void test_vapic(void)
{
	struct kvm_msi msi = { .address_lo = 0xfee00000, .data = 0x44 };
	struct kvm_vapic_addr va = { .vapic_addr = VAPIC_GPA };
	struct kvm_lapic_state lapic;
	uint32_t *regs = (uint32_t *)lapic.regs;
	struct test_guest g;
	struct test_vcpu v;
	struct test_vm vm;

	/* Without the in-kernel APIC: -EINVAL before the argument is read. */
	vm_create(&vm);
	ASSERT_EQ(1, dev_ioctl(vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_VAPIC));
	vcpu_create(&vm, 0, &v);
	ASSERT_IOCTL_ERRNO(v.fd, KVM_SET_VAPIC_ADDR, NULL, EINVAL);
	ASSERT_IOCTL_ERRNO(v.fd, KVM_SET_VAPIC_ADDR, &va, EINVAL);
	vcpu_close(&v);
	vm_close(&vm);

	start_guest(&g, vapic_guest, GUEST_CODE_SIZE(vapic_guest));
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_VAPIC_ADDR, NULL, EFAULT);
	va.vapic_addr = 0x80000000;			/* no slot */
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_VAPIC_ADDR, &va, EINVAL);
	va.vapic_addr = MEM_SIZE - 2;			/* runs past the slot */
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_VAPIC_ADDR, &va, EINVAL);
	va.vapic_addr = 0;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_VAPIC_ADDR, &va);
	va.vapic_addr = VAPIC_GPA;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_VAPIC_ADDR, &va);

	/* The guest's byte is the TPR after the exit. */
	ASSERT_STEP(&g.vcpu, 0xe0);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_LAPIC, &lapic);
	ASSERT_EQ(0x50, regs[0x80 / 4]);
	/* Vector 0x44 waits below it: bits 31:24 of the word say so. */
	ASSERT_EQ(1, ioctl(g.vm.fd, KVM_SIGNAL_MSI, &msi));
	ASSERT_EQ(0x44000050, ASSERT_STEP(&g.vcpu, 0xe1));
	/* TPR 0 through the word lets it in. */
	ASSERT_STEP(&g.vcpu, 0xe2);
	ASSERT_TOOK(&g.vcpu, 0x44);
	ASSERT_STEP(&g.vcpu, 0xe3);
	guest_stop(&g);
}

static int irq_line(struct test_vm *vm, uint32_t gsi, uint32_t level)
{
	struct kvm_irq_level line = { .irq = gsi, .level = level };

	ASSERT_IOCTL_OK(vm->fd, KVM_IRQ_LINE_STATUS, &line);
	return line.status;
}

static void test_ioapic_pic_msi(void)
{
	struct {
		struct kvm_irq_routing hdr;
		struct kvm_irq_routing_entry e[2];
	} rt = { 0 };
	struct kvm_msi msi = { .address_lo = 0xfee00000, .data = 0x46 };
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_IOAPIC };
	struct test_guest g;

	start_guest(&g, ioapic_guest, GUEST_CODE_SIZE(ioapic_guest));
	ASSERT_EQ(0x170011, vcpu_run_out32(&g.vcpu, 0xe8));	/* 24 pins, version 0x11 */
	ASSERT_STEP(&g.vcpu, 0xe0);
	/* GSI 16 goes to a masked IOAPIC pin only. */
	ASSERT_EQ(-1, irq_line(&g.vm, 16, 1));
	ASSERT_EQ(1, irq_line(&g.vm, 16, 0));
	/* Edge pin 5 (and the PIC's IRQ5, unmasked before its ICWs). */
	ASSERT_EQ(2, irq_line(&g.vm, 5, 1));
	ASSERT_EQ(2, irq_line(&g.vm, 5, 0));
	ASSERT_TOOK(&g.vcpu, 0x50);
	ASSERT_STEP(&g.vcpu, 0xe1);
	/* Level pin 6: remote IRR until the EOI; the line drops before it. */
	ASSERT_EQ(2, irq_line(&g.vm, 6, 1));
	ASSERT_TOOK(&g.vcpu, 0x51);
	ASSERT_IOCTL_OK(g.vm.fd, KVM_GET_IRQCHIP, &chip);
	ASSERT_EQ(1ull << 14, chip.chip.ioapic.redirtbl[6].bits & (1ull << 14));
	ASSERT_EQ(1 << 6, chip.chip.ioapic.irr & (1 << 6));
	ASSERT_EQ(1, irq_line(&g.vm, 6, 1));		/* the IOAPIC's -1: awaiting EOI */
	ASSERT_EQ(2, irq_line(&g.vm, 6, 0));
	ASSERT_STEP(&g.vcpu, 0xe2);
	ASSERT_IOCTL_OK(g.vm.fd, KVM_GET_IRQCHIP, &chip);
	ASSERT_EQ(0, chip.chip.ioapic.redirtbl[6].bits & (1ull << 14));
	/* An MSI to APIC ID 0. */
	ASSERT_EQ(1, ioctl(g.vm.fd, KVM_SIGNAL_MSI, &msi));
	ASSERT_TOOK(&g.vcpu, 0x46);
	/* To APIC ID 9, which no vCPU has: 0, as KVM answers from its APIC map. */
	msi.address_lo = 0xfee09000;
	ASSERT_EQ(0, ioctl(g.vm.fd, KVM_SIGNAL_MSI, &msi));
	ASSERT_STEP(&g.vcpu, 0xe3);
	/* ExtINT: IRQ3 through the PIC and LINT0. */
	ASSERT_STEP(&g.vcpu, 0xe5);
	irq_line(&g.vm, 3, 1);
	irq_line(&g.vm, 3, 0);
	ASSERT_TOOK(&g.vcpu, 0x63);
	ASSERT_STEP(&g.vcpu, 0xe6);

	/* A route of GSI 30 to an MSI, and KVM's checks of routes. */
	rt.hdr.nr = 1;
	rt.e[0].gsi = 30;
	rt.e[0].type = KVM_IRQ_ROUTING_MSI;
	rt.e[0].u.msi.address_lo = 0xfee00000;
	rt.e[0].u.msi.data = 0x47;
	ASSERT_IOCTL_OK(g.vm.fd, KVM_SET_GSI_ROUTING, &rt);
	ASSERT_EQ(-1, irq_line(&g.vm, 30, 0));
	ASSERT_EQ(1, irq_line(&g.vm, 30, 1));
	ASSERT_TOOK(&g.vcpu, 0x47);
	ASSERT_STEP(&g.vcpu, 0xe7);
	ASSERT_EQ(-1, irq_line(&g.vm, 5, 1));		/* no route any more */
	rt.hdr.nr = 2;
	rt.e[1] = rt.e[0];
	ASSERT_IOCTL_ERRNO(g.vm.fd, KVM_SET_GSI_ROUTING, &rt, EINVAL);
	rt.e[0].type = rt.e[1].type = KVM_IRQ_ROUTING_IRQCHIP;
	rt.e[0].u.irqchip.irqchip = KVM_IRQCHIP_PIC_MASTER;
	rt.e[0].u.irqchip.pin = 1;
	rt.e[1].u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
	rt.e[1].u.irqchip.pin = 1;
	ASSERT_IOCTL_OK(g.vm.fd, KVM_SET_GSI_ROUTING, &rt);
	rt.e[1].u.irqchip.irqchip = KVM_IRQCHIP_PIC_MASTER;
	ASSERT_IOCTL_ERRNO(g.vm.fd, KVM_SET_GSI_ROUTING, &rt, EINVAL);
	rt.hdr.nr = 1;
	rt.e[0].u.irqchip.pin = 8;
	ASSERT_IOCTL_ERRNO(g.vm.fd, KVM_SET_GSI_ROUTING, &rt, EINVAL);
	rt.e[0].u.irqchip.irqchip = 3;
	rt.e[0].u.irqchip.pin = 0;
	ASSERT_IOCTL_ERRNO(g.vm.fd, KVM_SET_GSI_ROUTING, &rt, EINVAL);
	rt.e[0].u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
	rt.e[0].gsi = 4096;
	ASSERT_IOCTL_ERRNO(g.vm.fd, KVM_SET_GSI_ROUTING, &rt, EINVAL);
	rt.e[0].gsi = 0;
	rt.hdr.flags = 1;
	ASSERT_IOCTL_ERRNO(g.vm.fd, KVM_SET_GSI_ROUTING, &rt, EINVAL);
	rt.hdr.flags = 0;
	rt.hdr.nr = 4097;
	ASSERT_IOCTL_ERRNO(g.vm.fd, KVM_SET_GSI_ROUTING, &rt, EINVAL);
	msi.flags = 2;
	ASSERT_IOCTL_ERRNO(g.vm.fd, KVM_SIGNAL_MSI, &msi, EINVAL);
	guest_stop(&g);
}

static void test_x2apic_tsc_deadline(void)
{
	struct test_guest g;
	struct kvm_sregs sregs;

	start_guest(&g, x2apic_guest, GUEST_CODE_SIZE(x2apic_guest));
	set_x2apic_cpuid(&g);
	ASSERT_EQ(0, vcpu_run_out32(&g.vcpu, 0xe8));	/* the x2APIC ID */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
	ASSERT_EQ(0xfee00d00, sregs.apic_base);
	ASSERT_TOOK(&g.vcpu, 0x45);
	ASSERT_STEP(&g.vcpu, 0xe0);
	ASSERT_TOOK(&g.vcpu, 0x48);
	ASSERT_STEP(&g.vcpu, 0xe1);
	ASSERT_TOOK(&g.vcpu, 0x49);
	ASSERT_STEP(&g.vcpu, 0xe2);
	guest_stop(&g);
}

struct ap_run {
	struct test_vcpu *vcpu;
	uint32_t took;
	uint32_t after;
};

static void *ap_thread(void *arg)
{
	struct ap_run *a = arg;

	a->took = vcpu_run_out32(a->vcpu, REPORT_PORT);
	a->after = vcpu_run_out32(a->vcpu, 0xe1);
	return NULL;
}

static void test_ipi_wakes_halted_vcpu(void)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct test_guest g;
	struct test_vcpu ap;
	struct ap_run a = { .vcpu = &ap };
	pthread_t t;

	start_guest(&g, bsp_guest, GUEST_CODE_SIZE(bsp_guest));
	memcpy(g.mem + AP_CODE_GPA, ap_guest, GUEST_CODE_SIZE(ap_guest));
	vcpu_create(&g.vm, 1, &ap);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
	sregs.apic_base = 0xfee00800;		/* not the BSP */
	ASSERT_IOCTL_OK(ap.fd, KVM_SET_SREGS, &sregs);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	regs.rip = AP_CODE_GPA;
	regs.rsp = MEM_SIZE - 0x1000;
	ASSERT_IOCTL_OK(ap.fd, KVM_SET_REGS, &regs);
	ASSERT_IOCTL_OK(ap.fd, KVM_SET_MP_STATE, &mp);

	ASSERT_EQ(1u << 24, vcpu_run_out32(&ap, 0xe0));	/* its APIC ID */
	/* vCPU 1 sleeps in HLT inside KVM_RUN until vCPU 0's IPI. */
	TEST_ASSERT(!pthread_create(&t, NULL, ap_thread, &a), "pthread_create");
	ASSERT_STEP(&g.vcpu, 0xe0);
	usleep(20000);
	ASSERT_STEP(&g.vcpu, 0xe1);
	pthread_join(t, NULL);
	ASSERT_EQ(0x4a, a.took);
	ASSERT_IOCTL_OK(ap.fd, KVM_GET_MP_STATE, &mp);
	ASSERT_EQ(KVM_MP_STATE_RUNNABLE, mp.mp_state);
	vcpu_close(&ap);
	guest_stop(&g);
}

/* A second vCPU in protected mode beside g's, runnable. */
static void add_ap(struct test_guest *g, struct test_vcpu *ap, const void *code, size_t len)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	memcpy(g->mem + AP_CODE_GPA, code, len);
	vcpu_create(&g->vm, 1, ap);
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_GET_SREGS, &sregs);
	sregs.apic_base = 0xfee00800;
	ASSERT_IOCTL_OK(ap->fd, KVM_SET_SREGS, &sregs);
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_GET_REGS, &regs);
	regs.rip = AP_CODE_GPA;
	regs.rsp = MEM_SIZE - 0x1000;
	ASSERT_IOCTL_OK(ap->fd, KVM_SET_REGS, &regs);
	ASSERT_IOCTL_OK(ap->fd, KVM_SET_MP_STATE, &mp);
}

/* Runs a vCPU in a thread, recording the OUTs it makes, until @n of them. */
struct recorder {
	struct test_vcpu *vcpu;
	unsigned int n, got;
	uint16_t port[8];
	uint32_t data[8];
	int error;
};

static void *record_outs(void *arg)
{
	struct recorder *r = arg;

	while (r->got < r->n) {
		if (ioctl(r->vcpu->fd, KVM_RUN, 0)) {
			/* A vCPU waiting for INIT/SIPI returns when one came: run it again. */
			if (errno == EAGAIN)
				continue;
			r->error = errno;
			break;
		}
		if (r->vcpu->run->exit_reason != KVM_EXIT_IO) {
			r->error = -(int)r->vcpu->run->exit_reason;
			break;
		}
		r->port[r->got] = r->vcpu->run->io.port;
		r->data[r->got] = 0;
		memcpy(&r->data[r->got], vcpu_io_data(r->vcpu), r->vcpu->run->io.size);
		r->got++;
	}
	return NULL;
}

static void test_nmi_and_lowest_priority(void)
{
	struct recorder r = { .n = 4 };
	struct test_guest g;
	struct test_vcpu ap;
	pthread_t t;

	start_guest(&g, bsp_mp_guest, GUEST_CODE_SIZE(bsp_mp_guest));
	add_ap(&g, &ap, ap_mp_guest, GUEST_CODE_SIZE(ap_mp_guest));
	r.vcpu = &ap;
	ASSERT_STEP(&ap, 0xe0);
	TEST_ASSERT(!pthread_create(&t, NULL, record_outs, &r), "pthread_create");
	ASSERT_STEP(&g.vcpu, 0xe0);
	usleep(20000);
	ASSERT_STEP(&g.vcpu, 0xe1);
	usleep(20000);
	ASSERT_STEP(&g.vcpu, 0xe2);
	ASSERT_TOOK(&g.vcpu, 0x4c);
	ASSERT_STEP(&g.vcpu, 0xe3);
	pthread_join(t, NULL);
	ASSERT_EQ(0, r.error);
	ASSERT_EQ(4, r.got);
	ASSERT_EQ(REPORT_PORT, r.port[0]);
	ASSERT_EQ(0x02, r.data[0]);		/* the NMI woke it */
	ASSERT_EQ(0xe1, r.port[1]);
	ASSERT_EQ(REPORT_PORT, r.port[2]);
	ASSERT_EQ(0x4b, r.data[2]);
	ASSERT_EQ(0xe2, r.port[3]);
	vcpu_close(&ap);
	guest_stop(&g);
}

static void test_init_sipi(void)
{
	struct kvm_vcpu_events ev;
	struct recorder r = { .n = 1 };
	struct kvm_mp_state mp;
	struct kvm_sregs sregs;
	struct test_guest g;
	struct test_vcpu ap;
	pthread_t t;

	start_guest(&g, bsp_init_sipi_guest, GUEST_CODE_SIZE(bsp_init_sipi_guest));
	memcpy(g.mem + 0x30000, sipi_target, GUEST_CODE_SIZE(sipi_target));
	vcpu_create(&g.vm, 1, &ap);
	ASSERT_IOCTL_OK(ap.fd, KVM_GET_MP_STATE, &mp);
	ASSERT_EQ(KVM_MP_STATE_UNINITIALIZED, mp.mp_state);
	/* It sleeps in KVM_RUN until the SIPI. */
	r.vcpu = &ap;
	TEST_ASSERT(!pthread_create(&t, NULL, record_outs, &r), "pthread_create");
	usleep(20000);
	ASSERT_STEP(&g.vcpu, 0xe1);
	pthread_join(t, NULL);
	ASSERT_EQ(0, r.error);
	ASSERT_EQ(0xe9, r.port[0]);
	ASSERT_EQ(0x3000, r.data[0]);
	ASSERT_IOCTL_OK(ap.fd, KVM_GET_SREGS, &sregs);
	ASSERT_EQ(0x30000, sregs.cs.base);
	ASSERT_EQ(0xfee00800, sregs.apic_base);
	ASSERT_IOCTL_OK(ap.fd, KVM_GET_MP_STATE, &mp);
	ASSERT_EQ(KVM_MP_STATE_RUNNABLE, mp.mp_state);

	/* The same from user space: INIT_RECEIVED waits, SIPI_RECEIVED starts it. */
	mp.mp_state = KVM_MP_STATE_INIT_RECEIVED;
	ASSERT_IOCTL_OK(ap.fd, KVM_SET_MP_STATE, &mp);
	ASSERT_IOCTL_OK(ap.fd, KVM_GET_MP_STATE, &mp);
	ASSERT_EQ(KVM_MP_STATE_INIT_RECEIVED, mp.mp_state);
	ASSERT_IOCTL_OK(ap.fd, KVM_GET_VCPU_EVENTS, &ev);
	ev.flags = KVM_VCPUEVENT_VALID_SIPI_VECTOR;
	ev.sipi_vector = 0x30;
	ASSERT_IOCTL_OK(ap.fd, KVM_SET_VCPU_EVENTS, &ev);
	mp.mp_state = KVM_MP_STATE_SIPI_RECEIVED;
	ASSERT_IOCTL_OK(ap.fd, KVM_SET_MP_STATE, &mp);
	ASSERT_EQ(0x3000, vcpu_run_out32_16(&ap));
	ASSERT_IOCTL_OK(ap.fd, KVM_GET_MP_STATE, &mp);
	ASSERT_EQ(KVM_MP_STATE_RUNNABLE, mp.mp_state);
	vcpu_close(&ap);
	guest_stop(&g);
}

static void test_boot_cpu_id(void)
{
	struct kvm_mp_state mp;
	struct kvm_sregs sregs;
	struct test_vcpu v0, v1;
	struct test_vm vm;

	vm_create(&vm);
	ASSERT_EQ(1, dev_ioctl(vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_BOOT_CPU_ID));
	ASSERT_IOCTL_OK(vm.fd, KVM_CREATE_IRQCHIP, 0);
	ASSERT_IOCTL_OK(vm.fd, KVM_SET_BOOT_CPU_ID, 1);
	vcpu_create(&vm, 0, &v0);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_SET_BOOT_CPU_ID, 0, EBUSY);
	vcpu_create(&vm, 1, &v1);
	ASSERT_IOCTL_OK(v0.fd, KVM_GET_MP_STATE, &mp);
	ASSERT_EQ(KVM_MP_STATE_UNINITIALIZED, mp.mp_state);
	ASSERT_IOCTL_OK(v1.fd, KVM_GET_MP_STATE, &mp);
	ASSERT_EQ(KVM_MP_STATE_RUNNABLE, mp.mp_state);
	ASSERT_IOCTL_OK(v0.fd, KVM_GET_SREGS, &sregs);
	ASSERT_EQ(0xfee00800, sregs.apic_base);
	ASSERT_IOCTL_OK(v1.fd, KVM_GET_SREGS, &sregs);
	ASSERT_EQ(0xfee00900, sregs.apic_base);
	vcpu_close(&v1);
	vcpu_close(&v0);
	vm_close(&vm);
}

static void test_irqfd(void)
{
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_IOAPIC };
	struct kvm_irqfd fd = { .gsi = 9 };
	struct test_guest g;
	uint64_t one = 1, cnt = 0;
	int efd, rfd, efd2;

	start_guest(&g, irqfd_guest, GUEST_CODE_SIZE(irqfd_guest));
	efd = eventfd(0, 0);
	efd2 = eventfd(0, 0);
	rfd = eventfd(0, EFD_NONBLOCK);
	TEST_ASSERT(efd >= 0 && efd2 >= 0 && rfd >= 0, "eventfd");
	ASSERT_STEP(&g.vcpu, 0xe0);

	/* An edge GSI: each signal is one interrupt, the vCPU woken from HLT. */
	fd.fd = efd;
	ASSERT_IOCTL_OK(g.vm.fd, KVM_IRQFD, &fd);
	ASSERT_IOCTL_ERRNO(g.vm.fd, KVM_IRQFD, &fd, EBUSY);
	ASSERT_EQ(8, write(efd, &one, 8));
	ASSERT_TOOK(&g.vcpu, 0x53);
	ASSERT_STEP(&g.vcpu, 0xe1);

	/* A level GSI with resample: asserted until the EOI, then lowered and rfd signalled. */
	fd = (struct kvm_irqfd){ .fd = efd2, .gsi = 10, .flags = KVM_IRQFD_FLAG_RESAMPLE,
				 .resamplefd = rfd };
	ASSERT_IOCTL_OK(g.vm.fd, KVM_IRQFD, &fd);
	ASSERT_EQ(8, write(efd2, &one, 8));
	ASSERT_TOOK(&g.vcpu, 0x54);
	ASSERT_EQ(-1, read(rfd, &cnt, 8));		/* no EOI yet */
	ASSERT_STEP(&g.vcpu, 0xe2);
	ASSERT_EQ(8, read(rfd, &cnt, 8));
	ASSERT_EQ(1, cnt);
	ASSERT_IOCTL_OK(g.vm.fd, KVM_GET_IRQCHIP, &chip);
	ASSERT_EQ(0, chip.chip.ioapic.irr & (1 << 10));
	ASSERT_EQ(0, chip.chip.ioapic.redirtbl[10].bits & (1ull << 14));

	/* KVM's errors; deassign takes the eventfd and GSI, and finds nothing twice. */
	fd = (struct kvm_irqfd){ .fd = -1, .gsi = 11 };
	ASSERT_IOCTL_ERRNO(g.vm.fd, KVM_IRQFD, &fd, EBADF);
	fd.fd = g.vm.fd;
	ASSERT_IOCTL_ERRNO(g.vm.fd, KVM_IRQFD, &fd, EINVAL);
	fd = (struct kvm_irqfd){ .fd = efd, .gsi = 9, .flags = 4 };
	ASSERT_IOCTL_ERRNO(g.vm.fd, KVM_IRQFD, &fd, EINVAL);
	fd.flags = KVM_IRQFD_FLAG_DEASSIGN;
	ASSERT_IOCTL_OK(g.vm.fd, KVM_IRQFD, &fd);
	ASSERT_IOCTL_OK(g.vm.fd, KVM_IRQFD, &fd);
	fd.flags = 0;
	ASSERT_IOCTL_OK(g.vm.fd, KVM_IRQFD, &fd);	/* assignable again */
	close(efd);					/* EPOLLHUP: it goes */
	close(efd2);
	close(rfd);
	guest_stop(&g);
}

/*
 * KVM_IRQFD assign and deassign of one eventfd and GSI from two threads at
 * once, for 20000 rounds or 5 s (l1vmm once freed an
 * irqfd that a deassign found between its listing and its vfs_poll(), a
 * wait entry never added then removed: seen in the code while the
 * fuzzer learnt KVM_IRQFD, doc/fuzzing.md). Every answer is 0 or -EBUSY,
 * and the VM goes with whatever is left assigned.
 */
struct irqfd_racer {
	int vm_fd, efd, rfd;
	bool deassign;
	unsigned int bad;
};

static void *irqfd_racer(void *arg)
{
	struct irqfd_racer *r = arg;
	struct kvm_irqfd fd = { .fd = r->efd, .gsi = 5, .flags = KVM_IRQFD_FLAG_RESAMPLE,
				.resamplefd = r->rfd };
	time_t end = time(NULL) + 5;	/* KVM's resampling assign waits for SRCU */
	uint64_t one = 1;
	unsigned int i;

	if (r->deassign)
		fd.flags = KVM_IRQFD_FLAG_DEASSIGN;
	for (i = 0; i < 20000 && (i % 64 || time(NULL) < end); i++) {
		if (ioctl(r->vm_fd, KVM_IRQFD, &fd) && errno != EBUSY)
			r->bad++;
		if (!(i % 16) && write(r->efd, &one, 8) != 8)
			r->bad++;
	}
	return NULL;
}

static void test_irqfd_race(void)
{
	struct irqfd_racer r[2];
	struct test_vm vm;
	pthread_t t[2];
	int efd, rfd, i;

	vm_create(&vm);
	ASSERT_IOCTL_OK(vm.fd, KVM_CREATE_IRQCHIP, 0);
	efd = eventfd(0, EFD_NONBLOCK);
	rfd = eventfd(0, EFD_NONBLOCK);
	TEST_ASSERT(efd >= 0 && rfd >= 0, "eventfd");
	for (i = 0; i < 2; i++) {
		r[i] = (struct irqfd_racer){ .vm_fd = vm.fd, .efd = efd, .rfd = rfd,
					     .deassign = i };
		TEST_ASSERT(!pthread_create(&t[i], NULL, irqfd_racer, &r[i]), "pthread_create");
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	ASSERT_EQ(0, r[0].bad);
	ASSERT_EQ(0, r[1].bad);
	close(efd);
	close(rfd);
	vm_close(&vm);
}

/*
 * The irqchip's ioctls from a thread while KVM_CREATE_IRQCHIP makes it:
 * before, KVM's answers without one; after, with it (l1vmm once published
 * the chip before its routes, and freed it again when they failed).
 */
struct irq_hammer {
	int vm_fd;
	bool stop;
	unsigned int bad;
};

static void *irq_hammer(void *arg)
{
	struct irq_hammer *h = arg;
	struct kvm_msi msi = { .address_lo = 0xfee00000, .data = 0x30 };
	struct kvm_irq_level line = { .irq = 4, .level = 1 };
	struct { struct kvm_irq_routing h; struct kvm_irq_routing_entry e; } rt = {
		.h.nr = 1, .e = { .gsi = 3, .type = KVM_IRQ_ROUTING_IRQCHIP,
				  .u.irqchip = { .irqchip = KVM_IRQCHIP_IOAPIC, .pin = 3 } },
	};

	while (!__atomic_load_n(&h->stop, __ATOMIC_RELAXED)) {
		if (ioctl(h->vm_fd, KVM_IRQ_LINE_STATUS, &line) && errno != ENXIO)
			h->bad++;
		line.level = !line.level;
		/* no APIC: -1 (EPERM) with it, EINVAL without */
		if (ioctl(h->vm_fd, KVM_SIGNAL_MSI, &msi) != -1 ||
		    (errno != EPERM && errno != EINVAL))
			h->bad++;
		if (ioctl(h->vm_fd, KVM_SET_GSI_ROUTING, &rt) && errno != EINVAL)
			h->bad++;
	}
	return NULL;
}

static void test_create_irqchip_race(void)
{
	struct irq_hammer h;
	struct test_vm vm;
	pthread_t t;
	int i;

	for (i = 0; i < 20; i++) {
		vm_create(&vm);
		h = (struct irq_hammer){ .vm_fd = vm.fd };
		TEST_ASSERT(!pthread_create(&t, NULL, irq_hammer, &h), "pthread_create");
		usleep(i * 100);
		ASSERT_IOCTL_OK(vm.fd, KVM_CREATE_IRQCHIP, 0);
		usleep(1000);
		__atomic_store_n(&h.stop, true, __ATOMIC_RELAXED);
		pthread_join(t, NULL);
		ASSERT_EQ(0, h.bad);
		vm_close(&vm);
	}
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_create_irqchip),
	KTAP_CASE(test_xapic),
	KTAP_CASE(test_ioapic_pic_msi),
	KTAP_CASE(test_x2apic_tsc_deadline),
	KTAP_CASE(test_ipi_wakes_halted_vcpu),
	KTAP_CASE(test_nmi_and_lowest_priority),
	KTAP_CASE(test_init_sipi),
	KTAP_CASE(test_boot_cpu_id),
	KTAP_CASE(test_irqfd),
	KTAP_CASE(test_irqfd_race),
	KTAP_CASE(test_create_irqchip_race),
	KTAP_CASE(test_vapic),
};

int main(void)
{
	return ktap_run(dev_is_l1vmm() ? "irqchip" : "irqchip@kvm", tests,
			KTAP_ARRAY_SIZE(tests));
}
