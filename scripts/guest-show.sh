#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# What `make run` shows inside the L1 guest: load l1vmm, then report what it
# found and what /dev/l1vmm answers.
echo "l1vmm-guest: insmod l1vmm.ko"
if ! insmod /lib/modules/l1vmm/l1vmm.ko; then
	echo "l1vmm-guest: l1vmm refused to load; the kernel says:"
	dmesg | grep 'l1vmm:'
	exit 1
fi
dmesg | grep 'l1vmm:'
ls -l /dev/l1vmm
/selftests/l1vmm-info
rmmod l1vmm && echo "l1vmm-guest: rmmod l1vmm: ok"
