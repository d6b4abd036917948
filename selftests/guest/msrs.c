// SPDX-License-Identifier: GPL-2.0-only
/*
 * MSRs: KVM_GET_MSR_INDEX_LIST, KVM_GET/SET_MSRS, and the guest's own
 * RDMSR/WRMSR, including the #GP for an unknown MSR or a refused value,
 * observed by the guest's #GP handler. Runs against l1vmm and KVM.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kvm_vm.h"

#define MSR_TSC			0x10
#define MSR_SYSENTER_CS		0x174
#define MSR_SYSENTER_ESP	0x175
#define MSR_SYSENTER_EIP	0x176
#define MSR_PAT			0x277
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SFMASK		0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_TSC_AUX		0xc0000103
#define MSR_SPEC_CTRL		0x48
#define MSR_DEBUGCTL		0x1d9
#define DEBUGCTL_LBR_BTF	0x3
#define DEBUGCTL_BTF		0x2
#define DEBUGCTL_TR		0x40
#define MSR_UNKNOWN		0x12345678

#define CODE_GPA		0x1000
#define GP_HANDLER_GPA		0x2000
#define GP_PORT			0x13

struct msrs {
	struct kvm_msrs hdr;
	struct kvm_msr_entry e[8];
};

static long msrs_io(int fd, unsigned long ioctl_nr, struct msrs *m, unsigned int n)
{
	m->hdr.nmsrs = n;
	return dev_ioctl(fd, ioctl_nr, (unsigned long)m);
}

static void test_index_list(void)
{
	/* KVM does not list EFER (user space sets it with KVM_SET_SREGS). */
	static const uint32_t needed[] = {
		MSR_TSC, MSR_SYSENTER_CS, MSR_SYSENTER_ESP, MSR_SYSENTER_EIP,
		MSR_PAT, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK,
		MSR_KERNEL_GS_BASE,
	};
	struct {
		struct kvm_msr_list hdr;
		uint32_t indices[1024];
	} list;
	unsigned int i, j, n;
	int fd = dev_open();

	list.hdr.nmsrs = 0;
	ASSERT_IOCTL_ERRNO(fd, KVM_GET_MSR_INDEX_LIST, &list, E2BIG);
	n = list.hdr.nmsrs;
	TEST_ASSERT(n >= KTAP_ARRAY_SIZE(needed) && n <= 1024,
		    "KVM_GET_MSR_INDEX_LIST: %u MSRs", n);
	ASSERT_IOCTL_OK(fd, KVM_GET_MSR_INDEX_LIST, &list);
	ASSERT_EQ(n, list.hdr.nmsrs);
	for (i = 0; i < KTAP_ARRAY_SIZE(needed); i++) {
		for (j = 0; j < n && list.indices[j] != needed[i]; j++)
			;
		TEST_ASSERT(j < n, "MSR %#x not in KVM_GET_MSR_INDEX_LIST", needed[i]);
	}
	close(fd);
}

static void test_set_get_round_trip(void)
{
	static const struct kvm_msr_entry values[] = {
		{ .index = MSR_STAR, .data = 0x0023001000000000ull },
		{ .index = MSR_LSTAR, .data = 0xffffffff81000000ull },
		{ .index = MSR_CSTAR, .data = 0xffffffff81000100ull },
		{ .index = MSR_SFMASK, .data = 0x47700 },
		{ .index = MSR_KERNEL_GS_BASE, .data = 0x00007f0000001000ull },
		{ .index = MSR_SYSENTER_CS, .data = 0x10 },
		{ .index = MSR_SYSENTER_EIP, .data = 0x81000200 },	/* 32-bit on AMD */
		{ .index = MSR_PAT, .data = 0x0007010600070106ull },
	};
	struct test_guest g;
	struct msrs m;
	unsigned int i;
	static const unsigned char code[] = { 0xf4 };

	guest_start_real_mode(&g, 0x10000, CODE_GPA, code, sizeof(code));
	memcpy(m.e, values, sizeof(values));
	ASSERT_EQ(KTAP_ARRAY_SIZE(values), msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, KTAP_ARRAY_SIZE(values)));
	memset(&m, 0, sizeof(m));
	for (i = 0; i < KTAP_ARRAY_SIZE(values); i++)
		m.e[i].index = values[i].index;
	ASSERT_EQ(KTAP_ARRAY_SIZE(values), msrs_io(g.vcpu.fd, KVM_GET_MSRS, &m, KTAP_ARRAY_SIZE(values)));
	for (i = 0; i < KTAP_ARRAY_SIZE(values); i++)
		TEST_ASSERT(m.e[i].data == values[i].data, "MSR %#x: wanted %#llx, got %#llx",
			    values[i].index, (unsigned long long)values[i].data,
			    (unsigned long long)m.e[i].data);

	/* Survives running the guest. */
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_EQ(KTAP_ARRAY_SIZE(values), msrs_io(g.vcpu.fd, KVM_GET_MSRS, &m, KTAP_ARRAY_SIZE(values)));
	ASSERT_EQ(values[1].data, m.e[1].data);
	guest_stop(&g);
}

