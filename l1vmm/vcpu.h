/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A vCPU: the guest's registers and the state the core keeps for it, its
 * statistics, and the vCPU file's operations (vcpu.c, stats.c).
 */
#ifndef L1VMM_VCPU_H
#define L1VMM_VCPU_H

#include <linux/kvm.h>
#include <linux/mutex.h>
#include <linux/signal_types.h>
#include <linux/thread_info.h>
#include <linux/types.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>

#include "l1vmm/backend.h"
#include "l1vmm/portable/insn_decode.h"
#include "l1vmm/portable/mce.h"
#include "l1vmm/portable/mtrr.h"
#include "l1vmm/portable/pv_cpuid.h"
#include "l1vmm/portable/regs.h"
#include "l1vmm/portable/tsc_sync.h"
#include "xstate/egpr.h"

struct l1vmm_vm;
struct l1vmm_lapic;

/*
 * The vCPU mmap: struct kvm_run, the PIO data page, the VM's coalesced-MMIO
 * ring, as in KVM.
 */
#define L1VMM_VCPU_MMAP_PAGES	3

enum l1vmm_vcpu_mode {
	L1VMM_OUTSIDE_GUEST_MODE,
	L1VMM_IN_GUEST_MODE,
};

/* Deferred work for a vCPU, bits in vcpu->requests, handled before entry. */
#define L1VMM_REQ_TLB_FLUSH	0
/* KVM_X86_SET_MCE found a machine check in progress: exit with KVM_EXIT_SHUTDOWN. */
#define L1VMM_REQ_TRIPLE_FAULT	1
/* An instruction l1vmm retired under KVM_GUESTDBG_SINGLESTEP: KVM_EXIT_DEBUG. */
#define L1VMM_REQ_DEBUG_EXIT	2
/*
 * Not work: set while the run loop is traced (l1vmm/trace.h), so that the
 * fastpath ends its series after each exit it handles (exit_requested()).
 */
#define L1VMM_REQ_SINGLE_ENTRY	(BITS_PER_LONG - 1)
/* Write the pvclock page again, with preemption on (kvmclock.h). */
#define L1VMM_REQ_CLOCK_UPDATE	3
/* The local APIC has something for the vCPU: look before entering (irqchip.c). */
#define L1VMM_REQ_EVENT		4


/*
 * SPEC_CTRL around one entry, for the entry assembly: it loads .guest before
 * VMRUN and .host back after the exit, both only when the two differ.
 */
struct l1vmm_spec_ctrl {
	u64 guest;
	u64 host;
};

/*
 * An exit that user space completes on the next KVM_RUN: a port access, a
 * string port read, an MMIO read. As in KVM, the instruction is not
 * retired until then: RIP stays on it (and an interrupt shadow before it
 * stays) while user space looks at the exit. complete() runs before the
 * next entry (with the exit convention: 1 enter, 0 back to user space);
 * NULL when nothing is pending. User space moving RIP (KVM_SET_REGS,
 * KVM_SET_SREGS with another CS base) abandons it, as in KVM.
 */
struct l1vmm_pending_io {
	int (*complete)(struct l1vmm_vcpu *vcpu);
	u64 rip;		/* the instruction's */
	u64 next_rip;		/* after it */
	union {
		u8 pio_size;
		struct {
			u8 size;	/* bytes per item */
			u8 addr_size;
			bool rep;
			u16 count;	/* items user space supplied */
		} string_in;
		struct l1vmm_insn mmio_read;
	};
};

/* Per-vCPU counters, read through KVM_GET_STATS_FD (l1vmm/stats.c). */
struct l1vmm_vcpu_stats {
	u64 exits;		/* every exit from the guest */
	u64 fastpath_exits;	/* of those, handled in the fastpath */
	u64 fastpath_apic_writes; /* of those, x2APIC ICR/EOI and TSC_DEADLINE writes */
	u64 fastpath_series_bounded; /* series of them ended by their time bound (VMX) */
	u64 xsetbv_exits;	/* guest XSETBV that reached l1vmm */
	u64 l1_xsetbv;		/* XSETBV l1vmm executed itself (XCR0 switches) */
	/*
	 * Instructions l1vmm executed that L0 intercepts: always (XSETBV,
	 * CPUID, RDMSR/WRMSR of MSRs KVM keeps intercepted; on VMX, VMPTRLD
	 * and VMCLEAR), or unless L0 virtualizes them (VMLOAD/VMSAVE,
	 * CLGI/STGI, WRMSR of MSRs KVM passes through once used). VMRUN,
	 * VMLAUNCH and VMRESUME are in neither. Counted where they are
	 * issued: l1vmm_l1_always(), l1vmm_l1_cond(), and the entry
	 * assembly's macros. doc/performance.md.
	 */
	u64 l1_intercepted_always;
	u64 l1_intercepted_cond;
	/*
	 * VMX: VMREADs and VMWRITEs of VMCS fields KVM as L0 does not shadow
	 * (vmx/vmcs_field_list.h); on a nested host each is an exit to L0.
	 */
	u64 l1_vmcs_unshadowed;
	u64 l1d_flush;		/* VMX: L1D flushes before an entry, KVM's statistic */
	u64 egpr_switches;	/* entries that switched R16-R31 (xstate/egpr.c) */
	/* KVM's halt statistics (exit.c, halt_poll.c): HLT exits, polls, sleeps. */
	u64 halt_exits;
	u64 halt_successful_poll;
	u64 halt_attempted_poll;
	u64 halt_poll_invalid;		/* always 0: every x86 wake-up is valid */
	u64 halt_wakeup;
	u64 halt_poll_success_ns;
	u64 halt_poll_fail_ns;
	u64 halt_wait_ns;
	u64 blocking;			/* 1 while the vCPU sleeps */
#ifdef CONFIG_L1VMM_EGPR_SHADOW
	u64 egpr_shadow_loads;
	u64 egpr_shadow_stores;
	u64 egpr_shadow_bad;
	u64 egpr_store_before_spec_ctrl;
#endif
};

