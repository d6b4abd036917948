// SPDX-License-Identifier: GPL-2.0-only
/*
 * String port I/O: INS and OUTS with and without REP, each item size, both
 * directions of RFLAGS.DF, more than a page of data (several exits for one
 * instruction), REP with RCX = 0, 16-bit addressing in real mode and a
 * segment override, and user space changing RCX during a REP INS exit.
 * Runs against l1vmm and KVM (stringio@kvm).
 */
#include <stdint.h>
#include <string.h>

#include "kvm_vm.h"

#define MEM_SIZE	(4ul << 20)
#define CODE_GPA	0x10000
#define SRC_GPA		0x100000
#define DST_GPA		0x180000
#define BIG		5000	/* bytes: more than one PIO page */

GUEST_CODE(string_long, ".code64",
	"cld\n\t"
	"mov $0x100000, %esi\n\t"
	"mov $5000, %ecx\n\t"
	"mov $0x40, %dx\n\t"
	"rep outsb\n\t"			/* 4096, then 904 */
	"mov $0x180000, %edi\n\t"
	"mov $3, %ecx\n\t"
	"mov $0x41, %dx\n\t"
	"rep insw\n\t"			/* 3 words in */
	"std\n\t"
	"mov $0x100004, %esi\n\t"
	"mov $2, %ecx\n\t"
	"mov $0x42, %dx\n\t"
	"rep outsl\n\t"			/* downwards: 0x100004, then 0x100000 */
	"cld\n\t"
	"xor %ecx, %ecx\n\t"
	"rep outsb\n\t"			/* RCX = 0: no exit */
	"mov $0x43, %dx\n\t"
	"outsb\n\t"			/* one byte, no REP */
	"mov $0x180010, %edi\n\t"
	"insl\n\t"			/* one dword in, no REP */
	"hlt\n\t");

/*
 * KVM_EXIT_IO's count is how many items one exit carries: KVM 6.1 moves
 * OUTS one item per exit and reads INS ahead up to 1 KiB; l1vmm moves up to
 * a page per exit. The helpers accept any split and check l1vmm's exact one.
 */
static void expect_string_exit(struct test_vcpu *vcpu, int dir, int port, int size)
{
	const struct kvm_run *run = vcpu->run;

	ASSERT_EQ(KVM_EXIT_IO, vcpu_run(vcpu));
	TEST_ASSERT(run->io.direction == dir && run->io.port == port && run->io.size == size,
		    "wanted %s port %#x size %d, got %s port %#x size %d",
		    dir == KVM_EXIT_IO_IN ? "in" : "out", port, size,
		    run->io.direction == KVM_EXIT_IO_IN ? "in" : "out", run->io.port,
		    run->io.size);
}

static void run_string_out(struct test_vcpu *vcpu, int port, int size, unsigned int n,
			   void *buf, unsigned int l1vmm_exits)
{
	unsigned int got = 0, exits = 0, count;

	while (got < n) {
		expect_string_exit(vcpu, KVM_EXIT_IO_OUT, port, size);
		count = vcpu->run->io.count;
		TEST_ASSERT(count >= 1 && got + count <= n, "count %u with %u of %u done",
			    count, got, n);
		memcpy((char *)buf + got * size, vcpu_io_data(vcpu), count * size);
		got += count;
		exits++;
	}
	if (dev_is_l1vmm())
		ASSERT_EQ(l1vmm_exits, exits);
}

static void run_string_in(struct test_vcpu *vcpu, int port, int size, unsigned int n,
			  const void *data, unsigned int l1vmm_exits)
{
	unsigned int got = 0, exits = 0, count;

	while (got < n) {
		expect_string_exit(vcpu, KVM_EXIT_IO_IN, port, size);
		count = vcpu->run->io.count;
		TEST_ASSERT(count >= 1 && got + count <= n, "count %u with %u of %u done",
			    count, got, n);
		memcpy(vcpu_io_data(vcpu), (const char *)data + got * size, count * size);
		got += count;
		exits++;
	}
	if (dev_is_l1vmm())
		ASSERT_EQ(l1vmm_exits, exits);
}

