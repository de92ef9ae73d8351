/**
 * Unit tests of the kernel lock (kernel/core/klock.c, hyp/klock.h) on the
 * host fake of the test-and-set lock (tests/fake/arch/arch_inline.h): it
 * starts free (0), kernel_lock() holds it (1), kernel_unlock() frees it,
 * and pairs taken in turn leave it free each time. The fake
 * aborts the program on a lock taken while held or released while free.
 *
 * Napping waiters: the fake plays another CPU holding the lock
 * (fake_spin_contended tries fail). A waiter whose bounded spin fails
 * naps KLOCK_NAP_US between tries (arch_nap) and takes the lock once it
 * is free; the uncontended path never naps. While it naps, the loaded
 * guest's virtual interface is quiet (a pending virtual interrupt would end
 * each nap at once), and as it was once the lock is taken.
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include "fake_arch.h"
#include "hyp/klock.h"

/* hyp/spinlock.h: the word is 0 when free, 1 when held. */
#define FREE 0u
#define HELD 1u
#define PAIRS 3

static void test_klock_starts_free(void **unused)
{
	(void)unused;
	assert_int_equal(kernel_lock_word.word, FREE);
}

static void test_klock_lock_holds_unlock_frees(void **unused)
{
	(void)unused;
	kernel_lock();
	assert_int_equal(kernel_lock_word.word, HELD);
	kernel_unlock();
	assert_int_equal(kernel_lock_word.word, FREE);
}

/* Every pair leaves it free for the next. */
static void test_klock_pairs_in_turn(void **unused)
{
	(void)unused;
	for (uint32_t i = 0; i < PAIRS; i++) {
		kernel_lock();
		assert_int_equal(kernel_lock_word.word, HELD);
		kernel_unlock();
		assert_int_equal(kernel_lock_word.word, FREE);
	}
}

static int setup(void **unused)
{
	(void)unused;
	fake_arch_reset();
	return 0;
}

/* Free at once: taken by the spin, no nap. */
static void test_klock_uncontended_never_naps(void **unused)
{
	(void)unused;
	kernel_lock();
	kernel_unlock();
	assert_int_equal(fake_nap_count, 0);
}

/* Held for three tries (the uncontended one, the spin after it, the spin
 * after the first nap): naps twice, each for KLOCK_NAP_US, then takes it. */
static void test_klock_waiter_naps_until_free(void **unused)
{
	(void)unused;
	fake_spin_contended = 3;
	kernel_lock();
	assert_int_equal(kernel_lock_word.word, HELD);
	assert_int_equal(fake_nap_count, 2);
	assert_int_equal(fake_nap_us, KLOCK_NAP_US);
	kernel_unlock();
	assert_int_equal(kernel_lock_word.word, FREE);
}

/* GICH_HCR.En | UIE, as a guest with an underflow request leaves it. */
#define HCR_EN_UIE 0x3u

/* Both naps quiet; the word is back after, and untouched without naps. */
static void test_klock_naps_with_the_vgic_quiet(void **unused)
{
	(void)unused;
	fake_vgic_hcr = HCR_EN_UIE;
	kernel_lock();
	kernel_unlock();
	assert_int_equal(fake_vgic_hcr, HCR_EN_UIE);
	fake_spin_contended = 3;
	kernel_lock();
	assert_int_equal(fake_nap_count, 2);
	assert_int_equal(fake_loud_naps, 0);
	assert_int_equal(fake_vgic_hcr, HCR_EN_UIE);
	kernel_unlock();
}

int main(void)
{
	/* In order: the first test sees the lock as the kernel starts. */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_klock_starts_free),
		cmocka_unit_test(test_klock_lock_holds_unlock_frees),
		cmocka_unit_test(test_klock_pairs_in_turn),
		cmocka_unit_test_setup(test_klock_uncontended_never_naps, setup),
		cmocka_unit_test_setup(test_klock_waiter_naps_until_free, setup),
		cmocka_unit_test_setup(test_klock_naps_with_the_vgic_quiet, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
