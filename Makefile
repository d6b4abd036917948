# SPDX-License-Identifier: GPL-2.0-only
#
# l1vmm top-level Makefile. kbuild builds the module (see Kbuild); this file
# drives the configuration, the host unit tests, the in-guest selftests and
# the test guests. `make help` lists the targets.

SHELL := /bin/bash
TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD := $(TOP)/build

# The Debian kernel that the test guests boot, and its kbuild tree.
GUEST_KVER ?= $(shell $(TOP)/scripts/guest-kernel)
GUEST_KDIR = /lib/modules/$(GUEST_KVER)/build

# The kernel to build l1vmm.ko for: the running kernel when its kbuild tree is
# installed (building on the L1 guest itself), otherwise the test guest's.
RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
KDIR ?= $(if $(wildcard $(RUNNING_KDIR)/Makefile),$(RUNNING_KDIR),$(GUEST_KDIR))

CONFIG_H := $(BUILD)/l1vmm_config.h
# The kernel's own Kconfig tool, with its generated files kept under build/.
KCONF = KCONFIG_CONFIG=.config KCONFIG_AUTOHEADER=$(CONFIG_H) \
	KCONFIG_AUTOCONFIG=$(BUILD)/kconfig/auto.conf \
	KCONFIG_RUSTCCFG=$(BUILD)/kconfig/rustc_cfg $(KDIR)/scripts/kconfig/conf

CC ?= cc
# Every source file of the module, in l1vmm/, its subdirectories, xstate/ and asm/.
MODULE_C_SOURCES := $(sort $(shell cd $(TOP) && find l1vmm xstate asm -name '*.[chS]' \
	! -name asm-offsets.s 2>/dev/null))
