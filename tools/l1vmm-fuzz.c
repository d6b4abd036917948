// SPDX-License-Identifier: GPL-2.0-only
/*
 * l1vmm-fuzz: random KVM-ABI ioctl sequences with edge-case arguments on
 * every kind of file (system, VM, vCPU, statistics), random accepted guest
 * state and random guest code, memory-slot churn while vCPUs run, against
 * a KVM-style device in the L1 guest (make fuzz, doc/fuzzing.md).
 *
 *   l1vmm-fuzz --device l1vmm|kvm --seed N --seconds S [--iteration-seed N]
 *              [--trace FILE] [--compare FILE] [--no-load] [--bochs]
 *              [--any-xcr0] [--verbose 1|2]
 *
 * One 64-bit seed drives everything. The run is a series of iterations,
 * each with a seed derived from the run's seed and its number, each in a
 * child process of its own: a crash or hang is one iteration's, and
 * --iteration-seed replays that one alone. Threads and signals make the
 * exact interleaving differ between replays. --trace writes each
 * iteration's ioctls and answers to FILE; --compare holds them against
 * this run's (KVM's against l1vmm's, as information).
 *
 * Unless --no-load, this program loads the device's module(s) itself and
 * unloads them at the end, reading the memory counters before the load,
 * after the run and after the unload: the module must unload (no file
 * reference leaked) and memory must come back within a tolerance. It
 * prints one KTAP subtest (the fuzzer's results) with the coverage as
 * diagnostic lines. Only a crash or hang of the fuzzer, a KVM_RUN that does
 * not return after its signals, a kernel splat, an unload that fails or
 * memory that does not come back fail it; odd answers are "findings",
 * printed and counted.
 *
 * Whatever the fuzzer does, it never gives an L2 guest a state that kills
 * the L0 emulator (QEMU 7.2), with l1vmm or with KVM as L1: EFER.LME without
 * CR0.PG, a task register that is not a present, available TSS, a
 * breakpoint enabled in DR7, a CR3 or CR4 QEMU's VMRUN refuses, a VMRUN of
 * the guest's own (l0_safe_sregs() and the guest-code generator say why;
 * doc/fuzzing.md has the whole list). --bochs also keeps clear of Bochs's.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kvm_vm.h"

#define PAGE		4096ul
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NSEC		1000000000ull
#define MSEC		1000000ull

/* How long a KVM_RUN may go on after its first signal before it is a hang. */
#define STUCK_NS	(10 * NSEC)
/* An iteration stops issuing operations after this; killed after ITER_KILL_S. */
#define ITER_SOFT_NS	(20 * NSEC)
#define ITER_KILL_S	60
/* Exit status of an iteration whose watchdog found a KVM_RUN stuck. */
#define EXIT_STUCK	3

/* Architectural bits the guest states need. */
#define CR0_PE		(1ull << 0)
#define CR0_MP		(1ull << 1)
#define CR0_EM		(1ull << 2)
#define CR0_TS		(1ull << 3)
#define CR0_ET		(1ull << 4)
#define CR0_NE		(1ull << 5)
#define CR0_WP		(1ull << 16)
#define CR0_AM		(1ull << 18)
#define CR0_NW		(1ull << 29)
#define CR0_CD		(1ull << 30)
#define CR0_PG		(1ull << 31)
#define CR4_PSE		(1ull << 4)
#define CR4_PAE		(1ull << 5)
#define EFER_SCE	(1ull << 0)
#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)
#define EFER_NXE	(1ull << 11)
#define EFER_SVME	(1ull << 12)
#define RFLAGS_TF	(1ull << 8)
#define RFLAGS_IF	(1ull << 9)
#define RFLAGS_VM	(1ull << 17)
#define MSR_EFER	0xc0000080u

/* --- the seed ---------------------------------------------------------------------- */

/* splitmix64: the mixing step, and a generator that steps by the golden ratio. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Each thread draws from its own state: the main thread's is the iteration's seed. */
static __thread uint64_t rng_state;

static uint64_t r64(void)
{
	rng_state += 0x9e3779b97f4a7c15ull;
	return mix64(rng_state);
}

static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(r64() % n) : 0;
}

static bool one_in(uint32_t n)
{
	return rnd(n) == 0;
}

static uint64_t pick64(const uint64_t *v, size_t n)
{
	return v[rnd(n)];
}

#define PICK(...)	({ static const uint64_t __v[] = { __VA_ARGS__ };	\
			   pick64(__v, ARRAY_SIZE(__v)); })

/* The seed of iteration @i of the run with @seed. */
static uint64_t iteration_seed(uint64_t seed, uint64_t i)
{
	return mix64(seed ^ mix64(i + 0x5eed));
}

