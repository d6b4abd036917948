// SPDX-License-Identifier: GPL-2.0-only
/*
 * Switching R16-R31 (APX) around VMRUN, proven without APX hardware. In
 * the EGPR shadow build (CONFIG_L1VMM_EGPR_SHADOW, doc/design.md) the
 * entry/exit assembly moves R16-R31 to and from a per-vCPU array instead
 * of the registers, l1vmm pretends the host has APX, and the vCPU
 * statistics show what the assembly did. This test proves there:
 *
 *  - no switch while the guest's XCR0 has no APX, one per entry with it
 *    (or per the build's egpr-switch knob: always, never);
 *  - the assembly zeroes the stand-in registers after storing them, and
 *    leaves the host's alone when it does not switch;
 *  - regs[] R16-R31 go through the assembly and reach the XSAVE uABI
 *    (KVM_SET_XSAVE -> guest entries -> KVM_GET_XSAVE2);
 *  - on exit, R16-R31 are stored after the host's SPEC_CTRL restore
 *    (before it with spec-ctrl-restore=c, which the test expects then).
 *
 * In other builds: the statistic egpr_switches stays 0 on a host without
 * APX, and the shadow cases are skipped. Not run against KVM (l1vmm's own
 * build and statistics).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvm_vm.h"

#define MEM_SIZE	(1ul << 20)
#define CODE_GPA	0x10000
#define RUNS		5
#define XF_APX		(1ull << 19)
#define NR_EGPRS	16
/* The APX area when the host's CPUID has none: the APX spec's, as the shadow build's. */
#define APX_SPEC_OFFSET	960
#define XSTATE_BV_OFF	512

GUEST_CODE(out_loop, ".code32",
	"1: mov $1, %eax\n\t"
	"out %eax, $0x10\n\t"
	"jmp 1b\n\t");

static void require_shadow(void)
{
	l1vmm_read_build_options();
	if (!l1vmm_built_with("egpr-shadow"))
		ktap_skip("needs the EGPR shadow build (the egpr-shadow tier of make check)");
}

static uint64_t stat(struct test_guest *g, const char *name)
{
	uint64_t v;

	TEST_ASSERT(vcpu_stat(&g->vcpu, name, &v), "no statistic \"%s\"", name);
	return v;
}

/* A 32-bit guest with CR4.OSXSAVE, offered x87, SSE and APX, with @xcr0. */
static void start_guest(struct test_guest *g, uint64_t xcr0)
{
	guest_start_protected_mode(g, MEM_SIZE, CODE_GPA, out_loop, GUEST_CODE_SIZE(out_loop));
	vcpu_set_cpuid_xsave(&g->vcpu, XF_FPSSE | XF_APX);
	vcpu_set_cr4_bits(&g->vcpu, CR4_OSXSAVE);
	ASSERT_EQ(0, vcpu_set_xcr(&g->vcpu, 0, xcr0));
}

static void run_guest(struct test_guest *g)
{
	int i;

	for (i = 0; i < RUNS; i++)
		ASSERT_EQ(1, vcpu_run_out32(&g->vcpu, 0x10));
}

/* Run with @xcr0; the statistics must show the build's choice. */
static void check_switching(uint64_t xcr0)
{
	bool apx = xcr0 & XF_APX;
	bool want = l1vmm_built_with("egpr-switch=always") ||
		    (l1vmm_built_with("egpr-switch=conditional") && apx);
	uint64_t entries, switches;
	struct test_guest g;

	start_guest(&g, xcr0);
	run_guest(&g);
	entries = stat(&g, "exits");
	switches = stat(&g, "egpr_switches");
	ktap_info("XCR0 %#llx: %llu entries, %llu switches", (unsigned long long)xcr0,
		  (unsigned long long)entries, (unsigned long long)switches);
	TEST_ASSERT(entries >= RUNS, "%llu entries", (unsigned long long)entries);
	ASSERT_EQ(want ? entries : 0, switches);
	ASSERT_EQ(switches, stat(&g, "egpr_shadow_loads"));
	ASSERT_EQ(switches, stat(&g, "egpr_shadow_stores"));
	ASSERT_EQ(0, stat(&g, "egpr_shadow_bad"));
	ASSERT_EQ(l1vmm_built_with("spec-ctrl-restore=c") ? switches : 0,
		  stat(&g, "egpr_store_before_spec_ctrl"));
	guest_stop(&g);
}

