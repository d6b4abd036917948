// SPDX-License-Identifier: GPL-2.0-only
/*
 * vCPU state and VM switches that VMMs and test frameworks use:
 * KVM_CAP_EXCEPTION_PAYLOAD (pending exceptions and their CR2 or DR6
 * payload in KVM_GET/SET_VCPU_EVENTS), KVM_CAP_X86_TRIPLE_FAULT_EVENT,
 * KVM_GET/SET_SREGS2 with the PDPTEs of PAE paging, KVM_CAP_DISABLE_QUIRKS2
 * for the quirks l1vmm has (OUT to port 0x7e, MONITOR and MWAIT), and the
 * system file's KVM_HAS/GET_DEVICE_ATTR (KVM_X86_XCOMP_GUEST_SUPP). Runs
 * against l1vmm and KVM (vcpu_state@kvm).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm_vm.h"

#define MEM_SIZE	(4ul << 20)
#define CODE_GPA	0x1000
#define HANDLER_GPA	0x2000		/* one 16-byte slot per vector */
#define PM_CODE_GPA	0x10000
#define PDPT_GPA	0x7000
#define PD_GPA		0x8000
#define IDT_GPA		0xa000
#define GP_HANDLER_GPA	0xb000
#define REPORT_PORT	0x20
#define UD_PORT		0x66

#define DR6_RESET	0xffff0ff0ull
#define DR6_BS		(1ull << 14)
#define CR0_PG		(1ull << 31)
#define CR4_PAE		(1ull << 5)
#define X86_EFLAGS_TF	(1ull << 8)

#define QUIRKS_L1VMM	(KVM_X86_QUIRK_OUT_7E_INC_RIP | KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS | \
			 KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT | KVM_X86_QUIRK_FIX_HYPERCALL_INSN)
#define QUIRKS_KVM61	0x7full

/* The main code: wait; the vector handlers report what they see. */
GUEST_CODE(wait_code, ".code16", "hlt\n\thlt\n\t");

/* #DB: DR6 to the report port. #PF: CR2. */
GUEST_CODE(db_handler, ".code16",
	"mov %dr6, %eax\n\t"
	"out %eax, $0x20\n\t"
	"hlt\n\t");
GUEST_CODE(pf_handler, ".code16",
	"mov %cr2, %eax\n\t"
	"out %eax, $0x20\n\t"
	"hlt\n\t");
/* #UD: a port of its own. */
GUEST_CODE(ud_handler, ".code16",
	"out %al, $0x66\n\t"
	"hlt\n\t");

GUEST_CODE(out_7e, ".code16",
	"out %al, $0x7e\n\t"
	"out %al, $0x7f\n\t"
	"hlt\n\t");

GUEST_CODE(monitor_mwait, ".code16",
	"xor %eax, %eax\n\t"
	"xor %ecx, %ecx\n\t"
	"xor %edx, %edx\n\t"
	"monitor\n\t"
	"mwait\n\t"
	"out %al, $0x11\n\t"
	"hlt\n\t");

GUEST_CODE(nops, ".code16",
	"nop\n\t"
	"nop\n\t"
	"nop\n\t"
	"hlt\n\t");

GUEST_CODE(pae_code, ".code32",
	"out %al, $0x10\n\t"
	"hlt\n\t");

/*
 * MOV to CR4 under PAE paging: CR4 ^= EAX, the first PDPTE written from
 * EBX to (EDI) just before; then report, again and again. #GP reports on
 * its own port. (QEMU's emulator sets bit 5 of the PDPTE it walks, a
 * reserved bit, at each entry: the guest's own store puts the entry back
 * after the walk for the instructions, and no exit comes between it and
 * the write: kvm-amd intercepts the MOV from CR4.)
 */
GUEST_CODE(cr4_xor_code, ".code32",
	"1: out %al, $0x10\n\t"
	"mov %cr4, %ecx\n\t"
	"xor %eax, %ecx\n\t"
	"mov %ebx, (%edi)\n\t"
	"mov %ecx, %cr4\n\t"
	"out %al, $0x11\n\t"
	"jmp 1b\n\t");
GUEST_CODE(gp_handler32, ".code32",
	"out %al, $0x0d\n\t"
	"hlt\n\t");

