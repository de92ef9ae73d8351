#pragma once
/**
 * Fatal kernel errors. Only a broken kernel invariant may panic; bad input
 * from a guest or a service is an error code or an injected exception.
 */
#include <stdnoreturn.h>

/**
 * Print "hyp: error: PANIC: <msg>" and power the machine off with a failure
 * status (platform_power_off_failure: QEMU exits 1).
 */
noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * Always-on check of a kernel invariant (Hafnium's CHECK): never wraps an
 * expression with a side effect the code relies on.
 */
#define CHECK(cond)                                                         \
	do {                                                                \
		if (!(cond)) {                                              \
			panic("check failed: %s at %s:%d", #cond, __FILE__, \
			      __LINE__);                                    \
		}                                                           \
	} while (0)

/** Stop this CPU for good (boot.S). */
noreturn void halt(void);
