// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_GET_FPU / KVM_SET_FPU over the guest's fpstate (struct fpu_guest,
 * <asm/fpu/api.h>). Outside KVM_RUN the guest's registers are saved there,
 * so both ioctls work on memory.
 *
 * Like KVM, set ignores kvm_fpu.mxcsr (KVM programs pass 0 there); unlike
 * KVM, get reports the real MXCSR instead of 0. When the kernel keeps the
 * state in XSAVE format, set also marks x87 and SSE present in the XSAVE
 * header: without that, XRSTOR would load their init state and drop the
 * values just written.
 */
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xstate.h>

#include "l1vmm/vcpu.h"
#include "xstate/fpu.h"

static struct fxregs_state *guest_fxsave(struct l1vmm_vcpu *vcpu)
{
	return &vcpu->guest_fpu.fpstate->regs.fxsave;
}

void l1vmm_get_fpu(struct l1vmm_vcpu *vcpu, struct kvm_fpu *fpu)
{
	const struct fxregs_state *fx = guest_fxsave(vcpu);

	memset(fpu, 0, sizeof(*fpu));
	memcpy(fpu->fpr, fx->st_space, sizeof(fpu->fpr));
	fpu->fcw = fx->cwd;
	fpu->fsw = fx->swd;
	fpu->ftwx = fx->twd;
	fpu->last_opcode = fx->fop;
	fpu->last_ip = fx->rip;
	fpu->last_dp = fx->rdp;
	memcpy(fpu->xmm, fx->xmm_space, sizeof(fpu->xmm));
	fpu->mxcsr = fx->mxcsr;
}

void l1vmm_set_fpu(struct l1vmm_vcpu *vcpu, const struct kvm_fpu *fpu)
{
	struct fxregs_state *fx = guest_fxsave(vcpu);

	BUILD_BUG_ON(sizeof(fpu->fpr) != sizeof(fx->st_space));
	BUILD_BUG_ON(sizeof(fpu->xmm) != sizeof(fx->xmm_space));

	memcpy(fx->st_space, fpu->fpr, sizeof(fpu->fpr));
	fx->cwd = fpu->fcw;
	fx->swd = fpu->fsw;
	fx->twd = fpu->ftwx;
	fx->fop = fpu->last_opcode;
	fx->rip = fpu->last_ip;
	fx->rdp = fpu->last_dp;
	memcpy(fx->xmm_space, fpu->xmm, sizeof(fpu->xmm));
	if (cpu_feature_enabled(X86_FEATURE_XSAVE))
		vcpu->guest_fpu.fpstate->regs.xsave.header.xfeatures |= XFEATURE_MASK_FPSSE;
}
