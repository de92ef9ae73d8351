/**
 * Unit tests of the kernel panic (kernel/core/panic.c): the message is
 * formatted (lib/fmt), logged once at the error level as "PANIC: <msg>",
 * cut to fit its buffer, and the machine is powered off with a failure
 * status (platform_power_off_failure), never left hanging. The log and the
 * power-off are recorded; the power-off returns to the test by longjmp.
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "hyp/hypercall.h"
#include "hyp/log.h"
#include "hyp/panic.h"

/* panic.c: the message buffer, with its NUL. */
#define PANIC_MSG_MAX 200
#define LINE_MAX 512

static struct {
	char line[LINE_MAX];
	unsigned lines, power_offs;
	enum log_level level;
} rec;
static jmp_buf powered_off;

void log_line(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rec.line, sizeof(rec.line), fmt, ap);
	va_end(ap);
	rec.level = level;
	rec.lines++;
}

void platform_power_off_failure(void)
{
	rec.power_offs++;
	longjmp(powered_off, 1);
}

static int setup(void **unused)
{
	(void)unused;
	memset(&rec, 0, sizeof(rec));
	return 0;
}

#define TEST(f) cmocka_unit_test_setup(f, setup)

/* Run @p stmt, which must end in platform_power_off_failure(). */
#define EXPECT_POWER_OFF(stmt)                                       \
	do {                                                         \
		if (setjmp(powered_off) == 0) {                      \
			stmt;                                        \
			fail_msg("%s did not power off", #stmt);     \
		}                                                    \
	} while (0)

static void test_panic_formats_logs_and_powers_off(void **unused)
{
	(void)unused;
	EXPECT_POWER_OFF(panic("vm '%s' id %d at 0x%llx", "g", 3, 0xabcULL));
	assert_int_equal(rec.lines, 1);
	assert_int_equal(rec.level, LOG_LEVEL_ERROR);
	assert_string_equal(rec.line, "PANIC: vm 'g' id 3 at 0xabc");
	assert_int_equal(rec.power_offs, 1);
}

static void test_panic_check_names_the_condition(void **unused)
{
	(void)unused;
	int x = 1;

	EXPECT_POWER_OFF(CHECK(x == 2));
	assert_non_null(strstr(rec.line, "PANIC: check failed: x == 2 at "));
	assert_non_null(strstr(rec.line, "test_panic.c:"));
	assert_int_equal(rec.power_offs, 1);
	/* A check that holds says nothing. */
	rec.lines = 0;
	CHECK(x == 1);
	assert_int_equal(rec.lines, 0);
}

static void test_panic_long_message_is_cut(void **unused)
{
	(void)unused;
	char longer[2 * PANIC_MSG_MAX];

	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	EXPECT_POWER_OFF(panic("%s", longer));
	assert_int_equal(strlen(rec.line),
			 strlen("PANIC: ") + PANIC_MSG_MAX - 1);
	assert_int_equal(rec.power_offs, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_panic_formats_logs_and_powers_off),
		TEST(test_panic_check_names_the_condition),
		TEST(test_panic_long_message_is_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
