// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CPUID l1vmm supports for guests; see cpuid_supported.h. Bit positions
 * from the Intel SDM vol. 2 (CPUID) and the AMD APM vol. 3 (appendix E).
 *
 * Left out on purpose, until l1vmm implements what they need: XSAVE,
 * OSXSAVE, AVX and everything that depends on XCR0 (the xstate work);
 * MONITOR/MWAIT (intercepted, not emulated); x2APIC, MCE/MCA, MTRR (MSRs
 * l1vmm does not have); VMX/SVM (no nested virtualization); PCID/INVPCID,
 * PKU, LA57, CET.
 */
#include "l1vmm/cpuid_supported.h"

/* Leaf 1 ECX: SSE3, PCLMULQDQ, SSSE3, CX16, SSE4.1, SSE4.2, MOVBE, POPCNT, AES, RDRAND. */
#define LEAF1_ECX	(BIT(0) | BIT(1) | BIT(9) | BIT(13) | BIT(19) | BIT(20) | \
			 BIT(22) | BIT(23) | BIT(25) | BIT(30))
/*
 * Leaf 1 EDX: FPU, VME, DE, PSE, TSC, MSR, PAE, CX8, APIC, SEP, PGE, CMOV,
 * PAT, PSE36, CLFSH, MMX, FXSR, SSE, SSE2.
 */
#define LEAF1_EDX	(BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | \
			 BIT(8) | BIT(9) | BIT(11) | BIT(13) | BIT(15) | BIT(16) | \
			 BIT(17) | BIT(19) | BIT(23) | BIT(24) | BIT(25) | BIT(26))
/* Leaf 1 EBX: brand index and CLFLUSH line size; no APIC ID or thread count. */
#define LEAF1_EBX	0xffffU
/* Leaf 7.0 EBX: FSGSBASE, BMI1, SMEP, BMI2, ERMS, RDSEED, ADX, SMAP, CLFLUSHOPT, CLWB, SHA. */
#define LEAF7_EBX	(BIT(0) | BIT(3) | BIT(7) | BIT(8) | BIT(9) | BIT(18) | BIT(19) | \
			 BIT(20) | BIT(23) | BIT(24) | BIT(29))
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
#define LAST_EXT_LEAF		0x80000008

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

unsigned int l1vmm_supported_cpuid(l1vmm_host_cpuid_fn host, unsigned int gpa_bits,
				   struct kvm_cpuid_entry2 *out)
{
	struct kvm_cpuid_entry2 *e = out;
	struct l1vmm_cpuid_regs r;
	u32 max_basic, max_ext, leaf;

	host(0, 0, &r);
	max_basic = min_u32(r.eax, LAST_BASIC_LEAF);
	r.eax = max_basic;
	e = add(e, 0, 0, false, &r);

	host(1, 0, &r);
	r.ebx &= LEAF1_EBX;
	/* Not the hypervisor bit: KVM leaves that to user space too. */
	r.ecx &= LEAF1_ECX;
	r.edx &= LEAF1_EDX;
	e = add(e, 1, 0, false, &r);

	if (max_basic >= 7) {
		host(7, 0, &r);
		r = (struct l1vmm_cpuid_regs){
			.ebx = r.ebx & LEAF7_EBX, .ecx = r.ecx & LEAF7_ECX,
		};
		e = add(e, 7, 0, true, &r);
	}

	host(0x80000000, 0, &r);
	if (r.eax < 0x80000001)
		return e - out;
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
	return e - out;
}
