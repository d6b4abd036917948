/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VMCS fields l1vmm uses, as data: encoding, width, type, and whether
 * KVM as L0 shadows it (arch/x86/kvm/vmx/vmcs_shadow_fields.h in Linux 6.1:
 * the same fields, listed here on our own). The encodings are below, the
 * rest is the table vmcs_field_list.h. Portable: the unit test
 * selftests/unit/test_vmcs_fields.c checks every encoding against the width
 * and type the table declares, and the shadow column against KVM's list.
 *
 * On a nested host every VMREAD or VMWRITE of a field outside L0's shadow
 * VMCS is an exit to L0; the VMX backend's wrappers (vmx.h) count them. KVM
 * shadows fields only where its own CPU has VMCS shadowing, and drops a
 * few where the CPU lacks the feature behind them (the preemption timer,
 * PML, APICv): "shadowed" here is the best case.
 *
 * Encoding (SDM, "Field Encoding in VMCS"): bit 0 the access type (1: the
 * high 32 bits of a 64-bit field), bits 9:1 the index, bits 11:10 the type,
 * bits 14:13 the width; bit 12 and bits 31:15 are 0.
 */
#ifndef L1VMM_VMCS_FIELDS_H
#define L1VMM_VMCS_FIELDS_H

#include "l1vmm/portable/portable.h"

/* Widths and types as bits 14:13 and 11:10 of the encoding hold them. */
#define L1VMM_VMCS_W16			0
#define L1VMM_VMCS_W64			1
#define L1VMM_VMCS_W32			2
#define L1VMM_VMCS_WNAT			3
#define L1VMM_VMCS_TYPE_CTL		0	/* control */
#define L1VMM_VMCS_TYPE_RO		1	/* VM-exit information, read-only */
#define L1VMM_VMCS_TYPE_GUEST		2
#define L1VMM_VMCS_TYPE_HOST		3

#define L1VMM_VMCS_ENC_HIGH		BIT(0)
#define L1VMM_VMCS_ENC_TYPE_SHIFT	10
#define L1VMM_VMCS_ENC_TYPE_MASK	(3U << 10)
#define L1VMM_VMCS_ENC_WIDTH_SHIFT	13
#define L1VMM_VMCS_ENC_WIDTH_MASK	(3U << 13)
#define L1VMM_VMCS_ENC_RESERVED		(~0x6fffU)	/* bit 12, bits 31:15 */

/* 16-bit control fields. */
#define L1VMM_VMCS_VIRTUAL_PROCESSOR_ID		0x0000

/* 16-bit guest-state fields. */
#define L1VMM_VMCS_GUEST_ES_SELECTOR		0x0800
#define L1VMM_VMCS_GUEST_CS_SELECTOR		0x0802
#define L1VMM_VMCS_GUEST_SS_SELECTOR		0x0804
#define L1VMM_VMCS_GUEST_DS_SELECTOR		0x0806
#define L1VMM_VMCS_GUEST_FS_SELECTOR		0x0808
#define L1VMM_VMCS_GUEST_GS_SELECTOR		0x080a
#define L1VMM_VMCS_GUEST_LDTR_SELECTOR		0x080c
#define L1VMM_VMCS_GUEST_TR_SELECTOR		0x080e
#define L1VMM_VMCS_GUEST_INTR_STATUS		0x0810
#define L1VMM_VMCS_GUEST_PML_INDEX		0x0812

/* 16-bit host-state fields. */
#define L1VMM_VMCS_HOST_ES_SELECTOR		0x0c00
#define L1VMM_VMCS_HOST_CS_SELECTOR		0x0c02
#define L1VMM_VMCS_HOST_SS_SELECTOR		0x0c04
#define L1VMM_VMCS_HOST_DS_SELECTOR		0x0c06
#define L1VMM_VMCS_HOST_FS_SELECTOR		0x0c08
#define L1VMM_VMCS_HOST_GS_SELECTOR		0x0c0a
#define L1VMM_VMCS_HOST_TR_SELECTOR		0x0c0c

