// SPDX-License-Identifier: GPL-2.0-only
/*
 * On a CPU with neither SVM nor VMX, l1vmm refuses to load with
 * -EOPNOTSUPP, says why in the kernel log, and leaves nothing behind.
 * So it does on a CPU with VMX, until the VMX backend runs guests: there,
 * after turning VMX operation on (VMXON) and off (VMXOFF) in every CPU,
 * and saying that this worked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "l1vmm_util.h"

/* The refusal, its message(s), and nothing left behind, three times over. */
static void assert_refuses2(const char *message, const char *message2)
{
	int kmsg = kmsg_open();
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(-EOPNOTSUPP, module_load(l1vmm_module_path(), NULL));
	TEST_ASSERT(kmsg_find(kmsg, message), "no \"%s\" in the kernel log", message);
	if (message2)
		TEST_ASSERT(kmsg_find(kmsg, message2), "no \"%s\" in the kernel log", message2);
	TEST_ASSERT(!module_loaded(L1VMM_MODULE_NAME), "l1vmm in /sys/module after refusal");
	TEST_ASSERT(access("/dev/l1vmm", F_OK) < 0 && errno == ENOENT,
		    "/dev/l1vmm exists after refusal");
	close(kmsg);
}

static void assert_refuses(const char *message)
{
	assert_refuses2(message, NULL);
}

static void test_refuses_without_svm_or_vmx(void)
{
	if (cpu_has_flag("svm") || cpu_has_flag("vmx"))
		ktap_skip("this CPU has SVM or VMX");
	/* Refusing again and again must not leave anything half set up. */
	assert_refuses("l1vmm: not loading: CPU 0: CPU has neither SVM nor VMX");
}

static void test_refuses_vmx_until_the_backend_exists(void)
{
	if (!cpu_has_flag("vmx") || cpu_has_flag("svm"))
		ktap_skip("this CPU has no VMX, or has SVM too");
	if (!cpu_has_flag("ept"))
		ktap_skip("this CPU has VMX without EPT");
	/* Every vCPU resets into real mode: VMX must run it unrestricted. */
	if (!cpu_has_vmx_flag("unrestricted_guest"))
		assert_refuses("VMX without unrestricted guest is not supported");
	else
		/* VMXON and VMXOFF ran on every CPU before the refusal. */
		assert_refuses2("l1vmm: vmx: VMCS revision",
				"l1vmm: not loading: the vmx backend cannot run guests yet (vmx operation works: on and off in every CPU)");
}

/*
 * After l1vmm's VMXON/VMXOFF round trips, VMX is free again: kvm-intel's
 * KVM_CREATE_VM does VMXON in every CPU, and refuses with EBUSY where
 * CR4.VMXE was left set.
 */
static void test_vmx_left_off_for_kvm(void)
{
	static const char *const mods[] = { "irqbypass", "kvm", "kvm-intel" };
	char path[256];
	int kvm, vm;
	size_t i;

	if (!cpu_has_flag("vmx") || cpu_has_flag("svm") || !cpu_has_flag("ept") ||
	    !cpu_has_vmx_flag("unrestricted_guest"))
		ktap_skip("l1vmm does no VMXON on this CPU");
	for (i = 0; i < KTAP_ARRAY_SIZE(mods); i++) {
		snprintf(path, sizeof(path), "%s/%s.ko", kvm_module_dir(), mods[i]);
		if (access(path, R_OK))
			ktap_skip("no %s", path);
		if (module_load(path, NULL) && i == KTAP_ARRAY_SIZE(mods) - 1)
			ktap_skip("kvm-intel does not load here");
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	TEST_ASSERT(kvm >= 0, "open(/dev/kvm): wanted success, got errno %d", errno);
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	TEST_ASSERT(vm >= 0, "KVM_CREATE_VM after l1vmm's refusals: wanted success, got errno %d",
		    errno);
	close(vm);
	close(kvm);
	module_unload("kvm_intel");
	module_unload("kvm");
	module_unload("irqbypass");
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_refuses_without_svm_or_vmx),
	KTAP_CASE(test_refuses_vmx_until_the_backend_exists),
	KTAP_CASE(test_vmx_left_off_for_kvm),
};

int main(void)
{
	return ktap_run("module_refuse", tests, KTAP_ARRAY_SIZE(tests));
}
