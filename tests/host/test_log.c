/**
 * Unit tests of the kernel log (kernel/core/log.c) on a recorded UART:
 * line prefixes, LF sent as CR LF, long lines cut, nothing before
 * log_init(), and the console line shared with the console service
 * (abi/console.h): the kernel's seq is odd while it prints a line, and a
 * service line left open is ended with HYP_CONSOLE_BREAK first.
 */
#include <setjmp.h> /* cmocka.h needs these four first. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "abi/console.h"
#include "hyp/board.h"
#include "fake_arch.h"
#include "hyp/log.h"
#include "lib/pl011_hw.h"

/* log.c: a formatted line is cut to this many bytes less its NUL. */
#define LINE_MAX 256
#define OUT_MAX 4096

static char out[OUT_MAX];
static size_t out_len;
static unsigned inits;
/* The shared line, and the kernel's seq seen at each UART byte. */
static struct hyp_console_line shared;
static uint32_t seq_at_byte[OUT_MAX];
/* fake_relax_count when the first byte went out. */
static unsigned relax_at_first_byte;
/* log.c: how long a kernel line waits for the service's writing word: 20
 * ms of the counter, at FREQ Hz read STEP ticks further each time. */
#define FREQ 1000000U
#define STEP 10U
/* Reads of the counter until the deadline, less the one that set it. */
#define SERVICE_WRITE_POLLS (FREQ / 1000U * 20U / STEP - 1U)

/* The board the log asks for its UART: the scenario's, then the DTB's. */
#define UART_BUILT 0x09000000
#define UART_BOARD 0x1c090000
static struct cfg_platform plat = { .uart_base = UART_BUILT };

const struct cfg_platform *board(void)
{
	return &plat;
}

void pl011_init(uintptr_t base)
{
	assert_int_equal(base, plat.uart_base);
	inits++;
}

void pl011_putc(uintptr_t base, char c)
{
	assert_int_equal(base, plat.uart_base);
	assert_true(out_len < OUT_MAX - 1);
	if (out_len == 0) {
		relax_at_first_byte = fake_relax_count;
	}
	seq_at_byte[out_len] = shared.seq;
	out[out_len++] = c;
	out[out_len] = '\0';
}

static int setup(void **unused)
{
	(void)unused;
	fake_arch_reset();
	out_len = 0;
	out[0] = '\0';
	memset(&shared, 0, sizeof(shared));
	return 0;
}

/* Run first: before log_init() nothing reaches the UART. */
static void test_log_dropped_before_init(void **unused)
{
	(void)unused;
	log_info("early %d", 1);
	assert_int_equal(out_len, 0);
	log_init();
	assert_int_equal(inits, 1);
}

/* Once the board's device tree names another UART, log_init() moves the
 * log there (pl011_init and pl011_putc check the base). */
static void test_log_moves_to_board_uart(void **unused)
{
	(void)unused;
	plat.uart_base = UART_BOARD;
	log_init();
	assert_int_equal(inits, 2);
	log_info("on the board's UART");
	assert_string_equal(out, "hyp: on the board's UART\r\n");
	plat.uart_base = UART_BUILT;
	log_init();
}

static void test_log_prefixes_and_crlf(void **unused)
{
	(void)unused;
	log_info("a %d", 1);
	log_warn("b %s", "x");
	log_err("c");
	assert_string_equal(out, "hyp: a 1\r\nhyp: warning: b x\r\n"
				 "hyp: error: c\r\n");
}

static void test_log_long_line_cut(void **unused)
{
	char big[LINE_MAX + 100];

	(void)unused;
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_info("%s", big);
	/* Prefix, LINE_MAX - 1 bytes, CR LF. */
	assert_int_equal(out_len, strlen("hyp: ") + LINE_MAX - 1 + 2);
	assert_int_equal(out[out_len - 3], 'y');
}

static void test_log_raw_lf_is_crlf(void **unused)
{
	(void)unused;
	log_raw("p\nq", 3);
	assert_string_equal(out, "p\r\nq");
}

