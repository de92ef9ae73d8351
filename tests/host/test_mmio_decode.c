/**
 * cmocka tests of the MMIO load/store decoder (arch/mmio_decode.h).
 *
 * Every instruction word below was produced by the cross assembler, e.g.
 * `echo 'ldp w1, w2, [x3, #8]' | aarch64-linux-gnu-as -o t.o - &&
 * aarch64-linux-gnu-objdump -d t.o`; the string next to each word is its
 * disassembly. Words marked "hand-built" are unallocated encodings derived
 * from an assembled word (objdump prints them as "undefined").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/esr.h"
#include "arch/mmio_decode.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/** An instruction word and the decoding it must produce. */
struct decode_case {
	uint32_t insn;
	const char *text;
	struct mmio_insn want;
};

/** An instruction word the decoder must reject. */
struct reject_case {
	uint32_t insn;
	const char *text;
};

/** Fail with the instruction text if field @p name differs. */
static void expect_field(const char *text, const char *name, long long got,
			 long long want)
{
	if (got != want) {
		print_error("%s: %s = %lld, want %lld\n", text, name, got,
			    want);
		fail();
	}
}

/**
 * Compare the fields the header defines for this instruction: rt[1] only
 * for pairs, rm/extend/shift only for register-offset addressing.
 */
static void expect_insn(const char *text, const struct mmio_insn *got,
			const struct mmio_insn *want)
{
	expect_field(text, "size", got->size, want->size);
	expect_field(text, "count", got->count, want->count);
	expect_field(text, "write", got->write, want->write);
	expect_field(text, "sign_extend", got->sign_extend, want->sign_extend);
	expect_field(text, "dest64", got->dest64, want->dest64);
	expect_field(text, "rt[0]", got->rt[0], want->rt[0]);
	if (want->count == 2) {
		expect_field(text, "rt[1]", got->rt[1], want->rt[1]);
	}
	expect_field(text, "rn", got->rn, want->rn);
	expect_field(text, "mode", got->mode, want->mode);
	expect_field(text, "imm", got->imm, want->imm);
	expect_field(text, "reg_offset", got->reg_offset, want->reg_offset);
	if (want->reg_offset) {
		expect_field(text, "rm", got->rm, want->rm);
		expect_field(text, "extend", got->extend, want->extend);
		expect_field(text, "shift", got->shift, want->shift);
	}
}

/** Decode every case of @p cases and check all its fields. */
static void run_decode_cases(const struct decode_case *cases, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct mmio_insn got;
		int ret = mmio_decode_insn(cases[i].insn, &got);

		if (ret != MMIO_DECODE_OK) {
			print_error("%s (0x%08x): rejected\n", cases[i].text,
				    cases[i].insn);
			fail();
		}
		expect_insn(cases[i].text, &got, &cases[i].want);
	}
}

