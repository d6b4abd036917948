// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VM file: memory slots, nested page tables built from them, vCPU
 * creation.
 *
 * Memory slots are pinned while they exist (pin_user_pages, FOLL_LONGTERM)
 * and mapped into the TDP table at once: no nested page fault is needed for
 * memory that exists, and the guest can reach nothing else. Removing a slot
 * unmaps it, kicks every vCPU out of the guest with a TLB flush pending,
 * and only then unpins the pages.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/tsc.h>

#include "l1vmm/caps.h"
#include "l1vmm/exit.h"
#include "l1vmm/hw.h"
#include "l1vmm/kvmclock.h"
#include "l1vmm/msr_user.h"
#include "l1vmm/tdp.h"
#include "l1vmm/vm.h"

static void vm_free(struct l1vmm_vm *vm);

void l1vmm_vm_put(struct l1vmm_vm *vm)
{
	if (refcount_dec_and_test(&vm->users))
		vm_free(vm);
}

/*
 * Unmap a slot and free the tables it leaves empty. No vCPU may use a
 * stale translation, or walk a freed table, once the pages go back: each
 * leaves the guest (the kick waits for that) and flushes before it enters
 * again.
 */
static void slot_unmap(struct l1vmm_vm *vm, struct l1vmm_memslot *slot)
{
	LIST_HEAD(freed);
	unsigned int i;

	lockdep_assert_held(&vm->lock);
	l1vmm_tdp_unmap_range(&vm->tdp, slot->base_gfn, slot->npages, &freed);
	vm->stats.remote_tlb_flush_requests++;
	for (i = 0; i < vm->nr_vcpus; i++)
		l1vmm_vcpu_kick(vm->vcpus[i], L1VMM_REQ_TLB_FLUSH);
	l1vmm_tdp_free_tables(&freed);
}

static int slot_map(struct l1vmm_vm *vm, struct l1vmm_memslot *slot)
{
	bool writable = !(slot->flags & KVM_MEM_READONLY);
	u64 n;
	int r;

	for (n = 0; n < slot->npages; n++) {
		r = l1vmm_tdp_map(&vm->tdp, slot->base_gfn + n,
				  page_to_pfn(slot->pages[n]), writable);
		if (r) {
			slot_unmap(vm, slot);
			return r;
		}
	}
	return 0;
}

static void slot_free(struct l1vmm_memslot *slot)
{
	/* The guest (and l1vmm's emulation) may have written any of them. */
	unpin_user_pages_dirty_lock(slot->pages, slot->npages,
				    !(slot->flags & KVM_MEM_READONLY));
	kvfree(slot->pages);
	kfree(slot);
}

/*
 * Pin @npages user pages for a slot. Pages are pinned for writing even for
 * a read-only slot when the mapping allows it: that breaks copy-on-write
 * now, so that user space's later writes land in the very pages the guest
 * reads (a page pinned for reading, such as the shared zero page, would be
 * replaced in user space by the first write and the guest would not see
 * it). A mapping user space cannot write is pinned for reading.
 */
static long slot_pin(unsigned long uaddr, u64 npages, bool readonly, struct page **pages)
{
	u64 pinned = 0;
	long r;

	while (pinned < npages) {
		r = pin_user_pages_fast(uaddr + (pinned << PAGE_SHIFT),
					min_t(u64, npages - pinned, INT_MAX),
					FOLL_LONGTERM | FOLL_WRITE, pages + pinned);
		if (r <= 0 && readonly)
			r = pin_user_pages_fast(uaddr + (pinned << PAGE_SHIFT), 1,
						FOLL_LONGTERM, pages + pinned);
		if (r <= 0) {
			unpin_user_pages(pages, pinned);
			return r ? r : -EFAULT;
		}
		pinned += r;
	}
	return 0;
}

static struct l1vmm_memslot *slot_create(const struct kvm_userspace_memory_region *mem)
{
	struct l1vmm_memslot *slot;
	long r;

