/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SVM's event encoding (EVENTINJ, EXITINTINFO), and what to deliver again
 * after an exit that interrupted an event's delivery. Portable, and
 * inline: it runs after every exit, the fastpath's too; the host unit test
 * (test_svm_event_inj) covers every event type.
 */
#ifndef L1VMM_SVM_EVENT_INJ_H
#define L1VMM_SVM_EVENT_INJ_H

#include "l1vmm/portable/portable.h"

/*
 * EXITINTINFO and EVENTINJ share one encoding (AMD APM, "Event Injection"):
 * vector in bits 7:0, type in 10:8, error code valid in 11, valid in 31.
 */
#define SVM_EVENT_VECTOR_MASK	0xffu
#define SVM_EVENT_TYPE_SHIFT	8
#define SVM_EVENT_TYPE_MASK	(7u << SVM_EVENT_TYPE_SHIFT)
#define SVM_EVENT_TYPE_INTR	(0u << SVM_EVENT_TYPE_SHIFT)
#define SVM_EVENT_TYPE_NMI	(2u << SVM_EVENT_TYPE_SHIFT)
#define SVM_EVENT_TYPE_EXCEPT	(3u << SVM_EVENT_TYPE_SHIFT)
#define SVM_EVENT_TYPE_SOFT	(4u << SVM_EVENT_TYPE_SHIFT)
#define SVM_EVENT_VALID_ERR	(1u << 11)
#define SVM_EVENT_RESERVED	0x7ffff000u
#define SVM_EVENT_VALID		(1u << 31)
#define SVM_EVENT_VECTOR_BP	3	/* INT3 */
#define SVM_EVENT_VECTOR_OF	4	/* INTO */

/*
 * The EVENTINJ for an exit with @exit_int_info. A software interrupt
 * (INT n) and the exceptions that instructions raise as traps (INT3's #BP,
 * INTO's #OF) are not delivered again: RIP is still on the instruction, so
 * the guest runs it again and the CPU delivers it with the right return
 * address. Re-injecting them would need the instruction's length for the
 * return address (EVENTINJ of a software event pushes NextRIP, which an
 * exit during delivery does not give), as KVM's svm_complete_interrupts()
 * finds by decoding it. Every other event goes back as it was: hardware
 * interrupts, NMIs, and exceptions with their error code.
 */
static inline u32 svm_reinject_event(u32 exit_int_info)
{
	u32 type = exit_int_info & SVM_EVENT_TYPE_MASK;
	u32 vector = exit_int_info & SVM_EVENT_VECTOR_MASK;

	if (!(exit_int_info & SVM_EVENT_VALID))
		return 0;
	if (type == SVM_EVENT_TYPE_SOFT)
		return 0;
	if (type == SVM_EVENT_TYPE_EXCEPT &&
	    (vector == SVM_EVENT_VECTOR_BP || vector == SVM_EVENT_VECTOR_OF))
		return 0;
	return exit_int_info;
}

/*
 * A software event l1vmm injects itself (KVM_GUESTDBG_INJECT_BP, a soft
 * interrupt from KVM_SET_VCPU_EVENTS): INT n, or INT3's and INTO's
 * exceptions. l1vmm injects them with RIP already past the instruction,
 * as their return address (and NextRIP, which the CPU pushes for them
 * where it has NRIPS).
 */
static inline bool svm_event_is_soft(u32 event_inj)
{
	u32 type = event_inj & SVM_EVENT_TYPE_MASK;
	u32 vector = event_inj & SVM_EVENT_VECTOR_MASK;

	if (!(event_inj & SVM_EVENT_VALID))
		return false;
	return type == SVM_EVENT_TYPE_SOFT ||
	       (type == SVM_EVENT_TYPE_EXCEPT &&
		(vector == SVM_EVENT_VECTOR_BP || vector == SVM_EVENT_VECTOR_OF));
}

/*
 * After the first exit of a series that injected the software event
 * @injected with RIP at @injected_rip: whether the exit interrupted its
 * delivery (@exit_int_info is that event and RIP has not moved), so that
 * it must be injected again; svm_reinject_event() dropped it, as there is
 * no instruction to run again. Only the first exit can: later entries of
 * the series inject nothing of l1vmm's.
 */
static inline bool svm_redeliver_soft(u32 injected, u64 injected_rip, u32 exit_int_info, u64 rip)
{
	return svm_event_is_soft(injected) && exit_int_info == injected && rip == injected_rip;
}

#endif /* L1VMM_SVM_EVENT_INJ_H */