/* kvmclock (kvmclock.c): the guest's system-time MSR and its page. */
struct l1vmm_kvmclock {
	u64 system_time;	/* MSR_KVM_SYSTEM_TIME(_NEW): the page's GPA | enable */
	int cpu;		/* the host CPU of the last update, -1 before */
	unsigned long next_sync;	/* jiffies: the periodic update is due */
	bool wall_clock_pending;	/* a guest WRMSR's wall clock to write */
};

struct l1vmm_vcpu {
	struct l1vmm_vm *vm;
	unsigned int id;
	pid_t creator;		/* for the statistics' id string */
	struct mutex mutex;	/* one ioctl at a time */
	struct kvm_run *run;
	void *pio_data;
	int cpu;		/* where it last ran, -1 before */
	int last_vmentry_cpu;	/* where it last entered the guest, -1 before (KVM's) */
	int mode;		/* enum l1vmm_vcpu_mode */
	unsigned long requests;
	u64 series_end;		/* the TSC at which a series ends (backend.h: bounded_series) */

	/*
	 * Guest GPRs. The backend keeps some registers elsewhere too (SVM: RAX,
	 * RSP and RIP in the VMCB): it copies them here after each exit, and
	 * writes back before entry only those marked in regs_dirty. Whoever
	 * changes one of them here marks it.
	 */
	unsigned long regs[L1VMM_NR_REGS];
	unsigned long regs_dirty;

	/* The guest's DR0-DR3, and when they are in the CPU (debugregs.h). */
	unsigned long db[4];
	u8 switch_db;

	u64 apic_base;		/* only reported, without an in-kernel APIC */
	struct l1vmm_lapic *lapic;	/* the in-kernel local APIC (irqchip.h), or NULL */
	u64 xcr0;		/* the guest's XCR0 (xstate/guest_xcr0.c) */
	u64 guest_supported_xcr0;	/* from its CPUID 0xD */
	u64 xcr0_loaded;	/* the guest's XCR0 in the CPU now, or 0 */
	unsigned long egprs;	/* the entry assembly's @egprs (xstate/egpr.h) */
#ifdef CONFIG_L1VMM_EGPR_SHADOW
	struct l1vmm_egpr_shadow egpr_shadow;
#endif
	struct l1vmm_vcpu_stats stats;
	struct l1vmm_spec_ctrl spec_ctrl;	/* .guest is the guest's MSR */
	u64 tsc_aux;
	u64 power_ctl;		/* IA32_POWER_CTL: kept, never acted on (KVM's) */
	struct l1vmm_pv_cpuid pv_cpuid;	/* KVM_CAP_ENFORCE_PV_FEATURE_CPUID */
	u32 tsc_khz;		/* the rate KVM_GET_TSC_KHZ reports */
	/* An interrupt from KVM_INTERRUPT, waiting for the event slot. */
	bool irq_pending;
	u8 irq_vector;
	/*
	 * NMIs, as KVM keeps them (events.c): how many wait (at most two),
	 * one to deliver again that is not in the event slot yet, whether
	 * the guest's NMIs are blocked (from delivery until its IRET), the
	 * IRET seen (NMIs unblock once RIP has moved past it). Then the
	 * window step: a single step over what holds a waiting NMI back, or
	 * over an interrupt shadow an L0 would drop (l1vmm_set_irq_window()).
	 */
	u8 nmi_pending;
	bool nmi_injected;
	bool nmi_masked;
	bool nmi_iret;
	bool window_step;
	u64 nmi_iret_rip;
	unsigned long window_step_rflags;
	unsigned long window_step_rip;	/* where the step began */
	/*
	 * KVM_SET_GUEST_DEBUG (guest_debug.c): the KVM_GUESTDBG_* flags (0:
	 * off), user space's DR0-DR3 and DR7 for KVM_GUESTDBG_USE_HW_BP, the
	 * linear RIP where single-stepping began, and the guest's own DR6
	 * and DR7 while the VMCB holds user space's (dbg_swapped).
	 */
	u32 guest_debug;
	unsigned long dbg_db[4];
	u64 dbg_dr7;
	u64 singlestep_rip;
	bool dbg_swapped;
	u64 dbg_guest_dr6;
	u64 dbg_guest_dr7;
	u64 dbg_exit_dr6;	/* the VMCB's at the last exit, for KVM_EXIT_DEBUG */
	u64 dbg_exit_dr7;
	/*
	 * An exception user space left pending (KVM_SET_VCPU_EVENTS with
	 * KVM_VCPUEVENT_VALID_PAYLOAD): not in the event slot yet, its
	 * payload (CR2 of a #PF, DR6 bits of a #DB) not yet delivered
	 * (events.c).
	 */
	struct {
		bool pending;
		bool has_error;
		bool has_payload;
		u8 vector;
		u32 error;
		u64 payload;
	} exc;
	/*
	 * The PAE PDPTEs KVM_GET_SREGS2 reports: cached from KVM_SET_SREGS2
	 * or from guest memory until the next entry (vcpu.c).
	 */
	bool pdptrs_cached;
	u64 pdptrs[4];
	struct kvm_cpuid_entry2 *cpuid;	/* from KVM_SET_CPUID2, or NULL */
	unsigned int cpuid_nent;
	/* CR4 bits the table withholds (sregs_check.h); none before the first. */
	u64 cr4_withheld;
	struct fpu_guest guest_fpu;
	struct l1vmm_pending_io pending;
	struct l1vmm_exit exit;
	/* KVM_SET_SIGNAL_MASK: the mask KVM_RUN runs with, when active. */
	sigset_t sigset;
	bool sigset_active;
	void *backend;		/* the backend's per-vCPU state */

