#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The run loop's object code (issue: "the fastpath has no indirect call"):
# each backend instantiates the core's l1vmm_run_loop() (l1vmm/run.h) with
# its own constant ops, so that the loop, from the first entry to the last
# re-entry, makes no indirect call or jump and goes through no retpoline
# thunk. This disassembles each backend's instance in the built objects and
# checks exactly that.
#
# Allowed: paravirt sites (a call through pv_ops, relocated there), which
# the kernel patches to STI/CLI when the module loads on anything but a Xen
# PV guest. Listed, not failed: the direct calls the loop makes, for the
# record (each out-of-line callee returns through the kernel's return
# thunk where the kernel uses one, the entry assembly among them, as KVM's
# __svm_vcpu_run does).
top=$(cd "$(dirname "$0")/../.." && pwd)
# Each backend's instance: object file and function.
loops="l1vmm/svm/run.o:svm_run"
[ -e "$top/l1vmm/vmx/run.o" ] && loops="$loops l1vmm/vmx/run.o:vmx_run"

echo "    KTAP version 1"
echo "    # Subtest: run_loop"
if [ ! -e "$top/l1vmm.ko" ] || ! command -v objdump >/dev/null; then
	echo "    1..0 # SKIP no l1vmm.ko built (make module), or no objdump"
	exit 4
fi
set -- $loops
echo "    1..$#"
nr=0
failed=0
for item in "$@"; do
	nr=$((nr + 1))
	obj=${item%%:*}
	fn=${item#*:}
	listing=$(objdump -dr --no-show-raw-insn "$top/$obj" | awk -v fn="<$fn>:" '
		/^[0-9a-f]+ <.*>:$/ { in_fn = ($2 == fn); next }
		in_fn && NF == 0 { in_fn = 0 }
		in_fn { print }')
	if [ -z "$listing" ]; then
		echo "    # $fn not found in $obj"
		echo "    not ok $nr $fn"
		failed=1
		continue
	fi
	# Each call or jump with the relocation (the target) that follows it.
	branches=$(echo "$listing" | awk '
		/\tcall|\tjmp/ { if (insn != "") print insn; insn = $0; next }
		insn != "" && /R_X86_64/ { print insn " -> " $NF; insn = ""; next }
		insn != "" { print insn; insn = "" }
		END { if (insn != "") print insn }')
	bad=$(echo "$branches" | grep -E '\*|__x86_indirect_thunk|__x86_indirect_call_thunk' |
		grep -v -- '-> pv_ops')
	calls=$(echo "$branches" | grep -E '[[:space:]]call[[:space:]]' | grep -v -- '-> pv_ops' |
		sed -E 's/.*-> ([^-+]*).*/\1/; s/.*<([^>+]*)[^>]*>.*/\1/' | sort -u | tr '\n' ' ')
	echo "    # $fn calls: $calls"
	if [ -n "$bad" ]; then
		echo "$bad" | sed 's/^/    # indirect: /'
		echo "    not ok $nr $fn"
		failed=1
	else
		echo "    ok $nr $fn"
	fi
done
exit $failed
