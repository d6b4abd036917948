/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * l1vmm's tracepoints, TRACE_SYSTEM l1vmm: what a guest does, in the style
 * of KVM's kvm:kvm_entry, kvm:kvm_exit, kvm:kvm_pio, kvm:kvm_mmio,
 * kvm:kvm_msr and kvm:kvm_userspace_exit (same field names and text
 * formats where KVM has the event), for perf, trace-cmd and
 * /sys/kernel/tracing (doc/user-guide.md, "Tracing").
 *
 * Each is a static key while nothing listens (a no-op jump at its call
 * site). The run loop's events (entry, exit, fastpath, msr) may not fire
 * inside the loop's guest context (run.h), so while any of them is enabled
 * l1vmm_trace_run is on and vcpu_run() (vcpu.c) asks the fastpath to end
 * its series after each exit (L1VMM_REQ_SINGLE_ENTRY): every entry and
 * exit then passes vcpu_run(), which traces them. trace.c has the one
 * CREATE_TRACE_POINTS.
 */
#if !defined(L1VMM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define L1VMM_TRACE_H

#include <linux/jump_label.h>
#include <linux/kvm.h>
#include <linux/tracepoint.h>
#include <asm/svm.h>
#include <asm/vmx.h>

#include "l1vmm/backend.h"
#include "l1vmm/vcpu.h"

#undef TRACE_SYSTEM
#define TRACE_SYSTEM l1vmm

#ifndef L1VMM_TRACE_DECLARED
#define L1VMM_TRACE_DECLARED
/* On while a run-loop event is enabled: a series is one entry (run.h). */
DECLARE_STATIC_KEY_FALSE(l1vmm_trace_run);
int l1vmm_trace_run_reg(void);
void l1vmm_trace_run_unreg(void);

/* trace.c: events that need the backend's state, traced where it is current. */
void l1vmm_trace_inj_event(struct l1vmm_vcpu *vcpu);
void l1vmm_trace_msr_exit(struct l1vmm_vcpu *vcpu);

/* Directions, as KVM's KVM_PIO_IN and KVM_PIO_OUT. */
#define L1VMM_PIO_IN	0
#define L1VMM_PIO_OUT	1

/* As KVM's KVM_TRACE_MMIO_*. */
#define L1VMM_TRACE_MMIO_READ_UNSATISFIED	0
#define L1VMM_TRACE_MMIO_READ			1
#define L1VMM_TRACE_MMIO_WRITE			2
#endif

/* l1vmm's decoded exit reason (enum l1vmm_exit_reason), by name. */
TRACE_DEFINE_ENUM(L1VMM_EXIT_UNKNOWN);
TRACE_DEFINE_ENUM(L1VMM_EXIT_INTR);
TRACE_DEFINE_ENUM(L1VMM_EXIT_HLT);
TRACE_DEFINE_ENUM(L1VMM_EXIT_IO);
TRACE_DEFINE_ENUM(L1VMM_EXIT_NPF);
TRACE_DEFINE_ENUM(L1VMM_EXIT_SHUTDOWN);
TRACE_DEFINE_ENUM(L1VMM_EXIT_CPUID);
TRACE_DEFINE_ENUM(L1VMM_EXIT_HYPERCALL);
TRACE_DEFINE_ENUM(L1VMM_EXIT_MSR);
TRACE_DEFINE_ENUM(L1VMM_EXIT_FAIL_ENTRY);
TRACE_DEFINE_ENUM(L1VMM_EXIT_IRQ_WINDOW);
TRACE_DEFINE_ENUM(L1VMM_EXIT_XSETBV);
TRACE_DEFINE_ENUM(L1VMM_EXIT_DR_ACCESS);
TRACE_DEFINE_ENUM(L1VMM_EXIT_EXCEPTION);
TRACE_DEFINE_ENUM(L1VMM_EXIT_RDPMC);
TRACE_DEFINE_ENUM(L1VMM_EXIT_WBINVD);
TRACE_DEFINE_ENUM(L1VMM_EXIT_MWAIT);
TRACE_DEFINE_ENUM(L1VMM_EXIT_PAUSE);
TRACE_DEFINE_ENUM(L1VMM_EXIT_UD);