	/* Slow-path MSR state, last: away from what the fastpath touches. */
	struct l1vmm_mtrr mtrr;	/* kept, not applied (portable/mtrr.h) */
	struct l1vmm_mce mce;	/* machine-check registers (portable/mce.h) */
	struct l1vmm_kvmclock kvmclock;
	s64 tsc_adjust;		/* IA32_TSC_ADJUST (tsc.c) */
	struct l1vmm_vcpu_tsc_sync tsc_sync;
	u64 misc_enable;	/* IA32_MISC_ENABLE (msr_misc.c) */
	u64 platform_info;	/* MSR_PLATFORM_INFO (msr_misc.c) */
};


/* vcpu.c */
struct l1vmm_vcpu *l1vmm_vcpu_alloc(struct l1vmm_vm *vm, unsigned long id);
int l1vmm_vcpu_create(struct l1vmm_vm *vm, unsigned long id);
void l1vmm_vcpu_free(struct l1vmm_vcpu *vcpu);
void l1vmm_vcpu_reset(struct l1vmm_vcpu *vcpu, bool init);
void l1vmm_vcpu_kick(struct l1vmm_vcpu *vcpu, unsigned int req);

/*
 * A signal or a reschedule waits for the vCPU's task: need_resched() ||
 * signal_pending(current), in one load. (TIF_NOTIFY_RESUME waits for the
 * return to user space: its work is not exported to modules.)
 */
static __always_inline bool l1vmm_task_work_pending(void)
{
	return read_thread_flags() & (_TIF_NEED_RESCHED | _TIF_SIGPENDING | _TIF_NOTIFY_SIGNAL);
}

/* Count an L1 instruction that L0 always intercepts, or may (stats above). */
static inline void l1vmm_l1_always(struct l1vmm_vcpu_stats *st)
{
	st->l1_intercepted_always++;
}

static inline void l1vmm_l1_cond(struct l1vmm_vcpu_stats *st)
{
	st->l1_intercepted_cond++;
}

/* stats.c: KVM_GET_STATS_FD. */
int l1vmm_vcpu_stats_fd(struct l1vmm_vcpu *vcpu);

/* APIC_BASE: the in-kernel APIC's, else the one kept for user space. */
u64 l1vmm_vcpu_apic_base(struct l1vmm_vcpu *vcpu);
/* The CR4 bits the guest may set (MOV to CR4, KVM_SET_SREGS). */
u64 l1vmm_vcpu_cr4_allowed(const struct l1vmm_vcpu *vcpu);
/* Load the PAE PDPTEs CR3 @cr3 points at, as KVM's load_pdptrs(); false if they cannot be. */
bool l1vmm_vcpu_load_pdptrs(struct l1vmm_vcpu *vcpu, u64 cr3);

#endif /* L1VMM_VCPU_H */
