#pragma once
/** Guest console over the hypervisor's debug-console call (line buffered). */
#include <stddef.h>
#include <stdint.h>

/**
 * Print through a PL011 at @p base with plain loads and stores instead of
 * the hypervisor's debug console (0 switches back).
 */
void console_use_pl011(uintptr_t base);

void console_write(const char *s, size_t len);
void console_flush(void);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
