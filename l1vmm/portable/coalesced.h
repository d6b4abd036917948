/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The rules of KVM's coalesced MMIO as plain values (virt/kvm/coalesced_mmio.c:
 * coalesced_mmio_in_range(), coalesced_mmio_has_room()): which write a zone
 * takes, which zones an unregister removes, and where the next entry of the
 * ring goes. Portable: unit-tested on the host; l1vmm/coalesced_mmio.c keeps
 * the zones and the ring.
 */
#ifndef L1VMM_COALESCED_H
#define L1VMM_COALESCED_H

#include "l1vmm/portable/portable.h"

/*
 * Whether [@addr, @addr + @len) lies within the zone at @zone_addr of
 * @zone_size bytes. @len is an int as in KVM: an unregister with a size of
 * 2 GiB or more matches nothing. All in 64-bit arithmetic, wrapping as KVM's.
 */
bool l1vmm_coalesced_in_range(u64 zone_addr, u32 zone_size, u64 addr, int len);

/*
 * The ring entry a new write goes to, given the ring's @first (the oldest
 * entry user space has not taken) and @last (the next free one), both as
 * user space may have left them, and @max entries: -1 when the ring is
 * full or @last is out of range. "Full" is KVM 6.1's test,
 * (first - last - 1) % max == 0 in 32-bit unsigned arithmetic: right when
 * first > last, but with first <= last the wrapped difference makes it
 * full at max / 2 entries behind first (85 of 170). Kernels from 6.11 on
 * test (last + 1) % max == first.
 */
int l1vmm_coalesced_slot(u32 first, u32 last, u32 max);

#endif /* L1VMM_COALESCED_H */
