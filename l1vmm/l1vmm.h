/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The l1vmm core: VMs, vCPUs, memory slots, the vendor-neutral exit, and the
 * one list of backend operations. Kernel only.
 *
 * Return convention of every exit handler, written down once:
 *   1         re-enter the guest;
 *   0         return to user space, with vcpu->run filled in;
 *   negative  an errno for KVM_RUN.
 */
#ifndef L1VMM_L1VMM_H
#define L1VMM_L1VMM_H

#include <linux/kvm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>

#include "l1vmm/cpu_detect.h"
#include "l1vmm/insn_decode.h"
#include "l1vmm/limits.h"
#include "l1vmm/msrs.h"
#include "l1vmm/npt.h"
#include "l1vmm/regs.h"
#include "xstate/egpr.h"

/* The vCPU mmap: struct kvm_run, then the PIO data page, as in KVM. */
#define L1VMM_VCPU_MMAP_PAGES	2

struct l1vmm_memslot {
	u16 id;
	u32 flags;
	u64 base_gfn;
	u64 npages;
	unsigned long userspace_addr;
	struct page **pages;	/* pinned for the slot's lifetime */
};

struct l1vmm_vm {
	refcount_t users;	/* the VM file and each vCPU file */
	struct mutex lock;	/* slots, vCPU creation, NPT changes */
	struct mm_struct *mm;	/* VM ioctls come from the creator's mm */
	struct l1vmm_memslot *slots[L1VMM_MAX_MEMSLOTS];
	struct l1vmm_npt npt;
	struct l1vmm_vcpu *vcpus[L1VMM_MAX_VCPUS];
	unsigned int nr_vcpus;
};

/* Why the guest exited, decoded by the backend; the core decides what to do. */
enum l1vmm_exit_reason {
	L1VMM_EXIT_UNKNOWN,	/* raw code in exit.raw */
	L1VMM_EXIT_INTR,	/* a host interrupt: nothing to do */
	L1VMM_EXIT_HLT,
	L1VMM_EXIT_IO,
	L1VMM_EXIT_NPF,		/* nested page fault */
	L1VMM_EXIT_SHUTDOWN,	/* triple fault */
	L1VMM_EXIT_CPUID,
	L1VMM_EXIT_HYPERCALL,	/* VMMCALL (SVM), VMCALL (VMX) */
	L1VMM_EXIT_MSR,		/* RDMSR or WRMSR */
	L1VMM_EXIT_FAIL_ENTRY,	/* the CPU refused the guest state */
	L1VMM_EXIT_IRQ_WINDOW,	/* the guest can take an interrupt now */
	L1VMM_EXIT_XSETBV,
	L1VMM_EXIT_DR_ACCESS,	/* MOV to or from a debug register */
	L1VMM_EXIT_EXCEPTION,	/* one intercepted for the host's sake: #DB, #AC, #MC */
	L1VMM_EXIT_RDPMC,
	L1VMM_EXIT_WBINVD,	/* WBINVD or INVD */
	L1VMM_EXIT_MWAIT,	/* MONITOR or MWAIT */
	L1VMM_EXIT_PAUSE,	/* PAUSE, past the CPU's pause filter */
	L1VMM_EXIT_UD,		/* an instruction the guest may not use here: #UD */
	L1VMM_NR_EXIT_REASONS,
};

struct l1vmm_exit {
	enum l1vmm_exit_reason reason;
	u64 raw;		/* the hardware exit code; not for the fastpath's exits */
	u64 info1, info2;	/* the hardware's exit information, raw: IO, NPF, unknown */
	u64 next_rip;		/* RIP after the instruction: exits that skip one */
	u8 cpl;			/* the guest's CPL: VMMCALL and XSETBV exits */
	union {
		struct {
			u16 port;
			u8 size;	/* 1, 2 or 4 */
			bool in;
			bool string;
			bool rep;
			u8 addr_size;	/* string forms: 2, 4, 8; 0 if not known */
		} io;
		struct {
			u64 gpa;
			u64 error_code;
		} npf;
		struct {
			bool write;
			u64 data;	/* what RDMSR read */
		} msr;
		struct {
			bool long_mode;	/* with a 64-bit code segment */
		} hypercall;
		struct {
			u8 vector;
			u32 error_code;	/* where the exception has one */
		} exception;
		struct {
			const char *check;	/* the vmcb12 check that refused, or NULL */
			bool faulted;		/* VMRUN faulted: SVM is off under us */
		} fail_entry;
	};
};