static void test_mmio_decode_insn_unsigned_offset(void **state)
{
	static const struct decode_case cases[] = {
	    {0x39000c41,
	     "strb w1, [x2, #3]",
	     {.size = 1,
	      .count = 1,
	      .write = true,
	      .rt = {1},
	      .rn = 2,
	      .imm = 3}},
	    {0x39400c41,
	     "ldrb w1, [x2, #3]",
	     {.size = 1, .count = 1, .rt = {1}, .rn = 2, .imm = 3}},
	    {0x39800c41,
	     "ldrsb x1, [x2, #3]",
	     {.size = 1,
	      .count = 1,
	      .sign_extend = true,
	      .dest64 = true,
	      .rt = {1},
	      .rn = 2,
	      .imm = 3}},
	    {0x39c00c41,
	     "ldrsb w1, [x2, #3]",
	     {.size = 1,
	      .count = 1,
	      .sign_extend = true,
	      .rt = {1},
	      .rn = 2,
	      .imm = 3}},
	    {0x79000c83,
	     "strh w3, [x4, #6]",
	     {.size = 2,
	      .count = 1,
	      .write = true,
	      .rt = {3},
	      .rn = 4,
	      .imm = 6}},
	    {0x79400c83,
	     "ldrh w3, [x4, #6]",
	     {.size = 2, .count = 1, .rt = {3}, .rn = 4, .imm = 6}},
	    {0x79800c83,
	     "ldrsh x3, [x4, #6]",
	     {.size = 2,
	      .count = 1,
	      .sign_extend = true,
	      .dest64 = true,
	      .rt = {3},
	      .rn = 4,
	      .imm = 6}},
	    {0x79c00c83,
	     "ldrsh w3, [x4, #6]",
	     {.size = 2,
	      .count = 1,
	      .sign_extend = true,
	      .rt = {3},
	      .rn = 4,
	      .imm = 6}},
	    {0xb9000cc5,
	     "str w5, [x6, #12]",
	     {.size = 4,
	      .count = 1,
	      .write = true,
	      .rt = {5},
	      .rn = 6,
	      .imm = 12}},
	    {0xb9400cc5,
	     "ldr w5, [x6, #12]",
	     {.size = 4, .count = 1, .rt = {5}, .rn = 6, .imm = 12}},
	    {0xb9800cc5,
	     "ldrsw x5, [x6, #12]",
	     {.size = 4,
	      .count = 1,
	      .sign_extend = true,
	      .dest64 = true,
	      .rt = {5},
	      .rn = 6,
	      .imm = 12}},
	    {0xf9000907,
	     "str x7, [x8, #16]",
	     {.size = 8,
	      .count = 1,
	      .write = true,
	      .dest64 = true,
	      .rt = {7},
	      .rn = 8,
	      .imm = 16}},
	    {0xf9400907,
	     "ldr x7, [x8, #16]",
	     {.size = 8,
	      .count = 1,
	      .dest64 = true,
	      .rt = {7},
	      .rn = 8,
	      .imm = 16}},
	    {0xf97ffffe,
	     "ldr x30, [sp, #32760]",
	     {.size = 8,
	      .count = 1,
	      .dest64 = true,
	      .rt = {30},
	      .rn = 31,
	      .imm = 32760}},
	    {0xf900001f,
	     "str xzr, [x0]",
	     {.size = 8,
	      .count = 1,
	      .write = true,
	      .dest64 = true,
	      .rt = {31},
	      .rn = 0,
	      .imm = 0}},
	    /* Rn == Rt without writeback is well defined. */
	    {0xf9400421,
	     "ldr x1, [x1, #8]",
	     {.size = 8,
	      .count = 1,
	      .dest64 = true,
	      .rt = {1},
	      .rn = 1,
	      .imm = 8}},
	};

	(void)state;
	run_decode_cases(cases, ARRAY_LEN(cases));
}

static void test_mmio_decode_insn_unscaled_and_unprivileged(void **state)
{
	static const struct decode_case cases[] = {
	    {0xb85fc041,
	     "ldur w1, [x2, #-4]",
	     {.size = 4, .count = 1, .rt = {1}, .rn = 2, .imm = -4}},
	    {0xf8100083,
	     "stur x3, [x4, #-256]",
	     {.size = 8,
	      .count = 1,
	      .write = true,
	      .dest64 = true,
	      .rt = {3},
	      .rn = 4,
	      .imm = -256}},
	    {0x38dff041,
	     "ldursb w1, [x2, #-1]",
	     {.size = 1,
	      .count = 1,
	      .sign_extend = true,
	      .rt = {1},
	      .rn = 2,
	      .imm = -1}},
	    {0x788ff041,
	     "ldursh x1, [x2, #255]",
	     {.size = 2,
	      .count = 1,
	      .sign_extend = true,
	      .dest64 = true,
	      .rt = {1},
	      .rn = 2,
	      .imm = 255}},
	    {0x781fe041,
	     "sturh w1, [x2, #-2]",
	     {.size = 2,
	      .count = 1,
	      .write = true,
	      .rt = {1},
	      .rn = 2,
	      .imm = -2}},
	    {0xb89f8041,
	     "ldursw x1, [x2, #-8]",
	     {.size = 4,
	      .count = 1,
	      .sign_extend = true,
	      .dest64 = true,
	      .rt = {1},
	      .rn = 2,
	      .imm = -8}},
	    {0xf8408841,
	     "ldtr x1, [x2, #8]",
	     {.size = 8,
	      .count = 1,
	      .dest64 = true,
	      .rt = {1},
	      .rn = 2,
	      .imm = 8}},
	    {0x381ff841,
	     "sttrb w1, [x2, #-1]",
	     {.size = 1,
	      .count = 1,
	      .write = true,
	      .rt = {1},
	      .rn = 2,
	      .imm = -1}},
	    {0xb8804841,
	     "ldtrsw x1, [x2, #4]",
	     {.size = 4,
	      .count = 1,
	      .sign_extend = true,
	      .dest64 = true,
	      .rt = {1},
	      .rn = 2,
	      .imm = 4}},
	    {0x78dfe841,
	     "ldtrsh w1, [x2, #-2]",
	     {.size = 2,
	      .count = 1,
	      .sign_extend = true,
	      .rt = {1},
	      .rn = 2,
	      .imm = -2}},
	};

	(void)state;
	run_decode_cases(cases, ARRAY_LEN(cases));
}

