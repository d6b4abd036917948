// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMX backend's guest state: segments and control registers, RFLAGS,
 * the MSRs the VMCS (or l1vmm, around each series) holds, the event to
 * inject, the interrupt shadow and window, debug registers. All of it is
 * the copy in memory (struct vmx_guest, vmx.h): the state ops run on any
 * CPU, with preemption on, where the vCPU's VMCS may not be current. A
 * getter makes its groups current first (after an exit they may not be:
 * vmx_read_state() loads the VMCS here to read them), a setter marks the
 * groups it changed dirty; vmcs_sync.c reads and writes them (vmx.h,
 * enum vmx_state).
 */
#include <linux/nospec.h>
#include <linux/string.h>
#include <asm/processor-flags.h>

#include "l1vmm/debugregs.h"
#include "l1vmm/portable/insn_decode.h"
#include "l1vmm/portable/msrs.h"
#include "l1vmm/vmx/vmx.h"

/* The RESET state (SDM, "Initialization Overview"; KVM's vmx_vcpu_reset()). */
#define RESET_CR0		(X86_CR0_ET | X86_CR0_CD | X86_CR0_NW)
#define RESET_CS_SELECTOR	0xf000
#define RESET_CS_BASE		0xffff0000
#define RESET_PAT		0x0007040600070406ULL
#define SEG_TYPE_CODE_RA	0xb	/* execute/read, accessed */
#define SEG_TYPE_DATA_WA	0x3	/* read/write, accessed */
#define SEG_TYPE_LDT		0x2
#define SEG_TYPE_TSS32_BUSY	0xb

static void reset_seg(struct l1vmm_vmx_seg *seg, u8 type, bool s)
{
	memset(seg, 0, sizeof(*seg));
	seg->limit = 0xffff;
	seg->type = type;
	seg->s = s;
	seg->present = 1;
}

void vmx_vcpu_reset(struct l1vmm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_guest *g = &vmx->g;
	u64 tsc_offset = g->tsc_offset;
	int i;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < L1VMM_VMCS_SEG_NR; i++)
		reset_seg(&g->seg[i], SEG_TYPE_DATA_WA, true);
	reset_seg(&g->seg[L1VMM_VMCS_SEG_CS], SEG_TYPE_CODE_RA, true);
	g->seg[L1VMM_VMCS_SEG_CS].selector = RESET_CS_SELECTOR;
	g->seg[L1VMM_VMCS_SEG_CS].base = RESET_CS_BASE;
	reset_seg(&g->seg[L1VMM_VMCS_SEG_LDTR], SEG_TYPE_LDT, false);
	/* A busy 32-bit TSS, as KVM: VMX refuses the 16-bit one in some modes. */
	reset_seg(&g->seg[L1VMM_VMCS_SEG_TR], SEG_TYPE_TSS32_BUSY, false);
	g->gdtr_limit = 0xffff;
	g->idtr_limit = 0xffff;
	g->cr0 = RESET_CR0;
	g->rflags = X86_EFLAGS_FIXED;
	g->dr6 = L1VMM_DR6_RESET;
	g->dr7 = L1VMM_DR7_RESET;
	g->pat = RESET_PAT;
	g->tsc_offset = tsc_offset;
	vmx->proc &= ~(L1VMM_PROC_INTR_WINDOW_EXITING | L1VMM_PROC_NMI_WINDOW_EXITING);
	vmx_update_lma(vmx);
	vmx->avail = VMX_ST_ALL;
	vmx->dirty = VMX_ST_ALL;
}

static void seg_to_kvm(const struct l1vmm_vmx_seg *s, struct kvm_segment *k)
{
	k->base = s->base;
	k->limit = s->limit;
	k->selector = s->selector;
	k->type = s->type;
	k->s = s->s;
	k->dpl = s->dpl;
	k->present = s->present;
	k->avl = s->avl;
	k->l = s->l;
	k->db = s->db;
	k->g = s->g;
	k->unusable = s->unusable || !s->present;
	k->padding = 0;
}

/*
 * As KVM with unrestricted guest: the accessed bit of every segment but
 * LDTR is set, which the CPU requires and older user space left clear.
 */
static void kvm_to_seg(const struct kvm_segment *k, struct l1vmm_vmx_seg *s, bool ldtr)
{
	s->base = k->base;
	s->limit = k->limit;
	s->selector = k->selector;
	s->type = k->type | (ldtr || k->unusable ? 0 : 1);
	s->s = k->s;
	s->dpl = k->dpl & 3;
	s->present = k->present;
	s->avl = k->avl;
	s->l = k->l;
	s->db = k->db;
	s->g = k->g;
	s->unusable = k->unusable || !k->present;
}

