/**
 * Physical page allocator (see palloc.h): two bump pointers over one
 * contiguous range. Memory is reached only through mm_va(), so the same
 * code runs at EL2 and on the host.
 */
#include "hyp/palloc.h"

#include "hyp/errno.h"
#include "hyp/mm.h"

int palloc_init(struct palloc *pool, paddr_t base, uint64_t size)
{
	uint64_t start = ALIGN_UP(pa_addr(base), PAGE_SIZE);

	if (pool == NULL || size > UINT64_MAX - pa_addr(base) ||
	    start < pa_addr(base) ||
	    ALIGN_DOWN(pa_addr(base) + size, PAGE_SIZE) <= start) {
		return HYP_EINVAL;
	}
	pool->low = start;
	pool->high = ALIGN_DOWN(pa_addr(base) + size, PAGE_SIZE);
	return HYP_OK;
}

int palloc_alloc_raw(struct palloc *pool, size_t count, uint64_t align,
		     paddr_t *out)
{
	uint64_t at;

	if (pool == NULL || out == NULL || count == 0 || align < PAGE_SIZE ||
	    (align & (align - 1)) != 0) {
		return HYP_EINVAL;
	}
	if (count > palloc_free_count(pool)) {
		return HYP_ENOMEM;
	}
	uint64_t bytes = count * PAGE_SIZE;

	if (align >= PALLOC_LOW_ALIGN) {
		/* Large runs from the bottom up. */
		at = ALIGN_UP(pool->low, align);
		if (at < pool->low || at > pool->high ||
		    pool->high - at < bytes) {
			return HYP_ENOMEM;
		}
		pool->low = at + bytes;
	} else {
		/* Small ones from the top down. */
		at = ALIGN_DOWN(pool->high - bytes, align);
		if (at < pool->low) {
			return HYP_ENOMEM;
		}
		pool->high = at;
	}
	*out = pa_init(at);
	return HYP_OK;
}

int palloc_alloc(struct palloc *pool, size_t count, uint64_t align,
		 paddr_t *out)
{
	int err = palloc_alloc_raw(pool, count, align, out);

	if (err == HYP_OK) {
		mm_zero_pages(mm_va(*out), count * PAGE_SIZE);
	}
	return err;
}

size_t palloc_free_count(const struct palloc *pool)
{
	return (pool->high - pool->low) / PAGE_SIZE;
}
