#pragma once
/** Guest console over the hypervisor's debug-console call (line buffered). */
#include <stddef.h>

void console_write(const char *s, size_t len);
void console_flush(void);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
