// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's XCR0: KVM_GET/SET_XCRS and their errors, the value reaching
 * the guest's XGETBV, the host's XCR0 and vector registers intact across
 * KVM_RUN, the guest's own XSETBV (valid values taken, invalid ones a #GP
 * the guest handles itself, the value kept across exits), and the count of
 * XSETBV l1vmm executes (none while guest and host XCR0 agree).
 *
 * The guest's XSETBV needs an L0 that delivers XSETBV exits to the L1
 * hypervisor: those cases read l1vmm's own probe of L0
 * (/sys/module/l1vmm/parameters/xsetbv_exits) and are skipped where L0
 * lets the instruction through (QEMU's emulator). Runs against KVM too.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kvm_vm.h"

#define MEM_SIZE	(1ul << 20)
#define CODE_GPA	0x1000
#define GP_HANDLER_GPA	0x2000
#define GP_VECTOR	13

#define PORT_REQUEST	0x10	/* the guest waits for EAX, ECX, EDX */
#define PORT_XCR0	0x11	/* the guest reports XGETBV(0) */
#define PORT_GP		0x13	/* the guest took a #GP */

/*
 * The XSETBV server: ask for a request, XSETBV it, report XCR0. A #GP
 * reports itself and returns past the 3-byte XSETBV. XMM7 is set to all
 * ones on the way, so the guest's SSE state differs from the host's.
 */
GUEST_CODE(xsetbv_server, ".code16",
	"pcmpeqd %xmm7, %xmm7\n\t"
	"1: out %al, $0x10\n\t"
	"xsetbv\n\t"
	"xor %ecx, %ecx\n\t"
	"xgetbv\n\t"
	"out %eax, $0x11\n\t"
	"jmp 1b\n\t");

/*
 * Report XCR0 as XGETBV reads it, again after every exit, with no XSETBV
 * of its own: what it reads is what the hypervisor loaded before entry.
 * XMM7 all ones, as in the server.
 */
GUEST_CODE(xgetbv_reporter, ".code16",
	"pcmpeqd %xmm7, %xmm7\n\t"
	"1: xor %ecx, %ecx\n\t"
	"xgetbv\n\t"
	"out %eax, $0x11\n\t"
	"jmp 1b\n\t");

GUEST_CODE(gp_handler, ".code16",
	"out %al, $0x13\n\t"
	"mov %sp, %bp\n\t"
	"addw $3, (%bp)\n\t"
	"iret\n\t");

#define XSETBV_PROBE	"/sys/module/l1vmm/parameters/xsetbv_exits"

/* Does L0 deliver XSETBV exits? l1vmm's probe at load says. */
static void require_xsetbv_exits(void)
{
	char c = 0;
	FILE *f = fopen(XSETBV_PROBE, "r");

	if (!f)
		ktap_skip("l1vmm is not loaded: no probe of L0's XSETBV exits");
	TEST_ASSERT(fread(&c, 1, 1, f) == 1, "reading %s", XSETBV_PROBE);
	fclose(f);
	if (c != 'Y')
		ktap_skip("L0 does not deliver XSETBV exits (%s = %c): %s", XSETBV_PROBE, c,
			  "the guest's XSETBV never reaches the L1 hypervisor");
}

static void start_server(struct test_guest *g, uint64_t cpuid_xcr0)
{
	uint16_t *ivt;

	guest_start_real_mode(g, MEM_SIZE, CODE_GPA, xsetbv_server,
			      GUEST_CODE_SIZE(xsetbv_server));
	memcpy(g->mem + GP_HANDLER_GPA, gp_handler, GUEST_CODE_SIZE(gp_handler));
	ivt = (uint16_t *)g->mem;
	ivt[2 * GP_VECTOR] = GP_HANDLER_GPA;	/* offset, segment 0 */
	vcpu_set_cpuid_xsave(&g->vcpu, cpuid_xcr0);
	vcpu_set_cr4_bits(&g->vcpu, CR4_OSFXSR | CR4_OSXSAVE);
	/* Up to the first request. */
	vcpu_run(&g->vcpu);
	ASSERT_IO_EXIT(&g->vcpu, KVM_EXIT_IO_OUT, PORT_REQUEST, 1);
}

static uint64_t get_xcr0(struct test_vcpu *vcpu)
{
	struct kvm_xcrs xcrs;

	ASSERT_IOCTL_OK(vcpu->fd, KVM_GET_XCRS, &xcrs);
	ASSERT_EQ(1, xcrs.nr_xcrs);
	ASSERT_EQ(0, xcrs.xcrs[0].xcr);
	return xcrs.xcrs[0].value;
}

/*
 * After a KVM_RUN that went through the server's XSETBV: the XCR0 the
 * guest reported, running on past its #GP handler if it took one.
 */
static uint32_t reported_xcr0(struct test_guest *g, bool *gp)
{
	ASSERT_EQ(KVM_EXIT_IO, g->vcpu.run->exit_reason);
	*gp = g->vcpu.run->io.port == PORT_GP;
	if (*gp)
		vcpu_run(&g->vcpu);
	ASSERT_IO_EXIT(&g->vcpu, KVM_EXIT_IO_OUT, PORT_XCR0, 4);
	return *(uint32_t *)vcpu_io_data(&g->vcpu);
}

/* The server's next request: XSETBV(@ecx, @value). */
static void set_request(struct test_guest *g, uint32_t ecx, uint64_t value)
{
	struct kvm_regs regs;

	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_GET_REGS, &regs);
	regs.rax = (uint32_t)value;
	regs.rdx = value >> 32;
	regs.rcx = ecx;
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_SET_REGS, &regs);
}

