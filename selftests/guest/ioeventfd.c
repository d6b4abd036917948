// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_IOEVENTFD: guest port and MMIO writes that an ioeventfd takes signal
 * its eventfd and stay in the kernel (the instruction retired, no exit);
 * the others exit as before, with their data. Each length, any length,
 * with and without datamatch, string OUTS, a read-only slot, memory that a
 * slot backs, deassign, the errnos in KVM's order, the count limit, and an
 * eventfd closed while assigned. Then the interrupt-routing ioctls, which
 * without an in-kernel irqchip answer what KVM answers. Runs against
 * l1vmm and KVM (ioeventfd@kvm).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "kvm_vm.h"

#define MEM_SIZE	(4ul << 20)
#define CODE_GPA	0x10000
#define DATA_GPA	0x100000
#define MMIO_GPA	0x20000000ull	/* no slot; mapped by the guest's page tables */
#define ROM_GPA		0x00400000ull	/* a read-only slot */
#define PORT		0x60
#define VALUE		0x1122334455667788ull

#define IOEVENTFD_MAX_L1VMM	1000	/* doc/abi.md */

/* Seven writes of VALUE: MMIO at RBX (1, 2, 4, 8 bytes), then port DX (1, 2, 4). */
GUEST_CODE(all_writes, ".code64",
	"movb %al, (%rbx)\n\t"
	"movw %ax, (%rbx)\n\t"
	"movl %eax, (%rbx)\n\t"
	"mov %rax, (%rbx)\n\t"
	"out %al, %dx\n\t"
	"out %ax, %dx\n\t"
	"out %eax, %dx\n\t"
	"hlt\n\t");

static const struct {
	bool mmio;
	unsigned int len;
} all_writes_list[] = {
	{ true, 1 }, { true, 2 }, { true, 4 }, { true, 8 },
	{ false, 1 }, { false, 2 }, { false, 4 },
};

#define NR_WRITES	KTAP_ARRAY_SIZE(all_writes_list)

/* A write that exited to user space. */
struct exited {
	bool mmio;
	uint64_t addr;
	unsigned int len;
	unsigned int count;	/* port I/O items */
	uint64_t data;		/* the first item */
};

static int new_eventfd(void)
{
	int fd = eventfd(0, EFD_NONBLOCK);

	TEST_ASSERT(fd >= 0, "eventfd: %s", ktap_errno_name(errno));
	return fd;
}

/* The eventfd's counter, reset to 0 by the read. */
static uint64_t eventfd_take(int fd)
{
	uint64_t n = 0;

	if (read(fd, &n, sizeof(n)) != sizeof(n)) {
		TEST_ASSERT(errno == EAGAIN, "read eventfd: %s", ktap_errno_name(errno));
		return 0;
	}
	return n;
}

static int ioeventfd(struct test_vm *vm, uint32_t flags, uint64_t addr, uint32_t len,
		     uint64_t datamatch, int fd)
{
	struct kvm_ioeventfd args = {
		.datamatch = datamatch,
		.addr = addr,
		.len = len,
		.fd = fd,
		.flags = flags,
	};

	return dev_ioctl(vm->fd, KVM_IOEVENTFD, (unsigned long)&args);
}

#define ASSERT_IOEVENTFD(want, vm, flags, addr, len, datamatch, fd)		\
	do {									\
		int __r = ioeventfd(vm, flags, addr, len, datamatch, fd);	\
		TEST_ASSERT(__r == (want), "KVM_IOEVENTFD(flags %#x, addr %#llx, len %u): " \
			    "wanted %s, got %s", (unsigned int)(flags),		\
			    (unsigned long long)(addr), (unsigned int)(len),	\
			    ktap_errno_name(-(want)), ktap_errno_name(-__r));	\
	} while (0)

