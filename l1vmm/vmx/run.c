// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMX backend's side of the run loop (l1vmm/run.h): the steps the
 * core's loop calls, instantiated here with vmx_ops so that every one is a
 * direct call or inlined, the VMLAUNCH/VMRESUME around the entry assembly
 * (vmenter.S), the exit decoded into struct l1vmm_exit, and the backend's
 * ops table. The vCPU's VMCS is current on this CPU for the whole loop
 * (vmx_vcpu_load(), before it).
 */
#define pr_fmt(fmt) "l1vmm: vmx: " fmt

#include <linux/mm.h>
#include <linux/percpu.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fsgsbase.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/trapnr.h>

#include "l1vmm/debugregs.h"
#include "l1vmm/portable/mce.h"
#include "l1vmm/portable/msrs.h"
#include "l1vmm/portable/sregs_check.h"
#include "l1vmm/run.h"
#include "l1vmm/vcpu.h"
#include "l1vmm/vmx/mitigations.h"
#include "l1vmm/vmx/vmx.h"

/* Basic exit reasons (SDM, appendix "VMX Basic Exit Reasons"). */
#define EXIT_EXCEPTION_NMI	0
#define EXIT_EXTERNAL_INTR	1
#define EXIT_TRIPLE_FAULT	2
#define EXIT_INIT		3
#define EXIT_SIPI		4
#define EXIT_INTR_WINDOW	7
#define EXIT_NMI_WINDOW		8
#define EXIT_TASK_SWITCH	9
#define EXIT_CPUID		10
#define EXIT_GETSEC		11
#define EXIT_HLT		12
#define EXIT_INVD		13
#define EXIT_RDPMC		15
#define EXIT_VMCALL		18
#define EXIT_VMCLEAR		19
#define EXIT_VMXON		27
#define EXIT_CR_ACCESS		28
#define EXIT_DR_ACCESS		29
#define EXIT_IO			30
#define EXIT_RDMSR		31
#define EXIT_WRMSR		32
#define EXIT_INVALID_STATE	33
#define EXIT_MSR_LOAD_FAIL	34
#define EXIT_MWAIT		36
#define EXIT_MONITOR		39
#define EXIT_PAUSE		40
#define EXIT_MCE_DURING_ENTRY	41
#define EXIT_EPT_VIOLATION	48
#define EXIT_EPT_MISCONFIG	49
#define EXIT_INVEPT		50
#define EXIT_PREEMPTION_TIMER	52
#define EXIT_INVVPID		53
#define EXIT_WBINVD		54
#define EXIT_XSETBV		55
#define EXIT_INVPCID		58
#define EXIT_VMFUNC		59
#define EXIT_REASON_FAILED_ENTRY	BIT(31)

/* The exit qualification of an I/O instruction. */
#define IO_SIZE_MASK		0x7
#define IO_IN			BIT(3)
#define IO_STRING		BIT(4)
#define IO_REP			BIT(5)
#define IO_PORT_SHIFT		16
/* ... of a control-register access. */
#define CR_NUM_MASK		0xf
#define CR_TYPE_SHIFT		4
#define CR_TYPE_MOV_TO		0
#define CR_TYPE_MOV_FROM	1
#define CR_GPR_SHIFT		8
/* ... of a MOV DR. */
#define DR_NUM_MASK		0x7
#define DR_MOV_FROM		BIT(4)
#define DR_GPR_SHIFT		8
/* ... of an EPT violation. */
#define EPT_Q_READ		BIT(0)
#define EPT_Q_WRITE		BIT(1)
#define EPT_Q_FETCH		BIT(2)
#define EPT_Q_PRESENT		(BIT(3) | BIT(4) | BIT(5))
#define EPT_Q_GLA_VALID		BIT(7)
#define EPT_Q_GLA_TRANSLATED	BIT(8)
/* ... of a #DB: the DR6 bits it set. */
#define DB_Q_DR6_BITS		0x600f
/* The VM-exit instruction information of INS/OUTS: the address size. */
#define INSN_INFO_ASIZE_SHIFT	7

#define GPR_MASK		0xf

/* The run loop's prepare_run: vmx_vcpu_load() made the VMCS current here. */
static __always_inline void vmx_prepare_run(struct l1vmm_vcpu *vcpu)
{
}

