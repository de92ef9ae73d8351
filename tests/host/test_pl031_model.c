/**
 * cmocka tests of the PL031 model (services/pl031/pl031_model.c), driven
 * through its register window at chosen seconds, and of the clock that
 * turns the generic timer's counter into those seconds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pl031/pl031_model.h"

#define WORD 4U
/** A time of day in 2026, as the board's RTC gives it. */
#define T0 1796000000ULL
/** What the guest loads (2030-01-01). */
#define GUEST_TIME 1893456000U
/** QEMU's virt counter frequency. */
#define FREQ 62500000ULL

static uint32_t rd(struct pl031_model *m, uint64_t off, uint64_t now)
{
	uint32_t v = 0xdeadbeef;

	assert_int_equal(pl031_model_read(m, off, WORD, now, &v), 0);
	return v;
}

static void wr(struct pl031_model *m, uint64_t off, uint32_t v, uint64_t now)
{
	assert_int_equal(pl031_model_write(m, off, WORD, v, now), 0);
}

static void test_pl031_model_init_counts_from_now(void **state)
{
	struct pl031_model m;

	(void)state;
	memset(&m, 0xa5, sizeof(m));
	pl031_model_init(&m, T0);
	assert_true(pl031_model_valid(&m));
	assert_int_equal(rd(&m, PL031_DR, T0), (uint32_t)T0);
	assert_int_equal(rd(&m, PL031_DR, T0 + 5), (uint32_t)T0 + 5);
	assert_int_equal(rd(&m, PL031_MR, T0), 0);
	assert_int_equal(rd(&m, PL031_LR, T0), 0);
	assert_int_equal(rd(&m, PL031_CR, T0), PL031_CR_START);
	assert_int_equal(rd(&m, PL031_IMSC, T0), 0);
	assert_int_equal(rd(&m, PL031_RIS, T0), 0);
	assert_int_equal(rd(&m, PL031_MIS, T0), 0);
	assert_false(pl031_model_irq_level(&m));
}

static void test_pl031_model_primecell_ids(void **state)
{
	struct pl031_model m;
	/* What Linux's AMBA bus assembles: periph 0x00041031, cell
	 * 0xb105f00d (DDI 0224 3.3.10-11). */
	static const uint32_t want[] = { 0x31, 0x10, 0x14, 0x00,
					 0x0d, 0xf0, 0x05, 0xb1 };

	(void)state;
	pl031_model_init(&m, T0);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(rd(&m, PL031_PERIPHID0 + WORD * i, T0),
				 want[i]);
	}
}

static void test_pl031_model_load_sets_counter_and_reads_back(void **state)
{
	struct pl031_model m;

	(void)state;
	pl031_model_init(&m, T0);
	wr(&m, PL031_LR, GUEST_TIME, T0 + 10);
	assert_int_equal(rd(&m, PL031_DR, T0 + 10), GUEST_TIME);
	assert_int_equal(rd(&m, PL031_DR, T0 + 13), GUEST_TIME + 3);
	assert_int_equal(rd(&m, PL031_LR, T0 + 13), GUEST_TIME);
	/* A time before the board's: the counter is modulo 2^32. */
	wr(&m, PL031_LR, 5, T0 + 20);
	assert_int_equal(rd(&m, PL031_DR, T0 + 21), 6);
}

static void test_pl031_model_read_only_and_control_ignore_writes(void **state)
{
	struct pl031_model m;

	(void)state;
	pl031_model_init(&m, T0);
	wr(&m, PL031_DR, 7, T0);
	wr(&m, PL031_CR, 0, T0);
	wr(&m, PL031_RIS, 1, T0);
	wr(&m, PL031_MIS, 1, T0);
	wr(&m, PL031_PERIPHID0, 0, T0);
	wr(&m, 0x100, 0xffffffff, T0);
	assert_int_equal(rd(&m, PL031_DR, T0), (uint32_t)T0);
	assert_int_equal(rd(&m, PL031_CR, T0), PL031_CR_START);
	assert_int_equal(rd(&m, PL031_RIS, T0), 0);
	assert_int_equal(rd(&m, PL031_PERIPHID0, T0), 0x31);
	assert_int_equal(rd(&m, 0x100, T0), 0);
	assert_int_equal(rd(&m, PL031_ICR, T0), 0);
}

