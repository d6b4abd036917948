#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# /selftests/bench.sh in the L1 guest (scripts/bench boots it): the exit
# round-trip benchmark (tools/l1vmm-bench.c) against l1vmm, then against
# KVM loaded from the same kernel's modules, then both side by side. The
# CSV files go to the console between markers, for scripts/bench to keep.
# l1vmm_bench=l1vmm (kernel command line) measures l1vmm alone.
cd /selftests || exit 1
count=${l1vmm_bench_count:-1000}
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//; s/ /_/g')
cond="cpu=$cpu vm=${l1vmm_vm:-unknown} accel=${l1vmm_accel:-none} kernel=$(uname -r) count=$count"
# BENCH_PARAMS (scripts/bench): l1vmm's parameters, comma-separated.
params=$(echo "${l1vmm_bench_params:-}" | tr , ' ')

csv() {
	echo "l1vmm-bench: csv $1 begin"
	cat "/tmp/$1.csv"
	echo "l1vmm-bench: csv $1 end"
}

# shellcheck disable=SC2086 # the parameters, split
insmod /lib/modules/l1vmm/l1vmm.ko $params || { echo "l1vmm-bench: cannot load l1vmm"; exit 1; }
knobs=$(sed 's/ /,/g' /sys/module/l1vmm/parameters/build_options)
./l1vmm-bench -n "$count" -o /tmp/l1vmm.csv \
	-c "$cond module=l1vmm.ko-md5:$(md5sum /lib/modules/l1vmm/l1vmm.ko | cut -c1-12) ${params:+$params }knobs=$knobs" ||
	echo "l1vmm-bench: l1vmm run failed"
rmmod l1vmm
csv l1vmm
[ "${l1vmm_bench:-both}" = both ] || exit 0

vendor=kvm-amd
grep -q -w vmx /proc/cpuinfo && vendor=kvm-intel
for m in irqbypass kvm ccp $vendor; do
	[ -e "/lib/modules/kvm/$m.ko" ] && insmod "/lib/modules/kvm/$m.ko"
done
L1VMM_DEV=/dev/kvm ./l1vmm-bench -n "$count" -o /tmp/kvm.csv \
	-c "$cond module=$vendor-$(uname -r) knobs=-" || echo "l1vmm-bench: KVM run failed"
rmmod "$(echo $vendor | tr - _)" kvm ccp irqbypass 2>/dev/null
csv kvm
echo "l1vmm-bench: table begin"
./l1vmm-bench -C /tmp/l1vmm.csv /tmp/kvm.csv
echo "l1vmm-bench: table end"
