/**
 * Unit tests of the formatter (lib/src/fmt.c), mostly by comparing its output
 * and return value with the host C library's vsnprintf, and of the string
 * functions (lib/src/string.c), which are compiled into this file under other
 * names so that they do not clash with the host's.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/fmt.h"

/*
 * Our string functions, renamed: the host's <string.h> is already included,
 * so string.c's own #include of it adds nothing, and the test harness keeps
 * using the host's functions after the #undefs.
 */
#define memcpy hyp_memcpy
#define memmove hyp_memmove
#define memset hyp_memset
#define memcmp hyp_memcmp
#define memchr hyp_memchr
#define strlen hyp_strlen
#define strnlen hyp_strnlen
#define strcmp hyp_strcmp
#define strncmp hyp_strncmp
#define strchr hyp_strchr
#define strrchr hyp_strrchr
#include "../../lib/src/string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef memchr
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr

/** Longest output any comparison below produces, plus room. */
#define MAX_OUTPUT 256

/** Canary byte: must survive wherever fmt_vsnprintf may not write. */
#define CANARY 0x5a

/*
 * Some tests use formats that -Wformat rightly rejects in real code (flags
 * without effect, unknown conversions); they are bracketed by these so that
 * every other call keeps its compile-time check.
 */
#define ODD_FORMATS_BEGIN                                \
	_Pragma("GCC diagnostic push")                   \
	_Pragma("GCC diagnostic ignored \"-Wformat\"")   \
	_Pragma("GCC diagnostic ignored \"-Wformat-extra-args\"")
#define ODD_FORMATS_END _Pragma("GCC diagnostic pop")

/**
 * Format @p fmt with the host's vsnprintf and with fmt_vsnprintf into buffers
 * of several sizes (0 with NULL, 1, half, exact, exact + 1, large). Each of
 * ours is a heap block of exactly that size, so ASan reports any write past
 * it; the result must be the host's output cut to size - 1 characters and
 * NUL-terminated, and the return value always the untruncated length.
 */
static void check_vs_host_v(const char *fmt, va_list ap)
{
	char expect[MAX_OUTPUT];
	va_list host_ap;

	va_copy(host_ap, ap);
	int expect_len = vsnprintf(expect, sizeof(expect), fmt, host_ap);
	va_end(host_ap);
	assert_true(expect_len >= 0 && expect_len < MAX_OUTPUT);

	size_t len = (size_t)expect_len;
	size_t sizes[] = { 0, 1, len / 2, len, len + 1, MAX_OUTPUT };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t size = sizes[i];
		char *buf = size > 0 ? malloc(size) : NULL;
		va_list our_ap;

		if (size > 0) {
			assert_non_null(buf);
			memset(buf, CANARY, size);
		}
		va_copy(our_ap, ap);
		int got_len = fmt_vsnprintf(buf, size, fmt, our_ap);
		va_end(our_ap);

		if (got_len != expect_len) {
			fail_msg("\"%s\" size %zu: returned %d, host %d", fmt,
				 size, got_len, expect_len);
		}
		if (size > 0) {
			size_t kept = len < size - 1 ? len : size - 1;

			if (memcmp(buf, expect, kept) != 0 ||
			    buf[kept] != '\0') {
				fail_msg("\"%s\" size %zu: got \"%.*s\", host "
					 "\"%.*s\"", fmt, size, (int)kept,
					 buf, (int)kept, expect);
			}
			for (size_t j = kept + 1; j < size; j++) {
				assert_int_equal((unsigned char)buf[j],
						 CANARY);
			}
		}
		free(buf);
	}
}

