/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The AMD SVM backend's own header, for its three files: setup.c (SVM on
 * and off, the VMCB's life cycle), state.c (guest state and events in the
 * VMCB) and run.c (entry, exit decode, the run loop's steps). The
 * accessors the fastpath uses are inline here, so that the run loop
 * instantiated in run.c needs no call for them.
 *
 * Layouts and exit codes come from the kernel's <asm/svm.h>.
 */
#ifndef L1VMM_SVM_SVM_H
#define L1VMM_SVM_SVM_H

#include <linux/percpu.h>
#include <asm/msr.h>
#include <asm/svm.h>

#include "l1vmm/backend.h"
#include "l1vmm/portable/msrs.h"
#include "l1vmm/svm/vmcb_check.h"
#include "l1vmm/tdp.h"
#include "l1vmm/vcpu.h"

/* CPUID 0x8000000A EDX (AMD APM, "SVM Feature Identification"). */
#define SVM_FEATURE_NRIPS		BIT(3)
#define SVM_FEATURE_FLUSH_BY_ASID	BIT(6)
#define SVM_FEATURE_PAUSE_FILTER	BIT(10)
#define SVM_FEATURE_PAUSE_THRESHOLD	BIT(12)

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

struct svm_cpu {
	struct page *hsave;	/* VM_HSAVE_PA: VMRUN saves host state here */
	struct page *host_save;	/* what VMRUN does not switch: VMSAVE/VMLOAD */
	u64 host_save_pa;
	u32 next_asid;
	u64 asid_generation;
};

/* What each VMRUN of a series hands the entry assembly that stays fixed. */
struct svm_series {
	u64 host_save_pa;
	struct l1vmm_spec_ctrl *spec_ctrl;
	struct l1vmm_spec_ctrl *spec_ctrl_asm;	/* NULL: the assembly leaves it */
	struct l1vmm_vcpu_stats *st;
};

struct svm_vcpu {
	struct vmcb *vmcb;
	u64 vmcb_pa;
	u32 dirty;		/* clean bits l1vmm has invalidated */
	u32 recheck;		/* of those, areas the checks must see again */
	int asid_cpu;
	u64 asid_generation;
	struct svm_series series;	/* the one running now (run.c) */
	/* A software event the series' first entry injected, and its RIP (event_inj.h). */
	u32 soft_inj;
	u64 soft_inj_rip;
};

DECLARE_PER_CPU(struct svm_cpu, svm_cpus);
extern u32 svm_features;
extern u32 svm_nr_asids;
extern bool svm_switch_spec_ctrl;	/* the host has SPEC_CTRL */
extern struct l1vmm_vmcb_limits svm_vmcb_limits;
extern struct l1vmm_tdp_format svm_npt_format;

asmlinkage int __l1vmm_svm_vcpu_run(u64 vmcb_pa, unsigned long *regs, u64 host_save_pa,
				    struct l1vmm_spec_ctrl *spec_ctrl, unsigned long egprs,
				    u64 *l1_intercepted_cond);

static inline struct svm_vcpu *to_svm(struct l1vmm_vcpu *vcpu)
{
	return vcpu->backend;
}

/* A setter changed a VMCB area: L0 reloads it, l1vmm's checks see it again. */
static inline void mark_dirty(struct svm_vcpu *svm, enum svm_clean_bit bit)
{
	svm->dirty |= BIT(bit);
	svm->recheck |= BIT(bit);
}

/*
 * A setter changed only fields of an area that no check before VMRUN reads
 * (svm_vmcb_invalid()), with a value the core validated: L0 reloads the
 * area, the checks need not run again (PAT, the TSC offset: a fastpath
 * WRMSR re-enters without them).
 */
static inline void mark_dirty_unchecked(struct svm_vcpu *svm, enum svm_clean_bit bit)
{
	svm->dirty |= BIT(bit);
}

/* setup.c */
int svm_hardware_enable(void);
void svm_hardware_disable(void);
int svm_vcpu_create(struct l1vmm_vcpu *vcpu);
void svm_vcpu_reset(struct l1vmm_vcpu *vcpu);
void svm_vcpu_free(struct l1vmm_vcpu *vcpu);

/* state.c */
void svm_get_sregs(struct l1vmm_vcpu *vcpu, struct kvm_sregs *sregs);
void svm_get_segment(struct l1vmm_vcpu *vcpu, int seg, struct kvm_segment *s);
void svm_set_sregs(struct l1vmm_vcpu *vcpu, const struct kvm_sregs *sregs);
void svm_set_rflags(struct l1vmm_vcpu *vcpu, unsigned long rflags);
void svm_get_event(struct l1vmm_vcpu *vcpu, struct l1vmm_event *ev);
void svm_set_event(struct l1vmm_vcpu *vcpu, const struct l1vmm_event *ev);
u8 svm_get_interrupt_shadow(struct l1vmm_vcpu *vcpu);
void svm_set_irq_window(struct l1vmm_vcpu *vcpu, bool on);
u64 svm_get_dr6(struct l1vmm_vcpu *vcpu);
void svm_set_dr6(struct l1vmm_vcpu *vcpu, u64 value);
u64 svm_get_dr7(struct l1vmm_vcpu *vcpu);
void svm_set_dr7(struct l1vmm_vcpu *vcpu, u64 value);
void svm_set_dr_intercepts(struct l1vmm_vcpu *vcpu, bool on);
void svm_set_exception_intercept(struct l1vmm_vcpu *vcpu, u8 vector, bool on);
void svm_set_iret_intercept(struct l1vmm_vcpu *vcpu, bool on);
u64 svm_get_cr8(struct l1vmm_vcpu *vcpu);
void svm_set_cr8(struct l1vmm_vcpu *vcpu, u64 cr8);
void svm_set_cr8_intercept(struct l1vmm_vcpu *vcpu, bool on);
void svm_set_cr4(struct l1vmm_vcpu *vcpu, u64 cr4);

/* run.c */
extern const struct l1vmm_backend_ops svm_ops;

/* The accessors on the fastpath's round trip, inline. */

/* Long mode with a 64-bit code segment. */
static __always_inline bool svm_in_64bit_mode(const struct vmcb_save_area *save)
{
	return (save->efer & EFER_LMA) && (save->cs.attrib & SVM_SELECTOR_L_MASK);
}

static __always_inline unsigned long svm_get_rflags(struct l1vmm_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.rflags;
}

static __always_inline u64 svm_get_cr0(struct l1vmm_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.cr0;
}

static __always_inline u64 svm_get_cr3(struct l1vmm_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.cr3;
}

static __always_inline u64 svm_get_cr4(struct l1vmm_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.cr4;
}

/* SVM has one shadow bit for both: KVM reports it as both, and so does l1vmm. */
static __always_inline void svm_set_interrupt_shadow(struct l1vmm_vcpu *vcpu, u8 mask)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;

	if (mask)
		c->int_state |= SVM_INTERRUPT_SHADOW_MASK;
	else
		c->int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
}

