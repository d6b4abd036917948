/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * /dev/l1vmm, the KVM-style system file (dev.c).
 */
#ifndef L1VMM_DEV_H
#define L1VMM_DEV_H

#include <linux/types.h>

struct l1vmm_cpuid_regs;
void l1vmm_host_cpuid(u32 leaf, u32 index, struct l1vmm_cpuid_regs *r);
int l1vmm_dev_register(void);
void l1vmm_dev_unregister(void);

#endif /* L1VMM_DEV_H */
