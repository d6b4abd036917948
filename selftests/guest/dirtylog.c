// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dirty logging (issue 19): KVM_MEM_LOG_DIRTY_PAGES, KVM_GET_DIRTY_LOG,
 * KVM_CLEAR_DIRTY_LOG and KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, with KVM's
 * errnos. Four vCPUs write counters to pages while user space collects
 * the log in a loop: a page whose content changed between two collections
 * must be in the second one (no lost dirty bit), with and without manual
 * protection. Logging turned on and off on a slot that is in use; a write
 * the kernel makes for the guest (string port I/O) is logged too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kvm_vm.h"
#include "l1vmm/kvm_uapi.h"

#define PAGE		4096ul
#define CODE_GPA	0x10000
#define STOP_GPA	0x9000		/* in slot 0: non-zero stops the writers */
#define LOG_GPA		0x400000	/* slot 1, the logged one */
#define LOG_PAGES	1024
#define WRITERS		4
#define ROUNDS		150

#define MANUAL_CAPS	(KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE | KVM_DIRTY_LOG_INITIALLY_SET)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void *map_anon(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	TEST_ASSERT(p != MAP_FAILED, "mmap %zu bytes: %s", size, ktap_errno_name(errno));
	return p;
}

static int get_log(struct test_vm *vm, uint32_t slot, void *bitmap)
{
	struct kvm_dirty_log log = { .slot = slot, .dirty_bitmap = bitmap };

	return dev_ioctl(vm->fd, KVM_GET_DIRTY_LOG, (uintptr_t)&log);
}

static int clear_log(struct test_vm *vm, uint32_t slot, uint64_t first, uint32_t num,
		     void *bitmap)
{
	struct kvm_clear_dirty_log log = {
		.slot = slot, .first_page = first, .num_pages = num, .dirty_bitmap = bitmap,
	};

	return dev_ioctl(vm->fd, KVM_CLEAR_DIRTY_LOG, (uintptr_t)&log);
}

static int enable_manual(struct test_vm *vm, uint64_t args0, uint32_t flags)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, .flags = flags, .args = { args0 },
	};

	return dev_ioctl(vm->fd, KVM_ENABLE_CAP, (uintptr_t)&cap);
}

static bool test_bit64(const uint64_t *bitmap, unsigned int bit)
{
	return bitmap[bit / 64] & (1ull << (bit % 64));
}

static void skip_without_dirty_log(struct test_vm *vm)
{
	if (dev_ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2) <= 0) {
		vm_close(vm);
		ktap_skip("no KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2");
	}
}

static void test_cap_and_enable(void)
{
	struct test_vm vm;

	vm_create(&vm);
	skip_without_dirty_log(&vm);
	ASSERT_EQ(MANUAL_CAPS, dev_ioctl(vm.fd, KVM_CHECK_EXTENSION,
					 KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2));
	/* INITIALLY_SET only with MANUAL_PROTECT_ENABLE; nothing else; no flags. */
	ASSERT_EQ(-EINVAL, enable_manual(&vm, KVM_DIRTY_LOG_INITIALLY_SET, 0));
	ASSERT_EQ(-EINVAL, enable_manual(&vm, 4, 0));
	ASSERT_EQ(-EINVAL, enable_manual(&vm, MANUAL_CAPS | 4, 0));
	ASSERT_EQ(-EINVAL, enable_manual(&vm, MANUAL_CAPS, 1));
	ASSERT_EQ(0, enable_manual(&vm, MANUAL_CAPS, 0));
	ASSERT_EQ(0, enable_manual(&vm, KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE, 0));
	ASSERT_EQ(0, enable_manual(&vm, 0, 0));
	vm_close(&vm);
}

