/**
 * cmocka tests of the UART service's console multiplexer
 * (services/uart/console.c): per-VM line tags (also with one client),
 * lines of two VMs never sharing a screen line, the output filter that
 * keeps a guest from forging the kernel's or another VM's lines, the line
 * shared with the kernel's log, and the Ctrl-] input commands.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "abi/console.h"
#include "uart/console.h"

#define SCREEN_MAX 2048

static char screen[SCREEN_MAX];
static size_t screen_len;

/* The kernel's side of the shared line, and a kernel line to print in
 * the middle of the next put (the race the shared line must detect). */
static struct hyp_console_line kline;
static bool kernel_prints_during_put;
/* Run once at the service's next put (the kernel's CPU going on while
 * the service's is between reading seq and writing its bytes). */
static void (*at_service_put)(void);

static void kernel_log(const char *s);

/* put_ctx of the service's writes (the kernel's pass NULL), and how many
 * of its bytes went out without the shared writing word set. */
static char service_ctx;
static unsigned unguarded_bytes;

static void put(void *ctx, const char *s, uint32_t len)
{
	if (ctx == &service_ctx && kline.writing != 1) {
		unguarded_bytes += len;
	}
	if (ctx == &service_ctx && at_service_put != NULL) {
		void (*run)(void) = at_service_put;

		at_service_put = NULL;
		run();
	}
	if (kernel_prints_during_put) {
		kernel_prints_during_put = false;
		/* It read open before the service wrote it. */
		kline.open = 0;
		kernel_log("hyp: racing");
	}
	assert_true(screen_len + len < SCREEN_MAX);
	memcpy(screen + screen_len, s, len);
	screen_len += len;
	screen[screen_len] = '\0';
}

static const char *const names[] = { "linux", "bare", "third" };

static struct console_cfg cfg(bool tagged, uint32_t windows)
{
	(void)tagged;
	return (struct console_cfg){ .windows = windows,
				     .names = names,
				     .put = put,
				     .put_ctx = &service_ctx };
}

/* One byte per call, as the service sees a guest's DR writes. */
static void print(struct uart_console *c, const struct console_cfg *k,
		  uint32_t w, const char *s)
{
	while (*s != '\0') {
		console_output(c, k, w, (const uint8_t *)s++, 1);
	}
}

/* VM 0's line "ab" open, the kernel's line shared (k->line). */
static void open_shared_line(struct uart_console *c, struct console_cfg *k)
{
	k->line = &kline;
	console_init(c);
	print(c, k, 0, "ab");
}

/* One untagged VM's window: VM 0 printing @p in puts @p want on the
 * screen. */
static void assert_shown(const char *in, const char *want)
{
	struct uart_console c;
	struct console_cfg k = cfg(false, 1);

	console_init(&c);
	print(&c, &k, 0, in);
	assert_string_equal(screen, want);
}

/* What kernel/core/log.c does around a line (abi/console.h). */
static void kernel_log_rest(const char *s);

static void kernel_log(const char *s)
{
	kline.seq++;
	kernel_log_rest(s);
}

/* The line after its odd seq: the service's line ended if open names this
 * kernel line or the next (log.c, service_line_open). */
static void kernel_log_rest(const char *s)
{
	if (kline.open == kline.seq || kline.open == kline.seq + 2) {
		put(NULL, HYP_CONSOLE_BREAK, sizeof(HYP_CONSOLE_BREAK) - 1);
	}
	put(NULL, s, (uint32_t)strlen(s));
	put(NULL, "\r\n", 2);
	kline.seq++;
}

static int setup(void **unused)
{
	(void)unused;
	screen_len = 0;
	screen[0] = '\0';
	kline = (struct hyp_console_line){ 0 };
	kernel_prints_during_put = false;
	at_service_put = NULL;
	unguarded_bytes = 0;
	return 0;
}

/*
 * Regression (a kernel line garbled by a guest's bytes, "hyp: cguest]pu
 * H1 online"): every byte the service writes, on the fast and the slow
 * path, tags and breaks included, goes out with writing set, so that the
 * kernel waits for it; and writing is clear between outputs.
 */