static void test_pl031_model_bad_accesses_fail_without_effect(void **state)
{
	struct pl031_model m, before;
	uint32_t v;

	(void)state;
	pl031_model_init(&m, T0);
	before = m;
	assert_int_equal(pl031_model_write(&m, PL031_MR, 2, 1, T0), -1);
	assert_int_equal(pl031_model_write(&m, PL031_MR + 1, WORD, 1, T0), -1);
	assert_int_equal(pl031_model_write(&m, PL031_MR, 8, 1, T0), -1);
	assert_int_equal(pl031_model_read(&m, PL031_MR + 2, WORD, T0, &v), -1);
	assert_int_equal(pl031_model_read(&m, PL031_MR, 8, T0, &v), -1);
	assert_int_equal(pl031_model_read(&m, PL031_WINDOW_SIZE, 1, T0, &v),
			 -1);
	assert_memory_equal(&m, &before, sizeof(m));
}

static void test_pl031_model_subword_reads(void **state)
{
	struct pl031_model m;
	uint32_t v;

	(void)state;
	pl031_model_init(&m, T0);
	wr(&m, PL031_MR, 0x11223344, T0);
	assert_int_equal(pl031_model_read(&m, PL031_MR + 1, 1, T0, &v), 0);
	assert_int_equal(v & 0xff, 0x33);
	assert_int_equal(pl031_model_read(&m, PL031_MR + 2, 2, T0, &v), 0);
	assert_int_equal(v & 0xffff, 0x1122);
}

static void test_pl031_model_match_sets_raw_then_masked(void **state)
{
	struct pl031_model m;

	(void)state;
	pl031_model_init(&m, T0);
	wr(&m, PL031_LR, GUEST_TIME, T0);
	wr(&m, PL031_MR, GUEST_TIME + 2, T0);
	assert_int_equal(pl031_model_next_match(&m), T0 + 2);
	assert_false(pl031_model_expire(&m, T0 + 1));
	assert_int_equal(rd(&m, PL031_RIS, T0 + 1), 0);

	/* Masked: the raw status is set, the line stays low. */
	assert_true(pl031_model_expire(&m, T0 + 2));
	assert_int_equal(rd(&m, PL031_RIS, T0 + 2), PL031_INT_MATCH);
	assert_int_equal(rd(&m, PL031_MIS, T0 + 2), 0);
	assert_false(pl031_model_irq_level(&m));
	/* The next match is a counter wrap away. */
	assert_int_equal(pl031_model_next_match(&m),
			 T0 + 2 + PL031_COUNTER_PERIOD);

	/* Unmasked: MIS and the line follow. */
	wr(&m, PL031_IMSC, 0xffffffff, T0 + 3);
	assert_int_equal(rd(&m, PL031_IMSC, T0 + 3), PL031_INT_MATCH);
	assert_int_equal(rd(&m, PL031_MIS, T0 + 3), PL031_INT_MATCH);
	assert_true(pl031_model_irq_level(&m));

	/* Cleared: the line drops, no new match in the same second. */
	wr(&m, PL031_ICR, PL031_INT_MATCH, T0 + 3);
	assert_int_equal(rd(&m, PL031_RIS, T0 + 3), 0);
	assert_false(pl031_model_irq_level(&m));
	assert_false(pl031_model_expire(&m, T0 + 4));
}

static void test_pl031_model_access_applies_a_passed_match(void **state)
{
	struct pl031_model m;

	(void)state;
	pl031_model_init(&m, T0);
	wr(&m, PL031_IMSC, PL031_INT_MATCH, T0);
	wr(&m, PL031_MR, (uint32_t)T0 + 60, T0);
	/* Nobody woke the service: the next read sees the match anyway. */
	assert_int_equal(rd(&m, PL031_MIS, T0 + 100), PL031_INT_MATCH);
	assert_true(pl031_model_irq_level(&m));
}

static void test_pl031_model_match_now_is_immediate(void **state)
{
	struct pl031_model m;

	(void)state;
	pl031_model_init(&m, T0);
	wr(&m, PL031_MR, (uint32_t)T0 + 7, T0 + 7);
	assert_int_equal(rd(&m, PL031_RIS, T0 + 7), PL031_INT_MATCH);
	assert_int_equal(pl031_model_next_match(&m),
			 T0 + 7 + PL031_COUNTER_PERIOD);
}

