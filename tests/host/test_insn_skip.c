/**
 * cmocka tests of completing a trapped guest instruction (arch/insn_skip.h):
 * PC advance by ESR.IL, PSTATE.SS cleared, AArch32 condition checks and
 * ITSTATE advance.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "arch/esr.h"
#include "arch/insn_skip.h"
#include "arch/sysreg.h"

/* AArch32 User mode (M[4:0] = 0b10000) and the T32 state bit (C5.2.19). */
#define SPSR32_USR 0x10ULL
#define SPSR32_T   (1ULL << 5)
/* Condition codes (Arm ARM F1.x "Condition codes"). */
enum {
	EQ = 0x0,
	NE,
	CS,
	CC,
	MI,
	PL,
	VS,
	VC,
	HI,
	LS,
	GE,
	LT,
	GT,
	LE,
	AL,
	NV,
};

static uint64_t esr_of(uint32_t ec, bool il32, uint32_t iss)
{
	return ((uint64_t)ec << ESR_EC_SHIFT) | (il32 ? ESR_IL : 0) | iss;
}

/* ISS of a trapped WFI from AArch32 with a valid condition. */
static uint32_t wfi_iss_cond(uint32_t cond)
{
	return (uint32_t)(ESR_CV | ((uint64_t)cond << ESR_COND_SHIFT));
}

static void test_arch_skip_insn_a64_adds_4_and_clears_ss(void **state)
{
	struct arch_regs r = {.pc = 0x40001000, .spsr = SPSR_M_EL1H | SPSR_SS};

	(void)state;
	arch_skip_insn(&r, esr_of(EC_SMC64, true, 0));
	assert_int_equal(r.pc, 0x40001004);
	assert_int_equal(r.spsr, SPSR_M_EL1H);
}

static void test_arch_skip_insn_t16_adds_2(void **state)
{
	uint64_t spsr = SPSR32_USR | SPSR32_T | SPSR32_Z;
	struct arch_regs r = {.pc = 0x40000ffe, .spsr = spsr | SPSR_SS};

	(void)state;
	/* ldr r1, [r0, #24] (16-bit T32): ISV = 1, IL = 0. */
	arch_skip_insn(&r, esr_of(EC_DABT_LOW, false, ESR_DABT_ISV));
	assert_int_equal(r.pc, 0x40001000);
	assert_int_equal(r.spsr, spsr);
}

static void test_arch_skip_insn_a32_adds_4(void **state)
{
	struct arch_regs r = {.pc = 0x40000ffc, .spsr = SPSR32_USR};

	(void)state;
	arch_skip_insn(&r, esr_of(EC_DABT_LOW, true, ESR_DABT_ISV));
	assert_int_equal(r.pc, 0x40001000);
	assert_int_equal(r.spsr, SPSR32_USR);
}

static void test_arch_skip_insn_aarch32_pc_stays_32_bits(void **state)
{
	struct arch_regs r = {.pc = 0xfffffffe, .spsr = SPSR32_USR | SPSR32_T};

	(void)state;
	arch_skip_insn(&r, esr_of(EC_WFX, false, wfi_iss_cond(AL)));
	assert_int_equal(r.pc, 0);
}

static void test_arch_skip_is_pc4_only_a64_not_stepping(void **state)
{
	(void)state;
	assert_true(arch_skip_is_pc4(SPSR_M_EL0T));
	assert_true(arch_skip_is_pc4(SPSR_M_EL1H | SPSR_DAIF));
	assert_false(arch_skip_is_pc4(SPSR_M_EL1H | SPSR_SS));
	assert_false(arch_skip_is_pc4(SPSR32_USR));
	assert_false(arch_skip_is_pc4(SPSR32_USR | SPSR32_T | SPSR_SS));
}

