/**
 * Unit tests of the physical page allocator (kernel/core/palloc.c) over the
 * fake physical memory of tests/fake/fake_mm.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_mm.h"
#include "hyp/bitmap.h"
#include "hyp/errno.h"
#include "hyp/mm.h"
#include "hyp/palloc.h"
#include "hyp/units.h"

/** Default arena: 64 pages, of which the first holds the bitmap. */
#define ARENA_PAGES 64
/** Arena for the 2 MiB alignment tests: 4 MiB. */
#define BIG_ARENA_SIZE (2 * SZ_2M)
/** Pages one bitmap page can describe. */
#define BITS_PER_PAGE (PAGE_SIZE * 8)

/** Fixture: an arena and a pool over all of it. */
struct fixture {
	paddr_t base;	    /**< Fake physical base of the arena. */
	struct palloc pool; /**< Pool over the whole arena. */
};

/** Bring up an arena of @p size bytes and a pool over it. */
/*
 * Give pages back the way an allocator's free would: the kernel frees
 * nothing (partitions are made once), but holes in the bitmap are how the
 * first-fit search is tested.
 */
static int release(struct palloc *pool, paddr_t pa, size_t count)
{
	uint64_t idx = (pa_addr(pa) - pa_addr(pool->base)) / PAGE_SIZE;

	for (uint64_t i = idx; i < idx + count; i++) {
		assert_true(bitmap_test(pool->bitmap, i));
		bitmap_assign(pool->bitmap, i, false);
	}
	pool->free_count += count;
	return HYP_OK;
}

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

/** Arena only: the test initialises the pool itself. */
static int setup_arena(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL) {
		return -1;
	}
	f->base = fake_mm_init(ARENA_PAGES * PAGE_SIZE);
	*state = f;
	return 0;
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

	assert_int_equal(pa_addr(f->pool.base), arena_page(f, 1));
	assert_int_equal(f->pool.page_count, ARENA_PAGES - 1);
	assert_int_equal(palloc_free_count(&f->pool), ARENA_PAGES - 1);
	assert_ptr_equal(f->pool.bitmap, mm_va(f->base));
	/* The bitmap words in use start clear although the arena is poisoned. */
	assert_int_equal(f->pool.bitmap[0], 0);
}

static void test_palloc_init_too_small(void **state)
{
	struct fixture *f = *state;
	struct palloc pool;

	assert_int_equal(palloc_init(&pool, f->base, 0), HYP_EINVAL);
	/* One page holds only the bitmap, leaving nothing to hand out. */
	assert_int_equal(palloc_init(&pool, f->base, PAGE_SIZE), HYP_EINVAL);
	/* Trimming the unaligned end leaves one page again. */
	assert_int_equal(palloc_init(&pool, f->base, 2 * PAGE_SIZE - 1),
			 HYP_EINVAL);
	assert_int_equal(palloc_init(NULL, f->base, 2 * PAGE_SIZE), HYP_EINVAL);
	/* Two pages are the minimum: bitmap plus one. */
	assert_int_equal(palloc_init(&pool, f->base, 2 * PAGE_SIZE), HYP_OK);
	assert_int_equal(pool.page_count, 1);
	assert_int_equal(pa_addr(pool.base), arena_page(f, 1));
}