/* Run from @rip to HLT; record the writes that exit. Returns how many. */
static unsigned int run_to_hlt(struct test_guest *g, uint64_t rip, struct exited *out,
			       unsigned int max)
{
	struct kvm_run *run = g->vcpu.run;
	struct kvm_regs regs;
	unsigned int n = 0, reason;

	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_GET_REGS, &regs);
	regs.rip = rip;
	regs.rax = VALUE;
	regs.rbx = MMIO_GPA;
	regs.rdx = PORT;
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_SET_REGS, &regs);

	for (;;) {
		reason = vcpu_run(&g->vcpu);
		if (reason == KVM_EXIT_HLT)
			return n;
		TEST_ASSERT(n < max, "more than %u exits", max);
		memset(&out[n], 0, sizeof(out[n]));
		if (reason == KVM_EXIT_MMIO) {
			TEST_ASSERT(run->mmio.is_write, "an MMIO read at %#llx",
				    (unsigned long long)run->mmio.phys_addr);
			out[n].mmio = true;
			out[n].addr = run->mmio.phys_addr;
			out[n].len = run->mmio.len;
			memcpy(&out[n].data, run->mmio.data, run->mmio.len);
		} else if (reason == KVM_EXIT_IO) {
			TEST_ASSERT(run->io.direction == KVM_EXIT_IO_OUT, "an IN from %#x",
				    run->io.port);
			out[n].addr = run->io.port;
			out[n].len = run->io.size;
			out[n].count = run->io.count;
			memcpy(&out[n].data, vcpu_io_data(&g->vcpu), run->io.size);
		} else {
			TEST_FAIL("wanted an MMIO, I/O or HLT exit, got %s",
				  exit_reason_name(reason));
		}
		n++;
	}
}

static uint64_t truncated(uint64_t v, unsigned int len)
{
	return len == 8 ? v : v & ((1ull << (len * 8)) - 1);
}

/*
 * Run all_writes with one ioeventfd assigned; the writes it takes are
 * @taken (bit i: all_writes_list[i]). Every other write exits, in order,
 * with its own address, length and data; the eventfd counts the taken ones;
 * the guest reaches HLT (each taken instruction was retired once).
 */
