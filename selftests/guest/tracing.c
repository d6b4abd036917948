// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tracepoints: with the device's events enabled through tracefs
 * (events/l1vmm/, or events/kvm/ on KVM), a guest that does port I/O both
 * ways, an MMIO write and read, CPUID, RDMSR, WRMSR and HLT leaves the
 * events KVM users know, in order, with the right fields (entry and exit
 * with RIPs and reasons, PIO, MMIO, MSR, the return to user space, and on
 * l1vmm the fastpath's exits); injected events appear at the entry that
 * delivers them; with the events disabled nothing is recorded. Runs
 * against l1vmm and KVM (tracing@kvm), whose kvm:* events have the same
 * text formats: there the fastpath and injection events, which KVM names
 * differently, are not checked, and other events may come in between.
 * The exit reasons are named as the vendor module names them (SVM's or
 * VMX's list).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvm_vm.h"

#define TRACEFS		"/sys/kernel/tracing"
#define MEM_SIZE	(4ul << 20)
#define CODE_GPA	0x10000
#define MMIO_GPA	0x20000000ull	/* no slot; mapped by the guest's page tables */
#define OUT_PORT	0x10
#define IN_PORT		0x11
#define IN_VALUE	0x5a
#define MMIO_READ_VALUE	0xcafef00du
#define MSR_PAT		0x277
#define PAT_DEFAULT	0x0007040600070406ull

GUEST_CODE(traced_guest, ".code64",
	"mov $0x41, %al\n\t"
	"tr_out: out %al, $0x10\n\t"
	"tr_after_out: mov $0x20000000, %rbx\n\t"
	"tr_mmio_w: movl $0x12345678, (%rbx)\n\t"
	"tr_mmio_r: mov 8(%rbx), %edx\n\t"
	"tr_in: in $0x11, %al\n\t"
	"tr_after_in: xor %eax, %eax\n\t"
	"tr_cpuid: cpuid\n\t"
	"tr_after_cpuid: mov $0x277, %ecx\n\t"
	"tr_rdmsr: rdmsr\n\t"
	"tr_wrmsr: wrmsr\n\t"
	"tr_hlt: hlt\n\t");
GUEST_LABEL(tr_out);
GUEST_LABEL(tr_after_out);
GUEST_LABEL(tr_after_in);
GUEST_LABEL(tr_after_cpuid);
GUEST_LABEL(tr_mmio_w);
GUEST_LABEL(tr_mmio_r);
GUEST_LABEL(tr_in);
GUEST_LABEL(tr_cpuid);
GUEST_LABEL(tr_rdmsr);
GUEST_LABEL(tr_wrmsr);
GUEST_LABEL(tr_hlt);

#define RIP_OF(label)	((unsigned long)(CODE_GPA + ((label) - traced_guest)))

/*
 * The exit reasons' names in the exit event: SVM_EXIT_REASONS' on AMD,
 * VMX_EXIT_REASONS' on Intel (KVM's, which l1vmm's trace.h prints too).
 */
struct exit_names {
	const char *io, *npf, *cpuid, *rdmsr, *wrmsr, *hlt, *intr, *timer;
	/*
	 * KVM's exit for an MMIO access to a page that already took one:
	 * kvm-intel cached it as a misconfigured EPT entry (its MMIO
	 * caching); l1vmm's is npf again (doc/abi.md, "On VMX").
	 */
	const char *kvm_mmio_again;
};

static const struct exit_names svm_names = {
	"io", "npf", "cpuid", "msr", "msr", "hlt", "interrupt", NULL, "npf",
};

static const struct exit_names vmx_names = {
	"IO_INSTRUCTION", "EPT_VIOLATION", "CPUID", "MSR_READ", "MSR_WRITE", "HLT",
	"EXTERNAL_INTERRUPT", "PREEMPTION_TIMER", "EPT_MISCONFIG",
};

/* Looked up once: the parser asks for every line of the trace. */
static const struct exit_names *exit_names(void)
{
	static const struct exit_names *names;

	if (!names)
		names = cpu_has_flag("vmx") ? &vmx_names : &svm_names;
	return names;
}

/* Does exit event text @text have reason @name? */
static bool exit_reason_is(const char *text, const char *name)
{
	char pat[48];

	if (!name)
		return false;
	snprintf(pat, sizeof(pat), " reason %s ", name);
	return strstr(text, pat) != NULL;
}

/* The device's trace system: l1vmm's own, or KVM's. */
static const char *trace_system(void)
{
	return dev_is_l1vmm() ? "l1vmm" : "kvm";
}

static void tracefs_write(const char *path, const char *value)
{
	char full[256];
	int fd;

	snprintf(full, sizeof(full), TRACEFS "/%s", path);
	fd = open(full, O_WRONLY | O_TRUNC);
	TEST_ASSERT(fd >= 0, "open %s: %s", full, strerror(errno));
	TEST_ASSERT(write(fd, value, strlen(value)) == (ssize_t)strlen(value),
		    "write '%s' to %s: %s", value, full, strerror(errno));
	close(fd);
}

/* tracefs mounted (the test initramfs mounts it; mount it if not), and the events there. */
static void tracefs_ready(void)
{
	char path[256];
	struct stat st;

	if (stat(TRACEFS "/trace", &st)) {
		mkdir(TRACEFS, 0755);
		if (mount("tracefs", TRACEFS, "tracefs", 0, NULL))
			ktap_skip("no tracefs: %s", strerror(errno));
	}
	snprintf(path, sizeof(path), TRACEFS "/events/%s", trace_system());
	TEST_ASSERT(!stat(path, &st), "%s: %s", path, strerror(errno));
	tracefs_write("tracing_on", "1");
}

/* Enable or disable SYSTEM:SYSTEM_NAME for each name. */
static void events_set(const char *const *names, bool on)
{
	char path[256];

	tracefs_write("events/enable", "0");
	for (; on && *names; names++) {
		/* KVM has no twin of l1vmm's fastpath event. */
		if (!dev_is_l1vmm() && !strcmp(*names, "fastpath"))
			continue;
		snprintf(path, sizeof(path), "events/%s/%s_%s/enable", trace_system(),
			 trace_system(), *names);
		tracefs_write(path, "1");
	}
}

/* The trace buffer, whole (small here), NUL-terminated; free() it. */
static char *trace_read(void)
{
	size_t size = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	ssize_t n;
	int fd;

	fd = open(TRACEFS "/trace", O_RDONLY);
	TEST_ASSERT(fd >= 0, "open trace: %s", strerror(errno));
	TEST_ASSERT(buf != NULL, "malloc");
	while ((n = read(fd, buf + size, cap - size - 1)) > 0) {
		size += n;
		if (cap - size < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
			TEST_ASSERT(buf != NULL, "realloc");
		}
	}
	buf[size] = '\0';
	close(fd);
	return buf;
}

struct trace_event {
	char name[32];		/* after SYSTEM_: "entry", "exit", ... */
	const char *text;	/* what its print format said */
};

/*
 * Without the nested page faults the kernel resolved (guest memory is
 * faulted in on first touch): an NPF exit followed at once by the next
 * entry. An NPF that became an MMIO exit has its events in between.
 */
static unsigned int drop_page_faults(struct trace_event *ev, unsigned int n)
{
	unsigned int i, kept = 0;

	for (i = 0; i < n; i++) {
		if (!strcmp(ev[i].name, "exit") && exit_reason_is(ev[i].text, exit_names()->npf) &&
		    i + 1 < n && !strcmp(ev[i + 1].name, "entry")) {
			i++;
			continue;
		}
		ev[kept++] = ev[i];
	}
	return kept;
}

/*
 * The SYSTEM_* events in @buf, in order ("  prog-123 [001] d.... 1.2: l1vmm_exit: vcpu 0 ..."),
 * without the exits a host interrupt (or on VMX the preemption timer that
 * bounds a guest's run) caused and the entries after them.
 */
static unsigned int trace_parse(char *buf, struct trace_event *ev, unsigned int max)
{
	const char *sys = trace_system();
	bool drop_entry = false;
	unsigned int n = 0;
	char *line, *save;

	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char prefix[40], *p, *colon;

		if (line[0] == '#')
			continue;
		snprintf(prefix, sizeof(prefix), " %s_", sys);
		p = strstr(line, prefix);
		if (!p)
			continue;
		p += strlen(prefix);
		colon = strstr(p, ": ");
		if (!colon || colon - p >= (long)sizeof(ev->name))
			continue;
		*colon = '\0';
		if (!strcmp(p, "exit") && (exit_reason_is(colon + 2, exit_names()->intr) ||
					   exit_reason_is(colon + 2, exit_names()->timer))) {
			drop_entry = true;
			continue;
		}
		if (!strcmp(p, "entry") && drop_entry) {
			drop_entry = false;
			continue;
		}
		TEST_ASSERT(n < max, "more than %u events", max);
		snprintf(ev[n].name, sizeof(ev->name), "%s", p);
		ev[n].text = colon + 2;
		n++;
	}
	return drop_page_faults(ev, n);
}

struct expect {
	const char *name;
	char text[3][96];	/* each must appear in the event's text */
	bool l1vmm_only;
};

static void expect_add(struct expect *e, unsigned int *n, const char *name, bool l1vmm_only,
		       const char *t0, const char *t1, const char *t2)
{
	e[*n].name = name;
	e[*n].l1vmm_only = l1vmm_only;
	snprintf(e[*n].text[0], sizeof(e->text[0]), "%s", t0 ? t0 : "");
	snprintf(e[*n].text[1], sizeof(e->text[1]), "%s", t1 ? t1 : "");
	snprintf(e[*n].text[2], sizeof(e->text[2]), "%s", t2 ? t2 : "");
	(*n)++;
}

static bool expect_matches(const struct expect *e, const struct trace_event *ev)
{
	unsigned int i;

	if (strcmp(e->name, ev->name))
		return false;
	for (i = 0; i < 3; i++)
		if (e->text[i][0] && !strstr(ev->text, e->text[i]))
			return false;
	return true;
}

/*
 * Each expected event in order: on l1vmm the very next event (nothing else
 * happens), on KVM the next one that matches (it traces more).
 */
/* What was traced, for the log of a failed case. */
static void trace_dump(const struct trace_event *ev, unsigned int nev)
{
	unsigned int i;

	for (i = 0; i < nev; i++)
		ktap_info("%u: %s_%s: %s", i, trace_system(), ev[i].name, ev[i].text);
}

static void __expect_check(const struct expect *e, unsigned int ne,
			   const struct trace_event *ev, unsigned int nev, bool strict)
{
	unsigned int i, j = 0;

	for (i = 0; i < ne; i++) {
		if (e[i].l1vmm_only && !strict)
			continue;
		while (j < nev && !expect_matches(&e[i], &ev[j])) {
			if (strict && (trace_dump(ev, nev), true))
				TEST_FAIL("event %u: wanted %s_%s: %s|%s|%s, got %s_%s: %s", j,
					  trace_system(), e[i].name, e[i].text[0], e[i].text[1],
					  e[i].text[2], trace_system(), ev[j].name, ev[j].text);
			j++;
		}
		if (j == nev && (trace_dump(ev, nev), true))
			TEST_FAIL("wanted %s_%s: %s|%s|%s (expected event %u), not traced",
				  trace_system(), e[i].name, e[i].text[0], e[i].text[1],
				  e[i].text[2], i);
		j++;
	}
	if (strict && j != nev)
		trace_dump(ev, nev);
	if (strict)
		TEST_ASSERT(j == nev, "%u events after the last expected one: %s_%s: %s",
			    nev - j, trace_system(), ev[j].name, ev[j].text);
}

static void expect_check(const struct expect *e, unsigned int ne,
			 const struct trace_event *ev, unsigned int nev)
{
	__expect_check(e, ne, ev, nev, dev_is_l1vmm());
}

/* In order, other events in between allowed. */
static void expect_check_loose(const struct expect *e, unsigned int ne,
			       const struct trace_event *ev, unsigned int nev)
{
	__expect_check(e, ne, ev, nev, false);
}

static const char *const run_events[] = {
	"entry", "exit", "fastpath", "pio", "mmio", "msr", "userspace_exit", NULL,
};

/* The guest, from start to HLT, user space answering the IN and the MMIO read. */
static void run_traced_guest(void)
{
	uint32_t mmio_value = MMIO_READ_VALUE;
	struct test_guest g;

	guest_start_long_mode(&g, MEM_SIZE, CODE_GPA, traced_guest,
			      GUEST_CODE_SIZE(traced_guest));
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, OUT_PORT, 1);
	vcpu_run(&g.vcpu);
	ASSERT_MMIO_EXIT(&g.vcpu, MMIO_GPA, 4, true);
	vcpu_run(&g.vcpu);
	ASSERT_MMIO_EXIT(&g.vcpu, MMIO_GPA + 8, 4, false);
	memcpy(g.vcpu.run->mmio.data, &mmio_value, 4);
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_IN, IN_PORT, 1);
	*(uint8_t *)vcpu_io_data(&g.vcpu) = IN_VALUE;
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

