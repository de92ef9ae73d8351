/** cmocka tests of ESR decoding and injected syndromes (arch/esr.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "arch/esr.h"
#include "arch/sysreg.h"

/* Syndromes as QEMU/hardware produce them. */
static uint64_t make_esr(uint32_t ec, uint32_t iss)
{
	return ((uint64_t)ec << ESR_EC_SHIFT) | ESR_IL | iss;
}

static void test_esr_ec_extracts_class(void **state)
{
	(void)state;
	assert_int_equal(esr_ec(make_esr(EC_HVC64, 0)), EC_HVC64);
	assert_int_equal(esr_ec(make_esr(EC_DABT_LOW, 0x1ffffff)), EC_DABT_LOW);
	assert_int_equal(esr_iss(make_esr(EC_DABT_LOW, 0x1234)), 0x1234);
}

static void test_esr_decode_dabt_isv_word_load(void **state)
{
	/* ldr w3, [x1]: ISV, SAS=2 (word), SRT=3, SF=0, read, DFSC translation L3. */
	uint32_t iss = (1U << 24) | (2U << 22) | (3U << 16) | 0x07;
	struct esr_dabt d = esr_decode_dabt(make_esr(EC_DABT_LOW, iss));

	(void)state;
	assert_true(d.isv);
	assert_int_equal(d.size, 4);
	assert_int_equal(d.reg, 3);
	assert_false(d.reg64);
	assert_false(d.write);
	assert_false(d.sign_extend);
}

static void test_esr_decode_dabt_signed_halfword_store_fields(void **state)
{
	/* ldrsh x30, [..]: SAS=1, SSE, SRT=30, SF; and a store with XZR. */
	uint32_t iss = (1U << 24) | (1U << 22) | (1U << 21) | (30U << 16) |
		       (1U << 15) | (1U << 14) | 0x05;
	struct esr_dabt d = esr_decode_dabt(make_esr(EC_DABT_LOW, iss));

	(void)state;
	assert_int_equal(d.size, 2);
	assert_true(d.sign_extend);
	assert_int_equal(d.reg, 30);
	assert_true(d.reg64);

	iss = (1U << 24) | (3U << 22) | (31U << 16) | (1U << 15) | (1U << 6);
	d = esr_decode_dabt(make_esr(EC_DABT_LOW, iss));
	assert_int_equal(d.size, 8);
	assert_int_equal(d.reg, 31);
	assert_true(d.write);
}

static void test_esr_decode_dabt_no_isv_clears_syndrome(void **state)
{
	/* Without ISV, SAS/SSE/SRT/SF are RES0 and must not be trusted. */
	uint32_t iss = (3U << 22) | (1U << 21) | (7U << 16) | (1U << 15) |
		       (1U << 6) | (1U << 7) | (1U << 10) | 0x10;
	struct esr_dabt d = esr_decode_dabt(make_esr(EC_DABT_LOW, iss));

	(void)state;
	assert_false(d.isv);
	assert_int_equal(d.size, 0);
	assert_int_equal(d.reg, 0);
	assert_false(d.sign_extend);
	assert_true(d.write);
}

/* xFSC (D13.2.39): translation 0b0001LL, permission 0b0011LL, any level;
 * access flag (0b0010LL), external (0b010000) and the other ISS bits do
 * not count. */
static void test_esr_fault_status_classes(void **state)
{
	const uint64_t dabt = (uint64_t)EC_DABT_LOW << 26 | ESR_DABT_ISV;

	(void)state;
	for (uint64_t level = 0; level < 4; level++) {
		assert_true(esr_is_translation_fault(dabt | (0x04 + level)));
		assert_false(esr_is_permission_fault(dabt | (0x04 + level)));
		assert_true(esr_is_permission_fault(dabt | (0x0c + level)));
		assert_false(esr_is_translation_fault(dabt | (0x0c + level)));
		assert_false(esr_is_translation_fault(dabt | (0x08 + level)));
		assert_false(esr_is_permission_fault(dabt | (0x08 + level)));
	}
	assert_false(esr_is_translation_fault(dabt | 0x10));
	assert_false(esr_is_translation_fault(dabt | 0x00));
	assert_true(esr_is_translation_fault(dabt | ESR_DABT_S1PTW | 0x05));
}

