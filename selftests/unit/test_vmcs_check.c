// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/vmx/vmcs_check.c
/*
 * Host unit test of the vmcs12 consistency checks (l1vmm/vmx/vmcs_check.c):
 * good 64-bit, 32-bit protected-mode, virtual-8086 and unrestricted
 * real-mode VMCSs pass, and each rule, broken alone, fails with its own
 * reason.
 */
#include <stdint.h>
#include <string.h>

#include "ktap.h"
#include "l1vmm/portable/x86.h"
#include "l1vmm/vmx/vmcs_check.h"

#define ES L1VMM_VMCS_SEG_ES
#define CS L1VMM_VMCS_SEG_CS
#define SS L1VMM_VMCS_SEG_SS
#define DS L1VMM_VMCS_SEG_DS
#define FS L1VMM_VMCS_SEG_FS
#define GS L1VMM_VMCS_SEG_GS
#define LDTR L1VMM_VMCS_SEG_LDTR
#define TR L1VMM_VMCS_SEG_TR

/* The controls every good VMCS here has, on top of the capabilities' default-1 bits. */
#define PIN	(0x16 | L1VMM_PIN_NMI_EXITING | L1VMM_PIN_VIRTUAL_NMIS)
#define PROC	(0x0401e172 | L1VMM_PROC_USE_IO_BITMAPS | L1VMM_PROC_USE_MSR_BITMAPS | \
		 L1VMM_PROC_ACTIVATE_SECONDARY)
#define EXIT	(0x36dff | L1VMM_EXIT_HOST_ADDR_SPACE_SIZE | L1VMM_EXIT_LOAD_IA32_EFER)
#define ENTRY	(0x11ff | L1VMM_ENTRY_LOAD_IA32_EFER)

#define INJECT(type, vector)	(L1VMM_INTR_INFO_VALID | L1VMM_INTR_TYPE_##type | (vector))

/* An Ice Lake-like CPU without 5-level EPT and without zero-length injection. */
static const struct l1vmm_vmcs_limits limits = {
	.pin = { 0x16, 0xff },
	.proc = { 0x0401e172, 0xfff9fffe },
	.proc2 = { 0, 0x3fffff },
	.exit = { 0x36dff, 0x7fffff },
	.entry = { 0x11ff, 0x3ffff },
	.cr0_fixed0 = 0x80000021, .cr0_fixed1 = 0xffffffff,
	.cr4_fixed0 = 0x2000, .cr4_fixed1 = 0x3767ff,
	.ept_vpid_cap = L1VMM_EPT_CAP_WALK_LENGTH_4 | L1VMM_EPT_CAP_MEMTYPE_UC |
			L1VMM_EPT_CAP_MEMTYPE_WB | L1VMM_EPT_CAP_AD,
	.misc = L1VMM_VMX_MISC_ACTIVITY_HLT | L1VMM_VMX_MISC_ACTIVITY_WAIT_SIPI | (4 << 16),
	.efer_allowed = 0xd01,	/* SCE LME LMA NXE */
	.phys_bits = 46, .virt_bits = 48, .host_ia32e = true,
};

static void set_seg(struct l1vmm_vmcs_view *v, int i, u16 sel, u64 base, u32 limit, u32 ar)
{
	v->guest_seg[i] = (struct l1vmm_vmcs_seg){ sel, base, limit, ar };
}

/* A 64-bit host, a 64-bit guest in the kernel. */
static struct l1vmm_vmcs_view good64(void)
{
	struct l1vmm_vmcs_view v = {
		.pin = PIN, .proc = PROC,
		.proc2 = L1VMM_PROC2_ENABLE_EPT | L1VMM_PROC2_ENABLE_VPID,
		.exit = EXIT, .entry = ENTRY | L1VMM_ENTRY_IA32E_MODE_GUEST,
		.cr3_target_count = 4,
		.io_bitmap_a = 0x10000, .io_bitmap_b = 0x11000, .msr_bitmap = 0x12000,
		.eptp = 0x5000 | L1VMM_EPTP_MEMTYPE_WB | L1VMM_EPTP_WALK_LENGTH_4, .vpid = 1,

		.guest_cr0 = 0x80050033, .guest_cr3 = 0x3000, .guest_cr4 = 0x2020,
		.guest_dr7 = 0x400, .guest_efer = 0xd01,
		.guest_rip = 0xffffffff81000000, .guest_rflags = 0x2,
		.guest_gdtr_base = 0xfffffe0000001000, .guest_gdtr_limit = 0x7f,
		.guest_idtr_base = 0xfffffe0000000000, .guest_idtr_limit = 0xfff,
		.vmcs_link_pointer = L1VMM_VMCS_LINK_NONE,

		.host_cr0 = 0x80050033, .host_cr3 = 0x1000, .host_cr4 = 0x22020,
		.host_efer = 0xd01, .host_rip = 0xffffffff81001000,
		.host_fs_base = 0, .host_gs_base = 0xffff888000000000,
		.host_tr_base = 0xfffffe0000003000,
		.host_gdtr_base = 0xfffffe0000001000, .host_idtr_base = 0xfffffe0000000000,
	};

