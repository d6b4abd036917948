// SPDX-License-Identifier: GPL-2.0-only
/*
 * The system file's ioctls: device node, API version, extension answers,
 * unknown ioctls, bad pointers.
 *
 * Runs against /dev/l1vmm, and with L1VMM_DEV=/dev/kvm against KVM in the
 * same guest (selftests/guest/api-kvm.sh): where l1vmm deliberately differs
 * from KVM the test says so and doc/abi.md lists it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "l1vmm/kvm_uapi.h"
#include "kvm_vm.h"
#include "l1vmm_util.h"

#define MISC_MAJOR	10

static void test_device_node(void)
{
	struct stat st;

	TEST_ASSERT(stat(dev_path(), &st) == 0, "stat %s: %s", dev_path(),
		    ktap_errno_name(errno));
	TEST_ASSERT(S_ISCHR(st.st_mode), "%s is not a character device", dev_path());
	ASSERT_EQ(MISC_MAJOR, major(st.st_rdev));
	/* devtmpfs applies the misc device's mode; KVM leaves it to udev. */
	if (dev_is_l1vmm())
		ASSERT_EQ(0660, st.st_mode & 07777);
}

static void test_api_version(void)
{
	int fd = dev_open();

	ASSERT_EQ(KVM_API_VERSION, ASSERT_IOCTL_OK(fd, KVM_GET_API_VERSION, 0));
	ASSERT_EQ(12, KVM_API_VERSION);
	close(fd);
}

static void test_api_version_rejects_argument(void)
{
	int fd = dev_open();

	ASSERT_IOCTL_ERRNO(fd, KVM_GET_API_VERSION, 1, EINVAL);
	ASSERT_IOCTL_ERRNO(fd, KVM_GET_API_VERSION, -1L, EINVAL);
	close(fd);
}

/*
 * The capabilities l1vmm implements and their answers (doc/abi.md); every
 * other capability must answer 0.
 */
