#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# qemu_l2.sh with kernel-irqchip=split and 2 vCPU(s).
QEMU_L2_IRQCHIP=split QEMU_L2_VCPUS=2 exec "$(dirname "$0")/qemu_l2.sh"
