// SPDX-License-Identifier: GPL-2.0-only
/*
 * The local APIC writes l1vmm handles in its exit fastpath (doc/design.md,
 * "The APIC's fast paths"), with the in-kernel irqchip and 64-bit guests
 * in x2APIC mode: fixed IPIs between two vCPUs that answer each other
 * (every round's ping taken and acknowledged), EOI through the x2APIC
 * MSR with the next pending vector delivered after it, the TSC-deadline
 * timer armed for "now" (its interrupt before the next instruction) and
 * for later, and on l1vmm the fastpath_apic_writes statistic. Then the
 * CR8 write while an interrupt waits below the TPR: lowering the TPR with
 * MOV CR8 delivers it before the next instruction (KVM's
 * update_cr8_intercept()). Runs against l1vmm and KVM (apic_fastpath@kvm).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm_vm.h"
#include "l1vmm_util.h"

#define MEM_SIZE	(4ul << 20)
#define IDT_GPA		0x6000
#define LOG_IDX_GPA	0x70f8	/* entries in the log */
#define LOG_GPA		0x7100	/* vectors taken, in order (single-vCPU cases) */
#define LOG_R12_GPA	0x7180	/* the guest's R12 when each was taken */
#define COUNT_GPA	0x7200	/* one counter per vector, to 0x79ff */
#define PING_GPA	0x7a00	/* the round vCPU 0 pings for */
#define ACK_GPA		0x7a08	/* the last round vCPU 1 answered */
#define RESENT_GPA	0x7a10	/* pings vCPU 0 sent again */
#define HANDLERS_GPA	0x8000
#define CODE_GPA	0x10000
#define AP_CODE_GPA	0x20000
#define CODE_SEL	0x08	/* guest_start_long_mode()'s */
#define IPI_ROUNDS	200

/*
 * One stub per vector: count it, log it with the guest's R12, EOI through
 * the x2APIC MSR. Vector 0x40 is a ping: before its EOI it answers with
 * vector 0x41 to x2APIC ID 0.
 */
#define STUB(v)	"h" #v ": push %rax\n\tmov $0x" #v ", %eax\n\tjmp common\n\t"

GUEST_CODE(handlers, ".code64",
	STUB(40) STUB(41) STUB(42) STUB(50) STUB(51) STUB(61)
	"common: push %rcx\n\t"
	"push %rdx\n\t"
	"incq 0x7200(,%rax,8)\n\t"
	"mov 0x70f8, %rcx\n\t"
	"cmp $0x40, %rcx\n\t"
	"jae 1f\n\t"
	"mov %al, 0x7100(%rcx)\n\t"
	"mov %r12b, 0x7180(%rcx)\n\t"
	"inc %rcx\n\t"
	"mov %rcx, 0x70f8\n\t"
	"1: cmp $0x40, %eax\n\t"
	"jne 2f\n\t"
	"mov 0x7a00, %rcx\n\t"	/* PING_GPA to ACK_GPA */
	"mov %rcx, 0x7a08\n\t"
	"mfence\n\t"			/* x2APIC WRMSRs do not order stores */
	"mov $0x830, %ecx\n\t"
	"mov $0x41, %eax\n\t"
	"xor %edx, %edx\n\t"
	"wrmsr\n\t"
	"2: mov $0x80b, %ecx\n\t"
	"xor %eax, %eax\n\t"
	"xor %edx, %edx\n\t"
	"wrmsr\n\t"
	"pop %rdx\n\t"
	"pop %rcx\n\t"
	"pop %rax\n\t"
	"iretq\n\t");
GUEST_LABEL(h40); GUEST_LABEL(h41); GUEST_LABEL(h42);
GUEST_LABEL(h50); GUEST_LABEL(h51); GUEST_LABEL(h61);

