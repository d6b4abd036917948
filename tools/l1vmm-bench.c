// SPDX-License-Identifier: GPL-2.0-only
/*
 * l1vmm-bench: the cost of one L2 exit round trip, per exit kind, through
 * the KVM ABI, so that the same binary measures l1vmm and KVM.
 *
 *   l1vmm-bench [-n COUNT] [-c CONDITIONS] [-o FILE.csv]   measure dev_path()
 *   l1vmm-bench -C A.csv B.csv                             A and B side by side
 *
 * The device is $L1VMM_DEV (default /dev/l1vmm; /dev/kvm for KVM). A 64-bit
 * L2 guest loops COUNT times over one exit kind and times each round trip
 * with RDTSC in the guest, into guest memory; this program then reports
 * count, median, min and max cycles per round trip. Under QEMU with
 * -icount shift=0 the guest TSC advances by one per executed instruction,
 * so the figures are instructions per round trip, the same on every run.
 *
 * Per round trip it also reports, from the vCPU statistics (where the
 * device has them): exits, the instructions l1vmm executed that L0
 * always intercepts and that L0 intercepts unless it virtualizes them,
 * and on VMX the VMREADs and VMWRITEs of fields L0 does not shadow
 * (doc/performance.md).
 *
 * The hypercall is the CPU's own: VMCALL on Intel, VMMCALL on AMD. Every
 * row runs in a child process of its own, in a VM of its own: a row the
 * device cannot run (a failed assertion, an unexpected exit, no answer
 * within ROW_TIMEOUT_S) is reported as failed, and the others still run.
 *
 * Every kind runs in the benchmark's guest configuration (a CPUID table,
 * CR4.OSXSAVE set, the host's XCR0); the fastpath kinds run again in a
 * fresh VM for each of the other configurations in configs[], in rows
 * named KIND@CONFIG, COUNT / 4 times each (the figures do not vary under
 * -icount).
 *
 * Then guest memory (issue 19), rows named after what they measure, in
 * TSC ticks (instructions under -icount) per operation: creating and
 * deleting a slot of 64 MiB, 1 GiB and 4 GiB of memory that is not there
 * yet (slot_create_64M ...), a guest's first touch of a 4 KiB page
 * (touch_4K: 4 x 256 pages of small-page memory) and of a 2 MiB page
 * (touch_2M: 4 x 4 pages of MADV_HUGEPAGE memory), the same for memory
 * user space wrote first (..._populated: the hypervisor's part alone,
 * without the host's allocation and zeroing), and the memory a 4 GiB
 * guest that touched 16 MiB holds while idle (idle4G_16M_kB: kB, from a
 * memory cgroup of its own: guest pages, tables, the VM's structures).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <x86intrin.h>
#include <cpuid.h>

#include "kvm_vm.h"

#define MEM_SIZE	(4ul << 20)
#define CODE_GPA	0x10000
#define BUF_GPA		0x100000
#define MMIO_GPA	0x800000	/* past memory, inside the identity map */
#define DONE_PORT	0xf4
#define IO_PORT		0x80
#define MSR_PAT		0x277
#define WARMUP		20
#define MAX_COUNT	(((MEM_SIZE - BUF_GPA) / 8) - 1)

/*
 * Every loop: R8 the buffer, R9 the count. The TSC is read before and
 * after the exit, fenced; the difference goes to the buffer. Set-up before
 * the loop is not measured.
 */
#define TSC_TO(reg)			\
	"lfence\n\t"			\
	"rdtsc\n\t"			\
	"lfence\n\t"			\
	"shl $32, %rdx\n\t"		\
	"or %rax, %rdx\n\t"		\
	"mov %rdx, " reg "\n\t"
#define LOOP_HEAD			\
	"1:\n\t"			\
	TSC_TO("%r10")
#define LOOP_TAIL			\
	TSC_TO("%r11")			\
	"sub %r10, %r11\n\t"		\
	"mov %r11, (%r8)\n\t"		\
	"add $8, %r8\n\t"		\
	"dec %r9\n\t"			\
	"jnz 1b\n\t"			\
	"out %al, $0xf4\n\t"		\
	"hlt\n\t"

GUEST_CODE(loop_baseline, ".code64",
	LOOP_HEAD
	"nop\n\t"
	LOOP_TAIL);
GUEST_CODE(loop_cpuid, ".code64",
	LOOP_HEAD
	"xor %eax, %eax\n\t"
	"xor %ecx, %ecx\n\t"
	"cpuid\n\t"
	LOOP_TAIL);
GUEST_CODE(loop_hypercall, ".code64",
	LOOP_HEAD
	"xor %eax, %eax\n\t"
	"vmmcall\n\t"
	LOOP_TAIL);
GUEST_CODE(loop_vmcall, ".code64",
	LOOP_HEAD
	"xor %eax, %eax\n\t"
	"vmcall\n\t"
	LOOP_TAIL);
