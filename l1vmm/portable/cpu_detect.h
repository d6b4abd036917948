/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which virtualization backend can l1vmm use on a CPU, and if none, why not.
 *
 * The kernel side (cpu_probe.c) reads the raw facts on every online CPU;
 * l1vmm_detect_backend() turns one CPU's facts into a decision. The decision
 * is pure so that the host unit tests can cover every case.
 */
#ifndef L1VMM_CPU_DETECT_H
#define L1VMM_CPU_DETECT_H

#include "l1vmm/portable/portable.h"

enum l1vmm_backend_kind {
	L1VMM_BACKEND_NONE,
	L1VMM_BACKEND_SVM,
	L1VMM_BACKEND_VMX,
};

/* The backends this build contains, as a mask of BIT(L1VMM_BACKEND_*). */
#define L1VMM_BUILT_SVM		BIT(L1VMM_BACKEND_SVM)
#define L1VMM_BUILT_VMX		BIT(L1VMM_BACKEND_VMX)

/* What one CPU says about itself; see cpu_probe.c for where each comes from. */
struct l1vmm_cpu_facts {
	/* AMD: CPUID 0x80000001 ECX.SVM, CPUID 0x8000000A EDX.NP. */
	bool svm;
	bool npt;
	/* AMD: VM_CR.SVMDIS, firmware turned SVM off. */
	bool svmdis;
	/* AMD: EFER.SVME already set, another hypervisor owns SVM here. */
	bool svme;

	/*
	 * Intel: CPUID 1 ECX.VMX; EPT and unrestricted guest (every vCPU
	 * resets into real mode) allowed by the VMX capability MSRs.
	 */
	bool vmx;
	bool ept;
	bool unrestricted_guest;
	/* Intel: IA32_FEATURE_CONTROL locked without VMXON outside SMX. */
	bool vmx_disabled;
	/* Intel: CR4.VMXE already set, another hypervisor did VMXON here. */
	bool vmxe;
};

struct l1vmm_detect_result {
	enum l1vmm_backend_kind backend;
	/* 0, or the error module init returns: -EOPNOTSUPP or -EBUSY. */
	int err;
	/* Why it failed (or what was found), for the load message. */
	const char *why;
};

/*
 * Decide the backend for a CPU with @facts, given the backends built into
 * this module (@built, a mask of L1VMM_BUILT_*). Never fails to fill @res.
 */
void l1vmm_detect_backend(const struct l1vmm_cpu_facts *facts,
			  unsigned long built, struct l1vmm_detect_result *res);

const char *l1vmm_backend_name(enum l1vmm_backend_kind kind);

#endif /* L1VMM_CPU_DETECT_H */
