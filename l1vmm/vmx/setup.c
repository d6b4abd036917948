// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMX backend's set-up: the capability MSRs and the controls computed
 * from them at load, VMX operation on and off per CPU (VMXON/VMXOFF), and
 * each vCPU's VMCS: its fixed fields, the host state, VMCLEAR and VMPTRLD
 * when the vCPU moves to another CPU (vmx_vcpu_load()); vmcs_sync.c
 * writes the guest state into it and reads it back.
 */
#define pr_fmt(fmt) "l1vmm: vmx: " fmt

#include <linux/gfp.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/cpu_entry_area.h>
#include <asm/io.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/perf_event.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/trapnr.h>
#include <asm/virtext.h>

#include "l1vmm/debugregs.h"
#include "l1vmm/msr_access.h"
#include "l1vmm/tdp.h"
#include "l1vmm/vcpu.h"
#include "l1vmm/portable/exc_payload.h"
#include "l1vmm/vm.h"
#include "l1vmm/vmx/mitigations.h"
#include "l1vmm/vmx/vmx.h"

/* IA32_VMX_EPT_VPID_CAP: INVEPT and its types, large EPT leaves. */
#define EPT_CAP_2M_PAGES		BIT_ULL(16)
#define EPT_CAP_1G_PAGES		BIT_ULL(17)
#define EPT_CAP_INVEPT			BIT_ULL(20)
#define EPT_CAP_INVEPT_SINGLE_CONTEXT	BIT_ULL(25)
#define EPT_CAP_INVEPT_ALL_CONTEXT	BIT_ULL(26)
#define INVEPT_SINGLE_CONTEXT		1UL
#define INVEPT_ALL_CONTEXT		2UL

/* EPT entries (SDM, "EPT Translation Mechanism"). */
#define EPT_READ			BIT_ULL(0)
#define EPT_WRITE			BIT_ULL(1)
#define EPT_EXEC			BIT_ULL(2)
#define EPT_MEMTYPE_WB			(6ULL << 3)
#define EPT_IGNORE_PAT			BIT_ULL(6)
#define EPT_LARGE			BIT_ULL(7)
#define EPT_ACCESSED			BIT_ULL(8)	/* with EPTP's A/D enable */
#define EPT_DIRTY			BIT_ULL(9)

/* IA32_VMX_MISC bits 4:0: the preemption timer counts every 2^N TSC cycles. */
#define VMX_MISC_PREEMPTION_RATE_MASK	0x1fULL

/* KVM's default PAUSE-loop exiting gap and window (ple_gap, ple_window). */
#define PLE_GAP				128
#define PLE_WINDOW			4096

/* RESET state (SDM, "Initialization Overview"), as SVM's. */
#define RESET_PAT			0x0007040600070406ULL

DEFINE_PER_CPU(struct vmx_cpu, vmx_cpus);
struct l1vmm_vmcs_limits vmx_limits;
struct l1vmm_vmx_ctls vmx_ctls;
u32 vmx_revision_id;
u64 vmx_basic;
bool vmx_switch_spec_ctrl;
u64 vmx_host_star, vmx_host_lstar, vmx_host_cstar, vmx_host_sfmask;
static u32 vmx_preemption_timer;
u64 vmx_bound_tsc;
/* The I/O bitmaps A and B and the MSR bitmap: every port and MSR exits, as on SVM. */
static struct page *io_bitmaps, *msr_bitmap;
static DEFINE_IDA(vmx_vpids);

/*
 * EPT entries: every table readable, writable and executable; leaves
 * readable and executable, writable where the slot is, write-back with
 * the guest's PAT ignored (KVM's choice without non-coherent DMA). Where
 * the CPU has EPT accessed/dirty flags (l1vmm_vmx_eptp() turns them on),
 * leaves carry A, and D where writable, as NPT's do, and page aging
 * clears A (vmx_init()); without them it finds nothing.
 */
struct l1vmm_tdp_format vmx_ept_format = {
	.present	= EPT_READ | EPT_WRITE | EPT_EXEC,
	.table		= EPT_READ | EPT_WRITE | EPT_EXEC,
	.leaf		= EPT_READ | EPT_EXEC | EPT_MEMTYPE_WB | EPT_IGNORE_PAT,
	.leaf_writable	= EPT_WRITE,
	.large		= EPT_LARGE,
	.accessed	= 0,
	.levels		= 4,
};

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

