// SPDX-License-Identifier: GPL-2.0-only
/*
 * The split irqchip (KVM_CAP_SPLIT_IRQCHIP: local APICs in the kernel, PIC
 * and IOAPIC in user space), the x2APIC API (KVM_CAP_X2APIC_API) and halt
 * polling (halt_poll_ns, KVM_CAP_HALT_POLL, the halt_* statistics): the
 * enable rules and errnos, MSIs and KVM_IRQ_LINE through MSI routes,
 * KVM_EXIT_IOAPIC_EOI for a level-triggered vector of a reserved pin,
 * ExtINT through KVM_INTERRUPT with ready_for_interrupt_injection and
 * request_interrupt_window, 32-bit x2APIC IDs in KVM_GET/SET_LAPIC and MSI
 * addresses, the broadcast quirk, and the statistics that HLT polling
 * moves. The guests run in 32-bit protected mode and report each interrupt
 * they take on port 0xe4. Runs against l1vmm and KVM (irqchip_split@kvm).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm_vm.h"

#define MEM_SIZE	(1ul << 20)
#define IDT_GPA		0x6000
#define HANDLERS_GPA	0x8000
#define CODE_GPA	0x10000
#define REPORT_PORT	0xe4
#define MSI_ADDR	0xfee00000u	/* physical destination APIC ID 0 */
#define MSI_LEVEL	((1u << 15) | (1u << 14))	/* level-triggered, asserted */

/*
 * Handlers: xNN reports vector NN on port 0xe4 and EOIs at the xAPIC page;
 * h63 reports and EOIs at user space's PIC (port 0x20); q42 only counts and
 * EOIs. Each counts at 0x7000.
 */
#define XAPIC_STUB(v)	"h" #v ": push %eax\n\tmov $0x" #v ", %eax\n\tjmp xapic_eoi\n\t"

GUEST_CODE(handlers, ".code32",
	XAPIC_STUB(40) XAPIC_STUB(41) XAPIC_STUB(50) XAPIC_STUB(51) XAPIC_STUB(52)
	"h63: push %eax\n\t"
	"incl 0x7000\n\t"
	"mov $0x63, %eax\n\t"
	"out %eax, $0xe4\n\t"
	"mov $0x20, %al\n\t"
	"out %al, $0x20\n\t"
	"pop %eax\n\t"
	"iret\n\t"
	"q42: push %eax\n\t"
	"incl 0x7000\n\t"
	"xor %eax, %eax\n\t"
	"mov %eax, 0xfee000b0\n\t"
	"pop %eax\n\t"
	"iret\n\t"
	"xapic_eoi: incl 0x7000\n\t"
	"out %eax, $0xe4\n\t"
	"mov %eax, 0xfee000b0\n\t"
	"pop %eax\n\t"
	"iret\n\t");
GUEST_LABEL(h40); GUEST_LABEL(h41); GUEST_LABEL(h50); GUEST_LABEL(h51);
GUEST_LABEL(h52); GUEST_LABEL(h63); GUEST_LABEL(q42);

/* The xAPIC on, LVT0 masked, IF on. */
#define XAPIC_ON							\
	"mov $0xfee00000, %ebx\n\t"					\
	"mov $0x10000, %eax\n\t"					\
	"mov %eax, 0x350(%ebx)\n\t"					\
	"mov $0x1ff, %eax\n\t"						\
	"mov %eax, 0xf0(%ebx)\n\t"					\
	"sti\n\t"

/* Sleep in HLT until the handlers have counted @n interrupts. */
#define WAIT_COUNT(n)							\
	"1: cli\n\t"							\
	"cmpl $" #n ", 0x7000\n\t"					\
	"jae 2f\n\t"							\
	"sti\n\t"							\
	"hlt\n\t"							\
	"jmp 1b\n\t"							\
	"2: sti\n\t"

#define XAPIC_W(off, val)						\
	"mov $" #val ", %eax\n\t"					\
	"mov %eax, " #off "(%ebx)\n\t"

