// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VM-entry mitigations KVM applies on Intel (KVM 6.1's vmx.c,
 * vmx_setup_l1d_flush() and vmx_vcpu_enter_exit()): the L1 data cache
 * flushed before an entry against L1TF, where the CPU is affected, or
 * else the CPU buffers cleared (VERW) against MDS where the kernel clears
 * them on return to user space. Chosen at load with KVM's module
 * parameter, vmentry_l1d_flush (doc/knobs.md), the buffers as the
 * kernel decided (its mds= and related parameters):
 *   auto    KVM's default: cond where the CPU has the L1TF bug (never if
 *           the kernel's l1tf= mitigation is off, always with l1tf=full),
 *           "not required" where it does not or where L0 says the flush
 *           is not needed (ARCH_CAPABILITIES.SKIP_VMENTRY_L1DFLUSH);
 *   never, cond, always  as asked, also where not required (KVM ignores
 *           the choice there): the flush can be measured on any CPU.
 * cond flushes before the first entry of each series (after the full
 * path or anything else ran on the CPU), not before the fastpath's
 * re-entries, which run nothing but l1vmm's exit handlers with IRQs off;
 * KVM's cond flushes where its handlers or an interrupt set a flag.
 */
#define pr_fmt(fmt) "l1vmm: vmx: " fmt

#include <linux/gfp.h>
#include <linux/module.h>
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/processor.h>

#include "l1vmm/vmx/mitigations.h"

DEFINE_STATIC_KEY_FALSE(vmx_l1d_flush_key);
bool vmx_l1d_flush_always;

static const char *const mode_names[] = {
	[VMX_L1D_AUTO] = "auto",
	[VMX_L1D_NEVER] = "never",
	[VMX_L1D_COND] = "cond",
	[VMX_L1D_ALWAYS] = "always",
	[VMX_L1D_NOT_REQUIRED] = "not required",
};

static enum vmx_l1d_mode l1d_mode = VMX_L1D_AUTO;

static int l1d_mode_set(const char *val, const struct kernel_param *kp)
{
	int i;

	/* The modes one may ask for: not "not required". */
	for (i = VMX_L1D_AUTO; i <= VMX_L1D_ALWAYS; i++) {
		if (sysfs_streq(val, mode_names[i])) {
			l1d_mode = i;
			return 0;
		}
	}
	pr_err("vmentry_l1d_flush=%s: not one of auto, never, cond, always\n", val);
	return -EINVAL;
}

static int l1d_mode_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", mode_names[l1d_mode]);
}

static const struct kernel_param_ops l1d_mode_ops = {
	.set = l1d_mode_set,
	.get = l1d_mode_get,
};
module_param_cb(vmentry_l1d_flush, &l1d_mode_ops, NULL, 0444);
MODULE_PARM_DESC(vmentry_l1d_flush,
		 "VMX: flush the L1 data cache before VM entry: auto (default), never, cond, always");

/* KVM's software flush: 64 KiB read through, twice the largest L1D. */
#define L1D_FLUSH_ORDER		4
static void *l1d_flush_pages;

/* Where auto lands: KVM's choice from the CPU's bugs and the kernel's l1tf= mode. */
static enum vmx_l1d_mode l1d_auto_mode(void)
{
	u64 caps = 0;

	if (!boot_cpu_has_bug(X86_BUG_L1TF))
		return VMX_L1D_NOT_REQUIRED;
	if (boot_cpu_has(X86_FEATURE_ARCH_CAPABILITIES))
		rdmsrl(MSR_IA32_ARCH_CAPABILITIES, caps);
	if (caps & ARCH_CAP_SKIP_VMENTRY_L1DFLUSH)
		return VMX_L1D_NOT_REQUIRED;
#if IS_ENABLED(CONFIG_KVM_INTEL)
	switch (l1tf_mitigation) {
	case L1TF_MITIGATION_OFF:
		return VMX_L1D_NEVER;
	case L1TF_MITIGATION_FULL:
	case L1TF_MITIGATION_FULL_FORCE:
		return VMX_L1D_ALWAYS;
	default:
		break;
	}
#endif
	return VMX_L1D_COND;
}

static bool vmx_clears_cpu_buffers(void)
{
#ifdef X86_FEATURE_CLEAR_CPU_BUF_VM
	return boot_cpu_has(X86_FEATURE_CLEAR_CPU_BUF_VM);
#else
	return static_branch_unlikely(&mds_user_clear);
#endif
}

int vmx_mitigations_init(void)
{
	if (l1d_mode == VMX_L1D_AUTO)
		l1d_mode = l1d_auto_mode();
	if (l1d_mode == VMX_L1D_COND || l1d_mode == VMX_L1D_ALWAYS) {
		if (!boot_cpu_has(X86_FEATURE_FLUSH_L1D)) {
			l1d_flush_pages = (void *)__get_free_pages(GFP_KERNEL | __GFP_ZERO,
								   L1D_FLUSH_ORDER);
			if (!l1d_flush_pages)
				return -ENOMEM;
		}
		vmx_l1d_flush_always = l1d_mode == VMX_L1D_ALWAYS;
		static_branch_enable(&vmx_l1d_flush_key);
	}
	pr_info("L1D flush before VM entry: %s (%s); CPU buffers cleared: %s\n",
		mode_names[l1d_mode],
		boot_cpu_has(X86_FEATURE_FLUSH_L1D) ? "IA32_FLUSH_CMD" : "software",
		vmx_clears_cpu_buffers() ? "VERW" : "no");
	return 0;
}

void vmx_mitigations_exit(void)
{
	static_branch_disable(&vmx_l1d_flush_key);
	if (l1d_flush_pages)
		free_pages((unsigned long)l1d_flush_pages, L1D_FLUSH_ORDER);
	l1d_flush_pages = NULL;
}

/*
 * The flush (KVM's vmx_l1d_flush()): the CPU's command where it has one,
 * else the TLB filled for the buffer and then every cache line of it read,
 * which evicts whatever the L1D held.
 */
noinstr void vmx_l1d_flush(void)
{
	const u8 *p = l1d_flush_pages;
	unsigned int i;

	if (static_cpu_has(X86_FEATURE_FLUSH_L1D)) {
		native_wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
		return;
	}
	for (i = 0; i < (PAGE_SIZE << L1D_FLUSH_ORDER); i += PAGE_SIZE)
		READ_ONCE(p[i]);
	for (i = 0; i < (PAGE_SIZE << L1D_FLUSH_ORDER); i += L1_CACHE_BYTES)
		READ_ONCE(p[i]);
}
