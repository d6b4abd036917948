// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SVM backend's set-up: SVM on and off per CPU, what it allocates at
 * load, the NPT format, and each vCPU's VMCB from creation to RESET.
 */
#define pr_fmt(fmt) "l1vmm: svm: " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <asm/hypervisor.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/pgtable_types.h>
#include <asm/trapnr.h>

#include "l1vmm/debugregs.h"
#include "l1vmm/hw.h"
#include "l1vmm/msr_access.h"
#include "l1vmm/svm/svm.h"
#include "l1vmm/tdp.h"
#include "l1vmm/vm.h"

/*
 * A PAUSE exits after this many in a row (KVM's default pause_filter_count)
 * spinning closer together than this many cycles (pause_filter_thresh).
 */
#define PAUSE_FILTER_COUNT		3000
#define PAUSE_FILTER_THRESHOLD		128

/* The I/O and MSR permission maps: every port and MSR is intercepted. */
#define IOPM_ORDER	2	/* 12 KiB used */
#define MSRPM_ORDER	1	/* 8 KiB */

/* Reset state (AMD APM, "Initial Processor State"). */
#define RESET_CR0		(X86_CR0_ET | X86_CR0_CD | X86_CR0_NW)
#define RESET_RFLAGS		X86_EFLAGS_FIXED
#define RESET_CS_SELECTOR	0xf000
#define RESET_CS_BASE		0xffff0000
#define RESET_PAT		0x0007040600070406ULL

/*
 * Refuse the guest states that QEMU's emulator, as L0, kills the whole L1
 * guest on (l1vmm_vmcb_invalid(), doc/testing.md): -1 when L0 is QEMU's
 * emulator (its CPUID signature "TCGTCGTCGTCG"), 0 never, 1 always.
 */
static int l0_quirks = -1;
module_param(l0_quirks, int, 0444);
MODULE_PARM_DESC(l0_quirks,
		 "refuse guest states that QEMU's emulator as L0 kills L1 on: -1 auto, 0 no, 1 yes");

DEFINE_PER_CPU(struct svm_cpu, svm_cpus);
u32 svm_features;
u32 svm_nr_asids;
bool svm_switch_spec_ctrl;
struct l1vmm_vmcb_limits svm_vmcb_limits;
static struct page *iopm, *msrpm;

/*
 * NPT entries are the host's long-mode page-table entries, with the host's
 * depth (4 levels, or 5 under LA57). Guest accesses through NPT are user
 * accesses (AMD APM, "Nested Paging"), so every level carries U/S, and
 * leaves carry A and D so the CPU never has to write them back, until
 * page aging clears A: the CPU sets it again on the next walk.
 */
struct l1vmm_tdp_format svm_npt_format = {
	.present	= _PAGE_PRESENT,
	.table		= _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED,
	.leaf		= _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED,
	.leaf_writable	= _PAGE_RW | _PAGE_DIRTY,
	.large		= _PAGE_PSE,
	.accessed	= _PAGE_ACCESSED,
};

static void set_intercept(struct vmcb_control_area *c, unsigned int bit)
{
	c->intercepts[bit / 32] |= BIT(bit % 32);
}

int svm_hardware_enable(void)
{
	struct svm_cpu *sd = this_cpu_ptr(&svm_cpus);
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME)
		return -EBUSY;
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(sd->hsave));
	/* Another hypervisor may have used any ASID: flush all at first use. */
	sd->next_asid = svm_nr_asids;
	return 0;
}

void svm_hardware_disable(void)
{
	u64 efer;

	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
}

static void init_seg(struct vmcb_seg *seg, u16 attrib)
{
	seg->selector = 0;
	seg->attrib = SVM_SELECTOR_P_MASK | attrib;
	seg->limit = 0xffff;
	seg->base = 0;
}