GUEST_CODE(msi_guest, ".code32",
	XAPIC_ON
	"out %eax, $0xe0\n\t"
	WAIT_COUNT(1)
	"out %eax, $0xe1\n\t"
	WAIT_COUNT(2)
	"out %eax, $0xe2\n\t"
	WAIT_COUNT(3)
	"out %eax, $0xe3\n\t");

GUEST_CODE(extint_guest, ".code32",
	XAPIC_ON
	"out %eax, $0xe0\n\t"
	/* LVT0 ExtINT: the APIC takes user space's PIC's interrupts now. */
	XAPIC_W(0x350, 0x700)
	"out %eax, $0xe1\n\t"
	WAIT_COUNT(1)
	"cli\n\t"
	"out %eax, $0xe2\n\t"
	"sti\n\t"
	"nop\n\t"
	"nop\n\t"
	WAIT_COUNT(2)
	"out %eax, $0xe3\n\t");

/* Twenty 2 ms one-shot timers (vector 0x42), each waited for in HLT. */
GUEST_CODE(halt_guest, ".code32",
	XAPIC_ON
	XAPIC_W(0x320, 0x42)
	XAPIC_W(0x3e0, 0xb)
	"mov $20, %esi\n\t"
	"3: movl $0, 0x7000\n\t"
	XAPIC_W(0x380, 2000000)
	WAIT_COUNT(1)
	"dec %esi\n\t"
	"jnz 3b\n\t"
	"out %eax, $0xe0\n\t");

static void set_gate(unsigned char *mem, unsigned int vec, const unsigned char *stub)
{
	uint32_t off = HANDLERS_GPA + (uint32_t)(stub - handlers);
	uint32_t *gate = (uint32_t *)(mem + IDT_GPA + 8 * vec);

	gate[0] = (0x08 << 16) | (off & 0xffff);
	gate[1] = (off & 0xffff0000) | 0x8e00;	/* present, 32-bit interrupt gate */
}

/* A protected-mode guest on a VM with the split irqchip. */
static void start_guest(struct test_guest *g, const void *code, size_t len)
{
	struct kvm_sregs sregs;

	vm_create_split_irqchip = true;
	guest_start_protected_mode(g, MEM_SIZE, CODE_GPA, code, len);
	vm_create_split_irqchip = false;
	memcpy(g->mem + HANDLERS_GPA, handlers, GUEST_CODE_SIZE(handlers));
	set_gate(g->mem, 0x40, h40);
	set_gate(g->mem, 0x41, h41);
	set_gate(g->mem, 0x42, q42);
	set_gate(g->mem, 0x50, h50);
	set_gate(g->mem, 0x51, h51);
	set_gate(g->mem, 0x52, h52);
	set_gate(g->mem, 0x63, h63);
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_GET_SREGS, &sregs);
	sregs.idt.base = IDT_GPA;
	sregs.idt.limit = 256 * 8 - 1;
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_SET_SREGS, &sregs);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* KVM_RUN with a watchdog: a guest asleep for good fails the case instead of hanging it. */
static void run_watched(const char *file, int line, struct test_vcpu *vcpu)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	int ret;

	sigaction(SIGALRM, &sa, NULL);
	alarm(10);
	ret = ioctl(vcpu->fd, KVM_RUN, 0);
	alarm(0);
	if (ret)
		ktap_fail(file, line, "KVM_RUN: %s", ktap_errno_name(errno));
}

static uint32_t run_out32(const char *file, int line, struct test_vcpu *vcpu, int port)
{
	run_watched(file, line, vcpu);
	__assert_io_exit(file, line, vcpu, KVM_EXIT_IO_OUT, port, 4);
	return *(uint32_t *)vcpu_io_data(vcpu);
}