	set_seg(&v, CS, 0x10, 0, 0xffffffff, 0xa09b);	/* G L P S, code XRA */
	set_seg(&v, SS, 0x18, 0, 0xffffffff, 0xc093);	/* G B P S, data RWA */
	set_seg(&v, DS, 0, 0, 0, L1VMM_AR_UNUSABLE);
	set_seg(&v, ES, 0, 0, 0, L1VMM_AR_UNUSABLE);
	set_seg(&v, FS, 0, 0, 0, L1VMM_AR_UNUSABLE);
	set_seg(&v, GS, 0, 0xffff888000000000, 0, L1VMM_AR_UNUSABLE);
	set_seg(&v, LDTR, 0, 0, 0, L1VMM_AR_UNUSABLE);
	set_seg(&v, TR, 0x40, 0xfffffe0000003000, 0x67, 0x8b);	/* busy 64-bit TSS */
	v.host_sel[CS] = 0x10;
	v.host_sel[SS] = 0x18;
	v.host_sel[TR] = 0x40;
	return v;
}

/* A 32-bit protected-mode guest with paging, flat segments, at CPL 3. */
static struct l1vmm_vmcs_view good32(void)
{
	struct l1vmm_vmcs_view v = good64();
	int i;

	v.entry = ENTRY;
	v.guest_cr0 = 0x80000031;
	v.guest_cr4 = 0x2010;	/* VMXE PSE */
	v.guest_efer = 0;
	v.guest_rip = 0x08048000;
	v.guest_rflags = 0x202;
	v.guest_gdtr_base = 0xc1000000;
	v.guest_idtr_base = 0xc1001000;
	for (i = ES; i <= GS; i++)
		set_seg(&v, i, 0x23, 0, 0xffffffff, 0xc0f3);	/* G B P S DPL3, data RWA */
	set_seg(&v, CS, 0x1b, 0, 0xffffffff, 0xc0fb);		/* G D P S DPL3, code XRA */
	set_seg(&v, LDTR, 0x28, 0xc1002000, 0xfff, 0x82);
	set_seg(&v, TR, 0x30, 0xc1003000, 0x67, 0x8b);		/* busy 32-bit TSS */
	return v;
}

/* Real mode after RESET, with unrestricted guest. */
static struct l1vmm_vmcs_view good_real(void)
{
	struct l1vmm_vmcs_view v = good64();
	int i;

	v.proc2 |= L1VMM_PROC2_UNRESTRICTED_GUEST;
	v.entry = ENTRY;
	v.guest_cr0 = 0x30;	/* ET NE */
	v.guest_cr3 = 0;
	v.guest_cr4 = 0x2000;
	v.guest_efer = 0;
	v.guest_rip = 0xfff0;
	v.guest_rflags = 0x2;
	v.guest_gdtr_base = 0;
	v.guest_gdtr_limit = 0xffff;
	v.guest_idtr_base = 0;
	v.guest_idtr_limit = 0xffff;
	for (i = ES; i <= GS; i++)
		set_seg(&v, i, 0, 0, 0xffff, 0x93);
	set_seg(&v, CS, 0xf000, 0xffff0000, 0xffff, 0x9b);
	set_seg(&v, LDTR, 0, 0, 0xffff, 0x82);
	set_seg(&v, TR, 0, 0, 0xffff, 0x8b);
	return v;
}

static void expect(const struct l1vmm_vmcs_view *v, const struct l1vmm_vmcs_limits *lim,
		   const char *want)
{
	const char *got = l1vmm_vmcs_invalid(v, lim);

	TEST_ASSERT(got && !strcmp(got, want), "wanted \"%s\", got \"%s\"", want,
		    got ? got : "(valid)");
}

static void expect_valid(const struct l1vmm_vmcs_view *v, const char *what)
{
	const char *got = l1vmm_vmcs_invalid(v, &limits);

	TEST_ASSERT(!got, "%s: wanted valid, got \"%s\"", what, got);
}

