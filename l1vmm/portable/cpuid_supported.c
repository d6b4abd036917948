// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CPUID l1vmm supports for guests; see cpuid_supported.h. Bit positions
 * from the Intel SDM vol. 2 (CPUID) and the AMD APM vol. 3 (appendix E).
 *
 * XSAVE, AVX, FMA, F16C and AVX2 are offered with leaf 0xD when l1vmm's
 * XCR0 limit has the components they need. Left out on purpose, until
 * l1vmm implements what they need: AVX-512, MPX, AMX, APX (their XSAVE
 * components are switched, but l1vmm does not yet offer them); OSXSAVE
 * (the guest's CR4 says; exit.c fills it in at run time, as KVM does);
 * MONITOR/MWAIT (intercepted, not emulated); x2APIC (no in-kernel APIC);
 * VMX/SVM (no nested virtualization); PCID/INVPCID, PKU, LA57, CET. MCE,
 * MCA and MTRR are offered: l1vmm keeps their MSRs as KVM does.
 */
#include "l1vmm/portable/cpuid_supported.h"
#include "xstate/portable/layout.h"

/* Leaf 1 ECX: SSE3, PCLMULQDQ, SSSE3, CX16, SSE4.1, SSE4.2, MOVBE, POPCNT, AES, RDRAND. */
#define LEAF1_ECX	(BIT(0) | BIT(1) | BIT(9) | BIT(13) | BIT(19) | BIT(20) | \
			 BIT(22) | BIT(23) | BIT(25) | BIT(30))
/*
 * Leaf 1 EDX: FPU, VME, DE, PSE, TSC, MSR, PAE, MCE, CX8, APIC, SEP, MTRR,
 * PGE, MCA, CMOV, PAT, PSE36, CLFSH, MMX, FXSR, SSE, SSE2.
 */
#define LEAF1_EDX	(BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | \
			 BIT(7) | BIT(8) | BIT(9) | BIT(11) | BIT(12) | BIT(13) | \
			 BIT(14) | BIT(15) | BIT(16) | BIT(17) | BIT(19) | BIT(23) | \
			 BIT(24) | BIT(25) | BIT(26))
/* Leaf 1 EBX: brand index and CLFLUSH line size; no APIC ID or thread count. */
#define LEAF1_EBX	0xffffU
/* Leaf 7.0 EBX: FSGSBASE, BMI1, SMEP, BMI2, ERMS, RDSEED, ADX, SMAP, CLFLUSHOPT, CLWB, SHA. */
#define LEAF7_EBX	(BIT(0) | BIT(3) | BIT(7) | BIT(8) | BIT(9) | BIT(18) | BIT(19) | \
			 BIT(20) | BIT(23) | BIT(24) | BIT(29))
/* Leaf 1 ECX with XSAVE: XSAVE; with AVX's component too: FMA, AVX, F16C. */
#define LEAF1_ECX_XSAVE		BIT(26)
/* Leaf 1 ECX: x2APIC (irqchip.c emulates it). */
#define LEAF1_ECX_X2APIC	BIT(21)
#define LEAF1_ECX_AVX		(BIT(12) | BIT(28) | BIT(29))
/* Leaf 7.0 EBX, whatever the host has: TSC_ADJUST (emulated, tsc.c), as KVM. */
#define LEAF7_EBX_EMULATED	BIT(1)
/* Leaf 7.0 EBX with AVX's component: AVX2. */
#define LEAF7_EBX_AVX		BIT(5)
/* Leaf 7.0 ECX: RDPID. */
#define LEAF7_ECX	BIT(22)
/* 0x80000001 ECX: LAHF/SAHF, ABM (LZCNT), SSE4A, MISALIGNSSE, PREFETCHW. */
#define EXT1_ECX	(BIT(0) | BIT(5) | BIT(6) | BIT(7) | BIT(8))
/*
 * 0x80000001 EDX: SYSCALL, NX, MMXEXT, 1 GiB pages, RDTSCP, LM, and AMD's
 * copies of leaf 1 EDX.
 */