void vmx_update_lma(struct vmx_vcpu *vmx)
{
	if (vmx->g.efer & EFER_LMA)
		vmx->entry |= L1VMM_ENTRY_IA32E_MODE_GUEST;
	else
		vmx->entry &= ~L1VMM_ENTRY_IA32E_MODE_GUEST;
}

/* What KVM_GET/SET_SREGS hold, of the groups the VMCS keeps. */
#define SREGS_GROUPS	(VMX_ST_ALL_SEGS | VMX_ST_ALL_SEG_ARS | BIT(VMX_ST_DTABLES) | \
			 BIT(VMX_ST_CR0) | BIT(VMX_ST_CR3) | BIT(VMX_ST_CR4) | \
			 BIT(VMX_ST_EFER) | BIT(VMX_ST_PDPTRS))

void vmx_get_sregs(struct l1vmm_vcpu *vcpu, struct kvm_sregs *sregs)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	const struct vmx_guest *g = &vmx->g;

	vmx_cache(vmx, SREGS_GROUPS);

	/*
	 * After an exit under PAE paging KVM_GET_SREGS2 reports the PDPTEs
	 * the exit saved in the VMCS, as kvm-intel's ept_save_pdptrs(), not
	 * those in memory (the core's default, KVM on SVM).
	 */
	if (g->pdptrs_saved && !vcpu->pdptrs_cached) {
		memcpy(vcpu->pdptrs, g->pdptrs, sizeof(vcpu->pdptrs));
		vcpu->pdptrs_cached = true;
	}

	seg_to_kvm(&g->seg[L1VMM_VMCS_SEG_CS], &sregs->cs);
	seg_to_kvm(&g->seg[L1VMM_VMCS_SEG_DS], &sregs->ds);
	seg_to_kvm(&g->seg[L1VMM_VMCS_SEG_ES], &sregs->es);
	seg_to_kvm(&g->seg[L1VMM_VMCS_SEG_FS], &sregs->fs);
	seg_to_kvm(&g->seg[L1VMM_VMCS_SEG_GS], &sregs->gs);
	seg_to_kvm(&g->seg[L1VMM_VMCS_SEG_SS], &sregs->ss);
	seg_to_kvm(&g->seg[L1VMM_VMCS_SEG_TR], &sregs->tr);
	seg_to_kvm(&g->seg[L1VMM_VMCS_SEG_LDTR], &sregs->ldt);
	sregs->gdt.base = g->gdtr_base;
	sregs->gdt.limit = g->gdtr_limit;
	sregs->idt.base = g->idtr_base;
	sregs->idt.limit = g->idtr_limit;
	sregs->cr0 = g->cr0;
	sregs->cr2 = g->cr2;
	sregs->cr3 = g->cr3;
	sregs->cr4 = g->cr4;
	sregs->cr8 = g->tpr;
	sregs->efer = g->efer;
}

/* L1VMM_SEG_* are in the VMCS's order: ES, CS, SS, DS, FS, GS. */
static_assert((int)L1VMM_SEG_GS == (int)L1VMM_VMCS_SEG_GS &&
	      (int)L1VMM_SEG_CS == (int)L1VMM_VMCS_SEG_CS);

void vmx_get_segment(struct l1vmm_vcpu *vcpu, int seg, struct kvm_segment *s)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	seg = array_index_nospec(seg, L1VMM_SEG_GS + 1);
	vmx_cache(vmx, BIT(VMX_ST_SEG + seg) | BIT(VMX_ST_SEG_AR + seg));
	seg_to_kvm(&vmx->g.seg[seg], s);
}