GUEST_CODE(loop_xsetbv, ".code64",
	"xor %ecx, %ecx\n\t"
	"xgetbv\n\t"
	"mov %eax, %r12d\n\t"
	"mov %edx, %r13d\n\t"
	LOOP_HEAD
	"mov %r12d, %eax\n\t"
	"mov %r13d, %edx\n\t"
	"xor %ecx, %ecx\n\t"
	"xsetbv\n\t"
	LOOP_TAIL);
GUEST_CODE(loop_rdmsr, ".code64",
	LOOP_HEAD
	"mov $0x277, %ecx\n\t"
	"rdmsr\n\t"
	LOOP_TAIL);
GUEST_CODE(loop_wrmsr, ".code64",
	"mov $0x277, %ecx\n\t"
	"rdmsr\n\t"
	"mov %eax, %r12d\n\t"
	"mov %edx, %r13d\n\t"
	LOOP_HEAD
	"mov $0x277, %ecx\n\t"
	"mov %r12d, %eax\n\t"
	"mov %r13d, %edx\n\t"
	"wrmsr\n\t"
	LOOP_TAIL);
GUEST_CODE(loop_io, ".code64",
	LOOP_HEAD
	"out %al, $0x80\n\t"
	LOOP_TAIL);
GUEST_CODE(loop_mmio, ".code64",
	"mov $0x800000, %r12\n\t"
	LOOP_HEAD
	"mov %eax, (%r12)\n\t"
	LOOP_TAIL);
GUEST_CODE(loop_hlt, ".code64",
	LOOP_HEAD
	"hlt\n\t"
	LOOP_TAIL);

/*
 * The in-kernel APIC (issue 20), 64-bit guests in x2APIC mode on a VM with
 * KVM_CREATE_IRQCHIP: ipi_rt, vCPU 0 sends a fixed IPI (vector 0x40) to
 * vCPU 1 and sleeps in HLT until vCPU 1's handler answers with one back
 * (0x41; both EOI through the x2APIC MSR); timer, the TSC deadline
 * written with the TSC read at the start (due at once) until its handler
 * (0x42) ran and returned. Handlers count their vector at COUNTS_GPA.
 */
#define IDT_GPA		0x6000
#define COUNTS_GPA	0x7000
#define HANDLERS_GPA	0x8000
#define AP_CODE_GPA	0x20000
#define AP_READY_GPA	0x7f00

#define X2APIC_ON			\
	"mov $0x1b, %ecx\n\t"		\
	"rdmsr\n\t"			\
	"or $0xc00, %eax\n\t"		\
	"wrmsr\n\t"			\
	"mov $0x80f, %ecx\n\t"		\
	"mov $0x1ff, %eax\n\t"		\
	"xor %edx, %edx\n\t"		\
	"wrmsr\n\t"

#define APIC_STUB(v)	"a" #v ": push %rax\n\tmov $0x" #v ", %eax\n\tjmp apic_common\n\t"
GUEST_CODE(apic_handlers, ".code64",
	APIC_STUB(40) APIC_STUB(41) APIC_STUB(42)
	"apic_common: push %rcx\n\t"
	"push %rdx\n\t"
	"incq 0x7000(,%rax,8)\n\t"
	"cmp $0x40, %eax\n\t"
	"jne 1f\n\t"
	"mov $0x830, %ecx\n\t"	/* the answer: 0x41 to x2APIC ID 0 */
	"mov $0x41, %eax\n\t"
	"xor %edx, %edx\n\t"
	"wrmsr\n\t"
	"1: mov $0x80b, %ecx\n\t"	/* EOI */
	"xor %eax, %eax\n\t"
	"xor %edx, %edx\n\t"
	"wrmsr\n\t"
	"pop %rdx\n\t"
	"pop %rcx\n\t"
	"pop %rax\n\t"
	"iretq\n\t");
GUEST_LABEL(a40); GUEST_LABEL(a41); GUEST_LABEL(a42);

GUEST_CODE(loop_ipi_rt, ".code64",
	X2APIC_ON
	"sti\n\t"
	"mov 0x7208, %r13\n\t"		/* answers so far: COUNTS_GPA + 8 * 0x41 */
	LOOP_HEAD
	"inc %r13\n\t"
	"cli\n\t"
	"mov $0x830, %ecx\n\t"
	"mov $0x40, %eax\n\t"
	"mov $1, %edx\n\t"
	"wrmsr\n\t"
	"2: cmp %r13, 0x7208\n\t"
	"jae 3f\n\t"
	"sti\n\t"
	"hlt\n\t"
	"cli\n\t"
	"jmp 2b\n\t"
	"3: sti\n\t"
	LOOP_TAIL);
GUEST_CODE(loop_ap, ".code64",
	X2APIC_ON
	"sti\n\t"
	"movq $1, 0x7f00\n\t"		/* AP_READY_GPA */
	"1: hlt\n\t"
	"jmp 1b\n\t");
