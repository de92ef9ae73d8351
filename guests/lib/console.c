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

/* PL011 registers used by the MMIO console (Arm DDI 0183G). */
#define PL011_DR 0x000
#define PL011_FR 0x018
#define PL011_FR_TXFF (1U << 5)

/** Base of the PL011 the console writes to, or 0 for the debug console. */
static uintptr_t pl011_base;

void console_use_pl011(uintptr_t base)
{
	console_flush();
	pl011_base = base;
}

static void pl011_put(char c)
{
	volatile uint32_t *fr = (volatile uint32_t *)(pl011_base + PL011_FR);
	volatile uint32_t *dr = (volatile uint32_t *)(pl011_base + PL011_DR);

	while (*fr & PL011_FR_TXFF) {
	}
	*dr = (uint32_t)(unsigned char)c;
}

static void put(void *ctx, char c)
{
	(void)ctx;
	if (pl011_base != 0) {
		if (c == '\n') {
			pl011_put('\r');
		}
		pl011_put(c);
		return;
	}
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

int64_t guest_exit(uint64_t status)
{
	console_flush();
	return (int64_t)hvc_call(HYP_CALL_EXIT, status, 0, 0).a0;
}

_Noreturn void guest_power_off(void)
{
	console_flush();
	hvc_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;) {
		__asm__ volatile("wfi");
	}
}