static void test_good_vmcss_pass(void)
{
	struct l1vmm_vmcs_view v = good64();
	int i;

	expect_valid(&v, "64-bit");
	v = good32();
	expect_valid(&v, "32-bit protected mode");
	/* Virtual-8086 mode at CPL 3: segments are selector * 16, 64 KiB. */
	v.guest_rflags |= L1VMM_RFLAGS_VM;
	v.guest_rip = 0x100;
	for (i = ES; i <= GS; i++)
		set_seg(&v, i, 0x1000 + i, (0x1000 + i) << 4, 0xffff, L1VMM_AR_V86);
	expect_valid(&v, "virtual-8086 mode");
	v = good_real();
	expect_valid(&v, "real mode, unrestricted guest");
	/* Unrestricted: CS may be a data segment, SS.RPL and CS.RPL may differ. */
	v.guest_seg[CS].ar = 0x93;
	v.guest_seg[SS].selector = 3;
	expect_valid(&v, "real mode, CS type 3");
	/* Protected mode without paging, unrestricted. */
	v = good_real();
	v.guest_cr0 |= L1VMM_CR0_PE;
	expect_valid(&v, "protected mode without paging, unrestricted guest");

	/* Without secondary controls, their field is not read. */
	v = good32();
	v.proc &= ~L1VMM_PROC_ACTIVATE_SECONDARY;
	v.proc2 = ~0u;
	expect_valid(&v, "secondary controls not activated");
	/* No bitmaps: their addresses are not read; nor the EPTP without EPT. */
	v = good64();
	v.proc &= ~(L1VMM_PROC_USE_IO_BITMAPS | L1VMM_PROC_USE_MSR_BITMAPS);
	v.proc2 = 0;
	v.io_bitmap_a = v.io_bitmap_b = v.msr_bitmap = 1;
	v.eptp = ~0ull;
	v.vpid = 0;
	expect_valid(&v, "no bitmaps, EPT or VPID");

	/* Each kind of valid event. */
	v = good64();
	v.guest_rflags |= L1VMM_RFLAGS_IF;
	v.entry_intr_info = INJECT(EXT_INTR, 0x20);
	expect_valid(&v, "external interrupt");
	v.entry_intr_info = INJECT(HARD_EXCEPTION, 13) | L1VMM_INTR_INFO_DELIVER_CODE;
	expect_valid(&v, "#GP with error code");
	v.entry_intr_info = INJECT(NMI, 2);
	expect_valid(&v, "NMI");
	v.entry_intr_info = INJECT(SOFT_INTR, 0x80);
	v.entry_insn_len = 2;
	expect_valid(&v, "INT 0x80");
	v.entry_intr_info = INJECT(OTHER_EVENT, 0);
	expect_valid(&v, "pending MTF");
	/* Real mode: no error codes. */
	v = good_real();
	v.entry_intr_info = INJECT(HARD_EXCEPTION, 13);
	expect_valid(&v, "#GP in real mode, no error code");
	/* HLT takes an interrupt. */
	v = good64();
	v.guest_activity = L1VMM_ACTIVITY_HLT;
	v.guest_rflags |= L1VMM_RFLAGS_IF;
	v.entry_intr_info = INJECT(EXT_INTR, 0x20);
	expect_valid(&v, "HLT with an interrupt");
	/* Blocking by MOV SS with IF clear; by STI with IF set. */
	v = good64();
	v.guest_interruptibility = L1VMM_INTERRUPTIBILITY_MOV_SS;
	expect_valid(&v, "blocking by MOV SS");
	v = good32();
	v.guest_interruptibility = L1VMM_INTERRUPTIBILITY_STI;
	expect_valid(&v, "blocking by STI");
	/* A 32-bit host. */
	{
		struct l1vmm_vmcs_limits lim32 = limits;
		const char *got;

		lim32.host_ia32e = false;
		v = good32();
		v.exit &= ~L1VMM_EXIT_HOST_ADDR_SPACE_SIZE;
		v.host_efer = 0;
		v.host_cr4 = 0x2010;
		v.host_rip = 0xc1000000;
		got = l1vmm_vmcs_invalid(&v, &lim32);
		TEST_ASSERT(!got, "32-bit host: %s", got);
	}
}

