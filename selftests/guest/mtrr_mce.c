// SPDX-License-Identifier: GPL-2.0-only
/*
 * MTRRs, the machine-check registers and the feature MSRs, as KVM has them:
 * the MSRs QEMU writes at every vCPU reset, the guest's RDMSR/WRMSR of
 * them with KVM's #GP rules, KVM_X86_SETUP_MCE / KVM_X86_SET_MCE (an #MC
 * taken by the guest's handler, a second one while MCIP a shutdown), and
 * the system file's feature MSRs. Runs against l1vmm and KVM.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "kvm_vm.h"

#define MSR_MTRRCAP		0xfe
#define MSR_MTRR_DEF_TYPE	0x2ff
#define MSR_MCG_CAP		0x179
#define MSR_MCG_STATUS		0x17a
#define MSR_MCG_CTL		0x17b
#define MSR_MC0_CTL		0x400
#define MSR_UCODE_REV		0x8b
#define MSR_ARCH_CAPABILITIES	0x10a
#define MSR_PERF_CAPABILITIES	0x345
#define MSR_AMD64_DE_CFG	0xc0011029
#define MSR_TSC			0x10

#define MCG_CTL_P		(1ull << 8)
#define MCG_CMCI_P		(1ull << 10)
#define MCG_SER_P		(1ull << 24)
#define MCG_LMCE_P		(1ull << 27)
#define MCG_STATUS_RIPV_EIPV_MCIP	0x7ull
#define MCI_STATUS_VAL		(1ull << 63)
#define MCI_STATUS_OVER		(1ull << 62)
#define MCI_STATUS_UC		(1ull << 61)
#define MCI_STATUS_EN		(1ull << 60)
#define MCI_STATUS_PCC		(1ull << 57)
#define CR4_MCE			(1ull << 6)

#define CODE_GPA		0x1000
#define GP_HANDLER_GPA		0x2000
#define MC_HANDLER_GPA		0x3000
#define GP_PORT			0x13
#define MC_PORT			0x12
#define OUT_PORT		0x10

#define ONES			(~0ull)

/*
 * kvm-amd keeps MCG_CAP's bits 8:0 of KVM_X86_SETUP_MCE's value
 * (svm_setup_mce()), kvm-intel all of it; l1vmm as the vendor module.
 */
static uint64_t mcg_cap_kept(uint64_t set)
{
	return cpu_has_flag("svm") ? set & 0x1ff : set;
}

/* The fixed-range MTRRs, in the order QEMU writes them. */
static const uint32_t fixed_mtrrs[] = {
	0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d, 0x26e, 0x26f,
};

struct msrs {
	struct kvm_msrs hdr;
	struct kvm_msr_entry e[128];
};

static long msrs_io(int fd, unsigned long ioctl_nr, struct msrs *m, unsigned int n)
{
	m->hdr.nmsrs = n;
	return dev_ioctl(fd, ioctl_nr, (unsigned long)m);
}

static long get_msr(struct test_vcpu *vcpu, uint32_t index, uint64_t *val)
{
	struct msrs m = { .e[0].index = index };
	long r = msrs_io(vcpu->fd, KVM_GET_MSRS, &m, 1);

	*val = m.e[0].data;
	return r;
}

static long set_msr(struct test_vcpu *vcpu, uint32_t index, uint64_t val)
{
	struct msrs m = { .e[0] = { .index = index, .data = val } };

	return msrs_io(vcpu->fd, KVM_SET_MSRS, &m, 1);
}

static void add(struct msrs *m, unsigned int *n, uint32_t index, uint64_t val)
{
	m->e[*n].index = index;
	m->e[*n].data = val;
	(*n)++;
}

/* Real-mode code with a #GP handler (vector 13) that reports on GP_PORT and halts. */
static void gp_guest_start(struct test_guest *g, const unsigned char *code, size_t len)
{
	static const unsigned char handler[] = { 0xe6, GP_PORT, 0xf4 };	/* out; hlt */
	uint16_t ivt_entry[2] = { GP_HANDLER_GPA, 0 };

	guest_start_real_mode(g, 0x10000, CODE_GPA, code, len);
	memcpy(g->mem + GP_HANDLER_GPA, handler, sizeof(handler));
	memcpy(g->mem + 13 * 4, ivt_entry, sizeof(ivt_entry));
}

