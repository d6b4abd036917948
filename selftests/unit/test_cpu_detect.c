// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/portable/cpu_detect.c
/*
 * Host unit test of the backend decision (l1vmm/portable/cpu_detect.c): every reason
 * to refuse, both vendors, and what the build leaves out.
 */
#include <stdio.h>
#include <string.h>

#include "ktap.h"
#include "l1vmm/portable/cpu_detect.h"

#define BOTH	(L1VMM_BUILT_SVM | L1VMM_BUILT_VMX)

struct detect_case {
	const char *name;
	struct l1vmm_cpu_facts facts;
	unsigned long built;
	enum l1vmm_backend_kind backend;
	int err;
	const char *why;	/* a piece of the message */
};

static const struct detect_case cases[] = {
	{ "svm_npt", { .svm = true, .npt = true }, BOTH,
	  L1VMM_BACKEND_SVM, 0, "nested paging" },
	{ "svm_only_svm_built", { .svm = true, .npt = true }, L1VMM_BUILT_SVM,
	  L1VMM_BACKEND_SVM, 0, "SVM" },
	{ "svm_not_built", { .svm = true, .npt = true }, L1VMM_BUILT_VMX,
	  L1VMM_BACKEND_NONE, -EOPNOTSUPP, "CONFIG_L1VMM_SVM=n" },
	{ "svm_firmware_off", { .svm = true, .npt = true, .svmdis = true }, BOTH,
	  L1VMM_BACKEND_NONE, -EOPNOTSUPP, "VM_CR.SVMDIS" },
	{ "svm_no_npt", { .svm = true }, BOTH,
	  L1VMM_BACKEND_NONE, -EOPNOTSUPP, "nested paging" },
	{ "svm_in_use", { .svm = true, .npt = true, .svme = true }, BOTH,
	  L1VMM_BACKEND_NONE, -EBUSY, "already in use" },
	/* Firmware off wins over "in use": EFER.SVME cannot be set then anyway. */
	{ "svm_off_and_in_use", { .svm = true, .npt = true, .svmdis = true, .svme = true },
	  BOTH, L1VMM_BACKEND_NONE, -EOPNOTSUPP, "VM_CR.SVMDIS" },
	{ "vmx_ept", { .vmx = true, .ept = true, .unrestricted_guest = true }, BOTH,
	  L1VMM_BACKEND_VMX, 0, "EPT" },
	{ "vmx_not_built", { .vmx = true, .ept = true, .unrestricted_guest = true },
	  L1VMM_BUILT_SVM, L1VMM_BACKEND_NONE, -EOPNOTSUPP, "CONFIG_L1VMM_VMX=n" },
	{ "vmx_firmware_off", { .vmx = true, .ept = true, .unrestricted_guest = true,
				.vmx_disabled = true }, BOTH,
	  L1VMM_BACKEND_NONE, -EOPNOTSUPP, "IA32_FEATURE_CONTROL" },
	{ "vmx_no_ept", { .vmx = true, .unrestricted_guest = true }, BOTH,
	  L1VMM_BACKEND_NONE, -EOPNOTSUPP, "EPT" },
	{ "vmx_no_unrestricted_guest", { .vmx = true, .ept = true }, BOTH,
	  L1VMM_BACKEND_NONE, -EOPNOTSUPP, "unrestricted guest" },
	{ "vmx_in_use", { .vmx = true, .ept = true, .unrestricted_guest = true, .vmxe = true },
	  BOTH, L1VMM_BACKEND_NONE, -EBUSY, "CR4.VMXE" },
	{ "neither", { .npt = true, .ept = true }, BOTH,
	  L1VMM_BACKEND_NONE, -EOPNOTSUPP, "neither SVM nor VMX" },
	{ "neither_nothing_built", { 0 }, 0,
	  L1VMM_BACKEND_NONE, -EOPNOTSUPP, "neither SVM nor VMX" },
};

static void test_decisions(void)
{
	size_t i;

	for (i = 0; i < KTAP_ARRAY_SIZE(cases); i++) {
		const struct detect_case *c = &cases[i];
		struct l1vmm_detect_result res;

		memset(&res, 0xa5, sizeof(res));
		l1vmm_detect_backend(&c->facts, c->built, &res);
		TEST_ASSERT(res.backend == c->backend && res.err == c->err,
			    "case %s: wanted backend %s err %d, got backend %s err %d",
			    c->name, l1vmm_backend_name(c->backend), c->err,
			    l1vmm_backend_name(res.backend), res.err);
		TEST_ASSERT(res.why && strstr(res.why, c->why),
			    "case %s: wanted a message with \"%s\", got \"%s\"",
			    c->name, c->why, res.why ? res.why : "(null)");
	}
}

/* A usable backend is never reported with an error, and vice versa. */
static void test_backend_iff_no_error(void)
{
	struct l1vmm_cpu_facts f;
	struct l1vmm_detect_result res;
	unsigned int bits, built;

	/* Every combination of the nine facts and the four build choices. */
	for (bits = 0; bits < 512; bits++) {
		for (built = 0; built < 4; built++) {
			f = (struct l1vmm_cpu_facts) {
				.svm = bits & 1, .npt = bits & 2,
				.svmdis = bits & 4, .svme = bits & 8,
				.vmx = bits & 16, .ept = bits & 32,
				.vmx_disabled = bits & 64, .vmxe = bits & 128,
				.unrestricted_guest = bits & 256,
			};
			l1vmm_detect_backend(&f, built << 1, &res);
			TEST_ASSERT((res.backend == L1VMM_BACKEND_NONE) == (res.err != 0),
				    "facts %#x built %#x: backend %s with err %d",
				    bits, built << 1, l1vmm_backend_name(res.backend), res.err);
			TEST_ASSERT(res.err == 0 || res.err == -EOPNOTSUPP || res.err == -EBUSY,
				    "facts %#x: unexpected err %d", bits, res.err);
		}
	}
}

static void test_backend_names(void)
{
	ASSERT_STREQ("svm", l1vmm_backend_name(L1VMM_BACKEND_SVM));
	ASSERT_STREQ("vmx", l1vmm_backend_name(L1VMM_BACKEND_VMX));
	ASSERT_STREQ("none", l1vmm_backend_name(L1VMM_BACKEND_NONE));
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_decisions),
	KTAP_CASE(test_backend_iff_no_error),
	KTAP_CASE(test_backend_names),
};

int main(void)
{
	return ktap_run("cpu_detect", tests, KTAP_ARRAY_SIZE(tests));
}
