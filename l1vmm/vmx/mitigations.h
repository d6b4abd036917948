/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VM-entry mitigations on Intel: L1D flush (L1TF) or CPU buffer
 * clearing (MDS) before each entry, as KVM; mitigations.c.
 */
#ifndef L1VMM_VMX_MITIGATIONS_H
#define L1VMM_VMX_MITIGATIONS_H

#include <linux/jump_label.h>
#include <asm/nospec-branch.h>

#include "l1vmm/vcpu.h"

/* vmentry_l1d_flush, as KVM names its modes. */
enum vmx_l1d_mode {
	VMX_L1D_AUTO,
	VMX_L1D_NEVER,
	VMX_L1D_COND,
	VMX_L1D_ALWAYS,
	VMX_L1D_NOT_REQUIRED,
};

DECLARE_STATIC_KEY_FALSE(vmx_l1d_flush_key);
extern bool vmx_l1d_flush_always;

int vmx_mitigations_init(void);
void vmx_mitigations_exit(void);
void vmx_l1d_flush(void);

/*
 * Before VMLAUNCH/VMRESUME (KVM's vmx_vcpu_enter_exit()): the L1D flush
 * where chosen (cond: on a series' first entry, @first). The CPU buffers
 * (MDS and its relatives) are cleared by VERW in the entry assembly where
 * the kernel says so (X86_FEATURE_CLEAR_CPU_BUF_VM, as KVM's vmenter.S);
 * kernels from before that feature name the choice mds_user_clear, and
 * there it is done here, as their KVM does.
 */
static __always_inline void vmx_entry_mitigations(struct l1vmm_vcpu *vcpu, bool first)
{
	if (static_branch_unlikely(&vmx_l1d_flush_key)) {
		if (first || vmx_l1d_flush_always) {
			vmx_l1d_flush();
			vcpu->stats.l1d_flush++;
		}
		return;
	}
#ifndef X86_FEATURE_CLEAR_CPU_BUF_VM
	if (static_branch_unlikely(&mds_user_clear))
		mds_clear_cpu_buffers();
#endif
}

#endif /* L1VMM_VMX_MITIGATIONS_H */
