// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_IOEVENTFD's matching rules; see ioeventfd_match.h.
 */
#include "l1vmm/portable/ioeventfd_match.h"

static bool key_before(const struct l1vmm_ioeventfd *e, u8 bus, u64 addr)
{
	return e->bus < bus || (e->bus == bus && e->addr < addr);
}

unsigned int l1vmm_ioeventfd_lower_bound(const struct l1vmm_ioeventfd *tab, unsigned int n,
					 u8 bus, u64 addr)
{
	unsigned int lo = 0, hi = n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (key_before(&tab[mid], bus, addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool l1vmm_ioeventfd_collides(const struct l1vmm_ioeventfd *tab, unsigned int n,
			      const struct l1vmm_ioeventfd *p)
{
	unsigned int i = l1vmm_ioeventfd_lower_bound(tab, n, p->bus, p->addr);

	for (; i < n && tab[i].bus == p->bus && tab[i].addr == p->addr; i++) {
		const struct l1vmm_ioeventfd *e = &tab[i];

		/* Any length takes every write there; else same length, same value. */
		if (!e->len || !p->len)
			return true;
		if (e->len == p->len &&
		    (e->wildcard || p->wildcard || e->datamatch == p->datamatch))
			return true;
	}
	return false;
}

int l1vmm_ioeventfd_find(const struct l1vmm_ioeventfd *tab, unsigned int n,
			 const struct l1vmm_ioeventfd *p)
{
	unsigned int i = l1vmm_ioeventfd_lower_bound(tab, n, p->bus, p->addr);

	for (; i < n && tab[i].bus == p->bus && tab[i].addr == p->addr; i++) {
		const struct l1vmm_ioeventfd *e = &tab[i];

		if (e->eventfd == p->eventfd && e->len == p->len && e->wildcard == p->wildcard &&
		    (e->wildcard || e->datamatch == p->datamatch))
			return i;
	}
	return -1;
}

const struct l1vmm_ioeventfd *l1vmm_ioeventfd_match(const struct l1vmm_ioeventfd *tab,
						    unsigned int n, u8 bus, u64 addr,
						    unsigned int len, u64 val)
{
	unsigned int i = l1vmm_ioeventfd_lower_bound(tab, n, bus, addr);

	if (len < 8)
		val &= (1ULL << (len * 8)) - 1;
	for (; i < n && tab[i].bus == bus && tab[i].addr == addr; i++) {
		const struct l1vmm_ioeventfd *e = &tab[i];

		if (!e->len)
			return e;
		if (e->len == len && (e->wildcard || e->datamatch == val))
			return e;
	}
	return NULL;
}
