// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's RDMSR/WRMSR as user space shapes them, as KVM 6.1 does:
 * KVM_CAP_X86_USER_SPACE_MSR (unknown MSRs, refused values and filtered
 * accesses exit with KVM_EXIT_X86_RDMSR/WRMSR, and user space answers with
 * data or an error that becomes the guest's #GP) and KVM_X86_SET_MSR_FILTER
 * (its checks, default allow and deny, read and write ranges, and that
 * KVM_GET/SET_MSRS are not filtered).
 *
 * Runs against /dev/l1vmm, and against KVM in the same guest (msr_user@kvm).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvm_vm.h"

#define MEM_SIZE	(1ul << 20)
#define RD_GPA		0x1000
#define WR_GPA		0x1100
#define GP_GPA		0x2000
#define GP_PORT		0x13
#define UNKNOWN_MSR	0x5a5a0001u
#define SYSENTER_CS	0x174u
#define EFER		0xc0000080u
#define MTRRCAP		0xfeu
#define POWER_CTL	0x1fcu

GUEST_CODE(rd_guest, ".code16",
	"rdmsr\n\t"
	"out %eax, $0x10\n\t"
	"mov %edx, %eax\n\t"
	"out %eax, $0x11\n\t"
	"hlt\n\t");

GUEST_CODE(wr_guest, ".code16",
	"wrmsr\n\t"
	"out %al, $0x12\n\t"
	"hlt\n\t");

/* The real-mode #GP handler: report on GP_PORT and stop. */
GUEST_CODE(gp_handler, ".code16",
	"out %al, $0x13\n\t"
	"hlt\n\t");

static void guest_setup(struct test_guest *g)
{
	uint16_t *ivt;

	guest_start_real_mode(g, MEM_SIZE, RD_GPA, rd_guest, GUEST_CODE_SIZE(rd_guest));
	memcpy(g->mem + WR_GPA, wr_guest, GUEST_CODE_SIZE(wr_guest));
	memcpy(g->mem + GP_GPA, gp_handler, GUEST_CODE_SIZE(gp_handler));
	ivt = (uint16_t *)g->mem;
	ivt[13 * 2] = GP_GPA;	/* offset; segment 0 */
	ivt[13 * 2 + 1] = 0;
}

/* Start an RDMSR (@write false) or a WRMSR of @index (with @data). */
static void start_access(struct test_guest *g, bool write, uint32_t index, uint64_t data)
{
	struct kvm_regs regs;

	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_GET_REGS, &regs);
	regs.rip = write ? WR_GPA : RD_GPA;
	regs.rcx = index;
	regs.rax = (uint32_t)data;
	regs.rdx = data >> 32;
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_SET_REGS, &regs);
}

static void assert_gp(struct test_guest *g)
{
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g->vcpu));
	ASSERT_EQ(GP_PORT, g->vcpu.run->io.port);
}

static void assert_msr_exit(struct test_guest *g, bool write, uint32_t reason, uint32_t index,
			    uint64_t data)
{
	struct kvm_run *run = g->vcpu.run;

	ASSERT_EQ(write ? KVM_EXIT_X86_WRMSR : KVM_EXIT_X86_RDMSR, vcpu_run(&g->vcpu));
	ASSERT_EQ(reason, run->msr.reason);
	ASSERT_EQ(index, run->msr.index);
	ASSERT_EQ(data, run->msr.data);
	ASSERT_EQ(0, run->msr.error);
}

static int enable_user_space_msr(struct test_vm *vm, uint64_t reasons)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_X86_USER_SPACE_MSR, .args = { reasons } };

	return ioctl(vm->fd, KVM_ENABLE_CAP, &cap) ? -errno : 0;
}

static void test_caps(void)
{
	struct test_guest g;

	guest_setup(&g);
	ASSERT_EQ(1, ASSERT_IOCTL_OK(g.vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_USER_SPACE_MSR));
	ASSERT_EQ(1, ASSERT_IOCTL_OK(g.vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_MSR_FILTER));
	ASSERT_EQ(-EINVAL, enable_user_space_msr(&g.vm, 1u << 3));
	ASSERT_EQ(0, enable_user_space_msr(&g.vm, KVM_MSR_EXIT_REASON_INVAL |
					   KVM_MSR_EXIT_REASON_UNKNOWN |
					   KVM_MSR_EXIT_REASON_FILTER));
	ASSERT_EQ(0, enable_user_space_msr(&g.vm, 0));
	guest_stop(&g);
}

