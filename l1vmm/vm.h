/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A VM: its memory slots, its second-level page table (tdp.h) and its
 * vCPUs. vm.c.
 */
#ifndef L1VMM_VM_H
#define L1VMM_VM_H

#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/types.h>

#include "l1vmm/portable/limits.h"
#include "l1vmm/mmu.h"
#include "l1vmm/tdp.h"

struct l1vmm_ioeventfds;
struct l1vmm_msr_filter;
struct l1vmm_vcpu;

/* VM counters, read through KVM_GET_STATS_FD on the VM (stats.c). */
struct l1vmm_vm_stats {
	u64 remote_tlb_flush_requests;	/* flushes of every vCPU's guest TLB */
	/* Nested leaves mapped now, by size (tdp.h's nr_leaves), as KVM's. */
	u64 pages_4k;
	u64 pages_2m;
};

struct l1vmm_vm {
	refcount_t users;	/* the VM file, each vCPU and statistics file */
	struct mutex lock;	/* slot changes, vCPU creation */
	struct mm_struct *mm;	/* VM ioctls come from the creator's mm */
	struct l1vmm_mmu mmu;	/* the slots; mmu.lock guards tdp */
	struct l1vmm_tdp tdp;
	struct l1vmm_vcpu *vcpus[L1VMM_MAX_VCPUS];
	unsigned int nr_vcpus;
	/* KVM_IOEVENTFD's table, NULL when empty (ioeventfd.h) */
	struct mutex ioeventfd_lock;
	struct l1vmm_ioeventfds __rcu *ioeventfds;
	/* KVM_CAP_MAX_VCPU_ID: ids below this; 0 until set or first used. */
	u32 max_vcpu_ids;
	/* Guest RDMSR/WRMSR shaped by user space (msr_user.c). */
	struct l1vmm_msr_filter __rcu *msr_filter;
	u32 user_space_msr_mask;	/* KVM_MSR_EXIT_REASON_* */
	bool msr_user_policy;		/* either is set: no MSR fastpath */
	pid_t creator;		/* for the statistics' id string */
	struct l1vmm_vm_stats stats;
	/* kvmclock (kvmclock.c): the guest's clock minus the host's, in ns. */
	s64 kvmclock_offset;
	u64 wall_clock;		/* MSR_KVM_WALL_CLOCK(_NEW) as last written */
};


struct l1vmm_vm *l1vmm_vm_alloc(void);
int l1vmm_vm_create(void);
void l1vmm_vm_put(struct l1vmm_vm *vm);

/* stats.c: KVM_GET_STATS_FD on the VM. */
int l1vmm_vm_stats_fd(struct l1vmm_vm *vm);

#endif /* L1VMM_VM_H */
