// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest MSRs as user space and the guest reach them: KVM_GET_MSR_INDEX_LIST,
 * KVM_GET/SET_MSRS, and the RDMSR/WRMSR fastpath all go through
 * __l1vmm_get_msr() and __l1vmm_set_msr() (inline, msr_access.h).
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/msr-index.h>

#include "l1vmm/msr_access.h"
#include "l1vmm/portable/msrs.h"

u64 l1vmm_spec_ctrl_allowed __read_mostly;

/* At load: the SPEC_CTRL controls this host implements. */
void l1vmm_msr_access_init(void)
{
	u64 bits = 0;

	if (boot_cpu_has(X86_FEATURE_IBRS))
		bits |= SPEC_CTRL_IBRS;
	if (boot_cpu_has(X86_FEATURE_STIBP))
		bits |= SPEC_CTRL_STIBP;
	if (boot_cpu_has(X86_FEATURE_SSBD))
		bits |= SPEC_CTRL_SSBD;
	l1vmm_spec_ctrl_allowed = bits;
}

/*
 * KVM_GET_MSRS / KVM_SET_MSRS: process entries in order, stop at the first
 * MSR that is unknown or refused, return how many were done (KVM's rule).
 */
int l1vmm_vcpu_msrs(struct l1vmm_vcpu *vcpu, struct kvm_msrs __user *umsrs, bool set)
{
	struct kvm_msr_entry *entries;
	struct kvm_msrs msrs;
	size_t size;
	int i, r;

	if (copy_from_user(&msrs, umsrs, sizeof(msrs)))
		return -EFAULT;
	if (msrs.nmsrs >= L1VMM_MAX_IO_MSRS)
		return -E2BIG;
	size = array_size(msrs.nmsrs, sizeof(*entries));
	entries = memdup_user(umsrs->entries, size);
	if (IS_ERR(entries))
		return PTR_ERR(entries);

	for (i = 0; i < msrs.nmsrs; i++) {
		if (set ? l1vmm_set_msr(vcpu, entries[i].index, entries[i].data) :
			  l1vmm_get_msr(vcpu, entries[i].index, &entries[i].data))
			break;
	}
	r = i;
	if (!set && copy_to_user(umsrs->entries, entries, size))
		r = -EFAULT;
	kfree(entries);
	return r;
}

/* KVM_GET_MSR_INDEX_LIST: l1vmm's MSRs that this host has, then kvmclock's. */
int l1vmm_get_msr_index_list(struct kvm_msr_list __user *ulist)
{
	u32 indices[L1VMM_MAX_MSRS + L1VMM_KVMCLOCK_NR_MSRS];
	struct kvm_msr_list list;
	unsigned int i;
	u32 n = 0;

	for (i = 0; i < l1vmm_nr_msrs; i++)
		if (l1vmm_host_has_msr(l1vmm_msr_list[i]))
			indices[n++] = l1vmm_msr_list[i];
	for (i = 0; i < L1VMM_KVMCLOCK_NR_MSRS; i++)
		indices[n++] = l1vmm_kvmclock_msrs[i];
	if (copy_from_user(&list, ulist, sizeof(list)))
		return -EFAULT;
	if (copy_to_user(&ulist->nmsrs, &n, sizeof(n)))
		return -EFAULT;
	if (list.nmsrs < n)
		return -E2BIG;
	if (copy_to_user(ulist->indices, indices, n * sizeof(u32)))
		return -EFAULT;
	return 0;
}