static void test_caps(void)
{
	struct test_vm vm;
	uint64_t cap = 0;

	vm_create(&vm);
	ASSERT_EQ(32, dev_ioctl(vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_MCE));
	ASSERT_EQ(32, dev_ioctl(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_MCE));
	ASSERT_EQ(1, dev_ioctl(vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_GET_MSR_FEATURES));
	ASSERT_IOCTL_OK(vm.sys_fd, KVM_X86_GET_MCE_CAP_SUPPORTED, &cap);
	/*
	 * kvm-amd's: MCG_CTL_P and MCG_SER_P. kvm-intel adds LMCE and, in
	 * Debian's 6.1 (upstream since 6.2), CMCI: 0x9000500. l1vmm offers
	 * neither (doc/abi.md, "On VMX").
	 */
	ktap_info("KVM_X86_GET_MCE_CAP_SUPPORTED %#llx", (unsigned long long)cap);
	if (!cpu_has_flag("svm") && !dev_is_l1vmm())
		ASSERT_EQ(MCG_CTL_P | MCG_SER_P | MCG_LMCE_P, cap & ~MCG_CMCI_P);
	else
		ASSERT_EQ(MCG_CTL_P | MCG_SER_P, cap);
	ASSERT_IOCTL_ERRNO(vm.sys_fd, KVM_X86_GET_MCE_CAP_SUPPORTED, NULL, EFAULT);
	vm_close(&vm);
}

/*
 * KVM_GET_MSR_INDEX_LIST: MCG_STATUS and MCG_CTL listed (QEMU saves them),
 * MCG_CAP and the MTRRs not (user space knows those from CPUID and
 * KVM_X86_SETUP_MCE), as in KVM.
 */
static void test_index_list(void)
{
	struct {
		struct kvm_msr_list hdr;
		uint32_t indices[1024];
	} list = { .hdr.nmsrs = 1024 };
	bool status = false, ctl = false;
	struct test_guest g;
	unsigned int i;
	uint64_t v;
	int fd = dev_open();

	ASSERT_IOCTL_OK(fd, KVM_GET_MSR_INDEX_LIST, &list);
	close(fd);
	guest_start_real_mode(&g, 0x10000, CODE_GPA, "\xf4", 1);
	for (i = 0; i < list.hdr.nmsrs; i++) {
		uint32_t msr = list.indices[i];

		status |= msr == MSR_MCG_STATUS;
		ctl |= msr == MSR_MCG_CTL;
		TEST_ASSERT(msr != MSR_MCG_CAP && msr != MSR_MTRRCAP && msr != MSR_MTRR_DEF_TYPE &&
			    !(msr >= 0x200 && msr < 0x210) && !(msr >= 0x250 && msr < 0x270) &&
			    !(msr >= MSR_MC0_CTL && msr < MSR_MC0_CTL + 128),
			    "MSR %#x listed", msr);
		/*
		 * Every MSR l1vmm lists is one user space can read back (KVM
		 * lists some only readable with a CPUID that names them).
		 */
		if (dev_is_l1vmm())
			TEST_ASSERT(get_msr(&g.vcpu, msr, &v) == 1, "listed MSR %#x not readable", msr);
	}
	TEST_ASSERT(status && ctl, "MCG_STATUS %d, MCG_CTL %d listed", status, ctl);
	guest_stop(&g);
}

/*
 * What QEMU writes with KVM_SET_MSRS at every vCPU reset (kvm_put_msrs()):
 * MTRRdefType, the fixed and variable MTRRs, MCG_STATUS, MCG_CTL and every
 * bank's four registers after KVM_X86_SETUP_MCE. All are taken, in one call.
 */