static void check_vs_host(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void check_vs_host(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_vs_host_v(fmt, ap);
	va_end(ap);
}

/** fmt_snprintf into a large buffer; returns the buffer for comparing. */
static const char *format(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static const char *format(const char *fmt, ...)
{
	static char buf[MAX_OUTPUT];
	va_list ap;

	memset(buf, CANARY, sizeof(buf));
	va_start(ap, fmt);
	int len = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	assert_int_equal(len, strlen(buf));
	return buf;
}

/** What fmt_vprintf sent to the putc callback. */
struct capture {
	char text[MAX_OUTPUT];
	size_t calls;
	void *ctx_seen;
};

static void capture_putc(void *ctx, char c)
{
	struct capture *cap = ctx;

	assert_true(cap->calls < sizeof(cap->text));
	cap->ctx_seen = ctx;
	cap->text[cap->calls++] = c;
}

static int capture_printf(struct capture *cap, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int capture_printf(struct capture *cap, const char *fmt, ...)
{
	va_list ap;
	int ret;

	*cap = (struct capture){ .calls = 0 };
	va_start(ap, fmt);
	ret = fmt_vprintf(capture_putc, cap, fmt, ap);
	va_end(ap);
	return ret;
}

/* --- Table-driven comparison with the host ------------------------------ */

/** The argument type each length modifier makes %d and %u read. */
enum arg_kind {
	ARG_INT,       /* none: int / unsigned int */
	ARG_LONG,      /* l */
	ARG_LLONG,     /* ll */
	ARG_SIZE,      /* z: size_t and its signed twin */
};

static const struct {
	const char *text;
	enum arg_kind kind;
} lengths[] = {
	{ "", ARG_INT },
	{ "l", ARG_LONG },
	{ "ll", ARG_LLONG },
	{ "z", ARG_SIZE },
};

/** Values around every boundary a length modifier or base can expose. */
static const uint64_t int_values[] = {
	0, 1, 7, 8, 42, 127, 128, 255, 256, 0x7fff, 0x8000, 0xffff, 0x10000,
	0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x123456789abcdef0,
	(uint64_t)INT64_MAX, (uint64_t)INT64_MIN, UINT64_MAX,
	(uint64_t)-1 - 41, /* -42 */
};

/** Pass the low bits of @p bits as the type that @p kind stands for. */
static void check_integer(const char *fmt, enum arg_kind kind, bool is_signed,
			  uint64_t bits)
{
	switch (kind) {
	case ARG_INT:
		if (is_signed) {
			check_vs_host(fmt, (int)bits);
		} else {
			check_vs_host(fmt, (unsigned int)bits);
		}
		break;
	case ARG_LONG:
		if (is_signed) {
			check_vs_host(fmt, (long)bits);
		} else {
			check_vs_host(fmt, (unsigned long)bits);
		}
		break;
	case ARG_LLONG:
		if (is_signed) {
			check_vs_host(fmt, (long long)bits);
		} else {
			check_vs_host(fmt, (unsigned long long)bits);
		}
		break;
	case ARG_SIZE:
		if (is_signed) {
			check_vs_host(fmt, (ptrdiff_t)bits);
		} else {
			check_vs_host(fmt, (size_t)bits);
		}
		break;
	}
}

/** check_integer() with every value of int_values. */
static size_t check_all_values(const char *fmt, enum arg_kind kind,
			       bool is_signed)
{
	size_t count = sizeof(int_values) / sizeof(int_values[0]);

	for (size_t v = 0; v < count; v++) {
		check_integer(fmt, kind, is_signed, int_values[v]);
	}
	return count;
}

/** The subset of the flags "-0" that bit i of @p mask selects. */
static void flags_from_mask(unsigned int mask, char flags[3])
{
	static const char flag_chars[] = "-0";
	size_t n = 0;

	for (unsigned int f = 0; f < 2; f++) {
		if (mask & (1U << f)) {
			flags[n++] = flag_chars[f];
		}
	}
	flags[n] = '\0';
}

/**
 * Every subset of the flags "-0" with widths, length modifiers, integer
 * conversions and values, against the host's vsnprintf.
 */
static void test_fmt_integers_match_host(void **state)
{
	static const char *const widths[] = { "", "1", "6", "23" };
	static const char conversions[] = "dux";
	size_t checked = 0;

	(void)state;
	for (const char *conv = conversions; *conv != '\0'; conv++) {
		for (unsigned int mask = 0; mask < 4; mask++) {
			char flags[3];

			flags_from_mask(mask, flags);
			for (size_t w = 0; w < 4; w++) {
				for (size_t l = 0; l < 4; l++) {
					char fmt[32];

					snprintf(fmt, sizeof(fmt), "<%%%s%s%s%c>",
						 flags, widths[w],
						 lengths[l].text, *conv);
					checked += check_all_values(
						fmt, lengths[l].kind,
						*conv == 'd');
				}
			}
		}
	}
	/* Guard against the loops silently shrinking to nothing. */
	assert_true(checked > 3000);
}

/** %s with '-' and widths, against the host. */
static void test_fmt_strings_match_host(void **state)
{
	static const char *const strings[] = { "", "a", "hello",
					       "a somewhat longer string" };
	static const char *const specs[] = { "%s", "%-s", "%1s", "%8s", "%-8s",
					     "%30s" };

	(void)state;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		for (size_t s = 0; s < sizeof(strings) / sizeof(strings[0]);
		     s++) {
			char fmt[32];

			snprintf(fmt, sizeof(fmt), "[%s]", specs[i]);
			check_vs_host(fmt, strings[s]);
		}
	}
}

/** Literal text, %% and several directives in one format. */
static void test_fmt_mixed_match_host(void **state)
{
	(void)state;
	check_vs_host("%s", "");
	check_vs_host("plain text");
	check_vs_host("100%% sure %%d");
	check_vs_host("%d%s%x%%%u", -1, "mid", 255u, 8u);
	check_vs_host("vcpu %u: esr=0x%08x far=0x%016llx el%d",
		      3u, 0x96000045u, 0xffff000012345678ull, 2);
}

/* --- Direct checks ------------------------------------------------------ */

static void test_fmt_snprintf_extremes(void **state)
{
	(void)state;
	assert_string_equal(format("%lld", (long long)INT64_MIN),
			    "-9223372036854775808");
	assert_string_equal(format("%lld", (long long)INT64_MAX),
			    "9223372036854775807");
	assert_string_equal(format("%llu", (unsigned long long)UINT64_MAX),
			    "18446744073709551615");
	assert_string_equal(format("%llx", (unsigned long long)UINT64_MAX),
			    "ffffffffffffffff");
	assert_string_equal(format("%d", INT_MIN), "-2147483648");
	assert_string_equal(format("%zu", SIZE_MAX), "18446744073709551615");
	assert_string_equal(format("%zd", (ptrdiff_t)-5), "-5");
	assert_string_equal(format("%u", -1), "4294967295");
}

ODD_FORMATS_BEGIN
static void test_fmt_snprintf_flags(void **state)
{
	(void)state;
	assert_string_equal(format("[%5d]", 42), "[   42]");
	assert_string_equal(format("[%-5d]", 42), "[42   ]");
	assert_string_equal(format("[%05d]", -42), "[-0042]");
	assert_string_equal(format("[%-05d]", 42), "[42   ]");
	assert_string_equal(format("[%0d]", 0), "[0]");
	assert_string_equal(format("[%016llx]", 0xabcull),
			    "[0000000000000abc]");
}
ODD_FORMATS_END

ODD_FORMATS_BEGIN
/*
 * What no caller uses is not implemented: such a directive is printed as
 * written and consumes no argument (the next directive gets it).
 */
static void test_fmt_snprintf_unused_features_literal(void **state)
{
	(void)state;
	assert_string_equal(format("[%+d|%d]", 1), "[%+d|%d]");
	assert_string_equal(format("[% d|%d]", 2), "[% d|%d]");
	assert_string_equal(format("[%#x|%d]", 3), "[%#x|%d]");
	assert_string_equal(format("[%.3s|%d]", 4), "[%.3s|%d]");
	assert_string_equal(format("[%*d|%d]", 5), "[%*d|%d]");
	assert_string_equal(format("[%c|%d]", 6), "[%c|%d]");
	assert_string_equal(format("[%p|%d]", 7), "[%p|%d]");
	assert_string_equal(format("[%i%o%X|%d]", 8), "[%i%o%X|%d]");
	assert_string_equal(format("[%hhd%hd%jd%td|%d]", 9),
			    "[%hhd%hd%jd%td|%d]");
}
ODD_FORMATS_END

static void test_fmt_snprintf_string_null(void **state)
{
	const char *null = NULL;

	(void)state;
	assert_string_equal(format("%s", null), "(null)");
	assert_string_equal(format("[%8s]", null), "[  (null)]");
	assert_string_equal(format("[%-8s]", null), "[(null)  ]");
}

/* Unknown and cut-off directives are what -Wformat exists to reject. */
ODD_FORMATS_BEGIN

static void test_fmt_snprintf_unknown_conversion_literal(void **state)
{
	(void)state;
	assert_string_equal(format("%y"), "%y");
	assert_string_equal(format("a%-05.2yb"), "a%-05.2yb");
	assert_string_equal(format("%lq"), "%lq");
	/* After an unknown directive nothing takes an argument: "%.*s" meant
	 * two, and a %s reading the int as a pointer would crash. */
	assert_string_equal(format("%d %y %d %k %s", 4, 5, "s"), "4 %y %d %k %s");
	assert_string_equal(format("'%.*s' %s", 3, "abcdef", "x"),
			    "'%.*s' %s");
	/* No %n: nothing is stored through the argument. */
	int n = 77;
	assert_string_equal(format("ab%n", &n), "ab%n");
	assert_int_equal(n, 77);
	/* No floating point. */
	assert_string_equal(format("%f|%d", 3), "%f|%d");
}

static void test_fmt_snprintf_cut_off_directive_literal(void **state)
{
	(void)state;
	assert_string_equal(format("abc%"), "abc%");
	assert_string_equal(format("%-5"), "%-5");
	assert_string_equal(format("x%ll"), "x%ll");
	assert_string_equal(format("%.3"), "%.3");
}

ODD_FORMATS_END

static void test_fmt_snprintf_size_zero(void **state)
{
	char buf[4] = { 'x', 'x', 'x', 'x' };

	(void)state;
	assert_int_equal(fmt_snprintf(NULL, 0, "hello %d", 42), 8);
	assert_int_equal(fmt_snprintf(buf, 0, "hello %d", 42), 8);
	assert_memory_equal(buf, "xxxx", 4);
	assert_int_equal(fmt_snprintf(NULL, 0, "%s", ""), 0);
}

static void test_fmt_snprintf_truncation(void **state)
{
	char buf[16];

	(void)state;
	memset(buf, CANARY, sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, 1, "hello"), 5);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], CANARY);

	memset(buf, CANARY, sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, 5, "%s-%d", "abc", 1234), 8);
	assert_string_equal(buf, "abc-");
	assert_int_equal(buf[5], CANARY);

	memset(buf, CANARY, sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, 6, "%05d", 42), 5);
	assert_string_equal(buf, "00042");

	memset(buf, CANARY, sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, 5, "%05d", 42), 5);
	assert_string_equal(buf, "0004");
	assert_int_equal(buf[5], CANARY);

	memset(buf, CANARY, sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%s", ""), 0);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], CANARY);
}

