#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# What `make run` shows inside the L1 guest: load l1vmm, say what it found,
# run the demo L2 guest on it; then the same guest on KVM, for comparison.
echo "l1vmm-guest: insmod l1vmm.ko"
if ! insmod /lib/modules/l1vmm/l1vmm.ko; then
	echo "l1vmm-guest: l1vmm refused to load; the kernel says:"
	dmesg | grep 'l1vmm:'
	exit 1
fi
dmesg | grep 'l1vmm:'
ls -l /dev/l1vmm
/selftests/l1vmm-info
echo
/selftests/l1vmm-demo /dev/l1vmm | tee /tmp/demo-l1vmm
rmmod l1vmm && echo "l1vmm-guest: rmmod l1vmm: ok"

echo
echo "l1vmm-guest: the same guest on KVM (the reference L1 hypervisor):"
for m in irqbypass kvm ccp kvm-amd; do insmod /lib/modules/kvm/$m.ko; done
/selftests/l1vmm-demo /dev/kvm | tee /tmp/demo-kvm
rmmod kvm_amd kvm ccp irqbypass
if [ "$(sed 's|^/dev/[a-z0-9]*: ||' /tmp/demo-l1vmm)" = "$(sed 's|^/dev/[a-z0-9]*: ||' /tmp/demo-kvm)" ]; then
	echo "l1vmm-guest: l1vmm and KVM gave the same output and exits"
else
	echo "l1vmm-guest: l1vmm and KVM DIFFER (see above)"
fi
