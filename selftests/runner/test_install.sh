#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# `make install` and `make uninstall` into a staging root (INSTALL_MOD_PATH,
# DESTDIR): the module lands in extra/ for the kernel it was built for,
# depmod runs so that modprobe resolves it, the udev rule is installed, and
# uninstall takes all of it away again. Nothing is loaded: modprobe only
# shows what it would do.
top=$(cd "$(dirname "$0")/../.." && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

echo "    KTAP version 1"
echo "    # Subtest: install"
kver=$(modinfo -F vermagic "$top/l1vmm.ko" 2>/dev/null | cut -d' ' -f1)
if [ -z "$kver" ] || [ ! -e "/lib/modules/$kver/build/Makefile" ]; then
	echo "    1..0 # SKIP no l1vmm.ko built for a kernel with headers here (make module)"
	exit 4
fi
echo "    1..2"
make_stage() {
	make -s -C "$top" "$1" KDIR="/lib/modules/$kver/build" INSTALL_MOD_PATH="$stage" \
		DESTDIR="$stage" > "$stage.log" 2>&1 || { sed 's/^/    # /' "$stage.log"; return 1; }
}
shows() { modprobe -d "$stage" -S "$kver" --show-depends l1vmm 2>/dev/null; }
failed=0

if make_stage install &&
   [ "$(shows)" = "insmod $stage/lib/modules/$kver/extra/l1vmm.ko " ] &&
   grep -q 'GROUP="kvm", MODE="0660"' "$stage/etc/udev/rules.d/60-l1vmm.rules"; then
	echo "    ok 1 install"
else
	echo "    # modprobe would run: $(shows)"
	echo "    not ok 1 install"
	failed=1
fi

if make_stage uninstall && [ -z "$(shows)" ] &&
   [ -z "$(find "$stage" -name 'l1vmm.ko' -o -name '60-l1vmm.rules')" ]; then
	echo "    ok 2 uninstall"
else
	echo "    # left behind: $(find "$stage" -name 'l1vmm.ko' -o -name '60-l1vmm.rules') $(shows)"
	echo "    not ok 2 uninstall"
	failed=1
fi
rm -f "$stage.log"
exit $failed
