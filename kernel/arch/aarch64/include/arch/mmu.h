#pragma once
/** The kernel's EL2 stage-1 identity map and cache maintenance. */
#include <stdint.h>

/** Build the identity map of devices and RAM, turn on MMU and caches. */
void mmu_init(uint64_t ram_base, uint64_t ram_size);

/**
 * Clean [va, va+size) to the point of coherency, so that a guest running with
 * its MMU off (non-cacheable accesses) sees what the kernel wrote. Ranges of
 * 16 MiB and more clean the whole data cache by set/way instead (a superset,
 * far fewer operations); correct while one CPU runs, as now.
 */
void mmu_clean_dcache_range(const void *va, uint64_t size);

/** Invalidate the whole instruction cache (after loading guest code). */
void mmu_invalidate_icache(void);