static void test_log_shared_line_seq_odd_while_printing(void **unused)
{
	int dummy = 0;
	uint32_t before;

	(void)unused;
	log_share_line(&dummy, &shared);
	before = shared.seq;
	assert_int_equal(before % 2, 0);
	log_info("z");
	for (size_t i = 0; i < out_len; i++) {
		assert_int_equal(seq_at_byte[i], before + 1);
	}
	assert_int_equal(shared.seq, before + 2);
	assert_true(fake_barrier_count >= 2);
	/* No service line open: no break. */
	assert_string_equal(out, "hyp: z\r\n");
	log_unshare_line(&dummy);
}

static void test_log_open_service_line_ended_first(void **unused)
{
	int dummy = 0;

	(void)unused;
	log_share_line(&dummy, &shared);
	/* The service printed part of a line when seq was what it is. */
	shared.open = shared.seq + 1;
	log_info("k");
	assert_string_equal(out, HYP_CONSOLE_BREAK "hyp: k\r\n");
	/* A stale mark (an older seq) is not an open line. */
	out_len = 0;
	shared.open = shared.seq - 1;
	log_info("k");
	assert_string_equal(out, "hyp: k\r\n");
	/* Regression (test_hostile: "[test]     [victim] victim: alive 6"):
	 * the service wrote a byte, then read this line's odd seq (the kernel
	 * waiting for its writing word) and marked its open line for the
	 * kernel's next one (kernel_cut): its byte is before this line, which
	 * must end it too. Before, only open == seq + 1 counted. */
	out_len = 0;
	shared.open = shared.seq + 3;
	log_info("k");
	assert_string_equal(out, HYP_CONSOLE_BREAK "hyp: k\r\n");
	log_unshare_line(&dummy);
}

/* Regression ("hyp: cguest]pu H1 online"): a kernel line waits while the
 * service writes (abi/console.h), a bounded time if it never finishes. */
static void test_log_waits_for_service_writing(void **unused)
{
	int dummy = 0;

	(void)unused;
	log_share_line(&dummy, &shared);
	shared.writing = 1;
	fake_relax_count = 0;
	fake_sysreg_cntfrq_el0 = FREQ;
	fake_counter_step = STEP;
	log_info("w");
	assert_int_equal(relax_at_first_byte, SERVICE_WRITE_POLLS);
	/* Regression (test_hostile: "[test]    [victim] victim: alive 75"):
	 * a service still writing is inside a line, which the kernel's line
	 * must not continue: it ends it first, as an open one. */
	assert_string_equal(out, HYP_CONSOLE_BREAK "hyp: w\r\n");
	shared.writing = 0;
	out_len = 0;
	fake_relax_count = 0;
	log_info("w");
	assert_int_equal(relax_at_first_byte, 0);
	log_unshare_line(&dummy);
}

static void test_log_unshare_only_by_owner(void **unused)
{
	int owner = 0, other = 0;
	uint32_t seq;

	(void)unused;
	log_share_line(&owner, &shared);
	log_unshare_line(&other);
	seq = shared.seq;
	log_info("m");
	assert_int_equal(shared.seq, seq + 2);
	log_unshare_line(&owner);
	log_info("m");
	assert_int_equal(shared.seq, seq + 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_log_dropped_before_init, setup),
		cmocka_unit_test_setup(test_log_moves_to_board_uart, setup),
		cmocka_unit_test_setup(test_log_prefixes_and_crlf, setup),
		cmocka_unit_test_setup(test_log_long_line_cut, setup),
		cmocka_unit_test_setup(test_log_raw_lf_is_crlf, setup),
		cmocka_unit_test_setup(
			test_log_shared_line_seq_odd_while_printing, setup),
		cmocka_unit_test_setup(test_log_open_service_line_ended_first,
				       setup),
		cmocka_unit_test_setup(test_log_waits_for_service_writing, setup),
		cmocka_unit_test_setup(test_log_unshare_only_by_owner, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
