// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_GET_STATS_FD on a vCPU: KVM's binary format (header, id string,
 * descriptors, data inside the file), live values, a read-only file, and
 * a file that stays valid after the vCPU's and the VM's own files are
 * closed. Runs against KVM too.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpuid_loop.h"
#include "kvm_vm.h"

#define MEM_SIZE	(1ul << 20)
#define CODE_GPA	0x1000
#define STATS_NAME_SIZE	48	/* KVM's KVM_STATS_NAME_SIZE, not in the uAPI header */

GUEST_CODE(out_loop, ".code16",
	"1: out %al, $0x10\n\t"
	"jmp 1b\n\t");


/*
 * The exits l1vmm's VMX fastpath handles, FAST_RUNS times each, then an
 * OUT: CPUID, RDMSR and WRMSR of the same value (PAT) and VMCALL.
 */
#define FAST_RUNS	64
#define FAST_KINDS	4
GUEST_CODE(fast_loop, ".code16",
	"1: mov $" XSTR(FAST_RUNS) ", %si\n\t"
	"2: xor %eax, %eax\n\t"
	"cpuid\n\t"
	"mov $0x277, %ecx\n\t"
	"rdmsr\n\t"
	"wrmsr\n\t"
	"xor %eax, %eax\n\t"
	"vmcall\n\t"
	"dec %si\n\t"
	"jnz 2b\n\t"
	"out %al, $0x10\n\t"
	"jmp 1b\n\t");

static void test_format(void)
{
	struct kvm_stats_header h;
	struct kvm_stats_desc *d;
	struct test_guest g;
	char id[256] = { 0 };
	size_t desc_size;
	uint64_t v;
	uint32_t i;
	int fd;

	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, out_loop, GUEST_CODE_SIZE(out_loop));
	fd = ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_STATS_FD, 0);
	ASSERT_EQ(sizeof(h), pread(fd, &h, sizeof(h), 0));
	ASSERT_EQ(0, h.flags);
	ASSERT_EQ(STATS_NAME_SIZE, h.name_size);
	TEST_ASSERT(h.num_desc >= 1, "no statistics");
	TEST_ASSERT(h.id_offset >= sizeof(h) && h.desc_offset >= h.id_offset + h.name_size &&
		    h.data_offset >= h.desc_offset, "offsets: id %u desc %u data %u",
		    h.id_offset, h.desc_offset, h.data_offset);
	ASSERT_EQ(h.name_size, pread(fd, id, h.name_size, h.id_offset));
	TEST_ASSERT(strstr(id, "/vcpu-0"), "id \"%s\"", id);

	desc_size = sizeof(*d) + h.name_size;
	d = malloc(desc_size);
	TEST_ASSERT(d, "out of memory");
	for (i = 0; i < h.num_desc; i++) {
		ASSERT_EQ(desc_size, pread(fd, d, desc_size, h.desc_offset + i * desc_size));
		TEST_ASSERT(d->name[0] && memchr(d->name, 0, h.name_size), "descriptor %u name", i);
		TEST_ASSERT(d->size >= 1, "%s: size %u", d->name, d->size);
		/* Every value is inside the file. */
		ASSERT_EQ(sizeof(v), pread(fd, &v, sizeof(v),
					   h.data_offset + d->offset + (d->size - 1) * sizeof(v)));
	}
	free(d);
	/* Read-only. */
	TEST_ASSERT(write(fd, &h, sizeof(h)) < 0 && errno == EBADF, "write: %s", strerror(errno));
	close(fd);
	guest_stop(&g);
}

