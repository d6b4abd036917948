/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small KTAP test harness, used by every l1vmm test: host unit tests and
 * in-guest selftests alike.
 *
 * A test program is a table of cases. Each case runs in a forked child, so a
 * crash or a failed assertion ends that case only; the parent prints one
 * KTAP result line per case, indented as a subtest of the suite that
 * selftests/run-suite.sh prints around it.
 *
 * Assertions print "file:line: what: wanted X, got Y" and end the case.
 */
#ifndef L1VMM_KTAP_H
#define L1VMM_KTAP_H

#include <stddef.h>
#include <stdnoreturn.h>

/* Exit code of a skipped test program, as in kselftest. */
#define KSFT_SKIP 4

struct ktap_case {
	const char *name;
	void (*fn)(void);
	/* Seconds before the case is killed as hung; 0 means the default. */
	unsigned int timeout_s;
};

#define KTAP_CASE(fn)			{ #fn, fn, 0 }
#define KTAP_CASE_TIMEOUT(fn, secs)	{ #fn, fn, secs }
#define KTAP_ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* Run every case, print KTAP; returns the process exit code for main(). */
int ktap_run(const char *suite, const struct ktap_case *cases, size_t n);

/* Inside a case. */
void ktap_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void ktap_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
noreturn void ktap_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define TEST_FAIL(fmt, ...) ktap_fail(__FILE__, __LINE__, fmt, ##__VA_ARGS__)

#define TEST_ASSERT(cond, fmt, ...)						\
	do {									\
		if (!(cond))							\
			ktap_fail(__FILE__, __LINE__, "%s: " fmt, #cond,	\
				  ##__VA_ARGS__);				\
	} while (0)

#define ASSERT_EQ(want, got)							\
	do {									\
		long long __want = (long long)(want);				\
		long long __got = (long long)(got);				\
		if (__want != __got)						\
			ktap_fail(__FILE__, __LINE__,				\
				  "%s: wanted %lld (%s), got %lld",		\
				  #got, __want, #want, __got);			\
	} while (0)

#define ASSERT_STREQ(want, got)							\
	do {									\
		const char *__want = (want), *__got = (got);			\
		if (strcmp(__want, __got))					\
			ktap_fail(__FILE__, __LINE__,				\
				  "%s: wanted \"%s\", got \"%s\"",		\
				  #got, __want, __got);				\
	} while (0)

/* Name of an errno value ("EINVAL"), or its number as text. */
const char *ktap_errno_name(int err);

#endif /* L1VMM_KTAP_H */
