/** Kernel log on the physical UART (see log.h). */
#include "hyp/log.h"

#include <stdbool.h>

#include "arch/platform.h"
#include "lib/pl011_hw.h"
#include "lib/fmt.h"

#define LOG_LINE_MAX 256

/** Set once the UART is programmed; output before that is dropped. */
static bool log_ready;

void log_init(void)
{
	pl011_init(PLATFORM_UART_BASE);
	log_ready = true;
}

static void console_putc(char c)
{
	if (c == '\n') {
		pl011_putc(PLATFORM_UART_BASE, '\r');
	}
	pl011_putc(PLATFORM_UART_BASE, c);
}

void log_raw(const char *s, unsigned long len)
{
	if (!log_ready) {
		return;
	}
	for (unsigned long i = 0; i < len; i++) {
		console_putc(s[i]);
	}
}

static const char *level_prefix(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_WARN:
		return "hyp: warning: ";
	case LOG_LEVEL_ERROR:
		return "hyp: error: ";
	default:
		return "hyp: ";
	}
}

void log_vline(enum log_level level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	const char *prefix = level_prefix(level);
	int n = fmt_vsnprintf(line, sizeof(line), fmt, ap);

	if (n < 0) {
		return;
	}
	unsigned long len = (unsigned long)n < sizeof(line) ? (unsigned long)n
							    : sizeof(line) - 1;
	unsigned long plen = 0;

	while (prefix[plen] != '\0') {
		plen++;
	}
	log_raw(prefix, plen);
	log_raw(line, len);
	log_raw("\n", 1);
}

void log_line(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(level, fmt, ap);
	va_end(ap);
}
