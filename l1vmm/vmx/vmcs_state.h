/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A vCPU's guest state as the VMCS holds it: segment access rights in the
 * VMCS's format and back, the CR0 and CR4 the CPU runs the guest with
 * (the fixed bits added, what the guest reads kept in the read shadows),
 * the EPT pointer, and the whole guest part of a struct l1vmm_vmcs_view,
 * so that vmcs_check.c can judge a vCPU before the backend enters it.
 * Portable: selftests/unit/test_vmcs_state.c builds the RESET state and a
 * long-mode state and runs the checks on them. KVM 6.1's
 * vmx_segment_access_rights(), vmx_set_cr0(), vmx_set_cr4() and
 * construct_eptp() are the reference.
 */
#ifndef L1VMM_VMCS_STATE_H
#define L1VMM_VMCS_STATE_H

#include "l1vmm/portable/x86.h"
#include "l1vmm/vmx/vmcs_check.h"
#include "l1vmm/vmx/vmx_ctls.h"

/* A segment register as struct kvm_segment has it, as plain values. */
struct l1vmm_vmx_seg {
	u64 base;
	u32 limit;
	u16 selector;
	u8 type, s, dpl, present, avl, l, db, g, unusable;
};

/* The guest state a VMCS holds, from the vCPU's registers and sregs. */
struct l1vmm_vmx_guest_state {
	u64 cr0, cr3, cr4, efer, dr7, rip, rflags;
	struct l1vmm_vmx_seg seg[L1VMM_VMCS_SEG_NR];
	u64 gdtr_base, idtr_base;
	u16 gdtr_limit, idtr_limit;
	u32 interruptibility, activity;
	u64 pending_dbg;
};

/* What the backend allocated for the vCPU: the VMCS's pointers, and VPID. */
struct l1vmm_vmx_vcpu_addrs {
	u64 io_bitmap_a, io_bitmap_b, msr_bitmap;
	u64 eptp;
	u16 vpid;	/* 0: none */
};

/* The CR0 bits l1vmm never lets the guest set in hardware (KVM's ALWAYS_OFF). */
#define L1VMM_VMX_CR0_ALWAYS_OFF	(L1VMM_CR0_CD | L1VMM_CR0_NW)

/*
 * The VMCS access rights of @seg (SDM, "Guest Register State"): an
 * unusable or not-present segment is only "unusable".
 */
u32 l1vmm_vmx_seg_ar(const struct l1vmm_vmx_seg *seg);

/* The reverse, for reading a segment back out of the VMCS. */
void l1vmm_vmx_seg_from_ar(u32 ar, struct l1vmm_vmx_seg *seg);

/*
 * The CR0 and CR4 the CPU runs the guest with: the guest's, without CD
 * and NW, with the fixed bits VMX needs (NE, and PE and PG unless
 * unrestricted; CR4.VMXE). The guest reads its own values through the
 * read shadows.
 */
u64 l1vmm_vmx_hw_cr0(u64 cr0, const struct l1vmm_vmcs_limits *limits, bool unrestricted);
u64 l1vmm_vmx_hw_cr4(u64 cr4, const struct l1vmm_vmcs_limits *limits);

/*
 * The EPT pointer for a root table at @root_pa with @levels (4 or 5):
 * write-back, the walk length, and the accessed/dirty flags where the CPU
 * has them (as KVM's default eptad=1). 0 when the CPU's
 * IA32_VMX_EPT_VPID_CAP (@ept_cap) lacks write-back or that walk length.
 */
u64 l1vmm_vmx_eptp(u64 root_pa, int levels, u64 ept_cap);

/*
 * The controls and guest state of @v from @ctls (vmx_ctls.h), @addrs and
 * @g: IA-32e mode guest on entry exactly when EFER.LMA is set, the CRs as
 * the CPU runs them, no shadow VMCS, no event to inject. The host state of
 * @v is left as it is: the kernel fills it from its own CPU.
 */
void l1vmm_vmx_guest_view(const struct l1vmm_vmx_ctls *ctls,
			  const struct l1vmm_vmx_vcpu_addrs *addrs,
			  const struct l1vmm_vmx_guest_state *g,
			  const struct l1vmm_vmcs_limits *limits,
			  struct l1vmm_vmcs_view *v);

#endif /* L1VMM_VMCS_STATE_H */
