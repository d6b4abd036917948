// SPDX-License-Identifier: GPL-2.0-only
/*
 * The TSC offsets user space writes, matched as KVM matches them; see
 * tsc_sync.h.
 */
#include "l1vmm/portable/pvclock.h"
#include "l1vmm/portable/tsc_sync.h"

#define NSEC_PER_SEC_ULL	1000000000ULL

/* @ns nanoseconds in TSC ticks at @khz, with KVM's scale (nsec_to_cycles()). */
static u64 ns_to_cycles(u64 ns, u32 khz)
{
	signed char shift;
	u32 mul;

	l1vmm_pvclock_time_scale(khz * 1000ULL, NSEC_PER_SEC_ULL, &shift, &mul);
	return l1vmm_pvclock_scale_delta(ns, mul, shift);
}

/* Record a write of @tsc with @offset (__kvm_synchronize_tsc()). */
static void record(struct l1vmm_tsc_sync *s, struct l1vmm_vcpu_tsc_sync *v,
		   const struct l1vmm_tsc_now *now, u64 offset, u64 tsc, bool matched)
{
	s->last_nsec = now->ns;
	s->last_write = tsc;
	s->last_khz = now->khz;
	s->last_offset = offset;
	v->last_guest_tsc = tsc;

	if (!matched) {
		s->cur_generation++;
		s->cur_nsec = now->ns;
		s->cur_write = tsc;
		s->cur_offset = offset;
		s->nr_matched = 0;
	} else if (v->generation != s->cur_generation) {
		s->nr_matched++;
	}
	v->generation = s->cur_generation;
	v->nsec = s->cur_nsec;
	v->write = s->cur_write;
}

u64 l1vmm_tsc_sync_write(struct l1vmm_tsc_sync *s, struct l1vmm_vcpu_tsc_sync *v,
			 const struct l1vmm_tsc_now *now, u64 data)
{
	u64 offset = data - now->host_tsc;
	u64 elapsed = now->ns - s->last_nsec;
	bool synchronizing = false, matched = false;

	if (now->khz) {
		if (!data) {
			/* A vCPU's creation: it joins the others. */
			synchronizing = true;
		} else {
			u64 expected = s->last_write + ns_to_cycles(elapsed, now->khz);
			u64 hz = now->khz * 1000ULL;

			/* Within a second of the last write's TSC now. */
			synchronizing = data < expected + hz && data + hz > expected;
		}
	}
	if (synchronizing && now->khz == s->last_khz) {
		if (!now->unstable) {
			offset = s->cur_offset;
		} else {
			data += ns_to_cycles(elapsed, now->khz);
			offset = data - now->host_tsc;
		}
		matched = true;
	}
	record(s, v, now, offset, data, matched);
	return offset;
}

void l1vmm_tsc_sync_set_offset(struct l1vmm_tsc_sync *s, struct l1vmm_vcpu_tsc_sync *v,
			       const struct l1vmm_tsc_now *now, u64 offset)
{
	bool matched = now->khz && s->last_khz == now->khz && s->last_offset == offset;

	record(s, v, now, offset, now->host_tsc + offset, matched);
}
