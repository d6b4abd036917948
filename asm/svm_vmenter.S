/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The SVM entry/exit path.
 *
 * int __l1vmm_svm_vcpu_run(u64 vmcb_pa, unsigned long *regs, u64 host_save_pa,
 *			    struct l1vmm_spec_ctrl *spec_ctrl)
 *
 * Called with GIF=0 and RFLAGS.IF=1 (interrupts stay held by GIF; with
 * V_INTR_MASKING the host's IF at VMRUN decides whether a physical interrupt
 * ends the guest). The host state that VMRUN does not switch (FS, GS, TR,
 * LDTR, KernelGsBase, STAR/LSTAR/CSTAR/SFMASK, SYSENTER_*) was saved with
 * VMSAVE into host_save_pa by the caller; it is loaded back here right
 * after the guest's is saved, before anything can use the host's GS base.
 *
 * SPEC_CTRL: when @spec_ctrl is not NULL and the guest's value differs from
 * the host's, the guest's is written before VMLOAD/VMRUN and the host's
 * written back right after the exit, before the first RET (as KVM does: a
 * host that relies on IBRS must have it back before returning anywhere).
 * The guest cannot change SPEC_CTRL behind l1vmm's back: every MSR access is
 * intercepted, so there is nothing to read back after the exit.
 *
 * Returns 0, or 1 when the guest's VMLOAD or the VMRUN faulted (SVM turned
 * off under us): no guest ran, and the caller reports a failed entry. The
 * VMSAVE/VMLOAD after the exit have no fixup: if they fault, the host's
 * state is lost and an oops is the honest outcome.
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
#define FRAME_SIZE		32

/*
 * Write SPEC_CTRL from \from of the struct at \sc when it differs from
 * \other. Clobbers RAX, RCX, RDX.
 */
.macro SWITCH_SPEC_CTRL sc:req, from:req, other:req
	test	\sc, \sc
	jz	.Lno_switch_\@
	mov	\from(\sc), %rax
	cmp	\other(\sc), %rax
	je	.Lno_switch_\@
	mov	%rax, %rdx
	shr	$32, %rdx
	mov	$MSR_IA32_SPEC_CTRL, %ecx
	wrmsr
.Lno_switch_\@:
.endm

	.text
SYM_FUNC_START(__l1vmm_svm_vcpu_run)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx

	/* Keep the arguments: every GPR is the guest's from here to the exit. */
	push	%rcx
	push	%rsi
	push	%rdx
	push	%rdi

	/* The guest's SPEC_CTRL, if it differs. */
	mov	%rcx, %r8
	SWITCH_SPEC_CTRL %r8, L1VMM_SPEC_CTRL_GUEST_OFF, L1VMM_SPEC_CTRL_HOST_OFF

	/* The guest's FS, GS, TR, LDTR and syscall MSRs; VMRUN loads the rest. */
	mov	%rdi, %rax
1:	vmload	%rax

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

	/* Back in the host with GIF=0; RSP is ours again. Save guest GPRs. */
	mov	FRAME_REGS(%rsp), %rax
	mov	%rcx, L1VMM_REG_RCX_OFF(%rax)
	mov	%rdx, L1VMM_REG_RDX_OFF(%rax)
	mov	%rbx, L1VMM_REG_RBX_OFF(%rax)
	mov	%rbp, L1VMM_REG_RBP_OFF(%rax)
	mov	%rsi, L1VMM_REG_RSI_OFF(%rax)
	mov	%rdi, L1VMM_REG_RDI_OFF(%rax)
	mov	%r8, L1VMM_REG_R8_OFF(%rax)
	mov	%r9, L1VMM_REG_R9_OFF(%rax)
	mov	%r10, L1VMM_REG_R10_OFF(%rax)
	mov	%r11, L1VMM_REG_R11_OFF(%rax)
	mov	%r12, L1VMM_REG_R12_OFF(%rax)
	mov	%r13, L1VMM_REG_R13_OFF(%rax)
	mov	%r14, L1VMM_REG_R14_OFF(%rax)
	mov	%r15, L1VMM_REG_R15_OFF(%rax)

	/* Save the guest's FS, GS, TR, ... and load the host's. */
	mov	FRAME_VMCB_PA(%rsp), %rax
	vmsave	%rax
	mov	FRAME_HOST_SAVE_PA(%rsp), %rax
	vmload	%rax

	/* The host's SPEC_CTRL back, before the first RET. */
	mov	FRAME_SPEC_CTRL(%rsp), %r8
	SWITCH_SPEC_CTRL %r8, L1VMM_SPEC_CTRL_HOST_OFF, L1VMM_SPEC_CTRL_GUEST_OFF

	/*
	 * The guest may have filled the return stack buffer with its own
	 * targets: overwrite it before the first RET.
	 */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RETPOLINE

	xor	%eax, %eax
.Lout:
	/* Leave no guest value in a register the caller may not overwrite. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	add	$FRAME_SIZE, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET

	/* The guest's VMLOAD or the VMRUN faulted: host state is intact. */
.Lfault:
	mov	FRAME_SPEC_CTRL(%rsp), %r8
	SWITCH_SPEC_CTRL %r8, L1VMM_SPEC_CTRL_HOST_OFF, L1VMM_SPEC_CTRL_GUEST_OFF
	mov	$1, %eax
	jmp	.Lout

	_ASM_EXTABLE(1b, .Lfault)
	_ASM_EXTABLE(2b, .Lfault)
SYM_FUNC_END(__l1vmm_svm_vcpu_run)
