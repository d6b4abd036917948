/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The contract between the core and a backend (SVM today, VMX next): the
 * exit as the backend decodes it, the event it delivers, what the fastpath
 * did, and the one list of backend operations. doc/design.md, "Backends".
 *
 * Return convention of every exit handler in the core, written down once:
 *   1         re-enter the guest;
 *   0         return to user space, with vcpu->run filled in;
 *   negative  an errno for KVM_RUN.
 */
#ifndef L1VMM_BACKEND_H
#define L1VMM_BACKEND_H

#include <linux/kvm.h>
#include <linux/types.h>

#include "l1vmm/portable/cpu_detect.h"

struct l1vmm_feature_msrs;
struct l1vmm_vcpu;
struct l1vmm_tdp_format;

/* Why the guest exited, decoded by the backend; the core decides what to do. */
enum l1vmm_exit_reason {
	L1VMM_EXIT_UNKNOWN,	/* raw code in exit.raw */
	L1VMM_EXIT_INTR,	/* a host interrupt: nothing to do */
	L1VMM_EXIT_HLT,
	L1VMM_EXIT_IO,
	L1VMM_EXIT_NPF,		/* second-level page fault: NPF (SVM), EPT violation (VMX) */
	L1VMM_EXIT_SHUTDOWN,	/* triple fault */
	L1VMM_EXIT_CPUID,
	L1VMM_EXIT_HYPERCALL,	/* VMMCALL (SVM), VMCALL (VMX) */
	L1VMM_EXIT_MSR,		/* RDMSR or WRMSR */
	L1VMM_EXIT_FAIL_ENTRY,	/* the CPU refused the guest state */
	L1VMM_EXIT_IRQ_WINDOW,	/* the guest can take an interrupt now */
	L1VMM_EXIT_XSETBV,
	L1VMM_EXIT_DR_ACCESS,	/* MOV to or from a debug register */
	L1VMM_EXIT_EXCEPTION,	/* intercepted: #DB, #UD, #AC, #MC; #BP for guest debug */
	L1VMM_EXIT_RDPMC,
	L1VMM_EXIT_WBINVD,	/* WBINVD or INVD */
	L1VMM_EXIT_MWAIT,	/* MONITOR or MWAIT */
	L1VMM_EXIT_PAUSE,	/* PAUSE, past the CPU's pause filter */
	L1VMM_EXIT_UD,		/* an instruction the guest may not use here: #UD */
	L1VMM_EXIT_IRET,	/* IRET, intercepted while NMIs are masked */
	L1VMM_EXIT_NMI_WINDOW,	/* the guest can take an NMI now (VMX: its IRET has run) */
	L1VMM_EXIT_CR8_WRITE,	/* MOV to CR8, intercepted while an interrupt waits below the TPR */
	L1VMM_EXIT_CR4_WRITE,	/* MOV to CR4, for the core to check (SVM; VMX checks it itself) */
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
			bool write;
			bool fetch;
			bool present;	/* a translation was there, and refused */
			bool in_walk;	/* while reading the guest's page tables */
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
			u8 index;	/* DR0-DR7 */
			bool write;	/* MOV to the debug register */
		} dr;
		struct {
			const char *check;	/* the backend's check that refused, or NULL */
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

/*
 * The last exit as the hardware reported it, for the l1vmm_exit tracepoint
 * (trace.h), in the fields of KVM's kvm_exit.
 */
struct l1vmm_exit_info {
	u32 isa;		/* enum l1vmm_backend_kind: whose exit codes */
	u32 code;		/* SVM: EXITCODE; VMX: the exit reason */
	u64 rip;		/* the guest's RIP at the exit */
	u64 info1, info2;	/* SVM: EXITINFO1/2; VMX: qualification, guest-physical address */
	u32 intr_info;		/* the event the exit interrupted (SVM: EXITINTINFO) */
	u32 error_code;		/* its error code */
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
 * refuses a backend that lacks one (main.c, backend_complete()).
 */
struct l1vmm_backend_ops {
	const char *name;
	/* The second-level page table's format (tdp.h). */
	const struct l1vmm_tdp_format *tdp;
	/* Turn virtualization on or off on this CPU; preemption is off. */
	int (*hardware_enable)(void);
	void (*hardware_disable)(void);
	int (*vcpu_create)(struct l1vmm_vcpu *vcpu);
	/*
	 * Optional (NULL: nothing to do, SVM): make the vCPU's hardware
	 * state current on this CPU before the run loop, preemption off and
	 * IRQs still on (VMX: VMCLEAR where it was, VMPTRLD here).
	 */
	void (*vcpu_load)(struct l1vmm_vcpu *vcpu);
	/* Put the backend's vCPU state in its RESET state (real mode, 0xffff0). */
	void (*vcpu_reset)(struct l1vmm_vcpu *vcpu);
	void (*vcpu_free)(struct l1vmm_vcpu *vcpu);
	void (*get_sregs)(struct l1vmm_vcpu *vcpu, struct kvm_sregs *sregs);
	/* @sregs has passed l1vmm_sregs_invalid() (portable/sregs_check.h). */
	void (*set_sregs)(struct l1vmm_vcpu *vcpu, const struct kvm_sregs *sregs);
	unsigned long (*get_rflags)(struct l1vmm_vcpu *vcpu);
	void (*set_rflags)(struct l1vmm_vcpu *vcpu, unsigned long rflags);
	/*
	 * Storage of the MSRs l1vmm_msr_in_backend() names (portable/msrs.h):
	 * the core decides which exist and validates the values
	 * (msr_access.h); EFER keeps LMA, which is the CPU's. Also the
	 * guest's TSC offset, under the key L1VMM_MSR_TSC_OFFSET.
	 */
	u64 (*get_msr)(struct l1vmm_vcpu *vcpu, u32 index);
	void (*set_msr)(struct l1vmm_vcpu *vcpu, u32 index, u64 data);
	/* The event to deliver at the next entry (valid = false: none). */
	void (*get_event)(struct l1vmm_vcpu *vcpu, struct l1vmm_event *event);
	void (*set_event)(struct l1vmm_vcpu *vcpu, const struct l1vmm_event *event);
	/*
	 * The one-instruction interrupt shadow after STI or MOV SS, as KVM's
	 * KVM_X86_SHADOW_INT_MOV_SS | KVM_X86_SHADOW_INT_STI mask.
	 */
	u8 (*get_interrupt_shadow)(struct l1vmm_vcpu *vcpu);
	void (*set_interrupt_shadow)(struct l1vmm_vcpu *vcpu, u8 mask);
	/* Exit (L1VMM_EXIT_IRQ_WINDOW) as soon as the guest can take an interrupt. */
	void (*set_irq_window)(struct l1vmm_vcpu *vcpu, bool on);
	/* The guest's DR6 and DR7 (the VMCB or VMCS switches them). */
	u64 (*get_dr6)(struct l1vmm_vcpu *vcpu);
	void (*set_dr6)(struct l1vmm_vcpu *vcpu, u64 value);
	u64 (*get_dr7)(struct l1vmm_vcpu *vcpu);
	void (*set_dr7)(struct l1vmm_vcpu *vcpu, u64 value);
	/* Exit (L1VMM_EXIT_DR_ACCESS) on the guest's MOV DR, or let it run. */
	void (*set_dr_intercepts)(struct l1vmm_vcpu *vcpu, bool on);
	/*
	 * Exit (L1VMM_EXIT_EXCEPTION) on exception @vector besides those the
	 * backend always intercepts (#BP for KVM_GUESTDBG_USE_SW_BP).
	 */
	void (*set_exception_intercept)(struct l1vmm_vcpu *vcpu, u8 vector, bool on);
	/*
	 * SVM: exit (L1VMM_EXIT_IRET) before the guest's next IRET, which
	 * unmasks NMIs. With @nmi_window_exits (VMX), exit
	 * (L1VMM_EXIT_NMI_WINDOW) as soon as the guest can take an NMI: no
	 * NMI blocking, no interrupt shadow.
	 */
	void (*set_iret_intercept)(struct l1vmm_vcpu *vcpu, bool on);
	bool nmi_window_exits;
	/*
	 * The vendor module's ABI answers: what MCG_CAP keeps of
	 * KVM_X86_SETUP_MCE's value (L1VMM_MCG_CAP_KEEP_*), and the feature
	 * MSRs (KVM_GET_MSR_FEATURE_INDEX_LIST, portable/msrs.h).
	 */
	u64 mcg_cap_keep;
	/* The DEBUGCTL bits a write may name and have ignored (portable/msrs.h). */
	u64 debugctl_ignored;
	/*
	 * A series of fastpath re-entries ends at the TSC value the
	 * backend's begin_entries() put in vcpu->series_end: where a host
	 * interrupt may not make the guest exit (VMX under Bochs while L2
	 * has IF=0), the series must end by itself for the host to take it.
	 * SVM's INTR intercept always exits.
	 */
	bool bounded_series;
	const struct l1vmm_feature_msrs *feature_msrs;
	/*
	 * Optional (NULL: the core's nmi_masked is all there is, SVM): the
	 * CPU's own NMI blocking (VMX's virtual-NMI blocking), set or cleared
	 * as user space asks.
	 */
	void (*set_nmi_blocked)(struct l1vmm_vcpu *vcpu, bool blocked);
	u64 (*get_cr0)(struct l1vmm_vcpu *vcpu);
	u64 (*get_cr3)(struct l1vmm_vcpu *vcpu);
	u64 (*get_cr4)(struct l1vmm_vcpu *vcpu);
	/* The guest's CR4, from its MOV: the core has checked @cr4 (cr4_write.c). */
	void (*set_cr4)(struct l1vmm_vcpu *vcpu, u64 cr4);
	/*
	 * One segment register, @seg L1VMM_SEG_ES to L1VMM_SEG_GS, as
	 * KVM_GET_SREGS reports it: what an emulated instruction needs,
	 * without the rest of the special registers (VMX: each a VMREAD).
	 */
	void (*get_segment)(struct l1vmm_vcpu *vcpu, int seg, struct kvm_segment *s);
	u64 (*get_cr8)(struct l1vmm_vcpu *vcpu);
	/* The TPR, 0-15: the core has checked @cr8. */
	void (*set_cr8)(struct l1vmm_vcpu *vcpu, u64 cr8);
	/* Exit (L1VMM_EXIT_CR8_WRITE) on the guest's MOV to CR8. */
	void (*set_cr8_intercept)(struct l1vmm_vcpu *vcpu, bool on);

	/*
	 * The steps of the core's run loop (l1vmm/run.h), IRQs and
	 * preemption off, called only from the loop that .run instantiates
	 * with these same ops: direct calls there, never through this table.
	 *
	 * prepare_run: this CPU's set-up before a series (SVM: the ASID).
	 * flush_tlb: the guest's TLB entries go at the next entry.
	 * entry_ready: the guest state as the next entry needs it, checked
	 *   (@first: the series' first entry, else after the fastpath); false
	 *   with an L1VMM_EXIT_FAIL_ENTRY exit in vcpu->exit.
	 * begin_entries / end_entries: around a series (SVM: GIF, the host
	 *   state VMRUN does not switch).
	 * enter_once: one entry, until the exit; true when the entry
	 *   instruction faulted (no guest ran).
	 * decode_exit: vcpu->exit from the hardware's exit (@faulted: what
	 *   enter_once said); returns its reason.
	 */
	void (*prepare_run)(struct l1vmm_vcpu *vcpu);
	void (*flush_tlb)(struct l1vmm_vcpu *vcpu);
	bool (*entry_ready)(struct l1vmm_vcpu *vcpu, bool first);
	void (*begin_entries)(struct l1vmm_vcpu *vcpu);
	bool (*enter_once)(struct l1vmm_vcpu *vcpu);
	enum l1vmm_exit_reason (*decode_exit)(struct l1vmm_vcpu *vcpu, bool faulted);
	void (*end_entries)(struct l1vmm_vcpu *vcpu);
	/* l1vmm_run_loop() (l1vmm/run.h) instantiated with these same ops. */
	enum l1vmm_fastpath (*run)(struct l1vmm_vcpu *vcpu);
	/* The last exit, raw, for tracing (after run(), outside the run loop). */
	void (*get_exit_info)(struct l1vmm_vcpu *vcpu, struct l1vmm_exit_info *info);
};

extern const struct l1vmm_backend_ops *l1vmm_ops;

/* The backends this build has, by the kind cpu_probe.c detected (main.c). */
struct l1vmm_backend {
	/* Allocate what the backend needs; its ops, or an ERR_PTR. */
	const struct l1vmm_backend_ops *(*init)(void);
	void (*exit)(void);
};

/* Each backend's, in its directory: l1vmm/svm/setup.c, l1vmm/vmx/setup.c. */
extern const struct l1vmm_backend l1vmm_svm;
extern const struct l1vmm_backend l1vmm_vmx;

#endif /* L1VMM_BACKEND_H */
