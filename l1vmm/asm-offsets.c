// SPDX-License-Identifier: GPL-2.0-only
/*
 * Offsets for the entry/exit assembly, generated at build time into
 * build/l1vmm-asm-offsets.h: the assembly never hard-codes a layout.
 */
#define COMPILE_OFFSETS

#include <linux/kbuild.h>

#include "l1vmm/portable/regs.h"
#include "l1vmm/vcpu.h"
#include "xstate/egpr.h"

#define REG_OFFSET(r)	DEFINE(L1VMM_##r##_OFF, L1VMM_##r * sizeof(unsigned long))

static void __used common(void)
{
	REG_OFFSET(REG_RAX);
	REG_OFFSET(REG_RCX);
	REG_OFFSET(REG_RDX);
	REG_OFFSET(REG_RBX);
	REG_OFFSET(REG_RBP);
	REG_OFFSET(REG_RSI);
	REG_OFFSET(REG_RDI);
	REG_OFFSET(REG_R8);
	REG_OFFSET(REG_R9);
	REG_OFFSET(REG_R10);
	REG_OFFSET(REG_R11);
	REG_OFFSET(REG_R12);
	REG_OFFSET(REG_R13);
	REG_OFFSET(REG_R14);
	REG_OFFSET(REG_R15);
	OFFSET(L1VMM_SPEC_CTRL_GUEST_OFF, l1vmm_spec_ctrl, guest);
	OFFSET(L1VMM_SPEC_CTRL_HOST_OFF, l1vmm_spec_ctrl, host);
#ifdef CONFIG_L1VMM_APX_EGPR
	REG_OFFSET(REG_R16);
#endif
#ifdef CONFIG_L1VMM_EGPR_SHADOW
	OFFSET(L1VMM_EGPR_SHADOW_R_OFF, l1vmm_egpr_shadow, r);
	OFFSET(L1VMM_EGPR_SHADOW_LOADS_OFF, l1vmm_egpr_shadow, loads);
	OFFSET(L1VMM_EGPR_SHADOW_STORES_OFF, l1vmm_egpr_shadow, stores);
	OFFSET(L1VMM_EGPR_SHADOW_CLOCK_OFF, l1vmm_egpr_shadow, clock);
	OFFSET(L1VMM_EGPR_SHADOW_SPEC_CTRL_AT_OFF, l1vmm_egpr_shadow, spec_ctrl_at);
	OFFSET(L1VMM_EGPR_SHADOW_STORED_AT_OFF, l1vmm_egpr_shadow, stored_at);
#endif
}
