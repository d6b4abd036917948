// SPDX-License-Identifier: GPL-2.0-only
/*
 * Virtualization is on in every online CPU while at least one VM exists,
 * and off otherwise, as in KVM of the 6.1 era: loading l1vmm enables
 * nothing, so another hypervisor can run when l1vmm has no VMs.
 *
 * CPUs that come online while VMs exist are enabled by the hotplug
 * callback; one that cannot be enabled fails to come online.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/mutex.h>
#include <linux/percpu.h>

#include "l1vmm/backend.h"
#include "l1vmm/hw.h"
#include "l1vmm/tsc_aux.h"


static DEFINE_MUTEX(hw_lock);
static unsigned int hw_users;		/* VMs; written under hw_lock and cpus_read_lock */
static DEFINE_PER_CPU(bool, hw_enabled);
static enum cpuhp_state hw_cpuhp_state;

static int hw_enable_this_cpu(void)
{
	int r;

	if (__this_cpu_read(hw_enabled))
		return 0;
	r = l1vmm_ops->hardware_enable();
	if (r) {
		pr_err("cannot enable %s on CPU %d: %d\n", l1vmm_ops->name,
		       smp_processor_id(), r);
		return r;
	}
	l1vmm_tsc_aux_cpu_up();
	__this_cpu_write(hw_enabled, true);
	return 0;
}

static void hw_disable_this_cpu(void)
{
	if (!__this_cpu_read(hw_enabled))
		return;
	l1vmm_tsc_aux_cpu_down();
	l1vmm_ops->hardware_disable();
	__this_cpu_write(hw_enabled, false);
}

static void hw_enable_ipi(void *failed)
{
	if (hw_enable_this_cpu())
		atomic_inc(failed);
}

static void hw_disable_ipi(void *unused)
{
	hw_disable_this_cpu();
}

static int hw_cpu_online(unsigned int cpu)
{
	return hw_users ? hw_enable_this_cpu() : 0;
}

static int hw_cpu_offline(unsigned int cpu)
{
	hw_disable_this_cpu();
	return 0;
}

/* Take a reference on "virtualization enabled everywhere" for a new VM. */
int l1vmm_hw_get(void)
{
	atomic_t failed = ATOMIC_INIT(0);
	int r = 0;

	mutex_lock(&hw_lock);
	cpus_read_lock();
	if (!hw_users++) {
		on_each_cpu(hw_enable_ipi, &failed, 1);
		if (atomic_read(&failed)) {
			on_each_cpu(hw_disable_ipi, NULL, 1);
			hw_users = 0;
			r = -EBUSY;
		}
	}
	cpus_read_unlock();
	mutex_unlock(&hw_lock);
	return r;
}

void l1vmm_hw_put(void)
{
	mutex_lock(&hw_lock);
	cpus_read_lock();
	if (!WARN_ON_ONCE(!hw_users) && !--hw_users)
		on_each_cpu(hw_disable_ipi, NULL, 1);
	cpus_read_unlock();
	mutex_unlock(&hw_lock);
}

int l1vmm_hw_init(void)
{
	int r = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "l1vmm:online",
					  hw_cpu_online, hw_cpu_offline);

	if (r < 0)
		return r;
	hw_cpuhp_state = r;
	return 0;
}

void l1vmm_hw_exit(void)
{
	cpuhp_remove_state_nocalls(hw_cpuhp_state);
}