/* The state after RESET: real mode at 0xffff0 (KVM's and the APM's). */
static void svm_reset_save_area(struct vmcb_save_area *save)
{
	u16 data = SVM_SELECTOR_S_MASK | SVM_SELECTOR_WRITE_MASK;

	memset(save, 0, sizeof(*save));
	init_seg(&save->cs, SVM_SELECTOR_S_MASK | SVM_SELECTOR_CODE_MASK |
		 SVM_SELECTOR_READ_MASK);
	save->cs.selector = RESET_CS_SELECTOR;
	save->cs.base = RESET_CS_BASE;
	init_seg(&save->ds, data);
	init_seg(&save->es, data);
	init_seg(&save->ss, data);
	init_seg(&save->fs, data);
	init_seg(&save->gs, data);
	init_seg(&save->ldtr, 2);	/* LDT */
	init_seg(&save->tr, 3);		/* busy 16-bit TSS */
	save->gdtr.limit = 0xffff;
	save->idtr.limit = 0xffff;
	save->cr0 = RESET_CR0;
	save->efer = EFER_SVME;		/* required by VMRUN, hidden from the guest */
	save->rflags = RESET_RFLAGS;
	save->rip = L1VMM_RESET_RIP;
	save->dr6 = L1VMM_DR6_RESET;
	save->dr7 = L1VMM_DR7_RESET;
	save->g_pat = RESET_PAT;
}

/*
 * What the guest may not do without l1vmm, for the host's sake or because
 * l1vmm emulates it; the whole table, with the reasons, is in
 * doc/design.md ("Intercepts"). KVM's init_vmcb() is the reference. MOV DR
 * is intercepted too, lazily (debugregs.h), and the MSR and I/O permission
 * maps intercept every MSR and port.
 */
static void svm_init_control(struct vmcb_control_area *c, u64 tdp_root_pa)
{
	static const unsigned int intercepts[] = {
		INTERCEPT_INTR, INTERCEPT_NMI, INTERCEPT_SMI, INTERCEPT_INIT,
		INTERCEPT_RDPMC, INTERCEPT_CPUID, INTERCEPT_RSM, INTERCEPT_INVD,
		INTERCEPT_HLT, INTERCEPT_INVLPGA, INTERCEPT_IOIO_PROT,
		INTERCEPT_MSR_PROT, INTERCEPT_SHUTDOWN, INTERCEPT_VMRUN,
		INTERCEPT_VMMCALL, INTERCEPT_VMLOAD, INTERCEPT_VMSAVE,
		INTERCEPT_STGI, INTERCEPT_CLGI, INTERCEPT_SKINIT, INTERCEPT_WBINVD,
		INTERCEPT_MONITOR, INTERCEPT_MWAIT, INTERCEPT_MWAIT_COND,
		INTERCEPT_XSETBV, INTERCEPT_RDPRU,
		/*
		 * Every MOV to CR4, as KVM: the CPU would check it against its
		 * own features, not the guest's (cr4_write.c).
		 */
		INTERCEPT_CR4_WRITE,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(intercepts); i++)
		set_intercept(c, intercepts[i]);
	/*
	 * #DB and #AC: a guest could otherwise hold the CPU in an endless
	 * delivery loop (CVE-2015-8104, CVE-2015-5307); #MC: the host's
	 * machine check must reach the host; #UD, as KVM, for the guest's
	 * VMCALL (exit.c).
	 */
	c->intercepts[INTERCEPT_EXCEPTION] = BIT(X86_TRAP_DB) | BIT(X86_TRAP_AC) |
					     BIT(X86_TRAP_MC) | BIT(X86_TRAP_UD);
	/* A spinning guest exits, where the CPU can filter PAUSE (else, as KVM, not). */
	if (svm_features & SVM_FEATURE_PAUSE_FILTER) {
		set_intercept(c, INTERCEPT_PAUSE);
		c->pause_filter_count = PAUSE_FILTER_COUNT;
		if (svm_features & SVM_FEATURE_PAUSE_THRESHOLD)
			c->pause_filter_thresh = PAUSE_FILTER_THRESHOLD;
	}
	c->iopm_base_pa = page_to_phys(iopm);
	c->msrpm_base_pa = page_to_phys(msrpm);
	c->int_ctl = V_INTR_MASKING_MASK;
	c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	c->nested_cr3 = tdp_root_pa;
}

int svm_vcpu_create(struct l1vmm_vcpu *vcpu)
{
	struct svm_vcpu *svm;
	struct page *page;

	svm = kzalloc(sizeof(*svm), GFP_KERNEL_ACCOUNT);
	if (!svm)
		return -ENOMEM;
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page) {
		kfree(svm);
		return -ENOMEM;
	}
	svm->vmcb = page_address(page);
	svm->vmcb_pa = page_to_phys(page);
	svm->asid_cpu = -1;
	svm->dirty = CLEAN_ALL;
	svm_init_control(&svm->vmcb->control, vcpu->vm->tdp.root_pa);
	vcpu->backend = svm;
	return 0;
}

