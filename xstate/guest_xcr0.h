/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's XCR0: a shadow in the vCPU, loaded into the CPU around a
 * series of entries only when it differs from the host's, written by the guest's
 * XSETBV (an exit l1vmm handles in the kernel) and by KVM_SET_XCRS.
 */
#ifndef L1VMM_XSTATE_GUEST_XCR0_H
#define L1VMM_XSTATE_GUEST_XCR0_H

#include <linux/kvm.h>
#include <linux/types.h>

struct l1vmm_vcpu;

extern u64 l1vmm_xcr0_host;
extern bool l1vmm_xcr0_check_exit;

void l1vmm_xcr0_init(bool xsetbv_exits);
u64 l1vmm_supported_xcr0(void);
u64 l1vmm_host_xcr0(void);
void l1vmm_xcr0_reset(struct l1vmm_vcpu *vcpu);
void l1vmm_xcr0_update_cpuid(struct l1vmm_vcpu *vcpu);
/* Around a series of entries, through l1vmm_xstate_begin/end() (entry.h). */
void l1vmm_xcr0_enter(struct l1vmm_vcpu *vcpu, u64 xcr0);
void l1vmm_xcr0_exit(struct l1vmm_vcpu *vcpu);
u64 l1vmm_xcr0_in_guest(const struct l1vmm_vcpu *vcpu);
bool l1vmm_emulate_xsetbv(struct l1vmm_vcpu *vcpu);
void l1vmm_get_xcrs(struct l1vmm_vcpu *vcpu, struct kvm_xcrs *xcrs);
int l1vmm_set_xcrs(struct l1vmm_vcpu *vcpu, const struct kvm_xcrs *xcrs);

#endif /* L1VMM_XSTATE_GUEST_XCR0_H */