static void test_esr_decode_sysreg_fields(void **state)
{
	/* mrs x9, actlr_el1 = S3_0_C1_C0_1: Op0=3 Op2=1 Op1=0 CRn=1 Rt=9 CRm=0. */
	uint32_t iss = (3U << 20) | (1U << 17) | (0U << 14) | (1U << 10) |
		       (9U << 5) | (0U << 1) | 1U;
	struct esr_sysreg s = esr_decode_sysreg(make_esr(EC_SYSREG, iss));

	(void)state;
	assert_int_equal(s.op0, 3);
	assert_int_equal(s.op1, 0);
	assert_int_equal(s.crn, 1);
	assert_int_equal(s.crm, 0);
	assert_int_equal(s.op2, 1);
	assert_int_equal(s.reg, 9);
	assert_true(s.read);

	/* msr cntp_cval_el0, xzr = S3_3_C14_C2_2, write. */
	iss = (3U << 20) | (2U << 17) | (3U << 14) | (14U << 10) | (31U << 5) |
	      (2U << 1);
	s = esr_decode_sysreg(make_esr(EC_SYSREG, iss));
	assert_int_equal(s.op1, 3);
	assert_int_equal(s.crn, 14);
	assert_int_equal(s.crm, 2);
	assert_int_equal(s.op2, 2);
	assert_int_equal(s.reg, 31);
	assert_false(s.read);
}

static void test_esr_make_undef_is_ec0_il(void **state)
{
	(void)state;
	assert_int_equal(esr_make_undef(), 0x02000000ULL);
}

static void test_esr_make_ext_abort_variants(void **state)
{
	(void)state;
	/* Data abort from EL1, read: EC 0x25, IL, DFSC 0x10. */
	assert_int_equal(esr_make_ext_abort(true, false, false), 0x96000010ULL);
	/* ... write sets WnR. */
	assert_int_equal(esr_make_ext_abort(true, false, true), 0x96000050ULL);
	/* From EL0: EC 0x24. */
	assert_int_equal(esr_make_ext_abort(false, false, false), 0x92000010ULL);
	/* Instruction abort from EL1 / EL0: EC 0x21 / 0x20, never WnR. */
	assert_int_equal(esr_make_ext_abort(true, true, true), 0x86000010ULL);
	assert_int_equal(esr_make_ext_abort(false, true, false), 0x82000010ULL);
}

static void test_esr_vector_offset_sync_by_mode(void **state)
{
	(void)state;
	assert_int_equal(esr_vector_offset_sync(SPSR_M_EL1H | SPSR_DAIF), 0x200);
	assert_int_equal(esr_vector_offset_sync(SPSR_M_EL1T), 0x000);
	assert_int_equal(esr_vector_offset_sync(SPSR_M_EL0T), 0x400);
	/* AArch32 EL0 (M[4] = 1, USR mode 0x10): lower EL AArch32 vector. */
	assert_int_equal(esr_vector_offset_sync(0x10), 0x600);
}

static void test_esr_ec_name_known_and_unknown(void **state)
{
	(void)state;
	assert_string_equal(esr_ec_name(EC_DABT_LOW), "data abort");
	assert_string_equal(esr_ec_name(EC_SYSREG), "MSR/MRS trap");
	assert_string_equal(esr_ec_name(0x3f), "unhandled exception class");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_esr_ec_extracts_class),
		cmocka_unit_test(test_esr_decode_dabt_isv_word_load),
		cmocka_unit_test(test_esr_decode_dabt_signed_halfword_store_fields),
		cmocka_unit_test(test_esr_decode_dabt_no_isv_clears_syndrome),
		cmocka_unit_test(test_esr_fault_status_classes),
		cmocka_unit_test(test_esr_decode_sysreg_fields),
		cmocka_unit_test(test_esr_make_undef_is_ec0_il),
		cmocka_unit_test(test_esr_make_ext_abort_variants),
		cmocka_unit_test(test_esr_vector_offset_sync_by_mode),
		cmocka_unit_test(test_esr_ec_name_known_and_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
