// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's XCR0 (see guest_xcr0.h). SVM does not switch XCR0 on VMRUN
 * or #VMEXIT, so l1vmm does, as KVM does: only while the guest has
 * CR4.OSXSAVE (without it no instruction can see XCR0) and only when the
 * guest's value differs from the host's. A guest running Linux enables
 * what the host's Linux enables, so the common case runs no XSETBV, and
 * an L1 XSETBV is an exit to L0 on every nested hypervisor.
 *
 * When L0 does not deliver the guest's XSETBV to l1vmm (QEMU's emulator
 * lets it through, doc/design.md), the guest can change the CPU's XCR0
 * behind l1vmm's back. Module init probes for that; without the exits,
 * every #VMEXIT compares the CPU's XCR0 with the host's and restores it,
 * so a guest's value never stays in the host.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/moduleparam.h>
#include <asm/cpufeature.h>
#include <asm/fpu/xcr.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "l1vmm/portable/cpuid.h"
#include "l1vmm/dev.h"
#include "l1vmm/vcpu.h"
#include "xstate/egpr.h"
#include "xstate/guest_xcr0.h"
#include "xstate/portable/layout.h"
#include "xstate/portable/xcr0.h"

/*
 * The components l1vmm can give a guest, when the host enables them: the
 * kernel's guest FPU state holds them. Not yet: AMX's tile data (it needs
 * the kernel's dynamic-permission protocol, ARCH_REQ_XCOMP_GUEST_PERM) and
 * PKRU (the guest has no CR4.PKE, and PKRU is switched apart from XSAVE).
 */
#define L1VMM_XCR0_IMPLEMENTED	(L1VMM_XF_FPSSE | L1VMM_XF(YMM) | L1VMM_XF_MPX | \
				 L1VMM_XF_AVX512 | L1VMM_XF(APX))

/* The host's XCR0, and whether an exit must check that the CPU has it. */
u64 l1vmm_xcr0_host __read_mostly;
bool l1vmm_xcr0_check_exit __read_mostly;
static u64 supported_xcr0 __read_mostly;
/* Supported, but never loaded: APX in the EGPR shadow build (egpr.h). */
static u64 pretend_xcr0 __read_mostly;

/* Whether L0 delivers a guest's XSETBV to l1vmm; probed at load. */
static bool xsetbv_exits __read_mostly;
module_param(xsetbv_exits, bool, 0444);
MODULE_PARM_DESC(xsetbv_exits,
		 "Read-only: L0 delivers guest XSETBV exits (probed at load; N under QEMU TCG)");

void l1vmm_xcr0_init(bool exits)
{
	if (boot_cpu_has(X86_FEATURE_OSXSAVE))
		l1vmm_xcr0_host = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	pretend_xcr0 = l1vmm_egpr_pretend_xcr0(l1vmm_xcr0_host);
	supported_xcr0 = (l1vmm_xcr0_host | pretend_xcr0) & L1VMM_XCR0_IMPLEMENTED;
	xsetbv_exits = exits;
	l1vmm_xcr0_check_exit = l1vmm_xcr0_host && !exits;
	if (boot_cpu_has(X86_FEATURE_OSXSAVE) && !exits)
		pr_warn("L0 does not deliver guest XSETBV exits: checking the host XCR0 after every exit\n");
}

u64 l1vmm_supported_xcr0(void)
{
	return supported_xcr0;
}

u64 l1vmm_host_xcr0(void)
{
	return l1vmm_xcr0_host;
}

void l1vmm_xcr0_reset(struct l1vmm_vcpu *vcpu)
{
	vcpu->xcr0 = L1VMM_XCR0_RESET;
}

/* What the guest may enable: CPUID 0xD.0 EDX:EAX, within what l1vmm supports. */
void l1vmm_xcr0_update_cpuid(struct l1vmm_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e;

	e = l1vmm_cpuid_find(vcpu->cpuid, vcpu->cpuid_nent, L1VMM_CPUID_XSTATE, 0);
	vcpu->guest_supported_xcr0 = e ? (((u64)e->edx << 32 | e->eax) & supported_xcr0) : 0;
}

