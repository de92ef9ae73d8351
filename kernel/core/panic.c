/** Kernel panic: report and power off with a failure status (panic.h). */
#include "hyp/panic.h"

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

/*
 * The stack protector of code built with it (Debian's libfdt.a: the kernel
 * itself is built with -fno-stack-protector): a fixed canary, as the kernel
 * has no entropy before it reads the board, and a smashed one is a kernel
 * bug.
 */
#define STACK_CHK_CANARY 0x5d1f3a7c9e2b4d61UL
uintptr_t __stack_chk_guard = STACK_CHK_CANARY;
noreturn void __stack_chk_fail(void);

noreturn void __stack_chk_fail(void)
{
	panic("stack smashing detected");
}