#define l1vmm_print_exit_reason(reason)					\
	__print_symbolic(reason,					\
		{ L1VMM_EXIT_UNKNOWN, "UNKNOWN" },			\
		{ L1VMM_EXIT_INTR, "INTR" },				\
		{ L1VMM_EXIT_HLT, "HLT" }, { L1VMM_EXIT_IO, "IO" },	\
		{ L1VMM_EXIT_NPF, "NPF" },				\
		{ L1VMM_EXIT_SHUTDOWN, "SHUTDOWN" },			\
		{ L1VMM_EXIT_CPUID, "CPUID" },				\
		{ L1VMM_EXIT_HYPERCALL, "HYPERCALL" },			\
		{ L1VMM_EXIT_MSR, "MSR" },				\
		{ L1VMM_EXIT_FAIL_ENTRY, "FAIL_ENTRY" },		\
		{ L1VMM_EXIT_IRQ_WINDOW, "IRQ_WINDOW" },		\
		{ L1VMM_EXIT_XSETBV, "XSETBV" },			\
		{ L1VMM_EXIT_DR_ACCESS, "DR_ACCESS" },			\
		{ L1VMM_EXIT_EXCEPTION, "EXCEPTION" },			\
		{ L1VMM_EXIT_RDPMC, "RDPMC" },				\
		{ L1VMM_EXIT_WBINVD, "WBINVD" },			\
		{ L1VMM_EXIT_MWAIT, "MWAIT" },				\
		{ L1VMM_EXIT_PAUSE, "PAUSE" },				\
		{ L1VMM_EXIT_UD, "UD" })

TRACE_DEFINE_ENUM(L1VMM_BACKEND_SVM);
TRACE_DEFINE_ENUM(L1VMM_BACKEND_VMX);

/* The hardware's exit code, by the backend's names (KVM's kvm_print_exit_reason). */
#define l1vmm_print_exit_code(code, isa)				\
	((isa) == L1VMM_BACKEND_SVM ?					\
	 __print_symbolic(code, SVM_EXIT_REASONS,			\
			  { 0xffffffffUL, "invalid_guest_state" }) :	\
	 __print_symbolic((code) & 0xffff, VMX_EXIT_REASONS))

/* Before each entry, with the RIP the guest starts at (KVM's kvm_entry). */
TRACE_EVENT_FN(l1vmm_entry,
	TP_PROTO(struct l1vmm_vcpu *vcpu),
	TP_ARGS(vcpu),

	TP_STRUCT__entry(
		__field(unsigned int,	vcpu_id)
		__field(unsigned long,	rip)
	),

	TP_fast_assign(
		__entry->vcpu_id	= vcpu->id;
		__entry->rip		= vcpu->regs[L1VMM_REG_RIP];
	),

	TP_printk("vcpu %u, rip 0x%lx", __entry->vcpu_id, __entry->rip),

	l1vmm_trace_run_reg, l1vmm_trace_run_unreg
);

/*
 * After each exit (KVM's kvm_exit, same fields and text), plus l1vmm's
 * decoded reason: the backend's raw exit code and information (SVM:
 * EXITCODE, EXITINFO1/2, EXITINTINFO and its error code) and the guest's
 * RIP at the exit, as the backend reports them (get_exit_info).
 */
TRACE_EVENT_FN(l1vmm_exit,
	TP_PROTO(struct l1vmm_vcpu *vcpu),
	TP_ARGS(vcpu),

	TP_STRUCT__entry(
		__field(unsigned int,	exit_reason)
		__field(unsigned long,	guest_rip)
		__field(u32,		isa)
		__field(u64,		info1)
		__field(u64,		info2)
		__field(u32,		intr_info)
		__field(u32,		error_code)
		__field(unsigned int,	vcpu_id)
		__field(unsigned int,	reason)
	),

	TP_fast_assign(
		struct l1vmm_exit_info info;

		l1vmm_ops->get_exit_info(vcpu, &info);
		__entry->exit_reason	= info.code;
		__entry->guest_rip	= info.rip;
		__entry->isa		= info.isa;
		__entry->info1		= info.info1;
		__entry->info2		= info.info2;
		__entry->intr_info	= info.intr_info;
		__entry->error_code	= info.error_code;
		__entry->vcpu_id	= vcpu->id;
		__entry->reason		= vcpu->exit.reason;
	),

	TP_printk("vcpu %u reason %s rip 0x%lx info1 0x%016llx info2 0x%016llx intr_info 0x%08x error_code 0x%08x l1vmm_reason %s",
		  __entry->vcpu_id,
		  l1vmm_print_exit_code(__entry->exit_reason, __entry->isa),
		  __entry->guest_rip, __entry->info1, __entry->info2,
		  __entry->intr_info, __entry->error_code,
		  l1vmm_print_exit_reason(__entry->reason)),

	l1vmm_trace_run_reg, l1vmm_trace_run_unreg
);

