#pragma once
/**
 * Bitmaps in arrays of 64-bit words, bit i in word i / 64 (pending virtual
 * interrupts, SPI levels, free pages, log-once keys).
 */
#include <stdbool.h>
#include <stdint.h>

/** Bits in one bitmap word. */
#define BITMAP_WORD_BITS 64U

/** True if bit @p i of @p words is set. */
static inline bool bitmap_test(const uint64_t *words, uint64_t i)
{
	return (words[i / BITMAP_WORD_BITS] >> (i % BITMAP_WORD_BITS)) & 1U;
}

/** Set bit @p i of @p words if @p set, else clear it. */
static inline void bitmap_assign(uint64_t *words, uint64_t i, bool set)
{
	uint64_t bit = 1ULL << (i % BITMAP_WORD_BITS);

	if (set) {
		words[i / BITMAP_WORD_BITS] |= bit;
	} else {
		words[i / BITMAP_WORD_BITS] &= ~bit;
	}
}
