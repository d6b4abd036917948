// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMX capability MSRs to l1vmm's controls; see vmx_ctls.h.
 */
#include "l1vmm/vmx/vmx_ctls.h"
#include "l1vmm/portable/x86.h"

#define PAGE_BYTES	4096ULL

const char *l1vmm_vmx_basic_invalid(u64 basic)
{
	u64 size = (basic & L1VMM_VMX_BASIC_SIZE_MASK) >> L1VMM_VMX_BASIC_SIZE_SHIFT;
	u64 memtype = (basic & L1VMM_VMX_BASIC_MEMTYPE_MASK) >> L1VMM_VMX_BASIC_MEMTYPE_SHIFT;

	if (size > PAGE_BYTES)
		return "the VMCS region is larger than a page (IA32_VMX_BASIC)";
	if (basic & L1VMM_VMX_BASIC_32BIT_ADDRESSES)
		return "VMX structures limited to 32-bit physical addresses (IA32_VMX_BASIC)";
	if (memtype != L1VMM_VMX_BASIC_MEMTYPE_WB)
		return "the VMCS memory type is not write-back (IA32_VMX_BASIC)";
	return NULL;
}

static struct l1vmm_vmx_ctl_cap cap_of(u64 msr)
{
	return (struct l1vmm_vmx_ctl_cap){ .allowed0 = (u32)msr, .allowed1 = msr >> 32 };
}

void l1vmm_vmx_limits_from_msrs(const struct l1vmm_vmx_msrs *m,
				struct l1vmm_vmcs_limits *limits)
{
	/*
	 * With bit 55, the TRUE_* MSRs say which of the default-1 controls
	 * may be 0; their allowed-1 halves are the plain MSRs'.
	 */
	bool true_ctls = m->basic & L1VMM_VMX_BASIC_TRUE_CTLS;

	limits->pin = cap_of(true_ctls ? m->true_pinbased : m->pinbased);
	limits->proc = cap_of(true_ctls ? m->true_procbased : m->procbased);
	limits->exit = cap_of(true_ctls ? m->true_exit : m->exit);
	limits->entry = cap_of(true_ctls ? m->true_entry : m->entry);
	/* No secondary controls at all unless the primary ones may activate them. */
	if (limits->proc.allowed1 & L1VMM_PROC_ACTIVATE_SECONDARY)
		limits->proc2 = cap_of(m->procbased2);
	else
		limits->proc2 = (struct l1vmm_vmx_ctl_cap){ 0, 0 };
	limits->cr0_fixed0 = m->cr0_fixed0;
	limits->cr0_fixed1 = m->cr0_fixed1;
	limits->cr4_fixed0 = m->cr4_fixed0;
	limits->cr4_fixed1 = m->cr4_fixed1;
	limits->ept_vpid_cap = m->ept_vpid_cap;
	limits->misc = m->misc;
}

/*
 * What l1vmm asks for. As KVM 6.1's setup_vmcs_config(), with these
 * differences: no TPR shadow, APIC virtualization or posted interrupts
 * (l1vmm has no in-kernel local APIC), I/O and MSR bitmaps required (the
 * same all-intercepting policy as SVM's permission maps), EPT and
 * unrestricted guest required (every vCPU resets into real mode), EFER
 * loaded and saved by the VMCS rather than by MSR lists, and external
 * interrupts not acknowledged on exit: they stay pending and the host
 * takes them when l1vmm enables interrupts, as on SVM.
 */