static void test_errnos(void)
{
	uint64_t bitmap[8] = { 0 };
	unsigned char *mem;
	struct test_vm vm;

	vm_create(&vm);
	skip_without_dirty_log(&vm);
	mem = map_anon(512 * PAGE);
	ASSERT_EQ(-EINVAL, vm_set_region(&vm, 1, LOG_GPA, 256 * PAGE, (uintptr_t)mem, 1u << 3));
	ASSERT_EQ(0, vm_set_region(&vm, 1, LOG_GPA, 256 * PAGE, (uintptr_t)mem, 0));
	/* No logging on the slot, no slot, ids KVM never has. */
	ASSERT_EQ(-ENOENT, get_log(&vm, 1, bitmap));
	ASSERT_EQ(-ENOENT, get_log(&vm, 5, bitmap));
	ASSERT_EQ(-ENOENT, get_log(&vm, 1u << 16 | 1, bitmap));	/* SMM's space */
	ASSERT_EQ(-EINVAL, get_log(&vm, 2u << 16 | 1, bitmap));
	ASSERT_EQ(-EINVAL, get_log(&vm, 32764, bitmap));
	ASSERT_EQ(-ENOENT, clear_log(&vm, 1, 0, 256, bitmap));
	ASSERT_EQ(-EINVAL, clear_log(&vm, 5, 1, 64, bitmap));	/* alignment first */
	ASSERT_EQ(-EINVAL, clear_log(&vm, 32764, 0, 64, bitmap));
	/* Flags change on a slot that stays: logging yes, read-only no. */
	ASSERT_EQ(-EINVAL, vm_set_region(&vm, 1, LOG_GPA, 256 * PAGE, (uintptr_t)mem,
					 KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY));
	ASSERT_EQ(0, vm_set_region(&vm, 1, LOG_GPA, 256 * PAGE, (uintptr_t)mem,
				   KVM_MEM_LOG_DIRTY_PAGES));
	memset(bitmap, 0xff, sizeof(bitmap));
	ASSERT_EQ(0, get_log(&vm, 1, bitmap));
	ASSERT_EQ(0, bitmap[0] | bitmap[1] | bitmap[2] | bitmap[3]);
	ASSERT_EQ(~0ull, bitmap[4]);	/* 256 pages: 32 bytes written, no more */
	ASSERT_EQ(-EFAULT, get_log(&vm, 1, (void *)8));
	/* The range: 64-page aligned, a multiple of 64 unless it ends the slot. */
	ASSERT_EQ(-EINVAL, clear_log(&vm, 1, 32, 64, bitmap));
	ASSERT_EQ(-EINVAL, clear_log(&vm, 1, 0, 65, bitmap));
	ASSERT_EQ(-EINVAL, clear_log(&vm, 1, 0, 257, bitmap));
	ASSERT_EQ(-EINVAL, clear_log(&vm, 1, 320, 0, bitmap));
	ASSERT_EQ(-EINVAL, clear_log(&vm, 1, 192, 128, bitmap));
	ASSERT_EQ(0, clear_log(&vm, 1, 256, 0, bitmap));
	ASSERT_EQ(0, clear_log(&vm, 1, 64, 192, bitmap));
	ASSERT_EQ(0, clear_log(&vm, 1, 0, 64, bitmap));
	ASSERT_EQ(-EFAULT, clear_log(&vm, 1, 0, 256, (void *)8));
	/* A slot whose size is no multiple of 64: its end may be cleared. */
	ASSERT_EQ(0, vm_set_region(&vm, 2, 2 * LOG_GPA, 100 * PAGE, (uintptr_t)mem + 256 * PAGE,
				   KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY));
	ASSERT_EQ(0, clear_log(&vm, 2, 64, 36, bitmap));
	ASSERT_EQ(0, clear_log(&vm, 2, 0, 100, bitmap));
	ASSERT_EQ(-EINVAL, clear_log(&vm, 2, 0, 36, bitmap));
	/* Logging off: the log is gone. */
	ASSERT_EQ(0, vm_set_region(&vm, 1, LOG_GPA, 256 * PAGE, (uintptr_t)mem, 0));
	ASSERT_EQ(-ENOENT, get_log(&vm, 1, bitmap));
	ASSERT_EQ(0, vm_set_region(&vm, 2, 0, 0, 0, 0));
	ASSERT_EQ(-ENOENT, get_log(&vm, 2, bitmap));
	vm_close(&vm);
	munmap(mem, 512 * PAGE);
}

