#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Debian's QEMU 7.2 boots Debian's 6.1 kernel as an L2 guest, on l1vmm as
# /dev/kvm (kvm_dev=1), or on KVM (qemu_l2.sh@kvm, through kvm-ref.sh).
# QEMU_L2_IRQCHIP is QEMU's kernel-irqchip: off (QEMU's own interrupt
# controllers, the default here), on (QEMU's default: the PIC, IOAPIC,
# PIT and local APICs in the kernel) or split (the local APICs only);
# QEMU_L2_VCPUS the number of vCPUs (1). The qemu_l2_*.sh wrappers set them.
# The boot's bound is 300 s of L1 guest time, l1vmm_l2_timeout=S on the
# L1 kernel's command line (scripts/vmrun --append) where L0 is slower;
# there l1vmm_l2_progress=S prints the L2 console's last line every S
# seconds (the L2 kernel then logs at its default level).
# The L2 (scripts/l2-init) reports its clocksource and reads its virtio
# RNG, then powers off. Prints the boot's L1 guest time: under -icount
# (scripts/vmrun --icount) that is deterministic, and comparable between
# the two runs. Needs QEMU in the initramfs (scripts/stage-qemu).
# shellcheck disable=SC2317 # the checks below run through check()
vcpus=${QEMU_L2_VCPUS:-1}
irqchip=${QEMU_L2_IRQCHIP:-off}
name=qemu_l2
[ "$irqchip" != off ] && name=${name}_irqchip_$irqchip
[ "$vcpus" != 1 ] && name=${name}_smp$vcpus
[ "$L1VMM_DEV" = /dev/kvm ] && name=$name-kvm

echo "    KTAP version 1"
echo "    # Subtest: $name"
if [ ! -x /usr/bin/qemu-system-x86_64 ] || [ ! -e /l2/vmlinuz ]; then
	echo "    1..0 # SKIP no QEMU in this initramfs (scripts/stage-qemu)"
	exit 4
fi

# l1vmm: stand in for /dev/kvm (KVM is not loaded during l1vmm's tests).
if [ "$L1VMM_DEV" != /dev/kvm ]; then
	rmmod l1vmm 2>/dev/null
	if ! insmod /lib/modules/l1vmm/l1vmm.ko kvm_dev=1 || [ ! -e /dev/kvm ]; then
		echo "    1..0 # SKIP cannot load l1vmm with kvm_dev=1"
		exit 4
	fi
fi

echo "    1..5"
nr=0 failed=0
check() {
	nr=$((nr + 1))
	if out=$($2 2>&1); then
		echo "    ok $nr $1"
	else
		echo "$out" | sed 's/^/    # /'
		echo "    not ok $nr $1"
		failed=1
	fi
}

# The kernel's complaints, as scripts/ktap-summary finds them.
complaints() {
	dmesg | grep -E "WARNING:|BUG:|Oops|general protection|RCU stall" |
		grep -v -E "(Speculative Return Stack Overflow|RETBleed): WARNING: "
}

log=/tmp/$name.log
complaints > "/tmp/$name.before"
quiet="quiet loglevel=3" progress=
if [ -n "${l1vmm_l2_progress:-}" ]; then
	quiet=
	: > "$log.raw"
	while sleep "$l1vmm_l2_progress"; do
		echo "    # $(cut -d' ' -f1 /proc/uptime) s: $(tail -n 1 "$log.raw" | tr -d '\r')"
	done &
	progress=$!
fi
start=$(cut -d' ' -f1 /proc/uptime)
timeout "${l1vmm_l2_timeout:-300}" /usr/bin/qemu-system-x86_64 -M pc -accel kvm,kernel-irqchip="$irqchip" -cpu qemu64 \
	-smp "$vcpus" -m 256 -nodefaults -no-user-config -display none -serial stdio -no-reboot \
	-kernel /l2/vmlinuz -initrd /l2/initrd.cpio \
	-append "console=ttyS0 panic=-1 cryptomgr.notests=1 $quiet" \
	-device virtio-rng-pci,ioeventfd=on > "$log.raw" 2>&1 < /dev/null
rc=$?
[ -n "$progress" ] && kill "$progress"
# The serial console ends its lines with CR LF.
tr -d '\r' < "$log.raw" > "$log"
end=$(cut -d' ' -f1 /proc/uptime)
secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
echo "    # QEMU exit code $rc; L2 boot to power-off: $secs s of L1 guest time ($vcpus vCPU, kernel-irqchip=$irqchip)"
grep "^l2: " "$log" | sed 's/^/    # /'

boots() {
	if [ $rc != 0 ] || ! grep -q "^l2: done" "$log"; then
		tail -n 30 "$log"
		return 1
	fi
}
all_vcpus() {
	grep -qx "l2: cpus $vcpus" "$log" || { grep "^l2: cpus" "$log"; return 1; }
}
kvmclock() {
	grep -qx "l2: clocksource kvm-clock" "$log" || { grep "^l2: clocksource" "$log"; return 1; }
}
virtio_rng() {
	grep -q "^l2: random [0-9a-f]\{32\}$" "$log" || { grep "^l2: r" "$log"; return 1; }
}
no_host_warning() {
	! complaints | grep -vxF -f "/tmp/$name.before" | grep .
}
check boots boots
check all_vcpus all_vcpus
check kvmclock kvmclock
check virtio_rng virtio_rng
check no_host_warning no_host_warning

if [ "$L1VMM_DEV" != /dev/kvm ]; then
	rmmod l1vmm && insmod /lib/modules/l1vmm/l1vmm.ko
fi
[ $failed = 0 ]