void vmx_set_sregs(struct l1vmm_vcpu *vcpu, const struct kvm_sregs *sregs)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_guest *g = &vmx->g;

	vmx_cache(vmx, SREGS_GROUPS);
	kvm_to_seg(&sregs->cs, &g->seg[L1VMM_VMCS_SEG_CS], false);
	kvm_to_seg(&sregs->ds, &g->seg[L1VMM_VMCS_SEG_DS], false);
	kvm_to_seg(&sregs->es, &g->seg[L1VMM_VMCS_SEG_ES], false);
	kvm_to_seg(&sregs->fs, &g->seg[L1VMM_VMCS_SEG_FS], false);
	kvm_to_seg(&sregs->gs, &g->seg[L1VMM_VMCS_SEG_GS], false);
	kvm_to_seg(&sregs->ss, &g->seg[L1VMM_VMCS_SEG_SS], false);
	kvm_to_seg(&sregs->tr, &g->seg[L1VMM_VMCS_SEG_TR], false);
	kvm_to_seg(&sregs->ldt, &g->seg[L1VMM_VMCS_SEG_LDTR], true);
	g->gdtr_base = sregs->gdt.base;
	g->gdtr_limit = sregs->gdt.limit;
	g->idtr_base = sregs->idt.base;
	g->idtr_limit = sregs->idt.limit;
	g->cr0 = sregs->cr0;
	g->cr2 = sregs->cr2;
	g->cr3 = sregs->cr3;
	g->cr4 = sregs->cr4;
	g->efer = sregs->efer;
	g->pdptrs_saved = false;	/* the core loads them from CR3 */
	vmx_update_lma(vmx);
	vmx_mark_dirty(vmx, SREGS_GROUPS);
}

unsigned long vmx_get_rflags(struct l1vmm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_cache(vmx, BIT(VMX_ST_RFLAGS));
	return vmx->g.rflags;
}

void vmx_set_rflags(struct l1vmm_vcpu *vcpu, unsigned long rflags)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx->g.rflags = rflags;
	vmx->avail |= BIT(VMX_ST_RFLAGS);
	vmx_mark_dirty(vmx, BIT(VMX_ST_RFLAGS));
}

/*
 * The groups an MSR the backend keeps is in (0: not in the VMCS, switched
 * around each series); EFER's LMA follows CR0.
 */
static unsigned long msr_groups(u32 index)
{
	switch (index) {
	case L1VMM_MSR_TSC:
	case L1VMM_MSR_TSC_OFFSET:
		return BIT(VMX_ST_TSC_OFFSET);
	case L1VMM_MSR_SYSENTER_CS:
	case L1VMM_MSR_SYSENTER_ESP:
	case L1VMM_MSR_SYSENTER_EIP:
		return BIT(VMX_ST_SYSENTER);
	case L1VMM_MSR_PAT:
		return BIT(VMX_ST_PAT);
	case L1VMM_MSR_EFER:
		return BIT(VMX_ST_CR0) | BIT(VMX_ST_EFER);
	case L1VMM_MSR_FS_BASE:
		return BIT(VMX_ST_SEG + L1VMM_VMCS_SEG_FS);
	case L1VMM_MSR_GS_BASE:
		return BIT(VMX_ST_SEG + L1VMM_VMCS_SEG_GS);
	default:
		return 0;
	}
}

/* An MSR l1vmm_msr_in_backend() names: the core checked that it is one. */
u64 vmx_get_msr(struct l1vmm_vcpu *vcpu, u32 index)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	const struct vmx_guest *g = &vmx->g;

	vmx_cache(vmx, msr_groups(index));

	switch (index) {
	case L1VMM_MSR_TSC:
		return rdtsc() + g->tsc_offset;
	case L1VMM_MSR_TSC_OFFSET:
		return g->tsc_offset;
	case L1VMM_MSR_SYSENTER_CS:
		return g->sysenter_cs;
	case L1VMM_MSR_SYSENTER_ESP:
		return g->sysenter_esp;
	case L1VMM_MSR_SYSENTER_EIP:
		return g->sysenter_eip;
	case L1VMM_MSR_PAT:
		return g->pat;
	case L1VMM_MSR_EFER:
		return g->efer;
	case L1VMM_MSR_STAR:
		return g->star;
	case L1VMM_MSR_LSTAR:
		return g->lstar;
	case L1VMM_MSR_CSTAR:
		return g->cstar;
	case L1VMM_MSR_SFMASK:
		return g->sfmask;
	case L1VMM_MSR_FS_BASE:
		return g->seg[L1VMM_VMCS_SEG_FS].base;
	case L1VMM_MSR_GS_BASE:
		return g->seg[L1VMM_VMCS_SEG_GS].base;
	case L1VMM_MSR_KERNEL_GS_BASE:
		return g->kernel_gs_base;
	default:
		return 0;
	}
}

