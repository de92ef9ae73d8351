/** Kernel log on the physical UART (see log.h). */
#include "hyp/log.h"

#include <string.h>

#include "abi/console.h"
#include "hyp/arch.h"
#include "hyp/board.h"
#include "lib/pl011_hw.h"
#include "lib/fmt.h"

#define LOG_LINE_MAX 256

/** The UART programmed: the board's, once its device tree is read; 0
 * before (output is dropped). */
static uintptr_t log_uart;

/*
 * The line state shared with the console service (abi/console.h). State of
 * the one physical console, like log_uart; kernel lines are printed under
 * the kernel lock, so one CPU at a time changes it.
 */
/* How long a kernel line waits for the console service to finish the bytes
 * it is writing (abi/console.h). Its writes are a few bytes, but the host
 * may keep its vCPU's thread from running for a scheduler slice or more: a
 * bound of 65,536 polls (about 2 ms under TCG) ran out on a busy host, and
 * the kernel's break went out around the service's "[guest] H" (1 boot in
 * 75). One stopped mid-write (a fault, until it is restarted) costs each
 * kernel line this wait, under the kernel lock, never a hang. */
#define LOG_SERVICE_WRITE_WAIT_MS 20U
#define LOG_MS_PER_S 1000U

static struct {
	volatile struct hyp_console_line *line; /**< NULL: none registered. */
	const void *owner;			/**< Who registered it. */
	uint32_t seq;				/**< Even: no line printing. */
} log_shared;

void log_init(void)
{
	pl011_init(board()->uart_base);
	log_uart = board()->uart_base;
}

void log_raw(const char *s, unsigned long len)
{
	if (log_uart == 0) {
		return;
	}
	for (unsigned long i = 0; i < len; i++) {
		if (s[i] == '\n') {
			pl011_putc(log_uart, '\r');
		}
		pl011_putc(log_uart, s[i]);
	}
}

void log_share_line(const void *owner, struct hyp_console_line *line)
{
	log_shared.line = line;
	log_shared.owner = owner;
	line->seq = log_shared.seq;
}

void log_unshare_line(const void *owner)
{
	if (log_shared.owner == owner) {
		log_shared.line = NULL;
		log_shared.owner = NULL;
	}
}

/* Each kernel line adds 1 to seq before it and 1 after (abi/console.h). */
#define SEQ_PER_LINE 2U

/*
 * Is the service's line unfinished, by its open word, for the kernel line
 * whose odd seq is @p odd? open names this line; or the next one if the
 * service read this line's odd seq after writing a byte (kernel_cut in
 * services/uart/console.c): the kernel was then waiting for writing, has
 * not printed yet, and the byte is on the screen before this line.
 */
static bool service_line_open(const volatile struct hyp_console_line *l,
			      uint32_t odd)
{
	uint32_t open = l->open;

	return open == odd || open == odd + SEQ_PER_LINE;
}

void log_line_begin(void)
{
	volatile struct hyp_console_line *l = log_shared.line;

	if (l == NULL) {
		return;
	}
	l->seq = log_shared.seq + 1;
	/* The odd seq is visible before writing and open are read and before
	 * the UART writes (Dekker with the service's stores of writing and
	 * open, then its load of seq: abi/console.h). */
	arch_mem_barrier();
	if (l->writing != 0) {
		uint64_t until = arch_counter_now() +
				 arch_counter_freq() / LOG_MS_PER_S *
					 LOG_SERVICE_WRITE_WAIT_MS;

		while (l->writing != 0 && arch_counter_now() < until) {
			arch_cpu_relax();
		}
	}
	/* Still writing after the wait (its vCPU stopped): it is inside a
	 * line of its own, so end that too. */
	if (service_line_open(l, log_shared.seq + 1) || l->writing != 0) {
		/* As it is on the wire: no LF to CR LF here. */
		for (unsigned long i = 0; i < sizeof(HYP_CONSOLE_BREAK) - 1;
		     i++) {
			pl011_putc(log_uart, HYP_CONSOLE_BREAK[i]);
		}
	}
}

void log_line_end(void)
{
	volatile struct hyp_console_line *l = log_shared.line;

	log_shared.seq += SEQ_PER_LINE;
	if (l == NULL) {
		return;
	}
	/* The line reached the UART before the service sees the new seq. */
	arch_mem_barrier();
	l->seq = log_shared.seq;
}

static const char *const level_prefix[] = {
	[LOG_LEVEL_INFO] = "hyp: ",
	[LOG_LEVEL_WARN] = "hyp: warning: ",
	[LOG_LEVEL_ERROR] = "hyp: error: ",
};

void log_line(enum log_level level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	/* Cut to the buffer, always NUL-terminated (lib/fmt.h). */
	va_start(ap, fmt);
	fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_line_begin();
	log_raw(level_prefix[level], strlen(level_prefix[level]));
	log_raw(line, strlen(line));
	log_raw("\n", 1);
	log_line_end();
}
