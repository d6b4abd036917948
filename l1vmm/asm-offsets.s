	.file	"asm-offsets.c"
# GNU C11 (Debian 12.2.0-14+deb12u1) version 12.2.0 (x86_64-linux-gnu)
#	compiled by GNU C version 12.2.0, GMP version 6.2.1, MPFR version 4.2.0, MPC version 1.3.1, isl version isl-0.25-GMP

# GGC heuristics: --param ggc-min-expand=100 --param ggc-min-heapsize=131072
# options passed: -mno-sse -mno-mmx -mno-sse2 -mno-3dnow -mno-avx -m64 -mno-80387 -mno-fp-ret-in-387 -mpreferred-stack-boundary=3 -mskip-rax-setup -mtune=generic -mno-red-zone -mcmodel=kernel -mindirect-branch=thunk-extern -mindirect-branch-register -mindirect-branch-cs-prefix -mfunction-return=thunk-extern -mharden-sls=all -mrecord-mcount -mfentry -march=x86-64 -O2 -std=gnu11 -p -fno-strict-aliasing -fno-common -fshort-wchar -fno-PIE -fcf-protection=none -falign-jumps=1 -falign-loops=1 -fno-asynchronous-unwind-tables -fno-jump-tables -fno-delete-null-pointer-checks -fno-allow-store-data-races -fstack-protector-strong -ftrivial-auto-var-init=zero -fno-stack-clash-protection -fno-strict-overflow -fstack-check=no -fconserve-stack -fno-builtin-wcslen
	.text
	.p2align 4
	.type	common, @function
common:
1:	call	__fentry__
	.section __mcount_loc, "a",@progbits
	.quad 1b
	.previous
# /work/main/l1vmm/asm-offsets.c:17: 	REG_OFFSET(REG_RCX);
#APP
# 17 "/work/main/l1vmm/asm-offsets.c" 1
	
.ascii "->L1VMM_REG_RCX_OFF $8 L1VMM_REG_RCX * sizeof(unsigned long)"	#
# 0 "" 2
# /work/main/l1vmm/asm-offsets.c:18: 	REG_OFFSET(REG_RDX);
# 18 "/work/main/l1vmm/asm-offsets.c" 1
	
.ascii "->L1VMM_REG_RDX_OFF $16 L1VMM_REG_RDX * sizeof(unsigned long)"	#
# 0 "" 2
# /work/main/l1vmm/asm-offsets.c:19: 	REG_OFFSET(REG_RBX);
# 19 "/work/main/l1vmm/asm-offsets.c" 1
	
.ascii "->L1VMM_REG_RBX_OFF $24 L1VMM_REG_RBX * sizeof(unsigned long)"	#
# 0 "" 2
# /work/main/l1vmm/asm-offsets.c:20: 	REG_OFFSET(REG_RBP);
# 20 "/work/main/l1vmm/asm-offsets.c" 1
	
.ascii "->L1VMM_REG_RBP_OFF $40 L1VMM_REG_RBP * sizeof(unsigned long)"	#
# 0 "" 2
# /work/main/l1vmm/asm-offsets.c:21: 	REG_OFFSET(REG_RSI);
# 21 "/work/main/l1vmm/asm-offsets.c" 1
	
.ascii "->L1VMM_REG_RSI_OFF $48 L1VMM_REG_RSI * sizeof(unsigned long)"	#
# 0 "" 2
# /work/main/l1vmm/asm-offsets.c:22: 	REG_OFFSET(REG_RDI);
# 22 "/work/main/l1vmm/asm-offsets.c" 1
	
.ascii "->L1VMM_REG_RDI_OFF $56 L1VMM_REG_RDI * sizeof(unsigned long)"	#
# 0 "" 2
# /work/main/l1vmm/asm-offsets.c:23: 	REG_OFFSET(REG_R8);
# 23 "/work/main/l1vmm/asm-offsets.c" 1
	
.ascii "->L1VMM_REG_R8_OFF $64 L1VMM_REG_R8 * sizeof(unsigned long)"	#
# 0 "" 2
# /work/main/l1vmm/asm-offsets.c:24: 	REG_OFFSET(REG_R9);
# 24 "/work/main/l1vmm/asm-offsets.c" 1
	
.ascii "->L1VMM_REG_R9_OFF $72 L1VMM_REG_R9 * sizeof(unsigned long)"	#
# 0 "" 2
# /work/main/l1vmm/asm-offsets.c:25: 	REG_OFFSET(REG_R10);
# 25 "/work/main/l1vmm/asm-offsets.c" 1
	
.ascii "->L1VMM_REG_R10_OFF $80 L1VMM_REG_R10 * sizeof(unsigned long)"	#
# 0 "" 2
# /work/main/l1vmm/asm-offsets.c:26: 	REG_OFFSET(REG_R11);
# 26 "/work/main/l1vmm/asm-offsets.c" 1
	
.ascii "->L1VMM_REG_R11_OFF $88 L1VMM_REG_R11 * sizeof(unsigned long)"	#
# 0 "" 2
# /work/main/l1vmm/asm-offsets.c:27: 	REG_OFFSET(REG_R12);
# 27 "/work/main/l1vmm/asm-offsets.c" 1
	
.ascii "->L1VMM_REG_R12_OFF $96 L1VMM_REG_R12 * sizeof(unsigned long)"	#
# 0 "" 2
# /work/main/l1vmm/asm-offsets.c:28: 	REG_OFFSET(REG_R13);
# 28 "/work/main/l1vmm/asm-offsets.c" 1
	
.ascii "->L1VMM_REG_R13_OFF $104 L1VMM_REG_R13 * sizeof(unsigned long)"	#
# 0 "" 2
# /work/main/l1vmm/asm-offsets.c:29: 	REG_OFFSET(REG_R14);
# 29 "/work/main/l1vmm/asm-offsets.c" 1
	
.ascii "->L1VMM_REG_R14_OFF $112 L1VMM_REG_R14 * sizeof(unsigned long)"	#
# 0 "" 2
# /work/main/l1vmm/asm-offsets.c:30: 	REG_OFFSET(REG_R15);
# 30 "/work/main/l1vmm/asm-offsets.c" 1
	
.ascii "->L1VMM_REG_R15_OFF $120 L1VMM_REG_R15 * sizeof(unsigned long)"	#
# 0 "" 2
# /work/main/l1vmm/asm-offsets.c:31: 	OFFSET(L1VMM_SPEC_CTRL_GUEST_OFF, l1vmm_spec_ctrl, guest);
# 31 "/work/main/l1vmm/asm-offsets.c" 1
	
.ascii "->L1VMM_SPEC_CTRL_GUEST_OFF $0 offsetof(struct l1vmm_spec_ctrl, guest)"	#
# 0 "" 2
# /work/main/l1vmm/asm-offsets.c:32: 	OFFSET(L1VMM_SPEC_CTRL_HOST_OFF, l1vmm_spec_ctrl, host);
# 32 "/work/main/l1vmm/asm-offsets.c" 1
	
.ascii "->L1VMM_SPEC_CTRL_HOST_OFF $8 offsetof(struct l1vmm_spec_ctrl, host)"	#
# 0 "" 2
# /work/main/l1vmm/asm-offsets.c:33: }
#NO_APP
	jmp	__x86_return_thunk
	.size	common, .-common
	.ident	"GCC: (Debian 12.2.0-14+deb12u1) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