static void check_all_writes(struct test_guest *g, int efd, uint32_t flags, uint64_t addr,
			     uint32_t len, uint64_t datamatch, unsigned int taken)
{
	struct exited ex[NR_WRITES];
	unsigned int i, n, k = 0;
	struct kvm_regs regs;

	ASSERT_IOEVENTFD(0, &g->vm, flags, addr, len, datamatch, efd);
	n = run_to_hlt(g, CODE_GPA, ex, NR_WRITES);
	for (i = 0; i < NR_WRITES; i++) {
		if (taken & (1u << i))
			continue;
		TEST_ASSERT(k < n, "flags %#x len %u: write %u (%s, %u bytes) did not exit",
			    flags, len, i, all_writes_list[i].mmio ? "MMIO" : "port",
			    all_writes_list[i].len);
		TEST_ASSERT(ex[k].mmio == all_writes_list[i].mmio &&
			    ex[k].len == all_writes_list[i].len &&
			    ex[k].addr == (ex[k].mmio ? MMIO_GPA : PORT) &&
			    ex[k].data == truncated(VALUE, ex[k].len),
			    "flags %#x len %u: exit %u wanted write %u, got %s %#llx len %u data %#llx",
			    flags, len, k, i, ex[k].mmio ? "MMIO" : "port",
			    (unsigned long long)ex[k].addr, ex[k].len,
			    (unsigned long long)ex[k].data);
		k++;
	}
	TEST_ASSERT(k == n, "flags %#x len %u: wanted %u exits, got %u", flags, len, k, n);
	ASSERT_EQ(__builtin_popcount(taken), eventfd_take(efd));
	ASSERT_IOCTL_OK(g->vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(CODE_GPA + GUEST_CODE_SIZE(all_writes), regs.rip);
	ASSERT_IOEVENTFD(0, &g->vm, flags | KVM_IOEVENTFD_FLAG_DEASSIGN, addr, len, datamatch,
			 efd);
}

/* Bits of all_writes_list for @mmio writes of @len bytes (0: any). */
static unsigned int writes_of(bool mmio, unsigned int len)
{
	unsigned int i, bits = 0;

	for (i = 0; i < NR_WRITES; i++)
		if (all_writes_list[i].mmio == mmio && (!len || all_writes_list[i].len == len))
			bits |= 1u << i;
	return bits;
}

static void start(struct test_guest *g, const unsigned char *code, size_t size)
{
	guest_start_long_mode(g, MEM_SIZE, CODE_GPA, code, size);
}

static void test_caps(void)
{
	struct test_vm vm;

	vm_create(&vm);
	ASSERT_EQ(1, ASSERT_IOCTL_OK(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD));
	ASSERT_EQ(1, ASSERT_IOCTL_OK(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD_ANY_LENGTH));
	ASSERT_EQ(1, ASSERT_IOCTL_OK(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD_NO_LENGTH));
	ASSERT_EQ(1, ASSERT_IOCTL_OK(vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD));
	ASSERT_EQ(1, ASSERT_IOCTL_OK(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD));
	ASSERT_EQ(1, ASSERT_IOCTL_OK(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD_RESAMPLE));
	ASSERT_EQ(1, ASSERT_IOCTL_OK(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_SIGNAL_MSI));
	ASSERT_EQ(4096, ASSERT_IOCTL_OK(vm.fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQ_ROUTING));
	ASSERT_EQ(4096, ASSERT_IOCTL_OK(vm.sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQ_ROUTING));
	vm_close(&vm);
}

/* No ioeventfd: all seven writes exit, as before. */
static void test_no_ioeventfd_all_exit(void)
{
	struct exited ex[NR_WRITES];
	struct test_guest g;

	start(&g, all_writes, GUEST_CODE_SIZE(all_writes));
	ASSERT_EQ(NR_WRITES, run_to_hlt(&g, CODE_GPA, ex, NR_WRITES));
	guest_stop(&g);
}

static void each_length(bool mmio)
{
	static const unsigned int lens[] = { 1, 2, 4, 8 };
	uint32_t bus = mmio ? 0 : KVM_IOEVENTFD_FLAG_PIO;
	uint64_t addr = mmio ? MMIO_GPA : PORT;
	const uint32_t dm = KVM_IOEVENTFD_FLAG_DATAMATCH;
	struct test_guest g;
	unsigned int i;
	int efd = new_eventfd();

	start(&g, all_writes, GUEST_CODE_SIZE(all_writes));
	/* Any length. */
	check_all_writes(&g, efd, bus, addr, 0, 0, writes_of(mmio, 0));
	for (i = 0; i < KTAP_ARRAY_SIZE(lens); i++) {
		unsigned int len = lens[i];
		uint64_t v = truncated(VALUE, len);

		/* That length, any value; that value; another value. */
		check_all_writes(&g, efd, bus, addr, len, 0, writes_of(mmio, len));
		check_all_writes(&g, efd, bus | dm, addr, len, v, writes_of(mmio, len));
		check_all_writes(&g, efd, bus | dm, addr, len, v + 1, 0);
		/* The value's bits beyond the length count too: never equal. */
		if (len < 8)
			check_all_writes(&g, efd, bus | dm, addr, len, v | 1ull << 63, 0);
		/* Another address, even one inside the write: not taken. */
		check_all_writes(&g, efd, bus, addr + 1, len, 0, 0);
	}
	/* The other bus at the same address takes nothing. */
	check_all_writes(&g, efd, mmio ? KVM_IOEVENTFD_FLAG_PIO : 0, mmio ? PORT : MMIO_GPA, 0,
			 0, writes_of(!mmio, 0));
	close(efd);
	guest_stop(&g);
}

static void test_mmio_each_length(void)
{
	each_length(true);
}

static void test_pio_each_length(void)
{
	each_length(false);
}

/* N guest writes count N; the counter adds up across runs until read. */
GUEST_CODE(doorbell_loop, ".code64",
	"mov $100, %ecx\n\t"
	"1: out %ax, %dx\n\t"
	"movl %eax, (%rbx)\n\t"
	"loop 1b\n\t"
	"movb $0xab, %al\n\t"
	"out %al, $0x70\n\t"		/* not an ioeventfd: exits, with its data */
	"hlt\n\t");

static void test_counter_after_n_writes(void)
{
	int pio = new_eventfd(), mmio = new_eventfd();
	struct exited ex[2];
	struct test_guest g;

	start(&g, doorbell_loop, GUEST_CODE_SIZE(doorbell_loop));
	ASSERT_IOEVENTFD(0, &g.vm, KVM_IOEVENTFD_FLAG_PIO, PORT, 2, 0, pio);
	ASSERT_IOEVENTFD(0, &g.vm, KVM_IOEVENTFD_FLAG_DATAMATCH, MMIO_GPA, 4,
			 (uint32_t)VALUE, mmio);
	ASSERT_EQ(1, run_to_hlt(&g, CODE_GPA, ex, 2));
	TEST_ASSERT(!ex[0].mmio && ex[0].addr == 0x70 && ex[0].len == 1 && ex[0].data == 0xab,
		    "wanted OUT 0xab to port 0x70, got %s %#llx len %u data %#llx",
		    ex[0].mmio ? "MMIO" : "port", (unsigned long long)ex[0].addr, ex[0].len,
		    (unsigned long long)ex[0].data);
	ASSERT_EQ(1, run_to_hlt(&g, CODE_GPA, ex, 2));
	ASSERT_EQ(200, eventfd_take(pio));
	ASSERT_EQ(200, eventfd_take(mmio));
	ASSERT_EQ(0, eventfd_take(pio));
	close(pio);
	close(mmio);
	guest_stop(&g);
}

/* REP OUTSW of V, V, W, V to one port. */
GUEST_CODE(outs_doorbell, ".code64",
	"cld\n\t"
	"mov $0x100000, %esi\n\t"
	"mov $4, %ecx\n\t"
	"rep outsw\n\t"
	"hlt\n\t");

static void test_string_outs(void)
{
	static const uint16_t items[] = { 0x5555, 0x5555, 0x7777, 0x5555 };
	struct exited ex[4];
	struct test_guest g;
	int efd = new_eventfd();

	start(&g, outs_doorbell, GUEST_CODE_SIZE(outs_doorbell));
	memcpy(g.mem + DATA_GPA, items, sizeof(items));
	/* Any value: each item signals, none exits. */
	ASSERT_IOEVENTFD(0, &g.vm, KVM_IOEVENTFD_FLAG_PIO, PORT, 2, 0, efd);
	ASSERT_EQ(0, run_to_hlt(&g, CODE_GPA, ex, 4));
	ASSERT_EQ(4, eventfd_take(efd));
	ASSERT_IOEVENTFD(0, &g.vm, KVM_IOEVENTFD_FLAG_PIO | KVM_IOEVENTFD_FLAG_DEASSIGN, PORT, 2,
			 0, efd);
	/* Datamatch V: W alone exits, one item. */
	ASSERT_IOEVENTFD(0, &g.vm, KVM_IOEVENTFD_FLAG_PIO | KVM_IOEVENTFD_FLAG_DATAMATCH, PORT,
			 2, 0x5555, efd);
	ASSERT_EQ(1, run_to_hlt(&g, CODE_GPA, ex, 4));
	ASSERT_EQ(1, ex[0].count);
	ASSERT_EQ(0x7777, ex[0].data);
	ASSERT_EQ(3, eventfd_take(efd));
	close(efd);
	guest_stop(&g);
}

/*
 * Only writes that are MMIO can be taken: memory a slot backs is written,
 * not signalled, but a write to a read-only slot is MMIO, as in KVM.
 */
GUEST_CODE(ram_and_rom, ".code64",
	"mov $0x100000, %rbx\n\t"
	"movl $0x1234, (%rbx)\n\t"
	"mov $0x400000, %rbx\n\t"
	"movl $0x5678, (%rbx)\n\t"
	"hlt\n\t");

static void test_memory_backed_by_a_slot(void)
{
	struct exited ex[2];
	struct test_guest g;
	uint32_t *rom;
	int efd = new_eventfd();

	guest_start_long_mode(&g, MEM_SIZE / 2, CODE_GPA, ram_and_rom,
			      GUEST_CODE_SIZE(ram_and_rom));
	rom = vm_add_memory(&g.vm, 1, ROM_GPA, 4096, KVM_MEM_READONLY);
	ASSERT_IOEVENTFD(0, &g.vm, 0, DATA_GPA, 4, 0, efd);
	ASSERT_IOEVENTFD(0, &g.vm, 0, ROM_GPA, 4, 0, efd);
	ASSERT_EQ(0, run_to_hlt(&g, CODE_GPA, ex, 2));
	ASSERT_EQ(0x1234, *(uint32_t *)(g.mem + DATA_GPA));
	ASSERT_EQ(0, rom[0]);
	ASSERT_EQ(1, eventfd_take(efd));
	close(efd);
	guest_stop(&g);
}

static void test_deassign(void)
{
	const uint32_t pio = KVM_IOEVENTFD_FLAG_PIO, dm = KVM_IOEVENTFD_FLAG_DATAMATCH;
	const uint32_t de = KVM_IOEVENTFD_FLAG_DEASSIGN;
	int efd = new_eventfd(), other = new_eventfd();
	struct exited ex[NR_WRITES];
	struct test_guest g;

	start(&g, all_writes, GUEST_CODE_SIZE(all_writes));
	ASSERT_IOEVENTFD(0, &g.vm, pio | dm, PORT, 4, 7, efd);
	/* Only the same bus, address, length, datamatch and eventfd name it. */
	ASSERT_IOEVENTFD(-ENOENT, &g.vm, de | pio | dm, PORT, 4, 8, efd);
	ASSERT_IOEVENTFD(-ENOENT, &g.vm, de | pio, PORT, 4, 7, efd);
	ASSERT_IOEVENTFD(-ENOENT, &g.vm, de | pio | dm, PORT, 2, 7, efd);
	ASSERT_IOEVENTFD(-ENOENT, &g.vm, de | pio | dm, PORT, 0, 7, efd);
	ASSERT_IOEVENTFD(-ENOENT, &g.vm, de | pio | dm, PORT, 260, 7, efd);
	ASSERT_IOEVENTFD(-ENOENT, &g.vm, de | pio | dm, PORT + 1, 4, 7, efd);
	ASSERT_IOEVENTFD(-ENOENT, &g.vm, de | dm, PORT, 4, 7, efd);
	ASSERT_IOEVENTFD(-ENOENT, &g.vm, de | pio | dm, PORT, 4, 7, other);
	ASSERT_IOEVENTFD(-EBADF, &g.vm, de | pio | dm, PORT, 4, 7, -1);
	ASSERT_IOEVENTFD(-EINVAL, &g.vm, de | pio | dm, PORT, 4, 7, g.vm.fd);
	/* Deassign checks neither flags nor length otherwise. */
	ASSERT_IOEVENTFD(0, &g.vm, de | pio | dm | (1u << 20), PORT, 4, 7, efd);
	ASSERT_IOEVENTFD(-ENOENT, &g.vm, de | pio | dm, PORT, 4, 7, efd);
	/* Gone: every write exits again. */
	ASSERT_EQ(NR_WRITES, run_to_hlt(&g, CODE_GPA, ex, NR_WRITES));
	ASSERT_EQ(0, eventfd_take(efd));
	close(efd);
	close(other);
	guest_stop(&g);
}

static void test_assign_errors(void)
{
	const uint32_t pio = KVM_IOEVENTFD_FLAG_PIO, dm = KVM_IOEVENTFD_FLAG_DATAMATCH;
	const uint32_t de = KVM_IOEVENTFD_FLAG_DEASSIGN;
	struct test_vm vm;
	int efd = new_eventfd(), closed = new_eventfd();

	vm_create(&vm);
	close(closed);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_IOEVENTFD, 8, EFAULT);
	ASSERT_IOEVENTFD(-EINVAL, &vm, pio, PORT, 3, 0, efd);
	ASSERT_IOEVENTFD(-EINVAL, &vm, pio, PORT, 16, 0, efd);
	ASSERT_IOEVENTFD(-EINVAL, &vm, 0, ~0ull, 1, 0, efd);	/* wraps */
	ASSERT_IOEVENTFD(-EINVAL, &vm, 0, ~0ull - 3, 8, 0, efd);
	ASSERT_IOEVENTFD(-EINVAL, &vm, 1u << 5, MMIO_GPA, 4, 0, efd);
	ASSERT_IOEVENTFD(-EINVAL, &vm, 1u << 31, MMIO_GPA, 4, 0, efd);
	ASSERT_IOEVENTFD(-EINVAL, &vm, dm, MMIO_GPA, 0, 0, efd);
	/* Length and flags are checked before the fd. */
	ASSERT_IOEVENTFD(-EINVAL, &vm, pio, PORT, 3, 0, -1);
	ASSERT_IOEVENTFD(-EBADF, &vm, pio, PORT, 4, 0, -1);
	ASSERT_IOEVENTFD(-EBADF, &vm, pio, PORT, 4, 0, closed);
	ASSERT_IOEVENTFD(-EINVAL, &vm, pio, PORT, 4, 0, vm.fd);
	/* The last byte of the address space, and the other buses' flags. */
	ASSERT_IOEVENTFD(0, &vm, 0, ~0ull, 0, 0, efd);
	ASSERT_IOEVENTFD(0, &vm, KVM_IOEVENTFD_FLAG_VIRTIO_CCW_NOTIFY, MMIO_GPA, 4, 0, efd);
	ASSERT_IOEVENTFD(-EEXIST, &vm, KVM_IOEVENTFD_FLAG_VIRTIO_CCW_NOTIFY, MMIO_GPA, 4, 0,
			 efd);
	ASSERT_IOEVENTFD(0, &vm, de | KVM_IOEVENTFD_FLAG_VIRTIO_CCW_NOTIFY, MMIO_GPA, 4, 0, efd);
	ASSERT_IOEVENTFD(0, &vm, 1u << 4, MMIO_GPA, 4, 0, efd);	/* the fast-MMIO bit */
	ASSERT_IOEVENTFD(0, &vm, de, MMIO_GPA, 4, 0, efd);

	/* Duplicates: any length collides with all; a wildcard with any value. */
	ASSERT_IOEVENTFD(0, &vm, pio | dm, PORT, 2, 5, efd);
	ASSERT_IOEVENTFD(-EEXIST, &vm, pio | dm, PORT, 2, 5, efd);
	ASSERT_IOEVENTFD(-EEXIST, &vm, pio | dm, PORT, 2, 5, dup(efd));
	ASSERT_IOEVENTFD(-EEXIST, &vm, pio, PORT, 2, 0, efd);
	ASSERT_IOEVENTFD(-EEXIST, &vm, pio, PORT, 0, 0, efd);
	ASSERT_IOEVENTFD(0, &vm, pio | dm, PORT, 2, 6, efd);
	ASSERT_IOEVENTFD(0, &vm, pio | dm, PORT, 4, 5, efd);
	ASSERT_IOEVENTFD(0, &vm, pio, PORT, 1, 0, efd);
	ASSERT_IOEVENTFD(-EEXIST, &vm, pio | dm, PORT, 1, 9, efd);
	ASSERT_IOEVENTFD(0, &vm, dm, PORT, 2, 5, efd);		/* MMIO */
	ASSERT_IOEVENTFD(0, &vm, pio, PORT + 1, 0, 0, efd);
	/* A bad fd still wins over a duplicate. */
	ASSERT_IOEVENTFD(-EBADF, &vm, pio | dm, PORT, 2, 5, -1);
	close(efd);
	vm_close(&vm);
}

