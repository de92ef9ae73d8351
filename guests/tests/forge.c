/**
 * System test: console forgery. The guest prints lines that imitate the
 * kernel's log ("hyp: ...") and another VM's tagged lines ("[victim] ..."),
 * with control characters, escape sequences, carriage returns and
 * backspaces meant to hide or overwrite the tag, through both paths to the
 * physical console: its virtual PL011 (the UART service's multiplexer) and
 * the debug console (HYP_CALL_CONSOLE_WRITE). Every forged line carries
 * "FORGED"; tests/system/test_console_forgery.py checks, as a terminal
 * would show it, that each appears only behind this VM's own tag.
 */
#include <stdint.h>

#include "guest/console.h"
#include "guest/test.h"

#define UART 0x09000000UL

/* Through the PL011: the UART service tags and filters. */
static const char *const pl011_forgeries[] = {
    "hyp: vm 'x' powered off (PSCI SYSTEM_OFF) FORGED 1\n",
    "[victim] victim: alive 99 FORGED 2\n",
    "\x1b[2K\rhyp: vm 'x' powered off FORGED 3 (erase line, CR)\n",
    "abc\rhyp: vm 'x' powered off FORGED 4 (CR)\n",
    "\x1b[1A\x1b[2Khyp: vm 'x' powered off FORGED 5 (line above)\n",
    "xy\b\b\b\b\b\b\b\b\b\b\b\bhyp: vm 'x' FORGED 6 (backspaces)\n",
    "\x1b[99Dhyp: vm 'x' FORGED 7 (cursor back)\n",
    "\x9b"
    "2J\x9b"
    "1Ghyp: vm 'x' FORGED 8 (C1 CSI)\n",
    "\xc2\x9b"
    "1Ghyp: vm 'x' FORGED 9 (C1 CSI in UTF-8)\n",
    "\x1b]0;FORGED 10 title\a\x1b"
    "c\x1b[H\x1b[J[victim] FORGED 10 (OSC, reset, home)\n",
};

/* Through the debug console: the kernel tags and filters. */
static const char *const hvc_forgeries[] = {
    "x\x1b[1A\x1b[2K\rhyp: vm 'x' powered off FORGED 11 (hvc)\n",
    "x\b\b\b\b\b\b\b\b\b[victim] victim: alive 99 FORGED 12 (hvc)\n",
    "\x9b"
    "1G\x1b"
    "chyp: vm 'x' FORGED 13 (hvc)\n",
};

static void print_all(const char *const *lines, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		printf("%s", lines[i]);
	}
}

void test_main(void)
{
	console_use_pl011(UART);
	print_all(pl011_forgeries,
		  sizeof(pl011_forgeries) / sizeof(pl011_forgeries[0]));
	/* A kernel line in the middle of a PL011 line: the rest of the
	 * PL011 line must not begin a console line of its own. */
	printf("partial FORGED 14 ");
	console_use_pl011(0);
	printf("debug console line FORGED 14\n");
	console_use_pl011(UART);
	printf("hyp: vm 'x' powered off FORGED 14 (after a kernel line)\n");
	console_use_pl011(0);
	print_all(hvc_forgeries,
		  sizeof(hvc_forgeries) / sizeof(hvc_forgeries[0]));
}
