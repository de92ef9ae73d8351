/**
 * Unit tests of the Stage-2 tables (kernel/arch/aarch64/s2.c) over the fake
 * physical memory of tests/fake/fake_mm.c.
 *
 * Descriptors are checked against literal bit positions from the ARM ARM
 * (D8.3), not against arch/pte.h, so that a wrong constant there shows up.
 */
#include <stdarg.h>
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
#include "hyp/s2.h"
#include "hyp/units.h"

/** Arena for the tables: 1 MiB. */
#define ARENA_SIZE SZ_1M
/** Pages of the tiny pool: 2 root pages and 2 spare pages. */
#define TINY_POOL_PAGES 4
#define TEST_VMID 7

/* Descriptor fields (ARM ARM D8.3), written out independently of pte.h. */
#define D_TYPE_MASK 0x3ULL
#define D_TYPE_BLOCK 0x1ULL
#define D_TYPE_TABLE 0x3ULL
#define D_TYPE_PAGE 0x3ULL
#define D_OA_MASK 0x0000fffffffff000ULL
#define D_MEMATTR(d) (((d) >> 2) & 0xf)
#define D_S2AP(d) (((d) >> 6) & 0x3)
#define D_SH(d) (((d) >> 8) & 0x3)
#define D_AF(d) (((d) >> 10) & 0x1)
#define D_XN(d) (((d) >> 54) & 0x1)

/** Fixture: an arena, a pool over it and one Stage-2 space. */
struct fixture {
	paddr_t base;          /**< Fake physical base of the arena. */
	struct palloc pool;    /**< Where the tables come from. */
	struct s2_space s2;    /**< The space under test (TEST_VMID). */
	size_t free_at_start;  /**< Free pages before s2_init(). */
};

/** Table pages the space under test took from the pool, root included. */
static size_t table_pages(const struct fixture *f)
{
	return f->free_at_start - palloc_free_count(&f->pool);
}

/** Arena, a pool over its first @p pool_size bytes, and a space. */
static int setup_pool(void **state, uint64_t pool_size)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL) {
		return -1;
	}
	f->base = fake_mm_init(ARENA_SIZE);
	if (palloc_init(&f->pool, f->base, pool_size) != HYP_OK) {
		goto fail;
	}
	f->free_at_start = palloc_free_count(&f->pool);
	if (s2_init(&f->s2, &f->pool, TEST_VMID) != HYP_OK) {
		goto fail;
	}
	*state = f;
	return 0;
fail:
	fake_mm_fini();
	free(f);
	return -1;
}

static int setup(void **state)
{
	return setup_pool(state, ARENA_SIZE);
}

/** A pool with two pages to spare after the root. */
static int setup_tiny(void **state)
{
	return setup_pool(state, TINY_POOL_PAGES * PAGE_SIZE);
}

static int teardown(void **state)
{
	fake_mm_fini();
	free(*state);
	return 0;
}

/** Descriptor at @p level for @p ipa, walked by hand from the root. */
static uint64_t desc_at(const struct s2_space *s2, uint64_t ipa,
			unsigned level)
{
	const uint64_t *table = mm_va(s2->root);
	uint64_t d = table[ipa >> 30];

	if (level == 1) {
		return d;
	}
	assert_int_equal(d & D_TYPE_MASK, D_TYPE_TABLE);
	table = mm_va(pa_init(d & D_OA_MASK));
	d = table[(ipa >> 21) & 511];
	if (level == 2) {
		return d;
	}
	assert_int_equal(d & D_TYPE_MASK, D_TYPE_TABLE);
	table = mm_va(pa_init(d & D_OA_MASK));
	return table[(ipa >> 12) & 511];
}

/** Assert that @p ipa translates to @p pa with @p attr. */
static void expect_mapped(const struct s2_space *s2, uint64_t ipa,
			  uint64_t pa, unsigned attr)
{
	paddr_t got = pa_init(0);
	unsigned got_attr = ~0U;

	assert_true(s2_translate(s2, ipa_init(ipa), &got, &got_attr));
	assert_int_equal(pa_addr(got), pa);
	assert_int_equal(got_attr, attr);
}

