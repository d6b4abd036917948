// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM's paravirtual interface: the KVM CPUID leaves in
 * KVM_GET_SUPPORTED_CPUID, kvmclock (the system-time and wall-clock MSRs,
 * the pvclock page a 64-bit guest reads, KVM_GET/SET_CLOCK,
 * KVM_CAP_ADJUST_CLOCK), the MSRs QEMU writes at every reset, and
 * addresses no slot backs; the hypercalls, VMCALL rewritten into VMMCALL
 * (KVM_X86_QUIRK_FIX_HYPERCALL_INSN) and KVM_CAP_ENFORCE_PV_FEATURE_CPUID.
 * Runs against l1vmm and KVM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kvm_vm.h"

#define MSR_KVM_WALL_CLOCK	0x11
#define MSR_KVM_SYSTEM_TIME	0x12
#define MSR_KVM_WALL_CLOCK_NEW	0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW	0x4b564d01

#define KVM_FEATURE_CLOCKSOURCE		0
#define KVM_FEATURE_NOP_IO_DELAY	1
#define KVM_FEATURE_CLOCKSOURCE2	3
#define KVM_FEATURE_CLOCKSOURCE_STABLE_BIT	24
#define KVM_FEATURE_PV_SCHED_YIELD	13
#define KVM_HC_SCHED_YIELD		11
#define CLOCK_VALID_FLAGS	(KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC)

#define MEM_SIZE	(2ul << 20)
#define CODE_GPA	0x10000
#define PVTIME_GPA	0x8000		/* the guest enables it in its code below */
#define WALL_GPA	0x9000
#define NSEC		1000000000ull

/* struct pvclock_vcpu_time_info: the guest ABI. */
struct pvclock_time {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time;
	uint32_t mul;
	int8_t shift;
	uint8_t flags;
	uint8_t pad[2];
} __attribute__((packed));

struct pvclock_wall {
	uint32_t version;
	uint32_t sec;
	uint32_t nsec;
} __attribute__((packed));

struct msrs {
	struct kvm_msrs hdr;
	struct kvm_msr_entry e[8];
};

/*
 * Reports CPUID 0x40000000 EBX on port 0x10, enables kvmclock at
 * PVTIME_GPA and the wall clock at WALL_GPA, reads the system-time MSR
 * back (port 0x11), then reports its TSC (ports 0x12, 0x13) for as long
 * as the test runs it.
 */
GUEST_CODE(pv_guest, ".code64",
	"mov $0x40000000, %eax\n\t"
	"cpuid\n\t"
	"mov %ebx, %eax\n\t"
	"out %eax, $0x10\n\t"
	"mov $0x4b564d01, %ecx\n\t"
	"mov $0x8001, %eax\n\t"
	"xor %edx, %edx\n\t"
	"wrmsr\n\t"
	"mov $0x4b564d00, %ecx\n\t"
	"mov $0x9000, %eax\n\t"
	"wrmsr\n\t"
	"mov $0x4b564d01, %ecx\n\t"
	"rdmsr\n\t"
	"out %eax, $0x11\n"
	"1:\n\t"
	"rdtsc\n\t"
	"out %eax, $0x12\n\t"
	"mov %edx, %eax\n\t"
	"out %eax, $0x13\n\t"
	"jmp 1b");

static long msrs_io(int fd, unsigned long ioctl_nr, struct msrs *m, unsigned int n)
{
	m->hdr.nmsrs = n;
	return dev_ioctl(fd, ioctl_nr, (unsigned long)m);
}

static const struct kvm_cpuid_entry2 *find_leaf(const struct kvm_cpuid_entry2 *e, unsigned int n,
						uint32_t leaf)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (e[i].function == leaf)
			return &e[i];
	TEST_FAIL("leaf %#x not in KVM_GET_SUPPORTED_CPUID", leaf);
	return NULL;
}