static const struct {
	long cap;
	long answer;
} l1vmm_caps[] = {
	{ KVM_CAP_USER_MEMORY, 1 },
	{ KVM_CAP_DESTROY_MEMORY_REGION_WORKS, 1 },
	{ KVM_CAP_JOIN_MEMORY_REGIONS_WORKS, 1 },
	{ KVM_CAP_MMU_SHADOW_CACHE_CONTROL, 1 },
	{ KVM_CAP_SET_TSS_ADDR, 1 },
	{ KVM_CAP_SET_IDENTITY_MAP_ADDR, 1 },
	{ KVM_CAP_READONLY_MEM, 1 },
	{ KVM_CAP_IMMEDIATE_EXIT, 1 },
	{ KVM_CAP_EXT_CPUID, 1 },
	{ KVM_CAP_MP_STATE, 1 },
	{ KVM_CAP_VCPU_EVENTS, 1 },
	{ KVM_CAP_INTR_SHADOW, 1 },
	{ KVM_CAP_DEBUGREGS, 1 },
	{ KVM_CAP_GET_TSC_KHZ, 1 },
	{ KVM_CAP_IOEVENTFD, 1 },
	{ KVM_CAP_IOEVENTFD_ANY_LENGTH, 1 },
	{ KVM_CAP_IOEVENTFD_NO_LENGTH, 1 },
	{ KVM_CAP_IRQFD, 1 },
	{ KVM_CAP_IRQFD_RESAMPLE, 1 },
	{ KVM_CAP_SIGNAL_MSI, 1 },
	{ KVM_CAP_IRQ_ROUTING, 4096 },	/* KVM's KVM_MAX_IRQ_ROUTES */
	{ KVM_CAP_CHECK_EXTENSION_VM, 1 },
	{ KVM_CAP_ENABLE_CAP, 1 },
	{ KVM_CAP_ENABLE_CAP_VM, 1 },
	{ KVM_CAP_BINARY_STATS_FD, 1 },
	{ KVM_CAP_X86_USER_SPACE_MSR, 1 },
	{ KVM_CAP_X86_MSR_FILTER, 1 },
	{ KVM_CAP_SYNC_REGS, KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS | KVM_SYNC_X86_EVENTS },
	{ KVM_CAP_ADJUST_CLOCK, KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC },
	{ KVM_CAP_GET_MSR_FEATURES, 1 },
	{ KVM_CAP_MCE, 32 },	/* KVM_MAX_MCE_BANKS */
	{ KVM_CAP_SET_GUEST_DEBUG, 1 },
	{ KVM_CAP_SET_GUEST_DEBUG2, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP |
				    KVM_GUESTDBG_USE_SW_BP | KVM_GUESTDBG_USE_HW_BP |
				    KVM_GUESTDBG_INJECT_DB | KVM_GUESTDBG_INJECT_BP |
				    KVM_GUESTDBG_BLOCKIRQ },
	{ KVM_CAP_USER_NMI, 1 },
	{ KVM_CAP_EXCEPTION_PAYLOAD, 1 },
	{ KVM_CAP_X86_TRIPLE_FAULT_EVENT, 1 },
	{ KVM_CAP_SREGS2, 1 },
	{ KVM_CAP_SYS_ATTRIBUTES, 1 },
	{ KVM_CAP_DISABLE_QUIRKS, 1 },
	{ KVM_CAP_VCPU_ATTRIBUTES, 1 },
	{ KVM_CAP_MSR_PLATFORM_INFO, 1 },
	{ KVM_CAP_SYNC_MMU, 1 },
	{ KVM_CAP_COALESCED_MMIO, KVM_COALESCED_MMIO_PAGE_OFFSET },
	{ KVM_CAP_COALESCED_PIO, 1 },
	{ KVM_CAP_X86_ROBUST_SINGLESTEP, 1 },
	{ KVM_CAP_ENFORCE_PV_FEATURE_CPUID, 1 },
	/* The quirks l1vmm has (vcpu_state.c): KVM answers all it knows. */
	{ KVM_CAP_DISABLE_QUIRKS2, KVM_X86_QUIRK_OUT_7E_INC_RIP |
				   KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT |
				   KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS |
				   KVM_X86_QUIRK_FIX_HYPERCALL_INSN },
	{ KVM_CAP_XCRS, 1 },	/* on a host with XSAVE, as every test host has */
	{ KVM_CAP_XSAVE, 1 },
	/* l1vmm's XCR0 limit (no AMX) always fits struct kvm_xsave. */
	{ KVM_CAP_XSAVE2, 4096 },
	{ KVM_CAP_NR_MEMSLOTS, 32764 },	/* KVM's KVM_USER_MEM_SLOTS */
	{ KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, 3 },	/* MANUAL_PROTECT_ENABLE | INITIALLY_SET */
	{ KVM_CAP_USER_MEMORY2, 1 },
	{ KVM_CAP_NR_VCPUS, -1 },	/* the online CPUs */
	{ KVM_CAP_MAX_VCPUS, 1024 },
	{ KVM_CAP_MAX_VCPU_ID, 4096 },
	/* The in-kernel irqchip (irqchip.c). */
	{ KVM_CAP_IRQCHIP, 1 },
	{ KVM_CAP_IRQ_INJECT_STATUS, 1 },
	{ KVM_CAP_SET_BOOT_CPU_ID, 1 },
	{ KVM_CAP_VAPIC, 1 },		/* KVM_SET_VAPIC_ADDR (lapic.c) */
	/* The in-kernel PIT (pit.c). */
	{ KVM_CAP_PIT, 1 },
	{ KVM_CAP_PIT2, 1 },
	{ KVM_CAP_PIT_STATE2, 1 },
	{ KVM_CAP_REINJECT_CONTROL, 1 },
	{ KVM_CAP_SPLIT_IRQCHIP, 1 },
	{ KVM_CAP_X2APIC_API, 3 },
	{ KVM_CAP_HALT_POLL, 1 },
};

static long expected_cap_answer(long cap)
{
	size_t i;

	for (i = 0; i < KTAP_ARRAY_SIZE(l1vmm_caps); i++)
		if (l1vmm_caps[i].cap == cap)
			return l1vmm_caps[i].answer < 0 ? sysconf(_SC_NPROCESSORS_ONLN) :
							  l1vmm_caps[i].answer;
	return 0;
}

static void test_check_extension(void)
{
	static const long odd_caps[] = { -1, LONG_MIN, LONG_MAX, 1L << 32 };
	long cap, got;
	size_t i;
	int fd;

	if (!dev_is_l1vmm())
		ktap_skip("KVM implements capabilities that l1vmm does not yet");

	fd = dev_open();
	for (cap = 0; cap < 1024; cap++) {
		got = ASSERT_IOCTL_OK(fd, KVM_CHECK_EXTENSION, cap);
		TEST_ASSERT(got == expected_cap_answer(cap),
			    "KVM_CHECK_EXTENSION(%ld): wanted %ld, got %ld",
			    cap, expected_cap_answer(cap), got);
	}
	for (i = 0; i < KTAP_ARRAY_SIZE(odd_caps); i++)
		ASSERT_EQ(0, ASSERT_IOCTL_OK(fd, KVM_CHECK_EXTENSION, odd_caps[i]));
	close(fd);
}

/* Numbers no KVM file knows, KVM's own type and others'. */
static const unsigned long unknown[] = {
	_IO(KVMIO, 0xff),
	_IOR(KVMIO, 0xfe, uint64_t),
	_IOWR(KVMIO, 0xfd, struct kvm_regs),
	_IOW('x', 1, int),
	TCGETS,
	0,
};