static void test_reset_msrs(void)
{
	static struct msrs m, r;
	struct test_guest g;
	unsigned int i, n = 0;
	uint64_t v;

	guest_start_real_mode(&g, 0x10000, CODE_GPA, "\xf4", 1);
	/* Before KVM_X86_SETUP_MCE: 32 banks, no MCG_CTL_P, CTLs 0. */
	ASSERT_EQ(1, get_msr(&g.vcpu, MSR_MCG_CAP, &v));
	ASSERT_EQ(32, v);
	ASSERT_EQ(1, get_msr(&g.vcpu, MSR_MC0_CTL + 4 * 31, &v));
	ASSERT_EQ(0, v);
	ASSERT_EQ(1, set_msr(&g.vcpu, MSR_MCG_CTL, 0));		/* user space may write 0 */
	ASSERT_EQ(0, set_msr(&g.vcpu, MSR_MCG_CTL, ONES));
	ASSERT_EQ(1, get_msr(&g.vcpu, MSR_MTRRCAP, &v));
	ASSERT_EQ(0x508, v);
	ASSERT_EQ(0, set_msr(&g.vcpu, MSR_MTRRCAP, 0x508));	/* read-only */
	ASSERT_EQ(0, set_msr(&g.vcpu, MSR_MCG_CAP, 32));	/* KVM_X86_SETUP_MCE's */

	/* QEMU's MCG_CAP: 10 banks, MCG_CTL_P, MCG_SER_P. */
	v = 10 | MCG_CTL_P | MCG_SER_P;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_X86_SETUP_MCE, &v);

	add(&m, &n, MSR_MTRR_DEF_TYPE, 0);
	for (i = 0; i < KTAP_ARRAY_SIZE(fixed_mtrrs); i++)
		add(&m, &n, fixed_mtrrs[i], 0);
	for (i = 0; i < 16; i++)
		add(&m, &n, 0x200 + i, 0);
	add(&m, &n, MSR_MCG_STATUS, 0);
	add(&m, &n, MSR_MCG_CTL, ONES);
	for (i = 0; i < 40; i++)
		add(&m, &n, MSR_MC0_CTL + i, i % 4 ? 0 : ONES);
	ASSERT_EQ(n, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, n));

	/* And read back; then values a guest's firmware would set. */
	for (i = 0; i < n; i++)
		r.e[i].index = m.e[i].index;
	ASSERT_EQ(n, msrs_io(g.vcpu.fd, KVM_GET_MSRS, &r, n));
	for (i = 0; i < n; i++)
		TEST_ASSERT(r.e[i].data == m.e[i].data, "MSR %#x: wanted %#llx, got %#llx",
			    m.e[i].index, (unsigned long long)m.e[i].data,
			    (unsigned long long)r.e[i].data);
	n = 0;
	add(&m, &n, MSR_MTRR_DEF_TYPE, 0xc06);
	add(&m, &n, 0x250, 0x0606060606060606ull);
	add(&m, &n, 0x259, 0x0000000001010101ull);
	add(&m, &n, 0x26f, 0x0505050504040404ull);
	add(&m, &n, 0x200, 0x80000000ull);
	add(&m, &n, 0x201, 0xf80000800ull);
	add(&m, &n, MSR_MC0_CTL + 4 * 9 + 1, MCI_STATUS_VAL | 0x17);	/* user space: any STATUS */
	add(&m, &n, MSR_MC0_CTL + 4 * 9 + 2, 0x12345000);
	ASSERT_EQ(n, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, n));
	for (i = 0; i < n; i++)
		r.e[i].index = m.e[i].index;
	ASSERT_EQ(n, msrs_io(g.vcpu.fd, KVM_GET_MSRS, &r, n));
	for (i = 0; i < n; i++)
		TEST_ASSERT(r.e[i].data == m.e[i].data, "MSR %#x: wanted %#llx, got %#llx",
			    m.e[i].index, (unsigned long long)m.e[i].data,
			    (unsigned long long)r.e[i].data);

	/* Running the guest keeps them; MCG_CAP too. */
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_EQ(1, get_msr(&g.vcpu, MSR_MTRR_DEF_TYPE, &v));
	ASSERT_EQ(0xc06, v);
	ASSERT_EQ(1, get_msr(&g.vcpu, MSR_MCG_CAP, &v));
	ASSERT_EQ(mcg_cap_kept(10 | MCG_CTL_P | MCG_SER_P), v);
	/* Bank 10 does not exist now; processing stops there. */
	m.e[0] = (struct kvm_msr_entry){ .index = MSR_MC0_CTL + 4 * 9 };
	m.e[1] = (struct kvm_msr_entry){ .index = MSR_MC0_CTL + 4 * 10 };
	ASSERT_EQ(1, msrs_io(g.vcpu.fd, KVM_GET_MSRS, &m, 2));
	ASSERT_EQ(1, msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, 2));
	guest_stop(&g);
}

/* Values KVM_SET_MSRS refuses, where KVM's refuse them: the call stops there. */
static void test_refused_values(void)
{
	static const struct kvm_msr_entry bad[] = {
		{ MSR_MTRR_DEF_TYPE, 0, 0x2 },			/* type 2 */
		{ MSR_MTRR_DEF_TYPE, 0, 0x7 },			/* UC- is PAT's only */
		{ MSR_MTRR_DEF_TYPE, 0, 0x1006 },		/* bit 12 */
		{ MSR_MTRR_DEF_TYPE, 0, 0x106 },		/* bit 8 */
		{ 0x250, 0, 0x0606060606060603ull },
		{ 0x26f, 0, 0x0806060606060606ull },
		{ 0x200, 0, 0x80000003ull },			/* base type 3 */
		{ 0x200, 0, 0x80000806ull },			/* base bit 11 */
		{ 0x200, 0, 0x1000000006ull },			/* bit 36: default MAXPHYADDR 36 */
		{ 0x201, 0, 0x80000400ull },			/* mask bit 10 */
		{ 0x20f, 0, 0x1000000800ull },
		{ 0x210, 0, 0 },				/* no 9th range */
		{ 0x251, 0, 0 },
		{ MSR_MCG_CTL, 0, 1 },				/* 0 or all ones */
		{ MSR_MC0_CTL, 0, 0x2 },			/* 0 or all ones (bits 10, 0 free) */
		{ MSR_MC0_CTL + 8, 0, 0 },			/* bank 2 of 2 */
		{ 0x281, 0, 1 },				/* CTL2: no CMCI */
	};
	struct test_guest g;
	struct msrs m;
	unsigned int i;
	uint64_t v = 2 | MCG_CTL_P;

	guest_start_real_mode(&g, 0x10000, CODE_GPA, "\xf4", 1);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_X86_SETUP_MCE, &v);
	for (i = 0; i < KTAP_ARRAY_SIZE(bad); i++) {
		m.e[0] = (struct kvm_msr_entry){ .index = 0x250, .data = 0x0606060606060606ull };
		m.e[1] = bad[i];
		TEST_ASSERT(msrs_io(g.vcpu.fd, KVM_SET_MSRS, &m, 2) == 1,
			    "MSR %#x = %#llx accepted", bad[i].index,
			    (unsigned long long)bad[i].data);
	}
	/* Accepted: all ones but bits 10 and 0 in a bank's CTL, CTL2 0 from user space. */
	ASSERT_EQ(1, set_msr(&g.vcpu, MSR_MC0_CTL + 4, ~0x401ull));
	ASSERT_EQ(1, set_msr(&g.vcpu, 0x281, 0));
	ASSERT_EQ(1, get_msr(&g.vcpu, 0x281, &v));
	ASSERT_EQ(0, v);
	guest_stop(&g);
}

