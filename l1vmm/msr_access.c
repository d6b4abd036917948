// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest MSRs as user space and the guest reach them: KVM_GET_MSR_INDEX_LIST,
 * KVM_GET/SET_MSRS, and the RDMSR/WRMSR fastpath all go through
 * __l1vmm_get_msr() and __l1vmm_set_msr() (inline, msr_access.h); the MTRRs
 * and machine-check registers behind them, out of line, here. Also the
 * feature MSRs of the system file and the machine-check ioctls.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/trapnr.h>
#include <asm/vmx.h>

#include "l1vmm/exit.h"
#include "l1vmm/irqchip.h"
#include "l1vmm/msr_access.h"
#include "l1vmm/msr_misc.h"
#include "l1vmm/portable/cpuid.h"
#include "l1vmm/portable/mce.h"
#include "l1vmm/portable/msrs.h"
#include "l1vmm/portable/mtrr.h"
#include "l1vmm/tsc.h"

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
		u32 index = entries[i].index;

		if (set ? l1vmm_set_msr(vcpu, index, entries[i].data) &&
			  l1vmm_set_msr_slow(vcpu, index, entries[i].data, true) :
			  l1vmm_get_msr(vcpu, index, &entries[i].data) &&
			  l1vmm_get_msr_slow(vcpu, index, &entries[i].data, true))
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

/* The guest's MAXPHYADDR, from its CPUID as KVM reads it (portable/mtrr.h). */
static unsigned int guest_maxphyaddr(struct l1vmm_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e0, *e8;

	e0 = l1vmm_cpuid_find(vcpu->cpuid, vcpu->cpuid_nent, 0x80000000, 0);
	e8 = l1vmm_cpuid_find(vcpu->cpuid, vcpu->cpuid_nent, 0x80000008, 0);
	return l1vmm_guest_maxphyaddr(e0, e0 ? e0->eax : 0, e8, e8 ? e8->eax : 0);
}

int l1vmm_get_msr_slow(struct l1vmm_vcpu *vcpu, u32 index, u64 *data, bool host)
{
	/* IA32_APIC_BASE is there without the in-kernel APIC too, as in KVM. */
	if ((vcpu->lapic && l1vmm_lapic_msr(index)) || index == L1VMM_MSR_APIC_BASE)
		return l1vmm_lapic_get_msr(vcpu, index, data, host);
	if (index == L1VMM_MSR_MTRRCAP || l1vmm_mtrr_slot(index) >= 0)
		return l1vmm_mtrr_get(&vcpu->mtrr, index, data, guest_maxphyaddr(vcpu));
	if (l1vmm_mce_msr(index))
		return l1vmm_mce_get(&vcpu->mce, index, data, host);
	if (index == L1VMM_MSR_POWER_CTL) {
		*data = vcpu->power_ctl;
		return 0;
	}
	if (l1vmm_pv_msr_refused(vcpu, index))
		return 1;
	if (!l1vmm_tsc_get_msr(vcpu, index, data) ||
	    !l1vmm_msr_misc_get(vcpu, index, data, host))
		return 0;
	return l1vmm_kvmclock_get_msr(vcpu, index, data);
}

int l1vmm_set_msr_slow(struct l1vmm_vcpu *vcpu, u32 index, u64 data, bool host)
{
	if ((vcpu->lapic && l1vmm_lapic_msr(index)) || index == L1VMM_MSR_APIC_BASE)
		return l1vmm_lapic_set_msr(vcpu, index, data, host);
	if (l1vmm_mtrr_slot(index) >= 0)
		return l1vmm_mtrr_set(&vcpu->mtrr, index, data, guest_maxphyaddr(vcpu));
	/*
	 * No HWCR (its McStatusWrEn would let the guest write MCi_STATUS): the
	 * guest may only clear a bank's STATUS, as on KVM until it sets that bit.
	 */
	if (l1vmm_mce_msr(index))
		return l1vmm_mce_set(&vcpu->mce, index, data, host, false);
	/* As KVM: any value, for the guest and user space alike. */
	if (index == L1VMM_MSR_POWER_CTL) {
		vcpu->power_ctl = data;
		return 0;
	}
	if (l1vmm_pv_msr_refused(vcpu, index))
		return 1;
	if (index == L1VMM_MSR_TSC || index == L1VMM_MSR_TSC_ADJUST)
		return l1vmm_tsc_set_msr(vcpu, index, data, host);
	if (index == L1VMM_MSR_MISC_ENABLE || index == L1VMM_MSR_PLATFORM_INFO ||
	    index == L1VMM_MSR_DEBUGCTL)
		return l1vmm_msr_misc_set(vcpu, index, data, host);
	/* The guest's from the fastpath, IRQs off: guest memory waits (kvmclock.c). */
	return l1vmm_kvmclock_set_msr(vcpu, index, data, host);
}

