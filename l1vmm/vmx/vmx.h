/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VMX backend's own header: its per-CPU and per-vCPU state and the
 * VMX instructions it uses, each with an exception-table fixup so that a
 * fault (VMX turned off under l1vmm) is an error, never an oops.
 *
 * Every VMREAD and VMWRITE goes through vmx_vmread()/vmx_vmwrite(), which
 * count the accesses to fields KVM as L0 does not shadow (vmcs_fields.h):
 * on a nested host each of those is an exit to L0.
 *
 * doc/design.md, "VMX", says what the backend does so far.
 */
#ifndef L1VMM_VMX_H
#define L1VMM_VMX_H

#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/types.h>
#include <asm/asm.h>

#include "l1vmm/backend.h"
#include "l1vmm/tdp.h"
#include "l1vmm/vcpu.h"
#include "l1vmm/vmx/vmcs_check.h"
#include "l1vmm/vmx/vmcs_fields.h"
#include "l1vmm/vmx/vmcs_state.h"
#include "l1vmm/vmx/vmx_ctls.h"

/* The first 32 bits of a VMXON region or a VMCS: the revision identifier. */
struct vmx_region {
	u32 revision_id;
	u32 abort;		/* a VMCS's VMX-abort indicator */
	u8 data[];
};

/*
 * One per CPU: the VMXON region, whether l1vmm did VMXON here, the VMCS
 * current here (VMPTRLD), and the vCPUs whose VMCS is active here (loaded
 * since its last VMCLEAR), which must be VMCLEARed before VMXOFF.
 */
struct vmx_cpu {
	struct vmx_region *vmxon_region;
	bool on;
	struct vmx_region *current_vmcs;
	struct list_head loaded;
};

DECLARE_PER_CPU(struct vmx_cpu, vmx_cpus);

/*
 * The guest state the VMCS holds, kept in memory (struct vmx_guest): the
 * state ops read and write this copy from any CPU, with preemption on, as
 * SVM's read and write the VMCB. It is kept in groups of fields (enum
 * vmx_state), each a bit of two masks (vmcs_sync.c):
 *   avail  the copy holds the group's current value. After an exit the
 *          groups the guest can change without one are not (VMX_ST_GUEST):
 *          each is read on first use, in the run loop or outside it, where
 *          vmx_read_state() makes the VMCS current on this CPU first (as
 *          KVM's vcpu_load() in every vCPU ioctl). RFLAGS and the
 *          interruptibility state are read when the series ends: the core
 *          reads them with IRQs off (whether a halted vCPU wakes, whether
 *          an interrupt can go in), where no VMCS can be fetched from
 *          another CPU (VMX_ST_READ_AT_END);
 *   dirty  a setter changed the group: written into the VMCS at the next
 *          entry, and only those.
 * A fastpath exit thus reads and writes only fields that KVM as L0
 * shadows (vmcs_field_list.h): no exit to L0 on a nested host.
 */
enum vmx_state {
	VMX_ST_SEG,				/* + L1VMM_VMCS_SEG_*: selector, base, limit */
	VMX_ST_SEG_AR = VMX_ST_SEG + L1VMM_VMCS_SEG_NR,	/* + L1VMM_VMCS_SEG_*: access rights */
	VMX_ST_DTABLES = VMX_ST_SEG_AR + L1VMM_VMCS_SEG_NR,	/* GDTR, IDTR */
	VMX_ST_CR0,		/* and EFER.LMA with the IA-32e mode guest control, which follow it */
	VMX_ST_CR3,
	VMX_ST_CR4,
	VMX_ST_EFER,		/* written: EFER and the entry controls */
	VMX_ST_PDPTRS,
	VMX_ST_RFLAGS,
	VMX_ST_INTR,		/* the interruptibility state */
	VMX_ST_ACTIVITY,
	VMX_ST_PENDING_DBG,
	VMX_ST_DR7,
	VMX_ST_PAT,		/* written only: every guest RDMSR and WRMSR exits */
	VMX_ST_SYSENTER,	/* written only */
	VMX_ST_TSC_OFFSET,	/* written only */
	VMX_ST_CTLS,		/* written only: processor-based controls, exception bitmap */
	VMX_ST_NR,
};

