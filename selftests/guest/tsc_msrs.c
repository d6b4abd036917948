// SPDX-License-Identifier: GPL-2.0-only
/*
 * The TSC and KVM's emulated per-vCPU MSRs around it: IA32_TSC and
 * IA32_TSC_ADJUST with KVM's rules for the guest's and user space's
 * writes, the vCPU attribute KVM_VCPU_TSC_CTRL/KVM_VCPU_TSC_OFFSET
 * (KVM_CAP_VCPU_ATTRIBUTES), MSR_PLATFORM_INFO with
 * KVM_CAP_MSR_PLATFORM_INFO, and IA32_MISC_ENABLE with the
 * MISC_ENABLE_NO_MWAIT quirk. Runs against l1vmm and KVM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm_vm.h"

#define MSR_TSC			0x10
#define MSR_TSC_ADJUST		0x3b
#define MSR_PLATFORM_INFO	0xce
#define MSR_MISC_ENABLE		0x1a0

#define MISC_ENABLE_RESET	0x1800ull	/* BTS and PEBS unavailable */
#define MISC_ENABLE_MWAIT	(1ull << 18)
#define CPUID_1_ECX_SSE3	(1u << 0)
#define CPUID_1_ECX_MWAIT	(1u << 3)

/* TSC values far apart compared with the time a step takes, as tsc_msrs_test. */
#define UNITY			(1ull << 30)
#define ROUND(x)		(((x) + UNITY / 2) & -UNITY)

#define CODE_GPA		0x1000
#define GP_HANDLER_GPA		0x2000
#define GP_PORT			0x13

/*
 * KVM on a host whose TSC is unstable (L1 under QEMU's emulator, whose
 * clocksource is hpet) makes the guest's TSC stand still while the vCPU
 * is not loaded and catches it up at clock updates, forward only: a TSC
 * it reads after a write is not the one written, and the offset moves
 * between two ioctls. Its twin checks the TSC's values only where the
 * host's clocksource is the TSC; l1vmm's TSC always runs with the host's.
 */
static bool tsc_values_checked(void)
{
	char buf[16] = "";
	FILE *f;

	if (dev_is_l1vmm())
		return true;
	f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	return !strcmp(buf, "tsc\n");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static uint64_t get_msr(struct test_vcpu *vcpu, uint32_t index)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e.index = index };

	ASSERT_EQ(1, dev_ioctl(vcpu->fd, KVM_GET_MSRS, (unsigned long)&m));
	return m.e.data;
}

/* KVM_SET_MSRS of one MSR: 1 when taken, 0 when refused. */
static long set_msr(struct test_vcpu *vcpu, uint32_t index, uint64_t data)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e = { .index = index, .data = data } };

	return dev_ioctl(vcpu->fd, KVM_SET_MSRS, (unsigned long)&m);
}

static int enable_cap(struct test_vm *vm, uint32_t cap, uint64_t arg)
{
	struct kvm_enable_cap c = { .cap = cap, .args = { arg } };

	return ioctl(vm->fd, KVM_ENABLE_CAP, &c) ? -errno : 0;
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

static void assert_gp(struct test_vcpu *vcpu)
{
	vcpu_run(vcpu);
	ASSERT_IO_EXIT(vcpu, KVM_EXIT_IO_OUT, GP_PORT, 1);
}

/* vCPU 0's leaf 1 ECX, as KVM_GET_CPUID2 reports it. */
static uint32_t cpuid_1_ecx(struct test_vcpu *vcpu)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 e[256];
	} c = { .hdr.nent = 256 };
	unsigned int i;

	ASSERT_IOCTL_OK(vcpu->fd, KVM_GET_CPUID2, &c);
	for (i = 0; i < c.hdr.nent; i++)
		if (c.e[i].function == 1)
			return c.e[i].ecx;
	TEST_FAIL("no CPUID leaf 1");
	return 0;
}

