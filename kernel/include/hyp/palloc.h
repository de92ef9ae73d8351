#pragma once
/**
 * Physical page allocator over one contiguous range of RAM, handing out
 * runs of 4 KiB pages with a requested alignment (Stage-2 tables need
 * 4 KiB, concatenated root tables 8 KiB, guest RAM 2 MiB so that block
 * mappings can be used).
 *
 * Nothing is ever freed (partitions are made once, at boot), so the pool is
 * two bump pointers: runs aligned to PALLOC_LOW_ALIGN or more (guest RAM)
 * from the bottom up, the others (tables, shadow pages) from the top down,
 * so that neither pads the other's runs to its alignment. The pool needs no
 * storage in the range. Not thread-safe: only the boot CPU allocates.
 */
#include <stddef.h>
#include <stdint.h>

#include "hyp/addr.h"
#include "hyp/units.h"

/** Runs aligned to this or more come from the bottom of the pool. */
#define PALLOC_LOW_ALIGN SZ_2M

/** One pool of physical pages: [low, high) is free. */
struct palloc {
	uint64_t low;  /**< End of the runs handed out from the bottom. */
	uint64_t high; /**< Start of the runs handed out from the top. */
};

/**
 * Take over [base, base+size) (page-aligned inside; unaligned edges are
 * trimmed). Returns HYP_EINVAL if no whole page is left.
 */
int palloc_init(struct palloc *pool, paddr_t base, uint64_t size);

/**
 * Allocate @p count contiguous pages whose first page is aligned to
 * @p align bytes (a power of two, at least PAGE_SIZE). The pages are zeroed.
 * Returns HYP_OK and sets *@p out, or HYP_EINVAL / HYP_ENOMEM.
 */
int palloc_alloc(struct palloc *pool, size_t count, uint64_t align,
		 paddr_t *out);

/**
 * As palloc_alloc(), but the pages keep whatever they held: for a guest's
 * RAM, which vm_ram.c zeroes a block at a time when it is first touched.
 */
int palloc_alloc_raw(struct palloc *pool, size_t count, uint64_t align,
		     paddr_t *out);

/** Pages currently free in @p pool. */
size_t palloc_free_count(const struct palloc *pool);
