/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Is a struct kvm_sregs a state l1vmm may enter? KVM's checks for
 * KVM_SET_SREGS (kvm_is_valid_sregs() and friends) plus the ones VMRUN
 * would fail on, so that user space gets -EINVAL, never a failed entry.
 * Portable: unit-tested on the host.
 */
#ifndef L1VMM_SREGS_CHECK_H
#define L1VMM_SREGS_CHECK_H

#include "l1vmm/portable/cpuid.h"
#include "l1vmm/portable/portable.h"

/* The fields of struct kvm_sregs the checks read, as plain values. */
struct l1vmm_sregs_view {
	u64 cr0, cr3, cr4, efer;
	bool cs_l, cs_db;
};

/*
 * The CR4 bits l1vmm offers a guest, where the host has the feature:
 * VME..OSXMMEXCPT, FSGSBASE, OSXSAVE, SMEP, SMAP, the features of its
 * KVM_GET_SUPPORTED_CPUID (cpuid_supported.c). VMXE, SMXE, PCIDE, LA57,
 * PKE, CET and the others are not offered: as in KVM, a CR4 bit whose
 * feature is not supported is reserved.
 */
#define L1VMM_CR4_OFFERED	(0x7ffULL | BIT_ULL(16) | BIT_ULL(18) | BIT_ULL(20) | \
				 BIT_ULL(21))

/*
 * Returns NULL when valid, else which rule failed. @cr4_allowed is
 * L1VMM_CR4_OFFERED less what the host lacks.
 */
const char *l1vmm_sregs_invalid(const struct l1vmm_sregs_view *s,
				unsigned int gpa_bits, u64 cr4_allowed);

/*
 * The CR4 bits a guest CPUID table withholds, as KVM's
 * cr4_guest_rsvd_bits after KVM_SET_CPUID2: OSXSAVE without XSAVE (leaf 1
 * ECX), FSGSBASE, SMEP and SMAP without theirs (leaf 7.0 EBX), PCIDE
 * without PCID. A table without the leaf withholds them all; before the
 * first KVM_SET_CPUID2 KVM withholds none (the caller's to know).
 */
u64 l1vmm_cr4_withheld_by_cpuid(const struct kvm_cpuid_entry2 *entries, unsigned int nent);

/*
 * The guest's own MOV to CR4 of @val, with CR4 @old, @efer and @cr3 as
 * they are: NULL, or why it is a #GP, as KVM's kvm_set_cr4(). @allowed is
 * what the guest may set: L1VMM_CR4_OFFERED less what the host lacks and
 * what its CPUID withholds. In long mode PAE stays set and LA57 as it is;
 * PCIDE goes on only in long mode with CR3's PCID 0. KVM also refuses a
 * write whose PDPTEs it cannot load: l1vmm_cr4_write_loads_pdptes().
 */
const char *l1vmm_cr4_write_fault(u64 old, u64 val, u64 efer, u64 cr3, u64 allowed);

/*
 * Whether that write, past l1vmm_cr4_write_fault(), loads the PDPTEs from
 * CR3, as KVM's kvm_set_cr4() and the CPU do: under PAE paging after it
 * (CR0.PG, the new CR4.PAE, not long mode) when PGE, PSE, PAE or SMEP
 * changes. PDPTEs that cannot be loaded make the write a #GP.
 */
bool l1vmm_cr4_write_loads_pdptes(u64 old, u64 val, u64 cr0, u64 efer);

#endif /* L1VMM_SREGS_CHECK_H */
