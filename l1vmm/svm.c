// SPDX-License-Identifier: GPL-2.0-only
/*
 * The AMD SVM backend: turns SVM on and off per CPU, builds each vCPU's
 * VMCB (the vmcb12 that L0 validates and runs), enters the guest, and
 * decodes its exits into struct l1vmm_exit for the core.
 *
 * Layouts and exit codes come from the kernel's <asm/svm.h>.
 */
#define pr_fmt(fmt) "l1vmm: svm: " fmt

#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/svm.h>
#include <asm/fpu/xcr.h>

#include "l1vmm/debugregs.h"
#include "l1vmm/entry.h"
#include "l1vmm/fastpath.h"
#include "l1vmm/l1vmm.h"
#include "l1vmm/msrs.h"
#include "l1vmm/vmcb_check.h"

/* CPUID 0x8000000A EDX (AMD APM, "SVM Feature Identification"). */
#define SVM_FEATURE_NRIPS		BIT(3)
#define SVM_FEATURE_FLUSH_BY_ASID	BIT(6)
#define SVM_FEATURE_PAUSE_FILTER	BIT(10)
#define SVM_FEATURE_PAUSE_THRESHOLD	BIT(12)

/*
 * A PAUSE exits after this many in a row (KVM's default pause_filter_count)
 * spinning closer together than this many cycles (pause_filter_thresh).
 */
#define PAUSE_FILTER_COUNT		3000
#define PAUSE_FILTER_THRESHOLD		128

/* The I/O and MSR permission maps: every port and MSR is intercepted. */
#define IOPM_ORDER	2	/* 12 KiB used */
#define MSRPM_ORDER	1	/* 8 KiB */

/*
 * VMEXIT_INVALID as KVM reports it in hardware_entry_failure_reason: the
 * 32-bit exit code (KVM's vmcb exit_code is a u32), 0xffffffff.
 */
#define VMEXIT_INVALID		((u32)SVM_EXIT_ERR)

/* VMCB clean bits (AMD APM, "VMCB State Caching"). */
enum svm_clean_bit {
	CLEAN_INTERCEPTS,	/* intercept vectors, TSC offset, pause filter */
	CLEAN_PERM_MAPS,	/* IOPM and MSRPM base */
	CLEAN_ASID,
	CLEAN_INT_CTL,		/* V_TPR, V_IRQ, ... */
	CLEAN_NP,		/* nested paging: nCR3, G_PAT */
	CLEAN_CRX,		/* CR0, CR3, CR4, EFER */
	CLEAN_DRX,		/* DR6, DR7 */
	CLEAN_DT,		/* GDT, IDT */
	CLEAN_SEG,		/* CS, DS, SS, ES, CPL */
	CLEAN_CR2,
	CLEAN_LBR,
	CLEAN_AVIC,
	NR_CLEAN_BITS,
};
#define CLEAN_ALL	(BIT(NR_CLEAN_BITS) - 1)

/* Reset state (AMD APM, "Initial Processor State"). */
#define RESET_CR0		(X86_CR0_ET | X86_CR0_CD | X86_CR0_NW)
#define RESET_RFLAGS		X86_EFLAGS_FIXED
#define RESET_CS_SELECTOR	0xf000
#define RESET_CS_BASE		0xffff0000
#define RESET_PAT		0x0007040600070406ULL

struct svm_cpu {
	struct page *hsave;	/* VM_HSAVE_PA: VMRUN saves host state here */
	struct page *host_save;	/* what VMRUN does not switch: VMSAVE/VMLOAD */
	u64 host_save_pa;
	u32 next_asid;
	u64 asid_generation;
};

struct svm_vcpu {
	struct vmcb *vmcb;
	u64 vmcb_pa;
	u32 dirty;		/* clean bits l1vmm has invalidated */
	int asid_cpu;
	u64 asid_generation;
};

asmlinkage int __l1vmm_svm_vcpu_run(u64 vmcb_pa, unsigned long *regs, u64 host_save_pa,
				    struct l1vmm_spec_ctrl *spec_ctrl, unsigned long egprs,
				    u64 *l1_intercepted_cond);

/*
 * Refuse the guest states that QEMU's emulator, as L0, kills the whole L1
 * guest on (l1vmm_vmcb_invalid(), doc/testing.md): -1 when L0 is QEMU's
 * emulator (its CPUID signature "TCGTCGTCGTCG"), 0 never, 1 always.
 */
static int l0_quirks = -1;
module_param(l0_quirks, int, 0444);
MODULE_PARM_DESC(l0_quirks,
		 "refuse guest states that QEMU's emulator as L0 kills L1 on: -1 auto, 0 no, 1 yes");

static const struct l1vmm_backend_ops svm_ops;
static DEFINE_PER_CPU(struct svm_cpu, svm_cpus);
static struct page *iopm, *msrpm;
static struct l1vmm_vmcb_limits vmcb_limits;
static bool switch_spec_ctrl;	/* the host has SPEC_CTRL */
static u32 svm_features;
static u32 svm_nr_asids;

/* Intercepted by L0 without vGIF, and counted (l1vmm_l1_cond()). */
static inline void svm_clgi(struct l1vmm_vcpu_stats *st)
{
	asm volatile("clgi" ::: "memory");
	l1vmm_l1_cond(st);
}

static inline void svm_stgi(struct l1vmm_vcpu_stats *st)
{
	asm volatile("stgi" ::: "memory");
	l1vmm_l1_cond(st);
}

/* Intercepted by L0 without virtual VMLOAD/VMSAVE, and counted. */
static inline void svm_vmsave(u64 pa, struct l1vmm_vcpu_stats *st)
{
	asm volatile("vmsave %%rax" : : "a" (pa) : "memory");
	l1vmm_l1_cond(st);
}

static void set_intercept(struct vmcb_control_area *c, unsigned int bit)
{
	c->intercepts[bit / 32] |= BIT(bit % 32);
}

static void mark_dirty(struct svm_vcpu *svm, enum svm_clean_bit bit)
{
	svm->dirty |= BIT(bit);
}

static int svm_hardware_enable(void)
{
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpus);
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME)
		return -EBUSY;
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(sd->hsave));
	/* Another hypervisor may have used any ASID: flush all at first use. */
	sd->next_asid = svm_nr_asids;
	return 0;
}

static void svm_hardware_disable(void)
{
	u64 efer;

	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
}

/*
 * An ASID is valid on one CPU for one generation. A vCPU that moves to
 * another CPU, or finds the generation changed, takes the next one; when
 * they run out, the CPU starts a new generation with a full flush.
 */
