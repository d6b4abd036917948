// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmcs12 consistency checks; see vmcs_check.h. The order follows KVM's
 * nested_vmx_check_controls(), nested_vmx_check_host_state() and
 * nested_vmx_check_guest_state(), then the guest-state checks the SDM
 * lists and KVM leaves to the CPU, in the SDM's order.
 */
#include "l1vmm/vmx/vmcs_check.h"
#include "l1vmm/portable/x86.h"

#define PAGE_OFFSET_MASK	0xfffULL
#define SEG_LIMIT_PAGE_MASK	0xfffU		/* the bits G=1 sets */
#define SEG_LIMIT_BYTE_MAX	0xfffffU	/* the largest limit with G=0 */
#define V86_SEG_LIMIT		0xffffU
#define V86_SEG_BASE_SHIFT	4
#define DESC_TABLE_LIMIT_MAX	0xffffU

/* One reason per segment register for a rule every segment has. */
#define PER_SEG(rule)	{ "ES " rule, "CS " rule, "SS " rule, "DS " rule, \
			  "FS " rule, "GS " rule, "LDTR " rule, "TR " rule }

static const char *const seg_not_present[] = PER_SEG("not present");
static const char *const seg_ar_reserved[] = PER_SEG("access-rights reserved bits set");
static const char *const seg_granularity[] = PER_SEG("granularity inconsistent with the limit");
static const char *const seg_base_noncanonical[] = PER_SEG("base not canonical");
static const char *const seg_base_high[] = PER_SEG("base bits 63:32 set");
static const char *const seg_v86_base[] = PER_SEG("base not selector * 16 in virtual-8086 mode");
static const char *const seg_v86_limit[] = PER_SEG("limit not 0xffff in virtual-8086 mode");
static const char *const seg_v86_ar[] = PER_SEG("access rights not 0xf3 in virtual-8086 mode");

static bool beyond(u64 pa, unsigned int bits)
{
	return bits < 64 && (pa >> bits);
}

static bool page_address_invalid(u64 pa, unsigned int bits)
{
	return (pa & PAGE_OFFSET_MASK) || beyond(pa, bits);
}

static bool noncanonical(u64 la, unsigned int bits)
{
	unsigned int shift = 64 - bits;

	return (u64)((s64)(la << shift) >> shift) != la;
}

static bool ctl_invalid(u32 ctl, const struct l1vmm_vmx_ctl_cap *cap)
{
	return (ctl & cap->allowed0) != cap->allowed0 || (ctl & ~cap->allowed1);
}

/* Fixed-bit MSRs: bits set in @fixed0 must be 1, bits clear in @fixed1 must be 0. */
static bool fixed_bits_invalid(u64 val, u64 fixed0, u64 fixed1)
{
	return (val & fixed0) != fixed0 || (val & ~fixed1);
}

/* The secondary controls are 0 unless the primary ones activate them. */
static u32 proc2_of(const struct l1vmm_vmcs_view *v)
{
	return (v->proc & L1VMM_PROC_ACTIVATE_SECONDARY) ? v->proc2 : 0;
}

static bool exception_has_error_code(unsigned int vector)
{
	switch (vector) {
	case L1VMM_DF_VECTOR:
	case L1VMM_TS_VECTOR:
	case L1VMM_NP_VECTOR:
	case L1VMM_SS_VECTOR:
	case L1VMM_GP_VECTOR:
	case L1VMM_PF_VECTOR:
	case L1VMM_AC_VECTOR:
		return true;
	default:
		return false;
	}
}