#define VMX_ST_ALL		(BIT(VMX_ST_NR) - 1)
#define VMX_ST_ALL_SEGS		((BIT(L1VMM_VMCS_SEG_NR) - 1) << VMX_ST_SEG)
#define VMX_ST_ALL_SEG_ARS	((BIT(L1VMM_VMCS_SEG_NR) - 1) << VMX_ST_SEG_AR)
/* What the guest changes without an exit: stale in the copy after one. */
#define VMX_ST_GUEST		(VMX_ST_ALL_SEGS | VMX_ST_ALL_SEG_ARS | BIT(VMX_ST_DTABLES) | \
				 BIT(VMX_ST_CR0) | BIT(VMX_ST_CR3) | BIT(VMX_ST_CR4) | \
				 BIT(VMX_ST_PDPTRS) | BIT(VMX_ST_RFLAGS) | BIT(VMX_ST_INTR) | \
				 BIT(VMX_ST_ACTIVITY) | BIT(VMX_ST_PENDING_DBG) | \
				 BIT(VMX_ST_DR7))

/* Read when a series ends, for the core's IRQs-off readers (above). */
#define VMX_ST_READ_AT_END	(BIT(VMX_ST_RFLAGS) | BIT(VMX_ST_INTR))

/*
 * Everything the backend tracks for a vCPU fits one word: the GPRs and RIP
 * (vcpu->regs_dirty), R16-R31 (vcpu->egprs's switch), and the groups here.
 */
static_assert(L1VMM_REG_RIP + 1 + L1VMM_NR_EGPRS + VMX_ST_NR <= BITS_PER_LONG);

struct vmx_guest {
	u64 cr0;		/* as the guest sees it (the read shadow) */
	u64 cr2, cr3;
	u64 cr4;		/* as the guest sees it */
	u64 efer;		/* with LMA */
	u64 dr6, dr7;
	u64 rflags;
	struct l1vmm_vmx_seg seg[L1VMM_VMCS_SEG_NR];
	u64 gdtr_base, idtr_base;
	u16 gdtr_limit, idtr_limit;
	u32 interruptibility, activity;
	u64 pending_dbg;
	u64 sysenter_cs, sysenter_esp, sysenter_eip;
	u64 pat;
	/*
	 * The PDPTEs of PAE paging the CPU saved at the last exit (with EPT it
	 * loads them from the VMCS at entry and saves them at exit);
	 * @pdptrs_saved: the guest was in PAE paging then.
	 */
	u64 pdptrs[4];
	bool pdptrs_saved;
	/* Not in the VMCS: switched around each series (run.c). */
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
	u64 tsc_offset;
	u8 tpr;			/* CR8: every MOV CR8 exits */
	/* The event to inject: the VM-entry interruption information. */
	u32 entry_intr_info, entry_error_code, entry_insn_len;
};

/* One per vCPU: its VMCS and the guest state l1vmm keeps for it. */
struct vmx_vcpu {
	struct l1vmm_vcpu *vcpu;	/* its vCPU, for vmx_vcpu_load() */
	struct vmx_region *vmcs;
	u64 vmcs_pa;
	int cpu;		/* the CPU its VMCS is active on, or -1 */
	bool launched;		/* VMLAUNCHed since the last VMCLEAR: VMRESUME */
	bool initialized;	/* the VMCS's fixed fields written */
	unsigned long avail;	/* enum vmx_state: the copy in memory is current */
	unsigned long dirty;	/* enum vmx_state: to write into the VMCS */
	struct list_head loaded_link;	/* on vmx_cpus.loaded of @cpu */
	u16 vpid;		/* 0: none */
	u64 eptp;
	/* The controls this vCPU runs with now: vmx_ctls, and dynamic bits. */
	u32 pin, proc, proc2, entry, exit;
	u32 exception_bitmap;
	u64 cr0_mask, cr4_mask;
	struct vmx_guest g;
	/* The host's state that a VM exit does not restore, per series. */
	u64 host_kernel_gs_base, host_fs_base;
	u64 host_debugctl;	/* a VM exit clears DEBUGCTL */
	u16 host_ds, host_es, host_fs, host_gs, host_ldt;
	int host_cpu;		/* whose host state the VMCS holds, or -1 */
	unsigned long host_cr3, host_cr4, host_rsp;
	bool msrs_switched;	/* the guest's STAR, LSTAR, CSTAR, SFMASK are in the CPU */
	/* The last exit, raw. */
	u32 exit_reason;
	u64 exit_qual, exit_gpa;
	u32 exit_intr_info, exit_intr_error, exit_insn_len;
	u32 idt_vectoring_info, idt_vectoring_error;
	u64 exit_rip;
	int entry_result;	/* __l1vmm_vmx_vcpu_run()'s */
	bool series_first;	/* the next entry is its series' first */
	/* From begin_entries to end_entries: IRQs off, the VMCS current here. */
	bool in_run;
	/* The vCPU's counters: VMCS accesses, VMPTRLD and VMCLEAR (exits to L0). */
	struct l1vmm_vcpu_stats *stats;
};

