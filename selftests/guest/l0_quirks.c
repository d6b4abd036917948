// SPDX-License-Identifier: GPL-2.0-only
/*
 * On QEMU's emulator as L0, l1vmm refuses the guest states that make QEMU
 * kill the whole L1 guest or clobber the VMCB (doc/testing.md): a real-mode
 * guest with EFER.LME, a guest above CPL 0 whose TR holds no available
 * TSS, a CR3 beyond MAXPHYADDR outside long mode. The
 * entry fails cleanly (KVM_EXIT_FAIL_ENTRY, the reason in the kernel log)
 * and the same guest with a valid TR runs. The module parameter l0_quirks
 * says whether l1vmm found that L0. l1vmm only: KVM as L1 would take the
 * whole test guest down with it.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kvm_vm.h"

#define MEM_SIZE	(4ul << 20)
#define CODE_GPA	0x10000
#define TSS_GPA		0x6000
#define EFER_LME	(1ull << 8)

static void require_quirks(void)
{
	char value[8] = "";
	FILE *f;

	if (!dev_is_l1vmm())
		ktap_skip("KVM as L1 kills the test guest in these states under QEMU's emulator");
	f = fopen("/sys/module/l1vmm/parameters/l0_quirks", "r");
	TEST_ASSERT(f && fgets(value, sizeof(value), f), "no l0_quirks parameter");
	fclose(f);
	if (strcmp(value, "1\n"))
		ktap_skip("L0 is not QEMU's emulator (l0_quirks = %.1s)", value);
}

static void assert_refused(struct test_vcpu *vcpu, int kmsg, const char *why)
{
	ASSERT_EQ(KVM_EXIT_FAIL_ENTRY, vcpu_run(vcpu));
	ASSERT_EQ(0xffffffff, vcpu->run->fail_entry.hardware_entry_failure_reason);
	TEST_ASSERT(kmsg_find(kmsg, why), "no \"%s\" in the kernel log", why);
}

static void test_real_mode_with_lme_refused(void)
{
	static const unsigned char hlt[] = { 0xf4 };
	struct kvm_sregs sregs;
	struct test_guest g;
	int kmsg;

	require_quirks();
	kmsg = kmsg_open();
	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, hlt, sizeof(hlt));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
	sregs.efer |= EFER_LME;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &sregs);
	assert_refused(&g.vcpu, kmsg, "real mode with EFER.LME");

	sregs.efer &= ~EFER_LME;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &sregs);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

/*
 * A real-mode guest with CR3 beyond MAXPHYADDR: QEMU would refuse the VMRUN
 * and write L1's own registers into the guest's VMCB. Refused first, and
 * nothing of L1's shows in KVM_GET_SREGS.
 */
static void test_cr3_beyond_maxphyaddr_refused(void)
{
	static const unsigned char hlt[] = { 0xf4 };
	struct kvm_sregs sregs, after;
	struct test_guest g;
	int kmsg;

	require_quirks();
	kmsg = kmsg_open();
	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, hlt, sizeof(hlt));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
	sregs.cr3 = 1ull << 51;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &sregs);
	assert_refused(&g.vcpu, kmsg, "CR3 beyond the guest-physical width");
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &after);
	ASSERT_EQ(sregs.cr3, after.cr3);
	ASSERT_EQ(sregs.cr0, after.cr0);
	ASSERT_EQ(sregs.cs.selector, after.cs.selector);

	sregs.cr3 = 0;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &sregs);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

/* CPL 3 with IOPL 3, so that a port write exits without an exception. */
static void test_cpl3_without_available_tss_refused(void)
{
	static const unsigned char out[] = { 0xe6, 0x10, 0xf4 };	/* out 0x10, al; hlt */
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct test_guest g;
	int kmsg;

	require_quirks();
	kmsg = kmsg_open();
	guest_start_protected_mode(&g, MEM_SIZE, CODE_GPA, out, sizeof(out));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
	sregs.cs.dpl = 3;
	sregs.cs.selector |= 3;
	sregs.ss.dpl = sregs.ds.dpl = sregs.es.dpl = 3;
	sregs.ss.selector |= 3;
	sregs.tr = (struct kvm_segment){
		.base = TSS_GPA, .limit = 0x67, .selector = 0x18, .type = 11, .present = 1,
	};
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &sregs);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	regs.rflags |= 3 << 12;		/* IOPL 3 */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);
	assert_refused(&g.vcpu, kmsg, "CPL > 0 without an available TSS");

	sregs.tr.type = 9;		/* an available 32-bit TSS */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &sregs);
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
	guest_stop(&g);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_real_mode_with_lme_refused),
	KTAP_CASE(test_cpl3_without_available_tss_refused),
	KTAP_CASE(test_cr3_beyond_maxphyaddr_refused),
};

int main(void)
{
	return ktap_run("l0_quirks", tests, KTAP_ARRAY_SIZE(tests));
}