/* A value that makes edge cases likely: powers of two around the ABI's limits. */
static uint64_t edge64(void)
{
	switch (rnd(8)) {
	case 0:
		return r64();
	case 1:
		return (uint64_t)rnd(4) << (rnd(64));
	case 2:
		return ((uint64_t)1 << rnd(64)) - rnd(2);
	case 3:
		return -(uint64_t)rnd(4096);
	default:
		return PICK(0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0xffff, 0x10000,
			    0x7fffffff, 0x80000000, 0xffffffff, 1ull << 32, (1ull << 32) - PAGE,
			    1ull << 40, (1ull << 40) - PAGE, 1ull << 48, (1ull << 48) - PAGE,
			    1ull << 52, (1ull << 52) - PAGE, 1ull << 63, ~0ull, ~0ull - PAGE + 1,
			    0x8000000000000000ull - PAGE);
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC + ts.tv_nsec;
}

/* --- what is fuzzed, and what doc/abi.md lets l1vmm answer ------------------------------ */

enum fd_kind { FD_SYS, FD_VM, FD_VCPU, FD_STATS, NR_FD_KINDS };
static const char *const fd_kind_names[NR_FD_KINDS] = { "system", "VM", "vCPU", "stats" };

#define K(k)		(1u << FD_##k)
#define E(e)		(1ull << (e))
#define ENOMEMS		(E(ENOMEM) | E(EMFILE) | E(ENFILE))

/*
 * Each ioctl: its name, number, the files l1vmm implements it on, whether
 * the argument is a pointer, the errors doc/abi.md documents for it. An ioctl on a file that does not
 * implement it gets KVM's answer for one it does not know there
 * (unimplemented_errnos()); EMULATED_CPUID, which KVM has and l1vmm not,
 * is -ENOTTY.
 */
enum ioc_id {
	I_KVM_GET_API_VERSION,
	I_KVM_CHECK_EXTENSION,
	I_KVM_CREATE_VM,
	I_KVM_GET_VCPU_MMAP_SIZE,
	I_KVM_GET_MSR_INDEX_LIST,
	I_KVM_GET_SUPPORTED_CPUID,
	I_KVM_GET_EMULATED_CPUID,
	I_KVM_GET_MSR_FEATURE_INDEX_LIST,
	I_KVM_SET_USER_MEMORY_REGION,
	I_KVM_CREATE_VCPU,
	I_KVM_SET_TSS_ADDR,
	I_KVM_SET_IDENTITY_MAP_ADDR,
	I_KVM_RUN,
	I_KVM_GET_REGS,
	I_KVM_SET_REGS,
	I_KVM_GET_SREGS,
	I_KVM_SET_SREGS,
	I_KVM_GET_MSRS,
	I_KVM_SET_MSRS,
	I_KVM_SET_CPUID2,
	I_KVM_GET_CPUID2,
	I_KVM_INTERRUPT,
	I_KVM_GET_VCPU_EVENTS,
	I_KVM_SET_VCPU_EVENTS,
	I_KVM_GET_MP_STATE,
	I_KVM_SET_MP_STATE,
	I_KVM_GET_XCRS,
	I_KVM_SET_XCRS,
	I_KVM_GET_XSAVE,
	I_KVM_GET_XSAVE2,
	I_KVM_SET_XSAVE,
	I_KVM_GET_FPU,
	I_KVM_SET_FPU,
	I_KVM_GET_STATS_FD,
	I_KVM_GET_DEBUGREGS,
	I_KVM_SET_DEBUGREGS,
	I_KVM_ENABLE_CAP,
	I_KVM_CREATE_IRQCHIP,
	I_KVM_SET_BOOT_CPU_ID,
	I_KVM_IRQ_LINE,
	I_KVM_IRQ_LINE_STATUS,
	I_KVM_GET_IRQCHIP,
	I_KVM_SET_IRQCHIP,
	I_KVM_SET_GSI_ROUTING,
	I_KVM_IRQFD,
	I_KVM_SIGNAL_MSI,
	I_KVM_CREATE_PIT2,
	I_KVM_GET_PIT2,
	I_KVM_SET_PIT2,
	I_KVM_REINJECT_CONTROL,
	I_KVM_GET_LAPIC,
	I_KVM_SET_LAPIC,
	I_KVM_SET_VAPIC_ADDR,
	I_KVM_GET_TSC_KHZ,
	I_KVM_SET_TSC_KHZ,
	I_UNKNOWN,
	NR_IOCS
};

struct ioc {
	const char *name;
	unsigned long nr;
	unsigned int kinds;
	bool ptr;
	uint64_t errnos;
};

static const struct ioc iocs[NR_IOCS] = {
	[I_KVM_GET_API_VERSION] = {
		"KVM_GET_API_VERSION", KVM_GET_API_VERSION, K(SYS), false,
		E(EINVAL)
	},
	[I_KVM_CHECK_EXTENSION] = {
		"KVM_CHECK_EXTENSION", KVM_CHECK_EXTENSION, K(SYS) | K(VM), false,
		0
	},
	[I_KVM_CREATE_VM] = {
		"KVM_CREATE_VM", KVM_CREATE_VM, K(SYS), false,
		E(EINVAL) | E(EBUSY) | ENOMEMS
	},
	[I_KVM_GET_VCPU_MMAP_SIZE] = {
		"KVM_GET_VCPU_MMAP_SIZE", KVM_GET_VCPU_MMAP_SIZE, K(SYS), false,
		E(EINVAL)
	},
	[I_KVM_GET_MSR_INDEX_LIST] = {
		"KVM_GET_MSR_INDEX_LIST", KVM_GET_MSR_INDEX_LIST, K(SYS), true,
		E(E2BIG)
	},
	[I_KVM_GET_SUPPORTED_CPUID] = {
		"KVM_GET_SUPPORTED_CPUID", KVM_GET_SUPPORTED_CPUID, K(SYS), true,
		E(E2BIG)
	},
	[I_KVM_GET_EMULATED_CPUID] = {
		"KVM_GET_EMULATED_CPUID", KVM_GET_EMULATED_CPUID, 0, true,
		0
	},
	[I_KVM_GET_MSR_FEATURE_INDEX_LIST] = {
		"KVM_GET_MSR_FEATURE_INDEX_LIST", KVM_GET_MSR_FEATURE_INDEX_LIST, K(SYS), true,
		E(E2BIG)
	},
	[I_KVM_SET_USER_MEMORY_REGION] = {
		"KVM_SET_USER_MEMORY_REGION", KVM_SET_USER_MEMORY_REGION, K(VM), true,
		E(EINVAL) | E(EEXIST) | E(EFAULT) | E(ENOMEM)
	},
	[I_KVM_CREATE_VCPU] = {
		"KVM_CREATE_VCPU", KVM_CREATE_VCPU, K(VM), false,
		E(EINVAL) | E(EEXIST) | ENOMEMS
	},
	[I_KVM_SET_TSS_ADDR] = { "KVM_SET_TSS_ADDR", KVM_SET_TSS_ADDR, K(VM), false, E(EINVAL) },
	[I_KVM_SET_IDENTITY_MAP_ADDR] = {
		"KVM_SET_IDENTITY_MAP_ADDR", KVM_SET_IDENTITY_MAP_ADDR, K(VM), true,
		E(EINVAL)
	},
	[I_KVM_RUN] = {
		"KVM_RUN", KVM_RUN, K(VCPU), false,
		E(EINTR) | E(EINVAL) | E(EFAULT) | E(EAGAIN)
	},
	[I_KVM_GET_REGS] = { "KVM_GET_REGS", KVM_GET_REGS, K(VCPU), true, 0 },
	[I_KVM_SET_REGS] = { "KVM_SET_REGS", KVM_SET_REGS, K(VCPU), true, 0 },
	[I_KVM_GET_SREGS] = { "KVM_GET_SREGS", KVM_GET_SREGS, K(VCPU), true, 0 },
	[I_KVM_SET_SREGS] = { "KVM_SET_SREGS", KVM_SET_SREGS, K(VCPU), true, E(EINVAL) },
	[I_KVM_GET_MSRS] = {
		"KVM_GET_MSRS", KVM_GET_MSRS, K(SYS) | K(VCPU), true, E(E2BIG) | E(ENOMEM)
	},
	[I_KVM_SET_MSRS] = { "KVM_SET_MSRS", KVM_SET_MSRS, K(VCPU), true, E(E2BIG) | E(ENOMEM) },
	[I_KVM_SET_CPUID2] = {
		"KVM_SET_CPUID2", KVM_SET_CPUID2, K(VCPU), true,
		E(E2BIG) | E(ENOMEM) | E(EINVAL) | E(EPERM)
	},
	[I_KVM_GET_CPUID2] = { "KVM_GET_CPUID2", KVM_GET_CPUID2, K(VCPU), true, E(E2BIG) },
	[I_KVM_INTERRUPT] = {
		"KVM_INTERRUPT", KVM_INTERRUPT, K(VCPU), true,
		E(EINVAL) | E(ENXIO) | E(EEXIST)
	},
	[I_KVM_GET_VCPU_EVENTS] = { "KVM_GET_VCPU_EVENTS", KVM_GET_VCPU_EVENTS, K(VCPU), true, 0 },
	[I_KVM_SET_VCPU_EVENTS] = {
		"KVM_SET_VCPU_EVENTS", KVM_SET_VCPU_EVENTS, K(VCPU), true,
		E(EINVAL)
	},
	[I_KVM_GET_MP_STATE] = { "KVM_GET_MP_STATE", KVM_GET_MP_STATE, K(VCPU), true, 0 },
	[I_KVM_SET_MP_STATE] = { "KVM_SET_MP_STATE", KVM_SET_MP_STATE, K(VCPU), true, E(EINVAL) },
	[I_KVM_GET_XCRS] = { "KVM_GET_XCRS", KVM_GET_XCRS, K(VCPU), true, 0 },
	[I_KVM_SET_XCRS] = { "KVM_SET_XCRS", KVM_SET_XCRS, K(VCPU), true, E(EINVAL) },
	[I_KVM_GET_XSAVE] = {
		"KVM_GET_XSAVE", KVM_GET_XSAVE, K(VCPU), true,
		E(EINVAL) | E(ENOMEM)
	},
	[I_KVM_GET_XSAVE2] = { "KVM_GET_XSAVE2", KVM_GET_XSAVE2, K(VCPU), true, E(ENOMEM) },
	[I_KVM_SET_XSAVE] = {
		"KVM_SET_XSAVE", KVM_SET_XSAVE, K(VCPU), true,
		E(EINVAL) | E(ENOMEM)
	},
	[I_KVM_GET_FPU] = { "KVM_GET_FPU", KVM_GET_FPU, K(VCPU), true, 0 },
	[I_KVM_SET_FPU] = { "KVM_SET_FPU", KVM_SET_FPU, K(VCPU), true, 0 },
	[I_KVM_GET_STATS_FD] = { "KVM_GET_STATS_FD", KVM_GET_STATS_FD, K(VCPU), false, ENOMEMS },
	[I_KVM_GET_DEBUGREGS] = { "KVM_GET_DEBUGREGS", KVM_GET_DEBUGREGS, K(VCPU), true, 0 },
	[I_KVM_SET_DEBUGREGS] = {
		"KVM_SET_DEBUGREGS", KVM_SET_DEBUGREGS, K(VCPU), true,
		E(EINVAL)
	},
	/* The in-kernel irqchip (doc/abi.md, VM and vCPU ioctls). */
	[I_KVM_ENABLE_CAP] = {
		"KVM_ENABLE_CAP", KVM_ENABLE_CAP, K(VM) | K(VCPU), true,
		E(EINVAL) | E(EEXIST) | E(ENOMEM)
	},
	[I_KVM_CREATE_IRQCHIP] = {
		"KVM_CREATE_IRQCHIP", KVM_CREATE_IRQCHIP, K(VM), false,
		E(EEXIST) | E(EINVAL) | E(ENOMEM)
	},
	[I_KVM_SET_BOOT_CPU_ID] = {
		"KVM_SET_BOOT_CPU_ID", KVM_SET_BOOT_CPU_ID, K(VM), false, E(EBUSY)
	},
	[I_KVM_IRQ_LINE] = { "KVM_IRQ_LINE", KVM_IRQ_LINE, K(VM), true, E(ENXIO) },
	[I_KVM_IRQ_LINE_STATUS] = {
		"KVM_IRQ_LINE_STATUS", KVM_IRQ_LINE_STATUS, K(VM), true, E(ENXIO)
	},
	[I_KVM_GET_IRQCHIP] = {
		"KVM_GET_IRQCHIP", KVM_GET_IRQCHIP, K(VM), true, E(EINVAL) | E(ENXIO)
	},
	[I_KVM_SET_IRQCHIP] = {
		"KVM_SET_IRQCHIP", KVM_SET_IRQCHIP, K(VM), true, E(EINVAL) | E(ENXIO)
	},
	[I_KVM_SET_GSI_ROUTING] = {
		"KVM_SET_GSI_ROUTING", KVM_SET_GSI_ROUTING, K(VM), true,
		E(EINVAL) | E(ENOMEM)
	},
	[I_KVM_IRQFD] = {
		"KVM_IRQFD", KVM_IRQFD, K(VM), true,
		E(EINVAL) | E(EBADF) | E(EBUSY) | E(ENOMEM)
	},
	/* -1 (EPERM) when no APIC took the message, as KVM's kvm_set_msi(). */
	[I_KVM_SIGNAL_MSI] = {
		"KVM_SIGNAL_MSI", KVM_SIGNAL_MSI, K(VM), true, E(EINVAL) | E(EPERM)
	},
	[I_KVM_CREATE_PIT2] = {
		"KVM_CREATE_PIT2", KVM_CREATE_PIT2, K(VM), true, E(EEXIST) | E(ENOMEM)
	},
	[I_KVM_GET_PIT2] = { "KVM_GET_PIT2", KVM_GET_PIT2, K(VM), true, E(ENXIO) },
	[I_KVM_SET_PIT2] = { "KVM_SET_PIT2", KVM_SET_PIT2, K(VM), true, E(ENXIO) },
	[I_KVM_REINJECT_CONTROL] = {
		"KVM_REINJECT_CONTROL", KVM_REINJECT_CONTROL, K(VM), true, E(ENXIO)
	},
	[I_KVM_GET_LAPIC] = { "KVM_GET_LAPIC", KVM_GET_LAPIC, K(VCPU), true, E(EINVAL) },
	[I_KVM_SET_LAPIC] = { "KVM_SET_LAPIC", KVM_SET_LAPIC, K(VCPU), true, E(EINVAL) },
	[I_KVM_SET_VAPIC_ADDR] = {
		"KVM_SET_VAPIC_ADDR", KVM_SET_VAPIC_ADDR, K(VCPU), true, E(EINVAL)
	},
	[I_KVM_GET_TSC_KHZ] = { "KVM_GET_TSC_KHZ", KVM_GET_TSC_KHZ, K(VM) | K(VCPU), false, 0 },
	[I_KVM_SET_TSC_KHZ] = {
		"KVM_SET_TSC_KHZ", KVM_SET_TSC_KHZ, K(VM) | K(VCPU), false, E(EINVAL)
	},
	[I_UNKNOWN] = { "unknown", 0, 0, false, 0 },
};

/*
 * Numbers in KVM's ioctl space (0xAE) that no ioctl in <linux/kvm.h> uses,
 * on any architecture: random "unknown" ioctls come from here or from
 * other types, never hitting a real ioctl of KVM with a random argument.
 */
static const uint8_t free_kvm_nr[][2] = {
	{ 0x0b, 0x3f }, { 0x49, 0x4f }, { 0x53, 0x5f }, { 0x6b, 0x6f }, { 0x7d, 0x7f },
	{ 0xd2, 0xdf }, { 0xe4, 0xff },
};

/*
 * ioctl types of the VFS's own file ioctls (FIONBIO, FIOCLEX, FIFREEZE,
 * FS_IOC_*, FICLONE, FIGETBSZ), which never reach the device, and KVM's.
 */
static bool type_reserved(unsigned int type)
{
	return type == 0 || type == 'T' || type == 'X' || type == 'f' || type == 0x94 ||
	       type == KVMIO;
}

static unsigned long unknown_ioctl_nr(void)
{
	unsigned int dir = rnd(4), size = rnd(4) ? rnd(0x200) : rnd(1u << 14), type, nr;
	const uint8_t *range;

	if (rnd(3)) {
		range = free_kvm_nr[rnd(ARRAY_SIZE(free_kvm_nr))];
		type = KVMIO;
		nr = range[0] + rnd(range[1] - range[0] + 1);
	} else {
		do
			type = rnd(256);
		while (type_reserved(type));
		nr = rnd(256);
	}
	return _IOC(dir, type, nr, size);
}

/* Exit reasons by name, for the coverage (KVM's list, <linux/kvm.h>). */
static const char *const exit_names[] = {
	"UNKNOWN", "EXCEPTION", "IO", "HYPERCALL", "DEBUG", "HLT", "MMIO",
	"IRQ_WINDOW_OPEN", "SHUTDOWN", "FAIL_ENTRY", "INTR", "SET_TPR", "TPR_ACCESS",
	"S390_SIEIC", "S390_RESET", "DCR", "NMI", "INTERNAL_ERROR", "OSI", "PAPR_HCALL",
	"S390_UCONTROL", "WATCHDOG", "S390_TSCH", "EPR", "SYSTEM_EVENT", "S390_STSI",
	"IOAPIC_EOI", "HYPERV", "ARM_NISV", "X86_RDMSR", "X86_WRMSR", "DIRTY_RING_FULL",
	"AP_RESET_HOLD", "X86_BUS_LOCK", "XEN", "RISCV_SBI", "RISCV_CSR", "NOTIFY",
};
#define NR_EXITS	64	/* the last counter holds every reason beyond the list */

/* The exits doc/abi.md lists for l1vmm. */
static const uint64_t l1vmm_exits = E(KVM_EXIT_IO) | E(KVM_EXIT_MMIO) | E(KVM_EXIT_HLT) |
	E(KVM_EXIT_IRQ_WINDOW_OPEN) | E(KVM_EXIT_SHUTDOWN) | E(KVM_EXIT_FAIL_ENTRY) |
	E(KVM_EXIT_INTERNAL_ERROR) | E(KVM_EXIT_IOAPIC_EOI);

/* Operations other than single ioctls, counted by name. */
enum op_id {
	OP_open_dev,
	OP_close_sys,
	OP_close_vm,
	OP_close_vcpu,
	OP_close_stats,
	OP_mmap,
	OP_mmap_fail,
	OP_munmap,
	OP_touch_ok,
	OP_touch_sigbus,
	OP_stats_read,
	OP_stats_read_err,
	OP_fork,
	OP_fork_parent_closed,
	OP_two_thread_run,
	OP_churn_while_running,
	OP_parallel_vcpus,
	OP_fd_limit,
	OP_guest_random_bytes,
	OP_guest_insns,
	OP_guest_real,
	OP_guest_prot16,
	OP_guest_prot32,
	OP_guest_paged32,
	OP_guest_compat,
	OP_guest_long,
	OP_run_unmapped,
	OP_run_immediate_exit,
	OP_run_signalled,
	OP_run_refused_unsafe,
	OP_slot_uaddr_run_page,
	OP_exit_by_close,
	OP_exit_by_exit,
	OP_eventfd_open,
	OP_eventfd_close,
	OP_eventfd_signal,
	OP_eventfd_read,
	OP_guest_irq_devices,
	OP_vm_irqchip,
	OP_vm_split_irqchip,
	OP_vm_pit,
	OP_irq_while_running,
	NR_OPS
};

static const char *const op_names[NR_OPS] = {
	[OP_open_dev] = "open_dev",
	[OP_close_sys] = "close_sys",
	[OP_close_vm] = "close_vm",
	[OP_close_vcpu] = "close_vcpu",
	[OP_close_stats] = "close_stats",
	[OP_mmap] = "mmap",
	[OP_mmap_fail] = "mmap_fail",
	[OP_munmap] = "munmap",
	[OP_touch_ok] = "touch_ok",
	[OP_touch_sigbus] = "touch_sigbus",
	[OP_stats_read] = "stats_read",
	[OP_stats_read_err] = "stats_read_err",
	[OP_fork] = "fork",
	[OP_fork_parent_closed] = "fork_parent_closed",
	[OP_two_thread_run] = "two_thread_run",
	[OP_churn_while_running] = "churn_while_running",
	[OP_parallel_vcpus] = "parallel_vcpus",
	[OP_fd_limit] = "fd_limit",
	[OP_guest_random_bytes] = "guest_random_bytes",
	[OP_guest_insns] = "guest_insns",
	[OP_guest_real] = "guest_real",
	[OP_guest_prot16] = "guest_prot16",
	[OP_guest_prot32] = "guest_prot32",
	[OP_guest_paged32] = "guest_paged32",
	[OP_guest_compat] = "guest_compat",
	[OP_guest_long] = "guest_long",
	[OP_run_unmapped] = "run_unmapped",
	[OP_run_immediate_exit] = "run_immediate_exit",
	[OP_run_signalled] = "run_signalled",
	[OP_run_refused_unsafe] = "run_refused_unsafe",
	[OP_slot_uaddr_run_page] = "slot_uaddr_run_page",
	[OP_exit_by_close] = "exit_by_close",
	[OP_exit_by_exit] = "exit_by_exit",
	[OP_eventfd_open] = "eventfd_open",
	[OP_eventfd_close] = "eventfd_close",
	[OP_eventfd_signal] = "eventfd_signal",
	[OP_eventfd_read] = "eventfd_read",
	[OP_guest_irq_devices] = "guest_irq_devices",
	[OP_vm_irqchip] = "vm_irqchip",
	[OP_vm_split_irqchip] = "vm_split_irqchip",
	[OP_vm_pit] = "vm_pit",
	[OP_irq_while_running] = "irq_while_running",
};

#define NR_ERRNO	134

/*
 * Counters shared by the supervisor and every iteration (MAP_SHARED), so
 * that what a crashed iteration did is counted too.
 */
struct stats {
	uint64_t calls[NR_IOCS][NR_FD_KINDS];
	uint64_t ok[NR_IOCS];
	uint64_t err[NR_IOCS][NR_ERRNO];
	uint64_t exits[NR_EXITS];
	uint64_t ops[NR_OPS];
	uint64_t runs;
	uint64_t findings;
	uint8_t finding_seen[NR_IOCS][NR_ERRNO];
	uint8_t exit_finding_seen[NR_EXITS];
	uint8_t unsafe_seen;
	/* The iteration now running, for messages. */
	uint64_t iter, iter_seed;
	/* A forked child's unexpected answer, reported by its parent. */
	int child_ioc, child_err;
};

static struct stats *st;

#define COUNT(p)	__atomic_fetch_add(&(p), 1, __ATOMIC_RELAXED)

/*
 * The main thread's ioctls of the current iteration, in order, for the
 * comparison of l1vmm's answers with KVM's: the ioctl and its answer
 * (0 for success, else the errno).
 */
#define TRACE_MAX_ITERS		4096
#define TRACE_MAX_OPS		1024

struct trace_iter {
	uint64_t seed;
	uint32_t n;
	uint16_t ops[TRACE_MAX_OPS];	/* ioctl << 8 | errno (errno < 256) */
};

static struct trace_iter *trace;	/* shared: [TRACE_MAX_ITERS] */
static struct trace_iter *trace_cur;	/* this iteration's, or NULL */
static __thread bool is_main_thread;

/* --- run-wide settings ---------------------------------------------------------------- */

static struct {
	const char *dev;	/* /dev/l1vmm or /dev/kvm */
	const char *label;	/* "fuzz" or "fuzz@kvm" */
	bool kvm;
	bool bochs;		/* no IF = 0, no single step, no random code (doc/fuzzing.md) */
	int verbose;		/* 1: every operation; 2: every ioctl, the state before KVM_RUN */
	bool any_xcr0;		/* guest XSETBV may load any XCR0 */
	uint64_t host_xcr0;
	uint64_t cr3_ok;	/* CR3 bits below the L1 CPU's MAXPHYADDR */
	uint64_t cr4_ok;	/* CR4 bits the L1 CPU implements */
} cfg;

static bool is_l1vmm(void)
{
	return !cfg.kvm;
}

/* "EMFILE" and every other errno by its name (the harness knows the common ones). */
static const char *errname(int err)
{
	const char *name = err ? strerrorname_np(err) : NULL;

	return name ? name : ktap_errno_name(err);
}

/*
 * Append to @buf, of @size bytes, at *@len. A line that does not fit ends
 * in what fit: *@len never passes the end (snprintf() returns what it
 * would have written, so "len += snprintf(buf + len, size - len, ...)"
 * would write past it on the next call).
 */
static void append(char *buf, size_t size, int *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t size, int *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if ((size_t)*len >= size - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len = (size_t)(*len + n) < size ? *len + n : (int)size - 1;
}

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void report(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	COUNT(st->findings);
	printf("    # finding: %s (iteration %lu, seed %#lx)\n", buf,
	       st->iter, st->iter_seed);
	fflush(stdout);
}

/* --- one iteration's files and memory ------------------------------------------------ */

#define MAX_SYS		3
#define MAX_VMS		3
#define MAX_VCPUS	6
#define MAX_MAPS	8
#define MAX_STATS	3
#define NR_SLOTS	32
#define MAX_THREADS	12
#define MAX_EFDS	6
#define IRQCHIP_FULL	1
#define IRQCHIP_SPLIT	2

#define MEM0_SIZE	(2ul << 20)	/* slot 0 at GPA 0: tables, code, data */
#define MEM1_SIZE	(8ul << 20)	/* the other slots' memory */
#define NONE_SIZE	(64ul << 20)	/* reserved, inaccessible: slots whose pages cannot be had */
#define ARG_SIZE	(32ul << 10)	/* ioctl arguments, then a guard page */

struct slot {
	bool set;
	uint64_t gpa, size, uaddr;
	uint32_t flags;
};

struct vcpu {
	int fd;
	uint32_t id;
	struct kvm_run *run;	/* the shared mapping from offset 0, or NULL */
	size_t run_len;
};

struct vm {
	int fd;
	struct vcpu vcpus[MAX_VCPUS];
	struct slot slots[NR_SLOTS];
	int irqchip;		/* what the VM answered 0 for: IRQCHIP_FULL, _SPLIT, or 0 */
	bool pit;
};

struct map {
	void *addr;
	size_t len;
};

static struct {
	int sys[MAX_SYS];
	struct vm vms[MAX_VMS];
	struct map maps[MAX_MAPS];
	int stats[MAX_STATS];
	long mmap_size;
	uint32_t msrs[256];
	unsigned int nmsrs;
	struct {
		struct kvm_cpuid2 h;
		struct kvm_cpuid_entry2 e[256];
	} cpuid;
	unsigned char *mem0, *mem1, *none, *arg;
	unsigned char *routes;	/* KVM_SET_GSI_ROUTING's table, ROUTES_LEN, then a guard page */
	int efd[MAX_EFDS];	/* eventfds for KVM_IRQFD */
	uint64_t soft_deadline;
	bool child;	/* a forked child of the iteration: VM and vCPU ioctls are -EIO */
} it;

/* Each thread's ioctl argument buffer (ARG_SIZE bytes, then a guard page). */
static __thread unsigned char *targ;

static void *map_arg_buffer(void)
{
	unsigned char *p = mmap(NULL, ARG_SIZE + PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	mprotect(p + ARG_SIZE, PAGE, PROT_NONE);
	return p;
}

/* --- ioctls, counted and checked ----------------------------------------------------- */

#define F_BADPTR	1u	/* the argument points nowhere valid: must fail, -EFAULT */
#define F_PARTPTR	2u	/* it runs into the guard page: -EFAULT allowed */
#define F_NOREC		4u	/* not part of the replayable sequence (helper threads) */
#define F_DIRECT	8u	/* the caller's own pointer, not place()'s */

/*
 * Put @size bytes of @src (an ioctl's argument) where the ioctl will read
 * them: the thread's argument buffer, now and then misaligned, and one
 * time in sixteen a pointer that faults, wholly or partly (the structure
 * runs into the guard page). Returns the pointer to pass.
 */
static void *place(const void *src, size_t size, unsigned int *flags)
{
	unsigned char *p;
	size_t k;

	if (!one_in(16)) {
		p = targ + (one_in(8) ? rnd(8) : 0);
		if (size > ARG_SIZE - 8)
			size = ARG_SIZE - 8;
		memmove(p, src, size);
		return p;
	}
	switch (rnd(6)) {
	case 0:
		*flags |= F_BADPTR;
		return NULL;
	case 1:
		*flags |= F_BADPTR;
		return (void *)0xffffffff81000000ul;	/* the kernel's text */
	case 2:
		*flags |= F_BADPTR;
		return (void *)(1ul << 47);		/* past user space */
	case 3:
		*flags |= F_BADPTR;
		return it.none + PAGE * rnd(16);
	case 4:
		*flags |= F_BADPTR;
		return (void *)(uintptr_t)(1 + rnd(PAGE - 1));
	default:
		k = size ? rnd(size < ARG_SIZE ? size : ARG_SIZE) : 0;
		p = targ + ARG_SIZE - k;
		memmove(p, src, k);
		*flags |= k ? F_PARTPTR : F_BADPTR;
		return p;
	}
}

/* The answer a good pointer got back: @p unless place() made it fault. */
static void *good(void *p, unsigned int flags)
{
	return flags & (F_BADPTR | F_PARTPTR) ? NULL : p;
}

/*
 * The errno set for an ioctl a file does not implement: KVM 6.1's answer on
 * x86 for one it does not know, EINVAL from the system and vCPU files
 * (kvm_arch_dev_ioctl(), kvm_arch_vcpu_ioctl()), ENOTTY from the VM file
 * (kvm_arch_vm_ioctl()) and the statistics file (no ioctls). KVM's own
 * system ioctl that l1vmm lacks is ENOTTY (doc/abi.md).
 */
static uint64_t unimplemented_errnos(enum fd_kind kind, enum ioc_id id)
{
	if (kind == FD_SYS && id == I_KVM_GET_EMULATED_CPUID)
		return E(ENOTTY);
	return kind == FD_SYS || kind == FD_VCPU ? E(EINVAL) : E(ENOTTY);
}

static void check_errno(int fd, enum fd_kind kind, enum ioc_id id, int err, unsigned int flags)
{
	const struct ioc *c = &iocs[id];
	bool implemented = c->kinds & (1u << kind);
	uint64_t allowed;

	/*
	 * The VFS's ioctl() returns an int: KVM_GET_TSC_KHZ of a rate set at
	 * 2^31 or more (doc/abi.md: recorded even when refused, as KVM) comes
	 * back negative, and one near 2^32 as any errno, from KVM too.
	 */
	if (id == I_KVM_GET_TSC_KHZ && fd >= 0 && implemented)
		return;
	if (!err) {
		if ((flags & F_BADPTR) && c->ptr && implemented)
			report("%s on a %s file succeeded with a pointer that faults", c->name,
				fd_kind_names[kind]);
		return;
	}
	if (fd < 0)
		allowed = E(EBADF);
	else if (!implemented)
		allowed = unimplemented_errnos(kind, id);
	else
		allowed = c->errnos | (flags & (F_BADPTR | F_PARTPTR) ? E(EFAULT) : 0);
	if (err < 64 && (allowed & E(err)))
		return;
	if (__atomic_exchange_n(&st->finding_seen[id][err < NR_ERRNO ? err : 0], 1,
				__ATOMIC_RELAXED)) {
		COUNT(st->findings);
		return;
	}
	report("%s on a %s file answered %s, not in doc/abi.md's set for it", c->name,
		fd_kind_names[kind], errname(err));
}

/*
 * An ioctl, counted by name and answer; l1vmm's answers held against
 * doc/abi.md. Returns the result or -errno.
 */
static void dump_state(int fd);

/*
 * The last ioctls of the iteration, whatever thread made them: printed
 * when the watchdog finds a KVM_RUN that does not return, which is also
 * when the kernel may not live long enough for anything else.
 */
#define RING_SIZE	64

struct ring_entry {
	int tid, fd;
	uint16_t id;
	int16_t result;		/* 0, -errno, or 1 while the ioctl runs */
	unsigned long nr, arg;
};

static struct ring_entry ring[RING_SIZE];
static unsigned int ring_next;

static struct ring_entry *ring_add(int fd, enum ioc_id id, unsigned long nr, unsigned long arg)
{
	struct ring_entry *e = &ring[__atomic_fetch_add(&ring_next, 1, __ATOMIC_RELAXED) %
				     RING_SIZE];

	*e = (struct ring_entry) {
		.tid = syscall(SYS_gettid), .fd = fd, .id = id, .result = 1, .nr = nr,
		.arg = arg,
	};
	return e;
}

static void ring_print(void)
{
	unsigned int i, end = __atomic_load_n(&ring_next, __ATOMIC_RELAXED);

	printf("    # the last %d ioctls, oldest first:\n", RING_SIZE);
	for (i = end > RING_SIZE ? end - RING_SIZE : 0; i < end; i++) {
		const struct ring_entry *e = &ring[i % RING_SIZE];

		printf("    #   thread %d: %s (%#lx) on fd %d, arg %#lx: %s\n", e->tid,
		       iocs[e->id].name, e->nr, e->fd, e->arg,
		       e->result == 1 ? "running" : e->result ? errname(-e->result) : "ok");
	}
}

static long fz_ioctl(int fd, enum fd_kind kind, enum ioc_id id, unsigned long nr,
		     unsigned long arg, unsigned int flags)
{
	struct ring_entry *entry;
	long r;
	int err;

	if (cfg.verbose > 1) {
		if (id == I_KVM_RUN)
			dump_state(fd);
		printf("    # > %s %#lx on fd %d, arg %#lx\n", iocs[id].name, nr, fd, arg);
		fflush(stdout);
	}
	entry = ring_add(fd, id, nr, arg);
	r = ioctl(fd, nr, arg);
	err = r < 0 ? errno : 0;
	entry->result = -err;
	if (cfg.verbose > 1)
		printf("    # < %ld %s\n", r, err ? errname(err) : "");

	COUNT(st->calls[id][kind]);
	if (!err)
		COUNT(st->ok[id]);
	else
		COUNT(st->err[id][err < NR_ERRNO ? err : 0]);
	/* A run's end depends on timing: success and -EINTR count the same. */
	if (trace_cur && is_main_thread && !(flags & F_NOREC) && trace_cur->n < TRACE_MAX_OPS)
		trace_cur->ops[trace_cur->n++] = id << 8 |
			(id == I_KVM_RUN && err == EINTR ? 0 : err & 0xff);

	if (it.child) {
		/* As KVM: a VM or vCPU is used from the process that made it. */
		if ((kind == FD_VM || kind == FD_VCPU) && fd >= 0 && err != EIO &&
		    err != EBADF && !st->child_ioc) {
			st->child_err = err;
			st->child_ioc = id + 1;
		}
		return r < 0 ? -err : r;
	}
	if (is_l1vmm())
		check_errno(fd, kind, id, err, flags);
	return r < 0 ? -err : r;
}

#define IOCTL(fd, kind, name, arg, flags)	\
	fz_ioctl(fd, kind, I_##name, name, (unsigned long)(arg), flags)

/*
 * An ioctl whose argument place() puts somewhere: place() sets the flags
 * first (an argument of the same call would not be sequenced after it).
 */
#define IOCTL_PLACED(fd, kind, name, src, size)	({				\
	unsigned int __fl = 0;							\
	void *__p = place(src, size, &__fl);					\
										\
	fz_ioctl(fd, kind, I_##name, name, (unsigned long)__p, __fl);		\
})

/* --- the KVM_RUN watchdog ----------------------------------------------------------- */

/*
 * Every KVM_RUN has a bound (a few milliseconds, now and then 100). The
 * watchdog thread signals a thread whose KVM_RUN ran past it, again every
 * 2 ms: the signal handler sets immediate_exit, so a signal that comes just
 * before the ioctl still ends it. A KVM_RUN still running STUCK_NS after
 * the first signal is a hang: the iteration says so and ends.
 */
struct wd_slot {
	int tid;
	int in_run;
	uint64_t start, bound, first_sig, last_sig;
};

static struct wd_slot wd[MAX_THREADS];
static __thread int wd_me = -1;
static __thread struct kvm_run *kick_run;	/* atomics: a signal handler reads it */
/*
 * Runner threads at work, and the KVM_RUNs they finished: they share a
 * vCPU's kvm_run with the main thread, so an exit reason read after
 * KVM_RUN may be another thread's (an INTR written by its signalled
 * KVM_RUN, seen after this one returned 0).
 */
static int runners_running;
static unsigned long runner_runs;	/* KVM_RUNs the runner threads finished */

static void on_kick(int sig)
{
	struct kvm_run *run = __atomic_load_n(&kick_run, __ATOMIC_RELAXED);

	(void)sig;
	if (run)
		run->immediate_exit = 1;
}

static void wd_register(void)
{
	int tid = syscall(SYS_gettid), i, zero;

	for (i = 0; i < MAX_THREADS; i++) {
		zero = 0;
		if (__atomic_compare_exchange_n(&wd[i].tid, &zero, tid, false, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED)) {
			wd_me = i;
			return;
		}
	}
}

static void wd_unregister(void)
{
	if (wd_me < 0)
		return;
	__atomic_store_n(&wd[wd_me].in_run, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&wd[wd_me].tid, 0, __ATOMIC_RELEASE);
	wd_me = -1;
}

static void run_begin(uint64_t bound)
{
	struct wd_slot *s;

	if (wd_me < 0)
		return;
	s = &wd[wd_me];
	__atomic_store_n(&s->first_sig, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->bound, bound, __ATOMIC_RELAXED);
	__atomic_store_n(&s->start, now_ns(), __ATOMIC_RELAXED);
	__atomic_store_n(&s->in_run, 1, __ATOMIC_RELEASE);
}

static void run_end(void)
{
	if (wd_me >= 0)
		__atomic_store_n(&wd[wd_me].in_run, 0, __ATOMIC_RELEASE);
}

static void *watchdog(void *unused)
{
	struct timespec ms = { 0, MSEC };
	pid_t pid = getpid();
	int i;

	(void)unused;
	for (;;) {
		uint64_t t = now_ns();

		for (i = 0; i < MAX_THREADS; i++) {
			struct wd_slot *s = &wd[i];
			uint64_t first;
			int tid;

			tid = __atomic_load_n(&s->tid, __ATOMIC_ACQUIRE);
			if (!tid || !__atomic_load_n(&s->in_run, __ATOMIC_ACQUIRE))
				continue;
			if (t - __atomic_load_n(&s->start, __ATOMIC_RELAXED) <
			    __atomic_load_n(&s->bound, __ATOMIC_RELAXED))
				continue;
			first = __atomic_load_n(&s->first_sig, __ATOMIC_RELAXED);
			if (!first) {
				first = t;
				__atomic_store_n(&s->first_sig, t, __ATOMIC_RELAXED);
			}
			if (t - __atomic_load_n(&s->last_sig, __ATOMIC_RELAXED) >= 2 * MSEC) {
				__atomic_store_n(&s->last_sig, t, __ATOMIC_RELAXED);
				syscall(SYS_tgkill, pid, tid, SIGUSR1);
			}
			if (t - first > STUCK_NS) {
				printf(
				       "    # KVM_RUN in thread %d has not returned %llu s after its first signal (iteration %lu, seed %#lx)\n",
				       tid, STUCK_NS / NSEC, st->iter, st->iter_seed);
				ring_print();
				fflush(stdout);
				_exit(EXIT_STUCK);
			}
		}
		nanosleep(&ms, NULL);
	}
	return NULL;
}

/* --- what keeps L0 alive (doc/fuzzing.md) --------------------------------------------- */

/*
 * DR7 without L0-L3/G0-G3: QEMU 7.2 keeps a list of the breakpoints DR7
 * enables, which its nested VMRUN and #VMEXIT bypass when they load DR7;
 * the next MOV to DR7 removes a breakpoint by a stale reference, and QEMU
 * crashes (cpu_breakpoint_remove_by_ref(), from cpu_x86_update_dr7()).
 */
static uint64_t l0_safe_dr7(uint64_t dr7)
{
	return dr7 & ~0xffull;
}

/*
 * Random bytes the guest may execute never hold 0F 22 or 0F 23 (MOV to a
 * control or debug register) or 0F 01 D8 (VMRUN) at any offset: a random
 * MOV to CR0 in compatibility mode could leave long mode with EFER.LME
 * still set, a random MOV to DR7 could enable a breakpoint (l0_safe_sregs(),
 * l0_safe_dr7()), and QEMU runs an L2 guest's VMRUN as a nested VMRUN of
 * its own, with RAX a physical address of L1's (doc/testing.md).
 */
static void defuse(unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		if (p[i] != 0x0f)
			continue;
		if (p[i + 1] == 0x22 || p[i + 1] == 0x23)
			p[i + 1] = 0x90;
		if (i + 2 < n && p[i + 1] == 0x01 && p[i + 2] == 0xd8)
			p[i + 2] = 0xd9;
	}
}

/* --- KVM_RUN and its exits ---------------------------------------------------------- */

static void dump_seg(const char *name, const struct kvm_segment *s)
{
	printf(
	       "    #   %s sel %#x base %#llx limit %#x type %u s %u dpl %u p %u db %u l %u g %u unusable %u\n",
	       name, s->selector, (unsigned long long)s->base, s->limit, s->type, s->s, s->dpl,
	       s->present, s->db, s->l, s->g, s->unusable);
}

/* --verbose: the state KVM_RUN is about to enter, for a run that kills L0. */
static void dump_state(int fd)
{
	struct kvm_sregs s;
	struct kvm_regs r;
	struct kvm_vcpu_events e;

	if (ioctl(fd, KVM_GET_SREGS, &s) || ioctl(fd, KVM_GET_REGS, &r) ||
	    ioctl(fd, KVM_GET_VCPU_EVENTS, &e))
		return;
	printf("    #   rip %#llx rsp %#llx rflags %#llx rax %#llx rcx %#llx\n",
	       (unsigned long long)r.rip, (unsigned long long)r.rsp,
	       (unsigned long long)r.rflags, (unsigned long long)r.rax, (unsigned long long)r.rcx);
	printf("    #   cr0 %#llx cr2 %#llx cr3 %#llx cr4 %#llx cr8 %#llx efer %#llx apic %#llx\n",
	       (unsigned long long)s.cr0, (unsigned long long)s.cr2, (unsigned long long)s.cr3,
	       (unsigned long long)s.cr4, (unsigned long long)s.cr8, (unsigned long long)s.efer,
	       (unsigned long long)s.apic_base);
	dump_seg("cs", &s.cs);
	dump_seg("ss", &s.ss);
	dump_seg("ds", &s.ds);
	dump_seg("tr", &s.tr);
	printf(
	       "    #   gdt %#llx/%#x idt %#llx/%#x exc %u/%u nr %u irq %u/%u nmi %u shadow %u flags %#x\n",
	       (unsigned long long)s.gdt.base, s.gdt.limit, (unsigned long long)s.idt.base,
	       s.idt.limit, e.exception.injected, e.exception.pending, e.exception.nr,
	       e.interrupt.injected, e.interrupt.nr, e.nmi.injected, e.interrupt.shadow, e.flags);
	fflush(stdout);
}

static void exit_finding(unsigned int reason, const char *what, uint64_t a, uint64_t b)
{
	unsigned int i = reason < NR_EXITS ? reason : NR_EXITS - 1;

	if (__atomic_exchange_n(&st->exit_finding_seen[i], 1, __ATOMIC_RELAXED)) {
		COUNT(st->findings);
		return;
	}
	report("exit %s: %s (%#lx, %#lx)",
		reason < ARRAY_SIZE(exit_names) ? exit_names[reason] : "(unknown)", what, a, b);
}

/* The fields of an exit that doc/abi.md says l1vmm fills in, checked. */
static struct vm *vm_of(const struct vcpu *v);

static void check_exit(const struct vcpu *v, const struct kvm_run *run, bool window, bool alone)
{
	unsigned int reason = run->exit_reason;

	if (reason >= 64 || !(l1vmm_exits & E(reason))) {
		exit_finding(reason, "not an exit doc/abi.md lists", reason, 0);
		return;
	}
	/* With the PIC in the kernel it is always 1 (KVM's post_kvm_run_save()). */
	if (run->ready_for_interrupt_injection && !run->if_flag &&
	    vm_of(v)->irqchip != IRQCHIP_FULL)
		exit_finding(reason, "ready_for_interrupt_injection with IF clear", 1, 0);
	switch (reason) {
	case KVM_EXIT_IO:
		if ((run->io.size != 1 && run->io.size != 2 && run->io.size != 4) ||
		    run->io.direction > 1 || !run->io.count ||
		    run->io.size * run->io.count > PAGE || run->io.data_offset != PAGE)
			exit_finding(reason, "size, direction, count or data_offset out of range",
				     run->io.size | run->io.direction << 8 |
				     (uint64_t)run->io.count << 16, run->io.data_offset);
		break;
	case KVM_EXIT_MMIO:
		if ((run->mmio.len != 1 && run->mmio.len != 2 && run->mmio.len != 4 &&
		     run->mmio.len != 8) || run->mmio.is_write > 1)
			exit_finding(reason, "length or direction out of range", run->mmio.len,
				     run->mmio.is_write);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		if ((run->internal.suberror != KVM_INTERNAL_ERROR_EMULATION &&
		     run->internal.suberror != KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON) ||
		    run->internal.ndata > ARRAY_SIZE(run->internal.data))
			exit_finding(reason, "suberror or ndata out of range",
				     run->internal.suberror, run->internal.ndata);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		if (run->fail_entry.hardware_entry_failure_reason != 0xffffffff)
			exit_finding(reason, "reason is not SVM's VMEXIT_INVALID",
				     run->fail_entry.hardware_entry_failure_reason, 0);
		break;
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		if (alone && !window)
			exit_finding(reason, "without request_interrupt_window", 0, 0);
		break;
	}
}

/* Answer an exit as user space would: data for reads, random. */
static void complete_exit(const struct vcpu *v, struct kvm_run *run)
{
	unsigned char *data;
	size_t len, i;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		len = (size_t)run->io.size * run->io.count;
		if (run->io.data_offset < PAGE || run->io.data_offset + len > v->run_len)
			break;
		data = (unsigned char *)run + run->io.data_offset;
		if (run->io.direction == KVM_EXIT_IO_IN) {
			for (i = 0; i < len; i++)
				data[i] = r64();
			/* Guest code may run what it reads: defused. */
			defuse(data, len);
		}
		break;
	case KVM_EXIT_MMIO:
		if (!run->mmio.is_write) {
			uint64_t d = edge64();

			memcpy(run->mmio.data, &d, sizeof(d));
			defuse(run->mmio.data, sizeof(d));
		}
		break;
	}
}

/*
 * The state KVM_RUN would enter, held against the L0 rules of
 * l0_safe_sregs() (the ioctl is not counted: the fuzzer's own check). Every
 * state the ioctls set went through l0_safe_sregs(), so a failure here is
 * the fuzzer's bug or the guest's own doing: say which ioctls led there,
 * and do not enter.
 */
static bool l0_safe_state(int fd, struct kvm_sregs *before)
{
	struct kvm_sregs s;

	memset(before, 0, sizeof(*before));
	if (fd < 0 || ioctl(fd, KVM_GET_SREGS, &s))
		return true;
	*before = s;
	/*
	 * Not TR: it cannot be told from here, KVM reports it busy (type 11)
	 * whatever the VMCB holds.
	 */
	if ((!(s.efer & EFER_LME) || (s.cr0 & CR0_PG)) && !(s.cr3 & ~cfg.cr3_ok) &&
	    !(s.cr4 & ~cfg.cr4_ok))
		return true;
	if (!__atomic_exchange_n(&st->unsafe_seen, 1, __ATOMIC_RELAXED)) {
		printf(
		       "    # fuzzer: refusing to run a state that kills L0: CR0 %#llx CR3 %#llx CR4 %#llx EFER %#llx (iteration %lu, seed %#lx)\n",
		       (unsigned long long)s.cr0, (unsigned long long)s.cr3,
		       (unsigned long long)s.cr4, (unsigned long long)s.efer, st->iter,
		       st->iter_seed);
		ring_print();
	}
	COUNT(st->ops[OP_run_refused_unsafe]);
	return false;
}

/*
 * One KVM_RUN on @v, bounded by the watchdog; now and then with a non-zero
 * argument, immediate_exit or request_interrupt_window set.
 */
static long run_once(struct vcpu *v, unsigned int flags)
{
	static const uint64_t bounds[] = {
		1 * MSEC, 1 * MSEC, 2 * MSEC, 2 * MSEC, 5 * MSEC, 20 * MSEC, 100 * MSEC,
	};
	unsigned long arg = one_in(64) ? edge64() | 1 : 0;
	bool imm = one_in(32), window = one_in(6);
	uint64_t bound = bounds[rnd(ARRAY_SIZE(bounds))];
	struct kvm_run *run = v->run;
	struct kvm_sregs before;
	unsigned long others;
	long r;

	if (run) {
		run->immediate_exit = imm;
		run->request_interrupt_window = window;
	} else {
		COUNT(st->ops[OP_run_unmapped]);
	}
	if (imm)
		COUNT(st->ops[OP_run_immediate_exit]);
	if (!l0_safe_state(v->fd, &before))
		return -EPERM;
	others = __atomic_load_n(&runner_runs, __ATOMIC_SEQ_CST);
	__atomic_store_n(&kick_run, run, __ATOMIC_RELAXED);
	run_begin(bound);
	r = fz_ioctl(v->fd, FD_VCPU, I_KVM_RUN, KVM_RUN, arg, flags);
	run_end();
	__atomic_store_n(&kick_run, NULL, __ATOMIC_RELAXED);
	if (flags & F_NOREC)
		__atomic_add_fetch(&runner_runs, 1, __ATOMIC_SEQ_CST);
	COUNT(st->runs);
	if (r == -EINTR)
		COUNT(st->ops[OP_run_signalled]);
	if (!run)
		return r;
	run->immediate_exit = 0;
	if (r == 0) {
		unsigned int reason = run->exit_reason;

		COUNT(st->exits[reason < NR_EXITS ? reason : NR_EXITS - 1]);
		/*
		 * INTR is not in l1vmm's list: it comes with -EINTR, never with 0,
		 * unless another thread's KVM_RUN wrote it in between.
		 */
		if (is_l1vmm() && !(reason == KVM_EXIT_INTR &&
				    (__atomic_load_n(&runners_running, __ATOMIC_SEQ_CST) ||
				     __atomic_load_n(&runner_runs, __ATOMIC_SEQ_CST) != others)))
			check_exit(v, run, window, !(flags & F_NOREC));
		complete_exit(v, run);
	}
	return r;
}

/* --- the guest: memory layout, tables, states ------------------------------------------ */

/*
 * Slot 0 (MEM0_SIZE at GPA 0) holds what every guest mode needs, at fixed
 * guest-physical addresses, and the code: each mode has a region of its own
 * at code_base(), so that no vCPU runs code made for another mode (decoded
 * wrongly, it could write CR0 or EFER with any value: l0_safe_sregs()).
 * Long mode's page tables do not even map the other modes' code. Guests
 * are set up through the ioctls: the fuzzer decides every state.
 */
#define G_GDTR		0x0500	/* pseudo-descriptors for the mode-switch gadgets */
#define G_IDTR32	0x0510
#define G_IDTR64	0x0520
#define G_IDTR16	0x0530
#define G_PML4		0x1000	/* 4-level tables: the first 1 GiB, 2 MiB pages */
#define G_PDPT		0x2000
#define G_PD		0x3000
#define G_GDT		0x4000
#define G_IDT32		0x5000
#define G_IDT64		0x6000
#define G_PD32		0x7000	/* 32-bit tables: 4 GiB in 4 MiB pages */
#define G_TSS32		0x8000
#define G_TSS64		0x8100
#define G_STUBS		0x9000	/* exception handlers: hlt; iret */
#define G_PT		0xa000	/* long mode's first 2 MiB in 4 KiB pages */
#define G_STACK		0xf000
#define G_CODE		0x10000	/* the code of each guest mode, G_CODE_MAX apart */
#define G_CODE_MAX	0x2000
#define G_DATA		0x20000
#define G_MMIO		0x800000	/* no slot 0 memory here: MMIO, unless a slot moved in */

#define SEL_CODE32	0x08
#define SEL_DATA	0x10
#define SEL_CODE64	0x18
#define SEL_CODE16	0x20	/* base G_CODE: 16-bit code runs at IP = address - G_CODE */
#define SEL_DATA16	0x28
#define SEL_TSS32	0x30
#define SEL_TSS64	0x38	/* 16 bytes */
#define GDT_LIMIT	0x5f

enum gmode { GM_REAL, GM_PROT16, GM_PROT32, GM_PAGED32, GM_COMPAT, GM_LONG, NR_GMODES };

static uint32_t code_base(enum gmode mode)
{
	return G_CODE + mode * G_CODE_MAX;
}

/* RIP at the start of @mode's code: 16-bit code runs with CS based at G_CODE. */
static uint64_t mode_rip(enum gmode mode)
{
	return mode == GM_REAL || mode == GM_PROT16 ? code_base(mode) - G_CODE : code_base(mode);
}

static const uint64_t gdt[] = {
	0,
	0x00cf9b000000ffffull,	/* 0x08 code, 32-bit, flat */
	0x00cf93000000ffffull,	/* 0x10 data, flat */
	0x00af9b000000ffffull,	/* 0x18 code, 64-bit */
	0x00009b010000ffffull,	/* 0x20 code, 16-bit, base G_CODE */
	0x000093000000ffffull,	/* 0x28 data, 16-bit */
	0x0000890080000067ull,	/* 0x30 TSS, 32-bit, available, G_TSS32 */
	0x0000890081000067ull,	/* 0x38 TSS, 64-bit, available, G_TSS64 */
	0,
	0x00cffb000000ffffull,	/* 0x48 code, 32-bit, DPL 3 */
	0x00cff3000000ffffull,	/* 0x50 data, DPL 3 */
	0x00affb000000ffffull,	/* 0x58 code, 64-bit, DPL 3 */
};

static void put16(unsigned char *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* Exceptions with an error code, whose handler must drop it before IRET. */
static bool has_error_code(unsigned int v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

/*
 * The guest's tables: IVT, GDT, IDTs (every gate to a handler that halts,
 * then returns), TSSs, page tables. Written again before each new guest:
 * guest code may have scribbled on them.
 */
static void write_tables(void)
{
	static const unsigned char h16[] = { 0xf4, 0xcf };			/* hlt; iret */
	static const unsigned char h32[] = { 0xf4, 0xcf };
	static const unsigned char h32e[] = { 0xf4, 0x83, 0xc4, 0x04, 0xcf };	/* add esp, 4 */
	static const unsigned char h64[] = { 0xf4, 0x48, 0xcf };		/* iretq */
	static const unsigned char h64e[] = { 0xf4, 0x48, 0x83, 0xc4, 0x08, 0x48, 0xcf };
	unsigned char *m = it.mem0;
	unsigned int v;

	memcpy(m + G_STUBS, h16, sizeof(h16));
	memcpy(m + G_STUBS + 0x100, h32, sizeof(h32));
	memcpy(m + G_STUBS + 0x110, h32e, sizeof(h32e));
	memcpy(m + G_STUBS + 0x200, h64, sizeof(h64));
	memcpy(m + G_STUBS + 0x210, h64e, sizeof(h64e));
	for (v = 0; v < 256; v++) {
		uint32_t h = G_STUBS + 0x100 + (has_error_code(v) ? 0x10 : 0);
		uint64_t h64a = G_STUBS + 0x200 + (has_error_code(v) ? 0x10 : 0);
		/* DPL 3 gates for the vectors guest code raises with INT n. */
		uint8_t attr = v >= 32 || v == 3 || v == 4 ? 0xee : 0x8e;

		put32(m + v * 4, G_STUBS);					/* 0000:9000 */
		put16(m + G_IDT32 + v * 8, h);
		put16(m + G_IDT32 + v * 8 + 2, SEL_CODE32);
		m[G_IDT32 + v * 8 + 4] = 0;
		m[G_IDT32 + v * 8 + 5] = attr;
		put16(m + G_IDT32 + v * 8 + 6, h >> 16);
		put16(m + G_IDT64 + v * 16, h64a);
		put16(m + G_IDT64 + v * 16 + 2, SEL_CODE64);
		m[G_IDT64 + v * 16 + 4] = 0;
		m[G_IDT64 + v * 16 + 5] = attr;
		put16(m + G_IDT64 + v * 16 + 6, h64a >> 16);
		put64(m + G_IDT64 + v * 16 + 8, h64a >> 32);
	}
	memcpy(m + G_GDT, gdt, sizeof(gdt));
	put16(m + G_GDTR, GDT_LIMIT);
	put64(m + G_GDTR + 2, G_GDT);
	put16(m + G_IDTR32, 256 * 8 - 1);
	put64(m + G_IDTR32 + 2, G_IDT32);
	put16(m + G_IDTR64, 256 * 16 - 1);
	put64(m + G_IDTR64 + 2, G_IDT64);
	put16(m + G_IDTR16, 0x3ff);
	put64(m + G_IDTR16 + 2, 0);
	/* Stacks for privilege changes: ESP0/SS0..ESP2/SS2, RSP0..2, IST1..7. */
	memset(m + G_TSS32, 0, 0x200);
	for (v = 0; v < 3; v++) {
		put32(m + G_TSS32 + 4 + v * 8, 0xe000 - v * 0x400);
		put32(m + G_TSS32 + 8 + v * 8, SEL_DATA);
		put64(m + G_TSS64 + 4 + v * 8, 0xe000 - v * 0x400);
	}
	for (v = 0; v < 7; v++)
		put64(m + G_TSS64 + 36 + v * 8, 0xd000 - v * 0x100);
	put16(m + G_TSS32 + 0x66, 0x68);
	put16(m + G_TSS64 + 0x66, 0x68);
	put64(m + G_PML4, G_PDPT | 3);
	put64(m + G_PDPT, G_PD | 3);
	for (v = 0; v < 512; v++)
		put64(m + G_PD + v * 8, v ? ((uint64_t)v << 21) | 0x83 : G_PT | 3);
	/* The first 2 MiB in 4 KiB pages, without the code of non-long modes. */
	for (v = 0; v < 512; v++)
		put64(m + G_PT + v * 8, v >= G_CODE / PAGE && v < code_base(GM_COMPAT) / PAGE ?
			0 : ((uint64_t)v << 12) | 3);
	for (v = 0; v < 1024; v++)
		put32(m + G_PD32 + v * 4, (v << 22) | 0x83);
}

static void set_seg(struct kvm_segment *s, uint16_t sel, uint64_t base, uint32_t limit,
		    uint8_t type, bool code64, bool db, bool g)
{
	*s = (struct kvm_segment) {
		.base = base, .limit = limit, .selector = sel, .type = type, .present = 1,
		.s = 1, .db = db, .l = code64, .g = g,
	};
}

/*
 * The rules that keep QEMU 7.2 (the L0 here) alive, whatever else a state
 * holds (doc/fuzzing.md, measured with l1vmm and with KVM as L1):
 * - no EFER.LME without CR0.PG: QEMU's #VMEXIT from such a guest loads the
 *   host's CR0 with the guest's EFER, and the whole L1 machine stops (in
 *   real mode as in protected mode);
 * - a present, available TSS in TR: QEMU aborts ("invalid tss") at the
 *   first interrupt that changes privilege otherwise; it keeps TR as LTR
 *   loads it, type 9, and so must we;
 * - CR3 below the L1 CPU's MAXPHYADDR, in every mode, and only CR4 bits
 *   that CPU has: QEMU's VMRUN refuses others (CR3 checked against L1's
 *   EFER.LMA, so in real mode too), and its refusal writes L1's own CR0,
 *   CR3 and segments into the guest's VMCB and clears V_INTR_MASKING: the
 *   next guest that spins with IF clear never exits again. KVM accepts
 *   CR4.UMIP, which it emulates; l1vmm checks CR3 only in long mode;
 * - never EFER.SVME: no guest CPUID here offers SVM.
 * @strict: also mask CR3 and CR4 to what runs; without it the state may be
 * refused by the device (its validation fuzzed), and l0_safe_state() keeps
 * it from running if it is not.
 */
static void l0_safe_sregs(struct kvm_sregs *s, bool strict)
{
	s->efer &= ~EFER_SVME;
	if (!(s->cr0 & CR0_PG))
		s->efer &= ~(EFER_LME | EFER_LMA);
	s->tr.present = 1;
	s->tr.unusable = 0;
	s->tr.s = 0;
	s->tr.type = (s->tr.type & 8) | 1;
	if (strict) {
		s->cr3 &= cfg.cr3_ok;
		s->cr4 &= cfg.cr4_ok;
	}
}

/*
 * No RFLAGS.VM: virtual-8086 mode runs at CPL 3, where every interrupt
 * goes through the TSS that QEMU is touchy about (l0_safe_sregs()). On
 * Bochs, never IF = 0 (the L1's interrupts cause no exit then, and L1
 * hangs) and never TF (Bochs raises the single step of an intercepted
 * instruction in L1).
 */
static uint64_t l0_safe_rflags(uint64_t rflags)
{
	rflags &= ~RFLAGS_VM;
	if (cfg.bochs)
		rflags = (rflags | RFLAGS_IF) & ~RFLAGS_TF;
	return rflags;
}

/* The base state of guest mode @mode. */
static void mode_sregs(struct kvm_sregs *s, enum gmode mode)
{
	uint64_t mmio = G_MMIO + PAGE * rnd(64);

	set_seg(&s->tr, SEL_TSS32, G_TSS32, 0x67, 9, false, false, false);
	s->tr.s = 0;
	s->ldt = (struct kvm_segment) { .type = 2, .present = 1, .limit = 0xffff };
	s->gdt.base = G_GDT;
	s->gdt.limit = GDT_LIMIT;
	s->cr2 = 0;
	s->efer = 0;
	s->cr4 = 0;
	memset(s->interrupt_bitmap, 0, sizeof(s->interrupt_bitmap));
	switch (mode) {
	case GM_REAL:
		set_seg(&s->cs, G_CODE >> 4, G_CODE, 0xffff, 0xb, false, false, false);
		set_seg(&s->ds, G_DATA >> 4, G_DATA, 0xffff, 3, false, false, false);
		s->es = s->ds;
		set_seg(&s->ss, 0, 0, 0xffff, 3, false, false, false);
		s->fs = s->ss;
		s->idt.base = 0;
		s->idt.limit = 0x3ff;
		s->cr0 = CR0_ET;
		break;
	case GM_PROT16:
		set_seg(&s->cs, SEL_CODE16, G_CODE, 0xffff, 0xb, false, false, false);
		set_seg(&s->ds, SEL_DATA16, 0, 0xffff, 3, false, false, false);
		s->es = s->ss = s->fs = s->ds;
		s->idt.base = G_IDT32;
		s->idt.limit = 256 * 8 - 1;
		s->cr0 = CR0_PE | CR0_ET | CR0_NE;
		break;
	case GM_PROT32:
	case GM_PAGED32:
		set_seg(&s->cs, SEL_CODE32, 0, 0xffffffff, 0xb, false, true, true);
		set_seg(&s->ds, SEL_DATA, 0, 0xffffffff, 3, false, true, true);
		s->es = s->ss = s->fs = s->ds;
		s->idt.base = G_IDT32;
		s->idt.limit = 256 * 8 - 1;
		s->cr0 = CR0_PE | CR0_ET | CR0_NE;
		if (mode == GM_PAGED32) {
			s->cr0 |= CR0_PG | CR0_WP;
			s->cr3 = G_PD32;
			s->cr4 |= CR4_PSE;
		}
		break;
	case GM_COMPAT:
	case GM_LONG:
		if (mode == GM_LONG)
			set_seg(&s->cs, SEL_CODE64, 0, 0xffffffff, 0xb, true, false, true);
		else
			set_seg(&s->cs, SEL_CODE32, 0, 0xffffffff, 0xb, false, true, true);
		set_seg(&s->ds, SEL_DATA, 0, 0xffffffff, 3, false, true, true);
		s->es = s->ss = s->fs = s->ds;
		set_seg(&s->tr, SEL_TSS64, G_TSS64, 0x67, 9, false, false, false);
		s->tr.s = 0;
		s->idt.base = G_IDT64;
		s->idt.limit = 256 * 16 - 1;
		s->cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
		s->cr3 = G_PML4;
		s->cr4 = CR4_PAE;
		s->efer = EFER_LME | EFER_LMA;
		break;
	default:
		break;
	}
	/* GS points at unbacked memory: guest code reaches MMIO through GS: overrides. */
	s->gs = s->ds;
	s->gs.base = mmio;
	if (mode == GM_REAL)
		s->gs.selector = 0;
	/* What every mode may add: the FPU/SSE bits, SCE, NXE. */
	if (rnd(4))
		s->cr4 |= (1ull << 9) | (one_in(2) ? 1ull << 10 : 0);	/* OSFXSR, OSXMMEXCPT */
	if (one_in(4))
		s->cr4 |= PICK(1ull << 2, 1ull << 3, 1ull << 7, 1ull << 8, 1ull << 18, 1ull << 0);
	if (one_in(3))
		s->cr0 |= PICK(CR0_MP, CR0_TS, CR0_AM, CR0_EM, CR0_CD, CR0_WP);
	if (mode != GM_REAL && one_in(3))
		s->efer |= PICK(EFER_SCE, EFER_NXE, EFER_SCE | EFER_NXE);
}

static struct kvm_segment *any_seg(struct kvm_sregs *s)
{
	struct kvm_segment *segs[] = { &s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss,
				       &s->tr, &s->ldt };

	return segs[rnd(ARRAY_SIZE(segs))];
}

/* One random change to a state: the fuzzer's "random accepted state". */
static void perturb_sregs(struct kvm_sregs *s)
{
	struct kvm_segment *seg = any_seg(s);
	unsigned int bit = rnd(64);

	switch (rnd(14)) {
	case 0:
		seg->base = rnd(2) ? edge64() : rnd(0x200000);
		break;
	case 1:
		seg->limit = edge64();
		break;
	case 2:
		seg->type = rnd(16);
		seg->s = rnd(2);
		break;
	case 3:
		seg->dpl = rnd(4);
		break;
	case 4:
		/* The CPL is SS.DPL; CS follows, as the CPU keeps them. */
		s->ss.dpl = s->cs.dpl = rnd(4);
		s->ss.selector = (s->ss.selector & ~3) | s->ss.dpl;
		s->cs.selector = (s->cs.selector & ~3) | s->cs.dpl;
		break;
	case 5:
		seg->present = rnd(2);
		seg->unusable = rnd(2);
		break;
	case 6:
		seg->db = rnd(2);
		seg->g = rnd(2);
		seg->l = rnd(2);
		seg->avl = rnd(2);
		seg->selector = rnd(2) ? r64() : rnd(0x60);
		break;
	case 7:
		s->cr0 ^= 1ull << bit;
		break;
	case 8:
		s->cr4 ^= 1ull << (bit % 26);
		break;
	case 9:
		s->efer ^= 1ull << (bit % 16);
		break;
	case 10:
		s->cr3 = rnd(2) ? edge64() : (uint64_t)rnd(0x200) << 12;
		s->cr2 = edge64();
		break;
	case 11:
		s->cr8 = rnd(2) ? rnd(16) : edge64();
		break;
	case 12:
		if (rnd(2)) {
			s->idt.limit = rnd(2) ? rnd(0x100) : 0xffff;
			s->idt.base = rnd(2) ? s->idt.base : edge64();
		} else {
			s->gdt.limit = rnd(2) ? rnd(0x60) : 0xffff;
			s->gdt.base = rnd(2) ? s->gdt.base : edge64();
		}
		break;
	default:
		if (rnd(2))
			s->apic_base = edge64();
		else
			s->interrupt_bitmap[rnd(4)] |= 1ull << bit;
		break;
	}
}

/* General-purpose register values: edge cases, addresses the guest can use. */
static uint64_t reg_value(void)
{
	switch (rnd(5)) {
	case 0:
		return edge64();
	case 1:
		return rnd(256);
	case 2:
		return G_DATA + rnd(0x10000);
	case 3:
		return G_MMIO + rnd(0x10000);
	default:
		return r64();
	}
}

/* --- guest code ------------------------------------------------------------------------ */

enum { EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI };

struct code {
	unsigned char *p;	/* host address of the region's first byte */
	uint32_t base;		/* its guest-physical (and linear) address */
	size_t n, cap;
	int bits;		/* 16, 32 or 64: how the CPU decodes what comes next */
	enum gmode mode;	/* the mode the code is in at this point */
};

static void b1(struct code *c, unsigned int b)
{
	if (c->n < c->cap)
		c->p[c->n++] = b;
}

static void bn(struct code *c, uint64_t v, int bytes)
{
	while (bytes-- > 0) {
		b1(c, v & 0xff);
		v >>= 8;
	}
}

static void bytes(struct code *c, const char *s, size_t n)
{
	while (n--)
		b1(c, (unsigned char)*s++);
}

#define BYTES(c, s)	bytes(c, s, sizeof(s) - 1)

/* @n random bytes, defused. */
static void random_bytes(struct code *c, unsigned int n)
{
	size_t from = c->n;

	while (n--)
		b1(c, r64());
	defuse(c->p + (from ? from - 1 : 0), c->n - from + (from ? 1 : 0));
}

/* Operand-size prefix for a 32-bit operation in 16-bit code, a 16-bit one elsewhere. */
static void o32(struct code *c)
{
	if (c->bits == 16)
		b1(c, 0x66);
}

static void o16(struct code *c)
{
	if (c->bits != 16)
		b1(c, 0x66);
}

/*
 * A value for an immediate: no 0x0F byte. Guest code stores immediates to
 * memory and may jump anywhere; without the escape byte no MOV to a
 * control or debug register (0F 22, 0F 23) can hide in them (defuse()).
 */
static uint64_t no0f(uint64_t v)
{
	int i;

	for (i = 0; i < 64; i += 8)
		if (((v >> i) & 0xff) == 0x0f)
			v ^= 1ull << i;
	return v;
}

/* mov r32, imm32 (zero-extended in 64-bit code) */
static void mov_r32(struct code *c, int reg, uint32_t v)
{
	o32(c);
	b1(c, 0xb8 + reg);
	bn(c, no0f(v), 4);
}

/* Linear address of the next byte, and the offset 16-bit code sees for it. */
static uint32_t here(struct code *c)
{
	return c->base + c->n;
}

/* An address for data in the current mode: in 16-bit modes an offset into DS/ES. */
static uint32_t data_addr(struct code *c)
{
	if (c->bits == 16)
		return rnd(0x10000) & ~1u;
	switch (rnd(4)) {
	case 0:
		return MEM0_SIZE - PAGE + rnd(2 * PAGE);	/* across the end of slot 0 */
	case 1:
		return G_MMIO + rnd(0x100000);
	default:
		return G_DATA + rnd(0x100000);
	}
}

static uint32_t io_port(void)
{
	return one_in(4) ? rnd(0x10000) :
	       PICK(0x80, 0x3f8, 0x3f9, 0xe9, 0x10, 0x20, 0x21, 0x60, 0x64, 0x70, 0x71, 0xcf8,
		    0xcfc, 0x510, 0xffff, 0xa0, 0xa1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x4d0,
		    0x4d1);
}

static void ins_port_io(struct code *c, bool in)
{
	uint32_t port = io_port(), val = r64();
	unsigned int size = 1u << rnd(3);
	bool imm = port < 256 && rnd(2);

	mov_r32(c, EAX, val);
	if (!imm)
		mov_r32(c, EDX, port);
	if (size == 2)
		o16(c);
	else if (size == 4)
		o32(c);
	b1(c, (in ? 0xe4 : 0xe6) + (size > 1) + (imm ? 0 : 8));
	if (imm)
		b1(c, port);
}

static void ins_string_io(struct code *c)
{
	bool in = rnd(2), rep = !one_in(8), down = one_in(4), asz = one_in(8), seg = one_in(4);
	unsigned int size = 1u << rnd(3);
	uint32_t count = rnd(2) ? rnd(20) : PICK(0, 1, 0x80, 0x400, 0x401, 0x1000, 0x10000,
						 0xffffffff);

	mov_r32(c, ECX, count);
	mov_r32(c, in ? EDI : ESI, data_addr(c));
	mov_r32(c, EDX, io_port());
	if (down)
		b1(c, 0xfd);				/* std */
	if (!in && seg)
		b1(c, PICK(0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65));
	if (rep)
		b1(c, 0xf3);
	if (asz)
		b1(c, 0x67);
	if (size == 2)
		o16(c);
	else if (size == 4)
		o32(c);
	b1(c, (in ? 0x6c : 0x6e) + (size > 1));
	if (down)
		b1(c, 0xfc);				/* cld */
}

/*
 * An access to memory with no slot: GS points there (mode_sregs()), or an
 * absolute address. The MOV forms l1vmm decodes, and others it does not.
 */
static void ins_mmio(struct code *c)
{
	bool gs = rnd(2);
	uint32_t addr = gs ? rnd(2 * PAGE) : data_addr(c);
	unsigned int form = rnd(14), reg = rnd(8);

	/* EBX is the address; the value comes from any other register. */
	if (reg == EBX)
		reg = EAX;
	mov_r32(c, EBX, addr);
	mov_r32(c, reg, r64());
	if (gs)
		b1(c, 0x65);
	if (c->bits == 16)
		b1(c, 0x67);		/* [ebx], not [bx + si] */
	switch (form) {
	case 0:
	case 1:
	case 2:
	case 3:
		if (form & 1 && one_in(3))
			o16(c);
		if (c->bits == 64 && one_in(3))
			b1(c, PICK(0x48, 0x4c, 0x44));	/* REX.W, REX.WR, REX.R */
		b1(c, 0x88 + form);			/* mov r/m <-> reg */
		b1(c, reg << 3 | EBX);
		break;
	case 4:
		b1(c, 0xc6);				/* mov byte [ebx], imm8 */
		b1(c, EBX);
		b1(c, no0f(r64()));
		break;
	case 5:
		if (one_in(3))
			o16(c);
		b1(c, 0xc7);				/* mov [ebx], imm */
		b1(c, EBX);
		bn(c, no0f(r64()), one_in(3) && c->bits != 16 ? 2 : 4);
		break;
	case 6:
		b1(c, 0xa0 + rnd(4));			/* mov al/eax <-> moffs */
		bn(c, no0f(addr), c->bits == 64 ? 8 : 4);
		break;
	case 7:
		b1(c, 0x0f);				/* movzx/movsx */
		b1(c, PICK(0xb6, 0xb7, 0xbe, 0xbf));
		b1(c, reg << 3 | EBX);
		break;
	case 8:
		b1(c, 0x8b);				/* mov reg, [ebx + disp8] */
		b1(c, 0x40 | reg << 3 | EBX);
		b1(c, no0f(rnd(256)));
		break;
	case 9:
		b1(c, 0x8b);				/* mov reg, [ebx + ebx] (SIB) */
		b1(c, reg << 3 | 4);
		b1(c, EBX << 3 | EBX);
		break;
	default:
		/* add, xor, xchg, lock add, push [ebx]: not decoded by l1vmm */
		b1(c, PICK(0x01, 0x31, 0x87, 0xf0, 0xff));
		if (c->p[c->n - 1] == 0xf0)
			b1(c, 0x01);
		b1(c, c->p[c->n - 1] == 0xff ? 0x30 | EBX : (reg << 3 | EBX));
		break;
	}
}

static void ins_cpuid(struct code *c)
{
	mov_r32(c, EAX, rnd(2) ? PICK(0, 1, 7, 0xd, 0x40000000, 0x40000001, 0x80000000,
				      0x80000001, 0x80000008, 0x8000000a, 0x8000001f) : r64());
	mov_r32(c, ECX, rnd(4));
	BYTES(c, "\x0f\xa2");
}

static void ins_vmmcall(struct code *c)
{
	mov_r32(c, EAX, rnd(2) ? rnd(16) : PICK(12345, 0xffffffff, 0x80000000));
	mov_r32(c, EBX, reg_value());
	mov_r32(c, ECX, reg_value());
	BYTES(c, "\x0f\x01\xd9");
}

/* MSRs for guest RDMSR/WRMSR: EFER only through ins_efer(), which keeps LME. */
static uint32_t guest_msr(void)
{
	uint32_t msr = rnd(3) ? PICK(0x10, 0x1b, 0x3a, 0x48, 0x49, 0x8b, 0x174, 0x175, 0x176,
				     0x1a0, 0x1d9, 0x277, 0x2ff, 0x200, 0xc0000081, 0xc0000082,
				     0xc0000083, 0xc0000084, 0xc0000100, 0xc0000101, 0xc0000102,
				     0xc0000103, 0xc0010015, 0xc0010114, 0xc0010117, 0x4b564d00,
				     0x4b564d01, 0x40000000, 0x40000001) :
		       rnd(2) ? (uint32_t)r64() : 0xc0010000 + rnd(0x200);

	if (one_in(6))
		msr = rnd(8) ? 0x800 + rnd(0x100) : PICK(0x1b, 0x6e0, 0x7ff, 0x900);
	return msr == MSR_EFER ? 0x277 : msr;
}

static void ins_msr(struct code *c, bool write)
{
	uint64_t v = edge64();

	mov_r32(c, ECX, guest_msr());
	if (write) {
		mov_r32(c, EAX, v);
		mov_r32(c, EDX, v >> 32);
	}
	BYTES(c, write ? "\x0f\x30" : "\x0f\x32");
}

/*
 * XSETBV: l1vmm puts the host's XCR0 back after every exit where it
 * differs, so any value goes. KVM, with an L0 that does not deliver the
 * guest's XSETBV (QEMU's emulator), would run the L1 kernel on whatever the
 * guest loaded: the host's own value only.
 */
static void ins_xsetbv(struct code *c)
{
	uint64_t v = rnd(2) ? PICK(1, 3, 7, 5, 0x207, 0xe7, 0, 0x2, 0x80000000007ull) : r64();
	uint32_t xcr = one_in(16);

	if (!cfg.any_xcr0) {
		v = cfg.host_xcr0;
		xcr = 0;
	}
	if (one_in(3)) {
		mov_r32(c, ECX, 0);
		BYTES(c, "\x0f\x01\xd0");		/* xgetbv */
	}
	mov_r32(c, ECX, xcr);
	mov_r32(c, EAX, v);
	mov_r32(c, EDX, v >> 32);
	BYTES(c, "\x0f\x01\xd1");
}

/* pushf; pop eax; or/and eax, bits; push eax; popf: TF, AC, IF, NT, IOPL, DF, ID. */
static void ins_flags(struct code *c)
{
	uint32_t bits = PICK(0x100, 0x40000, 0x40100, 0x200, 0x4000, 0x3000, 0x400, 0x200000,
			     0x10000, 0xffffffff);
	bool clear = rnd(2);

	if (cfg.bochs)
		bits &= clear ? ~(uint32_t)RFLAGS_IF : ~(uint32_t)RFLAGS_TF;
	o32(c);
	b1(c, 0x9c);
	o32(c);
	b1(c, 0x58);
	o32(c);
	if (c->bits == 64)
		b1(c, 0x48);
	b1(c, clear ? 0x25 : 0x0d);
	bn(c, clear ? ~bits : bits, 4);
	o32(c);
	b1(c, 0x50);
	o32(c);
	b1(c, 0x9d);
}

static void ins_dr(struct code *c)
{
	unsigned int dr = rnd(8);
	uint64_t v = dr < 4 ? (rnd(2) ? here(c) + rnd(64) : G_DATA + rnd(0x1000)) :
		     dr == 7 ? r64() & 0xffff2fff : r64() & 0xffffffff;

	/*
	 * DR7 (and DR5, its alias while CR4.DE is clear) is read, never
	 * written: a write of a wrong value, by code decoded wrongly, could
	 * enable a breakpoint (l0_safe_dr7()). KVM_SET_DEBUGREGS writes it.
	 */
	v = l0_safe_dr7(v);
	if (rnd(2) && dr != 5 && dr != 7) {
		mov_r32(c, EAX, v);
		BYTES(c, "\x0f\x23");			/* mov drN, eax */
	} else {
		BYTES(c, "\x0f\x21");			/* mov eax, drN */
	}
	b1(c, 0xc0 | dr << 3);
}

/*
 * VMLOAD, VMSAVE, STGI, CLGI, SKINIT, INVLPGA, and RSM. Not VMRUN: QEMU's
 * emulator runs an L2 guest's VMRUN as a nested guest of its own, its VMCB
 * at RAX in L1's physical memory (doc/testing.md).
 */
static void ins_svm(struct code *c)
{
	unsigned int op = PICK(0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xaa);

	mov_r32(c, EAX, rnd(2) ? G_DATA + PAGE * rnd(16) : r64());
	if (op == 0xaa) {
		BYTES(c, "\x0f\xaa");
	} else {
		BYTES(c, "\x0f\x01");
		b1(c, op);
	}
}

static void ins_monitor_mwait(struct code *c)
{
	if (rnd(2)) {
		mov_r32(c, EAX, data_addr(c));
		mov_r32(c, ECX, 0);
		mov_r32(c, EDX, 0);
		BYTES(c, "\x0f\x01\xc8");
	} else {
		mov_r32(c, EAX, rnd(0x100));
		mov_r32(c, ECX, rnd(2));
		BYTES(c, "\x0f\x01\xc9");
	}
}

/*
 * CR0 and CR4 bits that change no mode: guest code never touches PE, PG,
 * PAE or LME outside the mode-switch gadgets below.
 */
static void ins_cr(struct code *c)
{
	bool cr4 = rnd(2);
	uint32_t bits = cr4 ? (uint32_t)PICK(1u << 0, 1u << 1, 1u << 2, 1u << 3, 1u << 7,
					     1u << 8, 1u << 9, 1u << 10, 1u << 11, 1u << 16,
					     1u << 18, 1u << 20, 1u << 21) :
			      (uint32_t)PICK(CR0_MP, CR0_EM, CR0_TS, CR0_NE, CR0_WP, CR0_AM,
					     CR0_CD, CR0_NW, CR0_CD | CR0_NW);

	/*
	 * No CR0 at all where EFER.LME is set: one wrong value there leaves
	 * long mode with LME (l0_safe_sregs()).
	 */
	if (c->mode == GM_LONG || c->mode == GM_COMPAT) {
		if (!cr4)
			return;
	}
	BYTES(c, "\x0f\x20");
	b1(c, cr4 ? 0xe0 : 0xc0);			/* mov eax, cr0/cr4 */
	o32(c);
	b1(c, 0x35);					/* xor eax, bits */
	bn(c, bits, 4);
	BYTES(c, "\x0f\x22");
	b1(c, cr4 ? 0xe0 : 0xc0);
}

/* EFER.SCE and NXE flipped through RDMSR/WRMSR; LME is kept as it is. */
static void ins_efer(struct code *c)
{
	uint32_t bits = PICK(EFER_SCE, EFER_NXE, EFER_SCE | EFER_NXE);

	mov_r32(c, ECX, MSR_EFER);
	BYTES(c, "\x0f\x32");
	o32(c);
	b1(c, 0x35);
	bn(c, bits, 4);
	BYTES(c, "\x0f\x30");
}

/* Load the data segments and the stack for 32/64-bit flat code. */
static void flat_data(struct code *c)
{
	o16(c);
	b1(c, 0xb8);
	bn(c, SEL_DATA, 2);				/* mov ax, SEL_DATA */
	BYTES(c, "\x8e\xd8\x8e\xc0\x8e\xd0");		/* mov ds/es/ss, ax */
	b1(c, 0xbc);
	bn(c, G_STACK, 4);				/* mov esp, G_STACK */
}

/* ltr of @sel, after clearing its busy bit (LTR wants an available TSS). */
static void load_tr(struct code *c, uint16_t sel)
{
	/* and byte [G_GDT + sel + 5], 0xfd */
	b1(c, 0x80);
	if (c->bits == 64)
		BYTES(c, "\x24\x25");
	else
		b1(c, 0x25);
	bn(c, G_GDT + sel + 5, 4);
	b1(c, 0xfd);
	o16(c);
	b1(c, 0xb8);
	bn(c, sel, 2);
	BYTES(c, "\x0f\x00\xd8");			/* ltr ax */
}

/*
 * Mode switches by guest code, with the only operands that cannot take
 * QEMU where it dies: real mode is left and entered with EFER.LME clear,
 * protected mode gets a TSS at once. Never into or out of long mode: on
 * the way, between the WRMSR of EFER.LME and the MOV to CR0.PG, the guest
 * has LME without PG, and the WRMSR's own exit re-enters it so (see
 * l0_safe_sregs()). Long mode comes from KVM_SET_SREGS only. Each gadget
 * ends in the mode it names.
 */
static void gadget_real_to_prot32(struct code *c)
{
	BYTES(c, "\x31\xc0\x8e\xd8");			/* xor ax, ax; mov ds, ax */
	BYTES(c, "\x66\x0f\x01\x16");			/* lgdt [G_GDTR] */
	bn(c, G_GDTR, 2);
	BYTES(c, "\x66\x0f\x01\x1e");			/* lidt [G_IDTR32] */
	bn(c, G_IDTR32, 2);
	BYTES(c, "\x0f\x20\xc0\x66\x83\xc8\x01\x0f\x22\xc0");	/* mov eax, cr0; or; mov cr0 */
	BYTES(c, "\x66\xea");				/* jmp far SEL_CODE32:next */
	bn(c, here(c) + 6, 4);
	bn(c, SEL_CODE32, 2);
	c->bits = 32;
	c->mode = GM_PROT32;
	flat_data(c);
	load_tr(c, SEL_TSS32);
}

static void gadget_prot32_to_real(struct code *c)
{
	b1(c, 0xea);					/* jmp far SEL_CODE16:next */
	bn(c, here(c) + 6 - G_CODE, 4);
	bn(c, SEL_CODE16, 2);
	c->bits = 16;
	BYTES(c, "\xb8");				/* mov ax, SEL_DATA16 */
	bn(c, SEL_DATA16, 2);
	BYTES(c, "\x8e\xd8\x8e\xc0\x8e\xd0");
	BYTES(c, "\x0f\x01\x1e");			/* lidt [G_IDTR16] */
	bn(c, G_IDTR16, 2);
	BYTES(c, "\x0f\x20\xc0\x66\x83\xe0\xfe\x0f\x22\xc0");	/* clear CR0.PE */
	b1(c, 0xea);					/* jmp far (G_CODE >> 4):next */
	bn(c, here(c) + 4 - G_CODE, 2);
	bn(c, G_CODE >> 4, 2);
	c->mode = GM_REAL;
	BYTES(c, "\xb8");				/* mov ax, G_DATA >> 4 */
	bn(c, G_DATA >> 4, 2);
	BYTES(c, "\x8e\xd8\x8e\xc0\x31\xc0\x8e\xd0\xbc");	/* ds, es; ss = 0; mov sp */
	bn(c, G_STACK, 2);
}

/* PE on and off again in real mode: a moment of 16-bit protected mode. */
static void gadget_pe_blip(struct code *c)
{
	BYTES(c, "\x0f\x20\xc0\x66\x83\xc8\x01\x0f\x22\xc0");
	BYTES(c, "\x66\x83\xe0\xfe\x0f\x22\xc0");
}

static void ins_mode_switch(struct code *c)
{
	switch (c->mode) {
	case GM_REAL:
		if (rnd(2))
			gadget_pe_blip(c);
		else
			gadget_real_to_prot32(c);
		break;
	case GM_PROT32:
		gadget_prot32_to_real(c);
		break;
	default:
		break;
	}
}

static void ins_jump(struct code *c)
{
	unsigned int n = 1 + rnd(16);

	switch (rnd(4)) {
	case 0:
		b1(c, 0xeb);				/* jmp over junk */
		b1(c, n);
		random_bytes(c, n);
		break;
	case 1: {
		/* mov ecx, n; 1: out 0x80, al / hlt / pause; loop 1b */
		size_t top;

		mov_r32(c, ECX, n);
		top = c->n;
		switch (rnd(3)) {
		case 0:
			BYTES(c, "\xe6\x80");
			break;
		case 1:
			b1(c, 0xf4);
			break;
		default:
			BYTES(c, "\xf3\x90");
			break;
		}
		b1(c, 0xe2);
		b1(c, (unsigned char)(top - (c->n + 1)));
		break;
	}
	case 2:
		/* jmp to code, data, memory with no slot, or nowhere */
		mov_r32(c, EAX, rnd(2) ? data_addr(c) : edge64());
		BYTES(c, "\xff\xe0");
		break;
	default:
		if (one_in(4))
			BYTES(c, "\xeb\xfe");		/* jmp $: a spin only a signal ends */
		break;
	}
}

static void ins_misc(struct code *c)
{
	switch (rnd(20)) {
	case 0:
		b1(c, 0xcc);				/* int3 */
		break;
	case 1:
		b1(c, 0xcd);				/* int n */
		b1(c, rnd(2) ? rnd(256) : PICK(3, 4, 8, 13, 14, 0x20, 0x80, 0xff));
		break;
	case 2:
		b1(c, PICK(0xce, 0xf1));		/* into, icebp */
		if (cfg.bochs)
			c->p[c->n - 1] = 0xce;
		break;
	case 3:
		BYTES(c, "\x0f\x0b");			/* ud2 */
		break;
	case 4:
		mov_r32(c, ECX, rnd(2) ? rnd(8) : r64());
		BYTES(c, "\x0f\x33");			/* rdpmc */
		break;
	case 5:
		BYTES(c, "\x0f\x09");			/* wbinvd */
		break;
	case 6:
		BYTES(c, "\x0f\x08");			/* invd */
		break;
	case 7:
		BYTES(c, "\xf3\x90");			/* pause */
		break;
	case 8:
		BYTES(c, "\x0f\x31");			/* rdtsc */
		break;
	case 9:
		BYTES(c, "\x0f\x01\xf9");		/* rdtscp */
		break;
	case 10:
		b1(c, cfg.bochs ? 0x90 : 0xfa);	/* cli */
		break;
	case 11:
		b1(c, 0xfb);				/* sti */
		break;
	case 12:
		b1(c, 0xf4);				/* hlt */
		break;
	case 13:
		/* syscall, sysret, sysenter, sysexit */
		if (c->bits == 64 && rnd(2))
			b1(c, 0x48);
		BYTES(c, "\x0f");
		b1(c, PICK(0x05, 0x07, 0x34, 0x35));
		break;
	case 14: {
		/* mov sreg, ax: a selector of ours, or any */
		uint16_t sel = rnd(2) ? rnd(0x60) : r64();

		o16(c);
		b1(c, 0xb8);
		bn(c, sel, 2);
		b1(c, 0x8e);
		b1(c, PICK(0xd8, 0xc0, 0xe0, 0xe8));
		break;
	}
	case 15: {
		int reg = rnd(8);

		mov_r32(c, reg, reg_value());
		break;
	}
	case 16:
		BYTES(c, "\x0f\x01\xd0");		/* xgetbv (ECX as it is) */
		break;
	default: {
		unsigned int n = 1 + rnd(6);

		random_bytes(c, n);
		if (cfg.bochs)
			memset(c->p + c->n - n, 0x90, n);	/* no CLI, POPF, IRET by chance */
		break;
	}
	}
}

/*
 * The in-kernel irqchip's devices from the guest: the PICs (ICW and OCW
 * sequences, ELCR), the PIT (control words, counts, read-back, port 0x61),
 * the local APIC (xAPIC MMIO at 0xfee00000, x2APIC MSRs, APIC_BASE) and
 * the IOAPIC's window, then often STI and a pause or a HLT, so that what
 * they raise is delivered. Without an irqchip, or with the split one, the
 * same accesses exit to user space.
 */
static bool irq_bias;	/* op_irq_guest(): irqchip instructions more often */

static void out8(struct code *c, uint32_t port, uint32_t v)
{
	mov_r32(c, EAX, v);
	if (port < 256) {
		b1(c, 0xe6);
		b1(c, port);
	} else {
		mov_r32(c, EDX, port);
		b1(c, 0xee);
	}
}

static void in8(struct code *c, uint32_t port)
{
	if (port < 256) {
		b1(c, 0xe4);
		b1(c, port);
	} else {
		mov_r32(c, EDX, port);
		b1(c, 0xec);
	}
}

/* mov [ebx], eax or mov eax, [ebx], 32 bits, at @addr (flat in 32-bit modes) */
static void mem32(struct code *c, uint32_t addr, uint32_t v, bool write)
{
	mov_r32(c, EBX, addr);
	if (write)
		mov_r32(c, EAX, v);
	if (c->bits == 16)
		b1(c, 0x67);
	o32(c);
	b1(c, write ? 0x89 : 0x8b);
	b1(c, EAX << 3 | EBX);
}

static uint32_t apic_reg(void)
{
	return rnd(4) ? PICK(0x20, 0x30, 0x80, 0x90, 0xa0, 0xb0, 0xd0, 0xe0, 0xf0, 0x100, 0x180,
			     0x200, 0x280, 0x300, 0x310, 0x320, 0x330, 0x340, 0x350, 0x360,
			     0x370, 0x380, 0x390, 0x3e0, 0x3f0) :
			rnd(64) * 16;
}

static uint32_t apic_value(uint32_t reg)
{
	if (one_in(4))
		return r64();
	switch (reg) {
	case 0x300:	/* ICR: vector, delivery mode, level, trigger, shorthand */
		return rnd(256) | rnd(8) << 8 | rnd(2) << 11 | rnd(2) << 14 | rnd(2) << 15 |
		       rnd(4) << 18;
	case 0x310:
		return rnd(2) ? rnd(4) << 24 : 0xff000000;
	case 0xf0:	/* SVR */
		return PICK(0x1ff, 0xff, 0x10f, 0x3ff);
	case 0x320:	/* LVTT: one-shot, periodic, TSC deadline, masked */
		return (0x20 + rnd(0xe0)) | rnd(4) << 17 | rnd(2) << 16;
	case 0x380:
		return PICK(0, 1, 2, 16, 1000, 100000, 0xffffffff);
	case 0x3e0:
		return rnd(16);
	default:
		return rnd(2) ? (0x20 + rnd(0xe0)) | rnd(8) << 8 | rnd(2) << 16 : rnd(256);
	}
}

static void ins_irq(struct code *c)
{
	unsigned int slave = rnd(2), base = slave ? 0xa0 : 0x20, ch, reg, n;
	uint32_t v;

	COUNT(st->ops[OP_guest_irq_devices]);
	switch (rnd(10)) {
	case 0:
		/* ICW1-ICW4, then OCW1 (the mask) */
		out8(c, base, rnd(4) ? 0x11 : 0x10 | rnd(16));
		out8(c, base + 1, rnd(4) ? (slave ? 0x70u : 0x08u << rnd(3)) : rnd(256));
		out8(c, base + 1, rnd(4) ? (slave ? 2 : 4) : rnd(256));
		out8(c, base + 1, rnd(4) ? PICK(1, 3) : rnd(32));
		out8(c, base + 1, rnd(2) ? 0 : rnd(256));
		break;
	case 1:
		/* OCW2 (EOIs, rotation, priorities), OCW3 (IRR, ISR, poll, special mask) */
		out8(c, base, rnd(4) ? PICK(0x20, 0x60, 0x61, 0x67, 0xa0, 0xe0, 0xc7, 0x80, 0x00,
					    0x0a, 0x0b, 0x0c, 0x48, 0x68, 0x4c) : rnd(256));
		in8(c, base + rnd(2));
		break;
	case 2:
		in8(c, PICK(0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x40, 0x41, 0x42, 0x43, 0x61));
		break;
	case 3:
		out8(c, 0x4d0 + rnd(2), rnd(2) ? rnd(256) : PICK(0x00, 0x20, 0xf8, 0xde));
		break;
	case 4:
		/* a control word (mode, access, BCD; latch, read-back), then a count */
		ch = rnd(3);
		out8(c, 0x43, rnd(4) ? ch << 6 | (1 + rnd(3)) << 4 | rnd(6) << 1 | one_in(8) :
			      rnd(256));
		v = rnd(2) ? PICK(0, 1, 2, 3, 4, 100, 1193, 11932, 0xffff) : rnd(0x10000);
		out8(c, 0x40 + ch, v & 0xff);
		if (rnd(4))
			out8(c, 0x40 + ch, v >> 8);
		if (rnd(2))
			in8(c, 0x40 + ch);
		break;
	case 5:
		out8(c, 0x61, rnd(256));
		in8(c, 0x61);
		break;
	case 6:
		/* the xAPIC page, now and then off the register's alignment or beyond */
		reg = apic_reg();
		v = 0xfee00000 + reg + (one_in(8) ? 1 + rnd(15) : 0) +
		    (one_in(16) ? PAGE * (1 + rnd(4)) : 0);
		mem32(c, v, apic_value(reg), rnd(3));
		if (reg == 0x300 && one_in(2))
			mem32(c, 0xfee00000 + 0x310, apic_value(0x310), true);
		break;
	case 7:
		/* x2APIC MSRs and APIC_BASE (xAPIC, x2APIC, disabled, another base) */
		if (one_in(4)) {
			v = PICK(0xfee00900, 0xfee00d00, 0xfee00000, 0xfee00800, 0xfec00900,
				 0xfee00c00, 0xfee00100);
			mov_r32(c, ECX, 0x1b);
			mov_r32(c, EAX, v);
			mov_r32(c, EDX, 0);
			BYTES(c, "\x0f\x30");
			break;
		}
		reg = apic_reg();
		mov_r32(c, ECX, 0x800 + (reg >> 4));
		v = apic_value(reg);
		mov_r32(c, EAX, v);
		mov_r32(c, EDX, reg == 0x300 ? (rnd(2) ? rnd(4) : 0xffffffff) : 0);
		BYTES(c, rnd(3) ? "\x0f\x30" : "\x0f\x32");
		break;
	case 8:
		/* the IOAPIC's window: IOREGSEL, then IOWIN */
		reg = rnd(4) ? 0x10 + rnd(48) : rnd(256);
		mem32(c, 0xfec00000, reg, true);
		v = rnd(2) ? (0x20 + rnd(0xe0)) | rnd(8) << 8 | rnd(2) << 11 | rnd(2) << 13 |
			     rnd(2) << 15 | rnd(2) << 16 : r64();
		mem32(c, 0xfec00010 + (one_in(8) ? 4 * rnd(12) : 0), v, rnd(3));
		if (one_in(4))
			mem32(c, 0xfec00040, rnd(256), true);	/* the EOI register */
		break;
	default:
		/* let them in: STI, then a pause, a few NOPs or a HLT */
		if (cfg.bochs)
			break;
		b1(c, 0xfb);
		for (n = rnd(8); n; n--)
			BYTES(c, "\xf3\x90");
		if (rnd(2))
			b1(c, 0xf4);
		break;
	}
}

/*
 * @n instructions from the list, in the code's mode, then HLT, and either
 * a loop back to the HLT or a jump to the start.
 */
static void gen_insns(struct code *c, unsigned int n)
{
	while (n-- && c->n + 256 < c->cap) {
		switch (rnd(irq_bias ? 30 : 24)) {
		case 0:
		case 1:
			ins_port_io(c, false);
			break;
		case 2:
			ins_port_io(c, true);
			break;
		case 3:
			ins_string_io(c);
			break;
		case 4:
		case 5:
			ins_mmio(c);
			break;
		case 6:
			b1(c, 0xf4);
			break;
		case 7:
			ins_cpuid(c);
			break;
		case 8:
			ins_vmmcall(c);
			break;
		case 9:
			ins_msr(c, rnd(2));
			break;
		case 10:
			ins_xsetbv(c);
			break;
		case 11:
			ins_flags(c);
			break;
		case 12:
			ins_dr(c);
			break;
		case 13:
			ins_svm(c);
			break;
		case 14:
			ins_monitor_mwait(c);
			break;
		case 15:
			ins_cr(c);
			break;
		case 16:
			ins_efer(c);
			break;
		case 17:
			ins_mode_switch(c);
			break;
		case 18:
			ins_jump(c);
			break;
		case 19 ... 21:
			ins_misc(c);
			break;
		default:
			ins_irq(c);
			break;
		}
	}
	b1(c, 0xf4);
	if (rnd(2)) {
		BYTES(c, "\xeb\xfd");				/* back to the hlt */
	} else {
		b1(c, 0xe9);					/* jmp to the start */
		if (c->bits == 16)
			bn(c, -(int32_t)(c->n + 2), 2);
		else
			bn(c, -(int32_t)(c->n + 4), 4);
	}
}

static int mode_bits(enum gmode mode)
{
	switch (mode) {
	case GM_REAL:
	case GM_PROT16:
		return 16;
	case GM_LONG:
		return 64;
	default:
		return 32;
	}
}

/*
 * Code at G_CODE for a guest in @mode: instructions from the list, or
 * random bytes (returns true then).
 */
static size_t code_len;	/* of the last gen_code(), for --verbose */

static bool gen_code(enum gmode mode)
{
	struct code c = {
		.p = it.mem0 + code_base(mode), .base = code_base(mode), .cap = G_CODE_MAX,
		.bits = mode_bits(mode), .mode = mode,
	};

	/* What the last code of this mode left is not run by chance. */
	memset(c.p, 0xf4, G_CODE_MAX);
	if (one_in(5) && !cfg.bochs) {
		COUNT(st->ops[OP_guest_random_bytes]);
		random_bytes(&c, 1 + rnd(2048));
		BYTES(&c, "\xf4\xeb\xfd");
		code_len = c.n;
		return true;
	}
	COUNT(st->ops[OP_guest_insns]);
	gen_insns(&c, 1 + rnd(40));
	code_len = c.n;
	return false;
}

/* --- picking files ------------------------------------------------------------------- */

/* Mostly a file that is open; now and then any (a closed one is -1: EBADF). */
static int pick_sys(void)
{
	int live[MAX_SYS], n = 0, i;
	bool any = one_in(16);

	for (i = 0; i < MAX_SYS; i++)
		if (it.sys[i] >= 0)
			live[n++] = it.sys[i];
	return !n || any ? it.sys[rnd(MAX_SYS)] : live[rnd(n)];
}

static struct vm *pick_vm(void)
{
	struct vm *live[MAX_VMS];
	bool any = one_in(16);
	int n = 0, i;

	for (i = 0; i < MAX_VMS; i++)
		if (it.vms[i].fd >= 0)
			live[n++] = &it.vms[i];
	return !n || any ? &it.vms[rnd(MAX_VMS)] : live[rnd(n)];
}

static struct vcpu *pick_vcpu(void)
{
	struct vcpu *live[MAX_VMS * MAX_VCPUS];
	bool any = one_in(16);
	int n = 0, i, j;

	for (i = 0; i < MAX_VMS; i++)
		for (j = 0; j < MAX_VCPUS; j++)
			if (it.vms[i].vcpus[j].fd >= 0)
				live[n++] = &it.vms[i].vcpus[j];
	return !n || any ? &it.vms[rnd(MAX_VMS)].vcpus[rnd(MAX_VCPUS)] : live[rnd(n)];
}

/* The VM a vCPU belongs to (the file may be closed). */
static struct vm *vm_of(const struct vcpu *v)
{
	return &it.vms[((const char *)v - (const char *)it.vms) / sizeof(struct vm)];
}

static void unmap_run(struct vcpu *v)
{
	if (v->run)
		munmap(v->run, v->run_len);
	v->run = NULL;
}

static void map_run(struct vcpu *v)
{
	size_t len = it.mmap_size > 0 ? (size_t)it.mmap_size : (cfg.kvm ? 3 : 2) * PAGE;
	void *p;

	unmap_run(v);
	if (v->fd < 0)
		return;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	COUNT(st->ops[p == MAP_FAILED ? OP_mmap_fail : OP_mmap]);
	if (p != MAP_FAILED) {
		v->run = p;
		v->run_len = len;
	}
}

static void close_vcpu(struct vcpu *v)
{
	unmap_run(v);
	if (v->fd >= 0) {
		close(v->fd);
		COUNT(st->ops[OP_close_vcpu]);
	}
	v->fd = -1;
}

static void close_vm(struct vm *vm)
{
	if (vm->fd >= 0) {
		close(vm->fd);
		COUNT(st->ops[OP_close_vm]);
	}
	vm->fd = -1;
	memset(vm->slots, 0, sizeof(vm->slots));
}

/* A new file in a table of @n: the entry to replace, closing what was there. */
static int *fd_entry(int *fds, int n)
{
	int i, *e = &fds[rnd(n)];

	for (i = 0; i < n; i++)
		if (fds[i] < 0)
			return &fds[i];
	close(*e);
	*e = -1;
	return e;
}

/* --- the system file ----------------------------------------------------------------- */

static void op_open_dev(void)
{
	int *e = fd_entry(it.sys, MAX_SYS);

	*e = open(cfg.dev, O_RDWR | (rnd(2) ? O_CLOEXEC : 0));
	COUNT(st->ops[OP_open_dev]);
}

static void op_close_sys(void)
{
	int i = rnd(MAX_SYS);

	if (it.sys[i] >= 0) {
		close(it.sys[i]);
		COUNT(st->ops[OP_close_sys]);
	}
	it.sys[i] = -1;
}

static uint64_t capability(void)
{
	return rnd(3) ? rnd(260) : edge64();
}

static void op_check_extension(int fd, enum fd_kind kind)
{
	IOCTL(fd, kind, KVM_CHECK_EXTENSION, capability(), 0);
}

static void op_api_version(void)
{
	IOCTL(pick_sys(), FD_SYS, KVM_GET_API_VERSION, one_in(8) ? edge64() : 0, 0);
}

static void op_mmap_size(void)
{
	unsigned long arg = one_in(8) ? edge64() : 0;
	long r = IOCTL(pick_sys(), FD_SYS, KVM_GET_VCPU_MMAP_SIZE, arg, 0);

	if (r > 0 && !arg && r < (long)(1 << 20))
		it.mmap_size = r;
}

static void vm_irq_setup(struct vm *vm);

static void op_create_vm(void)
{
	uint64_t type = rnd(6) ? 0 : PICK(1, 2, 3, 0x80000000, ~0ull, 0x100, 1ull << 32);
	struct vm *vm = &it.vms[rnd(MAX_VMS)];
	long r;
	int i;

	r = IOCTL(pick_sys(), FD_SYS, KVM_CREATE_VM, type, 0);
	if (r < 0)
		return;
	for (i = 0; i < MAX_VMS; i++) {
		if (it.vms[i].fd < 0) {
			vm = &it.vms[i];
			break;
		}
	}
	/* A VM replaced: its files closed in a random order. */
	if (rnd(2))
		close_vm(vm);
	for (i = 0; i < MAX_VCPUS; i++)
		close_vcpu(&vm->vcpus[i]);
	close_vm(vm);
	vm->fd = r;
	/* Its vCPUs' files are closed: what they knew of the irqchip goes too. */
	vm->irqchip = 0;
	vm->pit = false;
	if (rnd(2))
		vm_irq_setup(vm);
}

struct msr_list {
	struct kvm_msr_list h;
	uint32_t indices[300];
};

static void op_msr_list(bool features)
{
	struct msr_list l = { .h.nmsrs = rnd(3) ? 256 : PICK(0, 1, 2, 10, 255, 300, 0xffffffff) };
	unsigned int fl = 0;
	struct msr_list *p = place(&l, sizeof(l), &fl);
	long r;

	if (features)
		r = IOCTL(pick_sys(), FD_SYS, KVM_GET_MSR_FEATURE_INDEX_LIST, p, fl);
	else
		r = IOCTL(pick_sys(), FD_SYS, KVM_GET_MSR_INDEX_LIST, p, fl);
	if (r || features || !good(p, fl) || p->h.nmsrs > 256)
		return;
	it.nmsrs = p->h.nmsrs;
	memcpy(it.msrs, p->indices, it.nmsrs * sizeof(uint32_t));
}

/* No SVM (nor VMX) in a guest's CPUID: nested guests are no part of this fuzzer. */
static void sanitize_cpuid(struct kvm_cpuid2 *c, unsigned int max)
{
	unsigned int i;

	for (i = 0; i < c->nent && i < max; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 1)
			e->ecx &= ~(1u << 5);
		if (e->function == 0x80000001)
			e->ecx &= ~(1u << 2);
		if (e->function == 0x8000000a)
			e->eax = e->ebx = e->ecx = e->edx = 0;
	}
}

static void op_supported_cpuid(bool emulated)
{
	static __thread struct {
		struct kvm_cpuid2 h;
		struct kvm_cpuid_entry2 e[256];
	} c;
	unsigned int fl = 0;
	struct kvm_cpuid2 *p;
	long r;

	c.h.nent = rnd(3) ? 256 : PICK(0, 1, 5, 20, 255, 257, 1000, 0x7fffffff, 0xffffffff);
	p = place(&c, sizeof(c), &fl);
	if (emulated)
		r = IOCTL(pick_sys(), FD_SYS, KVM_GET_EMULATED_CPUID, p, fl);
	else
		r = IOCTL(pick_sys(), FD_SYS, KVM_GET_SUPPORTED_CPUID, p, fl);
	if (r || emulated || !good(p, fl) || p->nent > 256)
		return;
	memcpy(&it.cpuid, p, sizeof(p->nent) * 2 + p->nent * sizeof(p->entries[0]));
	sanitize_cpuid(&it.cpuid.h, 256);
}

static void op_unknown(int fd, enum fd_kind kind)
{
	unsigned long nr = unknown_ioctl_nr();

	memset(targ, 0, 256);
	fz_ioctl(fd, kind, I_UNKNOWN, nr, rnd(2) ? (unsigned long)targ : edge64(), 0);
}

/*
 * An ioctl on a file of another kind than its own: a vCPU ioctl on the
 * system file, a VM ioctl on a vCPU... with a zeroed argument. Files it
 * makes after all (KVM answers some of these) are closed.
 */
static void op_cross(void)
{
	enum ioc_id id = rnd(I_UNKNOWN);
	enum fd_kind kind = rnd(NR_FD_KINDS);
	int fd;
	long r;

	switch (kind) {
	case FD_SYS:
		fd = pick_sys();
		break;
	case FD_VM:
		fd = pick_vm()->fd;
		break;
	case FD_VCPU:
		fd = pick_vcpu()->fd;
		break;
	default:
		fd = it.stats[rnd(MAX_STATS)];
		break;
	}
	if (iocs[id].kinds & (1u << kind))
		return;
	memset(targ, 0, 4096);
	r = fz_ioctl(fd, kind, id, iocs[id].nr, iocs[id].ptr ? (unsigned long)targ : 0, 0);
	if (r >= 0 && (id == I_KVM_CREATE_VM || id == I_KVM_CREATE_VCPU ||
		       id == I_KVM_GET_STATS_FD))
		close(r);
}

/* --- the VM file: memory slots, vCPUs --------------------------------------------------- */

static long set_region(struct vm *vm, uint32_t slot, uint64_t gpa, uint64_t size,
		       uint64_t uaddr, uint32_t flags, unsigned int ioflags)
{
	struct kvm_userspace_memory_region m = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = uaddr,
	};
	unsigned int fl = ioflags;
	void *p = (ioflags & F_DIRECT) ? &m : place(&m, sizeof(m), &fl);
	long r = IOCTL(vm->fd, FD_VM, KVM_SET_USER_MEMORY_REGION, p, fl);

	if (r || !good(p, fl) || slot >= NR_SLOTS)
		return r;
	if (!size) {
		vm->slots[slot].set = false;
	} else {
		vm->slots[slot] = (struct slot) {
			.set = true, .gpa = gpa, .size = size, .uaddr = uaddr, .flags = flags,
		};
	}
	return r;
}

/* An address the kernel may be given as a slot's memory: mostly good, often not. */
static uint64_t slot_uaddr(uint64_t size)
{
	struct vcpu *v;

	switch (rnd(12)) {
	case 0:
		return (uintptr_t)it.none + PAGE * rnd(NONE_SIZE / PAGE);
	case 1:
		return edge64() & ~(PAGE - 1);
	case 2:
		return (uintptr_t)it.mem1 + rnd(PAGE);			/* unaligned */
	case 3:
		v = pick_vcpu();
		if (v->run) {
			COUNT(st->ops[OP_slot_uaddr_run_page]);
			return (uintptr_t)v->run;		/* the vCPU's own kvm_run */
		}
		return 0;
	case 4:
		return (uintptr_t)it.mem0;
	default:
		if (size > MEM1_SIZE)
			return (uintptr_t)it.none;
		return (uintptr_t)it.mem1 + (rnd((MEM1_SIZE - size) / PAGE + 1) * PAGE);
	}
}

/*
 * KVM_SET_USER_MEMORY_REGION: create, move, resize, re-flag or delete a
 * slot, with values around every limit. KVM takes slots it does not pin,
 * and allocates metadata for their size: never hand it more than 64 GiB.
 */
static void op_set_region(struct vm *vm, unsigned int ioflags)
{
	uint32_t slot = rnd(4) ? 1 + rnd(NR_SLOTS - 1) : rnd(NR_SLOTS);
	struct slot *s = &vm->slots[slot];
	uint64_t gpa = (2 + rnd(62)) << 20 | (uint64_t)rnd(256) << 12;
	uint64_t size = (uint64_t)(1 + rnd(rnd(4) ? 64 : 1024)) << 12;
	uint32_t flags = one_in(4) ? KVM_MEM_READONLY : 0;
	uint64_t uaddr;

	switch (rnd(10)) {
	case 0:
		/* move */
		if (s->set) {
			size = s->size;
			flags = s->flags;
			uaddr = s->uaddr;
			break;
		}
		/* fall through */
	case 1:
		/* delete, or delete what is not there */
		size = 0;
		uaddr = s->set ? s->uaddr : slot_uaddr(PAGE);
		break;
	case 2:
		/* resize or re-flag: refused by both */
		size = s->set ? s->size + (rnd(2) ? PAGE : -PAGE) : size;
		flags = s->set && rnd(2) ? s->flags ^ KVM_MEM_READONLY : flags;
		uaddr = s->set ? s->uaddr : slot_uaddr(size);
		break;
	case 3:
		/* edges everywhere */
		slot = rnd(2) ? rnd(40) : PICK(32, 33, 509, 510, 0xffff, 0x10000, 0x10001, 0x1ffff,
					       0x7fffffff, 0xffffffff);
		flags = rnd(2) ? rnd(8) : (uint32_t)r64();
		gpa = rnd(2) ? edge64() : edge64() & ~(PAGE - 1);
		size = rnd(2) ? edge64() : edge64() & ~(PAGE - 1);
		uaddr = slot_uaddr(size);
		if (one_in(4))
			uaddr |= rnd(PAGE);
		break;
	case 4:
		/* a slot near the guest-physical limits */
		gpa = PICK(1ull << 32, (1ull << 32) - PAGE, 0xfee00000, 0xfffff000,
			   (1ull << 40) - PAGE, 1ull << 40, (1ull << 48) - PAGE, 1ull << 48,
			   (1ull << 52) - PAGE, 1ull << 52, ~0ull - PAGE + 1, 0xfffffffffff00000ull);
		uaddr = slot_uaddr(size);
		break;
	case 5:
		/* over slot 0, or over another slot */
		gpa = rnd(MEM0_SIZE) & ~(PAGE - 1);
		uaddr = slot_uaddr(size);
		break;
	default:
		uaddr = slot_uaddr(size);
		break;
	}
	if (cfg.kvm && size > (1ull << 36))
		size = (size & ((1ull << 36) - 1)) | 1;	/* unaligned: refused */
	set_region(vm, slot, gpa, size, uaddr, flags, ioflags);
}

/* Slot 0 at GPA 0 over it.mem0, where the guest's tables and code are. */
static void ensure_slot0(struct vm *vm)
{
	struct slot *s0 = &vm->slots[0];
	unsigned int i;

	if (s0->set && !s0->gpa && s0->size == MEM0_SIZE && s0->uaddr == (uintptr_t)it.mem0 &&
	    !s0->flags)
		return;
	for (i = 0; i < NR_SLOTS; i++)
		if (vm->slots[i].set && (!i || vm->slots[i].gpa < MEM0_SIZE))
			set_region(vm, i, vm->slots[i].gpa, 0, vm->slots[i].uaddr, 0, F_DIRECT);
	set_region(vm, 0, 0, MEM0_SIZE, (uintptr_t)it.mem0, 0, F_DIRECT);
}

static void op_create_vcpu(struct vm *vm)
{
	uint64_t id = rnd(4) ? rnd(8) : PICK(15, 16, 17, 255, 256, 1023, 1024, 4095, 4096,
					     1ull << 32, 1ull << 40, ~0ull, 0x80000000);
	struct vcpu *v = &vm->vcpus[rnd(MAX_VCPUS)];
	long r;
	int i;

	r = IOCTL(vm->fd, FD_VM, KVM_CREATE_VCPU, id, 0);
	if (r < 0)
		return;
	for (i = 0; i < MAX_VCPUS; i++) {
		if (vm->vcpus[i].fd < 0) {
			v = &vm->vcpus[i];
			break;
		}
	}
	close_vcpu(v);
	v->fd = r;
	v->id = id;
	map_run(v);
}

static void op_vm_addr(struct vm *vm)
{
	uint64_t addr = rnd(2) ? 0xfffbc000 : edge64();

	if (rnd(2))
		IOCTL(vm->fd, FD_VM, KVM_SET_TSS_ADDR, addr, 0);
	else
		IOCTL_PLACED(vm->fd, FD_VM, KVM_SET_IDENTITY_MAP_ADDR, &addr, sizeof(addr));
}

/* --- the vCPU file -------------------------------------------------------------------- */

/* A GET ioctl's answer into @buf (zeroed when it failed or went to a bad pointer). */
static long vcpu_get(struct vcpu *v, enum ioc_id id, void *buf, size_t size)
{
	unsigned int fl = 0;
	void *p;
	long r;

	memset(buf, 0, size);
	p = place(buf, size, &fl);
	r = fz_ioctl(v->fd, FD_VCPU, id, iocs[id].nr, (unsigned long)p, fl);
	if (!r && good(p, fl))
		memcpy(buf, p, size);
	else
		memset(buf, 0, size);
	return r;
}

static long vcpu_set(struct vcpu *v, enum ioc_id id, const void *buf, size_t size)
{
	unsigned int fl = 0;
	void *p = place(buf, size, &fl);

	return fz_ioctl(v->fd, FD_VCPU, id, iocs[id].nr, (unsigned long)p, fl);
}

/*
 * A new guest on @v: slot 0 in place, tables written, code generated, and
 * the state of a random mode set through the ioctls, sometimes perturbed.
 */
static void op_prepare(struct vcpu *v)
{
	enum gmode mode = rnd(NR_GMODES);
	struct kvm_sregs s;
	struct kvm_regs r;
	bool random_bytes;
	unsigned int n;

	if (vm_of(v)->fd >= 0)
		ensure_slot0(vm_of(v));
	write_tables();
	random_bytes = gen_code(mode);
	COUNT(st->ops[OP_guest_real + mode]);
	if (cfg.verbose) {
		size_t i;

		printf("    # guest: mode %d, %s, %zu bytes:", mode,
		       random_bytes ? "random bytes" : "instructions", code_len);
		for (i = 0; i < code_len && i < 512; i++)
			printf("%s%02x", i % 32 ? "" : "\n    #  ", it.mem0[code_base(mode) + i]);
		printf("\n");
	}

	memset(&s, 0, sizeof(s));
	IOCTL(v->fd, FD_VCPU, KVM_GET_SREGS, &s, F_DIRECT);
	mode_sregs(&s, mode);
	for (n = one_in(4) ? 1 + rnd(3) : 0; n; n--)
		perturb_sregs(&s);
	/* Random bytes may hold any XSETBV: see ins_xsetbv(). */
	if (random_bytes && !cfg.any_xcr0)
		s.cr4 &= ~(1ull << 18);
	l0_safe_sregs(&s, true);
	IOCTL(v->fd, FD_VCPU, KVM_SET_SREGS, &s, F_DIRECT);

	memset(&r, 0, sizeof(r));
	r.rax = rnd(3) ? reg_value() : 0;
	r.rbx = rnd(3) ? reg_value() : 0;
	r.rcx = rnd(3) ? reg_value() : 0;
	r.rdx = rnd(3) ? reg_value() : 0;
	r.rsi = rnd(3) ? reg_value() : 0;
	r.rdi = rnd(3) ? reg_value() : 0;
	r.rbp = rnd(3) ? reg_value() : 0;
	r.r8 = reg_value();
	r.r15 = reg_value();
	r.rip = mode_rip(mode);
	r.rsp = G_STACK;
	r.rflags = 2 | (rnd(4) ? RFLAGS_IF : 0);
	if (one_in(8))
		r.rflags |= PICK(0x100, 0x40000, 0x400, 0x4000, 0x3000, 0x10000, 0x200000);
	r.rflags = l0_safe_rflags(r.rflags);
	IOCTL(v->fd, FD_VCPU, KVM_SET_REGS, &r, F_DIRECT);
	if (it.cpuid.h.nent && one_in(3))
		IOCTL(v->fd, FD_VCPU, KVM_SET_CPUID2, &it.cpuid, F_DIRECT);
}

static void op_run(struct vcpu *v)
{
	unsigned int n = 1 + rnd(rnd(4) ? 8 : 64);

	if (cfg.verbose == 1 && v->fd >= 0)
		dump_state(v->fd);
	while (n--)
		if (run_once(v, 0) == -EBADF)
			break;
}

static void op_regs(struct vcpu *v)
{
	struct kvm_regs r;
	uint64_t *gprs = (uint64_t *)&r;

	vcpu_get(v, I_KVM_GET_REGS, &r, sizeof(r));
	if (one_in(4))
		return;
	switch (rnd(4)) {
	case 0:
		gprs[rnd(16)] = reg_value();
		break;
	case 1:
		r.rip = rnd(2) ? edge64() : r.rip + rnd(0x40);
		break;
	case 2:
		r.rflags = rnd(2) ? edge64() : r.rflags ^ (1ull << rnd(22));
		break;
	default:
		break;
	}
	r.rflags = l0_safe_rflags(r.rflags);
	vcpu_set(v, I_KVM_SET_REGS, &r, sizeof(r));
}

static void op_sregs(struct vcpu *v)
{
	enum gmode mode = NR_GMODES;
	struct kvm_sregs s;
	struct kvm_regs r;
	unsigned int i;
	bool strict;

	vcpu_get(v, I_KVM_GET_SREGS, &s, sizeof(s));
	strict = rnd(4);
	switch (rnd(5)) {
	case 0:
		return;
	case 1:
		/* random bytes: mostly refused */
		for (i = 0; i < sizeof(s) / 8; i++)
			((uint64_t *)&s)[i] = r64();
		strict = false;
		break;
	case 2:
		mode = rnd(NR_GMODES);
		mode_sregs(&s, mode);
		break;
	default:
		for (i = 1 + rnd(3); i; i--)
			perturb_sregs(&s);
		break;
	}
	l0_safe_sregs(&s, strict);
	if (vcpu_set(v, I_KVM_SET_SREGS, &s, sizeof(s)) || mode == NR_GMODES)
		return;
	/* A new mode runs that mode's code. */
	if (!IOCTL(v->fd, FD_VCPU, KVM_GET_REGS, &r, F_DIRECT)) {
		r.rip = mode_rip(mode);
		IOCTL(v->fd, FD_VCPU, KVM_SET_REGS, &r, F_DIRECT);
	}
}

/* KVM_GET/SET_MSRS: indices from the device's list, ours, any. */
static void op_msrs(struct vcpu *v)
{
	static __thread struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e[1000];
	} m;
	bool set = rnd(2);
	uint32_t n = rnd(4) ? 1 + rnd(8) : PICK(0, 100, 255, 256, 257, 1000, 0xffffffff);
	uint64_t efer = 0;
	unsigned int i, k = n < 1000 ? n : 1000;
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} get_efer = { .h.nmsrs = 1, .e.index = MSR_EFER };

	memset(&m.h, 0, sizeof(m.h));
	m.h.nmsrs = n;
	for (i = 0; i < k; i++) {
		m.e[i] = (struct kvm_msr_entry) {
			.index = it.nmsrs && rnd(2) ? it.msrs[rnd(it.nmsrs)] : guest_msr(),
			.data = edge64(),
		};
		if (one_in(16))
			m.e[i].index = MSR_EFER;
	}
	/*
	 * EFER through SET_MSRS keeps the vCPU's LME: never real mode with
	 * LME (l0_safe_sregs()). Read it first; if that fails, leave EFER out.
	 */
	if (set && k) {
		bool have = IOCTL(v->fd, FD_VCPU, KVM_GET_MSRS, &get_efer, F_DIRECT) == 1;

		efer = get_efer.e.data;
		for (i = 0; i < k; i++) {
			if (m.e[i].index != MSR_EFER)
				continue;
			if (!have)
				m.e[i].index = 0x277;
			m.e[i].data = (m.e[i].data & ~(EFER_LME | EFER_LMA | EFER_SVME)) |
				      (efer & (EFER_LME | EFER_LMA));
		}
	}
	if (cfg.verbose) {
		printf("    # %s_MSRS on fd %d, nmsrs %u:", set ? "SET" : "GET", v->fd, n);
		for (i = 0; i < k && i < 16; i++)
			printf(" %#x=%#llx", m.e[i].index, (unsigned long long)m.e[i].data);
		printf("\n");
	}
	if (set)
		vcpu_set(v, I_KVM_SET_MSRS, &m, sizeof(m.h) + k * sizeof(m.e[0]));
	else
		vcpu_set(v, I_KVM_GET_MSRS, &m, sizeof(m.h) + k * sizeof(m.e[0]));
}