/* 64-bit control fields. */
#define L1VMM_VMCS_IO_BITMAP_A			0x2000
#define L1VMM_VMCS_IO_BITMAP_B			0x2002
#define L1VMM_VMCS_MSR_BITMAP			0x2004
#define L1VMM_VMCS_VM_EXIT_MSR_STORE_ADDR	0x2006
#define L1VMM_VMCS_VM_EXIT_MSR_LOAD_ADDR	0x2008
#define L1VMM_VMCS_VM_ENTRY_MSR_LOAD_ADDR	0x200a
#define L1VMM_VMCS_TSC_OFFSET			0x2010
#define L1VMM_VMCS_VIRTUAL_APIC_PAGE_ADDR	0x2012
#define L1VMM_VMCS_APIC_ACCESS_ADDR		0x2014
#define L1VMM_VMCS_EPT_POINTER			0x201a
#define L1VMM_VMCS_XSS_EXIT_BITMAP		0x202c

/* 64-bit read-only data field. */
#define L1VMM_VMCS_GUEST_PHYSICAL_ADDRESS	0x2400
/* The high half of GUEST_PHYSICAL_ADDRESS, which KVM's list names. */
#define L1VMM_VMCS_GUEST_PHYSICAL_ADDRESS_HIGH	0x2401

/* 64-bit guest-state fields. */
#define L1VMM_VMCS_VMCS_LINK_POINTER		0x2800
#define L1VMM_VMCS_GUEST_IA32_DEBUGCTL		0x2802
#define L1VMM_VMCS_GUEST_IA32_PAT		0x2804
#define L1VMM_VMCS_GUEST_IA32_EFER		0x2806
#define L1VMM_VMCS_GUEST_IA32_PERF_GLOBAL_CTRL	0x2808
#define L1VMM_VMCS_GUEST_PDPTR0			0x280a
#define L1VMM_VMCS_GUEST_PDPTR1			0x280c
#define L1VMM_VMCS_GUEST_PDPTR2			0x280e
#define L1VMM_VMCS_GUEST_PDPTR3			0x2810
#define L1VMM_VMCS_GUEST_BNDCFGS		0x2812

/* 64-bit host-state fields. */
#define L1VMM_VMCS_HOST_IA32_PAT		0x2c00
#define L1VMM_VMCS_HOST_IA32_EFER		0x2c02
#define L1VMM_VMCS_HOST_IA32_PERF_GLOBAL_CTRL	0x2c04

/* 32-bit control fields. */
#define L1VMM_VMCS_PIN_BASED_VM_EXEC_CONTROL	0x4000
#define L1VMM_VMCS_CPU_BASED_VM_EXEC_CONTROL	0x4002
#define L1VMM_VMCS_EXCEPTION_BITMAP		0x4004
#define L1VMM_VMCS_PAGE_FAULT_ERROR_CODE_MASK	0x4006
#define L1VMM_VMCS_PAGE_FAULT_ERROR_CODE_MATCH	0x4008
#define L1VMM_VMCS_CR3_TARGET_COUNT		0x400a
#define L1VMM_VMCS_VM_EXIT_CONTROLS		0x400c
#define L1VMM_VMCS_VM_EXIT_MSR_STORE_COUNT	0x400e
#define L1VMM_VMCS_VM_EXIT_MSR_LOAD_COUNT	0x4010
#define L1VMM_VMCS_VM_ENTRY_CONTROLS		0x4012
#define L1VMM_VMCS_VM_ENTRY_MSR_LOAD_COUNT	0x4014
#define L1VMM_VMCS_VM_ENTRY_INTR_INFO_FIELD	0x4016
#define L1VMM_VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE	0x4018
#define L1VMM_VMCS_VM_ENTRY_INSTRUCTION_LEN	0x401a
#define L1VMM_VMCS_TPR_THRESHOLD		0x401c
#define L1VMM_VMCS_SECONDARY_VM_EXEC_CONTROL	0x401e
#define L1VMM_VMCS_PLE_GAP			0x4020
#define L1VMM_VMCS_PLE_WINDOW			0x4022

/* 32-bit read-only data fields. */
#define L1VMM_VMCS_VM_INSTRUCTION_ERROR		0x4400
#define L1VMM_VMCS_VM_EXIT_REASON		0x4402
#define L1VMM_VMCS_VM_EXIT_INTR_INFO		0x4404
#define L1VMM_VMCS_VM_EXIT_INTR_ERROR_CODE	0x4406
#define L1VMM_VMCS_IDT_VECTORING_INFO_FIELD	0x4408
#define L1VMM_VMCS_IDT_VECTORING_ERROR_CODE	0x440a
#define L1VMM_VMCS_VM_EXIT_INSTRUCTION_LEN	0x440c
#define L1VMM_VMCS_VMX_INSTRUCTION_INFO		0x440e

