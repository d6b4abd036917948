/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A VM: its memory slots, its second-level page table (tdp.h) and its
 * vCPUs. vm.c.
 */
#ifndef L1VMM_VM_H
#define L1VMM_VM_H

#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/types.h>

#include "l1vmm/portable/limits.h"
#include "l1vmm/tdp.h"

struct l1vmm_ioeventfds;
struct l1vmm_vcpu;

struct l1vmm_memslot {
	u16 id;
	u32 flags;
	u64 base_gfn;
	u64 npages;
	unsigned long userspace_addr;
	struct page **pages;	/* pinned for the slot's lifetime */
};

struct l1vmm_vm {
	refcount_t users;	/* the VM file and each vCPU file */
	struct mutex lock;	/* slots, vCPU creation, TDP changes */
	struct mm_struct *mm;	/* VM ioctls come from the creator's mm */
	struct l1vmm_memslot *slots[L1VMM_MAX_MEMSLOTS];
	struct l1vmm_tdp tdp;
	struct l1vmm_vcpu *vcpus[L1VMM_MAX_VCPUS];
	unsigned int nr_vcpus;
	/* KVM_IOEVENTFD's table, NULL when empty (ioeventfd.h) */
	struct mutex ioeventfd_lock;
	struct l1vmm_ioeventfds __rcu *ioeventfds;
};


struct l1vmm_vm *l1vmm_vm_alloc(void);
int l1vmm_vm_create(void);
void l1vmm_vm_put(struct l1vmm_vm *vm);

#endif /* L1VMM_VM_H */
