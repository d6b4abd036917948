// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMX backend's set-up: the capability MSRs and the controls computed
 * from them at load, VMX operation on and off per CPU (VMXON/VMXOFF), and
 * each vCPU's VMCS. No guest runs on VMX yet: the backend is marked so in
 * its table entry, and module init turns VMX on and off on every CPU once
 * and then refuses to load (main.c).
 */
#define pr_fmt(fmt) "l1vmm: vmx: " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/msr.h>
#include <asm/perf_event.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/virtext.h>

#include "l1vmm/vcpu.h"
#include "l1vmm/vmx/vmx.h"

/* IA32_VMX_EPT_VPID_CAP: INVEPT, and its all-context type. */
#define EPT_CAP_INVEPT			BIT_ULL(20)
#define EPT_CAP_INVEPT_ALL_CONTEXT	BIT_ULL(26)
#define INVEPT_ALL_CONTEXT		2UL

DEFINE_PER_CPU(struct vmx_cpu, vmx_cpus);
struct l1vmm_vmcs_limits vmx_limits;
struct l1vmm_vmx_ctls vmx_ctls;
u32 vmx_revision_id;

/* A zeroed page with the revision identifier: a VMXON region or a VMCS. */
static struct vmx_region *vmx_alloc_region(int node, gfp_t gfp)
{
	struct page *page = alloc_pages_node(node, gfp | __GFP_ZERO, 0);
	struct vmx_region *region;

	if (!page)
		return NULL;
	region = page_address(page);
	region->revision_id = vmx_revision_id;
	return region;
}

static void vmx_free_region(struct vmx_region *region)
{
	if (region)
		free_page((unsigned long)region);
}

/*
 * IA32_FEATURE_CONTROL must be locked with VMXON outside SMX allowed. The
 * kernel sets and locks it at boot when firmware left it unlocked
 * (init_ia32_feat_ctl()), which is what KVM 6.1 relies on; do the same
 * here should a CPU still have it unlocked.
 */
static int vmx_check_feature_control(void)
{
	u64 msr;

	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &msr))
		return -EOPNOTSUPP;
	if (!(msr & FEAT_CTL_LOCKED)) {
		msr |= FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX;
		if (wrmsrl_safe(MSR_IA32_FEAT_CTL, msr) ||
		    rdmsrl_safe(MSR_IA32_FEAT_CTL, &msr))
			return -EOPNOTSUPP;
	}
	if (!(msr & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("CPU %d: VMX is disabled by firmware (IA32_FEATURE_CONTROL 0x%llx)\n",
		       smp_processor_id(), msr);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Another hypervisor may have left EPT translations: flush them all, as KVM. */
static void vmx_invept_all(void)
{
	struct { u64 eptp, reserved; } desc = {};

	if ((vmx_limits.ept_vpid_cap & (EPT_CAP_INVEPT | EPT_CAP_INVEPT_ALL_CONTEXT)) !=
	    (EPT_CAP_INVEPT | EPT_CAP_INVEPT_ALL_CONTEXT))
		return;
	asm volatile("1: invept %[desc], %[type]\n"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : : [desc] "m"(desc), [type] "r"(INVEPT_ALL_CONTEXT)
		     : "cc", "memory");
}

/* VMXON with the region at @pa: 0, -EIO when it failed, -EFAULT when it faulted. */
static int vmx_vmxon(u64 pa)
{
	bool faulted = true, failed = false;

	asm volatile("1: vmxon %[pa]\n\t"
		     "setna %[failed]\n\t"
		     "movb $0, %[faulted]\n"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [failed] "+qm"(failed), [faulted] "+qm"(faulted)
		     : [pa] "m"(pa)
		     : "cc", "memory");
	if (faulted)
		return -EFAULT;
	return failed ? -EIO : 0;
}

static int vmx_hardware_enable(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpus);
	u64 pa = __pa(vc->vmxon_region);
	struct l1vmm_vmx_fixed_err err;
	int r;

	/* KVM's answer: another hypervisor is in VMX operation here. */
	if (cr4_read_shadow() & X86_CR4_VMXE) {
		pr_err("CPU %d: VMX is already in use (CR4.VMXE set): another hypervisor is running\n",
		       smp_processor_id());
		return -EBUSY;
	}
	r = vmx_check_feature_control();
	if (r)
		return r;
	if (l1vmm_vmx_host_crs_invalid(read_cr0(), __read_cr4(), &vmx_limits, &err)) {
		pr_err("CPU %d: CR%u bit %u must be %d in VMX operation (IA32_VMX_CR%u_FIXED%d)\n",
		       smp_processor_id(), err.cr, err.bit, err.must_be_one, err.cr,
		       !err.must_be_one);
		return -EOPNOTSUPP;
	}

	intel_pt_handle_vmx(1);
	cr4_set_bits(X86_CR4_VMXE);
	r = vmx_vmxon(pa);
	if (r) {
		cr4_clear_bits(X86_CR4_VMXE);
		intel_pt_handle_vmx(0);
		pr_err("CPU %d: VMXON %s\n", smp_processor_id(),
		       r == -EFAULT ? "faulted" : "failed");
		return r;
	}
	vc->on = true;
	vmx_invept_all();
	return 0;
}

/*
 * No VMCS is ever loaded yet, so there is none to VMCLEAR: VMXOFF, which
 * also clears CR4.VMXE (cpu_vmxoff()).
 */
static void vmx_hardware_disable(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpus);

	if (WARN_ON_ONCE(!vc->on))
		return;
	WARN_ON_ONCE(cpu_vmxoff());
	vc->on = false;
	intel_pt_handle_vmx(0);
}

