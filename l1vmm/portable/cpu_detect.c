// SPDX-License-Identifier: GPL-2.0-only
/*
 * Backend decision from one CPU's virtualization facts. Portable: built into
 * the module and into the host unit tests (selftests/unit/test_cpu_detect.c).
 *
 * Errors follow KVM: hardware without (usable) SVM/VMX is -EOPNOTSUPP, a CPU
 * on which another hypervisor already enabled SVM/VMX is -EBUSY.
 */
#include "l1vmm/portable/cpu_detect.h"

static void set_result(struct l1vmm_detect_result *res,
		       enum l1vmm_backend_kind backend, int err, const char *why)
{
	res->backend = backend;
	res->err = err;
	res->why = why;
}

static void detect_svm(const struct l1vmm_cpu_facts *f, unsigned long built,
		       struct l1vmm_detect_result *res)
{
	if (!(built & L1VMM_BUILT_SVM))
		set_result(res, L1VMM_BACKEND_NONE, -EOPNOTSUPP,
			   "CPU has SVM but the SVM backend is not built (CONFIG_L1VMM_SVM=n)");
	else if (f->svmdis)
		set_result(res, L1VMM_BACKEND_NONE, -EOPNOTSUPP,
			   "SVM is disabled by firmware (VM_CR.SVMDIS)");
	else if (!f->npt)
		set_result(res, L1VMM_BACKEND_NONE, -EOPNOTSUPP,
			   "SVM without nested paging (NPT) is not supported");
	else if (f->svme)
		set_result(res, L1VMM_BACKEND_NONE, -EBUSY,
			   "SVM is already in use (EFER.SVME set): another hypervisor is running");
	else
		set_result(res, L1VMM_BACKEND_SVM, 0, "SVM with nested paging");
}

static void detect_vmx(const struct l1vmm_cpu_facts *f, unsigned long built,
		       struct l1vmm_detect_result *res)
{
	if (!(built & L1VMM_BUILT_VMX))
		set_result(res, L1VMM_BACKEND_NONE, -EOPNOTSUPP,
			   "CPU has VMX but the VMX backend is not built (CONFIG_L1VMM_VMX=n)");
	else if (f->vmx_disabled)
		set_result(res, L1VMM_BACKEND_NONE, -EOPNOTSUPP,
			   "VMX is disabled by firmware (IA32_FEATURE_CONTROL locked)");
	else if (!f->ept)
		set_result(res, L1VMM_BACKEND_NONE, -EOPNOTSUPP,
			   "VMX without EPT is not supported");
	else if (!f->unrestricted_guest)
		set_result(res, L1VMM_BACKEND_NONE, -EOPNOTSUPP,
			   "VMX without unrestricted guest is not supported (guests reset into real mode)");
	else if (f->vmxe)
		set_result(res, L1VMM_BACKEND_NONE, -EBUSY,
			   "VMX is already in use (CR4.VMXE set): another hypervisor is running");
	else
		set_result(res, L1VMM_BACKEND_VMX, 0, "VMX with EPT");
}

void l1vmm_detect_backend(const struct l1vmm_cpu_facts *facts,
			  unsigned long built, struct l1vmm_detect_result *res)
{
	if (facts->svm)
		detect_svm(facts, built, res);
	else if (facts->vmx)
		detect_vmx(facts, built, res);
	else
		set_result(res, L1VMM_BACKEND_NONE, -EOPNOTSUPP,
			   "CPU has neither SVM nor VMX (is nested virtualization enabled in L0?)");
}

const char *l1vmm_backend_name(enum l1vmm_backend_kind kind)
{
	switch (kind) {
	case L1VMM_BACKEND_SVM:
		return "svm";
	case L1VMM_BACKEND_VMX:
		return "vmx";
	default:
		return "none";
	}
}