static void test_service_bytes_written_with_writing_set(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(false, 2);

	(void)unused;
	k.line = &kline;
	console_init(&c);
	print(&c, &k, 0, "boot ok");
	assert_int_equal(kline.writing, 0);
	kernel_log("hyp: between");
	print(&c, &k, 0, " more\r\n");
	print(&c, &k, 1, "other vm\r\n");
	assert_int_equal(kline.writing, 0);
	assert_int_equal(unguarded_bytes, 0);
	assert_true(screen_len > 0);
}

static void test_one_client_is_tagged_too(void **unused)
{
	(void)unused;
	assert_shown("boot\r\n/ # ", "[linux] boot\r\n[linux] / # ");
}

static void test_forged_kernel_and_vm_lines_keep_the_tag(void **unused)
{
	(void)unused;
	assert_shown("hyp: vm 'x' powered off\r\n[victim] victim: alive 99\n",
		     "[linux] hyp: vm 'x' powered off\r\n"
		     "[linux] [victim] victim: alive 99\r\n");
}

static void test_carriage_return_prints_the_tag_again(void **unused)
{
	(void)unused;
	assert_shown("abc\rhyp: x\r\r\n", "[linux] abc\r[linux] hyp: x\r\r\n");
}

static void test_backspace_stops_at_the_tag(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(false, 1);

	(void)unused;
	console_init(&c);
	/* Backwards only by starting the row again behind its tag. */
	print(&c, &k, 0, "ab\b\b\b\b\bX");
	assert_string_equal(screen, "[linux] ab\r[linux] \x1b[1C\r[linux] X");
	setup(NULL);
	print(&c, &k, 0, "\r\bY");
	assert_string_equal(screen, "\r[linux] Y");
}

static void test_cursor_back_is_clamped_at_the_tag(void **unused)
{
	(void)unused;
	assert_shown("abc\x1b[99D\x1b[D\x1b[9Dz\x1b[4C\x1b[1D",
		     "[linux] abc\r[linux] z\x1b[4C\r[linux] \x1b[4C");
}

/*
 * Regression (found by review): the model counts a UTF-8 character as one
 * column, a zero-width one (U+200B) takes none on the terminal, and a
 * cursor-forward stops at the right margin. A cursor-back trusting the
 * model's column went left of the tag, and the row read "hyp: ...".
 */
static void
test_cursor_back_cannot_reach_the_tag_whatever_the_widths(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(false, 1);
	static const char zwsp7[] = "\xe2\x80\x8b\xe2\x80\x8b\xe2\x80\x8b"
				    "\xe2\x80\x8b\xe2\x80\x8b\xe2\x80\x8b"
				    "\xe2\x80\x8b";

	(void)unused;
	console_init(&c);
	print(&c, &k, 0, zwsp7);
	print(&c, &k, 0, "\x1b[7Dhyp: forged\b\b\b\b\b\b\b\b\b\b\b\b\b\b");
	/* No byte moves the cursor left except CR, which the tag follows. */
	assert_null(memchr(screen, '\b', screen_len));
	assert_null(strstr(screen, "D"));
	assert_non_null(strstr(screen, "\r[linux] hyp: forged"));
	setup(NULL);
	/* At the margin: 1000 columns forward, 1000 back. */
	print(&c, &k, 0, "\n x\x1b[999C\x1b[999D\x1b[999Dhyp: x");
	assert_null(strstr(screen, "D"));
	assert_non_null(strstr(screen, "\r[linux] hyp: x"));
}

/* A guest's colours (even concealed) end before its tag is printed again. */
static void test_tag_is_printed_in_default_attributes(void **unused)
{
	(void)unused;
	assert_shown("a\x1b[8m\rb\x1b[30;40m\x1b[Dc",
		     "[linux] a\x1b[8m\r\x1b[0m[linux] b"
		     "\x1b[30;40m\r\x1b[0m[linux] c");
}

