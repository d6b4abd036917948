// SPDX-License-Identifier: GPL-2.0-only
/*
 * The capabilities l1vmm implements; see caps.h. Capability numbers are
 * KVM's, from <linux/kvm.h> (the uAPI header builds in user space too).
 */
#include <linux/cpumask.h>
#include <linux/kvm.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <asm/cpufeature.h>

#include "l1vmm/caps.h"
#include "l1vmm/halt_poll.h"
#include "l1vmm/irqchip_split.h"
#include "l1vmm/kvmclock.h"
#include "l1vmm/msr_user.h"
#include "l1vmm/mmu.h"
#include "l1vmm/kvm_uapi.h"
#include "l1vmm/portable/mce.h"
#include "l1vmm/portable/limits.h"
#include "l1vmm/vm.h"
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
	case KVM_CAP_IOEVENTFD:
	case KVM_CAP_IOEVENTFD_ANY_LENGTH:
	case KVM_CAP_IOEVENTFD_NO_LENGTH:
		return 1;
	/* KVM_SET/GET_NR_MMU_PAGES: reported, not enforced (mmu.c). */
	case KVM_CAP_MMU_SHADOW_CACHE_CONTROL:
		return 1;
	/* The in-kernel irqchip (irqchip.c). */
	case KVM_CAP_IRQCHIP:
	case KVM_CAP_IRQ_INJECT_STATUS:
	case KVM_CAP_SET_BOOT_CPU_ID:
	case KVM_CAP_VAPIC:
	case KVM_CAP_SPLIT_IRQCHIP:
		return 1;
	case KVM_CAP_X2APIC_API:
		return L1VMM_X2APIC_API_VALID_FLAGS;
	/* Per VM, in KVM's generic answers (halt_poll.c). */
	case KVM_CAP_HALT_POLL:
		return 1;
	/* The in-kernel PIT (pit.c), with or without the irqchip, as KVM. */
	case KVM_CAP_PIT:
	case KVM_CAP_PIT2:
	case KVM_CAP_PIT_STATE2:
	case KVM_CAP_REINJECT_CONTROL:
		return 1;
	/*
	 * As kvm-amd answers them, with or without an in-kernel irqchip; the
	 * ioctls then answer what KVM answers without one (irq_routing.c).
	 */
	case KVM_CAP_IRQFD:
	case KVM_CAP_IRQFD_RESAMPLE:
	case KVM_CAP_SIGNAL_MSI:
		return 1;
	case KVM_CAP_IRQ_ROUTING:
		return L1VMM_MAX_IRQ_ROUTES;
	case KVM_CAP_CHECK_EXTENSION_VM:
	case KVM_CAP_ENABLE_CAP:
	case KVM_CAP_ENABLE_CAP_VM:
	case KVM_CAP_BINARY_STATS_FD:
	case KVM_CAP_X86_USER_SPACE_MSR:
	case KVM_CAP_X86_MSR_FILTER:
	case KVM_CAP_ENFORCE_PV_FEATURE_CPUID:
	case KVM_CAP_USER_MEMORY2:
	case KVM_CAP_SET_GUEST_DEBUG:
	case KVM_CAP_USER_NMI:
		return 1;
	case KVM_CAP_EXCEPTION_PAYLOAD:
	case KVM_CAP_X86_TRIPLE_FAULT_EVENT:
	case KVM_CAP_SREGS2:
	case KVM_CAP_SYS_ATTRIBUTES:
	case KVM_CAP_DISABLE_QUIRKS:
		return 1;
	/* KVM_VCPU_TSC_CTRL (tsc.c); MSR_PLATFORM_INFO (msr_misc.c). */
	case KVM_CAP_VCPU_ATTRIBUTES:
	case KVM_CAP_MSR_PLATFORM_INFO:
		return 1;
	/* The MMU notifier keeps the nested tables in step with the VMM's mapping. */
	case KVM_CAP_SYNC_MMU:
	/*
	 * User space's single step as KVM's since 2.6.33: TF hidden from
	 * KVM_GET_REGS and kept across a KVM_SET_REGS at the same RIP.
	 */
	case KVM_CAP_X86_ROBUST_SINGLESTEP:
		return 1;
	/* The KVM_SET_GUEST_DEBUG flags: all of KVM's on x86 (guest_debug.c). */
	case KVM_CAP_SET_GUEST_DEBUG2:
		return KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | KVM_GUESTDBG_USE_SW_BP |
		       KVM_GUESTDBG_USE_HW_BP | KVM_GUESTDBG_INJECT_DB | KVM_GUESTDBG_INJECT_BP |
		       KVM_GUESTDBG_BLOCKIRQ;
	/* The ring's page in the vCPU mmap (coalesced_mmio.h). */
	case KVM_CAP_COALESCED_MMIO:
		return KVM_COALESCED_MMIO_PAGE_OFFSET;
	case KVM_CAP_COALESCED_PIO:
		return 1;
	case KVM_CAP_DISABLE_QUIRKS2:
		/* Only the quirks l1vmm has (vm.h): KVM answers all it knows. */
		return L1VMM_QUIRKS;
	case KVM_CAP_SYNC_REGS:
		return KVM_SYNC_X86_VALID_FIELDS;
	case KVM_CAP_GET_MSR_FEATURES:
		return 1;
	case KVM_CAP_MCE:
		return L1VMM_MCE_MAX_BANKS;
	case KVM_CAP_ADJUST_CLOCK:
		return L1VMM_CLOCK_VALID_FLAGS;
	case KVM_CAP_XCRS:
	case KVM_CAP_XSAVE:
		return boot_cpu_has(X86_FEATURE_OSXSAVE);
	case KVM_CAP_XSAVE2:
		return l1vmm_xsave_uabi_size();
	case KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2:
		return L1VMM_DIRTY_LOG_MANUAL_CAPS;
	case KVM_CAP_NR_MEMSLOTS:
		return L1VMM_MAX_MEMSLOTS;
	case KVM_CAP_NR_VCPUS:
		/* The recommended count: as in KVM, the host's online CPUs. */
		return min_t(unsigned int, num_online_cpus(), L1VMM_MAX_VCPUS);
	case KVM_CAP_MAX_VCPUS:
		return L1VMM_MAX_VCPUS;
	case KVM_CAP_MAX_VCPU_ID:
		/* KVM answers the number of ids, not the largest one. */
		return L1VMM_MAX_VCPU_IDS;
	default:
		return 0;
	}
}