CFLAGS_COMMON := -std=gnu11 -O2 -g -Wall -Wextra -Werror -I$(TOP) -I$(TOP)/selftests/lib
UNIT_TESTS := $(patsubst selftests/unit/%.c,$(BUILD)/unit/%,$(wildcard selftests/unit/test_*.c))
GUEST_TESTS := $(patsubst selftests/guest/%.c,$(BUILD)/guest/%,$(wildcard selftests/guest/*.c))
GUEST_TOOLS := $(BUILD)/guest/l1vmm-info $(BUILD)/guest/l1vmm-demo $(BUILD)/guest/l1vmm-bench \
	$(BUILD)/guest/l1vmm-fuzz
# Every test links the harness; guest tests also the KVM-ABI helpers.
KTAP_LIB := selftests/lib/ktap.c
GUEST_LIB := $(KTAP_LIB) selftests/lib/l1vmm_util.c selftests/lib/kvm_vm.c
SELFTEST_HDR := $(wildcard selftests/lib/*.h)

.PHONY: all module kdir install uninstall udev-install udev-uninstall dkms-source dkms-install \
	dkms-uninstall deps deps-vm vm-image vm-up vm-test vm-down check-vm check-installed bench bench-matrix fuzz check check-bochs check-bochs-vmx check-bochs-vmx-l2 check-egpr check-kvm-selftests check-qemu-l2 unit selftests run run-linux clean help checkpatch \
	config oldconfig olddefconfig defconfig savedefconfig

all: module

help:
	@echo "make            build l1vmm.ko for KDIR (now: $(KDIR))"
	@echo "make run        boot an L1 guest, load l1vmm, show what it found"
	@echo "make run-linux  QEMU boots Linux as an L2 guest on l1vmm, then on KVM"
	@echo "make check      unit tests + in-guest selftests; closing line 'N passed, N failed'"
	@echo "make check-bochs  the Bochs tier of the in-guest selftests only"
	@echo "make check-bochs-vmx  the rest of the main suite on VMX under Bochs (6-50 min)"
	@echo "make check-bochs-vmx-l2  QEMU boots Linux on l1vmm's VMX backend under Bochs"
	@echo "make check-egpr   the EGPR shadow tier (R16-R31 switching) only"
	@echo "make check-vm     the libvirt tier (dev image, DKMS, libvirt domain) only"
	@echo "make check-kvm-selftests  Linux's KVM selftests on l1vmm and KVM (table in the log) only"
	@echo "make check-qemu-l2  the QEMU L2 tier (QEMU boots Linux on l1vmm and KVM) only"
	@echo "make vm-image   the Debian dev image with l1vmm through DKMS (build/vm/)"
	@echo "make vm-up | vm-test [SUITES=...] | vm-down"
	@echo "                that image as a libvirt domain (LIBVIRT_URI=...)"
	@echo "make install | uninstall | dkms-install | dkms-uninstall"
	@echo "                on an L1 guest: the module for KDIR, with or without DKMS"
	@echo "make check-installed [SUITES=...]"
	@echo "                on an L1 guest: the in-guest suites against the installed l1vmm"
	@echo "make bench      exit round trips, l1vmm and KVM side by side (build/bench/)"
	@echo "make bench-matrix  the same for each knob set (build/bench/matrix/)"
	@echo "make fuzz       the fuzzer: l1vmm, then KVM with the same seed, in one L1 guest"
	@echo "                FUZZ_SEED=N FUZZ_SECONDS=60 FUZZ_KVM_SECONDS=.. FUZZ_DEV=both|l1vmm|kvm"
	@echo "                FUZZ_ITERATION_SEED=N FUZZ_VM=qemu|bochs-amd (doc/fuzzing.md)"
	@echo "make unit       host unit tests only"
	@echo "make selftests  build the in-guest selftests (static)"
	@echo "make config | oldconfig | olddefconfig | defconfig | savedefconfig"
	@echo "                choose build options (Kconfig) in .config"
	@echo "make clean"

deps:
	@$(TOP)/scripts/deps

deps-vm:
	@$(TOP)/scripts/deps vm

# --- configuration -----------------------------------------------------------

# The module needs only a compiler and the kernel's kbuild tree: no test
# packages, so that DKMS can build it on any L1 guest.
kdir:
	@test -e $(KDIR)/Makefile || { echo "l1vmm: no kbuild tree at $(KDIR):" \
		"install the kernel headers (Debian: apt-get install linux-headers-$$(uname -r))" \
		"or set KDIR" >&2; exit 1; }

# conf keeps .config in step with Kconfig: new symbols get their defaults.
.config: Kconfig | kdir
	$(KCONF) -s --olddefconfig Kconfig

config: kdir
	$(KCONF) --oldaskconfig Kconfig

oldconfig olddefconfig: kdir
	$(KCONF) --$@ Kconfig

defconfig: kdir
	$(KCONF) --alldefconfig Kconfig

savedefconfig: .config
	$(KCONF) --savedefconfig defconfig Kconfig

# CONFIG_L1VMM_FOO=y becomes #define CONFIG_L1VMM_FOO 1 for every source file.
$(CONFIG_H): .config
	@mkdir -p $(BUILD)/kconfig
	$(KCONF) -s --syncconfig Kconfig

# --- the module ----------------------------------------------------------------

module: $(CONFIG_H) | kdir
	$(MAKE) -C $(KDIR) M=$(TOP) modules

# --- installing on an L1 guest (doc/user-guide.md) -------------------------------

VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' $(TOP)/dkms.conf)
# What DKMS builds from: the module's sources and build description.
MODULE_SOURCES := Kconfig Kbuild Makefile dkms.conf tools/system/60-l1vmm.rules $(MODULE_C_SOURCES)
UDEV_RULES_DIR ?= /etc/udev/rules.d
DKMS_KVER ?= $(shell uname -r)

# /dev/l1vmm for group kvm, like /dev/kvm. udev applies it to the next node.
udev-install:
	install -D -m 644 $(TOP)/tools/system/60-l1vmm.rules $(DESTDIR)$(UDEV_RULES_DIR)/60-l1vmm.rules

udev-uninstall:
	rm -f $(DESTDIR)$(UDEV_RULES_DIR)/60-l1vmm.rules

# Without DKMS: the module into /lib/modules/KVER/extra ($(INSTALL_MOD_PATH)
# first, if set), then depmod, so that `modprobe l1vmm` finds it. KVER is
# the kernel the module was built for. Debian's headers ask kbuild to sign
# modules but hold no key: sign for Secure Boot as doc/user-guide.md says.
MODULE_KVER = $$(modinfo -F vermagic $(TOP)/l1vmm.ko | cut -d' ' -f1)
DEPMOD = depmod $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH))

install: module udev-install
	$(MAKE) -C $(KDIR) M=$(TOP) INSTALL_MOD_DIR=extra CONFIG_MODULE_SIG_ALL= modules_install
	$(DEPMOD) $(MODULE_KVER)

uninstall: udev-uninstall
	rm -f $(INSTALL_MOD_PATH)/lib/modules/$(MODULE_KVER)/extra/l1vmm.ko
	$(DEPMOD) $(MODULE_KVER)

# With DKMS: the sources into /usr/src/l1vmm-VERSION, then DKMS builds and
# installs the module for $(DKMS_KVER) and again for every later kernel.
dkms-source:
	rm -rf $(DESTDIR)/usr/src/l1vmm-$(VERSION)
	install -d $(DESTDIR)/usr/src/l1vmm-$(VERSION)
	cd $(TOP) && cp --parents $(MODULE_SOURCES) $(DESTDIR)/usr/src/l1vmm-$(VERSION)/

dkms-install: udev-install
	@command -v dkms >/dev/null || { echo "dkms-install: no dkms: apt-get install dkms" \
		"linux-headers-$$(uname -r) (or make install)" >&2; exit 1; }
	-dkms status l1vmm/$(VERSION) | grep -q . && dkms remove l1vmm/$(VERSION) --all
	$(MAKE) --no-print-directory dkms-source
	dkms add l1vmm/$(VERSION)
	dkms install l1vmm/$(VERSION) -k $(DKMS_KVER)

dkms-uninstall: udev-uninstall
	dkms remove l1vmm/$(VERSION) --all
	rm -rf /usr/src/l1vmm-$(VERSION)

# --- host unit tests -------------------------------------------------------------

# Each unit test links the portable sources it names in a line of its
# leading comment block (scripts/unit-sources says what it accepts):
#   // unit-sources: l1vmm/portable/cpu_detect.c
# The build fails when the line is missing or names a file that does not
# exist. The named sources are prerequisites too, wherever they live.
UNIT_CC = $(CC) $(CFLAGS_COMMON) -o $@ $< $(KTAP_LIB)
.SECONDEXPANSION:
$(BUILD)/unit/%: selftests/unit/%.c $(KTAP_LIB) $(SELFTEST_HDR) \
		$(addprefix $(TOP)/,$(MODULE_C_SOURCES)) $(wildcard selftests/unit/*.S) \
		$$(shell scripts/unit-sources $$< 2>/dev/null)
	@mkdir -p $(dir $@)
	@srcs=$$(scripts/unit-sources $<) && echo "$(UNIT_CC) $$srcs" && $(UNIT_CC) $$srcs

RESULTS := $(BUILD)/results
RUN_UNIT = selftests/run-suite.sh 30 $(UNIT_TESTS) selftests/runner/test_ktap_summary.sh \
	selftests/runner/test_unit_sources.sh \
	selftests/runner/test_install.sh:120 selftests/runner/test_run_loop.sh \
	| tee $(RESULTS)/unit.log

unit: $(UNIT_TESTS)
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@$(RUN_UNIT)
	@scripts/ktap-summary $(RESULTS)/unit.log

# --- in-guest selftests (static: the guest has no libc) ---------------------------

$(BUILD)/guest/%: selftests/guest/%.c $(GUEST_LIB) $(SELFTEST_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -static -o $@ $< $(GUEST_LIB)

$(BUILD)/guest/l1vmm-info: tools/l1vmm-info.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -static -o $@ $<

$(BUILD)/guest/l1vmm-demo $(BUILD)/guest/l1vmm-bench $(BUILD)/guest/l1vmm-fuzz: \
		$(BUILD)/guest/%: tools/%.c $(GUEST_LIB) $(SELFTEST_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -static -o $@ $< $(GUEST_LIB)

selftests: $(GUEST_TESTS) $(GUEST_TOOLS)

# --- the commands the README gives ---------------------------------------------

# Unit tests, then every guest configuration; one closing line for all of it.
# A failing step does not stop the others: the summary counts what is missing.
check: deps deps-vm
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory $(UNIT_TESTS) module selftests KDIR=$(GUEST_KDIR)
	@$(RUN_UNIT)
	@scripts/vmrun --suite main --timeout 1500 --kver $(GUEST_KVER) --out $(RESULTS)/qemu-main.log
	@$(HUGEPAGES_1G_TIER)
	@$(QEMU_L2_TIER) & lane=$$!; $(FUZZ_TIER); wait $$lane; cat $(RESULTS)/qemu-l2.console
	@scripts/vmrun --suite nosvm --novirt --kver $(GUEST_KVER) --out $(RESULTS)/qemu-nosvm.log
	@$(EGPR_TIER)
	@$(BOCHS_TIER)
	@$(VM_TIER)
	@$(KVM_SELFTESTS_TIER)
	@scripts/ktap-summary $(RESULTS)/*.log

# The KVM selftests tier (doc/testing.md): Linux 6.1's x86 KVM selftests,
# built from Debian's linux-source-6.1 (scripts/build-kvm-selftests), each
# run against l1vmm as /dev/kvm and against KVM in one QEMU guest; the log
# holds the table of both results. A build that fails leaves a failing result.
KVM_SELFTESTS_TIER = if scripts/build-kvm-selftests >$(RESULTS)/build-kvm-selftests.txt 2>&1; then \
		scripts/vmrun --suite kvm-selftests --memory 2048 --timeout 1200 --kver $(GUEST_KVER) \
			--out $(RESULTS)/kvm-selftests.log; \
	else \
		tail -5 $(RESULTS)/build-kvm-selftests.txt; \
		echo "not ok 1 scripts/build-kvm-selftests failed" >$(RESULTS)/kvm-selftests.log; \
	fi

# The 1 GiB pages tier (doc/testing.md): hugepages with a 1 GiB huge page
# reserved at boot, which the main suite's 1 GiB guest cannot have.
HUGEPAGES_1G_TIER = scripts/vmrun --suite hugepages-1g --memory 2560 --append hugepagesz=1G \
	--append hugepages=1 --kver $(GUEST_KVER) --out $(RESULTS)/qemu-hugepages-1g.log

# The FUZZ tier (doc/fuzzing.md): 3 minutes of fuzzing against l1vmm and 1
# against KVM in one QEMU guest, seeded from the commit; the log says how
# to replay it.
FUZZ_TIER = scripts/fuzz --ci --seconds 180 --kvm-seconds 60 --kver $(GUEST_KVER) \
	--out $(RESULTS)/qemu-fuzz.log

# The QEMU L2 tier (doc/testing.md): Debian's QEMU boots Linux as an L2
# guest on l1vmm as /dev/kvm (kernel-irqchip off, on and split; 1 and 2
# vCPUs), then, under -icount (whose L1 guest boots with one vCPU only),
# on l1vmm and KVM for boot times that compare. Runs beside the fuzz tier,
# which a time bound ends, each in one QEMU thread of its own; its
# console is shown after both.
QEMU_L2_TIER = { scripts/vmrun --suite qemu-l2-boots --timeout 1800 --kver $(GUEST_KVER) \
		--out $(RESULTS)/qemu-l2-boots.log; \
	scripts/vmrun --suite qemu-l2 --icount --smp 1 --timeout 1200 --kver $(GUEST_KVER) \
		--out $(RESULTS)/qemu-l2-icount.log; } >$(RESULTS)/qemu-l2.console 2>&1

# A tier that boots another build of the module (scripts/build-variant):
# $(call variant_tier,NAME,KCONFIG OPTIONS,VMRUN ARGUMENTS). A build that
# fails leaves a failing result, so the summary cannot miss it.
variant_tier = if scripts/build-variant $(1) $(2) >$(RESULTS)/build-$(1).txt 2>&1; then \
		scripts/vmrun --module $(BUILD)/variants/$(1)/l1vmm.ko $(3) --kver $(GUEST_KVER) \
			--out $(RESULTS)/$(1).log; \
	else \
		tail -5 $(RESULTS)/build-$(1).txt; \
		echo "not ok 1 build-variant $(1) $(2)" >$(RESULTS)/$(1).log; \
	fi

# The EGPR shadow tier (doc/testing.md): R16-R31 switching proven under
# QEMU with the moves retargeted at an array, with the default knobs and
# with the opposite ones (switch always, SPEC_CTRL restored in C, no
# fastpath: the stats and vcpus tests check what that changes).
EGPR_TIER = $(call variant_tier,egpr-shadow,L1VMM_EGPR_SHADOW=y,--suite egpr-shadow); \
	$(call variant_tier,egpr-shadow-knobs,L1VMM_EGPR_SHADOW=y L1VMM_EGPR_SWITCH_ALWAYS=y \
		L1VMM_SPEC_CTRL_RESTORE_C=y L1VMM_FASTPATH=n,--tests "egpr stats vcpus")

# The Bochs tier (doc/testing.md): an AMD model whose XSETBV intercept
# works, and an Intel model with VMX, in two guests (the VMX backend's
# suite in two halves). Bochs runs one thread: the Intel guests boot side
# by side, one of them after the AMD one, and the second lane's console
# is shown when both are done. KVM stays loaded between the @kvm twins
# there (l1vmm_kvm_keep=1): reloaded for each, the L1 guest hung in
# insmod after 7 to 9 loads (doc/testing.md). Part of `make check`; alone
# with `make check-bochs`.
BOCHS_TIER = { scripts/vmrun --vm bochs-intel --suite bochs-intel-events --timeout 1200 \
		--append l1vmm_kvm_keep=1 --kver $(GUEST_KVER) \
		--out $(RESULTS)/bochs-intel-events.log >$(RESULTS)/bochs-intel-events.console 2>&1; } & \
	lane=$$!; \
	scripts/vmrun --vm bochs-amd --suite bochs-amd --kver $(GUEST_KVER) \
		--out $(RESULTS)/bochs-amd.log; \
	scripts/vmrun --vm bochs-intel --suite bochs-intel --timeout 1200 --append l1vmm_kvm_keep=1 \
		--kver $(GUEST_KVER) --out $(RESULTS)/bochs-intel.log; \
	wait $$lane; cat $(RESULTS)/bochs-intel-events.console

# The libvirt tier (doc/testing.md): the dev image built with debootstrap,
# booted as a libvirt domain, its suites run through the guest agent, the
# domain removed again. A step that fails leaves a failing result.
VM_TIER = if ! scripts/vm-image; then \
		echo "not ok 1 scripts/vm-image failed" >$(RESULTS)/libvirt.log; \
	elif ! tools/l1vmm-vm up; then \
		echo "not ok 1 l1vmm-vm up" >$(RESULTS)/libvirt.log; \
	else \
		tools/l1vmm-vm test; \
	fi; \
	tools/l1vmm-vm down || true

# The exit round-trip benchmark, l1vmm and KVM side by side (doc/performance.md).
bench: deps
	@scripts/bench

bench-matrix: deps
	@scripts/bench --matrix

# The fuzzer (doc/fuzzing.md), seeded (random unless FUZZ_SEED), bounded
# (FUZZ_SECONDS per device), replayable by seed or one iteration's seed.
FUZZ_SECONDS ?= 60
FUZZ_DEV ?= both
FUZZ_VM ?= qemu

fuzz: deps
	@mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory module selftests KDIR=$(GUEST_KDIR)
	@scripts/fuzz $(if $(FUZZ_SEED),--seed $(FUZZ_SEED)) --seconds $(FUZZ_SECONDS) \
		--kvm-seconds $(or $(FUZZ_KVM_SECONDS),$(FUZZ_SECONDS)) --dev $(FUZZ_DEV) \
		$(if $(FUZZ_ITERATION_SEED),--iteration-seed $(FUZZ_ITERATION_SEED)) \
		--vm $(FUZZ_VM) --kver $(GUEST_KVER) --out $(RESULTS)/fuzz.log
	@scripts/ktap-summary $(RESULTS)/fuzz.log

check-egpr: deps
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory selftests KDIR=$(GUEST_KDIR)
	@$(EGPR_TIER)
	@scripts/ktap-summary $(RESULTS)/*.log

check-kvm-selftests: deps
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory module selftests KDIR=$(GUEST_KDIR)
	@$(KVM_SELFTESTS_TIER)
	@scripts/ktap-summary $(RESULTS)/*.log

check-qemu-l2: deps
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory module selftests KDIR=$(GUEST_KDIR)
	@$(QEMU_L2_TIER); cat $(RESULTS)/qemu-l2.console
	@scripts/ktap-summary $(RESULTS)/*.log

check-bochs: deps
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory module selftests KDIR=$(GUEST_KDIR)
	@$(BOCHS_TIER)
	@scripts/ktap-summary $(RESULTS)/*.log

# The rest of the main suite on VMX under Bochs, against kvm-intel too:
# about 50 minutes, so not in `make check` (doc/testing.md).
check-bochs-vmx: deps
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory module selftests KDIR=$(GUEST_KDIR)
	@scripts/vmrun --vm bochs-intel --suite bochs-intel-all --timeout 5400 --append l1vmm_kvm_keep=1 \
		--kver $(GUEST_KVER) --out $(RESULTS)/bochs-intel-all.log
	@scripts/ktap-summary $(RESULTS)/*.log

check-bochs-vmx-l2: deps
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory module selftests KDIR=$(GUEST_KDIR)
	@scripts/vmrun --vm bochs-intel --suite bochs-intel-l2 --timeout 9000 --append l1vmm_kvm_keep=1 \
		--append l1vmm_l2_timeout=1500 --append l1vmm_l2_progress=120 \
		--kver $(GUEST_KVER) --out $(RESULTS)/bochs-intel-l2.log
	@scripts/ktap-summary $(RESULTS)/*.log

# On an L1 guest with l1vmm installed (make install or dkms-install): the
# in-guest suites against it, right here. They load and unload l1vmm and KVM.
check-installed: selftests
	@modinfo -n l1vmm >/dev/null 2>&1 || { echo "check-installed: l1vmm is not installed" \
		"for $$(uname -r): make dkms-install (or make install)" >&2; exit 1; }
	@rm -rf $(BUILD)/installed $(RESULTS) && mkdir -p $(RESULTS)
	@scripts/stage-selftests $(BUILD)/installed
	@L1VMM_SELFTESTS=$(BUILD)/installed tools/system/l1vmm-vm-test $(or $(SUITES),main) \
		| tee $(RESULTS)/installed.log
	@scripts/ktap-summary $(RESULTS)/installed.log

# The dev image and its libvirt domain (doc/user-guide.md).
vm-image: deps deps-vm
	@$(MAKE) --no-print-directory selftests KDIR=$(GUEST_KDIR)
	@scripts/vm-image

vm-up: deps-vm
	@tools/l1vmm-vm up

vm-test: deps-vm
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@tools/l1vmm-vm test $(SUITES)

vm-down:
	@tools/l1vmm-vm down

check-vm: deps deps-vm
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory selftests KDIR=$(GUEST_KDIR)
	@$(VM_TIER)
	@scripts/ktap-summary $(RESULTS)/*.log

run: deps
	@$(MAKE) --no-print-directory module selftests KDIR=$(GUEST_KDIR)
	@scripts/vmrun --suite run --kver $(GUEST_KVER) --console

# QEMU boots Linux as an L2 guest on l1vmm as /dev/kvm, then on KVM.
run-linux: deps
	@$(MAKE) --no-print-directory module selftests KDIR=$(GUEST_KDIR)
	@scripts/vmrun --suite run-linux --kver $(GUEST_KVER) --timeout 1500

# Kernel coding style. Debian ships checkpatch.pl only inside linux-source;
# point CHECKPATCH at one (doc/building.md says how to get it).
CHECKPATCH ?= $(firstword $(wildcard $(KDIR)/scripts/checkpatch.pl) checkpatch.pl)
checkpatch:
	@command -v $(CHECKPATCH) >/dev/null || { echo "checkpatch: set CHECKPATCH=/path/to/checkpatch.pl" >&2; exit 1; }
	$(CHECKPATCH) --no-tree --quiet --terse --ignore PREFER_DEFINED_ATTRIBUTE_MACRO,ENOSYS -f \
		$(filter-out asm/%,$(filter %.c %.h,$(MODULE_C_SOURCES))) \
		$(wildcard selftests/lib/*.[ch] selftests/unit/*.c selftests/guest/*.c tools/*.c)

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP) clean 2>/dev/null
	rm -rf $(BUILD)
