/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A VM: its memory slots, its second-level page table (tdp.h) and its
 * vCPUs. vm.c.
 */
#ifndef L1VMM_VM_H
#define L1VMM_VM_H

#include <linux/kvm.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/refcount.h>
#include <linux/types.h>

#include "l1vmm/portable/limits.h"
#include "l1vmm/portable/tsc_sync.h"
#include "l1vmm/mmu.h"
#include "l1vmm/tdp.h"

struct kvm_coalesced_mmio_ring;
struct l1vmm_coalesced_zones;
struct l1vmm_irqchip;
struct l1vmm_ioeventfds;
struct l1vmm_msr_filter;
struct l1vmm_vcpu;

/* VM counters, read through KVM_GET_STATS_FD on the VM (stats.c). */
struct l1vmm_vm_stats {
	u64 remote_tlb_flush_requests;	/* flushes of every vCPU's guest TLB */
	/* Nested leaves mapped now, by size (tdp.h's nr_leaves), as KVM's. */
	u64 pages_4k;
	u64 pages_2m;
	u64 pages_1g;
};

struct l1vmm_vm {
	refcount_t users;	/* the VM file, each vCPU and statistics file */
	struct mutex lock;	/* slot changes, vCPU creation */
	struct mm_struct *mm;	/* VM ioctls come from the creator's mm */
	struct l1vmm_mmu mmu;	/* the slots; mmu.lock guards tdp */
	struct l1vmm_tdp tdp;
	struct l1vmm_vcpu *vcpus[L1VMM_MAX_VCPUS];
	unsigned int nr_vcpus;
	/* KVM_IOEVENTFD's table, NULL when empty (ioeventfd.h) */
	struct mutex ioeventfd_lock;
	struct l1vmm_ioeventfds __rcu *ioeventfds;
	/* KVM_CAP_MAX_VCPU_ID: ids below this; 0 until set or first used. */
	u32 max_vcpu_ids;
	/* Guest RDMSR/WRMSR shaped by user space (msr_user.c). */
	struct l1vmm_msr_filter __rcu *msr_filter;
	u32 user_space_msr_mask;	/* KVM_MSR_EXIT_REASON_* */
	bool msr_user_policy;		/* either is set: no MSR fastpath */
	pid_t creator;		/* for the statistics' id string */
	struct l1vmm_vm_stats stats;
	/* kvmclock (kvmclock.c): the guest's clock minus the host's, in ns. */
	s64 kvmclock_offset;
	u64 wall_clock;		/* MSR_KVM_WALL_CLOCK(_NEW) as last written */
	u32 default_tsc_khz;	/* KVM_SET_TSC_KHZ on the VM: new vCPUs' rate */
	/*
	 * KVM_ENABLE_CAP switches (caps.c): KVM_CAP_EXCEPTION_PAYLOAD,
	 * KVM_CAP_X86_TRIPLE_FAULT_EVENT (events.c), and the
	 * KVM_X86_QUIRK_* bits KVM_CAP_DISABLE_QUIRKS(2) turned off.
	 */
	/* Coalesced MMIO and PIO (coalesced_mmio.h): the ring page, the zones. */
	struct kvm_coalesced_mmio_ring *coalesced_ring;
	spinlock_t ring_lock;
	struct mutex coalesced_lock;
	struct l1vmm_coalesced_zones __rcu *coalesced_zones;
	/* KVM_CREATE_IRQCHIP's PIC, IOAPIC and routes (irqchip.h), or NULL. */
	struct l1vmm_irqchip *irqchip;
	u32 bsp_vcpu_id;	/* KVM_SET_BOOT_CPU_ID: the BSP with the irqchip */
	/* KVM_CREATE_PIT2's PIT (pit.h), or NULL; set once, under lock. */
	struct l1vmm_vpit *pit;
	/* KVM_IRQFD's irqfds (irqchip.c), and how many are not freed yet. */
	spinlock_t irqfd_lock;
	struct list_head irqfds;
	atomic_t nr_irqfds;
	bool exception_payload_enabled;
	bool triple_fault_event;
	u64 disabled_quirks;
	/* KVM_CAP_MSR_PLATFORM_INFO: the guest may read MSR_PLATFORM_INFO. */
	bool platform_info_readable;
	/* User space's TSC writes, matched as KVM's (tsc.c). */
	raw_spinlock_t tsc_write_lock;
	struct l1vmm_tsc_sync tsc_sync;
	/*
	 * KVM_CAP_X2APIC_API (caps.c): 32-bit x2APIC IDs in KVM_GET/SET_LAPIC
	 * and MSI addresses, and MSIs to 0xff not broadcast in x2APIC mode.
	 */
	bool x2apic_format;
	bool x2apic_broadcast_quirk_disabled;
	/* KVM_CAP_HALT_POLL (halt_poll.c): this VM's halt_poll_ns once set. */
	bool override_halt_poll_ns;
	u32 max_halt_poll_ns;
};

/*
 * KVM's quirks that l1vmm has, each on until KVM_CAP_DISABLE_QUIRKS(2)
 * turns it off: OUT to port 0x7e retires before the exit to user space
 * (pio.c), MONITOR and MWAIT are no-ops whatever the guest's CPUID says
 * (exit.c), IA32_MISC_ENABLE's MWAIT bit does not reach the guest's CPUID
 * (msr_misc.c), the guest's VMCALL becomes VMMCALL (exit.c). The others
 * need an in-kernel local APIC (LINT0_REENABLED, LAPIC_MMIO_HOLE), or
 * behave in l1vmm as in KVM with the quirk off (CD_NW_CLEARED: the
 * guest's CR0.CD and NW reach the CPU): doc/abi.md.
 */
#define L1VMM_QUIRKS	(KVM_X86_QUIRK_OUT_7E_INC_RIP | KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS | \
			 KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT | KVM_X86_QUIRK_FIX_HYPERCALL_INSN)

static inline bool l1vmm_has_quirk(const struct l1vmm_vm *vm, u64 quirk)
{
	return !(READ_ONCE(vm->disabled_quirks) & quirk);
}

struct l1vmm_vm *l1vmm_vm_alloc(void);
int l1vmm_vm_create(void);
void l1vmm_vm_put(struct l1vmm_vm *vm);

/* stats.c: KVM_GET_STATS_FD on the VM. */
int l1vmm_vm_stats_fd(struct l1vmm_vm *vm);

#endif /* L1VMM_VM_H */