/*
 * An exit the fastpath handled (fastpath.h: CPUID, the hypercall, the
 * in-kernel MSRs, XSETBV), after its l1vmm_exit. KVM has no such event.
 */
TRACE_EVENT_FN_COND(l1vmm_fastpath,
	TP_PROTO(struct l1vmm_vcpu *vcpu, enum l1vmm_fastpath fast),
	TP_ARGS(vcpu, fast),
	TP_CONDITION(fast != L1VMM_FASTPATH_NONE),

	TP_STRUCT__entry(
		__field(unsigned int,	vcpu_id)
		__field(unsigned int,	reason)
	),

	TP_fast_assign(
		__entry->vcpu_id	= vcpu->id;
		__entry->reason		= vcpu->exit.reason;
	),

	TP_printk("vcpu %u reason %s", __entry->vcpu_id,
		  l1vmm_print_exit_reason(__entry->reason)),

	l1vmm_trace_run_reg, l1vmm_trace_run_unreg
);

#define l1vmm_print_event_type(type)					\
	__print_symbolic(type, { L1VMM_EVENT_INTR, "IRQ" }, { L1VMM_EVENT_NMI, "NMI" }, \
			 { L1VMM_EVENT_EXCEPTION, "exception" },	\
			 { L1VMM_EVENT_SOFT_INTR, "Soft/INTn" })

TRACE_DEFINE_ENUM(L1VMM_EVENT_INTR);
TRACE_DEFINE_ENUM(L1VMM_EVENT_NMI);
TRACE_DEFINE_ENUM(L1VMM_EVENT_EXCEPTION);
TRACE_DEFINE_ENUM(L1VMM_EVENT_SOFT_INTR);

/*
 * The event the next entry delivers to the guest (KVM's kvm_inj_virq and
 * kvm_inj_exception in one): traced at the entry, so an event being
 * delivered again after an exit interrupted it appears again.
 */
TRACE_EVENT(l1vmm_inj_event,
	TP_PROTO(unsigned int vcpu_id, const struct l1vmm_event *ev),
	TP_ARGS(vcpu_id, ev),

	TP_STRUCT__entry(
		__field(unsigned int,	vcpu_id)
		__field(u8,		type)
		__field(u8,		vector)
		__field(bool,		has_error)
		__field(u32,		error_code)
	),

	TP_fast_assign(
		__entry->vcpu_id	= vcpu_id;
		__entry->type		= ev->type;
		__entry->vector		= ev->vector;
		__entry->has_error	= ev->has_error;
		__entry->error_code	= ev->has_error ? ev->error : 0;
	),

	TP_printk("vcpu %u %s 0x%x%s0x%x%s", __entry->vcpu_id,
		  l1vmm_print_event_type(__entry->type),
		  __entry->vector,
		  __entry->has_error ? " (error code " : "",
		  __entry->error_code, __entry->has_error ? ")" : "")
);

/* Port I/O reflected to user space (KVM's kvm_pio): OUT at the exit, IN when its data came. */
TRACE_EVENT(l1vmm_pio,
	TP_PROTO(unsigned int rw, unsigned int port, unsigned int size,
		 unsigned int count, const void *data),
	TP_ARGS(rw, port, size, count, data),

	TP_STRUCT__entry(
		__field(unsigned int,	rw)
		__field(unsigned int,	port)
		__field(unsigned int,	size)
		__field(unsigned int,	count)
		__field(unsigned int,	val)
	),

	TP_fast_assign(
		__entry->rw		= rw;
		__entry->port		= port;
		__entry->size		= size;
		__entry->count		= count;
		__entry->val		= 0;
		memcpy(&__entry->val, data, min_t(unsigned int, size, sizeof(__entry->val)));
	),

	TP_printk("pio_%s at 0x%x size %d count %d val 0x%x %s",
		  __entry->rw ? "write" : "read",
		  __entry->port, __entry->size, __entry->count, __entry->val,
		  __entry->count > 1 ? "(...)" : "")
);

#define l1vmm_print_mmio_type(type)					\
	__print_symbolic(type, { L1VMM_TRACE_MMIO_READ_UNSATISFIED, "unsatisfied-read" }, \
			 { L1VMM_TRACE_MMIO_READ, "read" },		\
			 { L1VMM_TRACE_MMIO_WRITE, "write" })

/*
 * MMIO reflected to user space (KVM's kvm_mmio): a write at its exit, a
 * read at its exit as unsatisfied-read and again when its data came.
 */