static void set_cpuid_1_ecx(struct test_vcpu *vcpu, uint32_t ecx)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 e[1];
	} c = { .hdr.nent = 1, .e = { { .function = 1, .ecx = ecx } } };

	ASSERT_IOCTL_OK(vcpu->fd, KVM_SET_CPUID2, &c);
}

static bool index_list_has(uint32_t index)
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

static void test_caps_and_list(void)
{
	int fd = dev_open();

	ASSERT_EQ(1, dev_ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_VCPU_ATTRIBUTES));
	ASSERT_EQ(1, dev_ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MSR_PLATFORM_INFO));
	ASSERT_EQ(KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT,
		  dev_ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_DISABLE_QUIRKS2) &
		  KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT);
	close(fd);
	TEST_ASSERT(index_list_has(MSR_TSC_ADJUST), "TSC_ADJUST not listed");
	TEST_ASSERT(index_list_has(MSR_MISC_ENABLE), "MISC_ENABLE not listed");
	TEST_ASSERT(index_list_has(MSR_PLATFORM_INFO), "PLATFORM_INFO not listed");
}

static int tsc_attr(struct test_vcpu *vcpu, unsigned long ioctl_nr, uint32_t group,
		    uint64_t attr, uint64_t addr)
{
	struct kvm_device_attr a = { .group = group, .attr = attr, .addr = addr };

	return ioctl(vcpu->fd, ioctl_nr, &a) ? -errno : 0;
}

/* The attribute's errors, as KVM's kvm_vcpu_ioctl_device_attr(). */
static void test_attr_errors(void)
{
	static const unsigned char code[] = { 0xf4 };
	struct test_guest g;
	uint64_t offset = 0;
	uint64_t a = (uint64_t)(unsigned long)&offset;

	guest_start_real_mode(&g, 0x10000, CODE_GPA, code, sizeof(code));
	ASSERT_EQ(0, tsc_attr(&g.vcpu, KVM_HAS_DEVICE_ATTR, KVM_VCPU_TSC_CTRL,
			      KVM_VCPU_TSC_OFFSET, 0));
	ASSERT_EQ(-ENXIO, tsc_attr(&g.vcpu, KVM_HAS_DEVICE_ATTR, KVM_VCPU_TSC_CTRL, 1, 0));
	ASSERT_EQ(-ENXIO, tsc_attr(&g.vcpu, KVM_HAS_DEVICE_ATTR, 1, KVM_VCPU_TSC_OFFSET, 0));
	ASSERT_EQ(-ENXIO, tsc_attr(&g.vcpu, KVM_GET_DEVICE_ATTR, 1, KVM_VCPU_TSC_OFFSET, a));
	ASSERT_EQ(-ENXIO, tsc_attr(&g.vcpu, KVM_GET_DEVICE_ATTR, KVM_VCPU_TSC_CTRL, 1, a));
	ASSERT_EQ(-ENXIO, tsc_attr(&g.vcpu, KVM_SET_DEVICE_ATTR, KVM_VCPU_TSC_CTRL, 1, a));
	/* The address first, then the attribute. */
	ASSERT_EQ(-EFAULT, tsc_attr(&g.vcpu, KVM_GET_DEVICE_ATTR, KVM_VCPU_TSC_CTRL,
				    KVM_VCPU_TSC_OFFSET, 8));
	ASSERT_EQ(-EFAULT, tsc_attr(&g.vcpu, KVM_SET_DEVICE_ATTR, KVM_VCPU_TSC_CTRL,
				    KVM_VCPU_TSC_OFFSET, 8));
	/* Only the address's width is checked before the attribute: any fits. */
	ASSERT_EQ(-ENXIO, tsc_attr(&g.vcpu, KVM_SET_DEVICE_ATTR, KVM_VCPU_TSC_CTRL, 1, 8));
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_GET_DEVICE_ATTR, 8, EFAULT);
	/* Not on the VM file in 6.1 (later kernels have VM TSC attributes). */
	ASSERT_IOCTL_ERRNO(g.vm.fd, KVM_HAS_DEVICE_ATTR, 8, ENOTTY);
	guest_stop(&g);
}

