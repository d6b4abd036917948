/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * R16-R31, APX's extended GPRs, around VMRUN: whether the entry/exit
 * assembly switches them for this entry (asm/svm_vmenter.S does the
 * moves), and the shadow test build in which the moves target an array
 * instead of the registers (CONFIG_L1VMM_EGPR_SHADOW, doc/design.md).
 */
#ifndef L1VMM_XSTATE_EGPR_H
#define L1VMM_XSTATE_EGPR_H

#include <linux/types.h>

#include "l1vmm/portable/regs.h"

struct l1vmm_vcpu;
struct l1vmm_xstate_layout;

/*
 * The shadow build's stand-in for R16-R31, written by the assembly: the
 * "registers", how often it loaded and stored them, and a clock it
 * advances at the host SPEC_CTRL restore and at the EGPR store, noting
 * each, so that their order can be checked after the exit.
 */
struct l1vmm_egpr_shadow {
	unsigned long r[L1VMM_NR_EGPRS];
	u64 loads;
	u64 stores;
	u64 clock;
	u64 spec_ctrl_at;
	u64 stored_at;
};

/*
 * XCR0 bits l1vmm only pretends the host has: APX in the shadow build
 * (where the host has no MPX, whose area APX's overlaps), else none.
 */
u64 l1vmm_egpr_pretend_xcr0(u64 host_xcr0);
/* The shadow build gives a pretended APX its area from the APX spec. */
void l1vmm_egpr_pretend_layout(struct l1vmm_xstate_layout *l);

/*
 * Interrupts off, guest XCR0 decided: the entry assembly's @egprs
 * argument (0: leave R16-R31 alone), kept in vcpu->egprs for
 * l1vmm_egpr_exit() after the exit.
 */
unsigned long l1vmm_egpr_enter(struct l1vmm_vcpu *vcpu);
void l1vmm_egpr_exit(struct l1vmm_vcpu *vcpu);

/* The host's SPEC_CTRL is back: the shadow build notes it on its clock. */
void l1vmm_egpr_spec_ctrl_restored(unsigned long egprs);

#endif /* L1VMM_XSTATE_EGPR_H */
