/**
 * Unit tests of the physical page allocator (kernel/core/palloc.c) over the
 * fake physical memory of tests/fake/fake_mm.c.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_mm.h"
#include "hyp/errno.h"
#include "hyp/mm.h"
#include "hyp/palloc.h"
#include "hyp/units.h"

/** Default arena: 64 pages. */
#define ARENA_PAGES 64
/** Arena for the 2 MiB alignment tests: 4 MiB. */
#define BIG_ARENA_SIZE (2 * SZ_2M)
#define BIG_ARENA_PAGES (BIG_ARENA_SIZE / PAGE_SIZE)

/** Fixture: an arena and a pool over all of it. */
struct fixture {
	paddr_t base;	    /**< Fake physical base of the arena. */
	struct palloc pool; /**< Pool over the whole arena. */
};

static int setup_pool(void **state, size_t size)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL) {
		return -1;
	}
	f->base = fake_mm_init(size);
	if (palloc_init(&f->pool, f->base, size) != HYP_OK) {
		fake_mm_fini();
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_pool(state, ARENA_PAGES * PAGE_SIZE);
}

static int setup_big(void **state)
{
	return setup_pool(state, BIG_ARENA_SIZE);
}

static int teardown(void **state)
{
	fake_mm_fini();
	free(*state);
	return 0;
}

/** Fake physical address of page @p idx of the arena. */
static uint64_t arena_page(const struct fixture *f, uint64_t idx)
{
	return pa_addr(f->base) + idx * PAGE_SIZE;
}

static void test_palloc_init_layout(void **state)
{
	struct fixture *f = *state;

	/* No page of the range is kept for the pool itself. */
	assert_int_equal(f->pool.low, arena_page(f, 0));
	assert_int_equal(f->pool.high, arena_page(f, ARENA_PAGES));
	assert_int_equal(palloc_free_count(&f->pool), ARENA_PAGES);
}

static void test_palloc_init_too_small(void **state)
{
	struct fixture *f = *state;
	struct palloc pool;

	assert_int_equal(palloc_init(&pool, f->base, 0), HYP_EINVAL);
	/* Trimming the unaligned end leaves no page. */
	assert_int_equal(palloc_init(&pool, f->base, PAGE_SIZE - 1),
			 HYP_EINVAL);
	assert_int_equal(palloc_init(NULL, f->base, PAGE_SIZE), HYP_EINVAL);
	/* One page is the minimum. */
	assert_int_equal(palloc_init(&pool, f->base, PAGE_SIZE), HYP_OK);
	assert_int_equal(palloc_free_count(&pool), 1);
}

static void test_palloc_init_trims_unaligned_edges(void **state)
{
	struct fixture *f = *state;
	struct palloc pool;

	/* [base+0x800, base+0x4800) holds whole pages 1..3 only. */
	assert_int_equal(palloc_init(&pool, pa_add(f->base, 0x800),
				     4 * PAGE_SIZE),
			 HYP_OK);
	assert_int_equal(pool.low, arena_page(f, 1));
	assert_int_equal(pool.high, arena_page(f, 4));
	assert_int_equal(palloc_free_count(&pool), 3);
}

static void test_palloc_init_rejects_wrapping_range(void **state)
{
	struct palloc pool;

	(void)state;
	assert_int_equal(palloc_init(&pool, pa_init(UINT64_MAX - PAGE_SIZE + 1),
				     2 * PAGE_SIZE),
			 HYP_EINVAL);
	/* Rounding the base up wraps past zero. */
	assert_int_equal(palloc_init(&pool, pa_init(UINT64_MAX - 10), 8),
			 HYP_EINVAL);
}

/* Small runs come from the top down, one after the other. */
static void test_palloc_alloc_until_exhausted(void **state)
{
	struct fixture *f = *state;
	paddr_t pa;

	for (uint64_t i = 0; i < ARENA_PAGES; i++) {
		assert_int_equal(palloc_alloc(&f->pool, 1, PAGE_SIZE, &pa),
				 HYP_OK);
		assert_int_equal(pa_addr(pa), arena_page(f, ARENA_PAGES - 1 - i));
		assert_int_equal(palloc_free_count(&f->pool),
				 ARENA_PAGES - 1 - i);
	}
	pa = pa_init(0x1234);
	assert_int_equal(palloc_alloc(&f->pool, 1, PAGE_SIZE, &pa), HYP_ENOMEM);
	assert_int_equal(pa_addr(pa), 0x1234);
	assert_int_equal(palloc_free_count(&f->pool), 0);
}

