#pragma once
/**
 * A printf-style formatter for freestanding code: the kernel's console, the
 * service partitions and the test guests all print through it.
 *
 * Supported, what the callers use and no more: %% %s %d %u %x; the flags
 * '-' and '0'; a decimal field width; the length modifiers l, ll and z.
 * Semantics follow C11 7.21.6.1 with these choices:
 * - %s of a NULL pointer prints "(null)";
 * - a directive with an unknown conversion (or one cut off by the end of the
 *   format), e.g. "%y", "%p", "%.*s" or "%-5", and everything after it are
 *   printed as written and take no argument: the unknown directive may have
 *   been meant to take some, so later ones could not know their own; %n is
 *   unknown.
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