GUEST_CODE(loop_timer, ".code64",
	X2APIC_ON
	"mov $0x832, %ecx\n\t"		/* LVTT: 0x42, TSC-deadline mode */
	"mov $0x40042, %eax\n\t"
	"xor %edx, %edx\n\t"
	"wrmsr\n\t"
	"sti\n\t"
	LOOP_HEAD
	"mov 0x7210, %r13\n\t"		/* COUNTS_GPA + 8 * 0x42 */
	"mov %r10, %rax\n\t"
	"mov %r10, %rdx\n\t"
	"shr $32, %rdx\n\t"
	"mov $0x6e0, %ecx\n\t"
	"wrmsr\n\t"
	"2: cli\n\t"
	"cmp %r13, 0x7210\n\t"
	"ja 3f\n\t"
	"sti\n\t"
	"hlt\n\t"
	"jmp 2b\n\t"
	"3: sti\n\t"
	LOOP_TAIL);

struct kind {
	const char *name;
	const unsigned char *code, *end;
	bool fast;		/* a fastpath exit: run in every configuration */
	bool xsave;		/* needs CR4.OSXSAVE */
};

#define KIND(n, f, x)	{ #n, loop_##n, loop_##n##_end, f, x }
static struct kind kinds[] = {
	KIND(cpuid, true, false), KIND(hypercall, true, false), KIND(xsetbv, true, true),
	KIND(rdmsr, true, false), KIND(wrmsr, true, false), KIND(io, false, false),
	KIND(mmio, false, false), KIND(hlt, false, false), KIND(baseline, false, false),
};
#define NR_KINDS	KTAP_ARRAY_SIZE(kinds)

/* The guest's XCR0 in a configuration. */
enum xcr0_choice {
	XCR0_RESET,		/* untouched: x87 alone, as after RESET */
	XCR0_HOST,		/* the host's (x87|SSE|AVX if that is refused) */
	XCR0_FPSSE,		/* x87|SSE: differs from any host's with AVX */
};

/*
 * The guest configurations: whether user space set a CPUID table
 * (KVM_SET_CPUID2, the supported one), the guest's CR4.OSXSAVE, its XCR0.
 * The first is the benchmark's, for every kind; its rows carry the bare
 * kind name. Without a CPUID table neither device takes CR4.OSXSAVE or
 * an XCR0 other than x87.
 */
struct config {
	const char *name;
	const char *what;
	bool cpuid, osxsave;
	enum xcr0_choice xcr0;
};

static const struct config configs[] = {
	{ "", "CPUID table, CR4.OSXSAVE=1, XCR0=host's", true, true, XCR0_HOST },
	{ "xcr0sse", "CPUID table, CR4.OSXSAVE=1, XCR0=x87|SSE", true, true, XCR0_FPSSE },
	{ "noosx", "CPUID table, CR4.OSXSAVE=0, XCR0=x87 (reset)", true, false, XCR0_RESET },
	{ "noosxh", "CPUID table, CR4.OSXSAVE=0, XCR0=host's", true, false, XCR0_HOST },
	{ "nocpuid", "no CPUID table, CR4.OSXSAVE=0, XCR0=x87 (reset)", false, false, XCR0_RESET },
};
#define NR_CONFIGS	KTAP_ARRAY_SIZE(configs)
#define MEM_ROWS	11
#define APIC_ROWS	2
#define MAX_ROWS	(NR_KINDS * NR_CONFIGS + MEM_ROWS + APIC_ROWS)

/* What the device counts per vCPU, in the table's column order. */
enum bench_stat {
	STAT_EXITS, STAT_ALWAYS, STAT_COND, STAT_UNSHADOWED,
	STAT_L1D_FLUSH,		/* KVM counts its L1D flushes too: shown for both */
	NR_STATS
};

/* l1vmm's names; KVM has "exits" and "l1d_flush" too. */
static const char *const stat_names[NR_STATS] = {
	[STAT_EXITS] = "exits",
	[STAT_ALWAYS] = "l1_intercepted_always",
	[STAT_COND] = "l1_intercepted_cond",
	[STAT_UNSHADOWED] = "l1_vmcs_unshadowed",
	[STAT_L1D_FLUSH] = "l1d_flush",
};

/*
 * Guest seconds one row may take (under -icount and in Bochs, guest time
 * follows the instructions executed): far more than any row needs.
 */
#define ROW_TIMEOUT_S	30

struct result {
	char kind[32];		/* KIND, or KIND@CONFIG */
	unsigned long count;	/* 0: the row failed */
	unsigned long long median, min, max;
	double per_rt[NR_STATS];	/* < 0: the device has no such statistic */
};

static int cmp_u64(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* Run the loop at CODE_GPA @count times; user space completes every exit. */
static void run_loop(struct test_guest *g, unsigned long count)
{
	struct kvm_regs regs;
	unsigned int reason;

	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_GET_REGS, &regs);
	regs.rip = CODE_GPA;
	regs.r8 = BUF_GPA;
	regs.r9 = count;
	regs.rflags = 2;
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_SET_REGS, &regs);
	for (;;) {
		reason = vcpu_run(&g->vcpu);
		if (reason == KVM_EXIT_IO && g->vcpu.run->io.port == DONE_PORT)
			return;
		if ((reason == KVM_EXIT_IO && g->vcpu.run->io.port == IO_PORT) ||
		    reason == KVM_EXIT_MMIO || reason == KVM_EXIT_HLT)
			continue;
		TEST_FAIL("unexpected exit %s", exit_reason_name(reason));
	}
}

