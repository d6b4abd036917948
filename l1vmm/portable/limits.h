/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * l1vmm's size limits, shared by the module and its portable code.
 */
#ifndef L1VMM_LIMITS_H
#define L1VMM_LIMITS_H

#define L1VMM_MAX_VCPUS		16
#define L1VMM_MAX_MEMSLOTS	32
/* Slots are pinned while they exist: cap each at 4 GiB (1M pages). */
#define L1VMM_MAX_SLOT_PAGES	(1UL << 20)

#endif /* L1VMM_LIMITS_H */
