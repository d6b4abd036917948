// SPDX-License-Identifier: GPL-2.0-only
/*
 * The core's exit policy: what to do about each vendor-neutral exit the
 * backend decoded. Handlers follow the convention in l1vmm.h (1 re-enter,
 * 0 to user space with kvm_run filled in, negative errno).
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/kvm.h>
#include <linux/nospec.h>
#include <linux/smp.h>
#include <asm/mce.h>
#include <asm/trapnr.h>

#include "l1vmm/debugregs.h"
#include "l1vmm/exit.h"
#include "l1vmm/fastpath.h"
#include "l1vmm/guest_mem.h"
#include "l1vmm/irqchip.h"
#include "l1vmm/msr_user.h"
#include "l1vmm/vm.h"

/*
 * An instruction l1vmm cannot emulate, reported as KVM reports it without
 * KVM_CAP_EXIT_ON_EMULATION_FAILURE: data[0] flags (0), data[1..5] the exit
 * code, its two information words, and two zeros (KVM's interrupt info and
 * error code), then @info (for MMIO: the guest-physical address).
 */
int l1vmm_emulation_failure(struct l1vmm_vcpu *vcpu, u64 info)
{
	struct kvm_run *run = vcpu->run;
	const struct l1vmm_exit *e = &vcpu->exit;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	memset(run->internal.data, 0, 7 * sizeof(run->internal.data[0]));
	run->internal.data[1] = e->raw;
	run->internal.data[2] = e->info1;
	run->internal.data[3] = e->info2;
	run->internal.data[6] = info;
	run->internal.ndata = 7;
	return 0;
}

/*
 * A RIP that a skip carried out of bit 31 (l1vmm_skip_to()): it wraps at 32
 * bits unless the guest runs 64-bit code, as in KVM. Rare: out of line.
 */
u64 l1vmm_wrap_rip(struct l1vmm_vcpu *vcpu, u64 rip)
{
	struct kvm_segment cs;

	return l1vmm_guest_cs(vcpu, &cs) ? rip : (u32)rip;
}

/* An exit l1vmm does not handle: KVM's report for an unexpected exit. */
static int handle_unknown(struct l1vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON;
	run->internal.ndata = 2;
	run->internal.data[0] = vcpu->exit.raw;
	run->internal.data[1] = vcpu->cpu;
	return 0;
}

static int handle_intr(struct l1vmm_vcpu *vcpu)
{
	return 1;	/* the interrupt was taken on the way out */
}

static int handle_hlt(struct l1vmm_vcpu *vcpu)
{
	vcpu->stats.halt_exits++;
	if (vcpu->lapic)
		return l1vmm_lapic_halt(vcpu);
	l1vmm_skip_instruction(vcpu);
	vcpu->run->exit_reason = KVM_EXIT_HLT;
	return 0;
}

/* The full path's handler for the exits emulate() knows. */
static int handle_emulated(struct l1vmm_vcpu *vcpu)
{
	emulate(l1vmm_ops, vcpu, vcpu->exit.reason);
	vcpu->regs_dirty |= EMULATED_DIRTY;
	return 1;
}

/*
 * The VMCB is undefined after a shutdown: INIT the vCPU, as KVM on AMD
 * does, and tell user space. kvm-intel leaves the vCPU as the triple
 * fault left it, and so does l1vmm on VMX (the VMX backend runs only
 * where the CPU has no SVM).
 */
static int handle_shutdown(struct l1vmm_vcpu *vcpu)
{
	if (boot_cpu_has(X86_FEATURE_SVM))
		l1vmm_vcpu_reset(vcpu, true);
	vcpu->run->exit_reason = KVM_EXIT_SHUTDOWN;
	return 0;
}

static int handle_fail_entry(struct l1vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	WARN_ONCE(vcpu->exit.fail_entry.faulted, "l1vmm: VMRUN faulted: virtualization is off\n");
	if (vcpu->exit.fail_entry.check)
		pr_warn_ratelimited("vCPU %u: not entering: %s\n", vcpu->id,
				    vcpu->exit.fail_entry.check);

	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = vcpu->exit.raw;
	run->fail_entry.cpu = vcpu->cpu;
	return 0;
}

/*
 * A machine check while the guest ran: the exit took it from the guest, so
 * hand it to the host's handler, as from user mode (KVM's
 * kvm_machine_check()). IRQs off, right after the exit.
 */
