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

u64 l1vmm_cr4_withheld_by_cpuid(const struct kvm_cpuid_entry2 *entries, unsigned int nent)
{
	const struct kvm_cpuid_entry2 *l1 = l1vmm_cpuid_find(entries, nent, 1, 0);
	const struct kvm_cpuid_entry2 *l7 = l1vmm_cpuid_find(entries, nent, 7, 0);
	u32 ecx1 = l1 ? l1->ecx : 0, ebx7 = l7 ? l7->ebx : 0;
	u64 withheld = 0;

	if (!(ecx1 & L1VMM_CPUID_1_ECX_XSAVE))
		withheld |= L1VMM_CR4_OSXSAVE;
	if (!(ecx1 & L1VMM_CPUID_1_ECX_PCID))
		withheld |= L1VMM_CR4_PCIDE;
	if (!(ebx7 & L1VMM_CPUID_7_EBX_FSGSBASE))
		withheld |= L1VMM_CR4_FSGSBASE;
	if (!(ebx7 & L1VMM_CPUID_7_EBX_SMEP))
		withheld |= L1VMM_CR4_SMEP;
	if (!(ebx7 & L1VMM_CPUID_7_EBX_SMAP))
		withheld |= L1VMM_CR4_SMAP;
	return withheld;
}

const char *l1vmm_cr4_write_fault(u64 old, u64 val, u64 efer, u64 cr3, u64 allowed)
{
	if (val & ~allowed)
		return "CR4 has reserved or withheld bits";
	if (efer & L1VMM_EFER_LMA) {
		if (!(val & L1VMM_CR4_PAE))
			return "CR4.PAE cleared in long mode";
		if ((val ^ old) & L1VMM_CR4_LA57)
			return "CR4.LA57 changed in long mode";
	}
	if ((val & L1VMM_CR4_PCIDE) && !(old & L1VMM_CR4_PCIDE)) {
		if (!(efer & L1VMM_EFER_LMA))
			return "CR4.PCIDE set outside long mode";
		if (cr3 & L1VMM_CR3_PCID)
			return "CR4.PCIDE set with a PCID in CR3";
	}
	return NULL;
}

bool l1vmm_cr4_write_loads_pdptes(u64 old, u64 val, u64 cr0, u64 efer)
{
	const u64 pdpte_bits = L1VMM_CR4_PGE | L1VMM_CR4_PSE | L1VMM_CR4_PAE | L1VMM_CR4_SMEP;

	if (efer & L1VMM_EFER_LMA)
		return false;
	return (cr0 & L1VMM_CR0_PG) && (val & L1VMM_CR4_PAE) && ((val ^ old) & pdpte_bits);
}
