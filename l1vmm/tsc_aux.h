/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's TSC_AUX, switched lazily (tsc_aux.c).
 */
#ifndef L1VMM_TSC_AUX_H
#define L1VMM_TSC_AUX_H

#include <linux/percpu.h>
#include <linux/types.h>

struct l1vmm_vcpu_stats;

DECLARE_PER_CPU(u64, l1vmm_tsc_aux_in_cpu);
extern bool l1vmm_tsc_aux_switched;
void __l1vmm_tsc_aux_load(u64 guest, struct l1vmm_vcpu_stats *st);

/* Before each entry, preemption off; a WRMSR only when the CPU has another value. */
static inline void l1vmm_tsc_aux_load(u64 guest, struct l1vmm_vcpu_stats *st)
{
	if (l1vmm_tsc_aux_switched && this_cpu_read(l1vmm_tsc_aux_in_cpu) != guest)
		__l1vmm_tsc_aux_load(guest, st);
}
void l1vmm_tsc_aux_cpu_up(void);
void l1vmm_tsc_aux_cpu_down(void);

#endif /* L1VMM_TSC_AUX_H */
