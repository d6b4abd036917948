#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Linux 6.1's x86 KVM selftests (scripts/build-kvm-selftests, staged into
# the initramfs by scripts/vmrun as /kvm-selftests), each run with a time
# bound against l1vmm standing in for /dev/kvm (kvm_dev=1), then against
# KVM (kvm-amd) in the same guest. Prints a table (l1vmm vs KVM per test,
# with the first error line and the documented reason for each difference)
# and one KTAP result per test:
#
#   ok      l1vmm's result is KVM's, or differs as documented in
#           /kvm-selftests/expected (selftests/kvm-selftests/expected)
#   ok # SKIP  skipped on both, or not built from that tree
#   not ok  any other difference
#
# Results: pass, fail (an assertion, exit 254, or another exit code), skip
# (exit 4, KSFT_SKIP), timeout (killed at the bound), crash (a signal).
# The bounds and arguments are in /kvm-selftests/tests.
dir=${KVM_SELFTESTS_DIR:-/kvm-selftests}
mods=${L1VMM_KVM_MODULES:-/lib/modules/kvm}
ko=${L1VMM_KO:-/lib/modules/l1vmm/l1vmm.ko}
work=/tmp/kvm-selftests
default_secs=30

echo "    KTAP version 1"
echo "    # Subtest: kvm_selftests"
if [ ! -d "$dir/bin" ]; then
	echo "    1..0 # SKIP no KVM selftests in this initramfs (scripts/build-kvm-selftests)"
	exit 4
fi
if grep -q -w svm /proc/cpuinfo; then
	vendor=kvm-amd
elif grep -q -w vmx /proc/cpuinfo; then
	vendor=kvm-intel
else
	echo "    1..0 # SKIP no SVM or VMX"
	exit 4
fi

rm -rf "$work"
mkdir -p "$work"
tests=$(cd "$dir/bin" && find . -type f | sed 's|^\./||' | sort)
# kst_only=T1,T2 on the kernel command line (scripts/vmrun --append) runs
# only those tests: for working on one test without the whole tier.
if [ -n "$kst_only" ]; then
	tests=$(for t in $tests; do
		case ",$kst_only," in *",$t,"*) echo "$t" ;; esac
	done)
fi
# Tests that did not build, with the compiler's first error.
nb=$dir/not-built
[ -f "$nb" ] || : > "$nb"

now() { cut -d' ' -f1 /proc/uptime; }

# The bound and arguments of test $1 from the tests file.
params() {
	awk -v t="$1" -v d="$default_secs" '
		$1 == t { $1 = ""; print; found = 1; exit }
		END { if (!found) print d }' "$dir/tests" 2>/dev/null
}

# Run every test against the /dev/kvm of the moment; results into $work/$1.
run_all() {
	dev=$1
	mkdir -p "$work/$dev"
	for t in $tests; do
		p=$(params "$t")
		# shellcheck disable=SC2086 # the bound, then the arguments
		set -- $p
		secs=${1:-$default_secs}
		shift
		args=$*
		out=$work/$dev/$(echo "$t" | tr / _)
		rm -f "$out.timeout"
		start=$(now)
		# Its own session, so that the bound kills what it forked too.
		# shellcheck disable=SC2086 # one word per argument
		setsid "$dir/bin/$t" $args > "$out.log" 2>&1 < /dev/null &
		pid=$!
		(sleep "$secs"; touch "$out.timeout"; kill -KILL -"$pid" 2>/dev/null) &
		watch=$!
		wait "$pid"
		rc=$?
		kill "$watch" 2>/dev/null
		kill -KILL -"$pid" 2>/dev/null
		end=$(now)
		if [ -e "$out.timeout" ]; then
			res=timeout
		elif [ $rc = 0 ]; then
			res=pass
		elif [ $rc = 4 ]; then
			res=skip
		elif [ $rc -gt 128 ] && [ $rc -le 192 ]; then
			res=crash
		else
			res=fail
		fi
		echo "$res" > "$out.res"
		why "$res" $rc "$secs" < "$out.log" > "$out.why"
		printf '    # %-6s %-45s %-7s %5.1f s  %s\n' "$dev" "$t" "$res" \
			"$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$(cat "$out.why")"
	done
}