const struct l1vmm_vmx_ctl_want l1vmm_vmx_want[L1VMM_NR_CTL_FIELDS] = {
	[L1VMM_CTL_PIN] = {
		.min = L1VMM_PIN_EXT_INTR_EXITING | L1VMM_PIN_NMI_EXITING |
		       L1VMM_PIN_VIRTUAL_NMIS,
		.opt = L1VMM_PIN_PREEMPTION_TIMER,
	},
	[L1VMM_CTL_PROC] = {
		.min = L1VMM_PROC_HLT_EXITING | L1VMM_PROC_MWAIT_EXITING |
		       L1VMM_PROC_RDPMC_EXITING | L1VMM_PROC_CR8_LOAD_EXITING |
		       L1VMM_PROC_CR8_STORE_EXITING | L1VMM_PROC_MOV_DR_EXITING |
		       L1VMM_PROC_USE_TSC_OFFSETTING |
		       L1VMM_PROC_USE_IO_BITMAPS | L1VMM_PROC_USE_MSR_BITMAPS |
		       L1VMM_PROC_MONITOR_EXITING | L1VMM_PROC_ACTIVATE_SECONDARY,
		.dyn = L1VMM_PROC_INTR_WINDOW_EXITING | L1VMM_PROC_NMI_WINDOW_EXITING,
	},
	[L1VMM_CTL_PROC2] = {
		.min = L1VMM_PROC2_ENABLE_EPT | L1VMM_PROC2_UNRESTRICTED_GUEST,
		.opt = L1VMM_PROC2_ENABLE_VPID | L1VMM_PROC2_ENABLE_RDTSCP |
		       L1VMM_PROC2_WBINVD_EXITING | L1VMM_PROC2_PAUSE_LOOP_EXITING |
		       L1VMM_PROC2_ENABLE_INVPCID,
	},
	[L1VMM_CTL_EXIT] = {
		.min = L1VMM_EXIT_SAVE_DEBUG_CONTROLS | L1VMM_EXIT_HOST_ADDR_SPACE_SIZE |
		       L1VMM_EXIT_SAVE_IA32_EFER | L1VMM_EXIT_LOAD_IA32_EFER,
		.opt = L1VMM_EXIT_SAVE_IA32_PAT | L1VMM_EXIT_LOAD_IA32_PAT |
		       L1VMM_EXIT_SAVE_PREEMPTION_TIMER,
	},
	[L1VMM_CTL_ENTRY] = {
		.min = L1VMM_ENTRY_LOAD_DEBUG_CONTROLS | L1VMM_ENTRY_LOAD_IA32_EFER,
		.opt = L1VMM_ENTRY_LOAD_IA32_PAT,
		.dyn = L1VMM_ENTRY_IA32E_MODE_GUEST,
	},
};

static const char *const field_names[L1VMM_NR_CTL_FIELDS] = {
	[L1VMM_CTL_PIN] = "pin-based VM-execution",
	[L1VMM_CTL_PROC] = "primary processor-based VM-execution",
	[L1VMM_CTL_PROC2] = "secondary processor-based VM-execution",
	[L1VMM_CTL_EXIT] = "VM-exit",
	[L1VMM_CTL_ENTRY] = "VM-entry",
};

/* The SDM's names of the controls l1vmm asks for, by bit. */
static const char *const ctl_names[L1VMM_NR_CTL_FIELDS][32] = {
	[L1VMM_CTL_PIN] = {
		[0] = "external-interrupt exiting",
		[3] = "NMI exiting",
		[5] = "virtual NMIs",
		[6] = "activate VMX-preemption timer",
	},
	[L1VMM_CTL_PROC] = {
		[2] = "interrupt-window exiting",
		[3] = "use TSC offsetting",
		[7] = "HLT exiting",
		[10] = "MWAIT exiting",
		[11] = "RDPMC exiting",
		[19] = "CR8-load exiting",
		[20] = "CR8-store exiting",
		[22] = "NMI-window exiting",
		[23] = "MOV-DR exiting",
		[25] = "use I/O bitmaps",
		[28] = "use MSR bitmaps",
		[29] = "MONITOR exiting",
		[31] = "activate secondary controls",
	},
	[L1VMM_CTL_PROC2] = {
		[1] = "enable EPT",
		[3] = "enable RDTSCP",
		[5] = "enable VPID",
		[6] = "WBINVD exiting",
		[7] = "unrestricted guest",
		[10] = "PAUSE-loop exiting",
		[12] = "enable INVPCID",
	},
	[L1VMM_CTL_EXIT] = {
		[2] = "save debug controls",
		[9] = "host address-space size",
		[18] = "save IA32_PAT",
		[19] = "load IA32_PAT",
		[20] = "save IA32_EFER",
		[21] = "load IA32_EFER",
	},
	[L1VMM_CTL_ENTRY] = {
		[2] = "load debug controls",
		[9] = "IA-32e mode guest",
		[14] = "load IA32_PAT",
		[15] = "load IA32_EFER",
	},
};

const char *l1vmm_vmx_ctl_field_name(enum l1vmm_vmx_ctl_field field)
{
	return field < L1VMM_NR_CTL_FIELDS ? field_names[field] : NULL;
}