/*
 * An eventfd closed while assigned stays assigned (KVM holds its
 * reference, as l1vmm does): the guest's writes still stay in the kernel,
 * and closing the VM drops the last reference.
 */
static void test_eventfd_closed_while_assigned(void)
{
	struct exited ex[NR_WRITES];
	struct test_guest g;
	int efd = new_eventfd(), copy = dup(efd);

	start(&g, all_writes, GUEST_CODE_SIZE(all_writes));
	ASSERT_IOEVENTFD(0, &g.vm, KVM_IOEVENTFD_FLAG_PIO, PORT, 0, 0, efd);
	ASSERT_IOEVENTFD(0, &g.vm, 0, MMIO_GPA, 0, 0, efd);
	close(efd);
	ASSERT_EQ(0, run_to_hlt(&g, CODE_GPA, ex, NR_WRITES));
	ASSERT_EQ(NR_WRITES, eventfd_take(copy));
	close(copy);
	ASSERT_EQ(0, run_to_hlt(&g, CODE_GPA, ex, NR_WRITES));
	/* Nothing names it now: the fd number is gone. */
	ASSERT_IOEVENTFD(-EBADF, &g.vm, KVM_IOEVENTFD_FLAG_PIO | KVM_IOEVENTFD_FLAG_DEASSIGN,
			 PORT, 0, 0, efd);
	guest_stop(&g);
}

