/**
 * Unit tests of the kernel lock (kernel/core/klock.c, hyp/klock.h) on the
 * host fake of the ticket lock (tests/fake/arch/arch_inline.h): it starts
 * free, kernel_lock() takes a ticket and holds it, kernel_unlock() serves
 * the next one, and pairs taken in turn leave it free each time. The fake
 * aborts the program on a lock taken while held or released while free.
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>

#include "hyp/klock.h"

/* hyp/spinlock.h: `next` ticket in the high half, `owner` in the low. */
#define NEXT_SHIFT 16
#define OWNER_MASK 0xffffu
#define PAIRS 3

static uint32_t next_ticket(void)
{
	return kernel_lock_word.word >> NEXT_SHIFT;
}

static uint32_t owner(void)
{
	return kernel_lock_word.word & OWNER_MASK;
}

static bool held(void)
{
	return next_ticket() != owner();
}

static void test_klock_starts_free(void **unused)
{
	(void)unused;
	assert_int_equal(kernel_lock_word.word, 0);
	assert_false(held());
}

static void test_klock_lock_holds_unlock_frees(void **unused)
{
	(void)unused;
	uint32_t first = owner();

	kernel_lock();
	assert_true(held());
	assert_int_equal(next_ticket(), first + 1);
	assert_int_equal(owner(), first);
	kernel_unlock();
	assert_false(held());
	assert_int_equal(owner(), first + 1);
}

/* Each pair serves one ticket, in order (FIFO). */
static void test_klock_pairs_in_turn(void **unused)
{
	(void)unused;
	uint32_t first = owner();

	for (uint32_t i = 0; i < PAIRS; i++) {
		kernel_lock();
		assert_true(held());
		assert_int_equal(owner(), first + i);
		kernel_unlock();
		assert_false(held());
	}
	assert_int_equal(owner(), first + PAIRS);
}

int main(void)
{
	/* In order: the first test sees the lock as the kernel starts. */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_klock_starts_free),
		cmocka_unit_test(test_klock_lock_holds_unlock_frees),
		cmocka_unit_test(test_klock_pairs_in_turn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
