/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KVM_GET_XSAVE, KVM_GET_XSAVE2, KVM_SET_XSAVE: the guest's extended state
 * in the standard (non-compacted) XSAVE layout, and the size of that
 * layout (KVM_CAP_XSAVE2); the XSAVE parts of the guest's CPUID that
 * follow its state, and the dynamic components a new table asks the FPU
 * core for; what INIT does to the extended state.
 */
#ifndef L1VMM_XSTATE_GUEST_XSAVE_H
#define L1VMM_XSTATE_GUEST_XSAVE_H

#include <linux/compiler_types.h>
#include <linux/types.h>
#include <asm/processor-flags.h>

#include "l1vmm/backend.h"

struct kvm_cpuid_entry2;
struct l1vmm_vcpu;

void l1vmm_xsave_init(void);
u32 l1vmm_xsave_uabi_size(void);
int l1vmm_get_xsave(struct l1vmm_vcpu *vcpu, void __user *uxsave, u32 size);
int l1vmm_set_xsave(struct l1vmm_vcpu *vcpu, const void __user *uxsave);
void l1vmm_xsave_init_event(struct l1vmm_vcpu *vcpu);
int l1vmm_xsave_check_cpuid(struct l1vmm_vcpu *vcpu, const struct kvm_cpuid_entry2 *entries,
			    unsigned int nent);
void __l1vmm_xsave_cpuid_runtime(struct l1vmm_vcpu *vcpu, u32 leaf, u32 index, bool osxsave);
void l1vmm_xsave_cpuid_entry_runtime(struct l1vmm_vcpu *vcpu, struct kvm_cpuid_entry2 *e,
				     bool osxsave);

/*
 * On the guest's RAX..RDX, the answer from its CPUID table for @leaf and
 * @index. Leaves 1 and 0xD only: checked inline, as the fastpath's CPUID
 * exit runs it, with the backend's own @ops (a direct call to read CR4).
 */
static __always_inline void l1vmm_xsave_cpuid_runtime(const struct l1vmm_backend_ops *ops,
						      struct l1vmm_vcpu *vcpu, u32 leaf, u32 index)
{
	/* Leaves 1, 5, 9 and 0xd in one test; 5 and 9 then change nothing. */
	if (likely((leaf - 1) & ~0xcu))
		return;
	__l1vmm_xsave_cpuid_runtime(vcpu, leaf, index,
				    leaf == 1 && (ops->get_cr4(vcpu) & X86_CR4_OSXSAVE));
}

#endif /* L1VMM_XSTATE_GUEST_XSAVE_H */