static int enable_cap(struct test_vm *vm, uint32_t cap, uint64_t arg)
{
	struct kvm_enable_cap c = { .cap = cap, .args = { arg } };

	return ioctl(vm->fd, KVM_ENABLE_CAP, &c) ? -errno : 0;
}

/* A real-mode guest at wait_code with handlers for #DB, #PF and #UD in its IVT. */
static void start_guest(struct test_guest *g, const void *code, size_t len)
{
	uint16_t *ivt;

	guest_start_real_mode(g, MEM_SIZE, CODE_GPA, code, len);
	ivt = (uint16_t *)g->mem;
	memcpy(g->mem + HANDLER_GPA + 16 * 1, db_handler, GUEST_CODE_SIZE(db_handler));
	memcpy(g->mem + HANDLER_GPA + 16 * 6, ud_handler, GUEST_CODE_SIZE(ud_handler));
	memcpy(g->mem + HANDLER_GPA + 16 * 14, pf_handler, GUEST_CODE_SIZE(pf_handler));
	ivt[1 * 2] = HANDLER_GPA + 16 * 1;
	ivt[6 * 2] = HANDLER_GPA + 16 * 6;
	ivt[14 * 2] = HANDLER_GPA + 16 * 14;
	ivt[1 * 2 + 1] = ivt[6 * 2 + 1] = ivt[14 * 2 + 1] = 0;
}

static void get_events(struct test_vcpu *vcpu, struct kvm_vcpu_events *ev)
{
	memset(ev, 0xaa, sizeof(*ev));
	ASSERT_IOCTL_OK(vcpu->fd, KVM_GET_VCPU_EVENTS, ev);
}

static uint64_t get_cr2(struct test_vcpu *vcpu)
{
	struct kvm_sregs sregs;

	ASSERT_IOCTL_OK(vcpu->fd, KVM_GET_SREGS, &sregs);
	return sregs.cr2;
}

static uint64_t get_dr6(struct test_vcpu *vcpu)
{
	struct kvm_debugregs dbg;

	ASSERT_IOCTL_OK(vcpu->fd, KVM_GET_DEBUGREGS, &dbg);
	return dbg.dr6;
}

static void test_caps(void)
{
	int fd = dev_open();
	long quirks;

	ASSERT_EQ(1, dev_ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_EXCEPTION_PAYLOAD));
	ASSERT_EQ(1, dev_ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_TRIPLE_FAULT_EVENT));
	ASSERT_EQ(1, dev_ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_SREGS2));
	ASSERT_EQ(1, dev_ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_SYS_ATTRIBUTES));
	ASSERT_EQ(1, dev_ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_DISABLE_QUIRKS));
	/* The MMU notifier: changes to the VMM's mapping reach the guest (memchurn). */
	ASSERT_EQ(1, dev_ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_MMU));
	quirks = dev_ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_DISABLE_QUIRKS2);
	ASSERT_EQ(dev_is_l1vmm() ? QUIRKS_L1VMM : QUIRKS_KVM61, quirks);
	close(fd);
}

