#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The fuzzer in the L1 guest (make fuzz, the FUZZ tier of make check;
# doc/fuzzing.md): l1vmm-fuzz against l1vmm, then with the same seed
# against KVM from the same kernel. Each run loads and unloads its
# device's modules itself and checks that memory comes back. Settings come
# from the kernel command line (scripts/fuzz puts them there):
#
#   l1vmm_fuzz_seed=N l1vmm_fuzz_seconds=S l1vmm_fuzz_kvm_seconds=S
#   l1vmm_fuzz_dev=l1vmm|kvm|both l1vmm_fuzz_iteration=N l1vmm_fuzz_bochs=1
#   l1vmm_fuzz_verbose=1|2 (every operation | every ioctl and the state before each KVM_RUN)
cd "$(dirname "$0")" || exit 1
seed=${l1vmm_fuzz_seed:-1}
secs=${l1vmm_fuzz_seconds:-60}
kvm_secs=${l1vmm_fuzz_kvm_seconds:-$secs}
dev=${l1vmm_fuzz_dev:-both}
opts=
[ -z "${l1vmm_fuzz_iteration:-}" ] || opts="--iteration-seed $l1vmm_fuzz_iteration"
[ -z "${l1vmm_fuzz_bochs:-}" ] || opts="$opts --bochs"
[ -z "${l1vmm_fuzz_verbose:-}" ] || opts="$opts --verbose $l1vmm_fuzz_verbose"
trace=/tmp/l1vmm-fuzz.trace

# How a run ended when it did not end well: a fuzzer killed between two
# results leaves only "results missing" in the summary otherwise.
say_exit() {
	if [ "$2" -gt 128 ]; then
		echo "    # l1vmm-fuzz --device $1: killed by signal $(($2 - 128))"
	else
		echo "    # l1vmm-fuzz --device $1: exit code $2"
	fi
}

# run-suites.sh loaded l1vmm for the tests that expect it; the leak check
# needs the memory before the load, so l1vmm-fuzz loads it itself.
rmmod l1vmm 2>/dev/null
rc=0
if [ "$dev" != kvm ]; then
	# shellcheck disable=SC2086 # options are words
	./l1vmm-fuzz --device l1vmm --seed "$seed" --seconds "$secs" --trace $trace $opts
	r=$?
	[ $r = 0 ] || { say_exit l1vmm $r; rc=1; }
fi
if [ "$dev" != l1vmm ]; then
	cmp=
	[ ! -s $trace ] || cmp="--compare $trace"
	# shellcheck disable=SC2086
	./l1vmm-fuzz --device kvm --seed "$seed" --seconds "$kvm_secs" $cmp $opts
	r=$?
	# 4: KVM's modules did not load here (the subtest says so).
	[ $r = 0 ] || [ $r = 4 ] || { say_exit kvm $r; rc=1; }
fi
exit $rc
