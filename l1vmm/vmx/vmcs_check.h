/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The consistency checks KVM applies to a vmcs12 before it runs it
 * (nested_vmx_check_controls(), nested_vmx_check_host_state() and
 * nested_vmx_check_guest_state() in arch/x86/kvm/vmx/nested.c, 6.1), plus
 * the guest-state rules of the SDM's "Checks on Guest State Area" that KVM
 * leaves to the CPU. The VMX backend is to run them on its own VMCS before
 * every VM entry, so that a state the CPU (or L0) would refuse becomes
 * KVM_EXIT_FAIL_ENTRY with the rule in the kernel log, not a VMfail.
 * Portable: unit-tested on the host.
 */
#ifndef L1VMM_VMCS_CHECK_H
#define L1VMM_VMCS_CHECK_H

#include "l1vmm/portable/portable.h"

/* Pin-based VM-execution controls. */
#define L1VMM_PIN_NMI_EXITING			BIT(3)
#define L1VMM_PIN_VIRTUAL_NMIS			BIT(5)
#define L1VMM_PIN_PREEMPTION_TIMER		BIT(6)

/* Primary processor-based VM-execution controls. */
#define L1VMM_PROC_NMI_WINDOW_EXITING		BIT(22)
#define L1VMM_PROC_USE_IO_BITMAPS		BIT(25)
#define L1VMM_PROC_MONITOR_TRAP_FLAG		BIT(27)
#define L1VMM_PROC_USE_MSR_BITMAPS		BIT(28)
#define L1VMM_PROC_ACTIVATE_SECONDARY		BIT(31)

/* Secondary processor-based VM-execution controls. */
#define L1VMM_PROC2_ENABLE_EPT			BIT(1)
#define L1VMM_PROC2_ENABLE_VPID			BIT(5)
#define L1VMM_PROC2_UNRESTRICTED_GUEST		BIT(7)

/* VM-exit controls. */
#define L1VMM_EXIT_HOST_ADDR_SPACE_SIZE		BIT(9)
#define L1VMM_EXIT_LOAD_IA32_EFER		BIT(21)
#define L1VMM_EXIT_SAVE_PREEMPTION_TIMER	BIT(22)

/* VM-entry controls. */
#define L1VMM_ENTRY_LOAD_DEBUG_CONTROLS		BIT(2)
#define L1VMM_ENTRY_IA32E_MODE_GUEST		BIT(9)
#define L1VMM_ENTRY_LOAD_IA32_EFER		BIT(15)

/* The EPT pointer. */
#define L1VMM_EPTP_MEMTYPE_MASK			0x7ULL
#define L1VMM_EPTP_MEMTYPE_UC			0x0ULL
#define L1VMM_EPTP_MEMTYPE_WB			0x6ULL
#define L1VMM_EPTP_WALK_LENGTH_MASK		0x38ULL	/* levels - 1 */
#define L1VMM_EPTP_WALK_LENGTH_4		(3ULL << 3)
#define L1VMM_EPTP_WALK_LENGTH_5		(4ULL << 3)
#define L1VMM_EPTP_AD_ENABLE			BIT_ULL(6)
#define L1VMM_EPTP_RESERVED			0xf80ULL	/* bits 11:7 */

/* IA32_VMX_EPT_VPID_CAP. */
#define L1VMM_EPT_CAP_WALK_LENGTH_4		BIT_ULL(6)
#define L1VMM_EPT_CAP_WALK_LENGTH_5		BIT_ULL(7)
#define L1VMM_EPT_CAP_MEMTYPE_UC		BIT_ULL(8)
#define L1VMM_EPT_CAP_MEMTYPE_WB		BIT_ULL(14)
#define L1VMM_EPT_CAP_AD			BIT_ULL(21)

