// SPDX-License-Identifier: GPL-2.0-only
/*
 * Coalesced MMIO and PIO (KVM_CAP_COALESCED_MMIO, KVM_CAP_COALESCED_PIO):
 * the ring page at KVM_COALESCED_MMIO_PAGE_OFFSET of the vCPU mmap, guest
 * writes into registered zones going into it without an exit, reads and
 * writes outside every zone exiting as before, a full ring making the
 * write exit, and KVM_UNREGISTER_COALESCED_MMIO removing the zones that
 * contain the range given. Runs against l1vmm and KVM (coalesced_mmio@kvm).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm_vm.h"

#define MEM_SIZE	0x80000		/* RAM below 512 KiB; 0xa0000 up is MMIO */
#define CODE_GPA	0x1000
#define ZONE		0xa0000
#define PORT		0x3f8

/* Writes into the zone and one beside it, then a read in the zone. */
GUEST_CODE(mmio_code, ".code16",
	"mov $0xa000, %ax\n\t"
	"mov %ax, %ds\n\t"
	"movl $0x11223344, 0x10\n\t"
	"movb $0x55, 0x20\n\t"
	"movw $0x6677, 0x17ff\n\t"	/* across the zone's end: exits */
	"movl 0x30, %eax\n\t"
	"hlt\n\t");

GUEST_CODE(pio_code, ".code16",
	"mov $0x3f8, %dx\n\t"
	"mov $0x41, %al\n\t"
	"out %al, %dx\n\t"
	"mov $0x4243, %ax\n\t"
	"out %ax, %dx\n\t"
	"mov $0x400, %dx\n\t"
	"out %al, %dx\n\t"
	"hlt\n\t");

/* 200 byte writes to the zone, each the loop count, then HLT. */
GUEST_CODE(many_code, ".code16",
	"mov $0xa000, %ax\n\t"
	"mov %ax, %ds\n\t"
	"mov $200, %cx\n\t"
	"1: mov %cl, 0x40\n\t"
	"loop 1b\n\t"
	"hlt\n\t");

GUEST_CODE(unreg_code, ".code16",
	"mov $0xa000, %ax\n\t"
	"mov %ax, %ds\n\t"
	"movb $1, 0x100\n\t"
	"out %al, $0x10\n\t"
	"movb $2, 0x100\n\t"
	"hlt\n\t");

static struct kvm_coalesced_mmio_ring *ring_of(struct test_vcpu *vcpu)
{
	return (void *)((char *)vcpu->run + KVM_COALESCED_MMIO_PAGE_OFFSET * getpagesize());
}

static unsigned int ring_max(void)
{
	return (getpagesize() - sizeof(struct kvm_coalesced_mmio_ring)) /
	       sizeof(struct kvm_coalesced_mmio);
}

static int zone_ioctl(struct test_vm *vm, unsigned long cmd, uint64_t addr, uint32_t size,
		      uint32_t pio)
{
	struct kvm_coalesced_mmio_zone zone = { .addr = addr, .size = size, .pio = pio };

	return ioctl(vm->fd, cmd, &zone) ? -errno : 0;
}

static void assert_entry(const struct kvm_coalesced_mmio *e, uint64_t addr, uint32_t len,
			 uint64_t data, uint32_t pio)
{
	uint64_t got = 0;

	ASSERT_EQ(addr, e->phys_addr);
	ASSERT_EQ(len, e->len);
	ASSERT_EQ(pio, e->pio);
	memcpy(&got, e->data, len);
	ASSERT_EQ(data, got);
}

static void test_caps(void)
{
	int fd = dev_open();

	ASSERT_EQ(KVM_COALESCED_MMIO_PAGE_OFFSET,
		  dev_ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_MMIO));
	ASSERT_EQ(1, dev_ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_PIO));
	ASSERT_EQ(3 * getpagesize(), dev_ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 0));
	close(fd);
}

static void test_errors(void)
{
	struct test_guest g;

	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, mmio_code, GUEST_CODE_SIZE(mmio_code));
	ASSERT_EQ(-EINVAL, zone_ioctl(&g.vm, KVM_REGISTER_COALESCED_MMIO, ZONE, 0x1000, 2));
	ASSERT_EQ(-EINVAL, zone_ioctl(&g.vm, KVM_UNREGISTER_COALESCED_MMIO, ZONE, 0x1000, 2));
	ASSERT_IOCTL_ERRNO(g.vm.fd, KVM_REGISTER_COALESCED_MMIO, NULL, EFAULT);
	ASSERT_IOCTL_ERRNO(g.vm.fd, KVM_UNREGISTER_COALESCED_MMIO, NULL, EFAULT);
	/* Nothing to remove is no error; overlapping zones are allowed. */
	ASSERT_EQ(0, zone_ioctl(&g.vm, KVM_UNREGISTER_COALESCED_MMIO, ZONE, 0x1000, 0));
	ASSERT_EQ(0, zone_ioctl(&g.vm, KVM_REGISTER_COALESCED_MMIO, ZONE, 0x1000, 0));
	ASSERT_EQ(0, zone_ioctl(&g.vm, KVM_REGISTER_COALESCED_MMIO, ZONE, 0x1000, 0));
	ASSERT_EQ(0, zone_ioctl(&g.vm, KVM_REGISTER_COALESCED_MMIO, 0, 0, 1));
	guest_stop(&g);
}

