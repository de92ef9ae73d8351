#pragma once
/**
 * Shared helpers of the libFuzzer harnesses (tests/fuzz/fuzz_*.c): a reader
 * that turns the fuzzer's bytes into values, and FUZZ_CHECK(), which stops
 * the run with a message when an invariant of the unit under test breaks.
 *
 * The reader never fails: once the input is used up it yields zeros, so a
 * harness decodes every input into some sequence of operations and libFuzzer
 * may cut or grow inputs freely. Values are little-endian.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/** The fuzzer's input, consumed front to back. */
struct fuzz_in {
	const uint8_t *data;
	size_t size;
	size_t pos;
};

/**
 * Stop the run if @p cond is false: libFuzzer sees the abort, saves the
 * input as a crash artifact and the message says which invariant broke.
 */
#define FUZZ_CHECK(cond, ...)                                                  \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr,                                        \
				"%s:%d: invariant '%s' broken: ", __FILE__,    \
				__LINE__, #cond);                              \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			abort();                                               \
		}                                                              \
	} while (0)

static inline void fuzz_in_init(struct fuzz_in *in, const uint8_t *data,
				size_t size)
{
	in->data = data;
	in->size = size;
	in->pos = 0;
}

/** True once every byte has been consumed. */
static inline bool fuzz_done(const struct fuzz_in *in)
{
	return in->pos >= in->size;
}

/** The next @p bytes bytes (at most 8) as a little-endian number. */
static inline uint64_t fuzz_bytes(struct fuzz_in *in, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++) {
		uint64_t b = 0;

		if (in->pos < in->size) {
			b = in->data[in->pos++];
		}
		v |= b << (8U * i);
	}
	return v;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	return (uint8_t)fuzz_bytes(in, 1);
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	return (uint16_t)fuzz_bytes(in, 2);
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	return (uint32_t)fuzz_bytes(in, 4);
}

static inline uint64_t fuzz_u64(struct fuzz_in *in)
{
	return fuzz_bytes(in, 8);
}

static inline bool fuzz_bool(struct fuzz_in *in)
{
	return (fuzz_u8(in) & 1U) != 0;
}

/** Mask of the low @p bytes bytes of a 64-bit value (all ones for 8+). */
static inline uint64_t fuzz_byte_mask(unsigned int bytes)
{
	return bytes >= 8 ? UINT64_MAX : (1ULL << (8U * bytes)) - 1U;
}
