// SPDX-License-Identifier: GPL-2.0-only
/*
 * Read every online CPU's virtualization facts and pick the backend.
 *
 * Facts come from raw CPUID and MSRs rather than the kernel's feature flags:
 * the kernel clears X86_FEATURE_VMX when firmware locked VMX off, and the
 * load message should say which of the two it was.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/cpu.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/tlbflush.h>

#include "l1vmm/hw.h"
#include "l1vmm/portable/sregs_check.h"

/* CPUID bits, named after the AMD APM and Intel SDM feature tables. */
#define CPUID_1_ECX_VMX			BIT(5)
#define CPUID_80000001_ECX_SVM		BIT(2)
#define CPUID_8000000A_EDX_NP		BIT(0)

/* VM_CR.SVMDIS (AMD APM, "VM_CR MSR"); kernels disagree on its macro name. */
#define VM_CR_SVMDIS			BIT_ULL(4)

/* Allowed-1 settings live in the high half of a VMX capability MSR. */
#define VMX_ALLOWED1(msr_val, bit)	(((msr_val) >> 32) & (bit))
#define VMX_PROC_SECONDARY_CONTROLS	BIT(31)
#define VMX_PROC2_EPT			BIT(1)
#define VMX_PROC2_UNRESTRICTED_GUEST	BIT(7)

static bool cpuid_has_leaf(u32 leaf)
{
	return cpuid_eax(leaf & 0x80000000) >= leaf;
}

static void read_amd_facts(struct l1vmm_cpu_facts *f)
{
	u64 vm_cr, efer;

	if (!cpuid_has_leaf(0x80000001) ||
	    !(cpuid_ecx(0x80000001) & CPUID_80000001_ECX_SVM))
		return;

	f->svm = true;
	f->npt = cpuid_has_leaf(0x8000000a) &&
		 (cpuid_edx(0x8000000a) & CPUID_8000000A_EDX_NP);
	f->svmdis = !rdmsrl_safe(MSR_VM_CR, &vm_cr) && (vm_cr & VM_CR_SVMDIS);
	rdmsrl(MSR_EFER, efer);
	f->svme = efer & EFER_SVME;
}

static void read_vmx_facts(struct l1vmm_cpu_facts *f)
{
	u64 feat_ctl, procbased, procbased2;

	if (!(cpuid_ecx(1) & CPUID_1_ECX_VMX))
		return;

	f->vmx = true;
	/* An unlocked FEATURE_CONTROL gets locked with VMX on by the kernel at boot. */
	f->vmx_disabled = rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat_ctl) ||
			  ((feat_ctl & FEAT_CTL_LOCKED) &&
			   !(feat_ctl & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX));
	if (!rdmsrl_safe(MSR_IA32_VMX_PROCBASED_CTLS, &procbased) &&
	    VMX_ALLOWED1(procbased, VMX_PROC_SECONDARY_CONTROLS) &&
	    !rdmsrl_safe(MSR_IA32_VMX_PROCBASED_CTLS2, &procbased2)) {
		f->ept = VMX_ALLOWED1(procbased2, VMX_PROC2_EPT);
		f->unrestricted_guest = VMX_ALLOWED1(procbased2, VMX_PROC2_UNRESTRICTED_GUEST);
	}
	f->vmxe = cr4_read_shadow() & X86_CR4_VMXE;
}

/* Runs on each CPU through on_each_cpu(); @data is the per-CPU facts array. */
static void read_this_cpu_facts(void *data)
{
	struct l1vmm_cpu_facts *f = (struct l1vmm_cpu_facts *)data + smp_processor_id();

	read_amd_facts(f);
	read_vmx_facts(f);
}

static unsigned long built_backends(void)
{
	return (IS_ENABLED(CONFIG_L1VMM_SVM) ? L1VMM_BUILT_SVM : 0) |
	       (IS_ENABLED(CONFIG_L1VMM_VMX) ? L1VMM_BUILT_VMX : 0);
}

/*
 * Decide the backend from the facts of every online CPU: all of them must
 * offer the same one. On failure, log why with the first CPU that failed.
 *
 * CPUs that come online later are not checked here; enabling SVM/VMX on a
 * CPU checks it again.
 */
int l1vmm_probe_cpus(enum l1vmm_backend_kind *backend)
{
	enum l1vmm_backend_kind found = L1VMM_BACKEND_NONE;
	struct l1vmm_detect_result res;
	struct l1vmm_cpu_facts *facts;
	unsigned int cpu;
	int err = 0;

	facts = kcalloc(nr_cpu_ids, sizeof(*facts), GFP_KERNEL);
	if (!facts)
		return -ENOMEM;

	cpus_read_lock();
	on_each_cpu(read_this_cpu_facts, facts, 1);
	for_each_online_cpu(cpu) {
		l1vmm_detect_backend(&facts[cpu], built_backends(), &res);
		if (res.err) {
			pr_err("not loading: CPU %u: %s\n", cpu, res.why);
			err = res.err;
			break;
		}
		if (found != L1VMM_BACKEND_NONE && found != res.backend) {
			pr_err("not loading: CPU %u offers %s, others %s\n", cpu,
			       l1vmm_backend_name(res.backend),
			       l1vmm_backend_name(found));
			err = -EOPNOTSUPP;
			break;
		}
		found = res.backend;
	}
	cpus_read_unlock();

	if (!err)
		*backend = found;
	kfree(facts);
	return err;
}

/*
 * The CR4 bits a guest may set on this host: what l1vmm offers, less the
 * features the CPU lacks (VMRUN refuses a CR4 bit the CPU does not have).
 */
u64 l1vmm_guest_cr4_allowed(void)
{
	u64 allowed = L1VMM_CR4_OFFERED;

	if (!boot_cpu_has(X86_FEATURE_FSGSBASE))
		allowed &= ~X86_CR4_FSGSBASE;
	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		allowed &= ~X86_CR4_OSXSAVE;
	if (!boot_cpu_has(X86_FEATURE_SMEP))
		allowed &= ~X86_CR4_SMEP;
	if (!boot_cpu_has(X86_FEATURE_SMAP))
		allowed &= ~X86_CR4_SMAP;
	return allowed;
}
