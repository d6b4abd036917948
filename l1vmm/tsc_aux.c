// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's TSC_AUX (what RDTSCP and RDPID return). Neither SVM nor VMX
 * switches it, so l1vmm does, the way KVM handles its "user return" MSRs:
 * the guest's value is written before an entry only when it differs from
 * what the CPU holds, and the host's value (Linux keeps the CPU and node
 * number there for getcpu()) comes back when this CPU next returns to user
 * space, whichever task that is. A vCPU that goes in and out of its guest
 * pays nothing after the first entry.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/percpu.h>
#include <linux/user-return-notifier.h>
#include <asm/msr.h>

#include "l1vmm/portable/msrs.h"
#include "l1vmm/msr_access.h"
#include "l1vmm/tsc_aux.h"
#include "l1vmm/vcpu.h"

struct tsc_aux_cpu {
	struct user_return_notifier urn;
	bool registered;
	u64 host;	/* Linux's value on this CPU */
};

static DEFINE_PER_CPU(struct tsc_aux_cpu, tsc_aux_cpus);
/* What the CPU holds now; l1vmm_tsc_aux_load() compares it inline. */
DEFINE_PER_CPU(u64, l1vmm_tsc_aux_in_cpu);
bool l1vmm_tsc_aux_switched __read_mostly;

static void tsc_aux_restore(struct tsc_aux_cpu *t)
{
	if (this_cpu_read(l1vmm_tsc_aux_in_cpu) != t->host) {
		wrmsrl(MSR_TSC_AUX, t->host);
		this_cpu_write(l1vmm_tsc_aux_in_cpu, t->host);
	}
	if (t->registered) {
		user_return_notifier_unregister(&t->urn);
		t->registered = false;
	}
}

static void tsc_aux_on_user_return(struct user_return_notifier *urn)
{
	tsc_aux_restore(container_of(urn, struct tsc_aux_cpu, urn));
}

/* l1vmm_tsc_aux_load() found another value in the CPU. */
void __l1vmm_tsc_aux_load(u64 guest, struct l1vmm_vcpu_stats *st)
{
	struct tsc_aux_cpu *t = this_cpu_ptr(&tsc_aux_cpus);

	wrmsrl(MSR_TSC_AUX, guest);
	l1vmm_l1_cond(st);	/* KVM passes TSC_AUX through to an L1 with RDTSCP */
	this_cpu_write(l1vmm_tsc_aux_in_cpu, guest);
	if (!t->registered) {
		t->urn.on_user_return = tsc_aux_on_user_return;
		user_return_notifier_register(&t->urn);
		t->registered = true;
	}
}

/* When this CPU turns virtualization on. */
void l1vmm_tsc_aux_cpu_up(void)
{
	struct tsc_aux_cpu *t = this_cpu_ptr(&tsc_aux_cpus);

	l1vmm_tsc_aux_switched = l1vmm_host_has_msr(L1VMM_MSR_TSC_AUX);
	if (!l1vmm_tsc_aux_switched)
		return;
	rdmsrl(MSR_TSC_AUX, t->host);
	this_cpu_write(l1vmm_tsc_aux_in_cpu, t->host);
}

/* When it is turned off: the host's value back, no notifier left behind. */
void l1vmm_tsc_aux_cpu_down(void)
{
	if (l1vmm_tsc_aux_switched)
		tsc_aux_restore(this_cpu_ptr(&tsc_aux_cpus));
}
