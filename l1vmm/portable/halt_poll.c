// SPDX-License-Identifier: GPL-2.0-only
/*
 * Halt polling's arithmetic; see halt_poll.h.
 */
#include "l1vmm/portable/halt_poll.h"

u32 l1vmm_halt_poll_grow(u32 cur, const struct l1vmm_halt_poll_knobs *k)
{
	u32 val;

	if (!k->grow)
		return cur;
	/* An unsigned int in KVM too: the product wraps as KVM's does. */
	val = cur * k->grow;
	return val < k->grow_start ? k->grow_start : val;
}

u32 l1vmm_halt_poll_shrink(u32 cur, const struct l1vmm_halt_poll_knobs *k)
{
	u32 val = k->shrink ? cur / k->shrink : 0;

	return val < k->grow_start ? 0 : val;
}

u32 l1vmm_halt_poll_next(u32 cur, u32 max, u64 halt_ns, const struct l1vmm_halt_poll_knobs *k)
{
	if (!max)
		return 0;
	if (halt_ns <= cur)
		return cur;
	/* A long halt: polling did not pay. */
	if (cur && halt_ns > max)
		return l1vmm_halt_poll_shrink(cur, k);
	/* A short halt that polling missed: poll longer next time. */
	if (cur < max && halt_ns < max)
		return l1vmm_halt_poll_grow(cur, k);
	return cur;
}