#define ASSERT_TOOK(vcpu, vector)	ASSERT_EQ(vector, run_out32(__FILE__, __LINE__, vcpu, REPORT_PORT))
#define ASSERT_STEP(vcpu, port)		run_out32(__FILE__, __LINE__, vcpu, port)

static int enable_cap(int fd, uint32_t cap, uint64_t arg, uint32_t flags)
{
	struct kvm_enable_cap c = { .cap = cap, .flags = flags, .args = { arg } };

	return ioctl(fd, KVM_ENABLE_CAP, &c) ? -errno : 0;
}

/* GSI routes, all MSIs to APIC ID 0: gsi[i] sends data[i]. */
static void set_msi_routes(int vm_fd, const uint32_t *gsi, const uint32_t *data, unsigned int n)
{
	struct {
		struct kvm_irq_routing hdr;
		struct kvm_irq_routing_entry e[4];
	} r = { .hdr.nr = n };
	unsigned int i;

	for (i = 0; i < n; i++) {
		r.e[i].gsi = gsi[i];
		r.e[i].type = KVM_IRQ_ROUTING_MSI;
		r.e[i].u.msi.address_lo = MSI_ADDR;
		r.e[i].u.msi.data = data[i];
	}
	ASSERT_IOCTL_OK(vm_fd, KVM_SET_GSI_ROUTING, &r);
}

/* KVM_IRQ_LINE_STATUS: the status. */
static int irq_line(int vm_fd, uint32_t gsi, uint32_t level)
{
	struct kvm_irq_level line = { .irq = gsi, .level = level };

	ASSERT_IOCTL_OK(vm_fd, KVM_IRQ_LINE_STATUS, &line);
	return line.status;
}