/* The guest's RDMSR and WRMSR of the MTRRs. */
GUEST_CODE(mtrr_guest, ".code16",
	"mov $0xfe, %ecx\n\t"
	"rdmsr\n\t"
	"out %eax, $0x10\n\t"
	"mov $0x2ff, %ecx\n\t"
	"mov $0xc06, %eax\n\t"
	"xor %edx, %edx\n\t"
	"wrmsr\n\t"
	"mov $0x200, %ecx\n\t"
	"mov $0x80000006, %eax\n\t"
	"wrmsr\n\t"
	"mov $0x201, %ecx\n\t"
	"mov $0x80000800, %eax\n\t"
	"mov $0xf, %edx\n\t"
	"wrmsr\n\t"
	"mov $0x259, %ecx\n\t"
	"mov $0x06060606, %eax\n\t"
	"mov $0x05050505, %edx\n\t"
	"wrmsr\n\t"
	"mov $0x2ff, %ecx\n\t"
	"rdmsr\n\t"
	"out %eax, $0x10\n\t"
	"mov $0x201, %ecx\n\t"
	"rdmsr\n\t"
	"out %eax, $0x10\n\t"
	"mov %edx, %eax\n\t"
	"out %eax, $0x10\n\t"
	"mov $0x259, %ecx\n\t"
	"rdmsr\n\t"
	"mov %edx, %eax\n\t"
	"out %eax, $0x10\n\t"
	"hlt\n\t");

static void test_guest_mtrr(void)
{
	struct test_guest g;
	uint64_t v;

	guest_start_real_mode(&g, 0x10000, CODE_GPA, mtrr_guest, GUEST_CODE_SIZE(mtrr_guest));
	ASSERT_EQ(0x508, vcpu_run_out32(&g.vcpu, OUT_PORT));
	ASSERT_EQ(0xc06, vcpu_run_out32(&g.vcpu, OUT_PORT));
	ASSERT_EQ(0x80000800, vcpu_run_out32(&g.vcpu, OUT_PORT));
	ASSERT_EQ(0xf, vcpu_run_out32(&g.vcpu, OUT_PORT));
	ASSERT_EQ(0x05050505, vcpu_run_out32(&g.vcpu, OUT_PORT));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_EQ(1, get_msr(&g.vcpu, 0x200, &v));
	ASSERT_EQ(0x80000006, v);
	ASSERT_EQ(1, get_msr(&g.vcpu, 0x201, &v));
	ASSERT_EQ(0xf80000800ull, v);
	ASSERT_EQ(1, get_msr(&g.vcpu, 0x259, &v));
	ASSERT_EQ(0x0505050506060606ull, v);
	guest_stop(&g);
}

/* A guest WRMSR/RDMSR that must #GP: ECX, EDX:EAX, and whether it is a write. */
struct gp_case {
	uint32_t msr;
	uint64_t val;
	bool write;
	uint64_t mcg_cap;	/* KVM_X86_SETUP_MCE first, if not 0 */
};

static void run_gp_case(const struct gp_case *c)
{
	unsigned char code[] = {
		0x66, 0xb9, 0, 0, 0, 0,		/* mov ecx, imm32 */
		0x66, 0xb8, 0, 0, 0, 0,		/* mov eax, imm32 */
		0x66, 0xba, 0, 0, 0, 0,		/* mov edx, imm32 */
		0x0f, 0x30,			/* wrmsr (or rdmsr) */
		0xf4,
	};
	uint32_t lo = c->val, hi = c->val >> 32;
	struct test_guest g;

	memcpy(code + 2, &c->msr, 4);
	memcpy(code + 8, &lo, 4);
	memcpy(code + 14, &hi, 4);
	if (!c->write)
		code[19] = 0x32;
	gp_guest_start(&g, code, sizeof(code));
	if (c->mcg_cap)
		ASSERT_IOCTL_OK(g.vcpu.fd, KVM_X86_SETUP_MCE, &c->mcg_cap);
	vcpu_run(&g.vcpu);
	TEST_ASSERT(g.vcpu.run->exit_reason == KVM_EXIT_IO && g.vcpu.run->io.port == GP_PORT,
		    "%s %#x (%#llx): wanted #GP, got exit %s", c->write ? "WRMSR" : "RDMSR",
		    c->msr, (unsigned long long)c->val, exit_reason_name(g.vcpu.run->exit_reason));
	guest_stop(&g);
}