/*
 * l1vmm bounds the ioeventfds of a VM; KVM has no count limit (its memory
 * cgroup is the bound). The lookup finds one among the many.
 */
static void test_limit(void)
{
	const uint32_t pio = KVM_IOEVENTFD_FLAG_PIO;
	struct exited ex[NR_WRITES];
	struct test_guest g;
	int efd = new_eventfd();
	unsigned int i;

	start(&g, all_writes, GUEST_CODE_SIZE(all_writes));
	for (i = 0; i < IOEVENTFD_MAX_L1VMM; i++)
		ASSERT_IOEVENTFD(0, &g.vm, pio, PORT - 50 + i, 2, 0, efd);
	ASSERT_IOEVENTFD(dev_is_l1vmm() ? -ENOSPC : 0, &g.vm, 0, MMIO_GPA, 0, 0, efd);
	if (dev_is_l1vmm()) {
		ASSERT_IOEVENTFD(0, &g.vm, pio | KVM_IOEVENTFD_FLAG_DEASSIGN, PORT - 50, 2, 0, efd);
		ASSERT_IOEVENTFD(0, &g.vm, 0, MMIO_GPA, 0, 0, efd);
		ASSERT_IOEVENTFD(-ENOSPC, &g.vm, 0, MMIO_GPA + 8, 0, 0, efd);
	}
	/* MMIO any length and the port's 2-byte write are taken. */
	ASSERT_EQ(NR_WRITES - 5, run_to_hlt(&g, CODE_GPA, ex, NR_WRITES));
	ASSERT_EQ(5, eventfd_take(efd));
	close(efd);
	guest_stop(&g);	/* drops them all */
}