/*
 * KVM_ENABLE_CAP on a VM. As in KVM: flags must be 0, and a capability
 * that cannot be enabled is -EINVAL.
 */
int l1vmm_vm_enable_cap(struct l1vmm_vm *vm, const struct kvm_enable_cap *cap)
{
	int r = -EINVAL;

	if (cap->flags)
		return -EINVAL;

	switch (cap->cap) {
	case KVM_CAP_MAX_VCPU_ID:
		/* Once: the first vCPU or the first call fixes it. */
		if (cap->args[0] > L1VMM_MAX_VCPU_IDS)
			break;
		mutex_lock(&vm->lock);
		if (vm->max_vcpu_ids == cap->args[0]) {
			r = 0;
		} else if (!vm->max_vcpu_ids) {
			vm->max_vcpu_ids = cap->args[0];
			r = 0;
		}
		mutex_unlock(&vm->lock);
		break;
	case KVM_CAP_X86_USER_SPACE_MSR:
		r = l1vmm_set_user_space_msr(vm, cap->args[0]);
		break;
	/* As KVM: any value, no lock; non-zero turns it on. */
	case KVM_CAP_EXCEPTION_PAYLOAD:
		WRITE_ONCE(vm->exception_payload_enabled, !!cap->args[0]);
		r = 0;
		break;
	case KVM_CAP_X86_TRIPLE_FAULT_EVENT:
		WRITE_ONCE(vm->triple_fault_event, !!cap->args[0]);
		r = 0;
		break;
	/* As KVM: any value, non-zero lets the guest read MSR_PLATFORM_INFO. */
	case KVM_CAP_MSR_PLATFORM_INFO:
		WRITE_ONCE(vm->platform_info_readable, !!cap->args[0]);
		r = 0;
		break;
	/*
	 * As KVM: the mask replaces the last one; the first version takes
	 * any bits (those of quirks l1vmm lacks change nothing), the second
	 * only bits of quirks it reports.
	 */
	case KVM_CAP_DISABLE_QUIRKS2:
		if (cap->args[0] & ~L1VMM_QUIRKS)
			break;
		fallthrough;
	case KVM_CAP_DISABLE_QUIRKS:
		WRITE_ONCE(vm->disabled_quirks, cap->args[0]);
		r = 0;
		break;
	case KVM_CAP_SPLIT_IRQCHIP:
		r = l1vmm_irqchip_enable_split(vm, cap->args[0]);
		break;
	case KVM_CAP_X2APIC_API:
		r = l1vmm_x2apic_api_enable(vm, cap->args[0]);
		break;
	case KVM_CAP_HALT_POLL:
		r = l1vmm_halt_poll_enable_cap(vm, cap->args[0]);
		break;
	}
	return r;
}

/*
 * KVM_ENABLE_CAP on a vCPU, as KVM's kvm_vcpu_ioctl_enable_cap(): flags
 * must be 0; KVM_CAP_ENFORCE_PV_FEATURE_CPUID (args[0] non-zero turns it
 * on and takes the features from the vCPU's CPUID, 0 turns it off);
 * anything else is -EINVAL.
 */
int l1vmm_vcpu_enable_cap(struct l1vmm_vcpu *vcpu, const struct kvm_enable_cap *cap)
{
	if (cap->flags)
		return -EINVAL;
	switch (cap->cap) {
	case KVM_CAP_ENFORCE_PV_FEATURE_CPUID:
		vcpu->pv_cpuid.enforce = cap->args[0];
		if (vcpu->pv_cpuid.enforce)
			l1vmm_pv_cpuid_update(&vcpu->pv_cpuid, vcpu->cpuid, vcpu->cpuid_nent);
		return 0;
	default:
		return -EINVAL;
	}
}