/* "KVMKVMKVM", and the kvmclock features; l1vmm offers what it implements only. */
static void test_supported_cpuid(void)
{
	static struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 e[256];
	} c = { .hdr.nent = 256 };
	const uint32_t clock = (1u << KVM_FEATURE_CLOCKSOURCE) | (1u << KVM_FEATURE_CLOCKSOURCE2) |
			       (1u << KVM_FEATURE_CLOCKSOURCE_STABLE_BIT);
	const struct kvm_cpuid_entry2 *s, *f;
	char sig[13] = { 0 };
	int fd = dev_open();

	ASSERT_IOCTL_OK(fd, KVM_GET_SUPPORTED_CPUID, &c);
	s = find_leaf(c.e, c.hdr.nent, 0x40000000);
	f = find_leaf(c.e, c.hdr.nent, 0x40000001);
	memcpy(sig, &s->ebx, 4);
	memcpy(sig + 4, &s->ecx, 4);
	memcpy(sig + 8, &s->edx, 4);
	ASSERT_STREQ("KVMKVMKVM", sig);
	ASSERT_EQ(0x40000001, s->eax);
	TEST_ASSERT((f->eax & clock) == clock, "0x40000001 EAX %#x: kvmclock missing", f->eax);
	if (dev_is_l1vmm())
		ASSERT_EQ(clock | (1u << KVM_FEATURE_NOP_IO_DELAY), f->eax);
	close(fd);
}

/* The four MSRs in KVM_GET_MSR_INDEX_LIST, and KVM_CAP_ADJUST_CLOCK's flags. */
static void test_index_list_and_cap(void)
{
	static const uint32_t want[] = {
		MSR_KVM_SYSTEM_TIME, MSR_KVM_WALL_CLOCK, MSR_KVM_SYSTEM_TIME_NEW,
		MSR_KVM_WALL_CLOCK_NEW,
	};
	static struct {
		struct kvm_msr_list hdr;
		uint32_t indices[1024];
	} list = { .hdr.nmsrs = 1024 };
	int fd = dev_open();
	unsigned int i, j;

	ASSERT_IOCTL_OK(fd, KVM_GET_MSR_INDEX_LIST, &list);
	for (i = 0; i < KTAP_ARRAY_SIZE(want); i++) {
		for (j = 0; j < list.hdr.nmsrs && list.indices[j] != want[i]; j++)
			;
		TEST_ASSERT(j < list.hdr.nmsrs, "MSR %#x not in KVM_GET_MSR_INDEX_LIST", want[i]);
	}
	ASSERT_EQ(CLOCK_VALID_FLAGS, dev_ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_ADJUST_CLOCK));
	close(fd);
}

/*
 * QEMU at every reset: 0 to all four, with no CPUID set at all; then
 * values read back, and addresses no slot backs (or a page that crosses
 * into the next) accepted, the guest running on, nothing written.
 */
