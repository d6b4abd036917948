// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest memory slots and the second-level page table filled on demand;
 * see mmu.h for the model and the lock order.
 *
 * A slot costs the same whatever its size: its metadata is one struct, an
 * entry in the sorted gfn index (slot_index.h) and a node in the interval
 * tree of user addresses that the notifier searches. Creating one maps
 * nothing; moving or deleting one unmaps what the guest touched.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "l1vmm/mmu.h"
#include "l1vmm/portable/limits.h"
#include "l1vmm/vcpu.h"
#include "l1vmm/vm.h"

static struct l1vmm_memslot *slot_by_gfn(struct l1vmm_mmu *mmu, u64 gfn)
{
	long i = l1vmm_slot_index_find(mmu->by_gfn, mmu->nr_slots, gfn);

	return i < 0 ? NULL : mmu->by_gfn[i].slot;
}

static unsigned long slot_hva_end(const struct l1vmm_memslot *slot)
{
	return slot->userspace_addr + (slot->npages << PAGE_SHIFT);
}

/*
 * Post a TLB flush to every vCPU and wait until none is left in the guest
 * with the old translations (l1vmm_vcpu_kick()). Runs from the notifier,
 * which cannot take vm->lock: the vCPUs are read under RCU, which a vCPU
 * that is taken back out of the array waits for (vcpu.c).
 */
static void flush_all_vcpus(struct l1vmm_vm *vm)
{
	unsigned int i, n;

	/* Unlocked, as KVM's counter of the same name: a statistic. */
	vm->stats.remote_tlb_flush_requests++;
	rcu_read_lock();
	n = min_t(unsigned int, READ_ONCE(vm->nr_vcpus), L1VMM_MAX_VCPUS);
	for (i = 0; i < n; i++) {
		struct l1vmm_vcpu *vcpu = READ_ONCE(vm->vcpus[i]);

		if (vcpu)
			l1vmm_vcpu_kick(vcpu, L1VMM_REQ_TLB_FLUSH);
	}
	rcu_read_unlock();
}

/* After the flush: no CPU can walk the tables an unmap freed. */
static void flush_and_free(struct l1vmm_vm *vm, bool flush, struct list_head *freed)
{
	if (flush || !list_empty(freed))
		flush_all_vcpus(vm);
	l1vmm_tdp_free_tables(freed);
}

/* Unmap what the guest touched of @slot; mmu->lock held. */
static bool slot_zap(struct l1vmm_vm *vm, struct l1vmm_memslot *slot, struct list_head *freed)
{
	lockdep_assert_held(&vm->mmu.lock);
	return l1vmm_tdp_unmap_range(&vm->tdp, slot->base_gfn, slot->npages, freed);
}

/*
 * The guest frames of @slot that user addresses [@start, @end) back, the
 * range overlapping the slot: the first in *@gfn, how many returned.
 */
static u64 slot_hva_gfns(const struct l1vmm_memslot *slot, unsigned long start,
			 unsigned long end, u64 *gfn)
{
	unsigned long from = max(start, slot->userspace_addr);
	unsigned long to = min(end, slot_hva_end(slot));

	*gfn = slot->base_gfn + ((from - slot->userspace_addr) >> PAGE_SHIFT);
	return slot->base_gfn + ((to - slot->userspace_addr + PAGE_SIZE - 1) >> PAGE_SHIFT) -
	       *gfn;
}

#define for_each_slot_over_hva(vm, node, start, end)					\
	for (node = interval_tree_iter_first(&(vm)->mmu.by_hva, start, (end) - 1); node;	\
	     node = interval_tree_iter_next(node, start, (end) - 1))

/*
 * Unmap the guest frames that user addresses [@start, @end) back, in every
 * slot over them; mmu->lock held. Returns whether a leaf went.
 */
static bool zap_hva_range(struct l1vmm_vm *vm, unsigned long start, unsigned long end,
			  struct list_head *freed)
{
	struct interval_tree_node *node;
	bool cleared = false;
	u64 gfn, n;

	lockdep_assert_held(&vm->mmu.lock);
	for_each_slot_over_hva(vm, node, start, end) {
		n = slot_hva_gfns(container_of(node, struct l1vmm_memslot, hva), start, end, &gfn);
		cleared |= l1vmm_tdp_unmap_range(&vm->tdp, gfn, n, freed);
	}
	return cleared;
}