/** Assert that @p ipa does not translate. */
static void expect_unmapped(const struct s2_space *s2, uint64_t ipa)
{
	paddr_t got = pa_init(0x5a5a);

	assert_false(s2_translate(s2, ipa_init(ipa), &got, NULL));
	assert_int_equal(pa_addr(got), 0x5a5a);
}

/** Assert that every page of [ipa, ipa+size) maps linearly to pa. */
static void expect_linear(const struct s2_space *s2, uint64_t ipa,
			  uint64_t pa, uint64_t size, unsigned attr)
{
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		expect_mapped(s2, ipa + off, pa + off, attr);
	}
}

/** True if every entry of the root is zero. */
static bool root_is_empty(const struct s2_space *s2)
{
	const uint64_t *root = mm_va(s2->root);

	for (size_t i = 0; i < S2_ROOT_PAGES * 512; i++) {
		if (root[i] != 0) {
			return false;
		}
	}
	return true;
}

static void test_s2_init_allocates_empty_root(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(table_pages(f), 2);
	assert_int_equal(f->s2.vmid, TEST_VMID);
	assert_ptr_equal(f->s2.pool, &f->pool);
	assert_true(IS_ALIGNED(pa_addr(f->s2.root), 2 * PAGE_SIZE));
	assert_int_equal(palloc_free_count(&f->pool), f->free_at_start - 2);
	assert_true(root_is_empty(&f->s2));
	expect_unmapped(&f->s2, 0);
}

static void test_s2_init_rejects_bad_vmid(void **state)
{
	struct fixture *f = *state;
	struct s2_space s2;
	size_t before = palloc_free_count(&f->pool);

	assert_int_equal(s2_init(&s2, &f->pool, 0), HYP_EINVAL);
	assert_int_equal(s2_init(&s2, &f->pool, 256), HYP_EINVAL);
	assert_int_equal(s2_init(&s2, &f->pool, 0xffff), HYP_EINVAL);
	assert_int_equal(s2_init(&s2, NULL, 1), HYP_EINVAL);
	assert_int_equal(palloc_free_count(&f->pool), before);
	assert_int_equal(s2_init(&s2, &f->pool, 255), HYP_OK);
	assert_int_equal(palloc_free_count(&f->pool), before - 2);
}

static void test_s2_init_out_of_memory(void **state)
{
	struct fixture *f = *state;
	struct palloc pool;
	struct s2_space s2;

	/* Two pages are free (arena pages 9 and 10, past the fixture's pool)
	 * but not 8 KiB aligned as a pair. */
	assert_int_equal(palloc_init(&pool, pa_add(f->base, 9 * PAGE_SIZE),
				     2 * PAGE_SIZE),
			 HYP_OK);
	assert_int_equal(s2_init(&s2, &pool, 2), HYP_ENOMEM);
	assert_int_equal(palloc_free_count(&pool), 2);
}

static void test_s2_map_page_translates(void **state)
{
	struct fixture *f = *state;
	uint64_t ipa = 0x40001000;
	uint64_t pa = 0x100005000;

	assert_int_equal(s2_map(&f->s2, ipa_init(ipa), pa_init(pa), PAGE_SIZE,
				S2_RW),
			 HYP_OK);
	expect_mapped(&f->s2, ipa, pa, S2_RW);
	expect_mapped(&f->s2, ipa + 0x123, pa + 0x123, S2_RW);
	expect_mapped(&f->s2, ipa + 0xfff, pa + 0xfff, S2_RW);
	expect_unmapped(&f->s2, ipa - 1);
	expect_unmapped(&f->s2, ipa + PAGE_SIZE);
	/* One level-2 and one level-3 table below the root. */
	assert_int_equal(table_pages(f), 4);
	assert_int_equal(palloc_free_count(&f->pool), f->free_at_start - 4);

	uint64_t d = desc_at(&f->s2, ipa, 3);

	assert_int_equal(d & D_TYPE_MASK, D_TYPE_PAGE);
	assert_int_equal(d & D_OA_MASK, pa);
	assert_int_equal(D_MEMATTR(d), 0xf);
	assert_int_equal(D_S2AP(d), 3);
	assert_int_equal(D_SH(d), 3);
	assert_int_equal(D_AF(d), 1);
	assert_int_equal(D_XN(d), 1);
}