/* 32-bit guest-state fields. */
#define L1VMM_VMCS_GUEST_ES_LIMIT		0x4800
#define L1VMM_VMCS_GUEST_CS_LIMIT		0x4802
#define L1VMM_VMCS_GUEST_SS_LIMIT		0x4804
#define L1VMM_VMCS_GUEST_DS_LIMIT		0x4806
#define L1VMM_VMCS_GUEST_FS_LIMIT		0x4808
#define L1VMM_VMCS_GUEST_GS_LIMIT		0x480a
#define L1VMM_VMCS_GUEST_LDTR_LIMIT		0x480c
#define L1VMM_VMCS_GUEST_TR_LIMIT		0x480e
#define L1VMM_VMCS_GUEST_GDTR_LIMIT		0x4810
#define L1VMM_VMCS_GUEST_IDTR_LIMIT		0x4812
#define L1VMM_VMCS_GUEST_ES_AR_BYTES		0x4814
#define L1VMM_VMCS_GUEST_CS_AR_BYTES		0x4816
#define L1VMM_VMCS_GUEST_SS_AR_BYTES		0x4818
#define L1VMM_VMCS_GUEST_DS_AR_BYTES		0x481a
#define L1VMM_VMCS_GUEST_FS_AR_BYTES		0x481c
#define L1VMM_VMCS_GUEST_GS_AR_BYTES		0x481e
#define L1VMM_VMCS_GUEST_LDTR_AR_BYTES		0x4820
#define L1VMM_VMCS_GUEST_TR_AR_BYTES		0x4822
#define L1VMM_VMCS_GUEST_INTERRUPTIBILITY_INFO	0x4824
#define L1VMM_VMCS_GUEST_ACTIVITY_STATE		0x4826
#define L1VMM_VMCS_GUEST_SMBASE			0x4828
#define L1VMM_VMCS_GUEST_SYSENTER_CS		0x482a
#define L1VMM_VMCS_VMX_PREEMPTION_TIMER_VALUE	0x482e

/* 32-bit host-state field. */
#define L1VMM_VMCS_HOST_IA32_SYSENTER_CS	0x4c00

/* Natural-width control fields. */
#define L1VMM_VMCS_CR0_GUEST_HOST_MASK		0x6000
#define L1VMM_VMCS_CR4_GUEST_HOST_MASK		0x6002
#define L1VMM_VMCS_CR0_READ_SHADOW		0x6004
#define L1VMM_VMCS_CR4_READ_SHADOW		0x6006
#define L1VMM_VMCS_CR3_TARGET_VALUE0		0x6008
#define L1VMM_VMCS_CR3_TARGET_VALUE1		0x600a
#define L1VMM_VMCS_CR3_TARGET_VALUE2		0x600c
#define L1VMM_VMCS_CR3_TARGET_VALUE3		0x600e

/* Natural-width read-only data fields. */
#define L1VMM_VMCS_EXIT_QUALIFICATION		0x6400
#define L1VMM_VMCS_IO_RCX			0x6402
#define L1VMM_VMCS_IO_RSI			0x6404
#define L1VMM_VMCS_IO_RDI			0x6406
#define L1VMM_VMCS_IO_RIP			0x6408
#define L1VMM_VMCS_GUEST_LINEAR_ADDRESS		0x640a

/* Natural-width guest-state fields. */
#define L1VMM_VMCS_GUEST_CR0			0x6800
#define L1VMM_VMCS_GUEST_CR3			0x6802
#define L1VMM_VMCS_GUEST_CR4			0x6804
#define L1VMM_VMCS_GUEST_ES_BASE		0x6806
#define L1VMM_VMCS_GUEST_CS_BASE		0x6808
#define L1VMM_VMCS_GUEST_SS_BASE		0x680a
#define L1VMM_VMCS_GUEST_DS_BASE		0x680c
#define L1VMM_VMCS_GUEST_FS_BASE		0x680e
#define L1VMM_VMCS_GUEST_GS_BASE		0x6810
#define L1VMM_VMCS_GUEST_LDTR_BASE		0x6812
#define L1VMM_VMCS_GUEST_TR_BASE		0x6814
#define L1VMM_VMCS_GUEST_GDTR_BASE		0x6816
#define L1VMM_VMCS_GUEST_IDTR_BASE		0x6818
#define L1VMM_VMCS_GUEST_DR7			0x681a
#define L1VMM_VMCS_GUEST_RSP			0x681c
#define L1VMM_VMCS_GUEST_RIP			0x681e
#define L1VMM_VMCS_GUEST_RFLAGS			0x6820
#define L1VMM_VMCS_GUEST_PENDING_DBG_EXCEPTIONS	0x6822
#define L1VMM_VMCS_GUEST_SYSENTER_ESP		0x6824
#define L1VMM_VMCS_GUEST_SYSENTER_EIP		0x6826