static void test_unknown_msr(void)
{
	struct test_guest g;
	uint32_t v;

	guest_setup(&g);
	/* Not enabled: the guest's #GP. */
	start_access(&g, false, UNKNOWN_MSR, 0);
	assert_gp(&g);

	ASSERT_EQ(0, enable_user_space_msr(&g.vm, KVM_MSR_EXIT_REASON_UNKNOWN));
	start_access(&g, false, UNKNOWN_MSR, 0);
	assert_msr_exit(&g, false, KVM_MSR_EXIT_REASON_UNKNOWN, UNKNOWN_MSR, 0);
	g.vcpu.run->msr.data = 0xaabbccdd11223344ull;
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	memcpy(&v, vcpu_io_data(&g.vcpu), 4);
	ASSERT_EQ(0x11223344, v);
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	memcpy(&v, vcpu_io_data(&g.vcpu), 4);
	ASSERT_EQ(0xaabbccdd, v);

	/* A WRMSR: the value in msr.data; user space's error is the guest's #GP. */
	start_access(&g, true, UNKNOWN_MSR, 0x3333444411112222ull);
	assert_msr_exit(&g, true, KVM_MSR_EXIT_REASON_UNKNOWN, UNKNOWN_MSR,
			0x3333444411112222ull);
	g.vcpu.run->msr.error = 1;
	assert_gp(&g);

	/* Accepted: the instruction retires. */
	start_access(&g, true, UNKNOWN_MSR, 5);
	assert_msr_exit(&g, true, KVM_MSR_EXIT_REASON_UNKNOWN, UNKNOWN_MSR, 5);
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	ASSERT_EQ(0x12, g.vcpu.run->io.port);
	guest_stop(&g);
}

/* A refused value of a known MSR (EFER with a reserved bit): INVAL. */
static void test_invalid_value(void)
{
	struct test_guest g;

	guest_setup(&g);
	ASSERT_EQ(0, enable_user_space_msr(&g.vm, KVM_MSR_EXIT_REASON_UNKNOWN));
	start_access(&g, true, EFER, 1ull << 63);
	assert_gp(&g);
	ASSERT_EQ(0, enable_user_space_msr(&g.vm, KVM_MSR_EXIT_REASON_INVAL));
	start_access(&g, true, EFER, 1ull << 63);
	assert_msr_exit(&g, true, KVM_MSR_EXIT_REASON_INVAL, EFER, 1ull << 63);
	g.vcpu.run->msr.error = 1;
	assert_gp(&g);
	guest_stop(&g);
}

static int set_filter(struct test_vm *vm, struct kvm_msr_filter *f)
{
	return ioctl(vm->fd, KVM_X86_SET_MSR_FILTER, f) ? -errno : 0;
}

static void test_filter_checks(void)
{
	static uint8_t bitmap[KVM_MSR_FILTER_MAX_BITMAP_SIZE + 8];
	struct kvm_msr_filter f;
	struct test_vm vm;

	vm_create(&vm);
	memset(&f, 0, sizeof(f));
	ASSERT_EQ(0, set_filter(&vm, &f));	/* empty, default allow: no filter */
	f.flags = KVM_MSR_FILTER_DEFAULT_DENY;
	ASSERT_EQ(-EINVAL, set_filter(&vm, &f));	/* deny everything: refused */
	f.flags = 2;
	ASSERT_EQ(-EINVAL, set_filter(&vm, &f));

	f.flags = 0;
	f.ranges[3] = (struct kvm_msr_filter_range) {
		.flags = 0, .nmsrs = 1, .base = SYSENTER_CS, .bitmap = bitmap,
	};
	ASSERT_EQ(-EINVAL, set_filter(&vm, &f));
	f.ranges[3].flags = 4;
	ASSERT_EQ(-EINVAL, set_filter(&vm, &f));
	f.ranges[3].flags = KVM_MSR_FILTER_READ;
	f.ranges[3].nmsrs = KVM_MSR_FILTER_MAX_BITMAP_SIZE * 8 + 1;
	ASSERT_EQ(-EINVAL, set_filter(&vm, &f));
	f.ranges[3].nmsrs = KVM_MSR_FILTER_MAX_BITMAP_SIZE * 8;
	ASSERT_EQ(0, set_filter(&vm, &f));
	f.ranges[3].bitmap = (uint8_t *)8;
	ASSERT_EQ(-EFAULT, set_filter(&vm, &f));
	/* A range without MSRs is ignored, whatever else it says. */
	f.ranges[3] = (struct kvm_msr_filter_range) { .flags = 0xff, .nmsrs = 0 };
	ASSERT_EQ(0, set_filter(&vm, &f));
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_X86_SET_MSR_FILTER, (void *)8, EFAULT);
	vm_close(&vm);
}

