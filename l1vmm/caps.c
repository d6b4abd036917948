// SPDX-License-Identifier: GPL-2.0-only
/*
 * The capabilities l1vmm implements; see caps.h. Capability numbers are
 * KVM's, from <linux/kvm.h> (the uAPI header builds in user space too).
 */
#include <linux/kvm.h>
#include <asm/cpufeature.h>

#include "l1vmm/caps.h"
#include "l1vmm/portable/limits.h"
#include "xstate/guest_xsave.h"

long l1vmm_check_extension(long cap)
{
	switch (cap) {
	case KVM_CAP_USER_MEMORY:
	case KVM_CAP_DESTROY_MEMORY_REGION_WORKS:
	case KVM_CAP_JOIN_MEMORY_REGIONS_WORKS:
	case KVM_CAP_SET_TSS_ADDR:
	case KVM_CAP_SET_IDENTITY_MAP_ADDR:
	case KVM_CAP_READONLY_MEM:
	case KVM_CAP_IMMEDIATE_EXIT:
	case KVM_CAP_EXT_CPUID:
	case KVM_CAP_MP_STATE:
	case KVM_CAP_VCPU_EVENTS:
	case KVM_CAP_INTR_SHADOW:
	case KVM_CAP_DEBUGREGS:
	case KVM_CAP_GET_TSC_KHZ:
	case KVM_CAP_SET_GUEST_DEBUG:
	case KVM_CAP_USER_NMI:
		return 1;
	case KVM_CAP_XCRS:
	case KVM_CAP_XSAVE:
		return boot_cpu_has(X86_FEATURE_OSXSAVE);
	case KVM_CAP_XSAVE2:
		return l1vmm_xsave_uabi_size();
	case KVM_CAP_NR_MEMSLOTS:
		return L1VMM_MAX_MEMSLOTS;
	case KVM_CAP_NR_VCPUS:
	case KVM_CAP_MAX_VCPUS:
	case KVM_CAP_MAX_VCPU_ID:
		return L1VMM_MAX_VCPUS;
	default:
		return 0;
	}
}