static void test_line_editing_sequences_pass(void **unused)
{
	(void)unused;
	/* busybox: erase to end of line and of screen, colours. */
	assert_shown("/ # ls\x1b[K\x1b[J\x1b[0K\x1b[1;31mred\x1b[m\r\n",
		     "[linux] / # ls\x1b[K\x1b[J\x1b[0K"
		     "\x1b[1;31mred\x1b[m\r\x1b[0m\n");
}

static void test_other_sequences_are_shown(void **unused)
{
	(void)unused;
	/* Clear screen, cursor home and up, erase the line with its tag, a
	 * title (OSC), a private mode, a lone ESC. */
	assert_shown("\x1b[2J\x1b[H\x1b[A\x1b[2K"
		     "\x1b]0;t\a\x1b[?25l\x1b"
		     "c\n",
		     "[linux] ^[[2J^[[H^[[A^[[2K"
		     "^[]0;t\a^[[?25l^[c\r\n");
}

static void test_terminal_queries_are_dropped(void **unused)
{
	(void)unused;
	/* busybox asks for the cursor position after each prompt. */
	assert_shown("/ # \x1b[6nls\x1b[c\x1b[0c\x1b[>c",
		     "[linux] / # ls^[[>c");
}

static void test_too_long_sequence_is_shown(void **unused)
{
	(void)unused;
	assert_shown("\x1b[1;2;3;4;5;6;7;8m", "[linux] ^[[1;2;3;4;5;6;7;8m");
}

static void test_controls_are_shown_in_caret_notation(void **unused)
{
	(void)unused;
	assert_shown("\x01\x0b\x0c\x7f\a\tz", "[linux] ^A^K^L^?\a\tz");
}

static void test_utf8_passes_and_c1_controls_do_not(void **unused)
{
	(void)unused;
	/* e-acute, euro sign, CSI as a C1 byte, U+009B, a stray
	 * continuation byte, a truncated character before ASCII. */
	assert_shown("\xc3\xa9\xe2\x82\xac\x9b\xc2\x9b\xa9\xe2x",
		     "[linux] \xc3\xa9\xe2\x82\xac?\xc2??\xe2x");
}

static void test_attributes_are_reset_before_another_vm(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(true, 2);

	(void)unused;
	console_init(&c);
	print(&c, &k, 0, "\x1b[8m\x1b[");
	print(&c, &k, 1, "x");
	assert_string_equal(screen, "[linux] \x1b[8m^[[\x1b[0m\r\n[bare] x");
}

/*
 * Regression (found by review): a lead byte, a kernel line, then its
 * continuation bytes: they came out at the start of the next line, before
 * the tag.
 */
static void test_character_cut_by_a_kernel_line_is_not_continued(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(false, 1);

	(void)unused;
	k.line = &kline;
	console_init(&c);
	print(&c, &k, 0, "a\xf0");
	kernel_log("hyp: real");
	print(&c, &k, 0, "\x80\x80\x80X");
	assert_non_null(strstr(screen, "hyp: real\r\n[linux] ???X"));
}

/* Regression (found by review): overlong forms, surrogates and code points
 * past U+10FFFF passed; an overlong ESC or CSI is a control to a lax
 * decoder. Only well-formed UTF-8 passes. */
static void test_only_well_formed_utf8_passes(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(false, 1);

	(void)unused;
	console_init(&c);
	print(&c, &k, 0,
	      "\xe0\x80\x9b|\xe0\x82\x9b|\xed\xa0\x80|"
	      "\xf4\x90\x80\x80|\xc0\x9b|\xf0\x80\x80\x80|");
	assert_null(strstr(screen, "\x80\x9b"));
	assert_null(strstr(screen, "\x82\x9b"));
	assert_null(strstr(screen, "\xed\xa0"));
	assert_null(strstr(screen, "\xf4\x90"));
	assert_null(strstr(screen, "\xc0"));
	assert_null(strstr(screen, "\xf0\x80"));
	setup(NULL);
	/* The edges that are characters: U+00A0, U+0800, U+D7FF, U+E000,
	 * U+10000, U+10FFFF. */
	print(&c, &k, 0,
	      "\xc2\xa0\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
	      "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");
	assert_string_equal(screen, "\xc2\xa0\xe0\xa0\x80\xed\x9f\xbf"
				    "\xee\x80\x80\xf0\x90\x80\x80"
				    "\xf4\x8f\xbf\xbf");
}