/* The checks of vmcs_check.c, on the copy, made current: see vmx_vmcs_invalid(). */
static const char *vmx_copy_invalid(struct l1vmm_vcpu *vcpu, struct vmx_vcpu *vmx)
{
	const struct vmx_guest *g = &vmx->g;
	struct l1vmm_vmx_guest_state gs = {
		.cr0 = g->cr0, .cr3 = g->cr3, .cr4 = g->cr4, .efer = g->efer, .dr7 = g->dr7,
		.rip = vcpu->regs[L1VMM_REG_RIP], .rflags = g->rflags,
		.gdtr_base = g->gdtr_base, .idtr_base = g->idtr_base,
		.gdtr_limit = g->gdtr_limit, .idtr_limit = g->idtr_limit,
		.interruptibility = g->interruptibility, .activity = g->activity,
		.pending_dbg = g->pending_dbg,
	};
	struct l1vmm_vmx_vcpu_addrs addrs = {
		.io_bitmap_a = vmx_vmread(vmx, L1VMM_VMCS_ID_IO_BITMAP_A),
		.io_bitmap_b = vmx_vmread(vmx, L1VMM_VMCS_ID_IO_BITMAP_B),
		.msr_bitmap = vmx_vmread(vmx, L1VMM_VMCS_ID_MSR_BITMAP),
		.eptp = vmx->eptp, .vpid = vmx->vpid,
	};
	struct l1vmm_vmx_ctls ctls = {
		.val = { vmx->pin, vmx->proc, vmx->proc2, vmx->exit, vmx->entry },
	};
	struct l1vmm_vmcs_view v = {};
	struct desc_ptr idt;
	int i;

	memcpy(gs.seg, g->seg, sizeof(gs.seg));
	l1vmm_vmx_guest_view(&ctls, &addrs, &gs, &vmx_limits, &v);
	v.entry_intr_info = g->entry_intr_info;
	v.entry_error_code = g->entry_error_code;
	v.entry_insn_len = g->entry_insn_len;
	v.host_cr0 = read_cr0();
	v.host_cr3 = __read_cr3();
	v.host_cr4 = cr4_read_shadow();
	rdmsrl(MSR_EFER, v.host_efer);
	v.host_rip = (unsigned long)l1vmm_vmx_vmexit;
	for (i = 0; i < L1VMM_VMCS_SEG_NR; i++)
		v.host_sel[i] = 0;
	v.host_sel[L1VMM_VMCS_SEG_CS] = __KERNEL_CS;
	v.host_sel[L1VMM_VMCS_SEG_SS] = __KERNEL_DS;
	v.host_sel[L1VMM_VMCS_SEG_TR] = GDT_ENTRY_TSS * 8;
	v.host_fs_base = vmx_vmread(vmx, L1VMM_VMCS_ID_HOST_FS_BASE);
	v.host_gs_base = vmx_vmread(vmx, L1VMM_VMCS_ID_HOST_GS_BASE);
	v.host_tr_base = vmx_vmread(vmx, L1VMM_VMCS_ID_HOST_TR_BASE);
	v.host_gdtr_base = vmx_vmread(vmx, L1VMM_VMCS_ID_HOST_GDTR_BASE);
	store_idt(&idt);
	v.host_idtr_base = idt.address;
	return l1vmm_vmcs_invalid(&v, &vmx_limits);
}

/*
 * The checks of vmcs_check.c, on the VMCS about to run: what the last exit
 * left stale is read first. Until stop 34 the copy's CR0, EFER and entry
 * controls were taken before that read: a guest that had turned on long
 * mode without an exit (CR0.PG is its own), then had a series end right
 * after a fastpath exit (which reads no CR0), was refused as 32-bit code
 * at a 64-bit RIP. It stopped an L2 Linux's second vCPU after its
 * trampoline (`longmode paging_on_by_itself`).
 */
static noinline const char *vmx_vmcs_invalid(struct l1vmm_vcpu *vcpu, struct vmx_vcpu *vmx)
{
	vmx_cache(vmx, VMX_ST_ALL);
	return vmx_copy_invalid(vcpu, vmx);
}

/*
 * The run loop's entry_ready: the guest state into the VMCS where it
 * changed (then checked, on the series' first entry), the registers the
 * core changed, the event to inject. False, with a FAIL_ENTRY exit, when
 * the checks refuse.
 */
static __always_inline bool vmx_entry_ready(struct l1vmm_vcpu *vcpu, bool first)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_guest *g = &vmx->g;
	/* On a re-entry the fastpath wrote RIP, and maybe RAX (in regs[]). */
	unsigned long dirty = first ? vcpu->regs_dirty : BIT(L1VMM_REG_RIP);
	const char *invalid = NULL;
	bool checked = false;

	/* As KVM: an exception in real mode pushes no error code. */
	if (first && unlikely(g->entry_intr_info & L1VMM_INTR_INFO_DELIVER_CODE)) {
		vmx_cache(vmx, BIT(VMX_ST_CR0));
		if (!(g->cr0 & X86_CR0_PE))
			g->entry_intr_info &= ~L1VMM_INTR_INFO_DELIVER_CODE;
	}
	if (unlikely(vmx->dirty)) {
		vmx_write_state(vcpu, vmx);
		checked = first;
	}
	if (dirty & BIT(L1VMM_REG_RSP))
		vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_RSP, vcpu->regs[L1VMM_REG_RSP]);
	if (dirty & BIT(L1VMM_REG_RIP))
		vmx_vmwrite(vmx, L1VMM_VMCS_ID_GUEST_RIP, vcpu->regs[L1VMM_REG_RIP]);
	vcpu->regs_dirty = 0;
	if (unlikely(checked))
		invalid = vmx_vmcs_invalid(vcpu, vmx);
	if (unlikely(invalid)) {
		/* Reported by the full path: no printk inside the guest context. */
		vcpu->exit.reason = L1VMM_EXIT_FAIL_ENTRY;
		vcpu->exit.raw = EXIT_REASON_FAILED_ENTRY | EXIT_INVALID_STATE;
		vcpu->exit.fail_entry.check = invalid;
		vcpu->exit.fail_entry.faulted = false;
		vmx->dirty = VMX_ST_ALL;	/* checked again next time */
		return false;
	}
	if (g->entry_intr_info & L1VMM_INTR_INFO_VALID) {
		vmx_vmwrite(vmx, L1VMM_VMCS_ID_VM_ENTRY_INTR_INFO_FIELD, g->entry_intr_info);
		vmx_vmwrite(vmx, L1VMM_VMCS_ID_VM_ENTRY_EXCEPTION_ERROR_CODE, g->entry_error_code);
		vmx_vmwrite(vmx, L1VMM_VMCS_ID_VM_ENTRY_INSTRUCTION_LEN, g->entry_insn_len);
	}
	return true;
}

