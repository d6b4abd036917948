/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VMX capability MSRs and the controls l1vmm runs its VMCSs with,
 * computed from them. Portable: the kernel reads the MSRs (vmx/setup.c),
 * these rules decide, and selftests/unit/test_vmx_ctls.c tests them rule
 * by rule. KVM 6.1's setup_vmcs_config() and adjust_vmx_controls()
 * (arch/x86/kvm/vmx/vmx.c) are the reference; the SDM's appendix "VMX
 * Capability Reporting Facility" says what each MSR means.
 */
#ifndef L1VMM_VMX_CTLS_H
#define L1VMM_VMX_CTLS_H

#include "l1vmm/vmx/vmcs_check.h"

/* IA32_VMX_BASIC. */
#define L1VMM_VMX_BASIC_REVISION_MASK		0x7fffffffULL	/* bits 30:0 */
#define L1VMM_VMX_BASIC_SIZE_SHIFT		32
#define L1VMM_VMX_BASIC_SIZE_MASK		(0x1fffULL << 32)
#define L1VMM_VMX_BASIC_32BIT_ADDRESSES		BIT_ULL(48)
#define L1VMM_VMX_BASIC_MEMTYPE_SHIFT		50
#define L1VMM_VMX_BASIC_MEMTYPE_MASK		(0xfULL << 50)
#define L1VMM_VMX_BASIC_MEMTYPE_WB		6ULL
#define L1VMM_VMX_BASIC_TRUE_CTLS		BIT_ULL(55)

/* CR4.VMXE: on in VMX operation, and in every CR4_FIXED0. */
#define L1VMM_VMX_CR4_VMXE			BIT_ULL(13)

/* Pin-based VM-execution controls (more in vmcs_check.h). */
#define L1VMM_PIN_EXT_INTR_EXITING		BIT(0)

/* Primary processor-based VM-execution controls. */
#define L1VMM_PROC_INTR_WINDOW_EXITING		BIT(2)
#define L1VMM_PROC_USE_TSC_OFFSETTING		BIT(3)
#define L1VMM_PROC_HLT_EXITING			BIT(7)
#define L1VMM_PROC_INVLPG_EXITING		BIT(9)
#define L1VMM_PROC_MWAIT_EXITING		BIT(10)
#define L1VMM_PROC_RDPMC_EXITING		BIT(11)
#define L1VMM_PROC_RDTSC_EXITING		BIT(12)
#define L1VMM_PROC_CR3_LOAD_EXITING		BIT(15)
#define L1VMM_PROC_CR3_STORE_EXITING		BIT(16)
#define L1VMM_PROC_CR8_LOAD_EXITING		BIT(19)
#define L1VMM_PROC_CR8_STORE_EXITING		BIT(20)
#define L1VMM_PROC_TPR_SHADOW			BIT(21)
#define L1VMM_PROC_MOV_DR_EXITING		BIT(23)
#define L1VMM_PROC_UNCOND_IO_EXITING		BIT(24)
#define L1VMM_PROC_MONITOR_EXITING		BIT(29)
#define L1VMM_PROC_PAUSE_EXITING		BIT(30)

/* Secondary processor-based VM-execution controls. */
#define L1VMM_PROC2_ENABLE_RDTSCP		BIT(3)
#define L1VMM_PROC2_WBINVD_EXITING		BIT(6)
#define L1VMM_PROC2_PAUSE_LOOP_EXITING		BIT(10)
#define L1VMM_PROC2_ENABLE_INVPCID		BIT(12)
#define L1VMM_PROC2_SHADOW_VMCS			BIT(14)

/* VM-exit controls. */
#define L1VMM_EXIT_SAVE_DEBUG_CONTROLS		BIT(2)
#define L1VMM_EXIT_ACK_INTR_ON_EXIT		BIT(15)
#define L1VMM_EXIT_SAVE_IA32_PAT		BIT(18)
#define L1VMM_EXIT_LOAD_IA32_PAT		BIT(19)
#define L1VMM_EXIT_SAVE_IA32_EFER		BIT(20)

/* VM-entry controls. */
#define L1VMM_ENTRY_LOAD_IA32_PAT		BIT(14)

/* The capability MSRs, as read (0 where the CPU does not have the MSR). */
struct l1vmm_vmx_msrs {
	u64 basic;
	u64 pinbased, procbased, exit, entry;
	/* IA32_VMX_TRUE_*_CTLS: read only when basic has bit 55. */
	u64 true_pinbased, true_procbased, true_exit, true_entry;
	/* Read only when procbased allows "activate secondary controls". */
	u64 procbased2;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 ept_vpid_cap, misc;
};

