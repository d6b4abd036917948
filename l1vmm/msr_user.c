// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's RDMSR/WRMSR as user space shapes them, as in KVM:
 * KVM_X86_SET_MSR_FILTER (which MSRs the guest may read or write) and
 * KVM_CAP_X86_USER_SPACE_MSR (an access that would be a #GP - unknown MSR,
 * refused value, or filtered - goes to user space as KVM_EXIT_X86_RDMSR or
 * KVM_EXIT_X86_WRMSR instead, and user space finishes it).
 *
 * The fastpath leaves every MSR exit to this file while either is in use
 * (vm->msr_user_policy); while no VM uses them, a static key makes that
 * test a NOP.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/bitops.h>
#include <linux/jump_label.h>
#include <linux/kvm.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/trapnr.h>

#include "l1vmm/exit.h"
#include "l1vmm/msr_access.h"
#include "l1vmm/msr_user.h"
#include "l1vmm/vcpu.h"
#include "l1vmm/vm.h"

#define MSR_EXIT_REASONS	(KVM_MSR_EXIT_REASON_INVAL | KVM_MSR_EXIT_REASON_UNKNOWN | \
				 KVM_MSR_EXIT_REASON_FILTER)

struct msr_filter_range {
	u32 flags;		/* KVM_MSR_FILTER_READ / _WRITE */
	u32 base;
	u32 nmsrs;
	unsigned long *bitmap;	/* a set bit allows */
};

struct l1vmm_msr_filter {
	struct rcu_head rcu;
	bool default_allow;
	unsigned int count;
	struct msr_filter_range ranges[KVM_MSR_FILTER_MAX_RANGES];
};

static void filter_free(struct l1vmm_msr_filter *f)
{
	unsigned int i;

	if (!f)
		return;
	for (i = 0; i < f->count; i++)
		kfree(f->ranges[i].bitmap);
	kfree(f);
}

static void filter_free_rcu(struct rcu_head *head)
{
	filter_free(container_of(head, struct l1vmm_msr_filter, rcu));
}

/* Whether the guest may access MSR @index (@type: KVM_MSR_FILTER_READ or _WRITE). */
static bool msr_allowed(struct l1vmm_vm *vm, u32 index, u32 type)
{
	const struct l1vmm_msr_filter *f;
	bool allowed = true;
	unsigned int i;

	/* The x2APIC range is never filtered, as in KVM. */
	if (index >= 0x800 && index <= 0x8ff)
		return true;

	rcu_read_lock();
	f = rcu_dereference(vm->msr_filter);
	if (f) {
		allowed = f->default_allow;
		for (i = 0; i < f->count; i++) {
			const struct msr_filter_range *r = &f->ranges[i];

			/* As KVM computes it: base + nmsrs wraps in 32 bits. */
			if (index >= r->base && index < r->base + r->nmsrs && (r->flags & type)) {
				allowed = test_bit(index - r->base, r->bitmap);
				break;
			}
		}
	}
	rcu_read_unlock();
	return allowed;
}

/* kvm_add_msr_filter()'s rules: a range with MSRs needs flags and a bitmap that fits. */
static int filter_add(struct l1vmm_msr_filter *f, const struct kvm_msr_filter_range *u)
{
	size_t size;
	void *bitmap;

	if (!u->nmsrs)
		return 0;
	if (!u->flags || (u->flags & ~(KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE)))
		return -EINVAL;
	size = BITS_TO_LONGS(u->nmsrs) * sizeof(long);
	if (size > KVM_MSR_FILTER_MAX_BITMAP_SIZE)
		return -EINVAL;
	bitmap = memdup_user((const void __user *)u->bitmap, size);
	if (IS_ERR(bitmap))
		return PTR_ERR(bitmap);
	f->ranges[f->count++] = (struct msr_filter_range) {
		.flags = u->flags, .base = u->base, .nmsrs = u->nmsrs, .bitmap = bitmap,
	};
	return 0;
}

/*
 * Some VM has a filter or user-space MSR exits: only then does the MSR
 * fastpath look at its VM's policy (one NOP there otherwise).
 */
DEFINE_STATIC_KEY_FALSE(l1vmm_msr_user_in_use);

static void update_policy(struct l1vmm_vm *vm)
{
	bool on = vm->user_space_msr_mask || rcu_access_pointer(vm->msr_filter);

	lockdep_assert_held(&vm->lock);
	if (on && !vm->msr_user_policy)
		static_branch_inc(&l1vmm_msr_user_in_use);
	else if (!on && vm->msr_user_policy)
		static_branch_dec(&l1vmm_msr_user_in_use);
	WRITE_ONCE(vm->msr_user_policy, on);
}