static void test_split_create(void)
{
	struct {
		struct kvm_irq_routing hdr;
		struct kvm_irq_routing_entry e[1];
	} routes = { .hdr.nr = 1 };
	struct kvm_interrupt irq = { .irq = 0x20 };
	struct kvm_lapic_state lapic;
	struct kvm_irqfd irqfd;
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_IOAPIC };
	struct kvm_mp_state mp;
	struct test_vcpu vcpu;
	struct test_vm vm;
	uint32_t *regs = (uint32_t *)lapic.regs;
	int efd;

	vm_create(&vm);
	ASSERT_EQ(1, dev_ioctl(vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_SPLIT_IRQCHIP));
	ASSERT_EQ(1, dev_ioctl(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_SPLIT_IRQCHIP));
	/* KVM's order: the pin count, then the irqchip, then the vCPUs. */
	ASSERT_EQ(-EINVAL, enable_cap(vm.fd, KVM_CAP_SPLIT_IRQCHIP, 4097, 0));
	ASSERT_EQ(-EINVAL, enable_cap(vm.fd, KVM_CAP_SPLIT_IRQCHIP, 24, 1));
	ASSERT_EQ(0, enable_cap(vm.fd, KVM_CAP_SPLIT_IRQCHIP, 4096, 0));
	ASSERT_EQ(-EEXIST, enable_cap(vm.fd, KVM_CAP_SPLIT_IRQCHIP, 24, 0));
	ASSERT_EQ(-EINVAL, enable_cap(vm.fd, KVM_CAP_SPLIT_IRQCHIP, 4097, 0));
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_CREATE_IRQCHIP, 0, EEXIST);
	vm_close(&vm);

	vm_create(&vm);
	ASSERT_IOCTL_OK(vm.fd, KVM_CREATE_IRQCHIP, 0);
	ASSERT_EQ(-EEXIST, enable_cap(vm.fd, KVM_CAP_SPLIT_IRQCHIP, 24, 0));
	vm_close(&vm);

	vm_create(&vm);
	vcpu_create(&vm, 0, &vcpu);
	ASSERT_EQ(-EEXIST, enable_cap(vm.fd, KVM_CAP_SPLIT_IRQCHIP, 24, 0));
	vcpu_close(&vcpu);
	vm_close(&vm);

	vm_create(&vm);
	ASSERT_EQ(0, enable_cap(vm.fd, KVM_CAP_SPLIT_IRQCHIP, 24, 0));
	/* No PIC or IOAPIC in the kernel: KVM's answers. */
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_GET_IRQCHIP, &chip, ENXIO);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_SET_IRQCHIP, &chip, ENXIO);
	/* KVM_IRQ_LINE goes through the routes, and there are none yet. */
	ASSERT_EQ(-1, irq_line(vm.fd, 4, 1));
	routes.e[0] = (struct kvm_irq_routing_entry){ .gsi = 4, .type = KVM_IRQ_ROUTING_IRQCHIP,
						      .u.irqchip = { KVM_IRQCHIP_IOAPIC, 4 } };
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_SET_GSI_ROUTING, &routes, EINVAL);
	routes.e[0].u.irqchip.irqchip = KVM_IRQCHIP_PIC_MASTER;
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_SET_GSI_ROUTING, &routes, EINVAL);
	routes.e[0] = (struct kvm_irq_routing_entry){ .gsi = 4, .type = KVM_IRQ_ROUTING_MSI,
						      .u.msi = { .address_lo = MSI_ADDR,
								 .data = 0x40 } };
	ASSERT_IOCTL_OK(vm.fd, KVM_SET_GSI_ROUTING, &routes);
	/* No vCPU: the MSI finds no APIC; lowering an MSI does nothing. */
	TEST_ASSERT(irq_line(vm.fd, 4, 1) <= 0, "an MSI to no vCPU was taken");
	ASSERT_EQ(-1, irq_line(vm.fd, 4, 0));
	/* irqfds, but not resampling ones: those need the in-kernel IOAPIC. */
	efd = eventfd(0, 0);
	irqfd = (struct kvm_irqfd){ .fd = efd, .gsi = 4, .flags = KVM_IRQFD_FLAG_RESAMPLE,
				    .resamplefd = efd };
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_IRQFD, &irqfd, EINVAL);
	irqfd.flags = 0;
	ASSERT_IOCTL_OK(vm.fd, KVM_IRQFD, &irqfd);
	irqfd.flags = KVM_IRQFD_FLAG_DEASSIGN;
	ASSERT_IOCTL_OK(vm.fd, KVM_IRQFD, &irqfd);
	close(efd);

	/* The vCPU has its local APIC in the kernel, the BSP runnable. */
	vcpu_create(&vm, 0, &vcpu);
	ASSERT_IOCTL_OK(vcpu.fd, KVM_GET_LAPIC, &lapic);
	ASSERT_EQ(0x14, regs[0x30 / 4] & 0xff);
	ASSERT_IOCTL_OK(vcpu.fd, KVM_GET_MP_STATE, &mp);
	ASSERT_EQ(KVM_MP_STATE_RUNNABLE, mp.mp_state);
	/* KVM_INTERRUPT: an ExtINT, one at a time. */
	irq.irq = 256;
	ASSERT_IOCTL_ERRNO(vcpu.fd, KVM_INTERRUPT, &irq, EINVAL);
	irq.irq = 0x20;
	ASSERT_IOCTL_OK(vcpu.fd, KVM_INTERRUPT, &irq);
	ASSERT_IOCTL_ERRNO(vcpu.fd, KVM_INTERRUPT, &irq, EEXIST);
	vcpu_close(&vcpu);
	vm_close(&vm);
}