/*
 * The run loop's begin_entries: the host state a VM exit does not give
 * back, or that changed since the VMCS was written (CR3, CR4, FS and GS),
 * and the guest's MSRs the VMCS does not switch (KERNEL_GS_BASE always,
 * the syscall MSRs where the guest's differ from the host's); KVM's
 * vmx_prepare_switch_to_guest(). Nothing changes them while IRQs stay off,
 * so re-entries from the fastpath keep them.
 */
static __always_inline void vmx_begin_entries(struct l1vmm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct l1vmm_vcpu_stats *st = &vcpu->stats;
	const struct vmx_guest *g = &vmx->g;
	unsigned long cr3 = __read_cr3(), cr4 = cr4_read_shadow();
	u16 ldt;

	vcpu->series_end = rdtsc() + vmx_bound_tsc;
	if (unlikely(cr3 != vmx->host_cr3)) {
		vmx_vmwrite(vmx, L1VMM_VMCS_ID_HOST_CR3, cr3);
		vmx->host_cr3 = cr3;
	}
	if (unlikely(cr4 != vmx->host_cr4)) {
		vmx_vmwrite(vmx, L1VMM_VMCS_ID_HOST_CR4, cr4);
		vmx->host_cr4 = cr4;
	}
	current_save_fsgs();
	savesegment(ds, vmx->host_ds);
	savesegment(es, vmx->host_es);
	vmx->host_fs = current->thread.fsindex;
	vmx->host_gs = current->thread.gsindex;
	vmx->host_fs_base = current->thread.fsbase;
	vmx->host_kernel_gs_base = current->thread.gsbase;
	/* A selector with RPL or TI cannot be the VMCS's: reloaded after. */
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_HOST_FS_SELECTOR, vmx->host_fs & 7 ? 0 : vmx->host_fs);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_HOST_GS_SELECTOR, vmx->host_gs & 7 ? 0 : vmx->host_gs);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_HOST_FS_BASE, vmx->host_fs_base);
	vmx_vmwrite(vmx, L1VMM_VMCS_ID_HOST_GS_BASE, cpu_kernelmode_gs_base(smp_processor_id()));
	asm volatile("sldt %0" : "=g"(ldt));
	vmx->host_ldt = ldt;

	wrmsrl(MSR_KERNEL_GS_BASE, g->kernel_gs_base);
	l1vmm_l1_always(st);
	vmx->msrs_switched = g->star != vmx_host_star || g->lstar != vmx_host_lstar ||
			     g->cstar != vmx_host_cstar || g->sfmask != vmx_host_sfmask;
	if (unlikely(vmx->msrs_switched)) {
		wrmsrl(MSR_STAR, g->star);
		wrmsrl(MSR_LSTAR, g->lstar);
		wrmsrl(MSR_CSTAR, g->cstar);
		wrmsrl(MSR_SYSCALL_MASK, g->sfmask);
	}
	/* With MOV DR exits off the guest uses the CPU's DR6. */
	if (!(vmx->proc & L1VMM_PROC_MOV_DR_EXITING))
		set_debugreg(g->dr6, 6);
	if (vmx_switch_spec_ctrl)
		vcpu->spec_ctrl.host = this_cpu_read(x86_spec_ctrl_current);
	/*
	 * Read with IRQs off: perf may change it (LBR) until then. KVM 6.1
	 * reads it at vcpu_load, later ones here.
	 */
	vmx->host_debugctl = get_debugctlmsr();
	l1vmm_l1_always(st);
	vmx->series_first = true;
	vmx->in_run = true;
}