#define EXT1_EDX	((LEAF1_EDX & 0x0183f3ff) | BIT(11) | BIT(20) | BIT(22) | \
			 BIT(26) | BIT(27) | BIT(29))

#define LAST_BASIC_LEAF		7
/* The XSAVE components whose features l1vmm offers. */
#define OFFERED_XCR0		(L1VMM_XF_FPSSE | L1VMM_XF(YMM))
/* Leaf 0xD.1 EAX: XSAVEOPT, XSAVEC, XGETBV with ECX = 1; no XSAVES (no IA32_XSS). */
#define XSTATE1_EAX		(BIT(0) | BIT(1) | BIT(2))
#define LAST_EXT_LEAF		0x80000008

/*
 * KVM's paravirtual leaves (Documentation/virt/kvm/x86/cpuid.rst), last, in
 * KVM's order. 0x40000001 EAX: what l1vmm implements (kvmclock.c):
 * CLOCKSOURCE (bit 0) and CLOCKSOURCE2 (3), the kvmclock MSRs;
 * NOP_IO_DELAY (1), a hint that port 0x80 needs no delay, which holds for
 * every l1vmm guest; CLOCKSOURCE_STABLE_BIT (24), which KVM offers
 * unconditionally: it says the guest may trust PVCLOCK_TSC_STABLE_BIT
 * where the pvclock page sets it, and l1vmm's never does. Not async page
 * faults, steal time, PV EOI, PV unhalt, PV TLB flush, PV IPIs, poll
 * control, PV sched yield: l1vmm has none of them.
 */
#define KVM_PV_SIGNATURE_LEAF	0x40000000
#define KVM_PV_FEATURES_LEAF	0x40000001
#define KVM_PV_FEATURES		(BIT(0) | BIT(1) | BIT(3) | BIT(24))

static struct kvm_cpuid_entry2 *add(struct kvm_cpuid_entry2 *e, u32 function, u32 index,
				    bool indexed, const struct l1vmm_cpuid_regs *r)
{
	*e = (struct kvm_cpuid_entry2){
		.function = function, .index = index,
		.flags = indexed ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0,
		.eax = r->eax, .ebx = r->ebx, .ecx = r->ecx, .edx = r->edx,
	};
	return e + 1;
}

static u32 min_u32(u32 a, u32 b)
{
	return a < b ? a : b;
}

/*
 * Leaf 0xD for @xcr0: sub-leaf 0 the components and the standard size
 * (EBX is the guest's at run time, exit.c), sub-leaf 1 the XSAVE variants,
 * then each component's size, offset and alignment, from the host.
 */
static struct kvm_cpuid_entry2 *add_xstate(struct kvm_cpuid_entry2 *e, l1vmm_host_cpuid_fn host,
					   u64 xcr0)
{
	struct l1vmm_xstate_layout layout;
	struct l1vmm_cpuid_regs r;
	unsigned int i;

	l1vmm_xstate_layout_read(host, &layout);
	r = (struct l1vmm_cpuid_regs){
		.eax = (u32)xcr0, .edx = xcr0 >> 32,
		.ebx = l1vmm_xstate_standard_size(&layout, xcr0),
		.ecx = l1vmm_xstate_standard_size(&layout, xcr0),
	};
	e = add(e, L1VMM_CPUID_XSTATE, 0, true, &r);
	host(L1VMM_CPUID_XSTATE, 1, &r);
	r = (struct l1vmm_cpuid_regs){ .eax = r.eax & XSTATE1_EAX };
	e = add(e, L1VMM_CPUID_XSTATE, 1, true, &r);
	for (i = L1VMM_XFEATURE_YMM; i < L1VMM_NR_XFEATURES; i++) {
		if (!(xcr0 & BIT_ULL(i)))
			continue;
		host(L1VMM_CPUID_XSTATE, i, &r);
		r = (struct l1vmm_cpuid_regs){
			.eax = r.eax, .ebx = r.ebx, .ecx = r.ecx & L1VMM_XSTATE_ECX_ALIGN64,
		};
		e = add(e, L1VMM_CPUID_XSTATE, i, true, &r);
	}
	return e;
}

