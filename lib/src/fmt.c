/** printf-style formatting (see lib/fmt.h); C11 7.21.6.1 is the reference. */
#include "lib/fmt.h"

#include <stdbool.h>
#include <stdint.h>

/* %zd reads the signed twin of size_t as a ptrdiff_t, %tu the reverse. */
_Static_assert(sizeof(size_t) == sizeof(ptrdiff_t),
	       "size_t and ptrdiff_t must have the same width");

/** Octal digits of the widest integer: 64 bits in 3-bit groups. */
#define FMT_MAX_DIGITS 22
_Static_assert(sizeof(uintmax_t) * 8 <= FMT_MAX_DIGITS * 3,
	       "FMT_MAX_DIGITS too small for uintmax_t");

/** Hex digits of a pointer printed by %p. */
#define FMT_POINTER_DIGITS (sizeof(uintptr_t) * 2)

/** Where characters go, and how many have gone. */
struct fmt_out {
	fmt_putc_fn putc_fn;
	void *ctx;
	size_t count;
};

/** Length modifier of one directive. */
enum fmt_length {
	FMT_LEN_NONE,
	FMT_LEN_HH,
	FMT_LEN_H,
	FMT_LEN_L,
	FMT_LEN_LL,
	FMT_LEN_Z,
	FMT_LEN_J,
	FMT_LEN_T,
};

