// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a KVM program sees of its files and of the vCPU's clock and page
 * tables, as KVM 6.1 shows them: the anon-inode names of the VM, vCPU and
 * statistics files (/proc/self/fd), KVM_CAP_GET_TSC_KHZ with
 * KVM_GET/SET_TSC_KHZ, and KVM_TRANSLATE without paging, with 32-bit
 * paging and with 4-level paging, mapped and unmapped addresses.
 *
 * Runs against /dev/l1vmm, and against KVM in the same guest (identity@kvm).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm_vm.h"

/* The target of /proc/self/fd/@fd. */
static const char *fd_link(int fd)
{
	static char target[PATH_MAX];
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	TEST_ASSERT(n >= 0, "readlink %s: %s", path, ktap_errno_name(errno));
	target[n] = '\0';
	return target;
}

#define ASSERT_FD_LINK(want, fd)	ASSERT_STREQ(want, fd_link(fd))

static void test_fd_names(void)
{
	struct test_vcpu v0, v15;
	struct test_vm vm;
	int stats;

	vm_create(&vm);
	ASSERT_FD_LINK("anon_inode:kvm-vm", vm.fd);
	vcpu_create(&vm, 0, &v0);
	vcpu_create(&vm, 15, &v15);
	ASSERT_FD_LINK("anon_inode:kvm-vcpu:0", v0.fd);
	ASSERT_FD_LINK("anon_inode:kvm-vcpu:15", v15.fd);
	stats = ASSERT_IOCTL_OK(v15.fd, KVM_GET_STATS_FD, 0);
	ASSERT_FD_LINK("anon_inode:kvm-vcpu-stats:15", stats);
	close(stats);
	stats = ASSERT_IOCTL_OK(v0.fd, KVM_GET_STATS_FD, 0);
	ASSERT_FD_LINK("anon_inode:kvm-vcpu-stats:0", stats);
	close(stats);
	vcpu_close(&v15);
	vcpu_close(&v0);
	vm_close(&vm);
}

/*
 * The host's tsc_khz as the kernel logged it: the refined calibration
 * when there was one, else the first; 0 when the log no longer has it.
 */
static unsigned long host_tsc_khz_logged(void)
{
	static const char *const marks[] = {
		"tsc: Refined TSC clocksource calibration: ",
		"tsc: Detected ",
	};
	unsigned long khz[2] = { 0, 0 }, mhz, frac;
	char rec[2048], *text, *at;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	size_t i;
	ssize_t n;

	if (fd < 0)
		return 0;
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		text = strchr(rec, ';');
		if (!text)
			continue;
		for (i = 0; i < KTAP_ARRAY_SIZE(marks); i++) {
			at = strstr(text, marks[i]);
			if (at && sscanf(at + strlen(marks[i]), "%lu.%3lu MHz", &mhz, &frac) == 2)
				khz[i] = mhz * 1000 + frac;
		}
	}
	close(fd);
	return khz[0] ? khz[0] : khz[1];
}

/* A device without TSC scaling answers as KVM does on such a host. */
static void skip_if_tsc_scaling(int fd)
{
	if (dev_ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_CONTROL) > 0)
		ktap_skip("this KVM scales the TSC (KVM_CAP_TSC_CONTROL): l1vmm does not");
}