/* The XSAVE components a guest may use: those KVM_GET_SUPPORTED_CPUID reports. */
static void test_sys_attr(void)
{
	struct {
		struct kvm_cpuid2 c;
		struct kvm_cpuid_entry2 e[100];
	} cpuid = { .c.nent = 100 };
	struct kvm_device_attr attr = { .group = 0, .attr = KVM_X86_XCOMP_GUEST_SUPP };
	uint64_t supp = 0, xcr0 = 0;
	int fd = dev_open();
	unsigned int i;

	attr.addr = (uint64_t)(unsigned long)&supp;
	ASSERT_EQ(0, dev_ioctl(fd, KVM_HAS_DEVICE_ATTR, (unsigned long)&attr));
	ASSERT_EQ(0, dev_ioctl(fd, KVM_GET_DEVICE_ATTR, (unsigned long)&attr));
	ASSERT_IOCTL_OK(fd, KVM_GET_SUPPORTED_CPUID, &cpuid);
	for (i = 0; i < cpuid.c.nent; i++)
		if (cpuid.e[i].function == 0xd && cpuid.e[i].index == 0)
			xcr0 = cpuid.e[i].eax | (uint64_t)cpuid.e[i].edx << 32;
	ASSERT_EQ(xcr0, supp);
	ASSERT_EQ(XF_FPSSE, supp & XF_FPSSE);

	attr.group = 1;
	ASSERT_EQ(-ENXIO, dev_ioctl(fd, KVM_HAS_DEVICE_ATTR, (unsigned long)&attr));
	ASSERT_EQ(-ENXIO, dev_ioctl(fd, KVM_GET_DEVICE_ATTR, (unsigned long)&attr));
	attr.group = 0;
	attr.attr = KVM_X86_XCOMP_GUEST_SUPP + 1;
	ASSERT_EQ(-ENXIO, dev_ioctl(fd, KVM_HAS_DEVICE_ATTR, (unsigned long)&attr));
	ASSERT_EQ(-ENXIO, dev_ioctl(fd, KVM_GET_DEVICE_ATTR, (unsigned long)&attr));
	attr.attr = KVM_X86_XCOMP_GUEST_SUPP;
	attr.addr = 8;
	ASSERT_EQ(-EFAULT, dev_ioctl(fd, KVM_GET_DEVICE_ATTR, (unsigned long)&attr));
	ASSERT_EQ(-EFAULT, dev_ioctl(fd, KVM_GET_DEVICE_ATTR, 8));
	close(fd);
}

/* Without the capability: no payload flag either way, pending means nothing. */
static void test_payload_needs_cap(void)
{
	struct kvm_vcpu_events ev;
	struct test_guest g;

	start_guest(&g, wait_code, GUEST_CODE_SIZE(wait_code));
	get_events(&g.vcpu, &ev);
	ASSERT_EQ(0, ev.flags & KVM_VCPUEVENT_VALID_PAYLOAD);
	ASSERT_EQ(0, ev.exception_has_payload);
	ev.flags |= KVM_VCPUEVENT_VALID_PAYLOAD;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_VCPU_EVENTS, &ev, EINVAL);

	/* A pending exception without the flag is dropped, as KVM does. */
	get_events(&g.vcpu, &ev);
	ev.exception.pending = 1;
	ev.exception.nr = 14;
	ev.exception_has_payload = 1;
	ev.exception_payload = 0x1234;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_VCPU_EVENTS, &ev);
	get_events(&g.vcpu, &ev);
	ASSERT_EQ(0, ev.exception.pending);
	ASSERT_EQ(0, ev.exception.injected);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_EQ(0, get_cr2(&g.vcpu));
	guest_stop(&g);
}

static void set_pending(struct test_vcpu *vcpu, uint8_t nr, uint64_t payload)
{
	struct kvm_vcpu_events ev;

	get_events(vcpu, &ev);
	ev.flags = KVM_VCPUEVENT_VALID_PAYLOAD;
	ev.exception.pending = 1;
	ev.exception.injected = 1;	/* pending wins */
	ev.exception.nr = nr;
	ev.exception.has_error_code = 0;
	ev.exception_has_payload = 1;
	ev.exception_payload = payload;
	ASSERT_IOCTL_OK(vcpu->fd, KVM_SET_VCPU_EVENTS, &ev);
}

/* A pending #PF keeps its CR2 until it is delivered. */
static void test_payload_pf(void)
{
	struct kvm_guest_debug inject_db = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_INJECT_DB,
	};
	struct kvm_vcpu_events ev;
	struct test_guest g;

	start_guest(&g, wait_code, GUEST_CODE_SIZE(wait_code));
	ASSERT_EQ(0, enable_cap(&g.vm, KVM_CAP_EXCEPTION_PAYLOAD, 1));
	get_events(&g.vcpu, &ev);
	ASSERT_EQ(KVM_VCPUEVENT_VALID_PAYLOAD, ev.flags & KVM_VCPUEVENT_VALID_PAYLOAD);
	ASSERT_EQ(0, ev.exception.pending);

	set_pending(&g.vcpu, 14, 0x12345678);
	get_events(&g.vcpu, &ev);
	ASSERT_EQ(1, ev.exception.pending);
	ASSERT_EQ(0, ev.exception.injected);
	ASSERT_EQ(14, ev.exception.nr);
	ASSERT_EQ(1, ev.exception_has_payload);
	ASSERT_EQ(0x12345678, ev.exception_payload);
	ASSERT_EQ(0, get_cr2(&g.vcpu));

	/* Nothing more can be injected on top of it. */
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_GUEST_DEBUG, &inject_db, EBUSY);

	ASSERT_EQ(0x12345678, vcpu_run_out32(&g.vcpu, REPORT_PORT));
	ASSERT_EQ(0x12345678, get_cr2(&g.vcpu));
	get_events(&g.vcpu, &ev);
	ASSERT_EQ(0, ev.exception.pending);
	ASSERT_EQ(0, ev.exception.injected);
	ASSERT_EQ(0, ev.exception_has_payload);
	guest_stop(&g);
}