static void test_set_msrs_like_qemu(void)
{
	static const unsigned char code[] = { 0xf4 };
	unsigned char before[64];
	struct test_guest g;
	struct msrs m;
	unsigned int i;

	guest_start_real_mode(&g, 0x10000, 0x1000, code, sizeof(code));
	memset(&m, 0, sizeof(m));
	m.e[0].index = MSR_KVM_WALL_CLOCK;
	m.e[1].index = MSR_KVM_SYSTEM_TIME;
	m.e[2].index = MSR_KVM_WALL_CLOCK_NEW;
	m.e[3].index = MSR_KVM_SYSTEM_TIME_NEW;
	ASSERT_EQ(4, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, 4));
	for (i = 0; i < 4; i++)
		m.e[i].data = ~0ull;
	ASSERT_EQ(4, msrs_io(g.vcpu.fd, KVM_GET_MSRS, &m, 4));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, m.e[i].data);

	memset(g.mem + 0x3000, 0x5a, 0x1000);
	memcpy(before, g.mem + 0x3ff0 - 32, sizeof(before));
	m.e[0] = (struct kvm_msr_entry){ .index = MSR_KVM_SYSTEM_TIME_NEW, .data = 0xfff00001 };
	m.e[1] = (struct kvm_msr_entry){ .index = MSR_KVM_WALL_CLOCK_NEW, .data = 0xfff00000 };
	m.e[2] = (struct kvm_msr_entry){ .index = MSR_KVM_SYSTEM_TIME, .data = 1ull << 51 | 1 };
	m.e[3] = (struct kvm_msr_entry){ .index = MSR_KVM_WALL_CLOCK, .data = 0xfffffffffffff000ull };
	ASSERT_EQ(4, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, 4));
	ASSERT_EQ(4, msrs_io(g.vcpu.fd, KVM_GET_MSRS, &m, 4));
	ASSERT_EQ(1ull << 51 | 1, m.e[0].data);	/* both MSRs are one value */
	ASSERT_EQ(0xfffffffffffff000ull, m.e[1].data);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));

	/* A page across 0x4000: not written (KVM's cache refuses it). */
	m.e[0] = (struct kvm_msr_entry){ .index = MSR_KVM_SYSTEM_TIME_NEW, .data = 0x3ff0 | 1 };
	ASSERT_EQ(1, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, 1));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	TEST_ASSERT(!memcmp(before, g.mem + 0x3ff0 - 32, sizeof(before)),
		    "a pvclock page across two pages was written");
	guest_stop(&g);
}

static uint64_t get_clock(struct test_vm *vm, uint32_t *flags)
{
	struct kvm_clock_data d;

	memset(&d, 0xff, sizeof(d));
	ASSERT_IOCTL_OK(vm->fd, KVM_GET_CLOCK, &d);
	if (flags)
		*flags = d.flags;
	return d.clock;
}

/* The page, as a guest reads it: a stable copy with an even version. */
static struct pvclock_time read_page(const struct test_guest *g)
{
	const uint32_t *version = (const uint32_t *)(g->mem + PVTIME_GPA);
	struct pvclock_time t;
	uint32_t v;

