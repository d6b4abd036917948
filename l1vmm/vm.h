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
#include "l1vmm/mmu.h"
#include "l1vmm/tdp.h"

struct l1vmm_vcpu;

struct l1vmm_vm {
	refcount_t users;	/* the VM file and each vCPU file */
	struct mutex lock;	/* slot changes, vCPU creation */
	struct mm_struct *mm;	/* VM ioctls come from the creator's mm */
	struct l1vmm_mmu mmu;	/* the slots; mmu.lock guards tdp */
	struct l1vmm_tdp tdp;
	struct l1vmm_vcpu *vcpus[L1VMM_MAX_VCPUS];
	unsigned int nr_vcpus;
};


struct l1vmm_vm *l1vmm_vm_alloc(void);
int l1vmm_vm_create(void);
void l1vmm_vm_put(struct l1vmm_vm *vm);

#endif /* L1VMM_VM_H */
