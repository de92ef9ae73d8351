/**
 * Host fake of hyp/mm.h: "physical memory" is one aligned heap arena at
 * FAKE_MM_BASE. Any translation outside the arena is a bug in the code under
 * test: it fails the running cmocka test (which then jumps back to the
 * runner, so the other tests still run).
 */
#include "fake_mm.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hyp/mm.h"
#include "hyp/s2.h"
#include "hyp/units.h"

unsigned fake_tlb_flush_count;
uint16_t fake_tlb_flush_last_vmid;

/** The arena and its size; NULL when none is set up. */
static uint8_t *arena;
static size_t arena_size;

/** Fail the running test: @p what @p value is outside the arena. */
static _Noreturn void fake_mm_die(const char *what, uint64_t value)
{
	fail_msg("fake_mm: %s 0x%llx outside arena [0x%llx, +0x%zx)", what,
		 (unsigned long long)value, (unsigned long long)FAKE_MM_BASE,
		 arena_size);
	abort(); /* Not reached: fail_msg() leaves the test or the program. */
}

paddr_t fake_mm_init(size_t size)
{
	if (arena != NULL || size == 0 || !IS_ALIGNED(size, PAGE_SIZE)) {
		fake_mm_die("init size", size);
	}
	arena = aligned_alloc(PAGE_SIZE, size);
	if (arena == NULL) {
		fake_mm_die("allocation of", size);
	}
	memset(arena, FAKE_MM_POISON, size);
	arena_size = size;
	fake_tlb_flush_count = 0;
	fake_tlb_flush_last_vmid = 0;
	return pa_init(FAKE_MM_BASE);
}

void fake_mm_fini(void)
{
	free(arena);
	arena = NULL;
	arena_size = 0;
}

size_t fake_mm_size(void)
{
	return arena_size;
}

void *mm_va(paddr_t pa)
{
	uint64_t addr = pa_addr(pa);

	if (arena == NULL || addr < FAKE_MM_BASE ||
	    addr - FAKE_MM_BASE >= arena_size) {
		fake_mm_die("physical address", addr);
	}
	return arena + (addr - FAKE_MM_BASE);
}

/* The host has no caches to bypass: the same arena. */
volatile void *mm_va_nc(paddr_t pa)
{
	return mm_va(pa);
}

paddr_t mm_pa(const void *va)
{
	uintptr_t p = (uintptr_t)va;
	uintptr_t first = (uintptr_t)arena;

	if (arena == NULL || p < first || p - first >= arena_size) {
		fake_mm_die("pointer", (uint64_t)p);
	}
	return pa_init(FAKE_MM_BASE + (uint64_t)(p - first));
}

void mm_zero_pages(void *va, uint64_t size)
{
	memset(va, 0, size);
}

void arch_s2_tlb_flush_vmid(uint16_t vmid)
{
	fake_tlb_flush_count++;
	fake_tlb_flush_last_vmid = vmid;
}