/** Everything between '%' and the conversion character. */
struct fmt_spec {
	bool left;          /**< '-': pad on the right. */
	bool zero;          /**< '0': pad numbers with leading zeros. */
	bool plus;          /**< '+': signed conversions always get a sign. */
	bool space;         /**< ' ': a space where '+' would go. */
	bool alt;           /**< '#': 0x/0X prefix for %x/%X, leading 0 for %o. */
	bool has_precision; /**< A precision was given and is not negative. */
	size_t width;
	size_t precision;
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

/** Length of @p s, reading no more than @p max characters of it. */
static size_t bounded_length(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0') {
		n++;
	}
	return n;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/**
 * Parse a decimal field at *@p p, advancing past it. Saturates at INT_MAX,
 * the largest width or precision whose output count an int can report.
 */
static size_t parse_number(const char **p)
{
	size_t n = 0;

	for (; is_digit(**p); (*p)++) {
		n = n * 10 + (size_t)(**p - '0');
		if (n > (size_t)__INT_MAX__) {
			n = (size_t)__INT_MAX__;
		}
	}
	return n;
}

/**
 * Parse flags, width, precision and length modifier starting just after the
 * '%'; '*' fields take their value from @p ap. Returns a pointer to the
 * conversion character (or to the terminating NUL of the format).
 */
static const char *parse_spec(const char *p, struct fmt_spec *spec,
			      va_list *ap)
{
	*spec = (struct fmt_spec){ .length = FMT_LEN_NONE };

	for (;; p++) {
		if (*p == '-') {
			spec->left = true;
		} else if (*p == '0') {
			spec->zero = true;
		} else if (*p == '+') {
			spec->plus = true;
		} else if (*p == ' ') {
			spec->space = true;
		} else if (*p == '#') {
			spec->alt = true;
		} else {
			break;
		}
	}

	if (*p == '*') {
		int width = va_arg(*ap, int);

		p++;
		/* A negative '*' width is a '-' flag and a positive width. */
		if (width < 0) {
			spec->left = true;
			spec->width = (size_t)-(long long)width;
		} else {
			spec->width = (size_t)width;
		}
		if (spec->width > (size_t)__INT_MAX__) {
			spec->width = (size_t)__INT_MAX__;
		}
	} else {
		spec->width = parse_number(&p);
	}

	if (*p == '.') {
		p++;
		spec->has_precision = true;
		if (*p == '*') {
			int precision = va_arg(*ap, int);

			p++;
			/* A negative '*' precision counts as none at all. */
			spec->has_precision = precision >= 0;
			spec->precision = precision >= 0 ? (size_t)precision : 0;
		} else {
			/* A lone '.' is a precision of zero. */
			spec->precision = parse_number(&p);
		}
	}

	if (*p == 'h') {
		p++;
		spec->length = FMT_LEN_H;
		if (*p == 'h') {
			p++;
			spec->length = FMT_LEN_HH;
		}
	} else if (*p == 'l') {
		p++;
		spec->length = FMT_LEN_L;
		if (*p == 'l') {
			p++;
			spec->length = FMT_LEN_LL;
		}
	} else if (*p == 'z') {
		p++;
		spec->length = FMT_LEN_Z;
	} else if (*p == 'j') {
		p++;
		spec->length = FMT_LEN_J;
	} else if (*p == 't') {
		p++;
		spec->length = FMT_LEN_T;
	}
	return p;
}

/** Fetch the argument of %d/%i, converted as its length modifier says. */
static intmax_t read_signed(va_list *ap, enum fmt_length length)
{
	switch (length) {
	case FMT_LEN_HH:
		return (signed char)va_arg(*ap, int);
	case FMT_LEN_H:
		return (short)va_arg(*ap, int);
	case FMT_LEN_L:
		return va_arg(*ap, long);
	case FMT_LEN_LL:
		return va_arg(*ap, long long);
	case FMT_LEN_Z:
		/* The signed type corresponding to size_t. */
		return va_arg(*ap, ptrdiff_t);
	case FMT_LEN_J:
		return va_arg(*ap, intmax_t);
	case FMT_LEN_T:
		return va_arg(*ap, ptrdiff_t);
	case FMT_LEN_NONE:
		break;
	}
	return va_arg(*ap, int);
}

/** Fetch the argument of %u/%x/%X/%o, converted as its length says. */
static uintmax_t read_unsigned(va_list *ap, enum fmt_length length)
{
	switch (length) {
	case FMT_LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case FMT_LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case FMT_LEN_L:
		return va_arg(*ap, unsigned long);
	case FMT_LEN_LL:
		return va_arg(*ap, unsigned long long);
	case FMT_LEN_Z:
		return va_arg(*ap, size_t);
	case FMT_LEN_J:
		return va_arg(*ap, uintmax_t);
	case FMT_LEN_T:
		/* The unsigned type corresponding to ptrdiff_t. */
		return va_arg(*ap, size_t);
	case FMT_LEN_NONE:
		break;
	}
	return va_arg(*ap, unsigned int);
}

/**
 * Print an integer conversion: @p magnitude with a '-' if @p negative.
 * @p conv is the conversion character ('d', 'i', 'u', 'o', 'x', 'X' or 'p').
 *
 * The output is: padding spaces, sign or 0x prefix, zeros (from the precision
 * or the '0' flag), digits, then padding spaces instead if '-' was given.
 */
static void emit_integer(struct fmt_out *out, const struct fmt_spec *spec,
			 char conv, uintmax_t magnitude, bool negative)
{
	const char *alphabet = conv == 'X' ? "0123456789ABCDEF"
					   : "0123456789abcdef";
	unsigned int base = 10;
	char digits[FMT_MAX_DIGITS];
	size_t digit_count = 0;
	char prefix[2];
	size_t prefix_len = 0;

	if (conv == 'o') {
		base = 8;
	} else if (conv == 'x' || conv == 'X' || conv == 'p') {
		base = 16;
	}

	/* Least significant digit first; no leading zeros, none at all for 0. */
	for (uintmax_t v = magnitude; v != 0; v /= base) {
		digits[digit_count++] = alphabet[v % base];
	}

	/* The precision is the minimum number of digits; it defaults to 1. */
	size_t precision = spec->has_precision ? spec->precision : 1;
	size_t zeros = precision > digit_count ? precision - digit_count : 0;

	if (conv == 'd' || conv == 'i') {
		if (negative) {
			prefix[prefix_len++] = '-';
		} else if (spec->plus) {
			prefix[prefix_len++] = '+';
		} else if (spec->space) {
			prefix[prefix_len++] = ' ';
		}
	} else if (conv == 'o') {
		/* '#' raises the precision just enough to lead with a 0. */
		if (spec->alt && zeros == 0) {
			zeros = 1;
		}
	} else if (conv == 'p' ||
		   ((conv == 'x' || conv == 'X') && spec->alt && magnitude != 0)) {
		prefix[prefix_len++] = '0';
		prefix[prefix_len++] = conv == 'X' ? 'X' : 'x';
	}

	size_t length = prefix_len + zeros + digit_count;
	size_t pad = spec->width > length ? spec->width - length : 0;

	if (spec->left) {
		out_chars(out, prefix, prefix_len);
		out_repeat(out, '0', zeros);
	} else if (spec->zero && !spec->has_precision) {
		/* '0' is ignored with '-' and with a precision (C11 7.21.6.1p6). */
		out_chars(out, prefix, prefix_len);
		out_repeat(out, '0', zeros + pad);
		pad = 0;
	} else {
		out_repeat(out, ' ', pad);
		pad = 0;
		out_chars(out, prefix, prefix_len);
		out_repeat(out, '0', zeros);
	}
	while (digit_count > 0) {
		out_char(out, digits[--digit_count]);
	}
	out_repeat(out, ' ', pad);
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
	case 'c': {
		char c = (char)va_arg(*ap, int);

		emit_padded(out, spec, &c, 1);
		return true;
	}
	case 's': {
		const char *s = va_arg(*ap, const char *);

		if (s == NULL) {
			s = "(null)";
		}
		/* With a precision, s need not be NUL-terminated. */
		emit_padded(out, spec, s,
			    bounded_length(s, spec->has_precision
						      ? spec->precision
						      : SIZE_MAX));
		return true;
	}
	case 'd':
	case 'i': {
		intmax_t v = read_signed(ap, spec->length);
		/* Negate in unsigned arithmetic: INTMAX_MIN has no positive. */
		uintmax_t magnitude = v < 0 ? (uintmax_t)0 - (uintmax_t)v
					    : (uintmax_t)v;

		emit_integer(out, spec, conv, magnitude, v < 0);
		return true;
	}
	case 'u':
	case 'o':
	case 'x':
	case 'X':
		emit_integer(out, spec, conv, read_unsigned(ap, spec->length),
			     false);
		return true;
	case 'p': {
		struct fmt_spec fixed = *spec;

		fixed.has_precision = true;
		fixed.precision = FMT_POINTER_DIGITS;
		emit_integer(out, &fixed, 'p',
			     (uintptr_t)va_arg(*ap, void *), false);
		return true;
	}
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

		p = parse_spec(p + 1, &spec, &args);
		if (!emit_conversion(&out, &spec, *p, &args)) {
			/* Unknown: print the directive as written. */
			if (*p != '\0') {
				p++;
			}
			out_chars(&out, start, (size_t)(p - start));
			continue;
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
