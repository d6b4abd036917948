// SPDX-License-Identifier: GPL-2.0-only
/*
 * Validity of the system registers user space sets: see sregs_check.h.
 * Architectural bit positions from the Intel SDM and AMD APM.
 */
#include "l1vmm/portable/sregs_check.h"
#include "l1vmm/portable/x86.h"


/* EFER: SCE, LME, LMA, NXE. SVME (nested) is not offered. */
#define EFER_ALLOWED	(L1VMM_EFER_SCE | L1VMM_EFER_LME | L1VMM_EFER_LMA | L1VMM_EFER_NXE)

const char *l1vmm_sregs_invalid(const struct l1vmm_sregs_view *s,
				unsigned int gpa_bits, u64 cr4_allowed)
{
	if (s->cr0 >> 32)
		return "CR0 bits 63:32 are reserved";
	if ((s->cr0 & L1VMM_CR0_NW) && !(s->cr0 & L1VMM_CR0_CD))
		return "CR0.NW without CR0.CD";
	if ((s->cr0 & L1VMM_CR0_PG) && !(s->cr0 & L1VMM_CR0_PE))
		return "CR0.PG without CR0.PE";
	if (s->cr4 & ~cr4_allowed)
		return "CR4 has reserved or unsupported bits";
	if (s->efer & ~EFER_ALLOWED)
		return "EFER has reserved or unsupported bits";

	if ((s->efer & L1VMM_EFER_LME) && (s->cr0 & L1VMM_CR0_PG)) {
		if (!(s->cr4 & L1VMM_CR4_PAE))
			return "long mode without CR4.PAE";
		if (!(s->efer & L1VMM_EFER_LMA))
			return "long mode without EFER.LMA";
		if (gpa_bits < 64 && (s->cr3 >> gpa_bits))
			return "CR3 beyond the guest-physical address width";
		if (s->cs_l && s->cs_db)
			return "CS.L and CS.D both set in long mode";
	} else {
		if (s->efer & L1VMM_EFER_LMA)
			return "EFER.LMA outside long mode";
		if (s->cs_l)
			return "CS.L outside long mode";
	}
	return NULL;
}