void svm_vcpu_reset(struct l1vmm_vcpu *vcpu)
{
	struct svm_vcpu *svm = vcpu->backend;

	svm_reset_save_area(&svm->vmcb->save);
	svm->vmcb->control.int_ctl &= ~V_TPR_MASK;
	svm->vmcb->control.int_state = 0;
	svm->vmcb->control.event_inj = 0;
	svm_set_irq_window(vcpu, false);
	svm_set_iret_intercept(vcpu, false);
	svm->dirty = CLEAN_ALL;
}

void svm_vcpu_free(struct l1vmm_vcpu *vcpu)
{
	struct svm_vcpu *svm = vcpu->backend;

	free_page((unsigned long)svm->vmcb);
	kfree(svm);
}

static void svm_free_pages(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sd = per_cpu_ptr(&svm_cpus, cpu);

		if (sd->hsave)
			__free_page(sd->hsave);
		if (sd->host_save)
			__free_page(sd->host_save);
		sd->hsave = sd->host_save = NULL;
	}
	if (iopm)
		__free_pages(iopm, IOPM_ORDER);
	if (msrpm)
		__free_pages(msrpm, MSRPM_ORDER);
	iopm = msrpm = NULL;
}

/* Allocate what SVM needs on every CPU; returns the ops, or NULL. */
static const struct l1vmm_backend_ops *svm_init(void)
{
	int cpu;

	BUILD_BUG_ON(offsetof(struct vmcb, save) != 0x400);
	BUILD_BUG_ON(sizeof(struct vmcb) > PAGE_SIZE);
	BUILD_BUG_ON((PAGE_SIZE << IOPM_ORDER) < L1VMM_IOPM_SIZE);
	BUILD_BUG_ON((PAGE_SIZE << MSRPM_ORDER) < L1VMM_MSRPM_SIZE);

	svm_features = cpuid_edx(SVM_CPUID_FUNC);
	svm_nr_asids = cpuid_ebx(SVM_CPUID_FUNC);
	svm_switch_spec_ctrl = l1vmm_host_has_msr(L1VMM_MSR_SPEC_CTRL);
	svm_npt_format.levels = pgtable_l5_enabled() ? 5 : 4;
	/*
	 * A 1 GiB nested leaf is a PDPE with PS, which NPT walks as the
	 * host's paging does: only where the CPU (L0's CPUID) has GBPAGES,
	 * as KVM's max_huge_page_level.
	 */
	svm_npt_format.max_leaf_level = boot_cpu_has(X86_FEATURE_GBPAGES) ? 3 : 2;
	if (l0_quirks < 0)
		l0_quirks = boot_cpu_has(X86_FEATURE_HYPERVISOR) &&
			    hypervisor_cpuid_base("TCGTCGTCGTCG", 0);
	svm_vmcb_limits = (struct l1vmm_vmcb_limits){
		.guest_phys_bits = l1vmm_tdp_gpa_bits_for(svm_npt_format.levels),
		.host_phys_bits = boot_cpu_data.x86_phys_bits,
		.cr4_allowed = l1vmm_guest_cr4_allowed(),
		.l0_tcg_quirks = l0_quirks > 0,
	};

	iopm = alloc_pages(GFP_KERNEL, IOPM_ORDER);
	msrpm = alloc_pages(GFP_KERNEL, MSRPM_ORDER);
	if (!iopm || !msrpm)
		goto nomem;
	memset(page_address(iopm), 0xff, PAGE_SIZE << IOPM_ORDER);
	memset(page_address(msrpm), 0xff, PAGE_SIZE << MSRPM_ORDER);

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sd = per_cpu_ptr(&svm_cpus, cpu);

		sd->hsave = alloc_page(GFP_KERNEL | __GFP_ZERO);
		sd->host_save = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!sd->hsave || !sd->host_save)
			goto nomem;
		sd->host_save_pa = page_to_phys(sd->host_save);
	}
	pr_info("%u ASIDs, next-RIP %s, flush by ASID %s\n", svm_nr_asids,
		svm_features & SVM_FEATURE_NRIPS ? "yes" : "no",
		svm_features & SVM_FEATURE_FLUSH_BY_ASID ? "yes" : "no");
	return &svm_ops;

nomem:
	svm_free_pages();
	return NULL;
}

static void svm_exit(void)
{
	svm_free_pages();
}

/* The SVM entry of the core's backend table (main.c). */
const struct l1vmm_backend l1vmm_svm = {
	.init = svm_init,
	.exit = svm_exit,
};