static void test_tsc_khz_cap_and_get(void)
{
	unsigned long logged = host_tsc_khz_logged();
	struct test_vcpu vcpu;
	struct test_vm vm;
	long khz;

	vm_create(&vm);
	ASSERT_EQ(1, ASSERT_IOCTL_OK(vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_GET_TSC_KHZ));
	ASSERT_EQ(1, ASSERT_IOCTL_OK(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_GET_TSC_KHZ));
	if (dev_is_l1vmm()) {
		/* No TSC scaling: as KVM on a host without it. */
		ASSERT_EQ(0, ASSERT_IOCTL_OK(vm.sys_fd, KVM_CHECK_EXTENSION,
					     KVM_CAP_TSC_CONTROL));
		ASSERT_EQ(0, ASSERT_IOCTL_OK(vm.fd, KVM_CHECK_EXTENSION,
					     KVM_CAP_VM_TSC_CONTROL));
	}
	skip_if_tsc_scaling(vm.sys_fd);

	vcpu_create(&vm, 0, &vcpu);
	khz = ASSERT_IOCTL_OK(vcpu.fd, KVM_GET_TSC_KHZ, 0);
	TEST_ASSERT(khz > 0, "KVM_GET_TSC_KHZ: wanted a rate, got %ld", khz);
	/* The VM's rate, which its new vCPUs start with. */
	ASSERT_EQ(khz, ASSERT_IOCTL_OK(vm.fd, KVM_GET_TSC_KHZ, 0));
	if (logged)
		TEST_ASSERT(khz == (long)logged,
			    "KVM_GET_TSC_KHZ: wanted the host's %lu (kernel log), got %ld",
			    logged, khz);
	else
		ktap_info("the kernel log no longer has the host's TSC rate");
	vcpu_close(&vcpu);
	vm_close(&vm);
}

static void test_tsc_khz_set(void)
{
	struct test_vcpu vcpu;
	struct test_vm vm;
	long host, tol;

	vm_create(&vm);
	skip_if_tsc_scaling(vm.sys_fd);
	vcpu_create(&vm, 0, &vcpu);
	host = ASSERT_IOCTL_OK(vcpu.fd, KVM_GET_TSC_KHZ, 0);
	/* KVM's tolerance, tsc_tolerance_ppm: 250 ppm. */
	tol = host * 250 / 1000000;
	TEST_ASSERT(tol >= 2, "host rate %ld kHz too low for this test", host);

	/* The host's own rate, and rates within the tolerance: kept as set. */
	ASSERT_EQ(0, ASSERT_IOCTL_OK(vcpu.fd, KVM_SET_TSC_KHZ, host));
	ASSERT_EQ(host, ASSERT_IOCTL_OK(vcpu.fd, KVM_GET_TSC_KHZ, 0));
	ASSERT_EQ(0, ASSERT_IOCTL_OK(vcpu.fd, KVM_SET_TSC_KHZ, host - tol + 1));
	ASSERT_EQ(host - tol + 1, ASSERT_IOCTL_OK(vcpu.fd, KVM_GET_TSC_KHZ, 0));
	ASSERT_EQ(0, ASSERT_IOCTL_OK(vcpu.fd, KVM_SET_TSC_KHZ, host + tol - 1));
	ASSERT_EQ(host + tol - 1, ASSERT_IOCTL_OK(vcpu.fd, KVM_GET_TSC_KHZ, 0));
	/* 0 is the host's rate. */
	ASSERT_EQ(0, ASSERT_IOCTL_OK(vcpu.fd, KVM_SET_TSC_KHZ, 0));
	ASSERT_EQ(host, ASSERT_IOCTL_OK(vcpu.fd, KVM_GET_TSC_KHZ, 0));
	/* Only the low 32 bits count. */
	ASSERT_EQ(0, ASSERT_IOCTL_OK(vcpu.fd, KVM_SET_TSC_KHZ, (1ul << 32) | host));

	/*
	 * Slower than the host without scaling: EINVAL, and KVM has recorded
	 * the rate before refusing it, so KVM_GET_TSC_KHZ reports it.
	 */
	ASSERT_IOCTL_ERRNO(vcpu.fd, KVM_SET_TSC_KHZ, host / 2, EINVAL);
	ASSERT_EQ(host / 2, ASSERT_IOCTL_OK(vcpu.fd, KVM_GET_TSC_KHZ, 0));
	ASSERT_IOCTL_ERRNO(vcpu.fd, KVM_SET_TSC_KHZ, host - tol - 2, EINVAL);
	ASSERT_EQ(0, ASSERT_IOCTL_OK(vcpu.fd, KVM_SET_TSC_KHZ, 0));
	ASSERT_EQ(host, ASSERT_IOCTL_OK(vcpu.fd, KVM_GET_TSC_KHZ, 0));

	/*
	 * Faster: KVM catches the guest's TSC up at every entry; l1vmm
	 * refuses it (doc/abi.md).
	 */
	if (dev_is_l1vmm()) {
		ASSERT_IOCTL_ERRNO(vcpu.fd, KVM_SET_TSC_KHZ, host * 2, EINVAL);
	} else {
		ASSERT_EQ(0, ASSERT_IOCTL_OK(vcpu.fd, KVM_SET_TSC_KHZ, host * 2));
		ASSERT_EQ(host * 2, ASSERT_IOCTL_OK(vcpu.fd, KVM_GET_TSC_KHZ, 0));
	}
	vcpu_close(&vcpu);
	vm_close(&vm);
}