static const char *check_eptp(u64 eptp, const struct l1vmm_vmcs_limits *limits)
{
	u64 cap = limits->ept_vpid_cap;

	switch (eptp & L1VMM_EPTP_MEMTYPE_MASK) {
	case L1VMM_EPTP_MEMTYPE_UC:
		if (!(cap & L1VMM_EPT_CAP_MEMTYPE_UC))
			return "EPTP memory type not supported";
		break;
	case L1VMM_EPTP_MEMTYPE_WB:
		if (!(cap & L1VMM_EPT_CAP_MEMTYPE_WB))
			return "EPTP memory type not supported";
		break;
	default:
		return "EPTP memory type not supported";
	}
	switch (eptp & L1VMM_EPTP_WALK_LENGTH_MASK) {
	case L1VMM_EPTP_WALK_LENGTH_4:
		if (!(cap & L1VMM_EPT_CAP_WALK_LENGTH_4))
			return "EPTP page-walk length not supported";
		break;
	case L1VMM_EPTP_WALK_LENGTH_5:
		if (!(cap & L1VMM_EPT_CAP_WALK_LENGTH_5))
			return "EPTP page-walk length not supported";
		break;
	default:
		return "EPTP page-walk length not supported";
	}
	if (eptp & L1VMM_EPTP_RESERVED)
		return "EPTP reserved bits set";
	if (beyond(eptp, limits->phys_bits))
		return "EPTP beyond the physical width";
	if ((eptp & L1VMM_EPTP_AD_ENABLE) && !(cap & L1VMM_EPT_CAP_AD))
		return "EPTP accessed/dirty flags not supported";
	return NULL;
}

/* The VM-entry interruption-information field and what goes with it. */
static const char *check_entry_event(const struct l1vmm_vmcs_view *v,
				     const struct l1vmm_vmcs_limits *limits)
{
	u32 info = v->entry_intr_info;
	u32 type = info & L1VMM_INTR_INFO_TYPE_MASK;
	u32 vector = info & L1VMM_INTR_INFO_VECTOR_MASK;
	bool has_error_code = info & L1VMM_INTR_INFO_DELIVER_CODE;
	bool prot_mode = !(proc2_of(v) & L1VMM_PROC2_UNRESTRICTED_GUEST) ||
			 (v->guest_cr0 & L1VMM_CR0_PE);
	bool wants_error_code;

	if (!(info & L1VMM_INTR_INFO_VALID))
		return NULL;
	if (type == L1VMM_INTR_TYPE_RESERVED)
		return "event injection with a reserved type";
	if (type == L1VMM_INTR_TYPE_OTHER_EVENT &&
	    !(limits->proc.allowed1 & L1VMM_PROC_MONITOR_TRAP_FLAG))
		return "event injection of type other event without monitor trap flag support";
	if (type == L1VMM_INTR_TYPE_NMI && vector != L1VMM_NMI_VECTOR)
		return "NMI injection with a vector other than 2";
	if (type == L1VMM_INTR_TYPE_HARD_EXCEPTION && vector > 31)
		return "hardware exception injection with a vector above 31";
	if (type == L1VMM_INTR_TYPE_OTHER_EVENT && vector)
		return "other-event injection with a vector other than 0";
	wants_error_code = type == L1VMM_INTR_TYPE_HARD_EXCEPTION && prot_mode &&
			   exception_has_error_code(vector);
	if (has_error_code && !wants_error_code)
		return "event injection delivers an error code the event has not";
	if (!has_error_code && wants_error_code)
		return "exception injection without the error code it has";
	if (has_error_code && (v->entry_error_code & L1VMM_ENTRY_ERROR_CODE_RESERVED))
		return "event injection error code bits 31:16 set";
	if (info & L1VMM_INTR_INFO_RESERVED)
		return "event injection reserved bits set";
	switch (type) {
	case L1VMM_INTR_TYPE_SOFT_INTR:
	case L1VMM_INTR_TYPE_PRIV_SW_EXCEPTION:
	case L1VMM_INTR_TYPE_SOFT_EXCEPTION:
		if (v->entry_insn_len > L1VMM_MAX_INSN_LEN)
			return "software event injection with an instruction length above 15";
		if (!v->entry_insn_len && !(limits->misc & L1VMM_VMX_MISC_ZERO_LEN_INJECTION))
			return "software event injection with instruction length 0";
	}
	return NULL;
}