/* Outside the shadow build no host here has APX: nothing is ever switched. */
static void test_no_switch_without_host_apx(void)
{
	struct test_guest g;

	l1vmm_read_build_options();
	if (l1vmm_built_with("egpr-shadow"))
		ktap_skip("the shadow build pretends the host has APX");
	if (cpu_has_flag("apx_f"))
		ktap_skip("the host has APX");
	if (!cpu_has_flag("xsave"))
		ktap_skip("the host has no XSAVE");
	guest_start_protected_mode(&g, MEM_SIZE, CODE_GPA, out_loop, GUEST_CODE_SIZE(out_loop));
	vcpu_set_cpuid_xsave(&g.vcpu, XF_FPSSE | XF_APX);
	/* APX is not l1vmm's to give without the host's. */
	ASSERT_EQ(-EINVAL, vcpu_set_xcr(&g.vcpu, 0, XF_FPSSE | XF_APX));
	run_guest(&g);
	ASSERT_EQ(0, stat(&g, "egpr_switches"));
	guest_stop(&g);
}

static void test_no_switch_without_xcr0_apx(void)
{
	require_shadow();
	check_switching(XF_FPSSE);
}

static void test_switch_with_xcr0_apx(void)
{
	require_shadow();
	check_switching(XF_FPSSE | XF_APX);
}

/* The APX area's offset in the standard format: host CPUID, else the spec's. */
static uint32_t apx_offset(void)
{
	uint32_t eax, ebx, ecx, edx;

	asm volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(0xd), "c"(19));
	return eax ? ebx : APX_SPEC_OFFSET;
}

/*
 * Values set through KVM_SET_XSAVE go through the assembly's moves on
 * every entry and come back through KVM_GET_XSAVE2; a set without the APX
 * bit leaves them as they are.
 */
static void test_values_reach_the_uabi(void)
{
	uint32_t off = apx_offset();
	uint64_t bv, r[NR_EGPRS];
	struct test_guest g;
	uint8_t *buf;
	long size;
	int i;

	require_shadow();
	start_guest(&g, XF_FPSSE | XF_APX);
	size = ASSERT_IOCTL_OK(g.vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
	TEST_ASSERT(off + sizeof(r) <= (size_t)size, "APX area at %u, uABI %ld bytes", off, size);
	buf = calloc(1, size);
	TEST_ASSERT(buf, "out of memory");
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_XSAVE2, buf);
	for (i = 0; i < NR_EGPRS; i++)
		r[i] = 0x5231360000000000ull + ((uint64_t)(16 + i) << 8) + i;	/* "R16".. */
	memcpy(buf + off, r, sizeof(r));
	memcpy(&bv, buf + XSTATE_BV_OFF, sizeof(bv));
	bv |= XF_APX;
	memcpy(buf + XSTATE_BV_OFF, &bv, sizeof(bv));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_XSAVE, buf);

	run_guest(&g);
	TEST_ASSERT(stat(&g, "egpr_switches") >= RUNS, "no switches");

	memset(buf, 0, size);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_XSAVE2, buf);
	memcpy(&bv, buf + XSTATE_BV_OFF, sizeof(bv));
	TEST_ASSERT(bv & XF_APX, "XSTATE_BV %#llx without APX", (unsigned long long)bv);
	for (i = 0; i < NR_EGPRS; i++) {
		uint64_t got;

		memcpy(&got, buf + off + i * 8, 8);
		ASSERT_EQ(r[i], got);
	}

	/* Without the APX bit, set leaves R16-R31 alone. */
	memset(buf + off, 0, sizeof(r));
	bv &= ~XF_APX;
	memcpy(buf + XSTATE_BV_OFF, &bv, sizeof(bv));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_XSAVE, buf);
	run_guest(&g);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_XSAVE2, buf);
	ASSERT_EQ(0, memcmp(buf + off, r, sizeof(r)));
	ASSERT_EQ(0, stat(&g, "egpr_shadow_bad"));
	free(buf);
	guest_stop(&g);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_no_switch_without_host_apx),
	KTAP_CASE(test_no_switch_without_xcr0_apx),
	KTAP_CASE(test_switch_with_xcr0_apx),
	KTAP_CASE(test_values_reach_the_uabi),
};

int main(void)
{
	return ktap_run("egpr", tests, KTAP_ARRAY_SIZE(tests));
}