/* "exits" counts the round trips, and the file outlives the vCPU and VM files. */
static void test_live_values_outlive_the_vm(void)
{
	struct kvm_stats_header h;
	struct test_guest g;
	uint64_t before, after;
	int i, fd;

	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, out_loop, GUEST_CODE_SIZE(out_loop));
	TEST_ASSERT(vcpu_stat(&g.vcpu, "exits", &before), "no \"exits\" statistic");
	for (i = 0; i < 10; i++)
		ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	TEST_ASSERT(vcpu_stat(&g.vcpu, "exits", &after), "no \"exits\" statistic");
	TEST_ASSERT(after >= before + 10, "exits %llu then %llu after 10 round trips",
		    (unsigned long long)before, (unsigned long long)after);

	fd = ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_STATS_FD, 0);
	guest_stop(&g);
	/* The VM is gone for user space; its statistics file still reads. */
	ASSERT_EQ(sizeof(h), pread(fd, &h, sizeof(h), 0));
	ASSERT_EQ(STATS_NAME_SIZE, h.name_size);
	close(fd);
}

/*
 * l1vmm's count of its own instructions that L0 intercepts: per entry
 * through the full path, CLGI, STGI, the host's VMSAVE and the assembly's
 * three VMLOAD/VMSAVE (6), plus at most one TSC_AUX write per KVM_RUN;
 * none that L0 always intercepts while the guest's XCR0 is the host's.
 */
static void test_l1_intercept_counts(void)
{
	uint64_t exits0, exits1, cond0, cond1, always0, always1, n;
	struct test_guest g;
	int i;

	if (!dev_is_l1vmm())
		ktap_skip("l1vmm's own statistics");
	if (!cpu_has_flag("svm"))
		ktap_skip("SVM's instructions (VMLOAD, VMSAVE, CLGI, STGI)");
	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, out_loop, GUEST_CODE_SIZE(out_loop));
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	TEST_ASSERT(vcpu_stat(&g.vcpu, "exits", &exits0) &&
		    vcpu_stat(&g.vcpu, "l1_intercepted_cond", &cond0) &&
		    vcpu_stat(&g.vcpu, "l1_intercepted_always", &always0), "statistics missing");
	for (i = 0; i < 10; i++)
		ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	vcpu_stat(&g.vcpu, "exits", &exits1);
	vcpu_stat(&g.vcpu, "l1_intercepted_cond", &cond1);
	vcpu_stat(&g.vcpu, "l1_intercepted_always", &always1);
	n = exits1 - exits0;
	TEST_ASSERT(cond1 - cond0 >= 6 * n && cond1 - cond0 <= 6 * n + 10,
		    "%llu conditionally intercepted over %llu entries and 10 runs",
		    (unsigned long long)(cond1 - cond0), (unsigned long long)n);
	ASSERT_EQ(always0, always1);
	guest_stop(&g);
}

/*
 * The fastpath (build option fastpath=on): every CPUID is handled in it,
 * the OUT is not; each re-entry from it costs the assembly's three
 * VMLOAD/VMSAVE and no CLGI, STGI or host VMSAVE, so over E exits of which
 * F took the fastpath, 6E - 3F are counted (3 more for each fastpath exit
 * that ended the series because a signal or reschedule was pending, one
 * more per KVM_RUN for TSC_AUX). Built with fastpath=off: F is 0.
 */
struct fastpath_counts {
	uint64_t exits, fast, cond;
};

static void read_fastpath_counts(struct test_guest *g, struct fastpath_counts *c)
{
	TEST_ASSERT(vcpu_stat(&g->vcpu, "exits", &c->exits) &&
		    vcpu_stat(&g->vcpu, "fastpath_exits", &c->fast) &&
		    vcpu_stat(&g->vcpu, "l1_intercepted_cond", &c->cond), "statistics missing");
}