/* nested_vmx_check_controls() */
static const char *check_controls(const struct l1vmm_vmcs_view *v,
				  const struct l1vmm_vmcs_limits *limits)
{
	u32 proc2 = proc2_of(v);
	u32 cr3_targets = (limits->misc & L1VMM_VMX_MISC_CR3_TARGETS_MASK) >>
			  L1VMM_VMX_MISC_CR3_TARGETS_SHIFT;
	const char *invalid;

	/* nested_check_vm_execution_controls() */
	if (ctl_invalid(v->pin, &limits->pin))
		return "pin-based controls not allowed by the CPU";
	if (ctl_invalid(v->proc, &limits->proc))
		return "processor-based controls not allowed by the CPU";
	if ((v->proc & L1VMM_PROC_ACTIVATE_SECONDARY) && ctl_invalid(v->proc2, &limits->proc2))
		return "secondary processor-based controls not allowed by the CPU";
	if (v->cr3_target_count > cr3_targets)
		return "CR3-target count above the CPU's";
	if (v->proc & L1VMM_PROC_USE_IO_BITMAPS) {
		if (page_address_invalid(v->io_bitmap_a, limits->phys_bits))
			return "I/O bitmap A not page-aligned or beyond the physical width";
		if (page_address_invalid(v->io_bitmap_b, limits->phys_bits))
			return "I/O bitmap B not page-aligned or beyond the physical width";
	}
	if ((v->proc & L1VMM_PROC_USE_MSR_BITMAPS) &&
	    page_address_invalid(v->msr_bitmap, limits->phys_bits))
		return "MSR bitmap not page-aligned or beyond the physical width";
	if ((v->pin & L1VMM_PIN_VIRTUAL_NMIS) && !(v->pin & L1VMM_PIN_NMI_EXITING))
		return "virtual NMIs without NMI exiting";
	if ((v->proc & L1VMM_PROC_NMI_WINDOW_EXITING) && !(v->pin & L1VMM_PIN_VIRTUAL_NMIS))
		return "NMI-window exiting without virtual NMIs";
	if ((proc2 & L1VMM_PROC2_UNRESTRICTED_GUEST) && !(proc2 & L1VMM_PROC2_ENABLE_EPT))
		return "unrestricted guest without EPT";
	if ((proc2 & L1VMM_PROC2_ENABLE_VPID) && !v->vpid)
		return "VPID 0 with VPID enabled";
	if (proc2 & L1VMM_PROC2_ENABLE_EPT) {
		invalid = check_eptp(v->eptp, limits);
		if (invalid)
			return invalid;
	}

	/* nested_check_vm_exit_controls() */
	if (ctl_invalid(v->exit, &limits->exit))
		return "VM-exit controls not allowed by the CPU";
	if ((v->exit & L1VMM_EXIT_SAVE_PREEMPTION_TIMER) && !(v->pin & L1VMM_PIN_PREEMPTION_TIMER))
		return "saving the preemption timer without the timer";

	/* nested_check_vm_entry_controls() */
	if (ctl_invalid(v->entry, &limits->entry))
		return "VM-entry controls not allowed by the CPU";
	return check_entry_event(v, limits);
}

/* nested_vmx_check_host_state() */
static const char *check_host_state(const struct l1vmm_vmcs_view *v,
				    const struct l1vmm_vmcs_limits *limits)
{
	bool addr_space_64 = v->exit & L1VMM_EXIT_HOST_ADDR_SPACE_SIZE;
	unsigned int vbits = limits->virt_bits;
	int i;

	if (fixed_bits_invalid(v->host_cr0, limits->cr0_fixed0, limits->cr0_fixed1))
		return "host CR0 bits not allowed in VMX operation";
	if (fixed_bits_invalid(v->host_cr4, limits->cr4_fixed0, limits->cr4_fixed1))
		return "host CR4 bits not allowed in VMX operation";
	if (beyond(v->host_cr3, limits->phys_bits))
		return "host CR3 beyond the physical width";
	if (limits->host_ia32e) {
		if (!addr_space_64)
			return "host address-space size clear in IA-32e mode";
		if (!(v->host_cr4 & L1VMM_CR4_PAE))
			return "host CR4.PAE clear in IA-32e mode";
	} else {
		if (addr_space_64)
			return "host address-space size set outside IA-32e mode";
		if (v->entry & L1VMM_ENTRY_IA32E_MODE_GUEST)
			return "IA-32e mode guest outside IA-32e mode";
		if (v->host_cr4 & L1VMM_CR4_PCIDE)
			return "host CR4.PCIDE set outside IA-32e mode";
		if (v->host_rip >> 32)
			return "host RIP bits 63:32 set outside IA-32e mode";
	}
	for (i = 0; i < L1VMM_VMCS_SEG_NR; i++) {
		if (i != L1VMM_VMCS_SEG_LDTR &&
		    (v->host_sel[i] & (L1VMM_SEL_RPL_MASK | L1VMM_SEL_TI)))
			return "host selector with RPL or TI set";
	}
	if (!v->host_sel[L1VMM_VMCS_SEG_CS])
		return "host CS selector null";
	if (!v->host_sel[L1VMM_VMCS_SEG_TR])
		return "host TR selector null";
	if (!v->host_sel[L1VMM_VMCS_SEG_SS] && !addr_space_64)
		return "host SS selector null without host address-space size";
	if (noncanonical(v->host_fs_base, vbits))
		return "host FS base not canonical";
	if (noncanonical(v->host_gs_base, vbits))
		return "host GS base not canonical";
	if (noncanonical(v->host_gdtr_base, vbits))
		return "host GDTR base not canonical";
	if (noncanonical(v->host_idtr_base, vbits))
		return "host IDTR base not canonical";
	if (noncanonical(v->host_tr_base, vbits))
		return "host TR base not canonical";
	if (noncanonical(v->host_rip, vbits))
		return "host RIP not canonical";
	if (v->exit & L1VMM_EXIT_LOAD_IA32_EFER) {
		if (v->host_efer & ~limits->efer_allowed)
			return "host EFER reserved bits set";
		if (!(v->host_efer & L1VMM_EFER_LMA) != !addr_space_64)
			return "host EFER.LMA differs from host address-space size";
		if (!(v->host_efer & L1VMM_EFER_LME) != !addr_space_64)
			return "host EFER.LME differs from host address-space size";
	}
	return NULL;
}