static void svm_assign_asid(struct svm_vcpu *svm, struct svm_cpu *sd, int cpu)
{
	struct vmcb_control_area *c = &svm->vmcb->control;

	if (svm->asid_cpu == cpu && svm->asid_generation == sd->asid_generation)
		return;
	if (svm->asid_cpu != cpu)
		svm->dirty = CLEAN_ALL;	/* L0 may not cache a VMCB across CPUs */
	if (sd->next_asid >= svm_nr_asids) {
		sd->asid_generation++;
		sd->next_asid = 1;
		c->tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
	}
	c->asid = sd->next_asid++;
	svm->asid_cpu = cpu;
	svm->asid_generation = sd->asid_generation;
	mark_dirty(svm, CLEAN_ASID);
}

static void init_seg(struct vmcb_seg *seg, u16 attrib)
{
	seg->selector = 0;
	seg->attrib = SVM_SELECTOR_P_MASK | attrib;
	seg->limit = 0xffff;
	seg->base = 0;
}

/* The state after RESET: real mode at 0xffff0 (KVM's and the APM's). */
static void svm_reset_save_area(struct vmcb_save_area *save)
{
	u16 data = SVM_SELECTOR_S_MASK | SVM_SELECTOR_WRITE_MASK;

	memset(save, 0, sizeof(*save));
	init_seg(&save->cs, SVM_SELECTOR_S_MASK | SVM_SELECTOR_CODE_MASK |
		 SVM_SELECTOR_READ_MASK);
	save->cs.selector = RESET_CS_SELECTOR;
	save->cs.base = RESET_CS_BASE;
	init_seg(&save->ds, data);
	init_seg(&save->es, data);
	init_seg(&save->ss, data);
	init_seg(&save->fs, data);
	init_seg(&save->gs, data);
	init_seg(&save->ldtr, 2);	/* LDT */
	init_seg(&save->tr, 3);		/* busy 16-bit TSS */
	save->gdtr.limit = 0xffff;
	save->idtr.limit = 0xffff;
	save->cr0 = RESET_CR0;
	save->efer = EFER_SVME;		/* required by VMRUN, hidden from the guest */
	save->rflags = RESET_RFLAGS;
	save->rip = L1VMM_RESET_RIP;
	save->dr6 = L1VMM_DR6_RESET;
	save->dr7 = L1VMM_DR7_RESET;
	save->g_pat = RESET_PAT;
}

/*
 * What the guest may not do without l1vmm, for the host's sake or because
 * l1vmm emulates it; the whole table, with the reasons, is in
 * doc/design.md ("Intercepts"). KVM's init_vmcb() is the reference. MOV DR
 * is intercepted too, lazily (debugregs.h), and the MSR and I/O permission
 * maps intercept every MSR and port.
 */
static void svm_init_control(struct vmcb_control_area *c, u64 npt_root_pa)
{
	static const unsigned int intercepts[] = {
		INTERCEPT_INTR, INTERCEPT_NMI, INTERCEPT_SMI, INTERCEPT_INIT,
		INTERCEPT_RDPMC, INTERCEPT_CPUID, INTERCEPT_RSM, INTERCEPT_INVD,
		INTERCEPT_HLT, INTERCEPT_INVLPGA, INTERCEPT_IOIO_PROT,
		INTERCEPT_MSR_PROT, INTERCEPT_SHUTDOWN, INTERCEPT_VMRUN,
		INTERCEPT_VMMCALL, INTERCEPT_VMLOAD, INTERCEPT_VMSAVE,
		INTERCEPT_STGI, INTERCEPT_CLGI, INTERCEPT_SKINIT, INTERCEPT_WBINVD,
		INTERCEPT_MONITOR, INTERCEPT_MWAIT, INTERCEPT_MWAIT_COND,
		INTERCEPT_XSETBV, INTERCEPT_RDPRU,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(intercepts); i++)
		set_intercept(c, intercepts[i]);
	/*
	 * #DB and #AC: a guest could otherwise hold the CPU in an endless
	 * delivery loop (CVE-2015-8104, CVE-2015-5307); #MC: the host's
	 * machine check must reach the host.
	 */
	c->intercepts[INTERCEPT_EXCEPTION] = BIT(X86_TRAP_DB) | BIT(X86_TRAP_AC) |
					     BIT(X86_TRAP_MC);
	/* A spinning guest exits, where the CPU can filter PAUSE (else, as KVM, not). */
	if (svm_features & SVM_FEATURE_PAUSE_FILTER) {
		set_intercept(c, INTERCEPT_PAUSE);
		c->pause_filter_count = PAUSE_FILTER_COUNT;
		if (svm_features & SVM_FEATURE_PAUSE_THRESHOLD)
			c->pause_filter_thresh = PAUSE_FILTER_THRESHOLD;
	}
	c->iopm_base_pa = page_to_phys(iopm);
	c->msrpm_base_pa = page_to_phys(msrpm);
	c->int_ctl = V_INTR_MASKING_MASK;
	c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	c->nested_cr3 = npt_root_pa;
}

static int svm_vcpu_create(struct l1vmm_vcpu *vcpu)
{
	struct svm_vcpu *svm;
	struct page *page;

	svm = kzalloc(sizeof(*svm), GFP_KERNEL_ACCOUNT);
	if (!svm)
		return -ENOMEM;
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page) {
		kfree(svm);
		return -ENOMEM;
	}
	svm->vmcb = page_address(page);
	svm->vmcb_pa = page_to_phys(page);
	svm->asid_cpu = -1;
	svm->dirty = CLEAN_ALL;
	svm_init_control(&svm->vmcb->control, vcpu->vm->npt.root_pa);
	vcpu->backend = svm;
	return 0;
}

static void svm_set_irq_window(struct l1vmm_vcpu *vcpu, bool on);

static void svm_vcpu_reset(struct l1vmm_vcpu *vcpu)
{
	struct svm_vcpu *svm = vcpu->backend;

	svm_reset_save_area(&svm->vmcb->save);
	svm->vmcb->control.int_ctl &= ~V_TPR_MASK;
	svm->vmcb->control.int_state = 0;
	svm->vmcb->control.event_inj = 0;
	svm_set_irq_window(vcpu, false);
	svm->dirty = CLEAN_ALL;
}

static void svm_vcpu_free(struct l1vmm_vcpu *vcpu)
{
	struct svm_vcpu *svm = vcpu->backend;

	free_page((unsigned long)svm->vmcb);
	kfree(svm);
}