/* x2APIC mode on (APIC_BASE EN|EXTD), software-enabled (SVR 0x1ff). */
#define X2APIC_ON			\
	"mov $0x1b, %ecx\n\t"		\
	"rdmsr\n\t"			\
	"or $0xc00, %eax\n\t"		\
	"wrmsr\n\t"			\
	"mov $0x80f, %ecx\n\t"		\
	"mov $0x1ff, %eax\n\t"		\
	"xor %edx, %edx\n\t"		\
	"wrmsr\n\t"

/* A fixed IPI of vector @v to x2APIC ID @id, physical, no shorthand. */
#define IPI(v, id)			\
	"mov $0x830, %ecx\n\t"		\
	"mov $" #v ", %eax\n\t"		\
	"mov $" #id ", %edx\n\t"	\
	"wrmsr\n\t"

/*
 * vCPU 0: R9 rounds of a ping (0x40) to vCPU 1 with the round's number at
 * PING_GPA, each time waiting, interrupts on, until vCPU 1's handler
 * copied it to ACK_GPA and answered (0x41); then the last round
 * acknowledged, on port 0xe1. The rounds go by the numbers, not by
 * counting interrupts (an answer still pending when the next comes is
 * one), and a ping not acknowledged after a while is sent again (R14
 * counts those): under QEMU's emulator, with vCPU 0 waiting in HLT for
 * a count of answers, both KVM and l1vmm were seen to lose one in some
 * thousand rounds, and to deliver one twice (not explained yet).
 */
GUEST_CODE(ipi_bsp, ".code64",
	X2APIC_ON
	"out %eax, $0xe0\n\t"
	"xor %r10, %r10\n\t"
	"xor %r14, %r14\n\t"
	"sti\n\t"
	"1: inc %r10\n\t"
	"mov %r10, 0x7a00\n\t"
	"mfence\n\t"
	"2: " IPI(0x40, 1)
	"mov $200000, %ebx\n\t"
	"4: cmp %r10, 0x7a08\n\t"
	"jae 3f\n\t"
	"pause\n\t"
	"dec %ebx\n\t"
	"jnz 4b\n\t"
	"inc %r14\n\t"
	"jmp 2b\n\t"
	"3: cmp %r9, %r10\n\t"
	"jb 1b\n\t"
	"mov %r14, 0x7a10\n\t"
	"mov 0x7a08, %rax\n\t"
	"out %eax, $0xe1\n\t");

/* vCPU 1: sleeps, answering pings in the handler, until it acknowledged round R9. */
GUEST_CODE(ipi_ap, ".code64",
	X2APIC_ON
	"out %eax, $0xe0\n\t"
	"1: cli\n\t"
	"cmp %r9, 0x7a08\n\t"
	"jae 2f\n\t"
	"sti\n\t"
	"hlt\n\t"
	"jmp 1b\n\t"
	"2: sti\n\t"
	"mov 0x7a08, %rax\n\t"
	"out %eax, $0xe1\n\t");

/*
 * One vCPU: two self IPIs while IF=0, taken highest first, the lower one
 * right after the first's EOI (log: 0x61, 0x51); then the TSC deadline
 * armed for "now" (its 0x42 taken with R12 still 0), then 100000 TSC
 * ticks ahead (taken while the guest sleeps).
 */
GUEST_CODE(eoi_timer, ".code64",
	X2APIC_ON
	"cli\n\t"
	IPI(0x51, 0)
	IPI(0x61, 0)
	"sti\n\t"
	"nop\n\t"
	"out %eax, $0xe0\n\t"
	"mov $0x832, %ecx\n\t"		/* LVTT: vector 0x42, TSC-deadline mode */
	"mov $0x40042, %eax\n\t"
	"xor %edx, %edx\n\t"
	"wrmsr\n\t"
	"xor %r12, %r12\n\t"
	"rdtsc\n\t"
	"mov $0x6e0, %ecx\n\t"
	"wrmsr\n\t"
	"mov $1, %r12\n\t"
	"out %eax, $0xe1\n\t"
	"rdtsc\n\t"
	"add $100000, %eax\n\t"
	"adc $0, %edx\n\t"
	"mov $0x6e0, %ecx\n\t"
	"wrmsr\n\t"
	"1: cli\n\t"
	"cmpq $2, 0x7410\n\t"		/* COUNT_GPA + 8 * 0x42 */
	"jae 2f\n\t"
	"sti\n\t"
	"hlt\n\t"
	"jmp 1b\n\t"
	"2: sti\n\t"
	"out %eax, $0xe2\n\t");

