// SPDX-License-Identifier: GPL-2.0-only
/*
 * l1vmm's kvm_dev=1: with KVM not loaded, l1vmm registers /dev/kvm too
 * (KVM's name and minor, 10:232), so that KVM programs use it unchanged;
 * with KVM loaded, /dev/kvm stays KVM's and l1vmm loads with /dev/l1vmm
 * only; while it is /dev/kvm, KVM's vendor module is refused at load (its
 * failed kvm_init() would leave freed code registered, in Linux 6.1). Off
 * by default. Leaves l1vmm loaded with its defaults.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "l1vmm_util.h"

#define KVM_NODE	"/dev/kvm"

static long l1vmm_refcnt(void)
{
	FILE *f = fopen("/sys/module/l1vmm/refcnt", "r");
	long n = -1;

	TEST_ASSERT(f, "/sys/module/l1vmm/refcnt: %s", strerror(errno));
	TEST_ASSERT(fscanf(f, "%ld", &n) == 1, "refcnt unreadable");
	fclose(f);
	return n;
}

static void reload_l1vmm(const char *params)
{
	if (module_loaded(L1VMM_MODULE_NAME))
		ASSERT_EQ(0, module_unload(L1VMM_MODULE_NAME));
	ASSERT_EQ(0, l1vmm_load(params));
}

/* KVM's vendor module for this CPU: its file name, and the module's name. */
static const char *kvm_vendor_file(void)
{
	return cpu_has_flag("svm") ? "kvm-amd" : "kvm-intel";
}

static const char *kvm_vendor_name(void)
{
	return cpu_has_flag("svm") ? "kvm_amd" : "kvm_intel";
}

/* KVM's other modules in load order (ccp only where Debian builds it: AMD). */
static const char * const kvm_common[] = { "irqbypass", "kvm", "ccp" };

static bool load_module_file(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s.ko", kvm_module_dir(), name);
	return access(path, R_OK) || !module_load(path, NULL);
}

static bool load_kvm(void)
{
	size_t i;

	for (i = 0; i < KTAP_ARRAY_SIZE(kvm_common); i++)
		if (!load_module_file(kvm_common[i]))
			return false;
	return load_module_file(kvm_vendor_file());
}

static void unload_kvm(void)
{
	size_t i;

	if (module_loaded(kvm_vendor_name()))
		module_unload(kvm_vendor_name());
	for (i = KTAP_ARRAY_SIZE(kvm_common); i-- > 0;)
		if (module_loaded(kvm_common[i]))
			module_unload(kvm_common[i]);
}

static void skip_unless_ready(void)
{
	if (!module_loaded(L1VMM_MODULE_NAME))
		ktap_skip("l1vmm is not loaded (module_load runs first)");
	if (module_loaded("kvm"))
		ktap_skip("KVM is loaded");
}

static void test_off_by_default(void)
{
	skip_unless_ready();
	TEST_ASSERT(access(KVM_NODE, F_OK) < 0 && errno == ENOENT,
		    "/dev/kvm exists with l1vmm's defaults");
}

