/** The console multiplexer (see uart/console.h). */
#include "uart/console.h"

#include <string.h>

#include "abi/console.h"
#include "lib/ascii.h"

#define TAG_OPEN "["
#define TAG_CLOSE "] "
#define NEWLINE "\r\n"
/** Select Graphic Rendition 0: default attributes (ECMA-48 8.3.117). */
#define SGR_RESET "\x1b[0m"

/* Control sequences (ECMA-48 5.4): ESC [, parameter bytes 0x30-0x3f,
 * intermediate bytes 0x20-0x2f, one final byte 0x40-0x7e. */
#define CSI_SECOND '['
#define CSI_PARAM_FIRST 0x30U
#define CSI_PARAM_LAST 0x3fU
#define CSI_INTER_FIRST 0x20U
#define CSI_INTER_LAST 0x2fU
#define CSI_FINAL_FIRST 0x40U
#define CSI_FINAL_LAST 0x7eU
#define CSI_SEPARATOR ';'
/* The final bytes that pass (ECMA-48 8.3): */
#define CSI_CUF 'C'   /* cursor forward */
#define CSI_CUB 'D'   /* cursor backward */
#define CSI_ED 'J'    /* erase in page (0: to its end) */
#define CSI_EL 'K'    /* erase in line (0: to its end) */
#define CSI_SGR 'm'   /* select graphic rendition */
/* Queries, dropped: their answer would be typed into the focus window. */
#define CSI_DSR 'n'   /* device status report (e.g. 6: cursor position) */
#define CSI_DA 'c'    /* device attributes */
/** Largest cursor movement counted (more only saturates). */
#define CSI_COUNT_MAX 999U
#define DECIMAL_BASE 10U

/* UTF-8 (RFC 3629): lead bytes 0xc2-0xf4, continuation bytes 0x80-0xbf;
 * 0xc2 0x80-0x9f encodes a C1 control (U+0080-U+009F), never passed. */
#define UTF8_CONT_FIRST 0x80U
#define UTF8_CONT_LAST 0xbfU
#define UTF8_LEAD_FIRST 0xc2U
#define UTF8_LEAD_3 0xe0U
#define UTF8_LEAD_4 0xf0U
#define UTF8_LEAD_LAST 0xf4U
#define UTF8_C1_LEAD 0xc2U
#define UTF8_C1_LAST 0x9fU
/* Leads with a narrower first continuation (Unicode Table 3-7). */
#define UTF8_SURROGATE_LEAD 0xedU
#define UTF8_LEAD_4_FIRST_CONT 0x90U
#define UTF8_LEAD_LAST_LAST_CONT 0x8fU
#define UTF8_MAX_CONT 3U
/* The largest cursor-forward count written (put_decimal's 4 digits). */
#define CUF_MAX 9999U

#define TAB_STOP 8U
/** Column count saturates here (columns past it are never needed). */
#define COL_MAX UINT16_MAX
/** Polls of the kernel's line count while it prints a line. */
#define KERNEL_LINE_POLLS (1U << 20)

void console_init(struct uart_console *c)
{
	*c = (struct uart_console){
		.focus = 0,
		.out_window = CONSOLE_NO_WINDOW,
		.out_line_start = true,
	};
}

bool console_valid(const struct uart_console *c, uint32_t windows)
{
	return c->focus < windows &&
	       (c->out_window < windows || c->out_window == CONSOLE_NO_WINDOW) &&
	       c->seq_len <= CONSOLE_SEQ_MAX && c->utf8_left <= UTF8_MAX_CONT &&
	       (c->utf8_lead == 0 ||
		(c->utf8_lead >= UTF8_LEAD_FIRST && c->utf8_lead <= UTF8_LEAD_LAST)) &&
	       (c->out_line_start || c->col >= c->tag_cols);
}

/* --- Output --------------------------------------------------------------- */

static void put(const struct console_cfg *cfg, const char *s, uint32_t len)
{
	cfg->put(cfg->put_ctx, s, len);
}