/* rdtsc; out 0x10, eax; mov eax, edx; out 0x10, eax; hlt */
GUEST_CODE(rdtsc_code, ".code16",
	"rdtsc\n\t"
	"out %eax, $0x10\n\t"
	"mov %edx, %eax\n\t"
	"out %eax, $0x10\n\t"
	"hlt\n\t");

/*
 * The offset set is the one read back, and the guest's TSC is the host's
 * plus it (system_counter_offset_test's check, with room for QEMU's
 * emulator as L0).
 */
static void test_attr_offset(void)
{
	static const uint64_t offsets[] = { 0, 180ull * UNITY, -180ull * UNITY };
	struct test_guest g;
	unsigned int i;

	for (i = 0; i < KTAP_ARRAY_SIZE(offsets); i++) {
		uint64_t offset = offsets[i], got = 0, start, end, guest;

		guest_start_real_mode(&g, 0x10000, CODE_GPA, rdtsc_code,
				      GUEST_CODE_SIZE(rdtsc_code));
		ASSERT_EQ(0, tsc_attr(&g.vcpu, KVM_SET_DEVICE_ATTR, KVM_VCPU_TSC_CTRL,
				      KVM_VCPU_TSC_OFFSET, (unsigned long)&offset));
		ASSERT_EQ(0, tsc_attr(&g.vcpu, KVM_GET_DEVICE_ATTR, KVM_VCPU_TSC_CTRL,
				      KVM_VCPU_TSC_OFFSET, (unsigned long)&got));
		if (tsc_values_checked())
			ASSERT_EQ(offset, got);
		else
			ASSERT_EQ(ROUND(offset), ROUND(got));
		start = rdtsc() + offset;
		guest = vcpu_run_out32(&g.vcpu, 0x10);
		guest |= (uint64_t)vcpu_run_out32(&g.vcpu, 0x10) << 32;
		end = rdtsc() + offset;
		TEST_ASSERT(guest + UNITY / 2 >= start && guest <= end + UNITY / 2,
			    "offset %#llx: guest TSC %#llx outside [%#llx, %#llx]",
			    (unsigned long long)offset, (unsigned long long)guest,
			    (unsigned long long)start, (unsigned long long)end);
		/* User space's TSC read is the same sum. */
		ASSERT_EQ(ROUND(rdtsc() + offset), ROUND(get_msr(&g.vcpu, MSR_TSC)));
		ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
		guest_stop(&g);
	}
}

/* Two vCPUs created one after the other get the same offset (KVM's matching). */
static void test_creation_matches(void)
{
	struct test_vcpu v1;
	struct test_guest g;
	uint64_t off0, off1;

	guest_start_real_mode(&g, 0x10000, CODE_GPA, rdtsc_code, GUEST_CODE_SIZE(rdtsc_code));
	vcpu_create(&g.vm, 1, &v1);
	ASSERT_EQ(0, tsc_attr(&g.vcpu, KVM_GET_DEVICE_ATTR, KVM_VCPU_TSC_CTRL,
			      KVM_VCPU_TSC_OFFSET, (unsigned long)&off0));
	ASSERT_EQ(0, tsc_attr(&v1, KVM_GET_DEVICE_ATTR, KVM_VCPU_TSC_CTRL,
			      KVM_VCPU_TSC_OFFSET, (unsigned long)&off1));
	/* Equal on a stable TSC; on an unstable one the later is ahead by the time between. */
	TEST_ASSERT(ROUND(off0) == ROUND(off1), "offsets %#llx and %#llx",
		    (unsigned long long)off0, (unsigned long long)off1);
	/* A new vCPU's TSC starts at 0. */
	ASSERT_EQ(0, ROUND(get_msr(&v1, MSR_TSC)));
	vcpu_close(&v1);
	guest_stop(&g);
}