static void measure(struct test_guest *g, const struct config *cfg, const struct kind *k,
		    unsigned long count, struct result *r)
{
	uint64_t before[NR_STATS], after[NR_STATS];
	bool has[NR_STATS];
	unsigned long long *t = (unsigned long long *)(g->mem + BUF_GPA);
	unsigned int i;

	memcpy(g->mem + CODE_GPA, k->code, k->end - k->code);
	run_loop(g, WARMUP);
	for (i = 0; i < NR_STATS; i++)
		has[i] = vcpu_stat(&g->vcpu, stat_names[i], &before[i]);
	run_loop(g, count);
	for (i = 0; i < NR_STATS; i++) {
		has[i] = has[i] && vcpu_stat(&g->vcpu, stat_names[i], &after[i]);
		/* Each count includes the loop's final OUT exit. */
		r->per_rt[i] = has[i] ? (double)(after[i] - before[i]) / count : -1;
	}
	qsort(t, count, sizeof(*t), cmp_u64);
	snprintf(r->kind, sizeof(r->kind), "%s%s%s", k->name, cfg->name[0] ? "@" : "", cfg->name);
	r->count = count;
	r->min = t[0];
	r->max = t[count - 1];
	r->median = t[count / 2];
}

/*
 * A VM in configuration @cfg; false (nothing started) when this host
 * cannot give it: no XSAVE here, and it needs CR4.OSXSAVE or an XCR0.
 */
static bool setup(struct test_guest *g, const struct config *cfg)
{
	if (!host_xcr0() && (cfg->osxsave || cfg->xcr0 != XCR0_RESET) && cfg != &configs[0])
		return false;
	guest_start_long_mode(g, MEM_SIZE, CODE_GPA, loop_baseline, GUEST_CODE_SIZE(loop_baseline));
	if (cfg->cpuid)
		guest_set_supported_cpuid(g);
	if (!host_xcr0())
		return true;
	/* XSETBV needs CR4.OSXSAVE; the XCR0 set does not. */
	if (cfg->osxsave)
		vcpu_set_cr4_bits(&g->vcpu, CR4_OSXSAVE);
	if (cfg->xcr0 == XCR0_HOST && vcpu_set_xcr(&g->vcpu, 0, host_xcr0()))
		ASSERT_EQ(0, vcpu_set_xcr(&g->vcpu, 0, XF_FPSSE | XF_YMM));
	if (cfg->xcr0 == XCR0_FPSSE)
		ASSERT_EQ(0, vcpu_set_xcr(&g->vcpu, 0, XF_FPSSE));
	return true;
}

/*
 * Run @fn(@arg, @res) in a child, in a VM of its own, with ROW_TIMEOUT_S
 * to finish: it fills rows from @res on (shared memory) and returns how
 * many. A child that fails leaves one row @name with count 0, which the
 * table shows as failed; the reason is on stderr.
 */