/* The #GPs KVM raises for the guest's MTRR and machine-check MSR accesses. */
static void test_guest_gp(void)
{
	static const struct gp_case cases[] = {
		{ MSR_MTRRCAP, 0x508, true, 0 },
		{ MSR_MTRR_DEF_TYPE, 0x2, true, 0 },
		{ MSR_MTRR_DEF_TYPE, 0x1006, true, 0 },
		{ 0x200, 0x80000007ull, true, 0 },
		{ 0x201, 0x1000000800ull, true, 0 },		/* beyond MAXPHYADDR 36 */
		{ 0x201, 0x80000001ull, true, 0 },
		{ 0x26a, 0x0606060606060602ull, true, 0 },
		{ 0x210, 0, false, 0 },
		{ MSR_MCG_CAP, 32, true, 0 },
		{ MSR_MCG_CTL, 0, false, 0 },			/* no MCG_CTL_P */
		{ MSR_MCG_CTL, 0, true, 0 },
		{ MSR_MCG_CTL, 1, true, 2 | MCG_CTL_P },
		{ MSR_MC0_CTL + 8, 0, false, 2 },		/* bank 2 of 2 */
		{ MSR_MC0_CTL, 0x5, true, 2 },
		{ MSR_MC0_CTL + 1, 1, true, 2 },		/* STATUS: the guest only clears it */
		{ 0x280, 0, false, 2 },				/* CTL2: no CMCI */
		{ 0x280, 0, true, 2 },
	};
	unsigned int i;

	for (i = 0; i < KTAP_ARRAY_SIZE(cases); i++)
		run_gp_case(&cases[i]);
}

/* The guest's own accesses that succeed: MCG_CAP, MCG_CTL, a bank. */
GUEST_CODE(mce_msr_guest, ".code16",
	"mov $0x179, %ecx\n\t"
	"rdmsr\n\t"
	"out %eax, $0x10\n\t"
	"mov $0x17b, %ecx\n\t"
	"xor %eax, %eax\n\t"
	"xor %edx, %edx\n\t"
	"wrmsr\n\t"
	"rdmsr\n\t"
	"out %eax, $0x10\n\t"
	"mov $0x405, %ecx\n\t"
	"wrmsr\n\t"				/* clear bank 1's STATUS */
	"mov $0x404, %ecx\n\t"
	"wrmsr\n\t"				/* disable bank 1 */
	"mov $0x406, %ecx\n\t"
	"mov $0xabc000, %eax\n\t"
	"wrmsr\n\t"
	"rdmsr\n\t"
	"out %eax, $0x10\n\t"
	"mov $0x17a, %ecx\n\t"
	"mov $0x4, %eax\n\t"
	"wrmsr\n\t"
	"hlt\n\t");

static void test_guest_mce_msrs(void)
{
	struct test_guest g;
	uint64_t v = 2 | MCG_CTL_P | MCG_SER_P;

	guest_start_real_mode(&g, 0x10000, CODE_GPA, mce_msr_guest,
			      GUEST_CODE_SIZE(mce_msr_guest));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_X86_SETUP_MCE, &v);
	ASSERT_EQ(1, set_msr(&g.vcpu, MSR_MC0_CTL + 5, MCI_STATUS_VAL));
	ASSERT_EQ(mcg_cap_kept(2 | MCG_CTL_P | MCG_SER_P), vcpu_run_out32(&g.vcpu, OUT_PORT));
	ASSERT_EQ(0, vcpu_run_out32(&g.vcpu, OUT_PORT));
	ASSERT_EQ(0xabc000, vcpu_run_out32(&g.vcpu, OUT_PORT));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_EQ(1, get_msr(&g.vcpu, MSR_MC0_CTL + 5, &v));
	ASSERT_EQ(0, v);
	ASSERT_EQ(1, get_msr(&g.vcpu, MSR_MC0_CTL + 4, &v));
	ASSERT_EQ(0, v);
	ASSERT_EQ(1, get_msr(&g.vcpu, MSR_MCG_STATUS, &v));
	ASSERT_EQ(4, v);
	ASSERT_EQ(1, get_msr(&g.vcpu, MSR_MCG_CTL, &v));
	ASSERT_EQ(0, v);
	guest_stop(&g);
}

