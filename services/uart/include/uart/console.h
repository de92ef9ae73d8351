#pragma once
/**
 * The console multiplexer: every UART window of every client VM shares the
 * one physical line. Pure logic, host-tested in tests/host/test_console.c.
 *
 * Output. Every line a window prints starts with its VM's name, "[name] ",
 * also with one client: a guest never begins a console line, so no guest
 * line can pass for the kernel's ("hyp: ...") or another VM's. When
 * another window prints before a line is finished, the line is ended
 * first, so lines of two VMs never share a line on the screen. A carriage
 * return starts the line again: the tag is printed again before more text.
 *
 * The bytes are filtered so that the cursor never leaves the line and
 * never moves left of the tag (ECMA-48 names the controls):
 *   - printable ASCII, TAB, BEL, CR, LF pass (a LF not after a CR becomes
 *     CR LF); BS only while the cursor is right of the tag;
 *   - UTF-8 passes; a byte that is no part of a well-formed sequence, and
 *     a C1 control (0x80-0x9f, also encoded as U+0080-U+009F) is shown as
 *     '?';
 *   - of the control sequences (CSI, ESC [), only those that stay on the
 *     line pass: SGR (colours, ESC [ ... m), erase to the end of the line
 *     or screen (ESC [ K, ESC [ J, parameter 0), cursor forward (ESC [ n C)
 *     and cursor backward (ESC [ n D, clamped at the tag); every other
 *     sequence, a lone ESC and every other C0 control or DEL is shown in
 *     caret notation ("^[[2J", "^G"), except terminal queries (device status report
 *     ESC [ n n, device attributes ESC [ n c), which are dropped: the
 *     terminal's answer would be typed into the focus window;
 *   - a line's changed attributes are reset (SGR 0) before it ends.
 * Known limit: the filter counts columns as one per character; a line
 * longer than the terminal wraps, and the wrapped part starts a screen row
 * (the transcript, lines ended by LF, is exact).
 *
 * With the kernel. The kernel's log shares the physical UART. Through
 * struct hyp_console_line (abi/console.h) the kernel ends an unfinished
 * line before printing its own, and the multiplexer tags its next output
 * again after the kernel printed.
 *
 * Input. Bytes typed go to one window, the focus (window 0 at start). The
 * escape key CONSOLE_ESCAPE (Ctrl-], 0x1d; QEMU's -nographic keeps Ctrl-A
 * for itself) followed by a command byte:
 *   '1'..'9'  input to that window (numbered from 1 in scenario order)
 *   'n'       input to the next window
 *   '?', 'h'  list the windows and these keys
 *   Ctrl-]    a literal Ctrl-] to the focus
 *   '!'       fault injection (only in a service image built for it)
 * Any other byte after the escape is dropped.
 */
#include <stdbool.h>
#include <stdint.h>

#define CONSOLE_ESCAPE 0x1dU
#define CONSOLE_CMD_NEXT 'n'
#define CONSOLE_CMD_HELP '?'
#define CONSOLE_CMD_HELP2 'h'
#define CONSOLE_CMD_CRASH '!'
#define CONSOLE_CMD_FIRST_WINDOW '1'
#define CONSOLE_CMD_LAST_WINDOW '9'
/** out_window when no window has printed yet. */
#define CONSOLE_NO_WINDOW UINT32_MAX

/** Bytes of a control sequence held until its final byte. */
#define CONSOLE_SEQ_MAX 12U

/** Multiplexer state (kept across a restart of the service). */
struct uart_console {
	uint32_t focus;        /**< Window that receives input. */
	uint32_t out_window;   /**< Window whose line is on the screen. */
	uint32_t seq_seen;     /**< Kernel line count last seen (abi/console.h). */
	uint16_t col;          /**< Cursor column on the screen line. */
	uint16_t tag_cols;     /**< Columns of the line's tag. */
	bool out_line_start;   /**< The next text starts with the tag. */
	bool out_open;         /**< The screen line has text (no LF yet). */
	bool out_restart;      /**< Printed while the kernel did: new line. */
	bool sgr;              /**< The line changed the attributes. */
	bool escape;           /**< The last input byte was the escape. */
	uint8_t utf8_left;     /**< UTF-8 continuation bytes still expected. */
	uint8_t utf8_lead;     /**< The lead byte while its first continuation
				byte is still expected (it narrows that
				byte's range), else 0. */
	uint8_t seq_len;       /**< Bytes of a control sequence held. */
	uint8_t seq[CONSOLE_SEQ_MAX];
};

struct hyp_console_line;

/** Where output goes, and what the windows are called. */
struct console_cfg {
	uint32_t windows;             /**< Windows served, >= 1. */
	const char *const *names;     /**< Client VM name of each window. */
	void (*put)(void *ctx, const char *s, uint32_t len);
	void *put_ctx;
	/** Shared with the kernel's log (abi/console.h), or NULL. */
	volatile struct hyp_console_line *line;
};

/** What an input byte asks for. */
enum console_action {
	CONSOLE_DELIVER,   /**< Give *out to the focus window. */
	CONSOLE_CONSUMED,  /**< Nothing to do (escape, unknown command). */
	CONSOLE_FOCUS,     /**< The focus changed: say so. */
	CONSOLE_HELP,      /**< Print the help. */
	CONSOLE_CRASH,     /**< Fault injection requested. */
};

void console_init(struct uart_console *c);

/** State read back after a restart is usable (else: console_init). */
bool console_valid(const struct uart_console *c, uint32_t windows);

/** Window @p w transmitted @p len bytes at @p buf. */
void console_output(struct uart_console *c, const struct console_cfg *cfg,
		    uint32_t w, const uint8_t *buf, uint32_t len);

/** A byte was typed; @p out gets the byte to deliver (CONSOLE_DELIVER). */
enum console_action console_input(struct uart_console *c,
				  const struct console_cfg *cfg, uint8_t byte,
				  uint8_t *out);

/** True if the windows belong to two or more distinct clients. */
bool console_several_clients(const uint32_t *clients, uint32_t windows);