static void put_str(const struct console_cfg *cfg, const char *s)
{
	put(cfg, s, (uint32_t)strlen(s));
}

static void advance(struct uart_console *c, uint32_t cols)
{
	uint32_t col = c->col + cols;

	c->col = (uint16_t)(col < COL_MAX ? col : COL_MAX);
}

/*
 * The tag at the start of the screen row. Always in the terminal's default
 * attributes (a guest's colours, even concealed or black on black, end
 * here), so it is always there to read.
 */
static void put_tag(struct uart_console *c, const struct console_cfg *cfg)
{
	const char *name = cfg->names[c->out_window];

	if (c->sgr) {
		put_str(cfg, SGR_RESET);
		c->sgr = false;
	}
	put_str(cfg, TAG_OPEN);
	put_str(cfg, name);
	put_str(cfg, TAG_CLOSE);
	c->tag_cols = (uint16_t)(strlen(TAG_OPEN) + strlen(name) +
				 strlen(TAG_CLOSE));
	c->col = c->tag_cols;
}

/* Text follows: after a line start (or CR), the tag first. */
static void text(struct uart_console *c, const struct console_cfg *cfg)
{
	if (!c->out_line_start) {
		return;
	}
	put_tag(c, cfg);
	c->out_line_start = false;
	c->out_open = true;
}

/* A byte that cannot pass, in caret notation ("^["). */
static void caret(struct uart_console *c, const struct console_cfg *cfg,
		  uint8_t b)
{
	const char s[] = { ASCII_CARET, ascii_caret(b) };

	text(c, cfg);
	put(cfg, s, sizeof(s));
	advance(c, sizeof(s));
}

static void not_shown(struct uart_console *c, const struct console_cfg *cfg)
{
	const char q = ASCII_NOT_SHOWN;

	text(c, cfg);
	put(cfg, &q, 1);
	advance(c, 1);
}

/* The held control sequence did not pass: show it as text ("^[[2J"). */
static void seq_shown(struct uart_console *c, const struct console_cfg *cfg)
{
	uint32_t n = c->seq_len;

	c->seq_len = 0;
	if (n == 0) {
		return;
	}
	caret(c, cfg, ASCII_ESC);
	/* After the ESC only printable bytes are held. */
	put(cfg, (const char *)c->seq + 1, n - 1);
	advance(c, n - 1);
}

/* End the screen line (LF, another window, the kernel's turn). */
static void end_line(struct uart_console *c, const struct console_cfg *cfg)
{
	seq_shown(c, cfg);
	c->utf8_left = 0;
	if (c->sgr) {
		put_str(cfg, SGR_RESET);
		c->sgr = false;
	}
	/* At column 0 (after a CR) the LF alone. */
	put_str(cfg, c->col != 0 ? NEWLINE : NEWLINE + 1);
	c->col = 0;
	c->out_open = false;
	c->out_line_start = true;
}

/* Parameter of a CUF/CUB sequence (digits only; empty or 0 mean 1), or
 * -1 if it has other bytes. */
static int32_t seq_count(const struct uart_console *c)
{
	uint32_t n = 0;

	for (uint32_t i = 2; i + 1 < c->seq_len; i++) {
		uint8_t d = c->seq[i];

		if (d < '0' || d > '9') {
			return -1;
		}
		n = n * DECIMAL_BASE + (d - '0');
		if (n > CSI_COUNT_MAX) {
			n = CSI_COUNT_MAX;
		}
	}
	return n == 0 ? 1 : (int32_t)n;
}

/* The parameter is empty or "0" (ED/EL: erase to the end). */
static bool seq_param_zero(const struct uart_console *c)
{
	return c->seq_len == 3 || (c->seq_len == 4 && c->seq[2] == '0');
}

/* SGR parameters: digits and separators only. */
static bool seq_sgr_ok(const struct uart_console *c)
{
	for (uint32_t i = 2; i + 1 < c->seq_len; i++) {
		uint8_t d = c->seq[i];

		if ((d < '0' || d > '9') && d != CSI_SEPARATOR) {
			return false;
		}
	}
	return true;
}

