/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's debug registers, switched lazily as KVM switches them
 * (x86.c, switch_db_regs). DR6 and DR7 are the backend's: the VMCB (VMCS)
 * loads them at entry, and the exit leaves the host's DR7 with every
 * breakpoint disabled. DR0-DR3 are switched by l1vmm, in vcpu->db:
 *
 *  - While the guest has not touched them since its last exit, its MOV DR
 *    is intercepted and the CPU's DR0-DR3 need not be its own: the first
 *    one (l1vmm_handle_dr_access()) turns the intercept off and executes
 *    the instruction again, on the guest's DR0-DR3, loaded from then on.
 *  - After the series of entries (still IRQs off) the guest's DR0-DR3 are
 *    read back and the intercept turned on again, so that an idle guest
 *    pays nothing and a guest that uses them pays once per exit to user
 *    space or to the full path, never on a fastpath re-entry.
 *  - A guest whose DR7 enables a breakpoint has its DR0-DR3 loaded before
 *    every series, so that the breakpoints fire on its addresses.
 *  - The host's own breakpoints (perf, ptrace) are put back after every
 *    series in which they were active (hw_breakpoint_restore()).
 *
 * So a guest never reads another guest's or the host's DR0-DR3: while it
 * can read them directly they hold its own values.
 *
 * While user space debugs the guest (KVM_SET_GUEST_DEBUG, guest_debug.c)
 * the guest's MOV DR is always intercepted and emulated, as in KVM, and
 * with KVM_GUESTDBG_USE_HW_BP the CPU holds user space's DR0-DR3 for every
 * series (L1VMM_DEBUGREG_USER), the guest's staying in vcpu->db.
 */
#ifndef L1VMM_DEBUGREGS_H
#define L1VMM_DEBUGREGS_H

#include <linux/kvm.h>
#include <linux/sched.h>
#include <asm/debugreg.h>

#include "l1vmm/vcpu.h"


/* vcpu->switch_db: why the guest's DR0-DR3 are in the CPU while it runs. */
#define L1VMM_DEBUGREG_BP_ENABLED	BIT(0)	/* its DR7 enables a breakpoint */
#define L1VMM_DEBUGREG_WONT_EXIT	BIT(1)	/* its MOV DR is not intercepted */
#define L1VMM_DEBUGREG_USER		BIT(2)	/* user space's, KVM_GUESTDBG_USE_HW_BP */

/* DR6 and DR7 after RESET and INIT (SDM and APM, "Initial Processor State"). */
#define L1VMM_DR6_RESET		DR6_RESERVED
#define L1VMM_DR7_RESET		0x400
/* DR7's L0-L3 and G0-G3: a breakpoint is enabled. */
#define L1VMM_DR7_BP_ENABLE	0xff

void l1vmm_debugregs_reset(struct l1vmm_vcpu *vcpu);
void l1vmm_debugregs_update_bp_enabled(struct l1vmm_vcpu *vcpu, u64 dr7);
int l1vmm_handle_dr_access(struct l1vmm_vcpu *vcpu);
void __l1vmm_debugregs_load(struct l1vmm_vcpu *vcpu);
void __l1vmm_debugregs_sync(struct l1vmm_vcpu *vcpu);
void l1vmm_get_debugregs(struct l1vmm_vcpu *vcpu, struct kvm_debugregs *dbg);
int l1vmm_set_debugregs(struct l1vmm_vcpu *vcpu, const struct kvm_debugregs *dbg);

/*
 * IRQs off, before the series of entries. As KVM, the host's breakpoints
 * are disarmed first: none may fire on the guest's addresses in the host,
 * or stay armed into the guest (QEMU's emulator crashed on that here).
 */
static __always_inline void l1vmm_debugregs_enter(struct l1vmm_vcpu *vcpu)
{
	if (unlikely(vcpu->switch_db))
		__l1vmm_debugregs_load(vcpu);
	else if (unlikely(hw_breakpoint_active()))
		set_debugreg(0UL, 7);
}

/* IRQs still off, after the series. */
static __always_inline void l1vmm_debugregs_exit(struct l1vmm_vcpu *vcpu)
{
	if (unlikely(vcpu->switch_db & L1VMM_DEBUGREG_WONT_EXIT))
		__l1vmm_debugregs_sync(vcpu);
	/* The exit disabled the host's breakpoints; DR0-DR3 may be the guest's. */
	if (unlikely(hw_breakpoint_active()))
		hw_breakpoint_restore();
}

#endif /* L1VMM_DEBUGREGS_H */