static void assert_unknown_errno(int fd, const char *file, unsigned long cmd, int want)
{
	long r = dev_ioctl(fd, cmd, 0);

	TEST_ASSERT(r == -want, "ioctl %#lx on the %s file: wanted %s, got %s",
		    cmd, file, ktap_errno_name(want),
		    r < 0 ? ktap_errno_name((int)-r) : "success");
}

/*
 * An ioctl a file does not know: EINVAL on the system and vCPU files (the
 * defaults of KVM's x86 kvm_arch_dev_ioctl() and kvm_arch_vcpu_ioctl()),
 * ENOTTY on the VM file (kvm_arch_vm_ioctl()'s). So is one of another
 * file's: a vCPU ioctl on the system file, a system ioctl on a vCPU.
 */
static void test_unknown_ioctl(void)
{
	struct test_vcpu vcpu;
	struct test_vm vm;
	int fd = dev_open();
	size_t i;

	vm_create(&vm);
	vcpu_create(&vm, 0, &vcpu);
	for (i = 0; i < KTAP_ARRAY_SIZE(unknown); i++) {
		assert_unknown_errno(fd, "system", unknown[i], EINVAL);
		assert_unknown_errno(vm.fd, "VM", unknown[i], ENOTTY);
		assert_unknown_errno(vcpu.fd, "vCPU", unknown[i], EINVAL);
	}
	assert_unknown_errno(fd, "system", KVM_GET_REGS, EINVAL);
	assert_unknown_errno(fd, "system", KVM_GET_STATS_FD, EINVAL);
	assert_unknown_errno(fd, "system", KVM_SET_DEVICE_ATTR, EINVAL);
	assert_unknown_errno(vm.fd, "VM", KVM_GET_REGS, ENOTTY);
	assert_unknown_errno(vcpu.fd, "vCPU", KVM_GET_SUPPORTED_CPUID, EINVAL);
	assert_unknown_errno(vcpu.fd, "vCPU", KVM_CREATE_VCPU, EINVAL);
	/* KVM's old tracing ioctls, long gone, still say so. */
	assert_unknown_errno(fd, "system", KVM_TRACE_ENABLE, EOPNOTSUPP);
	assert_unknown_errno(fd, "system", KVM_TRACE_PAUSE, EOPNOTSUPP);
	assert_unknown_errno(fd, "system", KVM_TRACE_DISABLE, EOPNOTSUPP);
	vcpu_close(&vcpu);
	vm_close(&vm);
	close(fd);
}

/*
 * Ioctls KVM 6.1 has that l1vmm does not implement (yet) answer ENOTTY,
 * even with a bad pointer: not there (doc/abi.md). Each one moves out of
 * its list when implemented.
 */
static const unsigned long l1vmm_not_yet_system[] = {
	KVM_GET_EMULATED_CPUID,
	KVM_GET_SUPPORTED_HV_CPUID,
};

static const unsigned long l1vmm_not_yet_vcpu[] = {
	KVM_SET_CPUID,
	KVM_SMI,
	KVM_TPR_ACCESS_REPORTING,
	KVM_KVMCLOCK_CTRL,
	KVM_GET_NESTED_STATE,
	KVM_SET_NESTED_STATE,
	KVM_GET_SUPPORTED_HV_CPUID,
	KVM_XEN_VCPU_GET_ATTR,
	KVM_XEN_VCPU_SET_ATTR,
};

static void test_not_yet_implemented(void)
{
	struct test_vcpu vcpu;
	struct test_vm vm;
	int fd;
	size_t i;

	if (!dev_is_l1vmm())
		ktap_skip("KVM implements these");

	fd = dev_open();
	vm_create(&vm);
	vcpu_create(&vm, 0, &vcpu);
	for (i = 0; i < KTAP_ARRAY_SIZE(l1vmm_not_yet_system); i++)
		assert_unknown_errno(fd, "system", l1vmm_not_yet_system[i], ENOTTY);
	for (i = 0; i < KTAP_ARRAY_SIZE(l1vmm_not_yet_vcpu); i++)
		assert_unknown_errno(vcpu.fd, "vCPU", l1vmm_not_yet_vcpu[i], ENOTTY);
	vcpu_close(&vcpu);
	vm_close(&vm);
	close(fd);
}

