// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmcb12 consistency checks; see vmcb_check.h. The order follows KVM's
 * nested_vmcb_check_save(), then nested_vmcb_check_controls(), then what
 * VMRUN adds.
 */
#include "l1vmm/svm/vmcb_check.h"
#include "l1vmm/portable/x86.h"
#include "l1vmm/svm/event_inj.h"

/* The EFER bits an l1vmm guest may have: SCE, LME, LMA, NXE, and SVME. */
#define EFER_ALLOWED	(L1VMM_EFER_SCE | L1VMM_EFER_LME | L1VMM_EFER_LMA | L1VMM_EFER_NXE | \
			 L1VMM_EFER_SVME)

/* Descriptor types 1 and 9 (16- and 32-bit available TSS), as QEMU tests them. */
#define TSS_AVAILABLE		1

static bool beyond(u64 pa, unsigned int bits)
{
	return bits < 64 && (pa >> bits);
}

/* A permission map fits below the physical width (nested_svm_check_bitmap_pa()). */
static bool map_legal(u64 pa, u64 size, unsigned int bits)
{
	u64 start = (pa + 0xfff) & ~0xfffULL;

	return !beyond(start, bits) && !beyond(start + size - 1, bits);
}

static const char *check_event_inj(u32 inj)
{
	u32 vector = inj & SVM_EVENT_VECTOR_MASK;

	if (!(inj & SVM_EVENT_VALID))
		return NULL;
	if (inj & SVM_EVENT_RESERVED)
		return "EVENTINJ reserved bits set";
	switch (inj & SVM_EVENT_TYPE_MASK) {
	case SVM_EVENT_TYPE_INTR:
	case SVM_EVENT_TYPE_SOFT:
		return NULL;
	case SVM_EVENT_TYPE_NMI:
		return vector == L1VMM_NMI_VECTOR ? NULL : "EVENTINJ NMI with vector other than 2";
	case SVM_EVENT_TYPE_EXCEPT:
		if (vector > 31 || vector == L1VMM_NMI_VECTOR)
			return "EVENTINJ exception with a vector that is not one";
		return NULL;
	default:
		return "EVENTINJ with a reserved type";
	}
}

/*
 * The states QEMU's emulator (7.2) cannot run as L0: a real-mode guest with
 * EFER.LME (at the exit it restores the host's CR0 with the guest's CR4
 * and EFER still loaded, and L1 dies), and a guest above CPL 0 whose TR is
 * not an available TSS (its first interrupt to CPL 0 reads the TSS, and
 * QEMU aborts with "invalid tss" instead of raising #TS). And it checks a
 * guest's CR3 against MAXPHYADDR in every mode (with L1's EFER.LMA), and
 * when it refuses the VMRUN, writes L1's own CR0, CR3, CR4, EFER and
 * segments into the guest's save area and clears V_INTR_MASKING: user
 * space would read L1's state, and the next guest that spins with IF
 * clear is never interrupted (the RCU stall the fuzzer found). KVM as L1
 * suffers all three. Checked after the architectural ones.
 */
static const char *check_l0_tcg_quirks(const struct l1vmm_vmcb_view *v,
				       const struct l1vmm_vmcb_limits *limits)
{
	if (!(v->cr0 & L1VMM_CR0_PE) && (v->efer & L1VMM_EFER_LME))
		return "real mode with EFER.LME (L0 quirk: QEMU's emulator would kill L1)";
	if (v->cpl && (!v->tr_present || (v->tr_type & 7) != TSS_AVAILABLE))
		return "CPL > 0 without an available TSS in TR (L0 quirk: QEMU's emulator would abort)";
	if (beyond(v->cr3, limits->guest_phys_bits))
		return "CR3 beyond the guest-physical width (L0 quirk: QEMU's emulator would clobber the VMCB)";
	return NULL;
}

const char *l1vmm_vmcb_invalid(const struct l1vmm_vmcb_view *v,
			       const struct l1vmm_vmcb_limits *limits)
{
	bool long_mode = (v->efer & L1VMM_EFER_LME) && (v->cr0 & L1VMM_CR0_PG);
	const char *invalid;

	/* nested_vmcb_check_save() */
	if (!(v->efer & L1VMM_EFER_SVME))
		return "EFER.SVME clear";
	if (!(v->cr0 & L1VMM_CR0_CD) && (v->cr0 & L1VMM_CR0_NW))
		return "CR0.NW without CR0.CD";
	if (v->cr0 >> 32)
		return "CR0 bits 63:32 set";
	if (v->dr6 >> 32)
		return "DR6 bits 63:32 set";
	if (v->dr7 >> 32)
		return "DR7 bits 63:32 set";
	if (long_mode) {
		if (!(v->cr4 & L1VMM_CR4_PAE))
			return "long mode without CR4.PAE";
		if (!(v->cr0 & L1VMM_CR0_PE))
			return "long mode without CR0.PE";
		if (beyond(v->cr3, limits->guest_phys_bits))
			return "CR3 beyond the guest-physical width";
	}
	if (v->cr4 & ~limits->cr4_allowed)
		return "CR4 reserved or unsupported bits set";
	if (v->efer & ~EFER_ALLOWED)
		return "EFER reserved bits set";

	/* nested_vmcb_check_controls() */
	if (!v->intercept_vmrun)
		return "VMRUN not intercepted";
	if (!v->asid)
		return "ASID 0";
	if (!map_legal(v->msrpm_pa, L1VMM_MSRPM_SIZE, limits->host_phys_bits))
		return "MSR permission map beyond the physical width";
	if (!map_legal(v->iopm_pa, L1VMM_IOPM_SIZE, limits->host_phys_bits))
		return "I/O permission map beyond the physical width";
	if (v->np_enable && beyond(v->nested_cr3, limits->host_phys_bits))
		return "nested CR3 beyond the physical width";

	/* What VMRUN checks on top. */
	if (long_mode && v->cs_l && v->cs_d)
		return "CS.L and CS.D both set in long mode";
	invalid = check_event_inj(v->event_inj);
	if (invalid || !limits->l0_tcg_quirks)
		return invalid;
	return check_l0_tcg_quirks(v, limits);
}