/* IA32_VMX_MISC. */
#define L1VMM_VMX_MISC_ACTIVITY_HLT		BIT_ULL(6)
#define L1VMM_VMX_MISC_ACTIVITY_SHUTDOWN	BIT_ULL(7)
#define L1VMM_VMX_MISC_ACTIVITY_WAIT_SIPI	BIT_ULL(8)
#define L1VMM_VMX_MISC_CR3_TARGETS_SHIFT	16
#define L1VMM_VMX_MISC_CR3_TARGETS_MASK		(0x1ffULL << 16)
#define L1VMM_VMX_MISC_ZERO_LEN_INJECTION	BIT_ULL(30)

/* The VM-entry interruption-information field. */
#define L1VMM_INTR_INFO_VECTOR_MASK		0xffU
#define L1VMM_INTR_INFO_TYPE_MASK		(7U << 8)
#define L1VMM_INTR_INFO_DELIVER_CODE		BIT(11)
#define L1VMM_INTR_INFO_RESERVED		0x7ffff000U	/* bits 30:12 */
#define L1VMM_INTR_INFO_VALID			BIT(31)
#define L1VMM_INTR_TYPE_EXT_INTR		(0U << 8)
#define L1VMM_INTR_TYPE_RESERVED		(1U << 8)
#define L1VMM_INTR_TYPE_NMI			(2U << 8)
#define L1VMM_INTR_TYPE_HARD_EXCEPTION		(3U << 8)
#define L1VMM_INTR_TYPE_SOFT_INTR		(4U << 8)
#define L1VMM_INTR_TYPE_PRIV_SW_EXCEPTION	(5U << 8)
#define L1VMM_INTR_TYPE_SOFT_EXCEPTION		(6U << 8)
#define L1VMM_INTR_TYPE_OTHER_EVENT		(7U << 8)
/* KVM 6.1 takes bits 31:16 of the exception error code as reserved. */
#define L1VMM_ENTRY_ERROR_CODE_RESERVED		0xffff0000U
#define L1VMM_MAX_INSN_LEN			15

/* Guest segment access rights, in the VMCS's format. */
#define L1VMM_AR_TYPE_MASK			0xfU
#define L1VMM_AR_TYPE_ACCESSED			BIT(0)
#define L1VMM_AR_TYPE_READABLE			BIT(1)	/* of a code segment */
#define L1VMM_AR_TYPE_CODE			BIT(3)
#define L1VMM_AR_S				BIT(4)
#define L1VMM_AR_DPL_SHIFT			5
#define L1VMM_AR_DPL_MASK			(3U << 5)
#define L1VMM_AR_P				BIT(7)
#define L1VMM_AR_L				BIT(13)
#define L1VMM_AR_DB				BIT(14)
#define L1VMM_AR_G				BIT(15)
#define L1VMM_AR_UNUSABLE			BIT(16)
#define L1VMM_AR_RESERVED			0xfffe0f00U	/* bits 31:17, 11:8 */
/* The access rights every segment has in virtual-8086 mode. */
#define L1VMM_AR_V86				0xf3U

/* Descriptor types the checks name. */
#define L1VMM_SEG_TYPE_DATA_RW_ACCESSED		3
#define L1VMM_SEG_TYPE_DATA_RW_DOWN_ACCESSED	7
#define L1VMM_SEG_TYPE_LDT			2
#define L1VMM_SEG_TYPE_TSS16_BUSY		3
#define L1VMM_SEG_TYPE_TSS32_BUSY		11
#define L1VMM_SEG_TYPE_CODE_CONFORMING		BIT(2)	/* with AR_TYPE_CODE */

/* Guest activity state. */
#define L1VMM_ACTIVITY_ACTIVE			0
#define L1VMM_ACTIVITY_HLT			1
#define L1VMM_ACTIVITY_SHUTDOWN			2
#define L1VMM_ACTIVITY_WAIT_SIPI		3