/*
 * Page aging, as KVM's kvm_age_gfn() and kvm_test_age_gfn(): whether the
 * guest used a frame that user addresses [@start, @end) back since its
 * accessed bit was last cleared, clearing the bits when @clear. Reclaim
 * asks before it takes a page, so it keeps what the guest uses, as on
 * KVM; a mapped leaf starts out accessed.
 */
static bool age_hva_range(struct l1vmm_vm *vm, unsigned long start, unsigned long end,
			  bool clear)
{
	struct interval_tree_node *node;
	bool young = false;
	u64 gfn, n;

	spin_lock(&vm->mmu.lock);
	for_each_slot_over_hva(vm, node, start, end) {
		n = slot_hva_gfns(container_of(node, struct l1vmm_memslot, hva), start, end, &gfn);
		young |= l1vmm_tdp_age_range(&vm->tdp, gfn, n, clear);
		if (young && !clear)
			break;
	}
	spin_unlock(&vm->mmu.lock);
	return young;
}

static struct l1vmm_vm *notifier_vm(struct mmu_notifier *mn)
{
	return container_of(mn, struct l1vmm_vm, mmu.notifier);
}

/*
 * The mm is about to change [start, end): unmap it, and flush, before the
 * pages go (KVM's kvm_mmu_notifier_invalidate_range_start()). Faults that
 * looked a page up before this retry, until the matching end. Never
 * sleeps: it also serves the callers that cannot block (the OOM reaper).
 */
static int mmu_invalidate_range_start(struct mmu_notifier *mn,
				      const struct mmu_notifier_range *range)
{
	struct l1vmm_vm *vm = notifier_vm(mn);
	LIST_HEAD(freed);
	bool flush;

	spin_lock(&vm->mmu.lock);
	vm->mmu.invalidate_in_progress++;
	flush = zap_hva_range(vm, range->start, range->end, &freed);
	spin_unlock(&vm->mmu.lock);
	flush_and_free(vm, flush, &freed);
	return 0;
}

static void mmu_invalidate_range_end(struct mmu_notifier *mn,
				     const struct mmu_notifier_range *range)
{
	struct l1vmm_vm *vm = notifier_vm(mn);

	spin_lock(&vm->mmu.lock);
	vm->mmu.invalidate_seq++;
	if (!WARN_ON_ONCE(!vm->mmu.invalidate_in_progress))
		vm->mmu.invalidate_in_progress--;
	spin_unlock(&vm->mmu.lock);
}

/* The mm is going away (exit, or the last VM file closed): unmap it all. */
static void mmu_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct l1vmm_vm *vm = notifier_vm(mn);
	LIST_HEAD(freed);
	bool flush = false;
	unsigned long i;

	spin_lock(&vm->mmu.lock);
	for (i = 0; i < vm->mmu.nr_slots; i++)
		flush |= slot_zap(vm, vm->mmu.by_gfn[i].slot, &freed);
	vm->mmu.invalidate_seq++;
	spin_unlock(&vm->mmu.lock);
	flush_and_free(vm, flush, &freed);
}

/*
 * Called with the VMM's page-table lock held (a spinlock): the flush
 * waits for the vCPUs, never sleeps. It makes a vCPU walk the tables
 * again on its next use, which sets the bit again (a cached translation
 * does not), as KVM flushes here.
 */
static int mmu_clear_flush_young(struct mmu_notifier *mn, struct mm_struct *mm,
				 unsigned long start, unsigned long end)
{
	struct l1vmm_vm *vm = notifier_vm(mn);
	bool young = age_hva_range(vm, start, end, true);

	if (young)
		flush_all_vcpus(vm);
	return young;
}

/* As KVM's: without the flush (MGLRU, idle page tracking). */
static int mmu_clear_young(struct mmu_notifier *mn, struct mm_struct *mm, unsigned long start,
			   unsigned long end)
{
	return age_hva_range(notifier_vm(mn), start, end, true);
}

static int mmu_test_young(struct mmu_notifier *mn, struct mm_struct *mm, unsigned long address)
{
	return age_hva_range(notifier_vm(mn), address, address + 1, false);
}

static const struct mmu_notifier_ops mmu_notifier_ops = {
	.invalidate_range_start	= mmu_invalidate_range_start,
	.invalidate_range_end	= mmu_invalidate_range_end,
	.clear_flush_young	= mmu_clear_flush_young,
	.clear_young		= mmu_clear_young,
	.test_young		= mmu_test_young,
	.release		= mmu_release,
};