/* A VMCS per vCPU, with the revision identifier; VMCLEARed at its first load. */
static int vmx_vcpu_create(struct l1vmm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = kzalloc(sizeof(*vmx), GFP_KERNEL_ACCOUNT);

	if (!vmx)
		return -ENOMEM;
	vmx->vmcs = vmx_alloc_region(NUMA_NO_NODE, GFP_KERNEL_ACCOUNT);
	if (!vmx->vmcs) {
		kfree(vmx);
		return -ENOMEM;
	}
	vmx->vmcs_pa = __pa(vmx->vmcs);
	vmx->cpu = -1;
	vcpu->backend = vmx;
	return 0;
}

static void vmx_vcpu_free(struct l1vmm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = vcpu->backend;

	vmx_free_region(vmx->vmcs);
	kfree(vmx);
}

/*
 * Only what exists: l1vmm_vmx is marked as not running guests, so module
 * init never checks these ops for completeness nor makes a VM with them.
 */
static const struct l1vmm_backend_ops vmx_ops = {
	.name			= "vmx",
	.hardware_enable	= vmx_hardware_enable,
	.hardware_disable	= vmx_hardware_disable,
	.vcpu_create		= vmx_vcpu_create,
	.vcpu_free		= vmx_vcpu_free,
};

static void vmx_read_msrs(struct l1vmm_vmx_msrs *m)
{
	rdmsrl(MSR_IA32_VMX_BASIC, m->basic);
	rdmsrl(MSR_IA32_VMX_PINBASED_CTLS, m->pinbased);
	rdmsrl(MSR_IA32_VMX_PROCBASED_CTLS, m->procbased);
	rdmsrl(MSR_IA32_VMX_EXIT_CTLS, m->exit);
	rdmsrl(MSR_IA32_VMX_ENTRY_CTLS, m->entry);
	if (m->basic & L1VMM_VMX_BASIC_TRUE_CTLS) {
		rdmsrl(MSR_IA32_VMX_TRUE_PINBASED_CTLS, m->true_pinbased);
		rdmsrl(MSR_IA32_VMX_TRUE_PROCBASED_CTLS, m->true_procbased);
		rdmsrl(MSR_IA32_VMX_TRUE_EXIT_CTLS, m->true_exit);
		rdmsrl(MSR_IA32_VMX_TRUE_ENTRY_CTLS, m->true_entry);
	}
	if ((m->procbased >> 32) & L1VMM_PROC_ACTIVATE_SECONDARY) {
		rdmsrl(MSR_IA32_VMX_PROCBASED_CTLS2, m->procbased2);
		/* Present when the secondary controls may enable EPT or VPID. */
		if ((m->procbased2 >> 32) & (L1VMM_PROC2_ENABLE_EPT | L1VMM_PROC2_ENABLE_VPID))
			rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, m->ept_vpid_cap);
	}
	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, m->cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, m->cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, m->cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, m->cr4_fixed1);
	rdmsrl(MSR_IA32_VMX_MISC, m->misc);
}

static void vmx_free_pages(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpus, cpu);

		vmx_free_region(vc->vmxon_region);
		vc->vmxon_region = NULL;
	}
}

/*
 * Read the capability MSRs (cpu_probe.c found VMX with EPT and
 * unrestricted guest on every CPU), compute the controls, and allocate a
 * VMXON region per CPU. The ops, or an ERR_PTR.
 */
static const struct l1vmm_backend_ops *vmx_init(void)
{
	struct l1vmm_vmx_ctl_missing missing;
	struct l1vmm_vmx_msrs msrs = {};
	const char *why;
	int cpu;

	BUILD_BUG_ON(offsetof(struct vmx_region, data) != 8);

	vmx_read_msrs(&msrs);
	why = l1vmm_vmx_basic_invalid(msrs.basic);
	if (why) {
		pr_err("not loading: %s\n", why);
		return ERR_PTR(-EOPNOTSUPP);
	}
	vmx_revision_id = msrs.basic & L1VMM_VMX_BASIC_REVISION_MASK;
	l1vmm_vmx_limits_from_msrs(&msrs, &vmx_limits);
	if (l1vmm_vmx_compute_ctls(&vmx_limits, l1vmm_vmx_want, &vmx_ctls, &missing)) {
		const char *name = l1vmm_vmx_ctl_name(missing.field, missing.bit);

		pr_err("not loading: the CPU %s the %s control %s (bit %u)\n",
		       missing.must_be_one ? "forces on" : "lacks",
		       l1vmm_vmx_ctl_field_name(missing.field), name ?: "?", missing.bit);
		return ERR_PTR(-EOPNOTSUPP);
	}

	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpus, cpu);

		vc->vmxon_region = vmx_alloc_region(cpu_to_node(cpu), GFP_KERNEL);
		if (!vc->vmxon_region) {
			vmx_free_pages();
			return ERR_PTR(-ENOMEM);
		}
	}
	pr_info("VMCS revision 0x%x, controls pin 0x%x proc 0x%x proc2 0x%x exit 0x%x entry 0x%x\n",
		vmx_revision_id, vmx_ctls.val[L1VMM_CTL_PIN], vmx_ctls.val[L1VMM_CTL_PROC],
		vmx_ctls.val[L1VMM_CTL_PROC2], vmx_ctls.val[L1VMM_CTL_EXIT],
		vmx_ctls.val[L1VMM_CTL_ENTRY]);
	return &vmx_ops;
}

static void vmx_exit(void)
{
	vmx_free_pages();
}

/* The VMX entry of the core's backend table (main.c). */
const struct l1vmm_backend l1vmm_vmx = {
	.init = vmx_init,
	.exit = vmx_exit,
	.cannot_run_guests = true,
};
