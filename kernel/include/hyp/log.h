#pragma once
/**
 * Kernel log on the physical console UART. Every line starts with "hyp: ";
 * warnings with "hyp: warning: " and errors with "hyp: error: " so that a
 * test can fail on any error line.
 */

enum log_level {
	LOG_LEVEL_INFO,
	LOG_LEVEL_WARN,
	LOG_LEVEL_ERROR,
};

/**
 * Bring up the console on board()'s UART: the scenario's until the board's
 * device tree is read, then again on the board's. Before, output is dropped.
 */
void log_init(void);

/** One log line (a trailing newline is added). */
void log_line(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Raw text on the console, no prefix (guest debug console output),
 * between log_line_begin() and log_line_end(). */
void log_raw(const char *s, unsigned long len);

struct hyp_console_line;

/**
 * A whole line of the kernel's follows: if the console service left its
 * line unfinished, end it first (abi/console.h).
 */
void log_line_begin(void);

/** The kernel's line is finished (ended with a newline). */
void log_line_end(void);

/** The console service @p owner shares @p line (HYP_CALL_CONSOLE_LINE). */
void log_share_line(const void *owner, struct hyp_console_line *line);

/** @p owner stops or restarts: forget its line, if it shared one. */
void log_unshare_line(const void *owner);

#define log_info(...) log_line(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_warn(...) log_line(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_err(...) log_line(LOG_LEVEL_ERROR, __VA_ARGS__)
