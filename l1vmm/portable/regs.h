/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest register file: indices into l1vmm_vcpu.regs[], in KVM's order
 * (kvm_cache_regs.h), so that struct kvm_regs maps onto it one to one.
 * Included by assembly through the generated asm-offsets header only.
 */
#ifndef L1VMM_REGS_H
#define L1VMM_REGS_H

enum l1vmm_reg {
	L1VMM_REG_RAX,
	L1VMM_REG_RCX,
	L1VMM_REG_RDX,
	L1VMM_REG_RBX,
	L1VMM_REG_RSP,
	L1VMM_REG_RBP,
	L1VMM_REG_RSI,
	L1VMM_REG_RDI,
	L1VMM_REG_R8,
	L1VMM_REG_R9,
	L1VMM_REG_R10,
	L1VMM_REG_R11,
	L1VMM_REG_R12,
	L1VMM_REG_R13,
	L1VMM_REG_R14,
	L1VMM_REG_R15,
	L1VMM_REG_RIP,
#ifdef CONFIG_L1VMM_APX_EGPR
	/* APX's extended GPRs, after RIP so that the rest keeps KVM's order. */
	L1VMM_REG_R16,
	L1VMM_REG_R31 = L1VMM_REG_R16 + 15,
#endif
	L1VMM_NR_REGS,
};

/* R16-R31: the registers in APX's XSAVE component (19). */
#define L1VMM_NR_EGPRS		16

/* RIP after RESET or INIT, with CS base 0xffff0000. */
#define L1VMM_RESET_RIP		0xfff0

/*
 * The dirty mask is one unsigned long: every register needs a bit, and
 * BIT(L1VMM_NR_REGS) - 1 ("all of them") must not shift by the word size.
 */
#define L1VMM_REGS_FIT_IN_A_WORD	(L1VMM_NR_REGS < 8 * sizeof(unsigned long))

#endif /* L1VMM_REGS_H */