/* tsc_msrs_test's steps, by a real-mode guest: 4, 8 and 16 units. */
GUEST_CODE(tsc_adjust_code, ".code16",
	"mov $0x10, %ecx\n\t"		/* guest: TSC = 4 */
	"xor %eax, %eax\n\t"
	"mov $1, %edx\n\t"
	"wrmsr\n\t"
	"hlt\n\t"
	"mov $0x3b, %ecx\n\t"		/* guest: TSC_ADJUST = 8 */
	"xor %eax, %eax\n\t"
	"mov $2, %edx\n\t"
	"wrmsr\n\t"
	"hlt\n\t"
	"mov $0x10, %ecx\n\t"		/* guest: TSC = 16 */
	"xor %eax, %eax\n\t"
	"mov $4, %edx\n\t"
	"wrmsr\n\t"
	"mov $0x3b, %ecx\n\t"		/* and reads TSC_ADJUST */
	"rdmsr\n\t"
	"out %eax, $0x10\n\t"
	"mov %edx, %eax\n\t"
	"out %eax, $0x10\n\t"
	"hlt\n\t");

static void test_tsc_adjust(void)
{
	const uint64_t host = 64 * UNITY;
	bool checked = tsc_values_checked();
	struct test_guest g;
	uint64_t adjust;

	if (!checked)
		ktap_info("KVM with an unstable host TSC: the TSC's values after writes are not checked");
	guest_start_real_mode(&g, 0x10000, CODE_GPA, tsc_adjust_code,
			      GUEST_CODE_SIZE(tsc_adjust_code));
	guest_set_supported_cpuid(&g);
	ASSERT_EQ(0, ROUND(get_msr(&g.vcpu, MSR_TSC)));
	ASSERT_EQ(0, get_msr(&g.vcpu, MSR_TSC_ADJUST));

	/* The guest's TSC write moves both. */
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_EQ(4 * UNITY, ROUND(get_msr(&g.vcpu, MSR_TSC)));
	ASSERT_EQ(4 * UNITY, ROUND(get_msr(&g.vcpu, MSR_TSC_ADJUST)));

	/* User space's TSC write sets the offset alone. */
	ASSERT_EQ(1, set_msr(&g.vcpu, MSR_TSC, host + 4 * UNITY));
	ASSERT_EQ(host + 4 * UNITY, ROUND(get_msr(&g.vcpu, MSR_TSC)));
	ASSERT_EQ(4 * UNITY, ROUND(get_msr(&g.vcpu, MSR_TSC_ADJUST)));
	/* User space's TSC_ADJUST write leaves the TSC alone. */
	ASSERT_EQ(1, set_msr(&g.vcpu, MSR_TSC_ADJUST, 123456 * UNITY));
	ASSERT_EQ(123456 * UNITY, get_msr(&g.vcpu, MSR_TSC_ADJUST));
	ASSERT_EQ(host + 4 * UNITY, ROUND(get_msr(&g.vcpu, MSR_TSC)));
	ASSERT_EQ(1, set_msr(&g.vcpu, MSR_TSC_ADJUST, 4 * UNITY));

	/* The guest's TSC_ADJUST write moves the TSC by the change. */
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_EQ(8 * UNITY, get_msr(&g.vcpu, MSR_TSC_ADJUST));
	if (checked)
		ASSERT_EQ(host + 8 * UNITY, ROUND(get_msr(&g.vcpu, MSR_TSC)));

	/* The guest's TSC write now shows user space's offset in TSC_ADJUST. */
	adjust = vcpu_run_out32(&g.vcpu, 0x10);
	adjust |= (uint64_t)vcpu_run_out32(&g.vcpu, 0x10) << 32;
	ASSERT_EQ(16 * UNITY - host, ROUND(adjust));
	ASSERT_EQ(16 * UNITY - host, ROUND(get_msr(&g.vcpu, MSR_TSC_ADJUST)));
	if (checked)
		ASSERT_EQ(16 * UNITY, ROUND(get_msr(&g.vcpu, MSR_TSC)));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

/* Without TSC_ADJUST in the guest's CPUID, writes are ignored, reads work. */
static void test_tsc_adjust_without_cpuid(void)
{
	struct test_guest g;

	guest_start_real_mode(&g, 0x10000, CODE_GPA, tsc_adjust_code,
			      GUEST_CODE_SIZE(tsc_adjust_code));
	ASSERT_EQ(1, set_msr(&g.vcpu, MSR_TSC_ADJUST, 5 * UNITY));
	ASSERT_EQ(0, get_msr(&g.vcpu, MSR_TSC_ADJUST));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));	/* TSC = 4: still counted */
	ASSERT_EQ(4 * UNITY, ROUND(get_msr(&g.vcpu, MSR_TSC_ADJUST)));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));	/* TSC_ADJUST = 8: ignored */
	ASSERT_EQ(4 * UNITY, ROUND(get_msr(&g.vcpu, MSR_TSC_ADJUST)));
	ASSERT_EQ(4 * UNITY, ROUND(get_msr(&g.vcpu, MSR_TSC)));
	guest_stop(&g);
}

