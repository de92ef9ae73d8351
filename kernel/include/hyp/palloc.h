#pragma once
/**
 * Physical page allocator: a first-fit bitmap allocator over one contiguous
 * range of RAM, handing out runs of 4 KiB pages with a requested alignment
 * (Stage-2 tables need 4 KiB, concatenated root tables 8 KiB, guest RAM
 * 2 MiB so that block mappings can be used).
 *
 * The bitmap lives at the start of the managed range itself, so the pool
 * needs no storage of its own. Nothing is ever freed: partitions
 * are made once, at boot. Not thread-safe: only the boot CPU allocates.
 */
#include <stddef.h>
#include <stdint.h>

#include "hyp/addr.h"

/** One pool of physical pages. */
struct palloc {
	paddr_t base;        /**< First managed page (after the bitmap). */
	size_t page_count;   /**< Pages managed, excluding the bitmap pages. */
	size_t free_count;   /**< Pages currently free. */
	uint64_t *bitmap;    /**< One bit per page, 1 = allocated. */
};

/**
 * Take over [base, base+size) (page-aligned inside; unaligned edges are
 * trimmed). Returns HYP_EINVAL if the range cannot hold the bitmap and at
 * least one page. The bitmap pages are zeroed with mm_zero_pages(), so at
 * EL2 the MMU must be on (DC ZVA needs Normal memory; kmain() calls this
 * after mmu_init()).
 */
int palloc_init(struct palloc *pool, paddr_t base, uint64_t size);

/**
 * Allocate @p count contiguous pages whose first page is aligned to
 * @p align bytes (a power of two, at least PAGE_SIZE). The pages are zeroed.
 * Returns HYP_OK and sets *@p out, or HYP_EINVAL / HYP_ENOMEM.
 */
int palloc_alloc(struct palloc *pool, size_t count, uint64_t align,
		 paddr_t *out);

/** Pages currently free in @p pool. */
size_t palloc_free_count(const struct palloc *pool);