static unsigned int in_child(const char *name, unsigned int (*fn)(const void *, struct result *),
			     const void *arg, struct result *res)
{
	static unsigned int *rows;
	unsigned int i;
	int status;
	pid_t pid;

	if (!rows) {
		rows = mmap(NULL, sizeof(*rows), PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		TEST_ASSERT(rows != MAP_FAILED, "mmap");
	}
	fflush(NULL);
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		alarm(ROW_TIMEOUT_S);
		*rows = fn(arg, res);
		_exit(0);
	}
	TEST_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid");
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return *rows;
	if (WIFSIGNALED(status))
		fprintf(stderr, "l1vmm-bench: %s: %s failed: signal %d%s\n", dev_path(), name,
			WTERMSIG(status), WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
	else
		fprintf(stderr, "l1vmm-bench: %s: %s failed: exit code %d\n", dev_path(), name,
			WEXITSTATUS(status));
	memset(res, 0, sizeof(*res));
	snprintf(res->kind, sizeof(res->kind), "%s", name);
	for (i = 0; i < NR_STATS; i++)
		res->per_rt[i] = -1;
	return 1;
}

struct row {
	const struct config *cfg;
	const struct kind *kind;
	unsigned long count;
};

/* One exit kind in one configuration, in a fresh VM. */
static unsigned int measure_row(const void *arg, struct result *res)
{
	const struct row *row = arg;
	struct test_guest g;

	if (!setup(&g, row->cfg))
		return 0;
	measure(&g, row->cfg, row->kind, row->count, res);
	guest_stop(&g);
	return 1;
}

/* Every kind in the first configuration, the fastpath's in the others. */
static unsigned int measure_all(unsigned long count, struct result *res)
{
	unsigned long n_cfg = count / 4 ? count / 4 : 1;
	unsigned int c, i, n = 0;

	for (c = 0; c < NR_CONFIGS; c++) {
		const struct config *cfg = &configs[c];

		for (i = 0; i < NR_KINDS; i++) {
			struct row row = { cfg, &kinds[i], c ? n_cfg : count };
			char name[32];

			if (c && (!kinds[i].fast || (kinds[i].xsave && !cfg->osxsave)))
				continue;
			snprintf(name, sizeof(name), "%s%s%s", kinds[i].name, c ? "@" : "",
				 cfg->name);
			n += in_child(name, measure_row, &row, &res[n]);
		}
	}
	return n;
}

/* --- the in-kernel APIC ------------------------------------------------------ */

static void set_gate(unsigned char *mem, unsigned int vec, const unsigned char *stub)
{
	uint64_t off = HANDLERS_GPA + (uint64_t)(stub - apic_handlers);
	uint64_t *gate = (uint64_t *)(mem + IDT_GPA + 16 * vec);

	gate[0] = (off & 0xffff) | (0x08ull << 16) | (0x8eull << 40) | ((off >> 16 & 0xffff) << 48);
	gate[1] = off >> 32;
}

/* The supported CPUID with x2APIC and TSC deadline, and the IDT. */
static void apic_vcpu(struct test_vm *vm, struct test_vcpu *vcpu)
{
	static struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 entries[256];
	} c;
	struct kvm_sregs sregs;
	unsigned int i;

	memset(&c, 0, sizeof(c));
	c.hdr.nent = 256;
	ASSERT_IOCTL_OK(vm->sys_fd, KVM_GET_SUPPORTED_CPUID, &c);
	for (i = 0; i < c.hdr.nent; i++)
		if (c.entries[i].function == 1)
			c.entries[i].ecx |= (1u << 21) | (1u << 24);
	ASSERT_IOCTL_OK(vcpu->fd, KVM_SET_CPUID2, &c);
	ASSERT_IOCTL_OK(vcpu->fd, KVM_GET_SREGS, &sregs);
	sregs.idt.base = IDT_GPA;
	sregs.idt.limit = 256 * 16 - 1;
	ASSERT_IOCTL_OK(vcpu->fd, KVM_SET_SREGS, &sregs);
}

static void apic_guest(struct test_guest *g)
{
	vm_create_irqchip = true;
	guest_start_long_mode(g, MEM_SIZE, CODE_GPA, loop_baseline, GUEST_CODE_SIZE(loop_baseline));
	vm_create_irqchip = false;
	memcpy(g->mem + HANDLERS_GPA, apic_handlers, GUEST_CODE_SIZE(apic_handlers));
	set_gate(g->mem, 0x40, a40);
	set_gate(g->mem, 0x41, a41);
	set_gate(g->mem, 0x42, a42);
	apic_vcpu(&g->vm, &g->vcpu);
}

static void on_usr1(int sig)
{
	(void)sig;
}

/* vCPU 1 answers pings until a signal ends its KVM_RUN. */
static void *ap_run(void *arg)
{
	struct test_vcpu *ap = arg;

	ioctl(ap->fd, KVM_RUN, 0);
	return NULL;
}

static unsigned int measure_timer(const void *arg, struct result *res)
{
	static const struct kind timer = { "timer", loop_timer, loop_timer_end, false, false };
	struct test_guest g;

	apic_guest(&g);
	measure(&g, &configs[0], &timer, *(const unsigned long *)arg, res);
	guest_stop(&g);
	return 1;
}

static unsigned int measure_ipi_rt(const void *arg, struct result *res)
{
	static const struct kind ipi_rt = { "ipi_rt", loop_ipi_rt, loop_ipi_rt_end, false, false };
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct test_guest g;
	struct test_vcpu ap;
	pthread_t t;

	apic_guest(&g);
	memcpy(g.mem + AP_CODE_GPA, loop_ap, GUEST_CODE_SIZE(loop_ap));
	vcpu_create(&g.vm, 1, &ap);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
	sregs.apic_base = 0xfee00800;		/* not the BSP */
	ASSERT_IOCTL_OK(ap.fd, KVM_SET_SREGS, &sregs);
	apic_vcpu(&g.vm, &ap);
	ASSERT_IOCTL_OK(ap.fd, KVM_GET_REGS, &regs);
	regs.rip = AP_CODE_GPA;
	regs.rsp = MEM_SIZE - 0x10000;
	regs.rflags = 2;
	ASSERT_IOCTL_OK(ap.fd, KVM_SET_REGS, &regs);
	ASSERT_IOCTL_OK(ap.fd, KVM_SET_MP_STATE, &mp);
	sigaction(SIGUSR1, &sa, NULL);
	TEST_ASSERT(!pthread_create(&t, NULL, ap_run, &ap), "pthread_create");
	/* Its APIC on before the first IPI, which a disabled APIC drops. */
	while (!__atomic_load_n((uint64_t *)(g.mem + AP_READY_GPA), __ATOMIC_ACQUIRE))
		usleep(1000);
	measure(&g, &configs[0], &ipi_rt, *(const unsigned long *)arg, res);
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	vcpu_close(&ap);
	guest_stop(&g);
	return 1;
}

