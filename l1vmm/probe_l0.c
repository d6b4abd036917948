// SPDX-License-Identifier: GPL-2.0-only
/*
 * What L0 does for us that the CPU model does not say, found at load by
 * running a guest: an ordinary VM and vCPU of the backend in use, built
 * and entered with the core's own functions, so that no backend needs a
 * probe of its own.
 *
 * Does L0 deliver a guest's XSETBV as an exit? The guest starts at the
 * reset vector in real mode with CR4.OSXSAVE, writes the host's own XCR0
 * value (harmless if L0 lets it through) and halts: an XSETBV exit says
 * yes, a HLT exit says no (QEMU's emulator). Its only memory is the page
 * of the reset vector, so anything else it does ends in an exit too; an
 * interrupt exit just runs it again.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <asm/fpu/xcr.h>
#include <asm/processor-flags.h>

#include "l1vmm/debugregs.h"
#include "l1vmm/hw.h"
#include "l1vmm/vcpu.h"
#include "l1vmm/vm.h"
#include "xstate/guest_xcr0.h"
#include "xstate/guest_xsave.h"

/* The page of the reset vector (CS base 0xffff0000, IP 0xfff0). */
#define RESET_PAGE_GFN		0xfffffULL
#define RESET_VECTOR_OFFSET	(L1VMM_RESET_RIP & ~PAGE_MASK)

static enum l1vmm_exit_reason run_probe_guest(struct l1vmm_vcpu *vcpu)
{
	enum l1vmm_exit_reason reason = L1VMM_EXIT_INTR;
	int tries;

	for (tries = 0; tries < 10 && reason == L1VMM_EXIT_INTR; tries++) {
		preempt_disable();
		if (l1vmm_ops->vcpu_load)
			l1vmm_ops->vcpu_load(vcpu);
		local_irq_disable();
		l1vmm_debugregs_enter(vcpu);
		l1vmm_ops->run(vcpu);
		l1vmm_debugregs_exit(vcpu);
		reason = vcpu->exit.reason;
		local_irq_enable();
		preempt_enable();
	}
	return reason;
}

static bool probe_xsetbv_exit(void)
{
	static const u8 code[] = { 0x0f, 0x01, 0xd1, 0xf4 };	/* xsetbv; hlt */
	enum l1vmm_exit_reason reason = L1VMM_EXIT_UNKNOWN;
	struct l1vmm_vcpu *vcpu;
	struct kvm_sregs sregs;
	struct l1vmm_vm *vm;
	struct page *page;
	u64 xcr0;

	if (!boot_cpu_has(X86_FEATURE_OSXSAVE))
		return false;
	xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page)
		return false;
	memcpy(page_address(page) + RESET_VECTOR_OFFSET, code, sizeof(code));
	vm = l1vmm_vm_alloc();
	if (IS_ERR(vm))
		goto free_page;

	mutex_lock(&vm->lock);
	vcpu = l1vmm_vcpu_alloc(vm, 0);
	if (!IS_ERR(vcpu) && l1vmm_tdp_map(&vm->tdp, RESET_PAGE_GFN, page_to_pfn(page), false))
		vcpu = ERR_PTR(-ENOMEM);
	mutex_unlock(&vm->lock);
	if (IS_ERR(vcpu))
		goto put_vm;

	l1vmm_ops->get_sregs(vcpu, &sregs);
	sregs.cr4 |= X86_CR4_OSXSAVE;
	l1vmm_ops->set_sregs(vcpu, &sregs);
	vcpu->regs[L1VMM_REG_RAX] = (u32)xcr0;
	vcpu->regs[L1VMM_REG_RDX] = xcr0 >> 32;
	vcpu->regs[L1VMM_REG_RCX] = XCR_XFEATURE_ENABLED_MASK;
	vcpu->regs_dirty = BIT(L1VMM_NR_REGS) - 1;
	reason = run_probe_guest(vcpu);

	/* If L0 let it through, XCR0 holds the value it held before. */
	if (xgetbv(XCR_XFEATURE_ENABLED_MASK) != xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, xcr0);
	if (reason != L1VMM_EXIT_XSETBV && reason != L1VMM_EXIT_HLT)
		pr_warn("XSETBV probe: unexpected exit %d\n", reason);
put_vm:
	/* The last reference: the vCPU, the table and the hardware go with it. */
	l1vmm_vm_put(vm);
free_page:
	__free_page(page);
	return reason == L1VMM_EXIT_XSETBV;
}

/* Probe L0, then set up what depends on the answers. */
int l1vmm_probe_l0(void)
{
	l1vmm_xcr0_init(probe_xsetbv_exit());
	l1vmm_xsave_init();
	return 0;
}