static void test_fmt_vprintf_streams_every_char(void **state)
{
	struct capture cap;

	(void)state;
	assert_int_equal(capture_printf(&cap, "x=%04x %s", 0xabu, "ok"), 9);
	assert_int_equal(cap.calls, 9);
	assert_memory_equal(cap.text, "x=00ab ok", 9);
	assert_ptr_equal(cap.ctx_seen, &cap);
}

static void test_fmt_vprintf_empty(void **state)
{
	struct capture cap;

	(void)state;
	assert_int_equal(capture_printf(&cap, "%s", ""), 0);
	assert_int_equal(cap.calls, 0);
}

/* --- String functions --------------------------------------------------- */

static void test_memcpy_copies_and_returns_dst(void **state)
{
	char dst[8] = "xxxxxxx";

	(void)state;
	assert_ptr_equal(hyp_memcpy(dst, "abc", 3), dst);
	assert_string_equal(dst, "abcxxxx");
	assert_ptr_equal(hyp_memcpy(dst, "zz", 0), dst);
	assert_string_equal(dst, "abcxxxx");
}

/* Every size up to a few blocks, at every pair of alignments: the byte,
 * word and 64-byte block loops and their seams. */
static void test_memcpy_every_alignment_and_size(void **state)
{
	enum { MAX_LEN = 3 * 64 + 17, ALIGNS = 8, PAD = 16 };
	static uint8_t src[MAX_LEN + ALIGNS + PAD], dst[MAX_LEN + ALIGNS + 2 * PAD];
	static uint8_t want[sizeof(dst)];

	(void)state;
	for (size_t i = 0; i < sizeof(src); i++) {
		src[i] = (uint8_t)(i * 7 + 3);
	}
	for (size_t sa = 0; sa < ALIGNS; sa++) {
		for (size_t da = 0; da < ALIGNS; da++) {
			for (size_t n = 0; n <= MAX_LEN; n++) {
				memset(dst, CANARY, sizeof(dst));
				memcpy(want, dst, sizeof(dst));
				memcpy(want + PAD + da, src + sa, n);
				assert_ptr_equal(hyp_memcpy(dst + PAD + da, src + sa, n),
						 dst + PAD + da);
				assert_memory_equal(dst, want, sizeof(dst));
			}
		}
	}
}

