#pragma once
/**
 * Host fake of the kernel's view of physical memory (hyp/mm.h) and of the
 * Stage-2 TLB maintenance hook: a heap arena stands in for RAM at a fixed
 * fake physical base, and TLB flushes are only counted.
 */
#include <stddef.h>
#include <stdint.h>

#include "hyp/addr.h"

/** Fake physical address of the first byte of the arena. */
#define FAKE_MM_BASE 0x80000000ULL

/** Byte the arena is filled with at init, so unzeroed memory shows. */
#define FAKE_MM_POISON 0xa5

/**
 * Allocate a @p size byte arena (a multiple of 4 KiB), fill it with
 * FAKE_MM_POISON, reset the TLB counters, and return its fake physical base.
 * Fails the running test if an arena already exists or allocation fails.
 */
paddr_t fake_mm_init(size_t size);

/** Free the arena. Safe to call without an arena. */
void fake_mm_fini(void);

/** Size in bytes of the current arena. */
size_t fake_mm_size(void);

/** Calls of arch_s2_tlb_flush_vmid() since fake_mm_init(). */
extern unsigned fake_tlb_flush_count;

/** VMID passed to the last arch_s2_tlb_flush_vmid() call. */
extern uint16_t fake_tlb_flush_last_vmid;
