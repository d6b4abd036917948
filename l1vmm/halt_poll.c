// SPDX-License-Identifier: GPL-2.0-only
/*
 * Halt polling, KVM 6.1's kvm_vcpu_halt() and kvm_vcpu_block()
 * (virt/kvm/kvm_main.c): a halted vCPU checks for a wake-up in a loop for
 * up to its poll time before it sleeps, which saves the sleep and the
 * wake-up when an interrupt comes soon. The poll time grows after short
 * halts and shrinks after long ones (portable/halt_poll.c), up to the
 * module's halt_poll_ns or the VM's KVM_CAP_HALT_POLL. It polls only while
 * nothing else wants this CPU.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/kvm.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/stat.h>
#include <linux/wait.h>

#include "l1vmm/halt_poll.h"
#include "l1vmm/irqchip.h"
#include "l1vmm/portable/halt_poll.h"
#include "l1vmm/vcpu.h"
#include "l1vmm/vm.h"

/* KVM's module parameters of the same names and defaults (kvm.ko's). */
static unsigned int halt_poll_ns = L1VMM_HALT_POLL_NS_DEFAULT;
module_param(halt_poll_ns, uint, 0644);
MODULE_PARM_DESC(halt_poll_ns, "Longest a halted vCPU polls before it sleeps, ns (0: never)");
static unsigned int halt_poll_ns_grow = L1VMM_HALT_POLL_NS_GROW_DEFAULT;
module_param(halt_poll_ns_grow, uint, 0644);
MODULE_PARM_DESC(halt_poll_ns_grow, "Factor a vCPU's poll time grows by after a short halt");
static unsigned int halt_poll_ns_grow_start = L1VMM_HALT_POLL_NS_GROW_START_DEFAULT;
module_param(halt_poll_ns_grow_start, uint, 0644);
MODULE_PARM_DESC(halt_poll_ns_grow_start, "A vCPU's first poll time, ns");
static unsigned int halt_poll_ns_shrink = L1VMM_HALT_POLL_NS_SHRINK_DEFAULT;
module_param(halt_poll_ns_shrink, uint, 0644);
MODULE_PARM_DESC(halt_poll_ns_shrink, "Divisor of a vCPU's poll time after a long halt (0: stop)");

/* KVM's kvm_vcpu_max_halt_poll_ns(): the VM's value once set, else the module's. */
static u32 max_poll_ns(struct l1vmm_vm *vm)
{
	if (READ_ONCE(vm->override_halt_poll_ns)) {
		/* Pairs with the smp_wmb() in l1vmm_halt_poll_enable_cap(). */
		smp_rmb();
		return READ_ONCE(vm->max_halt_poll_ns);
	}
	return READ_ONCE(halt_poll_ns);
}

int l1vmm_halt_poll_enable_cap(struct l1vmm_vm *vm, u64 ns)
{
	if (ns != (u32)ns)
		return -EINVAL;
	WRITE_ONCE(vm->max_halt_poll_ns, ns);
	/* The limit before the switch: max_poll_ns() reads them the other way. */
	smp_wmb();
	WRITE_ONCE(vm->override_halt_poll_ns, true);
	return 0;
}

/* KVM's kvm_vcpu_can_poll(): nothing else to run here, and time left. */
static bool can_poll(u64 now, u64 stop)
{
	return now < stop && single_task_running() && !need_resched();
}

/* KVM's update_halt_poll_stats(); every wake-up counts as valid on x86. */
static void poll_stats(struct l1vmm_vcpu_stats *st, u64 poll_ns, bool success)
{
	st->halt_attempted_poll++;
	if (success) {
		st->halt_successful_poll++;
		st->halt_poll_success_ns += poll_ns;
	} else {
		st->halt_poll_fail_ns += poll_ns;
	}
}

int l1vmm_halt_wait(struct l1vmm_vcpu *vcpu, bool halted, bool (*wakes)(struct l1vmm_vcpu *vcpu))
{
	struct l1vmm_halt_poll_knobs knobs;
	struct l1vmm_vcpu_stats *st = &vcpu->stats;
	struct l1vmm_lapic *l = vcpu->lapic;
	u32 max = max_poll_ns(vcpu->vm);
	u64 start, cur, poll_end;
	bool waited = false, poll;
	int r = 0;

	if (halted && l->halt_poll_ns > max)
		l->halt_poll_ns = max;
	poll = halted && l->halt_poll_ns;
	start = cur = poll_end = ktime_get_ns();
	if (poll) {
		u64 stop = start + l->halt_poll_ns;

		do {
			if (wakes(vcpu))
				goto out;
			if (signal_pending(current)) {
				r = -ERESTARTSYS;
				goto out;
			}
			cpu_relax();
			poll_end = cur = ktime_get_ns();
		} while (can_poll(cur, stop));
	}

	/* As KVM's kvm_vcpu_block(): waited only when it slept. */
	if (wakes(vcpu)) {
		r = 0;
	} else if (signal_pending(current)) {
		r = -ERESTARTSYS;
	} else {
		waited = true;
		WRITE_ONCE(st->blocking, 1);
		r = wait_event_interruptible(l->wq, wakes(vcpu));
		WRITE_ONCE(st->blocking, 0);
	}
	cur = ktime_get_ns();
	if (waited) {
		st->halt_wait_ns += cur - poll_end;
		if (!r)
			st->halt_wakeup++;
	}
out:
	if (!halted)
		return r;
	if (poll)
		poll_stats(st, poll_end - start, !waited);
	knobs.grow = READ_ONCE(halt_poll_ns_grow);
	knobs.grow_start = READ_ONCE(halt_poll_ns_grow_start);
	knobs.shrink = READ_ONCE(halt_poll_ns_shrink);
	l->halt_poll_ns = l1vmm_halt_poll_next(l->halt_poll_ns, max_poll_ns(vcpu->vm),
					       cur - start, &knobs);
	return r;
}