/* 20000 port writes of 2 bytes, then HLT. */
GUEST_CODE(doorbell_many, ".code64",
	"mov $20000, %ecx\n\t"
	"1: out %ax, %dx\n\t"
	"loop 1b\n\t"
	"hlt\n\t");

#define MANY_WRITES	20000

struct racer {
	struct test_guest *g;
	unsigned int exits;
};

static void *run_many(void *arg)
{
	struct racer *r = arg;
	unsigned int reason;

	for (;;) {
		reason = vcpu_run(&r->g->vcpu);
		if (reason == KVM_EXIT_HLT)
			return NULL;
		TEST_ASSERT(reason == KVM_EXIT_IO && r->g->vcpu.run->io.port == PORT,
			    "wanted an OUT to %#x, got %s", PORT, exit_reason_name(reason));
		r->exits++;
	}
}

/*
 * Assign and deassign while the vCPU writes: each write is signalled or
 * exits, exactly once, whichever table it met.
 */
static void test_assign_while_running(void)
{
	const uint32_t pio = KVM_IOEVENTFD_FLAG_PIO;
	struct test_guest g;
	struct racer r = { .g = &g };
	struct kvm_regs regs;
	pthread_t thread;
	uint64_t signalled = 0;
	unsigned int i;
	int efd = new_eventfd();

	start(&g, doorbell_many, GUEST_CODE_SIZE(doorbell_many));
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	regs.rdx = PORT;
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_SET_REGS, &regs);
	TEST_ASSERT(!pthread_create(&thread, NULL, run_many, &r), "pthread_create");
	for (i = 0; i < 200; i++) {
		ASSERT_IOEVENTFD(0, &g.vm, pio, PORT, 2, 0, efd);
		/* Others come and go around it, so that the table is rebuilt. */
		ASSERT_IOEVENTFD(0, &g.vm, pio, PORT + 1 + i % 8, 0, 0, efd);
		ASSERT_IOEVENTFD(0, &g.vm, pio | KVM_IOEVENTFD_FLAG_DEASSIGN, PORT, 2, 0, efd);
		ASSERT_IOEVENTFD(0, &g.vm, pio | KVM_IOEVENTFD_FLAG_DEASSIGN, PORT + 1 + i % 8, 0,
				 0, efd);
		signalled += eventfd_take(efd);
	}
	pthread_join(thread, NULL);
	signalled += eventfd_take(efd);
	ktap_info("%llu writes signalled, %u exited", (unsigned long long)signalled, r.exits);
	ASSERT_EQ(MANY_WRITES, signalled + r.exits);
	close(efd);
	guest_stop(&g);
}