TRACE_EVENT(l1vmm_mmio,
	TP_PROTO(int type, int len, u64 gpa, const void *val),
	TP_ARGS(type, len, gpa, val),

	TP_STRUCT__entry(
		__field(u32,	type)
		__field(u32,	len)
		__field(u64,	gpa)
		__field(u64,	val)
	),

	TP_fast_assign(
		__entry->type		= type;
		__entry->len		= len;
		__entry->gpa		= gpa;
		__entry->val		= 0;
		if (val)
			memcpy(&__entry->val, val, min_t(u32, sizeof(__entry->val), len));
	),

	TP_printk("mmio %s len %u gpa 0x%llx val 0x%llx",
		  l1vmm_print_mmio_type(__entry->type),
		  __entry->len, __entry->gpa, __entry->val)
);

/*
 * The guest's RDMSR or WRMSR handled in the kernel (KVM's kvm_msr), after
 * its exit was handled: the value read or written, or the #GP it got. One
 * that goes to user space (KVM_EXIT_X86_RDMSR/WRMSR) is not traced, as in
 * KVM.
 */
TRACE_EVENT_FN(l1vmm_msr,
	TP_PROTO(unsigned int write, u32 ecx, u64 data, bool exception),
	TP_ARGS(write, ecx, data, exception),

	TP_STRUCT__entry(
		__field(unsigned int,	write)
		__field(u32,		ecx)
		__field(u64,		data)
		__field(u8,		exception)
	),

	TP_fast_assign(
		__entry->write		= write;
		__entry->ecx		= ecx;
		__entry->data		= data;
		__entry->exception	= exception;
	),

	TP_printk("msr_%s %x = 0x%llx%s",
		  __entry->write ? "write" : "read",
		  __entry->ecx, __entry->data,
		  __entry->exception ? " (#GP)" : ""),

	l1vmm_trace_run_reg, l1vmm_trace_run_unreg
);

#define l1vmm_print_run_exit(reason)					\
	__print_symbolic(reason,					\
		{ KVM_EXIT_UNKNOWN, "KVM_EXIT_UNKNOWN" },		\
		{ KVM_EXIT_EXCEPTION, "KVM_EXIT_EXCEPTION" },		\
		{ KVM_EXIT_IO, "KVM_EXIT_IO" },				\
		{ KVM_EXIT_HYPERCALL, "KVM_EXIT_HYPERCALL" },		\
		{ KVM_EXIT_DEBUG, "KVM_EXIT_DEBUG" },			\
		{ KVM_EXIT_HLT, "KVM_EXIT_HLT" },			\
		{ KVM_EXIT_MMIO, "KVM_EXIT_MMIO" },			\
		{ KVM_EXIT_IRQ_WINDOW_OPEN, "KVM_EXIT_IRQ_WINDOW_OPEN" }, \
		{ KVM_EXIT_SHUTDOWN, "KVM_EXIT_SHUTDOWN" },		\
		{ KVM_EXIT_FAIL_ENTRY, "KVM_EXIT_FAIL_ENTRY" },		\
		{ KVM_EXIT_INTR, "KVM_EXIT_INTR" },			\
		{ KVM_EXIT_NMI, "KVM_EXIT_NMI" },			\
		{ KVM_EXIT_INTERNAL_ERROR, "KVM_EXIT_INTERNAL_ERROR" },	\
		{ KVM_EXIT_SYSTEM_EVENT, "KVM_EXIT_SYSTEM_EVENT" },	\
		{ KVM_EXIT_X86_RDMSR, "KVM_EXIT_X86_RDMSR" },		\
		{ KVM_EXIT_X86_WRMSR, "KVM_EXIT_X86_WRMSR" })

/* The end of each KVM_RUN (KVM's kvm_userspace_exit): kvm_run's exit_reason, or the errno. */
TRACE_EVENT(l1vmm_userspace_exit,
	TP_PROTO(__u32 reason, int errno),
	TP_ARGS(reason, errno),

	TP_STRUCT__entry(
		__field(__u32,	reason)
		__field(int,	errno)
	),

	TP_fast_assign(
		__entry->reason		= reason;
		__entry->errno		= errno;
	),

	TP_printk("reason %s (%d)",
		  __entry->errno < 0 ?
		  (__entry->errno == -EINTR ? "restart" : "error") :
		  l1vmm_print_run_exit(__entry->reason),
		  __entry->errno < 0 ? -__entry->errno : __entry->reason)
);

#endif /* L1VMM_TRACE_H */

/* Out of the kernel's tree: define_trace.h finds this file through -I$(src). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH l1vmm
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
