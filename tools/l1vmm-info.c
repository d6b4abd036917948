// SPDX-License-Identifier: GPL-2.0-only
/*
 * l1vmm-info: what a KVM-style device answers. Usage: l1vmm-info [DEVICE]
 * (default /dev/l1vmm; /dev/kvm works too).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MAX_CAP_PROBED	1024

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/dev/l1vmm";
	int fd, version, cap, r, nonzero = 0;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "l1vmm-info: open %s: %s\n", path, strerror(errno));
		return 1;
	}
	version = ioctl(fd, KVM_GET_API_VERSION, 0);
	printf("%s: KVM_GET_API_VERSION = %d\n", path, version);

	printf("%s: KVM_CHECK_EXTENSION answers other than 0 (caps 0..%d):", path,
	       MAX_CAP_PROBED - 1);
	for (cap = 0; cap < MAX_CAP_PROBED; cap++) {
		r = ioctl(fd, KVM_CHECK_EXTENSION, cap);
		if (r != 0) {
			printf(" %d=%d", cap, r);
			nonzero++;
		}
	}
	printf("%s\n", nonzero ? "" : " none");

	r = ioctl(fd, KVM_CREATE_VM, 0);
	printf("%s: KVM_CREATE_VM: %s\n", path, r >= 0 ? "ok" : strerror(errno));
	if (r >= 0)
		close(r);
	close(fd);
	return version == KVM_API_VERSION ? 0 : 1;
}