	do {
		v = __atomic_load_n(version, __ATOMIC_ACQUIRE);
		memcpy(&t, version, sizeof(t));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((v & 1) || v != __atomic_load_n(version, __ATOMIC_RELAXED));
	return t;
}

static uint64_t pv_read(const struct pvclock_time *t, uint64_t tsc)
{
	uint64_t delta = tsc - t->tsc_timestamp;

	if (t->shift < 0)
		delta >>= -t->shift;
	else
		delta <<= t->shift;
	return t->system_time + (uint64_t)(((__uint128_t)delta * t->mul) >> 32);
}

/*
 * The guest's TSC, and the page as the guest saw it then: KVM rewrites
 * the page at every KVM_RUN where it finds the host's TSC unstable (as
 * under QEMU's emulator), so it is read at the exit that reported the
 * TSC's low half, before the next KVM_RUN.
 */
static uint64_t guest_tsc(struct test_guest *g, struct pvclock_time *page)
{
	uint64_t lo = vcpu_run_out32(&g->vcpu, 0x12);
	struct pvclock_time t = read_page(g);

	if (page)
		*page = t;
	return lo | (uint64_t)vcpu_run_out32(&g->vcpu, 0x13) << 32;
}

/* @a - @b, or 0 below 0. */
static uint64_t sub0(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

#define ASSERT_BETWEEN(lo, val, hi)							\
	TEST_ASSERT(between(lo, val, hi), #val ": wanted %llu..%llu, got %llu",		\
		    (unsigned long long)(lo), (unsigned long long)(hi),			\
		    (unsigned long long)(val))

static bool between(uint64_t lo, uint64_t val, uint64_t hi)
{
	return val >= lo && val <= hi;
}

/*
 * A 64-bit guest enables kvmclock: the page is there before it runs on,
 * with an even version, a scale that matches the vCPU's TSC rate, and a
 * time that the guest's TSC advances as KVM_GET_CLOCK advances; after
 * KVM_SET_CLOCK the page jumps by as much. The wall clock is the real
 * time kvmclock counts from.
 */
static void test_guest_kvmclock(void)
{
	const uint64_t slack = 200000000ull;	/* 200 ms: QEMU's emulator is slow */
	struct pvclock_time t1, t2, t3;
	struct pvclock_wall w;
	uint64_t c1, c2, c3, tsc1, tsc2, tsc3, ns, hz;
	struct kvm_clock_data d;
	struct test_guest g;
	struct timespec now;
	uint32_t flags;
	struct msrs m;
	long khz;

	guest_start_long_mode(&g, MEM_SIZE, CODE_GPA, pv_guest, GUEST_CODE_SIZE(pv_guest));
	guest_set_supported_cpuid(&g);
	ASSERT_EQ(0x4b4d564b, vcpu_run_out32(&g.vcpu, 0x10));	/* "KVMK" from the table */
	ASSERT_EQ(0x8001, vcpu_run_out32(&g.vcpu, 0x11));

	t1 = read_page(&g);
	TEST_ASSERT(t1.version && t1.mul, "no pvclock page: version %u mul %#x", t1.version, t1.mul);
	if (dev_is_l1vmm())
		ASSERT_EQ(0, t1.flags);	/* no TSC_STABLE without a master clock */
	/* The scale turns one second of the vCPU's TSC into one second. */
	khz = dev_ioctl(g.vcpu.fd, KVM_GET_TSC_KHZ, 0);
	TEST_ASSERT(khz > 0, "KVM_GET_TSC_KHZ: %ld", khz);
	hz = khz * 1000ull;
	ns = pv_read(&(struct pvclock_time){ .mul = t1.mul, .shift = t1.shift }, hz);
	ASSERT_BETWEEN(NSEC - NSEC / 1000, ns, NSEC + NSEC / 1000);
	/* The VM is new: its kvmclock started near 0. */
	ASSERT_BETWEEN(0, t1.system_time, 60 * NSEC);

	/* The guest's TSC reads kvmclock between two KVM_GET_CLOCKs. */
	c1 = get_clock(&g.vm, &flags);
	TEST_ASSERT(!(flags & ~CLOCK_VALID_FLAGS), "KVM_GET_CLOCK flags %#x", flags);
	if (dev_is_l1vmm())
		ASSERT_EQ(0, flags);
	tsc1 = guest_tsc(&g, &t1);
	c2 = get_clock(&g.vm, NULL);
	ASSERT_BETWEEN(sub0(c1, slack), pv_read(&t1, tsc1), c2 + slack);

	/* Time advances with the TSC. */
	usleep(100000);
	tsc2 = guest_tsc(&g, &t2);
	ASSERT_BETWEEN(pv_read(&t1, tsc1) + 100000000ull, pv_read(&t2, tsc2),
		       pv_read(&t1, tsc1) + 100000000ull + 5 * NSEC);

	/* KVM_SET_CLOCK 1000 s ahead: the page follows before the next entry. */
	c1 = get_clock(&g.vm, NULL);
	memset(&d, 0, sizeof(d));
	d.clock = c1 + 1000 * NSEC;
	ASSERT_IOCTL_OK(g.vm.fd, KVM_SET_CLOCK, &d);
	c2 = get_clock(&g.vm, NULL);
	ASSERT_BETWEEN(c1 + 1000 * NSEC, c2, c1 + 1000 * NSEC + slack);
	tsc3 = guest_tsc(&g, &t3);
	c3 = get_clock(&g.vm, NULL);
	TEST_ASSERT(t3.version != t2.version, "version %u: the page was not written again",
		    t3.version);
	ASSERT_BETWEEN(c1 + 1000 * NSEC, t3.system_time, c3);
	ASSERT_BETWEEN(sub0(c2, slack), pv_read(&t3, tsc3), c3 + slack);

	/* Bad flags; what KVM_GET_CLOCK returns goes back in. */
	d.flags = 1;
	ASSERT_IOCTL_ERRNO(g.vm.fd, KVM_SET_CLOCK, &d, EINVAL);
	d.flags = 1 << 4;
	ASSERT_IOCTL_ERRNO(g.vm.fd, KVM_SET_CLOCK, &d, EINVAL);
	ASSERT_IOCTL_OK(g.vm.fd, KVM_GET_CLOCK, &d);
	ASSERT_IOCTL_OK(g.vm.fd, KVM_SET_CLOCK, &d);

	/* The wall clock: the real time at which kvmclock was 0. */
	memcpy(&w, g.mem + WALL_GPA, sizeof(w));
	TEST_ASSERT(w.version && !(w.version & 1), "wall clock version %u", w.version);
	clock_gettime(CLOCK_REALTIME, &now);
	/* Written when kvmclock was near 0: boot time is about now. */
	ASSERT_BETWEEN((uint64_t)now.tv_sec - 60, w.sec, (uint64_t)now.tv_sec + 1);
	ASSERT_BETWEEN(0, w.nsec, NSEC - 1);
	/* From user space too, after the jump: 1000 s earlier. */
	memset(&m, 0, sizeof(m));
	m.e[0] = (struct kvm_msr_entry){ .index = MSR_KVM_WALL_CLOCK, .data = WALL_GPA };
	ASSERT_EQ(1, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, 1));
	memcpy(&w, g.mem + WALL_GPA, sizeof(w));
	TEST_ASSERT(!(w.version & 1), "wall clock version %u", w.version);
	ASSERT_BETWEEN((uint64_t)now.tv_sec - 1060, w.sec, (uint64_t)now.tv_sec - 998);

	/* Off: the page is left alone, even after KVM_SET_CLOCK. */
	m.e[0] = (struct kvm_msr_entry){ .index = MSR_KVM_SYSTEM_TIME_NEW, .data = PVTIME_GPA };
	ASSERT_EQ(1, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, 1));
	t1 = read_page(&g);
	d = (struct kvm_clock_data){ .clock = 5 * NSEC };
	ASSERT_IOCTL_OK(g.vm.fd, KVM_SET_CLOCK, &d);
	guest_tsc(&g, &t2);
	ASSERT_EQ(t1.version, t2.version);
	ASSERT_EQ(t1.system_time, t2.system_time);
	guest_stop(&g);
}