static void op_cpuid2(struct vcpu *v)
{
	static __thread struct {
		struct kvm_cpuid2 h;
		struct kvm_cpuid_entry2 e[300];
	} c;
	unsigned int i;

	if (rnd(3) == 0) {
		c.h.nent = rnd(2) ? 256 : PICK(0, 1, 5, 255, 300, 0x80000000);
		vcpu_set(v, I_KVM_GET_CPUID2, &c, sizeof(c));
		return;
	}
	memcpy(&c, &it.cpuid, sizeof(it.cpuid));
	switch (rnd(5)) {
	case 0:
		c.h.nent = rnd(c.h.nent + 1);
		break;
	case 1:
		for (i = 0; i < 1 + rnd(4) && c.h.nent; i++) {
			struct kvm_cpuid_entry2 *e = &c.e[rnd(c.h.nent)];

			(&e->eax)[rnd(4)] ^= 1u << rnd(32);
		}
		break;
	case 2:
		c.h.nent = rnd(2) ? rnd(300) : PICK(256, 257, 0xffffffff);
		for (i = 0; i < c.h.nent && i < 300; i++) {
			c.e[i] = (struct kvm_cpuid_entry2) {
				.function = rnd(2) ? rnd(0x20) : 0x80000000 + rnd(0x20),
				.index = rnd(4), .flags = rnd(8), .eax = r64(), .ebx = r64(),
				.ecx = r64(), .edx = r64(),
			};
		}
		break;
	default:
		break;
	}
	sanitize_cpuid(&c.h, 300);
	vcpu_set(v, I_KVM_SET_CPUID2, &c, sizeof(c));
}