/* Present, no reserved bits, G matching the limit: every usable segment. */
static const char *check_seg_common(const struct l1vmm_vmcs_seg *s, int i)
{
	if (!(s->ar & L1VMM_AR_P))
		return seg_not_present[i];
	if (s->ar & L1VMM_AR_RESERVED)
		return seg_ar_reserved[i];
	if ((s->limit & SEG_LIMIT_PAGE_MASK) != SEG_LIMIT_PAGE_MASK && (s->ar & L1VMM_AR_G))
		return seg_granularity[i];
	if (s->limit > SEG_LIMIT_BYTE_MAX && !(s->ar & L1VMM_AR_G))
		return seg_granularity[i];
	return NULL;
}

static bool seg_usable(const struct l1vmm_vmcs_seg *s)
{
	return !(s->ar & L1VMM_AR_UNUSABLE);
}

static u32 seg_dpl(const struct l1vmm_vmcs_seg *s)
{
	return (s->ar & L1VMM_AR_DPL_MASK) >> L1VMM_AR_DPL_SHIFT;
}

static const char *check_cs_ar(const struct l1vmm_vmcs_view *v, bool urg, bool ia32e)
{
	const struct l1vmm_vmcs_seg *cs = &v->guest_seg[L1VMM_VMCS_SEG_CS];
	const struct l1vmm_vmcs_seg *ss = &v->guest_seg[L1VMM_VMCS_SEG_SS];
	u32 type = cs->ar & L1VMM_AR_TYPE_MASK;
	bool accessed_code = (type & (L1VMM_AR_TYPE_CODE | L1VMM_AR_TYPE_ACCESSED)) ==
			     (L1VMM_AR_TYPE_CODE | L1VMM_AR_TYPE_ACCESSED);

	if (!accessed_code && !(urg && type == L1VMM_SEG_TYPE_DATA_RW_ACCESSED))
		return "CS type not an accessed code segment";
	if (!(cs->ar & L1VMM_AR_S))
		return "CS a system segment";
	if (!accessed_code && seg_dpl(cs))
		return "CS type 3 with DPL other than 0";
	if (accessed_code && !(type & L1VMM_SEG_TYPE_CODE_CONFORMING) &&
	    seg_dpl(cs) != seg_dpl(ss))
		return "nonconforming CS.DPL differs from SS.DPL";
	if (accessed_code && (type & L1VMM_SEG_TYPE_CODE_CONFORMING) &&
	    seg_dpl(cs) > seg_dpl(ss))
		return "conforming CS.DPL above SS.DPL";
	if (ia32e && (cs->ar & L1VMM_AR_L) && (cs->ar & L1VMM_AR_DB))
		return "CS.L and CS.D both set in IA-32e mode";
	return check_seg_common(cs, L1VMM_VMCS_SEG_CS);
}