/*
 * VMMCALL with RAX, RBX, RCX from the host (port 0x14 asks for the next
 * three, 0x15 reports RAX's low half, 0x16 its high half), forever.
 */
GUEST_CODE(hcall_guest, ".code64",
	"1:\n\t"
	"in $0x14, %eax\n\t"
	"mov %eax, %ebx\n\t"
	"in $0x14, %eax\n\t"
	"mov %eax, %ecx\n\t"
	"in $0x14, %eax\n\t"
	"vmmcall\n\t"
	"out %eax, $0x15\n\t"
	"shr $32, %rax\n\t"
	"out %eax, $0x16\n\t"
	"jmp 1b");

static void supply(struct test_guest *g, uint32_t value)
{
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g->vcpu));
	ASSERT_IO_EXIT(&g->vcpu, KVM_EXIT_IO_IN, 0x14, 4);
	memcpy(vcpu_io_data(&g->vcpu), &value, 4);
}

static int64_t hypercall(struct test_guest *g, uint32_t nr, uint32_t a0, uint32_t a1)
{
	uint64_t lo;

	supply(g, a0);		/* RBX */
	supply(g, a1);		/* RCX */
	supply(g, nr);		/* RAX */
	lo = vcpu_run_out32(&g->vcpu, 0x15);
	return (int64_t)(lo | (uint64_t)vcpu_run_out32(&g->vcpu, 0x16) << 32);
}

/*
 * KVM's hypercalls without the PV features they need. KVM: VAPIC_POLL_IRQ
 * is a no-op (0); CLOCK_PAIRING is -KVM_EOPNOTSUPP for an unknown clock
 * type, and for the wall clock without its master clock. l1vmm: both
 * -KVM_ENOSYS, as every number (doc/abi.md, Differences). An unknown
 * number is -KVM_ENOSYS on both.
 */