static void test_mmio_decode_insn_pre_post_index(void **state)
{
	static const struct decode_case cases[] = {
	    {0xf8408c41,
	     "ldr x1, [x2, #8]!",
	     {.size = 8,
	      .count = 1,
	      .dest64 = true,
	      .rt = {1},
	      .rn = 2,
	      .mode = MMIO_ADDR_PRE,
	      .imm = 8}},
	    {0xf85f0441,
	     "ldr x1, [x2], #-16",
	     {.size = 8,
	      .count = 1,
	      .dest64 = true,
	      .rt = {1},
	      .rn = 2,
	      .mode = MMIO_ADDR_POST,
	      .imm = -16}},
	    {0xb81fcc83,
	     "str w3, [x4, #-4]!",
	     {.size = 4,
	      .count = 1,
	      .write = true,
	      .rt = {3},
	      .rn = 4,
	      .mode = MMIO_ADDR_PRE,
	      .imm = -4}},
	    {0x38001483,
	     "strb w3, [x4], #1",
	     {.size = 1,
	      .count = 1,
	      .write = true,
	      .rt = {3},
	      .rn = 4,
	      .mode = MMIO_ADDR_POST,
	      .imm = 1}},
	    {0x78dfecc5,
	     "ldrsh w5, [x6, #-2]!",
	     {.size = 2,
	      .count = 1,
	      .sign_extend = true,
	      .rt = {5},
	      .rn = 6,
	      .mode = MMIO_ADDR_PRE,
	      .imm = -2}},
	    {0xf85f0fe1,
	     "ldr x1, [sp, #-16]!",
	     {.size = 8,
	      .count = 1,
	      .dest64 = true,
	      .rt = {1},
	      .rn = 31,
	      .mode = MMIO_ADDR_PRE,
	      .imm = -16}},
	    {0xf80107e1,
	     "str x1, [sp], #16",
	     {.size = 8,
	      .count = 1,
	      .write = true,
	      .dest64 = true,
	      .rt = {1},
	      .rn = 31,
	      .mode = MMIO_ADDR_POST,
	      .imm = 16}},
	    /* Rt == Rn == 31 is XZR and SP: no overlap. */
	    {0xf8408fff,
	     "ldr xzr, [sp, #8]!",
	     {.size = 8,
	      .count = 1,
	      .dest64 = true,
	      .rt = {31},
	      .rn = 31,
	      .mode = MMIO_ADDR_PRE,
	      .imm = 8}},
	};

	(void)state;
	run_decode_cases(cases, ARRAY_LEN(cases));
}