static void op_interrupt(struct vcpu *v)
{
	struct kvm_interrupt irq = { .irq = rnd(2) ? rnd(256) : edge64() };

	vcpu_set(v, I_KVM_INTERRUPT, &irq, sizeof(irq));
}

/*
 * KVM_SET_VCPU_EVENTS: exceptions, interrupts, NMIs, the shadow. SMM is
 * for l1vmm only (which refuses it): KVM would enter its SMM emulation.
 */
static void op_events(struct vcpu *v)
{
	struct kvm_vcpu_events e;

	vcpu_get(v, I_KVM_GET_VCPU_EVENTS, &e, sizeof(e));
	if (one_in(4))
		return;
	switch (rnd(6)) {
	case 0:
		e.exception.injected = rnd(2);
		e.exception.pending = one_in(4);
		e.exception.nr = rnd(4) ? rnd(32) : r64();
		e.exception.has_error_code = rnd(2);
		e.exception.error_code = r64();
		break;
	case 1:
		e.interrupt.injected = rnd(2);
		e.interrupt.nr = r64();
		e.interrupt.soft = rnd(2);
		break;
	case 2:
		e.interrupt.shadow = rnd(4);
		e.flags |= KVM_VCPUEVENT_VALID_SHADOW;
		break;
	case 3:
		e.nmi.injected = rnd(2);
		e.nmi.pending = rnd(2);
		e.nmi.masked = rnd(2);
		e.flags |= rnd(2) ? KVM_VCPUEVENT_VALID_NMI_PENDING : 0;
		break;
	case 4:
		e.flags = rnd(2) ? rnd(64) : (uint32_t)r64();
		e.smi.smm = rnd(2);
		e.smi.pending = rnd(2);
		e.sipi_vector = r64();
		e.exception_has_payload = rnd(2);
		e.exception_payload = r64();
		e.triple_fault.pending = rnd(2);
		break;
	default:
		break;
	}
	if (cfg.kvm)
		e.flags &= ~KVM_VCPUEVENT_VALID_SMM;
	vcpu_set(v, I_KVM_SET_VCPU_EVENTS, &e, sizeof(e));
}

