// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMX backend's VM-entry mitigations (l1vmm/vmx/mitigations.c): the
 * vmentry_l1d_flush parameter, as KVM's: auto resolves at load to what
 * the CPU needs; never, cond and always as asked; anything else refuses
 * the load. Counted by the vCPU statistic l1d_flush (KVM's name): always
 * flushes before every entry, cond before the first entry of each
 * KVM_RUN's series (not before the fastpath's re-entries), never not at
 * all. Leaves l1vmm loaded with the default, as the tests after it
 * expect.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cpuid_loop.h"
#include "kvm_vm.h"

#define MEM_SIZE	0x10000
#define CODE_GPA	0x1000
#define PARAM		"/sys/module/l1vmm/parameters/vmentry_l1d_flush"
#define RUNS		10

static void require_l1vmm_on_vmx(void)
{
	if (!dev_is_l1vmm())
		ktap_skip("l1vmm's own parameter and statistic");
	if (!cpu_has_flag("vmx") || cpu_has_flag("svm"))
		ktap_skip("VMX only");
}

/* Load l1vmm again with @params; 0 or -errno. */
static int reload(const char *params)
{
	if (module_loaded(L1VMM_MODULE_NAME))
		ASSERT_EQ(0, module_unload(L1VMM_MODULE_NAME));
	return l1vmm_load(params);
}

static void read_param(char *buf, size_t size)
{
	FILE *f = fopen(PARAM, "r");

	TEST_ASSERT(f, "no %s", PARAM);
	TEST_ASSERT(fgets(buf, size, f), "empty %s", PARAM);
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
}

/* Flushes and exits over RUNS KVM_RUNs of the loop, each ending at the OUT. */
static void count_flushes(uint64_t *flushes, uint64_t *exits)
{
	uint64_t f0, f1, e0, e1;
	struct test_guest g;
	int i;

	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, cpuid_loop, GUEST_CODE_SIZE(cpuid_loop));
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	TEST_ASSERT(vcpu_stat(&g.vcpu, "l1d_flush", &f0) && vcpu_stat(&g.vcpu, "exits", &e0),
		    "statistics missing");
	for (i = 0; i < RUNS; i++)
		ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	vcpu_stat(&g.vcpu, "l1d_flush", &f1);
	vcpu_stat(&g.vcpu, "exits", &e1);
	guest_stop(&g);
	*flushes = f1 - f0;
	*exits = e1 - e0;
	ktap_info("%llu L1D flushes over %llu exits and %d KVM_RUNs",
		  (unsigned long long)*flushes, (unsigned long long)*exits, RUNS);
}

static void test_auto_resolves(void)
{
	char mode[32];

	require_l1vmm_on_vmx();
	ASSERT_EQ(0, reload(""));
	read_param(mode, sizeof(mode));
	ktap_info("vmentry_l1d_flush=auto is \"%s\" here", mode);
	TEST_ASSERT(!strcmp(mode, "never") || !strcmp(mode, "cond") ||
		    !strcmp(mode, "always") || !strcmp(mode, "not required"),
		    "vmentry_l1d_flush reads \"%s\"", mode);
}

static void test_bad_value_refused(void)
{
	require_l1vmm_on_vmx();
	ASSERT_EQ(-EINVAL, reload("vmentry_l1d_flush=sometimes"));
	TEST_ASSERT(!module_loaded(L1VMM_MODULE_NAME), "l1vmm loaded anyway");
}

static void test_always_flushes_every_entry(void)
{
	uint64_t flushes, exits;
	char mode[32];

	require_l1vmm_on_vmx();
	ASSERT_EQ(0, reload("vmentry_l1d_flush=always"));
	read_param(mode, sizeof(mode));
	ASSERT_EQ(0, strcmp(mode, "always"));
	count_flushes(&flushes, &exits);
	/* One entry per exit. */
	ASSERT_EQ(exits, flushes);
	TEST_ASSERT(exits >= RUNS * (CPUID_LOOP_RUNS + 1), "%llu exits", (unsigned long long)exits);
}

static void test_cond_flushes_each_series(void)
{
	uint64_t flushes, exits;

	require_l1vmm_on_vmx();
	ASSERT_EQ(0, reload("vmentry_l1d_flush=cond"));
	count_flushes(&flushes, &exits);
	/* A series per full-path exit: the OUTs, and any host interrupt. */
	TEST_ASSERT(flushes >= RUNS && flushes <= exits - RUNS * CPUID_LOOP_RUNS,
		    "%llu flushes over %llu exits", (unsigned long long)flushes,
		    (unsigned long long)exits);
}

static void test_never_flushes(void)
{
	uint64_t flushes, exits;

	require_l1vmm_on_vmx();
	ASSERT_EQ(0, reload("vmentry_l1d_flush=never"));
	count_flushes(&flushes, &exits);
	ASSERT_EQ(0, flushes);
	ASSERT_EQ(0, reload(""));
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_auto_resolves),
	KTAP_CASE(test_bad_value_refused),
	KTAP_CASE(test_always_flushes_every_entry),
	KTAP_CASE(test_cond_flushes_each_series),
	KTAP_CASE(test_never_flushes),
};

int main(void)
{
	return ktap_run("vmx_mitigations", tests, KTAP_ARRAY_SIZE(tests));
}