/*
 * One vCPU: TPR 15 through CR8, a self IPI of 0x50 that it holds back,
 * then CR8 0: 0x50 must be taken right after that MOV, with R12 still 0,
 * before the loop that follows makes no exit for a while.
 */
GUEST_CODE(cr8_guest, ".code64",
	X2APIC_ON
	"sti\n\t"
	"mov $0xf, %eax\n\t"
	"mov %rax, %cr8\n\t"
	IPI(0x50, 0)
	"out %eax, $0xe0\n\t"
	"xor %r12, %r12\n\t"
	"xor %ebx, %ebx\n\t"
	"mov %rbx, %cr8\n\t"
	"mov $1, %r12\n\t"
	"mov $100000, %ecx\n\t"
	"1: dec %ecx\n\t"
	"jnz 1b\n\t"
	"out %eax, $0xe1\n\t");

static unsigned char *guest_mem;

static uint64_t count_of(unsigned int vector)
{
	return ((uint64_t *)(guest_mem + COUNT_GPA))[vector];
}

static void set_gate(unsigned char *mem, unsigned int vec, const unsigned char *stub)
{
	uint64_t off = HANDLERS_GPA + (uint64_t)(stub - handlers);
	uint64_t *gate = (uint64_t *)(mem + IDT_GPA + 16 * vec);

	gate[0] = (off & 0xffff) | ((uint64_t)CODE_SEL << 16) | (0x8eull << 40) |
		  ((off >> 16 & 0xffff) << 48);
	gate[1] = off >> 32;
}

/* x2APIC and TSC deadline in the vCPU's CPUID (KVM needs both in it). */
static void set_cpuid(struct test_vm *vm, struct test_vcpu *vcpu)
{
	static struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 entries[256];
	} c;
	unsigned int i;

	memset(&c, 0, sizeof(c));
	c.hdr.nent = 256;
	ASSERT_IOCTL_OK(vm->sys_fd, KVM_GET_SUPPORTED_CPUID, &c);
	for (i = 0; i < c.hdr.nent; i++)
		if (c.entries[i].function == 1)
			c.entries[i].ecx |= (1u << 21) | (1u << 24);
	ASSERT_IOCTL_OK(vcpu->fd, KVM_SET_CPUID2, &c);
}

static void setup_vcpu(struct test_vm *vm, struct test_vcpu *vcpu, unsigned long rounds)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	set_cpuid(vm, vcpu);
	ASSERT_IOCTL_OK(vcpu->fd, KVM_GET_SREGS, &sregs);
	sregs.idt.base = IDT_GPA;
	sregs.idt.limit = 256 * 16 - 1;
	ASSERT_IOCTL_OK(vcpu->fd, KVM_SET_SREGS, &sregs);
	ASSERT_IOCTL_OK(vcpu->fd, KVM_GET_REGS, &regs);
	regs.r9 = rounds;
	ASSERT_IOCTL_OK(vcpu->fd, KVM_SET_REGS, &regs);
}

/* A 64-bit guest on a VM with the in-kernel irqchip, the handlers in its IDT. */
static void start_guest(struct test_guest *g, const void *code, size_t len)
{
	vm_create_irqchip = true;
	guest_start_long_mode(g, MEM_SIZE, CODE_GPA, code, len);
	vm_create_irqchip = false;
	guest_mem = g->mem;
	memcpy(g->mem + HANDLERS_GPA, handlers, GUEST_CODE_SIZE(handlers));
	set_gate(g->mem, 0x40, h40);
	set_gate(g->mem, 0x41, h41);
	set_gate(g->mem, 0x42, h42);
	set_gate(g->mem, 0x50, h50);
	set_gate(g->mem, 0x51, h51);
	set_gate(g->mem, 0x61, h61);
	setup_vcpu(&g->vm, &g->vcpu, IPI_ROUNDS);
}

