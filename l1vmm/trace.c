// SPDX-License-Identifier: GPL-2.0-only
/*
 * l1vmm's tracepoints (trace.h): the one file that creates them, the
 * switch of the run loop's series while a run-loop event is enabled, and
 * the events traced from the backend's state.
 */
#include <linux/jump_label.h>
#include <linux/kvm.h>
#include <linux/tracepoint.h>
#include <asm/svm.h>
#include <asm/trapnr.h>
#include <asm/vmx.h>

#include "l1vmm/backend.h"
#include "l1vmm/vcpu.h"

#define CREATE_TRACE_POINTS
#include "l1vmm/trace.h"

/*
 * Counts the run-loop events (entry, exit, fastpath, msr) that have a
 * listener: the tracepoint core calls the reg function when an event gets
 * its first probe and unreg when it loses its last, under its own mutex.
 * A series that began before the switch finishes untraced.
 */
DEFINE_STATIC_KEY_FALSE(l1vmm_trace_run);

int l1vmm_trace_run_reg(void)
{
	static_branch_inc(&l1vmm_trace_run);
	return 0;
}

void l1vmm_trace_run_unreg(void)
{
	static_branch_dec(&l1vmm_trace_run);
}

/* The event the next entry delivers, if there is one (vcpu_run(), IRQs off). */
void l1vmm_trace_inj_event(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_event ev;

	l1vmm_ops->get_event(vcpu, &ev);
	if (ev.valid)
		trace_l1vmm_inj_event(vcpu->id, &ev);
}

/*
 * An RDMSR or WRMSR exit the kernel handled, in the fastpath or the full
 * path: ECX and, for a write, EDX:EAX are as the guest left them; a read
 * left its value in EDX:EAX, or a #GP in the event slot (reported with
 * data 0, as KVM's kvm_msr_read_ex).
 */
void l1vmm_trace_msr_exit(struct l1vmm_vcpu *vcpu)
{
	const unsigned long *r = vcpu->regs;
	u64 data = (r[L1VMM_REG_RDX] << 32) | (u32)r[L1VMM_REG_RAX];
	bool write = vcpu->exit.msr.write;
	struct l1vmm_event ev;
	bool gp;

	l1vmm_ops->get_event(vcpu, &ev);
	gp = ev.valid && ev.type == L1VMM_EVENT_EXCEPTION && ev.vector == X86_TRAP_GP;
	trace_l1vmm_msr(write, r[L1VMM_REG_RCX], gp && !write ? 0 : data, gp);
}
