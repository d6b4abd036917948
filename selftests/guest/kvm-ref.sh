#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run a selftest against KVM in the same guest, to hold l1vmm's answers
# against the reference. Invoked through a link named TEST@kvm (vmrun makes
# one for each such suite entry); KVM's modules come from the guest kernel,
# from L1VMM_KVM_MODULES when set (see selftests/lib/l1vmm_util.h).
test=$(basename "$0")
test=${test%@kvm}
mods=${L1VMM_KVM_MODULES:-/lib/modules/kvm}
# KVM's modules in load order, and their names in unload order; ccp
# (AMD's crypto) is kvm-amd's dependency only.
if grep -q -w svm /proc/cpuinfo; then
	order="irqbypass kvm ccp kvm-amd"
	unload="kvm_amd kvm ccp irqbypass"
elif grep -q -w vmx /proc/cpuinfo; then
	order="irqbypass kvm kvm-intel"
	unload="kvm_intel kvm irqbypass"
else
	echo "    # SKIP no SVM or VMX for KVM"; exit 4
fi
# Each step in the kernel log too: a hang between them says where.
step() { echo "kvm-ref: $test: $*" >/dev/kmsg 2>/dev/null; }
for m in $order; do
	[ -e "$mods/$m.ko" ] || continue
	[ -d "/sys/module/$(echo "$m" | tr - _)" ] && continue
	step "insmod $m"
	insmod "$mods/$m.ko" || { echo "    # SKIP cannot load $m"; exit 4; }
done

step "run"
L1VMM_DEV=/dev/kvm "$(dirname "$0")/$test"
rc=$?
# l1vmm_kvm_keep=1 on the kernel command line (the Bochs Intel suites):
# KVM stays loaded for the next twin (doc/testing.md, "The Bochs guests").
if [ "${l1vmm_kvm_keep:-0}" != 1 ]; then
	step "rmmod"
	rmmod $unload
fi
exit $rc
