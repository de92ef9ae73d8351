/**
 * Physical page allocator: a first-fit bitmap over one contiguous range.
 *
 * The first pages of the range hold the bitmap (one bit per managed page,
 * 1 = allocated); the pages after them are handed out. Memory is reached
 * only through mm_va(), so the same code runs at EL2 and on the host.
 */
#include "hyp/palloc.h"

#include "hyp/bitmap.h"
#include "hyp/errno.h"
#include "hyp/mm.h"
#include "hyp/units.h"

/** Pages whose bits fit in one bitmap page. */
#define BITS_PER_PAGE (PAGE_SIZE * 8U)

/** True if page @p idx of @p pool is allocated. */
static bool page_busy(const struct palloc *pool, uint64_t idx)
{
	return bitmap_test(pool->bitmap, idx);
}

/** Page @p idx starts a bitmap word whose pages all lie before @p end. */
static bool whole_word(uint64_t idx, uint64_t end)
{
	return idx % BITMAP_WORD_BITS == 0 && end - idx >= BITMAP_WORD_BITS;
}

/** Mark pages [first, first+count) allocated. */
static void mark_pages(struct palloc *pool, uint64_t first, uint64_t count)
{
	for (uint64_t idx = first; idx < first + count; idx++) {
		if (whole_word(idx, first + count)) {
			/* A guest's 256 MiB: 1,024 stores, not 65,536. */
			pool->bitmap[idx / BITMAP_WORD_BITS] = ~0ULL;
			idx += BITMAP_WORD_BITS - 1;
		} else {
			bitmap_assign(pool->bitmap, idx, true);
		}
	}
}

/**
 * Number of bitmap pages needed at the front of a range of @p total pages:
 * the smallest b with b * BITS_PER_PAGE >= total - b.
 */
static uint64_t bitmap_pages(uint64_t total)
{
	return (total + BITS_PER_PAGE) / (BITS_PER_PAGE + 1);
}

int palloc_init(struct palloc *pool, paddr_t base, uint64_t size)
{
	uint64_t start = ALIGN_UP(pa_addr(base), PAGE_SIZE);
	uint64_t end;

	if (pool == NULL || size > UINT64_MAX - pa_addr(base) ||
	    start < pa_addr(base)) {
		return HYP_EINVAL;
	}
	end = ALIGN_DOWN(pa_addr(base) + size, PAGE_SIZE);
	if (end <= start) {
		return HYP_EINVAL;
	}

	uint64_t total = (end - start) / PAGE_SIZE;
	uint64_t meta = bitmap_pages(total);

	if (total <= meta) {
		return HYP_EINVAL;
	}
	pool->bitmap = mm_va(pa_init(start));
	pool->base = pa_init(start + meta * PAGE_SIZE);
	pool->page_count = total - meta;
	pool->free_count = pool->page_count;
	mm_zero_pages(pool->bitmap, meta * PAGE_SIZE);
	return HYP_OK;
}

/**
 * Index of the first busy page in [first, first+count), or first+count if
 * all are free.
 */
static uint64_t first_busy(const struct palloc *pool, uint64_t first,
			   uint64_t count)
{
	uint64_t idx = first;

	while (idx < first + count && !page_busy(pool, idx)) {
		bool free_word = whole_word(idx, first + count) &&
				 pool->bitmap[idx / BITMAP_WORD_BITS] == 0;

		idx += free_word ? BITMAP_WORD_BITS : 1;
	}
	return idx;
}

/**
 * First-fit search for @p count free pages starting on an @p align boundary.
 * Returns true and sets *@p out_idx on success.
 */
static bool find_run(const struct palloc *pool, uint64_t count, uint64_t align,
		     uint64_t *out_idx)
{
	uint64_t base = pa_addr(pool->base);
	uint64_t first = ALIGN_UP(base, align);
	uint64_t step = align / PAGE_SIZE;

	if (first < base) {
		return false; /* Aligning wrapped past the top of memory. */
	}
	uint64_t idx = (first - base) / PAGE_SIZE;

	while (idx < pool->page_count && count <= pool->page_count - idx) {
		uint64_t busy = first_busy(pool, idx, count);

		if (busy == idx + count) {
			*out_idx = idx;
			return true;
		}
		/* Skip past the busy page to the next aligned candidate. */
		idx += ALIGN_UP(busy + 1 - idx, step);
	}
	return false;
}

int palloc_alloc(struct palloc *pool, size_t count, uint64_t align,
		 paddr_t *out)
{
	uint64_t idx;

	if (pool == NULL || out == NULL || count == 0 || align < PAGE_SIZE ||
	    (align & (align - 1)) != 0) {
		return HYP_EINVAL;
	}
	if (count > pool->free_count || !find_run(pool, count, align, &idx)) {
		return HYP_ENOMEM;
	}
	mark_pages(pool, idx, count);
	pool->free_count -= count;
	*out = pa_add(pool->base, idx * PAGE_SIZE);
	mm_zero_pages(mm_va(*out), count * PAGE_SIZE);
	return HYP_OK;
}

size_t palloc_free_count(const struct palloc *pool)
{
	return pool->free_count;
}
