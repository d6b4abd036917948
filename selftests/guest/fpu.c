// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_GET_FPU / KVM_SET_FPU: values set from user space are what the guest
 * finds in its registers, and what the guest leaves is what user space
 * reads back; the host's own SSE state is not disturbed. Runs against
 * l1vmm and KVM (fpu@kvm).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>

#include "kvm_vm.h"

#define MEM_SIZE	(2ul << 20)
#define CODE_GPA	0x10000

GUEST_CODE(fpu_read, ".code64",
	"movq %xmm0, %rax\n\t"
	"out %eax, $0x10\n\t"
	"shr $32, %rax\n\t"
	"out %eax, $0x11\n\t"
	"fnstcw -8(%rsp)\n\t"
	"movzwl -8(%rsp), %eax\n\t"
	"out %eax, $0x12\n\t"
	"hlt\n\t");

/*
 * KVM 6.1 fails this one: it writes the FXSAVE area but leaves x87/SSE
 * clear in the XSAVE header of a fresh vCPU, so XRSTOR loads their init
 * state and the guest sees zeros (doc/abi.md).
 */
static void test_set_fpu_reaches_guest(void)
{
	struct kvm_fpu fpu;
	struct test_guest g;

	if (!dev_is_l1vmm())
		ktap_skip("KVM 6.1 drops KVM_SET_FPU values on a fresh vCPU (XSAVE header)");
	guest_start_long_mode(&g, MEM_SIZE, CODE_GPA, fpu_read, GUEST_CODE_SIZE(fpu_read));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_FPU, &fpu);
	ASSERT_EQ(0x37f, fpu.fcw);			/* the FINIT value */
	memcpy(fpu.xmm[0], "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	fpu.fcw = 0x27f;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_FPU, &fpu);

	ASSERT_EQ(0x44332211, vcpu_run_out32(&g.vcpu, 0x10));
	ASSERT_EQ(0x88776655, vcpu_run_out32(&g.vcpu, 0x11));
	ASSERT_EQ(0x27f, vcpu_run_out32(&g.vcpu, 0x12));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_FPU, NULL, EFAULT);
	guest_stop(&g);
}

GUEST_CODE(fpu_write, ".code64",
	"movq %rbx, %xmm1\n\t"
	"hlt\n\t");

/* What the guest leaves in its registers is what KVM_GET_FPU reads. */
static void test_guest_fpu_reaches_get(void)
{
	uint64_t host_xmm = 0x0123456789abcdefull, check;
	struct kvm_regs regs;
	struct kvm_fpu fpu;
	struct test_guest g;

	guest_start_long_mode(&g, MEM_SIZE, CODE_GPA, fpu_write, GUEST_CODE_SIZE(fpu_write));
	asm volatile("movq %0, %%xmm1" : : "r"(host_xmm) : "xmm1");
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	regs.rbx = 0xfeedfacecafebeefull;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));

	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_FPU, &fpu);
	memcpy(&check, fpu.xmm[1], 8);
	ASSERT_EQ(0xfeedfacecafebeefull, check);
	/* The host's XMM1 is its own again. */
	asm volatile("movq %%xmm1, %0" : "=r"(check));
	ASSERT_EQ(host_xmm, check);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_GET_FPU, NULL, EFAULT);
	guest_stop(&g);
}

/*
 * The guest's XMM1 survives in-kernel exits while another thread competes
 * for the CPU: RDPMC exits return through the run loop, where the task may
 * be rescheduled; the guest's FPU state must be back in the registers at
 * the next entry. The guest checks XMM1 after each of ROUNDS exits and
 * reports a mismatch on port 0x13.
 */
#define ROUNDS		20000
GUEST_CODE(fpu_keep, ".code64",
	"movq %rbx, %xmm1\n\t"
	"mov $" XSTR(ROUNDS) ", %esi\n\t"
	"1: xor %ecx, %ecx\n\t"
	"rdpmc\n\t"
	"movq %xmm1, %rax\n\t"
	"cmp %rax, %rbx\n\t"
	"jne 2f\n\t"
	"dec %esi\n\t"
	"jnz 1b\n\t"
	"hlt\n\t"
	"2: out %eax, $0x13\n\t"
	"hlt\n\t");

static void *spin(void *arg)
{
	int *stop = arg;

	while (!__atomic_load_n(stop, __ATOMIC_RELAXED))
		;
	return NULL;
}

static void test_fpu_survives_reschedule(void)
{
	int stop = 0;
	struct kvm_regs regs;
	struct test_guest g;
	cpu_set_t cpu0;
	pthread_t t;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	TEST_ASSERT(!sched_setaffinity(0, sizeof(cpu0), &cpu0), "sched_setaffinity");
	guest_start_long_mode(&g, MEM_SIZE, CODE_GPA, fpu_keep, GUEST_CODE_SIZE(fpu_keep));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	regs.rbx = 0x0badc0de12345678ull;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);
	TEST_ASSERT(!pthread_create(&t, NULL, spin, &stop), "pthread_create");
	pthread_setaffinity_np(t, sizeof(cpu0), &cpu0);
	vcpu_run(&g.vcpu);
	__atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(t, NULL);
	TEST_ASSERT(g.vcpu.run->exit_reason == KVM_EXIT_HLT,
		    "the guest's XMM1 changed across an exit (%s)",
		    exit_reason_name(g.vcpu.run->exit_reason));
	guest_stop(&g);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_set_fpu_reaches_guest),
	KTAP_CASE(test_guest_fpu_reaches_get),
	KTAP_CASE_TIMEOUT(test_fpu_survives_reschedule, 120),
};

int main(void)
{
	return ktap_run(dev_is_l1vmm() ? "fpu" : "fpu@kvm", tests, KTAP_ARRAY_SIZE(tests));
}