/* A pending #DB's payload goes into DR6 when it is delivered. */
static void test_payload_db(void)
{
	struct test_guest g;

	start_guest(&g, wait_code, GUEST_CODE_SIZE(wait_code));
	ASSERT_EQ(0, enable_cap(&g.vm, KVM_CAP_EXCEPTION_PAYLOAD, 1));
	set_pending(&g.vcpu, 1, DR6_BS);
	ASSERT_EQ(DR6_RESET, get_dr6(&g.vcpu));
	ASSERT_EQ(DR6_RESET | DR6_BS, vcpu_run_out32(&g.vcpu, REPORT_PORT));
	guest_stop(&g);
}

/*
 * Turned off while an exception is pending: KVM_GET_VCPU_EVENTS delivers
 * the payload and reports the exception injected too.
 */
static void test_payload_cap_off(void)
{
	struct kvm_vcpu_events ev;
	struct test_guest g;

	start_guest(&g, wait_code, GUEST_CODE_SIZE(wait_code));
	ASSERT_EQ(0, enable_cap(&g.vm, KVM_CAP_EXCEPTION_PAYLOAD, 1));
	set_pending(&g.vcpu, 14, 0xabc000);
	ASSERT_EQ(0, enable_cap(&g.vm, KVM_CAP_EXCEPTION_PAYLOAD, 0));
	get_events(&g.vcpu, &ev);
	ASSERT_EQ(0, ev.flags & KVM_VCPUEVENT_VALID_PAYLOAD);
	ASSERT_EQ(1, ev.exception.pending);	/* and injected: both, as KVM */
	ASSERT_EQ(1, ev.exception.injected);
	ASSERT_EQ(14, ev.exception.nr);
	ASSERT_EQ(0, ev.exception_has_payload);
	ASSERT_EQ(0xabc000, get_cr2(&g.vcpu));
	ASSERT_EQ(0xabc000, vcpu_run_out32(&g.vcpu, REPORT_PORT));
	guest_stop(&g);
}

/* An injected exception has no payload to deliver: CR2 stays. */
static void test_payload_injected(void)
{
	struct kvm_vcpu_events ev;
	struct test_guest g;

	start_guest(&g, wait_code, GUEST_CODE_SIZE(wait_code));
	ASSERT_EQ(0, enable_cap(&g.vm, KVM_CAP_EXCEPTION_PAYLOAD, 1));
	get_events(&g.vcpu, &ev);
	ev.flags = KVM_VCPUEVENT_VALID_PAYLOAD;
	ev.exception.injected = 1;
	ev.exception.pending = 0;
	ev.exception.nr = 14;
	ev.exception.has_error_code = 0;
	ev.exception_has_payload = 1;
	ev.exception_payload = 0x5000;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_VCPU_EVENTS, &ev);
	get_events(&g.vcpu, &ev);
	ASSERT_EQ(1, ev.exception.injected);
	ASSERT_EQ(0, ev.exception.pending);
	ASSERT_EQ(0, ev.exception_has_payload);
	ASSERT_EQ(0x5000, ev.exception_payload);	/* reported as set, never delivered */
	ASSERT_EQ(0, vcpu_run_out32(&g.vcpu, REPORT_PORT));
	guest_stop(&g);
}