static void test_aarch32_itstate_bit_positions(void **state)
{
	(void)state;
	/* IT[1:0] at SPSR [26:25], IT[7:2] at SPSR [15:10]. */
	assert_int_equal(aarch32_set_itstate(0, 0x0d),
			 (1ULL << 25) | (3ULL << 10));
	assert_int_equal(aarch32_set_itstate(0, 0xff),
			 (3ULL << 25) | (0x3fULL << 10));
	assert_int_equal(aarch32_itstate((2ULL << 25) | (0x31ULL << 10)), 0xc6);
	/* Other bits are kept. */
	assert_int_equal(
	    aarch32_set_itstate(SPSR32_N | SPSR32_T | 0xffffULL << 10, 0),
	    SPSR32_N | SPSR32_T | 0x1ff0000ULL);
}

static void test_aarch32_it_advance_walks_a_block(void **state)
{
	/* ITTTT EQ: firstcond 0000, mask 0010 (four instructions). */
	uint64_t s = aarch32_set_itstate(SPSR32_USR | SPSR32_T, 0x02);

	(void)state;
	s = aarch32_it_advance(s);
	assert_int_equal(aarch32_itstate(s), 0x04);
	s = aarch32_it_advance(s);
	assert_int_equal(aarch32_itstate(s), 0x08);
	s = aarch32_it_advance(s);
	assert_int_equal(aarch32_itstate(s), 0x00);
	assert_int_equal(s, SPSR32_USR | SPSR32_T);
	/* Outside a block ITSTATE stays 0. */
	assert_int_equal(aarch32_it_advance(s), s);
}

static void test_aarch32_it_advance_then_else(void **state)
{
	/* ITE GT = 0xcc: the second instruction runs under LE (0xd8). */
	uint64_t s = aarch32_set_itstate(SPSR32_USR | SPSR32_T, 0xcc);

	(void)state;
	s = aarch32_it_advance(s);
	assert_int_equal(aarch32_itstate(s), 0xd8);
	assert_int_equal(aarch32_itstate(s) >> 4, LE);
	assert_int_equal(aarch32_itstate(aarch32_it_advance(s)), 0);
}

static void test_arch_skip_insn_advances_itstate(void **state)
{
	/* ITE EQ (0x0c) holding a 16-bit WFIEQ: after it, the block's NE
	 * instruction (0x18) comes next. */
	struct arch_regs r = {
	    .pc = 0x40000100,
	    .spsr = aarch32_set_itstate(SPSR32_USR | SPSR32_T | SPSR32_Z, 0x0c),
	};

	(void)state;
	arch_skip_insn(&r, esr_of(EC_WFX, false, wfi_iss_cond(EQ)));
	assert_int_equal(r.pc, 0x40000102);
	assert_int_equal(aarch32_itstate(r.spsr), 0x18);
	assert_true((r.spsr & SPSR32_Z) && (r.spsr & SPSR32_T));
}

static void test_aarch32_cond_holds_every_condition(void **state)
{
	const uint64_t n = SPSR32_N, z = SPSR32_Z, c = SPSR32_C, v = SPSR32_V;

	(void)state;
	assert_true(aarch32_cond_holds(EQ, z));
	assert_false(aarch32_cond_holds(EQ, 0));
	assert_true(aarch32_cond_holds(NE, 0));
	assert_false(aarch32_cond_holds(NE, z));
	assert_true(aarch32_cond_holds(CS, c));
	assert_true(aarch32_cond_holds(CC, 0));
	assert_true(aarch32_cond_holds(MI, n));
	assert_true(aarch32_cond_holds(PL, z | c | v));
	assert_true(aarch32_cond_holds(VS, v));
	assert_false(aarch32_cond_holds(VC, v));
	assert_true(aarch32_cond_holds(HI, c));
	assert_false(aarch32_cond_holds(HI, c | z));
	assert_true(aarch32_cond_holds(LS, c | z));
	assert_true(aarch32_cond_holds(LS, 0));
	assert_true(aarch32_cond_holds(GE, n | v));
	assert_true(aarch32_cond_holds(GE, 0));
	assert_false(aarch32_cond_holds(GE, n));
	assert_true(aarch32_cond_holds(LT, v));
	assert_true(aarch32_cond_holds(GT, 0));
	assert_false(aarch32_cond_holds(GT, z));
	assert_false(aarch32_cond_holds(GT, n));
	assert_true(aarch32_cond_holds(LE, z));
	assert_true(aarch32_cond_holds(LE, n));
	assert_false(aarch32_cond_holds(LE, n | v));
	assert_true(aarch32_cond_holds(AL, 0));
	/* 0b1111 is never inverted. */
	assert_true(aarch32_cond_holds(NV, n | z | c | v));
}

