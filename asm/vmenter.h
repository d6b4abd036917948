/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vendor-neutral parts of the entry/exit assembly, for every backend's
 * (l1vmm/svm/vmenter.S; VMX's next): SPEC_CTRL switched before the first
 * RET, the conditional R16-R31 switch, and the count of L1 instructions L0
 * intercepts. The including file defines its frame slots FRAME_REGS
 * (regs[]), FRAME_SPEC_CTRL (struct l1vmm_spec_ctrl *), FRAME_EGPRS (the
 * @egprs argument) and FRAME_L1_COND (u64 *), offsets from RSP, and
 * includes the generated l1vmm-asm-offsets.h, before it includes this.
 *
 * SPEC_CTRL: with a struct l1vmm_spec_ctrl and the guest's value differing
 * from the host's, the guest's is written before the entry and the host's
 * written back right after the exit, before the first RET (as KVM does: a
 * host that relies on IBRS must have it back before returning anywhere).
 *
 * R16-R31 (APX): when @egprs is not 0, the guest's are loaded from regs[]
 * before the entry, and on exit stored back and zeroed; otherwise they are
 * left alone (the caller decides, xstate/egpr.c). The store comes after
 * the host's SPEC_CTRL is back, so that the branch deciding it runs under
 * the host's SPEC_CTRL. The moves are hand-encoded REX2 (asm/rex2.h). In
 * the CONFIG_L1VMM_EGPR_SHADOW test build, @egprs is the address of the
 * vCPU's struct l1vmm_egpr_shadow and the moves target its array instead
 * of the registers; the macros count its switches there and stamp the
 * SPEC_CTRL restore and the EGPR store on a clock, so that tests can see
 * their order.
 */
#ifndef L1VMM_ASM_VMENTER_H
#define L1VMM_ASM_VMENTER_H

#include <asm/msr-index.h>

#include "rex2.h"

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

/* The function's start: RBP and the callee-saved registers, which SCRUB_AND_RETURN pops. */
.macro PUSH_CALLEE_SAVED
	push	%rbp
	mov	%rsp, %rbp
	.irp reg, r15, r14, r13, r12, rbx
	push	%\reg
	.endr
.endm

/*
 * After the exit: the guest's GPRs into the vcpu->regs array at %rax, all
 * but RAX and RSP (the VMCB holds both; on VMX the caller saves RAX).
 */
.macro SAVE_GUEST_GPRS
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
.endm

/*
 * The guest may have filled the return stack buffer with its own targets:
 * overwrite it before the first RET (CONFIG_L1VMM_EXIT_RSB_FILL).
 */
.macro EXIT_FILL_RSB
#ifdef CONFIG_L1VMM_EXIT_RSB_FILL
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RETPOLINE
#endif
.endm

/*
 * The way out, the result in EAX: no guest value left in a register the
 * caller may overwrite, the frame and the callee-saved registers popped.
 */
.macro SCRUB_AND_RETURN
	.irp reg, ecx, edx, esi, edi, r8d, r9d, r10d, r11d
	xor	%\reg, %\reg
	.endr
	add	$FRAME_SIZE, %rsp
	.irp reg, rbx, r12, r13, r14, r15, rbp
	pop	%\reg
	.endr
	RET
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

#endif /* L1VMM_ASM_VMENTER_H */
