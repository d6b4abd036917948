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

#include "l1vmm/l1vmm.h"

static int __init l1vmm_init(void)
{
	enum l1vmm_backend_kind backend;
	int r;

	r = l1vmm_probe_cpus(&backend);
	if (r)
		return r;

	r = l1vmm_dev_register();
	if (r)
		return r;

	pr_info("loaded: backend %s, KVM API %d, /dev/l1vmm; build options:%s%s%s%s%s\n",
		l1vmm_backend_name(backend), KVM_API_VERSION,
		IS_ENABLED(CONFIG_L1VMM_SVM) ? " svm" : "",
		IS_ENABLED(CONFIG_L1VMM_VMX) ? " vmx" : "",
		IS_ENABLED(CONFIG_L1VMM_APX_EGPR) ? " apx-egpr" : "",
		IS_ENABLED(CONFIG_L1VMM_FASTPATH) ? " fastpath" : "",
		IS_ENABLED(CONFIG_L1VMM_STATS) ? " stats" : "");
	return 0;
}

static void __exit l1vmm_exit(void)
{
	l1vmm_dev_unregister();
	pr_info("unloaded\n");
}

module_init(l1vmm_init);
module_exit(l1vmm_exit);

MODULE_DESCRIPTION("l1vmm: nested-virtualization L1 hypervisor with a KVM-compatible ABI");
MODULE_LICENSE("GPL");