/* The run loop's end_entries: the host's state back (KVM's vmx_prepare_switch_to_host()). */
static __always_inline void vmx_end_entries(struct l1vmm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_guest *g = &vmx->g;

	/* The rest is read on first use, the VMCS made current then (vmx.h). */
	vmx_cache(vmx, VMX_ST_READ_AT_END);
	vmx->in_run = false;
	if (!(vmx->proc & L1VMM_PROC_MOV_DR_EXITING)) {
		get_debugreg(g->dr6, 6);
		set_debugreg(DR6_RESERVED, 6);
	}
	if (unlikely(vmx->msrs_switched)) {
		wrmsrl(MSR_STAR, vmx_host_star);
		wrmsrl(MSR_LSTAR, vmx_host_lstar);
		wrmsrl(MSR_CSTAR, vmx_host_cstar);
		wrmsrl(MSR_SYSCALL_MASK, vmx_host_sfmask);
	}
	if (vmx->host_ds)
		loadsegment(ds, vmx->host_ds);
	if (vmx->host_es)
		loadsegment(es, vmx->host_es);
	if (unlikely(vmx->host_ldt || (vmx->host_gs & 7))) {
		asm volatile("lldt %0" : : "rm"(vmx->host_ldt));
		load_gs_index(vmx->host_gs);
	}
	if (unlikely(vmx->host_fs & 7))
		loadsegment(fs, vmx->host_fs);
	invalidate_tss_limit();
	/* The guest's SWAPGS may have changed it. */
	rdmsrl(MSR_KERNEL_GS_BASE, g->kernel_gs_base);
	wrmsrl(MSR_KERNEL_GS_BASE, vmx->host_kernel_gs_base);
	/* A VM exit leaves the GDT limit at 0xffff. */
	load_fixmap_gdt(raw_smp_processor_id());
}

/*
 * The CONFIG_L1VMM_SPEC_CTRL_RESTORE_C experiment: SPEC_CTRL switched here
 * around the entry assembly instead of inside it.
 */
static __always_inline void vmx_spec_ctrl_in_c(const struct l1vmm_spec_ctrl *spec_ctrl,
					       bool to_guest, struct l1vmm_vcpu_stats *st)
{
	if (IS_ENABLED(CONFIG_L1VMM_SPEC_CTRL_RESTORE_C) && vmx_switch_spec_ctrl &&
	    spec_ctrl->guest != spec_ctrl->host) {
		native_wrmsrl(MSR_IA32_SPEC_CTRL, to_guest ? spec_ctrl->guest : spec_ctrl->host);
		l1vmm_l1_cond(st);
	}
}

/*
 * The run loop's enter_once: one VMLAUNCH or VMRESUME. The guest's CR2,
 * which the VMCS does not hold, goes into the CPU around it.
 *
 * The preemption timer bounds how long the guest runs, on any L0: Bochs
 * delivers no external-interrupt exit while L2 has IF=0, so without it a
 * guest spinning there would hold the CPU with the host's interrupts off
 * for good; its exit ends the series (L1VMM_EXIT_INTR). Where the exit
 * saves the timer's value it is written once per series and counts the
 * guest's time across it. It does not count l1vmm's: a series of
 * fastpath exits is bounded by the TSC (vmx_begin_entries(), fastpath.h).
 * The event to inject was consumed if the guest ran.
 */
static __always_inline bool vmx_enter_once(struct l1vmm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_guest *g = &vmx->g;
	struct l1vmm_spec_ctrl *spec_ctrl = NULL;
	u32 timer = vmx_preemption_timer_value();

	if (timer && (vmx->series_first || !(vmx->exit & L1VMM_EXIT_SAVE_PREEMPTION_TIMER)))
		vmx_vmwrite(vmx, L1VMM_VMCS_ID_VMX_PREEMPTION_TIMER_VALUE, timer);
	if (vmx_switch_spec_ctrl && IS_ENABLED(CONFIG_L1VMM_SPEC_CTRL_RESTORE_ASM))
		spec_ctrl = &vcpu->spec_ctrl;
	if (g->cr2 != native_read_cr2())
		native_write_cr2(g->cr2);
	vmx_entry_mitigations(vcpu, vmx->series_first);
	vmx->series_first = false;
	vmx_spec_ctrl_in_c(&vcpu->spec_ctrl, true, &vcpu->stats);
	vmx->entry_result = __l1vmm_vmx_vcpu_run(vcpu->regs, vmx->launched, spec_ctrl,
						 vcpu->egprs,
						 &vcpu->stats.l1_intercepted_cond,
						 &vmx->host_rsp);
	if (IS_ENABLED(CONFIG_L1VMM_SPEC_CTRL_RESTORE_C)) {
		vmx_spec_ctrl_in_c(&vcpu->spec_ctrl, false, &vcpu->stats);
		l1vmm_egpr_spec_ctrl_restored(vcpu->egprs);
	}
	/* A VM exit clears DEBUGCTL: the host's back (perf's LBR, BTF), as KVM. */
	if (unlikely(vmx->host_debugctl))
		update_debugctlmsr(vmx->host_debugctl);
	if (vmx->entry_result == VMX_RUN_EXITED)
		g->cr2 = native_read_cr2();
	return vmx->entry_result == VMX_RUN_FAULTED;
}

