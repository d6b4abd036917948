// SPDX-License-Identifier: GPL-2.0-only
/*
 * The XSAVE uABI: KVM_CAP_XSAVE/XSAVE2, KVM_GET_XSAVE, KVM_GET_XSAVE2 and
 * KVM_SET_XSAVE in the standard layout; values set reach the guest's
 * registers and the guest's reach user space; only the components the
 * guest's CPUID offers are reported or accepted; bad headers are -EINVAL
 * with nothing changed; KVM_GET/SET_FPU agree with it; the supported CPUID
 * offers XSAVE and the guest's CPUID follows its CR4 and XCR0. Runs
 * against KVM too.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm_vm.h"

#define MEM_SIZE	(1ul << 20)
#define CODE_GPA	0x10000
#define RM_CODE_GPA	0x1000	/* real mode: within IP's 16 bits */

/* Offsets in the standard layout (Intel SDM vol. 1, 13.4). */
#define MXCSR_OFF	24
#define XMM0_OFF	160
#define HEADER_OFF	512
#define XSTATE_BV_OFF	HEADER_OFF
#define XCOMP_BV_OFF	(HEADER_OFF + 8)

/*
 * Report XMM0's low dword and YMM0's upper half's low dword, then write
 * new ones and report again.
 */
GUEST_CODE(avx_guest, ".code32",
	"movd %xmm0, %eax\n\t"
	"out %eax, $0x10\n\t"
	"vextractf128 $1, %ymm0, %xmm1\n\t"
	"movd %xmm1, %eax\n\t"
	"out %eax, $0x11\n\t"
	"mov $0x5a5a0001, %eax\n\t"
	"vmovd %eax, %xmm2\n\t"
	"mov $0x5a5a0002, %eax\n\t"
	"vmovd %eax, %xmm3\n\t"
	"vinsertf128 $1, %xmm3, %ymm2, %ymm0\n\t"
	"hlt\n\t");

/* CPUID 1 ECX and 0xD.0 EBX, as the guest sees them. */
GUEST_CODE(cpuid_guest, ".code16",
	"mov $1, %eax\n\t"
	"cpuid\n\t"
	"mov %ecx, %eax\n\t"
	"out %eax, $0x10\n\t"
	"mov $0xd, %eax\n\t"
	"xor %ecx, %ecx\n\t"
	"cpuid\n\t"
	"mov %ebx, %eax\n\t"
	"out %eax, $0x11\n\t"
	"hlt\n\t");

/* A #UD with no IDT: a triple fault, and KVM_EXIT_SHUTDOWN. */
GUEST_CODE(triple_fault, ".code32",
	"ud2\n\t");

static size_t xsave_size(int sys_fd)
{
	long size = ASSERT_IOCTL_OK(sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);

	TEST_ASSERT(size >= (long)sizeof(struct kvm_xsave), "KVM_CAP_XSAVE2 = %ld", size);
	return size;
}

/* YMM_Hi128 (component 2) in the standard format, from CPUID 0xD.2. */
static uint32_t ymm_offset(uint32_t *size)
{
	uint32_t eax, ebx, ecx, edx;

	asm volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(0xd), "c"(2));
	if (size)
		*size = eax;
	return ebx;
}

static uint8_t *get_xsave2(struct test_guest *g, size_t size)
{
	uint8_t *buf = calloc(1, size);

	TEST_ASSERT(buf, "out of memory");
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_GET_XSAVE2, buf);
	return buf;
}

static uint64_t xstate_bv(const uint8_t *buf)
{
	uint64_t v;

	memcpy(&v, buf + XSTATE_BV_OFF, sizeof(v));
	return v;
}

static void put32(uint8_t *buf, size_t off, uint32_t v)
{
	memcpy(buf + off, &v, sizeof(v));
}

static void put64(uint8_t *buf, size_t off, uint64_t v)
{
	memcpy(buf + off, &v, sizeof(v));
}

static uint32_t get32(const uint8_t *buf, size_t off)
{
	uint32_t v;

	memcpy(&v, buf + off, sizeof(v));
	return v;
}

static void require_avx(void)
{
	if (!cpu_has_flag("xsave") || !cpu_has_flag("avx") || !(host_xcr0() & XF_YMM))
		ktap_skip("the host has no XSAVE with AVX");
}

