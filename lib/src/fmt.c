/** printf-style formatting (see lib/fmt.h); C11 7.21.6.1 is the reference. */
#include "lib/fmt.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/** Decimal digits of the widest integer (2^64 - 1 has 20). */
#define FMT_MAX_DIGITS 20
_Static_assert(sizeof(uintmax_t) == sizeof(uint64_t),
	       "FMT_MAX_DIGITS counts the digits of a 64-bit integer");

/** Where characters go, and how many have gone. */
struct fmt_out {
	fmt_putc_fn putc_fn;
	void *ctx;
	size_t count;
};

/** Length modifier of one directive. */
enum fmt_length {
	FMT_LEN_NONE,
	FMT_LEN_L,
	FMT_LEN_LL,
	FMT_LEN_Z,
};

/** Everything between '%' and the conversion character. */
struct fmt_spec {
	bool left; /**< '-': pad on the right. */
	bool zero; /**< '0': pad numbers with leading zeros. */
	size_t width;
	enum fmt_length length;
};

/** State of fmt_vsnprintf(): the buffer and the characters offered so far. */
struct fmt_buf {
	char *buf;
	size_t size;
	size_t pos;
};

static void out_char(struct fmt_out *out, char c)
{
	out->putc_fn(out->ctx, c);
	out->count++;
}

static void out_repeat(struct fmt_out *out, char c, size_t n)
{
	for (; n > 0; n--) {
		out_char(out, c);
	}
}

static void out_chars(struct fmt_out *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		out_char(out, s[i]);
	}
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/**
 * Parse flags, width and length modifier starting just after the '%'.
 * Returns a pointer to the conversion character (or to the terminating NUL
 * of the format).
 */
static const char *parse_spec(const char *p, struct fmt_spec *spec)
{
	*spec = (struct fmt_spec){ .length = FMT_LEN_NONE };

	for (;; p++) {
		if (*p == '-') {
			spec->left = true;
		} else if (*p == '0') {
			spec->zero = true;
		} else {
			break;
		}
	}
	/* Saturates at INT_MAX, the largest count an int can report. */
	for (; is_digit(*p); p++) {
		spec->width = spec->width * 10 + (size_t)(*p - '0');
		if (spec->width > (size_t)__INT_MAX__) {
			spec->width = (size_t)__INT_MAX__;
		}
	}
	if (*p == 'l') {
		p++;
		spec->length = FMT_LEN_L;
		if (*p == 'l') {
			p++;
			spec->length = FMT_LEN_LL;
		}
	} else if (*p == 'z') {
		p++;
		spec->length = FMT_LEN_Z;
	}
	return p;
}

/** Fetch the argument of %d, converted as its length modifier says. */
static intmax_t read_signed(va_list *ap, enum fmt_length length)
{
	switch (length) {
	case FMT_LEN_L:
		return va_arg(*ap, long);
	case FMT_LEN_LL:
		return va_arg(*ap, long long);
	case FMT_LEN_Z:
		/* The signed type corresponding to size_t. */
		return va_arg(*ap, ptrdiff_t);
	case FMT_LEN_NONE:
		break;
	}
	return va_arg(*ap, int);
}

/** Fetch the argument of %u/%x, converted as its length says. */
static uintmax_t read_unsigned(va_list *ap, enum fmt_length length)
{
	switch (length) {
	case FMT_LEN_L:
		return va_arg(*ap, unsigned long);
	case FMT_LEN_LL:
		return va_arg(*ap, unsigned long long);
	case FMT_LEN_Z:
		return va_arg(*ap, size_t);
	case FMT_LEN_NONE:
		break;
	}
	return va_arg(*ap, unsigned int);
}

/**
 * Print @p magnitude in @p base with a '-' if @p negative: padding spaces,
 * sign, zeros (the '0' flag), digits, or padding spaces after them with '-'
 * ('0' is then ignored, C11 7.21.6.1p6).
 */
