/**
 * The C string and memory functions (see libc/string.h): byte loops, and
 * word loops where both sides are equally aligned, so that they stay safe
 * under -mstrict-align.
 */
#include <stdint.h>
#include <string.h>

/*
 * GCC's loop distribution recognises byte-copy, byte-fill and NUL-search
 * loops and replaces them with calls to memcpy, memset, strlen...: inside
 * those very functions that is infinite recursion, and -fno-builtin does not
 * prevent it. Every function here is compiled without that pass.
 */
#define STRING_NO_LIBCALLS \
	__attribute__((optimize("no-tree-loop-distribute-patterns")))

/* Word size and the unrolled block of the word loops. */
#define WORD_BYTES sizeof(uint64_t)
#define WORD_MASK (WORD_BYTES - 1)
#define BLOCK_WORDS 8
/* 0x01 in every byte: multiplies a byte into all eight. */
#define BYTE_SPREAD 0x0101010101010101ULL

/*
 * Copy @p blocks blocks of COPY_BLOCK bytes, both sides 8-byte aligned, as
 * four LDP/STP pairs each (Arm ARM C6.2.130 LDP, C6.2.273 STP: a pair of
 * 64-bit registers needs only 8-byte alignment). Assembly because under
 * -mstrict-align GCC splits any C spelling of it into single LDR/STR,
 * nearly twice the instructions: copying a 32 MiB guest kernel image at
 * boot is about 5 million instructions less.
 */
#define COPY_BLOCK 64U

#ifdef __aarch64__
static inline void copy_blocks(uint64_t *d, const uint64_t *s, size_t blocks)
{
	__asm__ volatile("1:\n"
			 "ldp x9, x10, [%1, #16]\n"
			 "ldp x11, x12, [%1, #32]\n"
			 "ldp x13, x14, [%1, #48]\n"
			 "ldp x15, x16, [%1], #64\n"
			 "stp x9, x10, [%0, #16]\n"
			 "stp x11, x12, [%0, #32]\n"
			 "stp x13, x14, [%0, #48]\n"
			 "stp x15, x16, [%0], #64\n"
			 "subs %2, %2, #1\n"
			 "b.ne 1b"
			 : "+r"(d), "+r"(s), "+r"(blocks)
			 :
			 : "x9", "x10", "x11", "x12", "x13", "x14", "x15",
			   "x16", "cc", "memory");
}
#else
/* The same in C, for the host build of the unit tests (tests/host). */
static inline void copy_blocks(uint64_t *d, const uint64_t *s, size_t blocks)
{
	for (size_t w = 0; w < blocks * (COPY_BLOCK / WORD_BYTES); w++) {
		d[w] = s[w];
	}
}
#endif

STRING_NO_LIBCALLS
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	size_t i = 0;

	/* Word copies need both sides equally aligned (-mstrict-align). */
	if ((((uintptr_t)d ^ (uintptr_t)s) & WORD_MASK) == 0) {
		for (; i < n && ((uintptr_t)(d + i) & WORD_MASK); i++) {
			d[i] = s[i];
		}
		if (n - i >= COPY_BLOCK) {
			size_t blocks = (n - i) / COPY_BLOCK;

			copy_blocks((uint64_t *)(void *)(d + i),
				    (const uint64_t *)(const void *)(s + i),
				    blocks);
			i += blocks * COPY_BLOCK;
		}
		for (; n - i >= WORD_BYTES; i += WORD_BYTES) {
			*(uint64_t *)(void *)(d + i) =
				*(const uint64_t *)(const void *)(s + i);
		}
	}
	for (; i < n; i++) {
		d[i] = s[i];
	}
	return dst;
}

STRING_NO_LIBCALLS
void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((uintptr_t)d < (uintptr_t)s) {
		/* Copying forwards never overwrites a byte before reading it. */
		for (size_t i = 0; i < n; i++) {
			d[i] = s[i];
		}
	} else if ((uintptr_t)d > (uintptr_t)s) {
		for (size_t i = n; i > 0; i--) {
			d[i - 1] = s[i - 1];
		}
	}
	return dst;
}

STRING_NO_LIBCALLS
void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;
	uint64_t pattern = BYTE_SPREAD * (unsigned char)c;
	size_t i = 0;

	for (; i < n && ((uintptr_t)(p + i) & WORD_MASK); i++) {
		p[i] = (unsigned char)c;
	}
	for (; n - i >= BLOCK_WORDS * WORD_BYTES;
	     i += BLOCK_WORDS * WORD_BYTES) {
		uint64_t *w = (uint64_t *)(void *)(p + i);

		w[0] = pattern;
		w[1] = pattern;
		w[2] = pattern;
		w[3] = pattern;
		w[4] = pattern;
		w[5] = pattern;
		w[6] = pattern;
		w[7] = pattern;
	}
	for (; n - i >= WORD_BYTES; i += WORD_BYTES) {
		*(uint64_t *)(void *)(p + i) = pattern;
	}
	for (; i < n; i++) {
		p[i] = (unsigned char)c;
	}
	return s;
}

STRING_NO_LIBCALLS
int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *pa = a;
	const unsigned char *pb = b;

	for (size_t i = 0; i < n; i++) {
		if (pa[i] != pb[i]) {
			return pa[i] < pb[i] ? -1 : 1;
		}
	}
	return 0;
}

STRING_NO_LIBCALLS
void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == (unsigned char)c) {
			return (void *)(p + i);
		}
	}
	return NULL;
}

STRING_NO_LIBCALLS
size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0') {
		n++;
	}
	return n;
}

STRING_NO_LIBCALLS
size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0') {
		n++;
	}
	return n;
}

STRING_NO_LIBCALLS
int strcmp(const char *a, const char *b)
{
	/* Characters compare as unsigned char (C11 7.24.4p1). */
	const unsigned char *pa = (const unsigned char *)a;
	const unsigned char *pb = (const unsigned char *)b;

	while (*pa != '\0' && *pa == *pb) {
		pa++;
		pb++;
	}
	return *pa == *pb ? 0 : (*pa < *pb ? -1 : 1);
}

STRING_NO_LIBCALLS
int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *pa = (const unsigned char *)a;
	const unsigned char *pb = (const unsigned char *)b;

	for (size_t i = 0; i < n; i++) {
		if (pa[i] != pb[i]) {
			return pa[i] < pb[i] ? -1 : 1;
		}
		if (pa[i] == '\0') {
			break;
		}
	}
	return 0;
}

STRING_NO_LIBCALLS
char *strchr(const char *s, int c)
{
	/* The terminating NUL is part of the string: strchr(s, 0) finds it. */
	for (;; s++) {
		if (*s == (char)c) {
			return (char *)s;
		}
		if (*s == '\0') {
			return NULL;
		}
	}
}

STRING_NO_LIBCALLS
char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c) {
			last = s;
		}
		if (*s == '\0') {
			return (char *)last;
		}
	}
}
