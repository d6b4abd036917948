// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/l1vmm: the system file, speaking KVM's user-space ABI.
 *
 * The ioctl numbers and their semantics are KVM's (<linux/kvm.h> and
 * Documentation/virt/kvm/api.rst), so that a program written for /dev/kvm
 * runs unchanged here. doc/abi.md lists what is implemented. An ioctl KVM
 * has on its system file but l1vmm does not fails with -ENOTTY; any other
 * fails with -EINVAL, as KVM's x86 kvm_arch_dev_ioctl() answers one it does
 * not know.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <asm/processor.h>

#include "l1vmm/caps.h"
#include "l1vmm/dev.h"
#include "l1vmm/hw.h"
#include "l1vmm/msr_access.h"
#include "l1vmm/portable/cpuid_supported.h"
#include "l1vmm/tdp.h"
#include "l1vmm/vm.h"
#include "xstate/guest_xcr0.h"

void l1vmm_host_cpuid(u32 leaf, u32 index, struct l1vmm_cpuid_regs *r)
{
	cpuid_count(leaf, index, &r->eax, &r->ebx, &r->ecx, &r->edx);
}

/*
 * KVM_GET_SUPPORTED_CPUID, with KVM's rules: nent says how much room the
 * caller has (-E2BIG when too little, nent unchanged), and is set to the
 * number of entries on success.
 */
static int get_supported_cpuid(struct kvm_cpuid2 __user *ucpuid)
{
	struct kvm_cpuid_entry2 entries[L1VMM_SUPPORTED_CPUID_MAX];
	struct kvm_cpuid2 cpuid;
	unsigned int n;

	if (copy_from_user(&cpuid, ucpuid, sizeof(cpuid)))
		return -EFAULT;
	/* The guest-physical width is what a VM's nested page tables translate. */
	n = l1vmm_supported_cpuid(l1vmm_host_cpuid, l1vmm_tdp_gpa_bits(),
				  l1vmm_supported_xcr0(), entries);
	if (cpuid.nent < n)
		return -E2BIG;
	if (copy_to_user(ucpuid->entries, entries, n * sizeof(entries[0])))
		return -EFAULT;
	cpuid.nent = n;
	return copy_to_user(ucpuid, &cpuid, sizeof(cpuid)) ? -EFAULT : 0;
}

/*
 * KVM_CAP_SYS_ATTRIBUTES: KVM_HAS_DEVICE_ATTR and KVM_GET_DEVICE_ATTR on the
 * system file. As KVM's kvm_x86_dev_has_attr() and kvm_x86_dev_get_attr():
 * group 0 only, one attribute, KVM_X86_XCOMP_GUEST_SUPP (the XSAVE
 * components a guest may use: l1vmm's supported XCR0, as CPUID 0xD.0
 * reports it); -ENXIO for any other group or attribute.
 */
static int dev_attr(void __user *argp, bool get)
{
	struct kvm_device_attr attr;
	u64 __user *uaddr;

	if (copy_from_user(&attr, argp, sizeof(attr)))
		return -EFAULT;
	if (attr.group)
		return -ENXIO;
	if (attr.attr != KVM_X86_XCOMP_GUEST_SUPP)
		return -ENXIO;
	if (!get)
		return 0;
	uaddr = u64_to_user_ptr(attr.addr);
	if ((unsigned long)attr.addr != attr.addr)
		return -EFAULT;
	return put_user(l1vmm_supported_xcr0(), uaddr) ? -EFAULT : 0;
}