static void test_palloc_alloc_too_many_pages(void **state)
{
	struct fixture *f = *state;
	paddr_t pa;

	assert_int_equal(palloc_alloc(&f->pool, ARENA_PAGES + 1, PAGE_SIZE,
				      &pa),
			 HYP_ENOMEM);
	assert_int_equal(palloc_alloc(&f->pool, SIZE_MAX, PAGE_SIZE, &pa),
			 HYP_ENOMEM);
	assert_int_equal(palloc_alloc(&f->pool, ARENA_PAGES, PAGE_SIZE, &pa),
			 HYP_OK);
	assert_int_equal(pa_addr(pa), arena_page(f, 0));
	assert_int_equal(palloc_free_count(&f->pool), 0);
}

static void test_palloc_alloc_alignment_4k_8k(void **state)
{
	struct fixture *f = *state;
	paddr_t a;
	paddr_t b;
	paddr_t c;

	/* The last page is only 4 KiB aligned. */
	assert_int_equal(palloc_alloc(&f->pool, 1, PAGE_SIZE, &a), HYP_OK);
	assert_int_equal(pa_addr(a), arena_page(f, ARENA_PAGES - 1));
	assert_int_equal(palloc_alloc(&f->pool, 1, 2 * PAGE_SIZE, &b), HYP_OK);
	assert_int_equal(pa_addr(b), arena_page(f, ARENA_PAGES - 2));
	/* Page 61 is free but not 8 KiB aligned: the run starts at 60. */
	assert_int_equal(palloc_alloc(&f->pool, 1, 2 * PAGE_SIZE, &c), HYP_OK);
	assert_int_equal(pa_addr(c), arena_page(f, ARENA_PAGES - 4));
	assert_true(IS_ALIGNED(pa_addr(c), 2 * PAGE_SIZE));
	assert_int_equal(palloc_free_count(&f->pool), ARENA_PAGES - 4);
}

static void test_palloc_alloc_alignment_2m(void **state)
{
	struct fixture *f = *state;
	paddr_t a;
	paddr_t b;

	/* A table from the top first: the 2 MiB run still starts at 0. */
	assert_int_equal(palloc_alloc(&f->pool, 1, PAGE_SIZE, &b), HYP_OK);
	assert_int_equal(pa_addr(b), arena_page(f, BIG_ARENA_PAGES - 1));
	assert_int_equal(palloc_alloc(&f->pool, 2, SZ_2M, &a), HYP_OK);
	assert_int_equal(pa_addr(a), pa_addr(f->base));
	/* The next one is aligned up past the first's end. */
	assert_int_equal(palloc_alloc(&f->pool, 1, SZ_2M, &a), HYP_OK);
	assert_int_equal(pa_addr(a), pa_addr(f->base) + SZ_2M);
	assert_int_equal(palloc_free_count(&f->pool),
			 BIG_ARENA_PAGES - (SZ_2M / PAGE_SIZE) - 2);
	/* No 2 MiB boundary is left below the top run. */
	assert_int_equal(palloc_alloc(&f->pool, 1, SZ_2M, &a), HYP_ENOMEM);
	/* A larger alignment than the pool spans can never be met. */
	assert_int_equal(palloc_alloc(&f->pool, 1, 1ULL << 63, &a), HYP_ENOMEM);
	/* Small runs still find the pages the alignment skipped. */
	assert_int_equal(palloc_alloc(&f->pool, 1, PAGE_SIZE, &b), HYP_OK);
	assert_int_equal(pa_addr(b), arena_page(f, BIG_ARENA_PAGES - 2));
}

/* The two ends meet exactly, without overlap. */
static void test_palloc_ends_meet(void **state)
{
	struct fixture *f = *state;
	size_t low_pages = BIG_ARENA_PAGES - 3;
	paddr_t a;
	paddr_t b;

	assert_int_equal(palloc_alloc(&f->pool, 2, 2 * PAGE_SIZE, &b), HYP_OK);
	assert_int_equal(pa_addr(b), arena_page(f, BIG_ARENA_PAGES - 2));
	assert_int_equal(palloc_alloc(&f->pool, low_pages + 2, SZ_2M, &a),
			 HYP_ENOMEM);
	assert_int_equal(palloc_alloc(&f->pool, low_pages, SZ_2M, &a), HYP_OK);
	assert_int_equal(pa_addr(a), pa_addr(f->base));
	/* One page is left, between the two runs. */
	assert_int_equal(palloc_free_count(&f->pool), 1);
	assert_int_equal(palloc_alloc(&f->pool, 1, 2 * PAGE_SIZE, &b),
			 HYP_ENOMEM);
	assert_int_equal(palloc_alloc(&f->pool, 1, PAGE_SIZE, &b), HYP_OK);
	assert_int_equal(pa_addr(b), arena_page(f, low_pages));
	assert_int_equal(palloc_free_count(&f->pool), 0);
}