GUEST_CODE(platform_read, ".code16",
	"mov $0xce, %ecx\n\t"
	"rdmsr\n\t"
	"out %eax, $0x10\n\t"
	"hlt\n\t"
	"mov $0xce, %ecx\n\t"
	"rdmsr\n\t"
	"hlt\n\t");

GUEST_CODE(platform_write, ".code16",
	"mov $0xce, %ecx\n\t"
	"xor %eax, %eax\n\t"
	"xor %edx, %edx\n\t"
	"wrmsr\n\t"
	"hlt\n\t");

/* platform_info_test's cases, and the guest's write (#GP). */
static void test_platform_info(void)
{
	struct test_guest g;
	uint64_t initial;

	gp_guest_start(&g, platform_read, GUEST_CODE_SIZE(platform_read));
	initial = get_msr(&g.vcpu, MSR_PLATFORM_INFO);
	/* KVM offers CPUID faulting (bit 31); l1vmm does not (doc/abi.md). */
	ASSERT_EQ(dev_is_l1vmm() ? 0 : 1ull << 31, initial);
	ASSERT_EQ(1, set_msr(&g.vcpu, MSR_PLATFORM_INFO, initial | 0xff00));
	ASSERT_EQ(initial | 0xff00, get_msr(&g.vcpu, MSR_PLATFORM_INFO));
	/* Readable by default, and with the capability enabled. */
	ASSERT_EQ(0, enable_cap(&g.vm, KVM_CAP_MSR_PLATFORM_INFO, 1));
	ASSERT_EQ((uint32_t)(initial | 0xff00), vcpu_run_out32(&g.vcpu, 0x10));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	/* Disabled: the guest's read is a #GP; user space still reads it. */
	ASSERT_EQ(0, enable_cap(&g.vm, KVM_CAP_MSR_PLATFORM_INFO, 0));
	assert_gp(&g.vcpu);
	ASSERT_EQ(initial | 0xff00, get_msr(&g.vcpu, MSR_PLATFORM_INFO));
	guest_stop(&g);

	gp_guest_start(&g, platform_write, GUEST_CODE_SIZE(platform_write));
	assert_gp(&g.vcpu);
	guest_stop(&g);
}

GUEST_CODE(misc_code, ".code16",
	"mov $0x1a0, %ecx\n\t"
	"rdmsr\n\t"
	"out %eax, $0x10\n\t"
	"or $0x80, %eax\n\t"		/* EMON: ignored */
	"wrmsr\n\t"
	"rdmsr\n\t"
	"out %eax, $0x10\n\t"
	"or $0x40000, %eax\n\t"		/* MWAIT: taken */
	"wrmsr\n\t"
	"rdmsr\n\t"
	"out %eax, $0x10\n\t"
	"and $0xfffff7ff, %eax\n\t"	/* BTS_UNAVAIL cleared: #GP */
	"wrmsr\n\t"
	"hlt\n\t");