/* Where a vCPU stopped, with its APIC's ISR and IRR words of vectors 0x40-0x5f. */
static void vcpu_where(struct test_vcpu *vcpu, char *buf, size_t len)
{
	struct kvm_mp_state mp = { 0 };
	struct kvm_lapic_state l;
	uint32_t *r = (uint32_t *)l.regs;
	struct kvm_regs regs;

	ioctl(vcpu->fd, KVM_GET_REGS, &regs);
	ioctl(vcpu->fd, KVM_GET_LAPIC, &l);
	ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp);
	snprintf(buf, len, "RIP %llx RFLAGS %llx mp_state %u ISR %x IRR %x",
		 regs.rip, regs.rflags, mp.mp_state, r[0x120 / 4], r[0x220 / 4]);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * KVM_RUN to an OUT of 4 bytes to @port, failing after 20 s asleep. KVM
 * as L1 under QEMU's emulator once slept through the TSC deadline of
 * eoi_and_tsc_deadline (CI, 2026-11-27: ISR, IRR and TSC_DEADLINE 0, the
 * interrupt lost): there a wait that ends so skips, as an L0 flake. (CI,
 * 2026-11-29: again, in the libvirt tier, which did not say it was on
 * the emulator until l0_is_tcg() read /proc/cmdline.)
 */
static uint32_t run_out(const char *file, int line, struct test_vcpu *vcpu, int port)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	int ret;

	sigaction(SIGALRM, &sa, NULL);
	alarm(20);
	ret = ioctl(vcpu->fd, KVM_RUN, 0);
	alarm(0);
	if (ret && errno == EINTR && !dev_is_l1vmm() && l0_is_tcg())
		ktap_skip("KVM as L1 slept 20 s through its interrupt under QEMU's emulator (an L0 flake)");
	if (ret) {
		char at[160];
		struct {
			struct kvm_msrs h;
			struct kvm_msr_entry e[2];
		} m = { .h.nmsrs = 2, .e = { { .index = 0x10 }, { .index = 0x6e0 } } };
		int err = errno;

		vcpu_where(vcpu, at, sizeof(at));
		ioctl(vcpu->fd, KVM_GET_MSRS, &m);
		ktap_fail(file, line, "KVM_RUN: %s at %s, TSC %llx TSC_DEADLINE %llx",
			  ktap_errno_name(err), at, (unsigned long long)m.e[0].data,
			  (unsigned long long)m.e[1].data);
	}
	__assert_io_exit(file, line, vcpu, KVM_EXIT_IO_OUT, port, 4);
	return *(uint32_t *)vcpu_io_data(vcpu);
}

#define RUN_OUT(vcpu, port)	run_out(__FILE__, __LINE__, vcpu, port)

/* The fastpath's APIC writes on @vcpu so far; false where the device has no such count. */
static bool apic_writes(struct test_vcpu *vcpu, uint64_t *n, uint64_t *fast)
{
	return dev_is_l1vmm() && vcpu_stat(vcpu, "fastpath_apic_writes", n) &&
	       vcpu_stat(vcpu, "fastpath_exits", fast);
}

/*
 * On l1vmm: at least @want of @vcpu's APIC writes since @n0 went through
 * the fastpath, unless it has none (a CONFIG_L1VMM_FASTPATH=n build).
 */