static void test_triple_fault_event(void)
{
	struct kvm_guest_debug inject_db = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_INJECT_DB,
	};
	struct kvm_vcpu_events ev;
	struct test_guest g;

	start_guest(&g, wait_code, GUEST_CODE_SIZE(wait_code));
	get_events(&g.vcpu, &ev);
	ASSERT_EQ(0, ev.flags & KVM_VCPUEVENT_VALID_TRIPLE_FAULT);
	ev.flags |= KVM_VCPUEVENT_VALID_TRIPLE_FAULT;
	ev.triple_fault.pending = 1;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_VCPU_EVENTS, &ev, EINVAL);

	ASSERT_EQ(0, enable_cap(&g.vm, KVM_CAP_X86_TRIPLE_FAULT_EVENT, 1));
	get_events(&g.vcpu, &ev);
	ASSERT_EQ(KVM_VCPUEVENT_VALID_TRIPLE_FAULT, ev.flags & KVM_VCPUEVENT_VALID_TRIPLE_FAULT);
	ASSERT_EQ(0, ev.triple_fault.pending);
	ev.triple_fault.pending = 1;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_VCPU_EVENTS, &ev);
	get_events(&g.vcpu, &ev);
	ASSERT_EQ(1, ev.triple_fault.pending);
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_GUEST_DEBUG, &inject_db, EBUSY);
	ASSERT_EQ(KVM_EXIT_SHUTDOWN, vcpu_run(&g.vcpu));
	get_events(&g.vcpu, &ev);
	ASSERT_EQ(0, ev.triple_fault.pending);

	/* Set and taken back: the guest runs. */
	ev.triple_fault.pending = 1;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_VCPU_EVENTS, &ev);
	ev.triple_fault.pending = 0;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_VCPU_EVENTS, &ev);
	vcpu_setup_real_mode(&g.vcpu, CODE_GPA);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

static void assert_sregs_match(const struct kvm_sregs *s, const struct kvm_sregs2 *s2)
{
	ASSERT_EQ(0, memcmp(s, s2, offsetof(struct kvm_sregs, interrupt_bitmap)));
}

/* Outside PAE paging: no PDPTEs, and none may be set. */
static void test_sregs2_no_pae(void)
{
	struct kvm_sregs2 s2, bad;
	struct kvm_sregs s;
	struct test_guest g;

	start_guest(&g, wait_code, GUEST_CODE_SIZE(wait_code));
	memset(&s2, 0xaa, sizeof(s2));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS2, &s2);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &s);
	assert_sregs_match(&s, &s2);
	ASSERT_EQ(0, s2.flags);
	ASSERT_EQ(0, s2.pdptrs[0] | s2.pdptrs[1] | s2.pdptrs[2] | s2.pdptrs[3]);

	bad = s2;
	bad.flags = KVM_SREGS2_FLAGS_PDPTRS_VALID;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_SREGS2, &bad, EINVAL);
	bad.flags = 2;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_SREGS2, &bad, EINVAL);

	/* What SET_SREGS2 writes, SET_SREGS reads. */
	s2.cs.base = 0x1000;
	s2.cs.selector = 0x100;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS2, &s2);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &s);
	ASSERT_EQ(0x1000, s.cs.base);
	ASSERT_EQ(0x100, s.cs.selector);
	guest_stop(&g);

	/* Long mode is not PAE paging either. */
	guest_start_long_mode(&g, MEM_SIZE, PM_CODE_GPA, pae_code, GUEST_CODE_SIZE(pae_code));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS2, &s2);
	ASSERT_EQ(0, s2.flags);
	s2.flags = KVM_SREGS2_FLAGS_PDPTRS_VALID;
	ASSERT_IOCTL_ERRNO(g.vcpu.fd, KVM_SET_SREGS2, &s2, EINVAL);
	guest_stop(&g);
}

/*
 * PAE paging: the PDPTEs in memory, those user space sets until the guest
 * runs, then on AMD those in memory again, read once until the next entry
 * (KVM on SVM); on Intel those the CPU used, saved in the VMCS at the exit
 * (kvm-intel's ept_save_pdptrs()).
 */