static void test_memmove_overlap(void **state)
{
	char buf[16];

	(void)state;
	strcpy(buf, "0123456789");
	assert_ptr_equal(hyp_memmove(buf + 2, buf, 6), buf + 2);
	assert_string_equal(buf, "0101234589");

	strcpy(buf, "0123456789");
	assert_ptr_equal(hyp_memmove(buf, buf + 3, 6), buf);
	assert_string_equal(buf, "3456786789");

	strcpy(buf, "0123456789");
	hyp_memmove(buf, buf, 10);
	assert_string_equal(buf, "0123456789");
}

static void test_memset_fills_low_byte(void **state)
{
	unsigned char buf[6] = { 1, 2, 3, 4, 5, 6 };

	(void)state;
	assert_ptr_equal(hyp_memset(buf + 1, 0x1ab, 4), buf + 1);
	assert_int_equal(buf[0], 1);
	for (size_t i = 1; i < 5; i++) {
		assert_int_equal(buf[i], 0xab);
	}
	assert_int_equal(buf[5], 6);
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void test_memcmp_unsigned_order(void **state)
{
	(void)state;
	assert_int_equal(hyp_memcmp("abc", "abd", 2), 0);
	assert_int_equal(sign(hyp_memcmp("abc", "abd", 3)), -1);
	assert_int_equal(sign(hyp_memcmp("abd", "abc", 3)), 1);
	/* Bytes compare as unsigned char: 0x80 is above 0x01. */
	assert_int_equal(sign(hyp_memcmp("\x80", "\x01", 1)), 1);
	assert_int_equal(hyp_memcmp("a", "b", 0), 0);
}

static void test_memchr_finds_first(void **state)
{
	static const char s[] = "abcabc\xe9";

	(void)state;
	assert_ptr_equal(hyp_memchr(s, 'c', 6), s + 2);
	assert_null(hyp_memchr(s, 'c', 2));
	assert_ptr_equal(hyp_memchr(s, 0xe9, 7), s + 6);
	assert_ptr_equal(hyp_memchr(s, 0x100 + 'b', 6), s + 1);
	assert_ptr_equal(hyp_memchr(s, '\0', 8), s + 7);
}

static void test_strlen_strnlen(void **state)
{
	(void)state;
	assert_int_equal(hyp_strlen(""), 0);
	assert_int_equal(hyp_strlen("hello"), 5);
	assert_int_equal(hyp_strnlen("hello", 3), 3);
	assert_int_equal(hyp_strnlen("hello", 9), 5);
	assert_int_equal(hyp_strnlen("hello", 0), 0);
}

static void test_strcmp_strncmp(void **state)
{
	(void)state;
	assert_int_equal(hyp_strcmp("abc", "abc"), 0);
	assert_int_equal(sign(hyp_strcmp("abc", "abd")), -1);
	assert_int_equal(sign(hyp_strcmp("abc", "ab")), 1);
	assert_int_equal(sign(hyp_strcmp("", "a")), -1);
	assert_int_equal(sign(hyp_strcmp("\xe9", "a")), 1);
	assert_int_equal(hyp_strncmp("abcx", "abcy", 3), 0);
	assert_int_equal(sign(hyp_strncmp("abcx", "abcy", 4)), -1);
	assert_int_equal(sign(hyp_strncmp("ab", "abc", 5)), -1);
	/* Equal strings stop the comparison at the NUL. */
	assert_int_equal(hyp_strncmp("ab\0x", "ab\0y", 4), 0);
	assert_int_equal(sign(hyp_strncmp("\x80", "\x7f", 1)), 1);
	assert_int_equal(hyp_strncmp("a", "b", 0), 0);
}

static void test_strchr_strrchr(void **state)
{
	static const char s[] = "a/b/c\xe9";

	(void)state;
	assert_ptr_equal(hyp_strchr(s, '/'), s + 1);
	assert_ptr_equal(hyp_strrchr(s, '/'), s + 3);
	assert_ptr_equal(hyp_strchr(s, 0xe9), s + 5);
	assert_ptr_equal(hyp_strrchr(s, 0xe9), s + 5);
	assert_null(hyp_strchr(s, 'x'));
	assert_null(hyp_strrchr(s, 'x'));
	/* The terminating NUL counts as part of the string. */
	assert_ptr_equal(hyp_strchr(s, '\0'), s + 6);
	assert_ptr_equal(hyp_strrchr(s, '\0'), s + 6);
	assert_ptr_equal(hyp_strchr(s + 2, '/'), s + 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fmt_integers_match_host),
		cmocka_unit_test(test_fmt_strings_match_host),
		cmocka_unit_test(test_fmt_mixed_match_host),
		cmocka_unit_test(test_fmt_snprintf_extremes),
		cmocka_unit_test(test_fmt_snprintf_flags),
		cmocka_unit_test(test_fmt_snprintf_unused_features_literal),
		cmocka_unit_test(test_fmt_snprintf_string_null),
		cmocka_unit_test(test_fmt_snprintf_unknown_conversion_literal),
		cmocka_unit_test(test_fmt_snprintf_cut_off_directive_literal),
		cmocka_unit_test(test_fmt_snprintf_size_zero),
		cmocka_unit_test(test_fmt_snprintf_truncation),
		cmocka_unit_test(test_fmt_vprintf_streams_every_char),
		cmocka_unit_test(test_fmt_vprintf_empty),
		cmocka_unit_test(test_memcpy_copies_and_returns_dst),
		cmocka_unit_test(test_memcpy_every_alignment_and_size),
		cmocka_unit_test(test_memmove_overlap),
		cmocka_unit_test(test_memset_fills_low_byte),
		cmocka_unit_test(test_memcmp_unsigned_order),
		cmocka_unit_test(test_memchr_finds_first),
		cmocka_unit_test(test_strlen_strnlen),
		cmocka_unit_test(test_strcmp_strncmp),
		cmocka_unit_test(test_strchr_strrchr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