static void test_long_mode_strings(void)
{
	static unsigned char out[BIG];
	struct test_guest g;
	struct kvm_regs regs;
	unsigned char *src;
	uint32_t words[2];
	int i;

	guest_start_long_mode(&g, MEM_SIZE, CODE_GPA, string_long, GUEST_CODE_SIZE(string_long));
	src = g.mem + SRC_GPA;
	for (i = 0; i < BIG; i++)
		src[i] = (unsigned char)(i * 7 + 3);
	g.mem[SRC_GPA - 4] = 0x5c;

	run_string_out(&g.vcpu, 0x40, 1, BIG, out, 2);
	TEST_ASSERT(!memcmp(out, src, BIG), "REP OUTSB data");
	run_string_in(&g.vcpu, 0x41, 2, 3, "\x11\x22\x33\x44\x55\x66", 1);
	run_string_out(&g.vcpu, 0x42, 4, 2, words, 1);
	ASSERT_EQ(*(uint32_t *)(src + 4), words[0]);	/* downwards */
	ASSERT_EQ(*(uint32_t *)src, words[1]);
	/* RSI went down past the start of the buffer. */
	run_string_out(&g.vcpu, 0x43, 1, 1, out, 1);
	ASSERT_EQ(0x5c, out[0]);
	run_string_in(&g.vcpu, 0x43, 4, 1, "\xaa\xbb\xcc\xdd", 1);

	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	TEST_ASSERT(!memcmp(g.mem + DST_GPA, "\x11\x22\x33\x44\x55\x66", 6), "INSW data");
	TEST_ASSERT(!memcmp(g.mem + DST_GPA + 0x10, "\xaa\xbb\xcc\xdd", 4), "INSL data");
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(0, regs.rcx);
	ASSERT_EQ(0x100000 - 4 + 1, regs.rsi);	/* two dwords down from 0x100004, then +1 */
	ASSERT_EQ(DST_GPA + 0x14, regs.rdi);
	guest_stop(&g);
}

/* Real mode: 16-bit addressing wraps SI within the segment; ES override. */
GUEST_CODE(string_real, ".code16",
	"cld\n\t"
	"mov $0x2000, %ax\n\t"
	"mov %ax, %es\n\t"
	"mov $0xfffe, %si\n\t"
	"mov $2, %cx\n\t"
	"mov $0x50, %dx\n\t"
	"rep outsw %es:(%si), (%dx)\n\t"	/* ES:0xfffe, then ES:0x0000 */
	"mov $0x10, %di\n\t"
	"mov $4, %cx\n\t"
	"rep insb\n\t"				/* ES:0x10 */
	"hlt\n\t");

static void test_real_mode_strings(void)
{
	struct test_guest g;
	struct kvm_regs regs;
	uint16_t words[2];

	guest_start_real_mode(&g, 1ul << 20, 0x1000, string_real, GUEST_CODE_SIZE(string_real));
	memcpy(g.mem + 0x2fffe, "\x01\x02", 2);
	memcpy(g.mem + 0x20000, "\x03\x04", 2);

	run_string_out(&g.vcpu, 0x50, 2, 2, words, 1);
	ASSERT_EQ(0x0201, words[0]);
	ASSERT_EQ(0x0403, words[1]);
	run_string_in(&g.vcpu, 0x50, 1, 4, "wxyz", 1);
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	TEST_ASSERT(!memcmp(g.mem + 0x20010, "wxyz", 4), "INSB data at ES:0x10");
	ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
	ASSERT_EQ(0x0002, regs.rsi);
	ASSERT_EQ(0x0014, regs.rdi);
	ASSERT_EQ(0, regs.rcx);
	guest_stop(&g);
}

/*
 * REP INSB whose count user space changes during the exit (Linux's
 * userspace_io_test): 2 to 1, then 3 to 8. Each reports RDI and RCX.
 */