static void put_decimal(const struct console_cfg *cfg, uint32_t n)
{
	char digits[4];
	uint32_t i = sizeof(digits);

	do {
		digits[--i] = (char)('0' + n % DECIMAL_BASE);
		n /= DECIMAL_BASE;
	} while (n != 0 && i > 0);
	put(cfg, digits + i, sizeof(digits) - i);
}

/*
 * Cursor backward (CUB, BS), never left of the tag. The column the model
 * keeps is not the terminal's for sure: a UTF-8 character may take 0, 1
 * or 2 columns, and a cursor-forward stops at the right margin. So the
 * cursor never moves left relative to where the terminal has it: the row
 * starts again (CR), with the tag, and the cursor goes forward to the
 * column. Whatever the terminal counted, the row begins with the tag and
 * the cursor stays right of it.
 */
static void cursor_back(struct uart_console *c, const struct console_cfg *cfg,
			uint32_t n)
{
	uint32_t room = c->col - c->tag_cols;
	uint32_t target;

	if (n > room) {
		n = room;
	}
	if (n == 0) {
		return;
	}
	target = c->col - n;
	put_str(cfg, "\r");
	put_tag(c, cfg);
	if (target > c->tag_cols) {
		uint32_t fwd = target - c->tag_cols;

		/* Its digits fit put_decimal(); a terminal stops at its
		 * margin long before. */
		put_str(cfg, "\x1b[");
		put_decimal(cfg, fwd < CUF_MAX ? fwd : CUF_MAX);
		put(cfg, &(const char){ CSI_CUF }, 1);
	}
	c->col = (uint16_t)target;
}

/* A control sequence is complete (its final byte held): pass or show it. */
static void seq_final(struct uart_console *c, const struct console_cfg *cfg)
{
	uint8_t final = c->seq[c->seq_len - 1];
	int32_t n;

	if ((final == CSI_DSR || final == CSI_DA) && seq_count(c) >= 0) {
		c->seq_len = 0;
		return;
	}
	text(c, cfg);
	switch (final) {
	case CSI_SGR:
		if (!seq_sgr_ok(c)) {
			break;
		}
		put(cfg, (const char *)c->seq, c->seq_len);
		c->sgr = true;
		c->seq_len = 0;
		return;
	case CSI_EL:
	case CSI_ED:
		if (!seq_param_zero(c)) {
			break;
		}
		put(cfg, (const char *)c->seq, c->seq_len);
		c->seq_len = 0;
		return;
	case CSI_CUF:
	case CSI_CUB:
		n = seq_count(c);
		if (n < 0) {
			break;
		}
		c->seq_len = 0;
		if (final == CSI_CUB) {
			cursor_back(c, cfg, (uint32_t)n);
		} else {
			put_str(cfg, "\x1b[");
			put_decimal(cfg, (uint32_t)n);
			put(cfg, &(const char){ CSI_CUF }, 1);
			advance(c, (uint32_t)n);
		}
		return;
	default:
		break;
	}
	seq_shown(c, cfg);
}

static void byte_out(struct uart_console *c, const struct console_cfg *cfg,
		     uint8_t b);

/* @p b continues the held sequence (ESC, or ESC [ ...). */
static void seq_byte(struct uart_console *c, const struct console_cfg *cfg,
		     uint8_t b)
{
	bool csi = c->seq_len >= 2;

	if (!csi && b == CSI_SECOND) {
		c->seq[c->seq_len++] = b;
		return;
	}
	if (csi && b >= CSI_FINAL_FIRST && b <= CSI_FINAL_LAST) {
		c->seq[c->seq_len++] = b;   /* room kept for the final byte */
		seq_final(c, cfg);
		return;
	}
	if (csi && b >= CSI_INTER_FIRST && b <= CSI_PARAM_LAST &&
	    c->seq_len + 1U < CONSOLE_SEQ_MAX) {
		c->seq[c->seq_len++] = b;
		return;
	}
	/* Not a sequence that may pass: what was held is shown, then b. */
	seq_shown(c, cfg);
	byte_out(c, cfg, b);
}