/* Processing stops at the first unknown MSR or refused value. */
/*
 * l1vmm also lists EFER; SYSENTER_EIP keeps 32 bits on AMD (the VMCB holds
 * 32, as KVM on SVM for a guest without Intel's vendor) and all 64 on
 * Intel (the VMCS's natural-width field, as kvm-intel).
 */
static void test_l1vmm_msr_details(void)
{
	static const unsigned char code[] = { 0xf4 };
	uint64_t eip = host_is_intel() ? 0xffffffff81000200ull : 0x81000200;
	struct test_guest g;
	struct msrs m;

	if (!dev_is_l1vmm())
		ktap_skip("l1vmm's own choices");
	guest_start_real_mode(&g, 0x10000, CODE_GPA, code, sizeof(code));
	memset(&m, 0, sizeof(m));
	m.e[0] = (struct kvm_msr_entry) { .index = MSR_SYSENTER_EIP, .data = 0xffffffff81000200ull };
	m.e[1] = (struct kvm_msr_entry) { .index = MSR_EFER, .data = 0x500 };
	ASSERT_EQ(2, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, 2));
	ASSERT_EQ(2, msrs_io(g.vcpu.fd, KVM_GET_MSRS, &m, 2));
	ASSERT_EQ(eip, m.e[0].data);
	/* LMA is the CPU's: it stays clear while the guest has no paging. */
	ASSERT_EQ(0x100, m.e[1].data);
	guest_stop(&g);
}

static void test_set_stops_at_refusal(void)
{
	static const unsigned char code[] = { 0xf4 };
	struct test_guest g;
	struct msrs m;

	guest_start_real_mode(&g, 0x10000, CODE_GPA, code, sizeof(code));
	memset(&m, 0, sizeof(m));
	m.e[0] = (struct kvm_msr_entry) { .index = MSR_STAR, .data = 1 };
	m.e[1] = (struct kvm_msr_entry) { .index = MSR_UNKNOWN, .data = 1 };
	m.e[2] = (struct kvm_msr_entry) { .index = MSR_SFMASK, .data = 1 };
	ASSERT_EQ(1, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, 3));
	ASSERT_EQ(1, msrs_io(g.vcpu.fd, KVM_GET_MSRS, &m, 3));

	m.e[0] = (struct kvm_msr_entry) { .index = MSR_LSTAR, .data = 1ull << 50 };
	ASSERT_EQ(0, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, 1));	/* non-canonical */
	m.e[0] = (struct kvm_msr_entry) { .index = MSR_PAT, .data = 2 };
	ASSERT_EQ(0, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, 1));	/* PAT type 2 */
	m.e[0] = (struct kvm_msr_entry) { .index = MSR_EFER, .data = 1ull << 2 };
	ASSERT_EQ(0, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, 1));	/* reserved bit */

	ASSERT_EQ(-E2BIG, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, 256));
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_GET_MSRS, NULL, EFAULT);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_MSRS, 1, EFAULT);
	guest_stop(&g);
}

/* Real-mode code whose #GP handler reports on GP_PORT and halts. */
static void gp_guest_start(struct test_guest *g, const unsigned char *code, size_t len)
{
	static const unsigned char handler[] = { 0xe6, GP_PORT, 0xf4 };	/* out; hlt */
	uint16_t ivt_entry[2] = { GP_HANDLER_GPA, 0 };

	guest_start_real_mode(g, 0x10000, CODE_GPA, code, len);
	memcpy(g->mem + GP_HANDLER_GPA, handler, sizeof(handler));
	memcpy(g->mem + 13 * 4, ivt_entry, sizeof(ivt_entry));
}