/*
 * One request to the server. Returns XCR0 as the guest reads it
 * afterwards; *gp says whether the XSETBV took a #GP.
 */
static uint64_t guest_xsetbv(struct test_guest *g, uint32_t ecx, uint64_t value, bool *gp)
{
	uint64_t xcr0;

	set_request(g, ecx, value);
	vcpu_run(&g->vcpu);
	xcr0 = reported_xcr0(g, gp);
	vcpu_run(&g->vcpu);
	ASSERT_IO_EXIT(&g->vcpu, KVM_EXIT_IO_OUT, PORT_REQUEST, 1);
	return xcr0;
}

static void require_xsave(void)
{
	if (!cpu_has_flag("xsave"))
		ktap_skip("the host has no XSAVE");
}

/* KVM_GET/SET_XCRS: KVM's answers, and a refused XCR0 changes nothing. */
static void test_xcrs_ioctls(void)
{
	struct kvm_xcrs xcrs;
	struct test_guest g;

	require_xsave();
	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, xsetbv_server,
			      GUEST_CODE_SIZE(xsetbv_server));
	ASSERT_EQ(XF_X87, get_xcr0(&g.vcpu));	/* RESET */

	/* Before KVM_SET_CPUID2 the guest may have x87 only. */
	ASSERT_EQ(-EINVAL, vcpu_set_xcr(&g.vcpu, 0, XF_X87 | XF_SSE));
	ASSERT_EQ(0, vcpu_set_xcr(&g.vcpu, 0, XF_X87));

	vcpu_set_cpuid_xsave(&g.vcpu, host_xcr0());
	ASSERT_EQ(-EINVAL, vcpu_set_xcr(&g.vcpu, 0, 0));			/* no x87 */
	ASSERT_EQ(-EINVAL, vcpu_set_xcr(&g.vcpu, 0, XF_X87 | XF_YMM));	/* AVX without SSE */
	ASSERT_EQ(-EINVAL, vcpu_set_xcr(&g.vcpu, 0, XF_X87 | (1ull << 62)));	/* not offered */
	ASSERT_EQ(XF_X87, get_xcr0(&g.vcpu));
	ASSERT_EQ(0, vcpu_set_xcr(&g.vcpu, 0, XF_X87 | XF_SSE));
	ASSERT_EQ(XF_X87 | XF_SSE, get_xcr0(&g.vcpu));

	/* Entries for other XCRs are ignored; the first XCR0 entry counts. */
	ASSERT_EQ(0, vcpu_set_xcr(&g.vcpu, 1, XF_X87));
	ASSERT_EQ(XF_X87 | XF_SSE, get_xcr0(&g.vcpu));
	memset(&xcrs, 0, sizeof(xcrs));
	xcrs.nr_xcrs = 3;
	xcrs.xcrs[0] = (struct kvm_xcr){ .xcr = 5, .value = 0 };
	xcrs.xcrs[1] = (struct kvm_xcr){ .xcr = 0, .value = XF_X87 };
	xcrs.xcrs[2] = (struct kvm_xcr){ .xcr = 0, .value = 0 };
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_XCRS, &xcrs);
	ASSERT_EQ(XF_X87, get_xcr0(&g.vcpu));

	/* Bad headers. */
	xcrs.flags = 1;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_XCRS, &xcrs, EINVAL);
	xcrs.flags = 0;
	xcrs.nr_xcrs = KVM_MAX_XCRS + 1;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_XCRS, &xcrs, EINVAL);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_XCRS, NULL, EFAULT);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_GET_XCRS, NULL, EFAULT);
	ASSERT_EQ(XF_X87, get_xcr0(&g.vcpu));
	guest_stop(&g);
}