static void vmx_invept(unsigned long type, u64 eptp)
{
	struct { u64 eptp, reserved; } desc = { eptp, 0 };

	asm volatile("1: invept %[desc], %[type]\n"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : : [desc] "m"(desc), [type] "r"(type)
		     : "cc", "memory");
}

/* Another hypervisor may have left EPT translations: flush them all, as KVM. */
static void vmx_invept_all(void)
{
	if ((vmx_limits.ept_vpid_cap & (EPT_CAP_INVEPT | EPT_CAP_INVEPT_ALL_CONTEXT)) !=
	    (EPT_CAP_INVEPT | EPT_CAP_INVEPT_ALL_CONTEXT))
		return;
	vmx_invept(INVEPT_ALL_CONTEXT, 0);
}

/*
 * The run loop's flush_tlb: the guest's translations through this vCPU's
 * EPT, for every VPID (INVEPT single-context, all-context where the CPU
 * has only that). With EPT on, every guest translation is tagged with the
 * EPTP, so this is all of the guest's.
 */
void vmx_flush_tlb(struct l1vmm_vcpu *vcpu)
{
	u64 cap = vmx_limits.ept_vpid_cap;

	if (!(cap & EPT_CAP_INVEPT))
		return;
	if (cap & EPT_CAP_INVEPT_SINGLE_CONTEXT)
		vmx_invept(INVEPT_SINGLE_CONTEXT, to_vmx(vcpu)->eptp);
	else if (cap & EPT_CAP_INVEPT_ALL_CONTEXT)
		vmx_invept(INVEPT_ALL_CONTEXT, 0);
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

int vmx_hardware_enable(void)
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

/* VMCLEAR @vmx's VMCS on this CPU, where it is active; IRQs off. */
static void vmx_clear_here(struct vmx_vcpu *vmx)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpus);

	WARN_ON_ONCE(vmx_vmclear(vmx->vmcs_pa));
	l1vmm_l1_always(vmx->stats);
	list_del(&vmx->loaded_link);
	if (vc->current_vmcs == vmx->vmcs)
		vc->current_vmcs = NULL;
	vmx->launched = false;
	/* The list update before the CPU: vmx_vcpu_load() on another CPU reads it. */
	smp_wmb();
	WRITE_ONCE(vmx->cpu, -1);
}

static void vmx_clear_ipi(void *arg)
{
	struct vmx_vcpu *vmx = arg;

	if (vmx->cpu == smp_processor_id())
		vmx_clear_here(vmx);
}

/* VMCLEAR @vmx's VMCS wherever it is active (preemption may be on). */
static void vmx_clear_remote(struct vmx_vcpu *vmx)
{
	int cpu = READ_ONCE(vmx->cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_clear_ipi, vmx, 1);
}

/*
 * Every VMCS active on this CPU VMCLEARed (their state into memory, for
 * another CPU to load), then VMXOFF, which also clears CR4.VMXE
 * (cpu_vmxoff()).
 */
void vmx_hardware_disable(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpus);
	struct vmx_vcpu *vmx, *tmp;

	if (WARN_ON_ONCE(!vc->on))
		return;
	list_for_each_entry_safe(vmx, tmp, &vc->loaded, loaded_link)
		vmx_clear_here(vmx);
	vc->current_vmcs = NULL;
	WARN_ON_ONCE(cpu_vmxoff());
	vc->on = false;
	intel_pt_handle_vmx(0);
}

/* The guest's CR0 and CR4 as the CPU runs them (vmcs_state.h). */
u64 vmx_hw_cr0(struct vmx_vcpu *vmx, u64 cr0)
{
	return l1vmm_vmx_hw_cr0(cr0, &vmx_limits, true);
}

u64 vmx_hw_cr4(struct vmx_vcpu *vmx, u64 cr4)
{
	return l1vmm_vmx_hw_cr4(cr4, &vmx_limits);
}

/*
 * A VMCS per vCPU, with the revision identifier, a VPID where the CPU
 * has them, and the controls it starts with; its fields are written at
 * its first load (vmx_vcpu_load()).
 */