static long l1vmm_dev_ioctl(struct file *filp, unsigned int ioctl,
			    unsigned long arg)
{
	switch (ioctl) {
	case KVM_GET_API_VERSION:
		/* KVM rejects a non-zero argument; so do we. */
		if (arg)
			return -EINVAL;
		return KVM_API_VERSION;
	case KVM_CHECK_EXTENSION:
		return l1vmm_check_extension(arg);
	case KVM_CREATE_VM:
		/* Type 0 only: no other machine types exist on x86 here. */
		if (arg)
			return -EINVAL;
		return l1vmm_vm_create();
	case KVM_GET_MSR_INDEX_LIST:
		return l1vmm_get_msr_index_list((void __user *)arg);
	case KVM_GET_MSR_FEATURE_INDEX_LIST:
		return l1vmm_get_msr_feature_index_list((void __user *)arg);
	case KVM_GET_MSRS:
		return l1vmm_get_feature_msrs((void __user *)arg);
	case KVM_X86_GET_MCE_CAP_SUPPORTED: {
		u64 cap = L1VMM_MCE_CAP_SUPPORTED;

		return copy_to_user((void __user *)arg, &cap, sizeof(cap)) ? -EFAULT : 0;
	}
	case KVM_GET_SUPPORTED_CPUID:
		return get_supported_cpuid((void __user *)arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		if (arg)
			return -EINVAL;
		return L1VMM_VCPU_MMAP_PAGES * PAGE_SIZE;
	case KVM_HAS_DEVICE_ATTR:
		return dev_attr((void __user *)arg, false);
	case KVM_GET_DEVICE_ATTR:
		return dev_attr((void __user *)arg, true);
	case KVM_TRACE_ENABLE:
	case KVM_TRACE_PAUSE:
	case KVM_TRACE_DISABLE:
		return -EOPNOTSUPP;	/* as KVM: its tracing ioctls are long gone */
	case KVM_GET_EMULATED_CPUID:
	case KVM_GET_SUPPORTED_HV_CPUID:
		return -ENOTTY;	/* KVM's, not (yet) l1vmm's */
	default:
		return -EINVAL;
	}
}

static const struct file_operations l1vmm_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= l1vmm_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/* Same mode as /dev/kvm; a udev rule may hand the group to "kvm". */
static struct miscdevice l1vmm_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "l1vmm",
	.fops	= &l1vmm_dev_fops,
	.mode	= 0660,
};

/*
 * The stand-in: the same file operations as /dev/kvm, KVM's name and minor
 * (KVM_MINOR, 232), so that udev's kvm rule applies and programs that open
 * /dev/kvm find l1vmm. Only where KVM is not loaded: the minor is KVM's.
 */
static bool kvm_dev;
module_param(kvm_dev, bool, 0444);
MODULE_PARM_DESC(kvm_dev, "Also register /dev/kvm when KVM is not loaded (default: off)");

static struct miscdevice kvm_stand_in = {
	.minor	= KVM_MINOR,
	.name	= "kvm",
	.fops	= &l1vmm_dev_fops,
	.mode	= 0660,
};
static bool kvm_stand_in_registered;

/*
 * While l1vmm is /dev/kvm, KVM's vendor modules are refused at load. Their
 * kvm_init() would fail on the taken minor, and Linux 6.1's error path
 * then leaves kvm_syscore_ops registered in the module's freed memory:
 * the next load of KVM hits a kernel BUG (list corruption), a suspend or
 * reboot would call freed code.
 */
static int kvm_load_veto(struct notifier_block *nb, unsigned long state, void *data)
{
	struct module *mod = data;

	if (state != MODULE_STATE_COMING ||
	    (strcmp(mod->name, "kvm_amd") && strcmp(mod->name, "kvm_intel")))
		return NOTIFY_DONE;
	pr_warn("refusing to load %s while l1vmm is /dev/kvm (kvm_dev=1): unload l1vmm first\n",
		mod->name);
	return notifier_from_errno(-EBUSY);
}

static struct notifier_block kvm_load_nb = {
	.notifier_call = kvm_load_veto,
};

int l1vmm_dev_register(void)
{
	int r = misc_register(&l1vmm_dev);

	if (r) {
		pr_err("cannot register /dev/l1vmm: %d\n", r);
		return r;
	}
	if (!kvm_dev)
		return 0;
	/* KVM loaded (or another driver on its minor): keep /dev/l1vmm only. */
	r = misc_register(&kvm_stand_in);
	if (r) {
		pr_warn("kvm_dev=1: /dev/kvm is taken (%d), KVM is loaded; /dev/l1vmm only\n", r);
		return 0;
	}
	r = register_module_notifier(&kvm_load_nb);
	if (r) {
		misc_deregister(&kvm_stand_in);
		pr_warn("kvm_dev=1: cannot watch for KVM's modules (%d); /dev/l1vmm only\n", r);
		return 0;
	}
	kvm_stand_in_registered = true;
	pr_info("standing in for KVM: /dev/kvm is l1vmm until it unloads\n");
	return 0;
}

void l1vmm_dev_unregister(void)
{
	if (kvm_stand_in_registered) {
		unregister_module_notifier(&kvm_load_nb);
		misc_deregister(&kvm_stand_in);
	}
	kvm_stand_in_registered = false;
	misc_deregister(&l1vmm_dev);
}