/* The capability MSRs as read at load, and the controls computed from them. */
extern struct l1vmm_vmcs_limits vmx_limits;
extern struct l1vmm_vmx_ctls vmx_ctls;
extern u32 vmx_revision_id;

/* VMCLEAR: the VMCS at @pa is inactive, its state in memory. 0 or -EIO. */
static inline int vmx_vmclear(u64 pa)
{
	bool fail = true;

	asm volatile("1: vmclear %[pa]\n\t"
		     "setna %[fail]\n"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [fail] "+qm"(fail)
		     : [pa] "m"(pa)
		     : "cc", "memory");
	return fail ? -EIO : 0;
}

/* VMPTRLD: the VMCS at @pa becomes this CPU's current one. 0 or -EIO. */
static inline int vmx_vmptrld(u64 pa)
{
	bool fail = true;

	asm volatile("1: vmptrld %[pa]\n\t"
		     "setna %[fail]\n"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [fail] "+qm"(fail)
		     : [pa] "m"(pa)
		     : "cc", "memory");
	return fail ? -EIO : 0;
}

/* VMREAD of @enc in the current VMCS; false when it failed or faulted. */
static inline bool __vmx_vmread(unsigned long enc, unsigned long *val)
{
	unsigned long v = 0;
	bool fail = true;

	asm volatile("1: vmread %[enc], %[val]\n\t"
		     "setna %[fail]\n"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [val] "+r"(v), [fail] "+qm"(fail)
		     : [enc] "r"(enc)
		     : "cc");
	*val = v;
	return !fail;
}

static inline bool __vmx_vmwrite(unsigned long enc, unsigned long val)
{
	bool fail = true;

	asm volatile("1: vmwrite %[val], %[enc]\n\t"
		     "setna %[fail]\n"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [fail] "+qm"(fail)
		     : [enc] "r"(enc), [val] "rm"(val)
		     : "cc");
	return !fail;
}

/*
 * The field @id of @vmx's VMCS, which must be this CPU's current one; a
 * failed VMREAD reads 0 and warns once (a bug in l1vmm: the field is in
 * the table, the VMCS loaded).
 */
static inline unsigned long vmx_vmread(struct vmx_vcpu *vmx, enum l1vmm_vmcs_field_id id)
{
	unsigned long val;

	if (l1vmm_vmread_exits(id))
		vmx->stats->l1_vmcs_unshadowed++;
	if (WARN_ON_ONCE(!__vmx_vmread(l1vmm_vmcs_fields[id].encoding, &val)))
		return 0;
	return val;
}

static inline void vmx_vmwrite(struct vmx_vcpu *vmx, enum l1vmm_vmcs_field_id id,
			       unsigned long val)
{
	if (l1vmm_vmwrite_exits(id))
		vmx->stats->l1_vmcs_unshadowed++;
	WARN_ON_ONCE(!__vmx_vmwrite(l1vmm_vmcs_fields[id].encoding, val));
}

/*
 * The longest the guest runs, in microseconds: without an exit (the
 * preemption timer), and in one series of fastpath re-entries (the
 * series' bound, backend.h), so that the host takes its interrupts, its
 * tick (4 ms at HZ=250) included, on an L0 that holds them back while L2
 * has IF=0 (Bochs). vmx_bound_tsc is it in TSC cycles.
 */
#define VMX_GUEST_BOUND_US	1000
extern u64 vmx_bound_tsc;

/* __l1vmm_vmx_vcpu_run()'s results (vmenter.S). */
#define VMX_RUN_EXITED		0	/* the guest ran, and exited */
#define VMX_RUN_VMFAIL		1	/* VMLAUNCH/VMRESUME failed: VM-instruction error */
#define VMX_RUN_FAULTED		2	/* VMLAUNCH/VMRESUME faulted: VMX is off under us */

asmlinkage int __l1vmm_vmx_vcpu_run(unsigned long *regs, unsigned long launched,
				    struct l1vmm_spec_ctrl *spec_ctrl, unsigned long egprs,
				    u64 *l1_intercepted_cond, unsigned long *host_rsp);
/* Where a VM exit lands: the VMCS's host RIP (vmenter.S). */
extern const char l1vmm_vmx_vmexit[];

/* IA32_VMX_BASIC bit 54: the exit information of INS and OUTS. */
#define VMX_BASIC_INS_OUTS		BIT_ULL(54)

extern u64 vmx_basic;
extern bool vmx_switch_spec_ctrl;
extern struct l1vmm_tdp_format vmx_ept_format;
/* The host's syscall MSRs, the same at every entry (read at load). */
extern u64 vmx_host_star, vmx_host_lstar, vmx_host_cstar, vmx_host_sfmask;