static void test_mmio_decode_insn_register_offset(void **state)
{
	static const struct decode_case cases[] = {
	    {0xf8636841,
	     "ldr x1, [x2, x3]",
	     {.size = 8,
	      .count = 1,
	      .dest64 = true,
	      .rt = {1},
	      .rn = 2,
	      .reg_offset = true,
	      .rm = 3,
	      .extend = MMIO_EXT_LSL,
	      .shift = 0}},
	    {0xf8637841,
	     "ldr x1, [x2, x3, lsl #3]",
	     {.size = 8,
	      .count = 1,
	      .dest64 = true,
	      .rt = {1},
	      .rn = 2,
	      .reg_offset = true,
	      .rm = 3,
	      .extend = MMIO_EXT_LSL,
	      .shift = 3}},
	    {0xb8634841,
	     "ldr w1, [x2, w3, uxtw]",
	     {.size = 4,
	      .count = 1,
	      .rt = {1},
	      .rn = 2,
	      .reg_offset = true,
	      .rm = 3,
	      .extend = MMIO_EXT_UXTW,
	      .shift = 0}},
	    {0xb8635841,
	     "ldr w1, [x2, w3, uxtw #2]",
	     {.size = 4,
	      .count = 1,
	      .rt = {1},
	      .rn = 2,
	      .reg_offset = true,
	      .rm = 3,
	      .extend = MMIO_EXT_UXTW,
	      .shift = 2}},
	    {0x7863d841,
	     "ldrh w1, [x2, w3, sxtw #1]",
	     {.size = 2,
	      .count = 1,
	      .rt = {1},
	      .rn = 2,
	      .reg_offset = true,
	      .rm = 3,
	      .extend = MMIO_EXT_SXTW,
	      .shift = 1}},
	    {0x3863c841,
	     "ldrb w1, [x2, w3, sxtw]",
	     {.size = 1,
	      .count = 1,
	      .rt = {1},
	      .rn = 2,
	      .reg_offset = true,
	      .rm = 3,
	      .extend = MMIO_EXT_SXTW,
	      .shift = 0}},
	    {0xf823e841,
	     "str x1, [x2, x3, sxtx]",
	     {.size = 8,
	      .count = 1,
	      .write = true,
	      .dest64 = true,
	      .rt = {1},
	      .rn = 2,
	      .reg_offset = true,
	      .rm = 3,
	      .extend = MMIO_EXT_SXTX,
	      .shift = 0}},
	    {0xf823f841,
	     "str x1, [x2, x3, sxtx #3]",
	     {.size = 8,
	      .count = 1,
	      .write = true,
	      .dest64 = true,
	      .rt = {1},
	      .rn = 2,
	      .reg_offset = true,
	      .rm = 3,
	      .extend = MMIO_EXT_SXTX,
	      .shift = 3}},
	    /* S = 1 on a byte access shifts by log2(1) = 0. */
	    {0x38a37841,
	     "ldrsb x1, [x2, x3, lsl #0]",
	     {.size = 1,
	      .count = 1,
	      .sign_extend = true,
	      .dest64 = true,
	      .rt = {1},
	      .rn = 2,
	      .reg_offset = true,
	      .rm = 3,
	      .extend = MMIO_EXT_LSL,
	      .shift = 0}},
	    {0xb8a3d841,
	     "ldrsw x1, [x2, w3, sxtw #2]",
	     {.size = 4,
	      .count = 1,
	      .sign_extend = true,
	      .dest64 = true,
	      .rt = {1},
	      .rn = 2,
	      .reg_offset = true,
	      .rm = 3,
	      .extend = MMIO_EXT_SXTW,
	      .shift = 2}},
	};

	(void)state;
	run_decode_cases(cases, ARRAY_LEN(cases));
}

static void test_mmio_decode_insn_pairs(void **state)
{
	static const struct decode_case cases[] = {
	    {0x29410861,
	     "ldp w1, w2, [x3, #8]",
	     {.size = 4, .count = 2, .rt = {1, 2}, .rn = 3, .imm = 8}},
	    {0x29ff0861,
	     "ldp w1, w2, [x3, #-8]!",
	     {.size = 4,
	      .count = 2,
	      .rt = {1, 2},
	      .rn = 3,
	      .mode = MMIO_ADDR_PRE,
	      .imm = -8}},
	    {0x28df8861,
	     "ldp w1, w2, [x3], #252",
	     {.size = 4,
	      .count = 2,
	      .rt = {1, 2},
	      .rn = 3,
	      .mode = MMIO_ADDR_POST,
	      .imm = 252}},
	    {0x29200861,
	     "stp w1, w2, [x3, #-256]",
	     {.size = 4,
	      .count = 2,
	      .write = true,
	      .rt = {1, 2},
	      .rn = 3,
	      .imm = -256}},
	    {0xa9bf0be1,
	     "stp x1, x2, [sp, #-16]!",
	     {.size = 8,
	      .count = 2,
	      .write = true,
	      .dest64 = true,
	      .rt = {1, 2},
	      .rn = 31,
	      .mode = MMIO_ADDR_PRE,
	      .imm = -16}},
	    {0xa8810861,
	     "stp x1, x2, [x3], #16",
	     {.size = 8,
	      .count = 2,
	      .write = true,
	      .dest64 = true,
	      .rt = {1, 2},
	      .rn = 3,
	      .mode = MMIO_ADDR_POST,
	      .imm = 16}},
	    {0xa95f8861,
	     "ldp x1, x2, [x3, #504]",
	     {.size = 8,
	      .count = 2,
	      .dest64 = true,
	      .rt = {1, 2},
	      .rn = 3,
	      .imm = 504}},
	    {0xa9e00861,
	     "ldp x1, x2, [x3, #-512]!",
	     {.size = 8,
	      .count = 2,
	      .dest64 = true,
	      .rt = {1, 2},
	      .rn = 3,
	      .mode = MMIO_ADDR_PRE,
	      .imm = -512}},
	    {0xa8c17bfd,
	     "ldp x29, x30, [sp], #16",
	     {.size = 8,
	      .count = 2,
	      .dest64 = true,
	      .rt = {29, 30},
	      .rn = 31,
	      .mode = MMIO_ADDR_POST,
	      .imm = 16}},
	    {0xa8410861,
	     "ldnp x1, x2, [x3, #16]",
	     {.size = 8,
	      .count = 2,
	      .dest64 = true,
	      .rt = {1, 2},
	      .rn = 3,
	      .imm = 16}},
	    {0x283f0861,
	     "stnp w1, w2, [x3, #-8]",
	     {.size = 4,
	      .count = 2,
	      .write = true,
	      .rt = {1, 2},
	      .rn = 3,
	      .imm = -8}},
	    {0x69410861,
	     "ldpsw x1, x2, [x3, #8]",
	     {.size = 4,
	      .count = 2,
	      .sign_extend = true,
	      .dest64 = true,
	      .rt = {1, 2},
	      .rn = 3,
	      .imm = 8}},
	    {0x69ff0861,
	     "ldpsw x1, x2, [x3, #-8]!",
	     {.size = 4,
	      .count = 2,
	      .sign_extend = true,
	      .dest64 = true,
	      .rt = {1, 2},
	      .rn = 3,
	      .mode = MMIO_ADDR_PRE,
	      .imm = -8}},
	    {0x68c10861,
	     "ldpsw x1, x2, [x3], #8",
	     {.size = 4,
	      .count = 2,
	      .sign_extend = true,
	      .dest64 = true,
	      .rt = {1, 2},
	      .rn = 3,
	      .mode = MMIO_ADDR_POST,
	      .imm = 8}},
	};

	(void)state;
	run_decode_cases(cases, ARRAY_LEN(cases));
}