static unsigned int measure_apic(unsigned long count, struct result *res)
{
	unsigned int n = 0;

	n += in_child("timer", measure_timer, &count, &res[n]);
	n += in_child("ipi_rt", measure_ipi_rt, &count, &res[n]);
	return n;
}

/* --- guest memory -------------------------------------------------------------- */

#define MIB		(1ull << 20)
#define GIB		(1ull << 30)
#define TOUCH_GPA	(256 * MIB)	/* slot 1, inside the identity map */
#define TOUCH_PORT	0x81
#define MEM_REPS	4

/* Touch RCX bytes from RDI on, RDX apart; then OUT TOUCH_PORT. */
GUEST_CODE(touch_code, ".code64",
	"1: movb $1, (%rdi)\n\t"
	"add %rdx, %rdi\n\t"
	"dec %rcx\n\t"
	"jnz 1b\n\t"
	"out %al, $0x81\n\t"
	"hlt");

/* @size bytes at an @align boundary; munmap(*@base, @size + @align) after. */
static void *bench_map(uint64_t size, uint64_t align, int advice, void **base)
{
	unsigned char *p = mmap(NULL, size + align, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	TEST_ASSERT(p != MAP_FAILED, "mmap %llu bytes", (unsigned long long)size);
	*base = p;
	p = (unsigned char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	if (advice >= 0)
		madvise(p, size, advice);
	return p;
}

static void set_row(struct result *r, const char *kind, unsigned long long *t, unsigned long n)
{
	unsigned int i;

	qsort(t, n, sizeof(*t), cmp_u64);
	snprintf(r->kind, sizeof(r->kind), "%s", kind);
	r->count = n;
	r->min = t[0];
	r->max = t[n - 1];
	r->median = t[n / 2];
	for (i = 0; i < NR_STATS; i++)
		r->per_rt[i] = -1;
}

/* Create and delete a slot of @size, @reps times each. */
static unsigned int measure_slot(struct result *res, uint64_t size, const char *name)
{
	unsigned long long create[MEM_REPS], del[MEM_REPS];
	void *base, *mem = bench_map(size, 4096, -1, &base);
	char kind[32];
	struct test_vm vm;
	unsigned int i;

	vm_create(&vm);
	for (i = 0; i < MEM_REPS; i++) {
		unsigned long long t0, t1, t2;

		t0 = __rdtsc();
		ASSERT_EQ(0, vm_set_region(&vm, 1, 4 * GIB, size, (uintptr_t)mem, 0));
		t1 = __rdtsc();
		ASSERT_EQ(0, vm_set_region(&vm, 1, 0, 0, 0, 0));
		t2 = __rdtsc();
		create[i] = t1 - t0;
		del[i] = t2 - t1;
	}
	vm_close(&vm);
	munmap(base, size + 4096);
	snprintf(kind, sizeof(kind), "slot_create_%s", name);
	set_row(&res[0], kind, create, MEM_REPS);
	snprintf(kind, sizeof(kind), "slot_delete_%s", name);
	set_row(&res[1], kind, del, MEM_REPS);
	return 2;
}

/*
 * The guest touches @pages pages of @page bytes in a fresh slot, @reps
 * times; the row is the cost per page, KVM_RUN's own entry and exit
 * spread over them. @populate: user space writes the memory first.
 */
static unsigned int measure_touch(struct result *res, uint64_t page, unsigned int pages,
				  bool populate, const char *kind)
{
	uint64_t size = page * pages;
	unsigned long long t[MEM_REPS];
	struct test_guest g;
	unsigned int i;

	guest_start_long_mode(&g, 2 * MIB, CODE_GPA, touch_code, GUEST_CODE_SIZE(touch_code));
	for (i = 0; i < MEM_REPS; i++) {
		void *base, *mem = bench_map(size, 2 * MIB,
					     page > 4096 ? MADV_HUGEPAGE : MADV_NOHUGEPAGE, &base);
		unsigned long long t0;
		struct kvm_regs regs;

		if (populate)
			memset(mem, 2, size);
		ASSERT_EQ(0, vm_set_region(&g.vm, 1, TOUCH_GPA, size, (uintptr_t)mem, 0));
		ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
		regs.rip = CODE_GPA;
		regs.rdi = TOUCH_GPA;
		regs.rcx = pages;
		regs.rdx = page;
		ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);
		t0 = __rdtsc();
		ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
		t[i] = (__rdtsc() - t0) / pages;
		ASSERT_EQ(TOUCH_PORT, g.vcpu.run->io.port);
		ASSERT_EQ(0, vm_set_region(&g.vm, 1, 0, 0, 0, 0));
		munmap(base, size + 2 * MIB);
	}
	guest_stop(&g);
	set_row(res, kind, t, MEM_REPS);
	return 1;
}

/*
 * In a child in a memory cgroup of its own: what a 4 GiB guest that
 * touched 16 MiB holds, idle. Returns the kB, or -1 (no cgroup).
 */
static long idle_guest_kb(void)
{
	int fds[2];
	long kb = -1;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (!pid) {
		struct test_guest g;
		struct kvm_regs regs;
		long before;

		memcg_enter("l1vmm-bench");
		before = memcg_current_kb();
		guest_start_long_mode(&g, 4 * GIB, CODE_GPA, touch_code,
				      GUEST_CODE_SIZE(touch_code));
		ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
		regs.rdi = 16 * MIB;
		regs.rcx = 16 * MIB / 4096;
		regs.rdx = 4096;
		ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);
		ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
		kb = memcg_current_kb() - before;
		if (write(fds[1], &kb, sizeof(kb)) != sizeof(kb))
			_exit(1);
		guest_stop(&g);
		_exit(0);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], &kb, sizeof(kb)) != sizeof(kb))
		kb = -1;
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return kb;
}