static void test_setup_mce(void)
{
	static const uint64_t bad[] = {
		0, 33, 0xff, 2 | MCG_CMCI_P, 2 | (1ull << 9), 2 | (1ull << 32), 2 | (1ull << 11),
	};
	uint64_t v, supported = 0;
	struct test_guest g;
	unsigned int i;

	guest_start_real_mode(&g, 0x10000, CODE_GPA, "\xf4", 1);
	ASSERT_IOCTL_OK(g.vm.sys_fd, KVM_X86_GET_MCE_CAP_SUPPORTED, &supported);
	for (i = 0; i < KTAP_ARRAY_SIZE(bad); i++)
		if (!(bad[i] & supported & MCG_CMCI_P))		/* kvm-intel's CMCI */
			ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_X86_SETUP_MCE, &bad[i], EINVAL);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_X86_SETUP_MCE, NULL, EFAULT);
	ASSERT_EQ(1, get_msr(&g.vcpu, MSR_MCG_CAP, &v));
	ASSERT_EQ(32, v);
	/*
	 * The count and the extended count (bits 23:16) are free; kvm-amd
	 * then keeps bits 8:0 of MCG_CAP only (svm_setup_mce()).
	 */
	v = 32 | (0x5ull << 16) | MCG_SER_P;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_X86_SETUP_MCE, &v);
	ASSERT_EQ(1, get_msr(&g.vcpu, MSR_MCG_CAP, &v));
	ASSERT_EQ(mcg_cap_kept(32 | (0x5ull << 16) | MCG_SER_P), v);
	ASSERT_EQ(1, get_msr(&g.vcpu, MSR_MC0_CTL + 4 * 31, &v));
	ASSERT_EQ(ONES, v);
	guest_stop(&g);
}

/*
 * The #MC handler (vector 18) reports bank 1's STATUS and MCG_STATUS on
 * MC_PORT and halts; the main code halts in a loop.
 */
GUEST_CODE(mc_handler, ".code16",
	"mov $0x405, %ecx\n\t"
	"rdmsr\n\t"
	"out %eax, $0x12\n\t"
	"mov %edx, %eax\n\t"
	"out %eax, $0x12\n\t"
	"mov $0x17a, %ecx\n\t"
	"rdmsr\n\t"
	"out %eax, $0x12\n\t"
	"hlt\n\t");

GUEST_CODE(hlt_loop, ".code16",
	"1: hlt\n\t"
	"jmp 1b\n\t");

static void mc_guest_start(struct test_guest *g, uint64_t mcg_cap, bool cr4_mce)
{
	uint16_t ivt_entry[2] = { MC_HANDLER_GPA, 0 };

	guest_start_real_mode(g, 0x10000, CODE_GPA, hlt_loop, GUEST_CODE_SIZE(hlt_loop));
	memcpy(g->mem + MC_HANDLER_GPA, mc_handler, GUEST_CODE_SIZE(mc_handler));
	memcpy(g->mem + 18 * 4, ivt_entry, sizeof(ivt_entry));
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_X86_SETUP_MCE, &mcg_cap);
	if (cr4_mce)
		vcpu_set_cr4_bits(&g->vcpu, CR4_MCE);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g->vcpu));
}

/* An uncorrected error: #MC in the guest; another one during it: shutdown. */
static void test_set_mce_uc(void)
{
	const uint64_t uc = MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN | MCI_STATUS_PCC | 0x17;
	struct kvm_x86_mce mce = {
		.status = uc, .addr = 0x123000, .misc = 0x86,
		.mcg_status = MCG_STATUS_RIPV_EIPV_MCIP, .bank = 1,
	};
	struct kvm_vcpu_events ev;
	struct test_guest g;
	uint64_t v;

	mc_guest_start(&g, 2 | MCG_CTL_P | MCG_SER_P, true);
	/* No such bank, or no VAL: EINVAL. */
	mce.bank = 2;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_X86_SET_MCE, &mce, EINVAL);
	mce.bank = 1;
	mce.status = uc & ~MCI_STATUS_VAL;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_X86_SET_MCE, &mce, EINVAL);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_X86_SET_MCE, NULL, EFAULT);
	mce.status = uc;

	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_X86_SET_MCE, &mce);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_VCPU_EVENTS, &ev);
	TEST_ASSERT((ev.exception.injected || ev.exception.pending) && ev.exception.nr == 18,
		    "wanted #MC pending, got injected %u pending %u nr %u",
		    ev.exception.injected, ev.exception.pending, ev.exception.nr);
	ASSERT_EQ(1, get_msr(&g.vcpu, MSR_MC0_CTL + 6, &v));
	ASSERT_EQ(0x123000, v);
	ASSERT_EQ(1, get_msr(&g.vcpu, MSR_MC0_CTL + 7, &v));
	ASSERT_EQ(0x86, v);
	ASSERT_EQ((uint32_t)uc, vcpu_run_out32(&g.vcpu, MC_PORT));
	ASSERT_EQ(uc >> 32, vcpu_run_out32(&g.vcpu, MC_PORT));
	ASSERT_EQ(MCG_STATUS_RIPV_EIPV_MCIP, vcpu_run_out32(&g.vcpu, MC_PORT));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));

	/* MCIP still set: the next uncorrected error shuts the guest down, unlogged. */
	mce.addr = 0x456000;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_X86_SET_MCE, &mce);
	ASSERT_EQ(KVM_EXIT_SHUTDOWN, vcpu_run(&g.vcpu));
	ASSERT_EQ(1, get_msr(&g.vcpu, MSR_MC0_CTL + 6, &v));
	ASSERT_EQ(0x123000, v);
	guest_stop(&g);
}