static void test_guest_rdmsr_wrmsr(void)
{
	static const unsigned char code[] = {
		0x66, 0xb9, 0x81, 0x00, 0x00, 0xc0,	/* mov ecx, STAR */
		0x0f, 0x32,				/* rdmsr */
		0x66, 0xe7, 0x10,			/* out 0x10, eax */
		0x66, 0x89, 0xd0,			/* mov eax, edx */
		0x66, 0xe7, 0x10,			/* out 0x10, eax */
		0x66, 0xb9, 0x82, 0x00, 0x00, 0xc0,	/* mov ecx, LSTAR */
		0x66, 0xb8, 0x44, 0x33, 0x22, 0x11,	/* mov eax, 0x11223344 */
		0x66, 0xba, 0xff, 0xff, 0xff, 0xff,	/* mov edx, 0xffffffff */
		0x0f, 0x30,				/* wrmsr */
		0xf4,					/* hlt */
	};
	struct test_guest g;
	struct msrs m;

	gp_guest_start(&g, code, sizeof(code));
	memset(&m, 0, sizeof(m));
	m.e[0] = (struct kvm_msr_entry) { .index = MSR_STAR, .data = 0xaabbccdd11223344ull };
	ASSERT_EQ(1, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, 1));

	ASSERT_EQ(0x11223344, vcpu_run_out32(&g.vcpu, 0x10));
	ASSERT_EQ(0xaabbccdd, vcpu_run_out32(&g.vcpu, 0x10));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));

	m.e[0] = (struct kvm_msr_entry) { .index = MSR_LSTAR };
	ASSERT_EQ(1, msrs_io(g.vcpu.fd, KVM_GET_MSRS, &m, 1));
	ASSERT_EQ(0xffffffff11223344ull, m.e[0].data);
	guest_stop(&g);
}

/* Is @index in KVM_GET_MSR_INDEX_LIST? */
static bool index_list_has(int sys_fd, uint32_t index)
{
	struct {
		struct kvm_msr_list hdr;
		uint32_t indices[1024];
	} list = { .hdr.nmsrs = 1024 };
	unsigned int i;

	ASSERT_IOCTL_OK(sys_fd, KVM_GET_MSR_INDEX_LIST, &list);
	for (i = 0; i < list.hdr.nmsrs; i++)
		if (list.indices[i] == index)
			return true;
	return false;
}

/*
 * FS and GS base as MSRs (every 64-bit kernel writes GS base with WRMSR
 * early on): the guest's WRMSR shows in KVM_GET_SREGS and KVM_GET_MSRS, a
 * non-canonical base is refused, and neither is in KVM_GET_MSR_INDEX_LIST.
 */
static void test_fs_gs_base(void)
{
	static const unsigned char code[] = {
		0x66, 0xb9, 0x01, 0x01, 0x00, 0xc0,	/* mov ecx, GS_BASE */
		0x66, 0xb8, 0x00, 0x30, 0x22, 0x11,	/* mov eax, 0x11223000 */
		0x66, 0xba, 0x00, 0x00, 0x00, 0x00,	/* mov edx, 0 */
		0x0f, 0x30,				/* wrmsr */
		0xf4,					/* hlt */
	};
	struct kvm_sregs sregs;
	struct test_guest g;
	struct msrs m;

	gp_guest_start(&g, code, sizeof(code));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
	ASSERT_EQ(0x11223000, sregs.gs.base);

	memset(&m, 0, sizeof(m));
	m.e[0] = (struct kvm_msr_entry) { .index = MSR_FS_BASE, .data = 0x00007f0000002000ull };
	m.e[1] = (struct kvm_msr_entry) { .index = MSR_GS_BASE, .data = 0x8000000000000000ull };
	ASSERT_EQ(1, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, 2));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
	ASSERT_EQ(0x00007f0000002000ull, sregs.fs.base);
	ASSERT_EQ(0x11223000, sregs.gs.base);
	m.e[0] = (struct kvm_msr_entry) { .index = MSR_GS_BASE };
	ASSERT_EQ(1, msrs_io(g.vcpu.fd, KVM_GET_MSRS, &m, 1));
	ASSERT_EQ(0x11223000, m.e[0].data);
	TEST_ASSERT(!index_list_has(g.vm.sys_fd, MSR_FS_BASE) &&
		    !index_list_has(g.vm.sys_fd, MSR_GS_BASE), "FS/GS base in the index list");
	guest_stop(&g);
}

