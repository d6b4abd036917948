/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * l1vmm's size limits, shared by the module and its portable code.
 */
#ifndef L1VMM_LIMITS_H
#define L1VMM_LIMITS_H

#define L1VMM_MAX_VCPUS		16
/* KVM's: KVM_USER_MEM_SLOTS (x86) and KVM_MEM_MAX_NR_PAGES. */
#define L1VMM_MAX_MEMSLOTS	32764
#define L1VMM_MAX_SLOT_PAGES	((1UL << 31) - 1)

#endif /* L1VMM_LIMITS_H */