/* CR4.MCE clear: an uncorrected error shuts the guest down. */
static void test_set_mce_no_cr4_mce(void)
{
	struct kvm_x86_mce mce = {
		.status = MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN | MCI_STATUS_PCC,
		.mcg_status = MCG_STATUS_RIPV_EIPV_MCIP, .bank = 0,
	};
	struct test_guest g;

	mc_guest_start(&g, 1 | MCG_CTL_P, false);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_X86_SET_MCE, &mce);
	ASSERT_EQ(KVM_EXIT_SHUTDOWN, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

/*
 * Corrected errors only update the bank (OVER when it held one); an
 * uncorrected one with reporting disabled (MCG_CTL or the bank's CTL not
 * all ones) is dropped. Neither raises #MC, even with CR4.MCE clear.
 */
static void test_set_mce_logged_only(void)
{
	struct kvm_x86_mce mce = {
		.status = MCI_STATUS_VAL | MCI_STATUS_EN | 0x5, .addr = 0x1000, .bank = 0,
	};
	struct test_guest g;
	uint64_t v;

	mc_guest_start(&g, 2 | MCG_CTL_P, false);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_X86_SET_MCE, &mce);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_EQ(1, get_msr(&g.vcpu, MSR_MC0_CTL + 1, &v));
	ASSERT_EQ(mce.status, v);
	mce.addr = 0x2000;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_X86_SET_MCE, &mce);
	ASSERT_EQ(1, get_msr(&g.vcpu, MSR_MC0_CTL + 1, &v));
	ASSERT_EQ(mce.status | MCI_STATUS_OVER, v);
	ASSERT_EQ(1, get_msr(&g.vcpu, MSR_MC0_CTL + 2, &v));
	ASSERT_EQ(0x2000, v);

	/* Uncorrected, bank 1 disabled, then MCG_CTL 0: dropped. */
	mce = (struct kvm_x86_mce){
		.status = MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_PCC,
		.mcg_status = MCG_STATUS_RIPV_EIPV_MCIP, .bank = 1,
	};
	ASSERT_EQ(1, set_msr(&g.vcpu, MSR_MC0_CTL + 4, 0));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_X86_SET_MCE, &mce);
	ASSERT_EQ(1, set_msr(&g.vcpu, MSR_MC0_CTL + 4, ONES));
	ASSERT_EQ(1, set_msr(&g.vcpu, MSR_MCG_CTL, 0));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_X86_SET_MCE, &mce);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_EQ(1, get_msr(&g.vcpu, MSR_MC0_CTL + 5, &v));
	ASSERT_EQ(0, v);
	ASSERT_EQ(1, get_msr(&g.vcpu, MSR_MCG_STATUS, &v));
	ASSERT_EQ(0, v);
	guest_stop(&g);
}

/* The VMX capability MSRs: kvm-intel's feature MSRs with nested VMX. */
#define MSR_VMX_BASIC		0x480
#define MSR_VMX_VMFUNC		0x491

/*
 * The feature MSRs on the system file: kvm-amd's list (AMD's DE_CFG, the
 * microcode revision, ARCH_CAPABILITIES as KVM computes it, and
 * PERF_CAPABILITIES 0), kvm-intel's without DE_CFG and, with nested VMX
 * (kvm-intel's default, not l1vmm's), the VMX MSRs before them;
 * KVM_GET_MSRS stops at any other MSR, its data 0.
 */