static void test_palloc_alloc_rejects_bad_args(void **state)
{
	struct fixture *f = *state;
	paddr_t pa;

	assert_int_equal(palloc_alloc(&f->pool, 0, PAGE_SIZE, &pa), HYP_EINVAL);
	assert_int_equal(palloc_alloc(&f->pool, 1, 0, &pa), HYP_EINVAL);
	assert_int_equal(palloc_alloc(&f->pool, 1, PAGE_SIZE / 2, &pa),
			 HYP_EINVAL);
	assert_int_equal(palloc_alloc(&f->pool, 1, 3 * PAGE_SIZE, &pa),
			 HYP_EINVAL);
	assert_int_equal(palloc_alloc(&f->pool, 1, PAGE_SIZE, NULL),
			 HYP_EINVAL);
	assert_int_equal(palloc_alloc(NULL, 1, PAGE_SIZE, &pa), HYP_EINVAL);
	assert_int_equal(palloc_free_count(&f->pool), ARENA_PAGES);
}

/** True if the @p len bytes at @p p are all @p byte. */
static bool all_bytes(const void *p, size_t len, uint8_t byte)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++) {
		if (b[i] != byte) {
			return false;
		}
	}
	return true;
}

static void test_palloc_alloc_zeroes_pages(void **state)
{
	struct fixture *f = *state;
	paddr_t pa;
	paddr_t big;

	memset(mm_va(f->base), 0xff, BIG_ARENA_SIZE);
	assert_int_equal(palloc_alloc(&f->pool, 3, PAGE_SIZE, &pa), HYP_OK);
	assert_true(all_bytes(mm_va(pa), 3 * PAGE_SIZE, 0));
	assert_int_equal(palloc_alloc(&f->pool, 2, SZ_2M, &big), HYP_OK);
	assert_true(all_bytes(mm_va(big), 2 * PAGE_SIZE, 0));
	/* Nothing else was touched. */
	assert_true(all_bytes((uint8_t *)mm_va(big) + 2 * PAGE_SIZE, PAGE_SIZE,
			      0xff));
	assert_true(all_bytes((uint8_t *)mm_va(pa) - PAGE_SIZE, PAGE_SIZE,
			      0xff));
}

/* The raw allocation leaves the pages as they were (a guest's RAM, zeroed
 * when first touched: vm_ram.c) and takes the same pages. */
static void test_palloc_alloc_raw_leaves_pages(void **state)
{
	struct fixture *f = *state;
	paddr_t raw;
	paddr_t next;

	memset(mm_va(f->base), 0xff, BIG_ARENA_SIZE);
	assert_int_equal(palloc_alloc_raw(&f->pool, 2, SZ_2M, &raw), HYP_OK);
	assert_true(IS_ALIGNED(pa_addr(raw), SZ_2M));
	assert_true(all_bytes(mm_va(raw), 2 * PAGE_SIZE, 0xff));
	assert_int_equal(palloc_alloc(&f->pool, 1, SZ_2M, &next), HYP_OK);
	assert_true(pa_addr(next) >= pa_addr(raw) + 2 * PAGE_SIZE);
	assert_int_equal(palloc_alloc_raw(&f->pool, 1, 3 * PAGE_SIZE, &next),
			 HYP_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_palloc_init_layout, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_palloc_init_too_small,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_palloc_init_trims_unaligned_edges, setup,
			teardown),
		cmocka_unit_test(test_palloc_init_rejects_wrapping_range),
		cmocka_unit_test_setup_teardown(
			test_palloc_alloc_until_exhausted, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_palloc_alloc_too_many_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_palloc_alloc_alignment_4k_8k, setup, teardown),
		cmocka_unit_test_setup_teardown(test_palloc_alloc_alignment_2m,
						setup_big, teardown),
		cmocka_unit_test_setup_teardown(test_palloc_ends_meet,
						setup_big, teardown),
		cmocka_unit_test_setup_teardown(
			test_palloc_alloc_rejects_bad_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_palloc_alloc_zeroes_pages,
						setup_big, teardown),
		cmocka_unit_test_setup_teardown(
			test_palloc_alloc_raw_leaves_pages, setup_big, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