/* The guest's own handler sees the #GP, for an unknown MSR and a bad value. */
static void test_guest_msr_gp(void)
{
	static const unsigned char rdmsr_unknown[] = {
		0x66, 0xb9, 0x78, 0x56, 0x34, 0x12,	/* mov ecx, 0x12345678 */
		0x0f, 0x32,				/* rdmsr */
		0xf4,
	};
	static const unsigned char wrmsr_noncanonical[] = {
		0x66, 0xb9, 0x82, 0x00, 0x00, 0xc0,	/* mov ecx, LSTAR */
		0x66, 0x31, 0xc0,			/* xor eax, eax */
		0x66, 0xba, 0x00, 0x00, 0x01, 0x00,	/* mov edx, 0x10000 */
		0x0f, 0x30,				/* wrmsr */
		0xf4,
	};
	struct test_guest g;

	gp_guest_start(&g, rdmsr_unknown, sizeof(rdmsr_unknown));
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, GP_PORT, 1);
	guest_stop(&g);

	/*
	 * KVM lets the guest write LSTAR directly, and QEMU's emulator does
	 * not check the value: only l1vmm's intercept can be held to the #GP.
	 */
	if (!dev_is_l1vmm())
		return;
	gp_guest_start(&g, wrmsr_noncanonical, sizeof(wrmsr_noncanonical));
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, GP_PORT, 1);
	guest_stop(&g);
}

/* Does this CPU have SVM's LBR virtualization (CPUID 0x8000000a EDX bit 1)? */
static bool host_has_lbrv(void)
{
	unsigned int eax, ebx, ecx, edx;

	return __get_cpuid(0x8000000a, &eax, &ebx, &ecx, &edx) && (edx & 2);
}

/*
 * DEBUGCTL as the vendor module keeps it without LBR virtualization or a
 * PMU: it reads 0; writing BTF and LBR succeeds and changes nothing; any
 * other bit is refused on Intel and ignored on AMD, from user space and
 * from the guest alike.
 */
static void test_debugctl(void)
{
	static const unsigned char code[] = {
		0x66, 0xb9, 0xd9, 0x01, 0x00, 0x00,	/* mov ecx, DEBUGCTL */
		0x0f, 0x32,				/* rdmsr */
		0x66, 0xe7, 0x10,			/* out 0x10, eax */
		0x66, 0xb8, 0x03, 0x00, 0x00, 0x00,	/* mov eax, LBR | BTF */
		0x66, 0x31, 0xd2,			/* xor edx, edx */
		0x0f, 0x30,				/* wrmsr */
		0x0f, 0x32,				/* rdmsr */
		0x66, 0xe7, 0x10,			/* out 0x10, eax */
		0x66, 0xb8, 0x40, 0x00, 0x00, 0x00,	/* mov eax, TR */
		0x0f, 0x30,				/* wrmsr */
		0xf4,					/* hlt */
	};
	bool intel = host_is_intel();
	struct test_guest g;
	struct msrs m;

	if (!dev_is_l1vmm() && !intel && host_has_lbrv())
		ktap_skip("kvm-amd keeps the guest's DEBUGCTL with LBR virtualization");
	gp_guest_start(&g, code, sizeof(code));
	memset(&m, 0, sizeof(m));
	m.e[0] = (struct kvm_msr_entry) { .index = MSR_DEBUGCTL, .data = DEBUGCTL_LBR_BTF };
	ASSERT_EQ(1, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, 1));
	m.e[0].data = ~0ull;
	ASSERT_EQ(1, msrs_io(g.vcpu.fd, KVM_GET_MSRS, &m, 1));
	ASSERT_EQ(0, m.e[0].data);
	m.e[0].data = DEBUGCTL_TR;
	ASSERT_EQ(intel ? 0 : 1, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, 1));

	ASSERT_EQ(0, vcpu_run_out32(&g.vcpu, 0x10));
	ASSERT_EQ(0, vcpu_run_out32(&g.vcpu, 0x10));
	vcpu_run(&g.vcpu);
	if (intel)
		ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, GP_PORT, 1);
	else
		ASSERT_EQ(KVM_EXIT_HLT, g.vcpu.run->exit_reason);
	guest_stop(&g);
}

/* The msr driver's file for CPU 0, or -1 with @why set. */
static int msr_dev_open(const char **why)
{
	static char buf[96];
	int fd, r;

	r = module_load(EXTRA_MODULES "msr.ko", "allow_writes=on");
	if (r && r != -EEXIST && r != -ENOENT) {
		snprintf(buf, sizeof(buf), "loading msr.ko: %s", ktap_errno_name(-r));
		*why = buf;
		return -1;
	}
	fd = open("/dev/cpu/0/msr", O_RDWR);
	if (fd < 0) {
		snprintf(buf, sizeof(buf), "/dev/cpu/0/msr: %s", ktap_errno_name(errno));
		*why = buf;
	}
	return fd;
}