static void test_filter(void)
{
	uint8_t deny_one = 0;	/* bit 0 clear: SYSENTER_CS denied */
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} msrs = { .hdr.nmsrs = 1, .e.index = SYSENTER_CS };
	struct kvm_msr_filter f;
	struct test_guest g;

	guest_setup(&g);
	memset(&f, 0, sizeof(f));
	f.ranges[0] = (struct kvm_msr_filter_range) {
		.flags = KVM_MSR_FILTER_READ, .nmsrs = 1, .base = SYSENTER_CS, .bitmap = &deny_one,
	};
	ASSERT_EQ(0, set_filter(&g.vm, &f));

	/* Denied reads are the guest's #GP, or a FILTER exit where enabled. */
	start_access(&g, false, SYSENTER_CS, 0);
	assert_gp(&g);
	ASSERT_EQ(0, enable_user_space_msr(&g.vm, KVM_MSR_EXIT_REASON_FILTER));
	start_access(&g, false, SYSENTER_CS, 0);
	assert_msr_exit(&g, false, KVM_MSR_EXIT_REASON_FILTER, SYSENTER_CS, 0);
	g.vcpu.run->msr.data = 0x77;
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	ASSERT_EQ(0x77, *(uint32_t *)vcpu_io_data(&g.vcpu));

	/* The range filters reads only: the write goes to the MSR. */
	start_access(&g, true, SYSENTER_CS, 0x10);
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	ASSERT_EQ(0x12, g.vcpu.run->io.port);

	/* User space is not filtered. */
	ASSERT_EQ(1, ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_MSRS, &msrs));
	ASSERT_EQ(0x10, msrs.e.data);

	/* MSRs the filter leaves alone all stay reachable (MTRRcap: 8 variable ranges, WC, fixed). */
	start_access(&g, false, MTRRCAP, 0);
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	ASSERT_EQ(0x508, *(uint32_t *)vcpu_io_data(&g.vcpu));

	/* Default deny with an allowing range: only that MSR is reachable. */
	deny_one = 1;
	f.flags = KVM_MSR_FILTER_DEFAULT_DENY;
	f.ranges[0].flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE;
	ASSERT_EQ(0, set_filter(&g.vm, &f));
	start_access(&g, false, SYSENTER_CS, 0);
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	ASSERT_EQ(0x10, *(uint32_t *)vcpu_io_data(&g.vcpu));
	start_access(&g, true, EFER, 0);
	assert_msr_exit(&g, true, KVM_MSR_EXIT_REASON_FILTER, EFER, 0);

	/* No filter any more: EFER is reachable again. */
	memset(&f, 0, sizeof(f));
	ASSERT_EQ(0, set_filter(&g.vm, &f));
	start_access(&g, true, EFER, 0);
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	ASSERT_EQ(0x12, g.vcpu.run->io.port);
	guest_stop(&g);
}

/*
 * IA32_POWER_CTL, which KVM keeps per vCPU (Linux's userspace_msr_exit_test
 * filters its writes): any value, from the guest and from user space; a
 * write filter sends the guest's WRMSR to user space with FILTER while its
 * RDMSR stays in the kernel.
 */
static void test_power_ctl(void)
{
	uint8_t deny = 0;
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} msrs = { .hdr.nmsrs = 1, .e = { .index = POWER_CTL, .data = 0xabcdef0012345678ull } };
	struct kvm_msr_filter f;
	struct test_guest g;

	guest_setup(&g);
	ASSERT_EQ(1, ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_MSRS, &msrs));
	msrs.e.data = 0;
	ASSERT_EQ(1, ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_MSRS, &msrs));
	ASSERT_EQ(0xabcdef0012345678ull, msrs.e.data);

	start_access(&g, true, POWER_CTL, 0x1234);
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	ASSERT_EQ(0x12, g.vcpu.run->io.port);
	start_access(&g, false, POWER_CTL, 0);
	ASSERT_EQ(0x1234, vcpu_run_out32(&g.vcpu, 0x10));
	ASSERT_EQ(0, vcpu_run_out32(&g.vcpu, 0x11));

	ASSERT_EQ(0, enable_user_space_msr(&g.vm, KVM_MSR_EXIT_REASON_INVAL |
					   KVM_MSR_EXIT_REASON_UNKNOWN |
					   KVM_MSR_EXIT_REASON_FILTER));
	memset(&f, 0, sizeof(f));
	f.ranges[0] = (struct kvm_msr_filter_range) {
		.flags = KVM_MSR_FILTER_WRITE, .nmsrs = 1, .base = POWER_CTL, .bitmap = &deny,
	};
	ASSERT_EQ(0, set_filter(&g.vm, &f));
	start_access(&g, true, POWER_CTL, 0x5678);
	assert_msr_exit(&g, true, KVM_MSR_EXIT_REASON_FILTER, POWER_CTL, 0x5678);
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	ASSERT_EQ(0x12, g.vcpu.run->io.port);
	start_access(&g, false, POWER_CTL, 0);
	ASSERT_EQ(0x1234, vcpu_run_out32(&g.vcpu, 0x10));
	ASSERT_EQ(1, ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_MSRS, &msrs));
	ASSERT_EQ(0x1234, msrs.e.data);
	guest_stop(&g);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_caps),
	KTAP_CASE(test_unknown_msr),
	KTAP_CASE(test_invalid_value),
	KTAP_CASE(test_filter_checks),
	KTAP_CASE(test_filter),
	KTAP_CASE(test_power_ctl),
};

int main(void)
{
	return ktap_run(dev_is_l1vmm() ? "msr_user" : "msr_user-kvm", tests,
			KTAP_ARRAY_SIZE(tests));
}