static void test_feature_msrs(void)
{
	static const uint32_t want[] = {
		MSR_AMD64_DE_CFG, MSR_UCODE_REV, MSR_ARCH_CAPABILITIES, MSR_PERF_CAPABILITIES,
	};
	struct {
		struct kvm_msr_list hdr;
		uint32_t indices[64];
	} list = { .hdr.nmsrs = 0 };
	uint64_t val[KTAP_ARRAY_SIZE(want)] = { 0 };
	static struct msrs m;
	unsigned int i, vmx = 0, n;
	bool amd = cpu_has_flag("svm");
	int fd = dev_open();

	ASSERT_IOCTL_ERRNO(fd, KVM_GET_MSR_FEATURE_INDEX_LIST, &list, E2BIG);
	n = list.hdr.nmsrs;
	TEST_ASSERT(n <= KTAP_ARRAY_SIZE(list.indices), "%u feature MSRs", n);
	ASSERT_IOCTL_OK(fd, KVM_GET_MSR_FEATURE_INDEX_LIST, &list);
	while (!amd && vmx < n && list.indices[vmx] >= MSR_VMX_BASIC &&
	       list.indices[vmx] <= MSR_VMX_VMFUNC)
		vmx++;
	if (vmx)
		ktap_info("%u VMX capability MSRs first (nested VMX)", vmx);
	TEST_ASSERT(!vmx || !dev_is_l1vmm(), "l1vmm lists %u VMX MSRs", vmx);
	ASSERT_EQ(KTAP_ARRAY_SIZE(want) - !amd, n - vmx);
	for (i = !amd; i < KTAP_ARRAY_SIZE(want); i++)
		TEST_ASSERT(list.indices[vmx + i - !amd] == want[i],
			    "feature MSR %u: wanted %#x, got %#x", vmx + i - !amd, want[i],
			    list.indices[vmx + i - !amd]);
	ASSERT_IOCTL_ERRNO(fd, KVM_GET_MSR_FEATURE_INDEX_LIST, NULL, EFAULT);

	/* Their values, into val[] in want[]'s order (DE_CFG stays 0 on Intel). */
	for (i = !amd; i < KTAP_ARRAY_SIZE(want); i++)
		m.e[i - !amd] = (struct kvm_msr_entry){ .index = want[i], .data = 0xdead };
	ASSERT_EQ(KTAP_ARRAY_SIZE(want) - !amd,
		  msrs_io(fd, KVM_GET_MSRS, &m, KTAP_ARRAY_SIZE(want) - !amd));
	for (i = !amd; i < KTAP_ARRAY_SIZE(want); i++)
		val[i] = m.e[i - !amd].data;
	ktap_info("DE_CFG %#llx, UCODE_REV %#llx, ARCH_CAPABILITIES %#llx, PERF_CAPABILITIES %#llx",
		  (unsigned long long)val[0], (unsigned long long)val[1],
		  (unsigned long long)val[2], (unsigned long long)val[3]);
	ASSERT_EQ(0, val[0] & ~2ull);			/* LFENCE_SERIALIZE at most */
	/* No PMU capabilities: l1vmm offers no PMU, kvm-amd none to give. */
	if (amd || dev_is_l1vmm())
		ASSERT_EQ(0, val[3]);
	/* KVM's own "not affected" bits: PSCHANGE_MC_NO always. */
	TEST_ASSERT(val[2] & (1ull << 6), "ARCH_CAPABILITIES %#llx without PSCHANGE_MC_NO",
		    (unsigned long long)val[2]);

	/* Stops at the first MSR that is not a feature MSR; its data is 0. */
	m.e[0] = (struct kvm_msr_entry){ .index = MSR_UCODE_REV };
	m.e[1] = (struct kvm_msr_entry){ .index = MSR_TSC, .data = 0xdead };
	m.e[2] = (struct kvm_msr_entry){ .index = MSR_AMD64_DE_CFG, .data = 0xdead };
	ASSERT_EQ(1, msrs_io(fd, KVM_GET_MSRS, &m, 3));
	ASSERT_EQ(0, m.e[1].data);
	ASSERT_EQ(0xdead, m.e[2].data);
	m.e[0] = (struct kvm_msr_entry){ .index = 0x12345678 };
	ASSERT_EQ(0, msrs_io(fd, KVM_GET_MSRS, &m, 1));
	ASSERT_EQ(0, msrs_io(fd, KVM_GET_MSRS, &m, 0));
	ASSERT_EQ(-E2BIG, msrs_io(fd, KVM_GET_MSRS, &m, 256));
	ASSERT_IOCTL_ERRNO(fd, KVM_GET_MSRS, NULL, EFAULT);
	close(fd);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_caps),
	KTAP_CASE(test_index_list),
	KTAP_CASE(test_feature_msrs),
	KTAP_CASE(test_reset_msrs),
	KTAP_CASE(test_refused_values),
	KTAP_CASE(test_guest_mtrr),
	KTAP_CASE(test_guest_gp),
	KTAP_CASE(test_guest_mce_msrs),
	KTAP_CASE(test_setup_mce),
	KTAP_CASE(test_set_mce_uc),
	KTAP_CASE(test_set_mce_no_cr4_mce),
	KTAP_CASE(test_set_mce_logged_only),
};

int main(void)
{
	return ktap_run(dev_is_l1vmm() ? "mtrr_mce" : "mtrr_mce@kvm", tests,
			KTAP_ARRAY_SIZE(tests));
}