int l1vmm_mmu_init(struct l1vmm_vm *vm)
{
	struct l1vmm_mmu *mmu = &vm->mmu;
	int r;

	spin_lock_init(&mmu->lock);
	xa_init(&mmu->by_id);
	mmu->by_hva = RB_ROOT_CACHED;
	mmu->notifier.ops = &mmu_notifier_ops;
	r = mmu_notifier_register(&mmu->notifier, vm->mm);
	if (r)
		return r;
	mmu->registered = true;
	return 0;
}

void l1vmm_mmu_destroy(struct l1vmm_vm *vm)
{
	struct l1vmm_mmu *mmu = &vm->mmu;
	struct l1vmm_memslot *slot;
	unsigned long id;

	/* After this no callback runs; it calls mmu_release() if exit has not. */
	if (mmu->registered)
		mmu_notifier_unregister(&mmu->notifier, vm->mm);
	mmu->registered = false;
	xa_for_each(&mmu->by_id, id, slot) {
		kvfree(slot->dirty_bitmap);
		kfree(slot);
	}
	xa_destroy(&mmu->by_id);
	kvfree(mmu->by_gfn);
	mmu->by_gfn = NULL;
	mmu->nr_slots = 0;
	l1vmm_tdp_cache_free(&mmu->cache);
}

/*
 * Room for one more slot in the gfn index; vm->lock held. A larger array
 * is filled and swapped in under mmu->lock, the old one freed after.
 */
static int index_reserve(struct l1vmm_vm *vm)
{
	struct l1vmm_mmu *mmu = &vm->mmu;
	struct l1vmm_gfn_range *old, *new;
	unsigned long room;

	lockdep_assert_held(&vm->lock);
	if (mmu->nr_slots < mmu->room)
		return 0;
	room = min_t(unsigned long, max(8UL, mmu->room * 2), L1VMM_MAX_MEMSLOTS);
	new = kvmalloc_array(room, sizeof(*new), GFP_KERNEL_ACCOUNT);
	if (!new)
		return -ENOMEM;
	spin_lock(&mmu->lock);
	old = mmu->by_gfn;
	if (mmu->nr_slots)
		memcpy(new, old, mmu->nr_slots * sizeof(*new));
	mmu->by_gfn = new;
	mmu->room = room;
	spin_unlock(&mmu->lock);
	kvfree(old);
	return 0;
}

/* Put @slot in both indexes; mmu->lock held, room reserved. */
static void index_add(struct l1vmm_mmu *mmu, struct l1vmm_memslot *slot)
{
	struct l1vmm_gfn_range e = {
		.base_gfn = slot->base_gfn, .npages = slot->npages, .slot = slot,
	};

	mmu->nr_slots = l1vmm_slot_index_insert(mmu->by_gfn, mmu->nr_slots, &e);
	slot->hva.start = slot->userspace_addr;
	slot->hva.last = slot_hva_end(slot) - 1;
	interval_tree_insert(&slot->hva, &mmu->by_hva);
}

static void index_del(struct l1vmm_mmu *mmu, struct l1vmm_memslot *slot)
{
	long i = l1vmm_slot_index_find(mmu->by_gfn, mmu->nr_slots, slot->base_gfn);

	if (!WARN_ON_ONCE(i < 0 || mmu->by_gfn[i].slot != slot))
		mmu->nr_slots = l1vmm_slot_index_remove(mmu->by_gfn, mmu->nr_slots, i);
	interval_tree_remove(&slot->hva, &mmu->by_hva);
}

/* The bytes of a slot's dirty bitmap, as KVM's kvm_dirty_bitmap_bytes(). */
static unsigned long dirty_bitmap_bytes(u64 npages)
{
	return ALIGN(npages, BITS_PER_LONG) / 8;
}

/*
 * A dirty bitmap for @npages pages and its copy, as KVM allocates it: all
 * set when user space asked for KVM_DIRTY_LOG_INITIALLY_SET (the pages
 * are then write-protected by KVM_CLEAR_DIRTY_LOG, not here). vm->lock.
 */
static unsigned long *dirty_bitmap_alloc(struct l1vmm_vm *vm, u64 npages)
{
	unsigned long *bitmap;

	lockdep_assert_held(&vm->lock);
	bitmap = kvcalloc(2, dirty_bitmap_bytes(npages), GFP_KERNEL_ACCOUNT);
	if (bitmap && (vm->mmu.manual_dirty_log_protect & KVM_DIRTY_LOG_INITIALLY_SET))
		bitmap_set(bitmap, 0, npages);
	return bitmap;
}