static void test_controls(void)
{
	struct l1vmm_vmcs_view v;

#define BREAK(change, reason) do { v = good64(); change; expect(&v, &limits, reason); } while (0)
	BREAK(v.pin &= ~0x2u, "pin-based controls not allowed by the CPU");
	BREAK(v.pin |= 1u << 8, "pin-based controls not allowed by the CPU");
	BREAK(v.proc &= ~0x2u, "processor-based controls not allowed by the CPU");
	BREAK(v.proc |= 1u, "processor-based controls not allowed by the CPU");
	BREAK(v.proc2 |= 1u << 30, "secondary processor-based controls not allowed by the CPU");
	BREAK(v.cr3_target_count = 5, "CR3-target count above the CPU's");
	BREAK(v.io_bitmap_a |= 0x800, "I/O bitmap A not page-aligned or beyond the physical width");
	BREAK(v.io_bitmap_a = 1ull << 46,
	      "I/O bitmap A not page-aligned or beyond the physical width");
	BREAK(v.io_bitmap_b = 1ull << 50,
	      "I/O bitmap B not page-aligned or beyond the physical width");
	BREAK(v.msr_bitmap |= 8, "MSR bitmap not page-aligned or beyond the physical width");
	BREAK(v.pin &= ~L1VMM_PIN_NMI_EXITING, "virtual NMIs without NMI exiting");
	BREAK((v.pin &= ~L1VMM_PIN_VIRTUAL_NMIS, v.proc |= L1VMM_PROC_NMI_WINDOW_EXITING),
	      "NMI-window exiting without virtual NMIs");
	BREAK((v.proc2 |= L1VMM_PROC2_UNRESTRICTED_GUEST, v.proc2 &= ~L1VMM_PROC2_ENABLE_EPT),
	      "unrestricted guest without EPT");
	BREAK(v.vpid = 0, "VPID 0 with VPID enabled");
	BREAK(v.eptp = (v.eptp & ~L1VMM_EPTP_MEMTYPE_MASK) | 1, "EPTP memory type not supported");
	BREAK(v.eptp = (v.eptp & ~L1VMM_EPTP_WALK_LENGTH_MASK) | L1VMM_EPTP_WALK_LENGTH_5,
	      "EPTP page-walk length not supported");
	BREAK(v.eptp &= ~L1VMM_EPTP_WALK_LENGTH_MASK, "EPTP page-walk length not supported");
	BREAK(v.eptp |= 1ull << 7, "EPTP reserved bits set");
	BREAK(v.eptp |= 1ull << 11, "EPTP reserved bits set");
	BREAK(v.eptp |= 1ull << 46, "EPTP beyond the physical width");
	BREAK(v.exit |= 1u << 30, "VM-exit controls not allowed by the CPU");
	BREAK(v.exit &= ~1u, "VM-exit controls not allowed by the CPU");
	BREAK(v.entry |= 1u << 20, "VM-entry controls not allowed by the CPU");
	BREAK(v.exit |= L1VMM_EXIT_SAVE_PREEMPTION_TIMER,
	      "saving the preemption timer without the timer");
	v = good64();
	v.pin |= L1VMM_PIN_PREEMPTION_TIMER;
	v.exit |= L1VMM_EXIT_SAVE_PREEMPTION_TIMER;
	expect_valid(&v, "preemption timer, saved at exits");

	/* The VM-entry interruption-information field. */
	BREAK(v.entry_intr_info = INJECT(RESERVED, 0x20), "event injection with a reserved type");
	BREAK(v.entry_intr_info = INJECT(NMI, 3), "NMI injection with a vector other than 2");
	BREAK(v.entry_intr_info = INJECT(HARD_EXCEPTION, 32),
	      "hardware exception injection with a vector above 31");
	BREAK(v.entry_intr_info = INJECT(OTHER_EVENT, 1),
	      "other-event injection with a vector other than 0");
	BREAK(v.entry_intr_info = INJECT(HARD_EXCEPTION, 6) | L1VMM_INTR_INFO_DELIVER_CODE,
	      "event injection delivers an error code the event has not");
	BREAK(v.entry_intr_info = INJECT(EXT_INTR, 0x20) | L1VMM_INTR_INFO_DELIVER_CODE,
	      "event injection delivers an error code the event has not");
	BREAK(v.entry_intr_info = INJECT(HARD_EXCEPTION, 14),
	      "exception injection without the error code it has");
	BREAK((v.entry_intr_info = INJECT(HARD_EXCEPTION, 14) | L1VMM_INTR_INFO_DELIVER_CODE,
	       v.entry_error_code = 1u << 16), "event injection error code bits 31:16 set");
	BREAK(v.entry_intr_info = INJECT(EXT_INTR, 0x20) | (1u << 12),
	      "event injection reserved bits set");
	BREAK((v.entry_intr_info = INJECT(SOFT_EXCEPTION, 3), v.entry_insn_len = 16),
	      "software event injection with an instruction length above 15");
	BREAK(v.entry_intr_info = INJECT(PRIV_SW_EXCEPTION, 1),
	      "software event injection with instruction length 0");
	BREAK(v.entry_intr_info = INJECT(SOFT_INTR, 0x80),
	      "software event injection with instruction length 0");
#undef BREAK

	/* Capability-dependent: what one CPU refuses, another takes. */
	{
		struct l1vmm_vmcs_limits lim = limits;

		v = good64();
		v.eptp &= ~L1VMM_EPTP_MEMTYPE_MASK;	/* UC */
		expect_valid(&v, "EPT memory type UC");
		v = good64();
		v.eptp |= L1VMM_EPTP_AD_ENABLE;
		expect_valid(&v, "EPT A/D with support");
		lim.ept_vpid_cap &= ~L1VMM_EPT_CAP_AD;
		expect(&v, &lim, "EPTP accessed/dirty flags not supported");
		lim = limits;
		lim.ept_vpid_cap |= L1VMM_EPT_CAP_WALK_LENGTH_5;
		v = good64();
		v.eptp = (v.eptp & ~L1VMM_EPTP_WALK_LENGTH_MASK) | L1VMM_EPTP_WALK_LENGTH_5;
		TEST_ASSERT(!l1vmm_vmcs_invalid(&v, &lim), "5-level EPT with support");
		lim = limits;
		lim.ept_vpid_cap &= ~L1VMM_EPT_CAP_MEMTYPE_WB;
		v = good64();
		expect(&v, &lim, "EPTP memory type not supported");
		lim = limits;
		lim.misc |= L1VMM_VMX_MISC_ZERO_LEN_INJECTION;
		v.entry_intr_info = INJECT(SOFT_INTR, 0x80);
		TEST_ASSERT(!l1vmm_vmcs_invalid(&v, &lim), "zero-length injection with support");
		lim = limits;
		lim.proc.allowed1 &= ~L1VMM_PROC_MONITOR_TRAP_FLAG;
		v.entry_intr_info = INJECT(OTHER_EVENT, 0);
		expect(&v, &lim, "event injection of type other event without monitor trap flag support");
	}
}

