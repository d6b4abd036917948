// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMX backend's first guests. On a CPU with VMX, l1vmm loads and says
 * so; it runs a real-mode guest (port I/O both ways, CPUID, HLT), a long-mode guest
 * (CPUID, MMIO both ways through an EPT violation, HLT), a triple fault
 * (KVM_EXIT_SHUTDOWN), a guest state the CPU refuses (KVM_EXIT_FAIL_ENTRY),
 * and a guest spinning with interrupts off, which a
 * signal must still end (the VMX preemption timer: Bochs as L0 delivers no
 * external-interrupt exit while L2 runs with IF=0). The same binary runs
 * against KVM (vmx_guests@kvm): the same exits and results. It leaves
 * l1vmm loaded, for the tests after it.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "kvm_vm.h"

#define RM_MEM_SIZE	0x10000
#define LM_MEM_SIZE	0x200000
#define CODE_GPA	0x1000
#define LM_CODE_GPA	0x10000
#define MMIO_GPA	0x10000000ULL
#define GENU		0x756e6547	/* "Genu", CPUID 0 EBX */

static void test_loads_on_vmx(void)
{
	int kmsg, r;

	if (!dev_is_l1vmm())
		ktap_skip("KVM's modules are loaded by its own script");
	if (!cpu_has_flag("vmx") || cpu_has_flag("svm"))
		ktap_skip("this CPU has no VMX, or has SVM too");
	if (module_loaded(L1VMM_MODULE_NAME))
		ASSERT_EQ(0, module_unload(L1VMM_MODULE_NAME));
	kmsg = kmsg_open();
	r = module_load(l1vmm_module_path(), NULL);
	TEST_ASSERT(r == 0, "load l1vmm: %s", ktap_errno_name(-r));
	TEST_ASSERT(kmsg_find(kmsg, "l1vmm: loaded: backend vmx"),
		    "no \"l1vmm: loaded: backend vmx\" in the kernel log");
	close(kmsg);
}

/* Port I/O each way, CPUID and HLT in real mode. */
static void test_real_mode_io_cpuid_hlt(void)
{
	static const unsigned char code[] = {
		0xb0, 0x42,			/* mov al, 0x42 */
		0xe6, 0x10,			/* out 0x10, al */
		0xe4, 0x11,			/* in al, 0x11 */
		0xe6, 0x12,			/* out 0x12, al */
		0x66, 0x31, 0xc0,		/* xor eax, eax */
		0x0f, 0xa2,			/* cpuid */
		0x66, 0x89, 0xd8,		/* mov eax, ebx */
		0x66, 0xe7, 0x14,		/* out 0x14, eax */
		0xf4,				/* hlt */
	};
	struct kvm_regs regs;
	struct test_guest g;

	guest_start_real_mode(&g, RM_MEM_SIZE, CODE_GPA, code, sizeof(code));
	guest_set_supported_cpuid(&g);

	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
	ASSERT_EQ(0x42, *(uint8_t *)vcpu_io_data(&g.vcpu));
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_IN, 0x11, 1);
	*(uint8_t *)vcpu_io_data(&g.vcpu) = 0x99;
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x12, 1);
	ASSERT_EQ(0x99, *(uint8_t *)vcpu_io_data(&g.vcpu));
	ASSERT_EQ(GENU, vcpu_run_out32(&g.vcpu, 0x14));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(CODE_GPA + sizeof(code), regs.rip);
	ASSERT_EQ(GENU, regs.rax);
	guest_stop(&g);
}

GUEST_CODE(lm_code, ".code64",
	   "xor %eax, %eax\n\t"
	   "cpuid\n\t"
	   "mov %ebx, %eax\n\t"
	   "out %eax, $0x14\n\t"
	   "movl $0x5a5a1234, 0x10000000\n\t"
	   "mov 0x10000008, %eax\n\t"
	   "out %eax, $0x16\n\t"
	   "hlt");

