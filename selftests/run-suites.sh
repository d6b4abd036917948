#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run named suites (selftests/suites/NAME) from the folder this script is in,
# as one KTAP run. The test initramfs (scripts/guest-init) and the dev
# image (tools/system/l1vmm-vm-test) both run their tests through it.
#
#   run-suites.sh SUITE...
#
# Tests expect l1vmm loaded (from L1VMM_KO, else the initramfs's path)
# unless the first one is about loading it.
cd "$(dirname "$0")" || exit 1
tests=
for suite in "$@"; do
	[ -f "suites/$suite" ] || { echo "run-suites: no suite $suite" >&2; exit 1; }
	tests="$tests $(sed -e 's/#.*//' "suites/$suite" | awk 'NF { print "./" $1 ":" $2 }')"
done
case $tests in
" ./module_load:"*|" ./module_refuse:"*) ;;
*) grep -q '^l1vmm ' /proc/modules || insmod "${L1VMM_KO:-/lib/modules/l1vmm/l1vmm.ko}" ;;
esac
# shellcheck disable=SC2086 # one word per test
exec ./run-suite.sh 30 $tests