static void test_sregs2_pae(void)
{
	bool intel = host_is_intel();
	uint64_t *pdpt, *pd;
	struct kvm_sregs2 s2;
	struct kvm_sregs s;
	struct test_guest g;

	guest_start_protected_mode(&g, MEM_SIZE, PM_CODE_GPA, pae_code, GUEST_CODE_SIZE(pae_code));
	pdpt = (uint64_t *)(g.mem + PDPT_GPA);
	pd = (uint64_t *)(g.mem + PD_GPA);
	pdpt[0] = PD_GPA | 1;
	pd[0] = 0x83;			/* 2 MiB at 0: present, writable, large */
	pd[1] = 0x200083;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS2, &s2);
	ASSERT_EQ(0, s2.flags);
	s2.cr0 |= CR0_PG;
	s2.cr4 |= CR4_PAE;
	s2.cr3 = PDPT_GPA;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS2, &s2);
	memset(&s2, 0xaa, sizeof(s2));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS2, &s2);
	ASSERT_EQ(KVM_SREGS2_FLAGS_PDPTRS_VALID, s2.flags);
	ASSERT_EQ(PD_GPA | 1, s2.pdptrs[0]);
	ASSERT_EQ(0, s2.pdptrs[1] | s2.pdptrs[2] | s2.pdptrs[3]);

	s2.pdptrs[1] = 0x9001;
	s2.pdptrs[3] = 0xa001;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS2, &s2);
	memset(&s2, 0, sizeof(s2));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS2, &s2);
	ASSERT_EQ(KVM_SREGS2_FLAGS_PDPTRS_VALID, s2.flags);
	ASSERT_EQ(PD_GPA | 1, s2.pdptrs[0]);
	ASSERT_EQ(0x9001, s2.pdptrs[1]);
	ASSERT_EQ(0, s2.pdptrs[2]);
	ASSERT_EQ(0xa001, s2.pdptrs[3]);

	/*
	 * The guest runs under PAE paging; afterwards, memory's PDPTEs, read
	 * once (the emulator may have set bit 5, reserved: write them again).
	 */
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
	pdpt[0] = PD_GPA | 1;
	pdpt[2] = 0xb001;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS2, &s2);
	ASSERT_EQ(KVM_SREGS2_FLAGS_PDPTRS_VALID, s2.flags);
	ASSERT_EQ(PD_GPA | 1, s2.pdptrs[0]);
	ASSERT_EQ(intel ? 0x9001 : 0, s2.pdptrs[1]);
	ASSERT_EQ(intel ? 0 : 0xb001, s2.pdptrs[2]);
	ASSERT_EQ(intel ? 0xa001 : 0, s2.pdptrs[3]);
	/* Until the next entry, what was read stays. */
	pdpt[2] = 0;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS2, &s2);
	ASSERT_EQ(intel ? 0 : 0xb001, s2.pdptrs[2]);

	/* KVM_SET_SREGS reads them from memory; a reserved bit keeps the old ones. */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &s);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &s);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS2, &s2);
	ASSERT_EQ(0, s2.pdptrs[2]);
	pdpt[2] = 0xc001 | 0x20;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_SREGS, &s);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS2, &s2);
	ASSERT_EQ(0, s2.pdptrs[2]);
	pdpt[2] = 0;
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

/* A protected-mode guest under PAE paging: 4 MiB identity-mapped, a #GP handler. */
static void start_pae_guest(struct test_guest *g, const void *code, size_t len)
{
	uint64_t *pdpt, *pd, *idt;
	struct kvm_sregs s;

	guest_start_protected_mode(g, MEM_SIZE, PM_CODE_GPA, code, len);
	pdpt = (uint64_t *)(g->mem + PDPT_GPA);
	pd = (uint64_t *)(g->mem + PD_GPA);
	pdpt[0] = PD_GPA | 1;
	pd[0] = 0x83;			/* 2 MiB at 0: present, writable, large */
	pd[1] = 0x200083;
	memcpy(g->mem + GP_HANDLER_GPA, gp_handler32, GUEST_CODE_SIZE(gp_handler32));
	/* Vector 13: a 32-bit interrupt gate to the handler, selector 0x08. */
	idt = (uint64_t *)(g->mem + IDT_GPA);
	idt[13] = (GP_HANDLER_GPA & 0xffff) | 0x08ull << 16 | 0x8e00ull << 32 |
		  (uint64_t)(GP_HANDLER_GPA >> 16) << 48;
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_GET_SREGS, &s);
	s.idt.base = IDT_GPA;
	s.idt.limit = 14 * 8 - 1;
	s.cr0 |= CR0_PG;
	s.cr4 |= CR4_PAE;
	s.cr3 = PDPT_GPA;
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_SET_SREGS, &s);
}