	slot = kzalloc(sizeof(*slot), GFP_KERNEL_ACCOUNT);
	if (!slot)
		return ERR_PTR(-ENOMEM);
	slot->id = mem->slot;
	slot->flags = mem->flags;
	slot->base_gfn = mem->guest_phys_addr >> PAGE_SHIFT;
	slot->npages = mem->memory_size >> PAGE_SHIFT;
	slot->userspace_addr = mem->userspace_addr;
	slot->pages = kvcalloc(slot->npages, sizeof(*slot->pages), GFP_KERNEL_ACCOUNT);
	if (!slot->pages) {
		kfree(slot);
		return ERR_PTR(-ENOMEM);
	}

	r = slot_pin(slot->userspace_addr, slot->npages, mem->flags & KVM_MEM_READONLY,
		     slot->pages);
	if (r) {
		kvfree(slot->pages);
		kfree(slot);
		return ERR_PTR(r);
	}
	return slot;
}

static bool slot_overlaps(struct l1vmm_vm *vm, u16 id, u64 gfn, u64 npages)
{
	unsigned int i;

	for (i = 0; i < L1VMM_MAX_MEMSLOTS; i++) {
		struct l1vmm_memslot *s = vm->slots[i];

		if (s && s->id != id && gfn < s->base_gfn + s->npages &&
		    s->base_gfn < gfn + npages)
			return true;
	}
	return false;
}

/*
 * KVM_SET_USER_MEMORY_REGION: create, move (same size and user address, new
 * guest address) or delete (size 0) a slot. Errors as in KVM.
 */
static int vm_set_memory_region(struct l1vmm_vm *vm,
				const struct kvm_userspace_memory_region *mem)
{
	u64 gfn = mem->guest_phys_addr >> PAGE_SHIFT;
	u64 npages = mem->memory_size >> PAGE_SHIFT;
	struct l1vmm_memslot *old, *new;
	u16 id = mem->slot;
	int r;

	if (mem->flags & ~KVM_MEM_READONLY)
		return -EINVAL;
	/* Address space 0 only (bits 31:16 of slot). */
	if (mem->slot >= L1VMM_MAX_MEMSLOTS)
		return -EINVAL;
	if (!PAGE_ALIGNED(mem->memory_size) || !PAGE_ALIGNED(mem->guest_phys_addr) ||
	    !PAGE_ALIGNED(mem->userspace_addr))
		return -EINVAL;
	/* Below MAXPHYADDR, as KVM bounds slots (its kvm_mmu_max_gfn()). */
	if (npages > L1VMM_MAX_SLOT_PAGES ||
	    mem->guest_phys_addr + mem->memory_size < mem->guest_phys_addr ||
	    (npages && (mem->guest_phys_addr + mem->memory_size - 1) >> l1vmm_tdp_gpa_bits()))
		return -EINVAL;
	if (mem->memory_size &&
	    !access_ok((void __user *)(unsigned long)mem->userspace_addr, mem->memory_size))
		return -EINVAL;

	mutex_lock(&vm->lock);
	old = vm->slots[id];

	if (!npages) {
		r = -EINVAL;
		if (!old)
			goto out;
		slot_unmap(vm, old);
		vm->slots[id] = NULL;
		slot_free(old);
		r = 0;
		goto out;
	}

	if (old) {
		r = -EINVAL;
		if (old->npages != npages || old->userspace_addr != mem->userspace_addr ||
		    ((old->flags ^ mem->flags) & KVM_MEM_READONLY))
			goto out;
		r = 0;
		if (old->base_gfn == gfn)
			goto out;	/* nothing changes */
	}

	r = -EEXIST;
	if (slot_overlaps(vm, id, gfn, npages))
		goto out;

	if (old) {
		/* Move: keep the pinned pages, map them at the new address. */
		slot_unmap(vm, old);
		old->base_gfn = gfn;
		r = slot_map(vm, old);
		if (r) {
			vm->slots[id] = NULL;
			slot_free(old);
		}
		goto out;
	}

	new = slot_create(mem);
	if (IS_ERR(new)) {
		r = PTR_ERR(new);
		goto out;
	}
	r = slot_map(vm, new);
	if (r) {
		slot_free(new);
		goto out;
	}
	vm->slots[id] = new;
out:
	mutex_unlock(&vm->lock);
	return r;
}