static void start_avx_guest(struct test_guest *g)
{
	guest_start_protected_mode(g, MEM_SIZE, CODE_GPA, avx_guest, GUEST_CODE_SIZE(avx_guest));
	vcpu_set_cpuid_xsave(&g->vcpu, host_xcr0() & (XF_FPSSE | XF_YMM));
	vcpu_set_cr4_bits(&g->vcpu, CR4_OSXSAVE);
	ASSERT_EQ(0, vcpu_set_xcr(&g->vcpu, 0, XF_FPSSE | XF_YMM));
}

static void test_capabilities(void)
{
	int fd = dev_open();

	if (!cpu_has_flag("xsave"))
		ktap_skip("the host has no XSAVE");
	ASSERT_EQ(1, ASSERT_IOCTL_OK(fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE));
	xsave_size(fd);
	close(fd);
}

/* Set XMM0 and YMM0's upper half: the guest reads them; its writes come back. */
static void test_round_trip_through_the_guest(void)
{
	struct test_guest g;
	uint32_t ymm = ymm_offset(NULL);
	uint8_t *buf;
	size_t size;

	require_avx();
	start_avx_guest(&g);
	size = xsave_size(g.vm.sys_fd);
	buf = get_xsave2(&g, size);
	put32(buf, XMM0_OFF, 0x11223344);
	put32(buf, ymm, 0x55667788);
	put64(buf, XSTATE_BV_OFF, xstate_bv(buf) | XF_FPSSE | XF_YMM);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_XSAVE, buf);
	free(buf);

	ASSERT_EQ(0x11223344, vcpu_run_out32(&g.vcpu, 0x10));
	ASSERT_EQ(0x55667788, vcpu_run_out32(&g.vcpu, 0x11));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));

	buf = get_xsave2(&g, size);
	TEST_ASSERT((xstate_bv(buf) & (XF_SSE | XF_YMM)) == (XF_SSE | XF_YMM),
		    "XSTATE_BV %#llx", (unsigned long long)xstate_bv(buf));
	ASSERT_EQ(0x5a5a0001, get32(buf, XMM0_OFF));
	ASSERT_EQ(0x5a5a0002, get32(buf, ymm));
	/* KVM_GET_XSAVE is the first 4 KiB of the same thing. */
	if (size == sizeof(struct kvm_xsave)) {
		struct kvm_xsave x;

		ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_XSAVE, &x);
		ASSERT_EQ(0, memcmp(&x, buf, sizeof(x)));
	}
	free(buf);
	guest_stop(&g);
}

/* A guest whose CPUID offers no AVX: YMM not reported, and not accepted. */
static void test_only_the_guests_components(void)
{
	struct test_guest g;
	uint8_t *buf;
	size_t size;

	require_avx();
	guest_start_protected_mode(&g, MEM_SIZE, CODE_GPA, avx_guest, GUEST_CODE_SIZE(avx_guest));
	size = xsave_size(g.vm.sys_fd);
	buf = get_xsave2(&g, size);
	TEST_ASSERT(!(xstate_bv(buf) & ~XF_FPSSE), "XSTATE_BV %#llx without CPUID 0xD",
		    (unsigned long long)xstate_bv(buf));
	/*
	 * l1vmm accepts only what it reports; KVM 6.1 accepts anything the
	 * host supports (doc/abi.md).
	 */
	put64(buf, XSTATE_BV_OFF, XF_FPSSE | XF_YMM);
	if (dev_is_l1vmm())
		ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_XSAVE, buf, EINVAL);
	put64(buf, XSTATE_BV_OFF, XF_FPSSE);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_XSAVE, buf);

	vcpu_set_cpuid_xsave(&g.vcpu, host_xcr0() & (XF_FPSSE | XF_YMM));
	put64(buf, XSTATE_BV_OFF, XF_FPSSE | XF_YMM);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_XSAVE, buf);
	free(buf);
	guest_stop(&g);
}