/*
 * KVM_SET_TSC_KHZ on the VM file (KVM 5.19 and later): any rate, without
 * scaling, for the vCPUs created after it; 0 is the host's rate.
 */
static void test_tsc_khz_vm_set(void)
{
	struct test_vcpu before, after, host_rate;
	struct test_vm vm;
	long host;

	vm_create(&vm);
	skip_if_tsc_scaling(vm.sys_fd);
	host = ASSERT_IOCTL_OK(vm.fd, KVM_GET_TSC_KHZ, 0);
	vcpu_create(&vm, 0, &before);
	ASSERT_EQ(0, ASSERT_IOCTL_OK(vm.fd, KVM_SET_TSC_KHZ, host / 2));
	ASSERT_EQ(host / 2, ASSERT_IOCTL_OK(vm.fd, KVM_GET_TSC_KHZ, 0));
	/* A rate a vCPU refuses is still its rate from creation on. */
	vcpu_create(&vm, 1, &after);
	ASSERT_EQ(host / 2, ASSERT_IOCTL_OK(after.fd, KVM_GET_TSC_KHZ, 0));
	ASSERT_EQ(host, ASSERT_IOCTL_OK(before.fd, KVM_GET_TSC_KHZ, 0));
	/* Only the low 32 bits count; 0 is the host's rate. */
	ASSERT_EQ(0, ASSERT_IOCTL_OK(vm.fd, KVM_SET_TSC_KHZ, (1ul << 32) | 1000));
	ASSERT_EQ(1000, ASSERT_IOCTL_OK(vm.fd, KVM_GET_TSC_KHZ, 0));
	ASSERT_EQ(0, ASSERT_IOCTL_OK(vm.fd, KVM_SET_TSC_KHZ, 1ul << 32));
	ASSERT_EQ(host, ASSERT_IOCTL_OK(vm.fd, KVM_GET_TSC_KHZ, 0));
	vcpu_create(&vm, 2, &host_rate);
	ASSERT_EQ(host, ASSERT_IOCTL_OK(host_rate.fd, KVM_GET_TSC_KHZ, 0));
	vcpu_close(&host_rate);
	vcpu_close(&after);
	vcpu_close(&before);
	vm_close(&vm);
}

#define CR0_PE		(1ull << 0)
#define CR0_PG		(1ull << 31)
#define CR4_PSE		(1ull << 4)
#define CR4_PAE		(1ull << 5)
#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)
#define PTE_P		0x1u
#define PTE_W		0x2u
#define PTE_U		0x4u
#define PTE_PS		0x80u
#define INVALID_GPA	(~0ull)

static void assert_translation(const char *file, int line, struct test_vcpu *vcpu,
			       uint64_t gva, uint64_t want)
{
	struct kvm_translation tr = { .linear_address = gva };
	long r = dev_ioctl(vcpu->fd, KVM_TRANSLATE, (unsigned long)&tr);

	if (r)
		ktap_fail(file, line, "KVM_TRANSLATE(%#llx): %s", (unsigned long long)gva,
			  ktap_errno_name((int)-r));
	if (tr.physical_address != want || tr.valid != (want != INVALID_GPA))
		ktap_fail(file, line, "KVM_TRANSLATE(%#llx): wanted %#llx valid %d, got %#llx valid %u",
			  (unsigned long long)gva, (unsigned long long)want,
			  want != INVALID_GPA, (unsigned long long)tr.physical_address,
			  tr.valid);
	/* KVM 6.1 reports every translation writable and not for user mode. */
	if (tr.writeable != 1 || tr.usermode != 0)
		ktap_fail(file, line, "KVM_TRANSLATE(%#llx): wanted writeable 1 usermode 0, got %u %u",
			  (unsigned long long)gva, tr.writeable, tr.usermode);
}