static void op_mp_state(struct vcpu *v)
{
	struct kvm_mp_state mp;

	vcpu_get(v, I_KVM_GET_MP_STATE, &mp, sizeof(mp));
	mp.mp_state = rnd(2) ? rnd(10) : edge64();
	vcpu_set(v, I_KVM_SET_MP_STATE, &mp, sizeof(mp));
}

static void op_xcrs(struct vcpu *v)
{
	struct kvm_xcrs x;
	unsigned int i;

	vcpu_get(v, I_KVM_GET_XCRS, &x, sizeof(x));
	if (one_in(4))
		return;
	x.nr_xcrs = rnd(3) ? 1 : PICK(0, 2, 16, 17, 0xffffffff);
	x.flags = one_in(8) ? r64() : 0;
	for (i = 0; i < KVM_MAX_XCRS; i++) {
		x.xcrs[i].xcr = rnd(4) ? 0 : rnd(4);
		x.xcrs[i].value = rnd(3) ? PICK(1, 3, 7, 5, 0x207, 0xe7, 0, 2) : rnd(2) ?
				  cfg.host_xcr0 : r64();
	}
	vcpu_set(v, I_KVM_SET_XCRS, &x, sizeof(x));
}

static void op_xsave(struct vcpu *v, unsigned int size)
{
	static __thread unsigned char x[16384];
	uint64_t *hdr = (uint64_t *)(x + 512);

	if (size > sizeof(x))
		size = sizeof(x);
	if (rnd(2))
		vcpu_get(v, I_KVM_GET_XSAVE, x, 4096);
	else
		vcpu_get(v, I_KVM_GET_XSAVE2, x, size);
	if (one_in(4))
		return;
	switch (rnd(6)) {
	case 0:
		hdr[0] = rnd(2) ? r64() : hdr[0] ^ (1ull << rnd(64));	/* XSTATE_BV */
		break;
	case 1:
		hdr[1] = rnd(2) ? 1ull << 63 : r64();			/* XCOMP_BV */
		break;
	case 2:
		hdr[2 + rnd(6)] = r64();				/* reserved */
		break;
	case 3:
		memcpy(x + 24, &(uint32_t){ r64() }, 4);		/* MXCSR */
		break;
	case 4:
		x[rnd(size)] = r64();
		break;
	default:
		break;
	}
	vcpu_set(v, I_KVM_SET_XSAVE, x, size);
}

