/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * l1vmm's size limits, shared by the module and its portable code.
 */
#ifndef L1VMM_LIMITS_H
#define L1VMM_LIMITS_H

/* KVM's x86 limits: 1024 vCPUs, with ids below 4 * 1024 (sparse APIC ids). */
#define L1VMM_MAX_VCPUS		1024
#define L1VMM_MAX_VCPU_IDS	(4 * L1VMM_MAX_VCPUS)
/* KVM's: KVM_USER_MEM_SLOTS (x86) and KVM_MEM_MAX_NR_PAGES. */
#define L1VMM_MAX_MEMSLOTS	32764
#define L1VMM_MAX_SLOT_PAGES	((1UL << 31) - 1)
/* KVM_CAP_IRQ_ROUTING's answer: KVM's KVM_MAX_IRQ_ROUTES. */
#define L1VMM_MAX_IRQ_ROUTES	4096

#endif /* L1VMM_LIMITS_H */