/* RIP after the instruction that exited: the CPU gives its length. */
static __always_inline u64 vmx_next_rip(struct l1vmm_vcpu *vcpu, struct vmx_vcpu *vmx)
{
	return vcpu->regs[L1VMM_REG_RIP] + vmx->exit_insn_len;
}

/* The CPL: SS.DPL, whose access rights KVM as L0 shadows. */
static __always_inline u8 vmx_cpl(struct vmx_vcpu *vmx)
{
	vmx_cache(vmx, BIT(VMX_ST_SEG_AR + L1VMM_VMCS_SEG_SS));
	return vmx->g.seg[L1VMM_VMCS_SEG_SS].dpl;
}

/* 64-bit mode: EFER.LMA (with CR0, shadowed) and CS.L (shadowed). */
static __always_inline bool vmx_long_mode(struct vmx_vcpu *vmx)
{
	vmx_cache(vmx, BIT(VMX_ST_CR0) | BIT(VMX_ST_SEG_AR + L1VMM_VMCS_SEG_CS));
	return (vmx->g.efer & EFER_LMA) && vmx->g.seg[L1VMM_VMCS_SEG_CS].l;
}

/*
 * MOV to or from CR0, CR4 (the bits l1vmm owns, vmx_vcpu_create() and
 * vmx_init_vmcs()) and CR8, handled here: the read shadows and the TPR are
 * l1vmm's. A CR4 value KVM's kvm_set_cr4() refuses (a bit l1vmm does not
 * offer, VMXE among them, or one the guest's CPUID withholds; the long-mode
 * rules) is a #GP, as in KVM. Returns whether it was handled (then the
 * guest goes on after the instruction).
 */
static noinline bool vmx_handle_cr(struct l1vmm_vcpu *vcpu, struct vmx_vcpu *vmx)
{
	struct vmx_guest *g = &vmx->g;
	unsigned int cr = vmx->exit_qual & CR_NUM_MASK;
	unsigned int gpr = (vmx->exit_qual >> CR_GPR_SHIFT) & GPR_MASK;
	unsigned int type = (vmx->exit_qual >> CR_TYPE_SHIFT) & 3;
	unsigned long val = vcpu->regs[gpr];

	/* The PDPTEs too: whether the exit saved them goes by the old mode. */
	vmx_cache(vmx, BIT(VMX_ST_CR0) | BIT(VMX_ST_CR4) | BIT(VMX_ST_PDPTRS));
	if (type == CR_TYPE_MOV_FROM && cr == 8) {
		vcpu->regs[gpr] = g->tpr;
		vcpu->regs_dirty |= BIT(gpr);
	} else if (type != CR_TYPE_MOV_TO) {
		return false;
	} else if (cr == 0) {
		bool lme = g->efer & EFER_LME;

		if (lme && (val & X86_CR0_PG) != (g->cr0 & X86_CR0_PG)) {
			g->efer = (val & X86_CR0_PG) ? g->efer | EFER_LMA : g->efer & ~EFER_LMA;
			vmx_update_lma(vmx);
		}
		g->cr0 = (u32)val;
		vmx_mark_dirty(vmx, BIT(VMX_ST_CR0) | BIT(VMX_ST_EFER));
	} else if (cr == 4) {
		if (!vmx_long_mode(vmx))
			val = (u32)val;
		vmx_cache(vmx, BIT(VMX_ST_CR3));
		if (l1vmm_cr4_write_fault(g->cr4, val, g->efer, g->cr3,
					  l1vmm_vcpu_cr4_allowed(vcpu))) {
			g->entry_intr_info = X86_TRAP_GP | L1VMM_INTR_TYPE_HARD_EXCEPTION |
					     L1VMM_INTR_INFO_DELIVER_CODE | L1VMM_INTR_INFO_VALID;
			g->entry_error_code = 0;
			return true;	/* RIP stays on the instruction */
		}
		/* As the CPU's MOV to CR4 may, and KVM's kvm_post_set_cr4(). */
		if (val != g->cr4)
			set_bit(L1VMM_REQ_TLB_FLUSH, &vcpu->requests);
		g->cr4 = val;
		vmx_mark_dirty(vmx, BIT(VMX_ST_CR4));
	} else if (cr == 8) {
		g->tpr = val & 0xf;
	} else {
		return false;
	}
	vcpu->regs[L1VMM_REG_RIP] = vmx_next_rip(vcpu, vmx);
	vcpu->regs_dirty |= BIT(L1VMM_REG_RIP);
	return true;
}

static __always_inline void vmx_exit_info(struct l1vmm_exit *e, const struct vmx_vcpu *vmx)
{
	e->info1 = vmx->exit_qual;
	e->info2 = vmx->exit_gpa;
}

/* An exception or NMI exit: the host's NMI to its handler, exceptions to the core. */
static noinline enum l1vmm_exit_reason vmx_decode_exception(struct l1vmm_vcpu *vcpu,
							    struct vmx_vcpu *vmx)
{
	struct l1vmm_exit *e = &vcpu->exit;
	u32 info = vmx->exit_intr_info;