const char *l1vmm_vmx_ctl_name(enum l1vmm_vmx_ctl_field field, unsigned int bit)
{
	return field < L1VMM_NR_CTL_FIELDS && bit < 32 ? ctl_names[field][bit] : NULL;
}

static const struct l1vmm_vmx_ctl_cap *field_cap(const struct l1vmm_vmcs_limits *limits,
						 enum l1vmm_vmx_ctl_field field)
{
	switch (field) {
	case L1VMM_CTL_PIN:
		return &limits->pin;
	case L1VMM_CTL_PROC:
		return &limits->proc;
	case L1VMM_CTL_PROC2:
		return &limits->proc2;
	case L1VMM_CTL_EXIT:
		return &limits->exit;
	default:
		return &limits->entry;
	}
}

static int set_missing(struct l1vmm_vmx_ctl_missing *missing, enum l1vmm_vmx_ctl_field field,
		       u32 bits, bool must_be_one)
{
	missing->field = field;
	missing->bit = __builtin_ctz(bits);
	missing->must_be_one = must_be_one;
	return -EIO;
}

int l1vmm_vmx_compute_ctls(const struct l1vmm_vmcs_limits *limits,
			   const struct l1vmm_vmx_ctl_want want[L1VMM_NR_CTL_FIELDS],
			   struct l1vmm_vmx_ctls *ctls, struct l1vmm_vmx_ctl_missing *missing)
{
	enum l1vmm_vmx_ctl_field f;

	for (f = 0; f < L1VMM_NR_CTL_FIELDS; f++) {
		const struct l1vmm_vmx_ctl_cap *cap = field_cap(limits, f);
		const struct l1vmm_vmx_ctl_want *w = &want[f];
		u32 lacking = (w->min | w->dyn) & ~cap->allowed1;
		u32 forced = w->dyn & cap->allowed0;

		/* Without "activate secondary controls" the CPU ignores them all. */
		if (f == L1VMM_CTL_PROC2 &&
		    !(ctls->val[L1VMM_CTL_PROC] & L1VMM_PROC_ACTIVATE_SECONDARY)) {
			ctls->val[f] = 0;
			ctls->dyn[f] = 0;
			continue;
		}
		if (lacking && (!forced || __builtin_ctz(lacking) < __builtin_ctz(forced)))
			return set_missing(missing, f, lacking, false);
		if (forced)
			return set_missing(missing, f, forced, true);
		ctls->val[f] = w->min | (w->opt & cap->allowed1) | cap->allowed0;
		ctls->dyn[f] = w->dyn;
	}
	/* Saving the preemption timer's value needs the timer (SDM 26.2.1.2). */
	if (!(ctls->val[L1VMM_CTL_PIN] & L1VMM_PIN_PREEMPTION_TIMER))
		ctls->val[L1VMM_CTL_EXIT] &= ~(L1VMM_EXIT_SAVE_PREEMPTION_TIMER &
					       ~limits->exit.allowed0);
	return 0;
}

u64 l1vmm_vmx_guest_cr0_fixed0(const struct l1vmm_vmcs_limits *limits, bool unrestricted)
{
	u64 fixed0 = limits->cr0_fixed0;

	if (unrestricted)
		fixed0 &= ~(L1VMM_CR0_PE | L1VMM_CR0_PG);
	return fixed0;
}

static bool fixed_err(unsigned int cr, u64 val, u64 fixed0, u64 fixed1,
		      struct l1vmm_vmx_fixed_err *err)
{
	u64 unset = fixed0 & ~val, set = val & ~fixed1;
	u64 bad = unset | set;

	if (!bad)
		return false;
	err->cr = cr;
	err->bit = __builtin_ctzll(bad);
	err->must_be_one = unset & BIT_ULL(err->bit);
	return true;
}

bool l1vmm_vmx_host_crs_invalid(u64 cr0, u64 cr4, const struct l1vmm_vmcs_limits *limits,
				struct l1vmm_vmx_fixed_err *err)
{
	return fixed_err(0, cr0, limits->cr0_fixed0, limits->cr0_fixed1, err) ||
	       fixed_err(4, cr4 | L1VMM_VMX_CR4_VMXE, limits->cr4_fixed0, limits->cr4_fixed1, err);
}