static int slot_create(struct l1vmm_vm *vm, const struct kvm_userspace_memory_region2 *mem)
{
	struct l1vmm_mmu *mmu = &vm->mmu;
	struct l1vmm_memslot *slot;
	int r;

	r = index_reserve(vm);
	if (r)
		return r;
	slot = kzalloc(sizeof(*slot), GFP_KERNEL_ACCOUNT);
	if (!slot)
		return -ENOMEM;
	if (mem->flags & KVM_MEM_LOG_DIRTY_PAGES) {
		slot->dirty_bitmap = dirty_bitmap_alloc(vm, mem->memory_size >> PAGE_SHIFT);
		if (!slot->dirty_bitmap) {
			kfree(slot);
			return -ENOMEM;
		}
	}
	slot->id = mem->slot;
	slot->flags = mem->flags;
	slot->base_gfn = mem->guest_phys_addr >> PAGE_SHIFT;
	slot->npages = mem->memory_size >> PAGE_SHIFT;
	slot->userspace_addr = mem->userspace_addr;
	r = xa_err(xa_store(&mmu->by_id, slot->id, slot, GFP_KERNEL_ACCOUNT));
	if (r) {
		kvfree(slot->dirty_bitmap);
		kfree(slot);
		return r;
	}
	spin_lock(&mmu->lock);
	index_add(mmu, slot);
	spin_unlock(&mmu->lock);
	return 0;
}

/*
 * Take @slot out of the guest's view: out of the indexes when @gfn is
 * ~0 (delete), else moved to @gfn. Faults that looked it up retry
 * (invalidate_seq), and no vCPU keeps a translation of it.
 */
static void slot_remap(struct l1vmm_vm *vm, struct l1vmm_memslot *slot, u64 gfn)
{
	struct l1vmm_mmu *mmu = &vm->mmu;
	LIST_HEAD(freed);
	bool flush;

	spin_lock(&mmu->lock);
	index_del(mmu, slot);
	flush = slot_zap(vm, slot, &freed);
	if (gfn != ~0ull) {
		slot->base_gfn = gfn;
		index_add(mmu, slot);
	}
	mmu->invalidate_seq++;
	spin_unlock(&mmu->lock);
	flush_and_free(vm, flush, &freed);
}

/*
 * A slot that stays: moved to @gfn (unmapped, as slot_remap()) and/or with
 * dirty logging turned on or off (KVM's KVM_MR_MOVE, KVM_MR_FLAGS_ONLY).
 * A slot that keeps logging keeps its bitmap, as in KVM. Turning logging
 * on or off unmaps what the guest mapped, and flushes: with logging a
 * page is mapped 4 KiB and writable only once logged, without it large
 * pages come back.
 */
static int slot_update(struct l1vmm_vm *vm, struct l1vmm_memslot *slot, u64 gfn, u32 flags)
{
	bool log = flags & KVM_MEM_LOG_DIRTY_PAGES;
	unsigned long *bitmap = NULL, *old_bitmap = NULL;
	struct l1vmm_mmu *mmu = &vm->mmu;
	LIST_HEAD(freed);
	bool flush = false;

	if (log && !slot->dirty_bitmap) {
		bitmap = dirty_bitmap_alloc(vm, slot->npages);
		if (!bitmap)
			return -ENOMEM;
	}
	if (gfn != slot->base_gfn)
		slot_remap(vm, slot, gfn);

	spin_lock(&mmu->lock);
	if (log != !!slot->dirty_bitmap)
		flush = slot_zap(vm, slot, &freed);
	slot->flags = flags;
	if (!log) {
		old_bitmap = slot->dirty_bitmap;
		slot->dirty_bitmap = NULL;
	} else if (bitmap) {
		slot->dirty_bitmap = bitmap;
	}
	spin_unlock(&mmu->lock);
	flush_and_free(vm, flush, &freed);
	kvfree(old_bitmap);
	return 0;
}

/*
 * Errors as in KVM's __kvm_set_memory_region(), in its order. Address
 * space 0 only: bits 31:16 of the slot name another, and l1vmm has no SMM
 * (KVM_CAP_MULTI_ADDRESS_SPACE is 0).
 */
/* KVM's KVM_MIN_ALLOC_MMU_PAGES and KVM_MEMSLOT_PAGES_TO_MMU_PAGES_RATIO. */
#define MIN_MMU_PAGES			64UL
#define SLOT_PAGES_PER_MMU_PAGE		50

/*
 * A slot was created or deleted: KVM's kvm_arch_commit_memory_region()
 * sets the limit from the pages of all slots, unless user space set one.
 * l1vmm's nested tables have no such limit (neither has KVM's TDP MMU):
 * the number is reported, not enforced. vm->lock held.
 */