static void op_fpu(struct vcpu *v)
{
	struct kvm_fpu f;
	unsigned int i;

	vcpu_get(v, I_KVM_GET_FPU, &f, sizeof(f));
	for (i = rnd(4); i; i--)
		((unsigned char *)&f)[rnd(sizeof(f))] = r64();
	vcpu_set(v, I_KVM_SET_FPU, &f, sizeof(f));
}

static void op_debugregs(struct vcpu *v)
{
	struct kvm_debugregs d;

	vcpu_get(v, I_KVM_GET_DEBUGREGS, &d, sizeof(d));
	d.db[rnd(4)] = rnd(2) ? G_CODE + rnd(64) : edge64();
	d.dr6 = rnd(2) ? 0xffff0ff0 : edge64();
	d.dr7 = l0_safe_dr7(rnd(2) ? r64() & 0xffff2fff : edge64());
	d.flags = one_in(8) ? r64() : 0;
	vcpu_set(v, I_KVM_SET_DEBUGREGS, &d, sizeof(d));
}

/* --- statistics files ----------------------------------------------------------------- */

static void op_stats_fd(struct vcpu *v)
{
	long r = IOCTL(v->fd, FD_VCPU, KVM_GET_STATS_FD, one_in(4) ? edge64() : 0, 0);
	int *e;

	if (r < 0)
		return;
	e = fd_entry(it.stats, MAX_STATS);
	*e = r;
}

/* Reads at any offset and length, the header first: pread() must never fault the kernel. */
static void op_stats_read(void)
{
	int fd = it.stats[rnd(MAX_STATS)];
	struct kvm_stats_header h;
	ssize_t n;
	off_t off;
	size_t len;

	if (fd < 0)
		return;
	switch (rnd(5)) {
	case 0:
		n = pread(fd, &h, sizeof(h), 0);
		if (n == sizeof(h) && rnd(2))
			n = pread(fd, targ, ARG_SIZE < 8192 ? ARG_SIZE : 8192,
				  rnd(2) ? h.desc_offset : h.data_offset);
		break;
	case 1:
		off = rnd(2) ? rnd(8192) : (off_t)edge64();
		len = rnd(2) ? rnd(ARG_SIZE) : 8;
		n = pread(fd, targ, len, off);
		break;
	case 2:
		n = read(fd, targ, rnd(4096));
		break;
	case 3:
		n = lseek(fd, rnd(2) ? rnd(8192) : (off_t)edge64(), rnd(5));
		break;
	default:
		n = pread(fd, one_in(2) ? NULL : targ + ARG_SIZE - 8, 64, 0);
		break;
	}
	COUNT(st->ops[n < 0 ? OP_stats_read_err : OP_stats_read]);
	if (one_in(4))
		op_unknown(fd, FD_STATS);
}

static void op_close_stats(void)
{
	int i = rnd(MAX_STATS);

	if (it.stats[i] >= 0) {
		close(it.stats[i]);
		COUNT(st->ops[OP_close_stats]);
	}
	it.stats[i] = -1;
}

/* --- mappings of the vCPU file -------------------------------------------------------- */

static __thread sigjmp_buf touch_jmp;
static __thread bool touching;	/* atomics: the SIGBUS handler reads it */

static void on_sigbus(int sig)
{
	if (__atomic_load_n(&touching, __ATOMIC_RELAXED))
		siglongjmp(touch_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* mmap at pages 0, 1 (PIO), 2 (KVM's coalesced MMIO ring; none in l1vmm), beyond. */
static void op_mmap(struct vcpu *v)
{
	uint64_t pgoff = rnd(2) ? rnd(4) : PICK(4, 64, 1 << 20, 1ull << 32);
	size_t len = (1 + rnd(3)) * PAGE;
	int prot = PROT_READ | (rnd(4) ? PROT_WRITE : 0) | (one_in(8) ? PROT_EXEC : 0);
	int flags = rnd(4) ? MAP_SHARED : MAP_PRIVATE;
	struct map *m = &it.maps[rnd(MAX_MAPS)];
	void *p;

	p = mmap(NULL, len, prot, flags, v->fd, pgoff * PAGE);
	COUNT(st->ops[p == MAP_FAILED ? OP_mmap_fail : OP_mmap]);
	if (p == MAP_FAILED)
		return;
	if (m->addr) {
		munmap(m->addr, m->len);
		COUNT(st->ops[OP_munmap]);
	}
	m->addr = p;
	m->len = len;
}

/* Read every page of a mapping: pages past what the device maps are SIGBUS. */
static void op_touch(void)
{
	/* Static: siglongjmp() must not find them in registers it restored. */
	static __thread struct map *m;
	static __thread size_t off;

	m = &it.maps[rnd(MAX_MAPS)];
	if (!m->addr)
		return;
	for (off = 0; off < m->len; off += PAGE) {
		__atomic_store_n(&touching, true, __ATOMIC_RELAXED);
		if (sigsetjmp(touch_jmp, 1)) {
			__atomic_store_n(&touching, false, __ATOMIC_RELAXED);
			COUNT(st->ops[OP_touch_sigbus]);
			continue;
		}
		__atomic_load_n((unsigned char *)m->addr + off + rnd(PAGE), __ATOMIC_RELAXED);
		__atomic_store_n(&touching, false, __ATOMIC_RELAXED);
		COUNT(st->ops[OP_touch_ok]);
	}
}

static void op_munmap(void)
{
	struct vcpu *v = pick_vcpu();

	if (rnd(2) && v->run) {
		unmap_run(v);		/* KVM_RUN without a kvm_run mapping next */
		COUNT(st->ops[OP_munmap]);
	} else if (rnd(2)) {
		map_run(v);
	} else {
		struct map *m = &it.maps[rnd(MAX_MAPS)];

		if (m->addr) {
			munmap(m->addr, m->len);
			COUNT(st->ops[OP_munmap]);
		}
		m->addr = NULL;
	}
}

/* --- orders: fork, threads, file limits -------------------------------------------------- */

/*
 * fork(), then VM and vCPU ioctls from the child: every one must fail with
 * -EIO (checked through fz_ioctl(), reported here); the system file works
 * there. Now and then the parent closes its copies first, so that the
 * child's exit drops the last references.
 */
static void op_fork(void)
{
	uint64_t child_seed = r64();
	bool parent_closes = one_in(3);
	unsigned int n = 1 + rnd(8), i;
	int status;
	pid_t pid;

	fflush(stdout);
	st->child_ioc = 0;
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		it.child = true;
		is_main_thread = false;
		rng_state = child_seed;
		alarm(10);
		for (i = 0; i < n; i++) {
			struct vcpu *v = pick_vcpu();
			struct vm *vm = pick_vm();
			struct kvm_regs regs;

			switch (rnd(8)) {
			case 0:
				op_set_region(vm, 0);
				break;
			case 1:
				IOCTL(vm->fd, FD_VM, KVM_CREATE_VCPU, rnd(16), 0);
				break;
			case 2:
				run_once(v, F_NOREC);
				break;
			case 3:
				IOCTL(v->fd, FD_VCPU, KVM_GET_REGS, &regs, 0);
				break;
			case 4: {
				/* A VM of the child's own, on the inherited system file. */
				long r = IOCTL(pick_sys(), FD_SYS, KVM_CREATE_VM, 0, 0);

				if (r >= 0 && rnd(2))
					close(r);
				break;
			}
			case 5:
				if (rnd(2)) {
					close(v->fd);
					v->fd = -1;
				} else {
					close(vm->fd);
					vm->fd = -1;
				}
				break;
			case 6:
				unmap_run(v);
				break;
			default:
				IOCTL(vm->fd, FD_VM, KVM_CHECK_EXTENSION, capability(), 0);
				break;
			}
		}
		_exit(0);
	}
	COUNT(st->ops[OP_fork]);
	if (parent_closes) {
		struct vm *vm = pick_vm();

		COUNT(st->ops[OP_fork_parent_closed]);
		if (rnd(2))
			close_vm(vm);
		for (i = 0; i < MAX_VCPUS; i++)
			if (rnd(2))
				close_vcpu(&vm->vcpus[i]);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status)) {
		printf("    # a forked child %s (signal %d)\n",
		       WTERMSIG(status) == SIGALRM ? "hung for 10 s" : "crashed", WTERMSIG(status));
		_exit(WTERMSIG(status) == SIGALRM ? EXIT_STUCK : 1);
	}
	if (st->child_ioc && is_l1vmm())
		report("%s from a forked child answered %s, wanted EIO",
			iocs[st->child_ioc - 1].name, errname(st->child_err));
}

struct runner {
	pthread_t thread;
	struct vcpu *v;
	uint64_t seed;
	unsigned int runs;
	bool started;
};

static void *runner_main(void *arg)
{
	struct runner *r = arg;
	unsigned int i;

	rng_state = r->seed;
	wd_register();
	__atomic_add_fetch(&runners_running, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < r->runs; i++)
		run_once(r->v, F_NOREC);
	__atomic_sub_fetch(&runners_running, 1, __ATOMIC_SEQ_CST);
	wd_unregister();
	return NULL;
}

static void start_runner(struct runner *r, struct vcpu *v, unsigned int runs)
{
	r->v = v;
	r->seed = r64();
	r->runs = runs;
	r->started = !pthread_create(&r->thread, NULL, runner_main, r);
}

static void join_runners(struct runner *r, unsigned int n)
{
	while (n--)
		if (r[n].started)
			pthread_join(r[n].thread, NULL);
}

/* KVM_RUN on one vCPU from two threads at once. */
static void op_two_threads(struct vcpu *v)
{
	struct runner r[2];

	COUNT(st->ops[OP_two_thread_run]);
	start_runner(&r[0], v, 1 + rnd(8));
	start_runner(&r[1], v, 1 + rnd(8));
	join_runners(r, 2);
}

/*
 * The vCPUs of a VM running in threads, while this thread adds, moves and
 * deletes slots (@churn), slot 0 included, or just waits.
 */
static void op_vcpus_running(struct vm *vm, bool churn)
{
	struct runner r[MAX_VCPUS];
	unsigned int i, n = 0, k;

	COUNT(st->ops[churn ? OP_churn_while_running : OP_parallel_vcpus]);
	for (i = 0; i < MAX_VCPUS; i++)
		if (vm->vcpus[i].fd >= 0 && n < 4)
			start_runner(&r[n++], &vm->vcpus[i], 2 + rnd(churn ? 30 : 10));
	if (churn) {
		for (k = 2 + rnd(30); k; k--) {
			struct timespec ts = { 0, rnd(500) * 1000 };

			if (one_in(8))
				set_region(vm, 0, 0, rnd(2) ? 0 : MEM0_SIZE, (uintptr_t)it.mem0, 0, 0);
			else
				op_set_region(vm, 0);
			nanosleep(&ts, NULL);
		}
	}
	join_runners(r, n);
}

/*
 * Files made with the file limit reached: the error paths after the
 * object exists and its file descriptor cannot be had (EMFILE).
 */
static void op_fd_limit(void)
{
	struct rlimit old, lim;
	int low = open("/dev/null", O_RDONLY | O_CLOEXEC);
	unsigned int n;

	if (low < 0 || getrlimit(RLIMIT_NOFILE, &old))
		return;
	close(low);
	lim = old;
	lim.rlim_cur = low + rnd(2);
	if (setrlimit(RLIMIT_NOFILE, &lim))
		return;
	COUNT(st->ops[OP_fd_limit]);
	for (n = 1 + rnd(4); n; n--) {
		switch (rnd(4)) {
		case 0:
			op_create_vm();
			break;
		case 1:
			op_create_vcpu(pick_vm());
			break;
		case 2:
			op_stats_fd(pick_vcpu());
			break;
		default:
			op_open_dev();
			break;
		}
	}
	setrlimit(RLIMIT_NOFILE, &old);
}

/* --- the in-kernel irqchip: VM and vCPU ioctls, eventfds --------------------------------- */

/* KVM_SET_GSI_ROUTING's table: room for one entry more than KVM's 4096. */
#define ROUTES_MAX	4097
#define ROUTES_LEN	((sizeof(struct kvm_irq_routing) +				\
			  ROUTES_MAX * sizeof(struct kvm_irq_routing_entry) + PAGE - 1) &	\
			 ~(PAGE - 1))

/* A GSI: mostly the IOAPIC's 24, then any of KVM's 4096, then edges. */
static uint64_t gsi_value(void)
{
	return rnd(4) ? rnd(24) : rnd(2) ? rnd(4096) : edge64();
}

static void vm_enable_cap(struct vm *vm, uint32_t capability, uint64_t arg0, bool bad)
{
	struct kvm_enable_cap cap = { .cap = capability, .args[0] = arg0 };
	long r;

	if (bad) {
		cap.flags = one_in(2) ? edge64() : 0;
		cap.args[1 + rnd(3)] = edge64();
	}
	r = IOCTL_PLACED(vm->fd, FD_VM, KVM_ENABLE_CAP, &cap, sizeof(cap));
	if (!r && capability == KVM_CAP_SPLIT_IRQCHIP) {
		vm->irqchip = IRQCHIP_SPLIT;
		COUNT(st->ops[OP_vm_split_irqchip]);
	}
}

static void vm_make_irqchip(struct vm *vm)
{
	if (!IOCTL(vm->fd, FD_VM, KVM_CREATE_IRQCHIP, one_in(8) ? edge64() : 0, 0)) {
		vm->irqchip = IRQCHIP_FULL;
		COUNT(st->ops[OP_vm_irqchip]);
	}
}

static void vm_create_pit(struct vm *vm)
{
	struct kvm_pit_config pc = { .flags = rnd(4) ? KVM_PIT_SPEAKER_DUMMY : rnd(2) ? 0 : r64() };

	if (one_in(8))
		pc.pad[rnd(15)] = r64();
	if (!IOCTL_PLACED(vm->fd, FD_VM, KVM_CREATE_PIT2, &pc, sizeof(pc))) {
		vm->pit = true;
		COUNT(st->ops[OP_vm_pit]);
	}
}

/* A new VM, before its first vCPU: the irqchip, split or not, a PIT, the x2APIC API. */
static void vm_irq_setup(struct vm *vm)
{
	switch (rnd(6)) {
	case 0 ... 2:
		vm_make_irqchip(vm);
		break;
	case 3:
		vm_enable_cap(vm, KVM_CAP_SPLIT_IRQCHIP, rnd(4) ? 24 : rnd(2) ? rnd(64) : 4096,
			      false);
		break;
	default:
		break;
	}
	if (rnd(2))
		vm_create_pit(vm);
	if (one_in(4))
		vm_enable_cap(vm, KVM_CAP_X2APIC_API, rnd(4), false);
	if (one_in(8))
		IOCTL(vm->fd, FD_VM, KVM_SET_BOOT_CPU_ID, rnd(3), 0);
}

/* KVM_CREATE_IRQCHIP, KVM_ENABLE_CAP (split irqchip, x2APIC API, others), the BSP's id. */
static void op_vm_irqchip(struct vm *vm)
{
	switch (rnd(6)) {
	case 0:
		vm_make_irqchip(vm);
		break;
	case 1:
		vm_enable_cap(vm, KVM_CAP_SPLIT_IRQCHIP,
			      rnd(2) ? PICK(0, 24, 32, 4096, 4097) : edge64(), one_in(4));
		break;
	case 2:
		vm_enable_cap(vm, KVM_CAP_X2APIC_API, rnd(2) ? rnd(4) : edge64(), one_in(4));
		break;
	case 3:
		/* capabilities no VM enables: l1vmm and KVM both -EINVAL */
		vm_enable_cap(vm, PICK(0, 1000, 0x7fffffff, 0xffffffff), edge64(), one_in(2));
		break;
	case 4:
		IOCTL(vm->fd, FD_VM, KVM_SET_BOOT_CPU_ID, rnd(2) ? rnd(8) : edge64(), 0);
		break;
	default:
		vm_create_pit(vm);
		break;
	}
}

/* KVM_IRQ_LINE(_STATUS): a level, or a pulse. */
static void op_irq_line(struct vm *vm)
{
	struct kvm_irq_level l = {
		.irq = gsi_value(), .level = rnd(4) ? rnd(2) : edge64(),
	};
	unsigned int n = rnd(3) ? 1 : 2;
	bool status = rnd(2);

	while (n--) {
		if (status)
			IOCTL_PLACED(vm->fd, FD_VM, KVM_IRQ_LINE_STATUS, &l, sizeof(l));
		else
			IOCTL_PLACED(vm->fd, FD_VM, KVM_IRQ_LINE, &l, sizeof(l));
		l.level = !l.level;
	}
}

/* KVM_GET/SET_IRQCHIP: a chip's state read, a few bytes changed, written back. */
static void op_irqchip_state(struct vm *vm)
{
	struct kvm_irqchip c;
	unsigned int fl = 0, i;
	uint32_t chip = rnd(6) ? rnd(3) : PICK(3, 4, 0x80000000, 0xffffffff);
	void *p;

	memset(&c, 0, sizeof(c));
	c.chip_id = chip;
	p = place(&c, sizeof(c), &fl);
	if (IOCTL(vm->fd, FD_VM, KVM_GET_IRQCHIP, p, fl) || !good(p, fl))
		memset(&c.chip, 0, sizeof(c.chip));
	else
		memcpy(&c, p, sizeof(c));
	c.chip_id = one_in(8) ? rnd(8) : chip;
	if (one_in(2))
		return;
	if (one_in(6)) {
		for (i = 0; i < sizeof(c.chip.dummy); i++)
			((unsigned char *)c.chip.dummy)[i] = r64();
	} else if (c.chip_id < 2) {
		for (i = 1 + rnd(3); i; i--)
			((unsigned char *)&c.chip.pic)[rnd(sizeof(c.chip.pic))] = rnd(2) ? r64() :
										  1u << rnd(8);
	} else {
		for (i = 1 + rnd(3); i; i--) {
			__u64 *e = &c.chip.ioapic.redirtbl[rnd(KVM_IOAPIC_NUM_PINS)].bits;

			*e ^= rnd(2) ? 1ull << rnd(64) : r64();
		}
		if (one_in(4))
			c.chip.ioapic.irr = r64();
		if (one_in(4))
			c.chip.ioapic.ioregsel = rnd(2) ? rnd(64) : r64();
		if (one_in(8))
			c.chip.ioapic.base_address = rnd(2) ? 0xfec00000 + PAGE : edge64();
		if (one_in(8))
			c.chip.ioapic.id = r64();
	}
	IOCTL_PLACED(vm->fd, FD_VM, KVM_SET_IRQCHIP, &c, sizeof(c));
}

static void msi_message(uint32_t *lo, uint32_t *hi, uint32_t *data)
{
	*lo = rnd(4) ? 0xfee00000 | (rnd(2) ? rnd(4) << 12 : 0xff000) | rnd(2) << 2 | rnd(2) << 3 :
		       r64();
	*hi = rnd(4) ? 0 : rnd(2) ? rnd(4) << 8 : r64();
	*data = rnd(4) ? (0x20 + rnd(0xe0)) | PICK(0, 0, 0, 1, 2, 4, 5, 6, 7) << 8 |
			 rnd(2) << 14 | rnd(2) << 15 : r64();
}

/*
 * KVM_SET_GSI_ROUTING: random entries of every type, or a table of valid
 * MSI routes up to 4096 entries, or one entry too many; now and then the
 * table runs into the guard page.
 */
static void op_gsi_routing(struct vm *vm)
{
	struct kvm_irq_routing *t = (struct kvm_irq_routing *)it.routes;
	uint32_t nr = rnd(4) ? rnd(32) : PICK(0, 1, 24, 1024, 4095, 4096, 4097, 0x10000,
					      0xffffffff);
	unsigned int k = nr < ROUTES_MAX ? nr : ROUTES_MAX, i, fl = F_DIRECT;
	bool tidy = k > 64 && rnd(2);
	size_t len;
	void *p = t;

	memset(t, 0, sizeof(*t));
	t->nr = nr;
	t->flags = one_in(16) ? edge64() : 0;
	for (i = 0; i < k; i++) {
		struct kvm_irq_routing_entry *e = &t->entries[i];

		memset(e, 0, sizeof(*e));
		if (tidy) {
			e->gsi = i;
			e->type = KVM_IRQ_ROUTING_MSI;
			msi_message(&e->u.msi.address_lo, &e->u.msi.address_hi, &e->u.msi.data);
			continue;
		}
		e->gsi = gsi_value();
		e->type = rnd(4) ? 1 + rnd(2) : rnd(8);
		e->flags = one_in(8) ? rnd(2) ? rnd(4) : r64() : 0;
		if (e->type == KVM_IRQ_ROUTING_IRQCHIP) {
			e->u.irqchip.irqchip = rnd(4) ? rnd(3) : r64();
			e->u.irqchip.pin = rnd(4) ? rnd(e->u.irqchip.irqchip < 2 ? 8 : 24) :
					   rnd(2) ? rnd(32) : r64();
		} else if (e->type == KVM_IRQ_ROUTING_MSI) {
			msi_message(&e->u.msi.address_lo, &e->u.msi.address_hi, &e->u.msi.data);
			if (e->flags)
				e->u.msi.devid = r64();
		} else {
			e->u.pad[rnd(8)] = r64();
		}
		if (one_in(16))
			e->pad = r64();
	}
	len = sizeof(*t) + k * sizeof(t->entries[0]);
	if (one_in(16)) {
		fl |= F_BADPTR;
		p = rnd(2) ? NULL : it.none;
	} else if (k && one_in(16)) {
		/* the header and half the entries before the guard page */
		len = sizeof(*t) + (k / 2) * sizeof(t->entries[0]);
		p = it.routes + ROUTES_LEN - len;
		memmove(p, t, len);
		fl |= F_PARTPTR;
	}
	if (cfg.verbose)
		printf("    # SET_GSI_ROUTING nr %u%s\n", nr, tidy ? " (MSI routes)" : "");
	fz_ioctl(vm->fd, FD_VM, I_KVM_SET_GSI_ROUTING, KVM_SET_GSI_ROUTING, (unsigned long)p, fl);
}