/* KVM_RUN with the host's YMM7 loaded: it comes back unchanged. */
static long run_keeping_ymm7(struct test_vcpu *vcpu, const uint8_t in[32], uint8_t out[32])
{
	long ret;

	asm volatile("vmovdqu (%[in]), %%ymm7\n\t"
		     "syscall\n\t"
		     "vmovdqu %%ymm7, (%[out])"
		     : "=a"(ret)
		     : "a"(SYS_ioctl), "D"(vcpu->fd), "S"(KVM_RUN), "d"(0),
		       [in] "r"(in), [out] "r"(out)
		     : "rcx", "r11", "memory", "xmm7");
	return ret;
}

/*
 * An XCR0 set with KVM_SET_XCRS is what the guest's XGETBV reads (the
 * switch on entry), and the host's XCR0 and YMM registers are intact when
 * KVM_RUN returns (the switch on exit, and the FPU swap). The guest reads
 * XCR0 before any XSETBV of its own: where L0 lets XSETBV through, an
 * XSETBV first would write XCR0 itself and hide a missing switch. Needs no
 * XSETBV exit, so it runs under every L0.
 */
static void test_guest_xcr0_switched_host_intact(void)
{
	static const uint64_t values[] = { XF_X87 | XF_SSE, XF_X87, XF_X87 | XF_SSE };
	uint64_t host = host_xcr0();
	uint8_t pattern[32], seen[32];
	struct test_guest g;
	size_t i, j;

	require_xsave();
	if (!cpu_has_flag("avx") || !(host & XF_YMM))
		ktap_skip("the host has no AVX: XCR0 %#llx", (unsigned long long)host);
	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, xgetbv_reporter,
			      GUEST_CODE_SIZE(xgetbv_reporter));
	vcpu_set_cpuid_xsave(&g.vcpu, host);
	vcpu_set_cr4_bits(&g.vcpu, CR4_OSFXSR | CR4_OSXSAVE);

	/* Each value differs from the host's; the first is set before the first entry. */
	for (i = 0; i < KTAP_ARRAY_SIZE(values); i++) {
		ASSERT_EQ(0, vcpu_set_xcr(&g.vcpu, 0, values[i]));
		for (j = 0; j < sizeof(pattern); j++)
			pattern[j] = 0xa0 + 16 * i + j;
		memset(seen, 0, sizeof(seen));
		ASSERT_EQ(0, run_keeping_ymm7(&g.vcpu, pattern, seen));
		ASSERT_EQ(0, memcmp(pattern, seen, sizeof(seen)));
		ASSERT_EQ(host, host_xcr0());
		ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, PORT_XCR0, 4);
		ASSERT_EQ(values[i], *(uint32_t *)vcpu_io_data(&g.vcpu));
		ASSERT_EQ(values[i], get_xcr0(&g.vcpu));
	}
	guest_stop(&g);
}

/*
 * The guest's XSETBV: valid values taken and kept across exits to user
 * space; each rule broken is a #GP that leaves XCR0 as it was.
 */