static void slot_pages_changed(struct l1vmm_vm *vm, s64 delta)
{
	struct l1vmm_mmu *mmu = &vm->mmu;

	lockdep_assert_held(&vm->lock);
	mmu->slot_pages += delta;
	if (!mmu->requested_mmu_pages)
		mmu->max_mmu_pages = max_t(unsigned long,
					   div_u64(mmu->slot_pages, SLOT_PAGES_PER_MMU_PAGE),
					   MIN_MMU_PAGES);
}

int l1vmm_set_nr_mmu_pages(struct l1vmm_vm *vm, unsigned long nr)
{
	if (nr < MIN_MMU_PAGES)
		return -EINVAL;
	mutex_lock(&vm->lock);
	vm->mmu.requested_mmu_pages = nr;
	vm->mmu.max_mmu_pages = nr;
	mutex_unlock(&vm->lock);
	return 0;
}

unsigned long l1vmm_get_nr_mmu_pages(struct l1vmm_vm *vm)
{
	return READ_ONCE(vm->mmu.max_mmu_pages);
}

int l1vmm_set_memory_region(struct l1vmm_vm *vm, const struct kvm_userspace_memory_region2 *mem)
{
	u64 gfn = mem->guest_phys_addr >> PAGE_SHIFT;
	u64 npages = mem->memory_size >> PAGE_SHIFT;
	struct l1vmm_memslot *old;
	u32 id = mem->slot;
	int r;

	/* No guest_memfd (KVM without it says the same). */
	if (mem->flags & ~(KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY))
		return -EINVAL;
	if (id >= L1VMM_MAX_MEMSLOTS)
		return -EINVAL;
	if (!PAGE_ALIGNED(mem->memory_size) || !PAGE_ALIGNED(mem->guest_phys_addr) ||
	    !PAGE_ALIGNED(mem->userspace_addr))
		return -EINVAL;
	if (mem->memory_size &&
	    !access_ok((void __user *)(unsigned long)mem->userspace_addr, mem->memory_size))
		return -EINVAL;
	if (mem->guest_phys_addr + mem->memory_size < mem->guest_phys_addr)
		return -EINVAL;
	if (npages > L1VMM_MAX_SLOT_PAGES)
		return -EINVAL;

	mutex_lock(&vm->lock);
	old = xa_load(&vm->mmu.by_id, id);

	if (!npages) {
		r = -EINVAL;
		if (!old)
			goto out;
		slot_remap(vm, old, ~0ull);
		xa_erase(&vm->mmu.by_id, id);
		slot_pages_changed(vm, -(s64)old->npages);
		kvfree(old->dirty_bitmap);
		kfree(old);
		r = 0;
		goto out;
	}

	if (old) {
		r = -EINVAL;
		if (old->npages != npages || old->userspace_addr != mem->userspace_addr ||
		    ((old->flags ^ mem->flags) & KVM_MEM_READONLY))
			goto out;
		r = 0;
		if (old->base_gfn == gfn && old->flags == mem->flags)
			goto out;	/* nothing changes */
	}

	r = -EEXIST;
	if (l1vmm_slot_index_overlaps(vm->mmu.by_gfn, vm->mmu.nr_slots, gfn, npages, old))
		goto out;
	/* Below MAXPHYADDR, as KVM bounds new and moved slots (kvm_mmu_max_gfn()). */
	r = -EINVAL;
	if ((gfn + npages - 1) >> (l1vmm_tdp_gpa_bits() - PAGE_SHIFT))
		goto out;

	if (old)
		r = slot_update(vm, old, gfn, mem->flags);
	else
		r = slot_create(vm, mem);
	if (!old && !r)
		slot_pages_changed(vm, npages);
out:
	mutex_unlock(&vm->lock);
	return r;
}

/*
 * The page at @hva, referenced, for a fault that @write's or not; a
 * writable mapping when the caller may map it so (@may_write) and user
 * space can write it already. As KVM's hva_to_pfn(): a read maps a page
 * that user space can write writable when it is there without a fault,
 * else the page as it is (the shared zero page, say) read-only; user
 * space's later write replaces it through the notifier.
 */
