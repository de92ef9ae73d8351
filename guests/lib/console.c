/** Line-buffered console through HYP_CALL_CONSOLE_WRITE. */
#include "guest/console.h"

#include <stdarg.h>
#include <stdint.h>

#include "guest/smccc.h"
#include "lib/fmt.h"

#define LINE_MAX 128

static char line[LINE_MAX];
static size_t line_len;

void console_flush(void)
{
	if (line_len == 0) {
		return;
	}
	/* The guest's MMU is off: a VA is an IPA. */
	hvc_call(HYP_CALL_CONSOLE_WRITE, (uint64_t)(uintptr_t)line, line_len, 0);
	line_len = 0;
}

static void put(void *ctx, char c)
{
	(void)ctx;
	line[line_len++] = c;
	if (c == '\n' || line_len == LINE_MAX) {
		console_flush();
	}
}

void console_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		put(NULL, s[i]);
	}
}

int printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = fmt_vprintf(put, NULL, fmt, ap);

	va_end(ap);
	return n;
}

_Noreturn void guest_power_off(void)
{
	console_flush();
	hvc_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;) {
		__asm__ volatile("wfi");
	}
}