/* With x2APIC in the guest's CPUID, the IOAPIC in user space offers directed EOI. */
static void test_split_directed_eoi(void)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 entries[256];
	} c = { .hdr.nent = 256 };
	struct kvm_lapic_state lapic;
	uint32_t *regs = (uint32_t *)lapic.regs;
	struct test_vcpu vcpu;
	struct test_vm vm;
	unsigned int i;

	vm_create_split_irqchip = true;
	vm_create(&vm);
	vm_create_split_irqchip = false;
	vcpu_create(&vm, 0, &vcpu);
	ASSERT_IOCTL_OK(vm.sys_fd, KVM_GET_SUPPORTED_CPUID, &c);
	for (i = 0; i < c.hdr.nent; i++)
		if (c.entries[i].function == 1)
			c.entries[i].ecx |= 1u << 21;
	ASSERT_IOCTL_OK(vcpu.fd, KVM_SET_CPUID2, &c);
	ASSERT_IOCTL_OK(vcpu.fd, KVM_GET_LAPIC, &lapic);
	TEST_ASSERT(regs[0x30 / 4] & (1u << 24), "wanted directed EOI in LVR, got %#x",
		    regs[0x30 / 4]);
	vcpu_close(&vcpu);
	vm_close(&vm);
}

static void test_split_msi(void)
{
	const uint32_t gsi[] = { 30 }, data[] = { 0x41 };
	struct kvm_msi msi = { .address_lo = MSI_ADDR, .data = 0x40 };
	struct test_guest g;

	start_guest(&g, msi_guest, GUEST_CODE_SIZE(msi_guest));
	ASSERT_STEP(&g.vcpu, 0xe0);
	ASSERT_EQ(1, ioctl(g.vm.fd, KVM_SIGNAL_MSI, &msi));
	ASSERT_TOOK(&g.vcpu, 0x40);
	ASSERT_STEP(&g.vcpu, 0xe1);
	/* An MSI route, raised with KVM_IRQ_LINE; lowering it does nothing. */
	set_msi_routes(g.vm.fd, gsi, data, 1);
	ASSERT_EQ(1, irq_line(g.vm.fd, 30, 1));
	ASSERT_EQ(-1, irq_line(g.vm.fd, 30, 0));
	ASSERT_TOOK(&g.vcpu, 0x41);
	ASSERT_STEP(&g.vcpu, 0xe2);
	/* An irqfd of the route. */
	{
		struct kvm_irqfd irqfd = { .gsi = 30 };
		uint64_t one = 1;

		irqfd.fd = eventfd(0, 0);
		ASSERT_IOCTL_OK(g.vm.fd, KVM_IRQFD, &irqfd);
		ASSERT_EQ(8, write(irqfd.fd, &one, sizeof(one)));
		ASSERT_TOOK(&g.vcpu, 0x41);
		ASSERT_STEP(&g.vcpu, 0xe3);
		close(irqfd.fd);
	}
	guest_stop(&g);
}

/*
 * A level-triggered MSI route of a reserved pin (GSI 5): its EOI exits for
 * user space's IOAPIC. Edge-triggered (GSI 6) or beyond the reserved pins
 * (GSI 30): no exit.
 */
static void test_split_ioapic_eoi(void)
{
	const uint32_t gsi[] = { 5, 6, 30 };
	const uint32_t data[] = { 0x51 | MSI_LEVEL, 0x50, 0x52 | MSI_LEVEL };
	struct test_guest g;
	struct kvm_run *run;

	start_guest(&g, msi_guest, GUEST_CODE_SIZE(msi_guest));
	run = g.vcpu.run;
	set_msi_routes(g.vm.fd, gsi, data, 3);
	ASSERT_STEP(&g.vcpu, 0xe0);
	ASSERT_EQ(1, irq_line(g.vm.fd, 5, 1));
	ASSERT_TOOK(&g.vcpu, 0x51);
	run_watched(__FILE__, __LINE__, &g.vcpu);
	TEST_ASSERT(run->exit_reason == KVM_EXIT_IOAPIC_EOI, "wanted KVM_EXIT_IOAPIC_EOI, got %s",
		    exit_reason_name(run->exit_reason));
	ASSERT_EQ(0x51, run->eoi.vector);
	ASSERT_STEP(&g.vcpu, 0xe1);
	ASSERT_EQ(1, irq_line(g.vm.fd, 6, 1));
	ASSERT_TOOK(&g.vcpu, 0x50);
	ASSERT_STEP(&g.vcpu, 0xe2);
	ASSERT_EQ(1, irq_line(g.vm.fd, 30, 1));
	ASSERT_TOOK(&g.vcpu, 0x52);
	ASSERT_STEP(&g.vcpu, 0xe3);
	guest_stop(&g);
}

