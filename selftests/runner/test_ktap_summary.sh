#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Unit test of scripts/ktap-summary: each fixture log names, in its first
# line, the closing line the summary must print for it.
here=$(cd "$(dirname "$0")" && pwd)
summary=$here/../../scripts/ktap-summary

echo "    KTAP version 1"
echo "    # Subtest: ktap_summary"
echo "    1..$(ls "$here"/fixtures/*.log | wc -l)"
nr=0 failed=0
for log in "$here"/fixtures/*.log; do
	nr=$((nr + 1))
	name=$(basename "$log" .log)
	want=$(sed -n '1s/^# expect: //p' "$log")
	got=$("$summary" "$log" 2>/dev/null | tail -n 1)
	if [ "$got" = "$want" ]; then
		echo "    ok $nr $name"
	else
		echo "    # wanted \"$want\", got \"$got\""
		echo "    not ok $nr $name"
		failed=1
	fi
done
exit $failed
