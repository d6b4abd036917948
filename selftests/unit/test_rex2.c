// SPDX-License-Identifier: GPL-2.0-only
// unit-sources: selftests/unit/rex2_sample.S
/*
 * Host unit test of the hand-encoded APX moves (asm/rex2.h) that switch
 * R16-R31 in the entry/exit path: no assembler here knows APX, so every
 * byte the macros emit is compared with an encoder written from the APX
 * specification's REX2 layout (3.1.2.1) and the SDM's ModRM layout, and
 * decoded back to the register, base and displacement it should name.
 */
#include <stdint.h>
#include <string.h>

#include "ktap.h"

/* The rows of selftests/unit/rex2_sample.S. */
extern const uint8_t rex2_to_mem[], rex2_from_mem[], rex2_zero[];
static const int bases[] = { 0, 3, 6, 7 };		/* rax, rbx, rsi, rdi */
static const int32_t disps[] = { 0, 0x88, -8, 0x12345678 };
#define NR_BASES	4
#define NR_DISPS	4
#define MEM_ROW		8
#define ZERO_ROW	4

/* REX2's payload, one named field per bit (APX spec, Table 3.2). */
struct rex2_fields {
	int m0, r4, x4, b4, w, r3, x3, b3;
};

static uint8_t rex2_payload(struct rex2_fields f)
{
	return f.m0 << 7 | f.r4 << 6 | f.x4 << 5 | f.b4 << 4 |
	       f.w << 3 | f.r3 << 2 | f.x3 << 1 | f.b3;
}

static uint8_t modrm(int mod, int reg, int rm)
{
	return mod << 6 | (reg & 7) << 3 | (rm & 7);
}

/* The 8 bytes of "op reg, disp32(base)" with reg = R16 + n. */
static void encode_mem(uint8_t *out, uint8_t opcode, int n, int base, int32_t disp)
{
	int reg = 16 + n;
	struct rex2_fields f = { .r4 = reg >> 4 & 1, .r3 = reg >> 3 & 1, .w = 1 };

	out[0] = 0xd5;
	out[1] = rex2_payload(f);
	out[2] = opcode;
	out[3] = modrm(2, reg, base);
	memcpy(&out[4], &disp, 4);	/* little endian */
}

static void check_mem_table(const uint8_t *table, uint8_t opcode)
{
	const uint8_t *row = table;
	int n, b, d;

	for (n = 0; n < 16; n++)
		for (b = 0; b < NR_BASES; b++)
			for (d = 0; d < NR_DISPS; d++, row += MEM_ROW) {
				uint8_t want[MEM_ROW];
				int32_t disp;

				encode_mem(want, opcode, n, bases[b], disps[d]);
				TEST_ASSERT(!memcmp(want, row, MEM_ROW),
					    "r%d, base %d, disp %d: wanted %02x %02x %02x %02x, got %02x %02x %02x %02x",
					    16 + n, bases[b], disps[d], want[0], want[1], want[2],
					    want[3], row[0], row[1], row[2], row[3]);
				/* And back: the register, base, displacement named. */
				ASSERT_EQ(16 + n, (row[1] >> 6 & 1) << 4 | (row[1] >> 2 & 1) << 3 |
						  (row[3] >> 3 & 7));
				ASSERT_EQ(bases[b], (row[1] & 1) << 3 | (row[1] >> 4 & 1) << 4 |
						    (row[3] & 7));
				ASSERT_EQ(0, row[1] >> 7);	/* map 0 */
				ASSERT_EQ(1, row[1] >> 3 & 1);	/* 64-bit */
				memcpy(&disp, &row[4], 4);
				ASSERT_EQ(disps[d], disp);
			}
}

/* mov %r(16+n), disp(%base): MOV r/m64, r64 (89 /r). */
static void test_store_encodings(void)
{
	check_mem_table(rex2_to_mem, 0x89);
}

/* mov disp(%base), %r(16+n): MOV r64, r/m64 (8b /r). */
static void test_load_encodings(void)
{
	check_mem_table(rex2_from_mem, 0x8b);
}

/* xor %r(16+n)d, %r(16+n)d: both ModRM fields name R16+n, 32-bit. */
static void test_zero_encodings(void)
{
	int n;

	for (n = 0; n < 16; n++) {
		const uint8_t *row = &rex2_zero[n * ZERO_ROW];
		int reg = 16 + n;
		struct rex2_fields f = {
			.r4 = reg >> 4 & 1, .r3 = reg >> 3 & 1,
			.b4 = reg >> 4 & 1, .b3 = reg >> 3 & 1,
		};
		uint8_t want[ZERO_ROW] = { 0xd5, rex2_payload(f), 0x31, modrm(3, reg, reg) };

		TEST_ASSERT(!memcmp(want, row, ZERO_ROW),
			    "r%d: wanted %02x %02x %02x %02x, got %02x %02x %02x %02x", reg,
			    want[0], want[1], want[2], want[3], row[0], row[1], row[2], row[3]);
	}
}

/*
 * Two rows worked out by hand from the specification, so that a mistake
 * shared by the macros and the encoder above would still show.
 */
static void test_hand_checked_rows(void)
{
	/* mov %r16, 0(%rax): payload R4|W = 0x48, ModRM 10 000 000. */
	static const uint8_t r16_rax[] = { 0xd5, 0x48, 0x89, 0x80, 0, 0, 0, 0 };
	/* mov 0x88(%rsi), %r31: R4|W|R3 = 0x4c, ModRM 10 111 110. */
	static const uint8_t rsi_r31[] = { 0xd5, 0x4c, 0x8b, 0xbe, 0x88, 0, 0, 0 };
	/* xor %r25d, %r25d: R4|B4|R3|B3 = 0x55, ModRM 11 001 001. */
	static const uint8_t zero_r25[] = { 0xd5, 0x55, 0x31, 0xc9 };

	ASSERT_EQ(0, memcmp(r16_rax, &rex2_to_mem[0], sizeof(r16_rax)));
	ASSERT_EQ(0, memcmp(rsi_r31, &rex2_from_mem[((15 * NR_BASES + 2) * NR_DISPS + 1) * MEM_ROW],
			    sizeof(rsi_r31)));
	ASSERT_EQ(0, memcmp(zero_r25, &rex2_zero[9 * ZERO_ROW], sizeof(zero_r25)));
}

static const struct ktap_case tests[] = {
	KTAP_CASE(test_store_encodings),
	KTAP_CASE(test_load_encodings),
	KTAP_CASE(test_zero_encodings),
	KTAP_CASE(test_hand_checked_rows),
};

int main(void)
{
	return ktap_run("rex2", tests, KTAP_ARRAY_SIZE(tests));
}
