// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/portable/cpuid_supported.c xstate/portable/layout.c
/*
 * Host unit test of KVM_GET_SUPPORTED_CPUID's content
 * (l1vmm/portable/cpuid_supported.c), with a fake host that has every bit set,
 * and a Zen-like XSAVE layout in leaf 0xD.
 */
#include <stdint.h>
#include <string.h>

#include "ktap.h"
#include "l1vmm/portable/cpuid.h"
#include "l1vmm/portable/cpuid_supported.h"

static uint32_t fake_max_basic = 0x10, fake_max_ext = 0x80000021;

static void all_ones_host(uint32_t leaf, uint32_t index, struct l1vmm_cpuid_regs *r)
{
	(void)index;
	memset(r, 0xff, sizeof(*r));
	if (leaf == 0) {
		r->eax = fake_max_basic;
		r->ebx = 0x68747541;	/* "AuthenticAMD" */
		r->edx = 0x69746e65;
		r->ecx = 0x444d4163;
	} else if (leaf == 0x80000000) {
		r->eax = fake_max_ext;
	} else if (leaf == 0x80000008) {
		r->eax = 0x3034;	/* 52 physical, 48 linear */
	} else if (leaf == 0xd) {
		static const struct l1vmm_cpuid_regs xstate[] = {
			{ 0x7, 0x340, 0x340, 0 },	/* x87 SSE AVX */
			{ 0xf, 0x340, 0, 0 },		/* XSAVEOPT XSAVEC XGETBV1 XSAVES */
			{ 0x100, 0x240, 0x2, 0 },	/* AVX: 256 bytes at 576 */
		};

		*r = index < 3 ? xstate[index] : (struct l1vmm_cpuid_regs){ 0 };
	}
}

#define XCR0_AVX	0x7ull

static const struct kvm_cpuid_entry2 *find(const struct kvm_cpuid_entry2 *e, unsigned int n,
					   uint32_t leaf)
{
	const struct kvm_cpuid_entry2 *f = l1vmm_cpuid_find(e, n, leaf, 0);

	TEST_ASSERT(f, "leaf %#x missing", leaf);
	return f;
}

static void test_masks_on_a_host_with_everything(void)
{
	struct kvm_cpuid_entry2 e[L1VMM_SUPPORTED_CPUID_MAX];
	unsigned int n = l1vmm_supported_cpuid(all_ones_host, 48, 0, e);

	TEST_ASSERT(n <= L1VMM_SUPPORTED_CPUID_MAX, "%u entries", n);
	ASSERT_EQ(7, find(e, n, 0)->eax);			/* capped */
	ASSERT_EQ(0x68747541, find(e, n, 0)->ebx);		/* vendor kept */
	ASSERT_EQ(0, find(e, n, 1)->ecx & (1u << 26));		/* no XSAVE: XCR0 0 */
	ASSERT_EQ(0, find(e, n, 1)->ecx & (1u << 27));		/* no OSXSAVE */
	ASSERT_EQ(0, find(e, n, 1)->ecx & (1u << 28));		/* no AVX */
	ASSERT_EQ(0, find(e, n, 1)->ecx & (1u << 5));		/* no VMX */
	ASSERT_EQ(0, find(e, n, 1)->ecx & (1u << 3));		/* no MONITOR */
	ASSERT_EQ(1u << 21, find(e, n, 1)->ecx & (1u << 21));	/* x2APIC: emulated, as KVM */
	ASSERT_EQ(0, find(e, n, 1)->ecx & (1u << 31));		/* user space's, as in KVM */
	ASSERT_EQ(1u << 26, find(e, n, 1)->edx & (1u << 26));	/* SSE2 */
	ASSERT_EQ(1u << 12, find(e, n, 1)->edx & (1u << 12));	/* MTRR */
	ASSERT_EQ(1u << 7, find(e, n, 1)->edx & (1u << 7));	/* MCE */
	ASSERT_EQ(1u << 14, find(e, n, 1)->edx & (1u << 14));	/* MCA */
	ASSERT_EQ(1u << 12, find(e, n, 0x80000001)->edx & (1u << 12));	/* AMD's MTRR */
	ASSERT_EQ(0, find(e, n, 1)->ebx >> 16);			/* no APIC ID */
	ASSERT_EQ(KVM_CPUID_FLAG_SIGNIFCANT_INDEX, find(e, n, 7)->flags);
	ASSERT_EQ(1u << 22, find(e, n, 7)->ecx);		/* RDPID only */
	ASSERT_EQ(0, find(e, n, 7)->edx);
	ASSERT_EQ(0, find(e, n, 7)->ebx & (1u << 5));		/* no AVX2 */
	ASSERT_EQ(1u << 1, find(e, n, 7)->ebx & (1u << 1));	/* TSC_ADJUST, emulated */
	ASSERT_EQ(0x80000008, find(e, n, 0x80000000)->eax);	/* capped */
	ASSERT_EQ(0, find(e, n, 0x80000001)->ecx & (1u << 2));	/* no SVM */
	ASSERT_EQ(1u << 29, find(e, n, 0x80000001)->edx & (1u << 29));	/* LM */
	ASSERT_EQ(1u << 27, find(e, n, 0x80000001)->edx & (1u << 27));	/* RDTSCP */
	ASSERT_EQ(0x3030, find(e, n, 0x80000008)->eax);	/* 48 physical bits */
	ASSERT_EQ(0, find(e, n, 0x80000008)->ebx);
	ASSERT_EQ(0, (long)(uintptr_t)l1vmm_cpuid_find(e, n, 0xd, 0));	/* no XSAVE leaf */
	ASSERT_EQ(0, (long)(uintptr_t)l1vmm_cpuid_find(e, n, 0x80000021, 0));
}