static void seg_to_kvm(const struct vmcb_seg *s, struct kvm_segment *k)
{
	k->base = s->base;
	k->limit = s->limit;
	k->selector = s->selector;
	k->type = s->attrib & SVM_SELECTOR_TYPE_MASK;
	k->s = !!(s->attrib & SVM_SELECTOR_S_MASK);
	k->dpl = (s->attrib & SVM_SELECTOR_DPL_MASK) >> SVM_SELECTOR_DPL_SHIFT;
	k->present = !!(s->attrib & SVM_SELECTOR_P_MASK);
	k->avl = !!(s->attrib & SVM_SELECTOR_AVL_MASK);
	k->l = !!(s->attrib & SVM_SELECTOR_L_MASK);
	k->db = !!(s->attrib & SVM_SELECTOR_DB_MASK);
	k->g = !!(s->attrib & SVM_SELECTOR_G_MASK);
	k->unusable = !k->present;
	k->padding = 0;
}

static void kvm_to_seg(const struct kvm_segment *k, struct vmcb_seg *s)
{
	s->base = k->base;
	s->limit = k->limit;
	s->selector = k->selector;
	s->attrib = 0;
	if (k->unusable)
		return;
	s->attrib = (k->type & SVM_SELECTOR_TYPE_MASK) |
		    (k->s ? SVM_SELECTOR_S_MASK : 0) |
		    ((k->dpl & 3) << SVM_SELECTOR_DPL_SHIFT) |
		    (k->present ? SVM_SELECTOR_P_MASK : 0) |
		    (k->avl ? SVM_SELECTOR_AVL_MASK : 0) |
		    (k->l ? SVM_SELECTOR_L_MASK : 0) |
		    (k->db ? SVM_SELECTOR_DB_MASK : 0) |
		    (k->g ? SVM_SELECTOR_G_MASK : 0);
}

static void svm_get_sregs(struct l1vmm_vcpu *vcpu, struct kvm_sregs *sregs)
{
	struct svm_vcpu *svm = vcpu->backend;
	struct vmcb_save_area *save = &svm->vmcb->save;

	seg_to_kvm(&save->cs, &sregs->cs);
	seg_to_kvm(&save->ds, &sregs->ds);
	seg_to_kvm(&save->es, &sregs->es);
	seg_to_kvm(&save->fs, &sregs->fs);
	seg_to_kvm(&save->gs, &sregs->gs);
	seg_to_kvm(&save->ss, &sregs->ss);
	seg_to_kvm(&save->tr, &sregs->tr);
	seg_to_kvm(&save->ldtr, &sregs->ldt);
	sregs->gdt.base = save->gdtr.base;
	sregs->gdt.limit = save->gdtr.limit;
	sregs->idt.base = save->idtr.base;
	sregs->idt.limit = save->idtr.limit;
	sregs->cr0 = save->cr0;
	sregs->cr2 = save->cr2;
	sregs->cr3 = save->cr3;
	sregs->cr4 = save->cr4;
	sregs->cr8 = svm->vmcb->control.int_ctl & V_TPR_MASK;
	sregs->efer = save->efer & ~EFER_SVME;
}

static void svm_set_sregs(struct l1vmm_vcpu *vcpu, const struct kvm_sregs *sregs)
{
	struct svm_vcpu *svm = vcpu->backend;
	struct vmcb_save_area *save = &svm->vmcb->save;
	struct vmcb_control_area *c = &svm->vmcb->control;

	kvm_to_seg(&sregs->cs, &save->cs);
	kvm_to_seg(&sregs->ds, &save->ds);
	kvm_to_seg(&sregs->es, &save->es);
	kvm_to_seg(&sregs->fs, &save->fs);
	kvm_to_seg(&sregs->gs, &save->gs);
	kvm_to_seg(&sregs->ss, &save->ss);
	kvm_to_seg(&sregs->tr, &save->tr);
	kvm_to_seg(&sregs->ldt, &save->ldtr);
	/* The CPL is SS.DPL, as KVM keeps it. */
	save->cpl = sregs->ss.dpl & 3;
	save->gdtr.base = sregs->gdt.base;
	save->gdtr.limit = sregs->gdt.limit;
	save->idtr.base = sregs->idt.base;
	save->idtr.limit = sregs->idt.limit;
	save->cr0 = sregs->cr0;
	save->cr2 = sregs->cr2;
	save->cr3 = sregs->cr3;
	save->cr4 = sregs->cr4;
	save->efer = sregs->efer | EFER_SVME;
	c->int_ctl = (c->int_ctl & ~V_TPR_MASK) | (sregs->cr8 & V_TPR_MASK);

	mark_dirty(svm, CLEAN_SEG);
	mark_dirty(svm, CLEAN_DT);
	mark_dirty(svm, CLEAN_CRX);
	mark_dirty(svm, CLEAN_CR2);
	mark_dirty(svm, CLEAN_INT_CTL);
}

/* Long mode with a 64-bit code segment. */
static bool svm_in_64bit_mode(const struct vmcb_save_area *save)
{
	return (save->efer & EFER_LMA) && (save->cs.attrib & SVM_SELECTOR_L_MASK);
}

static unsigned long svm_get_rflags(struct l1vmm_vcpu *vcpu)
{
	struct svm_vcpu *svm = vcpu->backend;

	return svm->vmcb->save.rflags;
}

static void svm_set_rflags(struct l1vmm_vcpu *vcpu, unsigned long rflags)
{
	struct svm_vcpu *svm = vcpu->backend;

	svm->vmcb->save.rflags = rflags;
}

static __always_inline int svm_get_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 *data)
{
	struct svm_vcpu *svm = vcpu->backend;
	struct vmcb_save_area *save = &svm->vmcb->save;

	switch (index) {
	case L1VMM_MSR_TSC:
		*data = rdtsc() + svm->vmcb->control.tsc_offset;
		break;
	case L1VMM_MSR_SYSENTER_CS:
		*data = save->sysenter_cs;
		break;
	case L1VMM_MSR_SYSENTER_ESP:
		*data = save->sysenter_esp;
		break;
	case L1VMM_MSR_SYSENTER_EIP:
		*data = save->sysenter_eip;
		break;
	case L1VMM_MSR_PAT:
		*data = save->g_pat;
		break;
	case L1VMM_MSR_EFER:
		*data = save->efer & ~EFER_SVME;
		break;
	case L1VMM_MSR_STAR:
		*data = save->star;
		break;
	case L1VMM_MSR_LSTAR:
		*data = save->lstar;
		break;
	case L1VMM_MSR_CSTAR:
		*data = save->cstar;
		break;
	case L1VMM_MSR_SFMASK:
		*data = save->sfmask;
		break;
	case L1VMM_MSR_KERNEL_GS_BASE:
		*data = save->kernel_gs_base;
		break;
	default:
		return 1;
	}
	return 0;
}