/*
 * An event the CPU delivers to the guest at the next entry: the SVM EVENTINJ
 * field, the VMX entry interruption information. Types use the encoding both
 * share.
 */
enum l1vmm_event_type {
	L1VMM_EVENT_INTR = 0,
	L1VMM_EVENT_NMI = 2,
	L1VMM_EVENT_EXCEPTION = 3,
	L1VMM_EVENT_SOFT_INTR = 4,
};

struct l1vmm_event {
	bool valid;
	u8 type;		/* enum l1vmm_event_type */
	u8 vector;
	bool has_error;
	u32 error;
};

enum l1vmm_vcpu_mode {
	L1VMM_OUTSIDE_GUEST_MODE,
	L1VMM_IN_GUEST_MODE,
};

/* Deferred work for a vCPU, bits in vcpu->requests, handled before entry. */
#define L1VMM_REQ_TLB_FLUSH	0

struct l1vmm_vcpu;

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
	u64 xsetbv_exits;	/* guest XSETBV that reached l1vmm */
	u64 l1_xsetbv;		/* XSETBV l1vmm executed itself (XCR0 switches) */
	/*
	 * Instructions l1vmm executed that L0 intercepts: always (XSETBV,
	 * CPUID, RDMSR/WRMSR of MSRs KVM keeps intercepted), or unless L0
	 * virtualizes them (VMLOAD/VMSAVE, CLGI/STGI, WRMSR of MSRs KVM
	 * passes through once used). VMRUN itself is in neither. Counted
	 * where they are issued: l1vmm_l1_always(), l1vmm_l1_cond(), and the
	 * entry assembly's macros. doc/performance.md.
	 */
	u64 l1_intercepted_always;
	u64 l1_intercepted_cond;
	u64 egpr_switches;	/* entries that switched R16-R31 (xstate/egpr.c) */
#ifdef CONFIG_L1VMM_EGPR_SHADOW
	u64 egpr_shadow_loads;
	u64 egpr_shadow_stores;
	u64 egpr_shadow_bad;
	u64 egpr_store_before_spec_ctrl;
#endif
};

struct l1vmm_vcpu {
	struct l1vmm_vm *vm;
	unsigned int id;
	struct mutex mutex;	/* one ioctl at a time */
	struct kvm_run *run;
	void *pio_data;
	int cpu;		/* where it last ran, -1 before */
	int mode;		/* enum l1vmm_vcpu_mode */
	unsigned long requests;

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

	u64 apic_base;		/* only reported: there is no in-kernel APIC */
	u64 xcr0;		/* the guest's XCR0 (xstate/guest_xcr0.c) */
	u64 guest_supported_xcr0;	/* from its CPUID 0xD */
	bool xcr0_loaded;	/* the guest's XCR0 is in the CPU now */
	unsigned long egprs;	/* the entry assembly's @egprs (xstate/egpr.h) */
#ifdef CONFIG_L1VMM_EGPR_SHADOW
	struct l1vmm_egpr_shadow egpr_shadow;
#endif
	struct l1vmm_vcpu_stats stats;
	struct l1vmm_spec_ctrl spec_ctrl;	/* .guest is the guest's MSR */
	u64 tsc_aux;
	/* An interrupt from KVM_INTERRUPT, waiting for the event slot. */
	bool irq_pending;
	u8 irq_vector;
	struct kvm_cpuid_entry2 *cpuid;	/* from KVM_SET_CPUID2, or NULL */
	unsigned int cpuid_nent;
	struct fpu_guest guest_fpu;
	struct l1vmm_pending_io pending;
	struct l1vmm_exit exit;
	void *backend;		/* the backend's per-vCPU state */
};