static void test_small_host(void)
{
	struct kvm_cpuid_entry2 e[L1VMM_SUPPORTED_CPUID_MAX];
	unsigned int n;

	fake_max_basic = 1;
	fake_max_ext = 0x80000000;
	n = l1vmm_supported_cpuid(all_ones_host, 48, XCR0_AVX, e);
	ASSERT_EQ(4, n);	/* leaves 0, 1 and KVM's two */
	ASSERT_EQ(1, find(e, n, 0)->eax);
	ASSERT_EQ(0, (long)(uintptr_t)l1vmm_cpuid_find(e, n, 7, 0));
	ASSERT_EQ(0x40000001, find(e, n, 0x40000000)->eax);
}

/*
 * KVM's leaves, last as in KVM: the signature, and the features l1vmm
 * implements (kvmclock, NOP_IO_DELAY, the stable bit), nothing else.
 */
static void test_kvm_leaves(void)
{
	struct kvm_cpuid_entry2 e[L1VMM_SUPPORTED_CPUID_MAX];
	const struct kvm_cpuid_entry2 *s, *f;
	char sig[13] = { 0 };
	unsigned int n;

	fake_max_basic = 0x10;
	fake_max_ext = 0x80000021;
	n = l1vmm_supported_cpuid(all_ones_host, 48, XCR0_AVX, e);
	TEST_ASSERT(n >= 2 && n <= L1VMM_SUPPORTED_CPUID_MAX, "%u entries", n);
	s = find(e, n, 0x40000000);
	f = find(e, n, 0x40000001);
	TEST_ASSERT(s == &e[n - 2] && f == &e[n - 1], "KVM's leaves are not last");
	ASSERT_EQ(0x40000001, s->eax);
	memcpy(sig, &s->ebx, 4);
	memcpy(sig + 4, &s->ecx, 4);
	memcpy(sig + 8, &s->edx, 4);
	ASSERT_STREQ("KVMKVMKVM", sig);
	ASSERT_EQ(0, s->flags);
	ASSERT_EQ((1u << 0) | (1u << 1) | (1u << 3) | (1u << 24), f->eax);
	ASSERT_EQ(0, f->ebx | f->ecx | f->edx);
}

/* With l1vmm's XCR0 limit: XSAVE and AVX, and leaf 0xD describing them. */
static void test_xsave_and_avx(void)
{
	struct kvm_cpuid_entry2 e[L1VMM_SUPPORTED_CPUID_MAX];
	const struct kvm_cpuid_entry2 *d;
	unsigned int n;

	/* An AVX-512 and MPX limit offers AVX only: their features are not offered. */
	n = l1vmm_supported_cpuid(all_ones_host, 48, 0x2ff, e);
	TEST_ASSERT(n <= L1VMM_SUPPORTED_CPUID_MAX, "%u entries", n);
	ASSERT_EQ(0xd, find(e, n, 0)->eax);
	ASSERT_EQ(0x34001000u, find(e, n, 1)->ecx & 0x3c001000u);	/* FMA XSAVE AVX F16C */
	ASSERT_EQ(0, find(e, n, 1)->ecx & (1u << 27));			/* OSXSAVE: run time */
	ASSERT_EQ(1u << 5, find(e, n, 7)->ebx & (1u << 5));		/* AVX2 */
	ASSERT_EQ(0, find(e, n, 7)->ebx & (1u << 16));			/* no AVX-512F */
	d = l1vmm_cpuid_find(e, n, 0xd, 0);
	TEST_ASSERT(d && d->flags == KVM_CPUID_FLAG_SIGNIFCANT_INDEX, "no leaf 0xd.0");
	ASSERT_EQ(XCR0_AVX, d->eax);
	ASSERT_EQ(0, d->edx);
	ASSERT_EQ(0x340, d->ebx);
	ASSERT_EQ(0x340, d->ecx);
	d = l1vmm_cpuid_find(e, n, 0xd, 1);
	TEST_ASSERT(d && d->index == 1, "no leaf 0xd.1");
	ASSERT_EQ(0x7, d->eax);						/* no XSAVES */
	d = l1vmm_cpuid_find(e, n, 0xd, 2);
	TEST_ASSERT(d && d->index == 2, "no leaf 0xd.2");
	ASSERT_EQ(0x100, d->eax);
	ASSERT_EQ(0x240, d->ebx);
	ASSERT_EQ(0x2, d->ecx);
	TEST_ASSERT(!l1vmm_cpuid_find(e, n, 0xd, 3), "leaf 0xd.3 for MPX");
	TEST_ASSERT(!l1vmm_cpuid_find(e, n, 0xd, 5), "leaf 0xd.5 for AVX-512");

	/* x87 and SSE only: XSAVE without AVX; leaf 0xD for the legacy area. */
	n = l1vmm_supported_cpuid(all_ones_host, 48, 0x3, e);
	ASSERT_EQ(1u << 26, find(e, n, 1)->ecx & 0x3c001000u);
	ASSERT_EQ(0, find(e, n, 7)->ebx & (1u << 5));
	ASSERT_EQ(576, l1vmm_cpuid_find(e, n, 0xd, 0)->ebx);
	TEST_ASSERT(!l1vmm_cpuid_find(e, n, 0xd, 2), "leaf 0xd.2 without AVX");
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_masks_on_a_host_with_everything),
	KTAP_CASE(test_xsave_and_avx),
	KTAP_CASE(test_small_host),
	KTAP_CASE(test_kvm_leaves),
};

int main(void)
{
	return ktap_run("cpuid_supported", tests, KTAP_ARRAY_SIZE(tests));
}
