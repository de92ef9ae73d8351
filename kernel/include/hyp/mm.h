#pragma once
/**
 * How the kernel reaches physical memory. At EL2 the kernel's stage-1 map is
 * an identity map of RAM, so these are casts; the host tests link a fake that
 * maps a malloc'd arena instead (tests/fake/fake_mm.c).
 */
#include "hyp/addr.h"

/** Kernel pointer to the physical address @p pa (must be RAM). */
void *mm_va(paddr_t pa);

/**
 * Kernel pointer to RAM at @p pa through a Normal Non-cacheable mapping:
 * for memory that guests or services map Non-cacheable (a register shadow
 * page, vm.c), which a cacheable alias would see stale or overwrite with a
 * whole cache line on write-back (Arm ARM B2.8, "Mismatched memory
 * attributes").
 */
volatile void *mm_va_nc(paddr_t pa);

/** Physical address of the kernel pointer @p va (must point into RAM). */
paddr_t mm_pa(const void *va);

/**
 * Zero @p size bytes of whole pages at @p va, and make the zeros visible to
 * a guest that runs with its MMU off (cleaned to the point of coherency):
 * freshly allocated guest RAM must not show anything it held before.
 */
void mm_zero_pages(void *va, uint64_t size);