	if ((info & L1VMM_INTR_INFO_TYPE_MASK) == L1VMM_INTR_TYPE_NMI) {
		/* The host's NMI, taken from under the guest: to its handler, as KVM did. */
		asm volatile("int $2");
		return e->reason = L1VMM_EXIT_INTR;
	}
	e->exception.vector = info & L1VMM_INTR_INFO_VECTOR_MASK;
	e->exception.error_code = (info & L1VMM_INTR_INFO_DELIVER_CODE) ?
				  vmx->exit_intr_error : 0;
	/* The DR6 bits of a #DB are in the qualification, not in DR6. */
	if (e->exception.vector == X86_TRAP_DB)
		vmx->g.dr6 = L1VMM_DR6_RESET | (vmx->exit_qual & DB_Q_DR6_BITS);
	vmx_exit_info(e, vmx);
	return e->reason = L1VMM_EXIT_EXCEPTION;
}

/* The exits the fastpath does not handle: out of its loop. */
static noinline enum l1vmm_exit_reason vmx_decode_slow_exit(struct l1vmm_vcpu *vcpu,
							    struct vmx_vcpu *vmx, u32 reason)
{
	struct l1vmm_exit *e = &vcpu->exit;
	u64 q = vmx->exit_qual;

	e->raw = reason;
	if (unlikely(reason & EXIT_REASON_FAILED_ENTRY)) {
		/* As KVM: the whole exit reason, bit 31 set. */
		e->fail_entry.check = NULL;
		e->fail_entry.faulted = false;
		return e->reason = L1VMM_EXIT_FAIL_ENTRY;
	}
	switch (reason) {
	case EXIT_EXCEPTION_NMI:
		return vmx_decode_exception(vcpu, vmx);
	case EXIT_EXTERNAL_INTR:
	case EXIT_PREEMPTION_TIMER:
	case EXIT_INIT:
	case EXIT_SIPI:
		return e->reason = L1VMM_EXIT_INTR;
	case EXIT_HLT:
		e->next_rip = vmx_next_rip(vcpu, vmx);
		return e->reason = L1VMM_EXIT_HLT;
	case EXIT_IO:
		e->io.port = q >> IO_PORT_SHIFT;
		e->io.in = q & IO_IN;
		e->io.string = q & IO_STRING;
		e->io.rep = q & IO_REP;
		e->io.size = (q & IO_SIZE_MASK) + 1;
		e->io.addr_size = 0;
		if (e->io.string && (vmx_basic & VMX_BASIC_INS_OUTS))
			e->io.addr_size = 2 << ((vmx_vmread(vmx, L1VMM_VMCS_ID_VMX_INSTRUCTION_INFO) >>
						INSN_INFO_ASIZE_SHIFT) & 7);
		e->next_rip = vmx_next_rip(vcpu, vmx);
		vmx_exit_info(e, vmx);
		return e->reason = L1VMM_EXIT_IO;
	case EXIT_EPT_VIOLATION:
		e->npf.gpa = vmx->exit_gpa;
		e->npf.present = q & EPT_Q_PRESENT;
		e->npf.write = q & EPT_Q_WRITE;
		e->npf.fetch = q & EPT_Q_FETCH;
		e->npf.in_walk = (q & EPT_Q_GLA_VALID) && !(q & EPT_Q_GLA_TRANSLATED);
		vmx_exit_info(e, vmx);
		return e->reason = L1VMM_EXIT_NPF;
	case EXIT_TRIPLE_FAULT:
		return e->reason = L1VMM_EXIT_SHUTDOWN;
	case EXIT_CR_ACCESS:
		if (vmx_handle_cr(vcpu, vmx))
			return e->reason = L1VMM_EXIT_INTR;	/* handled: enter again */
		vmx_exit_info(e, vmx);
		return e->reason = L1VMM_EXIT_UNKNOWN;
	case EXIT_RDPMC:
		e->next_rip = vmx_next_rip(vcpu, vmx);
		return e->reason = L1VMM_EXIT_RDPMC;
	case EXIT_INVD:
	case EXIT_WBINVD:
		e->next_rip = vmx_next_rip(vcpu, vmx);
		return e->reason = L1VMM_EXIT_WBINVD;
	case EXIT_MWAIT:
	case EXIT_MONITOR:
		e->next_rip = vmx_next_rip(vcpu, vmx);
		return e->reason = L1VMM_EXIT_MWAIT;
	case EXIT_PAUSE:
		e->next_rip = vmx_next_rip(vcpu, vmx);
		return e->reason = L1VMM_EXIT_PAUSE;
	case EXIT_GETSEC:
	case EXIT_VMCLEAR ... EXIT_VMXON:
	case EXIT_INVEPT:
	case EXIT_INVVPID:
	case EXIT_INVPCID:
	case EXIT_VMFUNC:
		return e->reason = L1VMM_EXIT_UD;
	case EXIT_DR_ACCESS:
		e->dr.index = q & DR_NUM_MASK;
		e->dr.write = !(q & DR_MOV_FROM);
		vmx_exit_info(e, vmx);
		return e->reason = L1VMM_EXIT_DR_ACCESS;
	case EXIT_NMI_WINDOW:
		return e->reason = L1VMM_EXIT_NMI_WINDOW;
	case EXIT_INTR_WINDOW:
		vmx_set_irq_window(vcpu, false);
		return e->reason = L1VMM_EXIT_IRQ_WINDOW;
	default:
		vmx_exit_info(e, vmx);
		return e->reason = L1VMM_EXIT_UNKNOWN;
	}
}