static void test_pl031_model_load_moves_the_match(void **state)
{
	struct pl031_model m;

	(void)state;
	pl031_model_init(&m, T0);
	wr(&m, PL031_MR, GUEST_TIME + 30, T0);
	wr(&m, PL031_LR, GUEST_TIME, T0 + 5);
	assert_int_equal(pl031_model_next_match(&m), T0 + 35);
	/* Loading the match value itself matches at once. */
	wr(&m, PL031_LR, GUEST_TIME + 30, T0 + 6);
	assert_int_equal(rd(&m, PL031_RIS, T0 + 6), PL031_INT_MATCH);
}

static void test_pl031_model_reset_keeps_time_only(void **state)
{
	struct pl031_model m;

	(void)state;
	pl031_model_init(&m, T0);
	wr(&m, PL031_LR, GUEST_TIME, T0);
	wr(&m, PL031_MR, GUEST_TIME + 1, T0);
	wr(&m, PL031_IMSC, PL031_INT_MATCH, T0);
	assert_true(pl031_model_expire(&m, T0 + 1));
	assert_true(pl031_model_irq_level(&m));

	pl031_model_reset(&m, T0 + 2);
	assert_true(pl031_model_valid(&m));
	assert_int_equal(rd(&m, PL031_DR, T0 + 2), GUEST_TIME + 2);
	assert_int_equal(rd(&m, PL031_LR, T0 + 2), GUEST_TIME);
	assert_int_equal(rd(&m, PL031_MR, T0 + 2), 0);
	assert_int_equal(rd(&m, PL031_IMSC, T0 + 2), 0);
	assert_int_equal(rd(&m, PL031_RIS, T0 + 2), 0);
	assert_false(pl031_model_irq_level(&m));
	/* RTCMR 0: the counter reaches it when it wraps. */
	assert_int_equal(pl031_model_next_match(&m),
			 T0 + 2 + (PL031_COUNTER_PERIOD - GUEST_TIME - 2));
}

static void test_pl031_model_valid_rejects_undefined_bits(void **state)
{
	struct pl031_model m;

	(void)state;
	pl031_model_init(&m, T0);
	m.ris = 2;
	assert_false(pl031_model_valid(&m));
	m.ris = 0;
	m.imsc = 0x80000000;
	assert_false(pl031_model_valid(&m));
}

static void test_pl031_clock_seconds_and_deadline(void **state)
{
	const struct pl031_clock c = { .base_seconds = T0,
				       .base_count = 1000,
				       .freq = FREQ };

	(void)state;
	assert_int_equal(pl031_clock_seconds(&c, 1000), T0);
	assert_int_equal(pl031_clock_seconds(&c, 1000 + FREQ - 1), T0);
	assert_int_equal(pl031_clock_seconds(&c, 1000 + FREQ), T0 + 1);
	/* A counter before the base (never read so) is the base. */
	assert_int_equal(pl031_clock_seconds(&c, 10), T0);
	/* The counter value at which a second begins: the service's wake-up
	 * deadline for a match in that second. */
	assert_int_equal(pl031_clock_count_at(&c, T0 + 2), 1000 + 2 * FREQ);
	assert_int_equal(pl031_clock_seconds(&c,
					     pl031_clock_count_at(&c, T0 + 2)),
			 T0 + 2);
	assert_int_equal(pl031_clock_count_at(&c, T0 - 5), 1000);
	/* A match 2^32 s away still fits the 64-bit counter at 62.5 MHz. */
	assert_int_equal(pl031_clock_count_at(&c, T0 + PL031_COUNTER_PERIOD),
			 1000 + PL031_COUNTER_PERIOD * FREQ);
	assert_int_equal(pl031_clock_count_at(&c, UINT64_MAX), UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pl031_model_init_counts_from_now),
		cmocka_unit_test(test_pl031_model_primecell_ids),
		cmocka_unit_test(
			test_pl031_model_load_sets_counter_and_reads_back),
		cmocka_unit_test(
			test_pl031_model_read_only_and_control_ignore_writes),
		cmocka_unit_test(
			test_pl031_model_bad_accesses_fail_without_effect),
		cmocka_unit_test(test_pl031_model_subword_reads),
		cmocka_unit_test(test_pl031_model_match_sets_raw_then_masked),
		cmocka_unit_test(
			test_pl031_model_access_applies_a_passed_match),
		cmocka_unit_test(test_pl031_model_match_now_is_immediate),
		cmocka_unit_test(test_pl031_model_load_moves_the_match),
		cmocka_unit_test(test_pl031_model_reset_keeps_time_only),
		cmocka_unit_test(test_pl031_model_valid_rejects_undefined_bits),
		cmocka_unit_test(test_pl031_clock_seconds_and_deadline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