static void test_mmio(void)
{
	struct kvm_coalesced_mmio_ring *ring;
	struct test_guest g;
	uint32_t val = 0x99887766;

	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, mmio_code, GUEST_CODE_SIZE(mmio_code));
	ring = ring_of(&g.vcpu);
	ASSERT_EQ(0, ring->first);
	ASSERT_EQ(0, ring->last);
	ASSERT_EQ(0, zone_ioctl(&g.vm, KVM_REGISTER_COALESCED_MMIO, ZONE, 0x1800, 0));

	/* The write across the zone's end exits; the two before it are in the ring. */
	vcpu_run(&g.vcpu);
	ASSERT_MMIO_EXIT(&g.vcpu, ZONE + 0x17ff, 2, true);
	ASSERT_EQ(0, ring->first);
	ASSERT_EQ(2, ring->last);
	assert_entry(&ring->coalesced_mmio[0], ZONE + 0x10, 4, 0x11223344, 0);
	assert_entry(&ring->coalesced_mmio[1], ZONE + 0x20, 1, 0x55, 0);

	/* Reads are never coalesced. */
	vcpu_run(&g.vcpu);
	ASSERT_MMIO_EXIT(&g.vcpu, ZONE + 0x30, 4, false);
	memcpy(g.vcpu.run->mmio.data, &val, 4);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_EQ(2, ring->last);
	guest_stop(&g);
}

static void test_pio(void)
{
	struct kvm_coalesced_mmio_ring *ring;
	struct test_guest g;

	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, pio_code, GUEST_CODE_SIZE(pio_code));
	ring = ring_of(&g.vcpu);
	/* An MMIO zone at the port's number takes no port write. */
	ASSERT_EQ(0, zone_ioctl(&g.vm, KVM_REGISTER_COALESCED_MMIO, 0, 0x10000, 0));
	ASSERT_EQ(0, zone_ioctl(&g.vm, KVM_REGISTER_COALESCED_MMIO, PORT, 8, 1));
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x400, 1);
	ASSERT_EQ(2, ring->last);
	assert_entry(&ring->coalesced_mmio[0], PORT, 1, 0x41, 1);
	assert_entry(&ring->coalesced_mmio[1], PORT, 2, 0x4243, 1);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

/*
 * The write that finds the ring full exits. KVM 6.1's room check makes it
 * full at half its entries while it has not wrapped (l1vmm/portable/
 * coalesced.h): 85 of 170 with 4 KiB pages; after user space drained it,
 * the rest of the 200 writes fit.
 */
static void test_ring_full(void)
{
	struct kvm_coalesced_mmio_ring *ring;
	unsigned int max = ring_max(), half = max / 2, i;
	struct test_guest g;

	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, many_code, GUEST_CODE_SIZE(many_code));
	ring = ring_of(&g.vcpu);
	ASSERT_EQ(0, zone_ioctl(&g.vm, KVM_REGISTER_COALESCED_MMIO, ZONE, 0x1000, 0));
	vcpu_run(&g.vcpu);
	ASSERT_MMIO_EXIT(&g.vcpu, ZONE + 0x40, 1, true);
	ASSERT_EQ(half, ring->last);
	for (i = 0; i < half; i++)
		assert_entry(&ring->coalesced_mmio[i], ZONE + 0x40, 1, 200 - i, 0);
	ASSERT_EQ(200 - half, g.vcpu.run->mmio.data[0]);

	/* Drained, the other 200 - half - 1 fit, wrapping around. */
	ring->first = ring->last;
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	ASSERT_EQ((half + 200 - half - 1) % max, ring->last);
	assert_entry(&ring->coalesced_mmio[(ring->last + max - 1) % max], ZONE + 0x40, 1, 1, 0);
	guest_stop(&g);
}

/* Only zones that contain the range given go. */
static void test_unregister(void)
{
	struct kvm_coalesced_mmio_ring *ring;
	struct test_guest g;

	guest_start_real_mode(&g, MEM_SIZE, CODE_GPA, unreg_code, GUEST_CODE_SIZE(unreg_code));
	ring = ring_of(&g.vcpu);
	ASSERT_EQ(0, zone_ioctl(&g.vm, KVM_REGISTER_COALESCED_MMIO, ZONE, 0x1000, 0));
	/* Larger than the zone, or on the other bus: it stays. */
	ASSERT_EQ(0, zone_ioctl(&g.vm, KVM_UNREGISTER_COALESCED_MMIO, ZONE - 0x1000, 0x3000, 0));
	ASSERT_EQ(0, zone_ioctl(&g.vm, KVM_UNREGISTER_COALESCED_MMIO, ZONE + 0x100, 1, 1));
	vcpu_run(&g.vcpu);
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
	ASSERT_EQ(1, ring->last);
	assert_entry(&ring->coalesced_mmio[0], ZONE + 0x100, 1, 1, 0);
	/* A range inside the zone removes it. */
	ASSERT_EQ(0, zone_ioctl(&g.vm, KVM_UNREGISTER_COALESCED_MMIO, ZONE + 0x100, 1, 0));
	vcpu_run(&g.vcpu);
	ASSERT_MMIO_EXIT(&g.vcpu, ZONE + 0x100, 1, true);
	ASSERT_EQ(2, g.vcpu.run->mmio.data[0]);
	ASSERT_EQ(1, ring->last);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_caps),
	KTAP_CASE(test_errors),
	KTAP_CASE(test_mmio),
	KTAP_CASE(test_pio),
	KTAP_CASE(test_ring_full),
	KTAP_CASE(test_unregister),
};

int main(void)
{
	return ktap_run("coalesced_mmio", tests, KTAP_ARRAY_SIZE(tests));
}
