// SPDX-License-Identifier: GPL-2.0-only
// unit-sources:
/*
 * Host unit test of what SVM delivers again after an exit that
 * interrupted an event's delivery (l1vmm/svm/event_inj.h): hardware
 * events go back as they were, software interrupts and INT3/INTO run
 * their instruction again.
 */
#include "ktap.h"
#include "l1vmm/svm/event_inj.h"

static u32 event(u32 type, u32 vector)
{
	return SVM_EVENT_VALID | type | vector;
}

static void test_nothing_interrupted(void)
{
	TEST_ASSERT(svm_reinject_event(0) == 0, "no event, yet one injected");
	/* Stale bits without VALID mean nothing. */
	TEST_ASSERT(svm_reinject_event(SVM_EVENT_TYPE_EXCEPT | 14) == 0,
		    "an invalid EXITINTINFO injected");
}

static void test_hardware_events_go_back_as_they_were(void)
{
	u32 intr = event(SVM_EVENT_TYPE_INTR, 0x20);
	u32 nmi = event(SVM_EVENT_TYPE_NMI, 2);
	u32 pf = event(SVM_EVENT_TYPE_EXCEPT, 14) | SVM_EVENT_VALID_ERR;
	u32 de = event(SVM_EVENT_TYPE_EXCEPT, 0);

	TEST_ASSERT(svm_reinject_event(intr) == intr, "interrupt %#x not re-injected", intr);
	TEST_ASSERT(svm_reinject_event(nmi) == nmi, "NMI not re-injected");
	TEST_ASSERT(svm_reinject_event(pf) == pf, "#PF with its error code not re-injected");
	TEST_ASSERT(svm_reinject_event(de) == de, "#DE not re-injected");
}

/* INT n, INT3, INTO: RIP is on the instruction, which runs again. */
static void test_software_events_run_their_instruction_again(void)
{
	TEST_ASSERT(svm_reinject_event(event(SVM_EVENT_TYPE_SOFT, 0x80)) == 0,
		    "INT 0x80 re-injected without its return address");
	TEST_ASSERT(svm_reinject_event(event(SVM_EVENT_TYPE_SOFT, 3)) == 0,
		    "INT 3 (CD 03) re-injected");
	TEST_ASSERT(svm_reinject_event(event(SVM_EVENT_TYPE_EXCEPT, 3)) == 0,
		    "INT3's #BP re-injected");
	TEST_ASSERT(svm_reinject_event(event(SVM_EVENT_TYPE_EXCEPT, 4)) == 0,
		    "INTO's #OF re-injected");
}

/* The software events l1vmm injects itself with RIP past the instruction. */
static void test_soft_events(void)
{
	TEST_ASSERT(svm_event_is_soft(event(SVM_EVENT_TYPE_SOFT, 0x80)), "INT 0x80 not soft");
	TEST_ASSERT(svm_event_is_soft(event(SVM_EVENT_TYPE_EXCEPT, 3)), "#BP not soft");
	TEST_ASSERT(svm_event_is_soft(event(SVM_EVENT_TYPE_EXCEPT, 4)), "#OF not soft");
	TEST_ASSERT(!svm_event_is_soft(event(SVM_EVENT_TYPE_EXCEPT, 1)), "#DB soft");
	TEST_ASSERT(!svm_event_is_soft(event(SVM_EVENT_TYPE_NMI, 2)), "NMI soft");
	TEST_ASSERT(!svm_event_is_soft(event(SVM_EVENT_TYPE_INTR, 3)), "interrupt 3 soft");
	TEST_ASSERT(!svm_event_is_soft(SVM_EVENT_TYPE_SOFT | 0x80), "an invalid event soft");
}

/*
 * KVM_GUESTDBG_INJECT_BP's #BP, interrupted by an exit during its
 * delivery (RIP unmoved), goes in again; the guest's own INT3 does not
 * (its RIP is on the INT3), nor anything after the delivery ended.
 */
static void test_soft_event_redelivered(void)
{
	u32 bp = event(SVM_EVENT_TYPE_EXCEPT, 3);
	u32 nmi = event(SVM_EVENT_TYPE_NMI, 2);

	TEST_ASSERT(svm_redeliver_soft(bp, 0x1002, bp, 0x1002), "injected #BP lost");
	TEST_ASSERT(!svm_redeliver_soft(bp, 0x1002, bp, 0x1001), "guest's INT3 #BP doubled");
	TEST_ASSERT(!svm_redeliver_soft(bp, 0x1002, 0, 0x1002), "delivered #BP again");
	TEST_ASSERT(!svm_redeliver_soft(nmi, 0x1002, nmi, 0x1002), "NMI taken as soft");
	TEST_ASSERT(!svm_redeliver_soft(0, 0, 0, 0), "nothing injected, yet redelivered");
}

/* The NMI that an exit interrupted goes back, blocking NMIs as before. */
static void test_nmi_redelivered(void)
{
	u32 nmi = event(SVM_EVENT_TYPE_NMI, 2);

	TEST_ASSERT(svm_reinject_event(nmi) == nmi, "NMI dropped");
	TEST_ASSERT(svm_reinject_event(nmi | SVM_EVENT_VALID_ERR) == (nmi | SVM_EVENT_VALID_ERR),
		    "NMI changed");
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_nothing_interrupted),
	KTAP_CASE(test_hardware_events_go_back_as_they_were),
	KTAP_CASE(test_software_events_run_their_instruction_again),
	KTAP_CASE(test_soft_events),
	KTAP_CASE(test_soft_event_redelivered),
	KTAP_CASE(test_nmi_redelivered),
};

int main(void)
{
	return ktap_run("svm_event_inj", tests, KTAP_ARRAY_SIZE(tests));
}