static void test_host_state(void)
{
	struct l1vmm_vmcs_limits lim32 = limits;
	struct l1vmm_vmcs_view v;

#define BREAK(change, reason) do { v = good64(); change; expect(&v, &limits, reason); } while (0)
	BREAK(v.host_cr0 &= ~0x20ull, "host CR0 bits not allowed in VMX operation");	/* NE */
	BREAK(v.host_cr0 |= 1ull << 32, "host CR0 bits not allowed in VMX operation");
	BREAK(v.host_cr4 &= ~0x2000ull, "host CR4 bits not allowed in VMX operation");	/* VMXE */
	BREAK(v.host_cr4 |= 1ull << 12, "host CR4 bits not allowed in VMX operation");	/* LA57 */
	BREAK(v.host_cr3 = 1ull << 46, "host CR3 beyond the physical width");
	BREAK(v.exit &= ~L1VMM_EXIT_HOST_ADDR_SPACE_SIZE,
	      "host address-space size clear in IA-32e mode");
	BREAK(v.host_cr4 &= ~0x20ull, "host CR4.PAE clear in IA-32e mode");
	BREAK(v.host_sel[DS] = 3, "host selector with RPL or TI set");
	BREAK(v.host_sel[TR] |= 4, "host selector with RPL or TI set");
	BREAK(v.host_sel[CS] = 0, "host CS selector null");
	BREAK(v.host_sel[TR] = 0, "host TR selector null");
	BREAK(v.host_fs_base = 1ull << 47, "host FS base not canonical");
	BREAK(v.host_gs_base = 0xff00888000000000, "host GS base not canonical");
	BREAK(v.host_gdtr_base = 1ull << 48, "host GDTR base not canonical");
	BREAK(v.host_idtr_base = 0x8000000000000000, "host IDTR base not canonical");
	BREAK(v.host_tr_base = 0x0000900000000000, "host TR base not canonical");
	BREAK(v.host_rip = 0x7fffffff81000000, "host RIP not canonical");
	BREAK(v.host_efer |= 1ull << 14, "host EFER reserved bits set");
	BREAK(v.host_efer &= ~L1VMM_EFER_LMA, "host EFER.LMA differs from host address-space size");
	BREAK(v.host_efer &= ~L1VMM_EFER_LME, "host EFER.LME differs from host address-space size");
#undef BREAK
	/* A null host SS is fine in 64-bit mode; EFER is not read unless loaded. */
	v = good64();
	v.host_sel[SS] = 0;
	v.exit &= ~L1VMM_EXIT_LOAD_IA32_EFER;
	v.host_efer = ~0ull;
	expect_valid(&v, "64-bit host, null SS, EFER not loaded");

	/* On a 32-bit host. */
	lim32.host_ia32e = false;
#define BREAK32(change, reason) do { \
	v = good32(); \
	v.exit &= ~(L1VMM_EXIT_HOST_ADDR_SPACE_SIZE | L1VMM_EXIT_LOAD_IA32_EFER); \
	v.host_cr4 = 0x2010; \
	v.host_rip = 0xc1000000; \
	change; \
	expect(&v, &lim32, reason); \
} while (0)
	BREAK32(v.exit |= L1VMM_EXIT_HOST_ADDR_SPACE_SIZE,
		"host address-space size set outside IA-32e mode");
	BREAK32(v.entry |= L1VMM_ENTRY_IA32E_MODE_GUEST, "IA-32e mode guest outside IA-32e mode");
	BREAK32(v.host_cr4 |= L1VMM_CR4_PCIDE, "host CR4.PCIDE set outside IA-32e mode");
	BREAK32(v.host_rip = 1ull << 32, "host RIP bits 63:32 set outside IA-32e mode");
	BREAK32(v.host_sel[SS] = 0, "host SS selector null without host address-space size");
#undef BREAK32
}

