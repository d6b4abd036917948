// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VM file: memory slots (mmu.c: the slots, and the nested page
 * tables filled from them on demand), vCPU creation.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/anon_inodes.h>
#include <linux/compat.h>
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
#include "l1vmm/coalesced_mmio.h"
#include "l1vmm/ioeventfd.h"
#include "l1vmm/irq_routing.h"
#include "l1vmm/irqchip.h"
#include "l1vmm/pit.h"
#include "l1vmm/msr_user.h"
#include "l1vmm/mmu.h"
#include "l1vmm/tdp.h"
#include "l1vmm/tsc.h"
#include "l1vmm/vm.h"

static void vm_free(struct l1vmm_vm *vm);

void l1vmm_vm_put(struct l1vmm_vm *vm)
{
	if (refcount_dec_and_test(&vm->users))
		vm_free(vm);
}

/*
 * KVM_SET_USER_MEMORY_REGION and ..._REGION2 (Linux 6.8), as KVM reads
 * them: the first is the second's head, with the flags it knew.
 */
static int vm_ioctl_set_memory_region(struct l1vmm_vm *vm, unsigned int ioctl, void __user *argp)
{
	struct kvm_userspace_memory_region2 mem = {};
	size_t size = ioctl == KVM_SET_USER_MEMORY_REGION2 ? sizeof(mem) :
			sizeof(struct kvm_userspace_memory_region);

	BUILD_BUG_ON(offsetof(struct kvm_userspace_memory_region2, userspace_addr) !=
		     offsetof(struct kvm_userspace_memory_region, userspace_addr));
	BUILD_BUG_ON(sizeof(struct kvm_userspace_memory_region2) != 160);
	if (copy_from_user(&mem, argp, size))
		return -EFAULT;
	if (ioctl == KVM_SET_USER_MEMORY_REGION &&
	    (mem.flags & ~(KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY)))
		return -EINVAL;
	return l1vmm_set_memory_region(vm, &mem);
}

/*
 * KVM_SET_IDENTITY_MAP_ADDR: KVM's checks (x86.c: -EINVAL once a vCPU
 * exists, then -EFAULT for the pointer), then ignored: only VMX without
 * unrestricted guest needs it.
 */