static void test_hypercalls(void)
{
	const bool l1vmm = dev_is_l1vmm();
	struct test_guest g;
	int64_t r;

	guest_start_long_mode(&g, MEM_SIZE, CODE_GPA, hcall_guest, GUEST_CODE_SIZE(hcall_guest));
	ASSERT_EQ(l1vmm ? -1000 : 0, hypercall(&g, 1, 0, 0));
	ASSERT_EQ(l1vmm ? -1000 : -95, hypercall(&g, 9, 0x8000, 1));
	r = hypercall(&g, 9, 0x8000, 0);
	if (l1vmm)
		ASSERT_EQ(-1000, r);
	else
		TEST_ASSERT(r == -95 || r == 0, "CLOCK_PAIRING: %lld", (long long)r);
	ASSERT_EQ(-1000, hypercall(&g, 12345, 0, 0));
	ASSERT_EQ(-1000, hypercall(&g, 0, 0, 0));
	/* Without enforcement KVM answers SCHED_YIELD whatever the CPUID says. */
	ASSERT_EQ(0, hypercall(&g, KVM_HC_SCHED_YIELD, 0, 0));
	guest_stop(&g);
}

/* SCHED_YIELD with VMCALL, which AMD refuses (#UD at UD_GPA reports on 0x13). */
GUEST_CODE(vmcall_guest, ".code16",
	"mov $11, %eax\n\t"
	"xor %ebx, %ebx\n\t"
	"vmcall\n\t"
	"out %eax, $0x15\n\t"
	"hlt\n\t");
GUEST_CODE(ud_handler, ".code16",
	"out %al, $0x13\n\t"
	"hlt\n\t");

#define VMCALL_CODE_GPA	0x1000
#define UD_GPA		0x2000

static void start_vmcall_guest(struct test_guest *g)
{
	uint16_t *ivt;

	guest_start_real_mode(g, 0x10000, VMCALL_CODE_GPA, vmcall_guest,
			      GUEST_CODE_SIZE(vmcall_guest));
	memcpy(g->mem + UD_GPA, ud_handler, GUEST_CODE_SIZE(ud_handler));
	ivt = (uint16_t *)g->mem;
	ivt[6 * 2] = UD_GPA;	/* #UD: offset, segment 0 */
	ivt[6 * 2 + 1] = 0;
}

/* Where the guest's VMCALL is (0f 01 c1; 0f 01 d9 once rewritten). */
static unsigned char *hypercall_insn(struct test_guest *g)
{
	unsigned char *p = g->mem + VMCALL_CODE_GPA;

	while (!(p[0] == 0x0f && p[1] == 0x01 && (p[2] == 0xc1 || p[2] == 0xd9)))
		p++;
	return p;
}

/*
 * KVM_X86_QUIRK_FIX_HYPERCALL_INSN: on AMD the guest's VMCALL is rewritten
 * into VMMCALL and the hypercall made; with the quirk off it is the
 * guest's #UD, the code left as it was.
 */
static void test_vmcall_fixed(void)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_DISABLE_QUIRKS2, .args = { KVM_X86_QUIRK_FIX_HYPERCALL_INSN },
	};
	struct test_guest g;
	int quirks;

	if (!cpu_has_flag("svm"))
		ktap_skip("VMCALL is the native hypercall on this CPU");
	start_vmcall_guest(&g);
	quirks = dev_ioctl(g.vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_DISABLE_QUIRKS2);
	TEST_ASSERT(quirks & KVM_X86_QUIRK_FIX_HYPERCALL_INSN, "quirks %#x", quirks);
	ASSERT_EQ(0, vcpu_run_out32(&g.vcpu, 0x15));
	ASSERT_EQ(0xd9, hypercall_insn(&g)[2]);
	guest_stop(&g);

	start_vmcall_guest(&g);
	ASSERT_IOCTL_OK(g.vm.fd, KVM_ENABLE_CAP, &cap);
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x13, 1);
	ASSERT_EQ(0xc1, hypercall_insn(&g)[2]);
	guest_stop(&g);
}