/*
 * The syscall, SYSENTER and KernelGsBase MSRs are VMLOAD/VMSAVE state: the
 * VMCB copy is current around every entry and is not covered by clean bits.
 */
static int svm_set_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 data)
{
	struct svm_vcpu *svm = vcpu->backend;
	struct vmcb_save_area *save = &svm->vmcb->save;

	if (!l1vmm_msr_value_valid(index, data))
		return 1;

	switch (index) {
	case L1VMM_MSR_TSC:
		svm->vmcb->control.tsc_offset = data - rdtsc();
		mark_dirty(svm, CLEAN_INTERCEPTS);
		break;
	case L1VMM_MSR_SYSENTER_CS:
		save->sysenter_cs = data;
		break;
	/* 32 bits wide on AMD CPUs, and so in KVM for AMD guests. */
	case L1VMM_MSR_SYSENTER_ESP:
		save->sysenter_esp = (u32)data;
		break;
	case L1VMM_MSR_SYSENTER_EIP:
		save->sysenter_eip = (u32)data;
		break;
	case L1VMM_MSR_PAT:
		save->g_pat = data;
		mark_dirty(svm, CLEAN_NP);
		break;
	case L1VMM_MSR_EFER:
		if (!l1vmm_efer_valid(save->efer, data, save->cr0 & X86_CR0_PG))
			return 1;
		/* LMA is the CPU's to set; SVME is required by VMRUN. */
		save->efer = (data & ~EFER_LMA) | (save->efer & EFER_LMA) | EFER_SVME;
		mark_dirty(svm, CLEAN_CRX);
		break;
	case L1VMM_MSR_STAR:
		save->star = data;
		break;
	case L1VMM_MSR_LSTAR:
		save->lstar = data;
		break;
	case L1VMM_MSR_CSTAR:
		save->cstar = data;
		break;
	case L1VMM_MSR_SFMASK:
		save->sfmask = data;
		break;
	case L1VMM_MSR_KERNEL_GS_BASE:
		save->kernel_gs_base = data;
		break;
	default:
		return 1;
	}
	return 0;
}

static void svm_get_event(struct l1vmm_vcpu *vcpu, struct l1vmm_event *ev)
{
	struct svm_vcpu *svm = vcpu->backend;
	u32 inj = svm->vmcb->control.event_inj;

	ev->valid = inj & SVM_EVTINJ_VALID;
	ev->type = (inj & SVM_EVTINJ_TYPE_MASK) >> SVM_EVTINJ_TYPE_SHIFT;
	ev->vector = inj & SVM_EVTINJ_VEC_MASK;
	ev->has_error = inj & SVM_EVTINJ_VALID_ERR;
	ev->error = svm->vmcb->control.event_inj_err;
}

static void svm_set_event(struct l1vmm_vcpu *vcpu, const struct l1vmm_event *ev)
{
	struct svm_vcpu *svm = vcpu->backend;
	struct vmcb_control_area *c = &svm->vmcb->control;

	c->event_inj = 0;
	c->event_inj_err = 0;
	if (!ev->valid)
		return;
	c->event_inj = ev->vector | (ev->type << SVM_EVTINJ_TYPE_SHIFT) | SVM_EVTINJ_VALID |
		       (ev->has_error ? SVM_EVTINJ_VALID_ERR : 0);
	c->event_inj_err = ev->error;
}

static bool svm_get_interrupt_shadow(struct l1vmm_vcpu *vcpu)
{
	struct svm_vcpu *svm = vcpu->backend;

	return svm->vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK;
}

static void svm_set_interrupt_shadow(struct l1vmm_vcpu *vcpu, bool shadow)
{
	struct svm_vcpu *svm = vcpu->backend;

	if (shadow)
		svm->vmcb->control.int_state |= SVM_INTERRUPT_SHADOW_MASK;
	else
		svm->vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
}

/*
 * The interrupt window: a virtual interrupt (V_IRQ) of the highest priority
 * that ignores the guest's TPR, with VINTR intercepted, exits as soon as the
 * guest could take an interrupt (KVM's svm_set_vintr()).
 */
static void svm_set_irq_window(struct l1vmm_vcpu *vcpu, bool on)
{
	struct svm_vcpu *svm = vcpu->backend;
	struct vmcb_control_area *c = &svm->vmcb->control;
	u32 bits = V_IRQ_MASK | V_IGN_TPR_MASK | V_INTR_PRIO_MASK;
	u32 mask = BIT(INTERCEPT_VINTR % 32);
	u32 *word = &c->intercepts[INTERCEPT_VINTR / 32];

	if (!!(*word & mask) == on)
		return;
	if (on) {
		*word |= mask;
		c->int_ctl |= bits;
		c->int_vector = 0;
	} else {
		*word &= ~mask;
		c->int_ctl &= ~bits;
	}
	mark_dirty(svm, CLEAN_INTERCEPTS);
	mark_dirty(svm, CLEAN_INT_CTL);
}

static u64 svm_get_dr6(struct l1vmm_vcpu *vcpu)
{
	struct svm_vcpu *svm = vcpu->backend;

	return svm->vmcb->save.dr6;
}

static void svm_set_dr6(struct l1vmm_vcpu *vcpu, u64 value)
{
	struct svm_vcpu *svm = vcpu->backend;

	svm->vmcb->save.dr6 = value;
	mark_dirty(svm, CLEAN_DRX);
}

static u64 svm_get_dr7(struct l1vmm_vcpu *vcpu)
{
	struct svm_vcpu *svm = vcpu->backend;

	return svm->vmcb->save.dr7;
}

static void svm_set_dr7(struct l1vmm_vcpu *vcpu, u64 value)
{
	struct svm_vcpu *svm = vcpu->backend;

	svm->vmcb->save.dr7 = value;
	mark_dirty(svm, CLEAN_DRX);
}

/* MOV from and to DR0-DR7: the whole intercept word but its reserved bits. */
static void svm_set_dr_intercepts(struct l1vmm_vcpu *vcpu, bool on)
{
	struct svm_vcpu *svm = vcpu->backend;
	u32 mask = GENMASK(INTERCEPT_DR7_READ % 32, INTERCEPT_DR0_READ % 32) |
		   GENMASK(INTERCEPT_DR7_WRITE % 32, INTERCEPT_DR0_WRITE % 32);

	svm->vmcb->control.intercepts[INTERCEPT_DR0_READ / 32] = on ? mask : 0;
	mark_dirty(svm, CLEAN_INTERCEPTS);
}