static int hva_to_page(unsigned long hva, bool write, bool may_write, struct page **page,
		       bool *writable)
{
	long n;

	*writable = write;
	if (may_write && get_user_page_fast_only(hva, FOLL_WRITE, page)) {
		*writable = true;
		return 0;
	}
	n = get_user_pages_unlocked(hva, 1, page, FOLL_HWPOISON | (write ? FOLL_WRITE : 0));
	if (n == 1)
		return 0;
	/* As KVM: SIGBUS for a poisoned page, then back to the run loop. */
	if (n == -EHWPOISON) {
		send_sig_mceerr(BUS_MCEERR_AR, (void __user *)hva, PAGE_SHIFT, current);
		return -EHWPOISON;
	}
	return -EFAULT;
}

/*
 * The size the VMM maps @hva with, as KVM's host_pfn_mapping_level(): 3
 * for a 1 GiB page (hugetlbfs), 2 for a 2 MiB one (THP, hugetlbfs), else
 * 1. Read without a lock, as GUP-fast reads (IRQs off keep the tables
 * from being freed); the caller holds mmu->lock with no invalidation since
 * its look-up, so what it reads is what the notifier will tell it about
 * when it changes.
 */
static int host_mapping_level(struct mm_struct *mm, unsigned long hva)
{
	unsigned long flags;
	int level = 1;
	pgd_t pgd;
	p4d_t p4d;
	pud_t pud;
	pmd_t pmd;

	local_irq_save(flags);
	pgd = READ_ONCE(*pgd_offset(mm, hva));
	if (pgd_none(pgd))
		goto out;
	p4d = READ_ONCE(*p4d_offset(&pgd, hva));
	if (p4d_none(p4d) || !p4d_present(p4d))
		goto out;
	pud = READ_ONCE(*pud_offset(&p4d, hva));
	if (pud_none(pud) || !pud_present(pud))
		goto out;
	if (pud_large(pud)) {
		level = 3;
		goto out;
	}
	pmd = READ_ONCE(*pmd_offset(&pud, hva));
	if (pmd_present(pmd) && pmd_large(pmd))
		level = 2;
out:
	local_irq_restore(flags);
	return level;
}

/*
 * The largest nested leaf that may map @gfn of @slot (at @hva), as KVM's
 * kvm_mmu_max_mapping_level(): what the format has, no larger than the
 * VMM's own page, at the same offset in a page of that size in guest and
 * user addresses with all of it in the slot, and 4 KiB on a logged slot
 * (dirty logging counts 4 KiB pages). mmu->lock held, after the retry
 * check.
 */
static int fault_level(struct l1vmm_vm *vm, const struct l1vmm_memslot *slot, u64 gfn,
		       unsigned long hva)
{
	const struct l1vmm_tdp_format *f = vm->tdp.format;
	int level;

	lockdep_assert_held(&vm->mmu.lock);
	if (!f->large || f->max_leaf_level < 2 || slot->dirty_bitmap)
		return 1;
	level = l1vmm_slot_max_leaf_level(slot->base_gfn, slot->npages,
					  slot->userspace_addr >> PAGE_SHIFT, gfn,
					  min(f->max_leaf_level, L1VMM_TDP_MAX_LEAF_LEVEL));
	if (level > 1)
		level = min(level, host_mapping_level(vm->mm, hva));
	return level;
}

int l1vmm_tdp_fault(struct l1vmm_vcpu *vcpu, u64 gpa, bool write)
{
	struct l1vmm_vm *vm = vcpu->vm;
	struct l1vmm_mmu *mmu = &vm->mmu;
	u64 gfn = gpa >> PAGE_SHIFT;
	struct l1vmm_memslot *slot;
	unsigned long hva, seq;
	bool readonly, writable;
	struct page *page;
	int level, r;

	spin_lock(&mmu->lock);
	slot = slot_by_gfn(mmu, gfn);
	if (!slot || (write && (slot->flags & KVM_MEM_READONLY))) {
		spin_unlock(&mmu->lock);
		return 0;
	}
	hva = slot->userspace_addr + ((gfn - slot->base_gfn) << PAGE_SHIFT);
	readonly = slot->flags & KVM_MEM_READONLY;
	seq = mmu->invalidate_seq;
	r = l1vmm_tdp_cache_topup(&mmu->cache, &mmu->lock);
	spin_unlock(&mmu->lock);
	if (r)
		return r;

	r = hva_to_page(hva, write, !readonly, &page, &writable);
	if (r == -EHWPOISON)
		return 1;	/* the signal pending ends KVM_RUN with -EINTR */
	if (r)
		return r;

	spin_lock(&mmu->lock);
	/* An invalidation since the lookup may have unmapped this page: retry. */
	if (!mmu->invalidate_in_progress && mmu->invalidate_seq == seq) {
		/*
		 * Dirty logging: writable only for a write, logged before the
		 * guest can make it. An unchanged count says @slot is still
		 * there (deleting one counts); its logging is read now, after
		 * any change of flags that raced the look-up.
		 */
		if (slot->dirty_bitmap) {
			writable = write;
			if (write)
				set_bit(gfn - slot->base_gfn, slot->dirty_bitmap);
		}
		/*
		 * A large page behind a large enough part of the slot: map it
		 * whole, or smaller where tables of smaller leaves already are.
		 */
		for (level = fault_level(vm, slot, gfn, hva); ; level--) {
			u64 pages = L1VMM_TDP_LEVEL_PAGES(level);

			r = l1vmm_tdp_map_cached(&vm->tdp, round_down(gfn, pages),
						 round_down(page_to_pfn(page), pages), writable,
						 level, &mmu->cache);
			if (r != -EEXIST || level == 1)
				break;
		}
		/* A leaf was there: a stale translation may have faulted. */
		if (r > 0)
			set_bit(L1VMM_REQ_TLB_FLUSH, &vcpu->requests);
	}
	spin_unlock(&mmu->lock);
	/* The notifier, not a reference, keeps the mapping right from here. */
	put_page(page);
	/* Out of cached tables (another vCPU took them): fault again. */
	return 1;
}