static void set_cpuid(struct test_vcpu *vcpu, struct kvm_cpuid2 *c)
{
	ASSERT_IOCTL_OK(vcpu->fd, KVM_SET_CPUID2, c);
}

static int enable_vcpu_cap(struct test_vcpu *vcpu, uint32_t cap, uint64_t arg, uint32_t flags)
{
	struct kvm_enable_cap c = { .cap = cap, .flags = flags, .args = { arg } };

	return ioctl(vcpu->fd, KVM_ENABLE_CAP, &c) ? -errno : 0;
}

/*
 * KVM_CAP_ENFORCE_PV_FEATURE_CPUID: the kvmclock MSRs are unknown (to user
 * space and guest alike) and SCHED_YIELD is -KVM_ENOSYS when the guest's
 * KVM_CPUID_FEATURES lacks their feature; the features are those of the
 * CPUID when the cap is enabled, and of every KVM_SET_CPUID2 after it.
 */
static void test_enforce_pv_cpuid(void)
{
	static struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 e[256];
	} c = { .hdr.nent = 256 };
	struct kvm_cpuid_entry2 *f;
	struct test_guest g;
	struct msrs m;
	uint32_t all;

	guest_start_long_mode(&g, MEM_SIZE, CODE_GPA, hcall_guest, GUEST_CODE_SIZE(hcall_guest));
	ASSERT_EQ(1, dev_ioctl(g.vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_ENFORCE_PV_FEATURE_CPUID));
	ASSERT_EQ(-EINVAL, enable_vcpu_cap(&g.vcpu, KVM_CAP_ENFORCE_PV_FEATURE_CPUID, 1, 1));
	ASSERT_EQ(-EINVAL, enable_vcpu_cap(&g.vcpu, KVM_CAP_ADJUST_CLOCK, 1, 0));
	ASSERT_IOCTL_OK(g.vm.sys_fd, KVM_GET_SUPPORTED_CPUID, &c);
	f = (struct kvm_cpuid_entry2 *)find_leaf(c.e, c.hdr.nent, 0x40000001);
	all = f->eax;

	memset(&m, 0, sizeof(m));
	m.e[0].index = MSR_KVM_SYSTEM_TIME_NEW;
	m.e[1].index = MSR_KVM_SYSTEM_TIME;
	m.e[2].index = MSR_KVM_WALL_CLOCK;
	f->eax = 1u << KVM_FEATURE_CLOCKSOURCE2;
	set_cpuid(&g.vcpu, &c.hdr);
	ASSERT_EQ(3, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, 3));	/* not enforced yet */
	ASSERT_EQ(0, enable_vcpu_cap(&g.vcpu, KVM_CAP_ENFORCE_PV_FEATURE_CPUID, 1, 0));
	ASSERT_EQ(1, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, 3));
	ASSERT_EQ(1, msrs_io(g.vcpu.fd, KVM_GET_MSRS, &m, 3));
	/* A new table, new features. */
	f->eax = 1u << KVM_FEATURE_CLOCKSOURCE;
	set_cpuid(&g.vcpu, &c.hdr);
	ASSERT_EQ(0, msrs_io(g.vcpu.fd, KVM_GET_MSRS, &m, 3));
	m.e[0].index = MSR_KVM_SYSTEM_TIME;
	ASSERT_EQ(2, msrs_io(g.vcpu.fd, KVM_GET_MSRS, &m, 2));
	/* Off: every MSR again; on: the features of the table the vCPU has. */
	m.e[0].index = MSR_KVM_SYSTEM_TIME_NEW;
	ASSERT_EQ(0, enable_vcpu_cap(&g.vcpu, KVM_CAP_ENFORCE_PV_FEATURE_CPUID, 0, 0));
	ASSERT_EQ(3, msrs_io(g.vcpu.fd, KVM_GET_MSRS, &m, 3));
	f->eax = all;
	set_cpuid(&g.vcpu, &c.hdr);
	ASSERT_EQ(0, enable_vcpu_cap(&g.vcpu, KVM_CAP_ENFORCE_PV_FEATURE_CPUID, 1, 0));
	ASSERT_EQ(3, msrs_io(g.vcpu.fd, KVM_GET_MSRS, &m, 3));

	/* SCHED_YIELD: 0 where the table offers it (KVM), -KVM_ENOSYS (l1vmm). */
	ASSERT_EQ(all & (1u << KVM_FEATURE_PV_SCHED_YIELD) ? 0 : -1000,
		  hypercall(&g, KVM_HC_SCHED_YIELD, 0, 0));
	ASSERT_EQ(0, enable_vcpu_cap(&g.vcpu, KVM_CAP_ENFORCE_PV_FEATURE_CPUID, 0, 0));
	ASSERT_EQ(0, hypercall(&g, KVM_HC_SCHED_YIELD, 0, 0));
	guest_stop(&g);
}

