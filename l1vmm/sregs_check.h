/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Is a struct kvm_sregs a state l1vmm may enter? KVM's checks for
 * KVM_SET_SREGS (kvm_is_valid_sregs() and friends) plus the ones VMRUN
 * would fail on, so that user space gets -EINVAL, never a failed entry.
 * Portable: unit-tested on the host.
 */
#ifndef L1VMM_SREGS_CHECK_H
#define L1VMM_SREGS_CHECK_H

#include "l1vmm/portable.h"

/* The fields of struct kvm_sregs the checks read, as plain values. */
struct l1vmm_sregs_view {
	u64 cr0, cr3, cr4, efer;
	bool cs_l, cs_db;
};

/* Returns NULL when valid, else which rule failed. */
const char *l1vmm_sregs_invalid(const struct l1vmm_sregs_view *s,
				unsigned int gpa_bits);

#endif /* L1VMM_SREGS_CHECK_H */
