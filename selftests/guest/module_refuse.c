// SPDX-License-Identifier: GPL-2.0-only
/*
 * On a CPU with neither SVM nor VMX, l1vmm refuses to load with
 * -EOPNOTSUPP, says why in the kernel log, and leaves nothing behind.
 */
#include <errno.h>
#include <unistd.h>

#include "l1vmm_util.h"

static void test_refuses_without_svm_or_vmx(void)
{
	int kmsg, i;

	if (cpu_has_flag("svm") || cpu_has_flag("vmx"))
		ktap_skip("this CPU has SVM or VMX");

	kmsg = kmsg_open();
	/* Refusing again and again must not leave anything half set up. */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(-EOPNOTSUPP, module_load(L1VMM_MODULE_PATH, NULL));
	TEST_ASSERT(kmsg_find(kmsg, "l1vmm: not loading: CPU 0: CPU has neither SVM nor VMX"),
		    "no refusal message in the kernel log");
	TEST_ASSERT(!module_loaded(L1VMM_MODULE_NAME), "l1vmm in /sys/module after refusal");
	TEST_ASSERT(access("/dev/l1vmm", F_OK) < 0 && errno == ENOENT,
		    "/dev/l1vmm exists after refusal");
	close(kmsg);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_refuses_without_svm_or_vmx),
};

int main(void)
{
	return ktap_run("module_refuse", tests, KTAP_ARRAY_SIZE(tests));
}
