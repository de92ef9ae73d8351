/**
 * Unit tests of the kernel error names (kernel/core/errno.c): every code of
 * enum hyp_err has its own name, and a value outside it reads "unknown
 * error" (never NULL: log lines print it with %s).
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "hyp/errno.h"

#define UNKNOWN "unknown error"

/* Every code of enum hyp_err, with the name log lines show for it. */
static const struct {
	int err;
	const char *name;
} codes[] = {
	{ HYP_OK, "ok" },
	{ HYP_ENOMEM, "out of memory" },
	{ HYP_EINVAL, "invalid argument" },
	{ HYP_EEXIST, "already exists" },
	{ HYP_ERANGE, "out of range" },
	{ HYP_ENOENT, "not found" },
	{ HYP_EPERM, "not permitted" },
};
#define CODES (sizeof(codes) / sizeof(codes[0]))

static void test_errno_every_code_has_its_name(void **unused)
{
	(void)unused;
	for (size_t i = 0; i < CODES; i++) {
		assert_string_equal(hyp_strerror(codes[i].err), codes[i].name);
	}
}

static void test_errno_names_are_distinct(void **unused)
{
	(void)unused;
	for (size_t i = 0; i < CODES; i++) {
		assert_string_not_equal(hyp_strerror(codes[i].err), UNKNOWN);
		for (size_t j = i + 1; j < CODES; j++) {
			assert_string_not_equal(hyp_strerror(codes[i].err),
						hyp_strerror(codes[j].err));
		}
	}
}

/* The codes are 0 and -1 down to HYP_EPERM, with no gap: a code added to
 * enum hyp_err without a name fails here. */
static void test_errno_codes_are_dense(void **unused)
{
	(void)unused;
	for (int err = HYP_OK; err >= HYP_EPERM; err--) {
		assert_string_not_equal(hyp_strerror(err), UNKNOWN);
	}
	assert_int_equal(CODES, -HYP_EPERM + 1);
}

static void test_errno_unknown_code(void **unused)
{
	(void)unused;
	assert_string_equal(hyp_strerror(HYP_EPERM - 1), UNKNOWN);
	assert_string_equal(hyp_strerror(1), UNKNOWN);
	assert_string_equal(hyp_strerror(INT32_MIN), UNKNOWN);
	assert_string_equal(hyp_strerror(INT32_MAX), UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errno_every_code_has_its_name),
		cmocka_unit_test(test_errno_names_are_distinct),
		cmocka_unit_test(test_errno_codes_are_dense),
		cmocka_unit_test(test_errno_unknown_code),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