/*
 * What the fastpath did with an exit, IRQs still off: nothing (the full
 * path handles it), handled it (re-enter at once), or handled it but
 * something waits outside (a signal, a request, a reschedule).
 */
enum l1vmm_fastpath {
	L1VMM_FASTPATH_NONE,
	L1VMM_FASTPATH_REENTER,
	L1VMM_FASTPATH_HANDLED,
};

/*
 * The backend operations, named once. Every op is mandatory: module init
 * refuses a backend that lacks one (l1vmm_backend_check()).
 */
struct l1vmm_backend_ops {
	const char *name;
	/* Turn virtualization on or off on this CPU; preemption is off. */
	int (*hardware_enable)(void);
	void (*hardware_disable)(void);
	int (*vcpu_create)(struct l1vmm_vcpu *vcpu);
	/* Put the backend's vCPU state in its RESET state (real mode, 0xffff0). */
	void (*vcpu_reset)(struct l1vmm_vcpu *vcpu);
	void (*vcpu_free)(struct l1vmm_vcpu *vcpu);
	void (*get_sregs)(struct l1vmm_vcpu *vcpu, struct kvm_sregs *sregs);
	/* @sregs has passed l1vmm_sregs_valid(). */
	void (*set_sregs)(struct l1vmm_vcpu *vcpu, const struct kvm_sregs *sregs);
	unsigned long (*get_rflags)(struct l1vmm_vcpu *vcpu);
	void (*set_rflags)(struct l1vmm_vcpu *vcpu, unsigned long rflags);
	/* 0, or 1 when the MSR is unknown or the value refused (#GP). */
	int (*get_msr)(struct l1vmm_vcpu *vcpu, u32 index, u64 *data);
	int (*set_msr)(struct l1vmm_vcpu *vcpu, u32 index, u64 data);
	/* The event to deliver at the next entry (valid = false: none). */
	void (*get_event)(struct l1vmm_vcpu *vcpu, struct l1vmm_event *event);
	void (*set_event)(struct l1vmm_vcpu *vcpu, const struct l1vmm_event *event);
	/* The one-instruction interrupt shadow after STI or MOV SS. */
	bool (*get_interrupt_shadow)(struct l1vmm_vcpu *vcpu);
	void (*set_interrupt_shadow)(struct l1vmm_vcpu *vcpu, bool shadow);
	/* Exit (L1VMM_EXIT_IRQ_WINDOW) as soon as the guest can take an interrupt. */
	void (*set_irq_window)(struct l1vmm_vcpu *vcpu, bool on);
	/* The guest's DR6 and DR7 (the VMCB or VMCS switches them). */
	u64 (*get_dr6)(struct l1vmm_vcpu *vcpu);
	void (*set_dr6)(struct l1vmm_vcpu *vcpu, u64 value);
	u64 (*get_dr7)(struct l1vmm_vcpu *vcpu);
	void (*set_dr7)(struct l1vmm_vcpu *vcpu, u64 value);
	/* Exit (L1VMM_EXIT_DR_ACCESS) on the guest's MOV DR, or let it run. */
	void (*set_dr_intercepts)(struct l1vmm_vcpu *vcpu, bool on);
	u64 (*get_cr8)(struct l1vmm_vcpu *vcpu);
	u64 (*get_cr4)(struct l1vmm_vcpu *vcpu);
	/*
	 * Whether L0 delivers a guest's XSETBV as an exit: run once at load,
	 * on a CPU with virtualization enabled, preemption off.
	 */
	bool (*probe_xsetbv_exit)(void);
	/*
	 * Enter the guest, IRQs and preemption off, and enter it again for
	 * as long as l1vmm_fastpath() handles its exits: a series, in which a
	 * re-entry may keep what the previous one set up (nothing changed
	 * but the registers and MSRs the fastpath wrote). Around each entry
	 * l1vmm_guest_state_enter() and _exit() (l1vmm/entry.h). Returns what
	 * the fastpath said of the last exit, which is in vcpu->exit.
	 */
	enum l1vmm_fastpath (*run)(struct l1vmm_vcpu *vcpu);
};

extern const struct l1vmm_backend_ops *l1vmm_ops;