static void test_s2_map_2m_uses_block(void **state)
{
	struct fixture *f = *state;
	uint64_t ipa = 0x40200000;
	uint64_t pa = 0x100200000;

	assert_int_equal(s2_map(&f->s2, ipa_init(ipa), pa_init(pa), SZ_2M,
				S2_RWX),
			 HYP_OK);
	/* Only a level-2 table: no level-3 table for a block. */
	assert_int_equal(table_pages(f), 3);

	uint64_t d = desc_at(&f->s2, ipa, 2);

	assert_int_equal(d & D_TYPE_MASK, D_TYPE_BLOCK);
	assert_int_equal(d & D_OA_MASK, pa);
	assert_int_equal(D_MEMATTR(d), 0xf);
	assert_int_equal(D_S2AP(d), 3);
	assert_int_equal(D_AF(d), 1);
	assert_int_equal(D_SH(d), 3);
	assert_int_equal(D_XN(d), 0);
	expect_mapped(&f->s2, ipa + 0x1abcde, pa + 0x1abcde, S2_RWX);
	expect_mapped(&f->s2, ipa + SZ_2M - 1, pa + SZ_2M - 1, S2_RWX);
	expect_unmapped(&f->s2, ipa + SZ_2M);
	expect_unmapped(&f->s2, ipa - PAGE_SIZE);
}

/* The tables of 2 MiB blocks made ahead (vm_ram.c): nothing mapped, and
 * mapping a block later takes no page from the pool. */
static void test_s2_prepare_blocks_then_map_allocates_nothing(void **state)
{
	struct fixture *f = *state;
	uint64_t ipa = 0x40000000;

	assert_int_equal(s2_prepare_blocks(&f->s2, ipa_init(ipa), 4 * SZ_2M),
			 HYP_OK);
	/* Root and one level-2 table. */
	assert_int_equal(table_pages(f), 3);
	expect_unmapped(&f->s2, ipa);
	expect_unmapped(&f->s2, ipa + 4 * SZ_2M - 1);
	assert_int_equal(s2_map(&f->s2, ipa_init(ipa + 3 * SZ_2M),
				pa_init(0x100200000), SZ_2M, S2_RWX),
			 HYP_OK);
	assert_int_equal(table_pages(f), 3);
	expect_mapped(&f->s2, ipa + 3 * SZ_2M + 5, 0x100200005, S2_RWX);
	expect_unmapped(&f->s2, ipa + 2 * SZ_2M);
	/* Whole blocks only, inside the IPA space. */
	assert_int_equal(s2_prepare_blocks(&f->s2, ipa_init(ipa + PAGE_SIZE),
					   SZ_2M),
			 HYP_EINVAL);
	assert_int_equal(s2_prepare_blocks(&f->s2, ipa_init(ipa), PAGE_SIZE),
			 HYP_EINVAL);
	assert_int_equal(s2_prepare_blocks(&f->s2, ipa_init(S2_IPA_LIMIT),
					   SZ_2M),
			 HYP_EINVAL);
}

static void test_s2_map_misaligned_pa_uses_pages(void **state)
{
	struct fixture *f = *state;
	uint64_t ipa = 0x40001000;
	uint64_t pa = 0x100000000; /* Offset from IPA: never both 2M aligned. */
	uint64_t size = 3 * SZ_2M;

	assert_int_equal(s2_map(&f->s2, ipa_init(ipa), pa_init(pa), size,
				S2_RW),
			 HYP_OK);
	expect_linear(&f->s2, ipa, pa, size, S2_RW);
	expect_unmapped(&f->s2, ipa + size);
	expect_unmapped(&f->s2, ipa - PAGE_SIZE);
	/* Every 2 MiB slot touched is a table of pages: slots 0..3. */
	for (uint64_t slot = 0x40000000; slot < ipa + size; slot += SZ_2M) {
		assert_int_equal(desc_at(&f->s2, slot, 2) & D_TYPE_MASK,
				 D_TYPE_TABLE);
	}
	assert_int_equal(table_pages(f), 2 + 1 + 4);
}