/* A guest that asks for a page index (IN 0x11), adds 1 to it, says so (OUT 0x12). */
GUEST_CODE(poke_code, ".code64",
	"1: in $0x11, %eax\n\t"
	"shl $12, %rax\n\t"
	"incq 0x400000(%rax)\n\t"
	"out %al, $0x12\n\t"
	"jmp 1b");

static void poke(struct test_guest *g, uint32_t page)
{
	vcpu_run(&g->vcpu);
	ASSERT_IO_EXIT(&g->vcpu, KVM_EXIT_IO_IN, 0x11, 4);
	*(uint32_t *)vcpu_io_data(&g->vcpu) = page;
	vcpu_run(&g->vcpu);
	ASSERT_IO_EXIT(&g->vcpu, KVM_EXIT_IO_OUT, 0x12, 1);
}

/* The log of slot 1 (256 pages) has exactly the pages of @want (-1 ends it). */
#define ASSERT_LOG(g, ...)	assert_log(__LINE__, g, (const int[]){ __VA_ARGS__, -1 })

static void assert_log(int line, struct test_guest *g, const int *want)
{
	uint64_t bitmap[4], expect[4] = { 0 };
	int i;

	for (; *want >= 0; want++)
		expect[*want / 64] |= 1ull << (*want % 64);
	ASSERT_EQ(0, get_log(&g->vm, 1, bitmap));
	for (i = 0; i < 4; i++)
		TEST_ASSERT(bitmap[i] == expect[i],
			    "line %d: log word %d: wanted %#llx, got %#llx", line, i,
			    (unsigned long long)expect[i], (unsigned long long)bitmap[i]);
}

static void test_toggle_on_slot_in_use(void)
{
	struct test_guest g;
	uint64_t *mem;
	int i;

	guest_start_long_mode(&g, 2 << 20, CODE_GPA, poke_code, GUEST_CODE_SIZE(poke_code));
	skip_without_dirty_log(&g.vm);
	mem = map_anon(256 * PAGE);
	ASSERT_EQ(0, vm_set_region(&g.vm, 1, LOG_GPA, 256 * PAGE, (uintptr_t)mem, 0));
	/* Mapped writable before logging starts. */
	poke(&g, 3);
	poke(&g, 7);
	ASSERT_EQ(-ENOENT, get_log(&g.vm, 1, mem));
	ASSERT_EQ(0, vm_set_region(&g.vm, 1, LOG_GPA, 256 * PAGE, (uintptr_t)mem,
				   KVM_MEM_LOG_DIRTY_PAGES));
	ASSERT_LOG(&g, -1);
	poke(&g, 7);
	ASSERT_LOG(&g, 7);
	poke(&g, 7);
	poke(&g, 200);
	ASSERT_LOG(&g, 7, 200);
	ASSERT_LOG(&g, -1);
	/* Logging off and on again: a fresh, empty log. */
	ASSERT_EQ(0, vm_set_region(&g.vm, 1, LOG_GPA, 256 * PAGE, (uintptr_t)mem, 0));
	ASSERT_EQ(-ENOENT, get_log(&g.vm, 1, mem));
	poke(&g, 9);
	poke(&g, 3);
	ASSERT_EQ(0, vm_set_region(&g.vm, 1, LOG_GPA, 256 * PAGE, (uintptr_t)mem,
				   KVM_MEM_LOG_DIRTY_PAGES));
	ASSERT_LOG(&g, -1);
	for (i = 0; i < 64; i++)
		poke(&g, 64 + i);
	poke(&g, 9);
	{
		uint64_t bitmap[4];

		ASSERT_EQ(0, get_log(&g.vm, 1, bitmap));
		ASSERT_EQ(1ull << 9, bitmap[0]);
		ASSERT_EQ(~0ull, bitmap[1]);
		ASSERT_EQ(0, bitmap[2] | bitmap[3]);
	}
	ASSERT_EQ(2, mem[3 * PAGE / 8]);
	ASSERT_EQ(3, mem[7 * PAGE / 8]);
	ASSERT_EQ(2, mem[9 * PAGE / 8]);
	munmap(mem, 256 * PAGE);
	guest_stop(&g);
}

