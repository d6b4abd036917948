// SPDX-License-Identifier: GPL-2.0-only
/*
 * KTAP harness: see ktap.h. Output format (KTAP version 1, as a subtest):
 *
 *         KTAP version 1
 *         # Subtest: api
 *         1..3
 *         ok 1 api_version
 *         # api.c:40: ret: wanted 12 (KVM_API_VERSION), got 11
 *         not ok 2 bad_version
 *         ok 3 check_extension # SKIP not implemented
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktap.h"

#define KTAP_INDENT		"    "
#define KTAP_DEFAULT_TIMEOUT_S	30
#define KTAP_REASON_MAX		256

/* Shared with the forked case, which writes its skip reason here. */
static char *skip_reason;

static void vprint_diag(const char *prefix, const char *fmt, va_list ap)
{
	printf(KTAP_INDENT "# %s", prefix);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
}

void ktap_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_diag("", fmt, ap);
	va_end(ap);
}

noreturn void ktap_fail(const char *file, int line, const char *fmt, ...)
{
	char where[128];
	va_list ap;

	snprintf(where, sizeof(where), "%s:%d: ", file, line);
	va_start(ap, fmt);
	vprint_diag(where, fmt, ap);
	va_end(ap);
	_exit(1);
}

noreturn void ktap_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(skip_reason, KTAP_REASON_MAX, fmt, ap);
	va_end(ap);
	fflush(stdout);
	_exit(KSFT_SKIP);
}

const char *ktap_errno_name(int err)
{
	static char buf[16];

	switch (err) {
	case 0:		return "success";
	case EPERM:	return "EPERM";
	case ENOENT:	return "ENOENT";
	case EINTR:	return "EINTR";
	case EIO:	return "EIO";
	case E2BIG:	return "E2BIG";
	case EBADF:	return "EBADF";
	case EAGAIN:	return "EAGAIN";
	case ENOMEM:	return "ENOMEM";
	case EACCES:	return "EACCES";
	case EFAULT:	return "EFAULT";
	case EBUSY:	return "EBUSY";
	case EEXIST:	return "EEXIST";
	case ENODEV:	return "ENODEV";
	case EINVAL:	return "EINVAL";
	case ENOTTY:	return "ENOTTY";
	case ENOSPC:	return "ENOSPC";
	case ENOSYS:	return "ENOSYS";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default:
		snprintf(buf, sizeof(buf), "errno %d", err);
		return buf;
	}
}

static const char *case_name(const struct ktap_case *c)
{
	return strncmp(c->name, "test_", 5) ? c->name : c->name + 5;
}

/* Run one case in a child; print its result line; return 1 if it failed. */
static int run_case(const struct ktap_case *c, size_t nr)
{
	unsigned int timeout_s = c->timeout_s ? c->timeout_s : KTAP_DEFAULT_TIMEOUT_S;
	const char *name = case_name(c);
	int status;
	pid_t pid;

	skip_reason[0] = '\0';
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf(KTAP_INDENT "not ok %zu %s # fork: %s\n", nr, name, strerror(errno));
		return 1;
	}
	if (pid == 0) {
		alarm(timeout_s);
		c->fn();
		fflush(stdout);
		_exit(0);
	}

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf(KTAP_INDENT "ok %zu %s\n", nr, name);
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == KSFT_SKIP) {
		printf(KTAP_INDENT "ok %zu %s # SKIP %s\n", nr, name, skip_reason);
		return 0;
	}
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		printf(KTAP_INDENT "# timed out after %u s\n", timeout_s);
	else if (WIFSIGNALED(status))
		printf(KTAP_INDENT "# killed by signal %d (%s)\n",
		       WTERMSIG(status), strsignal(WTERMSIG(status)));
	printf(KTAP_INDENT "not ok %zu %s\n", nr, name);
	return 1;
}

int ktap_run(const char *suite, const struct ktap_case *cases, size_t n)
{
	size_t i, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	skip_reason = mmap(NULL, KTAP_REASON_MAX, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (skip_reason == MAP_FAILED) {
		perror("mmap");
		return 1;
	}

	printf(KTAP_INDENT "KTAP version 1\n");
	printf(KTAP_INDENT "# Subtest: %s\n", suite);
	printf(KTAP_INDENT "1..%zu\n", n);
	for (i = 0; i < n; i++) {
		/* KTAP_ONLY=name runs one case; the others are skipped. */
		if (getenv("KTAP_ONLY") && strcmp(getenv("KTAP_ONLY"), case_name(&cases[i]))) {
			printf(KTAP_INDENT "ok %zu %s # SKIP not KTAP_ONLY\n", i + 1,
			       case_name(&cases[i]));
			continue;
		}
		failed += run_case(&cases[i], i + 1);
	}

	fflush(stdout);
	return failed ? 1 : 0;
}