int vmx_vcpu_create(struct l1vmm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = kzalloc(sizeof(*vmx), GFP_KERNEL_ACCOUNT);
	int vpid;

	if (!vmx)
		return -ENOMEM;
	vmx->vmcs = vmx_alloc_region(NUMA_NO_NODE, GFP_KERNEL_ACCOUNT);
	if (!vmx->vmcs) {
		kfree(vmx);
		return -ENOMEM;
	}
	vmx->vmcs_pa = __pa(vmx->vmcs);
	vmx->vcpu = vcpu;
	vmx->stats = &vcpu->stats;
	vmx->avail = VMX_ST_ALL;	/* the VMCS holds nothing yet */
	vmx->cpu = -1;
	vmx->host_cpu = -1;
	INIT_LIST_HEAD(&vmx->loaded_link);
	vmx->pin = vmx_ctls.val[L1VMM_CTL_PIN];
	vmx->proc = vmx_ctls.val[L1VMM_CTL_PROC] & ~vmx_ctls.dyn[L1VMM_CTL_PROC];
	vmx->proc2 = vmx_ctls.val[L1VMM_CTL_PROC2];
	vmx->exit = vmx_ctls.val[L1VMM_CTL_EXIT];
	vmx->entry = vmx_ctls.val[L1VMM_CTL_ENTRY] & ~L1VMM_ENTRY_IA32E_MODE_GUEST;
	/* As KVM without VPIDs left: run without one (every entry flushes). */
	if (vmx->proc2 & L1VMM_PROC2_ENABLE_VPID) {
		vpid = ida_alloc_range(&vmx_vpids, 1, 0xffff, GFP_KERNEL_ACCOUNT);
		if (vpid > 0)
			vmx->vpid = vpid;
		else
			vmx->proc2 &= ~L1VMM_PROC2_ENABLE_VPID;
	}
	vmx->eptp = l1vmm_vmx_eptp(vcpu->vm->tdp.root_pa, vmx_ept_format.levels,
				   vmx_limits.ept_vpid_cap);
	/*
	 * #DB and #AC for the host's sake (CVE-2015-8104, CVE-2015-5307), #MC
	 * for the host's handler, as on SVM; #UD as KVM, for the guest's
	 * VMMCALL, which becomes VMCALL (exit.c).
	 */
	vmx->exception_bitmap = BIT(X86_TRAP_DB) | BIT(X86_TRAP_AC) | BIT(X86_TRAP_MC) |
				BIT(X86_TRAP_UD);
	/*
	 * l1vmm owns the CR0 and CR4 bits the CPU runs with other values than
	 * the guest's: CD and NW (never set in hardware), NE (and, with
	 * CR4, VMXE) that VMX requires. The guest reads its own through the
	 * read shadows; writing other values to them exits.
	 */
	vmx->cr0_mask = L1VMM_VMX_CR0_ALWAYS_OFF | l1vmm_vmx_guest_cr0_fixed0(&vmx_limits, true);
	vmx->cr4_mask = vmx_limits.cr4_fixed0;
	vcpu->backend = vmx;
	return 0;
}

void vmx_vcpu_free(struct l1vmm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = vcpu->backend;

	vmx_clear_remote(vmx);
	if (vmx->vpid)
		ida_free(&vmx_vpids, vmx->vpid);
	vmx_free_region(vmx->vmcs);
	kfree(vmx);
}