/*
 * Manual protection: KVM_GET_DIRTY_LOG only reads, KVM_CLEAR_DIRTY_LOG
 * takes bits and write-protects; INITIALLY_SET starts with every bit set.
 */
static void test_manual_protect(void)
{
	uint64_t bitmap[4];
	struct test_guest g;
	uint64_t *mem;

	guest_start_long_mode(&g, 2 << 20, CODE_GPA, poke_code, GUEST_CODE_SIZE(poke_code));
	skip_without_dirty_log(&g.vm);
	ASSERT_EQ(0, enable_manual(&g.vm, MANUAL_CAPS, 0));
	mem = map_anon(256 * PAGE);
	ASSERT_EQ(0, vm_set_region(&g.vm, 1, LOG_GPA, 256 * PAGE, (uintptr_t)mem,
				   KVM_MEM_LOG_DIRTY_PAGES));
	ASSERT_EQ(0, get_log(&g.vm, 1, bitmap));
	ASSERT_EQ(~0ull, bitmap[0] & bitmap[1] & bitmap[2] & bitmap[3]);
	poke(&g, 5);
	poke(&g, 70);
	/* Clear all but the second 64 pages: they stay set. */
	memset(bitmap, 0xff, sizeof(bitmap));
	ASSERT_EQ(0, clear_log(&g.vm, 1, 0, 64, bitmap));
	ASSERT_EQ(0, clear_log(&g.vm, 1, 128, 128, bitmap));
	ASSERT_EQ(0, get_log(&g.vm, 1, bitmap));
	ASSERT_EQ(0, bitmap[0] | bitmap[2] | bitmap[3]);
	ASSERT_EQ(~0ull, bitmap[1]);
	poke(&g, 5);
	poke(&g, 130);
	ASSERT_LOG(&g, 5, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80,
		   81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99,
		   100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114,
		   115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 130);
	/* Still there: GET does not clear. Clear page 5 only, write it again. */
	memset(bitmap, 0, sizeof(bitmap));
	bitmap[0] = 1ull << 5;
	ASSERT_EQ(0, clear_log(&g.vm, 1, 0, 256, bitmap));
	ASSERT_EQ(0, get_log(&g.vm, 1, bitmap));
	ASSERT_EQ(0, bitmap[0]);
	ASSERT_EQ(1ull << 2, bitmap[2]);
	poke(&g, 5);
	ASSERT_EQ(0, get_log(&g.vm, 1, bitmap));
	ASSERT_EQ(1ull << 5, bitmap[0]);
	ASSERT_EQ(3, mem[5 * PAGE / 8]);
	munmap(mem, 256 * PAGE);
	guest_stop(&g);
}

/* A write the kernel makes for the guest: REP INSB into a logged page. */
static void test_kernel_write_logged(void)
{
	static const unsigned char code[] = {
		0xbf, 0x00, 0x80,	/* mov di, 0x8000 */
		0xba, 0x20, 0x00,	/* mov dx, 0x20 */
		0xb9, 0x10, 0x00,	/* mov cx, 16 */
		0xf3, 0x6c,		/* rep insb */
		0xf4,			/* hlt */
	};
	uint64_t bitmap[1];
	struct test_guest g;
	unsigned char *mem;
	int i;

	guest_start_real_mode(&g, 0x8000, 0x1000, code, sizeof(code));
	skip_without_dirty_log(&g.vm);
	mem = map_anon(PAGE);
	ASSERT_EQ(0, vm_set_region(&g.vm, 1, 0x8000, PAGE, (uintptr_t)mem,
				   KVM_MEM_LOG_DIRTY_PAGES));
	while (vcpu_run(&g.vcpu) == KVM_EXIT_IO) {
		ASSERT_EQ(KVM_EXIT_IO_IN, g.vcpu.run->io.direction);
		ASSERT_EQ(0x20, g.vcpu.run->io.port);
		memset(vcpu_io_data(&g.vcpu), 0xab, g.vcpu.run->io.count * g.vcpu.run->io.size);
	}
	ASSERT_EQ(KVM_EXIT_HLT, g.vcpu.run->exit_reason);
	for (i = 0; i < 16; i++)
		ASSERT_EQ(0xab, mem[i]);
	ASSERT_EQ(0, get_log(&g.vm, 1, bitmap));
	ASSERT_EQ(1, bitmap[0]);
	munmap(mem, PAGE);
	guest_stop(&g);
}

