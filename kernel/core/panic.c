/** Kernel panic: report and halt (see panic.h). */
#include "hyp/panic.h"

#include <stdarg.h>

#include "hyp/log.h"
#include "lib/fmt.h"

#define PANIC_MSG_MAX 200



noreturn void panic(const char *fmt, ...)
{
	char msg[PANIC_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_line(LOG_LEVEL_ERROR, "PANIC: %s", msg);
	halt();
}