/* Natural-width host-state fields. */
#define L1VMM_VMCS_HOST_CR0			0x6c00
#define L1VMM_VMCS_HOST_CR3			0x6c02
#define L1VMM_VMCS_HOST_CR4			0x6c04
#define L1VMM_VMCS_HOST_FS_BASE			0x6c06
#define L1VMM_VMCS_HOST_GS_BASE			0x6c08
#define L1VMM_VMCS_HOST_TR_BASE			0x6c0a
#define L1VMM_VMCS_HOST_GDTR_BASE		0x6c0c
#define L1VMM_VMCS_HOST_IDTR_BASE		0x6c0e
#define L1VMM_VMCS_HOST_IA32_SYSENTER_ESP	0x6c10
#define L1VMM_VMCS_HOST_IA32_SYSENTER_EIP	0x6c12
#define L1VMM_VMCS_HOST_RSP			0x6c14
#define L1VMM_VMCS_HOST_RIP			0x6c16

/* What KVM as L0 shadows: nothing, VMREAD only, VMREAD and VMWRITE. */
enum l1vmm_vmcs_shadow {
	L1VMM_VMCS_SHADOW_NONE,
	L1VMM_VMCS_SHADOW_RO,
	L1VMM_VMCS_SHADOW_RW,
};

/* L1VMM_VMCS_ID_<name>: the field's index in l1vmm_vmcs_fields[]. */
enum l1vmm_vmcs_field_id {
#define L1VMM_VMCS_FIELD(name, w, t, s)	L1VMM_VMCS_ID_##name,
#include "l1vmm/vmx/vmcs_field_list.h"
#undef L1VMM_VMCS_FIELD
	L1VMM_NR_VMCS_FIELDS
};

struct l1vmm_vmcs_field_info {
	const char *name;
	u16 encoding;
	u8 width;	/* L1VMM_VMCS_W*, as the table declares it */
	u8 type;	/* L1VMM_VMCS_TYPE_*, as the table declares it */
	u8 shadow;	/* enum l1vmm_vmcs_shadow */
};

/* Every field, by L1VMM_VMCS_ID_*, in ascending encodings. */
extern const struct l1vmm_vmcs_field_info l1vmm_vmcs_fields[L1VMM_NR_VMCS_FIELDS];

/* The field with encoding @enc, or NULL for one l1vmm does not list. */
const struct l1vmm_vmcs_field_info *l1vmm_vmcs_field(u32 enc);

/* The width the CPU gives an access with @enc: bits 14:13, or 32 for a high half. */
static inline unsigned int l1vmm_vmcs_enc_width(u32 enc)
{
	if (enc & L1VMM_VMCS_ENC_HIGH)
		return L1VMM_VMCS_W32;
	return (enc & L1VMM_VMCS_ENC_WIDTH_MASK) >> L1VMM_VMCS_ENC_WIDTH_SHIFT;
}

static inline unsigned int l1vmm_vmcs_enc_type(u32 enc)
{
	return (enc & L1VMM_VMCS_ENC_TYPE_MASK) >> L1VMM_VMCS_ENC_TYPE_SHIFT;
}

/* Whether KVM as L0 must intercept a VMREAD or a VMWRITE of field @id. */
static inline bool l1vmm_vmread_exits(enum l1vmm_vmcs_field_id id)
{
	return l1vmm_vmcs_fields[id].shadow == L1VMM_VMCS_SHADOW_NONE;
}

static inline bool l1vmm_vmwrite_exits(enum l1vmm_vmcs_field_id id)
{
	return l1vmm_vmcs_fields[id].shadow != L1VMM_VMCS_SHADOW_RW;
}

#endif /* L1VMM_VMCS_FIELDS_H */
