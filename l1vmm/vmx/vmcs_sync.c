// SPDX-License-Identifier: GPL-2.0-only
/*
 * The copy of the guest state in memory and the VMCS, group by group
 * (enum vmx_state, vmx.h): a group is read from the VMCS when it is used
 * after an exit, and written into it before an entry when a setter
 * changed it. KVM's vmx_cache_reg() and its VCPU_EXREG_* groups are the
 * model. Writes run where the vCPU's VMCS is current on this CPU (the run
 * loop, and vmx_vcpu_load()'s first write); a read outside the run loop
 * makes it current first.
 */
#include <linux/bitops.h>
#include <linux/string.h>

#include "l1vmm/portable/exc_payload.h"
#include "l1vmm/vmx/vmx.h"

static void read_seg(struct vmx_vcpu *vmx, int i)
{
	struct l1vmm_vmx_seg *seg = &vmx->g.seg[i];

	seg->selector = vmx_vmread(vmx, L1VMM_VMCS_ID_GUEST_ES_SELECTOR + i);
	seg->base = vmx_vmread(vmx, L1VMM_VMCS_ID_GUEST_ES_BASE + i);
	seg->limit = vmx_vmread(vmx, L1VMM_VMCS_ID_GUEST_ES_LIMIT + i);
}

/*
 * CR0, and EFER.LMA with it: the guest turns paging on and off without an
 * exit (CR0.PG is its own), and with EFER.LME set that is long mode on or
 * off. LME itself changes only through WRMSR, which exits. The VM exit
 * wrote LMA into the entry controls; the copy follows.
 */
static void read_guest_cr0(struct vmx_vcpu *vmx)
{
	struct vmx_guest *g = &vmx->g;
	u64 hw = vmx_vmread(vmx, L1VMM_VMCS_ID_GUEST_CR0);

	g->cr0 = (hw & ~vmx->cr0_mask) | (g->cr0 & vmx->cr0_mask);
	if ((g->cr0 & X86_CR0_PG) && (g->efer & EFER_LME))
		g->efer |= EFER_LMA;
	else
		g->efer &= ~EFER_LMA;
	vmx_update_lma(vmx);
}

/* The PDPTEs the exit saved, where the guest is in PAE paging. */
static void read_pdptrs(struct vmx_vcpu *vmx)
{
	struct vmx_guest *g = &vmx->g;
	int i;

	vmx_cache(vmx, BIT(VMX_ST_CR0) | BIT(VMX_ST_CR4));
	g->pdptrs_saved = l1vmm_pae_paging(g->cr0, g->cr4, g->efer);
	if (g->pdptrs_saved)
		for (i = 0; i < 4; i++)
			g->pdptrs[i] = vmx_vmread(vmx, L1VMM_VMCS_ID_GUEST_PDPTR0 + i);
}

