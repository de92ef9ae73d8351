/** The host fake of the kernel log and panic (fake_log.h). */
#include "fake_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hyp/panic.h"

char fake_log_last[FAKE_LOG_LEVELS][FAKE_LOG_LINE_MAX];
unsigned fake_log_count[FAKE_LOG_LEVELS];
char fake_panic_msg[FAKE_LOG_LINE_MAX];
jmp_buf fake_panic_jmp;
bool fake_panic_armed;

void fake_log_reset(void)
{
	memset(fake_log_last, 0, sizeof(fake_log_last));
	memset(fake_log_count, 0, sizeof(fake_log_count));
	memset(fake_panic_msg, 0, sizeof(fake_panic_msg));
}

static void log_vline(enum log_level level, const char *fmt, va_list ap)
{
	if ((unsigned)level >= FAKE_LOG_LEVELS) {
		fprintf(stderr, "fake log: bad level %d\n", (int)level);
		abort();
	}
	vsnprintf(fake_log_last[level], FAKE_LOG_LINE_MAX, fmt, ap);
	fake_log_count[level]++;
}

void log_line(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(level, fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fake_panic_msg, sizeof(fake_panic_msg), fmt, ap);
	va_end(ap);
	if (fake_panic_armed) {
		longjmp(fake_panic_jmp, 1);
	}
	fprintf(stderr, "kernel panic: %s\n", fake_panic_msg);
	abort();
}
