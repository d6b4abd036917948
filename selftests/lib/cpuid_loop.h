/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A real-mode guest for counting exits: CPUID_LOOP_RUNS CPUIDs (exits
 * l1vmm handles in its fastpath), then an OUT to port 0x10 (an exit to
 * user space), forever. For the tests that weigh one kind against the
 * other (stats, vmx_mitigations).
 */
#ifndef L1VMM_SELFTEST_CPUID_LOOP_H
#define L1VMM_SELFTEST_CPUID_LOOP_H

#include "kvm_vm.h"

#define CPUID_LOOP_RUNS	16
GUEST_CODE(cpuid_loop, ".code16",
	"1: mov $" XSTR(CPUID_LOOP_RUNS) ", %si\n\t"
	"2: xor %eax, %eax\n\t"
	"cpuid\n\t"
	"dec %si\n\t"
	"jnz 2b\n\t"
	"out %al, $0x10\n\t"
	"jmp 1b\n\t");

#endif /* L1VMM_SELFTEST_CPUID_LOOP_H */