/*
 * The range of the first continuation byte after lead @p lead, so that
 * only well-formed UTF-8 passes (Unicode 15, Table 3-7): no overlong form
 * (an overlong ESC or CSI would be a control to a lax decoder), no
 * surrogate, nothing past U+10FFFF; and after 0xc2 no C1 control
 * (U+0080-U+009F).
 */
static void utf8_first_range(uint8_t lead, uint8_t *lo, uint8_t *hi)
{
	*lo = UTF8_CONT_FIRST;
	*hi = UTF8_CONT_LAST;
	switch (lead) {
	case UTF8_C1_LEAD:
	case UTF8_LEAD_3:
		*lo = UTF8_C1_LAST + 1;     /* 0xa0 */
		break;
	case UTF8_SURROGATE_LEAD:
		*hi = UTF8_C1_LAST;         /* 0x9f */
		break;
	case UTF8_LEAD_4:
		*lo = UTF8_LEAD_4_FIRST_CONT;
		break;
	case UTF8_LEAD_LAST:
		*hi = UTF8_LEAD_LAST_LAST_CONT;
		break;
	default:
		break;
	}
}

static bool utf8_continues(const struct uart_console *c, uint8_t b)
{
	uint8_t lo = UTF8_CONT_FIRST, hi = UTF8_CONT_LAST;

	/* A line start between lead and continuation (a kernel line, a
	 * CR): the rest is no character any more, and no guest byte may
	 * come before the tag. */
	if (c->utf8_left == 0 || c->out_line_start) {
		return false;
	}
	if (c->utf8_lead != 0) {
		utf8_first_range(c->utf8_lead, &lo, &hi);
	}
	return b >= lo && b <= hi;
}

/* A byte outside ASCII: UTF-8 passes, anything else is '?'. */
static void high_byte(struct uart_console *c, const struct console_cfg *cfg,
		      uint8_t b)
{
	if (utf8_continues(c, b)) {
		put(cfg, (const char *)&b, 1);
		c->utf8_left--;
		c->utf8_lead = 0;
		return;
	}
	c->utf8_left = 0;
	c->utf8_lead = 0;
	if (b < UTF8_LEAD_FIRST || b > UTF8_LEAD_LAST) {
		not_shown(c, cfg);
		return;
	}
	text(c, cfg);
	put(cfg, (const char *)&b, 1);
	advance(c, 1);
	c->utf8_left = b >= UTF8_LEAD_4 ? 3 : b >= UTF8_LEAD_3 ? 2 : 1;
	c->utf8_lead = b;
}

static void control_byte(struct uart_console *c, const struct console_cfg *cfg,
			 uint8_t b)
{
	switch (b) {
	case ASCII_LF:
		end_line(c, cfg);
		return;
	case ASCII_CR:
		if (!c->out_open && c->col == 0) {
			/* Nothing on the line: the CR would do nothing but
			 * stand before the next console line (the kernel's). */
			return;
		}
		/* The line starts again: the tag before any more text. */
		put(cfg, (const char *)&b, 1);
		c->col = 0;
		c->out_line_start = true;
		return;
	case ASCII_BS:
		if (!c->out_line_start) {
			cursor_back(c, cfg, 1);
		}
		return;
	case ASCII_BEL:
		put(cfg, (const char *)&b, 1);
		return;
	case ASCII_TAB:
		text(c, cfg);
		put(cfg, (const char *)&b, 1);
		advance(c, TAB_STOP - c->col % TAB_STOP);
		return;
	case ASCII_ESC:
		c->seq[0] = b;
		c->seq_len = 1;
		return;
	default:
		caret(c, cfg, b);
		return;
	}
}

