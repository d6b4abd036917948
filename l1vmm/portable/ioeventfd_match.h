/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The rules of KVM_IOEVENTFD as plain data: a table of ioeventfds sorted by
 * (bus, address), which guest writes match one, which new one collides with
 * an old one, which one a deassign names. KVM's rules (virt/kvm/eventfd.c:
 * ioeventfd_in_range(), ioeventfd_check_collision(),
 * kvm_deassign_ioeventfd_idx()). Portable: unit-tested on the host;
 * l1vmm/ioeventfd.c keeps the table and the eventfd references.
 */
#ifndef L1VMM_IOEVENTFD_MATCH_H
#define L1VMM_IOEVENTFD_MATCH_H

#include "l1vmm/portable/portable.h"

/*
 * KVM's buses an ioeventfd can sit on. KVM accepts the s390 virtio-ccw
 * notification bus on x86 too, where nothing ever writes to it: so does
 * l1vmm.
 */
enum l1vmm_iobus {
	L1VMM_IOBUS_MMIO,
	L1VMM_IOBUS_PIO,
	L1VMM_IOBUS_CCW,
};

/*
 * Ioeventfds per VM, all buses together. KVM counts none of them against
 * its bus limit (NR_IOBUS_DEVS) and bounds them by the memory cgroup only;
 * l1vmm bounds them (doc/abi.md), with KVM's bus limit as the number.
 */
#define L1VMM_MAX_IOEVENTFDS	1000

struct l1vmm_ioeventfd {
	u64 addr;
	u64 datamatch;		/* when !wildcard */
	void *eventfd;		/* the kernel's struct eventfd_ctx, referenced */
	u8 bus;			/* enum l1vmm_iobus */
	u8 len;			/* 1, 2, 4 or 8; 0: a write of any length */
	bool wildcard;		/* no datamatch: any value */
};

/* The first entry at or after (@bus, @addr) in a sorted table of @n. */
unsigned int l1vmm_ioeventfd_lower_bound(const struct l1vmm_ioeventfd *tab, unsigned int n,
					 u8 bus, u64 addr);

/* Would @p be ambiguous next to an entry of @tab (KVM's EEXIST)? */
bool l1vmm_ioeventfd_collides(const struct l1vmm_ioeventfd *tab, unsigned int n,
			      const struct l1vmm_ioeventfd *p);

/*
 * The entry a deassign names (same bus, eventfd, address, length, and
 * datamatch or none), or -1 (KVM's ENOENT).
 */
int l1vmm_ioeventfd_find(const struct l1vmm_ioeventfd *tab, unsigned int n,
			 const struct l1vmm_ioeventfd *p);

/*
 * The entry that takes a guest write of @len bytes of @val (the low @len
 * bytes count) to @addr on @bus, or NULL. The collision rules leave at most
 * one such entry.
 */
const struct l1vmm_ioeventfd *l1vmm_ioeventfd_match(const struct l1vmm_ioeventfd *tab,
						    unsigned int n, u8 bus, u64 addr,
						    unsigned int len, u64 val);

#endif /* L1VMM_IOEVENTFD_MATCH_H */