static const char *check_ss_ar(const struct l1vmm_vmcs_view *v, bool urg)
{
	const struct l1vmm_vmcs_seg *ss = &v->guest_seg[L1VMM_VMCS_SEG_SS];
	u32 cs_type = v->guest_seg[L1VMM_VMCS_SEG_CS].ar & L1VMM_AR_TYPE_MASK;
	u32 type = ss->ar & L1VMM_AR_TYPE_MASK;

	if (!urg && seg_dpl(ss) != (ss->selector & L1VMM_SEL_RPL_MASK))
		return "SS.DPL differs from SS.RPL";
	if ((cs_type == L1VMM_SEG_TYPE_DATA_RW_ACCESSED || !(v->guest_cr0 & L1VMM_CR0_PE)) &&
	    seg_dpl(ss))
		return "SS.DPL not 0 in real mode or with CS type 3";
	if (!seg_usable(ss))
		return NULL;
	if (type != L1VMM_SEG_TYPE_DATA_RW_ACCESSED && type != L1VMM_SEG_TYPE_DATA_RW_DOWN_ACCESSED)
		return "SS type not a read/write accessed data segment";
	if (!(ss->ar & L1VMM_AR_S))
		return "SS a system segment";
	return check_seg_common(ss, L1VMM_VMCS_SEG_SS);
}

static const char *check_data_seg_ar(const struct l1vmm_vmcs_seg *s, int i, bool urg)
{
	u32 type = s->ar & L1VMM_AR_TYPE_MASK;

	if (!seg_usable(s))
		return NULL;
	if (!(type & L1VMM_AR_TYPE_ACCESSED))
		return "data segment register not accessed";
	if ((type & L1VMM_AR_TYPE_CODE) && !(type & L1VMM_AR_TYPE_READABLE))
		return "data segment register holds an execute-only code segment";
	if (!(s->ar & L1VMM_AR_S))
		return "data segment register holds a system segment";
	/* Types 0-11: data, and nonconforming code. */
	if (!urg && !((type & L1VMM_AR_TYPE_CODE) && (type & L1VMM_SEG_TYPE_CODE_CONFORMING)) &&
	    seg_dpl(s) < (s->selector & L1VMM_SEL_RPL_MASK))
		return "data segment register DPL below its RPL";
	return check_seg_common(s, i);
}

static const char *check_tr_ldtr_ar(const struct l1vmm_vmcs_view *v, bool ia32e)
{
	const struct l1vmm_vmcs_seg *tr = &v->guest_seg[L1VMM_VMCS_SEG_TR];
	const struct l1vmm_vmcs_seg *ldtr = &v->guest_seg[L1VMM_VMCS_SEG_LDTR];
	u32 type = tr->ar & L1VMM_AR_TYPE_MASK;
	const char *invalid;

	if (type != L1VMM_SEG_TYPE_TSS32_BUSY &&
	    (ia32e || type != L1VMM_SEG_TYPE_TSS16_BUSY))
		return "TR type not a busy TSS of the mode";
	if (tr->ar & L1VMM_AR_S)
		return "TR not a system segment";
	if (!seg_usable(tr))
		return "TR unusable";
	invalid = check_seg_common(tr, L1VMM_VMCS_SEG_TR);
	if (invalid || !seg_usable(ldtr))
		return invalid;
	if ((ldtr->ar & L1VMM_AR_TYPE_MASK) != L1VMM_SEG_TYPE_LDT)
		return "LDTR type not an LDT";
	if (ldtr->ar & L1VMM_AR_S)
		return "LDTR not a system segment";
	return check_seg_common(ldtr, L1VMM_VMCS_SEG_LDTR);
}

/* Selectors, bases, limits and access rights of virtual-8086 mode. */
static const char *check_v86_segs(const struct l1vmm_vmcs_view *v)
{
	int i;

	for (i = L1VMM_VMCS_SEG_ES; i <= L1VMM_VMCS_SEG_GS; i++) {
		const struct l1vmm_vmcs_seg *s = &v->guest_seg[i];

		if (s->base != (u64)s->selector << V86_SEG_BASE_SHIFT)
			return seg_v86_base[i];
		if (s->limit != V86_SEG_LIMIT)
			return seg_v86_limit[i];
		if (s->ar != L1VMM_AR_V86)
			return seg_v86_ar[i];
	}
	return NULL;
}

