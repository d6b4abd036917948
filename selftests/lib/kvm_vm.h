/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small KVM-ABI library for selftests: VMs, memory, vCPUs, KVM_RUN, with
 * every ioctl checked and named in the failure message. Works on any
 * KVM-style device (dev_path(): /dev/l1vmm, or /dev/kvm).
 */
#ifndef L1VMM_KVM_VM_H
#define L1VMM_KVM_VM_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l1vmm_util.h"

struct test_vm {
	int sys_fd;
	int fd;
};

struct test_vcpu {
	int fd;
	struct kvm_run *run;
	size_t run_size;
};

/* Set: vm_create() (and the guest_start_*() helpers) add KVM_CREATE_IRQCHIP. */
extern bool vm_create_irqchip;
/* Set: the same with KVM_CAP_SPLIT_IRQCHIP, 24 IOAPIC pins left to user space. */
extern bool vm_create_split_irqchip;
void vm_create(struct test_vm *vm);
void vm_close(struct test_vm *vm);

/* Anonymous memory for a slot; returns the host address of guest @gpa. */
void *vm_add_memory(struct test_vm *vm, uint32_t slot, uint64_t gpa,
		    uint64_t size, uint32_t flags);
/* KVM_SET_USER_MEMORY_REGION; returns 0 or -errno. */
int vm_set_region(struct test_vm *vm, uint32_t slot, uint64_t gpa,
		  uint64_t size, uint64_t uaddr, uint32_t flags);

void vcpu_create(struct test_vm *vm, unsigned long id, struct test_vcpu *vcpu);
void vcpu_close(struct test_vcpu *vcpu);

/* KVM_RUN, asserting it returned 0; returns run->exit_reason. */
#define vcpu_run(vcpu)	__vcpu_run(__FILE__, __LINE__, vcpu)
unsigned int __vcpu_run(const char *file, int line, struct test_vcpu *vcpu);

/* Real mode with CS = DS = ... = 0 and RIP = @rip. */
void vcpu_setup_real_mode(struct test_vcpu *vcpu, uint64_t rip);

/*
 * The common small guest: a VM with @mem_size bytes at GPA 0, @code copied
 * to @code_gpa, one vCPU (id 0) in real mode starting there.
 */
struct test_guest {
	struct test_vm vm;
	struct test_vcpu vcpu;
	unsigned char *mem;
	uint64_t mem_size;
};

void guest_start_real_mode(struct test_guest *g, uint64_t mem_size,
			   uint64_t code_gpa, const void *code, size_t len);
void guest_stop(struct test_guest *g);

/*
 * The same in 64-bit long mode: page tables at GPA 0x1000-0x3fff identity-map
 * the first 1 GiB with 2 MiB pages, a flat GDT at 0x4000, RSP at the top of
 * memory. @mem_size is at least 2 MiB and @code_gpa at least 0x10000.
 */
void guest_start_long_mode(struct test_guest *g, uint64_t mem_size,
			   uint64_t code_gpa, const void *code, size_t len);

/*
 * The same in 32-bit protected mode without paging: a flat GDT at 0x4000
 * (code 0x08, data 0x10), RSP at the top of memory.
 */
void guest_start_protected_mode(struct test_guest *g, uint64_t mem_size,
				uint64_t code_gpa, const void *code, size_t len);

/*
 * Guest code assembled with the test, in AT&T syntax:
 *   GUEST_CODE(hello, ".code64", "mov $1, %eax\n\t" "hlt");
 * defines hello[] and hello_end[] (use GUEST_CODE_SIZE(hello)). @mode is
 * ".code16", ".code32" or ".code64". Position-independent code only: it is
 * copied to wherever the test puts it.
 */
#define GUEST_CODE(name, mode, body)						\
	extern const unsigned char name[], name##_end[];			\
	asm(".pushsection .rodata\n" #name ":\n" mode "\n" body "\n"		\
	    #name "_end:\n.code64\n.popsection")
#define GUEST_CODE_SIZE(name)	((size_t)(name##_end - name))
/* A macro's value as a string, for GUEST_CODE bodies: "mov $" XSTR(N) ", %si". */
#define STR(x)			#x
#define XSTR(x)			STR(x)
/* A label "name:" inside a GUEST_CODE body, for its offset (name - code). */
#define GUEST_LABEL(name)	extern const unsigned char name[]

/* Assert the last exit was MMIO with these properties. */
#define ASSERT_MMIO_EXIT(vcpu, gpa, len, is_write)				\
	__assert_mmio_exit(__FILE__, __LINE__, vcpu, gpa, len, is_write)
void __assert_mmio_exit(const char *file, int line, struct test_vcpu *vcpu,
			uint64_t gpa, unsigned int len, bool is_write);

/* Assert the last exit was port I/O with these properties. */
#define ASSERT_IO_EXIT(vcpu, dir, port, size)					\
	__assert_io_exit(__FILE__, __LINE__, vcpu, dir, port, size)
void __assert_io_exit(const char *file, int line, struct test_vcpu *vcpu,
		      int dir, int port, int size);

/* KVM_RUN, assert a 4-byte OUT to @port, return the value written. */
#define vcpu_run_out32(vcpu, port)	__vcpu_run_out32(__FILE__, __LINE__, vcpu, port)
uint32_t __vcpu_run_out32(const char *file, int line, struct test_vcpu *vcpu, int port);

/* The PIO data of the last I/O exit. */
void *vcpu_io_data(struct test_vcpu *vcpu);

const char *exit_reason_name(unsigned int reason);

/* XCR0 bits (XSAVE components) and the CR4 bits that enable them. */
#define XF_X87		(1ull << 0)
#define XF_SSE		(1ull << 1)
#define XF_YMM		(1ull << 2)
#define XF_BNDREGS	(1ull << 3)
#define XF_FPSSE	(XF_X87 | XF_SSE)
#define CR4_OSFXSR	(1ull << 9)
#define CR4_OSXSAVE	(1ull << 18)

/* KVM_GET_SUPPORTED_CPUID, as it is, into the guest's vCPU. */
void guest_set_supported_cpuid(struct test_guest *g);

/* XCR0 of the process running the test (the L1 host's XCR0). */
uint64_t host_xcr0(void);

/* A CPUID table offering XSAVE, with @xcr0 as leaf 0xD.0 EDX:EAX. */
void vcpu_set_cpuid_xsave(struct test_vcpu *vcpu, uint64_t xcr0);

/* Set @bits in the vCPU's CR4 (KVM_GET_SREGS, KVM_SET_SREGS). */
void vcpu_set_cr4_bits(struct test_vcpu *vcpu, uint64_t bits);

/* KVM_SET_XCRS with one entry; returns 0 or -errno. */
int vcpu_set_xcr(struct test_vcpu *vcpu, uint32_t xcr, uint64_t value);

/*
 * A vCPU statistic by name, read through KVM_GET_STATS_FD; false when the
 * device has no statistic of that name.
 */
bool vcpu_stat(struct test_vcpu *vcpu, const char *name, uint64_t *value);
/* The same for the VM's statistics (KVM_GET_STATS_FD on the VM). */
bool vm_stat(struct test_vm *vm, const char *name, uint64_t *value);

#endif /* L1VMM_KVM_VM_H */