static void check_fastpath(const char *file, int line, struct test_vcpu *vcpu, bool has,
			   uint64_t n0, uint64_t fast0, uint64_t want)
{
	uint64_t n, fast;

	if (!has || !apic_writes(vcpu, &n, &fast))
		return;
	if (fast == fast0 && n == n0)
		return;		/* built without the fastpath */
	if (n - n0 < want)
		ktap_fail(file, line, "fastpath_apic_writes went up by %llu, wanted %llu at least",
			  (unsigned long long)(n - n0), (unsigned long long)want);
}

/*
 * vCPU 1's KVM_RUN, on its own thread, without SIGALRM (the main thread's
 * watchdog); SIGUSR1 ends it (EINTR) when the main thread gives up.
 */
struct ap_run {
	struct test_vcpu *vcpu;
	int ret, err;
};

static void *ap_thread(void *arg)
{
	struct ap_run *a = arg;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	a->ret = ioctl(a->vcpu->fd, KVM_RUN, 0);
	a->err = errno;
	return NULL;
}

static void test_ipi_round_trips(void)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
	uint64_t n0 = 0, f0 = 0, an0 = 0, af0 = 0;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct test_guest g;
	struct test_vcpu ap;
	struct sigaction sa = { .sa_handler = on_alarm };
	struct ap_run a = { .vcpu = &ap };
	struct timespec until;
	char bsp_at[160], ap_at[160];
	bool has, ap_has, stuck;
	int ret;
	pthread_t t;

	start_guest(&g, ipi_bsp, GUEST_CODE_SIZE(ipi_bsp));
	memcpy(g.mem + AP_CODE_GPA, ipi_ap, GUEST_CODE_SIZE(ipi_ap));
	vcpu_create(&g.vm, 1, &ap);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
	sregs.apic_base = 0xfee00800;		/* not the BSP */
	ASSERT_IOCTL_OK(ap.fd, KVM_SET_SREGS, &sregs);
	setup_vcpu(&g.vm, &ap, IPI_ROUNDS);
	ASSERT_IOCTL_OK(ap.fd, KVM_GET_REGS, &regs);
	regs.rip = AP_CODE_GPA;
	regs.rsp = MEM_SIZE - 0x10000;
	regs.rflags = 2;
	ASSERT_IOCTL_OK(ap.fd, KVM_SET_REGS, &regs);
	ASSERT_IOCTL_OK(ap.fd, KVM_SET_MP_STATE, &mp);

	RUN_OUT(&ap, 0xe0);
	RUN_OUT(&g.vcpu, 0xe0);
	has = apic_writes(&g.vcpu, &n0, &f0);
	ap_has = apic_writes(&ap, &an0, &af0);
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	TEST_ASSERT(!pthread_create(&t, NULL, ap_thread, &a), "pthread_create");
	alarm(30);
	ret = ioctl(g.vcpu.fd, KVM_RUN, 0);
	alarm(0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 30;
	stuck = pthread_timedjoin_np(t, NULL, &until);
	if (stuck) {
		pthread_kill(t, SIGUSR1);
		pthread_join(t, NULL);
	}
	if (ret || stuck || a.ret) {
		vcpu_where(&g.vcpu, bsp_at, sizeof(bsp_at));
		vcpu_where(&ap, ap_at, sizeof(ap_at));
		TEST_FAIL("vCPU 0: KVM_RUN %s, at %s; vCPU 1: KVM_RUN %s%s, at %s; pings %llu, answers %llu",
			  ret ? ktap_errno_name(errno) : "returned", bsp_at,
			  stuck ? "stuck" : a.ret ? ktap_errno_name(a.err) : "returned",
			  stuck ? " (ended by a signal)" : "", ap_at,
			  (unsigned long long)count_of(0x40), (unsigned long long)count_of(0x41));
	}
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0xe1, 4);
	ASSERT_EQ(IPI_ROUNDS, *(uint32_t *)vcpu_io_data(&g.vcpu));
	ASSERT_IO_EXIT(&ap, KVM_EXIT_IO_OUT, 0xe1, 4);
	ASSERT_EQ(IPI_ROUNDS, *(uint32_t *)vcpu_io_data(&ap));
	/* vCPU 1 took every round's ping; vCPU 0 its answers, but for what L0 lost. */
	TEST_ASSERT(count_of(0x40) >= IPI_ROUNDS, "pings %llu for %u rounds",
		    (unsigned long long)count_of(0x40), IPI_ROUNDS);
	if (count_of(0x40) != IPI_ROUNDS || count_of(0x41) != IPI_ROUNDS)
		ktap_info("pings %llu, answers %llu for %u rounds, %llu pings sent again",
			  (unsigned long long)count_of(0x40), (unsigned long long)count_of(0x41),
			  IPI_ROUNDS, (unsigned long long)*(uint64_t *)(g.mem + RESENT_GPA));
	/* vCPU 1: an ICR write and an EOI per round; vCPU 0 an ICR write at least. */
	check_fastpath(__FILE__, __LINE__, &g.vcpu, has, n0, f0, IPI_ROUNDS);
	check_fastpath(__FILE__, __LINE__, &ap, ap_has, an0, af0, 2 * IPI_ROUNDS);
	vcpu_close(&ap);
	guest_stop(&g);
}