/* cpu_probe.c: pick the backend that every online CPU offers. */
int l1vmm_probe_cpus(enum l1vmm_backend_kind *backend);
u64 l1vmm_guest_cr4_allowed(void);

/* hw_enable.c: virtualization on in every CPU while any VM exists. */
int l1vmm_hw_init(void);
void l1vmm_hw_exit(void);
int l1vmm_hw_get(void);
void l1vmm_hw_put(void);

/* tsc_aux.c: the guest's TSC_AUX, switched lazily. */
DECLARE_PER_CPU(u64, l1vmm_tsc_aux_in_cpu);
extern bool l1vmm_tsc_aux_switched;
void __l1vmm_tsc_aux_load(u64 guest, struct l1vmm_vcpu_stats *st);

/* Before each entry, preemption off; a WRMSR only when the CPU has another value. */
static inline void l1vmm_tsc_aux_load(u64 guest, struct l1vmm_vcpu_stats *st)
{
	if (l1vmm_tsc_aux_switched && this_cpu_read(l1vmm_tsc_aux_in_cpu) != guest)
		__l1vmm_tsc_aux_load(guest, st);
}
void l1vmm_tsc_aux_cpu_up(void);
void l1vmm_tsc_aux_cpu_down(void);

/*
 * msr_access.c: guest MSRs for user space and the guest. SPEC_CTRL and
 * TSC_AUX are kept in the core, the same for every backend, and exist
 * only where the host has them; the others are the backend's.
 */
int l1vmm_get_msr_index_list(struct kvm_msr_list __user *ulist);
int l1vmm_vcpu_msrs(struct l1vmm_vcpu *vcpu, struct kvm_msrs __user *umsrs, bool set);
int l1vmm_set_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 data);

static inline bool l1vmm_host_has_msr(u32 index)
{
	switch (index) {
	case L1VMM_MSR_SPEC_CTRL:
		return boot_cpu_has(X86_FEATURE_MSR_SPEC_CTRL);
	case L1VMM_MSR_TSC_AUX:
		return boot_cpu_has(X86_FEATURE_RDTSCP) || boot_cpu_has(X86_FEATURE_RDPID);
	default:
		return true;
	}
}

/*
 * 0, or 1 when the MSR is unknown (#GP for the guest, the stop for
 * KVM_GET_MSRS). Inline: the fastpath's RDMSR exit runs it, with the
 * backend's own @ops, so that its get_msr is a direct call.
 */
static __always_inline int __l1vmm_get_msr(const struct l1vmm_backend_ops *ops,
					   struct l1vmm_vcpu *vcpu, u32 index, u64 *data)
{
	if (!l1vmm_host_has_msr(index))
		return 1;
	switch (index) {
	case L1VMM_MSR_SPEC_CTRL:
		*data = vcpu->spec_ctrl.guest;
		return 0;
	case L1VMM_MSR_TSC_AUX:
		*data = vcpu->tsc_aux;
		return 0;
	default:
		return ops->get_msr(vcpu, index, data);
	}
}

static inline int l1vmm_get_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 *data)
{
	return __l1vmm_get_msr(l1vmm_ops, vcpu, index, data);
}


/* dev.c: /dev/l1vmm, the KVM-style system file; CPUID on this CPU. */
struct l1vmm_cpuid_regs;
void l1vmm_host_cpuid(u32 leaf, u32 index, struct l1vmm_cpuid_regs *r);
int l1vmm_dev_register(void);
void l1vmm_dev_unregister(void);

/* vm.c */
int l1vmm_vm_create(void);
void l1vmm_vm_put(struct l1vmm_vm *vm);

/* vcpu.c */
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

/* exit.c: the core's exit policy. */
int l1vmm_handle_exit(struct l1vmm_vcpu *vcpu);
void l1vmm_host_machine_check(void);

static inline void l1vmm_set_rip(struct l1vmm_vcpu *vcpu, u64 rip)
{
	vcpu->regs[L1VMM_REG_RIP] = rip;
	vcpu->regs_dirty |= BIT(L1VMM_REG_RIP);
}

