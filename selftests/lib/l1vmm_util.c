// SPDX-License-Identifier: GPL-2.0-only
/*
 * In-guest selftest helpers; see l1vmm_util.h.
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "l1vmm_util.h"

/* @var from the environment when set and not empty, else @fallback. */
static const char *env_or(const char *var, const char *fallback)
{
	const char *val = getenv(var);

	return val && *val ? val : fallback;
}

const char *dev_path(void)
{
	return env_or("L1VMM_DEV", L1VMM_DEFAULT_DEV);
}

const char *l1vmm_module_path(void)
{
	return env_or("L1VMM_KO", "/lib/modules/l1vmm/l1vmm.ko");
}

const char *kvm_module_dir(void)
{
	return env_or("L1VMM_KVM_MODULES", "/lib/modules/kvm");
}

bool dev_is_l1vmm(void)
{
	return !strcmp(dev_path(), L1VMM_DEFAULT_DEV);
}

int dev_open(void)
{
	int fd = open(dev_path(), O_RDWR | O_CLOEXEC);

	if (fd < 0)
		TEST_FAIL("open(%s): wanted success, got %s", dev_path(),
			  ktap_errno_name(errno));
	return fd;
}

long dev_ioctl(int fd, unsigned long cmd, unsigned long arg)
{
	long r = ioctl(fd, cmd, arg);

	return r < 0 ? -errno : r;
}

long __assert_ioctl_ok(const char *file, int line, int fd, unsigned long cmd,
		       const char *name, unsigned long arg)
{
	long r = dev_ioctl(fd, cmd, arg);

	if (r < 0)
		ktap_fail(file, line, "%s(%#lx): wanted success, got %s",
			  name, arg, ktap_errno_name((int)-r));
	return r;
}

void __assert_ioctl_errno(const char *file, int line, int fd, unsigned long cmd,
			  const char *name, unsigned long arg, int err)
{
	long r = dev_ioctl(fd, cmd, arg);

	if (r == -err)
		return;
	if (r >= 0)
		ktap_fail(file, line, "%s(%#lx): wanted %s, got success %ld",
			  name, arg, ktap_errno_name(err), r);
	ktap_fail(file, line, "%s(%#lx): wanted %s, got %s",
		  name, arg, ktap_errno_name(err), ktap_errno_name((int)-r));
}

/* @flag in the first /proc/cpuinfo line that starts with @label. */
static bool cpuinfo_has(const char *label, const char *flag)
{
	char line[4096], word[64];
	bool found = false;
	FILE *f;

	f = fopen("/proc/cpuinfo", "r");
	if (!f)
		TEST_FAIL("open /proc/cpuinfo: %s", ktap_errno_name(errno));
	snprintf(word, sizeof(word), " %s ", flag);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, label, strlen(label)) || line[strlen(label)] != '\t')
			continue;
		line[strcspn(line, "\n")] = ' ';
		found = strstr(line, word) != NULL;
		break;
	}
	fclose(f);
	return found;
}

/*
 * Does the kernel command line say @name=@value? An initramfs's init has
 * it in its environment (scripts/vmrun); under systemd only
 * /proc/cmdline has it (tools/l1vmm-vm).
 */
static bool kernel_param_is(const char *name, const char *value)
{
	const char *env = getenv(name);
	char line[4096], want[128], *tok, *save;
	bool found = false;
	FILE *f;

	if (env)
		return !strcmp(env, value);
	f = fopen("/proc/cmdline", "r");
	if (!f)
		return false;
	snprintf(want, sizeof(want), "%s=%s", name, value);
	if (fgets(line, sizeof(line), f))
		for (tok = strtok_r(line, "\n ", &save); tok && !found;
		     tok = strtok_r(NULL, "\n ", &save))
			found = !strcmp(tok, want);
	fclose(f);
	return found;
}

bool l1_guest_is(const char *vm)
{
	return kernel_param_is("l1vmm_vm", vm);
}

bool l0_is_tcg(void)
{
	return kernel_param_is("l1vmm_accel", "tcg");
}

bool cpu_has_flag(const char *flag)
{
	return cpuinfo_has("flags", flag);
}