/* The core checked @index and @data (msr_access.h). */
void vmx_set_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 data)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_guest *g = &vmx->g;
	unsigned long groups = msr_groups(index);
	u64 old = vmx_get_msr(vcpu, index);

	switch (index) {
	case L1VMM_MSR_TSC:
		g->tsc_offset = data - rdtsc();
		break;
	case L1VMM_MSR_TSC_OFFSET:
		g->tsc_offset = data;
		break;
	case L1VMM_MSR_SYSENTER_CS:
		g->sysenter_cs = data;
		break;
	case L1VMM_MSR_SYSENTER_ESP:
		g->sysenter_esp = data;
		break;
	case L1VMM_MSR_SYSENTER_EIP:
		g->sysenter_eip = data;
		break;
	case L1VMM_MSR_PAT:
		g->pat = data;
		break;
	case L1VMM_MSR_EFER:
		/* LMA is the CPU's to set. */
		g->efer = (data & ~EFER_LMA) | (g->efer & EFER_LMA);
		break;
	case L1VMM_MSR_STAR:
		g->star = data;
		break;
	case L1VMM_MSR_LSTAR:
		g->lstar = data;
		break;
	case L1VMM_MSR_CSTAR:
		g->cstar = data;
		break;
	case L1VMM_MSR_SFMASK:
		g->sfmask = data;
		break;
	case L1VMM_MSR_FS_BASE:
		g->seg[L1VMM_VMCS_SEG_FS].base = data;
		break;
	case L1VMM_MSR_GS_BASE:
		g->seg[L1VMM_VMCS_SEG_GS].base = data;
		break;
	case L1VMM_MSR_KERNEL_GS_BASE:
		g->kernel_gs_base = data;
		break;
	}
	/*
	 * The same value again (a guest saving and restoring an MSR) writes
	 * nothing into the VMCS. EFER's write takes the entry controls with
	 * it, not CR0.
	 */
	if (vmx_get_msr(vcpu, index) != old)
		vmx_mark_dirty(vmx, groups & ~BIT(VMX_ST_CR0));
}

void vmx_get_event(struct l1vmm_vcpu *vcpu, struct l1vmm_event *ev)
{
	const struct vmx_guest *g = &to_vmx(vcpu)->g;
	u32 info = g->entry_intr_info;

	ev->valid = info & L1VMM_INTR_INFO_VALID;
	ev->type = (info & L1VMM_INTR_INFO_TYPE_MASK) >> 8;
	ev->vector = info & L1VMM_INTR_INFO_VECTOR_MASK;
	ev->has_error = info & L1VMM_INTR_INFO_DELIVER_CODE;
	ev->error = g->entry_error_code;
}

void vmx_set_event(struct l1vmm_vcpu *vcpu, const struct l1vmm_event *ev)
{
	struct vmx_guest *g = &to_vmx(vcpu)->g;

	g->entry_intr_info = 0;
	g->entry_error_code = 0;
	if (!ev->valid)
		return;
	g->entry_intr_info = ev->vector | ((u32)ev->type << 8) | L1VMM_INTR_INFO_VALID |
			     (ev->has_error ? L1VMM_INTR_INFO_DELIVER_CODE : 0);
	g->entry_error_code = ev->error;
}

/* STI and MOV SS blocking, which VMX keeps apart, as KVM reports them. */
u8 vmx_get_interrupt_shadow(struct l1vmm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 s;
	u8 mask = 0;

	vmx_cache(vmx, BIT(VMX_ST_INTR));
	s = vmx->g.interruptibility;

	if (s & L1VMM_INTERRUPTIBILITY_STI)
		mask |= KVM_X86_SHADOW_INT_STI;
	if (s & L1VMM_INTERRUPTIBILITY_MOV_SS)
		mask |= KVM_X86_SHADOW_INT_MOV_SS;
	return mask;
}

void vmx_set_interrupt_shadow(struct l1vmm_vcpu *vcpu, u8 mask)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 *s = &vmx->g.interruptibility;
	u32 old;

	vmx_cache(vmx, BIT(VMX_ST_INTR));
	old = *s;
	*s &= ~(L1VMM_INTERRUPTIBILITY_STI | L1VMM_INTERRUPTIBILITY_MOV_SS);
	if (mask & KVM_X86_SHADOW_INT_MOV_SS)
		*s |= L1VMM_INTERRUPTIBILITY_MOV_SS;
	else if (mask & KVM_X86_SHADOW_INT_STI)
		*s |= L1VMM_INTERRUPTIBILITY_STI;
	/* Each skipped instruction ends a shadow: most often there was none. */
	if (*s != old)
		vmx_mark_dirty(vmx, BIT(VMX_ST_INTR));
}

static void set_proc(struct vmx_vcpu *vmx, u32 bit, bool on)
{
	if (!!(vmx->proc & bit) == on)
		return;
	vmx->proc ^= bit;
	vmx_mark_dirty(vmx, BIT(VMX_ST_CTLS));
}

