/**
 * The C string and memory functions (see libc/string.h): simple byte loops,
 * which also keeps them safe under -mstrict-align.
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
		for (; n - i >= BLOCK_WORDS * WORD_BYTES; i += BLOCK_WORDS * WORD_BYTES) {
			uint64_t *dw = (uint64_t *)(void *)(d + i);
			const uint64_t *sw = (const uint64_t *)(const void *)(s + i);

			uint64_t a = sw[0], b = sw[1], c = sw[2], d = sw[3];
			uint64_t e = sw[4], f = sw[5], g = sw[6], h = sw[7];

			dw[0] = a;
			dw[1] = b;
			dw[2] = c;
			dw[3] = d;
			dw[4] = e;
			dw[5] = f;
			dw[6] = g;
			dw[7] = h;
		}
		for (; n - i >= WORD_BYTES; i += WORD_BYTES) {
			*(uint64_t *)(void *)(d + i) = *(const uint64_t *)(const void *)(s + i);
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
	for (; n - i >= BLOCK_WORDS * WORD_BYTES; i += BLOCK_WORDS * WORD_BYTES) {
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