static int vm_set_identity_map_addr(struct l1vmm_vm *vm, const u64 __user *argp)
{
	u64 addr;
	int r = -EINVAL;

	mutex_lock(&vm->lock);
	if (!vm->nr_vcpus)
		r = get_user(addr, argp) ? -EFAULT : 0;
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
	case KVM_SET_USER_MEMORY_REGION:
	case KVM_SET_USER_MEMORY_REGION2:
		return vm_ioctl_set_memory_region(vm, ioctl, argp);
	case KVM_CREATE_VCPU:
		/* KVM takes the id as a u32: 1 << 40 is id 0. */
		return l1vmm_vcpu_create(vm, (u32)arg);
	case KVM_CHECK_EXTENSION:
		return l1vmm_check_extension(arg);
	case KVM_ENABLE_CAP: {
		struct kvm_enable_cap cap;

		if (copy_from_user(&cap, argp, sizeof(cap)))
			return -EFAULT;
		if (cap.cap == KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2)
			return l1vmm_enable_manual_dirty_log(vm, &cap);
		return l1vmm_vm_enable_cap(vm, &cap);
	}
	case KVM_GET_DIRTY_LOG: {
		struct kvm_dirty_log log;

		if (copy_from_user(&log, argp, sizeof(log)))
			return -EFAULT;
		/* As KVM's compat ioctl: a 32-bit caller's pointer is 32 bits. */
		if (in_compat_syscall())
			log.dirty_bitmap = compat_ptr((u32)log.padding2);
		return l1vmm_get_dirty_log(vm, &log);
	}
	case KVM_CLEAR_DIRTY_LOG: {
		struct kvm_clear_dirty_log log;

		if (copy_from_user(&log, argp, sizeof(log)))
			return -EFAULT;
		if (in_compat_syscall())
			log.dirty_bitmap = compat_ptr((u32)log.padding2);
		return l1vmm_clear_dirty_log(vm, &log);
	}
	case KVM_GET_STATS_FD:
		return l1vmm_vm_stats_fd(vm);
	case KVM_X86_SET_MSR_FILTER: {
		struct kvm_msr_filter filter;

		if (copy_from_user(&filter, argp, sizeof(filter)))
			return -EFAULT;
		return l1vmm_set_msr_filter(vm, &filter);
	}
	case KVM_SET_TSC_KHZ:
		/*
		 * The rate vCPUs created from now on start with, any rate
		 * taken as KVM does without TSC scaling; 0 is the host's.
		 */
		WRITE_ONCE(vm->default_tsc_khz, (u32)arg ? (u32)arg : tsc_khz);
		return 0;
	case KVM_GET_TSC_KHZ:
		return READ_ONCE(vm->default_tsc_khz);
	case KVM_GET_CLOCK:
		return l1vmm_vm_get_clock(vm, argp);
	case KVM_SET_CLOCK:
		return l1vmm_vm_set_clock(vm, argp);
	case KVM_IOEVENTFD: {
		struct kvm_ioeventfd data;

		if (copy_from_user(&data, argp, sizeof(data)))
			return -EFAULT;
		return l1vmm_ioeventfd_ioctl(vm, &data);
	}
	case KVM_REGISTER_COALESCED_MMIO:
	case KVM_UNREGISTER_COALESCED_MMIO: {
		struct kvm_coalesced_mmio_zone zone;

		if (copy_from_user(&zone, argp, sizeof(zone)))
			return -EFAULT;
		if (ioctl == KVM_REGISTER_COALESCED_MMIO)
			return l1vmm_coalesced_register(vm, &zone);
		return l1vmm_coalesced_unregister(vm, &zone);
	}
	case KVM_CREATE_IRQCHIP:
		return l1vmm_irqchip_create(vm);
	case KVM_SET_BOOT_CPU_ID:
		return l1vmm_set_boot_cpu_id(vm, arg);
	case KVM_IRQ_LINE:
	case KVM_IRQ_LINE_STATUS:
	case KVM_GET_IRQCHIP:
	case KVM_SET_IRQCHIP:
		return l1vmm_irqchip_vm_ioctl(vm, ioctl, argp);
	case KVM_CREATE_PIT:
	case KVM_CREATE_PIT2:
	case KVM_GET_PIT:
	case KVM_SET_PIT:
	case KVM_GET_PIT2:
	case KVM_SET_PIT2:
	case KVM_REINJECT_CONTROL:
		return l1vmm_pit_vm_ioctl(vm, ioctl, argp);
	case KVM_IRQFD:
	case KVM_SET_GSI_ROUTING:
	case KVM_SIGNAL_MSI:
		return l1vmm_irq_routing_ioctl(vm, ioctl, argp);
	case KVM_SET_NR_MMU_PAGES:
		return l1vmm_set_nr_mmu_pages(vm, arg);
	case KVM_GET_NR_MMU_PAGES:
		return l1vmm_get_nr_mmu_pages(vm);
	case KVM_SET_TSS_ADDR:
		/* Only VMX without unrestricted guest needs it: KVM's check, then ignored. */
		return arg > 0xffffd000ul ? -EINVAL : 0;
	case KVM_SET_IDENTITY_MAP_ADDR:
		return vm_set_identity_map_addr(vm, argp);
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

	/* First: the notifier may kick the vCPUs until it is gone. */
	l1vmm_mmu_destroy(vm);
	l1vmm_irqfd_release(vm);
	l1vmm_pit_free(vm);
	l1vmm_irqchip_free(vm);
	for (i = 0; i < vm->nr_vcpus; i++)
		l1vmm_vcpu_free(vm->vcpus[i]);
	l1vmm_ioeventfd_free(vm);
	l1vmm_coalesced_free(vm);
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
	mutex_init(&vm->ioeventfd_lock);
	spin_lock_init(&vm->irqfd_lock);
	INIT_LIST_HEAD(&vm->irqfds);
	r = l1vmm_coalesced_init(vm);
	if (r)
		goto free_vm;
	r = l1vmm_tdp_init(&vm->tdp);
	if (r)
		goto free_ring;
	BUILD_BUG_ON(offsetof(struct l1vmm_vm_stats, pages_2m) !=
		     offsetof(struct l1vmm_vm_stats, pages_4k) + sizeof(u64));
	BUILD_BUG_ON(offsetof(struct l1vmm_vm_stats, pages_1g) !=
		     offsetof(struct l1vmm_vm_stats, pages_4k) + 2 * sizeof(u64));
	vm->tdp.nr_leaves = &vm->stats.pages_4k;
	mmgrab(current->mm);
	vm->mm = current->mm;
	vm->creator = task_pid_nr(current);
	r = l1vmm_mmu_init(vm);
	if (r)
		goto drop_mm;
	l1vmm_kvmclock_vm_init(vm);
	l1vmm_tsc_vm_init(vm);
	vm->platform_info_readable = true;
	return vm;

drop_mm:
	mmdrop(vm->mm);
	l1vmm_tdp_free(&vm->tdp);
free_ring:
	l1vmm_coalesced_free(vm);
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
