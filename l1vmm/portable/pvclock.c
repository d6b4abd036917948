// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmclock's arithmetic; see pvclock.h.
 */
#include "l1vmm/portable/pvclock.h"

#define NSEC_PER_SEC_U64	1000000000ULL

void l1vmm_pvclock_time_scale(u64 scaled_hz, u64 base_hz, signed char *shift, u32 *mul)
{
	u64 scaled = scaled_hz, base = base_hz;
	int s = 0;
	u32 base32;

	/*
	 * Bring the base rate below twice the scaled one and into 32 bits,
	 * then above the scaled one, which must fit 32 bits too: the
	 * multiplier, scaled / base as a 0.32 fraction, is below 1.
	 */
	while (base > scaled * 2 || (base >> 32)) {
		base >>= 1;
		s--;
	}
	base32 = base;
	while (base32 <= scaled || (scaled >> 32)) {
		if ((scaled >> 32) || (base32 & 0x80000000U))
			scaled >>= 1;
		else
			base32 <<= 1;
		s++;
	}
	*shift = s;
	*mul = (u32)((scaled << 32) / base32);
}

u64 l1vmm_pvclock_scale_delta(u64 delta, u32 mul, signed char shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return (u64)(((__uint128_t)delta * mul) >> 32);
}

u64 l1vmm_pvclock_read(const struct l1vmm_pvclock_time *t, u64 tsc)
{
	return t->system_time + l1vmm_pvclock_scale_delta(tsc - t->tsc_timestamp,
							  t->tsc_to_system_mul, t->tsc_shift);
}

void l1vmm_pvclock_wall_clock(u64 real_ns, u64 kvmclock_ns, u32 version,
			      struct l1vmm_pvclock_wall_clock *wc)
{
	u64 boot = real_ns - kvmclock_ns;

	wc->version = version;
	wc->sec = (u32)(boot / NSEC_PER_SEC_U64);
	wc->nsec = (u32)(boot % NSEC_PER_SEC_U64);
}