/* @groups, none of them current, from the VMCS current on this CPU into the copy. */
static void read_groups(struct vmx_vcpu *vmx, unsigned long groups)
{
	struct vmx_guest *g = &vmx->g;
	unsigned int bit;
	u64 hw;

	for_each_set_bit(bit, &groups, VMX_ST_NR) {
		/* Mark it first: read_pdptrs() caches what it needs itself. */
		vmx->avail |= BIT(bit);
		switch (bit) {
		case VMX_ST_SEG ... VMX_ST_SEG + L1VMM_VMCS_SEG_NR - 1:
			read_seg(vmx, bit - VMX_ST_SEG);
			break;
		case VMX_ST_SEG_AR ... VMX_ST_SEG_AR + L1VMM_VMCS_SEG_NR - 1:
			l1vmm_vmx_seg_from_ar(vmx_vmread(vmx, L1VMM_VMCS_ID_GUEST_ES_AR_BYTES +
							  bit - VMX_ST_SEG_AR),
					      &g->seg[bit - VMX_ST_SEG_AR]);
			break;
		case VMX_ST_DTABLES:
			g->gdtr_base = vmx_vmread(vmx, L1VMM_VMCS_ID_GUEST_GDTR_BASE);
			g->gdtr_limit = vmx_vmread(vmx, L1VMM_VMCS_ID_GUEST_GDTR_LIMIT);
			g->idtr_base = vmx_vmread(vmx, L1VMM_VMCS_ID_GUEST_IDTR_BASE);
			g->idtr_limit = vmx_vmread(vmx, L1VMM_VMCS_ID_GUEST_IDTR_LIMIT);
			break;
		case VMX_ST_CR0:
			read_guest_cr0(vmx);
			break;
		case VMX_ST_CR3:
			g->cr3 = vmx_vmread(vmx, L1VMM_VMCS_ID_GUEST_CR3);
			break;
		case VMX_ST_CR4:
			hw = vmx_vmread(vmx, L1VMM_VMCS_ID_GUEST_CR4);
			g->cr4 = (hw & ~vmx->cr4_mask) | (g->cr4 & vmx->cr4_mask);
			break;
		case VMX_ST_PDPTRS:
			read_pdptrs(vmx);
			break;
		case VMX_ST_RFLAGS:
			g->rflags = vmx_vmread(vmx, L1VMM_VMCS_ID_GUEST_RFLAGS);
			break;
		case VMX_ST_INTR:
			g->interruptibility =
				vmx_vmread(vmx, L1VMM_VMCS_ID_GUEST_INTERRUPTIBILITY_INFO);
			break;
		case VMX_ST_ACTIVITY:
			g->activity = vmx_vmread(vmx, L1VMM_VMCS_ID_GUEST_ACTIVITY_STATE);
			break;
		case VMX_ST_PENDING_DBG:
			g->pending_dbg = vmx_vmread(vmx, L1VMM_VMCS_ID_GUEST_PENDING_DBG_EXCEPTIONS);
			break;
		case VMX_ST_DR7:
			g->dr7 = vmx_vmread(vmx, L1VMM_VMCS_ID_GUEST_DR7);
			break;
		}
	}
}

/*
 * @groups, none of them current, from the vCPU's VMCS into the copy. In
 * a series of entries the VMCS is current here (vmx->in_run); elsewhere
 * (the exit's full path, with preemption on, or a vCPU ioctl) it may be
 * current on no CPU, active on another, or another vCPU's may be current
 * here: then vmx_vcpu_load() makes it current, which needs IRQs on (an
 * IPI VMCLEARs it where it was active). The core's readers with IRQs off
 * read only VMX_ST_READ_AT_END, current from the series' end on.
 */
void vmx_read_state(struct vmx_vcpu *vmx, unsigned long groups)
{
	int cpu;

	if (likely(vmx->in_run)) {
		read_groups(vmx, groups);
		return;
	}
	cpu = get_cpu();
	if (READ_ONCE(vmx->cpu) != cpu ||
	    this_cpu_read(vmx_cpus.current_vmcs) != vmx->vmcs) {
		if (WARN_ON_ONCE(irqs_disabled()))
			goto out;
		vmx_vcpu_load(vmx->vcpu);
	}
	read_groups(vmx, groups);
out:
	put_cpu();
}

static void write_seg(struct vmx_vcpu *vmx, int i)
{
	const struct l1vmm_vmx_seg *seg = &vmx->g.seg[i];

	vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_ES_SELECTOR + i, seg->selector);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_ES_BASE + i, seg->base);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_ES_LIMIT + i, seg->limit);
}

/*
 * Under PAE paging with EPT the entry loads the PDPTEs from the VMCS
 * (KVM's ept_load_pdptrs()): those user space set or the core loaded from
 * CR3 (KVM_SET_SREGS/SREGS2, or the last ones it loaded where memory's
 * could not be), else those the last exit saved.
 */
static void write_pdptrs(struct l1vmm_vcpu *vcpu, struct vmx_vcpu *vmx)
{
	struct vmx_guest *g = &vmx->g;
	int i;

	vmx_cache(vmx, BIT(VMX_ST_PDPTRS));
	if (!l1vmm_pae_paging(g->cr0, g->cr4, g->efer))
		return;
	if (vcpu->pdptrs_cached || !g->pdptrs_saved)
		memcpy(g->pdptrs, vcpu->pdptrs, sizeof(g->pdptrs));
	for (i = 0; i < 4; i++)
		vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_PDPTR0 + i, g->pdptrs[i]);
}