/* An MSR l1vmm_msr_in_backend() names: the core checked that it is one. */
static __always_inline u64 svm_get_msr(struct l1vmm_vcpu *vcpu, u32 index)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct vmcb_save_area *save = &vmcb->save;

	switch (index) {
	case L1VMM_MSR_TSC:
		return rdtsc() + vmcb->control.tsc_offset;
	case L1VMM_MSR_TSC_OFFSET:
		return vmcb->control.tsc_offset;
	case L1VMM_MSR_SYSENTER_CS:
		return save->sysenter_cs;
	case L1VMM_MSR_SYSENTER_ESP:
		return save->sysenter_esp;
	case L1VMM_MSR_SYSENTER_EIP:
		return save->sysenter_eip;
	case L1VMM_MSR_PAT:
		return save->g_pat;
	case L1VMM_MSR_EFER:
		return save->efer & ~EFER_SVME;
	case L1VMM_MSR_STAR:
		return save->star;
	case L1VMM_MSR_LSTAR:
		return save->lstar;
	case L1VMM_MSR_CSTAR:
		return save->cstar;
	case L1VMM_MSR_SFMASK:
		return save->sfmask;
	case L1VMM_MSR_FS_BASE:
		return save->fs.base;
	case L1VMM_MSR_GS_BASE:
		return save->gs.base;
	case L1VMM_MSR_KERNEL_GS_BASE:
		return save->kernel_gs_base;
	default:
		return 0;
	}
}

/*
 * The syscall, SYSENTER, FS/GS base and KernelGsBase MSRs are VMLOAD/VMSAVE state: the
 * VMCB copy is current around every entry and is not covered by clean bits.
 * The core checked @index and @data (msr_access.h). Inline: the fastpath's
 * WRMSR exit runs it.
 */
static __always_inline void svm_set_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 data)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save_area *save = &svm->vmcb->save;

	switch (index) {
	case L1VMM_MSR_TSC:
		svm->vmcb->control.tsc_offset = data - rdtsc();
		mark_dirty_unchecked(svm, CLEAN_INTERCEPTS);
		break;
	case L1VMM_MSR_TSC_OFFSET:
		svm->vmcb->control.tsc_offset = data;
		mark_dirty_unchecked(svm, CLEAN_INTERCEPTS);
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
		mark_dirty_unchecked(svm, CLEAN_NP);
		break;
	case L1VMM_MSR_EFER:
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
	case L1VMM_MSR_FS_BASE:
		save->fs.base = data;
		break;
	case L1VMM_MSR_GS_BASE:
		save->gs.base = data;
		break;
	case L1VMM_MSR_KERNEL_GS_BASE:
		save->kernel_gs_base = data;
		break;
	}
}

#endif /* L1VMM_SVM_SVM_H */
