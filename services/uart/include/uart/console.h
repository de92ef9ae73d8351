#pragma once
/**
 * The console multiplexer: every UART window of every client VM shares the
 * one physical line. Pure logic, host-tested in tests/host/test_console.c.
 *
 * Output. With windows of two or more client VMs, each line a window prints
 * starts with its VM's name, "[name] "; when another window prints before a
 * line is finished, the line is ended first, so lines of two VMs never
 * share a line on the screen. With one client VM nothing is added.
 *
 * Input. Bytes typed go to one window, the focus (window 0 at start). The
 * escape key CONSOLE_ESCAPE (Ctrl-], 0x1d; QEMU's -nographic keeps Ctrl-A
 * for itself) followed by a command byte:
 *   '1'..'9'  input to that window (numbered from 1 in scenario order)
 *   'n'       input to the next window
 *   '?', 'h'  list the windows and these keys
 *   Ctrl-]    a literal Ctrl-] to the focus
 *   '!'       fault injection (only in a service image built for it)
 * Any other byte after the escape is dropped.
 */
#include <stdbool.h>
#include <stdint.h>

#define CONSOLE_ESCAPE 0x1dU
#define CONSOLE_CMD_NEXT 'n'
#define CONSOLE_CMD_HELP '?'
#define CONSOLE_CMD_HELP2 'h'
#define CONSOLE_CMD_CRASH '!'
#define CONSOLE_CMD_FIRST_WINDOW '1'
#define CONSOLE_CMD_LAST_WINDOW '9'
/** out_window when no window has printed yet. */
#define CONSOLE_NO_WINDOW UINT32_MAX

/** Multiplexer state (kept across a restart of the service). */
struct uart_console {
	uint32_t focus;        /**< Window that receives input. */
	uint32_t out_window;   /**< Window whose line is on the screen. */
	bool out_line_start;   /**< That line is at its start. */
	bool escape;           /**< The last input byte was the escape. */
};

/** Where output goes, and what the windows are called. */
struct console_cfg {
	uint32_t windows;             /**< Windows served, >= 1. */
	const char *const *names;     /**< Client VM name of each window. */
	bool tagged;                  /**< Prefix lines with the VM name. */
	void (*put)(void *ctx, const char *s, uint32_t len);
	void *put_ctx;
};

/** What an input byte asks for. */
enum console_action {
	CONSOLE_DELIVER,   /**< Give *out to the focus window. */
	CONSOLE_CONSUMED,  /**< Nothing to do (escape, unknown command). */
	CONSOLE_FOCUS,     /**< The focus changed: say so. */
	CONSOLE_HELP,      /**< Print the help. */
	CONSOLE_CRASH,     /**< Fault injection requested. */
};

void console_init(struct uart_console *c);

/** State read back after a restart is usable (else: console_init). */
bool console_valid(const struct uart_console *c, uint32_t windows);

/** Window @p w transmitted @p byte. */
void console_output(struct uart_console *c, const struct console_cfg *cfg,
		    uint32_t w, uint8_t byte);

/** A byte was typed; @p out gets the byte to deliver (CONSOLE_DELIVER). */
enum console_action console_input(struct uart_console *c,
				  const struct console_cfg *cfg, uint8_t byte,
				  uint8_t *out);

/** True if the windows belong to two or more distinct clients. */
bool console_several_clients(const uint32_t *clients, uint32_t windows);
