// SPDX-License-Identifier: GPL-2.0-only
/*
 * l1vmm: a small hypervisor loaded inside an L1 guest, running L2 guests
 * through a KVM-compatible ABI on /dev/l1vmm. See doc/design.md.
 *
 * Module init: pick the backend every CPU offers (or refuse to load, saying
 * why), then publish /dev/l1vmm. Nothing is enabled in hardware at load.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/kvm.h>
#include <linux/module.h>

#include "l1vmm/backend.h"
#include "l1vmm/dev.h"
#include "l1vmm/hw.h"
#include "l1vmm/irqchip.h"
#include "l1vmm/msr_access.h"
#include "l1vmm/tdp.h"

const struct l1vmm_backend_ops *l1vmm_ops __read_mostly;

/* The backends this build has, by the kind cpu_probe.c detects (Kconfig). */
static const struct l1vmm_backend *const backends[] = {
#ifdef CONFIG_L1VMM_SVM
	[L1VMM_BACKEND_SVM] = &l1vmm_svm,
#endif
#ifdef CONFIG_L1VMM_VMX
	[L1VMM_BACKEND_VMX] = &l1vmm_vmx,
#endif
};
static const struct l1vmm_backend *backend;

/* Every op is mandatory; a backend missing one is a bug caught at load. */
static bool backend_complete(const struct l1vmm_backend_ops *ops)
{
	return ops->name && ops->tdp && ops->hardware_enable && ops->hardware_disable &&
	       ops->vcpu_create && ops->vcpu_reset && ops->vcpu_free && ops->get_sregs &&
	       ops->set_sregs && ops->get_rflags &&
	       ops->set_rflags && ops->get_msr && ops->set_msr && ops->get_event &&
	       ops->set_event && ops->get_interrupt_shadow && ops->set_interrupt_shadow &&
	       ops->set_irq_window && ops->get_dr6 && ops->set_dr6 && ops->get_dr7 &&
	       ops->set_dr7 && ops->set_dr_intercepts && ops->set_exception_intercept &&
	       ops->set_iret_intercept && ops->mcg_cap_keep && ops->debugctl_ignored &&
	       ops->feature_msrs &&
	       ops->get_cr0 && ops->get_cr3 && ops->get_cr4 && ops->get_segment &&
	       ops->get_cr8 && ops->set_cr8 && ops->set_cr8_intercept && ops->set_cr4 &&
	       ops->prepare_run && ops->flush_tlb &&
	       ops->entry_ready && ops->begin_entries && ops->enter_once &&
	       ops->decode_exit && ops->end_entries && ops->run && ops->get_exit_info;
}

/*
 * The build options (Kconfig, doc/knobs.md) as one line, for the load
 * message and for tests and benchmarks that report their conditions.
 */
static char build_options[200];
module_param_string(build_options, build_options, sizeof(build_options), 0444);
MODULE_PARM_DESC(build_options, "Read-only: the Kconfig options this module was built with");

static void describe_build(void)
{
	const char *egpr = IS_ENABLED(CONFIG_L1VMM_EGPR_SWITCH_ALWAYS) ? "always" :
			   IS_ENABLED(CONFIG_L1VMM_EGPR_SWITCH_NEVER) ? "never" : "conditional";

	snprintf(build_options, sizeof(build_options),
		 "%s%s%s%s%s spec-ctrl-restore=%s xcr0-switch=%s rsb-fill=%s fastpath=%s",
		 IS_ENABLED(CONFIG_L1VMM_SVM) ? "svm " : "",
		 IS_ENABLED(CONFIG_L1VMM_VMX) ? "vmx " : "",
		 IS_ENABLED(CONFIG_L1VMM_APX_EGPR) ? "apx-egpr egpr-switch=" : "",
		 IS_ENABLED(CONFIG_L1VMM_APX_EGPR) ? egpr : "no-apx-egpr",
		 IS_ENABLED(CONFIG_L1VMM_EGPR_SHADOW) ? " egpr-shadow" : "",
		 IS_ENABLED(CONFIG_L1VMM_SPEC_CTRL_RESTORE_C) ? "c" : "asm",
		 IS_ENABLED(CONFIG_L1VMM_XCR0_SWITCH_ALWAYS) ? "always" : "differs",
		 IS_ENABLED(CONFIG_L1VMM_EXIT_RSB_FILL) ? "on" : "off",
		 IS_ENABLED(CONFIG_L1VMM_FASTPATH) ? "on" : "off");
}

static int __init l1vmm_init(void)
{
	enum l1vmm_backend_kind kind;
	int r;

	describe_build();
	r = l1vmm_probe_cpus(&kind);
	if (r)
		return r;

	if (kind >= ARRAY_SIZE(backends) || !backends[kind]) {
		pr_err("not loading: this build has no %s backend (Kconfig)\n",
		       l1vmm_backend_name(kind));
		return -EOPNOTSUPP;
	}
	backend = backends[kind];
	l1vmm_ops = backend->init();
	if (IS_ERR_OR_NULL(l1vmm_ops)) {
		r = l1vmm_ops ? PTR_ERR(l1vmm_ops) : -ENOMEM;
		l1vmm_ops = NULL;
		return r;
	}
	l1vmm_msr_access_init();
	if (WARN_ON(!backend_complete(l1vmm_ops))) {
		r = -EINVAL;
		goto exit_backend;
	}
	l1vmm_tdp_format = l1vmm_ops->tdp;

	r = l1vmm_irqfd_init();
	if (r)
		goto exit_backend;
	r = l1vmm_hw_init();
	if (r)
		goto exit_irqchip;
	r = l1vmm_probe_l0();
	if (r)
		goto exit_hw;
	r = l1vmm_dev_register();
	if (r)
		goto exit_hw;

	pr_info("loaded: backend %s, KVM API %d, /dev/l1vmm; build options: %s\n",
		l1vmm_ops->name, KVM_API_VERSION, build_options);
	return 0;

exit_hw:
	l1vmm_hw_exit();
exit_irqchip:
	l1vmm_irqfd_exit();
exit_backend:
	backend->exit();
	return r;
}

static void __exit l1vmm_exit(void)
{
	l1vmm_dev_unregister();
	l1vmm_hw_exit();
	l1vmm_irqfd_exit();
	backend->exit();
	pr_info("unloaded\n");
}
module_init(l1vmm_init);
module_exit(l1vmm_exit);

MODULE_DESCRIPTION("l1vmm: nested-virtualization L1 hypervisor with a KVM-compatible ABI");
MODULE_LICENSE("GPL");
MODULE_VERSION(L1VMM_VERSION);