static void test_s2_map_mixes_blocks_and_pages(void **state)
{
	struct fixture *f = *state;
	uint64_t ipa = 0x40001000;
	uint64_t pa = 0x100001000; /* Same offset: blocks from 0x40200000. */
	uint64_t size = 3 * SZ_2M;

	assert_int_equal(s2_map(&f->s2, ipa_init(ipa), pa_init(pa), size,
				S2_RWX),
			 HYP_OK);
	expect_linear(&f->s2, ipa, pa, size, S2_RWX);
	expect_unmapped(&f->s2, ipa + size);
	/* Head: 511 pages; middle: two blocks; tail: one page. */
	assert_int_equal(desc_at(&f->s2, 0x40000000, 2) & D_TYPE_MASK,
			 D_TYPE_TABLE);
	assert_int_equal(desc_at(&f->s2, 0x40000000, 3), 0);
	assert_int_equal(desc_at(&f->s2, 0x40200000, 2) & D_TYPE_MASK,
			 D_TYPE_BLOCK);
	assert_int_equal(desc_at(&f->s2, 0x40200000, 2) & D_OA_MASK,
			 0x100200000);
	assert_int_equal(desc_at(&f->s2, 0x40400000, 2) & D_TYPE_MASK,
			 D_TYPE_BLOCK);
	assert_int_equal(desc_at(&f->s2, 0x40600000, 3) & D_TYPE_MASK,
			 D_TYPE_PAGE);
	assert_int_equal(desc_at(&f->s2, 0x40601000, 3), 0);
	assert_int_equal(table_pages(f), 2 + 1 + 2);
}

static void test_s2_map_block_then_tail_pages(void **state)
{
	struct fixture *f = *state;
	uint64_t ipa = 0x80000000;
	uint64_t pa = 0x200000000;
	uint64_t size = 2 * SZ_2M + 3 * PAGE_SIZE;

	assert_int_equal(s2_map(&f->s2, ipa_init(ipa), pa_init(pa), size,
				S2_RW),
			 HYP_OK);
	expect_linear(&f->s2, ipa, pa, size, S2_RW);
	expect_unmapped(&f->s2, ipa + size);
	assert_int_equal(desc_at(&f->s2, ipa, 2) & D_TYPE_MASK, D_TYPE_BLOCK);
	assert_int_equal(desc_at(&f->s2, ipa + SZ_2M, 2) & D_TYPE_MASK,
			 D_TYPE_BLOCK);
	assert_int_equal(desc_at(&f->s2, ipa + 2 * SZ_2M, 2) & D_TYPE_MASK,
			 D_TYPE_TABLE);
	assert_int_equal(table_pages(f), 2 + 1 + 1);
}

/* A register shadow page (vm.c): Normal Non-cacheable, MemAttr 0b0101
 * (D8.6.5), read-only for the client, not executable. */
static void test_s2_map_noncacheable_attrs(void **state)
{
	struct fixture *f = *state;
	uint64_t d;

	assert_int_equal(s2_map(&f->s2, ipa_init(0x0a000000),
				pa_init(0x50000000), PAGE_SIZE, S2_RO | S2_NC),
			 HYP_OK);
	d = desc_at(&f->s2, 0x0a000000, 3);
	assert_int_equal(D_MEMATTR(d), 0x5);
	assert_int_equal(D_XN(d), 1);
	assert_int_equal(D_S2AP(d), 1);
	expect_mapped(&f->s2, 0x0a000010, 0x50000010, S2_RO | S2_NC);
}