/* The SDM's "Checks on Guest Segment Registers". */
static const char *check_guest_segs(const struct l1vmm_vmcs_view *v,
				    const struct l1vmm_vmcs_limits *limits,
				    bool urg, bool ia32e)
{
	const struct l1vmm_vmcs_seg *seg = v->guest_seg;
	bool v86 = v->guest_rflags & L1VMM_RFLAGS_VM;
	const char *invalid;
	int i;

	if (seg[L1VMM_VMCS_SEG_TR].selector & L1VMM_SEL_TI)
		return "TR selector TI set";
	if (seg_usable(&seg[L1VMM_VMCS_SEG_LDTR]) && (seg[L1VMM_VMCS_SEG_LDTR].selector & L1VMM_SEL_TI))
		return "LDTR selector TI set";
	if (!v86 && !urg && (seg[L1VMM_VMCS_SEG_SS].selector & L1VMM_SEL_RPL_MASK) !=
			    (seg[L1VMM_VMCS_SEG_CS].selector & L1VMM_SEL_RPL_MASK))
		return "SS.RPL differs from CS.RPL";
	if (v86) {
		invalid = check_v86_segs(v);
		if (invalid)
			return invalid;
	}

	for (i = 0; i < L1VMM_VMCS_SEG_NR; i++) {
		bool usable = seg_usable(&seg[i]);

		switch (i) {
		case L1VMM_VMCS_SEG_FS:
		case L1VMM_VMCS_SEG_GS:
		case L1VMM_VMCS_SEG_TR:
		case L1VMM_VMCS_SEG_LDTR:
			if ((usable || i != L1VMM_VMCS_SEG_LDTR) &&
			    noncanonical(seg[i].base, limits->virt_bits))
				return seg_base_noncanonical[i];
			break;
		default:	/* CS, and SS, DS, ES when usable */
			if ((usable || i == L1VMM_VMCS_SEG_CS) && (seg[i].base >> 32))
				return seg_base_high[i];
		}
	}

	if (!v86) {
		invalid = check_cs_ar(v, urg, ia32e);
		if (!invalid)
			invalid = check_ss_ar(v, urg);
		for (i = L1VMM_VMCS_SEG_ES; !invalid && i <= L1VMM_VMCS_SEG_GS; i++) {
			if (i != L1VMM_VMCS_SEG_CS && i != L1VMM_VMCS_SEG_SS)
				invalid = check_data_seg_ar(&seg[i], i, urg);
		}
		if (invalid)
			return invalid;
	}
	return check_tr_ldtr_ar(v, ia32e);
}

/*
 * Which events an inactive guest may be given (SDM "Checks on Guest
 * Non-Register State"). Shutdown is refused before this, as KVM does.
 */
static bool activity_takes_event(u32 activity, u32 info)
{
	u32 type = info & L1VMM_INTR_INFO_TYPE_MASK;
	u32 vector = info & L1VMM_INTR_INFO_VECTOR_MASK;
	bool db_or_mc = type == L1VMM_INTR_TYPE_HARD_EXCEPTION &&
			(vector == L1VMM_DB_VECTOR || vector == L1VMM_MC_VECTOR);

	switch (activity) {
	case L1VMM_ACTIVITY_HLT:
		return type == L1VMM_INTR_TYPE_EXT_INTR || type == L1VMM_INTR_TYPE_NMI ||
		       db_or_mc || (type == L1VMM_INTR_TYPE_OTHER_EVENT && !vector);
	case L1VMM_ACTIVITY_WAIT_SIPI:
		return false;
	default:
		return true;
	}
}