static uint64_t vcpu_cr4(struct test_vcpu *vcpu)
{
	struct kvm_sregs s;

	ASSERT_IOCTL_OK(vcpu->fd, KVM_GET_SREGS, &s);
	return s.cr4;
}

/* Run the guest from its report at port 0x10 to the next: CR4 ^= @bits. */
static void run_cr4_xor(struct test_guest *g, uint32_t bits, uint16_t want_port)
{
	struct kvm_regs regs;

	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_GET_REGS, &regs);
	regs.rax = bits;
	regs.rbx = PD_GPA | 1;
	regs.rdi = PDPT_GPA;
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_SET_REGS, &regs);
	vcpu_run(&g->vcpu);
	ASSERT_IO_EXIT(&g->vcpu, KVM_EXIT_IO_OUT, want_port, 1);
}

/*
 * The guest's MOV to CR4 under PAE paging loads the PDPTEs when it changes
 * PGE, PSE, PAE or SMEP, and PDPTEs with a reserved bit make it a #GP with
 * CR4 unchanged; a change of another bit loads nothing (KVM's
 * kvm_set_cr4(), the SDM's MOV to CR4). On SVM l1vmm intercepts the write
 * and checks (l1vmm_cr4_write_loads_pdptes()); on VMX with EPT the CPU
 * does, as under kvm-intel.
 */
static void test_cr4_write_loads_pdptes(void)
{
	const uint32_t pge = 1u << 7, osxmmexcpt = 1u << 10;
	struct test_guest g;
	uint64_t *pdpt, cr4;

	start_pae_guest(&g, cr4_xor_code, GUEST_CODE_SIZE(cr4_xor_code));
	pdpt = (uint64_t *)(g.mem + PDPT_GPA);
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);

	/* Good PDPTEs: PGE changes. */
	cr4 = vcpu_cr4(&g.vcpu);
	run_cr4_xor(&g, pge, 0x11);
	ASSERT_EQ(cr4 ^ pge, vcpu_cr4(&g.vcpu));
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);

	/* An unused PDPTE with a reserved bit (1): PGE's change is a #GP. */
	pdpt[3] = 0x9000 | 2 | 1;
	run_cr4_xor(&g, pge, 0x0d);
	ASSERT_EQ(cr4 ^ pge, vcpu_cr4(&g.vcpu));

	/* Another bit's change loads nothing: no #GP. */
	guest_stop(&g);
	start_pae_guest(&g, cr4_xor_code, GUEST_CODE_SIZE(cr4_xor_code));
	pdpt = (uint64_t *)(g.mem + PDPT_GPA);
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
	pdpt[3] = 0x9000 | 2 | 1;
	cr4 = vcpu_cr4(&g.vcpu);
	run_cr4_xor(&g, osxmmexcpt, 0x11);
	ASSERT_EQ(cr4 ^ osxmmexcpt, vcpu_cr4(&g.vcpu));
	guest_stop(&g);
}

static uint64_t vcpu_rip(struct test_vcpu *vcpu)
{
	struct kvm_regs regs;

	ASSERT_IOCTL_OK(vcpu->fd, KVM_GET_REGS, &regs);
	return regs.rip;
}

/* OUT to port 0x7e retires before user space sees it, unless the quirk is off. */
static void test_quirk_out_7e(void)
{
	struct test_guest g;

	start_guest(&g, out_7e, GUEST_CODE_SIZE(out_7e));
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x7e, 1);
	ASSERT_EQ(CODE_GPA + 2, vcpu_rip(&g.vcpu));
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x7f, 1);
	ASSERT_EQ(CODE_GPA + 2, vcpu_rip(&g.vcpu));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);

	start_guest(&g, out_7e, GUEST_CODE_SIZE(out_7e));
	ASSERT_EQ(-EINVAL, enable_cap(&g.vm, KVM_CAP_DISABLE_QUIRKS2, 1ull << 7));
	ASSERT_EQ(0, enable_cap(&g.vm, KVM_CAP_DISABLE_QUIRKS2, KVM_X86_QUIRK_OUT_7E_INC_RIP));
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x7e, 1);
	ASSERT_EQ(CODE_GPA, vcpu_rip(&g.vcpu));
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x7f, 1);
	ASSERT_EQ(CODE_GPA + 2, vcpu_rip(&g.vcpu));
	/* The first version takes any bits, and the last mask wins. */
	ASSERT_EQ(0, enable_cap(&g.vm, KVM_CAP_DISABLE_QUIRKS, ~0ull));
	ASSERT_EQ(0, enable_cap(&g.vm, KVM_CAP_DISABLE_QUIRKS, 0));
	vcpu_setup_real_mode(&g.vcpu, CODE_GPA);
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x7e, 1);
	ASSERT_EQ(CODE_GPA + 2, vcpu_rip(&g.vcpu));
	guest_stop(&g);
}

