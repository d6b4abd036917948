// SPDX-License-Identifier: GPL-2.0-only
/*
 * The XSAVE uABI over the kernel's guest FPU state: the kernel converts
 * between its own buffer and the standard layout
 * (fpu_copy_guest_fpstate_to_uabi(), fpu_copy_uabi_to_guest_fpstate(),
 * exported for KVM), and validates what user space hands in before it
 * changes anything: reserved header bits, the compaction bit, components
 * outside the guest's, a bad MXCSR are -EINVAL with the vCPU unchanged.
 * The uABI carries the components the guest may enable (its CPUID 0xD
 * within l1vmm's limit, xstate/guest_xcr0.c) and x87 and SSE, which every
 * guest has (KVM_GET/SET_FPU); get reports no others, set refuses others.
 *
 * fpu_copy_guest_fpstate_to_uabi() takes that mask since the 6.1 stable
 * backport of "x86/fpu: Allow caller to constrain xfeatures when copying to
 * uabi buffer" (Debian's 6.1.192 has it; doc/design.md, "Kernels").
 *
 * R16-R31 are the exception: the guest's are in regs[], and the uABI's APX
 * area is filled from there (xstate/layout.c has the copies).
 *
 * The size comes from the host's CPUID 0xD (xstate/layout.c), as KVM's
 * KVM_CAP_XSAVE2 does, with struct kvm_xsave's 4 KiB as the floor. The
 * same layout gives the guest's CPUID the sizes for its current XCR0.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xstate.h>
#include <asm/processor-flags.h>

#include "l1vmm/dev.h"
#include "l1vmm/portable/cpuid.h"
#include "l1vmm/vcpu.h"
#include "xstate/egpr.h"
#include "xstate/guest_xcr0.h"
#include "xstate/guest_xsave.h"
#include "xstate/portable/layout.h"

#define CPUID1_ECX_OSXSAVE	BIT(27)
#define CPUID_XSTATE1_COMPACTED	(BIT(1) | BIT(3))	/* XSAVEC, XSAVES */

static struct l1vmm_xstate_layout layout __read_mostly;
static u32 uabi_size __read_mostly = sizeof(struct kvm_xsave);

void l1vmm_xsave_init(void)
{
	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		return;
	l1vmm_xstate_layout_read(l1vmm_host_cpuid, &layout);
	l1vmm_egpr_pretend_layout(&layout);
	uabi_size = max_t(u32, sizeof(struct kvm_xsave),
			  l1vmm_xstate_standard_size(&layout, l1vmm_supported_xcr0()));
}

static u64 guest_uabi_xfeatures(const struct l1vmm_vcpu *vcpu)
{
	return vcpu->guest_supported_xcr0 | L1VMM_XF_FPSSE;
}

/*
 * R16-R31 are in the uABI's APX area when the guest may enable APX; they
 * live in regs[], not in the kernel's guest FPU state, which sees the
 * buffer without them.
 */
static bool egprs_in_uabi(const struct l1vmm_vcpu *vcpu)
{
	return IS_ENABLED(CONFIG_L1VMM_APX_EGPR) && (vcpu->guest_supported_xcr0 & L1VMM_XF(APX));
}

static unsigned long *guest_egprs(struct l1vmm_vcpu *vcpu)
{
#ifdef CONFIG_L1VMM_APX_EGPR
	return &vcpu->regs[L1VMM_REG_R16];
#else
	return NULL;
#endif
}

u32 l1vmm_xsave_uabi_size(void)
{
	return uabi_size;
}

/*
 * KVM_GET_XSAVE (@size: struct kvm_xsave, -EINVAL if the state does not
 * fit, as KVM) and KVM_GET_XSAVE2 (@size: KVM_CAP_XSAVE2's answer).
 */
int l1vmm_get_xsave(struct l1vmm_vcpu *vcpu, void __user *uxsave, u32 size)
{
	void *buf;
	int r;

	if (size < uabi_size)
		return -EINVAL;
	buf = kzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	fpu_copy_guest_fpstate_to_uabi(&vcpu->guest_fpu, buf, size,
				       guest_uabi_xfeatures(vcpu) & ~L1VMM_XF(APX), 0);
	r = 0;
	if (egprs_in_uabi(vcpu))
		r = l1vmm_xsave_put_egprs(buf, size, &layout, guest_egprs(vcpu));
	if (!r && copy_to_user(uxsave, buf, size))
		r = -EFAULT;
	kfree(buf);
	return r;
}

