/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest memory slots, and the second-level page table (tdp.h) filled from
 * them on demand and kept coherent with the VM's mm by an MMU notifier, as
 * KVM does. mmu.c.
 *
 * No page is pinned and none is referenced while it is mapped: a nested
 * page fault looks the page up (get_user_pages), maps it, and drops the
 * reference; the notifier unmaps it, and flushes every vCPU's TLB, before
 * the mm lets the page go. A fault that raced an invalidation retries.
 *
 * Locks, outermost first: vm->lock (slot changes, serialised), the mm's
 * mmap_lock (taken by get_user_pages and held around the notifier), and
 * mmu->lock, a spinlock over the tables, the slot index and the
 * invalidation count. The fault path holds no lock while it looks a page
 * up; the notifier takes only mmu->lock (never vm->lock: a slot change may
 * allocate, and reclaim may call the notifier).
 */
#ifndef L1VMM_MMU_H
#define L1VMM_MMU_H

#include <linux/interval_tree.h>
#include <linux/mmu_notifier.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include "l1vmm/kvm_uapi.h"
#include "l1vmm/portable/slot_index.h"
#include "l1vmm/tdp.h"

struct l1vmm_vm;
struct l1vmm_vcpu;

struct l1vmm_memslot {
	u16 id;
	u32 flags;
	u64 base_gfn;
	u64 npages;
	unsigned long userspace_addr;
	struct interval_tree_node hva;	/* [userspace_addr, end - 1] */
	/*
	 * KVM_MEM_LOG_DIRTY_PAGES: a bit per page, then room for as many
	 * more (the copy KVM_GET/CLEAR_DIRTY_LOG work on); NULL without
	 * logging. The pointer changes under vm->lock and mmu->lock, bits
	 * are set and taken under mmu->lock.
	 */
	unsigned long *dirty_bitmap;
};

struct l1vmm_mmu {
	spinlock_t lock;
	/* The slots by id; changed under vm->lock only, read there. */
	struct xarray by_id;
	/* The slots by guest frame and by user address: under lock. */
	struct l1vmm_gfn_range *by_gfn;
	unsigned long nr_slots, room;
	struct rb_root_cached by_hva;
	/* KVM's mmu_invalidate_seq and mmu_invalidate_in_progress. */
	unsigned long invalidate_seq;
	long invalidate_in_progress;
	struct l1vmm_tdp_cache cache;
	/* KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2's args[0]; under vm->lock. */
	u64 manual_dirty_log_protect;
	/*
	 * KVM_SET/GET_NR_MMU_PAGES, under vm->lock: the pages of all slots,
	 * what user space asked (0: never), and the limit KVM would report.
	 */
	u64 slot_pages;
	unsigned long requested_mmu_pages, max_mmu_pages;
	struct mmu_notifier notifier;
	bool registered;
};

/* What KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 offers, as KVM's own constant. */
#define L1VMM_DIRTY_LOG_MANUAL_CAPS \
	(KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE | KVM_DIRTY_LOG_INITIALLY_SET)

/* KVM_SET_NR_MMU_PAGES and KVM_GET_NR_MMU_PAGES. */
int l1vmm_set_nr_mmu_pages(struct l1vmm_vm *vm, unsigned long nr);
unsigned long l1vmm_get_nr_mmu_pages(struct l1vmm_vm *vm);

/* Register on current->mm, the VM's; 0 or an errno. */
int l1vmm_mmu_init(struct l1vmm_vm *vm);
/* Unregister and free the slots; the tables are the VM's to free after. */
void l1vmm_mmu_destroy(struct l1vmm_vm *vm);

/*
 * KVM_SET_USER_MEMORY_REGION(2): create, move (same size and user address,
 * new guest address) or delete (size 0) a slot, in O(1) of its size.
 */
int l1vmm_set_memory_region(struct l1vmm_vm *vm, const struct kvm_userspace_memory_region2 *mem);

/*
 * A second-level page fault at @gpa: 1 when the page is mapped now (enter
 * the guest again), 0 when no slot backs the access (MMIO, or a write to a
 * read-only slot), -EFAULT when the VMM's mapping does not allow it (as
 * KVM_RUN on KVM), -ENOMEM.
 */
int l1vmm_tdp_fault(struct l1vmm_vcpu *vcpu, u64 gpa, bool write);

/*
 * The user address of @gfn: 0, -EFAULT when no slot holds it, -EPERM for
 * a write (@write) to a read-only slot.
 */
int l1vmm_gfn_to_hva(struct l1vmm_vm *vm, u64 gfn, bool write, unsigned long *hva);

/* Whether a slot holds @gfn (and allows a write when @write). */
bool l1vmm_gfn_backed(struct l1vmm_vm *vm, u64 gfn, bool write);

/*
 * Dirty logging, as KVM's: a write-protected nested PTE faults on the
 * guest's first write, which sets the page's bit before mapping it
 * writable (doc/design.md). KVM_GET_DIRTY_LOG, KVM_CLEAR_DIRTY_LOG and
 * KVM_ENABLE_CAP(KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2), with KVM's errnos.
 */
int l1vmm_get_dirty_log(struct l1vmm_vm *vm, const struct kvm_dirty_log *log);
int l1vmm_clear_dirty_log(struct l1vmm_vm *vm, const struct kvm_clear_dirty_log *log);
int l1vmm_enable_manual_dirty_log(struct l1vmm_vm *vm, const struct kvm_enable_cap *cap);

/* The kernel wrote guest page @gfn through its user mapping: log it. */
void l1vmm_mark_page_dirty(struct l1vmm_vm *vm, u64 gfn);

#endif /* L1VMM_MMU_H */