/*
 * User space's PIC: KVM_INTERRUPT's ExtINT goes in once LVT0 is ExtINT;
 * ready_for_interrupt_injection and request_interrupt_window as without an
 * irqchip.
 */
static void test_split_extint(void)
{
	struct kvm_interrupt irq = { .irq = 0x63 };
	struct test_guest g;
	struct kvm_run *run;

	start_guest(&g, extint_guest, GUEST_CODE_SIZE(extint_guest));
	run = g.vcpu.run;
	ASSERT_STEP(&g.vcpu, 0xe0);
	/* LVT0 masked: the APIC takes no ExtINT. */
	ASSERT_EQ(0, run->ready_for_interrupt_injection);
	ASSERT_EQ(1, run->if_flag);
	ASSERT_STEP(&g.vcpu, 0xe1);
	ASSERT_EQ(1, run->ready_for_interrupt_injection);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_INTERRUPT, &irq);
	ASSERT_TOOK(&g.vcpu, 0x63);
	/* The PIC's EOI goes to user space's PIC. */
	run_watched(__FILE__, __LINE__, &g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x20, 1);
	ASSERT_STEP(&g.vcpu, 0xe2);
	/* IF clear: not ready; the window opens after STI and one instruction. */
	ASSERT_EQ(0, run->ready_for_interrupt_injection);
	run->request_interrupt_window = 1;
	run_watched(__FILE__, __LINE__, &g.vcpu);
	TEST_ASSERT(run->exit_reason == KVM_EXIT_IRQ_WINDOW_OPEN,
		    "wanted KVM_EXIT_IRQ_WINDOW_OPEN, got %s", exit_reason_name(run->exit_reason));
	ASSERT_EQ(1, run->ready_for_interrupt_injection);
	run->request_interrupt_window = 0;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_INTERRUPT, &irq);
	ASSERT_TOOK(&g.vcpu, 0x63);
	run_watched(__FILE__, __LINE__, &g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x20, 1);
	ASSERT_STEP(&g.vcpu, 0xe3);
	guest_stop(&g);
}

/* KVM_SIGNAL_MSI's result: how many APICs took it (none: 0 or -1), or -errno. */
static int signal_msi(int vm_fd, uint32_t lo, uint32_t hi)
{
	struct kvm_msi msi = { .address_lo = lo, .address_hi = hi, .data = 0x40 };
	int r = ioctl(vm_fd, KVM_SIGNAL_MSI, &msi);

	return r < 0 ? -errno : r;
}

#define ASSERT_NOT_TAKEN(r)	TEST_ASSERT((r) <= 0 && (r) != -EINVAL, "wanted no APIC, got %d", (r))

/*
 * KVM_CAP_X2APIC_API on vCPU 5 in x2APIC mode: the ID format of
 * KVM_GET/SET_LAPIC, the MSI's extended destination, the broadcast quirk.
 * An MSI it takes answers 1, one that finds no APIC 0 or -1 (KVM's fast
 * and slow paths differ).
 */