static void emit_integer(struct fmt_out *out, const struct fmt_spec *spec,
			 unsigned int base, uintmax_t magnitude, bool negative)
{
	char digits[FMT_MAX_DIGITS];
	size_t digit_count = 0;
	uintmax_t v = magnitude;

	/* Least significant digit first; 0 is one digit. */
	do {
		digits[digit_count++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v != 0);

	size_t length = digit_count + (negative ? 1 : 0);
	size_t pad = spec->width > length ? spec->width - length : 0;

	if (!spec->left && !spec->zero) {
		out_repeat(out, ' ', pad);
	}
	if (negative) {
		out_char(out, '-');
	}
	if (!spec->left && spec->zero) {
		out_repeat(out, '0', pad);
	}
	while (digit_count > 0) {
		out_char(out, digits[--digit_count]);
	}
	if (spec->left) {
		out_repeat(out, ' ', pad);
	}
}

/** Print @p n characters of @p s padded to the field width. */
static void emit_padded(struct fmt_out *out, const struct fmt_spec *spec,
			const char *s, size_t n)
{
	size_t pad = spec->width > n ? spec->width - n : 0;

	if (!spec->left) {
		out_repeat(out, ' ', pad);
	}
	out_chars(out, s, n);
	if (spec->left) {
		out_repeat(out, ' ', pad);
	}
}

/**
 * Print one conversion, taking its argument from @p ap. Returns false, having
 * printed and consumed nothing, if @p conv is not a conversion we know.
 */
static bool emit_conversion(struct fmt_out *out, const struct fmt_spec *spec,
			    char conv, va_list *ap)
{
	switch (conv) {
	case '%':
		out_char(out, '%');
		return true;
	case 's': {
		const char *s = va_arg(*ap, const char *);

		if (s == NULL) {
			s = "(null)";
		}
		emit_padded(out, spec, s, strlen(s));
		return true;
	}
	case 'd': {
		intmax_t v = read_signed(ap, spec->length);
		/* Negate in unsigned arithmetic: INTMAX_MIN has no positive. */
		uintmax_t magnitude =
			v < 0 ? (uintmax_t)0 - (uintmax_t)v : (uintmax_t)v;

		emit_integer(out, spec, 10, magnitude, v < 0);
		return true;
	}
	case 'u':
	case 'x':
		emit_integer(out, spec, conv == 'x' ? 16 : 10,
			     read_unsigned(ap, spec->length), false);
		return true;
	default:
		return false;
	}
}

int fmt_vprintf(fmt_putc_fn putc, void *ctx, const char *fmt, va_list ap)
{
	struct fmt_out out = { .putc_fn = putc, .ctx = ctx, .count = 0 };
	va_list args;
	const char *p = fmt;

	/* A copy, so that helpers can take a va_list * on every ABI. */
	va_copy(args, ap);
	while (*p != '\0') {
		if (*p != '%') {
			out_char(&out, *p++);
			continue;
		}

		const char *start = p;
		struct fmt_spec spec;

		p = parse_spec(p + 1, &spec);
		if (!emit_conversion(&out, &spec, *p, &args)) {
			/* Unknown: it may have been meant to take arguments
			 * ("%.*s" takes two), so no later directive can know
			 * which is its own. The rest goes out as written. */
			while (*start != '\0') {
				out_char(&out, *start++);
			}
			break;
		}
		p++;
	}
	va_end(args);

	return out.count > (size_t)__INT_MAX__ ? -1 : (int)out.count;
}

/** fmt_putc_fn of fmt_vsnprintf(): store while there is room, count all. */
static void buf_putc(void *ctx, char c)
{
	struct fmt_buf *b = ctx;

	/* The last byte of the buffer is kept for the NUL. */
	if (b->pos + 1 < b->size) {
		b->buf[b->pos] = c;
	}
	b->pos++;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_buf b = { .buf = buf, .size = size, .pos = 0 };
	int ret = fmt_vprintf(buf_putc, &b, fmt, ap);

	if (size > 0) {
		buf[b.pos < size ? b.pos : size - 1] = '\0';
	}
	return ret;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}
