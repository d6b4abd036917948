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
 *
 * Does L0 keep the guest's interrupt shadow across an entry? See
 * probe_drops_int_shadow().
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
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

bool l1vmm_l0_drops_int_shadow __read_mostly;
module_param_named(l0_drops_int_shadow, l1vmm_l0_drops_int_shadow, bool, 0444);
MODULE_PARM_DESC(l0_drops_int_shadow,
		 "Read-only: L0 drops the guest's interrupt shadow at entry (probed at load; Y under QEMU TCG)");

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

/*
 * Run @code at the reset vector of a fresh vCPU after @setup (its real-mode
 * RESET state otherwise): the exit it ended with, L1VMM_EXIT_UNKNOWN when
 * no VM could be built.
 */
static enum l1vmm_exit_reason probe_run(const u8 *code, size_t len,
					void (*setup)(struct l1vmm_vcpu *vcpu))
{
	enum l1vmm_exit_reason reason = L1VMM_EXIT_UNKNOWN;
	struct l1vmm_vcpu *vcpu;
	struct l1vmm_vm *vm;
	struct page *page;

	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page)
		return reason;
	memcpy(page_address(page) + RESET_VECTOR_OFFSET, code, len);
	vm = l1vmm_vm_alloc();
	if (IS_ERR(vm))
		goto free_page;

	mutex_lock(&vm->lock);
	vcpu = l1vmm_vcpu_alloc(vm, 0);
	if (!IS_ERR(vcpu) && l1vmm_tdp_map(&vm->tdp, RESET_PAGE_GFN, page_to_pfn(page), false))
		vcpu = ERR_PTR(-ENOMEM);
	mutex_unlock(&vm->lock);
	if (!IS_ERR(vcpu)) {
		setup(vcpu);
		reason = run_probe_guest(vcpu);
	}
	/* The last reference: the vCPU, the table and the hardware go with it. */
	l1vmm_vm_put(vm);
free_page:
	__free_page(page);
	return reason;
}

static u64 probe_xcr0;

static void setup_xsetbv(struct l1vmm_vcpu *vcpu)
{
	struct kvm_sregs sregs;

	l1vmm_ops->get_sregs(vcpu, &sregs);
	sregs.cr4 |= X86_CR4_OSXSAVE;
	l1vmm_ops->set_sregs(vcpu, &sregs);
	vcpu->regs[L1VMM_REG_RAX] = (u32)probe_xcr0;
	vcpu->regs[L1VMM_REG_RDX] = probe_xcr0 >> 32;
	vcpu->regs[L1VMM_REG_RCX] = XCR_XFEATURE_ENABLED_MASK;
	vcpu->regs_dirty = BIT(L1VMM_NR_REGS) - 1;
}

static bool probe_xsetbv_exit(void)
{
	static const u8 code[] = { 0x0f, 0x01, 0xd1, 0xf4 };	/* xsetbv; hlt */
	enum l1vmm_exit_reason reason;

	if (!boot_cpu_has(X86_FEATURE_OSXSAVE))
		return false;
	probe_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	reason = probe_run(code, sizeof(code), setup_xsetbv);
	/* If L0 let it through, XCR0 holds the value it held before. */
	if (xgetbv(XCR_XFEATURE_ENABLED_MASK) != probe_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, probe_xcr0);
	if (reason != L1VMM_EXIT_XSETBV && reason != L1VMM_EXIT_HLT)
		pr_warn("XSETBV probe: unexpected exit %d\n", reason);
	return reason == L1VMM_EXIT_XSETBV;
}

static void setup_shadow(struct l1vmm_vcpu *vcpu)
{
	l1vmm_ops->set_rflags(vcpu, l1vmm_ops->get_rflags(vcpu) | X86_EFLAGS_IF);
	l1vmm_ops->set_interrupt_shadow(vcpu, KVM_X86_SHADOW_INT_STI);
	l1vmm_ops->set_irq_window(vcpu, true);
}

/*
 * Does L0 keep the guest's interrupt shadow across an entry? The guest
 * enters at a HLT right after an STI (the shadow set, RFLAGS.IF set) with
 * the interrupt window open: the HLT must exit first, as on the CPU. QEMU's
 * emulator does not load the shadow at VMRUN and gives the window's exit
 * instead: a guest that re-enters in a shadow with the window open takes
 * its interrupt before the shadowed instruction ("sti; hlt" then sleeps
 * with the interrupt taken), and reports no shadow at the exit either.
 * l1vmm_set_irq_window() and svm_enter_once() work around it.
 */
static bool probe_drops_int_shadow(void)
{
	static const u8 code[] = { 0xf4 };	/* hlt */
	enum l1vmm_exit_reason reason = probe_run(code, sizeof(code), setup_shadow);

	if (reason != L1VMM_EXIT_HLT && reason != L1VMM_EXIT_IRQ_WINDOW)
		pr_warn("interrupt shadow probe: unexpected exit %d\n", reason);
	if (reason == L1VMM_EXIT_IRQ_WINDOW)
		pr_notice("L0 drops the guest's interrupt shadow at entry: no interrupt window opens in a shadow\n");
	return reason == L1VMM_EXIT_IRQ_WINDOW;
}

/* Probe L0, then set up what depends on the answers. */
int l1vmm_probe_l0(void)
{
	l1vmm_xcr0_init(probe_xsetbv_exit());
	l1vmm_xsave_init();
	l1vmm_l0_drops_int_shadow = probe_drops_int_shadow();
	return 0;
}