static void test_mmio_decode_insn_rejects_unsupported(void **state)
{
	static const struct reject_case cases[] = {
	    {0xc85f7c41, "ldxr x1, [x2]"},
	    {0xc8007c41, "stxr w0, x1, [x2]"},
	    {0xc85ffc41, "ldaxr x1, [x2]"},
	    {0xc89ffc41, "stlr x1, [x2]"},
	    {0xc8dffc41, "ldar x1, [x2]"},
	    {0xc87f0861, "ldxp x1, x2, [x3]"},
	    {0xf8bfc041, "ldapr x1, [x2]"},
	    {0xf8210062, "ldadd x1, x2, [x3]"},
	    {0xf8200441, "ldraa x1, [x2]"},
	    {0x69000861, "stgp x1, x2, [x3]"},
	    {0xf9800420, "prfm pldl1keep, [x1, #8]"},
	    {0xf89f8020, "prfum pldl1keep, [x1, #-8]"},
	    {0xf8a26820, "prfm pldl1keep, [x1, x2]"},
	    {0x58000001, "ldr x1, <literal>"},
	    {0x18000021, "ldr w1, <literal>"},
	    {0x3dc00020, "ldr q0, [x1]"},
	    {0xfd400420, "ldr d0, [x1, #8]"},
	    {0xbc004420, "str s0, [x1], #4"},
	    {0xad000440, "stp q0, q1, [x2]"},
	    {0x6d400440, "ldp d0, d1, [x2]"},
	    {0xf8630841, "hand-built: ldr x1, [x2, x3] with option 000"},
	    {0xf8632841, "hand-built: ldr x1, [x2, x3] with option 001"},
	    {0xf8638841, "hand-built: ldr x1, [x2, x3] with option 100"},
	    {0xb9c00cc5, "hand-built: ldrsw with opc 11 (size 2)"},
	    {0xf8808841, "hand-built: ldtr with size 3, opc 10"},
	    {0xf8c00c41, "hand-built: pre-index with size 3, opc 11"},
	    {0x68410861, "hand-built: ldnp with opc 01"},
	    {0xe9410861, "hand-built: ldp with opc 11"},
	    {0xf8408c21, "ldr x1, [x1, #8]!"},
	    {0xf8408421, "ldr x1, [x1], #8"},
	    {0xf8008c21, "str x1, [x1, #8]!"},
	    {0xa9c10821, "ldp x1, x2, [x1, #16]!"},
	    {0xa8810841, "stp x1, x2, [x2], #16"},
	    {0xa9400441, "ldp x1, x1, [x2]"},
	    {0xa8400441, "ldnp x1, x1, [x2]"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct mmio_insn got;
		struct mmio_insn before;

		memset(&got, 0xa5, sizeof(got));
		memcpy(&before, &got, sizeof(got));
		if (mmio_decode_insn(cases[i].insn, &got) !=
		    MMIO_DECODE_UNSUPPORTED) {
			print_error("%s (0x%08x): accepted\n", cases[i].text,
				    cases[i].insn);
			fail();
		}
		assert_memory_equal(&got, &before, sizeof(got));
	}
}

/** An instruction, base and index register values, and the results. */
struct address_case {
	uint32_t insn;
	const char *text;
	uint64_t xn;
	uint64_t xm;
	uint64_t address;
	bool writeback;
	uint64_t new_base;
};

/** Decode every case and check address, writeback and new base. */
static void run_address_cases(const struct address_case *cases, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		const struct address_case *c = &cases[i];
		struct mmio_insn d;

		assert_int_equal(mmio_decode_insn(c->insn, &d), MMIO_DECODE_OK);
		expect_field(c->text, "address",
			     (long long)mmio_insn_address(&d, c->xn, c->xm),
			     (long long)c->address);
		expect_field(c->text, "writeback", mmio_insn_writeback(&d),
			     c->writeback);
		expect_field(c->text, "new base",
			     (long long)mmio_insn_new_base(&d, c->xn),
			     (long long)c->new_base);
	}
}