/* "KVMKVMKVM\0\0\0" in EBX, ECX, EDX; EAX the last PV leaf. */
static struct kvm_cpuid_entry2 *add_kvm_leaves(struct kvm_cpuid_entry2 *e)
{
	struct l1vmm_cpuid_regs r = {
		.eax = KVM_PV_FEATURES_LEAF,
		.ebx = 0x4b4d564b, .ecx = 0x564b4d56, .edx = 0x0000004d,
	};

	e = add(e, KVM_PV_SIGNATURE_LEAF, 0, false, &r);
	r = (struct l1vmm_cpuid_regs){ .eax = KVM_PV_FEATURES };
	return add(e, KVM_PV_FEATURES_LEAF, 0, false, &r);
}

unsigned int l1vmm_supported_cpuid(l1vmm_host_cpuid_fn host, unsigned int gpa_bits,
				   u64 xcr0, struct kvm_cpuid_entry2 *out)
{
	struct kvm_cpuid_entry2 *e = out;
	struct l1vmm_cpuid_regs r;
	u32 max_basic, max_ext, leaf;
	u32 leaf1_ecx = LEAF1_ECX, leaf7_ebx = LEAF7_EBX;

	xcr0 &= OFFERED_XCR0;
	if (!(xcr0 & L1VMM_XF(X87)))
		xcr0 = 0;	/* no XSAVE on the host */
	if (xcr0)
		leaf1_ecx |= LEAF1_ECX_XSAVE;
	if (xcr0 & L1VMM_XF(YMM)) {
		leaf1_ecx |= LEAF1_ECX_AVX;
		leaf7_ebx |= LEAF7_EBX_AVX;
	}

	host(0, 0, &r);
	max_basic = min_u32(r.eax, xcr0 ? L1VMM_CPUID_XSTATE : LAST_BASIC_LEAF);
	r.eax = max_basic;
	e = add(e, 0, 0, false, &r);

	host(1, 0, &r);
	r.ebx &= LEAF1_EBX;
	/*
	 * Not the hypervisor bit: KVM leaves that to user space too. x2APIC
	 * whatever the host has: the in-kernel APIC emulates it, as KVM's.
	 */
	r.ecx = (r.ecx & leaf1_ecx) | LEAF1_ECX_X2APIC;
	r.edx &= LEAF1_EDX;
	e = add(e, 1, 0, false, &r);

	if (max_basic >= 7) {
		host(7, 0, &r);
		r = (struct l1vmm_cpuid_regs){
			.ebx = (r.ebx & leaf7_ebx) | LEAF7_EBX_EMULATED,
			.ecx = r.ecx & LEAF7_ECX,
		};
		e = add(e, 7, 0, true, &r);
	}
	if (xcr0 && max_basic >= L1VMM_CPUID_XSTATE)
		e = add_xstate(e, host, xcr0);

	host(0x80000000, 0, &r);
	if (r.eax < 0x80000001)
		return add_kvm_leaves(e) - out;
	max_ext = min_u32(r.eax, LAST_EXT_LEAF);
	r.eax = max_ext;
	e = add(e, 0x80000000, 0, false, &r);

	host(0x80000001, 0, &r);
	r.ebx = 0;
	r.ecx &= EXT1_ECX;
	r.edx &= EXT1_EDX;
	e = add(e, 0x80000001, 0, false, &r);

	/* Brand string and cache descriptions: information only. */
	for (leaf = 0x80000002; leaf <= min_u32(max_ext, 0x80000006); leaf++) {
		host(leaf, 0, &r);
		e = add(e, leaf, 0, false, &r);
	}

	if (max_ext >= 0x80000008) {
		host(0x80000008, 0, &r);
		/* EAX 7:0 physical, 15:8 linear address bits; no IBPB and friends. */
		r = (struct l1vmm_cpuid_regs){
			.eax = (r.eax & 0xff00) | min_u32(r.eax & 0xff, gpa_bits),
		};
		e = add(e, 0x80000008, 0, false, &r);
	}
	return add_kvm_leaves(e) - out;
}
