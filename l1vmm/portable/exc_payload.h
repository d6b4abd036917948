/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exception payloads and PAE PDPTEs, as KVM keeps them for
 * KVM_CAP_EXCEPTION_PAYLOAD and KVM_GET/SET_SREGS2 (x86.c:
 * kvm_deliver_exception_payload(), exception_type(), load_pdptrs()).
 * Portable: unit-tested on the host.
 */
#ifndef L1VMM_EXC_PAYLOAD_H
#define L1VMM_EXC_PAYLOAD_H

#include "l1vmm/portable/portable.h"

/*
 * DR6 after a #DB with @payload, from DR6 before it. The payload has the
 * layout of VMX's pending debug exceptions: every bit active high, bit 12
 * (enabled breakpoint) reserved in DR6; DR6's active-low bits (RTM and the
 * fixed-1 bits) clear where the payload sets them.
 */
u64 l1vmm_dr6_deliver_payload(u64 dr6, u64 payload);

/*
 * Exceptions that are faults: delivered with RFLAGS.RF set in the image
 * pushed, as KVM does for a pending one. Not #DB (trap or fault: KVM leaves
 * RF as it is), #BP and #OF (traps), #DF and #MC (aborts).
 */
bool l1vmm_exception_is_fault(u8 vector);

/* The CPU uses four PDPTEs: CR0.PG and CR4.PAE, not in long mode. */
bool l1vmm_pae_paging(u64 cr0, u64 cr4, u64 efer);

/*
 * Whether the four PDPTEs CR3 points at could be loaded: no present one
 * has reserved bits (2:1, 8:5, and @maxphyaddr up to 63).
 */
bool l1vmm_pdptes_valid(const u64 pdpte[4], unsigned int maxphyaddr);

#endif /* L1VMM_EXC_PAYLOAD_H */
