#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run test programs one after another and print the suite's KTAP around the
# subtests they print themselves. POSIX sh: runs on the host and under the
# guest's busybox alike.
#
#   run-suite.sh DEFAULT_TIMEOUT TEST[:TIMEOUT]...
#
# A test that exits 0 passed, 4 (KSFT_SKIP) was skipped, anything else
# failed; one that runs past its timeout is killed and failed.

default_timeout=$1
shift

echo "KTAP version 1"
echo "1..$#"
nr=0
for item in "$@"; do
	nr=$((nr + 1))
	test=${item%%:*}
	secs=${item#"$test"}
	secs=${secs#:}
	[ -n "$secs" ] || secs=$default_timeout
	name=$(basename "$test")

	timeout "$secs" "$test"
	rc=$?
	case $rc in
	0)	echo "ok $nr $name" ;;
	4)	echo "ok $nr $name # SKIP" ;;
	124|143) echo "not ok $nr $name # TIMEOUT after ${secs} s" ;;
	*)	echo "not ok $nr $name # exit code $rc" ;;
	esac
done