struct slot_arg {
	uint64_t size;
	const char *name;
};

static unsigned int slot_rows(const void *arg, struct result *res)
{
	const struct slot_arg *a = arg;

	return measure_slot(res, a->size, a->name);
}

struct touch_arg {
	uint64_t page;
	unsigned int pages;
	bool populate;
	const char *kind;
};

static unsigned int touch_row(const void *arg, struct result *res)
{
	const struct touch_arg *a = arg;

	return measure_touch(res, a->page, a->pages, a->populate, a->kind);
}

static unsigned int idle_row(const void *arg, struct result *res)
{
	long kb = idle_guest_kb();
	unsigned long long v = kb;

	(void)arg;
	if (kb < 0)
		return 0;
	set_row(res, "idle4G_16M_kB", &v, 1);
	return 1;
}

static unsigned int measure_memory(struct result *res)
{
	static const struct slot_arg slots[] = {
		{ 64 * MIB, "64M" }, { GIB, "1G" }, { 4 * GIB, "4G" },
	};
	static const struct touch_arg touches[] = {
		{ 4096, 256, false, "touch_4K" },
		{ 2 * MIB, 4, false, "touch_2M" },
		{ 4096, 256, true, "touch_4K_populated" },
		{ 2 * MIB, 4, true, "touch_2M_populated" },
	};
	unsigned int i, n = 0;
	char name[32];

	for (i = 0; i < KTAP_ARRAY_SIZE(slots); i++) {
		snprintf(name, sizeof(name), "slot_%s", slots[i].name);
		n += in_child(name, slot_rows, &slots[i], &res[n]);
	}
	for (i = 0; i < KTAP_ARRAY_SIZE(touches); i++)
		n += in_child(touches[i].kind, touch_row, &touches[i], &res[n]);
	n += in_child("idle4G_16M_kB", idle_row, NULL, &res[n]);
	return n;
}

static void write_csv(FILE *f, const char *conditions, const struct result *res, unsigned int n)
{
	unsigned int i, j;

	fprintf(f, "# device=%s %s\n", dev_path(), conditions);
	fprintf(f, "kind,count,median,min,max");
	for (j = 0; j < NR_STATS; j++)
		fprintf(f, ",%s_per_rt", stat_names[j]);
	fprintf(f, "\n");
	for (i = 0; i < n; i++) {
		fprintf(f, "%s,%lu,%llu,%llu,%llu", res[i].kind, res[i].count, res[i].median,
			res[i].min, res[i].max);
		for (j = 0; j < NR_STATS; j++) {
			if (res[i].per_rt[j] < 0)
				fprintf(f, ",");
			else
				fprintf(f, ",%.2f", res[i].per_rt[j]);
		}
		fprintf(f, "\n");
	}
}

/* --- side by side ------------------------------------------------------------ */

struct table {
	char header[512];
	struct result r[MAX_ROWS];
	unsigned int n;
};

static void read_csv(const char *path, struct table *t)
{
	char line[512];
	FILE *f = fopen(path, "r");

	TEST_ASSERT(f, "cannot open %s", path);
	t->n = 0;
	t->header[0] = 0;
	while (fgets(line, sizeof(line), f) && t->n < MAX_ROWS) {
		struct result *r = &t->r[t->n];
		unsigned int col = 0;
		char *p = line;

		line[strcspn(line, "\n")] = 0;
		if (line[0] == '#') {
			snprintf(t->header, sizeof(t->header), "%s", line + 2);
			continue;
		}
		if (sscanf(line, "%31[^,],%lu,%llu,%llu,%llu", r->kind, &r->count, &r->median,
			   &r->min, &r->max) != 5)
			continue;	/* the column names */
		/* The statistics: an empty field is one the device lacks. */
		for (col = 0; col < NR_STATS; col++)
			r->per_rt[col] = -1;
		for (col = 0; (p = strchr(p, ',')); col++) {
			p++;
			if (col >= 4 && col < 4 + NR_STATS && *p && *p != ',')
				r->per_rt[col - 4] = atof(p);
		}
		t->n++;
	}
	fclose(f);
}