static void test_guest_xsetbv(void)
{
	uint64_t host = host_xcr0();
	uint64_t offered = host & (XF_X87 | XF_SSE | XF_YMM);
	struct test_guest g;
	bool gp;

	require_xsave();
	require_xsetbv_exits();
	start_server(&g, offered);

	ASSERT_EQ(XF_X87 | XF_SSE, guest_xsetbv(&g, 0, XF_X87 | XF_SSE, &gp));
	TEST_ASSERT(!gp, "XSETBV(3) took a #GP");
	ASSERT_EQ(XF_X87 | XF_SSE, get_xcr0(&g.vcpu));
	ASSERT_EQ(host, host_xcr0());
	if (offered & XF_YMM) {
		ASSERT_EQ(offered, guest_xsetbv(&g, 0, offered, &gp));
		TEST_ASSERT(!gp, "XSETBV(%#llx) took a #GP", (unsigned long long)offered);
		ASSERT_EQ(XF_X87, guest_xsetbv(&g, 0, XF_X87, &gp));
	}

	/* Each refused value: #GP, XCR0 unchanged. */
	ASSERT_EQ(0, vcpu_set_xcr(&g.vcpu, 0, XF_X87 | XF_SSE));
	ASSERT_EQ(XF_X87 | XF_SSE, guest_xsetbv(&g, 1, XF_X87, &gp));
	TEST_ASSERT(gp, "XSETBV to XCR1 did not #GP");
	ASSERT_EQ(XF_X87 | XF_SSE, guest_xsetbv(&g, 0, XF_SSE, &gp));
	TEST_ASSERT(gp, "XSETBV without x87 did not #GP");
	ASSERT_EQ(XF_X87 | XF_SSE, guest_xsetbv(&g, 0, XF_X87 | XF_YMM, &gp));
	TEST_ASSERT(gp, "XSETBV of AVX without SSE did not #GP");
	ASSERT_EQ(XF_X87 | XF_SSE, guest_xsetbv(&g, 0, XF_X87 | XF_SSE | XF_BNDREGS, &gp));
	TEST_ASSERT(gp, "XSETBV of a feature not in CPUID did not #GP");
	ASSERT_EQ(XF_X87 | XF_SSE, get_xcr0(&g.vcpu));
	ASSERT_EQ(host, host_xcr0());
	guest_stop(&g);
}

static uint64_t stat(struct test_vcpu *vcpu, const char *name)
{
	uint64_t v;

	if (!vcpu_stat(vcpu, name, &v))
		ktap_skip("%s has no %s statistic (an l1vmm counter)", dev_path(), name);
	return v;
}

/*
 * l1vmm executes no XSETBV while the guest's XCR0 equals the host's, and
 * while it differs two per series of entries (load and restore): at least
 * one pair, at most two per exit (the fastpath's re-entries share one).
 */
static void test_no_xsetbv_when_equal(void)
{
	uint64_t host = host_xcr0(), xsetbv, exits;
	struct test_guest g;
	bool gp;
	int i;

	require_xsave();
	start_server(&g, host);
	ASSERT_EQ(0, vcpu_set_xcr(&g.vcpu, 0, host));
	xsetbv = stat(&g.vcpu, "l1_xsetbv");
	exits = stat(&g.vcpu, "exits");
	for (i = 0; i < 10; i++)
		guest_xsetbv(&g, 0, host, &gp);
	ASSERT_EQ(xsetbv, stat(&g.vcpu, "l1_xsetbv"));
	TEST_ASSERT(stat(&g.vcpu, "exits") >= exits + 20, "exits not counted");

	if (host == XF_X87)
		ktap_skip("the host's XCR0 is x87 only: no other value to try");
	ASSERT_EQ(0, vcpu_set_xcr(&g.vcpu, 0, XF_X87));
	xsetbv = stat(&g.vcpu, "l1_xsetbv");
	exits = stat(&g.vcpu, "exits");
	/* XSETBV exits (where L0 delivers them) are entries and exits too. */
	for (i = 0; i < 10; i++) {
		guest_xsetbv(&g, 0, XF_X87, &gp);
		TEST_ASSERT(!gp, "XSETBV(1) took a #GP");
	}
	xsetbv = stat(&g.vcpu, "l1_xsetbv") - xsetbv;
	exits = stat(&g.vcpu, "exits") - exits;
	TEST_ASSERT(xsetbv >= 2 && xsetbv % 2 == 0 && xsetbv <= 2 * exits,
		    "%llu XSETBVs for %llu exits", (unsigned long long)xsetbv,
		    (unsigned long long)exits);
	guest_stop(&g);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_xcrs_ioctls),
	KTAP_CASE(test_guest_xcr0_switched_host_intact),
	KTAP_CASE(test_guest_xsetbv),
	KTAP_CASE(test_no_xsetbv_when_equal),
};

int main(void)
{
	return ktap_run("xcr0", tests, KTAP_ARRAY_SIZE(tests));
}
