/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Types and helpers for the portable parts of l1vmm: the files that build
 * both into the module and into the host unit tests. Portable code includes
 * this header instead of kernel or libc headers.
 */
#ifndef L1VMM_PORTABLE_H
#define L1VMM_PORTABLE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/nospec.h>
#else
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <errno.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#ifndef BIT
#define BIT(nr)		(1UL << (nr))
#endif
#ifndef BIT_ULL
#define BIT_ULL(nr)	(1ULL << (nr))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
/* No speculation to fence in the host unit tests. */
#define array_index_nospec(index, size)	(index)
#endif /* __KERNEL__ */

#endif /* L1VMM_PORTABLE_H */