static u64 svm_get_cr8(struct l1vmm_vcpu *vcpu)
{
	struct svm_vcpu *svm = vcpu->backend;

	return svm->vmcb->control.int_ctl & V_TPR_MASK;
}

static u64 svm_get_cr4(struct l1vmm_vcpu *vcpu)
{
	struct svm_vcpu *svm = vcpu->backend;

	return svm->vmcb->save.cr4;
}

/* RIP after the @len-byte instruction that exited: the CPU says, with NRIPS. */
static __always_inline u64 svm_next_rip(const struct vmcb *vmcb, const struct l1vmm_vcpu *vcpu,
					unsigned int len)
{
	return (svm_features & SVM_FEATURE_NRIPS) ? vmcb->control.next_rip :
						     vcpu->regs[L1VMM_REG_RIP] + len;
}

/* The raw exit information, for the exits whose report carries it. */
static __always_inline void svm_exit_info(struct l1vmm_exit *e, const struct vmcb_control_area *c)
{
	e->info1 = c->exit_info_1;
	e->info2 = c->exit_info_2;
}

/* The exits the fastpath does not handle: out of its loop. */
static noinline enum l1vmm_exit_reason svm_decode_slow_exit(struct l1vmm_vcpu *vcpu,
							    struct svm_vcpu *svm, u64 code)
{
	const struct vmcb *vmcb = svm->vmcb;
	const struct vmcb_control_area *c = &vmcb->control;
	struct l1vmm_exit *e = &vcpu->exit;

	e->raw = code;
	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
		return e->reason = L1VMM_EXIT_INTR;
	case SVM_EXIT_HLT:
		e->next_rip = svm_next_rip(vmcb, vcpu, 1);
		return e->reason = L1VMM_EXIT_HLT;
	case SVM_EXIT_IOIO:
		e->io.port = c->exit_info_1 >> 16;
		e->io.in = c->exit_info_1 & SVM_IOIO_TYPE_MASK;
		e->io.string = c->exit_info_1 & SVM_IOIO_STR_MASK;
		e->io.rep = c->exit_info_1 & SVM_IOIO_REP_MASK;
		/* SZ8, SZ16, SZ32 are one-hot bits worth 1, 2 and 4. */
		e->io.size = (c->exit_info_1 & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;
		/* A16, A32, A64 are one-hot bits worth 1, 2 and 4: twice the bytes. */
		e->io.addr_size = 2 * ((c->exit_info_1 & SVM_IOIO_ASIZE_MASK) >>
				       SVM_IOIO_ASIZE_SHIFT);
		e->next_rip = c->exit_info_2;
		svm_exit_info(e, c);
		return e->reason = L1VMM_EXIT_IO;
	case SVM_EXIT_NPF:
		e->npf.error_code = c->exit_info_1;
		e->npf.gpa = c->exit_info_2;
		svm_exit_info(e, c);
		return e->reason = L1VMM_EXIT_NPF;
	case SVM_EXIT_SHUTDOWN:
		return e->reason = L1VMM_EXIT_SHUTDOWN;
	case SVM_EXIT_EXCP_BASE + X86_TRAP_DB:
	case SVM_EXIT_EXCP_BASE + X86_TRAP_AC:
	case SVM_EXIT_EXCP_BASE + X86_TRAP_MC:
		e->exception.vector = code - SVM_EXIT_EXCP_BASE;
		e->exception.error_code = c->exit_info_1;
		return e->reason = L1VMM_EXIT_EXCEPTION;
	case SVM_EXIT_RDPMC:
		e->next_rip = svm_next_rip(vmcb, vcpu, 2);		/* 0f 33 */
		return e->reason = L1VMM_EXIT_RDPMC;
	case SVM_EXIT_INVD:
	case SVM_EXIT_WBINVD:
		e->next_rip = svm_next_rip(vmcb, vcpu, 2);		/* 0f 08, 0f 09 */
		return e->reason = L1VMM_EXIT_WBINVD;
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_COND:
		e->next_rip = svm_next_rip(vmcb, vcpu, 3);		/* 0f 01 c8, 0f 01 c9 */
		return e->reason = L1VMM_EXIT_MWAIT;
	case SVM_EXIT_PAUSE:
		e->next_rip = svm_next_rip(vmcb, vcpu, 2);		/* f3 90 */
		return e->reason = L1VMM_EXIT_PAUSE;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD ... SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_RSM:
	case SVM_EXIT_RDPRU:
		return e->reason = L1VMM_EXIT_UD;
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_READ_DR0 + 7:
	case SVM_EXIT_WRITE_DR0 ... SVM_EXIT_WRITE_DR0 + 7:
		return e->reason = L1VMM_EXIT_DR_ACCESS;
	case SVM_EXIT_VINTR:
		svm_set_irq_window(vcpu, false);
		return e->reason = L1VMM_EXIT_IRQ_WINDOW;
	/* QEMU's emulator writes the low half only; KVM looks at no more. */
	case (u64)SVM_EXIT_ERR:
	case VMEXIT_INVALID:
		e->raw = VMEXIT_INVALID;
		e->fail_entry.check = NULL;	/* the CPU refused it: no check of ours */
		e->fail_entry.faulted = false;
		return e->reason = L1VMM_EXIT_FAIL_ENTRY;
	default:
		svm_exit_info(e, c);
		return e->reason = L1VMM_EXIT_UNKNOWN;
	}
}

/*
 * vcpu->exit from the VMCB; returns its reason too, so that the fastpath
 * inlined after it needs no second dispatch on it. The fastpath's own
 * exits are told apart first, with the fewest compares.
 */
static __always_inline enum l1vmm_exit_reason svm_decode_exit(struct l1vmm_vcpu *vcpu,
							      struct svm_vcpu *svm)
{
	const struct vmcb *vmcb = svm->vmcb;
	struct l1vmm_exit *e = &vcpu->exit;
	u64 code = ((u64)vmcb->control.exit_code_hi << 32) | vmcb->control.exit_code;

