/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KVM_GET_SUPPORTED_CPUID: the CPUID leaves and feature bits l1vmm can give
 * a guest, derived from the host's CPUID by an allow-list (what the host
 * has and l1vmm runs correctly). Portable: unit-tested with a fake host.
 */
#ifndef L1VMM_CPUID_SUPPORTED_H
#define L1VMM_CPUID_SUPPORTED_H

#include <linux/kvm.h>

#include "l1vmm/portable/portable.h"

/* The most entries l1vmm_supported_cpuid() produces. */
#define L1VMM_SUPPORTED_CPUID_MAX	32

struct l1vmm_cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

/* Execute CPUID @leaf, sub-leaf @index on the host. */
typedef void (*l1vmm_host_cpuid_fn)(u32 leaf, u32 index, struct l1vmm_cpuid_regs *out);

/*
 * Fill @out (room for L1VMM_SUPPORTED_CPUID_MAX) and return the number of
 * entries. @gpa_bits caps the physical address width reported in
 * 0x80000008 (what the nested page tables translate); @xcr0 is l1vmm's
 * XCR0 limit (0 on a host without XSAVE), for XSAVE, AVX and leaf 0xD.
 */
unsigned int l1vmm_supported_cpuid(l1vmm_host_cpuid_fn host, unsigned int gpa_bits,
				   u64 xcr0, struct kvm_cpuid_entry2 *out);

#endif /* L1VMM_CPUID_SUPPORTED_H */