static void
test_kernel_line_ends_an_open_line_and_the_tag_follows(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(false, 1);

	(void)unused;
	k.line = &kline;
	console_init(&c);
	print(&c, &k, 0, "/ # ");
	assert_int_equal(kline.open, kline.seq + 1);
	kernel_log("hyp: real");
	print(&c, &k, 0, "hyp: fake\r\n");
	assert_string_equal(screen, "[linux] / # " HYP_CONSOLE_BREAK
				    "hyp: real\r\n[linux] hyp: fake\r\n");
	assert_int_equal(kline.open, 0);
	/* A closed line is not ended again. */
	kernel_log("hyp: second");
	print(&c, &k, 0, "x");
	assert_non_null(strstr(screen, "[linux] hyp: fake\r\nhyp: second\r\n"
				       "[linux] x"));
}

static void test_line_end_after_a_kernel_line_stays_off_its_start(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(false, 1);

	(void)unused;
	open_shared_line(&c, &k);
	kernel_log("hyp: real");
	/* The guest's own line end comes after the kernel's line: its CR
	 * must not begin the kernel's next line. */
	print(&c, &k, 0, "\r");
	kernel_log("hyp: next");
	print(&c, &k, 0, "\nx");
	assert_string_equal(screen,
			    "[linux] ab" HYP_CONSOLE_BREAK "hyp: real\r\n"
			    "hyp: next\r\n\n[linux] x");
}

static void test_kernel_printing_meanwhile_starts_a_new_line(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(false, 1);

	(void)unused;
	open_shared_line(&c, &k);
	/* The kernel prints while "c" goes out, and misses the open line:
	 * "c" may begin a screen line, so the next output starts a new one. */
	kernel_prints_during_put = true;
	print(&c, &k, 0, "chyp: fake");
	assert_string_equal(screen,
			    "[linux] abhyp: racing\r\nc" HYP_CONSOLE_BREAK
			    "[linux] hyp: fake");
}

/* A whole kernel line whose wait for writing timed out (log.c: the
 * service's vCPU thread descheduled by the host): it reads open as the
 * service left it. */
static void kernel_line_timed_out(void)
{
	kernel_log("hyp: timed out");
}

/*
 * Regression (issue 14, a busy host): the kernel's wait for writing timed
 * out while "c" went out, and "c" landed after the kernel's line, so the
 * service's line is open on the screen. The open word it had stored named
 * the kernel line that has now been printed: the kernel's next line must
 * still end the service's line before it starts.
 */
static void
test_kernel_line_after_a_timed_out_one_ends_the_open_line(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(false, 1);

	(void)unused;
	open_shared_line(&c, &k);
	at_service_put = kernel_line_timed_out;
	print(&c, &k, 0, "c");
	kernel_log("hyp: next");
	print(&c, &k, 0, "d");
	assert_string_equal(screen,
			    "[linux] ab" HYP_CONSOLE_BREAK
			    "hyp: timed out\r\nc" HYP_CONSOLE_BREAK
			    "hyp: next\r\n" HYP_CONSOLE_BREAK "[linux] d");
	assert_int_equal(kline.writing, 0);
}

/* A kernel line begins (its odd seq) while the service's byte goes out,
 * and waits for the service's writing word before it prints. */
static void kernel_line_begins(void)
{
	kline.seq++;
}

/*
 * Regression (test_hostile, about 1 run in 30 on a loaded host: "[test]
 * [victim] victim: alive 6"): the service read seq before the kernel made
 * it odd, wrote "c", then found it odd and marked its open line for the
 * kernel's next one; the kernel, which had waited for writing, then found
 * open not naming its own line and printed on after "c".
 */