/*
 * Each writer vCPU adds one to its counter (RDX) and stores it in one of
 * its 256 pages (RSI, the first; RDI = 255), in the order i = 5i + 1 mod
 * 256, then spins R8 times; it stops (OUT 0x10) when STOP_GPA is set.
 */
GUEST_CODE(writer_code, ".code64",
	"1: cmpb $0, 0x9000\n\t"
	"jne 3f\n\t"
	"inc %rdx\n\t"
	"lea 1(%rbx,%rbx,4), %rbx\n\t"
	"and %rdi, %rbx\n\t"
	"mov %rbx, %rax\n\t"
	"shl $12, %rax\n\t"
	"mov %rdx, (%rsi,%rax)\n\t"
	"mov %r8, %rcx\n\t"
	"2: dec %rcx\n\t"
	"jnz 2b\n\t"
	"jmp 1b\n\t"
	"3: out %al, $0x10\n\t"
	"hlt");

struct writer {
	struct test_vcpu vcpu;
	pthread_t thread;
	long error;
};

static void *writer_thread(void *arg)
{
	struct writer *w = arg;
	long r = dev_ioctl(w->vcpu.fd, KVM_RUN, 0);

	if (r)
		w->error = r;
	else if (w->vcpu.run->exit_reason != KVM_EXIT_IO || w->vcpu.run->io.port != 0x10)
		w->error = -EINVAL;
	return NULL;
}

static void snapshot(const uint64_t *mem, uint64_t *values)
{
	unsigned int i;

	for (i = 0; i < LOG_PAGES; i++)
		values[i] = __atomic_load_n(&mem[i * PAGE / 8], __ATOMIC_ACQUIRE);
}

/*
 * A page whose value changed after the last collection returned (@post,
 * read then) and before this one began (@pre) must be in @bitmap: the
 * write was made between them. Returns the pages that changed.
 */
static unsigned int check_round(const uint64_t *pre, const uint64_t *post,
				const uint64_t *bitmap, int round)
{
	unsigned int i, changed = 0;

	for (i = 0; i < LOG_PAGES; i++) {
		if (pre[i] == post[i])
			continue;
		changed++;
		TEST_ASSERT(test_bit64(bitmap, i),
			    "round %d: page %u went from %llu to %llu, not in the log", round, i,
			    (unsigned long long)post[i], (unsigned long long)pre[i]);
	}
	return changed;
}

/* One collection: GET, and in manual mode CLEAR what it gave. */
static void collect(struct test_vm *vm, bool manual, uint64_t *bitmap)
{
	ASSERT_EQ(0, get_log(vm, 1, bitmap));
	if (!manual)
		return;
	/* Two ranges, to clear from an offset too. */
	ASSERT_EQ(0, clear_log(vm, 1, 0, LOG_PAGES / 2, bitmap));
	ASSERT_EQ(0, clear_log(vm, 1, LOG_PAGES / 2, LOG_PAGES / 2, bitmap + LOG_PAGES / 128));
}

