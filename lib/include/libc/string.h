#pragma once
/**
 * The C string and memory functions of the freestanding support library,
 * with their standard names and semantics (C11 7.24), so that third-party
 * code such as libfdt links against them unchanged.
 *
 * Only target builds put this directory on the include path (as
 * -Ilib/include/libc); host builds use the host C library's <string.h>.
 */
#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *s, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