	switch (code) {
	case SVM_EXIT_CPUID:
		e->next_rip = svm_next_rip(vmcb, vcpu, 2);		/* 0f a2 */
		return e->reason = L1VMM_EXIT_CPUID;
	case SVM_EXIT_VMMCALL:
		e->cpl = vmcb->save.cpl;
		e->hypercall.long_mode = svm_in_64bit_mode(&vmcb->save);
		e->next_rip = svm_next_rip(vmcb, vcpu, 3);		/* 0f 01 d9 */
		return e->reason = L1VMM_EXIT_HYPERCALL;
	case SVM_EXIT_MSR:
		e->msr.write = vmcb->control.exit_info_1 & 1;
		e->next_rip = svm_next_rip(vmcb, vcpu, 2);		/* 0f 32, 0f 30 */
		return e->reason = L1VMM_EXIT_MSR;
	case SVM_EXIT_XSETBV:
		e->cpl = vmcb->save.cpl;
		e->next_rip = svm_next_rip(vmcb, vcpu, 3);		/* 0f 01 d1 */
		return e->reason = L1VMM_EXIT_XSETBV;
	default:
		return svm_decode_slow_exit(vcpu, svm, code);
	}
}

/*
 * KVM's vmcb12 checks, on the VMCB as it is about to run. l1vmm validates
 * what user space sets when it is set; this is the last line, so that a
 * state L0 would refuse is a clean KVM_EXIT_FAIL_ENTRY with the reason in
 * the kernel log, never an unexplained VMRUN failure.
 */
static noinline const char *svm_vmcb_invalid(const struct vmcb *vmcb)
{
	const struct vmcb_control_area *c = &vmcb->control;
	const struct vmcb_save_area *s = &vmcb->save;
	struct l1vmm_vmcb_view v = {
		.efer = s->efer, .cr0 = s->cr0, .cr3 = s->cr3, .cr4 = s->cr4,
		.dr6 = s->dr6, .dr7 = s->dr7,
		.cs_l = s->cs.attrib & SVM_SELECTOR_L_MASK,
		.cs_d = s->cs.attrib & SVM_SELECTOR_DB_MASK,
		.asid = c->asid,
		.intercept_vmrun = c->intercepts[INTERCEPT_VMRUN / 32] & BIT(INTERCEPT_VMRUN % 32),
		.np_enable = c->nested_ctl & SVM_NESTED_CTL_NP_ENABLE,
		.nested_cr3 = c->nested_cr3, .iopm_pa = c->iopm_base_pa,
		.msrpm_pa = c->msrpm_base_pa, .event_inj = c->event_inj,
		.cpl = s->cpl, .tr_present = s->tr.attrib & SVM_SELECTOR_P_MASK,
		.tr_type = s->tr.attrib & SVM_SELECTOR_TYPE_MASK,
	};

	return l1vmm_vmcb_invalid(&v, &vmcb_limits);
}

/*
 * The CONFIG_L1VMM_SPEC_CTRL_RESTORE_C experiment: SPEC_CTRL switched here
 * around the entry assembly instead of inside it.
 */
static void svm_spec_ctrl_in_c(const struct l1vmm_spec_ctrl *spec_ctrl, bool to_guest,
			       struct l1vmm_vcpu_stats *st)
{
	if (IS_ENABLED(CONFIG_L1VMM_SPEC_CTRL_RESTORE_C) && switch_spec_ctrl &&
	    spec_ctrl->guest != spec_ctrl->host) {
		native_wrmsrl(MSR_IA32_SPEC_CTRL, to_guest ? spec_ctrl->guest : spec_ctrl->host);
		l1vmm_l1_cond(st);	/* KVM passes SPEC_CTRL through once used */
	}
}

/* What each VMRUN of a series hands the entry assembly that stays fixed. */
struct svm_series {
	u64 host_save_pa;
	struct l1vmm_spec_ctrl *spec_ctrl;
	struct l1vmm_spec_ctrl *spec_ctrl_asm;	/* NULL: the assembly leaves it */
	struct l1vmm_vcpu_stats *st;
};

/*
 * Before the first VMRUN of a series: GIF=0 until svm_end_entries() (IF=1
 * in svm_enter() then only decides whether interrupts end the guest), and
 * the host state VMRUN does not switch saved, the host's SPEC_CTRL read.
 * Nothing changes them while IRQs stay off, so re-entries from the
 * fastpath keep them.
 */
static __always_inline void svm_begin_entries(struct svm_series *series,
					      struct l1vmm_spec_ctrl *spec_ctrl,
					      struct l1vmm_vcpu_stats *st)
{
	series->host_save_pa = this_cpu_read(svm_cpus.host_save_pa);
	series->spec_ctrl = spec_ctrl;
	series->spec_ctrl_asm = NULL;
	series->st = st;
	if (switch_spec_ctrl) {
		spec_ctrl->host = this_cpu_read(x86_spec_ctrl_current);
		if (IS_ENABLED(CONFIG_L1VMM_SPEC_CTRL_RESTORE_ASM))
			series->spec_ctrl_asm = spec_ctrl;
	}
	svm_clgi(st);
	svm_vmsave(series->host_save_pa, st);
}

static void svm_end_entries(struct l1vmm_vcpu_stats *st)
{
	svm_stgi(st);
}

/*
 * VMRUN once, between svm_begin_entries() and svm_end_entries(); @egprs:
 * see asm/svm_vmenter.S; L1 instructions L0 intercepts go to the series'
 * statistics.
 */
static __always_inline int svm_enter(const struct svm_series *series, u64 vmcb_pa,
				     unsigned long *regs, unsigned long egprs)
{
	int faulted;

	raw_local_irq_enable();
	svm_spec_ctrl_in_c(series->spec_ctrl, true, series->st);
	faulted = __l1vmm_svm_vcpu_run(vmcb_pa, regs, series->host_save_pa,
				       series->spec_ctrl_asm, egprs,
				       &series->st->l1_intercepted_cond);
	if (IS_ENABLED(CONFIG_L1VMM_SPEC_CTRL_RESTORE_C)) {
		svm_spec_ctrl_in_c(series->spec_ctrl, false, series->st);
		l1vmm_egpr_spec_ctrl_restored(egprs);
	}
	raw_local_irq_disable();
	return faulted;
}

/*
 * The VMCB areas the checks before VMRUN read (svm_vmcb_invalid()), by
 * clean bit: a re-entry checks again only when a setter marked one dirty.
 * EVENTINJ has no clean bit; the fastpath never re-enters with an event
 * it queued.
 */
#define CLEAN_CHECKED	(BIT(CLEAN_INTERCEPTS) | BIT(CLEAN_PERM_MAPS) | BIT(CLEAN_ASID) | \
			 BIT(CLEAN_NP) | BIT(CLEAN_CRX) | BIT(CLEAN_DRX) | BIT(CLEAN_SEG))

/*
 * The VMCB as the next VMRUN needs it: the registers the core changed, the
 * checks (on a re-entry only when a setter marked a checked area dirty),
 * the clean bits. False, with a FAIL_ENTRY exit, when the checks refuse.
 */