/* IA32_MISC_ENABLE: the reset value and the guest's writes. */
static void test_misc_enable(void)
{
	struct test_guest g;

	gp_guest_start(&g, misc_code, GUEST_CODE_SIZE(misc_code));
	ASSERT_EQ(MISC_ENABLE_RESET, get_msr(&g.vcpu, MSR_MISC_ENABLE));
	ASSERT_EQ(MISC_ENABLE_RESET, vcpu_run_out32(&g.vcpu, 0x10));
	ASSERT_EQ(MISC_ENABLE_RESET, vcpu_run_out32(&g.vcpu, 0x10));
	ASSERT_EQ(MISC_ENABLE_RESET | MISC_ENABLE_MWAIT, vcpu_run_out32(&g.vcpu, 0x10));
	assert_gp(&g.vcpu);
	ASSERT_EQ(MISC_ENABLE_RESET | MISC_ENABLE_MWAIT, get_msr(&g.vcpu, MSR_MISC_ENABLE));
	/* User space may write any value, the read-only bits too. */
	ASSERT_EQ(1, set_msr(&g.vcpu, MSR_MISC_ENABLE, 0x80));
	ASSERT_EQ(0x80, get_msr(&g.vcpu, MSR_MISC_ENABLE));
	guest_stop(&g);
}

/*
 * With the MISC_ENABLE_NO_MWAIT quirk on, the MWAIT bit is only stored;
 * with it off, CPUID 1 ECX MWAIT follows it (in KVM_GET_CPUID2 too), and
 * changing it needs SSE3 in the guest's CPUID.
 */
static void test_misc_enable_quirk(void)
{
	static const unsigned char code[] = { 0xf4 };
	struct test_guest g;

	guest_start_real_mode(&g, 0x10000, CODE_GPA, code, sizeof(code));
	set_cpuid_1_ecx(&g.vcpu, CPUID_1_ECX_SSE3);
	ASSERT_EQ(1, set_msr(&g.vcpu, MSR_MISC_ENABLE, MISC_ENABLE_MWAIT));
	ASSERT_EQ(CPUID_1_ECX_SSE3, cpuid_1_ecx(&g.vcpu));

	ASSERT_EQ(0, enable_cap(&g.vm, KVM_CAP_DISABLE_QUIRKS2,
				KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT));
	ASSERT_EQ(1, set_msr(&g.vcpu, MSR_MISC_ENABLE, 0));
	ASSERT_EQ(CPUID_1_ECX_SSE3, cpuid_1_ecx(&g.vcpu));
	ASSERT_EQ(1, set_msr(&g.vcpu, MSR_MISC_ENABLE, MISC_ENABLE_MWAIT));
	ASSERT_EQ(CPUID_1_ECX_SSE3 | CPUID_1_ECX_MWAIT, cpuid_1_ecx(&g.vcpu));
	/* A new table takes the bit from the MSR. */
	set_cpuid_1_ecx(&g.vcpu, 0);
	ASSERT_EQ(CPUID_1_ECX_MWAIT, cpuid_1_ecx(&g.vcpu));
	/* Without SSE3 the bit may not change. */
	ASSERT_EQ(0, set_msr(&g.vcpu, MSR_MISC_ENABLE, 0));
	ASSERT_EQ(MISC_ENABLE_MWAIT, get_msr(&g.vcpu, MSR_MISC_ENABLE));
	ASSERT_EQ(1, set_msr(&g.vcpu, MSR_MISC_ENABLE, MISC_ENABLE_MWAIT | 0x80));
	guest_stop(&g);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_caps_and_list),
	KTAP_CASE(test_attr_errors),
	KTAP_CASE(test_attr_offset),
	KTAP_CASE(test_creation_matches),
	KTAP_CASE(test_tsc_adjust),
	KTAP_CASE(test_tsc_adjust_without_cpuid),
	KTAP_CASE(test_platform_info),
	KTAP_CASE(test_misc_enable),
	KTAP_CASE(test_misc_enable_quirk),
};

int main(void)
{
	return ktap_run(dev_is_l1vmm() ? "tsc_msrs" : "tsc_msrs@kvm", tests,
			KTAP_ARRAY_SIZE(tests));
}
