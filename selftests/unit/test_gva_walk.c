// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: l1vmm/portable/gva_walk.c
/*
 * Host unit test of the guest page-table walk (l1vmm/portable/gva_walk.c): each
 * paging mode, large pages, absent entries, and reader errors, with the
 * guest's "physical memory" a plain array.
 */
#include <stdint.h>
#include <string.h>

#include "ktap.h"
#include "l1vmm/portable/gva_walk.h"

#define MEM_SIZE	(64 * 4096)
#define P		0x1ull
#define RW		0x2ull
#define PS		0x80ull

#define CR0_PE		0x1ull
#define CR0_PG		0x80000000ull
#define CR4_PSE		0x10ull
#define CR4_PAE		0x20ull
#define CR4_LA57	0x1000ull
#define EFER_LMA	0x400ull

static unsigned char mem[MEM_SIZE];

static int read_pte(void *ctx, uint64_t gpa, unsigned int size, uint64_t *pte)
{
	int *reads = ctx;

	if (gpa + size > MEM_SIZE)
		return -ERANGE;
	*pte = 0;
	memcpy(pte, mem + gpa, size);
	if (reads)
		(*reads)++;
	return 0;
}

static void put32(uint64_t gpa, uint32_t v) { memcpy(mem + gpa, &v, 4); }
static void put64(uint64_t gpa, uint64_t v) { memcpy(mem + gpa, &v, 8); }

static uint64_t walk(const struct l1vmm_paging *p, uint64_t gva, int want_err)
{
	uint64_t gpa = ~0ull;
	int r = l1vmm_gva_to_gpa(p, gva, read_pte, NULL, &gpa);

	ASSERT_EQ(want_err, r);
	return gpa;
}

static void test_no_paging(void)
{
	struct l1vmm_paging p = { .cr0 = CR0_PE };

	ASSERT_EQ(0x12345678, walk(&p, 0x12345678, 0));
	/* Without paging, linear addresses are 32 bits. */
	ASSERT_EQ(0x1000, walk(&p, 0x100001000ull, 0));
}

static void test_32bit(void)
{
	struct l1vmm_paging p = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000, .cr4 = CR4_PSE };

	memset(mem, 0, sizeof(mem));
	put32(0x1000 + 4 * 1, 0x2000 | P | RW);			/* 0x00400000: table */
	put32(0x2000 + 4 * 3, 0x7000 | P);			/* 0x00403000 -> 0x7000 */
	put32(0x1000 + 4 * 0x300, 0x40000000 | PS | P);		/* 0xc0000000: 4 MiB */
	put32(0x1000 + 4 * 0x301, 0x00400000 | (0x5 << 13) | PS | P);	/* PSE-36 */
	ASSERT_EQ(0x7abc, walk(&p, 0x00403abc, 0));
	ASSERT_EQ(0x40123456, walk(&p, 0xc0123456, 0));
	ASSERT_EQ(0x500400010ull, walk(&p, 0xc0400010, 0));
	walk(&p, 0x00404000, -EFAULT);				/* PTE absent */
	walk(&p, 0x00800000, -EFAULT);				/* PDE absent */
	/* PS without CR4.PSE is a page table pointer, as on the CPU. */
	p.cr4 = 0;
	walk(&p, 0xc0123456, -ERANGE);
}

static void test_pae(void)
{
	struct l1vmm_paging p = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1020, .cr4 = CR4_PAE };

	memset(mem, 0, sizeof(mem));
	put64(0x1020 + 8 * 3, 0x2000 | P);			/* PDPTE 3: 0xc0000000 */
	put64(0x2000 + 8 * 1, 0x3000 | P | RW);			/* 0xc0200000: table */
	put64(0x3000 + 8 * 5, 0x123456789000ull | P);		/* above 4 GiB */
	put64(0x2000 + 8 * 2, 0x40000000 | PS | P);		/* 0xc0400000: 2 MiB */
	ASSERT_EQ(0x123456789abcull, walk(&p, 0xc0205abc, 0));
	ASSERT_EQ(0x40012345, walk(&p, 0xc0412345, 0));
	walk(&p, 0x40000000, -EFAULT);				/* PDPTE 1 absent */
}

static void test_4_and_5_level(void)
{
	struct l1vmm_paging p = {
		.cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000, .cr4 = CR4_PAE, .efer = EFER_LMA,
	};
	uint64_t gva = 0xffff800000000000ull | (5ull << 30) | (7ull << 21) | (9ull << 12) | 0x123;
	int reads = 0;
	uint64_t gpa;

	memset(mem, 0, sizeof(mem));
	put64(0x1000 + 8 * 256, 0x2000 | P);			/* PML4E for 0xffff8... */
	put64(0x2000 + 8 * 5, 0x3000 | P);			/* PDPTE */
	put64(0x3000 + 8 * 7, 0x4000 | P);			/* PDE */
	put64(0x4000 + 8 * 9, 0xabcdef000ull | P | (1ull << 63));	/* NX bit ignored */
	put64(0x2000 + 8 * 6, 0x80000000ull | PS | P);		/* 1 GiB page */
	put64(0x3000 + 8 * 8, 0x00600000ull | PS | P);		/* 2 MiB page */
	ASSERT_EQ(0, l1vmm_gva_to_gpa(&p, gva, read_pte, &reads, &gpa));
	ASSERT_EQ(0xabcdef123ull, gpa);
	ASSERT_EQ(4, reads);
	ASSERT_EQ(0x80000000ull + 0x2345678, walk(&p, 0xffff800000000000ull | (6ull << 30) | 0x2345678, 0));
	ASSERT_EQ(0x00600000ull + 0x1234, walk(&p, 0xffff800000000000ull | (5ull << 30) | (8ull << 21) | 0x1234, 0));
	walk(&p, 0x1000, -EFAULT);

	/* 5 levels: one more table on top, indexed by bits 56:48. */
	p.cr3 = 0x5000;
	p.cr4 |= CR4_LA57;
	put64(0x5000 + 8 * 0x180, 0x1000 | P);			/* bits 56:48 of 0xff80... */
	ASSERT_EQ(0xabcdef123ull, walk(&p, (gva & 0x0000ffffffffffffull) | 0xff80000000000000ull, 0));
	walk(&p, gva, -EFAULT);
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_no_paging),
	KTAP_CASE(test_32bit),
	KTAP_CASE(test_pae),
	KTAP_CASE(test_4_and_5_level),
};

int main(void)
{
	return ktap_run("gva_walk", tests, KTAP_ARRAY_SIZE(tests));
}
