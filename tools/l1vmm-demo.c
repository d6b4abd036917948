// SPDX-License-Identifier: GPL-2.0-only
/*
 * l1vmm-demo: run one small L2 guest in 64-bit long mode through the KVM
 * ABI and show what happened. Usage: l1vmm-demo [DEVICE] (default
 * /dev/l1vmm; /dev/kvm runs the very same guest on KVM).
 *
 * The guest (selftests/lib/demo_guest.h) greets through an emulated serial
 * port, reads CPUID leaf 0x40000000, makes a hypercall and halts. Port I/O
 * and HLT come to this program as exits; CPUID and the hypercall are
 * handled inside the hypervisor and never reach user space. As on KVM, the
 * guest's CPUID is the table this program set (KVM_SET_CPUID2: here its own
 * "l1vm" signature), not the "KVMKVMKVM" leaf the device offers in
 * KVM_GET_SUPPORTED_CPUID, which the demo shows beside it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo_guest.h"
#include "kvm_vm.h"

#define MEM_SIZE	(2ul << 20)
#define CODE_GPA	0x10000

/* The signature of leaf 0x40000000 in the device's KVM_GET_SUPPORTED_CPUID, or "". */
static void offered_signature(int sys_fd, char sig[13])
{
	static struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 e[256];
	} c = { .hdr.nent = 256 };
	unsigned int i;

	ASSERT_IOCTL_OK(sys_fd, KVM_GET_SUPPORTED_CPUID, &c);
	memset(sig, 0, 13);
	for (i = 0; i < c.hdr.nent; i++) {
		if (c.e[i].function != 0x40000000)
			continue;
		memcpy(sig, &c.e[i].ebx, 4);
		memcpy(sig + 4, &c.e[i].ecx, 4);
		memcpy(sig + 8, &c.e[i].edx, 4);
	}
}

static void demo(void)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 entry;
	} cpuid = {
		.hdr.nent = 1,
		.entry = { .function = 0x40000000, .ebx = DEMO_CPUID_SIGNATURE },
	};
	unsigned int io_exits = 0, serial_bytes = 0, other_exits = 0;
	uint32_t sig = 0, lo = 0, hi = 0;
	char offered[13];
	struct test_guest g;
	unsigned int reason;

	printf("%s: long-mode L2 guest, 2 MiB, code at %#x\n", dev_path(), CODE_GPA);
	guest_start_long_mode(&g, MEM_SIZE, CODE_GPA, demo_guest_code,
			      sizeof(demo_guest_code));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_CPUID2, &cpuid);

	printf("%s: guest output: ", dev_path());
	while ((reason = vcpu_run(&g.vcpu)) == KVM_EXIT_IO) {
		struct kvm_run *run = g.vcpu.run;
		void *data = vcpu_io_data(&g.vcpu);

		io_exits++;
		switch (run->io.port) {
		case DEMO_SERIAL_PORT:
			putchar(*(char *)data);
			serial_bytes++;
			break;
		case DEMO_CPUID_PORT:
			memcpy(&sig, data, 4);
			break;
		case DEMO_HCALL_LO_PORT:
			memcpy(&lo, data, 4);
			break;
		case DEMO_HCALL_HI_PORT:
			memcpy(&hi, data, 4);
			break;
		default:
			other_exits++;
			break;
		}
	}
	fflush(stdout);
	offered_signature(g.vm.sys_fd, offered);
	printf("%s: CPUID 0x40000000: EBX = %#x \"%.4s\" (from the table set here)\n",
	       dev_path(), sig, (char *)&sig);
	printf("%s: KVM_GET_SUPPORTED_CPUID 0x40000000: \"%s\"\n", dev_path(), offered);
	printf("%s: hypercall %d returned %lld\n", dev_path(), DEMO_HYPERCALL_NR,
	       (long long)(int64_t)(((uint64_t)hi << 32) | lo));
	printf("%s: last exit: %s\n", dev_path(), exit_reason_name(reason));
	printf("%s: exits seen by user space: IO %u (serial %u, reports %u), HLT %u, other %u;"
	       " CPUID and the hypercall stayed in the kernel\n", dev_path(), io_exits,
	       serial_bytes, io_exits - serial_bytes - other_exits,
	       reason == KVM_EXIT_HLT, other_exits);
	guest_stop(&g);
	exit(reason == KVM_EXIT_HLT && sig == DEMO_CPUID_SIGNATURE ? 0 : 1);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		setenv("L1VMM_DEV", argv[1], 1);
	setvbuf(stdout, NULL, _IONBF, 0);
	demo();
	return 0;
}