static long vm_ioctl(struct file *filp, unsigned int ioctl, unsigned long arg)
{
	struct l1vmm_vm *vm = filp->private_data;
	void __user *argp = (void __user *)arg;

	/* As in KVM: a VM is used from the process that created it. */
	if (vm->mm != current->mm)
		return -EIO;

	switch (ioctl) {
	case KVM_SET_USER_MEMORY_REGION: {
		struct kvm_userspace_memory_region mem;

		if (copy_from_user(&mem, argp, sizeof(mem)))
			return -EFAULT;
		return vm_set_memory_region(vm, &mem);
	}
	case KVM_CREATE_VCPU:
		/* KVM takes the id as a u32: 1 << 40 is id 0. */
		return l1vmm_vcpu_create(vm, (u32)arg);
	case KVM_CHECK_EXTENSION:
		return l1vmm_check_extension(arg);
	case KVM_ENABLE_CAP: {
		struct kvm_enable_cap cap;

		if (copy_from_user(&cap, argp, sizeof(cap)))
			return -EFAULT;
		return l1vmm_vm_enable_cap(vm, &cap);
	}
	case KVM_GET_STATS_FD:
		return l1vmm_vm_stats_fd(vm);
	case KVM_X86_SET_MSR_FILTER: {
		struct kvm_msr_filter filter;

		if (copy_from_user(&filter, argp, sizeof(filter)))
			return -EFAULT;
		return l1vmm_set_msr_filter(vm, &filter);
	}
	case KVM_GET_TSC_KHZ:
		/* The rate new vCPUs start with: the host's, no TSC scaling. */
		return tsc_khz;
	case KVM_GET_CLOCK:
		return l1vmm_vm_get_clock(vm, argp);
	case KVM_SET_CLOCK:
		return l1vmm_vm_set_clock(vm, argp);
	case KVM_SET_TSS_ADDR:
	case KVM_SET_IDENTITY_MAP_ADDR:
		/* Only VMX without unrestricted guest needs these: accept them. */
		return 0;
	default:
		return -ENOTTY;
	}
}

static int vm_release(struct inode *inode, struct file *filp)
{
	l1vmm_vm_put(filp->private_data);
	return 0;
}

static const struct file_operations vm_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= vm_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.release	= vm_release,
	.llseek		= noop_llseek,
};

static void vm_free(struct l1vmm_vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		l1vmm_vcpu_free(vm->vcpus[i]);
	for (i = 0; i < L1VMM_MAX_MEMSLOTS; i++)
		if (vm->slots[i])
			slot_free(vm->slots[i]);
	l1vmm_tdp_free(&vm->tdp);
	l1vmm_msr_filter_free(vm);
	mmdrop(vm->mm);
	kvfree(vm);
	l1vmm_hw_put();
}

/*
 * A VM with no slot and no vCPU, for the caller's mm, holding
 * virtualization on in every CPU; an ERR_PTR on failure. Its one
 * reference is the caller's (l1vmm_vm_put()).
 */
struct l1vmm_vm *l1vmm_vm_alloc(void)
{
	struct l1vmm_vm *vm;
	int r;

	r = l1vmm_hw_get();
	if (r)
		return ERR_PTR(r);

	r = -ENOMEM;
	vm = kvzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		goto put_hw;
	refcount_set(&vm->users, 1);
	mutex_init(&vm->lock);
	r = l1vmm_tdp_init(&vm->tdp);
	if (r)
		goto free_vm;
	mmgrab(current->mm);
	vm->mm = current->mm;
	vm->creator = task_pid_nr(current);
	l1vmm_kvmclock_vm_init(vm);
	return vm;

free_vm:
	kvfree(vm);
put_hw:
	l1vmm_hw_put();
	return ERR_PTR(r);
}

/* KVM_CREATE_VM: returns the VM's file descriptor. */
int l1vmm_vm_create(void)
{
	struct l1vmm_vm *vm = l1vmm_vm_alloc();
	int fd;

	if (IS_ERR(vm))
		return PTR_ERR(vm);
	/* KVM's name, so that /proc/<pid>/fd reads anon_inode:kvm-vm. */
	fd = anon_inode_getfd("kvm-vm", &vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		l1vmm_vm_put(vm);	/* drops the hardware reference too */
	return fd;
}
