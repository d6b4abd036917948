/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Declarations shared by the l1vmm core files (kernel only).
 */
#ifndef L1VMM_L1VMM_H
#define L1VMM_L1VMM_H

#include "l1vmm/cpu_detect.h"

/* cpu_probe.c: pick the backend that every online CPU offers. */
int l1vmm_probe_cpus(enum l1vmm_backend_kind *backend);

/* dev.c: /dev/l1vmm, the KVM-style system file. */
int l1vmm_dev_register(void);
void l1vmm_dev_unregister(void);

#endif /* L1VMM_L1VMM_H */