static __always_inline bool svm_vmcb_ready(struct l1vmm_vcpu *vcpu, struct svm_vcpu *svm,
					   bool first)
{
	/*
	 * On a re-entry vcpu->regs holds what the exit left and the fastpath
	 * wrote: RAX and RIP are current, and writing them beats testing.
	 * The fastpath never writes RSP.
	 */
	unsigned long dirty = first ? vcpu->regs_dirty : BIT(L1VMM_REG_RAX) | BIT(L1VMM_REG_RIP);
	struct vmcb *vmcb = svm->vmcb;
	const char *invalid;

	if (dirty & BIT(L1VMM_REG_RAX))
		vmcb->save.rax = vcpu->regs[L1VMM_REG_RAX];
	if (dirty & BIT(L1VMM_REG_RSP))
		vmcb->save.rsp = vcpu->regs[L1VMM_REG_RSP];
	if (dirty & BIT(L1VMM_REG_RIP))
		vmcb->save.rip = vcpu->regs[L1VMM_REG_RIP];
	vcpu->regs_dirty = 0;

	invalid = first || (svm->dirty & CLEAN_CHECKED) ? svm_vmcb_invalid(vmcb) : NULL;
	if (unlikely(invalid)) {
		/* Reported by the full path: no printk inside the guest context. */
		vcpu->exit.reason = L1VMM_EXIT_FAIL_ENTRY;
		vcpu->exit.raw = VMEXIT_INVALID;
		vcpu->exit.fail_entry.check = invalid;
		vcpu->exit.fail_entry.faulted = false;
		return false;
	}
	vmcb->control.clean = CLEAN_ALL & ~svm->dirty;
	svm->dirty = 0;
	return true;
}

/*
 * One VMRUN, between svm_begin_entries() and svm_end_entries(); fills
 * vcpu->exit and returns its reason.
 */
static __always_inline enum l1vmm_exit_reason svm_enter_once(struct l1vmm_vcpu *vcpu,
							     struct svm_vcpu *svm,
							     const struct svm_series *series)
{
	struct vmcb *vmcb = svm->vmcb;
	int faulted;

	l1vmm_guest_state_enter(vcpu);
	faulted = svm_enter(series, svm->vmcb_pa, vcpu->regs, vcpu->egprs);
	l1vmm_guest_state_exit(vcpu);

	vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	/*
	 * An event whose delivery the exit interrupted (EXITINTINFO) is
	 * delivered again on the next entry; anything injected was consumed.
	 */
	vmcb->control.event_inj = vmcb->control.exit_int_info & SVM_EXITINTINFO_VALID ?
				  vmcb->control.exit_int_info : 0;
	vmcb->control.event_inj_err = vmcb->control.exit_int_info_err;
	if (unlikely(faulted)) {
		vcpu->exit.raw = VMEXIT_INVALID;
		vcpu->exit.fail_entry.check = NULL;
		vcpu->exit.fail_entry.faulted = true;
		return vcpu->exit.reason = L1VMM_EXIT_FAIL_ENTRY;
	}
	vcpu->regs[L1VMM_REG_RAX] = vmcb->save.rax;
	vcpu->regs[L1VMM_REG_RSP] = vmcb->save.rsp;
	vcpu->regs[L1VMM_REG_RIP] = vmcb->save.rip;
	return svm_decode_exit(vcpu, svm);
}

/*
 * A series of entries (l1vmm_backend_ops.run): GIF=0 and the host state
 * VMRUN does not switch saved from the first VMRUN to the last, and a
 * re-entry after the fastpath skips the ASID and TLB-flush work.
 */
static enum l1vmm_fastpath svm_run(struct l1vmm_vcpu *vcpu)
{
	struct svm_vcpu *svm = vcpu->backend;
	struct vmcb *vmcb = svm->vmcb;
	struct svm_series series;
	enum l1vmm_fastpath fast;

	svm_assign_asid(svm, this_cpu_ptr(&svm_cpus), smp_processor_id());
	if (test_and_clear_bit(L1VMM_REQ_TLB_FLUSH, &vcpu->requests) &&
	    vmcb->control.tlb_ctl == TLB_CONTROL_DO_NOTHING)
		vmcb->control.tlb_ctl = (svm_features & SVM_FEATURE_FLUSH_BY_ASID) ?
					TLB_CONTROL_FLUSH_ASID : TLB_CONTROL_FLUSH_ALL_ASID;
	/* As KVM: an exception in real mode pushes no error code. */
	if (unlikely(vmcb->control.event_inj & SVM_EVTINJ_VALID_ERR) &&
	    !(vmcb->save.cr0 & X86_CR0_PE))
		vmcb->control.event_inj &= ~SVM_EVTINJ_VALID_ERR;
	if (!svm_vmcb_ready(vcpu, svm, true))
		return L1VMM_FASTPATH_NONE;

	svm_begin_entries(&series, &vcpu->spec_ctrl, &vcpu->stats);
	l1vmm_guest_context_enter();
	for (;;) {
		fast = l1vmm_fastpath(&svm_ops, vcpu, svm_enter_once(vcpu, svm, &series));
		if (fast != L1VMM_FASTPATH_REENTER)
			break;
		if (!svm_vmcb_ready(vcpu, svm, false)) {
			fast = L1VMM_FASTPATH_NONE;	/* the full path reports it */
			break;
		}
	}
	l1vmm_guest_context_exit();
	svm_end_entries(&vcpu->stats);
	return fast;
}

/*
 * Does L0 deliver an intercepted XSETBV? Run a throwaway guest without
 * nested paging, in real mode in a page of its own, that writes the host's
 * own XCR0 value (harmless if L0 lets it through) and halts: an XSETBV exit
 * says yes, a HLT exit says no. Every exception is intercepted, so the
 * guest cannot wander off; an interrupt exit just runs it again.
 */