GUEST_CODE(string_recount, ".code64",
	"cld\n\t"
	"mov $0x44, %dx\n\t"
	"mov $0x180100, %edi\n\t"
	"mov $2, %ecx\n\t"
	"rep insb\n\t"
	"mov %edi, %eax\n\t"
	"out %eax, $0x45\n\t"
	"mov %ecx, %eax\n\t"
	"out %eax, $0x45\n\t"
	"mov $0x180200, %edi\n\t"
	"mov $3, %ecx\n\t"
	"rep insb\n\t"
	"mov %edi, %eax\n\t"
	"out %eax, $0x45\n\t"
	"mov %ecx, %eax\n\t"
	"out %eax, $0x45\n\t"
	"hlt\n\t");

static void set_rcx(struct test_vcpu *vcpu, uint64_t rcx)
{
	struct kvm_regs regs;

	ASSERT_IOCTL_OK(vcpu->fd, KVM_GET_REGS, &regs);
	regs.rcx = rcx;
	ASSERT_IOCTL_OK(vcpu->fd, KVM_SET_REGS, &regs);
}

/*
 * KVM re-reads RCX when it completes the instruction and stores what it
 * now asks for: fewer items than it read ahead, or more, the items past
 * those user space supplied being whatever its read-ahead buffer held
 * (KVM does not support changing the count; it only must not overflow).
 * l1vmm stores the items user space supplied, at most RCX of them, and
 * asks for the rest in the next exit. Both end with RCX 0 and RDI past
 * the items RCX asked for.
 */
static void test_rep_ins_recount(void)
{
	static const char data[] = "abcdefgh";
	struct test_guest g;
	unsigned int exits = 0, count;

	guest_start_long_mode(&g, MEM_SIZE, CODE_GPA, string_recount,
			      GUEST_CODE_SIZE(string_recount));
	memset(g.mem + DST_GPA, 0x5a, 0x200);

	expect_string_exit(&g.vcpu, KVM_EXIT_IO_IN, 0x44, 1);
	ASSERT_EQ(2, g.vcpu.run->io.count);
	memcpy(vcpu_io_data(&g.vcpu), "XY", 2);
	set_rcx(&g.vcpu, 1);
	ASSERT_EQ(DST_GPA + 0x101, vcpu_run_out32(&g.vcpu, 0x45));
	ASSERT_EQ(0, vcpu_run_out32(&g.vcpu, 0x45));
	ASSERT_EQ('X', g.mem[DST_GPA + 0x100]);
	ASSERT_EQ(0x5a, g.mem[DST_GPA + 0x101]);

	expect_string_exit(&g.vcpu, KVM_EXIT_IO_IN, 0x44, 1);
	ASSERT_EQ(3, g.vcpu.run->io.count);
	memcpy(vcpu_io_data(&g.vcpu), data, 3);
	set_rcx(&g.vcpu, 8);
	/* l1vmm: one more exit for the other 5; KVM: none. */
	for (;;) {
		ASSERT_EQ(KVM_EXIT_IO, vcpu_run(&g.vcpu));
		if (g.vcpu.run->io.port != 0x44)
			break;
		count = g.vcpu.run->io.count;
		TEST_ASSERT(count == 5, "wanted a second exit of 5 items, got %u", count);
		memcpy(vcpu_io_data(&g.vcpu), data + 3, count);
		exits++;
	}
	if (dev_is_l1vmm()) {
		ASSERT_EQ(1, exits);
		TEST_ASSERT(!memcmp(g.mem + DST_GPA + 0x200, data, 8), "INSB data");
	} else {
		TEST_ASSERT(!memcmp(g.mem + DST_GPA + 0x200, data, 3), "INSB data");
	}
	ASSERT_IO_EXIT(&g.vcpu, KVM_EXIT_IO_OUT, 0x45, 4);
	ASSERT_EQ(DST_GPA + 0x208, *(uint32_t *)vcpu_io_data(&g.vcpu));
	ASSERT_EQ(0, vcpu_run_out32(&g.vcpu, 0x45));
	ASSERT_EQ(KVM_EXIT_HLT, vcpu_run(&g.vcpu));
	guest_stop(&g);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_rep_ins_recount),
	KTAP_CASE(test_long_mode_strings),
	KTAP_CASE(test_real_mode_strings),
};

int main(void)
{
	return ktap_run(dev_is_l1vmm() ? "stringio" : "stringio@kvm", tests,
			KTAP_ARRAY_SIZE(tests));
}