void l1vmm_host_machine_check(void)
{
#ifdef CONFIG_X86_MCE
	struct pt_regs regs = {
		.cs = 3,	/* user mode, whatever the guest ran at */
		.flags = X86_EFLAGS_IF,
	};

	do_machine_check(&regs);
#endif
}

/*
 * #UD, intercepted as KVM does: the other vendor's hypercall (VMCALL on
 * an AMD CPU, VMMCALL on an Intel one, which the CPU refuses) becomes this
 * CPU's where the guest's code is, and the guest executes it again, under
 * KVM's FIX_HYPERCALL_INSN quirk (KVM's emulator_fix_hypercall()). With
 * the quirk off, and for any other instruction, the guest gets its #UD.
 */
static int handle_ud_exception(struct l1vmm_vcpu *vcpu)
{
	static const u8 vmcall[] = { 0x0f, 0x01, 0xc1 }, vmmcall[] = { 0x0f, 0x01, 0xd9 };
	/* The VMX backend runs only where the CPU has no SVM (cpu_detect.c). */
	bool vmx = !boot_cpu_has(X86_FEATURE_SVM);
	const u8 *foreign = vmx ? vmmcall : vmcall, *native = vmx ? vmcall : vmmcall;
	struct l1vmm_guest_view view;
	u8 bytes[L1VMM_MAX_INSN_LEN];
	u64 rip;

	if (l1vmm_has_quirk(vcpu->vm, KVM_X86_QUIRK_FIX_HYPERCALL_INSN)) {
		l1vmm_guest_view(vcpu, &view);
		rip = l1vmm_linear(&view, L1VMM_SEG_CS, vcpu->regs[L1VMM_REG_RIP]);
		if (l1vmm_fetch_insn(vcpu, &view, bytes) >= sizeof(vmcall) &&
		    !memcmp(bytes, foreign, sizeof(vmcall)) &&
		    !l1vmm_write_linear(vcpu, &view, rip, native, sizeof(vmcall)))
			return 1;
	}
	l1vmm_queue_exception(vcpu, X86_TRAP_UD, false, 0);
	return 1;
}

/*
 * The exceptions intercepted for the host's sake (doc/design.md). #DB and
 * #AC go back to the guest as they came: the intercept only bounds how
 * long a guest can keep the CPU in a delivery loop (CVE-2015-8104,
 * CVE-2015-5307), as each delivery is an exit. The CPU already updated the
 * guest's DR6 for the #DB. #UD is intercepted as KVM does, for VMCALL
 * (handle_ud_exception()). While user space debugs the guest, #DB and #BP
 * may be its own (guest_debug.c). A machine check went to the host's handler at
 * the exit (vcpu_run()); the guest continues, as in KVM.
 */
static int handle_exception(struct l1vmm_vcpu *vcpu)
{
	switch (vcpu->exit.exception.vector) {
	case X86_TRAP_DB:
		return l1vmm_handle_db(vcpu);	/* the guest's, or user space's */
	case X86_TRAP_BP:
		return l1vmm_handle_bp(vcpu);	/* KVM_GUESTDBG_USE_SW_BP */
	case X86_TRAP_AC:
		l1vmm_queue_exception(vcpu, X86_TRAP_AC, true, 0);
		return 1;
	case X86_TRAP_UD:
		return handle_ud_exception(vcpu);
	case X86_TRAP_MC:
		return 1;
	default:
		return handle_unknown(vcpu);
	}
}

/* AMD's four legacy counters, which every AMD CPU has without a CPUID bit. */
#define NR_LEGACY_COUNTERS	4

/*
 * RDPMC, intercepted so that the guest never reads the host's counters.
 * l1vmm counts nothing for the guest; like KVM on AMD, it has the four
 * legacy counters, which read 0 (ECX bits 31:30 ignored, as KVM does), and
 * any other counter is a #GP. The CPU checked CR4.PCE and the CPL before
 * the intercept.
 */
static int handle_rdpmc(struct l1vmm_vcpu *vcpu)
{
	unsigned long *r = vcpu->regs;

	if ((r[L1VMM_REG_RCX] & ~(3u << 30)) >= NR_LEGACY_COUNTERS) {
		l1vmm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return 1;
	}
	r[L1VMM_REG_RAX] = 0;
	r[L1VMM_REG_RDX] = 0;
	vcpu->regs_dirty |= BIT(L1VMM_REG_RAX);
	l1vmm_skip_instruction(vcpu);
	return 1;
}

