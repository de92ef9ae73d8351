/**
 * Unit tests of the EL1 physical timer model (kernel/core/ptimer.c)
 * against the Arm ARM (D11.2.4 "Operation of the CompareValue views of
 * the timers", D13.8 CNTP_CTL/CVAL/TVAL_EL0). Register fields are written
 * out here from the spec, not taken from the kernel's headers.
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>

#include "hyp/ptimer.h"

/* CNTP_CTL_EL0: ENABLE [0], IMASK [1], ISTATUS [2]; [63:3] RES0. */
#define ENABLE	0x1ULL
#define IMASK	0x2ULL
#define ISTATUS 0x4ULL

#define NOW 0x0000123456789000ULL

static uint64_t rd(const struct ptimer *t, enum ptimer_reg r, uint64_t now)
{
	return ptimer_read(t, r, now);
}

static void test_ptimer_cval_reads_back(void **state)
{
	struct ptimer t = {0};

	(void)state;
	ptimer_write(&t, PTIMER_REG_CVAL, 0xfedcba9876543210ULL, NOW);
	assert_int_equal(rd(&t, PTIMER_REG_CVAL, NOW), 0xfedcba9876543210ULL);
	ptimer_write(&t, PTIMER_REG_CVAL, 0, NOW);
	assert_int_equal(rd(&t, PTIMER_REG_CVAL, NOW), 0);
}

/* TimerValue = (CompareValue - Counter)[31:0], bits [63:32] read 0. */
static void test_ptimer_tval_read_is_signed_32_bits(void **state)
{
	struct ptimer t = {.cval = NOW + 100};

	(void)state;
	assert_int_equal(rd(&t, PTIMER_REG_TVAL, NOW), 100);
	t.cval = NOW - 100;
	assert_int_equal(rd(&t, PTIMER_REG_TVAL, NOW), 0xffffff9cULL);
	assert_int_equal((int32_t)(uint32_t)rd(&t, PTIMER_REG_TVAL, NOW), -100);
	/* Keeps counting down past the compare value. */
	assert_int_equal((int32_t)(uint32_t)rd(&t, PTIMER_REG_TVAL, NOW + 50),
			 -150);
	/* A compare value more than 2^31 away is truncated. */
	t.cval = NOW + 0x80000005ULL;
	assert_int_equal(rd(&t, PTIMER_REG_TVAL, NOW), 0x80000005ULL);
	t.cval = NOW + 0x100000007ULL;
	assert_int_equal(rd(&t, PTIMER_REG_TVAL, NOW), 7);
}

/* CompareValue = Counter + SignExtend(TimerValue[31:0]). */
static void test_ptimer_tval_write_sign_extends(void **state)
{
	struct ptimer t = {0};

	(void)state;
	ptimer_write(&t, PTIMER_REG_TVAL, 5000, NOW);
	assert_int_equal(t.cval, NOW + 5000);
	ptimer_write(&t, PTIMER_REG_TVAL, 0xffffff9cULL, NOW);
	assert_int_equal(t.cval, NOW - 100);
	ptimer_write(&t, PTIMER_REG_TVAL, 0x80000000ULL, NOW);
	assert_int_equal(t.cval, NOW - 0x80000000ULL);
	ptimer_write(&t, PTIMER_REG_TVAL, 0x7fffffffULL, NOW);
	assert_int_equal(t.cval, NOW + 0x7fffffffULL);
	/* Bits [63:32] are RES0: ignored, whatever their value. */
	ptimer_write(&t, PTIMER_REG_TVAL, 0xdeadbeef00000010ULL, NOW);
	assert_int_equal(t.cval, NOW + 16);
	ptimer_write(&t, PTIMER_REG_TVAL, 0x00000001fffffff0ULL, NOW);
	assert_int_equal(t.cval, NOW - 16);
	/* The sum wraps modulo 2^64 near 0. */
	ptimer_write(&t, PTIMER_REG_TVAL, 0xfffffff0ULL, 4);
	assert_int_equal(t.cval, (uint64_t)-12);
}