static void byte_out(struct uart_console *c, const struct console_cfg *cfg,
		     uint8_t b)
{
	if (b == ASCII_NUL) {
		/* Fill without information (ECMA-48 8.3.88): dropped. */
		return;
	}
	if (c->seq_len > 0) {
		seq_byte(c, cfg, b);
		return;
	}
	if (b >= UTF8_CONT_FIRST) {
		high_byte(c, cfg, b);
		return;
	}
	/* An unfinished UTF-8 character ends here. */
	c->utf8_left = 0;
	if (ascii_printable(b)) {
		text(c, cfg);
		put(cfg, (const char *)&b, 1);
		advance(c, 1);
	} else {
		control_byte(c, cfg, b);
	}
}

static void console_sync(void)
{
#ifdef __aarch64__
	/* UART writes and the shared words in order (DSB, Arm ARM B2.3.12). */
	__asm__ volatile("dsb sy" ::: "memory");
#else
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

/* The seq of the kernel's next line to begin after it was @p s: s + 1,
 * or s + 2 if s is odd (that line has begun: it may have read open). */
static inline uint32_t next_kernel_line(uint32_t s)
{
	return (s + 1U) | 1U;
}

/*
 * Before printing: wait while the kernel prints a line; if it printed
 * since our last output, it ended our open line (HYP_CONSOLE_BREAK), so
 * our next text starts a tagged line. Returns the line count seen.
 */
static uint32_t kernel_before(struct uart_console *c,
			      volatile struct hyp_console_line *l)
{
	uint32_t s;

	/* writing before seq is read: then the kernel, which makes seq odd
	 * before it reads writing, waits for our bytes (abi/console.h). */
	for (uint32_t i = 0;; i++) {
		l->writing = 1;
		console_sync();
		s = l->seq;
		if ((s & 1U) == 0 || i >= KERNEL_LINE_POLLS) {
			break;
		}
		l->writing = 0;
		console_sync();
	}
	if (s != c->seq_seen) {
		c->seq_seen = s;
		if (c->out_open) {
			c->out_open = false;
			c->out_line_start = true;
			c->sgr = false;
			c->col = 0;
			c->utf8_left = 0;
		}
	}
	if (l->open != next_kernel_line(s)) {
		l->open = next_kernel_line(s);
	}
	console_sync();
	return s;
}

/*
 * The kernel began a line after we read seq (its wait for writing timed
 * out: our vCPU's thread stopped by the host, or our own poll gave up):
 * our bytes may be inside its line or after it, and the open we stored
 * names a line that has begun, maybe before it read open. Our next output
 * starts a new line; while ours is open, open names the kernel's next
 * line again (stored, then seq read again: Dekker with log_line_begin),
 * so that it ends ours first. Called with writing still set.
 */
static __attribute__((noinline, cold)) void
kernel_cut(struct uart_console *c, volatile struct hyp_console_line *l)
{
	c->out_restart = true;
	if (!c->out_open) {
		return;
	}
	for (uint32_t i = 0; i < KERNEL_LINE_POLLS; i++) {
		uint32_t s = l->seq;

		l->open = next_kernel_line(s);
		console_sync();
		if (l->seq == s) {
			return;
		}
	}
}

/* After printing: if the kernel printed meanwhile, our bytes may be in
 * its line or begin the next: start a new line before any more. The seq
 * check comes before writing is cleared, so that a kernel line that
 * begins after it waits for us and finds open as kernel_cut left it. */
static void kernel_after(struct uart_console *c,
			 volatile struct hyp_console_line *l, uint32_t s)
{
	if (!c->out_open) {
		l->open = 0;
	}
	console_sync();
	if (l->seq != s || (s & 1U) != 0) {
		kernel_cut(c, l);
	}
	l->writing = 0;
}

/*
 * The common case (a guest's PL011 sends a byte per access): one printable
 * byte continuing this window's open line, the kernel silent since. Its
 * line is open, so the shared open word is already set. Returns false if
 * the general path must run.
 */
static inline bool output_fast(struct uart_console *c,
			       const struct console_cfg *cfg, uint32_t w,
			       uint8_t b)
{
	volatile struct hyp_console_line *l = cfg->line;

	if (!ascii_printable(b) || w != c->out_window || c->seq_len != 0 ||
	    c->out_line_start || c->out_restart || l == NULL) {
		return false;
	}
	l->writing = 1;
	console_sync();
	uint32_t s = l->seq;

	if (s != c->seq_seen || (s & 1U) != 0) {
		l->writing = 0;
		return false;
	}
	c->utf8_left = 0;
	put(cfg, (const char *)&b, 1);
	advance(c, 1);
	console_sync();
	if (l->seq != s) {
		kernel_cut(c, l);
	}
	l->writing = 0;
	return true;
}

/* Everything but the common case: the kernel, the tag, the filter. */
static __attribute__((noinline)) void
output_slow(struct uart_console *c, const struct console_cfg *cfg, uint32_t w,
	    const uint8_t *buf, uint32_t len)
{
	volatile struct hyp_console_line *l = cfg->line;
	uint32_t s = 0;

	if (l != NULL) {
		s = kernel_before(c, l);
	}
	if (c->out_restart) {
		put_str(cfg, HYP_CONSOLE_BREAK);
		c->out_restart = false;
		c->sgr = false;
		c->col = 0;
		c->utf8_left = 0;
		c->out_open = false;
		c->out_line_start = true;
	}
	if (c->out_window != w) {
		/* Another VM's line is open: end it first. */
		if (c->out_open || c->seq_len > 0) {
			end_line(c, cfg);
		}
		c->seq_len = 0;
		c->utf8_left = 0;
		c->out_window = w;
		c->out_line_start = true;
	}
	for (uint32_t i = 0; i < len; i++) {
		byte_out(c, cfg, buf[i]);
	}
	if (l != NULL) {
		kernel_after(c, l, s);
	}
}

void console_output(struct uart_console *c, const struct console_cfg *cfg,
		    uint32_t w, const uint8_t *buf, uint32_t len)
{
	if (len == 1 && (buf[0] == ASCII_NUL || output_fast(c, cfg, w, buf[0]))) {
		return;
	}
	output_slow(c, cfg, w, buf, len);
}

static enum console_action command(struct uart_console *c,
				   const struct console_cfg *cfg, uint8_t cmd,
				   uint8_t *out)
{
	if (cmd == CONSOLE_ESCAPE) {
		*out = CONSOLE_ESCAPE;
		return CONSOLE_DELIVER;
	}
	if (cmd == CONSOLE_CMD_NEXT) {
		c->focus = (c->focus + 1) % cfg->windows;
		return CONSOLE_FOCUS;
	}
	if (cmd >= CONSOLE_CMD_FIRST_WINDOW && cmd <= CONSOLE_CMD_LAST_WINDOW) {
		uint32_t w = (uint32_t)(cmd - CONSOLE_CMD_FIRST_WINDOW);

		if (w >= cfg->windows) {
			return CONSOLE_HELP;
		}
		c->focus = w;
		return CONSOLE_FOCUS;
	}
	if (cmd == CONSOLE_CMD_HELP || cmd == CONSOLE_CMD_HELP2) {
		return CONSOLE_HELP;
	}
	if (cmd == CONSOLE_CMD_CRASH) {
		return CONSOLE_CRASH;
	}
	return CONSOLE_CONSUMED;
}

enum console_action console_input(struct uart_console *c,
				  const struct console_cfg *cfg, uint8_t byte,
				  uint8_t *out)
{
	if (c->escape) {
		c->escape = false;
		return command(c, cfg, byte, out);
	}
	if (byte == CONSOLE_ESCAPE) {
		c->escape = true;
		return CONSOLE_CONSUMED;
	}
	*out = byte;
	return CONSOLE_DELIVER;
}

bool console_several_clients(const uint32_t *clients, uint32_t windows)
{
	for (uint32_t i = 1; i < windows; i++) {
		if (clients[i] != clients[0]) {
			return true;
		}
	}
	return false;
}