/* Guest interruptibility state. */
#define L1VMM_INTERRUPTIBILITY_STI		BIT(0)
#define L1VMM_INTERRUPTIBILITY_MOV_SS		BIT(1)
#define L1VMM_INTERRUPTIBILITY_SMI		BIT(2)
#define L1VMM_INTERRUPTIBILITY_NMI		BIT(3)
#define L1VMM_INTERRUPTIBILITY_RESERVED		0xffffffe0U	/* bits 31:5 */

/* Guest pending debug exceptions: bits 63:17, 15, 13 and 11:4 are reserved. */
#define L1VMM_PENDING_DBG_RESERVED		(~0x1ffffULL | BIT_ULL(15) | BIT_ULL(13) | 0xff0ULL)

/* The VMCS link pointer when there is no shadow VMCS. */
#define L1VMM_VMCS_LINK_NONE			(~0ULL)

/* The segment registers, in the order of their VMCS field encodings. */
enum l1vmm_vmcs_seg_reg {
	L1VMM_VMCS_SEG_ES, L1VMM_VMCS_SEG_CS, L1VMM_VMCS_SEG_SS, L1VMM_VMCS_SEG_DS,
	L1VMM_VMCS_SEG_FS, L1VMM_VMCS_SEG_GS, L1VMM_VMCS_SEG_LDTR, L1VMM_VMCS_SEG_TR,
	L1VMM_VMCS_SEG_NR,
};

struct l1vmm_vmcs_seg {
	u16 selector;
	u64 base;
	u32 limit;
	u32 ar;			/* access rights, L1VMM_AR_* */
};

/* The vmcs12 fields the checks read, as plain values. */
struct l1vmm_vmcs_view {
	/* VM-execution, VM-exit and VM-entry control fields */
	u32 pin, proc, proc2, exit, entry;
	u32 cr3_target_count;
	u64 io_bitmap_a, io_bitmap_b, msr_bitmap;
	u64 eptp;
	u16 vpid;
	u32 entry_intr_info, entry_error_code, entry_insn_len;

	/* guest-state area */
	u64 guest_cr0, guest_cr3, guest_cr4, guest_dr7, guest_efer;
	u64 guest_rip, guest_rflags;
	struct l1vmm_vmcs_seg guest_seg[L1VMM_VMCS_SEG_NR];
	u64 guest_gdtr_base, guest_idtr_base;
	u32 guest_gdtr_limit, guest_idtr_limit;
	u32 guest_activity, guest_interruptibility;
	u64 guest_pending_dbg;
	u64 vmcs_link_pointer;

	/* host-state area; host_sel[L1VMM_VMCS_SEG_LDTR] is not a field: ignored */
	u64 host_cr0, host_cr3, host_cr4, host_efer, host_rip;
	u16 host_sel[L1VMM_VMCS_SEG_NR];
	u64 host_fs_base, host_gs_base, host_tr_base;
	u64 host_gdtr_base, host_idtr_base;
};

/*
 * A VMX capability MSR for a control field: @allowed0 (bits 31:0) has the
 * controls that must be 1, @allowed1 (bits 63:32) those that may be 1.
 */
struct l1vmm_vmx_ctl_cap {
	u32 allowed0, allowed1;
};

/* What the checks compare against: the capability MSRs L1 sees, and widths. */
struct l1vmm_vmcs_limits {
	struct l1vmm_vmx_ctl_cap pin, proc, proc2, exit, entry;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 ept_vpid_cap;	/* IA32_VMX_EPT_VPID_CAP */
	u64 misc;		/* IA32_VMX_MISC */
	u64 efer_allowed;	/* the EFER bits the CPU has */
	unsigned int phys_bits;	/* MAXPHYADDR */
	unsigned int virt_bits;	/* linear-address width: 48, or 57 with LA57 */
	bool host_ia32e;	/* the VM entry runs in IA-32e mode */
};

/* Returns NULL when the VMCS may be entered, else which rule it breaks. */
const char *l1vmm_vmcs_invalid(const struct l1vmm_vmcs_view *v,
			       const struct l1vmm_vmcs_limits *limits);

#endif /* L1VMM_VMCS_CHECK_H */