static void test_kernel_line_that_waited_ends_the_open_line(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(false, 1);

	(void)unused;
	open_shared_line(&c, &k);
	at_service_put = kernel_line_begins;
	print(&c, &k, 0, "c");
	assert_int_equal(kline.writing, 0);
	kernel_log_rest("hyp: waited");
	print(&c, &k, 0, "d");
	assert_string_equal(screen, "[linux] abc" HYP_CONSOLE_BREAK
				    "hyp: waited\r\n" HYP_CONSOLE_BREAK
				    "[linux] d");
}

/* The rest of a kernel line whose vCPU thread the host had stopped. */
static void kernel_line_ends(void)
{
	put(NULL, "line end\r\n", (uint32_t)strlen("line end\r\n"));
	kline.seq++;
}

/*
 * Regression (issue 14, a busy host): the service gave up waiting for the
 * kernel's line (seq odd all along its polls) and the line ended before
 * the service's bytes went out. The kernel's next line has seq + 2, not
 * seq + 1: it must find the service's line open and end it.
 */
static void
test_service_tired_of_waiting_still_gets_its_line_ended(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(false, 1);

	(void)unused;
	k.line = &kline;
	console_init(&c);
	kline.seq = 1; /* the kernel is printing "hyp: stopped ..." */
	put(NULL, "hyp: stopped ", (uint32_t)strlen("hyp: stopped "));
	at_service_put = kernel_line_ends;
	print(&c, &k, 0, "a");
	kernel_log("hyp: next");
	assert_string_equal(
		screen, "hyp: stopped line end\r\n[linux] a" HYP_CONSOLE_BREAK
			"hyp: next\r\n");
	assert_int_equal(kline.writing, 0);
}

static void test_each_line_is_tagged_with_its_vm(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(true, 2);

	(void)unused;
	console_init(&c);
	print(&c, &k, 0, "one\r\ntwo\r\n");
	print(&c, &k, 1, "hi\n");
	assert_string_equal(screen,
			    "[linux] one\r\n[linux] two\r\n[bare] hi\r\n");
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
	assert_string_equal(screen,
			    "[linux] / # \r\n[bare] tick\r\n[linux] ls\r\n");
}

static void test_empty_lines_get_no_tag(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(true, 2);

	(void)unused;
	console_init(&c);
	print(&c, &k, 1, "\r\n\nx\n");
	assert_string_equal(screen, "\n\n[bare] x\r\n");
}

/* --- Property: whatever a guest sends, the tag stays first ------------------ */

#define PROP_ROUNDS 2000
#define PROP_PIECES 24
#define TAB_COLS 8
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define TAG "[linux] "

/* Pieces that exercise the filter: controls, sequences, UTF-8, text. */
static const char *const prop_pieces[] = {
	"\x1b",	    "[",	  "\x1b[",  "\x1b[9D",	"\x1b[1D",
	"\x1b[D",   "\x1b[3C",	  "\x1b[K", "\x1b[1K",	"\x1b[J",
	"\x1b[2J",  "\x1b[1;31m", "\x1b[A", "\x1b[6n",	"\x1b]0;t\a",
	"0",	    "9",	  ";",	    "m",	"D",
	"\r",	    "\n",	  "\r\n",   "\b",	"\b\b\b",
	"\t",	    "\a",	  "\x7f",   "\x9b",	"\xc2",
	"\xc2\x9b", "\xc3\xa9",	  "\x80",   "\xe2\x82", "hyp: ",
	"x",
};

static uint32_t prop_seed = 12345;

static const char *prop_piece(void)
{
	prop_seed = prop_seed * 1103515245U + 12345U;
	return prop_pieces[(prop_seed >> 16) % ARRAY_SIZE(prop_pieces)];
}

/* Length of an escape sequence that may pass at @p s, or 0. */
static size_t allowed_seq(const char *s)
{
	size_t i = 2;

	if (s[1] != '[') {
		return 0;
	}
	while ((s[i] >= '0' && s[i] <= '9') || s[i] == ';') {
		i++;
	}
	return strchr("mKJCD", s[i]) != NULL && s[i] != '\0' ? i + 1 : 0;
}

/*
 * Walk the screen as a terminal would: every segment after LF or CR that
 * shows anything starts with the tag, the cursor never goes left of it,
 * and only sequences that stay on the line appear.
 */