static void test_x2apic_api(void)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 entries[256];
	} c = { .hdr.nent = 256 };
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} msrs = { .hdr.nmsrs = 1, .e = { .index = 0x1b, .data = 0xfee00c00 } };
	struct kvm_lapic_state lapic;
	uint32_t *regs = (uint32_t *)lapic.regs;
	struct test_vcpu vcpu;
	struct test_vm vm;
	unsigned int i;

	vm_create(&vm);
	ASSERT_EQ(3, dev_ioctl(vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_X2APIC_API));
	ASSERT_EQ(-EINVAL, enable_cap(vm.fd, KVM_CAP_X2APIC_API, 4, 0));
	ASSERT_EQ(0, enable_cap(vm.fd, KVM_CAP_X2APIC_API, 0, 0));
	ASSERT_IOCTL_OK(vm.fd, KVM_CREATE_IRQCHIP, 0);
	vcpu_create(&vm, 5, &vcpu);
	ASSERT_IOCTL_OK(vm.sys_fd, KVM_GET_SUPPORTED_CPUID, &c);
	for (i = 0; i < c.hdr.nent; i++)
		if (c.entries[i].function == 1)
			c.entries[i].ecx |= 1u << 21;
	ASSERT_IOCTL_OK(vcpu.fd, KVM_SET_CPUID2, &c);
	ASSERT_EQ(1, ioctl(vcpu.fd, KVM_SET_MSRS, &msrs));

	/* Without the API: the ID in bits 31:24, address_hi ignored, 0xff broadcast. */
	ASSERT_IOCTL_OK(vcpu.fd, KVM_GET_LAPIC, &lapic);
	ASSERT_EQ(5u << 24, regs[0x20 / 4]);
	regs[0xf0 / 4] = 0x1ff;				/* software-enabled */
	ASSERT_IOCTL_OK(vcpu.fd, KVM_SET_LAPIC, &lapic);
	ASSERT_EQ(1, signal_msi(vm.fd, 0xfee05000, 0x100));
	ASSERT_EQ(1, signal_msi(vm.fd, 0xfee05000, 0x1));
	ASSERT_EQ(1, signal_msi(vm.fd, 0xfeeff000, 0));
	ASSERT_NOT_TAKEN(signal_msi(vm.fd, 0xfee06000, 0));

	/* 32-bit IDs: the register holds the x2APIC ID; SET_LAPIC wants it. */
	ASSERT_EQ(0, enable_cap(vm.fd, KVM_CAP_X2APIC_API, KVM_X2APIC_API_USE_32BIT_IDS, 0));
	ASSERT_IOCTL_OK(vcpu.fd, KVM_GET_LAPIC, &lapic);
	ASSERT_EQ(5, regs[0x20 / 4]);
	ASSERT_IOCTL_OK(vcpu.fd, KVM_SET_LAPIC, &lapic);
	regs[0x20 / 4] = 6;
	ASSERT_IOCTL_ERRNO(vcpu.fd, KVM_SET_LAPIC, &lapic, EINVAL);
	regs[0x20 / 4] = 5u << 24;
	ASSERT_IOCTL_ERRNO(vcpu.fd, KVM_SET_LAPIC, &lapic, EINVAL);
	/* address_hi's bits 31:8 extend the destination; its bits 7:0 must be 0. */
	ASSERT_NOT_TAKEN(signal_msi(vm.fd, 0xfee05000, 0x100));
	ASSERT_EQ(1, signal_msi(vm.fd, 0xfee05000, 0));
	ASSERT_EQ(-EINVAL, signal_msi(vm.fd, 0xfee05000, 0x1));
	ASSERT_EQ(1, signal_msi(vm.fd, 0xfeeff000, 0));

	/* The broadcast quirk off: 0xff is just x2APIC ID 0xff. */
	ASSERT_EQ(0, enable_cap(vm.fd, KVM_CAP_X2APIC_API,
				KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK, 0));
	ASSERT_NOT_TAKEN(signal_msi(vm.fd, 0xfeeff000, 0));
	ASSERT_EQ(1, signal_msi(vm.fd, 0xfee05000, 0));
	/* The flags stay: 32-bit IDs still. */
	ASSERT_IOCTL_OK(vcpu.fd, KVM_GET_LAPIC, &lapic);
	ASSERT_EQ(5, regs[0x20 / 4]);
	vcpu_close(&vcpu);
	vm_close(&vm);
}

