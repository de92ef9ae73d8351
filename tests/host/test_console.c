/**
 * cmocka tests of the UART service's console multiplexer
 * (services/uart/console.c): per-VM line tags, lines of two VMs never
 * sharing a screen line, and the Ctrl-] input commands.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "uart/console.h"

#define SCREEN_MAX 512

static char screen[SCREEN_MAX];
static size_t screen_len;

static void put(void *ctx, const char *s, uint32_t len)
{
	(void)ctx;
	assert_true(screen_len + len < SCREEN_MAX);
	memcpy(screen + screen_len, s, len);
	screen_len += len;
	screen[screen_len] = '\0';
}

static const char *const names[] = { "linux", "bare", "third" };

static struct console_cfg cfg(bool tagged, uint32_t windows)
{
	return (struct console_cfg){ .windows = windows, .names = names,
				     .tagged = tagged, .put = put };
}

static void print(struct uart_console *c, const struct console_cfg *k,
		  uint32_t w, const char *s)
{
	while (*s != '\0') {
		console_output(c, k, w, (uint8_t)*s++);
	}
}

static int setup(void **unused)
{
	(void)unused;
	screen_len = 0;
	screen[0] = '\0';
	return 0;
}

static void test_untagged_output_is_passed_through(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(false, 1);

	(void)unused;
	console_init(&c);
	print(&c, &k, 0, "boot\r\n/ # ");
	assert_string_equal(screen, "boot\r\n/ # ");
}

static void test_each_line_is_tagged_with_its_vm(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(true, 2);

	(void)unused;
	console_init(&c);
	print(&c, &k, 0, "one\r\ntwo\r\n");
	print(&c, &k, 1, "hi\n");
	assert_string_equal(screen, "[linux] one\r\n[linux] two\r\n[bare] hi\n");
}

static void test_unfinished_line_is_ended_when_another_vm_prints(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(true, 2);

	(void)unused;
	console_init(&c);
	print(&c, &k, 0, "/ # ");
	print(&c, &k, 1, "tick\n");
	print(&c, &k, 0, "ls\r\n");
	assert_string_equal(screen, "[linux] / # \r\n[bare] tick\n[linux] ls\r\n");
}

static void test_empty_lines_get_no_tag(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(true, 2);

	(void)unused;
	console_init(&c);
	print(&c, &k, 1, "\r\n\nx\n");
	assert_string_equal(screen, "\r\n\n[bare] x\n");
}

static enum console_action type(struct uart_console *c,
				const struct console_cfg *k, uint8_t byte,
				uint8_t *out)
{
	*out = 0;
	return console_input(c, k, byte, out);
}

static void test_input_goes_to_the_focus(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(true, 3);
	uint8_t out;

	(void)unused;
	console_init(&c);
	assert_int_equal(c.focus, 0);
	assert_int_equal(type(&c, &k, 'a', &out), CONSOLE_DELIVER);
	assert_int_equal(out, 'a');
}

static void test_escape_digit_and_next_switch_the_focus(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(true, 3);
	uint8_t out;

	(void)unused;
	console_init(&c);
	assert_int_equal(type(&c, &k, CONSOLE_ESCAPE, &out), CONSOLE_CONSUMED);
	assert_int_equal(type(&c, &k, '3', &out), CONSOLE_FOCUS);
	assert_int_equal(c.focus, 2);
	assert_int_equal(type(&c, &k, CONSOLE_ESCAPE, &out), CONSOLE_CONSUMED);
	assert_int_equal(type(&c, &k, CONSOLE_CMD_NEXT, &out), CONSOLE_FOCUS);
	assert_int_equal(c.focus, 0);   /* wraps */
	/* Back to plain input. */
	assert_int_equal(type(&c, &k, '3', &out), CONSOLE_DELIVER);
	assert_int_equal(out, '3');
}

static void test_window_beyond_the_count_only_shows_help(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(true, 2);
	uint8_t out;

	(void)unused;
	console_init(&c);
	type(&c, &k, CONSOLE_ESCAPE, &out);
	assert_int_equal(type(&c, &k, '3', &out), CONSOLE_HELP);
	assert_int_equal(c.focus, 0);
}

static void test_escape_twice_sends_a_literal_escape(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(false, 1);
	uint8_t out;

	(void)unused;
	console_init(&c);
	type(&c, &k, CONSOLE_ESCAPE, &out);
	assert_int_equal(type(&c, &k, CONSOLE_ESCAPE, &out), CONSOLE_DELIVER);
	assert_int_equal(out, CONSOLE_ESCAPE);
}

static void test_other_commands(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(true, 2);
	uint8_t out;

	(void)unused;
	console_init(&c);
	type(&c, &k, CONSOLE_ESCAPE, &out);
	assert_int_equal(type(&c, &k, CONSOLE_CMD_HELP, &out), CONSOLE_HELP);
	type(&c, &k, CONSOLE_ESCAPE, &out);
	assert_int_equal(type(&c, &k, CONSOLE_CMD_CRASH, &out), CONSOLE_CRASH);
	type(&c, &k, CONSOLE_ESCAPE, &out);
	assert_int_equal(type(&c, &k, 'z', &out), CONSOLE_CONSUMED);
	assert_int_equal(c.focus, 0);
}

static void test_state_read_back_is_checked(void **unused)
{
	struct uart_console c;

	(void)unused;
	console_init(&c);
	assert_true(console_valid(&c, 1));
	c.focus = 2;
	assert_false(console_valid(&c, 2));
	c.focus = 1;
	c.out_window = 5;
	assert_false(console_valid(&c, 2));
	c.out_window = CONSOLE_NO_WINDOW;
	assert_true(console_valid(&c, 2));
}

static void test_several_clients(void **unused)
{
	const uint32_t one[] = { 3, 3, 3 }, two[] = { 3, 3, 4 };

	(void)unused;
	assert_false(console_several_clients(one, 3));
	assert_true(console_several_clients(two, 3));
	assert_false(console_several_clients(two, 2));
	assert_false(console_several_clients(two, 1));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup(name, setup)
	const struct CMUnitTest tests[] = {
		T(test_untagged_output_is_passed_through),
		T(test_each_line_is_tagged_with_its_vm),
		T(test_unfinished_line_is_ended_when_another_vm_prints),
		T(test_empty_lines_get_no_tag),
		T(test_input_goes_to_the_focus),
		T(test_escape_digit_and_next_switch_the_focus),
		T(test_window_beyond_the_count_only_shows_help),
		T(test_escape_twice_sends_a_literal_escape),
		T(test_other_commands),
		T(test_state_read_back_is_checked),
		T(test_several_clients),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
