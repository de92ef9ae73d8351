#pragma once
/**
 * Host fake of the kernel log and panic (hyp/log.h, hyp/panic.h) for cmocka
 * tests: a log line is formatted and kept (the last one of each level, and
 * counts), so a test can check what the kernel said; a panic either returns
 * to the test that expects it (FAKE_EXPECT_PANIC) or ends the program.
 */
#include <setjmp.h>
#include <stdbool.h>

#include "hyp/log.h"

/** Longest log line kept; longer ones are cut. */
#define FAKE_LOG_LINE_MAX 256
/** Levels of enum log_level. */
#define FAKE_LOG_LEVELS (LOG_LEVEL_ERROR + 1)

/** Last line of each level, and how many of each were logged. */
extern char fake_log_last[FAKE_LOG_LEVELS][FAKE_LOG_LINE_MAX];
extern unsigned fake_log_count[FAKE_LOG_LEVELS];

/** Message of the last panic. */
extern char fake_panic_msg[FAKE_LOG_LINE_MAX];

/** Armed by FAKE_EXPECT_PANIC: where panic() returns to. */
extern jmp_buf fake_panic_jmp;
extern bool fake_panic_armed;

/** Forget every line and panic message. */
void fake_log_reset(void);

/**
 * Run @p stmt, which must panic: the test fails if it returns. Afterwards
 * fake_panic_msg holds the message.
 */
#define FAKE_EXPECT_PANIC(stmt)                                          \
	do {                                                             \
		fake_panic_armed = true;                                 \
		if (setjmp(fake_panic_jmp) == 0) {                       \
			stmt;                                            \
			fake_panic_armed = false;                        \
			fail_msg("%s did not panic", #stmt);             \
		}                                                        \
		fake_panic_armed = false;                                \
	} while (0)