static void compare(const char *a_path, const char *b_path)
{
	static struct table a, b;
	unsigned int i, j;

	read_csv(a_path, &a);
	read_csv(b_path, &b);
	printf("A: %s\nB: %s\n", a.header, b.header);
	printf("%-17s %8s %10s %10s %10s %10s %8s | %7s %7s %7s %7s %7s %7s\n", "kind", "count",
	       "A median", "A min", "B median", "B min", "A/B", "exits", "always", "cond",
	       "unshad", "l1d", "B l1d");
	for (i = 0; i < a.n; i++) {
		const struct result *x = &a.r[i], *y = NULL;

		for (j = 0; j < b.n; j++)
			if (!strcmp(b.r[j].kind, x->kind))
				y = &b.r[j];
		printf("%-17s ", x->kind);
		if (x->count)
			printf("%8lu %10llu %10llu ", x->count, x->median, x->min);
		else
			printf("%8s %10s %10s ", "-", "failed", "-");
		if (y && y->count)
			printf("%10llu %10llu ", y->median, y->min);
		else
			printf("%10s %10s ", y ? "failed" : "-", "-");
		if (x->count && y && y->count && y->median)
			printf("%8.3f", (double)x->median / y->median);
		else
			printf("%8s", "-");
		printf(" |");
		for (j = 0; j < NR_STATS; j++) {
			if (x->per_rt[j] < 0)
				printf(" %7s", "-");
			else
				printf(" %7.2f", x->per_rt[j]);
		}
		if (y && y->count && y->per_rt[STAT_L1D_FLUSH] >= 0)
			printf(" %7.2f", y->per_rt[STAT_L1D_FLUSH]);
		else
			printf(" %7s", "-");
		printf("\n");
	}
	/* Rows only B has: failed in A, or not run there. */
	for (j = 0; j < b.n; j++) {
		const struct result *y = &b.r[j];

		for (i = 0; i < a.n && strcmp(a.r[i].kind, y->kind); i++)
			;
		if (i < a.n)
			continue;
		printf("%-17s %8s %10s %10s ", y->kind, "-", "-", "-");
		if (y->count)
			printf("%10llu %10llu ", y->median, y->min);
		else
			printf("%10s %10s ", "failed", "-");
		printf("%8s |\n", "-");
	}
	printf("(cycles per round trip; under -icount shift=0 and in Bochs: instructions. exits/always/cond/unshad/l1d: per round trip, from A's statistics, B l1d from B's; unshad: VMREAD/VMWRITE of fields L0 does not shadow, VMX only; l1d: L1D flushes before entry (VMX); failed: stderr in the console says why)\n");
	printf("guest configurations: KIND: %s\n", configs[0].what);
	for (i = 1; i < NR_CONFIGS; i++)
		printf("  KIND@%s: %s\n", configs[i].name, configs[i].what);
}

int main(int argc, char **argv)
{
	const char *conditions = "", *out = NULL;
	unsigned int eax, ebx, ecx, edx, i;
	unsigned long count = 1000;
	struct result *res;
	unsigned long long t0, t1;
	unsigned int n;
	FILE *f;
	int c;

	while ((c = getopt(argc, argv, "n:c:o:C")) != -1) {
		switch (c) {
		case 'n':
			count = strtoul(optarg, NULL, 0);
			break;
		case 'c':
			conditions = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'C':
			if (argc - optind != 2) {
				fprintf(stderr, "usage: %s -C A.csv B.csv\n", argv[0]);
				return 2;
			}
			compare(argv[optind], argv[optind + 1]);
			return 0;
		default:
			fprintf(stderr, "usage: %s [-n COUNT] [-c CONDITIONS] [-o FILE.csv] | -C A.csv B.csv\n",
				argv[0]);
			return 2;
		}
	}
	if (!count || count > MAX_COUNT) {
		fprintf(stderr, "COUNT must be 1..%lu\n", MAX_COUNT);
		return 2;
	}
	/* Filled by the child of each row (in_child()). */
	res = mmap(NULL, MAX_ROWS * sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(res != MAP_FAILED, "mmap");
	/* An Intel CPU's hypercall: "GenuineIntel" in leaf 0. */
	__cpuid(0, eax, ebx, ecx, edx);
	for (i = 0; i < NR_KINDS; i++) {
		if (strcmp(kinds[i].name, "hypercall") || ebx != 0x756e6547 ||
		    edx != 0x49656e69 || ecx != 0x6c65746e)
			continue;
		kinds[i].code = loop_vmcall;
		kinds[i].end = loop_vmcall_end;
	}
	t0 = __rdtsc();
	n = measure_all(count, res);
	n += measure_apic(count, &res[n]);
	t1 = __rdtsc();
	n += measure_memory(&res[n]);
	/* What each part costs the run (instructions under -icount). */
	fprintf(stderr, "l1vmm-bench: %s: exit kinds %llu ticks, guest memory %llu ticks\n",
		dev_path(), t1 - t0, __rdtsc() - t1);
	f = out ? fopen(out, "w") : stdout;
	TEST_ASSERT(f, "cannot write %s", out);
	write_csv(f, conditions, res, n);
	if (out)
		fclose(f);
	return 0;
}