static void check_screen(void)
{
	size_t col = 0;
	bool tagged = false;

	for (size_t i = 0; i < screen_len;) {
		uint8_t b = (uint8_t)screen[i];

		if (b == '\r' || b == '\n') {
			col = 0;
			tagged = false;
			i++;
			continue;
		}
		if (!tagged && b != '\a' && b != 0x1b) {
			assert_memory_equal(screen + i, TAG, strlen(TAG));
			tagged = true;
			col = strlen(TAG);
			i += strlen(TAG);
			continue;
		}
		if (b == 0x1b) {
			size_t n = allowed_seq(screen + i);

			assert_true(n > 0);
			/* Before the tag only the reset that ends a line. */
			assert_true(tagged ||
				    strncmp(screen + i, "\x1b[0m", 4) == 0);
			/* Never backwards: only CR, and the tag follows it
			 * (the widths a terminal gives UTF-8 are not known). */
			assert_int_not_equal(screen[i + n - 1], 'D');
			if (screen[i + n - 1] == 'C') {
				col += strtoul(screen + i + 2, NULL, 10);
			}
			i += n;
			continue;
		}
		assert_false(b >= 0x80 && b <= 0x9f &&
			     (uint8_t)screen[i - 1] == 0xc2);
		assert_false(b < 0x20 && b != '\b' && b != '\t' && b != '\a');
		assert_int_not_equal(b, 0x7f);
		assert_int_not_equal(b, '\b');
		if (b == '\t') {
			col = (col / TAB_COLS + 1) * TAB_COLS;
		} else if (b == '\a') {
			/* The bell does not move the cursor. */
		} else if (b < 0x80 || b >= 0xc0) {
			col++;
		}
		i++;
	}
}

static void test_random_output_never_leaves_the_tag(void **unused)
{
	struct uart_console c;
	struct console_cfg k = cfg(false, 1);

	(void)unused;
	console_init(&c);
	for (int round = 0; round < PROP_ROUNDS; round++) {
		setup(NULL);
		/* The console as it is between two runs: a fresh line. */
		print(&c, &k, 0, "\n");
		setup(NULL);
		for (int j = 0; j < PROP_PIECES; j++) {
			print(&c, &k, 0, prop_piece());
		}
		check_screen();
	}
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
	assert_int_equal(c.focus, 0); /* wraps */
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
	/* A cursor left of the tag would let a backspace over it. */
	c.out_line_start = false;
	c.tag_cols = 8;
	c.col = 7;
	assert_false(console_valid(&c, 2));
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
		cmocka_unit_test_setup(
			test_service_bytes_written_with_writing_set, setup),
		T(test_one_client_is_tagged_too),
		T(test_forged_kernel_and_vm_lines_keep_the_tag),
		T(test_carriage_return_prints_the_tag_again),
		T(test_backspace_stops_at_the_tag),
		T(test_cursor_back_is_clamped_at_the_tag),
		T(test_cursor_back_cannot_reach_the_tag_whatever_the_widths),
		T(test_tag_is_printed_in_default_attributes),
		T(test_line_editing_sequences_pass),
		T(test_other_sequences_are_shown),
		T(test_terminal_queries_are_dropped),
		T(test_too_long_sequence_is_shown),
		T(test_controls_are_shown_in_caret_notation),
		T(test_utf8_passes_and_c1_controls_do_not),
		T(test_attributes_are_reset_before_another_vm),
		T(test_kernel_line_ends_an_open_line_and_the_tag_follows),
		T(test_character_cut_by_a_kernel_line_is_not_continued),
		T(test_only_well_formed_utf8_passes),
		T(test_line_end_after_a_kernel_line_stays_off_its_start),
		T(test_random_output_never_leaves_the_tag),
		T(test_kernel_printing_meanwhile_starts_a_new_line),
		T(test_kernel_line_after_a_timed_out_one_ends_the_open_line),
		T(test_kernel_line_that_waited_ends_the_open_line),
		T(test_service_tired_of_waiting_still_gets_its_line_ended),
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
