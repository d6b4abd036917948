/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The consistency checks KVM applies to a vmcb12 before it runs it
 * (nested_vmcb_check_save() and nested_vmcb_check_controls() in
 * arch/x86/kvm/svm/nested.c), plus the event-injection and CS rules VMRUN
 * itself enforces (AMD APM vol. 2, "Canonicalization and Consistency
 * Checks"). l1vmm runs them on its own VMCB before every VMRUN, so that a
 * state L0 would refuse becomes a clean error instead of an entry failure;
 * and, on an L0 known to mishandle them, the states that would kill L1.
 * Portable: unit-tested on the host.
 */
#ifndef L1VMM_VMCB_CHECK_H
#define L1VMM_VMCB_CHECK_H

#include "l1vmm/portable/portable.h"

/* The VMCB fields the checks read, as plain values. */
struct l1vmm_vmcb_view {
	u64 efer, cr0, cr3, cr4, dr6, dr7;
	bool cs_l, cs_d;
	u32 asid;
	bool intercept_vmrun;
	bool np_enable;
	u64 nested_cr3, iopm_pa, msrpm_pa;
	u32 event_inj;
	u8 cpl;
	bool tr_present;
	u8 tr_type;		/* the descriptor type of TR */
};

/* What the checks compare against: widths and the CR4 bits L0 accepts. */
struct l1vmm_vmcb_limits {
	unsigned int guest_phys_bits;	/* the guest's CR3 */
	unsigned int host_phys_bits;	/* nCR3, IOPM, MSRPM: L1 physical */
	u64 cr4_allowed;
	/*
	 * L0 is QEMU's emulator, which kills the whole L1 guest on two guest
	 * states it mishandles (doc/testing.md): refuse them too.
	 */
	bool l0_tcg_quirks;
};

/* The sizes of the permission maps (APM: IOPM 12 KiB, MSRPM 8 KiB). */
#define L1VMM_IOPM_SIZE		(12 * 1024)
#define L1VMM_MSRPM_SIZE	(8 * 1024)

/* Returns NULL when the VMCB may be run, else which check failed. */
const char *l1vmm_vmcb_invalid(const struct l1vmm_vmcb_view *v,
			       const struct l1vmm_vmcb_limits *limits);

#endif /* L1VMM_VMCB_CHECK_H */