/* What decides the paging mode: the PDPTEs go with a change of any. */
#define PAGING_GROUPS	(BIT(VMX_ST_CR0) | BIT(VMX_ST_CR3) | BIT(VMX_ST_CR4) | \
			 BIT(VMX_ST_EFER) | BIT(VMX_ST_PDPTRS))

/* The dirty groups from the copy into the VMCS; each one current (setters cache first). */
void vmx_write_state(struct l1vmm_vcpu *vcpu, struct vmx_vcpu *vmx)
{
	struct vmx_guest *g = &vmx->g;
	unsigned long groups = vmx->dirty;
	unsigned int bit;

	if (groups & PAGING_GROUPS)
		write_pdptrs(vcpu, vmx);
	for_each_set_bit(bit, &groups, VMX_ST_NR) {
		switch (bit) {
		case VMX_ST_SEG ... VMX_ST_SEG + L1VMM_VMCS_SEG_NR - 1:
			write_seg(vmx, bit - VMX_ST_SEG);
			break;
		case VMX_ST_SEG_AR ... VMX_ST_SEG_AR + L1VMM_VMCS_SEG_NR - 1:
			vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_ES_AR_BYTES + bit - VMX_ST_SEG_AR,
				    l1vmm_vmx_seg_ar(&g->seg[bit - VMX_ST_SEG_AR]));
			break;
		case VMX_ST_DTABLES:
			vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_GDTR_BASE, g->gdtr_base);
			vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_GDTR_LIMIT, g->gdtr_limit);
			vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_IDTR_BASE, g->idtr_base);
			vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_IDTR_LIMIT, g->idtr_limit);
			break;
		case VMX_ST_CR0:
			vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_CR0, vmx_hw_cr0(vmx, g->cr0));
			vmx_vmwrite(vmx, L1VMM_VMCS_ID_CR0_READ_SHADOW, g->cr0);
			break;
		case VMX_ST_CR3:
			vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_CR3, g->cr3);
			break;
		case VMX_ST_CR4:
			vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_CR4, vmx_hw_cr4(vmx, g->cr4));
			vmx_vmwrite(vmx, L1VMM_VMCS_ID_CR4_READ_SHADOW, g->cr4);
			break;
		case VMX_ST_EFER:
			vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_IA32_EFER, g->efer);
			vmx_vmwrite(vmx, L1VMM_VMCS_ID_VM_ENTRY_CONTROLS, vmx->entry);
			break;
		case VMX_ST_RFLAGS:
			vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_RFLAGS, g->rflags);
			break;
		case VMX_ST_INTR:
			vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_INTERRUPTIBILITY_INFO,
				    g->interruptibility);
			break;
		case VMX_ST_ACTIVITY:
			vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_ACTIVITY_STATE, g->activity);
			break;
		case VMX_ST_PENDING_DBG:
			vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_PENDING_DBG_EXCEPTIONS, g->pending_dbg);
			break;
		case VMX_ST_DR7:
			vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_DR7, g->dr7);
			break;
		case VMX_ST_PAT:
			if (vmx->entry & L1VMM_ENTRY_LOAD_IA32_PAT)
				vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_IA32_PAT, g->pat);
			break;
		case VMX_ST_SYSENTER:
			vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_SYSENTER_CS, g->sysenter_cs);
			vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_SYSENTER_ESP, g->sysenter_esp);
			vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_SYSENTER_EIP, g->sysenter_eip);
			break;
		case VMX_ST_TSC_OFFSET:
			if (vmx->proc & L1VMM_PROC_USE_TSC_OFFSETTING)
				vmx_vmwrite(vmx, L1VMM_VMCS_ID_TSC_OFFSET, g->tsc_offset);
			break;
		case VMX_ST_CTLS:
			vmx_vmwrite(vmx, L1VMM_VMCS_ID_CPU_BASED_VM_EXEC_CONTROL, vmx->proc);
			vmx_vmwrite(vmx, L1VMM_VMCS_ID_EXCEPTION_BITMAP, vmx->exception_bitmap);
			break;
		}
	}
	vmx->dirty = 0;
}