static void test_mmio_insn_address_immediate_forms(void **state)
{
	static const struct address_case cases[] = {
	    {0xf9400907, "ldr x7, [x8, #16]", 0x1000, 0, 0x1010, false, 0x1000},
	    {0xf97ffffe, "ldr x30, [sp, #32760]", 0x1000, 0, 0x8ff8, false,
	     0x1000},
	    {0xb85fc041, "ldur w1, [x2, #-4]", 0x1000, 0, 0xffc, false, 0x1000},
	    {0xb85fc041, "ldur w1, [x2, #-4] wrapping below 0", 0, 0,
	     0xfffffffffffffffc, false, 0},
	    {0xf8408841, "ldtr x1, [x2, #8]", 0x1000, 0, 0x1008, false, 0x1000},
	    {0xa9e00861, "ldp x1, x2, [x3, #-512]!", 0x1000, 0, 0xe00, true,
	     0xe00},
	    {0x29410861, "ldp w1, w2, [x3, #8]", 0x1000, 0, 0x1008, false,
	     0x1000},
	    {0xa8410861, "ldnp x1, x2, [x3, #16]", 0x1000, 0, 0x1010, false,
	     0x1000},
	};

	(void)state;
	run_address_cases(cases, ARRAY_LEN(cases));
}

static void test_mmio_insn_new_base_pre_and_post_index(void **state)
{
	static const struct address_case cases[] = {
	    {0xf8408c41, "ldr x1, [x2, #8]!", 0x1000, 0, 0x1008, true, 0x1008},
	    {0xb81fcc83, "str w3, [x4, #-4]!", 0x1000, 0, 0xffc, true, 0xffc},
	    {0xf85f0441, "ldr x1, [x2], #-16", 0x1000, 0, 0x1000, true, 0xff0},
	    {0x38001483, "strb w3, [x4], #1", 0x1000, 0, 0x1000, true, 0x1001},
	    {0xa9bf0be1, "stp x1, x2, [sp, #-16]!", 0x8000, 0, 0x7ff0, true,
	     0x7ff0},
	    {0xa8c17bfd, "ldp x29, x30, [sp], #16", 0x7ff0, 0, 0x7ff0, true,
	     0x8000},
	    {0x28df8861, "ldp w1, w2, [x3], #252", 0x1000, 0, 0x1000, true,
	     0x10fc},
	    {0x69ff0861, "ldpsw x1, x2, [x3, #-8]!", 0x1000, 0, 0xff8, true,
	     0xff8},
	};

	(void)state;
	run_address_cases(cases, ARRAY_LEN(cases));
}

static void test_mmio_insn_address_register_offset_extends(void **state)
{
	static const struct address_case cases[] = {
	    {0xf8636841, "ldr x1, [x2, x3]", 0x1000, 0x100000000, 0x100001000,
	     false, 0x1000},
	    {0xf8637841, "ldr x1, [x2, x3, lsl #3]", 0x1000, 2, 0x1010, false,
	     0x1000},
	    /* UXTW drops the upper half of Xm. */
	    {0xb8634841, "ldr w1, [x2, w3, uxtw]", 0x1000, 0xdeadbeefffffffff,
	     0x100000fff, false, 0x1000},
	    {0xb8635841, "ldr w1, [x2, w3, uxtw #2]", 0x1000,
	     0xffffffff00000003, 0x100c, false, 0x1000},
	    /* SXTW of 0xffffffff is -1. */
	    {0x3863c841, "ldrb w1, [x2, w3, sxtw]", 0x1000, 0xffffffff, 0xfff,
	     false, 0x1000},
	    {0x3863c841, "ldrb w1, [x2, w3, sxtw] positive", 0x1000,
	     0x1234567800000010, 0x1010, false, 0x1000},
	    {0x7863d841, "ldrh w1, [x2, w3, sxtw #1]", 0x1000, 0xffffffff,
	     0xffe, false, 0x1000},
	    {0xb8a3d841, "ldrsw x1, [x2, w3, sxtw #2]", 0x1000, 0xfffffffe,
	     0xff8, false, 0x1000},
	    {0xf823e841, "str x1, [x2, x3, sxtx]", 0x1000, 0xfffffffffffffff0,
	     0xff0, false, 0x1000},
	    {0xf823f841, "str x1, [x2, x3, sxtx #3]", 0x1000,
	     0xffffffffffffffff, 0xff8, false, 0x1000},
	};

	(void)state;
	run_address_cases(cases, ARRAY_LEN(cases));
}