/* The fields that stay as they are for the VMCS's life (its first load). */
static void vmx_init_vmcs(struct vmx_vcpu *vmx)
{
	struct desc_ptr idt;
	u64 pat = 0, efer;
	u32 cs, eip;

	vmx_vmwrite(vmx, L1VMM_VMCS_ID_PIN_BASED_VM_EXEC_CONTROL, vmx->pin);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_CPU_BASED_VM_EXEC_CONTROL, vmx->proc);
	if (vmx->proc & L1VMM_PROC_ACTIVATE_SECONDARY)
		vmx_vmwrite(vmx, L1VMM_VMCS_ID_SECONDARY_VM_EXEC_CONTROL, vmx->proc2);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_VM_EXIT_CONTROLS, vmx->exit);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_VM_ENTRY_CONTROLS, vmx->entry);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_EXCEPTION_BITMAP, vmx->exception_bitmap);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_CR3_TARGET_COUNT, 0);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_IO_BITMAP_A, page_to_phys(io_bitmaps));
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_IO_BITMAP_B, page_to_phys(io_bitmaps) + PAGE_SIZE);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_MSR_BITMAP, page_to_phys(msr_bitmap));
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_EPT_POINTER, vmx->eptp);
	if (vmx->proc2 & L1VMM_PROC2_ENABLE_VPID)
		vmx_vmwrite(vmx, L1VMM_VMCS_ID_VIRTUAL_PROCESSOR_ID, vmx->vpid);
	if (vmx->proc2 & L1VMM_PROC2_PAUSE_LOOP_EXITING) {
		vmx_vmwrite(vmx, L1VMM_VMCS_ID_PLE_GAP, PLE_GAP);
		vmx_vmwrite(vmx, L1VMM_VMCS_ID_PLE_WINDOW, PLE_WINDOW);
	}
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_VM_EXIT_MSR_STORE_COUNT, 0);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_VM_EXIT_MSR_LOAD_COUNT, 0);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_VMCS_LINK_POINTER, L1VMM_VMCS_LINK_NONE);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_CR0_GUEST_HOST_MASK, vmx->cr0_mask);
	/*
	 * The guest owns only the CR4 bits it may set (KVM too keeps its
	 * cr4_guest_rsvd_bits and the bits it does not offer out of the
	 * guest-owned ones): setting any other exits, and vmx_handle_cr()
	 * makes that a #GP; the CPU would check the host's features only
	 * (CR4.PKE, and WRPKRU would change the host's PKRU). The CPUID
	 * table is final by now: after the first entry KVM_SET_CPUID2 takes
	 * no other.
	 */
	vmx->cr4_mask = vmx_limits.cr4_fixed0 | ~l1vmm_vcpu_cr4_allowed(vmx->vcpu);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_CR4_GUEST_HOST_MASK, vmx->cr4_mask);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_IA32_DEBUGCTL, 0);

	/* The host state that is the same on every CPU. */
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_HOST_CR0, read_cr0());
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_HOST_CS_SELECTOR, __KERNEL_CS);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_HOST_SS_SELECTOR, __KERNEL_DS);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_HOST_DS_SELECTOR, 0);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_HOST_ES_SELECTOR, 0);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_HOST_RIP, (unsigned long)l1vmm_vmx_vmexit);
	store_idt(&idt);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_HOST_IDTR_BASE, idt.address);
	rdmsr(MSR_IA32_SYSENTER_CS, cs, eip);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_HOST_IA32_SYSENTER_CS, cs);
	rdmsrl(MSR_IA32_SYSENTER_EIP, pat);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_HOST_IA32_SYSENTER_EIP, pat);
	rdmsrl(MSR_EFER, efer);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_HOST_IA32_EFER, efer);
	if (vmx->exit & L1VMM_EXIT_LOAD_IA32_PAT) {
		rdmsrl(MSR_IA32_CR_PAT, pat);
		vmx_vmwrite(vmx, L1VMM_VMCS_ID_HOST_IA32_PAT, pat);
	}
	vmx->initialized = true;
	vmx->dirty = VMX_ST_ALL;
}

/*
 * Make @vcpu's VMCS current on this CPU, before the run loop (preemption
 * off, IRQs on: the ops' vcpu_load). A vCPU that moved here is VMCLEARed
 * where it was (an IPI) and its VMCS gets this CPU's host state; its
 * guest translations here may be stale (it may have run here before):
 * flush them. Otherwise only a VMPTRLD, when another VMCS was current.
 */