/* Each bad header alone is -EINVAL, and the state is as it was. */
static void test_bad_headers(void)
{
	static const struct {
		size_t off;
		uint64_t value;
		const char *what;
	} bad[] = {
		{ XSTATE_BV_OFF, XF_FPSSE | (1ull << 63), "XSTATE_BV bit 63" },
		{ XSTATE_BV_OFF, XF_FPSSE | (1ull << 9), "XSTATE_BV: PKRU, not the guest's" },
		{ XCOMP_BV_OFF, 1ull << 63, "XCOMP_BV: the compacted format" },
		{ HEADER_OFF + 16, 1, "reserved header bytes" },
		{ HEADER_OFF + 56, 1ull << 32, "reserved header bytes, the last ones" },
	};
	struct test_guest g;
	uint8_t *good, *buf, *after;
	size_t size, i;

	require_avx();
	start_avx_guest(&g);
	size = xsave_size(g.vm.sys_fd);
	good = get_xsave2(&g, size);
	put32(good, XMM0_OFF, 0xcafe0001);
	put64(good, XSTATE_BV_OFF, XF_FPSSE);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_XSAVE, good);
	free(good);
	good = get_xsave2(&g, size);
	buf = malloc(size);
	TEST_ASSERT(buf, "out of memory");

	for (i = 0; i < KTAP_ARRAY_SIZE(bad); i++) {
		memcpy(buf, good, size);
		put32(buf, XMM0_OFF, 0xbad00000 + i);
		put64(buf, bad[i].off, bad[i].value);
		TEST_ASSERT(ioctl(g.vcpu.fd, KVM_SET_XSAVE, buf) < 0 && errno == EINVAL,
			    "%s: accepted, or not EINVAL (%s)", bad[i].what, strerror(errno));
	}
	/* MXCSR with reserved bits, x87/SSE present. */
	memcpy(buf, good, size);
	put32(buf, MXCSR_OFF, 0xffffffff);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_XSAVE, buf, EINVAL);

	after = get_xsave2(&g, size);
	ASSERT_EQ(0xcafe0001, get32(after, XMM0_OFF));
	ASSERT_EQ(0, memcmp(good, after, size));
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_XSAVE, NULL, EFAULT);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_GET_XSAVE2, NULL, EFAULT);
	free(after);
	free(buf);
	free(good);
	guest_stop(&g);
}

/* KVM_SET_FPU shows in KVM_GET_XSAVE2 and KVM_SET_XSAVE in KVM_GET_FPU. */
static void test_fpu_agrees(void)
{
	struct kvm_fpu fpu;
	struct test_guest g;
	uint8_t *buf;
	size_t size;

	if (!cpu_has_flag("xsave"))
		ktap_skip("the host has no XSAVE");
	guest_start_protected_mode(&g, MEM_SIZE, CODE_GPA, avx_guest, GUEST_CODE_SIZE(avx_guest));
	size = xsave_size(g.vm.sys_fd);
	buf = get_xsave2(&g, size);
	put32(buf, XMM0_OFF, 0x0badf00d);
	put64(buf, XSTATE_BV_OFF, XF_FPSSE);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_XSAVE, buf);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_FPU, &fpu);
	ASSERT_EQ(0x0badf00d, get32(fpu.xmm[0], 0));

	put32(fpu.xmm[0], 0, 0x600dcafe);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_FPU, &fpu);
	free(buf);
	buf = get_xsave2(&g, size);
	ASSERT_EQ(0x600dcafe, get32(buf, XMM0_OFF));
	free(buf);
	guest_stop(&g);
}

/*
 * The INIT after a triple fault keeps XCR0 and the x87, SSE and AVX state
 * (only MPX and CET are INIT-cleared, and no test CPU has them: the unit
 * test covers which components are cleared); registers are at the reset
 * vector again. On Intel, where KVM does no INIT there, all of it stays.
 */