# The first line that says why: the assertion's message, the skip's reason.
why() {
	awk -v res="$1" -v rc="$2" -v secs="$3" '
	function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
	/==== Test Assertion Failure ====/ { in_assert = 1; n = 0; next }
	in_assert && n == 0 { where = trim($0); n++; next }
	in_assert && /^  [^ ]/ && !/^  pid=/ { msg = trim($0) }
	!skipmsg && /# SKIP|skipping test/ { skipmsg = trim($0); sub(/^1\.\.0 # SKIP */, "", skipmsg) }
	NF { last = trim($0) }
	END {
		if (res == "pass")
			s = ""
		else if (res == "skip")
			s = skipmsg != "" ? skipmsg : last
		else if (res == "timeout")
			s = "killed after " secs " s; last line: " last
		else if (where != "")
			s = (msg != "" ? msg : where)
		else if (res == "crash")
			s = "signal " rc - 128 (last != "" ? "; last line: " last : "")
		else
			s = "exit code " rc (last != "" ? "; last line: " last : "")
		sub(/^- /, "", s)
		sub(/^Requirement not met: /, "needs ", s)
		gsub(/[\t#]/, " ", s)
		print substr(s, 1, 110)
	}'
}

# l1vmm as /dev/kvm (KVM is not loaded: kvm_dev=1 registers the node).
rmmod l1vmm 2>/dev/null
if insmod "$ko" kvm_dev=1 && [ -c /dev/kvm ]; then
	echo "    # l1vmm as /dev/kvm (kvm_dev=1); bounds and arguments: $dir/tests"
	run_all l1vmm
	rmmod l1vmm || echo "    # rmmod l1vmm failed"
else
	echo "    # cannot load l1vmm with kvm_dev=1"
fi

# KVM, the same programs.
kvm_ok=1
for m in irqbypass kvm ccp $vendor; do
	[ -e "$mods/$m.ko" ] || continue
	insmod "$mods/$m.ko" || kvm_ok=0
done
if [ $kvm_ok = 1 ] && [ -c /dev/kvm ]; then
	echo "    # KVM ($vendor)"
	run_all kvm
else
	echo "    # cannot load KVM"
fi
rmmod "$(echo "$vendor" | tr - _)" kvm ccp irqbypass 2>/dev/null
insmod "$ko" 2>/dev/null

# The documented result of $2 on device $1 (l1vmm, kvm): "RESULT REASON".
expected() {
	awk -v dev="$1" -v t="$2" -v res="$3" -v why="$4" '
	function matches(want) {
		if (want == res)
			return 1
		return index(want, ":") && substr(want, 1, index(want, ":") - 1) == res &&
			index(why, substr(want, index(want, ":") + 1))
	}
	/^[ \t]*(#|$)/ { next }
	$1 == dev && ($2 == t || $2 == "*") && matches($3) {
		w = $3; $1 = $2 = $3 = ""; sub(/^ +/, "")
		print w " " $0
		exit
	}' "$dir/expected" 2>/dev/null
}

count=$(echo "$tests" | wc -w)
count=$((count + $(wc -l < "$nb")))
echo "    # "
printf '    # %-45s %-7s %-7s %s\n' "test" "l1vmm" "KVM" "first error line (l1vmm | KVM) => why they differ"
nr=0 failed=0 ktap=$work/ktap
: > "$ktap"
for t in $tests; do
	nr=$((nr + 1))
	f=$(echo "$t" | tr / _)
	r1=$(cat "$work/l1vmm/$f.res" 2>/dev/null || echo "not-run")
	r2=$(cat "$work/kvm/$f.res" 2>/dev/null || echo "not-run")
	w1=$(cat "$work/l1vmm/$f.why" 2>/dev/null)
	w2=$(cat "$work/kvm/$f.why" 2>/dev/null)
	e1=$(expected l1vmm "$t" "$r1" "$w1")
	e2=$(expected kvm "$t" "$r2" "$w2")
	reason=
	if [ "$r1" = "$r2" ] && [ "$r1" != not-run ]; then
		verdict=same
	elif [ -n "$e1" ] && [ "$r2" != not-run ]; then
		verdict=documented
		reason=${e1#* }
	elif [ "$r1" = pass ] && [ -n "$e2" ]; then
		# KVM failed here for a documented reason of its own (QEMU's
		# emulator as L0): l1vmm gave the result KVM gives without it.
		verdict=documented
	else
		verdict=different
		reason="NOT DOCUMENTED"
	fi
	[ -z "$e2" ] || [ "$r2" = pass ] || reason="${reason:+$reason; }KVM: ${e2#* }"
	if [ "$r1" = "$r2" ] && [ "$w1" = "$w2" ]; then
		note=$w1
	else
		note="${w1:+l1vmm: $w1}"
		[ -z "$w2" ] || note="${note:+$note | }KVM: $w2"
	fi
	printf '    # %-45s %-7s %-7s %s%s\n' "$t" "$r1" "$r2" "$note" "${reason:+ => $reason}"
	case $verdict in
	same)
		if [ "$r1" = skip ]; then
			echo "    ok $nr $t # SKIP on both: $w1"
		else
			echo "    ok $nr $t"
		fi ;;
	documented)
		echo "    ok $nr $t" ;;
	*)
		echo "    not ok $nr $t # l1vmm $r1, KVM $r2: no documented reason"
		failed=1 ;;
	esac >> "$ktap"
done
# Where the two differ, the end of each failing run's output (an
# assertion's values: the counts a flake left) for whoever reads the log.
for t in $tests; do
	f=$(echo "$t" | tr / _)
	[ "$(cat "$work/l1vmm/$f.res" 2>/dev/null)" != "$(cat "$work/kvm/$f.res" 2>/dev/null)" ] || continue
	for dev in l1vmm kvm; do
		case $(cat "$work/$dev/$f.res" 2>/dev/null) in
		pass|skip|"") continue ;;
		esac
		echo "    # $dev $t, the end of its output:"
		grep -v '^[[:space:]]*$' "$work/$dev/$f.log" | tail -n 12 | sed 's/^/    #   /'
	done
done
while read -r t err; do
	nr=$((nr + 1))
	printf '    # %-45s %-7s %-7s %s\n' "$t" "-" "-" "not built: $err"
	echo "    ok $nr $t # SKIP not built from linux-source-6.1: $err" >> "$ktap"
done < "$nb"
echo "    # "
echo "    1..$count"
cat "$ktap"
[ $failed = 0 ]
