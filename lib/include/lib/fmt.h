#pragma once
/**
 * A printf-style formatter for freestanding code: the kernel's console, the
 * service partitions and the test guests all print through it.
 *
 * Supported: %% %c %s %d %i %u %x %X %o %p; the flags '-', '0', '+', ' ' and
 * '#'; field width and precision, both also as '*'; the length modifiers hh,
 * h, l, ll, z, j and t. Semantics follow C11 7.21.6.1 with these choices:
 * - %s of a NULL pointer prints "(null)" (cut short by a precision, if any);
 * - %p prints "0x" and exactly 16 lower-case hex digits, NULL included;
 * - a directive with an unknown conversion (or one cut off by the end of the
 *   format) is printed as written, e.g. "%y" or "%-5"; %n is unknown.
 * There is no floating point: targets are built with -mgeneral-regs-only.
 */
#include <stdarg.h>
#include <stddef.h>

/** Receives one produced character; @p ctx is the caller's context. */
typedef void (*fmt_putc_fn)(void *ctx, char c);

/**
 * Stream the formatted output through @p putc, one call per character.
 * Returns the number of characters produced, or -1 if that would not fit in
 * an int (the characters are still produced).
 */
int fmt_vprintf(fmt_putc_fn putc, void *ctx, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/**
 * C99 vsnprintf: write at most @p size - 1 characters to @p buf and always
 * NUL-terminate when @p size > 0 (@p buf may be NULL when @p size is 0).
 * Returns the length the full output would have had, without the NUL, so a
 * return value >= @p size means the output was truncated.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/** fmt_vsnprintf() with a variable argument list. */
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