static void test_arch_trap_cond_passed_uses_cv_cond(void **state)
{
	uint64_t usr = SPSR32_USR | SPSR32_T;

	(void)state;
	/* WFIEQ trapped with Z = 0: skipped. With Z = 1: executed. */
	assert_false(
	    arch_trap_cond_passed(esr_of(EC_WFX, true, wfi_iss_cond(EQ)), usr));
	assert_true(arch_trap_cond_passed(
	    esr_of(EC_WFX, true, wfi_iss_cond(EQ)), usr | SPSR32_Z));
	/* MCRGT to a trapped CP15 register with N != V: skipped. */
	assert_false(arch_trap_cond_passed(
	    esr_of(EC_CP15_32, true, wfi_iss_cond(GT)), usr | SPSR32_N));
	assert_false(arch_trap_cond_passed(
	    esr_of(EC_CP14_64, true, wfi_iss_cond(NE)), usr | SPSR32_Z));
}

static void test_arch_trap_cond_passed_cv0_uses_itstate(void **state)
{
	uint64_t usr = SPSR32_USR | SPSR32_T;
	uint64_t wfi_cv0 = esr_of(EC_WFX, false, 0);

	(void)state;
	/* Outside an IT block: unconditional. */
	assert_true(arch_trap_cond_passed(wfi_cv0, usr));
	/* Inside IT NE (0x18) with Z = 1: the condition fails. */
	assert_false(arch_trap_cond_passed(
	    wfi_cv0, aarch32_set_itstate(usr | SPSR32_Z, 0x18)));
	assert_true(
	    arch_trap_cond_passed(wfi_cv0, aarch32_set_itstate(usr, 0x18)));
}

static void test_arch_trap_cond_passed_true_without_condition(void **state)
{
	uint64_t usr = SPSR32_USR;

	(void)state;
	/* AArch64: bits 24:20 of a WFx ISS are not a condition. */
	assert_true(arch_trap_cond_passed(
	    esr_of(EC_WFX, true, wfi_iss_cond(NE)), SPSR_M_EL1H | SPSR32_Z));
	/* Classes without CV/COND: ISS bits 24:20 mean something else. */
	assert_true(arch_trap_cond_passed(
	    esr_of(EC_DABT_LOW, true, wfi_iss_cond(NE)), usr | SPSR32_Z));
	assert_true(arch_trap_cond_passed(
	    esr_of(EC_UNKNOWN, true, wfi_iss_cond(NE)), usr | SPSR32_Z));
	assert_true(
	    arch_trap_cond_passed(esr_of(EC_ILLEGAL_STATE, true, 0),
				  aarch32_set_itstate(usr | SPSR32_Z, 0x18)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_arch_skip_insn_a64_adds_4_and_clears_ss),
	    cmocka_unit_test(test_arch_skip_insn_t16_adds_2),
	    cmocka_unit_test(test_arch_skip_insn_a32_adds_4),
	    cmocka_unit_test(test_arch_skip_insn_aarch32_pc_stays_32_bits),
	    cmocka_unit_test(test_arch_skip_is_pc4_only_a64_not_stepping),
	    cmocka_unit_test(test_aarch32_itstate_bit_positions),
	    cmocka_unit_test(test_aarch32_it_advance_walks_a_block),
	    cmocka_unit_test(test_aarch32_it_advance_then_else),
	    cmocka_unit_test(test_arch_skip_insn_advances_itstate),
	    cmocka_unit_test(test_aarch32_cond_holds_every_condition),
	    cmocka_unit_test(test_arch_trap_cond_passed_uses_cv_cond),
	    cmocka_unit_test(test_arch_trap_cond_passed_cv0_uses_itstate),
	    cmocka_unit_test(test_arch_trap_cond_passed_true_without_condition),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
