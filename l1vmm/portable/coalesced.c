// SPDX-License-Identifier: GPL-2.0-only
/*
 * Coalesced MMIO zones and ring; see coalesced.h.
 */
#include "l1vmm/portable/coalesced.h"

bool l1vmm_coalesced_in_range(u64 zone_addr, u32 zone_size, u64 addr, int len)
{
	if (len < 0)
		return false;
	if (addr + len < addr)
		return false;
	if (addr < zone_addr)
		return false;
	return addr + len <= zone_addr + zone_size;
}

int l1vmm_coalesced_slot(u32 first, u32 last, u32 max)
{
	if (last >= max)
		return -1;
	/* KVM 6.1's coalesced_mmio_has_room(), wrap included (coalesced.h). */
	if ((first - last - 1) % max == 0)
		return -1;
	return last;
}