static void test_fastpath_counts(void)
{
	struct fastpath_counts before, after;
	uint64_t e, f, base;
	struct test_guest g;
	bool on;
	int i;

	l1vmm_read_build_options();
	on = l1vmm_built_with("fastpath=on");
	if (!cpu_has_flag("svm"))
		ktap_skip("SVM's instructions (VMLOAD, VMSAVE, CLGI, STGI)");
	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, cpuid_loop, GUEST_CODE_SIZE(cpuid_loop));
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	read_fastpath_counts(&g, &before);
	for (i = 0; i < 10; i++)
		ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	read_fastpath_counts(&g, &after);
	e = after.exits - before.exits;
	f = after.fast - before.fast;
	TEST_ASSERT(e >= 10 * (CPUID_LOOP_RUNS + 1), "%llu exits", (unsigned long long)e);
	ASSERT_EQ(on ? 10 * CPUID_LOOP_RUNS : 0, f);
	base = 6 * e - 3 * f;
	TEST_ASSERT(after.cond - before.cond >= base && after.cond - before.cond <= base + 30 + 10,
		    "%llu conditionally intercepted over %llu exits, %llu in the fastpath",
		    (unsigned long long)(after.cond - before.cond), (unsigned long long)e,
		    (unsigned long long)f);
	guest_stop(&g);
}

/*
 * On VMX, a fastpath exit reads and writes only VMCS fields that KVM as L0
 * shadows (l1vmm/vmx/vmcs_sync.c): l1_vmcs_unshadowed grows with the
 * exits the full path takes (the OUTs, host interrupts; a few dozen
 * each), not with the fastpath's. Were each fastpath exit to cost one,
 * the FAST_RUNS * FAST_KINDS of them per OUT would show.
 */
#define MAX_UNSHADOWED_PER_FULL_EXIT	64

static void test_vmx_fastpath_vmcs_accesses(void)
{
	uint64_t e0, e1, f0, f1, u0, u1, b0, b1, full, fast, unshadowed, bounded;
	struct test_guest g;
	int i;

	if (!dev_is_l1vmm())
		ktap_skip("l1vmm's own statistics");
	if (!cpu_has_flag("vmx"))
		ktap_skip("VMX only: SVM has no VMCS");
	l1vmm_read_build_options();
	if (!l1vmm_built_with("fastpath=on"))
		ktap_skip("built without the fastpath");
	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, fast_loop, GUEST_CODE_SIZE(fast_loop));
	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	TEST_ASSERT(vcpu_stat(&g.vcpu, "exits", &e0) &&
		    vcpu_stat(&g.vcpu, "fastpath_exits", &f0) &&
		    vcpu_stat(&g.vcpu, "l1_vmcs_unshadowed", &u0) &&
		    vcpu_stat(&g.vcpu, "fastpath_series_bounded", &b0), "statistics missing");
	for (i = 0; i < 10; i++)
		ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
	vcpu_stat(&g.vcpu, "exits", &e1);
	vcpu_stat(&g.vcpu, "fastpath_exits", &f1);
	vcpu_stat(&g.vcpu, "l1_vmcs_unshadowed", &u1);
	vcpu_stat(&g.vcpu, "fastpath_series_bounded", &b1);
	fast = f1 - f0;
	full = (e1 - e0) - fast;
	unshadowed = u1 - u0;
	/* A series the time bound ended reads the state back as a full exit does. */
	bounded = b1 - b0;
	ktap_info("%llu fastpath exits, %llu others, %llu series ended by the time bound, %llu unshadowed VMCS accesses",
		  (unsigned long long)fast, (unsigned long long)full,
		  (unsigned long long)bounded, (unsigned long long)unshadowed);
	ASSERT_EQ(10 * FAST_RUNS * FAST_KINDS, fast);
	TEST_ASSERT(unshadowed <= MAX_UNSHADOWED_PER_FULL_EXIT * (full + bounded),
		    "%llu unshadowed VMCS accesses over %llu fastpath and %llu other exits, %llu bounded series",
		    (unsigned long long)unshadowed, (unsigned long long)fast,
		    (unsigned long long)full, (unsigned long long)bounded);
	guest_stop(&g);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_format),
	KTAP_CASE(test_l1_intercept_counts),
	KTAP_CASE(test_fastpath_counts),
	KTAP_CASE(test_vmx_fastpath_vmcs_accesses),
	KTAP_CASE(test_live_values_outlive_the_vm),
};

int main(void)
{
	return ktap_run("stats", tests, KTAP_ARRAY_SIZE(tests));
}