static void test_stands_in_for_kvm(void)
{
	char link[64], target[64];
	int kmsg, fd, vm;
	struct stat st;
	long before;
	ssize_t n;

	skip_unless_ready();
	kmsg = kmsg_open();
	reload_l1vmm("kvm_dev=1");
	TEST_ASSERT(kmsg_find(kmsg, "l1vmm: standing in for KVM"), "no stand-in message");
	close(kmsg);
	TEST_ASSERT(!stat(KVM_NODE, &st), "/dev/kvm: %s", strerror(errno));
	TEST_ASSERT(S_ISCHR(st.st_mode) && major(st.st_rdev) == 10 && minor(st.st_rdev) == 232,
		    "/dev/kvm is not the misc device 10:232");
	TEST_ASSERT(!access("/dev/l1vmm", F_OK), "/dev/l1vmm is gone");

	/* Opening /dev/kvm holds l1vmm: it is l1vmm's file. */
	before = l1vmm_refcnt();
	fd = open(KVM_NODE, O_RDWR | O_CLOEXEC);
	TEST_ASSERT(fd >= 0, "open /dev/kvm: %s", strerror(errno));
	ASSERT_EQ(before + 1, l1vmm_refcnt());
	ASSERT_EQ(KVM_API_VERSION, ASSERT_IOCTL_OK(fd, KVM_GET_API_VERSION, 0));
	vm = ASSERT_IOCTL_OK(fd, KVM_CREATE_VM, 0);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", vm);
	n = readlink(link, target, sizeof(target) - 1);
	TEST_ASSERT(n > 0, "readlink: %s", strerror(errno));
	target[n] = '\0';
	ASSERT_STREQ("anon_inode:kvm-vm", target);
	close(vm);
	close(fd);

	/* Unloading takes /dev/kvm away with it. */
	ASSERT_EQ(0, module_unload(L1VMM_MODULE_NAME));
	TEST_ASSERT(access(KVM_NODE, F_OK) < 0 && errno == ENOENT, "/dev/kvm outlived l1vmm");
	reload_l1vmm(NULL);
}

static void test_kvm_keeps_its_node(void)
{
	long before;
	int kmsg, fd;

	skip_unless_ready();
	if (!load_kvm()) {
		unload_kvm();
		ktap_skip("cannot load KVM's modules");
	}
	kmsg = kmsg_open();
	reload_l1vmm("kvm_dev=1");
	TEST_ASSERT(kmsg_find(kmsg, "/dev/kvm is taken"), "no message about KVM's /dev/kvm");
	close(kmsg);
	before = l1vmm_refcnt();
	fd = open(KVM_NODE, O_RDWR | O_CLOEXEC);
	TEST_ASSERT(fd >= 0, "open /dev/kvm: %s", strerror(errno));
	ASSERT_EQ(before, l1vmm_refcnt());
	close(fd);
	TEST_ASSERT(!access("/dev/l1vmm", F_OK), "no /dev/l1vmm");
	reload_l1vmm(NULL);
	unload_kvm();
}

/*
 * KVM's vendor module is refused while l1vmm is /dev/kvm; once l1vmm goes it loads,
 * twice (a kvm_init() that had failed would have left its syscore ops
 * behind: the second load's list check is a kernel BUG).
 */
static void test_refuses_kvm_while_standing_in(void)
{
	char path[PATH_MAX], refusal[64];
	int kmsg, i;

	skip_unless_ready();
	snprintf(path, sizeof(path), "%s/%s.ko", kvm_module_dir(), kvm_vendor_file());
	if (access(path, R_OK))
		ktap_skip("no %s.ko", kvm_vendor_file());
	reload_l1vmm("kvm_dev=1");
	kmsg = kmsg_open();
	TEST_ASSERT(!load_kvm(), "KVM loaded while l1vmm is /dev/kvm");
	snprintf(refusal, sizeof(refusal), "l1vmm: refusing to load %s", kvm_vendor_name());
	TEST_ASSERT(kmsg_find(kmsg, refusal), "no refusal message");
	close(kmsg);
	ASSERT_EQ(-EBUSY, module_load(path, NULL));
	TEST_ASSERT(!module_loaded(kvm_vendor_name()), "%s loaded", kvm_vendor_name());
	unload_kvm();
	ASSERT_EQ(0, module_unload(L1VMM_MODULE_NAME));
	for (i = 0; i < 2; i++) {
		TEST_ASSERT(load_kvm(), "KVM does not load once l1vmm is gone (try %d)", i + 1);
		unload_kvm();
	}
	reload_l1vmm(NULL);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_off_by_default),
	KTAP_CASE(test_stands_in_for_kvm),
	KTAP_CASE(test_kvm_keeps_its_node),
	/* Three loads of KVM: seconds each under Bochs. */
	KTAP_CASE_TIMEOUT(test_refuses_kvm_while_standing_in, 120),
};

int main(void)
{
	return ktap_run("kvm_stand_in", tests, KTAP_ARRAY_SIZE(tests));
}