/* Run halt_guest's twenty timer halts on a VM whose poll limit is @max_ns. */
static void run_halts(uint64_t max_ns, uint64_t *exits, uint64_t *attempted,
		      uint64_t *successful, uint64_t *success_ns)
{
	struct test_guest g;
	uint64_t blocking;

	vm_create_irqchip = true;
	guest_start_protected_mode(&g, MEM_SIZE, CODE_GPA, halt_guest, GUEST_CODE_SIZE(halt_guest));
	vm_create_irqchip = false;
	memcpy(g.mem + HANDLERS_GPA, handlers, GUEST_CODE_SIZE(handlers));
	set_gate(g.mem, 0x42, q42);
	{
		struct kvm_sregs sregs;

		ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
		sregs.idt.base = IDT_GPA;
		sregs.idt.limit = 256 * 8 - 1;
		ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &sregs);
	}
	ASSERT_EQ(-EINVAL, enable_cap(g.vm.fd, KVM_CAP_HALT_POLL, 1ull << 32, 0));
	ASSERT_EQ(0, enable_cap(g.vm.fd, KVM_CAP_HALT_POLL, max_ns, 0));
	ASSERT_STEP(&g.vcpu, 0xe0);
	TEST_ASSERT(vcpu_stat(&g.vcpu, "halt_exits", exits), "no halt_exits");
	TEST_ASSERT(vcpu_stat(&g.vcpu, "halt_attempted_poll", attempted), "no halt_attempted_poll");
	TEST_ASSERT(vcpu_stat(&g.vcpu, "halt_successful_poll", successful),
		    "no halt_successful_poll");
	TEST_ASSERT(vcpu_stat(&g.vcpu, "halt_poll_success_ns", success_ns),
		    "no halt_poll_success_ns");
	TEST_ASSERT(vcpu_stat(&g.vcpu, "blocking", &blocking), "no blocking");
	ASSERT_EQ(0, blocking);
	guest_stop(&g);
}

static void test_halt_poll(void)
{
	uint64_t exits, attempted, successful, success_ns;
	struct test_vm vm;

	vm_create(&vm);
	ASSERT_EQ(1, dev_ioctl(vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_HALT_POLL));
	ASSERT_EQ(1, dev_ioctl(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_HALT_POLL));
	ASSERT_EQ(-EINVAL, enable_cap(vm.fd, KVM_CAP_HALT_POLL, 1000, 1));
	vm_close(&vm);

	/*
	 * Polling up to 10 ms: the poll time grows until the 2 ms halts end
	 * while the vCPU polls. A timer may fire before its HLT (a slow L1).
	 */
	run_halts(10000000, &exits, &attempted, &successful, &success_ns);
	TEST_ASSERT(exits >= 15, "wanted 15 halt_exits at least, got %llu",
		    (unsigned long long)exits);
	TEST_ASSERT(attempted > 0 && successful > 0 && successful <= attempted,
		    "wanted successful polls, got %llu of %llu", (unsigned long long)successful,
		    (unsigned long long)attempted);
	TEST_ASSERT(success_ns > 0, "wanted halt_poll_success_ns > 0");
	/* KVM_CAP_HALT_POLL 0: no polling at all. */
	run_halts(0, &exits, &attempted, &successful, &success_ns);
	TEST_ASSERT(exits >= 15, "wanted 15 halt_exits at least, got %llu",
		    (unsigned long long)exits);
	ASSERT_EQ(0, attempted);
	ASSERT_EQ(0, successful);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_split_create),
	KTAP_CASE(test_split_directed_eoi),
	KTAP_CASE(test_split_msi),
	KTAP_CASE(test_split_ioapic_eoi),
	KTAP_CASE(test_split_extint),
	KTAP_CASE(test_x2apic_api),
	KTAP_CASE(test_halt_poll),
};

int main(void)
{
	return ktap_run(dev_is_l1vmm() ? "irqchip_split" : "irqchip_split@kvm", tests,
			KTAP_ARRAY_SIZE(tests));
}
