/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The SVM entry/exit path.
 *
 * int __l1vmm_svm_vcpu_run(u64 vmcb_pa, unsigned long *regs, u64 host_save_pa,
 *			    struct l1vmm_spec_ctrl *spec_ctrl, unsigned long egprs,
 *			    u64 *l1_intercepted_cond)
 *
 * Called with GIF=0 and RFLAGS.IF=1 (interrupts stay held by GIF; with
 * V_INTR_MASKING the host's IF at VMRUN decides whether a physical interrupt
 * ends the guest). The host state that VMRUN does not switch (FS, GS, TR,
 * LDTR, KernelGsBase, STAR/LSTAR/CSTAR/SFMASK, SYSENTER_*) was saved with
 * VMSAVE into host_save_pa by the caller; it is loaded back here right
 * after the guest's is saved, before anything can use the host's GS base.
 *
 * SPEC_CTRL (@spec_ctrl, NULL: the caller switches it in C, an experiment,
 * doc/knobs.md) and R16-R31 (@egprs) are switched by the vendor-neutral
 * macros of asm/vmenter.h, which say how. The guest cannot change
 * SPEC_CTRL behind l1vmm's back: every MSR access is intercepted, so there
 * is nothing to read back after the exit.
 *
 * Every VMLOAD, VMSAVE and WRMSR here is one L0 intercepts unless it
 * virtualizes them: each increments *@l1_intercepted_cond where it is
 * issued (COUNT_L1_COND), the vCPU statistic of that name.
 *
 * Returns 0, or 1 when the guest's VMLOAD or the VMRUN faulted (SVM turned
 * off under us, or L0 refusing VMRUN with an exception): no guest ran, and
 * the caller reports a failed entry. A VMRUN that faults after the guest's
 * VMLOAD went through takes the normal way out after VMRUN, as KVM's
 * fixup does, so that the host's FS, GS, TR and syscall MSRs are loaded
 * back. The VMSAVE/VMLOAD after the exit have no fixup: if they fault, the
 * host's state is lost and an oops is the honest outcome.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>

#include "l1vmm-asm-offsets.h"

/* Slots of the frame below the callee-saved registers. */
#define FRAME_VMCB_PA		0
#define FRAME_HOST_SAVE_PA	8
#define FRAME_REGS		16
#define FRAME_SPEC_CTRL		24
#define FRAME_EGPRS		32
#define FRAME_L1_COND		40
#define FRAME_FAULTED		48	/* what the function returns */
#define FRAME_SIZE		56

/* The shared macros, which use the frame slots above. */
#include "asm/vmenter.h"

	.text
SYM_FUNC_START(__l1vmm_svm_vcpu_run)
	PUSH_CALLEE_SAVED

	/* Keep the arguments: every GPR is the guest's from here to the exit. */
	push	$0
	push	%r9
	push	%r8
	push	%rcx
	push	%rsi
	push	%rdx
	push	%rdi

	/* The guest's SPEC_CTRL, if it differs. */
	mov	%rcx, %r8
	SWITCH_SPEC_CTRL %r8, L1VMM_SPEC_CTRL_GUEST_OFF, L1VMM_SPEC_CTRL_HOST_OFF

	/* R16-R31 first, so that every fault below finds them loaded. */
	mov	FRAME_EGPRS(%rsp), %rdx
	LOAD_GUEST_EGPRS

	/* The guest's FS, GS, TR, LDTR and syscall MSRs; VMRUN loads the rest. */
	mov	%rdi, %rax
1:	vmload	%rax
	COUNT_L1_COND

	/* Guest GPRs; RAX and RSP come from the VMCB. RSI goes last. */
	mov	L1VMM_REG_RCX_OFF(%rsi), %rcx
	mov	L1VMM_REG_RDX_OFF(%rsi), %rdx
	mov	L1VMM_REG_RBX_OFF(%rsi), %rbx
	mov	L1VMM_REG_RBP_OFF(%rsi), %rbp
	mov	L1VMM_REG_RDI_OFF(%rsi), %rdi
	mov	L1VMM_REG_R8_OFF(%rsi), %r8
	mov	L1VMM_REG_R9_OFF(%rsi), %r9
	mov	L1VMM_REG_R10_OFF(%rsi), %r10
	mov	L1VMM_REG_R11_OFF(%rsi), %r11
	mov	L1VMM_REG_R12_OFF(%rsi), %r12
	mov	L1VMM_REG_R13_OFF(%rsi), %r13
	mov	L1VMM_REG_R14_OFF(%rsi), %r14
	mov	L1VMM_REG_R15_OFF(%rsi), %r15
	mov	L1VMM_REG_RSI_OFF(%rsi), %rsi

	/* Enter. RAX holds the VMCB address, and holds it again after #VMEXIT. */
2:	vmrun	%rax
.Lafter_vmrun:

	/* Back in the host with GIF=0; RSP is ours again. Save guest GPRs. */
	mov	FRAME_REGS(%rsp), %rax
	SAVE_GUEST_GPRS

	/* Save the guest's FS, GS, TR, ... and load the host's. */
	mov	FRAME_VMCB_PA(%rsp), %rax
	vmsave	%rax
	COUNT_L1_COND
	mov	FRAME_HOST_SAVE_PA(%rsp), %rax
	vmload	%rax
	COUNT_L1_COND

	/* The host's SPEC_CTRL back, before the EGPR branch and the first RET. */
	RESTORE_HOST_SPEC_CTRL
	PUT_BACK_GUEST_EGPRS

	EXIT_FILL_RSB

	mov	FRAME_FAULTED(%rsp), %eax
.Lout:
	SCRUB_AND_RETURN

	/*
	 * The guest's VMLOAD faulted: host state is intact but for SPEC_CTRL
	 * and R16-R31, which may hold the guest's already.
	 */
.Lfault_vmload:
	RESTORE_HOST_SPEC_CTRL
	PUT_BACK_GUEST_EGPRS
	mov	$1, %eax
	jmp	.Lout

	/*
	 * VMRUN faulted after the guest's VMLOAD: the CPU holds the guest's
	 * FS, GS, TR, LDTR and syscall MSRs, and its GPRs. The way out after
	 * a VMRUN puts all of the host's back (the VMSAVE there writes back
	 * what the VMLOAD loaded); it returns 1.
	 */
.Lfault_vmrun:
	movq	$1, FRAME_FAULTED(%rsp)
	jmp	.Lafter_vmrun

	_ASM_EXTABLE(1b, .Lfault_vmload)
	_ASM_EXTABLE(2b, .Lfault_vmrun)
SYM_FUNC_END(__l1vmm_svm_vcpu_run)