/*
 * vcpu->exit from the VMCS's exit information; returns its reason too,
 * so that the fastpath inlined after it needs no second dispatch on it.
 */
static __always_inline enum l1vmm_exit_reason vmx_decode_exit(struct l1vmm_vcpu *vcpu,
							      struct vmx_vcpu *vmx)
{
	struct l1vmm_exit *e = &vcpu->exit;

	switch (vmx->exit_reason) {
	case EXIT_CPUID:
		e->next_rip = vmx_next_rip(vcpu, vmx);
		return e->reason = L1VMM_EXIT_CPUID;
	case EXIT_VMCALL:
		e->cpl = vmx_cpl(vmx);
		e->hypercall.long_mode = vmx_long_mode(vmx);
		e->next_rip = vmx_next_rip(vcpu, vmx);
		return e->reason = L1VMM_EXIT_HYPERCALL;
	case EXIT_RDMSR:
	case EXIT_WRMSR:
		e->msr.write = vmx->exit_reason == EXIT_WRMSR;
		e->next_rip = vmx_next_rip(vcpu, vmx);
		return e->reason = L1VMM_EXIT_MSR;
	case EXIT_XSETBV:
		e->cpl = vmx_cpl(vmx);
		e->next_rip = vmx_next_rip(vcpu, vmx);
		return e->reason = L1VMM_EXIT_XSETBV;
	default:
		return vmx_decode_slow_exit(vcpu, vmx, vmx->exit_reason);
	}
}

/*
 * The run loop's decode_exit: a failed entry, or the exit's information,
 * RSP and RIP into vcpu->regs, the guest state into the copy in memory,
 * and the event whose delivery the exit interrupted (IDT-vectoring
 * information) queued again, with the instruction length a software
 * event needs; then the exit.
 */
static __always_inline enum l1vmm_exit_reason vmx_decode_run_exit(struct l1vmm_vcpu *vcpu,
								  bool faulted)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_guest *g = &vmx->g;
	struct l1vmm_exit *e = &vcpu->exit;
	u32 idt;

	if (unlikely(vmx->entry_result != VMX_RUN_EXITED)) {
		/* As KVM: a VMfail reports the VM-instruction error. */
		e->raw = faulted ? 0 : vmx_vmread(vmx, L1VMM_VMCS_ID_VM_INSTRUCTION_ERROR);
		e->fail_entry.check = NULL;
		e->fail_entry.faulted = faulted;
		vmx->exit_reason = 0;
		return e->reason = L1VMM_EXIT_FAIL_ENTRY;
	}
	vmx->exit_reason = vmx_vmread(vmx, L1VMM_VMCS_ID_VM_EXIT_REASON);
	vmx->exit_qual = vmx_vmread(vmx, L1VMM_VMCS_ID_EXIT_QUALIFICATION);
	vmx->exit_insn_len = vmx_vmread(vmx, L1VMM_VMCS_ID_VM_EXIT_INSTRUCTION_LEN);
	vmx->exit_intr_info = vmx_vmread(vmx, L1VMM_VMCS_ID_VM_EXIT_INTR_INFO);
	if (vmx->exit_intr_info & L1VMM_INTR_INFO_DELIVER_CODE)
		vmx->exit_intr_error = vmx_vmread(vmx, L1VMM_VMCS_ID_VM_EXIT_INTR_ERROR_CODE);
	vmx->exit_gpa = vmx->exit_reason == EXIT_EPT_VIOLATION ?
			vmx_vmread(vmx, L1VMM_VMCS_ID_GUEST_PHYSICAL_ADDRESS) : 0;
	idt = vmx_vmread(vmx, L1VMM_VMCS_ID_IDT_VECTORING_INFO_FIELD);
	vmx->idt_vectoring_info = idt;
	if (!(vmx->exit_reason & EXIT_REASON_FAILED_ENTRY))
		vmx->launched = true;
	vcpu->regs[L1VMM_REG_RSP] = vmx_vmread(vmx, L1VMM_VMCS_ID_GUEST_RSP);
	vcpu->regs[L1VMM_REG_RIP] = vmx_vmread(vmx, L1VMM_VMCS_ID_GUEST_RIP);
	vmx->exit_rip = vcpu->regs[L1VMM_REG_RIP];
	/* Read on first use (vmx_cache()). */
	vmx->avail &= ~VMX_ST_GUEST;

	g->entry_intr_info = 0;
	if (unlikely(idt & L1VMM_INTR_INFO_VALID)) {
		g->entry_intr_info = idt & (L1VMM_INTR_INFO_VALID | L1VMM_INTR_INFO_TYPE_MASK |
					    L1VMM_INTR_INFO_DELIVER_CODE |
					    L1VMM_INTR_INFO_VECTOR_MASK);
		if (idt & L1VMM_INTR_INFO_DELIVER_CODE) {
			vmx->idt_vectoring_error =
				vmx_vmread(vmx, L1VMM_VMCS_ID_IDT_VECTORING_ERROR_CODE);
			g->entry_error_code = vmx->idt_vectoring_error;
		}
		g->entry_insn_len = vmx->exit_insn_len;
	}
	return vmx_decode_exit(vcpu, vmx);
}