/*
 * The host's DEBUGCTL survives the guest: a VM exit on VMX clears it and
 * l1vmm puts the host's back, as KVM does (on SVM the guest never touches
 * it). Set to BTF through the msr driver on CPU 0, where the vCPU runs;
 * skipped where L0 does not keep DEBUGCTL (QEMU's emulator and Bochs
 * ignore it and read 0).
 */
static void test_host_debugctl_kept(void)
{
	static const unsigned char code[] = { 0xe6, 0x10, 0xe6, 0x10, 0xf4 };	/* out; out; hlt */
	uint64_t old, set, now;
	const char *why;
	struct test_guest g;
	cpu_set_t cpus;
	int fd;

	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpus), &cpus));
	fd = msr_dev_open(&why);
	if (fd < 0)
		ktap_skip("no msr driver: %s", why);
	ASSERT_EQ(8, pread(fd, &old, 8, MSR_DEBUGCTL));
	set = old | DEBUGCTL_BTF;
	if (pwrite(fd, &set, 8, MSR_DEBUGCTL) != 8 || pread(fd, &now, 8, MSR_DEBUGCTL) != 8 ||
	    now != set) {
		close(fd);
		ktap_skip("L0 does not keep this CPU's DEBUGCTL (wrote %#llx, read %#llx)",
			  (unsigned long long)set, (unsigned long long)now);
	}
	guest_start_real_mode(&g, 0x10000, CODE_GPA, code, sizeof(code));
	vcpu_run(&g.vcpu);
	vcpu_run(&g.vcpu);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
	ASSERT_EQ(8, pread(fd, &now, 8, MSR_DEBUGCTL));
	ASSERT_EQ(8, pwrite(fd, &old, 8, MSR_DEBUGCTL));
	close(fd);
	ASSERT_EQ(set, now);
}

static bool msr_listed(uint32_t index)
{
	struct {
		struct kvm_msr_list hdr;
		uint32_t indices[1024];
	} list = { .hdr.nmsrs = 1024 };
	int fd = dev_open();
	unsigned int i;

	ASSERT_IOCTL_OK(fd, KVM_GET_MSR_INDEX_LIST, &list);
	close(fd);
	for (i = 0; i < list.hdr.nmsrs; i++)
		if (list.indices[i] == index)
			return true;
	return false;
}

GUEST_CODE(tsc_aux_guest, ".code16",
	"rdtscp\n\t"
	"mov %ecx, %eax\n\t"
	"out %eax, $0x10\n\t"
	"mov $0xc0000103, %ecx\n\t"
	"mov $7, %eax\n\t"
	"xor %edx, %edx\n\t"
	"wrmsr\n\t"
	"rdtscp\n\t"
	"mov %ecx, %eax\n\t"
	"out %eax, $0x10\n\t"
	"hlt\n\t");

static uint32_t host_tsc_aux(void)
{
	uint32_t lo, hi, aux;

	asm volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	return aux;
}

/*
 * TSC_AUX: set from user space (bits 63:32 dropped, as KVM does on AMD;
 * refused for a guest with Intel's vendor, as Intel's SDM reserves them),
 * read by the guest's RDTSCP, written by its WRMSR; and the host's own
 * value (Linux's CPU number) is back when KVM_RUN returns to user space.
 */
static void test_tsc_aux(void)
{
	struct test_guest g;
	struct msrs m;
	cpu_set_t cpus;

	if (!cpu_has_flag("rdtscp"))
		ktap_skip("the host has no RDTSCP, so no TSC_AUX");
	TEST_ASSERT(msr_listed(MSR_TSC_AUX), "TSC_AUX not in KVM_GET_MSR_INDEX_LIST");
	/* On CPU 1 the host's TSC_AUX is 1: different from the guest's. */
	CPU_ZERO(&cpus);
	CPU_SET(sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 1 : 0, &cpus);
	TEST_ASSERT(!sched_setaffinity(0, sizeof(cpus), &cpus), "sched_setaffinity");
	ASSERT_EQ(sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 1 : 0, host_tsc_aux() & 0xfff);

	guest_start_real_mode(&g, 1ul << 20, CODE_GPA, tsc_aux_guest,
			      GUEST_CODE_SIZE(tsc_aux_guest));
	guest_set_supported_cpuid(&g);	/* KVM lets the guest at TSC_AUX only with RDTSCP */
	m.e[0] = (struct kvm_msr_entry){ .index = MSR_TSC_AUX, .data = 0x1234500000042ull };
	if (host_is_intel()) {
		ASSERT_EQ(0, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, 1));
		m.e[0].data = 0x42;
	}
	ASSERT_EQ(1, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, 1));
	m.e[0].data = 0;
	ASSERT_EQ(1, msrs_io(g.vcpu.fd, KVM_GET_MSRS, &m, 1));
	ASSERT_EQ(0x42, m.e[0].data);

	ASSERT_EQ(0x42, vcpu_run_out32(&g.vcpu, 0x10));
	ASSERT_EQ(sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 1 : 0, host_tsc_aux() & 0xfff);
	ASSERT_EQ(7, vcpu_run_out32(&g.vcpu, 0x10));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_EQ(1, msrs_io(g.vcpu.fd, KVM_GET_MSRS, &m, 1));
	ASSERT_EQ(7, m.e[0].data);
	ASSERT_EQ(sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 1 : 0, host_tsc_aux() & 0xfff);
	guest_stop(&g);
}