static void test_palloc_init_trims_unaligned_edges(void **state)
{
	struct fixture *f = *state;
	struct palloc pool;

	/* [base+0x800, base+0x4800) holds whole pages 1..3 only. */
	assert_int_equal(palloc_init(&pool, pa_add(f->base, 0x800),
				     4 * PAGE_SIZE),
			 HYP_OK);
	assert_ptr_equal(pool.bitmap, mm_va(pa_init(arena_page(f, 1))));
	assert_int_equal(pa_addr(pool.base), arena_page(f, 2));
	assert_int_equal(pool.page_count, 2);
	assert_int_equal(palloc_free_count(&pool), 2);
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

static void test_palloc_init_bitmap_page_boundary(void **state)
{
	struct palloc pool;
	paddr_t base;
	paddr_t pa;

	(void)state;
	/* BITS_PER_PAGE + 1 pages: one bitmap page covers the other pages. */
	base = fake_mm_init((BITS_PER_PAGE + 2) * PAGE_SIZE);
	assert_int_equal(palloc_init(&pool, base,
				     (BITS_PER_PAGE + 1) * PAGE_SIZE),
			 HYP_OK);
	assert_int_equal(pool.page_count, BITS_PER_PAGE);
	assert_int_equal(pa_addr(pool.base), pa_addr(base) + PAGE_SIZE);

	/* One page more needs a second bitmap page and manages no more. */
	assert_int_equal(palloc_init(&pool, base,
				     (BITS_PER_PAGE + 2) * PAGE_SIZE),
			 HYP_OK);
	assert_int_equal(pool.page_count, BITS_PER_PAGE);
	assert_int_equal(pa_addr(pool.base), pa_addr(base) + 2 * PAGE_SIZE);

	/* Every managed page, the last included, can be handed out. */
	assert_int_equal(palloc_alloc(&pool, BITS_PER_PAGE, PAGE_SIZE, &pa),
			 HYP_OK);
	assert_int_equal(pa_addr(pa), pa_addr(pool.base));
	assert_int_equal(palloc_free_count(&pool), 0);
	assert_int_equal(release(&pool, pa, BITS_PER_PAGE), HYP_OK);
	assert_int_equal(palloc_free_count(&pool), BITS_PER_PAGE);
}

static void test_palloc_alloc_until_exhausted(void **state)
{
	struct fixture *f = *state;
	paddr_t pa;

	for (uint64_t i = 0; i < ARENA_PAGES - 1; i++) {
		assert_int_equal(palloc_alloc(&f->pool, 1, PAGE_SIZE, &pa),
				 HYP_OK);
		assert_int_equal(pa_addr(pa), arena_page(f, 1 + i));
		assert_int_equal(palloc_free_count(&f->pool),
				 ARENA_PAGES - 2 - i);
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

	assert_int_equal(palloc_alloc(&f->pool, ARENA_PAGES, PAGE_SIZE, &pa),
			 HYP_ENOMEM);
	assert_int_equal(palloc_alloc(&f->pool, ARENA_PAGES - 1, PAGE_SIZE,
				      &pa),
			 HYP_OK);
	assert_int_equal(pa_addr(pa), arena_page(f, 1));
	assert_int_equal(palloc_free_count(&f->pool), 0);
}

static void test_palloc_alloc_alignment_4k_8k(void **state)
{
	struct fixture *f = *state;
	paddr_t a;
	paddr_t b;
	paddr_t c;
	paddr_t d;

	/* Page 1 is the first managed page; it is only 4 KiB aligned. */
	assert_int_equal(palloc_alloc(&f->pool, 1, PAGE_SIZE, &a), HYP_OK);
	assert_int_equal(pa_addr(a), arena_page(f, 1));
	assert_int_equal(palloc_alloc(&f->pool, 1, 2 * PAGE_SIZE, &b), HYP_OK);
	assert_int_equal(pa_addr(b), arena_page(f, 2));
	/* Page 3 is free but not 8 KiB aligned: the run starts at page 4. */
	assert_int_equal(palloc_alloc(&f->pool, 2, 2 * PAGE_SIZE, &c), HYP_OK);
	assert_int_equal(pa_addr(c), arena_page(f, 4));
	assert_true(IS_ALIGNED(pa_addr(c), 2 * PAGE_SIZE));
	/* First fit goes back to fill the gap. */
	assert_int_equal(palloc_alloc(&f->pool, 1, PAGE_SIZE, &d), HYP_OK);
	assert_int_equal(pa_addr(d), arena_page(f, 3));
	assert_int_equal(palloc_free_count(&f->pool), ARENA_PAGES - 1 - 5);
}

static void test_palloc_alloc_alignment_2m(void **state)
{
	struct fixture *f = *state;
	size_t before = palloc_free_count(&f->pool);
	paddr_t a;
	paddr_t b;

	assert_int_equal(palloc_alloc(&f->pool, 2, SZ_2M, &a), HYP_OK);
	assert_int_equal(pa_addr(a), pa_addr(f->base) + SZ_2M);
	assert_int_equal(palloc_free_count(&f->pool), before - 2);
	/* The next 2 MiB boundary is the end of the pool. */
	assert_int_equal(palloc_alloc(&f->pool, 1, SZ_2M, &b), HYP_ENOMEM);
	/* A larger alignment than the pool spans can never be met. */
	assert_int_equal(palloc_alloc(&f->pool, 1, 1ULL << 63, &b), HYP_ENOMEM);
	assert_int_equal(palloc_free_count(&f->pool), before - 2);
	/* Unaligned requests still find the pages below the block. */
	assert_int_equal(palloc_alloc(&f->pool, 1, PAGE_SIZE, &b), HYP_OK);
	assert_int_equal(pa_addr(b), pa_addr(f->base) + PAGE_SIZE);
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
	assert_int_equal(palloc_free_count(&f->pool), ARENA_PAGES - 1);
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
	paddr_t again;

	/* The arena starts poisoned, so zeroes come from the allocator. */
	assert_true(all_bytes(mm_va(pa_init(arena_page(f, 1))), PAGE_SIZE,
			      FAKE_MM_POISON));
	assert_int_equal(palloc_alloc(&f->pool, 3, PAGE_SIZE, &pa), HYP_OK);
	assert_true(all_bytes(mm_va(pa), 3 * PAGE_SIZE, 0));
	/* The page after the run is untouched. */
	assert_true(all_bytes(mm_va(pa_add(pa, 3 * PAGE_SIZE)), PAGE_SIZE,
			      FAKE_MM_POISON));

	memset(mm_va(pa), 0xff, 3 * PAGE_SIZE);
	assert_int_equal(release(&f->pool, pa, 3), HYP_OK);
	assert_int_equal(palloc_alloc(&f->pool, 3, PAGE_SIZE, &again), HYP_OK);
	assert_int_equal(pa_addr(again), pa_addr(pa));
	assert_true(all_bytes(mm_va(again), 3 * PAGE_SIZE, 0));
}

static void test_palloc_free_and_reuse(void **state)
{
	struct fixture *f = *state;
	paddr_t a;
	paddr_t b;
	paddr_t c;

	assert_int_equal(palloc_alloc(&f->pool, 2, PAGE_SIZE, &a), HYP_OK);
	assert_int_equal(palloc_alloc(&f->pool, 1, PAGE_SIZE, &b), HYP_OK);
	assert_int_equal(palloc_free_count(&f->pool), ARENA_PAGES - 1 - 3);
	assert_int_equal(release(&f->pool, a, 2), HYP_OK);
	assert_int_equal(palloc_free_count(&f->pool), ARENA_PAGES - 1 - 1);
	assert_int_equal(palloc_alloc(&f->pool, 2, PAGE_SIZE, &c), HYP_OK);
	assert_int_equal(pa_addr(c), pa_addr(a));
	assert_int_equal(release(&f->pool, b, 1), HYP_OK);
	assert_int_equal(release(&f->pool, c, 2), HYP_OK);
	assert_int_equal(palloc_free_count(&f->pool), ARENA_PAGES - 1);
}

/* Runs across bitmap words (64 pages each), with a busy page inside a
 * word: the search and the marking go a word at a time where they can. */
static void test_palloc_runs_across_words(void **state)
{
	struct fixture *f = *state;
	paddr_t low, busy, run, again, hole;

	assert_int_equal(palloc_alloc(&f->pool, 64, PAGE_SIZE, &low), HYP_OK);
	assert_int_equal(palloc_alloc(&f->pool, 1, PAGE_SIZE, &busy), HYP_OK);
	assert_int_equal(pa_addr(busy), pa_addr(low) + 64 * PAGE_SIZE);
	assert_int_equal(release(&f->pool, low, 64), HYP_OK);
	/* 64 free pages (a whole word) before the busy one: 100 go after it. */
	assert_int_equal(palloc_alloc(&f->pool, 100, PAGE_SIZE, &run), HYP_OK);
	assert_int_equal(pa_addr(run), pa_addr(busy) + PAGE_SIZE);
	assert_int_equal(palloc_alloc(&f->pool, 64, PAGE_SIZE, &again), HYP_OK);
	assert_int_equal(pa_addr(again), pa_addr(low));
	/* A page freed inside a run marked a word at a time is found. */
	assert_int_equal(release(&f->pool, pa_add(run, 40 * PAGE_SIZE), 1),
			 HYP_OK);
	assert_int_equal(palloc_alloc(&f->pool, 1, PAGE_SIZE, &hole), HYP_OK);
	assert_int_equal(pa_addr(hole), pa_addr(run) + 40 * PAGE_SIZE);
	assert_int_equal(palloc_free_count(&f->pool),
			 BIG_ARENA_SIZE / PAGE_SIZE - 1 - 165);
}

static void test_palloc_alloc_first_fit(void **state)
{
	struct fixture *f = *state;
	paddr_t p[4];
	paddr_t pa;

	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(palloc_alloc(&f->pool, 1, PAGE_SIZE, &p[i]),
				 HYP_OK);
	}
	assert_int_equal(release(&f->pool, p[1], 1), HYP_OK);
	/* The one-page hole is too small for two pages. */
	assert_int_equal(palloc_alloc(&f->pool, 2, PAGE_SIZE, &pa), HYP_OK);
	assert_int_equal(pa_addr(pa), pa_addr(p[3]) + PAGE_SIZE);
	/* A single page takes the first hole. */
	assert_int_equal(palloc_alloc(&f->pool, 1, PAGE_SIZE, &pa), HYP_OK);
	assert_int_equal(pa_addr(pa), pa_addr(p[1]));
	/* Two neighbouring holes merge into one run. */
	assert_int_equal(release(&f->pool, p[1], 1), HYP_OK);
	assert_int_equal(release(&f->pool, p[2], 1), HYP_OK);
	assert_int_equal(palloc_alloc(&f->pool, 2, PAGE_SIZE, &pa), HYP_OK);
	assert_int_equal(pa_addr(pa), pa_addr(p[1]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_palloc_init_layout, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_palloc_init_too_small,
						setup_arena, teardown),
		cmocka_unit_test_setup_teardown(
			test_palloc_init_trims_unaligned_edges, setup_arena,
			teardown),
		cmocka_unit_test(test_palloc_init_rejects_wrapping_range),
		cmocka_unit_test_teardown(test_palloc_init_bitmap_page_boundary,
					  teardown),
		cmocka_unit_test_setup_teardown(
			test_palloc_alloc_until_exhausted, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_palloc_alloc_too_many_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_palloc_alloc_alignment_4k_8k, setup, teardown),
		cmocka_unit_test_setup_teardown(test_palloc_alloc_alignment_2m,
						setup_big, teardown),
		cmocka_unit_test_setup_teardown(test_palloc_runs_across_words,
						setup_big, teardown),
		cmocka_unit_test_setup_teardown(
			test_palloc_alloc_rejects_bad_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_palloc_alloc_zeroes_pages,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_palloc_free_and_reuse,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_palloc_alloc_first_fit,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
