/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VMX entry/exit path.
 *
 * int __l1vmm_vmx_vcpu_run(unsigned long *regs, unsigned long launched,
 *			    struct l1vmm_spec_ctrl *spec_ctrl, unsigned long egprs,
 *			    u64 *l1_intercepted_cond, unsigned long *host_rsp)
 *
 * Called with IRQs off and the vCPU's VMCS current. VMLAUNCH when
 * @launched is 0, else VMRESUME. The VMCS's host RIP is l1vmm_vmx_vmexit
 * below; its host RSP is this function's stack pointer at the entry,
 * written (VMWRITE) only when it differs from *@host_rsp, which caches it.
 * The guest's RSP and RIP are in the VMCS; the other GPRs come from and go
 * back to regs[].
 *
 * SPEC_CTRL (@spec_ctrl, NULL: the caller switches it in C, an experiment,
 * doc/knobs.md) and R16-R31 (@egprs) are switched by the vendor-neutral
 * macros of asm/vmenter.h, as in l1vmm/svm/vmenter.S: the host's SPEC_CTRL
 * is back before the first RET or indirect branch, and only then the
 * conditional R16-R31 store. Every MSR access of the guest exits, so the
 * guest's SPEC_CTRL cannot have changed behind l1vmm's back.
 *
 * Returns 0 (VMX_RUN_EXITED, vmx.h) after a VM exit; 1 (VMX_RUN_VMFAIL)
 * when VMLAUNCH/VMRESUME failed (the VM-instruction error says why, or
 * there is no current VMCS); 2 (VMX_RUN_FAULTED) when it faulted (VMX off
 * under us). In both failures no guest ran; the host's state is intact
 * but for the GPRs, which this function restores or clears.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

#include "l1vmm-asm-offsets.h"

/* Slots of the frame below the callee-saved registers. */
#define FRAME_REGS		0
#define FRAME_LAUNCHED		8
#define FRAME_SPEC_CTRL		16
#define FRAME_EGPRS		24
#define FRAME_L1_COND		32
#define FRAME_HOST_RSP		40
#define FRAME_RESULT		48	/* what the function returns */
#define FRAME_SIZE		56

/* The VMCS field encoding of the host RSP. */
#define VMCS_HOST_RSP		0x6c14

/* The shared macros, which use the frame slots above. */
#include "asm/vmenter.h"

	.text
SYM_FUNC_START(__l1vmm_vmx_vcpu_run)
	PUSH_CALLEE_SAVED

	/* Keep the arguments: every GPR is the guest's from the entry to the exit. */
	push	$0
	push	%r9
	push	%r8
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi

	/* The guest's SPEC_CTRL, if it differs. */
	mov	%rdx, %r8
	SWITCH_SPEC_CTRL %r8, L1VMM_SPEC_CTRL_GUEST_OFF, L1VMM_SPEC_CTRL_HOST_OFF

	/* R16-R31 (regs[] at RSI, @egprs at RDX). */
	mov	FRAME_REGS(%rsp), %rsi
	mov	FRAME_EGPRS(%rsp), %rdx
	LOAD_GUEST_EGPRS

	/* The host RSP a VM exit loads: this frame's, written when it moved. */
	mov	FRAME_HOST_RSP(%rsp), %rax
	cmp	%rsp, (%rax)
	je	1f
	mov	%rsp, (%rax)
	mov	$VMCS_HOST_RSP, %edx
2:	vmwrite	%rsp, %rdx
	COUNT_L1_COND
1:
	/*
	 * VMLAUNCH or VMRESUME: decided now, in CF, which the MOVs below and
	 * VERW (it writes ZF) leave alone.
	 */
	btq	$0, FRAME_LAUNCHED(%rsp)

	/* Guest GPRs; RSP comes from the VMCS. RAX goes last. */
	mov	FRAME_REGS(%rsp), %rax
	mov	L1VMM_REG_RCX_OFF(%rax), %rcx
	mov	L1VMM_REG_RDX_OFF(%rax), %rdx
	mov	L1VMM_REG_RBX_OFF(%rax), %rbx
	mov	L1VMM_REG_RBP_OFF(%rax), %rbp
	mov	L1VMM_REG_RSI_OFF(%rax), %rsi
	mov	L1VMM_REG_RDI_OFF(%rax), %rdi
	mov	L1VMM_REG_R8_OFF(%rax), %r8
	mov	L1VMM_REG_R9_OFF(%rax), %r9
	mov	L1VMM_REG_R10_OFF(%rax), %r10
	mov	L1VMM_REG_R11_OFF(%rax), %r11
	mov	L1VMM_REG_R12_OFF(%rax), %r12
	mov	L1VMM_REG_R13_OFF(%rax), %r13
	mov	L1VMM_REG_R14_OFF(%rax), %r14
	mov	L1VMM_REG_R15_OFF(%rax), %r15
	mov	L1VMM_REG_RAX_OFF(%rax), %rax

#ifdef X86_FEATURE_CLEAR_CPU_BUF_VM
	/* The CPU buffers cleared where the kernel asks, after the last load (as KVM). */
	VM_CLEAR_CPU_BUFFERS
#endif
	jnc	.Llaunch
	/*
	 * A successful entry comes back at l1vmm_vmx_vmexit (the VMCS's host
	 * RIP): objtool keeps the unwind state from here to there.
	 */
	UNWIND_HINT_SAVE
3:	vmresume
	jmp	.Lvmfail
.Llaunch:
4:	vmlaunch
	jmp	.Lvmfail

	/* A VM exit lands here: RSP is this frame again, RFLAGS 0x2 (IF=0). */
SYM_INNER_LABEL(l1vmm_vmx_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR
	push	%rax
	mov	8 + FRAME_REGS(%rsp), %rax
	SAVE_GUEST_GPRS
	pop	L1VMM_REG_RAX_OFF(%rax)

.Lout:
	/* The host's SPEC_CTRL back, before the EGPR branch and the first RET. */
	RESTORE_HOST_SPEC_CTRL
	PUT_BACK_GUEST_EGPRS

	EXIT_FILL_RSB

	mov	FRAME_RESULT(%rsp), %eax
	SCRUB_AND_RETURN

	/*
	 * VMLAUNCH/VMRESUME failed (VMfailValid or VMfailInvalid): no guest
	 * ran, the GPRs hold the guest's values, RBP among them.
	 */
.Lvmfail:
	movq	$1, FRAME_RESULT(%rsp)
	jmp	.Lout

	/* VMWRITE, VMLAUNCH or VMRESUME faulted: VMX is off under us. */
.Lfault:
	movq	$2, FRAME_RESULT(%rsp)
	jmp	.Lout

	_ASM_EXTABLE(2b, .Lfault)
	_ASM_EXTABLE(3b, .Lfault)
	_ASM_EXTABLE(4b, .Lfault)
SYM_FUNC_END(__l1vmm_vmx_vcpu_run)