/* Interrupt-window exiting: an exit as soon as the guest can take one. */
void vmx_set_irq_window(struct l1vmm_vcpu *vcpu, bool on)
{
	set_proc(to_vmx(vcpu), L1VMM_PROC_INTR_WINDOW_EXITING, on);
}

/*
 * DR6 is not in the VMCS: l1vmm's copy, in the CPU only while the guest's
 * MOV DR does not exit (run.c, begin_entries and end_entries).
 */
u64 vmx_get_dr6(struct l1vmm_vcpu *vcpu)
{
	return to_vmx(vcpu)->g.dr6;
}

void vmx_set_dr6(struct l1vmm_vcpu *vcpu, u64 value)
{
	to_vmx(vcpu)->g.dr6 = value;
}

u64 vmx_get_dr7(struct l1vmm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_cache(vmx, BIT(VMX_ST_DR7));
	return vmx->g.dr7;
}

void vmx_set_dr7(struct l1vmm_vcpu *vcpu, u64 value)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx->g.dr7 = value;
	vmx->avail |= BIT(VMX_ST_DR7);
	vmx_mark_dirty(vmx, BIT(VMX_ST_DR7));
}

/* MOV-DR exiting, where the CPU lets it be off (else it stays on). */
void vmx_set_dr_intercepts(struct l1vmm_vcpu *vcpu, bool on)
{
	if (!on && (vmx_limits.proc.allowed0 & L1VMM_PROC_MOV_DR_EXITING))
		return;
	set_proc(to_vmx(vcpu), L1VMM_PROC_MOV_DR_EXITING, on);
}

void vmx_set_exception_intercept(struct l1vmm_vcpu *vcpu, u8 vector, bool on)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (vector >= 32 || !!(vmx->exception_bitmap & BIT(vector)) == on)
		return;
	vmx->exception_bitmap ^= BIT(vector);
	vmx_mark_dirty(vmx, BIT(VMX_ST_CTLS));
}

/*
 * NMI-window exiting: an exit as soon as the guest can take an NMI. With
 * virtual NMIs the CPU blocks NMIs from an NMI's delivery until the
 * handler's IRET, so after an injected NMI that is right after the IRET.
 */
void vmx_set_iret_intercept(struct l1vmm_vcpu *vcpu, bool on)
{
	set_proc(to_vmx(vcpu), L1VMM_PROC_NMI_WINDOW_EXITING, on);
}

/* The CPU's virtual-NMI blocking, as KVM_SET_VCPU_EVENTS's nmi.masked (vmx_set_nmi_mask()). */
void vmx_set_nmi_blocked(struct l1vmm_vcpu *vcpu, bool blocked)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 *s = &vmx->g.interruptibility;

	vmx_cache(vmx, BIT(VMX_ST_INTR));
	if (!!(*s & L1VMM_INTERRUPTIBILITY_NMI) == blocked)
		return;
	*s ^= L1VMM_INTERRUPTIBILITY_NMI;
	vmx_mark_dirty(vmx, BIT(VMX_ST_INTR));
}

u64 vmx_get_cr0(struct l1vmm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_cache(vmx, BIT(VMX_ST_CR0));
	return vmx->g.cr0;
}

u64 vmx_get_cr3(struct l1vmm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_cache(vmx, BIT(VMX_ST_CR3));
	return vmx->g.cr3;
}

u64 vmx_get_cr4(struct l1vmm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_cache(vmx, BIT(VMX_ST_CR4));
	return vmx->g.cr4;
}

void vmx_set_cr4(struct l1vmm_vcpu *vcpu, u64 cr4)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_cache(vmx, BIT(VMX_ST_CR4));
	vmx->g.cr4 = cr4;
	vmx_mark_dirty(vmx, BIT(VMX_ST_CR4));
}

/*
 * The CR8-write intercept the in-kernel APIC asks for while an interrupt
 * waits at or below the TPR: always on here (every MOV CR8 exits, and
 * vmx_handle_cr() sends it to the full path, which looks at the APIC).
 */
void vmx_set_cr8_intercept(struct l1vmm_vcpu *vcpu, bool on)
{
}

/* Every MOV CR8 exits (CR8-load and CR8-store exiting): the TPR is l1vmm's. */
u64 vmx_get_cr8(struct l1vmm_vcpu *vcpu)
{
	return to_vmx(vcpu)->g.tpr;
}

void vmx_set_cr8(struct l1vmm_vcpu *vcpu, u64 cr8)
{
	to_vmx(vcpu)->g.tpr = cr8 & 0xf;
}
