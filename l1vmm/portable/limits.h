/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * l1vmm's size limits, shared by the module and its portable code.
 */
#ifndef L1VMM_LIMITS_H
#define L1VMM_LIMITS_H

/* KVM's x86 limits: 1024 vCPUs, with ids below 4 * 1024 (sparse APIC ids). */
#define L1VMM_MAX_VCPUS		1024
#define L1VMM_MAX_VCPU_IDS	(4 * L1VMM_MAX_VCPUS)
#define L1VMM_MAX_MEMSLOTS	32
/* Slots are pinned while they exist: cap each at 4 GiB (1M pages). */
#define L1VMM_MAX_SLOT_PAGES	(1UL << 20)

#endif /* L1VMM_LIMITS_H */