/*
 * Instructions the guest executes as no-ops, as in KVM: WBINVD and INVD
 * (the host's caches are the host's; with no device DMA into guest memory
 * there is nothing to write back for the guest), MONITOR and MWAIT (the
 * guest must not sleep the host's CPU: KVM's default MWAIT quirk), and a
 * PAUSE past the pause filter (a spinning guest: the full path's loop
 * checks for signals and rescheduling before it enters again).
 */
static int handle_nop(struct l1vmm_vcpu *vcpu)
{
	l1vmm_skip_instruction(vcpu);
	return 1;
}

/*
 * MONITOR and MWAIT: no-ops (handle_nop()) while the MWAIT_NEVER_UD_FAULTS
 * quirk is on; with it off, #UD unless the guest's CPUID offers MWAIT, as
 * KVM's kvm_emulate_monitor_mwait().
 */
#define CPUID_1_ECX_MWAIT	BIT(3)

static int handle_mwait(struct l1vmm_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *leaf1;

	if (!l1vmm_has_quirk(vcpu->vm, KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS)) {
		leaf1 = l1vmm_cpuid_find(vcpu->cpuid, vcpu->cpuid_nent, 1, 0);
		if (!leaf1 || !(leaf1->ecx & CPUID_1_ECX_MWAIT)) {
			l1vmm_queue_exception(vcpu, X86_TRAP_UD, false, 0);
			return 1;
		}
	}
	return handle_nop(vcpu);
}

/* The SVM/VMX instructions (no nested virtualization for L2), RSM, RDPRU. */
static int handle_ud(struct l1vmm_vcpu *vcpu)
{
	l1vmm_queue_exception(vcpu, X86_TRAP_UD, false, 0);
	return 1;
}

/*
 * The window user space asked for is open: the backend has closed it
 * again; vcpu_run() reports KVM_EXIT_IRQ_WINDOW_OPEN.
 */
static int handle_irq_window(struct l1vmm_vcpu *vcpu)
{
	return 1;
}

typedef int (*l1vmm_exit_handler)(struct l1vmm_vcpu *vcpu);

static const l1vmm_exit_handler exit_handlers[L1VMM_NR_EXIT_REASONS] = {
	[L1VMM_EXIT_UNKNOWN]	= handle_unknown,
	[L1VMM_EXIT_INTR]	= handle_intr,
	[L1VMM_EXIT_HLT]	= handle_hlt,
	[L1VMM_EXIT_IO]		= l1vmm_handle_io,
	[L1VMM_EXIT_NPF]	= l1vmm_handle_npf,
	[L1VMM_EXIT_SHUTDOWN]	= handle_shutdown,
	[L1VMM_EXIT_CPUID]	= handle_emulated,
	[L1VMM_EXIT_HYPERCALL]	= handle_emulated,
	[L1VMM_EXIT_MSR]	= l1vmm_handle_msr,
	[L1VMM_EXIT_FAIL_ENTRY]	= handle_fail_entry,
	[L1VMM_EXIT_IRQ_WINDOW]	= handle_irq_window,
	[L1VMM_EXIT_XSETBV]	= handle_emulated,
	[L1VMM_EXIT_DR_ACCESS]	= l1vmm_handle_dr_access,
	[L1VMM_EXIT_EXCEPTION]	= handle_exception,
	[L1VMM_EXIT_RDPMC]	= handle_rdpmc,
	[L1VMM_EXIT_WBINVD]	= handle_nop,
	[L1VMM_EXIT_MWAIT]	= handle_mwait,
	[L1VMM_EXIT_PAUSE]	= handle_nop,
	[L1VMM_EXIT_UD]		= handle_ud,
	[L1VMM_EXIT_IRET]	= l1vmm_handle_iret,
	[L1VMM_EXIT_NMI_WINDOW]	= l1vmm_handle_nmi_window,
	[L1VMM_EXIT_CR8_WRITE]	= l1vmm_lapic_cr8_write,
	[L1VMM_EXIT_CR4_WRITE]	= l1vmm_handle_cr4_write,
};

int l1vmm_handle_exit(struct l1vmm_vcpu *vcpu)
{
	unsigned int reason = vcpu->exit.reason;

	vcpu->stats.exits++;
	if (WARN_ON_ONCE(reason >= L1VMM_NR_EXIT_REASONS))
		return handle_unknown(vcpu);
	reason = array_index_nospec(reason, L1VMM_NR_EXIT_REASONS);
	if (WARN_ON_ONCE(!exit_handlers[reason]))
		return handle_unknown(vcpu);
	return exit_handlers[reason](vcpu);
}
