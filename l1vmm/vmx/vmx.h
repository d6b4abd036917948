/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VMX backend's own header: its per-CPU and per-vCPU state and the
 * VMX instructions it uses, each with an exception-table fixup so that a
 * fault (VMX turned off under l1vmm) is an error, never an oops.
 *
 * Every VMREAD and VMWRITE goes through vmx_vmread()/vmx_vmwrite(), which
 * count the accesses to fields KVM as L0 does not shadow (vmcs_fields.h):
 * on a nested host each of those is an exit to L0.
 *
 * doc/design.md, "VMX", says what the backend does so far.
 */
#ifndef L1VMM_VMX_H
#define L1VMM_VMX_H

#include <linux/percpu.h>
#include <linux/types.h>
#include <asm/asm.h>

#include "l1vmm/backend.h"
#include "l1vmm/vmx/vmcs_check.h"
#include "l1vmm/vmx/vmcs_fields.h"
#include "l1vmm/vmx/vmx_ctls.h"

/* The first 32 bits of a VMXON region or a VMCS: the revision identifier. */
struct vmx_region {
	u32 revision_id;
	u32 abort;		/* a VMCS's VMX-abort indicator */
	u8 data[];
};

/* One per CPU: the VMXON region, and whether l1vmm did VMXON here. */
struct vmx_cpu {
	struct vmx_region *vmxon_region;
	bool on;
};

DECLARE_PER_CPU(struct vmx_cpu, vmx_cpus);

/* One per vCPU: its VMCS, not yet entered (no guest runs on VMX yet). */
struct vmx_vcpu {
	struct vmx_region *vmcs;
	u64 vmcs_pa;
	int cpu;		/* the CPU it is loaded on (VMPTRLD), or -1 */
	/* VMREADs and VMWRITEs of fields L0 does not shadow: exits to L0. */
	u64 l0_vmcs_accesses;
};

/* The capability MSRs as read at load, and the controls computed from them. */
extern struct l1vmm_vmcs_limits vmx_limits;
extern struct l1vmm_vmx_ctls vmx_ctls;
extern u32 vmx_revision_id;

/* VMCLEAR: the VMCS at @pa is inactive, its state in memory. 0 or -EIO. */
static inline int vmx_vmclear(u64 pa)
{
	bool fail = true;

	asm volatile("1: vmclear %[pa]\n\t"
		     "setna %[fail]\n"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [fail] "+qm"(fail)
		     : [pa] "m"(pa)
		     : "cc", "memory");
	return fail ? -EIO : 0;
}

/* VMPTRLD: the VMCS at @pa becomes this CPU's current one. 0 or -EIO. */
static inline int vmx_vmptrld(u64 pa)
{
	bool fail = true;

	asm volatile("1: vmptrld %[pa]\n\t"
		     "setna %[fail]\n"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [fail] "+qm"(fail)
		     : [pa] "m"(pa)
		     : "cc", "memory");
	return fail ? -EIO : 0;
}

/* VMREAD of @enc in the current VMCS; false when it failed or faulted. */
static inline bool __vmx_vmread(unsigned long enc, unsigned long *val)
{
	unsigned long v = 0;
	bool fail = true;

	asm volatile("1: vmread %[enc], %[val]\n\t"
		     "setna %[fail]\n"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [val] "+r"(v), [fail] "+qm"(fail)
		     : [enc] "r"(enc)
		     : "cc");
	*val = v;
	return !fail;
}

static inline bool __vmx_vmwrite(unsigned long enc, unsigned long val)
{
	bool fail = true;

	asm volatile("1: vmwrite %[val], %[enc]\n\t"
		     "setna %[fail]\n"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [fail] "+qm"(fail)
		     : [enc] "r"(enc), [val] "rm"(val)
		     : "cc");
	return !fail;
}

/*
 * The field @id of @vmx's VMCS, which must be this CPU's current one; a
 * failed VMREAD reads 0 and warns once (a bug in l1vmm: the field is in
 * the table, the VMCS loaded).
 */
static inline unsigned long vmx_vmread(struct vmx_vcpu *vmx, enum l1vmm_vmcs_field_id id)
{
	unsigned long val;

	if (l1vmm_vmread_exits(id))
		vmx->l0_vmcs_accesses++;
	if (WARN_ON_ONCE(!__vmx_vmread(l1vmm_vmcs_fields[id].encoding, &val)))
		return 0;
	return val;
}

static inline void vmx_vmwrite(struct vmx_vcpu *vmx, enum l1vmm_vmcs_field_id id,
			       unsigned long val)
{
	if (l1vmm_vmwrite_exits(id))
		vmx->l0_vmcs_accesses++;
	WARN_ON_ONCE(!__vmx_vmwrite(l1vmm_vmcs_fields[id].encoding, val));
}

#endif /* L1VMM_VMX_H */