bool cpu_has_vmx_flag(const char *flag)
{
	return cpuinfo_has("vmx flags", flag);
}

bool host_is_intel(void)
{
	unsigned int eax, ebx, ecx, edx;

	__cpuid(0, eax, ebx, ecx, edx);
	return ebx == 0x756e6547 && edx == 0x49656e69 && ecx == 0x6c65746e;
}

int module_load(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	r = syscall(SYS_finit_module, fd, params ? params : "", 0);
	r = r < 0 ? -errno : 0;
	close(fd);
	return r;
}

int l1vmm_load(const char *params)
{
	return module_load(l1vmm_module_path(), params ? params : "");
}

int module_unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) < 0 ? -errno : 0;
}

bool module_loaded(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	return access(path, F_OK) == 0;
}

double mono_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

long meminfo_kb(const char *field)
{
	size_t len = strlen(field);
	char line[256];
	long kb = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		TEST_FAIL("open /proc/meminfo: %s", ktap_errno_name(errno));
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, len) && line[len] == ':') {
			kb = strtol(line + len + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	if (kb < 0)
		TEST_FAIL("/proc/meminfo has no field %s", field);
	return kb;
}

#define CGROUP_ROOT	"/sys/fs/cgroup"

static char memcg_dir[128];

/* Write @text to @dir/@file; 0 or -errno. */
static int write_file(const char *dir, const char *file, const char *text)
{
	char path[256];
	int fd, r = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		r = -errno;
	close(fd);
	return r;
}

void memcg_enter(const char *name)
{
	char pid[32];
	int r;

	if (mount("none", CGROUP_ROOT, "cgroup2", 0, NULL) && errno != EBUSY)
		ktap_skip("no cgroup2 hierarchy: %s", ktap_errno_name(errno));
	r = write_file(CGROUP_ROOT, "cgroup.subtree_control", "+memory");
	if (r)
		ktap_skip("no memory controller: %s", ktap_errno_name(-r));
	snprintf(memcg_dir, sizeof(memcg_dir), CGROUP_ROOT "/%s-%d", name, getpid());
	if (mkdir(memcg_dir, 0755) && errno != EEXIST)
		TEST_FAIL("mkdir %s: %s", memcg_dir, ktap_errno_name(errno));
	snprintf(pid, sizeof(pid), "%d", getpid());
	r = write_file(memcg_dir, "cgroup.procs", pid);
	if (r)
		TEST_FAIL("moving into %s: %s", memcg_dir, ktap_errno_name(-r));
}

long memcg_current_kb(void)
{
	char path[256], text[32] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/memory.current", memcg_dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		TEST_FAIL("open %s: %s", path, ktap_errno_name(errno));
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		TEST_FAIL("read %s", path);
	return strtoll(text, NULL, 10) / 1024;
}

int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		TEST_FAIL("open /dev/kmsg: %s", ktap_errno_name(errno));
	lseek(fd, 0, SEEK_END);
	return fd;
}

const char *kmsg_find(int kmsg_fd, const char *needle)
{
	/* One record per read(); its text follows the first ';'. */
	static char rec[2048];
	ssize_t n;

	for (;;) {
		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten records: go on */
			continue;
		if (n <= 0)
			return NULL;
		rec[n] = '\0';
		if (strstr(rec, needle))
			return strchr(rec, ';') ? strchr(rec, ';') + 1 : rec;
	}
}

#define BUILD_OPTIONS	"/sys/module/l1vmm/parameters/build_options"

static char build_options[256];

void l1vmm_read_build_options(void)
{
	FILE *f;

	if (!dev_is_l1vmm())
		ktap_skip("l1vmm's own build options and statistics");
	f = fopen(BUILD_OPTIONS, "r");
	TEST_ASSERT(f && fgets(build_options, sizeof(build_options), f), "cannot read %s",
		    BUILD_OPTIONS);
	fclose(f);
	build_options[strcspn(build_options, "\n")] = 0;
	ktap_info("l1vmm build options: %s", build_options);
}

bool l1vmm_built_with(const char *option)
{
	const char *p = build_options;
	size_t n = strlen(option);

	while ((p = strstr(p, option))) {
		if ((p == build_options || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
		p += n;
	}
	return false;
}