static void test_s2_map_device_attrs(void **state)
{
	struct fixture *f = *state;
	uint64_t d;

	assert_int_equal(s2_map(&f->s2, ipa_init(0x09000000),
				pa_init(0x09000000), PAGE_SIZE,
				S2_RW | S2_DEVICE),
			 HYP_OK);
	d = desc_at(&f->s2, 0x09000000, 3);
	assert_int_equal(D_MEMATTR(d), 0x1);
	assert_int_equal(D_XN(d), 1);
	assert_int_equal(D_S2AP(d), 3);
	assert_int_equal(D_AF(d), 1);
	expect_mapped(&f->s2, 0x09000010, 0x09000010, S2_RW | S2_DEVICE);

	/* A 2 MiB device block carries the same attributes. */
	assert_int_equal(s2_map(&f->s2, ipa_init(0x08000000),
				pa_init(0x08000000), SZ_2M,
				S2_READ | S2_DEVICE),
			 HYP_OK);
	d = desc_at(&f->s2, 0x08000000, 2);
	assert_int_equal(d & D_TYPE_MASK, D_TYPE_BLOCK);
	assert_int_equal(D_MEMATTR(d), 0x1);
	assert_int_equal(D_XN(d), 1);
	assert_int_equal(D_S2AP(d), 1);
}

static void test_s2_map_device_exec_rejected(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(s2_map(&f->s2, ipa_init(0x09000000),
				pa_init(0x09000000), PAGE_SIZE,
				S2_RWX | S2_DEVICE),
			 HYP_EINVAL);
	assert_int_equal(table_pages(f), 2);
	expect_unmapped(&f->s2, 0x09000000);
}

static void test_s2_map_read_only(void **state)
{
	struct fixture *f = *state;
	uint64_t d;

	assert_int_equal(s2_map(&f->s2, ipa_init(0x40000000),
				pa_init(0x100000000), PAGE_SIZE, S2_RO),
			 HYP_OK);
	d = desc_at(&f->s2, 0x40000000, 3);
	assert_int_equal(D_S2AP(d), 1);
	assert_int_equal(D_XN(d), 1);
	assert_int_equal(D_MEMATTR(d), 0xf);
	expect_mapped(&f->s2, 0x40000000, 0x100000000, S2_READ);

	/* Read and execute, not write. */
	assert_int_equal(s2_map(&f->s2, ipa_init(0x40200000),
				pa_init(0x100200000), SZ_2M,
				S2_READ | S2_EXEC),
			 HYP_OK);
	d = desc_at(&f->s2, 0x40200000, 2);
	assert_int_equal(D_S2AP(d), 1);
	assert_int_equal(D_XN(d), 0);
	expect_mapped(&f->s2, 0x40300000, 0x100300000, S2_READ | S2_EXEC);
}

static void test_s2_map_overlap_rejected(void **state)
{
	struct fixture *f = *state;
	size_t size = fake_mm_size();
	uint8_t *before = malloc(size);

	assert_non_null(before);
	assert_int_equal(s2_map(&f->s2, ipa_init(0x40000000),
				pa_init(0x100000000), 2 * PAGE_SIZE, S2_RW),
			 HYP_OK);
	assert_int_equal(s2_map(&f->s2, ipa_init(0x40400000),
				pa_init(0x100400000), SZ_2M, S2_RW),
			 HYP_OK);
	size_t tables = table_pages(f);
	size_t free_pages = palloc_free_count(&f->pool);

	memcpy(before, mm_va(f->base), size);
	/* Overlapping the end of the pages, from a free range before them. */
	assert_int_equal(s2_map(&f->s2, ipa_init(0x3ffff000),
				pa_init(0x200000000), 2 * PAGE_SIZE, S2_RW),
			 HYP_EEXIST);
	/* Overlapping only the last page of a longer range. */
	assert_int_equal(s2_map(&f->s2, ipa_init(0x40001000),
				pa_init(0x200000000), 8 * PAGE_SIZE, S2_RW),
			 HYP_EEXIST);
	/* A page inside the block, and a block-sized range crossing it. */
	assert_int_equal(s2_map(&f->s2, ipa_init(0x40500000),
				pa_init(0x200000000), PAGE_SIZE, S2_RW),
			 HYP_EEXIST);
	assert_int_equal(s2_map(&f->s2, ipa_init(0x40200000),
				pa_init(0x200200000), 2 * SZ_2M, S2_RW),
			 HYP_EEXIST);
	/* The same mapping again. */
	assert_int_equal(s2_map(&f->s2, ipa_init(0x40400000),
				pa_init(0x100400000), SZ_2M, S2_RW),
			 HYP_EEXIST);

	assert_int_equal(memcmp(before, mm_va(f->base), size), 0);
	assert_int_equal(table_pages(f), tables);
	assert_int_equal(palloc_free_count(&f->pool), free_pages);
	expect_unmapped(&f->s2, 0x3ffff000);
	expect_unmapped(&f->s2, 0x40200000);
	free(before);
}

