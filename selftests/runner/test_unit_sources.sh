#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Unit test of scripts/unit-sources, the list of portable sources a host
# unit test links: sample tests in a scratch tree, then the Makefile's
# unit-test rule on three of them, then every real unit test.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
mkdir -p selftests/unit sample
ln -s "$top/selftests/lib" selftests/lib
ln -s "$top/scripts" scripts
echo 'int answer(void) { return 42; }' > sample/answer.c
echo 'int one(void) { return 1; }' > sample/one.c

# sample NAME: the lines on stdin become selftests/unit/test_NAME.c.
sample() {
	cat > "selftests/unit/test_$1.c"
}

printf '%s\n' '// SPDX-License-Identifier: GPL-2.0-only' '// unit-sources: sample/answer.c' \
	'#include "ktap.h"' | sample line2
printf '%s\n' '// SPDX-License-Identifier: GPL-2.0-only' '/*' ' * A test that says what' \
	' * it is first.' ' *' ' * unit-sources: sample/answer.c' ' */' \
	'#include "ktap.h"' | sample in_block
printf '%s\n' '// SPDX-License-Identifier: GPL-2.0-only' '' '/* unit-sources: sample/one.c */' \
	'// unit-sources: sample/answer.c' '#include "ktap.h"' | sample two_lines
printf '%s\n' '// SPDX-License-Identifier: GPL-2.0-only' '// unit-sources: none' | sample none
printf '%s\n' '// SPDX-License-Identifier: GPL-2.0-only' '// unit-sources:' | sample empty
printf '%s\n' '// SPDX-License-Identifier: GPL-2.0-only' '/*' ' * No list.' ' */' \
	'#include "ktap.h"' | sample missing
printf '%s\n' '// SPDX-License-Identifier: GPL-2.0-only' '#include "ktap.h"' \
	'// unit-sources: sample/answer.c' | sample after_code
printf '%s\n' '// SPDX-License-Identifier: GPL-2.0-only' '// unit-sources: sample/answer.c' \
	'// unit-sources: sample/gone.c' | sample no_such_file
printf '%s\n' '// SPDX-License-Identifier: GPL-2.0-only' '// unit-sources: none sample/one.c' |
	sample none_and_more
cat > selftests/unit/test_builds.c <<'EOF'
// SPDX-License-Identifier: GPL-2.0-only
/*
 * A sample unit test: the Makefile links what the block names.
 * unit-sources: sample/answer.c
 */
#include "ktap.h"

int answer(void);

static void test_answer(void)
{
	ASSERT_EQ(42, answer());
}

static const struct ktap_case tests[] = { KTAP_CASE(test_answer) };

int main(void)
{
	return ktap_run("sample", tests, KTAP_ARRAY_SIZE(tests));
}
EOF

# Each case: NAME, then the exit status wanted, then what stdout must be
# (status 0) or what stderr must contain (otherwise).
cases='line2 0 sample/answer.c
in_block 0 sample/answer.c
two_lines 0 sample/one.c sample/answer.c
none 0
empty 0
missing 1 test_missing.c: no "unit-sources:" line
after_code 1 test_after_code.c: no "unit-sources:" line
no_such_file 1 test_no_such_file.c:3: unit-sources names sample/gone.c, which does not exist
none_and_more 1 test_none_and_more.c:2: unit-sources says "none" but names sources too'

echo "    KTAP version 1"
echo "    # Subtest: unit_sources"
echo "    1..$(($(echo "$cases" | wc -l) + 4))"
nr=0 failed=0
result() {
	nr=$((nr + 1))
	if [ -z "$2" ]; then
		echo "    ok $nr $1"
	else
		echo "    # $(echo "$2" | tr '\n' ' ')"
		echo "    not ok $nr $1"
		failed=1
	fi
}

while read -r name rc want; do
	out=$(scripts/unit-sources "selftests/unit/test_$name.c" 2> err)
	got_rc=$?
	err=$(cat err)
	if [ "$got_rc" != "$rc" ]; then
		result "$name" "wanted exit $rc, got $got_rc ($out$err)"
	elif [ "$rc" = 0 ] && [ "$out" != "$want" ]; then
		result "$name" "wanted \"$want\", got \"$out\""
	elif [ "$rc" != 0 ] && ! echo "$err" | grep -qF "$want"; then
		result "$name" "wanted \"$want\" in the error, got \"$err\""
	else
		result "$name" ""
	fi
done <<EOF
$cases
EOF

# The Makefile's rule, run in the scratch tree: it fails with the script's
# message, and links what a good test names.
unit_make() {
	make -s --no-print-directory -C "$tmp" -f "$top/Makefile" BUILD="$tmp/build" \
		"$tmp/build/unit/test_$1" > out 2>&1
}
for name in missing no_such_file; do
	if unit_make "$name"; then
		result "make_$name" "make built test_$name: $(cat out)"
	elif ! grep -q "unit-sources: .*test_$name.c" out; then
		result "make_$name" "make failed without the reason: $(cat out)"
	else
		result "make_$name" ""
	fi
done
if ! unit_make builds; then
	result make_builds "make failed: $(cat out)"
elif ! "$tmp/build/unit/test_builds" > out 2>&1; then
	result make_builds "the sample failed: $(cat out)"
else
	result make_builds ""
fi

# Every real unit test has a list that resolves.
cd "$top" || exit 1
bad=""
for t in selftests/unit/test_*.c; do
	scripts/unit-sources "$t" > /dev/null 2>> "$tmp/err_all" || bad="$bad $t"
done
result all_unit_tests "${bad:+unresolved:$bad: $(cat "$tmp/err_all")}"
exit $failed
