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
 * SPEC_CTRL: when @spec_ctrl is not NULL and the guest's value differs from
 * the host's, the guest's is written before VMLOAD/VMRUN and the host's
 * written back right after the exit, before the first RET (as KVM does: a
 * host that relies on IBRS must have it back before returning anywhere).
 * The guest cannot change SPEC_CTRL behind l1vmm's back: every MSR access is
 * intercepted, so there is nothing to read back after the exit. With
 * CONFIG_L1VMM_SPEC_CTRL_RESTORE_C the caller passes NULL and switches it
 * in C instead (an experiment, doc/knobs.md).
 *
 * R16-R31 (APX): when @egprs is not 0, the guest's are loaded from regs[]
 * before VMRUN, and on exit stored back and zeroed; otherwise they are
 * left alone (the caller decides, xstate/egpr.c). The store comes after
 * the host's SPEC_CTRL is back, so that the branch deciding it runs under
 * the host's SPEC_CTRL. The moves are hand-encoded REX2 (asm/rex2.h). In
 * the CONFIG_L1VMM_EGPR_SHADOW test build, @egprs is the address of the
 * vCPU's struct l1vmm_egpr_shadow and the moves target its array instead
 * of the registers; the assembly counts its switches there and stamps the
 * SPEC_CTRL restore and the EGPR store on a clock, so that tests can see
 * their order.
 *
 * Every VMLOAD, VMSAVE and WRMSR here is one L0 intercepts unless it
 * virtualizes them: each increments *@l1_intercepted_cond where it is
 * issued (COUNT_L1_COND), the vCPU statistic of that name.
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
#include "rex2.h"

/* Slots of the frame below the callee-saved registers. */
#define FRAME_VMCB_PA		0
#define FRAME_HOST_SAVE_PA	8
#define FRAME_REGS		16
#define FRAME_SPEC_CTRL		24
#define FRAME_EGPRS		32
#define FRAME_L1_COND		40
#define FRAME_SIZE		48

#define REG_RAX_NR		0	/* ModRM numbers of the base registers */
#define REG_RSI_NR		6

#define EGPR_OFF(n)		(L1VMM_REG_R16_OFF + (n) * 8)
#define SHADOW_OFF(n)		(L1VMM_EGPR_SHADOW_R_OFF + (n) * 8)

/* One more L1 instruction that L0 may intercept (see above). Clobbers RCX. */
.macro COUNT_L1_COND
	mov	FRAME_L1_COND(%rsp), %rcx
	incq	(%rcx)
.endm

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
	COUNT_L1_COND
.Lno_switch_\@:
.endm

#ifdef CONFIG_L1VMM_EGPR_SHADOW
/* Advance the shadow's clock (at \sh) and note it in \field. Clobbers RCX. */
.macro SHADOW_STAMP sh:req, field:req
	incq	L1VMM_EGPR_SHADOW_CLOCK_OFF(\sh)
	mov	L1VMM_EGPR_SHADOW_CLOCK_OFF(\sh), %rcx
	mov	%rcx, \field(\sh)
.endm
#endif

/*
 * The guest's R16-R31 from regs[] (at RSI), when the @egprs argument (at
 * RDX) is not 0. Clobbers RCX.
 */
.macro LOAD_GUEST_EGPRS
#ifdef CONFIG_L1VMM_APX_EGPR
	test	%rdx, %rdx
	jz	.Lno_egprs_\@
#ifdef CONFIG_L1VMM_EGPR_SHADOW
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	mov	EGPR_OFF(\n)(%rsi), %rcx
	mov	%rcx, SHADOW_OFF(\n)(%rdx)
	.endr
	incq	L1VMM_EGPR_SHADOW_LOADS_OFF(%rdx)
#else
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	REX2_MOV_FROM_MEM \n, REG_RSI_NR, EGPR_OFF(\n)
	.endr
#endif
.Lno_egprs_\@:
#endif
.endm

/*
 * The guest's R16-R31 back into regs[] and the registers zeroed, when the
 * @egprs argument was not 0. Clobbers RAX, RCX, RDX.
 */
.macro PUT_BACK_GUEST_EGPRS
#ifdef CONFIG_L1VMM_APX_EGPR
	mov	FRAME_EGPRS(%rsp), %rdx
	test	%rdx, %rdx
	jz	.Lno_egprs_\@
	mov	FRAME_REGS(%rsp), %rax
#ifdef CONFIG_L1VMM_EGPR_SHADOW
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	mov	SHADOW_OFF(\n)(%rdx), %rcx
	mov	%rcx, EGPR_OFF(\n)(%rax)
	movq	$0, SHADOW_OFF(\n)(%rdx)
	.endr
	incq	L1VMM_EGPR_SHADOW_STORES_OFF(%rdx)
	SHADOW_STAMP %rdx, L1VMM_EGPR_SHADOW_STORED_AT_OFF
#else
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	REX2_MOV_TO_MEM \n, REG_RAX_NR, EGPR_OFF(\n)
	REX2_ZERO \n
	.endr
#endif
.Lno_egprs_\@:
#endif
.endm

/* The host's SPEC_CTRL back (when the caller left it to the assembly). */
.macro RESTORE_HOST_SPEC_CTRL
	mov	FRAME_SPEC_CTRL(%rsp), %r8
	SWITCH_SPEC_CTRL %r8, L1VMM_SPEC_CTRL_HOST_OFF, L1VMM_SPEC_CTRL_GUEST_OFF
#if defined(CONFIG_L1VMM_EGPR_SHADOW) && defined(CONFIG_L1VMM_SPEC_CTRL_RESTORE_ASM)
	mov	FRAME_EGPRS(%rsp), %rdx
	test	%rdx, %rdx
	jz	.Lno_stamp_\@
	SHADOW_STAMP %rdx, L1VMM_EGPR_SHADOW_SPEC_CTRL_AT_OFF
.Lno_stamp_\@:
#endif
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
	COUNT_L1_COND
	mov	FRAME_HOST_SAVE_PA(%rsp), %rax
	vmload	%rax
	COUNT_L1_COND

	/* The host's SPEC_CTRL back, before the EGPR branch and the first RET. */
	RESTORE_HOST_SPEC_CTRL
	PUT_BACK_GUEST_EGPRS

#ifdef CONFIG_L1VMM_EXIT_RSB_FILL
	/*
	 * The guest may have filled the return stack buffer with its own
	 * targets: overwrite it before the first RET.
	 */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RETPOLINE
#endif

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

	/*
	 * The guest's VMLOAD or the VMRUN faulted: host state is intact but
	 * for SPEC_CTRL and R16-R31, which may hold the guest's already.
	 */
.Lfault:
	RESTORE_HOST_SPEC_CTRL
	PUT_BACK_GUEST_EGPRS
	mov	$1, %eax
	jmp	.Lout

	_ASM_EXTABLE(1b, .Lfault)
	_ASM_EXTABLE(2b, .Lfault)
SYM_FUNC_END(__l1vmm_svm_vcpu_run)
