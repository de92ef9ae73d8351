/** Kernel panic: report and power off with a failure status (panic.h). */
#include "hyp/panic.h"

#include <stdarg.h>

#include "hyp/hypercall.h"
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
	/* Not a silent hang: QEMU exits with a failure status (pvpanic). */
	platform_power_off_failure();
}