static void test_eoi_and_tsc_deadline(void)
{
	uint8_t *log, *r12;
	uint64_t n0 = 0, f0 = 0;
	struct test_guest g;
	bool has;

	start_guest(&g, eoi_timer, GUEST_CODE_SIZE(eoi_timer));
	log = g.mem + LOG_GPA;
	r12 = g.mem + LOG_R12_GPA;
	has = apic_writes(&g.vcpu, &n0, &f0);
	RUN_OUT(&g.vcpu, 0xe0);
	ASSERT_EQ(2, *(uint64_t *)(g.mem + LOG_IDX_GPA));
	ASSERT_EQ(0x61, log[0]);
	ASSERT_EQ(0x51, log[1]);
	RUN_OUT(&g.vcpu, 0xe1);
	/* Armed for "now": taken right after the WRMSR, before R12 became 1. */
	ASSERT_EQ(3, *(uint64_t *)(g.mem + LOG_IDX_GPA));
	ASSERT_EQ(0x42, log[2]);
	ASSERT_EQ(0, r12[2]);
	RUN_OUT(&g.vcpu, 0xe2);
	ASSERT_EQ(2, count_of(0x42));
	/* 2 self IPIs, 4 EOIs, 2 TSC deadlines. */
	check_fastpath(__FILE__, __LINE__, &g.vcpu, has, n0, f0, 8);
	guest_stop(&g);
}

static void test_cr8_lowers_tpr(void)
{
	struct kvm_lapic_state l;
	uint32_t *r = (uint32_t *)l.regs;
	struct test_guest g;

	start_guest(&g, cr8_guest, GUEST_CODE_SIZE(cr8_guest));
	RUN_OUT(&g.vcpu, 0xe0);
	/* 0x50 waits in the IRR below the TPR. */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_LAPIC, &l);
	ASSERT_EQ(0xf0, r[0x80 / 4]);
	ASSERT_EQ(1u << (0x50 % 32), r[(0x200 + 0x10 * (0x50 / 32)) / 4]);
	ASSERT_EQ(0, count_of(0x50));
	RUN_OUT(&g.vcpu, 0xe1);
	ASSERT_EQ(1, *(uint64_t *)(g.mem + LOG_IDX_GPA));
	ASSERT_EQ(0x50, g.mem[LOG_GPA]);
	ASSERT_EQ(0, g.mem[LOG_R12_GPA]);
	guest_stop(&g);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_ipi_round_trips),
	KTAP_CASE(test_eoi_and_tsc_deadline),
	KTAP_CASE(test_cr8_lowers_tpr),
};

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	return ktap_run(dev_is_l1vmm() ? "apic_fastpath" : "apic_fastpath@kvm", tests,
			KTAP_ARRAY_SIZE(tests));
}