void vmx_vcpu_load(struct l1vmm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int cpu = smp_processor_id();
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpus);
	unsigned long flags;

	if (READ_ONCE(vmx->cpu) != cpu) {
		vmx_clear_remote(vmx);
		/* Pairs with the smp_wmb() in vmx_clear_here(). */
		smp_rmb();
		local_irq_save(flags);
		list_add(&vmx->loaded_link, &vc->loaded);
		vmx->cpu = cpu;
		vc->current_vmcs = NULL;
		local_irq_restore(flags);
		if (!vmx->initialized) {
			WARN_ON_ONCE(vmx_vmclear(vmx->vmcs_pa));
			l1vmm_l1_always(vmx->stats);
		}
		set_bit(L1VMM_REQ_TLB_FLUSH, &vcpu->requests);
	}
	if (vc->current_vmcs != vmx->vmcs) {
		WARN_ON_ONCE(vmx_vmptrld(vmx->vmcs_pa));
		l1vmm_l1_always(vmx->stats);
		vc->current_vmcs = vmx->vmcs;
		if (!vmx->initialized)
			vmx_init_vmcs(vmx);
	}
	if (vmx->host_cpu != cpu) {
		/* The host state of this CPU; CR3, CR4, RSP written again. */
		vmx_vmwrite(vmx, L1VMM_VMCS_ID_HOST_TR_BASE,
			    (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
		vmx_vmwrite(vmx, L1VMM_VMCS_ID_HOST_GDTR_BASE, (unsigned long)get_current_gdt_ro());
		vmx_vmwrite(vmx, L1VMM_VMCS_ID_HOST_IA32_SYSENTER_ESP,
			    (unsigned long)(cpu_entry_stack(cpu) + 1));
		vmx->host_cpu = cpu;
		vmx->host_cr3 = 0;
		vmx->host_cr4 = 0;
		vmx->host_rsp = 0;
	}
}

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
	if (io_bitmaps)
		__free_pages(io_bitmaps, 1);
	if (msr_bitmap)
		__free_page(msr_bitmap);
	io_bitmaps = msr_bitmap = NULL;
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

	if (!l1vmm_vmx_eptp(0, 4, vmx_limits.ept_vpid_cap)) {
		pr_err("not loading: EPT without write-back or a 4-level walk (IA32_VMX_EPT_VPID_CAP 0x%llx)\n",
		       vmx_limits.ept_vpid_cap);
		return ERR_PTR(-EOPNOTSUPP);
	}
	vmx_basic = msrs.basic;
	/* What the checks compare against (vmcs_check.h): this CPU's widths and EFER. */
	vmx_limits.phys_bits = boot_cpu_data.x86_phys_bits;
	vmx_limits.virt_bits = boot_cpu_data.x86_virt_bits;
	vmx_limits.efer_allowed = EFER_SCE | EFER_LME | EFER_LMA |
				  (boot_cpu_has(X86_FEATURE_NX) ? EFER_NX : 0);
	vmx_limits.host_ia32e = true;
	if (vmx_limits.ept_vpid_cap & L1VMM_EPT_CAP_AD) {
		vmx_ept_format.leaf |= EPT_ACCESSED;
		vmx_ept_format.leaf_writable |= EPT_DIRTY;
		vmx_ept_format.accessed = EPT_ACCESSED;
	}
	vmx_ept_format.max_leaf_level = (vmx_limits.ept_vpid_cap & EPT_CAP_1G_PAGES) ? 3 :
					(vmx_limits.ept_vpid_cap & EPT_CAP_2M_PAGES) ? 2 : 1;
	/* From the TSC's rate: Bochs's runs at tens of MHz, hardware's at GHz. */
	vmx_bound_tsc = (u64)max(tsc_khz, 1000U) * VMX_GUEST_BOUND_US / 1000;
	vmx_preemption_timer = min_t(u64, U32_MAX, vmx_bound_tsc >>
				     (vmx_limits.misc & VMX_MISC_PREEMPTION_RATE_MASK));
	vmx_switch_spec_ctrl = l1vmm_host_has_msr(L1VMM_MSR_SPEC_CTRL);
	rdmsrl(MSR_STAR, vmx_host_star);
	rdmsrl(MSR_LSTAR, vmx_host_lstar);
	rdmsrl(MSR_CSTAR, vmx_host_cstar);
	rdmsrl(MSR_SYSCALL_MASK, vmx_host_sfmask);

	if (vmx_mitigations_init())
		goto nomem;
	io_bitmaps = alloc_pages(GFP_KERNEL, 1);
	msr_bitmap = alloc_page(GFP_KERNEL);
	if (!io_bitmaps || !msr_bitmap)
		goto nomem;
	memset(page_address(io_bitmaps), 0xff, 2 * PAGE_SIZE);
	memset(page_address(msr_bitmap), 0xff, PAGE_SIZE);
	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpus, cpu);

		INIT_LIST_HEAD(&vc->loaded);
		vc->vmxon_region = vmx_alloc_region(cpu_to_node(cpu), GFP_KERNEL);
		if (!vc->vmxon_region)
			goto nomem;
	}
	pr_info("VMCS revision 0x%x, controls pin 0x%x proc 0x%x proc2 0x%x exit 0x%x entry 0x%x\n",
		vmx_revision_id, vmx_ctls.val[L1VMM_CTL_PIN], vmx_ctls.val[L1VMM_CTL_PROC],
		vmx_ctls.val[L1VMM_CTL_PROC2], vmx_ctls.val[L1VMM_CTL_EXIT],
		vmx_ctls.val[L1VMM_CTL_ENTRY]);
	return &vmx_ops;

nomem:
	vmx_free_pages();
	vmx_mitigations_exit();
	return ERR_PTR(-ENOMEM);
}

static void vmx_exit(void)
{
	vmx_free_pages();
	vmx_mitigations_exit();
}

/* The preemption timer's start value (0: the CPU has none). */
u32 vmx_preemption_timer_value(void)
{
	return (vmx_ctls.val[L1VMM_CTL_PIN] & L1VMM_PIN_PREEMPTION_TIMER) ? vmx_preemption_timer : 0;
}

/* The VMX entry of the core's backend table (main.c). */
const struct l1vmm_backend l1vmm_vmx = {
	.init = vmx_init,
	.exit = vmx_exit,
};