static void test_mmio_insn_address_ignores_xm_without_reg_offset(void **state)
{
	struct mmio_insn d;

	(void)state;
	/* ldr x7, [x8, #16] */
	assert_int_equal(mmio_decode_insn(0xf9400907, &d), MMIO_DECODE_OK);
	assert_int_equal(mmio_insn_address(&d, 0x1000, 0x5000), 0x1010);
}

static void test_mmio_load_value_byte(void **state)
{
	(void)state;
	assert_int_equal(mmio_load_value(0x80, 1, true, false), 0xffffff80);
	assert_int_equal(mmio_load_value(0x80, 1, true, true),
			 0xffffffffffffff80);
	assert_int_equal(mmio_load_value(0x7f, 1, true, true), 0x7f);
	assert_int_equal(mmio_load_value(0x1280, 1, false, false), 0x80);
	assert_int_equal(mmio_load_value(0x1280, 1, false, true), 0x80);
}

static void test_mmio_load_value_halfword(void **state)
{
	(void)state;
	assert_int_equal(mmio_load_value(0x8000, 2, true, false), 0xffff8000);
	assert_int_equal(mmio_load_value(0x8000, 2, true, true),
			 0xffffffffffff8000);
	assert_int_equal(mmio_load_value(0xabcd8000, 2, false, false), 0x8000);
	assert_int_equal(mmio_load_value(0x7fff, 2, true, true), 0x7fff);
}

static void test_mmio_load_value_word(void **state)
{
	(void)state;
	assert_int_equal(mmio_load_value(0x80000000, 4, true, true),
			 0xffffffff80000000);
	assert_int_equal(mmio_load_value(0x80000000, 4, false, true),
			 0x80000000);
	/* A W destination has its upper half cleared. */
	assert_int_equal(mmio_load_value(0x1234567887654321, 4, false, false),
			 0x87654321);
	assert_int_equal(mmio_load_value(0x80000000, 4, true, false),
			 0x80000000);
}

static void test_mmio_load_value_doubleword_passthrough(void **state)
{
	(void)state;
	assert_int_equal(mmio_load_value(0x8123456789abcdef, 8, false, true),
			 0x8123456789abcdef);
	assert_int_equal(mmio_load_value(0x8123456789abcdef, 8, true, true),
			 0x8123456789abcdef);
}

static void test_mmio_size_mask_truncates_a_store(void **state)
{
	const uint64_t reg = 0x1122334455667788;

	(void)state;
	assert_int_equal(reg & mmio_size_mask(1), 0x88);
	assert_int_equal(reg & mmio_size_mask(2), 0x7788);
	assert_int_equal(reg & mmio_size_mask(4), 0x55667788);
	assert_int_equal(reg & mmio_size_mask(8), 0x1122334455667788);
}

/** A data-abort syndrome from a lower EL with the given ISS. */
static uint64_t make_dabt(uint64_t iss)
{
	return ((uint64_t)EC_DABT_LOW << ESR_EC_SHIFT) | ESR_IL | iss;
}

/** Syndrome fields of a valid (ISV = 1) data abort. */
static uint64_t dabt_iss(unsigned int sas, unsigned int srt)
{
	return ESR_DABT_ISV | ((uint64_t)sas << ESR_DABT_SAS_SHIFT) |
	       ((uint64_t)srt << ESR_DABT_SRT_SHIFT) | FSC_TRANSLATION_L0;
}