/* An open eventfd, mostly; now and then a file of another kind or none. */
static int any_fd(void)
{
	int live[MAX_EFDS], n = 0, i;

	for (i = 0; i < MAX_EFDS; i++)
		if (it.efd[i] >= 0)
			live[n++] = it.efd[i];
	if (n && rnd(6))
		return live[rnd(n)];
	switch (rnd(6)) {
	case 0:
		return -1;
	case 1:
		return 1000 + rnd(10000);
	case 2:
		return pick_sys();
	case 3:
		return pick_vm()->fd;
	case 4:
		return pick_vcpu()->fd;
	default:
		return rnd(2) ? 0 : 0x7fffffff;
	}
}

/*
 * Eventfds and KVM_IRQFD: made, signalled, drained, closed; irqfds
 * assigned (with or without a resample eventfd) and deassigned, on good
 * and bad files and GSIs.
 */
static void op_irqfd(struct vm *vm)
{
	struct kvm_irqfd f;
	uint64_t val;
	int *e, fd;

	switch (rnd(8)) {
	case 0:
		e = fd_entry(it.efd, MAX_EFDS);
		*e = eventfd(rnd(4) ? 0 : 1, EFD_NONBLOCK | EFD_CLOEXEC | (one_in(4) ? EFD_SEMAPHORE : 0));
		COUNT(st->ops[OP_eventfd_open]);
		return;
	case 1:
		e = &it.efd[rnd(MAX_EFDS)];
		if (*e >= 0) {
			close(*e);
			COUNT(st->ops[OP_eventfd_close]);
		}
		*e = -1;
		return;
	case 2:
		fd = it.efd[rnd(MAX_EFDS)];
		val = rnd(8) ? 1 : PICK(2, 0xfffffffffffffffeull);
		if (fd >= 0 && write(fd, &val, sizeof(val)) == sizeof(val))
			COUNT(st->ops[OP_eventfd_signal]);
		return;
	case 3:
		fd = it.efd[rnd(MAX_EFDS)];
		if (fd >= 0 && read(fd, &val, sizeof(val)) == sizeof(val))
			COUNT(st->ops[OP_eventfd_read]);
		return;
	default:
		break;
	}
	memset(&f, 0, sizeof(f));
	f.fd = any_fd();
	f.gsi = gsi_value();
	f.flags = rnd(4) ? PICK(0, 0, 0, KVM_IRQFD_FLAG_DEASSIGN, KVM_IRQFD_FLAG_RESAMPLE) :
		  rnd(2) ? rnd(4) : edge64();
	if (f.flags & KVM_IRQFD_FLAG_RESAMPLE)
		f.resamplefd = any_fd();
	if (one_in(16))
		f.pad[rnd(sizeof(f.pad))] = r64();
	IOCTL_PLACED(vm->fd, FD_VM, KVM_IRQFD, &f, sizeof(f));
	/* signalled at once, now and then */
	if (one_in(3) && (int)f.fd >= 0) {
		val = 1;
		if (write(f.fd, &val, sizeof(val)) == sizeof(val))
			COUNT(st->ops[OP_eventfd_signal]);
	}
}

static void op_signal_msi(struct vm *vm)
{
	struct kvm_msi m;

	memset(&m, 0, sizeof(m));
	msi_message(&m.address_lo, &m.address_hi, &m.data);
	m.flags = rnd(4) ? 0 : rnd(2) ? KVM_MSI_VALID_DEVID : edge64();
	if (m.flags)
		m.devid = r64();
	if (one_in(16))
		m.pad[rnd(sizeof(m.pad))] = r64();
	IOCTL_PLACED(vm->fd, FD_VM, KVM_SIGNAL_MSI, &m, sizeof(m));
}

/* KVM_CREATE_PIT2, KVM_GET/SET_PIT2 (channels changed field by field), KVM_REINJECT_CONTROL. */
static void op_pit(struct vm *vm)
{
	struct kvm_pit_state2 ps;
	struct kvm_reinject_control rc;
	unsigned int fl = 0, i, j;
	void *p;

	switch (rnd(5)) {
	case 0:
		vm_create_pit(vm);
		return;
	case 1:
		memset(&rc, 0, sizeof(rc));
		rc.pit_reinject = rnd(4) ? rnd(2) : r64();
		if (one_in(8))
			rc.reserved[rnd(sizeof(rc.reserved))] = r64();
		IOCTL_PLACED(vm->fd, FD_VM, KVM_REINJECT_CONTROL, &rc, sizeof(rc));
		return;
	default:
		break;
	}
	memset(&ps, 0, sizeof(ps));
	p = place(&ps, sizeof(ps), &fl);
	if (!IOCTL(vm->fd, FD_VM, KVM_GET_PIT2, p, fl) && good(p, fl))
		memcpy(&ps, p, sizeof(ps));
	if (one_in(3))
		return;
	for (i = 1 + rnd(4); i; i--) {
		struct kvm_pit_channel_state *c = &ps.channels[rnd(3)];

		switch (rnd(10)) {
		case 0:
			c->count = rnd(2) ? PICK(0, 1, 2, 3, 4, 100, 1193, 0xffff, 0x10000,
						  0x10001, 0xffffffff) : r64();
			break;
		case 1:
			c->mode = rnd(2) ? rnd(6) : r64();
			break;
		case 2:
			c->rw_mode = rnd(2) ? rnd(4) : r64();
			c->read_state = rnd(2) ? rnd(4) : r64();
			c->write_state = rnd(2) ? rnd(4) : r64();
			break;
		case 3:
			c->gate = rnd(2) ? rnd(2) : r64();
			break;
		case 4:
			c->count_latched = r64();
			c->latched_count = r64();
			break;
		case 5:
			c->status_latched = r64();
			c->status = r64();
			break;
		case 6:
			c->bcd = rnd(2) ? rnd(2) : r64();
			c->write_latch = r64();
			break;
		case 7:
			c->count_load_time = edge64();
			break;
		case 8:
			ps.flags = rnd(2) ? rnd(4) : r64();
			break;
		default:
			for (j = 0; j < sizeof(*c); j++)
				((unsigned char *)c)[j] = r64();
			break;
		}
	}
	if (one_in(8))
		ps.reserved[rnd(9)] = r64();
	IOCTL_PLACED(vm->fd, FD_VM, KVM_SET_PIT2, &ps, sizeof(ps));
}

/* KVM_GET/SET_LAPIC: the register page read, registers changed, written back. */
static void op_lapic(struct vcpu *v)
{
	struct kvm_lapic_state s;
	unsigned int i, reg;

	vcpu_get(v, I_KVM_GET_LAPIC, &s, sizeof(s));
	if (one_in(3))
		return;
	if (one_in(8)) {
		for (i = 0; i < sizeof(s.regs); i++)
			s.regs[i] = r64();
	} else {
		for (i = 1 + rnd(6); i; i--) {
			reg = apic_reg() & 0x3f0;
			put32((unsigned char *)s.regs + reg, apic_value(reg));
		}
		if (one_in(4))
			put32((unsigned char *)s.regs + 0x20, rnd(2) ? v->id << 24 : v->id);
	}
	vcpu_set(v, I_KVM_SET_LAPIC, &s, sizeof(s));
}

/* KVM_SET_VAPIC_ADDR: off, a word of slot 0's data, across its end, anywhere. */
static void op_vapic(struct vcpu *v)
{
	struct kvm_vapic_addr a = { 0 };

	switch (rnd(4)) {
	case 0:
		break;
	case 1:
		a.vapic_addr = G_DATA + 0x8000 + 4 * rnd(0x400) + (one_in(8) ? 1 + rnd(3) : 0);
		break;
	case 2:
		a.vapic_addr = PICK(MEM0_SIZE - 2, MEM0_SIZE - 4, MEM0_SIZE, G_MMIO, 0xfee00000,
				    G_DATA + PAGE - 2);
		break;
	default:
		a.vapic_addr = edge64();
		break;
	}
	vcpu_set(v, I_KVM_SET_VAPIC_ADDR, &a, sizeof(a));
}

/* KVM_GET/SET_TSC_KHZ on the vCPU, and on the VM (the rate of new vCPUs). */
static void op_tsc_khz(struct vcpu *v)
{
	long khz = IOCTL(v->fd, FD_VCPU, KVM_GET_TSC_KHZ, 0, 0);
	struct vm *vm = vm_of(v);
	uint64_t arg;

	switch (rnd(4)) {
	case 0:
		arg = 0;
		break;
	case 1:
		arg = khz > 0 ? khz + PICK(0, 1, -1, 100, -100, 1000, -1000) : 1000000;
		break;
	case 2:
		arg = khz > 0 ? khz * PICK(2, 3) / 2 : 2000000;
		break;
	default:
		arg = edge64();
		break;
	}
	if (one_in(4)) {
		IOCTL(vm->fd, FD_VM, KVM_GET_TSC_KHZ, 0, 0);
		IOCTL(vm->fd, FD_VM, KVM_SET_TSC_KHZ, arg, 0);
	} else {
		IOCTL(v->fd, FD_VCPU, KVM_SET_TSC_KHZ, arg, 0);
	}
}

/*
 * A guest whose code is mostly the irqchip's devices (ins_irq()), on a
 * vCPU made runnable, then runs; now and then an interrupt raised from
 * user space while it runs.
 */
static void op_irq_guest(struct vcpu *v)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

	irq_bias = true;
	op_prepare(v);
	irq_bias = false;
	if (one_in(2))
		IOCTL(v->fd, FD_VCPU, KVM_SET_MP_STATE, &mp, F_DIRECT);
	op_run(v);
	if (one_in(2)) {
		op_irq_line(vm_of(v));
		op_run(v);
	}
}

/* Files closed in odd orders while the irqchip's state exists. */
static void op_irq_close(void)
{
	struct vm *vm = pick_vm();
	unsigned int i;

	switch (rnd(4)) {
	case 0:
		/* every eventfd, irqfds still assigned */
		for (i = 0; i < MAX_EFDS; i++) {
			if (it.efd[i] >= 0) {
				close(it.efd[i]);
				COUNT(st->ops[OP_eventfd_close]);
			}
			it.efd[i] = -1;
		}
		break;
	case 1:
		/* the VM first, its vCPUs still open and running later */
		close_vm(vm);
		op_run(&vm->vcpus[rnd(MAX_VCPUS)]);
		break;
	case 2:
		/* a vCPU, then an interrupt for it */
		close_vcpu(&vm->vcpus[rnd(MAX_VCPUS)]);
		if (rnd(2))
			op_signal_msi(vm);
		else
			op_irq_line(vm);
		break;
	default:
		/* an irqfd's eventfd closed, signalled just before */
		op_irqfd(vm);
		i = rnd(MAX_EFDS);
		if (it.efd[i] >= 0) {
			uint64_t one = 1;

			if (write(it.efd[i], &one, sizeof(one)) == sizeof(one))
				COUNT(st->ops[OP_eventfd_signal]);
			close(it.efd[i]);
			COUNT(st->ops[OP_eventfd_close]);
			it.efd[i] = -1;
		}
		break;
	}
}

/*
 * A thread that assigns, deassigns and signals irqfds of the iteration's
 * eventfds, and raises lines, beside the main thread's irqchip ioctls and
 * the vCPUs' runs: KVM_IRQFD against itself from two threads, an eventfd
 * closed while an assign of it runs. Its ioctls are not recorded.
 */
struct irq_helper {
	pthread_t thread;
	struct vm *vm;
	int vm_fd;
	uint64_t seed;
	unsigned int n;
	bool started;
};

static void *irq_helper_main(void *arg)
{
	struct irq_helper *h = arg;
	struct kvm_irq_level l;
	struct kvm_irqfd f;
	uint64_t one = 1;
	unsigned int i;
	int fd;

	rng_state = h->seed;
	targ = map_arg_buffer();
	if (!targ)
		return NULL;
	for (i = 0; i < h->n; i++) {
		fd = __atomic_load_n(&it.efd[rnd(MAX_EFDS)], __ATOMIC_RELAXED);
		memset(&f, 0, sizeof(f));
		f.fd = fd;
		f.gsi = rnd(24);
		f.flags = PICK(0, 0, KVM_IRQFD_FLAG_DEASSIGN, KVM_IRQFD_FLAG_RESAMPLE);
		if (f.flags & KVM_IRQFD_FLAG_RESAMPLE)
			f.resamplefd = __atomic_load_n(&it.efd[rnd(MAX_EFDS)], __ATOMIC_RELAXED);
		fz_ioctl(h->vm_fd, FD_VM, I_KVM_IRQFD, KVM_IRQFD, (unsigned long)&f,
			 F_NOREC | F_DIRECT);
		if (fd >= 0 && rnd(2) && write(fd, &one, sizeof(one)) == sizeof(one))
			COUNT(st->ops[OP_eventfd_signal]);
		if (one_in(4)) {
			l = (struct kvm_irq_level) { .irq = rnd(24), .level = rnd(2) };
			fz_ioctl(h->vm_fd, FD_VM, I_KVM_IRQ_LINE, KVM_IRQ_LINE, (unsigned long)&l,
				 F_NOREC | F_DIRECT);
		}
	}
	munmap(targ, ARG_SIZE + PAGE);
	return NULL;
}

/*
 * The vCPUs of a VM running in threads, the helper above racing this
 * thread's irqchip ioctls: lines, MSIs, routes replaced, chip and PIT
 * states set, irqfds and eventfds made and closed. No VM or vCPU file is
 * closed meanwhile (the threads hold their numbers).
 */
static void op_irq_while_running(struct vm *vm)
{
	struct irq_helper h = { .vm = vm, .vm_fd = vm->fd, .seed = r64(), .n = 5 + rnd(60) };
	struct runner r[MAX_VCPUS];
	unsigned int i, n = 0, k;

	COUNT(st->ops[OP_irq_while_running]);
	for (i = 0; i < MAX_VCPUS; i++)
		if (vm->vcpus[i].fd >= 0 && n < 4)
			start_runner(&r[n++], &vm->vcpus[i], 2 + rnd(20));
	h.started = !pthread_create(&h.thread, NULL, irq_helper_main, &h);
	for (k = 2 + rnd(30); k; k--) {
		switch (rnd(6)) {
		case 0:
			op_irq_line(vm);
			break;
		case 1:
			op_signal_msi(vm);
			break;
		case 2:
			op_gsi_routing(vm);
			break;
		case 3:
			op_irqchip_state(vm);
			break;
		case 4:
			op_pit(vm);
			break;
		default:
			op_irqfd(vm);
			break;
		}
	}
	if (h.started)
		pthread_join(h.thread, NULL);
	join_runners(r, n);
}

/* --- one iteration ---------------------------------------------------------------------- */

/* With every file closed, half the time, open what it takes to run a guest again. */
static void revive(void)
{
	struct vcpu *v = pick_vcpu();
	struct vm *vm;

	if (v->fd >= 0 || rnd(2))
		return;
	if (pick_sys() < 0)
		op_open_dev();
	vm = pick_vm();
	if (vm->fd < 0)
		op_create_vm();
	op_create_vcpu(pick_vm());
}

static void one_op(void)
{
	unsigned int k;
	struct vcpu *v;
	struct vm *vm;

	revive();
	k = rnd(120);
	if (cfg.verbose) {
		printf("    # op %u\n", k);
		fflush(stdout);
	}

	switch (k) {
	case 0 ... 1:
		op_open_dev();
		break;
	case 2:
		op_close_sys();
		break;
	case 3 ... 4:
		op_api_version();
		break;
	case 5 ... 6:
		op_check_extension(pick_sys(), FD_SYS);
		break;
	case 7 ... 8:
		op_create_vm();
		break;
	case 9:
		op_mmap_size();
		break;
	case 10:
		op_msr_list(one_in(3));
		break;
	case 11:
		op_supported_cpuid(one_in(3));
		break;
	case 12 ... 13: {
		enum fd_kind kind = rnd(3);

		op_unknown(kind == FD_SYS ? pick_sys() : kind == FD_VM ? pick_vm()->fd :
			   pick_vcpu()->fd, kind);
		break;
	}
	case 14 ... 15:
		op_cross();
		break;
	case 16 ... 24:
		op_set_region(pick_vm(), 0);
		break;
	case 25 ... 27:
		op_create_vcpu(pick_vm());
		break;
	case 28:
		vm = pick_vm();
		if (rnd(2))
			op_check_extension(vm->fd, FD_VM);
		else
			op_vm_addr(vm);
		break;
	case 29:
		close_vm(pick_vm());
		break;
	case 30 ... 36:
		op_prepare(pick_vcpu());
		break;
	case 37 ... 50:
		op_run(pick_vcpu());
		break;
	case 51 ... 53:
		op_regs(pick_vcpu());
		break;
	case 54 ... 57:
		op_sregs(pick_vcpu());
		break;
	case 58 ... 60:
		op_msrs(pick_vcpu());
		break;
	case 61 ... 62:
		op_cpuid2(pick_vcpu());
		break;
	case 63 ... 64:
		op_interrupt(pick_vcpu());
		break;
	case 65 ... 67:
		op_events(pick_vcpu());
		break;
	case 68:
		op_mp_state(pick_vcpu());
		break;
	case 69 ... 70:
		op_xcrs(pick_vcpu());
		break;
	case 71 ... 73:
		op_xsave(pick_vcpu(), rnd(2) ? 4096 : 8192);
		break;
	case 74 ... 75:
		op_fpu(pick_vcpu());
		break;
	case 76:
		op_stats_fd(pick_vcpu());
		break;
	case 77 ... 78:
		if (rnd(4))
			op_stats_read();
		else
			op_close_stats();
		break;
	case 79:
		op_debugregs(pick_vcpu());
		break;
	case 80 ... 81:
		op_mmap(pick_vcpu());
		break;
	case 82:
		op_munmap();
		break;
	case 83:
		op_touch();
		break;
	case 84:
		v = pick_vcpu();
		if (rnd(2))
			close_vcpu(v);
		else
			op_unknown(v->fd, FD_VCPU);
		break;
	case 85 ... 86:
		op_fork();
		break;
	case 87 ... 89:
		op_two_threads(pick_vcpu());
		break;
	case 90 ... 93:
		op_vcpus_running(pick_vm(), true);
		break;
	case 94 ... 95:
		op_vcpus_running(pick_vm(), false);
		break;
	case 96:
		op_fd_limit();
		break;
	case 100 ... 101:
		op_irq_line(pick_vm());
		break;
	case 102:
		op_irqchip_state(pick_vm());
		break;
	case 103:
		op_gsi_routing(pick_vm());
		break;
	case 104 ... 106:
		op_irqfd(pick_vm());
		break;
	case 107:
		op_signal_msi(pick_vm());
		break;
	case 108:
		op_pit(pick_vm());
		break;
	case 109:
		op_vm_irqchip(pick_vm());
		break;
	case 110:
		op_tsc_khz(pick_vcpu());
		break;
	case 111 ... 112:
		op_lapic(pick_vcpu());
		break;
	case 113:
		op_vapic(pick_vcpu());
		break;
	case 114 ... 117:
		op_irq_guest(pick_vcpu());
		break;
	case 118:
		op_irq_close();
		break;
	case 119:
		op_irq_while_running(pick_vm());
		break;
	default:
		/* a vCPU with a fresh guest, so that runs reach guest code often */
		v = pick_vcpu();
		op_prepare(v);
		op_run(v);
		break;
	}
}

static void iteration_setup(void)
{
	struct sigaction sa = { .sa_handler = on_sigbus };
	pthread_t wd_thread;
	unsigned int i, j;

	memset(&it, 0, sizeof(it));
	for (i = 0; i < MAX_SYS; i++)
		it.sys[i] = -1;
	for (i = 0; i < MAX_STATS; i++)
		it.stats[i] = -1;
	for (i = 0; i < MAX_EFDS; i++)
		it.efd[i] = -1;
	for (i = 0; i < MAX_VMS; i++) {
		it.vms[i].fd = -1;
		for (j = 0; j < MAX_VCPUS; j++)
			it.vms[i].vcpus[j].fd = -1;
	}
	it.mem0 = mmap(NULL, MEM0_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);
	it.mem1 = mmap(NULL, MEM1_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	it.none = mmap(NULL, NONE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	it.arg = map_arg_buffer();
	it.routes = mmap(NULL, ROUTES_LEN + PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (it.routes != MAP_FAILED)
		mprotect(it.routes + ROUTES_LEN, PAGE, PROT_NONE);
	if (it.mem0 == MAP_FAILED || it.mem1 == MAP_FAILED || it.none == MAP_FAILED || !it.arg ||
	    it.routes == MAP_FAILED) {
		printf("    # iteration: out of memory for its buffers\n");
		_exit(2);
	}
	targ = it.arg;
	is_main_thread = true;
	sigaction(SIGBUS, &sa, NULL);
	wd_register();
	if (pthread_create(&wd_thread, NULL, watchdog, NULL)) {
		printf("    # iteration: cannot start the watchdog\n");
		_exit(2);
	}
}

/* What every iteration starts with, so that it reaches a running guest. */
static void prologue(void)
{
	struct vm *vm = &it.vms[0];
	long r;

	it.sys[0] = open(cfg.dev, O_RDWR | O_CLOEXEC);
	COUNT(st->ops[OP_open_dev]);
	r = IOCTL(it.sys[0], FD_SYS, KVM_GET_VCPU_MMAP_SIZE, 0, 0);
	if (r > 0 && r < (1 << 20))
		it.mmap_size = r;
	op_msr_list(false);
	op_supported_cpuid(false);
	r = IOCTL(it.sys[0], FD_SYS, KVM_CREATE_VM, 0, 0);
	vm->fd = r < 0 ? -1 : r;
	vm_irq_setup(vm);
	r = IOCTL(vm->fd, FD_VM, KVM_CREATE_VCPU, 0, 0);
	vm->vcpus[0].fd = r < 0 ? -1 : r;
	map_run(&vm->vcpus[0]);
	op_prepare(&vm->vcpus[0]);
	op_run(&vm->vcpus[0]);
}

/* The end: every file closed in one of several orders, or left to exit(). */
static void epilogue(void)
{
	unsigned int i, j, order = rnd(4);

	if (!order) {
		COUNT(st->ops[OP_exit_by_exit]);
		return;
	}
	COUNT(st->ops[OP_exit_by_close]);
	if (order == 3) {
		for (i = 0; i < MAX_MAPS; i++)
			if (it.maps[i].addr)
				munmap(it.maps[i].addr, it.maps[i].len);
		for (i = 0; i < MAX_STATS; i++)
			op_close_stats();
		for (i = 0; i < MAX_SYS; i++)
			op_close_sys();
	}
	/* irqfds' eventfds before their VMs, or after them */
	if (order != 2) {
		for (i = 0; i < MAX_EFDS; i++) {
			if (it.efd[i] >= 0)
				close(it.efd[i]);
			it.efd[i] = -1;
		}
	}
	for (i = 0; i < MAX_VMS; i++) {
		if (order == 2)
			close_vm(&it.vms[i]);
		for (j = 0; j < MAX_VCPUS; j++)
			close_vcpu(&it.vms[i].vcpus[j]);
		close_vm(&it.vms[i]);
	}
	for (i = 0; i < MAX_EFDS; i++)
		if (it.efd[i] >= 0)
			close(it.efd[i]);
	for (i = 0; i < MAX_SYS; i++)
		if (it.sys[i] >= 0)
			close(it.sys[i]);
}

/* One iteration, in a child process: exits 0, or EXIT_STUCK from the watchdog. */
static noreturn void run_iteration(uint64_t seed, uint64_t deadline)
{
	unsigned int n, i;

	rng_state = seed;
	iteration_setup();
	it.soft_deadline = deadline;
	prologue();
	n = 20 + rnd(300);
	for (i = 0; i < n && now_ns() < it.soft_deadline; i++)
		one_op();
	if (i < n)
		printf("    # iteration %lu stopped at its time limit after %u of %u operations\n",
		       st->iter, i, n);
	epilogue();
	fflush(stdout);
	_exit(0);
}

/* --- the supervisor: modules, memory, the kernel log ----------------------------------- */

/*
 * What may stay allocated from before the load to after the unload:
 * about three times the most a run left behind in eight measured runs of
 * 20 s to 3 min, l1vmm's and KVM's (free -324 kB, SUnreclaim +100 kB at
 * most; doc/fuzzing.md). "Free" is MemFree and the per-CPU free lists.
 */
#define SLAB_TOLERANCE_KB	320
#define MEMFREE_TOLERANCE_KB	1024

struct mem {
	long free_kb, slab_kb, percpu_kb, pcp_kb;
	char raw[8192];		/* /proc/meminfo, for what moved most */
};

#define MAX_CACHES	512

struct cache {
	char name[32];
	long kb;
};

static struct cache caches_before[MAX_CACHES], caches_after[MAX_CACHES];
static int ncaches_before, ncaches_after;

static long meminfo_field(const char *buf, const char *field)
{
	const char *p = strstr(buf, field);

	return p ? strtol(p + strlen(field), NULL, 10) : -1;
}

static ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = 0, r;

	while (fd >= 0 && n < (ssize_t)size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += r;
	if (fd >= 0)
		close(fd);
	buf[n] = 0;
	return n;
}

/*
 * The pages on per-CPU free lists (/proc/zoneinfo, "count:"): free, but
 * not in MemFree, and their number moves by megabytes with the load.
 */
static long pcp_kb(void)
{
	static char buf[65536];
	const char *p = buf;
	long pages = 0;

	read_file("/proc/zoneinfo", buf, sizeof(buf));
	while ((p = strstr(p, "\n              count: "))) {
		p += strlen("\n              count: ");
		pages += strtol(p, NULL, 10);
	}
	return pages * (long)(PAGE / 1024);
}

static void read_mem(struct mem *m)
{
	read_file("/proc/meminfo", m->raw + 1, sizeof(m->raw) - 1);
	m->raw[0] = '\n';
	m->free_kb = meminfo_field(m->raw, "\nMemFree:");
	m->slab_kb = meminfo_field(m->raw, "\nSUnreclaim:");
	m->percpu_kb = meminfo_field(m->raw, "\nPercpu:");
	m->pcp_kb = pcp_kb();
}

/*
 * /proc/vmallocinfo by caller ("size caller" of each area that has pages):
 * the vmalloc memory that stayed is printed by who allocated it.
 */
#define MAX_VMALLOC	2048

struct vmalloc_area {
	char caller[48];
	long size;
};

static struct vmalloc_area vmalloc_before[MAX_VMALLOC], vmalloc_after[MAX_VMALLOC];
static int nvmalloc_before, nvmalloc_after;

static int read_vmallocinfo(struct vmalloc_area *a)
{
	static char line[512];
	FILE *f = fopen("/proc/vmallocinfo", "r");
	int n = 0;

	while (f && n < MAX_VMALLOC && fgets(line, sizeof(line), f)) {
		if (!strstr(line, " pages=") ||
		    sscanf(line, "%*s %ld %47s", &a[n].size, a[n].caller) != 2)
			continue;
		n++;
	}
	if (f)
		fclose(f);
	return n;
}

/* Areas after the unload that were not there before, by caller. */
static void print_vmalloc_growth(void)
{
	static char buf[512];
	static bool used[MAX_VMALLOC];
	int i, j, len = 0, shown = 0;

	memset(used, 0, sizeof(used));
	for (i = 0; i < nvmalloc_after && shown < 6; i++) {
		for (j = 0; j < nvmalloc_before; j++) {
			if (!used[j] && vmalloc_before[j].size == vmalloc_after[i].size &&
			    !strcmp(vmalloc_before[j].caller, vmalloc_after[i].caller)) {
				used[j] = true;
				break;
			}
		}
		if (j < nvmalloc_before)
			continue;
		append(buf, sizeof(buf), &len, " %s %ld", vmalloc_after[i].caller,
		       vmalloc_after[i].size);
		shown++;
	}
	printf(
	       "    # vmalloc areas new after the unload (caller, bytes):%s\n",
	       len ? buf : " none");
}

/* The names in /proc/modules, one per line. */
static char modules_before[4096], modules_after[4096];

static void read_modules(char *buf, size_t size)
{
	static char line[512];
	FILE *f = fopen("/proc/modules", "r");
	int len = 0;

	buf[0] = 0;
	while (f && fgets(line, sizeof(line), f) && (size_t)len + 64 < size)
		append(buf, size, &len, "%.*s\n", (int)strcspn(line, " "), line);
	if (f)
		fclose(f);
}

/* Modules loaded after the unload that were not before: what the run pulled in. */
static void print_new_modules(void)
{
	static char name[72], buf[512];
	const char *p = modules_after;
	int len = 0;

	while (*p) {
		size_t n = strcspn(p, "\n");

		/* modules_before starts with a newline: every name is "\nNAME\n" there. */
		snprintf(name, sizeof(name), "\n%.*s\n", (int)n, p);
		if (!strstr(modules_before, name))
			append(buf, sizeof(buf), &len, " %.*s", (int)n, p);
		p += n + (p[n] ? 1 : 0);
	}
	if (len)
		printf("    # modules loaded during the run, still there:%s\n", buf);
}

/* Free memory: MemFree, and the free pages on per-CPU lists. */
static long free_kb(const struct mem *m)
{
	return m->free_kb + m->pcp_kb;
}

/* The /proc/meminfo fields that moved by more than @min kB from @a to @b. */
static void print_meminfo_moves(const struct mem *a, const struct mem *b, long min)
{
	static char line[1024], name[64];
	const char *p = a->raw + 1;
	int len = 0;

	while (*p) {
		const char *colon = strchr(p, ':'), *nl = strchr(p, '\n');
		long va, vb;

		if (!colon || !nl)
			break;
		snprintf(name, sizeof(name), "\n%.*s:", (int)(colon - p), p);
		va = strtol(colon + 1, NULL, 10);
		vb = meminfo_field(b->raw, name);
		if (vb - va > min || va - vb > min)
			append(line, sizeof(line), &len, " %s %+ld", name + 1,
			       vb - va);
		p = nl + 1;
	}
	printf("    # /proc/meminfo moves over %ld kB:%s (per-CPU free lists %+ld kB)\n", min,
	       len ? line : " none", b->pcp_kb - a->pcp_kb);
}

/* /proc/slabinfo: the memory each cache's slabs hold, in kB. */
static int read_slabinfo(struct cache *c)
{
	static char line[512];
	FILE *f = fopen("/proc/slabinfo", "r");
	long active, num, objsize, perslab, pages, aslabs, nslabs;
	int n = 0;

	if (!f)
		return 0;
	while (n < MAX_CACHES && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%31s %ld %ld %ld %ld %ld : tunables %*d %*d %*d : slabdata %ld %ld",
			   c[n].name, &active, &num, &objsize, &perslab, &pages, &aslabs,
			   &nslabs) != 8)
			continue;
		c[n].kb = nslabs * pages * (long)(PAGE / 1024);
		n++;
	}
	fclose(f);
	return n;
}

static void write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0)
			(void)0;
		close(fd);
	}
}

