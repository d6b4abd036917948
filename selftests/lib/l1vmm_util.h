/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for in-guest selftests: the device under test, named ioctl
 * wrappers, module load/unload, and the kernel log and memory counters the
 * leak and refusal tests read.
 *
 * The device defaults to /dev/l1vmm; L1VMM_DEV=/dev/kvm runs the same test
 * against KVM, which is how l1vmm's behaviour is compared with KVM's.
 *
 * The modules come from where the test initramfs puts them, unless
 * L1VMM_KO (l1vmm.ko) or L1VMM_KVM_MODULES (a folder of KVM's modules as
 * NAME.ko) say otherwise: the dev image's runner points them at the
 * modules DKMS and the kernel package installed.
 */
#ifndef L1VMM_UTIL_H
#define L1VMM_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "ktap.h"

#define L1VMM_DEFAULT_DEV	"/dev/l1vmm"
#define L1VMM_MODULE_NAME	"l1vmm"

const char *l1vmm_module_path(void);
const char *kvm_module_dir(void);

const char *dev_path(void);
bool dev_is_l1vmm(void);

/* Open the device under test; a failure fails the case. */
int dev_open(void);

/* ioctl() returning its result, or -errno. */
long dev_ioctl(int fd, unsigned long cmd, unsigned long arg);

/* Assert that an ioctl succeeds and return its result. */
long __assert_ioctl_ok(const char *file, int line, int fd, unsigned long cmd,
		       const char *name, unsigned long arg);
#define ASSERT_IOCTL_OK(fd, cmd, arg)						\
	__assert_ioctl_ok(__FILE__, __LINE__, fd, cmd, #cmd, (unsigned long)(arg))

/* Assert that an ioctl fails with @err ("KVM_X(0x1): wanted EINVAL, got 12"). */
void __assert_ioctl_errno(const char *file, int line, int fd, unsigned long cmd,
			  const char *name, unsigned long arg, int err);
#define ASSERT_IOCTL_ERRNO(fd, cmd, arg, err)					\
	__assert_ioctl_errno(__FILE__, __LINE__, fd, cmd, #cmd,			\
			     (unsigned long)(arg), err)

/* Is this L1 guest the one scripts/vmrun boots as --vm @vm ("bochs-intel")? */
bool l1_guest_is(const char *vm);

/* Is L0 QEMU's emulator (l1vmm_accel=tcg: scripts/vmrun, tools/l1vmm-vm)? */
bool l0_is_tcg(void);

/* Is @flag ("svm", "vmx") in this CPU's /proc/cpuinfo flags? */
bool cpu_has_flag(const char *flag);
/* The same for the "vmx flags" line (the VMX capabilities Linux lists). */
bool cpu_has_vmx_flag(const char *flag);
/* Is the CPU the tests run on an Intel one ("GenuineIntel": l1vmm's VMX backend)? */
bool host_is_intel(void);

/* Where the test guests keep the kernel's other modules (zram, msr: scripts/vmrun). */
#define EXTRA_MODULES	"/lib/modules/extra/"

/* finit_module()/delete_module(): 0 or -errno. */
int module_load(const char *path, const char *params);
/* l1vmm's module with @params (NULL: none). */
int l1vmm_load(const char *params);
int module_unload(const char *name);
bool module_loaded(const char *name);

/* A field of /proc/meminfo in kB; a missing field fails the case. */
long meminfo_kb(const char *field);

/* CLOCK_MONOTONIC in seconds. */
double mono_seconds(void);

/*
 * A memory cgroup (v2) of the caller's own: memcg_enter() mounts the
 * hierarchy if needed, makes a child group @name with the memory
 * controller and moves the calling process into it; it skips the case
 * with the reason when cgroups are not there. memcg_current_kb() is its
 * memory.current: everything charged to it, the kernel memory that
 * GFP_KERNEL_ACCOUNT allocations charge included.
 */
void memcg_enter(const char *name);
long memcg_current_kb(void);

/*
 * The kernel log from a point on: kmsg_open() marks "now", kmsg_find() looks
 * for @needle in what was logged since. Returns the matching line or NULL.
 */
int kmsg_open(void);
const char *kmsg_find(int kmsg_fd, const char *needle);

/*
 * The module's build options (/sys/module/l1vmm/parameters/build_options,
 * e.g. "fastpath=on"): read once, skipping the case when the device under
 * test is not l1vmm; then whether @option is one of them.
 */
void l1vmm_read_build_options(void);
bool l1vmm_built_with(const char *option);

#endif /* L1VMM_UTIL_H */
