/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The CPU side: which backend every CPU offers (cpu_probe.c), and
 * virtualization turned on in every CPU while a VM exists (hw_enable.c).
 */
#ifndef L1VMM_HW_H
#define L1VMM_HW_H

#include "l1vmm/portable/cpu_detect.h"

/* cpu_probe.c: pick the backend that every online CPU offers. */
int l1vmm_probe_cpus(enum l1vmm_backend_kind *backend);
u64 l1vmm_guest_cr4_allowed(void);

/* hw_enable.c: virtualization on in every CPU while any VM exists. */
int l1vmm_hw_init(void);
void l1vmm_hw_exit(void);
int l1vmm_hw_get(void);
void l1vmm_hw_put(void);

/* probe_l0.c: what L0 does that the CPU model does not say, at load. */
int l1vmm_probe_l0(void);
extern bool l1vmm_l0_drops_int_shadow;

#endif /* L1VMM_HW_H */