static bool svm_probe_xsetbv_exit(void)
{
	static const u8 code[] = { 0x0f, 0x01, 0xd1, 0xf4 };	/* xsetbv; hlt */
	unsigned long regs[L1VMM_NR_REGS] = { 0 };
	struct l1vmm_spec_ctrl spec_ctrl = { 0 };
	struct l1vmm_vcpu_stats probe_stats = { 0 };
	struct svm_series series;
	struct page *vmcb_page, *code_page;
	struct vmcb *vmcb;
	u64 exit_code = SVM_EXIT_ERR;
	u64 xcr0;
	int tries;

	if (!boot_cpu_has(X86_FEATURE_OSXSAVE))
		return false;
	xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	vmcb_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	code_page = alloc_page(GFP_KERNEL | GFP_DMA32 | __GFP_ZERO);
	if (!vmcb_page || !code_page)
		goto out;
	memcpy(page_address(code_page), code, sizeof(code));

	vmcb = page_address(vmcb_page);
	svm_init_control(&vmcb->control, 0);
	vmcb->control.nested_ctl = 0;
	vmcb->control.intercepts[INTERCEPT_EXCEPTION_OFFSET / 32] = ~0u;
	vmcb->control.asid = 1;
	vmcb->control.tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
	svm_reset_save_area(&vmcb->save);
	vmcb->save.cs.selector = 0;
	vmcb->save.cs.base = page_to_phys(code_page);
	vmcb->save.rip = 0;
	vmcb->save.cr4 = X86_CR4_OSXSAVE;
	vmcb->save.rax = (u32)xcr0;
	regs[L1VMM_REG_RDX] = xcr0 >> 32;
	regs[L1VMM_REG_RCX] = XCR_XFEATURE_ENABLED_MASK;

	for (tries = 0; tries < 10; tries++) {
		int faulted;

		local_irq_disable();
		svm_begin_entries(&series, &spec_ctrl, &probe_stats);
		faulted = svm_enter(&series, page_to_phys(vmcb_page), regs, 0);
		svm_end_entries(&probe_stats);
		local_irq_enable();
		if (faulted)
			break;
		exit_code = vmcb->control.exit_code;
		if (exit_code != SVM_EXIT_INTR)
			break;
	}
	/* Guests after this one must not trust what ASID 1 has cached. */
	this_cpu_ptr(&svm_cpus)->next_asid = svm_nr_asids;
	/* If L0 let it through, XCR0 holds the value it held before. */
	if (xgetbv(XCR_XFEATURE_ENABLED_MASK) != xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, xcr0);
	if (exit_code != SVM_EXIT_XSETBV && exit_code != SVM_EXIT_HLT)
		pr_warn("XSETBV probe: unexpected exit %#llx\n", exit_code);
out:
	if (vmcb_page)
		__free_page(vmcb_page);
	if (code_page)
		__free_page(code_page);
	return exit_code == SVM_EXIT_XSETBV;
}

static const struct l1vmm_backend_ops svm_ops = {
	.name			= "svm",
	.hardware_enable	= svm_hardware_enable,
	.hardware_disable	= svm_hardware_disable,
	.vcpu_create		= svm_vcpu_create,
	.vcpu_reset		= svm_vcpu_reset,
	.vcpu_free		= svm_vcpu_free,
	.get_sregs		= svm_get_sregs,
	.set_sregs		= svm_set_sregs,
	.get_rflags		= svm_get_rflags,
	.set_rflags		= svm_set_rflags,
	.get_msr		= svm_get_msr,
	.set_msr		= svm_set_msr,
	.get_event		= svm_get_event,
	.set_event		= svm_set_event,
	.get_interrupt_shadow	= svm_get_interrupt_shadow,
	.set_interrupt_shadow	= svm_set_interrupt_shadow,
	.set_irq_window		= svm_set_irq_window,
	.get_dr6		= svm_get_dr6,
	.set_dr6		= svm_set_dr6,
	.get_dr7		= svm_get_dr7,
	.set_dr7		= svm_set_dr7,
	.set_dr_intercepts	= svm_set_dr_intercepts,
	.get_cr8		= svm_get_cr8,
	.get_cr4		= svm_get_cr4,
	.probe_xsetbv_exit	= svm_probe_xsetbv_exit,
	.run			= svm_run,
};

static void svm_free_pages(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sd = per_cpu_ptr(&svm_cpus, cpu);

		if (sd->hsave)
			__free_page(sd->hsave);
		if (sd->host_save)
			__free_page(sd->host_save);
		sd->hsave = sd->host_save = NULL;
	}
	if (iopm)
		__free_pages(iopm, IOPM_ORDER);
	if (msrpm)
		__free_pages(msrpm, MSRPM_ORDER);
	iopm = msrpm = NULL;
}

/* Allocate what SVM needs on every CPU; returns the ops, or NULL. */
const struct l1vmm_backend_ops *l1vmm_svm_init(void)
{
	int cpu;

	BUILD_BUG_ON(offsetof(struct vmcb, save) != 0x400);
	BUILD_BUG_ON(sizeof(struct vmcb) > PAGE_SIZE);
	BUILD_BUG_ON((PAGE_SIZE << IOPM_ORDER) < L1VMM_IOPM_SIZE);
	BUILD_BUG_ON((PAGE_SIZE << MSRPM_ORDER) < L1VMM_MSRPM_SIZE);

	svm_features = cpuid_edx(SVM_CPUID_FUNC);
	svm_nr_asids = cpuid_ebx(SVM_CPUID_FUNC);
	switch_spec_ctrl = l1vmm_host_has_msr(L1VMM_MSR_SPEC_CTRL);
	if (l0_quirks < 0)
		l0_quirks = boot_cpu_has(X86_FEATURE_HYPERVISOR) &&
			    hypervisor_cpuid_base("TCGTCGTCGTCG", 0);
	vmcb_limits = (struct l1vmm_vmcb_limits){
		.guest_phys_bits = l1vmm_npt_gpa_bits(),
		.host_phys_bits = boot_cpu_data.x86_phys_bits,
		.cr4_allowed = l1vmm_guest_cr4_allowed(),
		.l0_tcg_quirks = l0_quirks > 0,
	};

	iopm = alloc_pages(GFP_KERNEL, IOPM_ORDER);
	msrpm = alloc_pages(GFP_KERNEL, MSRPM_ORDER);
	if (!iopm || !msrpm)
		goto nomem;
	memset(page_address(iopm), 0xff, PAGE_SIZE << IOPM_ORDER);
	memset(page_address(msrpm), 0xff, PAGE_SIZE << MSRPM_ORDER);

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sd = per_cpu_ptr(&svm_cpus, cpu);

		sd->hsave = alloc_page(GFP_KERNEL | __GFP_ZERO);
		sd->host_save = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!sd->hsave || !sd->host_save)
			goto nomem;
		sd->host_save_pa = page_to_phys(sd->host_save);
	}
	pr_info("%u ASIDs, next-RIP %s, flush by ASID %s\n", svm_nr_asids,
		svm_features & SVM_FEATURE_NRIPS ? "yes" : "no",
		svm_features & SVM_FEATURE_FLUSH_BY_ASID ? "yes" : "no");
	return &svm_ops;

nomem:
	svm_free_pages();
	return NULL;
}

void l1vmm_svm_exit(void)
{
	svm_free_pages();
}