#define ASSERT_TRANSLATION(vcpu, gva, want)					\
	assert_translation(__FILE__, __LINE__, vcpu, gva, want)

static void set_paging(struct test_vcpu *vcpu, uint64_t cr0, uint64_t cr3, uint64_t cr4,
		       uint64_t efer)
{
	struct kvm_sregs s;

	ASSERT_IOCTL_OK(vcpu->fd, KVM_GET_SREGS, (unsigned long)&s);
	s.cr0 = cr0;
	s.cr3 = cr3;
	s.cr4 = cr4;
	s.efer = efer;
	s.cs.l = !!(efer & EFER_LMA);
	s.cs.db = !s.cs.l;
	ASSERT_IOCTL_OK(vcpu->fd, KVM_SET_SREGS, (unsigned long)&s);
}

#define MEM_SIZE	0x100000ull

static void translate_vm(struct test_vm *vm, struct test_vcpu *vcpu, unsigned char **mem)
{
	vm_create(vm);
	*mem = vm_add_memory(vm, 0, 0, MEM_SIZE, 0);
	vcpu_create(vm, 0, vcpu);
}

static void test_translate_real_mode(void)
{
	struct test_vcpu vcpu;
	unsigned char *mem;
	struct test_vm vm;

	translate_vm(&vm, &vcpu, &mem);
	/* Without paging every address is itself, backed by a slot or not. */
	ASSERT_TRANSLATION(&vcpu, 0, 0);
	ASSERT_TRANSLATION(&vcpu, 0x12345, 0x12345);
	ASSERT_TRANSLATION(&vcpu, 0xfffffff0, 0xfffffff0);
	ASSERT_TRANSLATION(&vcpu, 0x123456789ull, 0x123456789ull);
	/* Protected mode without paging too. */
	set_paging(&vcpu, CR0_PE, 0, 0, 0);
	ASSERT_TRANSLATION(&vcpu, 0xabcdef, 0xabcdef);
	vcpu_close(&vcpu);
	vm_close(&vm);
}

static void test_translate_32bit_paging(void)
{
	struct test_vcpu vcpu;
	unsigned char *mem;
	struct test_vm vm;
	uint32_t *pd, *pt;

	translate_vm(&vm, &vcpu, &mem);
	pd = (uint32_t *)(mem + 0x10000);
	pt = (uint32_t *)(mem + 0x11000);
	pd[0] = 0x11000 | PTE_P | PTE_W | PTE_U;
	pt[5] = 0x42000 | PTE_P;		/* read-only, supervisor */
	pt[7] = 0x20000000 | PTE_P | PTE_W;	/* beyond every slot */
	pd[1] = 0x00c00000 | PTE_P | PTE_PS;	/* 4 MiB page */
	pd[3] = 0x40000000 | PTE_P;		/* a page table outside memory */
	pd[0x3ff] = 0x11000 | PTE_P;

	set_paging(&vcpu, CR0_PE | CR0_PG, 0x10000, CR4_PSE, 0);
	ASSERT_TRANSLATION(&vcpu, 0x5123, 0x42123);
	ASSERT_TRANSLATION(&vcpu, 0x7abc, 0x20000abc);
	ASSERT_TRANSLATION(&vcpu, 0x00412345, 0x00c12345);
	ASSERT_TRANSLATION(&vcpu, 0xffc05001, 0x42001);
	ASSERT_TRANSLATION(&vcpu, 0x6000, INVALID_GPA);		/* PTE not present */
	ASSERT_TRANSLATION(&vcpu, 0x00800000, INVALID_GPA);	/* PDE not present */
	ASSERT_TRANSLATION(&vcpu, 0x00c00000, INVALID_GPA);	/* table not in memory */

	/* Without CR4.PSE the PS bit means nothing: PD[1] is a page table. */
	set_paging(&vcpu, CR0_PE | CR0_PG, 0x10000, 0, 0);
	ASSERT_TRANSLATION(&vcpu, 0x5123, 0x42123);
	ASSERT_TRANSLATION(&vcpu, 0x00412345, INVALID_GPA);
	vcpu_close(&vcpu);
	vm_close(&vm);
}