int l1vmm_gfn_to_hva(struct l1vmm_vm *vm, u64 gfn, bool write, unsigned long *hva)
{
	struct l1vmm_memslot *slot;
	int r = 0;

	spin_lock(&vm->mmu.lock);
	slot = slot_by_gfn(&vm->mmu, gfn);
	if (!slot)
		r = -EFAULT;
	else if (write && (slot->flags & KVM_MEM_READONLY))
		r = -EPERM;
	else
		*hva = slot->userspace_addr + ((gfn - slot->base_gfn) << PAGE_SHIFT);
	spin_unlock(&vm->mmu.lock);
	return r;
}

bool l1vmm_gfn_backed(struct l1vmm_vm *vm, u64 gfn, bool write)
{
	unsigned long hva;

	return !l1vmm_gfn_to_hva(vm, gfn, write, &hva);
}

void l1vmm_mark_page_dirty(struct l1vmm_vm *vm, u64 gfn)
{
	struct l1vmm_memslot *slot;

	spin_lock(&vm->mmu.lock);
	slot = slot_by_gfn(&vm->mmu, gfn);
	if (slot && slot->dirty_bitmap)
		set_bit(gfn - slot->base_gfn, slot->dirty_bitmap);
	spin_unlock(&vm->mmu.lock);
}

/*
 * Write-protect the pages of @slot whose bits are set in @mask, the bitmap
 * word of pages @offset to @offset + 63 (KVM's
 * kvm_arch_mmu_enable_log_dirty_pt_masked()); mmu->lock held.
 */
static void write_protect_mask(struct l1vmm_vm *vm, struct l1vmm_memslot *slot, u64 offset,
			       unsigned long mask)
{
	lockdep_assert_held(&vm->mmu.lock);
	while (mask) {
		unsigned int first = __ffs(mask);
		unsigned long rest = mask >> first;
		unsigned int n = ~rest ? __ffs(~rest) : BITS_PER_LONG - first;

		l1vmm_tdp_write_protect_range(&vm->tdp, slot->base_gfn + offset + first, n);
		mask = first + n < BITS_PER_LONG ? mask & ~GENMASK(first + n - 1, 0) : 0;
	}
}

/* KVM_ADDRESS_SPACE_NUM on x86: address space 1 (SMM) has no slots here. */
#define KVM_X86_ADDRESS_SPACES	2

/*
 * The slot that KVM_GET/CLEAR_DIRTY_LOG name, vm->lock held: -EINVAL for
 * an id KVM never has, -ENOENT for none or one without logging.
 */
static int dirty_log_slot_id_check(u32 id)
{
	return (id >> 16) >= KVM_X86_ADDRESS_SPACES || (u16)id >= L1VMM_MAX_MEMSLOTS ?
	       -EINVAL : 0;
}

static struct l1vmm_memslot *dirty_log_slot(struct l1vmm_vm *vm, u32 id)
{
	struct l1vmm_memslot *slot;

	lockdep_assert_held(&vm->lock);
	slot = id >> 16 ? NULL : xa_load(&vm->mmu.by_id, id);
	return slot && slot->dirty_bitmap ? slot : NULL;
}

