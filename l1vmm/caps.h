/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KVM_CHECK_EXTENSION answers: the capabilities l1vmm implements, as
 * doc/abi.md lists them. Kernel only (some answers ask the host CPU); the
 * in-guest test "api" checks them over the ABI.
 */
#ifndef L1VMM_CAPS_H
#define L1VMM_CAPS_H

#include <linux/types.h>

/* The answer for @cap; 0 means "not supported", as in KVM. */
long l1vmm_check_extension(long cap);

#endif /* L1VMM_CAPS_H */