static void test_guest_events(void)
{
	const struct exit_names *x = exit_names();
	struct trace_event ev[256];
	struct expect e[40];
	unsigned int n = 0, nev;
	char t[3][96];
	char *buf;

	tracefs_ready();
	events_set(run_events, true);
	tracefs_write("trace", "");
	run_traced_guest();
	events_set(run_events, false);
	buf = trace_read();
	nev = trace_parse(buf, ev, KTAP_ARRAY_SIZE(ev));

#define RIP(label)	(snprintf(t[0], sizeof(t[0]), "rip 0x%lx", RIP_OF(label)), t[0])
#define EXIT(code, label, name)							\
	(snprintf(t[1], sizeof(t[1]), "reason %s rip 0x%lx ", code, RIP_OF(label)), \
	 snprintf(t[2], sizeof(t[2]), "l1vmm_reason %s", dev_is_l1vmm() ? name : ""), \
	 expect_add(e, &n, "exit", false, "vcpu 0 ", t[1], dev_is_l1vmm() ? t[2] : NULL))

	/* OUT: to user space. */
	expect_add(e, &n, "entry", false, "vcpu 0, ", RIP(traced_guest), NULL);
	EXIT(x->io, tr_out, "IO");
	expect_add(e, &n, "pio", false, "pio_write at 0x10 size 1 count 1 val 0x41 ", NULL, NULL);
	expect_add(e, &n, "userspace_exit", false, "reason KVM_EXIT_IO (2)", NULL, NULL);
	/* MMIO write, MMIO read (its data traced when it came), IN (the same). */
	expect_add(e, &n, "entry", false, "vcpu 0, ", RIP(tr_after_out), NULL);
	EXIT(x->npf, tr_mmio_w, "NPF");
	expect_add(e, &n, "mmio", false, "mmio write len 4 gpa 0x20000000 val 0x12345678", NULL,
		   NULL);
	expect_add(e, &n, "userspace_exit", false, "reason KVM_EXIT_MMIO (6)", NULL, NULL);
	expect_add(e, &n, "entry", false, "vcpu 0, ", RIP(tr_mmio_r), NULL);
	EXIT(dev_is_l1vmm() ? x->npf : x->kvm_mmio_again, tr_mmio_r, "NPF");
	expect_add(e, &n, "mmio", false, "mmio unsatisfied-read len 4 gpa 0x20000008 val 0x0",
		   NULL, NULL);
	expect_add(e, &n, "userspace_exit", false, "reason KVM_EXIT_MMIO (6)", NULL, NULL);
	expect_add(e, &n, "mmio", false, "mmio read len 4 gpa 0x20000008 val 0xcafef00d", NULL,
		   NULL);
	expect_add(e, &n, "entry", false, "vcpu 0, ", RIP(tr_in), NULL);
	EXIT(x->io, tr_in, "IO");
	expect_add(e, &n, "userspace_exit", false, "reason KVM_EXIT_IO (2)", NULL, NULL);
	expect_add(e, &n, "pio", false, "pio_read at 0x11 size 1 count 1 val 0x5a ", NULL, NULL);
	/* CPUID, RDMSR, WRMSR: l1vmm's fastpath, each entry and exit traced. */
	expect_add(e, &n, "entry", false, "vcpu 0, ", RIP(tr_after_in), NULL);
	EXIT(x->cpuid, tr_cpuid, "CPUID");
	expect_add(e, &n, "fastpath", true, "vcpu 0 reason CPUID", NULL, NULL);
	expect_add(e, &n, "entry", false, "vcpu 0, ", RIP(tr_after_cpuid), NULL);
	EXIT(x->rdmsr, tr_rdmsr, "MSR");
	expect_add(e, &n, "fastpath", true, "vcpu 0 reason MSR", NULL, NULL);
	snprintf(t[0], sizeof(t[0]), "msr_read %x = 0x%llx", MSR_PAT, PAT_DEFAULT);
	expect_add(e, &n, "msr", false, t[0], NULL, NULL);
	expect_add(e, &n, "entry", false, "vcpu 0, ", RIP(tr_wrmsr), NULL);
	EXIT(x->wrmsr, tr_wrmsr, "MSR");
	expect_add(e, &n, "fastpath", true, "vcpu 0 reason MSR", NULL, NULL);
	snprintf(t[0], sizeof(t[0]), "msr_write %x = 0x%llx", MSR_PAT, PAT_DEFAULT);
	expect_add(e, &n, "msr", false, t[0], NULL, NULL);
	/* HLT: to user space. */
	expect_add(e, &n, "entry", false, "vcpu 0, ", RIP(tr_hlt), NULL);
	EXIT(x->hlt, tr_hlt, "HLT");
	expect_add(e, &n, "userspace_exit", false, "reason KVM_EXIT_HLT (5)", NULL, NULL);
#undef RIP
#undef EXIT

	ktap_info("%u %s events traced", nev, trace_system());
	expect_check(e, n, ev, nev);
	free(buf);
}