bool l1vmm_guest_msr_slow(struct l1vmm_vcpu *vcpu)
{
	unsigned long *r = vcpu->regs;
	u32 index = r[L1VMM_REG_RCX];
	u64 data;

	if (vcpu->exit.msr.write)
		return !l1vmm_set_msr_slow(vcpu, index,
					   (r[L1VMM_REG_RDX] << 32) | (u32)r[L1VMM_REG_RAX], false);
	if (l1vmm_get_msr_slow(vcpu, index, &data, false))
		return false;
	r[L1VMM_REG_RAX] = (u32)data;
	r[L1VMM_REG_RDX] = data >> 32;
	return true;
}

/* KVM_X86_SETUP_MCE. */
int l1vmm_setup_mce(struct l1vmm_vcpu *vcpu, u64 __user *ucap)
{
	u64 cap;

	if (copy_from_user(&cap, ucap, sizeof(cap)))
		return -EFAULT;
	return l1vmm_mce_setup(&vcpu->mce, cap, l1vmm_ops->mcg_cap_keep) ? 0 : -EINVAL;
}

/*
 * KVM_X86_SET_MCE: log the error in its bank and, for an uncorrected one
 * the guest reports, raise #MC; one during another (MCG_STATUS.MCIP) or
 * with CR4.MCE clear shuts the guest down at the next KVM_RUN, as KVM's
 * triple-fault request does (no INIT: KVM does not reset the vCPU there).
 */
int l1vmm_set_mce(struct l1vmm_vcpu *vcpu, struct kvm_x86_mce __user *umce)
{
	struct l1vmm_mce_event ev;
	struct kvm_x86_mce mce;

	if (copy_from_user(&mce, umce, sizeof(mce)))
		return -EFAULT;
	ev = (struct l1vmm_mce_event){
		.status = mce.status, .addr = mce.addr, .misc = mce.misc,
		.mcg_status = mce.mcg_status, .bank = mce.bank,
	};
	switch (l1vmm_mce_inject(&vcpu->mce, &ev, l1vmm_ops->get_cr4(vcpu) & X86_CR4_MCE)) {
	case L1VMM_MCE_INVALID:
		return -EINVAL;
	case L1VMM_MCE_RAISE:
		l1vmm_queue_exception(vcpu, X86_TRAP_MC, false, 0);
		break;
	case L1VMM_MCE_SHUTDOWN:
		set_bit(L1VMM_REQ_TRIPLE_FAULT, &vcpu->requests);
		break;
	case L1VMM_MCE_DONE:
		break;
	}
	return 0;
}

/* KVM_GET_MSR_FEATURE_INDEX_LIST: the vendor module's answer (kvm-intel's without nested VMX). */
int l1vmm_get_msr_feature_index_list(struct kvm_msr_list __user *ulist)
{
	struct kvm_msr_list list;
	u32 n = l1vmm_ops->feature_msrs->n;

	if (copy_from_user(&list, ulist, sizeof(list)))
		return -EFAULT;
	if (copy_to_user(&ulist->nmsrs, &n, sizeof(n)))
		return -EFAULT;
	if (list.nmsrs < n)
		return -E2BIG;
	if (copy_to_user(ulist->indices, l1vmm_ops->feature_msrs->index, n * sizeof(u32)))
		return -EFAULT;
	return 0;
}

/* ARCH_CAPABILITIES bits KVM 6.1 passes on (its KVM_SUPPORTED_ARCH_CAP), where this kernel names them. */
#define ARCH_CAP_KVM_6_1	(ARCH_CAP_RDCL_NO | ARCH_CAP_IBRS_ALL | ARCH_CAP_RSBA | \
				 ARCH_CAP_SKIP_VMENTRY_L1DFLUSH | ARCH_CAP_SSB_NO | ARCH_CAP_MDS_NO | \
				 ARCH_CAP_PSCHANGE_MC_NO | ARCH_CAP_TSX_CTRL_MSR | ARCH_CAP_TAA_NO | \
				 ARCH_CAP_SBDR_SSDP_NO | ARCH_CAP_FBSDP_NO | ARCH_CAP_PSDP_NO | \
				 ARCH_CAP_FB_CLEAR | ARCH_CAP_RRSBA | ARCH_CAP_PBRSB_NO | \
				 ARCH_CAP_NEWER)