/*
 * SPEC_CTRL exists for guests exactly where the host has it. KVM 6.1 lists
 * it regardless and probes values by writing the host's MSR, which an
 * emulator as L0 (QEMU's, Bochs) ignores: its answers here say nothing
 * about KVM on hardware.
 */
static void test_spec_ctrl(void)
{
	struct test_guest g;
	struct msrs m;

	if (!dev_is_l1vmm())
		ktap_skip("KVM's SPEC_CTRL probing is not meaningful under an emulator as L0");
	guest_start_real_mode(&g, 1ul << 20, CODE_GPA, "\xf4", 1);
	m.e[0] = (struct kvm_msr_entry){ .index = MSR_SPEC_CTRL };
	if (!msr_listed(MSR_SPEC_CTRL)) {
		/* Unknown: KVM_GET_MSRS stops before it. */
		ASSERT_EQ(0, msrs_io(g.vcpu.fd, KVM_GET_MSRS, &m, 1));
		guest_stop(&g);
		ktap_skip("the host has no SPEC_CTRL (QEMU's emulator and Bochs offer none)");
	}
	ASSERT_EQ(1, msrs_io(g.vcpu.fd, KVM_GET_MSRS, &m, 1));
	ASSERT_EQ(0, m.e[0].data);
	m.e[0].data = 1ull << 40;		/* reserved */
	ASSERT_EQ(0, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, 1));
	guest_stop(&g);
}

/*
 * CET's supervisor state (S_CET, PL0-PL3_SSP, INT_SSP_TAB) goes through
 * KVM_GET/SET_MSRS where CET is offered to guests, and is listed only
 * then. Neither l1vmm nor KVM 6.1 offers CET: the MSRs are not listed,
 * and KVM_GET/SET_MSRS stop before them (0 processed), never a crash.
 */
static void test_cet_msrs_absent(void)
{
	static const uint32_t cet[] = { 0x6a2, 0x6a4, 0x6a5, 0x6a6, 0x6a7, 0x6a8 };
	struct test_guest g;
	struct msrs m;
	unsigned int i;

	guest_start_real_mode(&g, 1ul << 20, CODE_GPA, "\xf4", 1);
	for (i = 0; i < KTAP_ARRAY_SIZE(cet); i++) {
		TEST_ASSERT(!msr_listed(cet[i]), "CET MSR %#x listed", cet[i]);
		m.e[0] = (struct kvm_msr_entry){ .index = cet[i] };
		ASSERT_EQ(0, msrs_io(g.vcpu.fd, KVM_GET_MSRS, &m, 1));
		ASSERT_EQ(0, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, 1));
	}
	guest_stop(&g);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_cet_msrs_absent),
	KTAP_CASE(test_tsc_aux),
	KTAP_CASE(test_spec_ctrl),
	KTAP_CASE(test_index_list),
	KTAP_CASE(test_set_get_round_trip),
	KTAP_CASE(test_l1vmm_msr_details),
	KTAP_CASE(test_set_stops_at_refusal),
	KTAP_CASE(test_guest_rdmsr_wrmsr),
	KTAP_CASE(test_fs_gs_base),
	KTAP_CASE(test_guest_msr_gp),
	KTAP_CASE(test_debugctl),
	KTAP_CASE(test_host_debugctl_kept),
};

int main(void)
{
	return ktap_run(dev_is_l1vmm() ? "msrs" : "msrs@kvm", tests,
			KTAP_ARRAY_SIZE(tests));
}