/* Disabled, they record nothing; the guest runs the same. */
static void test_disabled_records_nothing(void)
{
	struct trace_event ev[16];
	unsigned int nev;
	char *buf;

	tracefs_ready();
	events_set(run_events, false);
	tracefs_write("trace", "");
	run_traced_guest();
	buf = trace_read();
	nev = trace_parse(buf, ev, KTAP_ARRAY_SIZE(ev));
	TEST_ASSERT(nev == 0, "%u events traced while disabled, the first %s_%s: %s", nev,
		    trace_system(), ev[0].name, ev[0].text);
	free(buf);
}

#define IRQ_VECTOR	0x20
#define UD_VECTOR	6
#define HANDLER_GPA	0x2000
#define UD_HANDLER_GPA	0x2100

GUEST_CODE(idle_guest, ".code16",
	"1: hlt\n\t"
	"jmp 1b\n\t");

GUEST_CODE(irq_handler, ".code16",
	"out %al, $0x12\n\t"
	"hlt\n\t");

GUEST_CODE(ud_handler, ".code16",
	"out %al, $0x13\n\t"
	"hlt\n\t");

/* l1vmm_inj_event: an exception from KVM_SET_VCPU_EVENTS, an interrupt from KVM_INTERRUPT. */
static void test_injected_events(void)
{
	static const char *const names[] = { "entry", "inj_event", NULL };
	struct kvm_interrupt irq = { .irq = IRQ_VECTOR };
	struct kvm_vcpu_events events;
	struct trace_event ev[64];
	struct kvm_regs regs;
	struct test_guest g;
	struct expect e[4];
	unsigned int n = 0, nev, i, injected;
	const char *last;
	uint16_t *ivt;
	char *buf;

	if (!dev_is_l1vmm())
		ktap_skip("KVM traces injections as kvm_inj_exception and kvm_inj_virq");
	tracefs_ready();
	guest_start_real_mode(&g, 1ul << 20, 0x1000, idle_guest, GUEST_CODE_SIZE(idle_guest));
	memcpy(g.mem + HANDLER_GPA, irq_handler, GUEST_CODE_SIZE(irq_handler));
	memcpy(g.mem + UD_HANDLER_GPA, ud_handler, GUEST_CODE_SIZE(ud_handler));
	ivt = (uint16_t *)g.mem;
	ivt[2 * IRQ_VECTOR] = HANDLER_GPA;	/* offset, segment 0 */
	ivt[2 * UD_VECTOR] = UD_HANDLER_GPA;

	events_set(names, true);
	tracefs_write("trace", "");
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_VCPU_EVENTS, &events);
	events.exception.injected = 1;
	events.exception.nr = UD_VECTOR;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_VCPU_EVENTS, &events);
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x13, 1);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));

	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	regs.rflags |= 0x200;	/* IF */
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_INTERRUPT, &irq);
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x12, 1);
	events_set(names, false);
	guest_stop(&g);

	buf = trace_read();
	nev = trace_parse(buf, ev, KTAP_ARRAY_SIZE(ev));
	/* Real mode: the exception is delivered without an error code. */
	expect_add(e, &n, "inj_event", false, "vcpu 0 exception 0x6", NULL, NULL);
	expect_add(e, &n, "entry", false, "vcpu 0, rip 0x1000", NULL, NULL);
	expect_add(e, &n, "inj_event", false, "vcpu 0 IRQ 0x20", NULL, NULL);
	expect_add(e, &n, "entry", false, "vcpu 0, ", NULL, NULL);
	expect_check_loose(e, n, ev, nev);
	/*
	 * Nothing else was injected. An event whose delivery a nested page
	 * fault interrupted (the IVT or the handler touched for the first
	 * time) is injected again, and traced again: count it once.
	 */
	for (i = 0, injected = 0, last = NULL; i < nev; i++) {
		if (strcmp(ev[i].name, "inj_event"))
			continue;
		injected += !last || strcmp(last, ev[i].text);
		last = ev[i].text;
	}
	ASSERT_EQ(2, injected);
	free(buf);
}

static const struct ktap_case cases[] = {
	KTAP_CASE(test_guest_events),
	KTAP_CASE(test_disabled_records_nothing),
	KTAP_CASE(test_injected_events),
};

int main(void)
{
	return ktap_run("tracing", cases, KTAP_ARRAY_SIZE(cases));
}