/* System ioctls that take a pointer; each must fail a bad one with EFAULT. */
static const struct {
	unsigned long cmd;
	const char *name;
	bool l1vmm_has_it;
} pointer_ioctls[] = {
	{ KVM_GET_MSR_INDEX_LIST, "KVM_GET_MSR_INDEX_LIST", true },
	{ KVM_GET_SUPPORTED_CPUID, "KVM_GET_SUPPORTED_CPUID", true },
	{ KVM_GET_MSR_FEATURE_INDEX_LIST, "KVM_GET_MSR_FEATURE_INDEX_LIST", true },
	{ KVM_GET_MSRS, "KVM_GET_MSRS", true },
	{ KVM_GET_DEVICE_ATTR, "KVM_GET_DEVICE_ATTR", true },
	{ KVM_HAS_DEVICE_ATTR, "KVM_HAS_DEVICE_ATTR", true },
};

static void test_bad_pointer(void)
{
	void *unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	const unsigned long bad[] = {
		0, 1, (unsigned long)unmapped, 0xffffffff81000000ul,
	};
	size_t i, j, tested = 0;
	int fd = dev_open();
	long r;

	for (i = 0; i < KTAP_ARRAY_SIZE(pointer_ioctls); i++) {
		if (dev_is_l1vmm() && !pointer_ioctls[i].l1vmm_has_it)
			continue;
		for (j = 0; j < KTAP_ARRAY_SIZE(bad); j++) {
			r = dev_ioctl(fd, pointer_ioctls[i].cmd, bad[j]);
			TEST_ASSERT(r == -EFAULT, "%s(%#lx): wanted EFAULT, got %s",
				    pointer_ioctls[i].name, bad[j],
				    r < 0 ? ktap_errno_name((int)-r) : "success");
		}
		tested++;
	}
	close(fd);
	if (!tested)
		ktap_skip("no system ioctl that takes a pointer is implemented yet");
}

/* The VM type and the mmap-size argument must be 0, as in KVM. */
static void test_create_vm_arguments(void)
{
	int fd = dev_open(), vm;

	ASSERT_IOCTL_ERRNO(fd, KVM_CREATE_VM, 1, EINVAL);
	ASSERT_IOCTL_ERRNO(fd, KVM_CREATE_VM, -1L, EINVAL);
	vm = ASSERT_IOCTL_OK(fd, KVM_CREATE_VM, 0);
	close(vm);
	ASSERT_IOCTL_ERRNO(fd, KVM_GET_VCPU_MMAP_SIZE, 1, EINVAL);
	close(fd);
}

/* Opening and closing the device must not leak or fail over time. */
static void test_open_close_many(void)
{
	int i, fd;

	for (i = 0; i < 1000; i++) {
		fd = dev_open();
		ASSERT_EQ(KVM_API_VERSION, ASSERT_IOCTL_OK(fd, KVM_GET_API_VERSION, 0));
		close(fd);
	}
}

/*
 * KVM_SET_TSS_ADDR and KVM_SET_IDENTITY_MAP_ADDR: ignored on AMD, but
 * checked as KVM's x86.c does (found by the fuzzer: l1vmm took a pointer
 * that faults, and either after vCPUs, with 0).
 */
static void test_tss_identity_map_addr(void)
{
	uint64_t addr = 0xfffbc000;
	struct test_vcpu vcpu;
	struct test_vm vm;

	vm_create(&vm);
	ASSERT_IOCTL_OK(vm.fd, KVM_SET_TSS_ADDR, 0xfffbd000);
	ASSERT_IOCTL_OK(vm.fd, KVM_SET_TSS_ADDR, 0xffffd000);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_SET_TSS_ADDR, 0xffffe000, EINVAL);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_SET_TSS_ADDR, 1ul << 32, EINVAL);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_SET_IDENTITY_MAP_ADDR, NULL, EFAULT);
	ASSERT_IOCTL_OK(vm.fd, KVM_SET_IDENTITY_MAP_ADDR, &addr);
	vcpu_create(&vm, 0, &vcpu);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_SET_IDENTITY_MAP_ADDR, &addr, EINVAL);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_SET_IDENTITY_MAP_ADDR, NULL, EINVAL);
	ASSERT_IOCTL_OK(vm.fd, KVM_SET_TSS_ADDR, 0xfffbd000);
	vcpu_close(&vcpu);
	vm_close(&vm);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_device_node),
	KTAP_CASE(test_api_version),
	KTAP_CASE(test_api_version_rejects_argument),
	KTAP_CASE(test_check_extension),
	KTAP_CASE(test_unknown_ioctl),
	KTAP_CASE(test_not_yet_implemented),
	KTAP_CASE(test_bad_pointer),
	KTAP_CASE(test_create_vm_arguments),
	KTAP_CASE(test_open_close_many),
	KTAP_CASE(test_tss_identity_map_addr),
};

int main(void)
{
	return ktap_run(dev_is_l1vmm() ? "api" : "api-kvm", tests,
			KTAP_ARRAY_SIZE(tests));
}
