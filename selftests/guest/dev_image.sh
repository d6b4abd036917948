#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The l1vmm dev image (scripts/vm-image) as a user gets it: l1vmm installed
# by DKMS for the running kernel and loaded by the first-boot step, its
# version and parameters in modinfo, /dev/l1vmm for group kvm through the
# udev rule; then DKMS uninstall and install inside the guest, and the demo
# L2 guest on the module DKMS put back. Runs only on that image.
# shellcheck disable=SC2317 # the checks below run through check()
kver=$(uname -r)
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' /usr/src/l1vmm-*/dkms.conf 2>/dev/null)

echo "    KTAP version 1"
echo "    # Subtest: dev_image"
if [ ! -x /usr/lib/l1vmm/l1vmm-first-boot ] || [ -z "$version" ]; then
	echo "    1..0 # SKIP not the dev image (make vm-image)"
	exit 4
fi
echo "    1..7"
nr=0 failed=0

# check NAME FUNCTION: one subtest; what FUNCTION prints shows on failure.
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

# The node udev made for the module just loaded is root:kvm 0660.
node_for_kvm() {
	udevadm settle --timeout=30
	mode=$(stat -c '%U:%G %a' /dev/l1vmm) || return 1
	[ "$mode" = "root:kvm 660" ] || { echo "/dev/l1vmm is $mode, wanted root:kvm 660"; return 1; }
}

first_boot_loaded() {
	cat /var/lib/l1vmm/first-boot && grep -qx loaded /var/lib/l1vmm/first-boot &&
		grep -qx l1vmm /etc/modules-load.d/l1vmm.conf
}

dkms_installed() {
	dkms status -k "$kver" l1vmm/"$version" | tee /dev/stderr | grep -q ': installed'
}

modinfo_complete() {
	file=$(modinfo -n l1vmm) || return 1
	case $file in
	/lib/modules/"$kver"/updates/dkms/l1vmm.ko*) ;;
	*) echo "l1vmm.ko at $file, not where DKMS installs"; return 1 ;;
	esac
	[ "$(modinfo -F version l1vmm)" = "$version" ] || { echo "version is not $version"; return 1; }
	for parm in build_options xsetbv_exits l0_quirks; do
		modinfo -F parm l1vmm | grep -q "^$parm:.\{10\}" ||
			{ echo "no description of parameter $parm"; return 1; }
	done
}

group_kvm_opens() {
	modprobe l1vmm && node_for_kvm || return 1
	kvm_gid=$(getent group kvm | cut -d: -f3)
	setpriv --reuid=65534 --regid=65534 --groups="$kvm_gid" sh -c ': <> /dev/l1vmm' ||
		{ echo "group kvm cannot open /dev/l1vmm"; return 1; }
	if setpriv --reuid=65534 --regid=65534 --clear-groups sh -c ': <> /dev/l1vmm' 2>/dev/null; then
		echo "a user outside group kvm opened /dev/l1vmm"; return 1
	fi
}

dkms_uninstall() {
	rmmod l1vmm && dkms uninstall l1vmm/"$version" -k "$kver" || return 1
	if modprobe l1vmm 2>/dev/null; then
		echo "modprobe l1vmm still works after dkms uninstall"; return 1
	fi
	dkms status -k "$kver" l1vmm/"$version" | grep -q ': built' ||
		{ echo "DKMS forgot the built module: $(dkms status l1vmm)"; return 1; }
}

dkms_install() {
	dkms install l1vmm/"$version" -k "$kver" && modprobe l1vmm && node_for_kvm
}

demo_runs() {
	l1vmm-demo
}

check first_boot_loaded first_boot_loaded
check dkms_installed dkms_installed
check modinfo_complete modinfo_complete
check group_kvm_opens group_kvm_opens
check dkms_uninstall dkms_uninstall
check dkms_install dkms_install
check demo_runs demo_runs
exit $failed