/*
 * Why the CPU's VMX cannot host l1vmm's VMCSs (region larger than a page,
 * addresses limited to 32 bits, not write-back), or NULL when it can.
 */
const char *l1vmm_vmx_basic_invalid(u64 basic);

/*
 * Fill the capability half of @limits from @msrs: the TRUE_* allowed
 * settings where IA32_VMX_BASIC says they exist, the secondary controls
 * only when the primary ones may activate them, the fixed bits, EPT/VPID
 * and misc. The fields that do not come from VMX MSRs are left as they are.
 */
void l1vmm_vmx_limits_from_msrs(const struct l1vmm_vmx_msrs *msrs,
				struct l1vmm_vmcs_limits *limits);

/* One control field's request: what must be on, what is on if allowed. */
struct l1vmm_vmx_ctl_want {
	u32 min;	/* required, always on */
	u32 opt;	/* on where the CPU allows it */
	u32 dyn;	/* required to be allowed 1, but off until the backend turns it on */
};

/* The five control fields, in the order of the SDM. */
enum l1vmm_vmx_ctl_field {
	L1VMM_CTL_PIN, L1VMM_CTL_PROC, L1VMM_CTL_PROC2, L1VMM_CTL_EXIT, L1VMM_CTL_ENTRY,
	L1VMM_NR_CTL_FIELDS,
};

struct l1vmm_vmx_ctls {
	u32 val[L1VMM_NR_CTL_FIELDS];	/* the value to write into the VMCS */
	u32 dyn[L1VMM_NR_CTL_FIELDS];	/* the bits the backend may toggle */
};

/* A control l1vmm needs and the CPU cannot give. */
struct l1vmm_vmx_ctl_missing {
	enum l1vmm_vmx_ctl_field field;
	unsigned int bit;
	bool must_be_one;	/* a dyn control the CPU forces to 1 */
};

/*
 * Compute the controls for @want against @limits, as KVM's
 * adjust_vmx_controls(): min and the allowed opt bits, then every bit the
 * CPU requires (allowed-0). Returns 0, or -EIO with the first control
 * (field by field, lowest bit first) the CPU cannot give in @missing:
 * a min or dyn bit not allowed 1, or a dyn bit forced to 1. The secondary
 * controls count only when "activate secondary controls" ends up on.
 */
int l1vmm_vmx_compute_ctls(const struct l1vmm_vmcs_limits *limits,
			   const struct l1vmm_vmx_ctl_want want[L1VMM_NR_CTL_FIELDS],
			   struct l1vmm_vmx_ctls *ctls, struct l1vmm_vmx_ctl_missing *missing);

/* What l1vmm asks for (doc/design.md, "VMX"): KVM's choices, less what l1vmm does not use. */
extern const struct l1vmm_vmx_ctl_want l1vmm_vmx_want[L1VMM_NR_CTL_FIELDS];

/* The field's name and, where l1vmm asks for it, the control's, for messages. */
const char *l1vmm_vmx_ctl_field_name(enum l1vmm_vmx_ctl_field field);
const char *l1vmm_vmx_ctl_name(enum l1vmm_vmx_ctl_field field, unsigned int bit);

/*
 * The CR0 bits that must be 1 in the guest: IA32_VMX_CR0_FIXED0, less PE
 * and PG with unrestricted guest (SDM, "VMX-Fixed Bits in CR0").
 */
u64 l1vmm_vmx_guest_cr0_fixed0(const struct l1vmm_vmcs_limits *limits, bool unrestricted);

/* A CR0 or CR4 bit that breaks the fixed-bit rules. */
struct l1vmm_vmx_fixed_err {
	unsigned int cr;	/* 0 or 4 */
	unsigned int bit;
	bool must_be_one;
};

/*
 * Whether this CPU's @cr0 and @cr4 (with CR4.VMXE, which VMXON needs, set)
 * may enter VMX operation: every FIXED0 bit 1, every bit FIXED1 lacks 0.
 * True with the first bit that breaks them (CR0 first) in @err.
 */
bool l1vmm_vmx_host_crs_invalid(u64 cr0, u64 cr4, const struct l1vmm_vmcs_limits *limits,
				struct l1vmm_vmx_fixed_err *err);

#endif /* L1VMM_VMX_CTLS_H */
