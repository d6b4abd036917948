/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvmclock, KVM's paravirtual clock (kvmclock.c): the system-time and
 * wall-clock MSRs, the guest's pvclock page, KVM_GET/SET_CLOCK. The
 * arithmetic is portable (portable/pvclock.h).
 */
#ifndef L1VMM_KVMCLOCK_H
#define L1VMM_KVMCLOCK_H

#include <linux/bitops.h>
#include <linux/jiffies.h>
#include <linux/kvm.h>
#include <linux/smp.h>
#include <linux/types.h>

#include "l1vmm/portable/pvclock.h"
#include "l1vmm/vcpu.h"

struct l1vmm_vm;

/* KVM_CAP_ADJUST_CLOCK: the flags KVM_GET/SET_CLOCK know (KVM's KVM_CLOCK_VALID_FLAGS). */
#define L1VMM_CLOCK_VALID_FLAGS	(KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC)

/* How often a vCPU's pvclock page is written again unasked, as KVM's kvmclock_sync. */
#define L1VMM_KVMCLOCK_SYNC_PERIOD	(300 * HZ)

/* The four MSRs, in KVM's order of KVM_GET_MSR_INDEX_LIST. */
#define L1VMM_KVMCLOCK_NR_MSRS	4
extern const u32 l1vmm_kvmclock_msrs[L1VMM_KVMCLOCK_NR_MSRS];

void l1vmm_kvmclock_vm_init(struct l1vmm_vm *vm);
void l1vmm_kvmclock_reset(struct l1vmm_vcpu *vcpu);

/*
 * RDMSR/WRMSR and KVM_GET/SET_MSRS of the kvmclock MSRs: 0, or 1 for an
 * MSR that is not one of them. Safe with IRQs off: with @write_now false
 * (the fastpath) the wall clock's guest memory write waits for the vCPU's
 * next pass through vcpu_run() (L1VMM_REQ_CLOCK_UPDATE), which comes
 * before the guest runs again; with @write_now (process context) it is
 * done at once.
 */
int l1vmm_kvmclock_get_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 *data);
int l1vmm_kvmclock_set_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 data, bool write_now);

/* KVM_GET_CLOCK and KVM_SET_CLOCK on the VM file. */
int l1vmm_vm_get_clock(struct l1vmm_vm *vm, struct kvm_clock_data __user *udata);
int l1vmm_vm_set_clock(struct l1vmm_vm *vm, struct kvm_clock_data __user *udata);

/*
 * Write the vCPU's pvclock page now (L1VMM_REQ_CLOCK_UPDATE): preemptible
 * process context, the guest memory write may fault.
 */
void l1vmm_kvmclock_update(struct l1vmm_vcpu *vcpu);

/*
 * IRQs and preemption off, right before the entry: is the page out of
 * date for this CPU? It is when an update was asked for, when the vCPU
 * moved to another CPU since the last one (each CPU's TSC may differ, as
 * KVM assumes without its master clock), or when the periodic update is
 * due. Then the update is asked for, and the caller goes round its loop
 * once more to do it with preemption on.
 */
static __always_inline bool l1vmm_kvmclock_stale(struct l1vmm_vcpu *vcpu, int cpu)
{
	const struct l1vmm_kvmclock *kc = &vcpu->kvmclock;

	if (test_bit(L1VMM_REQ_CLOCK_UPDATE, &vcpu->requests))
		return true;
	if (likely(!(kc->system_time & L1VMM_KVMCLOCK_ENABLE)))
		return false;
	if (likely(kc->cpu == cpu && time_before(jiffies, kc->next_sync)))
		return false;
	set_bit(L1VMM_REQ_CLOCK_UPDATE, &vcpu->requests);
	return true;
}

#endif /* L1VMM_KVMCLOCK_H */