static void test_translate_long_mode(void)
{
	uint64_t *pml4, *pdpt, *pd, *pt, *pdpt_hi, *pd_hi, *pt_hi;
	struct test_vcpu vcpu;
	unsigned char *mem;
	struct test_vm vm;

	translate_vm(&vm, &vcpu, &mem);
	pml4 = (uint64_t *)(mem + 0x20000);
	pdpt = (uint64_t *)(mem + 0x21000);
	pd = (uint64_t *)(mem + 0x22000);
	pt = (uint64_t *)(mem + 0x23000);
	pdpt_hi = (uint64_t *)(mem + 0x24000);
	pd_hi = (uint64_t *)(mem + 0x25000);
	pt_hi = (uint64_t *)(mem + 0x26000);

	pml4[0] = 0x21000 | PTE_P | PTE_W | PTE_U;
	pdpt[0] = 0x22000 | PTE_P | PTE_W | PTE_U;
	pd[0] = 0x23000 | PTE_P | PTE_W | PTE_U;
	pt[1] = 0x55000 | PTE_P;			/* read-only, supervisor */
	pt[3] = 0x876543000ull | PTE_P | PTE_U;	/* user, above 4 GiB, below 2^36 */
	pd[1] = 0x00600000 | PTE_P | PTE_PS;		/* 2 MiB page */
	pml4[511] = 0x24000 | PTE_P | PTE_W;
	pdpt_hi[511] = 0x25000 | PTE_P | PTE_W;
	pd_hi[511] = 0x26000 | PTE_P | PTE_W;
	pt_hi[511] = 0x77000 | PTE_P | PTE_W;

	set_paging(&vcpu, CR0_PE | CR0_PG, 0x20000, CR4_PAE, EFER_LME | EFER_LMA);
	ASSERT_TRANSLATION(&vcpu, 0x1234, 0x55234);
	ASSERT_TRANSLATION(&vcpu, 0x3fff, 0x876543fffull);
	ASSERT_TRANSLATION(&vcpu, 0x00212345, 0x00612345);
	ASSERT_TRANSLATION(&vcpu, 0xfffffffffffff008ull, 0x77008);
	ASSERT_TRANSLATION(&vcpu, 0x2000, INVALID_GPA);		/* PTE not present */
	ASSERT_TRANSLATION(&vcpu, 0x00400000, INVALID_GPA);	/* PDE not present */
	ASSERT_TRANSLATION(&vcpu, 0x8000000000ull, INVALID_GPA);	/* PML4E */
	ASSERT_TRANSLATION(&vcpu, 0xffffff8000000000ull, INVALID_GPA);	/* PDPTE */
	vcpu_close(&vcpu);
	vm_close(&vm);
}

static void test_translate_bad_pointer(void)
{
	struct test_vcpu vcpu;
	unsigned char *mem;
	struct test_vm vm;

	translate_vm(&vm, &vcpu, &mem);
	ASSERT_IOCTL_ERRNO(vcpu.fd, KVM_TRANSLATE, 0, EFAULT);
	ASSERT_IOCTL_ERRNO(vcpu.fd, KVM_TRANSLATE, 0xffffffff81000000ul, EFAULT);
	vcpu_close(&vcpu);
	vm_close(&vm);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_fd_names),
	KTAP_CASE(test_tsc_khz_cap_and_get),
	KTAP_CASE(test_tsc_khz_set),
	KTAP_CASE(test_tsc_khz_vm_set),
	KTAP_CASE(test_translate_real_mode),
	KTAP_CASE(test_translate_32bit_paging),
	KTAP_CASE(test_translate_long_mode),
	KTAP_CASE(test_translate_bad_pointer),
};

int main(void)
{
	return ktap_run(dev_is_l1vmm() ? "identity" : "identity-kvm", tests,
			KTAP_ARRAY_SIZE(tests));
}