static void concurrent_writers(bool manual)
{
	static uint64_t pre[LOG_PAGES], post[LOG_PAGES], bitmap[LOG_PAGES / 64];
	struct writer writers[WRITERS];
	unsigned long changed = 0, reported = 0;
	struct test_guest g;
	uint64_t *mem, t0;
	int round, i, j;

	guest_start_long_mode(&g, 2 << 20, CODE_GPA, writer_code, GUEST_CODE_SIZE(writer_code));
	skip_without_dirty_log(&g.vm);
	if (manual)
		ASSERT_EQ(0, enable_manual(&g.vm, MANUAL_CAPS, 0));
	mem = map_anon(LOG_PAGES * PAGE);
	ASSERT_EQ(0, vm_set_region(&g.vm, 1, LOG_GPA, LOG_PAGES * PAGE, (uintptr_t)mem,
				   KVM_MEM_LOG_DIRTY_PAGES));
	memset(post, 0, sizeof(post));
	memset(writers, 0, sizeof(writers));
	for (i = 0; i < WRITERS; i++) {
		struct kvm_sregs sregs;
		struct kvm_regs regs;

		if (i) {
			vcpu_create(&g.vm, i, &writers[i].vcpu);
			ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_SREGS, &sregs);
			ASSERT_IOCTL_OK(writers[i].vcpu.fd, KVM_SET_SREGS, &sregs);
		} else {
			writers[i].vcpu = g.vcpu;
		}
		ASSERT_IOCTL_OK(g.vcpu.fd, KVM_GET_REGS, &regs);
		regs.rsi = LOG_GPA + i * (LOG_PAGES / WRITERS) * PAGE;
		regs.rdi = LOG_PAGES / WRITERS - 1;
		regs.rbx = 0;
		regs.rdx = 0;
		regs.r8 = 200 + 300 * i;	/* some fast, some slow */
		ASSERT_IOCTL_OK(writers[i].vcpu.fd, KVM_SET_REGS, &regs);
	}
	for (i = 0; i < WRITERS; i++)
		ASSERT_EQ(0, pthread_create(&writers[i].thread, NULL, writer_thread, &writers[i]));

	t0 = now_ns();
	for (round = 0; round < ROUNDS; round++) {
		snapshot(mem, pre);
		collect(&g.vm, manual, bitmap);
		changed += check_round(pre, post, bitmap, round);
		for (j = 0; j < LOG_PAGES; j++)
			reported += test_bit64(bitmap, j);
		snapshot(mem, post);
		usleep(round % 3 ? 200 : 2000);
	}
	g.mem[STOP_GPA] = 1;
	for (i = 0; i < WRITERS; i++) {
		ASSERT_EQ(0, pthread_join(writers[i].thread, NULL));
		TEST_ASSERT(!writers[i].error, "vCPU %d: KVM_RUN: %s", i,
			    ktap_errno_name((int)-writers[i].error));
	}
	/* The guests stopped: what they wrote last is in the last log. */
	snapshot(mem, pre);
	collect(&g.vm, manual, bitmap);
	changed += check_round(pre, post, bitmap, round);
	ktap_info("%d rounds in %llu ms: %lu page changes seen, %lu pages reported", round + 1,
		  (unsigned long long)(now_ns() - t0) / 1000000, changed, reported);
	TEST_ASSERT(changed >= 64, "the writers changed only %lu pages", changed);
	for (i = 1; i < WRITERS; i++)
		vcpu_close(&writers[i].vcpu);
	munmap(mem, LOG_PAGES * PAGE);
	guest_stop(&g);
}

static void test_concurrent_writers(void)
{
	concurrent_writers(false);
}

static void test_concurrent_writers_manual(void)
{
	concurrent_writers(true);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_cap_and_enable),
	KTAP_CASE(test_errnos),
	KTAP_CASE(test_toggle_on_slot_in_use),
	KTAP_CASE(test_manual_protect),
	KTAP_CASE(test_kernel_write_logged),
	KTAP_CASE(test_concurrent_writers),
	KTAP_CASE(test_concurrent_writers_manual),
};

int main(void)
{
	return ktap_run("dirtylog", tests, KTAP_ARRAY_SIZE(tests));
}
