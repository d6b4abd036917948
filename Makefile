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
CFLAGS_COMMON := -std=gnu11 -O2 -g -Wall -Wextra -Werror -I$(TOP) -I$(TOP)/selftests/lib
UNIT_TESTS := $(patsubst selftests/unit/%.c,$(BUILD)/unit/%,$(wildcard selftests/unit/test_*.c))
GUEST_TESTS := $(patsubst selftests/guest/%.c,$(BUILD)/guest/%,$(wildcard selftests/guest/*.c))
GUEST_TOOLS := $(BUILD)/guest/l1vmm-info $(BUILD)/guest/l1vmm-demo $(BUILD)/guest/l1vmm-bench
# Every test links the harness; guest tests also the KVM-ABI helpers.
KTAP_LIB := selftests/lib/ktap.c
GUEST_LIB := $(KTAP_LIB) selftests/lib/l1vmm_util.c selftests/lib/kvm_vm.c
SELFTEST_HDR := $(wildcard selftests/lib/*.h)

.PHONY: all module deps bench bench-matrix check check-bochs check-egpr unit selftests run clean help checkpatch \
	config oldconfig olddefconfig defconfig savedefconfig

all: module

help:
	@echo "make            build l1vmm.ko for KDIR (now: $(KDIR))"
	@echo "make run        boot an L1 guest, load l1vmm, show what it found"
	@echo "make check      unit tests + in-guest selftests; closing line 'N passed, N failed'"
	@echo "make check-bochs  the Bochs tier of the in-guest selftests only"
	@echo "make check-egpr   the EGPR shadow tier (R16-R31 switching) only"
	@echo "make bench      exit round trips, l1vmm and KVM side by side (build/bench/)"
	@echo "make bench-matrix  the same for each knob set (build/bench/matrix/)"
	@echo "make unit       host unit tests only"
	@echo "make selftests  build the in-guest selftests (static)"
	@echo "make config | oldconfig | olddefconfig | defconfig | savedefconfig"
	@echo "                choose build options (Kconfig) in .config"
	@echo "make clean"

deps:
	@$(TOP)/scripts/deps

# --- configuration -----------------------------------------------------------

# conf keeps .config in step with Kconfig: new symbols get their defaults.
.config: Kconfig | deps
	$(KCONF) -s --olddefconfig Kconfig

config: deps
	$(KCONF) --oldaskconfig Kconfig

oldconfig olddefconfig: deps
	$(KCONF) --$@ Kconfig

defconfig: deps
	$(KCONF) --alldefconfig Kconfig

savedefconfig: .config
	$(KCONF) --savedefconfig defconfig Kconfig

# CONFIG_L1VMM_FOO=y becomes #define CONFIG_L1VMM_FOO 1 for every source file.
$(CONFIG_H): .config
	@mkdir -p $(BUILD)/kconfig
	$(KCONF) -s --syncconfig Kconfig

# --- the module ----------------------------------------------------------------

module: $(CONFIG_H) | deps
	$(MAKE) -C $(KDIR) M=$(TOP) modules

# --- host unit tests -------------------------------------------------------------

# Each unit test links the portable sources it names in its second line:
#   // unit-sources: l1vmm/cpu_detect.c
$(BUILD)/unit/%: selftests/unit/%.c $(KTAP_LIB) $(SELFTEST_HDR) \
		$(wildcard l1vmm/*.[ch] xstate/*.[ch] asm/*.h selftests/unit/*.S)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -o $@ $< $(KTAP_LIB) \
		$(shell sed -n '2s|^// unit-sources:||p' $<)

RESULTS := $(BUILD)/results
RUN_UNIT = selftests/run-suite.sh 30 $(UNIT_TESTS) selftests/runner/test_ktap_summary.sh \
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

$(BUILD)/guest/l1vmm-demo $(BUILD)/guest/l1vmm-bench: $(BUILD)/guest/%: tools/%.c $(GUEST_LIB) \
		$(SELFTEST_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -static -o $@ $< $(GUEST_LIB)

selftests: $(GUEST_TESTS) $(GUEST_TOOLS) | deps

# --- the commands the README gives ---------------------------------------------

# Unit tests, then every guest configuration; one closing line for all of it.
# A failing step does not stop the others: the summary counts what is missing.
check: deps
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory $(UNIT_TESTS) module selftests KDIR=$(GUEST_KDIR)
	@$(RUN_UNIT)
	@scripts/vmrun --suite main --kver $(GUEST_KVER) --out $(RESULTS)/qemu-main.log
	@scripts/vmrun --suite nosvm --novirt --kver $(GUEST_KVER) --out $(RESULTS)/qemu-nosvm.log
	@$(EGPR_TIER)
	@$(BOCHS_TIER)
	@scripts/ktap-summary $(RESULTS)/*.log

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
# works, and an Intel model with VMX, where l1vmm must refuse to load until
# its VMX backend exists. Part of `make check`; alone with `make check-bochs`.
BOCHS_TIER = scripts/vmrun --vm bochs-amd --suite bochs-amd --kver $(GUEST_KVER) \
		--out $(RESULTS)/bochs-amd.log; \
	scripts/vmrun --vm bochs-intel --suite bochs-intel --kver $(GUEST_KVER) \
		--out $(RESULTS)/bochs-intel.log

# The exit round-trip benchmark, l1vmm and KVM side by side (doc/performance.md).
bench: deps
	@scripts/bench

bench-matrix: deps
	@scripts/bench --matrix

check-egpr: deps
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory selftests KDIR=$(GUEST_KDIR)
	@$(EGPR_TIER)
	@scripts/ktap-summary $(RESULTS)/*.log

check-bochs: deps
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@$(MAKE) --no-print-directory module selftests KDIR=$(GUEST_KDIR)
	@$(BOCHS_TIER)
	@scripts/ktap-summary $(RESULTS)/*.log

run: deps
	@$(MAKE) --no-print-directory module selftests KDIR=$(GUEST_KDIR)
	@scripts/vmrun --suite run --kver $(GUEST_KVER) --console

# Kernel coding style. Debian ships checkpatch.pl only inside linux-source;
# point CHECKPATCH at one (doc/building.md says how to get it).
CHECKPATCH ?= $(firstword $(wildcard $(KDIR)/scripts/checkpatch.pl) checkpatch.pl)
checkpatch:
	@command -v $(CHECKPATCH) >/dev/null || { echo "checkpatch: set CHECKPATCH=/path/to/checkpatch.pl" >&2; exit 1; }
	$(CHECKPATCH) --no-tree --quiet --terse --ignore PREFER_DEFINED_ATTRIBUTE_MACRO,ENOSYS -f \
		$(wildcard l1vmm/*.[ch] xstate/*.[ch] selftests/lib/*.[ch] selftests/unit/*.c selftests/guest/*.c tools/*.c)

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP) clean 2>/dev/null
	rm -rf $(BUILD)