static void test_init_keeps_xcr0_and_vector_state(void)
{
	uint32_t ymm = ymm_offset(NULL);
	struct kvm_sregs sregs;
	struct kvm_xcrs xcrs;
	struct kvm_regs regs;
	struct test_guest g;
	uint8_t *buf;
	size_t size;

	require_avx();
	guest_start_protected_mode(&g, MEM_SIZE, CODE_GPA, triple_fault,
				   GUEST_CODE_SIZE(triple_fault));
	vcpu_set_cpuid_xsave(&g.vcpu, host_xcr0() & (XF_FPSSE | XF_YMM));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
	sregs.cr4 |= CR4_OSXSAVE;
	sregs.idt.limit = 0;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &sregs);
	ASSERT_EQ(0, vcpu_set_xcr(&g.vcpu, 0, XF_FPSSE | XF_YMM));
	size = xsave_size(g.vm.sys_fd);
	buf = get_xsave2(&g, size);
	put32(buf, XMM0_OFF, 0x1d1d0001);
	put32(buf, ymm, 0x1d1d0002);
	put64(buf, XSTATE_BV_OFF, XF_FPSSE | XF_YMM);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_XSAVE, buf);
	free(buf);

	ASSERT_EQ(KVM_EXIT_SHUTDOWN, vcpu_run(&g.vcpu));
	/* KVM INITs the vCPU after a shutdown on AMD only (l1vmm/exit.c). */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	if (cpu_has_flag("svm"))
		ASSERT_EQ(0xfff0, regs.rip);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_XCRS, &xcrs);
	ASSERT_EQ(XF_FPSSE | XF_YMM, xcrs.xcrs[0].value);
	buf = get_xsave2(&g, size);
	ASSERT_EQ(0x1d1d0001, get32(buf, XMM0_OFF));
	ASSERT_EQ(0x1d1d0002, get32(buf, ymm));
	free(buf);
	guest_stop(&g);
}

/* One pass of cpuid_guest from the start: CPUID 1 ECX and 0xD.0 EBX. */
static void guest_cpuid(struct test_guest *g, uint64_t cr4_osxsave, uint64_t xcr0,
			uint32_t *ecx1, uint32_t *ebx_d)
{
	struct kvm_sregs sregs;

	vcpu_setup_real_mode(&g->vcpu, RM_CODE_GPA);
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_GET_SREGS, &sregs);
	sregs.cr4 = (sregs.cr4 & ~CR4_OSXSAVE) | cr4_osxsave;
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_SET_SREGS, &sregs);
	ASSERT_EQ(0, vcpu_set_xcr(&g->vcpu, 0, xcr0));
	*ecx1 = vcpu_run_out32(&g->vcpu, 0x10);
	*ebx_d = vcpu_run_out32(&g->vcpu, 0x11);
}

/*
 * KVM_GET_SUPPORTED_CPUID offers XSAVE and AVX with leaf 0xD, and the
 * guest's CPUID follows its state: OSXSAVE is its CR4.OSXSAVE, 0xD.0 EBX
 * the size of the XSAVE area for its XCR0.
 */
static void test_cpuid_follows_the_guest(void)
{
	uint32_t ecx1, ebx_d, ymm_end, ymm_size;
	struct test_guest g;

	require_avx();
	ymm_end = ymm_offset(&ymm_size) + ymm_size;
	guest_start_real_mode(&g, MEM_SIZE, RM_CODE_GPA, cpuid_guest, GUEST_CODE_SIZE(cpuid_guest));
	guest_set_supported_cpuid(&g);

	guest_cpuid(&g, 0, XF_X87, &ecx1, &ebx_d);
	TEST_ASSERT(ecx1 & (1u << 26), "no XSAVE in the supported CPUID");
	TEST_ASSERT(ecx1 & (1u << 28), "no AVX in the supported CPUID");
	TEST_ASSERT(!(ecx1 & (1u << 27)), "OSXSAVE set while CR4.OSXSAVE is clear");
	ASSERT_EQ(576, ebx_d);

	guest_cpuid(&g, CR4_OSXSAVE, XF_FPSSE, &ecx1, &ebx_d);
	TEST_ASSERT(ecx1 & (1u << 27), "OSXSAVE clear while CR4.OSXSAVE is set");
	ASSERT_EQ(576, ebx_d);

	guest_cpuid(&g, CR4_OSXSAVE, XF_FPSSE | XF_YMM, &ecx1, &ebx_d);
	ASSERT_EQ(ymm_end, ebx_d);
	guest_stop(&g);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_capabilities),
	KTAP_CASE(test_round_trip_through_the_guest),
	KTAP_CASE(test_only_the_guests_components),
	KTAP_CASE(test_bad_headers),
	KTAP_CASE(test_fpu_agrees),
	KTAP_CASE(test_cpuid_follows_the_guest),
	KTAP_CASE(test_init_keeps_xcr0_and_vector_state),
};

int main(void)
{
	return ktap_run("xsave", tests, KTAP_ARRAY_SIZE(tests));
}