/* Pin this thread (and the vCPU it runs) to host CPU @cpu. */
static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	TEST_ASSERT(!sched_setaffinity(0, sizeof(set), &set), "sched_setaffinity(%d): %s", cpu,
		    strerror(errno));
}

/*
 * The vCPU moves to another host CPU: the page is written again before
 * it enters there (each CPU's TSC may differ), unless the page says the
 * TSC is stable (KVM's master clock), and reads right on both CPUs.
 */
static void test_migration(void)
{
	const uint64_t slack = 200000000ull;
	struct pvclock_time t1, t2;
	uint64_t c1, c2, tsc;
	struct test_guest g;
	cpu_set_t orig;
	int cpu;

	TEST_ASSERT(!sched_getaffinity(0, sizeof(orig), &orig), "sched_getaffinity");
	if (CPU_COUNT(&orig) < 2 || !CPU_ISSET(0, &orig) || !CPU_ISSET(1, &orig))
		ktap_skip("needs host CPUs 0 and 1");
	guest_start_long_mode(&g, MEM_SIZE, CODE_GPA, pv_guest, GUEST_CODE_SIZE(pv_guest));
	guest_set_supported_cpuid(&g);
	pin(0);
	vcpu_run_out32(&g.vcpu, 0x10);
	vcpu_run_out32(&g.vcpu, 0x11);
	for (cpu = 1; cpu <= 4; cpu++) {
		c1 = get_clock(&g.vm, NULL);
		tsc = guest_tsc(&g, &t1);
		c2 = get_clock(&g.vm, NULL);
		ASSERT_BETWEEN(sub0(c1, slack), pv_read(&t1, tsc), c2 + slack);
		pin(cpu & 1);
		c1 = get_clock(&g.vm, NULL);
		tsc = guest_tsc(&g, &t2);
		c2 = get_clock(&g.vm, NULL);
		ASSERT_BETWEEN(sub0(c1, slack), pv_read(&t2, tsc), c2 + slack);
		TEST_ASSERT(t2.version != t1.version || (t1.flags & 1),
			    "moved to CPU %d: the page was not written again (version %u)",
			    cpu & 1, t2.version);
	}
	sched_setaffinity(0, sizeof(orig), &orig);
	guest_stop(&g);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_supported_cpuid),
	KTAP_CASE(test_index_list_and_cap),
	KTAP_CASE(test_set_msrs_like_qemu),
	KTAP_CASE(test_guest_kvmclock),
	KTAP_CASE(test_migration),
	KTAP_CASE(test_hypercalls),
	KTAP_CASE(test_vmcall_fixed),
	KTAP_CASE(test_enforce_pv_cpuid),
};

int main(void)
{
	return ktap_run("kvmclock", tests, KTAP_ARRAY_SIZE(tests));
}