static void test_guest_state(void)
{
	struct l1vmm_vmcs_limits no_hlt = limits;
	struct l1vmm_vmcs_view v;

#define BREAK(good, change, reason) do { v = good(); change; expect(&v, &limits, reason); } while (0)
	/* nested_vmx_check_guest_state() */
	BREAK(good64, v.guest_cr0 &= ~0x20ull, "guest CR0 bits not allowed in VMX operation");
	BREAK(good32, v.guest_cr0 &= ~L1VMM_CR0_PE, "guest CR0 bits not allowed in VMX operation");
	BREAK(good32, v.guest_cr0 &= ~L1VMM_CR0_PG, "guest CR0 bits not allowed in VMX operation");
	BREAK(good_real, v.guest_cr0 &= ~0x20ull, "guest CR0 bits not allowed in VMX operation");
	BREAK(good64, v.guest_cr4 &= ~0x2000ull, "guest CR4 bits not allowed in VMX operation");
	BREAK(good64, v.guest_cr4 |= 1ull << 15, "guest CR4 bits not allowed in VMX operation");
	BREAK(good64, v.guest_dr7 |= 1ull << 32, "guest DR7 bits 63:32 set");
	BREAK(good64, v.vmcs_link_pointer = 0x20010,
	      "VMCS link pointer not page-aligned or beyond the physical width");
	BREAK(good64, v.vmcs_link_pointer = 1ull << 46,
	      "VMCS link pointer not page-aligned or beyond the physical width");
	BREAK(good64, v.guest_efer |= 1ull << 12, "guest EFER reserved bits set");
	BREAK(good64, v.guest_efer &= ~L1VMM_EFER_LMA,
	      "guest EFER.LMA differs from IA-32e mode guest");
	BREAK(good32, v.guest_efer |= L1VMM_EFER_LMA,
	      "guest EFER.LMA differs from IA-32e mode guest");
	BREAK(good64, v.guest_efer &= ~L1VMM_EFER_LME,
	      "guest EFER.LME differs from IA-32e mode guest with paging");
	BREAK(good64, v.guest_activity = L1VMM_ACTIVITY_SHUTDOWN,
	      "guest activity state not active, HLT or wait-for-SIPI");
	BREAK(good64, v.guest_activity = 4, "guest activity state not active, HLT or wait-for-SIPI");

	/* The SDM's control-register rules. */
	BREAK(good_real, v.guest_cr0 |= L1VMM_CR0_PG, "guest CR0.PG without CR0.PE");
	BREAK(good32, v.entry |= L1VMM_ENTRY_IA32E_MODE_GUEST,
	      "guest EFER.LMA differs from IA-32e mode guest");
	BREAK(good_real, (v.entry |= L1VMM_ENTRY_IA32E_MODE_GUEST, v.guest_efer = 0x500),
	      "IA-32e mode guest without CR0.PG");
	BREAK(good64, v.guest_cr4 &= ~L1VMM_CR4_PAE, "IA-32e mode guest without CR4.PAE");
	BREAK(good32, v.guest_cr4 |= L1VMM_CR4_PCIDE, "guest CR4.PCIDE outside IA-32e mode");
	BREAK(good64, v.guest_cr3 = 1ull << 46, "guest CR3 beyond the physical width");

	/* Segment selectors, bases and limits. */
	BREAK(good64, v.guest_seg[TR].selector |= 4, "TR selector TI set");
	BREAK(good32, v.guest_seg[LDTR].selector |= 4, "LDTR selector TI set");
	BREAK(good32, v.guest_seg[SS].selector = 0x20, "SS.RPL differs from CS.RPL");
	BREAK(good64, v.guest_seg[FS].base = 1ull << 47, "FS base not canonical");
	BREAK(good64, v.guest_seg[GS].base = 1ull << 50, "GS base not canonical");
	BREAK(good64, v.guest_seg[TR].base = 1ull << 47, "TR base not canonical");
	BREAK(good32, v.guest_seg[LDTR].base = 1ull << 47, "LDTR base not canonical");
	BREAK(good64, v.guest_seg[CS].base = 1ull << 32, "CS base bits 63:32 set");
	BREAK(good32, v.guest_seg[ES].base = 1ull << 32, "ES base bits 63:32 set");
	BREAK(good32, v.guest_seg[SS].base = 1ull << 40, "SS base bits 63:32 set");

	/* CS access rights. */
	BREAK(good64, v.guest_seg[CS].ar &= ~L1VMM_AR_TYPE_ACCESSED,
	      "CS type not an accessed code segment");
	BREAK(good64, v.guest_seg[CS].ar = 0xa093, "CS type not an accessed code segment");
	BREAK(good64, v.guest_seg[CS].ar &= ~L1VMM_AR_S, "CS a system segment");
	BREAK(good_real, v.guest_seg[CS].ar = 0xb3, "CS type 3 with DPL other than 0");
	BREAK(good64, v.guest_seg[CS].ar |= 3 << L1VMM_AR_DPL_SHIFT,
	      "nonconforming CS.DPL differs from SS.DPL");
	BREAK(good64, v.guest_seg[CS].ar = 0xa0ff, "conforming CS.DPL above SS.DPL");
	BREAK(good64, v.guest_seg[CS].ar |= L1VMM_AR_DB, "CS.L and CS.D both set in IA-32e mode");
	BREAK(good64, v.guest_seg[CS].ar &= ~L1VMM_AR_P, "CS not present");
	BREAK(good64, v.guest_seg[CS].ar |= 1 << 8, "CS access-rights reserved bits set");
	BREAK(good64, v.guest_seg[CS].ar |= 1 << 20, "CS access-rights reserved bits set");
	BREAK(good64, v.guest_seg[CS].limit = 0xfffff000, "CS granularity inconsistent with the limit");
	BREAK(good64, v.guest_seg[CS].ar &= ~L1VMM_AR_G, "CS granularity inconsistent with the limit");

	/* SS access rights. */
	/* A conforming CS at DPL 0 lets SS.DPL alone be wrong. */
	BREAK(good32, (v.guest_seg[CS].ar = 0xc09f, v.guest_seg[SS].ar = 0xc093),
	      "SS.DPL differs from SS.RPL");
	BREAK(good_real, (v.guest_seg[CS].ar = 0x93, v.guest_seg[SS].ar |= 3 << L1VMM_AR_DPL_SHIFT),
	      "SS.DPL not 0 in real mode or with CS type 3");
	BREAK(good64, v.guest_seg[SS].ar = 0xc091, "SS type not a read/write accessed data segment");
	BREAK(good64, v.guest_seg[SS].ar = 0xc09b, "SS type not a read/write accessed data segment");
	BREAK(good64, v.guest_seg[SS].ar &= ~L1VMM_AR_S, "SS a system segment");
	BREAK(good64, v.guest_seg[SS].ar &= ~L1VMM_AR_P, "SS not present");
	BREAK(good64, v.guest_seg[SS].ar |= 1 << 11, "SS access-rights reserved bits set");
	BREAK(good64, v.guest_seg[SS].limit = 0xffff0, "SS granularity inconsistent with the limit");

	/* DS, ES, FS, GS access rights. */
	BREAK(good32, v.guest_seg[DS].ar &= ~L1VMM_AR_TYPE_ACCESSED,
	      "data segment register not accessed");
	BREAK(good32, v.guest_seg[ES].ar = 0xc0f9,
	      "data segment register holds an execute-only code segment");
	BREAK(good32, v.guest_seg[FS].ar &= ~L1VMM_AR_S,
	      "data segment register holds a system segment");
	BREAK(good32, v.guest_seg[GS].ar &= ~(1 << L1VMM_AR_DPL_SHIFT),
	      "data segment register DPL below its RPL");
	BREAK(good32, v.guest_seg[DS].ar &= ~L1VMM_AR_P, "DS not present");
	BREAK(good32, v.guest_seg[GS].ar |= 1 << 17, "GS access-rights reserved bits set");
	BREAK(good32, v.guest_seg[FS].ar &= ~L1VMM_AR_G, "FS granularity inconsistent with the limit");

	/* TR and LDTR access rights. */
	BREAK(good64, v.guest_seg[TR].ar = 0x83, "TR type not a busy TSS of the mode");
	BREAK(good32, v.guest_seg[TR].ar = 0x89, "TR type not a busy TSS of the mode");
	BREAK(good64, v.guest_seg[TR].ar |= L1VMM_AR_S, "TR not a system segment");
	BREAK(good64, v.guest_seg[TR].ar |= L1VMM_AR_UNUSABLE, "TR unusable");
	BREAK(good64, v.guest_seg[TR].ar &= ~L1VMM_AR_P, "TR not present");
	BREAK(good64, v.guest_seg[TR].ar |= 1 << 9, "TR access-rights reserved bits set");
	BREAK(good64, v.guest_seg[TR].ar |= L1VMM_AR_G, "TR granularity inconsistent with the limit");
	BREAK(good32, v.guest_seg[LDTR].ar = 0x8b, "LDTR type not an LDT");
	BREAK(good32, v.guest_seg[LDTR].ar |= L1VMM_AR_S, "LDTR not a system segment");
	BREAK(good32, v.guest_seg[LDTR].ar &= ~L1VMM_AR_P, "LDTR not present");
	BREAK(good32, v.guest_seg[LDTR].ar |= 1 << 31, "LDTR access-rights reserved bits set");
	BREAK(good32, v.guest_seg[LDTR].limit = 0x100000,
	      "LDTR granularity inconsistent with the limit");

	/* Descriptor tables, RIP, RFLAGS. */
	BREAK(good64, v.guest_gdtr_base = 1ull << 47, "guest GDTR base not canonical");
	BREAK(good64, v.guest_idtr_base = 1ull << 60, "guest IDTR base not canonical");
	BREAK(good64, v.guest_gdtr_limit = 0x10000, "guest GDTR limit bits 31:16 set");
	BREAK(good64, v.guest_idtr_limit = 0x10000, "guest IDTR limit bits 31:16 set");
	BREAK(good32, v.guest_rip = 1ull << 32, "guest RIP bits 63:32 set outside 64-bit mode");
	BREAK(good64, v.guest_rip = 1ull << 47, "guest RIP not canonical in 64-bit mode");
	BREAK(good64, v.guest_rflags |= 1ull << 3, "guest RFLAGS reserved bits set");
	BREAK(good64, v.guest_rflags |= 1ull << 22, "guest RFLAGS reserved bits set");
	BREAK(good64, v.guest_rflags = 0, "guest RFLAGS bit 1 clear");
	BREAK(good64, v.entry_intr_info = INJECT(EXT_INTR, 0x20),
	      "external interrupt injection with RFLAGS.IF clear");

	/* Activity state. */
	v = good64();
	v.guest_activity = L1VMM_ACTIVITY_HLT;
	expect_valid(&v, "HLT");
	no_hlt.misc &= ~L1VMM_VMX_MISC_ACTIVITY_HLT;
	expect(&v, &no_hlt, "guest activity state not supported by the CPU");
	BREAK(good32, v.guest_activity = L1VMM_ACTIVITY_HLT, "guest HLT state with SS.DPL not 0");
	BREAK(good64, (v.guest_activity = L1VMM_ACTIVITY_HLT,
		       v.guest_interruptibility = L1VMM_INTERRUPTIBILITY_MOV_SS),
	      "guest not active with blocking by STI or MOV SS");
	BREAK(good64, (v.guest_activity = L1VMM_ACTIVITY_HLT,
		       v.entry_intr_info = INJECT(HARD_EXCEPTION, 6)),
	      "event injection the guest activity state does not take");
	BREAK(good64, (v.guest_activity = L1VMM_ACTIVITY_WAIT_SIPI,
		       v.entry_intr_info = INJECT(NMI, 2)),
	      "event injection the guest activity state does not take");

	/* Interruptibility state and pending debug exceptions. */
	BREAK(good64, v.guest_interruptibility = 1u << 5, "guest interruptibility reserved bits set");
	BREAK(good32, v.guest_interruptibility = 3, "guest blocking by STI and by MOV SS both set");
	BREAK(good64, v.guest_interruptibility = L1VMM_INTERRUPTIBILITY_STI,
	      "guest blocking by STI with RFLAGS.IF clear");
	BREAK(good32, (v.guest_interruptibility = L1VMM_INTERRUPTIBILITY_STI,
		       v.entry_intr_info = INJECT(EXT_INTR, 0x20)),
	      "external interrupt injection with blocking by STI or MOV SS");
	BREAK(good64, (v.guest_interruptibility = L1VMM_INTERRUPTIBILITY_MOV_SS,
		       v.entry_intr_info = INJECT(NMI, 2)),
	      "NMI injection with blocking by MOV SS");
	BREAK(good64, v.guest_interruptibility = L1VMM_INTERRUPTIBILITY_SMI,
	      "guest blocking by SMI outside SMM");
	BREAK(good64, (v.guest_interruptibility = L1VMM_INTERRUPTIBILITY_NMI,
		       v.entry_intr_info = INJECT(NMI, 2)),
	      "NMI injection with blocking by NMI under virtual NMIs");
	BREAK(good64, v.guest_pending_dbg = 1ull << 4,
	      "guest pending debug exceptions reserved bits set");
	BREAK(good64, v.guest_pending_dbg = 1ull << 13,
	      "guest pending debug exceptions reserved bits set");
	BREAK(good64, v.guest_pending_dbg = 1ull << 17,
	      "guest pending debug exceptions reserved bits set");
#undef BREAK
}