static void test_s2_map_ipa_beyond_40_bits_rejected(void **state)
{
	struct fixture *f = *state;
	uint64_t limit = 1ULL << 40;

	assert_int_equal(s2_map(&f->s2, ipa_init(limit), pa_init(0x100000000),
				PAGE_SIZE, S2_RW),
			 HYP_ERANGE);
	assert_int_equal(s2_map(&f->s2, ipa_init(limit - PAGE_SIZE),
				pa_init(0x100000000), 2 * PAGE_SIZE, S2_RW),
			 HYP_ERANGE);
	assert_int_equal(s2_map(&f->s2, ipa_init(UINT64_MAX - PAGE_SIZE + 1),
				pa_init(0x100000000), PAGE_SIZE, S2_RW),
			 HYP_ERANGE);
	/* The output address must fit the 40-bit PA size too. */
	assert_int_equal(s2_map(&f->s2, ipa_init(0), pa_init(limit), PAGE_SIZE,
				S2_RW),
			 HYP_ERANGE);
	assert_int_equal(table_pages(f), 2);
	expect_unmapped(&f->s2, limit);

	/* The last page of the IPA space lives in the second root page. */
	assert_int_equal(s2_map(&f->s2, ipa_init(limit - PAGE_SIZE),
				pa_init(0x100000000), PAGE_SIZE, S2_RW),
			 HYP_OK);
	expect_mapped(&f->s2, limit - 1, 0x100000fff, S2_RW);
	const uint64_t *root = mm_va(f->s2.root);

	assert_int_equal(root[1023] & D_TYPE_MASK, D_TYPE_TABLE);
	assert_int_equal(root[511], 0);
}

static void test_s2_map_unaligned_rejected(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(s2_map(&f->s2, ipa_init(0x40000800),
				pa_init(0x100000000), PAGE_SIZE, S2_RW),
			 HYP_EINVAL);
	assert_int_equal(s2_map(&f->s2, ipa_init(0x40000000),
				pa_init(0x100000010), PAGE_SIZE, S2_RW),
			 HYP_EINVAL);
	assert_int_equal(s2_map(&f->s2, ipa_init(0x40000000),
				pa_init(0x100000000), PAGE_SIZE + 1, S2_RW),
			 HYP_EINVAL);
	assert_int_equal(s2_map(&f->s2, ipa_init(0x40000000),
				pa_init(0x100000000), 0, S2_RW),
			 HYP_EINVAL);
	assert_int_equal(s2_map(&f->s2, ipa_init(0x40000000),
				pa_init(0x100000000), PAGE_SIZE, 1U << 7),
			 HYP_EINVAL);
	assert_int_equal(s2_map(NULL, ipa_init(0x40000000),
				pa_init(0x100000000), PAGE_SIZE, S2_RW),
			 HYP_EINVAL);
	assert_int_equal(table_pages(f), 2);
	assert_true(root_is_empty(&f->s2));
}