static void test_ptimer_ctl_istatus(void **state)
{
	struct ptimer t = {.cval = NOW};

	(void)state;
	/* Disabled: ISTATUS reads 0 (UNKNOWN in the architecture). */
	assert_int_equal(rd(&t, PTIMER_REG_CTL, NOW + 1), 0);
	ptimer_write(&t, PTIMER_REG_CTL, ENABLE, NOW);
	assert_int_equal(rd(&t, PTIMER_REG_CTL, NOW - 1), ENABLE);
	/* Met at CVAL itself (Counter - CompareValue >= 0). */
	assert_int_equal(rd(&t, PTIMER_REG_CTL, NOW), ENABLE | ISTATUS);
	assert_int_equal(rd(&t, PTIMER_REG_CTL, NOW + 1), ENABLE | ISTATUS);
	/* IMASK does not hide ISTATUS. */
	ptimer_write(&t, PTIMER_REG_CTL, ENABLE | IMASK, NOW);
	assert_int_equal(rd(&t, PTIMER_REG_CTL, NOW), ENABLE | IMASK | ISTATUS);
}

static void test_ptimer_ctl_write_keeps_enable_and_imask(void **state)
{
	struct ptimer t = {.cval = UINT64_MAX};

	(void)state;
	/* ISTATUS is read-only and [63:3] RES0: a write of them is lost. */
	ptimer_write(&t, PTIMER_REG_CTL, ~0ULL, NOW);
	assert_int_equal(rd(&t, PTIMER_REG_CTL, NOW), ENABLE | IMASK);
	ptimer_write(&t, PTIMER_REG_CTL, ISTATUS, NOW);
	assert_int_equal(rd(&t, PTIMER_REG_CTL, NOW), 0);
}

/* The comparison is unsigned: a huge CVAL is far in the future. */
static void test_ptimer_condition_unsigned(void **state)
{
	struct ptimer t = {.cval = 0x8000000000000000ULL, .ctl = ENABLE};

	(void)state;
	assert_false(ptimer_condition_met(&t, 0x7fffffffffffffffULL));
	assert_true(ptimer_condition_met(&t, 0x8000000000000000ULL));
	t.cval = 0;
	assert_true(ptimer_condition_met(&t, 0));
}

static void test_ptimer_irq_level(void **state)
{
	struct ptimer t = {.cval = NOW};

	(void)state;
	assert_false(ptimer_irq_level(&t, NOW)); /* disabled */
	t.ctl = ENABLE;
	assert_false(ptimer_irq_level(&t, NOW - 1)); /* not yet */
	assert_true(ptimer_irq_level(&t, NOW));
	t.ctl = ENABLE | IMASK;
	assert_false(ptimer_irq_level(&t, NOW)); /* masked */
	assert_true(ptimer_condition_met(&t, NOW));
}

static void test_ptimer_deadline(void **state)
{
	struct ptimer t = {.cval = NOW};

	(void)state;
	assert_int_equal(ptimer_deadline(&t), PTIMER_NO_DEADLINE);
	t.ctl = ENABLE;
	assert_int_equal(ptimer_deadline(&t), NOW);
	t.ctl = ENABLE | IMASK;
	assert_int_equal(ptimer_deadline(&t), PTIMER_NO_DEADLINE);
	t.ctl = IMASK;
	assert_int_equal(ptimer_deadline(&t), PTIMER_NO_DEADLINE);
	/* Already high: nothing left to wait for until a write. */
	t.ctl = ENABLE;
	t.asserted = true;
	assert_int_equal(ptimer_deadline(&t), PTIMER_NO_DEADLINE);
	/* A TVAL write moves it. */
	t.asserted = false;
	ptimer_write(&t, PTIMER_REG_TVAL, 1000, NOW);
	assert_int_equal(ptimer_deadline(&t), NOW + 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ptimer_cval_reads_back),
	    cmocka_unit_test(test_ptimer_tval_read_is_signed_32_bits),
	    cmocka_unit_test(test_ptimer_tval_write_sign_extends),
	    cmocka_unit_test(test_ptimer_ctl_istatus),
	    cmocka_unit_test(test_ptimer_ctl_write_keeps_enable_and_imask),
	    cmocka_unit_test(test_ptimer_condition_unsigned),
	    cmocka_unit_test(test_ptimer_irq_level),
	    cmocka_unit_test(test_ptimer_deadline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