/* MONITOR and MWAIT: no-ops; with the quirk off, #UD without CPUID.MWAIT. */
static void test_quirk_mwait(void)
{
	struct test_guest g;

	/* A CPU without MONITOR raises #UD before any intercept. */
	if (!cpu_has_flag("monitor"))
		ktap_skip("this CPU has no MONITOR/MWAIT");
	start_guest(&g, monitor_mwait, GUEST_CODE_SIZE(monitor_mwait));
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x11, 1);
	guest_stop(&g);

	start_guest(&g, monitor_mwait, GUEST_CODE_SIZE(monitor_mwait));
	ASSERT_EQ(0, enable_cap(&g.vm, KVM_CAP_DISABLE_QUIRKS2,
				KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS));
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, UD_PORT, 1);
	guest_stop(&g);
}

static void assert_step_exit(struct test_vcpu *vcpu, uint64_t rip)
{
	ASSERT_EQ(KVM_EXIT_DEBUG, vcpu_run(vcpu));
	ASSERT_EQ(1, vcpu->run->debug.arch.exception);
	ASSERT_EQ(rip, vcpu_rip(vcpu));
}

/*
 * KVM_CAP_X86_ROBUST_SINGLESTEP: user space's single step is hidden from
 * KVM_GET_REGS and survives a KVM_SET_REGS at the RIP where it was set (as
 * QEMU writes the registers back before it resumes); set at another RIP
 * without setting the step again, it ends, as in KVM.
 */
static void test_robust_singlestep(void)
{
	struct kvm_guest_debug dbg = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP,
	};
	const char *vm = getenv("l1vmm_vm");
	struct kvm_regs regs;
	struct test_guest g;

	/*
	 * Bochs 2.7 as L0 ends a VM entry with RFLAGS.TF set by the #DB
	 * before the first instruction: l1vmm and kvm-intel both see the
	 * step exit at the old RIP there (doc/testing.md).
	 */
	if (vm && !strcmp(vm, "bochs-intel"))
		ktap_skip("Bochs raises an entry's single-step #DB before the first instruction (doc/testing.md)");
	start_guest(&g, nops, GUEST_CODE_SIZE(nops));
	ASSERT_EQ(1, dev_ioctl(g.vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_ROBUST_SINGLESTEP));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_GUEST_DEBUG, &dbg);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(0, regs.rflags & X86_EFLAGS_TF);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);
	assert_step_exit(&g.vcpu, CODE_GPA + 1);

	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_GUEST_DEBUG, &dbg);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(0, regs.rflags & X86_EFLAGS_TF);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);
	assert_step_exit(&g.vcpu, CODE_GPA + 2);

	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_caps),
	KTAP_CASE(test_sys_attr),
	KTAP_CASE(test_payload_needs_cap),
	KTAP_CASE(test_payload_pf),
	KTAP_CASE(test_payload_db),
	KTAP_CASE(test_payload_cap_off),
	KTAP_CASE(test_payload_injected),
	KTAP_CASE(test_triple_fault_event),
	KTAP_CASE(test_sregs2_no_pae),
	KTAP_CASE(test_sregs2_pae),
	KTAP_CASE(test_cr4_write_loads_pdptes),
	KTAP_CASE(test_quirk_out_7e),
	KTAP_CASE(test_quirk_mwait),
	KTAP_CASE(test_robust_singlestep),
};

int main(void)
{
	return ktap_run("vcpu_state", tests, KTAP_ARRAY_SIZE(tests));
}