/* KVM_X86_SET_MSR_FILTER: replace the VM's filter; KVM's checks and errors. */
int l1vmm_set_msr_filter(struct l1vmm_vm *vm, const struct kvm_msr_filter *uf)
{
	struct l1vmm_msr_filter *f, *old;
	bool empty = true;
	unsigned int i;
	int r;

	if (uf->flags & ~KVM_MSR_FILTER_DEFAULT_DENY)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(uf->ranges); i++)
		empty &= !uf->ranges[i].nmsrs;
	if (empty && (uf->flags & KVM_MSR_FILTER_DEFAULT_DENY))
		return -EINVAL;

	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;
	f->default_allow = !(uf->flags & KVM_MSR_FILTER_DEFAULT_DENY);
	for (i = 0; i < ARRAY_SIZE(uf->ranges); i++) {
		r = filter_add(f, &uf->ranges[i]);
		if (r) {
			filter_free(f);
			return r;
		}
	}

	mutex_lock(&vm->lock);
	old = rcu_replace_pointer(vm->msr_filter, f, lockdep_is_held(&vm->lock));
	update_policy(vm);
	mutex_unlock(&vm->lock);
	if (old)
		call_rcu(&old->rcu, filter_free_rcu);
	return 0;
}

/* KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR): which failures go to user space. */
int l1vmm_set_user_space_msr(struct l1vmm_vm *vm, u64 reasons)
{
	if (reasons & ~MSR_EXIT_REASONS)
		return -EINVAL;
	mutex_lock(&vm->lock);
	vm->user_space_msr_mask = reasons;
	update_policy(vm);
	mutex_unlock(&vm->lock);
	return 0;
}

void l1vmm_msr_filter_free(struct l1vmm_vm *vm)
{
	if (vm->msr_user_policy)
		static_branch_dec(&l1vmm_msr_user_in_use);
	filter_free(rcu_dereference_protected(vm->msr_filter, true));
}

/* User space answered a KVM_EXIT_X86_RDMSR/WRMSR: a #GP, or done. */
static int complete_msr(struct l1vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	if (run->msr.error) {
		l1vmm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return 1;
	}
	if (run->exit_reason == KVM_EXIT_X86_RDMSR) {
		vcpu->regs[L1VMM_REG_RAX] = (u32)run->msr.data;
		vcpu->regs[L1VMM_REG_RDX] = run->msr.data >> 32;
		vcpu->regs_dirty |= BIT(L1VMM_REG_RAX) | BIT(L1VMM_REG_RDX);
	}
	l1vmm_skip_to(vcpu, vcpu->pending.next_rip);
	return 1;
}

/*
 * The full path's RDMSR/WRMSR exit: filter, then the in-kernel MSRs, then
 * what a failure becomes (a user-space exit, or the guest's #GP).
 */
int l1vmm_handle_msr(struct l1vmm_vcpu *vcpu)
{
	unsigned long *regs = vcpu->regs;
	bool write = vcpu->exit.msr.write;
	u64 data = (regs[L1VMM_REG_RDX] << 32) | (u32)regs[L1VMM_REG_RAX];
	u32 index = regs[L1VMM_REG_RCX];
	struct kvm_run *run = vcpu->run;
	u32 reason;
	u64 value;

	if (!msr_allowed(vcpu->vm, index, write ? KVM_MSR_FILTER_WRITE : KVM_MSR_FILTER_READ)) {
		reason = KVM_MSR_EXIT_REASON_FILTER;
	} else if (write) {
		if (!l1vmm_set_msr(vcpu, index, data))
			goto done;
		/* A refused value of an MSR that exists, or an unknown MSR. */
		reason = l1vmm_get_msr(vcpu, index, &value) ? KVM_MSR_EXIT_REASON_UNKNOWN :
							      KVM_MSR_EXIT_REASON_INVAL;
	} else {
		if (!l1vmm_get_msr(vcpu, index, &value)) {
			regs[L1VMM_REG_RAX] = (u32)value;
			regs[L1VMM_REG_RDX] = value >> 32;
			vcpu->regs_dirty |= BIT(L1VMM_REG_RAX) | BIT(L1VMM_REG_RDX);
			goto done;
		}
		reason = KVM_MSR_EXIT_REASON_UNKNOWN;
	}

	if (!(READ_ONCE(vcpu->vm->user_space_msr_mask) & reason)) {
		l1vmm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return 1;
	}
	run->exit_reason = write ? KVM_EXIT_X86_WRMSR : KVM_EXIT_X86_RDMSR;
	run->msr.error = 0;
	memset(run->msr.pad, 0, sizeof(run->msr.pad));
	run->msr.reason = reason;
	run->msr.index = index;
	run->msr.data = write ? data : 0;
	l1vmm_complete_later(vcpu, complete_msr, vcpu->exit.next_rip);
	return 0;
done:
	l1vmm_skip_instruction(vcpu);
	return 1;
}