/* Virtual-8086 mode: its own segment rules; the others' are not applied. */
static void test_v86(void)
{
	struct l1vmm_vmcs_view base = good32(), v;
	int i;

	base.guest_rflags |= L1VMM_RFLAGS_VM;
	base.guest_rip = 0x100;
	for (i = ES; i <= GS; i++)
		set_seg(&base, i, 0x1000 + i, (0x1000 + i) << 4, 0xffff, L1VMM_AR_V86);
	v = base;
	v.guest_seg[SS].selector = 0x2000;	/* SS.RPL != CS.RPL is fine */
	v.guest_seg[SS].base = 0x20000;
	expect_valid(&v, "virtual-8086, SS.RPL 0");

#define BREAK(change, reason) do { v = base; change; expect(&v, &limits, reason); } while (0)
	BREAK(v.guest_seg[DS].base += 1, "DS base not selector * 16 in virtual-8086 mode");
	BREAK(v.guest_seg[CS].limit = 0xfffff, "CS limit not 0xffff in virtual-8086 mode");
	BREAK(v.guest_seg[GS].ar = 0xf1, "GS access rights not 0xf3 in virtual-8086 mode");
	BREAK(v.guest_seg[TR].ar = 0x89, "TR type not a busy TSS of the mode");
	BREAK(v.guest_seg[TR].base = 1ull << 47, "TR base not canonical");
	BREAK(v.entry |= L1VMM_ENTRY_IA32E_MODE_GUEST,
	      "guest EFER.LMA differs from IA-32e mode guest");
	/* Unrestricted real mode with VM: segments fine, RFLAGS not. */
	BREAK((v.proc2 |= L1VMM_PROC2_UNRESTRICTED_GUEST, v.guest_cr0 = 0x30),
	      "guest RFLAGS.VM in IA-32e mode or real mode");
#undef BREAK
}

/* Controls come before host state, host state before guest state. */
static void test_order(void)
{
	struct l1vmm_vmcs_view v = good64();

	v.guest_cr3 = ~0ull;
	v.host_cr3 = ~0ull;
	v.vpid = 0;
	expect(&v, &limits, "VPID 0 with VPID enabled");
	v.vpid = 1;
	expect(&v, &limits, "host CR3 beyond the physical width");
	v.host_cr3 = 0;
	expect(&v, &limits, "guest CR3 beyond the physical width");
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_good_vmcss_pass),
	KTAP_CASE(test_controls),
	KTAP_CASE(test_host_state),
	KTAP_CASE(test_guest_state),
	KTAP_CASE(test_v86),
	KTAP_CASE(test_order),
};

int main(void)
{
	return ktap_run("vmcs_check", tests, KTAP_ARRAY_SIZE(tests));
}