static inline struct vmx_vcpu *to_vmx(struct l1vmm_vcpu *vcpu)
{
	return vcpu->backend;
}

/* setup.c */
int vmx_hardware_enable(void);
void vmx_hardware_disable(void);
int vmx_vcpu_create(struct l1vmm_vcpu *vcpu);
void vmx_vcpu_free(struct l1vmm_vcpu *vcpu);
void vmx_vcpu_load(struct l1vmm_vcpu *vcpu);
void vmx_flush_tlb(struct l1vmm_vcpu *vcpu);
u32 vmx_preemption_timer_value(void);

/* vmcs_sync.c */
void vmx_read_state(struct vmx_vcpu *vmx, unsigned long groups);
void vmx_write_state(struct l1vmm_vcpu *vcpu, struct vmx_vcpu *vmx);

/*
 * Make @groups of the copy current, reading those that are not from the
 * VMCS (vmx_read_state() makes it current on this CPU where it is not).
 */
static __always_inline void vmx_cache(struct vmx_vcpu *vmx, unsigned long groups)
{
	groups &= ~vmx->avail;
	if (unlikely(groups))
		vmx_read_state(vmx, groups);
}

/* @groups of the copy changed: into the VMCS before the next entry. */
static __always_inline void vmx_mark_dirty(struct vmx_vcpu *vmx, unsigned long groups)
{
	vmx->dirty |= groups;
}

/* state.c */
void vmx_vcpu_reset(struct l1vmm_vcpu *vcpu);
void vmx_get_sregs(struct l1vmm_vcpu *vcpu, struct kvm_sregs *sregs);
void vmx_set_sregs(struct l1vmm_vcpu *vcpu, const struct kvm_sregs *sregs);
unsigned long vmx_get_rflags(struct l1vmm_vcpu *vcpu);
void vmx_set_rflags(struct l1vmm_vcpu *vcpu, unsigned long rflags);
u64 vmx_get_msr(struct l1vmm_vcpu *vcpu, u32 index);
void vmx_set_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 data);
void vmx_get_event(struct l1vmm_vcpu *vcpu, struct l1vmm_event *ev);
void vmx_set_event(struct l1vmm_vcpu *vcpu, const struct l1vmm_event *ev);
u8 vmx_get_interrupt_shadow(struct l1vmm_vcpu *vcpu);
void vmx_set_interrupt_shadow(struct l1vmm_vcpu *vcpu, u8 mask);
void vmx_set_irq_window(struct l1vmm_vcpu *vcpu, bool on);
u64 vmx_get_dr6(struct l1vmm_vcpu *vcpu);
void vmx_set_dr6(struct l1vmm_vcpu *vcpu, u64 value);
u64 vmx_get_dr7(struct l1vmm_vcpu *vcpu);
void vmx_set_dr7(struct l1vmm_vcpu *vcpu, u64 value);
void vmx_set_dr_intercepts(struct l1vmm_vcpu *vcpu, bool on);
void vmx_set_exception_intercept(struct l1vmm_vcpu *vcpu, u8 vector, bool on);
void vmx_set_iret_intercept(struct l1vmm_vcpu *vcpu, bool on);
void vmx_set_nmi_blocked(struct l1vmm_vcpu *vcpu, bool blocked);
u64 vmx_get_cr0(struct l1vmm_vcpu *vcpu);
u64 vmx_get_cr3(struct l1vmm_vcpu *vcpu);
u64 vmx_get_cr4(struct l1vmm_vcpu *vcpu);
void vmx_get_segment(struct l1vmm_vcpu *vcpu, int seg, struct kvm_segment *s);
u64 vmx_get_cr8(struct l1vmm_vcpu *vcpu);
void vmx_set_cr8(struct l1vmm_vcpu *vcpu, u64 cr8);
void vmx_set_cr8_intercept(struct l1vmm_vcpu *vcpu, bool on);
void vmx_set_cr4(struct l1vmm_vcpu *vcpu, u64 cr4);
/* The CR0 and CR4 the CPU runs the guest with, for the guest's @cr0 and @cr4. */
u64 vmx_hw_cr0(struct vmx_vcpu *vmx, u64 cr0);
u64 vmx_hw_cr4(struct vmx_vcpu *vmx, u64 cr4);
/* The IA-32e mode guest entry control and EFER.LMA from the guest's EFER. */
void vmx_update_lma(struct vmx_vcpu *vmx);

/* run.c */
extern const struct l1vmm_backend_ops vmx_ops;

#endif /* L1VMM_VMX_H */