static void test_mmio_decode_syndrome_word_load(void **state)
{
	/* ldr w3, [xN]: SAS = 2, SRT = 3, SF = 0. */
	struct esr_dabt d = esr_decode_dabt(make_dabt(dabt_iss(2, 3)));
	struct mmio_insn m;

	(void)state;
	assert_int_equal(mmio_decode_syndrome(&d, &m), MMIO_DECODE_OK);
	assert_int_equal(m.size, 4);
	assert_int_equal(m.count, 1);
	assert_false(m.write);
	assert_false(m.sign_extend);
	assert_false(m.dest64);
	assert_int_equal(m.rt[0], 3);
	assert_int_equal(m.mode, MMIO_ADDR_OFFSET);
	assert_int_equal(m.imm, 0);
	assert_false(m.reg_offset);
	assert_false(mmio_insn_writeback(&m));
	assert_int_equal(mmio_insn_address(&m, 0x9000, 0x40), 0x9000);
}

static void test_mmio_decode_syndrome_signed_halfword_to_x(void **state)
{
	/* ldrsh x30, [xN]: SAS = 1, SSE, SRT = 30, SF. */
	struct esr_dabt d = esr_decode_dabt(
	    make_dabt(dabt_iss(1, 30) | ESR_DABT_SSE | ESR_DABT_SF));
	struct mmio_insn m;

	(void)state;
	assert_int_equal(mmio_decode_syndrome(&d, &m), MMIO_DECODE_OK);
	assert_int_equal(m.size, 2);
	assert_true(m.sign_extend);
	assert_true(m.dest64);
	assert_int_equal(m.rt[0], 30);
	assert_false(m.write);
}

static void test_mmio_decode_syndrome_doubleword_store(void **state)
{
	/* str xzr, [xN]: SAS = 3, SRT = 31, SF, WnR. */
	struct esr_dabt d = esr_decode_dabt(
	    make_dabt(dabt_iss(3, 31) | ESR_DABT_SF | ESR_DABT_WNR));
	struct mmio_insn m;

	(void)state;
	assert_int_equal(mmio_decode_syndrome(&d, &m), MMIO_DECODE_OK);
	assert_int_equal(m.size, 8);
	assert_true(m.write);
	assert_false(m.sign_extend);
	assert_true(m.dest64);
	assert_int_equal(m.rt[0], MMIO_REG_ZR_OR_SP);
	assert_int_equal(m.count, 1);
}

static void test_mmio_decode_syndrome_rejects_isv0_and_cm(void **state)
{
	struct esr_dabt no_isv = esr_decode_dabt(
	    make_dabt((2ULL << ESR_DABT_SAS_SHIFT) | FSC_TRANSLATION_L0));
	struct esr_dabt cm = esr_decode_dabt(
	    make_dabt(dabt_iss(3, 0) | ESR_DABT_CM | ESR_DABT_WNR));
	struct mmio_insn m;

	(void)state;
	assert_int_equal(mmio_decode_syndrome(&no_isv, &m),
			 MMIO_DECODE_UNSUPPORTED);
	assert_int_equal(mmio_decode_syndrome(&cm, &m),
			 MMIO_DECODE_UNSUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mmio_decode_insn_unsigned_offset),
	    cmocka_unit_test(test_mmio_decode_insn_unscaled_and_unprivileged),
	    cmocka_unit_test(test_mmio_decode_insn_pre_post_index),
	    cmocka_unit_test(test_mmio_decode_insn_register_offset),
	    cmocka_unit_test(test_mmio_decode_insn_pairs),
	    cmocka_unit_test(test_mmio_decode_insn_rejects_unsupported),
	    cmocka_unit_test(test_mmio_insn_address_immediate_forms),
	    cmocka_unit_test(test_mmio_insn_new_base_pre_and_post_index),
	    cmocka_unit_test(test_mmio_insn_address_register_offset_extends),
	    cmocka_unit_test(
		test_mmio_insn_address_ignores_xm_without_reg_offset),
	    cmocka_unit_test(test_mmio_load_value_byte),
	    cmocka_unit_test(test_mmio_load_value_halfword),
	    cmocka_unit_test(test_mmio_load_value_word),
	    cmocka_unit_test(test_mmio_load_value_doubleword_passthrough),
	    cmocka_unit_test(test_mmio_size_mask_truncates_a_store),
	    cmocka_unit_test(test_mmio_decode_syndrome_word_load),
	    cmocka_unit_test(test_mmio_decode_syndrome_signed_halfword_to_x),
	    cmocka_unit_test(test_mmio_decode_syndrome_doubleword_store),
	    cmocka_unit_test(test_mmio_decode_syndrome_rejects_isv0_and_cm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