/* Without an in-kernel irqchip, KVM accepts no route, MSI or irqfd. */
static void test_irq_routing_without_irqchip(void)
{
	struct {
		struct kvm_irq_routing h;
		struct kvm_irq_routing_entry e[1];
	} routing = { .h.nr = 1, .e[0] = { .gsi = 1, .type = KVM_IRQ_ROUTING_MSI } };
	struct kvm_msi msi = { .address_lo = 0xfee00000, .data = 0x30 };
	struct kvm_irqfd irqfd = { .gsi = 5 };
	struct test_vm vm;
	int efd = new_eventfd();

	vm_create(&vm);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_SET_GSI_ROUTING, 8, EFAULT);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_SET_GSI_ROUTING, &routing, EINVAL);
	routing.h.nr = 0;
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_SET_GSI_ROUTING, &routing, EINVAL);
	routing.h.nr = 4097;
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_SET_GSI_ROUTING, &routing, EINVAL);
	routing.h.nr = 1;
	routing.h.flags = 1;
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_SET_GSI_ROUTING, &routing, EINVAL);

	ASSERT_IOCTL_ERRNO(vm.fd, KVM_SIGNAL_MSI, 8, EFAULT);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_SIGNAL_MSI, &msi, EINVAL);
	msi.flags = KVM_MSI_VALID_DEVID;
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_SIGNAL_MSI, &msi, EINVAL);

	ASSERT_IOCTL_ERRNO(vm.fd, KVM_IRQFD, 8, EFAULT);
	irqfd.fd = efd;
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_IRQFD, &irqfd, EINVAL);
	irqfd.flags = KVM_IRQFD_FLAG_RESAMPLE;
	irqfd.resamplefd = efd;
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_IRQFD, &irqfd, EINVAL);
	irqfd.flags = 1u << 2;
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_IRQFD, &irqfd, EINVAL);
	/* Assign refuses before it looks at the fd. */
	irqfd.flags = 0;
	irqfd.fd = -1;
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_IRQFD, &irqfd, EINVAL);
	/* Deassign wants an eventfd, then has nothing to remove. */
	irqfd.flags = KVM_IRQFD_FLAG_DEASSIGN;
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_IRQFD, &irqfd, EBADF);
	irqfd.fd = vm.fd;
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_IRQFD, &irqfd, EINVAL);
	irqfd.fd = efd;
	ASSERT_EQ(0, ASSERT_IOCTL_OK(vm.fd, KVM_IRQFD, &irqfd));
	irqfd.flags = KVM_IRQFD_FLAG_DEASSIGN | (1u << 7);
	ASSERT_IOCTL_ERRNO(vm.fd, KVM_IRQFD, &irqfd, EINVAL);
	close(efd);
	vm_close(&vm);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_caps),
	KTAP_CASE(test_no_ioeventfd_all_exit),
	KTAP_CASE(test_mmio_each_length),
	KTAP_CASE(test_pio_each_length),
	KTAP_CASE(test_counter_after_n_writes),
	KTAP_CASE(test_string_outs),
	KTAP_CASE(test_memory_backed_by_a_slot),
	KTAP_CASE(test_deassign),
	KTAP_CASE(test_assign_errors),
	KTAP_CASE(test_eventfd_closed_while_assigned),
	KTAP_CASE_TIMEOUT(test_limit, 120),
	KTAP_CASE_TIMEOUT(test_assign_while_running, 120),
	KTAP_CASE(test_irq_routing_without_irqchip),
};

int main(void)
{
	return ktap_run(dev_is_l1vmm() ? "ioeventfd" : "ioeventfd@kvm", tests,
			KTAP_ARRAY_SIZE(tests));
}
