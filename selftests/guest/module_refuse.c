// SPDX-License-Identifier: GPL-2.0-only
/*
 * On a CPU with neither SVM nor VMX, l1vmm refuses to load with
 * -EOPNOTSUPP, says why in the kernel log, and leaves nothing behind.
 * So it does on a CPU with VMX but without unrestricted guest, which the
 * VMX backend needs (every vCPU resets into real mode).
 */
#include <errno.h>
#include <unistd.h>

#include "l1vmm_util.h"

/* The refusal, its message, and nothing left behind, three times over. */
static void assert_refuses(const char *message)
{
	int kmsg = kmsg_open();
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(-EOPNOTSUPP, module_load(l1vmm_module_path(), NULL));
	TEST_ASSERT(kmsg_find(kmsg, message), "no \"%s\" in the kernel log", message);
	TEST_ASSERT(!module_loaded(L1VMM_MODULE_NAME), "l1vmm in /sys/module after refusal");
	TEST_ASSERT(access("/dev/l1vmm", F_OK) < 0 && errno == ENOENT,
		    "/dev/l1vmm exists after refusal");
	close(kmsg);
}

static void test_refuses_without_svm_or_vmx(void)
{
	if (cpu_has_flag("svm") || cpu_has_flag("vmx"))
		ktap_skip("this CPU has SVM or VMX");
	/* Refusing again and again must not leave anything half set up. */
	assert_refuses("l1vmm: not loading: CPU 0: CPU has neither SVM nor VMX");
}

static void test_refuses_vmx_without_unrestricted_guest(void)
{
	if (!cpu_has_flag("vmx") || cpu_has_flag("svm"))
		ktap_skip("this CPU has no VMX, or has SVM too");
	if (!cpu_has_flag("ept"))
		ktap_skip("this CPU has VMX without EPT");
	if (cpu_has_vmx_flag("unrestricted_guest"))
		ktap_skip("this CPU has unrestricted guest (vmx_guests loads l1vmm on it)");
	assert_refuses("VMX without unrestricted guest is not supported");
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_refuses_without_svm_or_vmx),
	KTAP_CASE(test_refuses_vmx_without_unrestricted_guest),
};

int main(void)
{
	return ktap_run("module_refuse", tests, KTAP_ARRAY_SIZE(tests));
}