static const char *check_guest_non_reg_state(const struct l1vmm_vmcs_view *v,
					     const struct l1vmm_vmcs_limits *limits)
{
	u32 intr = v->guest_interruptibility;
	u32 info = v->entry_intr_info;
	u32 type = info & L1VMM_INTR_INFO_TYPE_MASK;
	bool injecting = info & L1VMM_INTR_INFO_VALID;
	u32 sti_or_mov_ss = intr & (L1VMM_INTERRUPTIBILITY_STI | L1VMM_INTERRUPTIBILITY_MOV_SS);

	/* IA32_VMX_MISC bits 8:6 name states 1-3; KVM's check left 1 and 3. */
	if (v->guest_activity != L1VMM_ACTIVITY_ACTIVE &&
	    !(limits->misc & (L1VMM_VMX_MISC_ACTIVITY_HLT << (v->guest_activity - 1))))
		return "guest activity state not supported by the CPU";
	if (v->guest_activity == L1VMM_ACTIVITY_HLT && seg_dpl(&v->guest_seg[L1VMM_VMCS_SEG_SS]))
		return "guest HLT state with SS.DPL not 0";
	if (v->guest_activity != L1VMM_ACTIVITY_ACTIVE && sti_or_mov_ss)
		return "guest not active with blocking by STI or MOV SS";
	if (injecting && !activity_takes_event(v->guest_activity, info))
		return "event injection the guest activity state does not take";

	if (intr & L1VMM_INTERRUPTIBILITY_RESERVED)
		return "guest interruptibility reserved bits set";
	if (sti_or_mov_ss == (L1VMM_INTERRUPTIBILITY_STI | L1VMM_INTERRUPTIBILITY_MOV_SS))
		return "guest blocking by STI and by MOV SS both set";
	if ((intr & L1VMM_INTERRUPTIBILITY_STI) && !(v->guest_rflags & L1VMM_RFLAGS_IF))
		return "guest blocking by STI with RFLAGS.IF clear";
	if (injecting && type == L1VMM_INTR_TYPE_EXT_INTR && sti_or_mov_ss)
		return "external interrupt injection with blocking by STI or MOV SS";
	if (injecting && type == L1VMM_INTR_TYPE_NMI && (intr & L1VMM_INTERRUPTIBILITY_MOV_SS))
		return "NMI injection with blocking by MOV SS";
	/* l1vmm never enters a guest from SMM. */
	if (intr & L1VMM_INTERRUPTIBILITY_SMI)
		return "guest blocking by SMI outside SMM";
	if (injecting && type == L1VMM_INTR_TYPE_NMI && (v->pin & L1VMM_PIN_VIRTUAL_NMIS) &&
	    (intr & L1VMM_INTERRUPTIBILITY_NMI))
		return "NMI injection with blocking by NMI under virtual NMIs";

	if (v->guest_pending_dbg & L1VMM_PENDING_DBG_RESERVED)
		return "guest pending debug exceptions reserved bits set";
	return NULL;
}

/*
 * What KVM leaves to the CPU: the rest of the SDM's "Checks on Guest State
 * Area", in its order.
 */
static const char *check_guest_state_sdm(const struct l1vmm_vmcs_view *v,
					 const struct l1vmm_vmcs_limits *limits,
					 bool urg, bool ia32e)
{
	bool cs_l = v->guest_seg[L1VMM_VMCS_SEG_CS].ar & L1VMM_AR_L;
	u32 info = v->entry_intr_info;
	const char *invalid;

	/* Control registers, debug registers and MSRs */
	if ((v->guest_cr0 & L1VMM_CR0_PG) && !(v->guest_cr0 & L1VMM_CR0_PE))
		return "guest CR0.PG without CR0.PE";
	if (ia32e && !(v->guest_cr0 & L1VMM_CR0_PG))
		return "IA-32e mode guest without CR0.PG";
	if (ia32e && !(v->guest_cr4 & L1VMM_CR4_PAE))
		return "IA-32e mode guest without CR4.PAE";
	if (!ia32e && (v->guest_cr4 & L1VMM_CR4_PCIDE))
		return "guest CR4.PCIDE outside IA-32e mode";
	if (beyond(v->guest_cr3, limits->phys_bits))
		return "guest CR3 beyond the physical width";

	invalid = check_guest_segs(v, limits, urg, ia32e);
	if (invalid)
		return invalid;

	/* Descriptor-table registers */
	if (noncanonical(v->guest_gdtr_base, limits->virt_bits))
		return "guest GDTR base not canonical";
	if (noncanonical(v->guest_idtr_base, limits->virt_bits))
		return "guest IDTR base not canonical";
	if (v->guest_gdtr_limit > DESC_TABLE_LIMIT_MAX)
		return "guest GDTR limit bits 31:16 set";
	if (v->guest_idtr_limit > DESC_TABLE_LIMIT_MAX)
		return "guest IDTR limit bits 31:16 set";

	/* RIP and RFLAGS */
	if (!(ia32e && cs_l) && (v->guest_rip >> 32))
		return "guest RIP bits 63:32 set outside 64-bit mode";
	if (ia32e && cs_l && noncanonical(v->guest_rip, limits->virt_bits))
		return "guest RIP not canonical in 64-bit mode";
	if (v->guest_rflags & L1VMM_RFLAGS_RESERVED)
		return "guest RFLAGS reserved bits set";
	if (!(v->guest_rflags & L1VMM_RFLAGS_FIXED1))
		return "guest RFLAGS bit 1 clear";
	if ((ia32e || !(v->guest_cr0 & L1VMM_CR0_PE)) && (v->guest_rflags & L1VMM_RFLAGS_VM))
		return "guest RFLAGS.VM in IA-32e mode or real mode";
	if ((info & L1VMM_INTR_INFO_VALID) &&
	    (info & L1VMM_INTR_INFO_TYPE_MASK) == L1VMM_INTR_TYPE_EXT_INTR &&
	    !(v->guest_rflags & L1VMM_RFLAGS_IF))
		return "external interrupt injection with RFLAGS.IF clear";

	return check_guest_non_reg_state(v, limits);
}

