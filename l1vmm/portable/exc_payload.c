// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exception payloads and PAE PDPTEs; see exc_payload.h. Bit positions from
 * the Intel SDM (debug registers, PAE paging) and the AMD APM.
 */
#include "l1vmm/portable/exc_payload.h"
#include "l1vmm/portable/x86.h"

/* B0-B3: the breakpoint conditions a #DB may clear. */
#define DR6_TRAP_BITS		0xfULL
/* The fixed-1 bits and RTM (bit 16), which reads 1 unless an RTM #DB. */
#define DR6_ACTIVE_LOW		0xffff0ff0ULL
#define DR6_PENDING_BP		BIT_ULL(12)

#define BP_VECTOR		3
#define OF_VECTOR		4

#define PDPTE_PRESENT		BIT_ULL(0)
#define PDPTE_RESERVED_LOW	(0x6ULL | 0x1e0ULL)

u64 l1vmm_dr6_deliver_payload(u64 dr6, u64 payload)
{
	dr6 &= ~DR6_TRAP_BITS;
	dr6 |= DR6_ACTIVE_LOW;
	dr6 |= payload;
	dr6 ^= payload & DR6_ACTIVE_LOW;
	return dr6 & ~DR6_PENDING_BP;
}

bool l1vmm_exception_is_fault(u8 vector)
{
	switch (vector) {
	case L1VMM_DB_VECTOR:
	case BP_VECTOR:
	case OF_VECTOR:
	case L1VMM_DF_VECTOR:
	case L1VMM_MC_VECTOR:
		return false;
	default:
		return vector < 32 && vector != L1VMM_NMI_VECTOR;
	}
}

bool l1vmm_pae_paging(u64 cr0, u64 cr4, u64 efer)
{
	return (cr0 & L1VMM_CR0_PG) && (cr4 & L1VMM_CR4_PAE) && !(efer & L1VMM_EFER_LMA);
}

bool l1vmm_pdptes_valid(const u64 pdpte[4], unsigned int maxphyaddr)
{
	u64 reserved = PDPTE_RESERVED_LOW;
	int i;

	if (maxphyaddr < 64)
		reserved |= ~0ULL << maxphyaddr;
	for (i = 0; i < 4; i++)
		if ((pdpte[i] & PDPTE_PRESENT) && (pdpte[i] & reserved))
			return false;
	return true;
}