#ifdef ARCH_CAP_ITS_NO
#define ARCH_CAP_NEWER		(ARCH_CAP_GDS_NO | ARCH_CAP_RFDS_NO | ARCH_CAP_RFDS_CLEAR | \
				 ARCH_CAP_BHI_NO | ARCH_CAP_ITS_NO)
#else
#define ARCH_CAP_NEWER		0
#endif

/*
 * ARCH_CAPABILITIES as KVM's kvm_get_arch_capabilities() computes it: the
 * host's bits KVM passes on, and the "not affected" bits for the bugs this
 * host does not have.
 */
static u64 arch_capabilities(void)
{
	u64 data = 0;

	if (boot_cpu_has(X86_FEATURE_ARCH_CAPABILITIES)) {
		rdmsrl(MSR_IA32_ARCH_CAPABILITIES, data);
		data &= ARCH_CAP_KVM_6_1;
	}
	data |= ARCH_CAP_PSCHANGE_MC_NO;
#if IS_ENABLED(CONFIG_KVM_INTEL)
	if (l1tf_vmx_mitigation != VMENTER_L1D_FLUSH_NEVER)
		data |= ARCH_CAP_SKIP_VMENTRY_L1DFLUSH;
#endif
	if (!boot_cpu_has_bug(X86_BUG_CPU_MELTDOWN))
		data |= ARCH_CAP_RDCL_NO;
	if (!boot_cpu_has_bug(X86_BUG_SPEC_STORE_BYPASS))
		data |= ARCH_CAP_SSB_NO;
	if (!boot_cpu_has_bug(X86_BUG_MDS))
		data |= ARCH_CAP_MDS_NO;
#ifdef ARCH_CAP_ITS_NO
	if (!boot_cpu_has_bug(X86_BUG_RFDS))
		data |= ARCH_CAP_RFDS_NO;
	if (!boot_cpu_has_bug(X86_BUG_ITS))
		data |= ARCH_CAP_ITS_NO;
#endif
	if (!boot_cpu_has(X86_FEATURE_RTM))
		data &= ~ARCH_CAP_TAA_NO;
	else if (!boot_cpu_has_bug(X86_BUG_TAA))
		data |= ARCH_CAP_TAA_NO;
#ifdef ARCH_CAP_ITS_NO
	if (!boot_cpu_has_bug(X86_BUG_GDS) || gds_ucode_mitigated())
		data |= ARCH_CAP_GDS_NO;
#endif
	return data;
}

/* Is @index one of the backend's feature MSRs? */
static bool is_feature_msr(u32 index)
{
	unsigned int i;

	for (i = 0; i < l1vmm_ops->feature_msrs->n; i++)
		if (l1vmm_ops->feature_msrs->index[i] == index)
			return true;
	return false;
}

/* One feature MSR's value, KVM's kvm_get_msr_feature(); 1 for any other MSR. */
static int feature_msr(u32 index, u64 *data)
{
	*data = 0;	/* also for a refused MSR, as KVM leaves it */
	if (!is_feature_msr(index))
		return 1;
	switch (index) {
	case L1VMM_MSR_AMD64_DE_CFG:
		if (boot_cpu_has(X86_FEATURE_LFENCE_RDTSC))
			*data = MSR_AMD64_DE_CFG_LFENCE_SERIALIZE;
		return 0;
	case L1VMM_MSR_UCODE_REV:
		rdmsrl_safe(MSR_IA32_UCODE_REV, data);
		return 0;
	case L1VMM_MSR_ARCH_CAPABILITIES:
		*data = arch_capabilities();
		return 0;
	case L1VMM_MSR_PERF_CAPABILITIES:
		return 0;	/* l1vmm offers its guests no PMU: 0 */
	default:
		return 1;
	}
}

/*
 * KVM_GET_MSRS on the system file: the feature MSRs' values, in order up
 * to the first MSR that is not one; returns how many were done, and
 * writes every entry back (the one it stopped at with data 0), as KVM.
 */
int l1vmm_get_feature_msrs(struct kvm_msrs __user *umsrs)
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
	for (i = 0; i < msrs.nmsrs; i++)
		if (feature_msr(entries[i].index, &entries[i].data))
			break;
	r = i;
	if (copy_to_user(umsrs->entries, entries, size))
		r = -EFAULT;
	kfree(entries);
	return r;
}