/* CPUID, MMIO each way (EPT violations on no slot) and HLT in long mode. */
static void test_long_mode_cpuid_mmio_hlt(void)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct test_guest g;
	uint32_t v;

	guest_start_long_mode(&g, LM_MEM_SIZE, LM_CODE_GPA, lm_code, GUEST_CODE_SIZE(lm_code));
	guest_set_supported_cpuid(&g);

	ASSERT_EQ(GENU, vcpu_run_out32(&g.vcpu, 0x14));
	vcpu_run(&g.vcpu);
	ASSERT_MMIO_EXIT(&g.vcpu, MMIO_GPA, 4, true);
	memcpy(&v, g.vcpu.run->mmio.data, 4);
	ASSERT_EQ(0x5a5a1234, v);
	vcpu_run(&g.vcpu);
	ASSERT_MMIO_EXIT(&g.vcpu, MMIO_GPA + 8, 4, false);
	v = 0xfeedf00d;
	memcpy(g.vcpu.run->mmio.data, &v, 4);
	ASSERT_EQ(0xfeedf00d, vcpu_run_out32(&g.vcpu, 0x16));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(LM_CODE_GPA + GUEST_CODE_SIZE(lm_code), regs.rip);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
	TEST_ASSERT(sregs.efer & (1 << 10), "EFER.LMA clear in long mode: 0x%llx",
		    (unsigned long long)sregs.efer);
	guest_stop(&g);
}

/*
 * An exception with an empty IVT faults again, then triple-faults (what
 * the vCPU is left with: realmode's test of the same).
 */
static void test_triple_fault_is_shutdown(void)
{
	static const unsigned char code[] = { 0xcc };	/* int3 */
	struct kvm_sregs sregs;
	struct test_guest g;

	guest_start_real_mode(&g, RM_MEM_SIZE, CODE_GPA, code, sizeof(code));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
	sregs.idt.limit = 0;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &sregs);
	ASSERT_EQ(KVM_EXIT_SHUTDOWN, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

/*
 * A guest state VMX refuses (TR an available TSS, which only a busy one
 * may be): KVM_EXIT_FAIL_ENTRY with the exit reason of an entry failure
 * for invalid guest state (bit 31 | 33), as kvm-intel reports it (l1vmm's
 * checks refuse it before the CPU would).
 */
static void test_invalid_guest_state_is_fail_entry(void)
{
	static const unsigned char code[] = { 0xf4 };	/* hlt */
	struct kvm_sregs sregs;
	struct test_guest g;

	if (!cpu_has_flag("vmx") || cpu_has_flag("svm"))
		ktap_skip("VMX's entry failure; this CPU has no VMX, or has SVM too");
	guest_start_real_mode(&g, RM_MEM_SIZE, CODE_GPA, code, sizeof(code));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
	sregs.tr.type = 1;	/* available 16-bit TSS */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &sregs);
	ASSERT_EQ(KVM_EXIT_FAIL_ENTRY, vcpu_run(&g.vcpu));
	ASSERT_EQ(0x80000021, g.vcpu.run->fail_entry.hardware_entry_failure_reason);
	guest_stop(&g);
}

static void on_alarm(int sig __attribute__((unused)))
{
}

/*
 * A guest spinning with IF=0 holds its CPU until a signal comes: KVM_RUN
 * must end with EINTR all the same.
 */
static void test_signal_ends_spin_with_interrupts_off(void)
{
	static const unsigned char code[] = { 0xfa, 0xeb, 0xfe };	/* cli; jmp $ */
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { .tv_usec = 300000 } };
	struct test_guest g;

	if (!dev_is_l1vmm() && cpu_has_flag("vmx"))
		ktap_skip("kvm-intel as L1 under Bochs hangs here: no exit while L2 has IF=0");
	sigaction(SIGALRM, &sa, NULL);
	guest_start_real_mode(&g, RM_MEM_SIZE, CODE_GPA, code, sizeof(code));
	setitimer(ITIMER_REAL, &it, NULL);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_RUN, 0, EINTR);
	ASSERT_EQ(KVM_EXIT_INTR, g.vcpu.run->exit_reason);
	signal(SIGALRM, SIG_DFL);
	guest_stop(&g);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_loads_on_vmx),
	KTAP_CASE(test_real_mode_io_cpuid_hlt),
	KTAP_CASE(test_long_mode_cpuid_mmio_hlt),
	KTAP_CASE(test_triple_fault_is_shutdown),
	KTAP_CASE(test_invalid_guest_state_is_fail_entry),
	KTAP_CASE(test_signal_ends_spin_with_interrupts_off),
};

int main(void)
{
	return ktap_run(dev_is_l1vmm() ? "vmx_guests" : "vmx_guests@kvm", tests,
			KTAP_ARRAY_SIZE(tests));
}