static void test_s2_map_enomem_reported(void **state)
{
	struct fixture *f = *state;

	/*
	 * The first page needs a level-2 and a level-3 table under root
	 * entry 0 (the two spare pages); the second lies under root entry 1
	 * and finds no page for its level-2 table. The error is reported and
	 * the first page stays mapped: the boot that asked gives up (s2.h).
	 */
	assert_int_equal(palloc_free_count(&f->pool), 2);
	assert_int_equal(s2_map(&f->s2, ipa_init(0x3ffff000),
				pa_init(0x100000000), 2 * PAGE_SIZE, S2_RW),
			 HYP_ENOMEM);
	expect_mapped(&f->s2, 0x3ffff000, 0x100000000, S2_RW);
	expect_unmapped(&f->s2, 0x40000000);
	assert_int_equal(palloc_free_count(&f->pool), 0);
	assert_int_equal(table_pages(f), 4);
}

static void test_s2_vttbr_holds_vmid_and_root(void **state)
{
	struct fixture *f = *state;
	struct s2_space other;
	uint64_t v = s2_vttbr(&f->s2);

	assert_int_equal(v >> 48, TEST_VMID);
	assert_int_equal(v & 0x0000ffffffffffffULL, pa_addr(f->s2.root));
	assert_int_equal(s2_init(&other, &f->pool, 255), HYP_OK);
	v = s2_vttbr(&other);
	assert_int_equal(v >> 48, 255);
	assert_int_equal(v & 0x0000ffffffffffffULL, pa_addr(other.root));
}

static void test_s2_vtcr_fields(void **state)
{
	uint64_t v = s2_vtcr();

	(void)state;
	assert_int_equal(v & 0x3f, 24);          /* T0SZ: 40-bit IPA. */
	assert_int_equal((v >> 6) & 0x3, 1);     /* SL0: start at level 1. */
	assert_int_equal((v >> 8) & 0x3, 1);     /* IRGN0: WB RA WA. */
	assert_int_equal((v >> 10) & 0x3, 1);    /* ORGN0: WB RA WA. */
	assert_int_equal((v >> 12) & 0x3, 3);    /* SH0: Inner Shareable. */
	assert_int_equal((v >> 14) & 0x3, 0);    /* TG0: 4 KiB. */
	assert_int_equal((v >> 16) & 0x7, 2);    /* PS: 40 bits. */
	assert_int_equal((v >> 31) & 0x1, 1);    /* RES1. */
	assert_int_equal(v, 0x80023558ULL);      /* Nothing else set. */
}

static void test_s2_translate_outside_ipa_space(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(s2_map(&f->s2, ipa_init(0), pa_init(0x100000000),
				SZ_2M, S2_RW),
			 HYP_OK);
	expect_mapped(&f->s2, 0, 0x100000000, S2_RW);
	/* Would alias IPA 0 if the top bits were dropped. */
	expect_unmapped(&f->s2, 1ULL << 40);
	expect_unmapped(&f->s2, UINT64_MAX);
}

/** Shorthand: every test runs with a fresh arena, pool and space. */
#define S2_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define S2_TINY_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, setup_tiny, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		S2_TEST(test_s2_init_allocates_empty_root),
		S2_TEST(test_s2_init_rejects_bad_vmid),
		S2_TINY_TEST(test_s2_init_out_of_memory),
		S2_TEST(test_s2_map_page_translates),
		S2_TEST(test_s2_map_2m_uses_block),
		S2_TEST(test_s2_prepare_blocks_then_map_allocates_nothing),
		S2_TEST(test_s2_map_misaligned_pa_uses_pages),
		S2_TEST(test_s2_map_mixes_blocks_and_pages),
		S2_TEST(test_s2_map_block_then_tail_pages),
		S2_TEST(test_s2_map_noncacheable_attrs),
		S2_TEST(test_s2_map_device_attrs),
		S2_TEST(test_s2_map_device_exec_rejected),
		S2_TEST(test_s2_map_read_only),
		S2_TEST(test_s2_map_overlap_rejected),
		S2_TEST(test_s2_map_ipa_beyond_40_bits_rejected),
		S2_TEST(test_s2_map_unaligned_rejected),
		S2_TINY_TEST(test_s2_map_enomem_reported),
		S2_TEST(test_s2_vttbr_holds_vmid_and_root),
		S2_TEST(test_s2_vtcr_fields),
		S2_TEST(test_s2_translate_outside_ipa_space),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