/* KVM_SET_XSAVE: KVM_CAP_XSAVE2's size is read, as KVM reads it. */
int l1vmm_set_xsave(struct l1vmm_vcpu *vcpu, const void __user *uxsave)
{
	unsigned long egprs[L1VMM_NR_EGPRS];
	bool set_egprs = false;
	u32 pkru = 0;
	void *buf;
	int r;

	buf = memdup_user(uxsave, uabi_size);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	if (egprs_in_uabi(vcpu)) {
		r = l1vmm_xsave_take_egprs(buf, uabi_size, &layout, egprs);
		if (r < 0)
			goto out;
		set_egprs = r;
	}
	/* Everything is validated here, before anything changes. */
	r = fpu_copy_uabi_to_guest_fpstate(&vcpu->guest_fpu, buf,
					   guest_uabi_xfeatures(vcpu) & ~L1VMM_XF(APX), &pkru);
	if (!r && set_egprs)
		memcpy(guest_egprs(vcpu), egprs, sizeof(egprs));
out:
	kfree(buf);
	return r;
}

/*
 * KVM_SET_CPUID2's last check, as KVM 6.1's kvm_check_cpuid(): a table
 * whose leaf 0xD.0 offers a dynamic component (AMX tile data) has the FPU
 * core enable it for the guest's state, which needs the process's
 * permission (arch_prctl(ARCH_REQ_XCOMP_GUEST_PERM)): -EPERM without it.
 * l1vmm offers no such component to the guest's XCR0 either way.
 */
int l1vmm_xsave_check_cpuid(struct l1vmm_vcpu *vcpu, const struct kvm_cpuid_entry2 *entries,
			    unsigned int nent)
{
	const struct kvm_cpuid_entry2 *e = l1vmm_cpuid_find(entries, nent, L1VMM_CPUID_XSTATE, 0);
	u64 xfeatures;

	if (!e)
		return 0;
	xfeatures = ((u64)e->edx << 32 | e->eax) & XFEATURE_MASK_USER_DYNAMIC;
	if (!xfeatures)
		return 0;
	return fpu_enable_guest_xfd_features(&vcpu->guest_fpu, xfeatures);
}

/*
 * The parts of CPUID that follow the guest's state, as KVM's
 * kvm_update_cpuid_runtime() computes them, in @e (its function and index
 * say which leaf): OSXSAVE is the guest's CR4.OSXSAVE (@osxsave, for
 * leaf 1); leaf 0xD.0 EBX the standard-format size for its XCR0, and
 * 0xD.1 EBX the compacted size when it has XSAVEC or XSAVES.
 */
void l1vmm_xsave_cpuid_entry_runtime(struct l1vmm_vcpu *vcpu, struct kvm_cpuid_entry2 *e,
				     bool osxsave)
{
	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		return;
	if (e->function == 1) {
		if (osxsave)
			e->ecx |= CPUID1_ECX_OSXSAVE;
		else
			e->ecx &= ~CPUID1_ECX_OSXSAVE;
	} else if (e->function == L1VMM_CPUID_XSTATE && e->index == 0) {
		e->ebx = l1vmm_xstate_standard_size(&layout, vcpu->xcr0);
	} else if (e->function == L1VMM_CPUID_XSTATE && e->index == 1 &&
		   (e->eax & CPUID_XSTATE1_COMPACTED)) {
		e->ebx = l1vmm_xstate_compacted_size(&layout, vcpu->xcr0);
	}
}

/* The same on the guest's RAX..RCX, the answer to its CPUID. */
void __l1vmm_xsave_cpuid_runtime(struct l1vmm_vcpu *vcpu, u32 leaf, u32 index, bool osxsave)
{
	unsigned long *r = vcpu->regs;
	struct kvm_cpuid_entry2 e = {
		.function = leaf, .index = index,
		.eax = r[L1VMM_REG_RAX], .ebx = r[L1VMM_REG_RBX], .ecx = r[L1VMM_REG_RCX],
	};

	l1vmm_xsave_cpuid_entry_runtime(vcpu, &e, osxsave);
	r[L1VMM_REG_RBX] = e.ebx;
	r[L1VMM_REG_RCX] = e.ecx;
}

static void clear_component(unsigned int xfeature, void *fpstate)
{
	fpstate_clear_xstate_component(fpstate, xfeature);
}

/*
 * INIT of the guest's extended state, from inside KVM_RUN where the
 * guest's registers are loaded: save them, clear what INIT clears (only
 * components the host has: the kernel warns about others), load them back.
 */
void l1vmm_xsave_init_event(struct l1vmm_vcpu *vcpu)
{
	if (!(L1VMM_XF_INIT_CLEARED & l1vmm_supported_xcr0()))
		return;
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, false);
	l1vmm_xstate_init_clear(l1vmm_supported_xcr0(), clear_component, vcpu->guest_fpu.fpstate);
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, true);
}
