// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's debug registers and KVM_GET/SET_DEBUGREGS: see debugregs.h.
 */
#include "l1vmm/backend.h"
#include "l1vmm/debugregs.h"
#include "l1vmm/exit.h"
#include "l1vmm/vcpu.h"

void l1vmm_debugregs_update_bp_enabled(struct l1vmm_vcpu *vcpu, u64 dr7)
{
	if (dr7 & L1VMM_DR7_BP_ENABLE)
		vcpu->switch_db |= L1VMM_DEBUGREG_BP_ENABLED;
	else
		vcpu->switch_db &= ~L1VMM_DEBUGREG_BP_ENABLED;
}

/* RESET and INIT: DR0-DR3 zero, DR6 and DR7 at their reset values, intercepted. */
void l1vmm_debugregs_reset(struct l1vmm_vcpu *vcpu)
{
	memset(vcpu->db, 0, sizeof(vcpu->db));
	vcpu->switch_db &= L1VMM_DEBUGREG_USER;	/* user space's stay, as in KVM */
	l1vmm_ops->set_dr6(vcpu, L1VMM_DR6_RESET);
	l1vmm_ops->set_dr7(vcpu, L1VMM_DR7_RESET);
	l1vmm_ops->set_dr_intercepts(vcpu, true);
}

/*
 * The guest's first MOV to or from a debug register since its last exit:
 * from now until the exit it uses the CPU's, loaded with its own, without
 * exits (KVM does the same). RIP stays: the instruction runs again.
 * While user space debugs the guest, KVM emulates it instead, and so does
 * l1vmm (guest_debug.c).
 */
int l1vmm_handle_dr_access(struct l1vmm_vcpu *vcpu)
{
	if (vcpu->guest_debug)
		return l1vmm_emulate_dr_access(vcpu);
	l1vmm_ops->set_dr_intercepts(vcpu, false);
	vcpu->switch_db |= L1VMM_DEBUGREG_WONT_EXIT;
	return 1;
}

/*
 * IRQs off: the guest's DR0-DR3 (user space's, for its hardware
 * breakpoints) into the CPU for the series, host breakpoints off.
 */
void __l1vmm_debugregs_load(struct l1vmm_vcpu *vcpu)
{
	const unsigned long *db = vcpu->switch_db & L1VMM_DEBUGREG_USER ? vcpu->dbg_db : vcpu->db;

	lockdep_assert_irqs_disabled();
	set_debugreg(0UL, 7);
	set_debugreg(db[0], 0);
	set_debugreg(db[1], 1);
	set_debugreg(db[2], 2);
	set_debugreg(db[3], 3);
}

/* IRQs off, after a series that ran without DR intercepts: take them back. */
void __l1vmm_debugregs_sync(struct l1vmm_vcpu *vcpu)
{
	lockdep_assert_irqs_disabled();
	get_debugreg(vcpu->db[0], 0);
	get_debugreg(vcpu->db[1], 1);
	get_debugreg(vcpu->db[2], 2);
	get_debugreg(vcpu->db[3], 3);
	vcpu->switch_db &= ~L1VMM_DEBUGREG_WONT_EXIT;
	l1vmm_debugregs_update_bp_enabled(vcpu, l1vmm_ops->get_dr7(vcpu));
	l1vmm_ops->set_dr_intercepts(vcpu, true);
}

/* KVM_GET_DEBUGREGS: the values of the last exit (no KVM_RUN is running). */
void l1vmm_get_debugregs(struct l1vmm_vcpu *vcpu, struct kvm_debugregs *dbg)
{
	BUILD_BUG_ON(sizeof(dbg->db) != sizeof(vcpu->db));

	memset(dbg, 0, sizeof(*dbg));
	memcpy(dbg->db, vcpu->db, sizeof(dbg->db));
	dbg->dr6 = l1vmm_ops->get_dr6(vcpu);
	dbg->dr7 = l1vmm_ops->get_dr7(vcpu);
}

/* KVM_SET_DEBUGREGS: KVM's checks (no flags; DR6 and DR7 are 32 bits wide). */
int l1vmm_set_debugregs(struct l1vmm_vcpu *vcpu, const struct kvm_debugregs *dbg)
{
	if (dbg->flags || upper_32_bits(dbg->dr6) || upper_32_bits(dbg->dr7))
		return -EINVAL;
	memcpy(vcpu->db, dbg->db, sizeof(vcpu->db));
	l1vmm_ops->set_dr6(vcpu, dbg->dr6);
	l1vmm_ops->set_dr7(vcpu, dbg->dr7);
	l1vmm_debugregs_update_bp_enabled(vcpu, dbg->dr7);
	return 0;
}