/*
 * As KVM's kvm_get_dirty_log_protect(): without manual protection, take
 * each word of the bitmap, write-protect its pages, flush every vCPU's
 * TLB, and only then give the words to user space, so that a write after
 * the answer faults and is logged for the next one. With it, copy the
 * bitmap as it is; KVM_CLEAR_DIRTY_LOG protects.
 */
int l1vmm_get_dirty_log(struct l1vmm_vm *vm, const struct kvm_dirty_log *log)
{
	struct l1vmm_mmu *mmu = &vm->mmu;
	unsigned long *bitmap, *buf, n, i;
	struct l1vmm_memslot *slot;
	bool flush = false;
	int r;

	r = dirty_log_slot_id_check(log->slot);
	if (r)
		return r;
	mutex_lock(&vm->lock);
	slot = dirty_log_slot(vm, log->slot);
	r = -ENOENT;
	if (!slot)
		goto out;
	n = dirty_bitmap_bytes(slot->npages);
	bitmap = slot->dirty_bitmap;
	buf = bitmap;
	if (!mmu->manual_dirty_log_protect) {
		buf = bitmap + n / sizeof(long);
		memset(buf, 0, n);
		spin_lock(&mmu->lock);
		for (i = 0; i < n / sizeof(long); i++) {
			if (!READ_ONCE(bitmap[i]))
				continue;
			flush = true;
			buf[i] = xchg(&bitmap[i], 0);
			write_protect_mask(vm, slot, i * BITS_PER_LONG, buf[i]);
		}
		spin_unlock(&mmu->lock);
	}
	if (flush)
		flush_all_vcpus(vm);
	r = copy_to_user(log->dirty_bitmap, buf, n) ? -EFAULT : 0;
out:
	mutex_unlock(&vm->lock);
	return r;
}

/*
 * As KVM's kvm_clear_dirty_log_protect(): clear the bits user space names
 * that are set, write-protect those pages, flush. The range starts on a
 * 64-page boundary and is a multiple of 64 pages unless it ends the slot.
 */
int l1vmm_clear_dirty_log(struct l1vmm_vm *vm, const struct kvm_clear_dirty_log *log)
{
	struct l1vmm_mmu *mmu = &vm->mmu;
	unsigned long *bitmap, *buf, i, words;
	struct l1vmm_memslot *slot;
	bool flush = false;
	u64 offset;
	int r;

	r = dirty_log_slot_id_check(log->slot);
	if (r)
		return r;
	if (log->first_page & 63)
		return -EINVAL;
	mutex_lock(&vm->lock);
	slot = dirty_log_slot(vm, log->slot);
	r = -ENOENT;
	if (!slot)
		goto out;
	r = -EINVAL;
	if (log->first_page > slot->npages || log->num_pages > slot->npages - log->first_page ||
	    (log->num_pages < slot->npages - log->first_page && (log->num_pages & 63)))
		goto out;
	bitmap = slot->dirty_bitmap;
	buf = bitmap + dirty_bitmap_bytes(slot->npages) / sizeof(long);
	r = -EFAULT;
	if (copy_from_user(buf, log->dirty_bitmap, ALIGN(log->num_pages, BITS_PER_LONG) / 8))
		goto out;
	r = 0;
	spin_lock(&mmu->lock);
	words = DIV_ROUND_UP(log->num_pages, BITS_PER_LONG);
	for (i = 0, offset = log->first_page; i < words; i++, offset += BITS_PER_LONG) {
		atomic_long_t *word = (atomic_long_t *)&bitmap[offset / BITS_PER_LONG];
		unsigned long mask = buf[i];

		if (!mask)
			continue;
		/* Only the bits that were set: none past the slot's end. */
		mask &= atomic_long_fetch_andnot(mask, word);
		if (mask) {
			flush = true;
			write_protect_mask(vm, slot, offset, mask);
		}
	}
	spin_unlock(&mmu->lock);
	if (flush)
		flush_all_vcpus(vm);
out:
	mutex_unlock(&vm->lock);
	return r;
}

/* As KVM: INITIALLY_SET only with MANUAL_PROTECT_ENABLE; 0 turns both off. */
int l1vmm_enable_manual_dirty_log(struct l1vmm_vm *vm, const struct kvm_enable_cap *cap)
{
	u64 allowed = KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE;

	if (cap->args[0] & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE)
		allowed = L1VMM_DIRTY_LOG_MANUAL_CAPS;
	if (cap->flags || (cap->args[0] & ~allowed))
		return -EINVAL;
	mutex_lock(&vm->lock);
	vm->mmu.manual_dirty_log_protect = cap->args[0];
	mutex_unlock(&vm->lock);
	return 0;
}