/*
 * The ops' get_exit_info, for the l1vmm_exit tracepoint: the last exit as
 * the VMCS reported it, and the guest's RIP there. An entry that did not
 * run left no exit: the reason with bit 31 (a failed entry).
 */
static void vmx_get_exit_info(struct l1vmm_vcpu *vcpu, struct l1vmm_exit_info *info)
{
	const struct vmx_vcpu *vmx = to_vmx(vcpu);
	const struct l1vmm_exit *e = &vcpu->exit;

	memset(info, 0, sizeof(*info));
	info->isa = L1VMM_BACKEND_VMX;
	info->rip = vmx->exit_rip;
	if (e->reason == L1VMM_EXIT_FAIL_ENTRY && (e->fail_entry.check || e->fail_entry.faulted ||
						   vmx->entry_result != VMX_RUN_EXITED)) {
		info->code = EXIT_REASON_FAILED_ENTRY;
		return;
	}
	info->code = vmx->exit_reason;
	info->info1 = vmx->exit_qual;
	info->info2 = vmx->exit_gpa;
	info->intr_info = vmx->idt_vectoring_info;
	info->error_code = vmx->idt_vectoring_error;
}

/* The core's run loop with vmx_ops: every step above a direct call. */
static noinline enum l1vmm_fastpath vmx_run(struct l1vmm_vcpu *vcpu)
{
	return l1vmm_run_loop(&vmx_ops, vcpu);
}

const struct l1vmm_backend_ops vmx_ops = {
	.name			= "vmx",
	.tdp			= &vmx_ept_format,
	.hardware_enable	= vmx_hardware_enable,
	.hardware_disable	= vmx_hardware_disable,
	.vcpu_create		= vmx_vcpu_create,
	.vcpu_load		= vmx_vcpu_load,
	.vcpu_reset		= vmx_vcpu_reset,
	.vcpu_free		= vmx_vcpu_free,
	.get_sregs		= vmx_get_sregs,
	.set_sregs		= vmx_set_sregs,
	.get_rflags		= vmx_get_rflags,
	.set_rflags		= vmx_set_rflags,
	.get_msr		= vmx_get_msr,
	.set_msr		= vmx_set_msr,
	.get_event		= vmx_get_event,
	.set_event		= vmx_set_event,
	.get_interrupt_shadow	= vmx_get_interrupt_shadow,
	.set_interrupt_shadow	= vmx_set_interrupt_shadow,
	.set_irq_window		= vmx_set_irq_window,
	.get_dr6		= vmx_get_dr6,
	.set_dr6		= vmx_set_dr6,
	.get_dr7		= vmx_get_dr7,
	.set_dr7		= vmx_set_dr7,
	.set_dr_intercepts	= vmx_set_dr_intercepts,
	.set_exception_intercept = vmx_set_exception_intercept,
	.set_iret_intercept	= vmx_set_iret_intercept,
	.nmi_window_exits	= true,
	.mcg_cap_keep		= L1VMM_MCG_CAP_KEEP_INTEL,
	.debugctl_ignored	= L1VMM_DEBUGCTL_IGNORED_INTEL,
	.bounded_series		= true,
	.feature_msrs		= &l1vmm_feature_msrs_intel,
	.set_nmi_blocked	= vmx_set_nmi_blocked,
	.get_cr0		= vmx_get_cr0,
	.get_cr3		= vmx_get_cr3,
	.get_cr4		= vmx_get_cr4,
	.get_segment		= vmx_get_segment,
	.get_cr8		= vmx_get_cr8,
	.set_cr8		= vmx_set_cr8,
	.set_cr4		= vmx_set_cr4,
	.set_cr8_intercept	= vmx_set_cr8_intercept,
	.prepare_run		= vmx_prepare_run,
	.flush_tlb		= vmx_flush_tlb,
	.entry_ready		= vmx_entry_ready,
	.begin_entries		= vmx_begin_entries,
	.enter_once		= vmx_enter_once,
	.decode_exit		= vmx_decode_run_exit,
	.end_entries		= vmx_end_entries,
	.run			= vmx_run,
	.get_exit_info		= vmx_get_exit_info,
};