u64 l1vmm_wrap_rip(struct l1vmm_vcpu *vcpu, u64 rip);
void l1vmm_single_step_trap(struct l1vmm_vcpu *vcpu);

/*
 * RIP past an instruction the guest executed and l1vmm emulated, as KVM's
 * kvm_skip_emulated_instruction(): the interrupt shadow of an STI or MOV SS
 * before it ends with it, outside 64-bit mode RIP wraps at 32 bits, and a
 * guest single-stepping (RFLAGS.TF) gets the #DB trap the CPU would have
 * raised after it. Only a carry out of bit 31 can wrap, so only then is
 * the mode looked up. @ops: the backend's own on the fastpath, so that its
 * ops are direct calls; RIP is left for the caller to mark dirty
 * (l1vmm_skip_to() does). Returns true when it queued the #DB.
 */
static __always_inline bool __l1vmm_skip_to(const struct l1vmm_backend_ops *ops,
					    struct l1vmm_vcpu *vcpu, u64 next_rip)
{
	unsigned long rflags = ops->get_rflags(vcpu);

	ops->set_interrupt_shadow(vcpu, false);
	/* A carry out of bit 31: the low half went down. */
	if (unlikely((u32)next_rip < (u32)vcpu->regs[L1VMM_REG_RIP]))
		next_rip = l1vmm_wrap_rip(vcpu, next_rip);
	vcpu->regs[L1VMM_REG_RIP] = next_rip;	/* the caller marks it dirty */
	if (unlikely(rflags & X86_EFLAGS_TF)) {
		l1vmm_single_step_trap(vcpu);
		return true;
	}
	return false;
}

static inline void l1vmm_skip_to(struct l1vmm_vcpu *vcpu, u64 next_rip)
{
	__l1vmm_skip_to(l1vmm_ops, vcpu, next_rip);
	vcpu->regs_dirty |= BIT(L1VMM_REG_RIP);
}

/* Retire the instruction with @complete on the next KVM_RUN (struct l1vmm_pending_io). */
static inline void l1vmm_complete_later(struct l1vmm_vcpu *vcpu,
					int (*complete)(struct l1vmm_vcpu *vcpu), u64 next_rip)
{
	vcpu->pending.complete = complete;
	vcpu->pending.rip = vcpu->regs[L1VMM_REG_RIP];
	vcpu->pending.next_rip = next_rip;
}

/* Past the instruction that exited (vcpu->exit.next_rip). */
static inline void l1vmm_skip_instruction(struct l1vmm_vcpu *vcpu)
{
	l1vmm_skip_to(vcpu, vcpu->exit.next_rip);
}
void l1vmm_queue_exception(struct l1vmm_vcpu *vcpu, u8 vector, bool has_error, u32 error);
int l1vmm_emulation_failure(struct l1vmm_vcpu *vcpu, u64 info);

/* events.c: interrupts and exceptions for the guest, KVM_*_VCPU_EVENTS. */
void l1vmm_inject_pending(struct l1vmm_vcpu *vcpu);
bool l1vmm_ready_for_interrupt(struct l1vmm_vcpu *vcpu);
int l1vmm_interrupt(struct l1vmm_vcpu *vcpu, const struct kvm_interrupt *irq);
void l1vmm_get_vcpu_events(struct l1vmm_vcpu *vcpu, struct kvm_vcpu_events *events);
int l1vmm_set_vcpu_events(struct l1vmm_vcpu *vcpu, const struct kvm_vcpu_events *events);

/* pio.c and mmio.c: the exits user space emulates. */
int l1vmm_handle_io(struct l1vmm_vcpu *vcpu);
int l1vmm_handle_npf(struct l1vmm_vcpu *vcpu);

/* svm.c: allocate what SVM needs and return its ops, or NULL. */
#ifdef CONFIG_L1VMM_SVM
const struct l1vmm_backend_ops *l1vmm_svm_init(void);
void l1vmm_svm_exit(void);
#else
static inline const struct l1vmm_backend_ops *l1vmm_svm_init(void) { return NULL; }
static inline void l1vmm_svm_exit(void) { }
#endif

#endif /* L1VMM_L1VMM_H */