static void load_xcr0(struct l1vmm_vcpu *vcpu, u64 xcr0)
{
	xsetbv(XCR_XFEATURE_ENABLED_MASK, xcr0 & ~pretend_xcr0);
	l1vmm_l1_always(&vcpu->stats);
	vcpu->stats.l1_xsetbv++;
}

/*
 * @xcr0, the guest's, into the CPU (l1vmm_xstate_begin() decided so).
 * Interrupts are off from here to l1vmm_xcr0_exit().
 */
void l1vmm_xcr0_enter(struct l1vmm_vcpu *vcpu, u64 xcr0)
{
	load_xcr0(vcpu, xcr0);
	vcpu->xcr0_loaded = xcr0;
}

/* The XCR0 in force while the guest runs: its own, or the host's. */
u64 l1vmm_xcr0_in_guest(const struct l1vmm_vcpu *vcpu)
{
	return vcpu->xcr0_loaded ?: l1vmm_xcr0_host;
}

/* The host's XCR0 back: l1vmm loaded the guest's, or the guest wrote its own. */
void l1vmm_xcr0_exit(struct l1vmm_vcpu *vcpu)
{
	load_xcr0(vcpu, l1vmm_xcr0_host);
	vcpu->xcr0_loaded = 0;
}

static bool set_xcr0(struct l1vmm_vcpu *vcpu, u32 index, u64 xcr0)
{
	if (l1vmm_xcr0_invalid(index, xcr0, vcpu->guest_supported_xcr0))
		return false;
	vcpu->xcr0 = xcr0;
	return true;
}

/*
 * XSETBV: ECX selects the XCR, EDX:EAX the value; false (#GP) unless CPL 0
 * and valid. Also in the fastpath, which then loads the new value if the
 * next entry wants it (l1vmm_xstate_xsetbv()); otherwise the next series
 * does.
 */
bool l1vmm_emulate_xsetbv(struct l1vmm_vcpu *vcpu)
{
	const unsigned long *r = vcpu->regs;
	u64 xcr0 = (u64)(u32)r[L1VMM_REG_RDX] << 32 | (u32)r[L1VMM_REG_RAX];

	vcpu->stats.xsetbv_exits++;
	return !vcpu->exit.cpl && set_xcr0(vcpu, r[L1VMM_REG_RCX], xcr0);
}

/* KVM_GET_XCRS: XCR0 alone; none on a host without XSAVE. */
void l1vmm_get_xcrs(struct l1vmm_vcpu *vcpu, struct kvm_xcrs *xcrs)
{
	memset(xcrs, 0, sizeof(*xcrs));
	if (!l1vmm_xcr0_host)
		return;
	xcrs->nr_xcrs = 1;
	xcrs->xcrs[0].xcr = L1VMM_XCR_XFEATURE_ENABLED_MASK;
	xcrs->xcrs[0].value = vcpu->xcr0;
}

/*
 * KVM_SET_XCRS, as KVM: the first entry for XCR0 is applied, entries for
 * other XCRs are ignored, a refused XCR0 is -EINVAL with the vCPU unchanged.
 */
int l1vmm_set_xcrs(struct l1vmm_vcpu *vcpu, const struct kvm_xcrs *xcrs)
{
	unsigned int i;

	if (!l1vmm_xcr0_host || xcrs->nr_xcrs > KVM_MAX_XCRS || xcrs->flags)
		return -EINVAL;
	for (i = 0; i < xcrs->nr_xcrs; i++) {
		if (xcrs->xcrs[i].xcr == L1VMM_XCR_XFEATURE_ENABLED_MASK)
			return set_xcr0(vcpu, xcrs->xcrs[i].xcr, xcrs->xcrs[i].value) ? 0 : -EINVAL;
	}
	return 0;
}
