/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KVM_CHECK_EXTENSION answers: the capabilities l1vmm implements. Portable:
 * the host unit test checks the table, and doc/abi.md lists the same.
 */
#ifndef L1VMM_CAPS_H
#define L1VMM_CAPS_H

#include "l1vmm/portable/portable.h"

/* The answer for @cap; 0 means "not supported", as in KVM. */
long l1vmm_check_extension(long cap);

#endif /* L1VMM_CAPS_H */