/* Empty slabs and caches back to the page allocator, RCU-freed objects included. */
static void settle(void)
{
	static char path[300];
	int pass;

	for (pass = 0; pass < 2; pass++) {
		DIR *d = opendir("/sys/kernel/slab");
		struct dirent *e;

		write_str("/proc/sys/vm/drop_caches", "3");
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", e->d_name);
			write_str(path, "1");
		}
		if (d)
			closedir(d);
		usleep(500 * 1000);
	}
}

/* The five caches that grew most from before the load to after the unload. */
static void print_slab_growth(const char *when)
{
	static char buf[512];
	long grew[MAX_CACHES];
	int i, j, k, len = 0;

	for (i = 0; i < ncaches_after; i++) {
		grew[i] = caches_after[i].kb;
		for (j = 0; j < ncaches_before; j++)
			if (!strcmp(caches_before[j].name, caches_after[i].name))
				grew[i] -= caches_before[j].kb;
	}
	buf[0] = 0;
	for (k = 0; k < 5; k++) {
		int best = -1;

		for (i = 0; i < ncaches_after; i++)
			if (grew[i] > 0 && (best < 0 || grew[i] > grew[best]))
				best = i;
		if (best < 0)
			break;
		append(buf, sizeof(buf), &len, " %s %+ld kB",
		       caches_after[best].name, grew[best]);
		grew[best] = 0;
	}
	printf("    # slab caches grown most %s:%s\n", when, len ? buf : " none");
}

/* Kernel log lines that are splats (scripts/ktap-summary looks for most of them). */
static const char *const splats[] = {
	"WARNING:", "BUG:", "Oops", "general protection", "Kernel panic", "kernel BUG at",
	"UBSAN:", "refcount_t:", "Bad page", "INFO: task", "list_add corruption",
	"list_del corruption", "soft lockup", "hard LOCKUP", "rcu: INFO:", "stack-protector",
};

static int kmsg_fd = -1;

/* New kernel log records: how many are splats. */
static int kmsg_splats(void)
{
	static char rec[2048];
	unsigned int i;
	int found = 0;
	ssize_t n;

	if (kmsg_fd < 0)
		return 0;
	for (;;) {
		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			return found;
		rec[n] = 0;
		for (i = 0; i < ARRAY_SIZE(splats); i++)
			if (strstr(rec, splats[i]))
				found++;
	}
}

static const char *const l1vmm_mods[] = { L1VMM_MODULE_NAME };
static const char *const kvm_amd_mods[] = { "irqbypass", "kvm", "ccp", "kvm-amd" };
static const char *const kvm_intel_mods[] = { "irqbypass", "kvm", "kvm-intel" };

static int load_modules(const char **why)
{
	const char *const *mods = kvm_amd_mods;
	size_t n = ARRAY_SIZE(kvm_amd_mods), i;
	static char path[256];
	int r;

	if (!cfg.kvm) {
		*why = "l1vmm.ko";
		r = l1vmm_load(NULL);
		return r == -EEXIST ? 0 : r;
	}
	if (cpu_has_flag("vmx")) {
		mods = kvm_intel_mods;
		n = ARRAY_SIZE(kvm_intel_mods);
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s.ko", kvm_module_dir(), mods[i]);
		*why = mods[i];
		r = module_load(path, NULL);
		if (r && r != -EEXIST && r != -ENOENT)
			return r;
	}
	return 0;
}

/* Unload, retrying for a while: the last files go with processes being reaped. */
static int unload_modules(unsigned int *tries)
{
	const char *const *mods = kvm_amd_mods;
	size_t n = ARRAY_SIZE(kvm_amd_mods);
	char name[32];
	int r = 0, i;
	size_t j;

	if (!cfg.kvm) {
		mods = l1vmm_mods;
		n = ARRAY_SIZE(l1vmm_mods);
	} else if (cpu_has_flag("vmx")) {
		mods = kvm_intel_mods;
		n = ARRAY_SIZE(kvm_intel_mods);
	}
	for (i = n - 1; i >= 0; i--) {
		snprintf(name, sizeof(name), "%s", mods[i]);
		for (j = 0; name[j]; j++)
			if (name[j] == '-')
				name[j] = '_';
		for (*tries = 1; ; (*tries)++) {
			r = module_unload(name);
			if (r != -EAGAIN || *tries >= 50)
				break;
			usleep(100 * 1000);
		}
		/* ccp may not have loaded (load_modules() lets it go). */
		if (r == -ENOENT && strcmp(name, "ccp"))
			return r;
		if (r && r != -ENOENT)
			return r;
	}
	return 0;
}

/* --- coverage ------------------------------------------------------------------------- */

static void print_coverage(const char *label, uint64_t seed, double minutes, uint64_t iters)
{
	static char line[4096];
	uint64_t total = 0, kinds = 0;
	unsigned int i, k, e;
	int len;

	for (i = 0; i < NR_IOCS; i++) {
		uint64_t calls = 0;

		for (k = 0; k < NR_FD_KINDS; k++)
			calls += st->calls[i][k];
		if (!calls)
			continue;
		total += calls;
		kinds++;
		len = snprintf(line, sizeof(line), "    # %s %lu:", iocs[i].name, calls);
		for (k = 0; k < NR_FD_KINDS; k++)
			if (st->calls[i][k])
				append(line, sizeof(line), &len, " %s %lu",
				       fd_kind_names[k], st->calls[i][k]);
		append(line, sizeof(line), &len, "; ok %lu", st->ok[i]);
		for (e = 0; e < NR_ERRNO; e++)
			if (st->err[i][e])
				append(line, sizeof(line), &len, ", %s %lu",
				       errname(e), st->err[i][e]);
		puts(line);
	}
	len = snprintf(line, sizeof(line), "    # operations:");
	for (i = 0; i < NR_OPS; i++)
		if (st->ops[i])
			append(line, sizeof(line), &len, " %s %lu",
			       op_names[i], st->ops[i]);
	puts(line);
	len = 0;
	line[0] = 0;
	for (i = 0; i < NR_EXITS; i++)
		if (st->exits[i])
			append(line, sizeof(line), &len, " %s %lu",
			       i < ARRAY_SIZE(exit_names) ? exit_names[i] : "other",
			       st->exits[i]);
	printf(
	       "    # %s: %lu ioctls (%lu kinds), %lu KVM_RUN, exits:%s, %lu iterations, %.1f minutes, %lu findings, seed %#lx\n",
	       label, total, kinds, st->runs, len ? line : " none", iters, minutes,
	       st->findings, seed);
}

/* --- l1vmm's answers against KVM's, for the same seed ------------------------------------ */

static struct trace_iter *cmp;
static uint64_t cmp_n;

struct cmp_result {
	uint64_t iters, same, differ, diverged;
	uint64_t by_ioc[NR_IOCS];
	/* the first of each kind: ioctl, l1vmm's answer, KVM's */
	char examples[24][160];
	uint16_t example_kind[24][2];
	unsigned int nexamples;
};

static struct cmp_result cr;

static const char *answer(unsigned int err)
{
	return err ? errname(err) : "success";
}

static void compare_iteration(uint64_t i)
{
	const struct trace_iter *a, *b = &trace[i];
	unsigned int k;
	uint32_t j;

	if (!cmp || i >= cmp_n || cmp[i].seed != b->seed)
		return;
	a = &cmp[i];
	cr.iters++;
	for (j = 0; j < a->n && j < b->n; j++) {
		unsigned int ia = a->ops[j] >> 8, ib = b->ops[j] >> 8;

		if (ia != ib || ia >= NR_IOCS) {
			cr.diverged++;
			return;
		}
		if (a->ops[j] == b->ops[j]) {
			cr.same++;
			continue;
		}
		cr.differ++;
		cr.by_ioc[ia]++;
		for (k = 0; k < cr.nexamples; k++)
			if (cr.example_kind[k][0] == a->ops[j] && cr.example_kind[k][1] == b->ops[j])
				break;
		if (k < cr.nexamples || cr.nexamples == ARRAY_SIZE(cr.examples))
			continue;
		cr.example_kind[k][0] = a->ops[j];
		cr.example_kind[k][1] = b->ops[j];
		snprintf(cr.examples[cr.nexamples++], sizeof(cr.examples[0]),
			 "iteration %lu (seed %#lx), ioctl %u: %s: l1vmm %s, KVM %s", i, b->seed, j,
			 iocs[ia].name, answer(a->ops[j] & 0xff), answer(b->ops[j] & 0xff));
	}
	if (a->n != b->n)
		cr.diverged++;
}

static void print_comparison(void)
{
	static char line[2048];
	unsigned int i;
	int len;

	if (!cmp)
		return;
	printf(
	       "    # against l1vmm with the same seed: %lu iterations, %lu ioctls answered alike, %lu differently; the sequences parted (one side's answer changed what came next) in %lu\n",
	       cr.iters, cr.same, cr.differ, cr.diverged);
	len = snprintf(line, sizeof(line), "    # differences by ioctl:");
	for (i = 0; i < NR_IOCS; i++)
		if (cr.by_ioc[i])
			append(line, sizeof(line), &len, " %s %lu",
			       iocs[i].name, cr.by_ioc[i]);
	puts(line);
	for (i = 0; i < cr.nexamples; i++)
		printf("    # e.g. %s\n", cr.examples[i]);
}

static int write_trace(const char *path, uint64_t n)
{
	FILE *f = fopen(path, "w");
	int r;

	if (!f)
		return -1;
	r = fwrite(&n, sizeof(n), 1, f) == 1 && fwrite(trace, sizeof(*trace), n, f) == n;
	return fclose(f) || !r ? -1 : 0;
}

static int read_compare(const char *path)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	cmp = mmap(NULL, TRACE_MAX_ITERS * sizeof(*cmp), PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (cmp == MAP_FAILED || fread(&cmp_n, sizeof(cmp_n), 1, f) != 1 ||
	    cmp_n > TRACE_MAX_ITERS || fread(cmp, sizeof(*cmp), cmp_n, f) != cmp_n) {
		fclose(f);
		cmp = NULL;
		return -1;
	}
	fclose(f);
	return 0;
}

/* --- main ------------------------------------------------------------------------------- */

/* CR3 and CR4 as the L1 CPU (L0's model of it) takes them: see l0_safe_sregs(). */
static void l0_limits(void)
{
	static const struct {
		const char *flag;
		unsigned int bit;
	} cr4[] = {
		{ "umip", 11 }, { "fsgsbase", 16 }, { "pcid", 17 }, { "xsave", 18 },
		{ "smep", 20 }, { "smap", 21 }, { "pku", 22 }, { "la57", 12 },
	};
	unsigned int eax = 0, ebx, ecx, edx, i;

	__asm__ volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(0x80000008));
	cfg.cr3_ok = ((1ull << ((eax & 0xff) ? (eax & 0xff) : 36)) - 1);
	cfg.cr4_ok = (1ull << 11) - 1;		/* VME ... OSXMMEXCPT */
	for (i = 0; i < ARRAY_SIZE(cr4); i++)
		if (cpu_has_flag(cr4[i].flag))
			cfg.cr4_ok |= 1ull << cr4[i].bit;
}

static void print_usage(void)
{
	fprintf(stderr, "usage: l1vmm-fuzz --device l1vmm|kvm --seed N --seconds S\n"
		"       [--iteration-seed N] [--trace FILE] [--compare FILE] [--no-load]\n"
		"       [--bochs] [--any-xcr0] [--verbose 1|2]\n");
	exit(2);
}

static void result(unsigned int nr, bool ok, const char *name, const char *why)
{
	printf(
	       "    %sok %u %s%s%s\n",
	       ok ? "" : "not ", nr, name, why ? " # " : "", why ? why : "");
}

/* Wait for iteration @pid at most ITER_KILL_S: 0 done, 1 killed, 2 cannot be killed. */
static int wait_iteration(pid_t pid, int *status)
{
	uint64_t end = now_ns() + ITER_KILL_S * NSEC;

	while (now_ns() < end) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return 0;
		usleep(5000);
	}
	kill(pid, SIGKILL);
	end = now_ns() + 10 * NSEC;
	while (now_ns() < end) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return 1;
		usleep(10000);
	}
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 't' },
		{ "iteration-seed", required_argument, NULL, 'i' },
		{ "trace", required_argument, NULL, 'T' },
		{ "compare", required_argument, NULL, 'C' },
		{ "no-load", no_argument, NULL, 'n' },
		{ "bochs", no_argument, NULL, 'f' },
		{ "any-xcr0", no_argument, NULL, 'x' },
		{ "verbose", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *trace_path = NULL, *compare_path = NULL, *why = "";
	uint64_t seed = 1, seconds = 60, one_seed = 0, iters = 0, start, end, i;
	bool single = false, load = true, any_xcr0 = false, crashed = false, stuck = false;
	char crash[128] = "", what[128], crash_why[192];
	bool unkillable = false, splat = false, ok_load, ok_unload, ok_mem;
	static struct mem before, after_run, after;
	unsigned int tries = 0;
	static char reason[256];
	struct sigaction sa = { .sa_handler = on_kick };
	int c, r, splats = 0;

	cfg.dev = "/dev/l1vmm";
	cfg.label = "fuzz";
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			cfg.kvm = !strcmp(optarg, "kvm");
			if (!cfg.kvm && strcmp(optarg, "l1vmm"))
				print_usage();
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 't':
			seconds = strtoull(optarg, NULL, 0);
			break;
		case 'i':
			one_seed = strtoull(optarg, NULL, 0);
			single = true;
			break;
		case 'T':
			trace_path = optarg;
			break;
		case 'C':
			compare_path = optarg;
			break;
		case 'n':
			load = false;
			break;
		case 'f':
			cfg.bochs = true;
			break;
		case 'x':
			any_xcr0 = true;
			break;
		case 'v':
			cfg.verbose = atoi(optarg);
			break;
		default:
			print_usage();
		}
	}
	if (cfg.kvm) {
		cfg.dev = "/dev/kvm";
		cfg.label = "fuzz@kvm";
	}
	/* l1vmm restores the host's XCR0 after guest XSETBV: see ins_xsetbv(). */
	cfg.any_xcr0 = !cfg.kvm || any_xcr0;
	if (cpu_has_flag("xsave"))
		cfg.host_xcr0 = host_xcr0();
	l0_limits();

	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	trace = mmap(NULL, TRACE_MAX_ITERS * sizeof(*trace), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED || trace == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	/* Everything this process will hold, in place before the first reading. */
	memset(st, 0, sizeof(*st));
	memset(trace, 0, TRACE_MAX_ITERS * sizeof(*trace));
	memset(caches_before, 0, sizeof(caches_before));
	memset(caches_after, 0, sizeof(caches_after));
	memset(vmalloc_before, 0, sizeof(vmalloc_before));
	memset(vmalloc_after, 0, sizeof(vmalloc_after));
	memset(&cr, 0, sizeof(cr));
	if (compare_path && read_compare(compare_path))
		compare_path = NULL;

	printf("    KTAP version 1\n");
	printf("    # Subtest: %s\n", cfg.label);
	printf("    1..6\n");
	if (single)
		printf("    # %s: %s, one iteration, seed %#lx%s\n", cfg.label, cfg.dev,
		       one_seed, load ? "" : ", module loaded by the caller");
	else
		printf("    # %s: %s, seed %#lx, %lu s%s\n", cfg.label, cfg.dev, seed,
		       seconds, load ? "" : ", module loaded by the caller");

	if (load) {
		r = module_unload(cfg.kvm ? (cpu_has_flag("vmx") ? "kvm_intel" : "kvm_amd") :
				  L1VMM_MODULE_NAME);
		(void)r;
		/* Warm-up: whatever reading allocates, it allocates now. */
		settle();
		read_mem(&before);
		ncaches_before = read_slabinfo(caches_before);
		nvmalloc_before = read_vmallocinfo(vmalloc_before);
		settle();
		read_mem(&before);
		ncaches_before = read_slabinfo(caches_before);
		nvmalloc_before = read_vmallocinfo(vmalloc_before);
		read_modules(modules_before + 1, sizeof(modules_before) - 1);
		modules_before[0] = '\n';
		r = load_modules(&why);
		ok_load = !r;
		snprintf(reason, sizeof(reason), "loading %s: %s", why, errname(-r));
		printf(
		       "    # memory before the load: free %ld kB (MemFree and per-CPU lists), SUnreclaim %ld kB, Percpu %ld kB\n",
		       free_kb(&before), before.slab_kb, before.percpu_kb);
		result(1, ok_load, "module_load", ok_load ? NULL : reason);
		if (!ok_load) {
			for (i = 2; i <= 6; i++)
				result(i, true, "not_run", "SKIP the device's module did not load");
			return cfg.kvm ? KSFT_SKIP : 1;
		}
	} else {
		result(1, true, "module_load", "SKIP loaded by the caller");
	}
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);

	start = now_ns();
	end = start + seconds * NSEC;
	for (i = 0; single ? i < 1 : now_ns() < end; i++) {
		uint64_t iseed = single ? one_seed : iteration_seed(seed, i);
		uint64_t t0 = now_ns(), soft = t0 + (single ? 3 : 1) * ITER_SOFT_NS;
		int status = 0, w, n;
		pid_t pid;

		if (i >= TRACE_MAX_ITERS)
			break;
		if (!single && soft > end + 2 * NSEC)
			soft = end + 2 * NSEC;
		st->iter = i;
		st->iter_seed = iseed;
		trace[i].seed = iseed;
		trace[i].n = 0;
		printf("    # iteration %lu seed %#lx\n", i, iseed);
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			trace_cur = &trace[i];
			run_iteration(iseed, soft);
		}
		if (pid < 0) {
			if (!crashed)
				snprintf(crash, sizeof(crash), "fork: %s", strerror(errno));
			perror("fork");
			crashed = true;
			break;
		}
		iters++;
		w = wait_iteration(pid, &status);
		what[0] = '\0';
		if (w)
			snprintf(what, sizeof(what), "iteration %lu (seed %#lx) still ran after %d s: %s",
				 i, iseed, ITER_KILL_S, w == 1 ? "killed" : "cannot be killed");
		else if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_STUCK)
			stuck = true;
		else if (!WIFEXITED(status) || WEXITSTATUS(status))
			snprintf(what, sizeof(what), "iteration %lu (seed %#lx) ended with %s %d",
				 i, iseed, WIFSIGNALED(status) ? "signal" : "exit code",
				 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		if (what[0]) {
			printf("    # %s\n", what);
			/* The first one goes into the result line too. */
			if (!crashed)
				memcpy(crash, what, sizeof(crash));
			crashed = true;
			unkillable = w == 2;
		}
		n = kmsg_splats();
		if (n) {
			printf(
			       "    # %d kernel splat line(s) during iteration %lu (seed %#lx): see the console above\n",
			       n, i, iseed);
			splats += n;
			splat = true;
		}
		if (w || n || (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_STUCK) ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			printf(
			       "    # replay this iteration alone: make fuzz FUZZ_ITERATION_SEED=%#lx FUZZ_DEV=%s\n",
			       iseed, cfg.kvm ? "kvm" : "l1vmm");
		compare_iteration(i);
		if (unkillable)
			break;
	}

	/* The first failure in the result line: CI's summary shows that line. */
	snprintf(crash_why, sizeof(crash_why), "a crash or hang of the fuzzer, first %s", crash);
	result(2, !crashed, "fuzzer_ran", crashed ? crash_why : NULL);
	result(3, !stuck, "runs_returned", stuck ? "a KVM_RUN outlived its signal" : NULL);
	result(4, !splat, "no_kernel_splat", splat ? "see the kernel log above" : NULL);
	print_coverage(cfg.label, seed, (now_ns() - start) / 60e9, iters);
	print_comparison();

	if (load) {
		read_mem(&after_run);
		r = unkillable ? -EBUSY : unload_modules(&tries);
		ok_unload = !r;
		snprintf(reason, sizeof(reason), "delete_module: %s after %u tries", errname(-r),
			 tries);
		result(5, ok_unload, "module_unload", ok_unload ? NULL : reason);
		settle();
		read_mem(&after);
		ncaches_after = read_slabinfo(caches_after);
		nvmalloc_after = read_vmallocinfo(vmalloc_after);
		read_modules(modules_after, sizeof(modules_after));
		printf(
		       "    # memory with the module loaded, after the run: free %+ld kB, SUnreclaim %+ld kB, Percpu %+ld kB\n",
		       free_kb(&after_run) - free_kb(&before), after_run.slab_kb - before.slab_kb,
		       after_run.percpu_kb - before.percpu_kb);
		printf(
		       "    # memory after the unload: free %+ld kB (tolerance -%d), SUnreclaim %+ld kB (tolerance +%d), Percpu %+ld kB\n",
		       free_kb(&after) - free_kb(&before), MEMFREE_TOLERANCE_KB,
		       after.slab_kb - before.slab_kb, SLAB_TOLERANCE_KB,
		       after.percpu_kb - before.percpu_kb);
		print_slab_growth("from before the load to after the unload");
		print_meminfo_moves(&before, &after, 32);
		print_vmalloc_growth();
		print_new_modules();
		ok_mem = free_kb(&before) - free_kb(&after) <= MEMFREE_TOLERANCE_KB &&
			 after.slab_kb - before.slab_kb <= SLAB_TOLERANCE_KB;
		if (!ok_unload)
			ok_mem = true;	/* the module's own memory is still there */
		result(6, ok_mem, "memory_returned", !ok_unload ? "SKIP the module did not unload" :
		       ok_mem ? NULL : "more than the tolerance stayed allocated");
	} else {
		ok_unload = ok_mem = true;
		result(5, true, "module_unload", "SKIP loaded by the caller");
		result(6, true, "memory_returned", "SKIP loaded by the caller");
	}
	if (trace_path && write_trace(trace_path, iters))
		printf("    # cannot write %s\n", trace_path);
	if (crashed || stuck || splat || !ok_unload || !ok_mem) {
		printf("    # replay: make fuzz FUZZ_SEED=%#lx FUZZ_SECONDS=%lu FUZZ_DEV=%s\n",
		       seed, seconds, cfg.kvm ? "kvm" : "l1vmm");
		return 1;
	}
	return 0;
}