/* nested_vmx_check_guest_state() */
static const char *check_guest_state(const struct l1vmm_vmcs_view *v,
				     const struct l1vmm_vmcs_limits *limits)
{
	bool urg = proc2_of(v) & L1VMM_PROC2_UNRESTRICTED_GUEST;
	bool ia32e = v->entry & L1VMM_ENTRY_IA32E_MODE_GUEST;
	u64 cr0_fixed0 = limits->cr0_fixed0;

	/* An unrestricted guest may run with paging or protection off. */
	if (urg)
		cr0_fixed0 &= ~(L1VMM_CR0_PE | L1VMM_CR0_PG);
	if (fixed_bits_invalid(v->guest_cr0, cr0_fixed0, limits->cr0_fixed1))
		return "guest CR0 bits not allowed in VMX operation";
	if (fixed_bits_invalid(v->guest_cr4, limits->cr4_fixed0, limits->cr4_fixed1))
		return "guest CR4 bits not allowed in VMX operation";
	if ((v->entry & L1VMM_ENTRY_LOAD_DEBUG_CONTROLS) && (v->guest_dr7 >> 32))
		return "guest DR7 bits 63:32 set";
	if (v->vmcs_link_pointer != L1VMM_VMCS_LINK_NONE &&
	    page_address_invalid(v->vmcs_link_pointer, limits->phys_bits))
		return "VMCS link pointer not page-aligned or beyond the physical width";
	if (v->entry & L1VMM_ENTRY_LOAD_IA32_EFER) {
		if (v->guest_efer & ~limits->efer_allowed)
			return "guest EFER reserved bits set";
		if (!(v->guest_efer & L1VMM_EFER_LMA) != !ia32e)
			return "guest EFER.LMA differs from IA-32e mode guest";
		if ((v->guest_cr0 & L1VMM_CR0_PG) && !(v->guest_efer & L1VMM_EFER_LME) != !ia32e)
			return "guest EFER.LME differs from IA-32e mode guest with paging";
	}
	/* nested_check_guest_non_reg_state(): the states KVM emulates. */
	if (v->guest_activity != L1VMM_ACTIVITY_ACTIVE &&
	    v->guest_activity != L1VMM_ACTIVITY_HLT &&
	    v->guest_activity != L1VMM_ACTIVITY_WAIT_SIPI)
		return "guest activity state not active, HLT or wait-for-SIPI";

	return check_guest_state_sdm(v, limits, urg, ia32e);
}

const char *l1vmm_vmcs_invalid(const struct l1vmm_vmcs_view *v,
			       const struct l1vmm_vmcs_limits *limits)
{
	const char *invalid = check_controls(v, limits);

	if (!invalid)
		invalid = check_host_state(v, limits);
	return invalid ?: check_guest_state(v, limits);
}
