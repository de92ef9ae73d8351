/** The console multiplexer (see uart/console.h). */
#include "uart/console.h"

#include <string.h>

#define TAG_OPEN "["
#define TAG_CLOSE "] "
#define NEWLINE "\r\n"

void console_init(struct uart_console *c)
{
	*c = (struct uart_console){
		.focus = 0,
		.out_window = CONSOLE_NO_WINDOW,
		.out_line_start = true,
		.escape = false,
	};
}

bool console_valid(const struct uart_console *c, uint32_t windows)
{
	return c->focus < windows &&
	       (c->out_window < windows || c->out_window == CONSOLE_NO_WINDOW);
}

static void put_str(const struct console_cfg *cfg, const char *s)
{
	cfg->put(cfg->put_ctx, s, (uint32_t)strlen(s));
}

void console_output(struct uart_console *c, const struct console_cfg *cfg,
		    uint32_t w, uint8_t byte)
{
	char ch = (char)byte;

	if (cfg->tagged) {
		if (c->out_window != w) {
			/* Another VM's line is open: end it first. */
			if (!c->out_line_start) {
				put_str(cfg, NEWLINE);
			}
			c->out_window = w;
			c->out_line_start = true;
		}
		if (c->out_line_start && ch != '\r' && ch != '\n') {
			put_str(cfg, TAG_OPEN);
			put_str(cfg, cfg->names[w]);
			put_str(cfg, TAG_CLOSE);
			c->out_line_start = false;
		}
	}
	cfg->put(cfg->put_ctx, &ch, 1);
	if (ch == '\n') {
		c->out_line_start = true;
	}
}

static enum console_action command(struct uart_console *c,
				   const struct console_cfg *cfg, uint8_t cmd,
				   uint8_t *out)
{
	if (cmd == CONSOLE_ESCAPE) {
		*out = CONSOLE_ESCAPE;
		return CONSOLE_DELIVER;
	}
	if (cmd == CONSOLE_CMD_NEXT) {
		c->focus = (c->focus + 1) % cfg->windows;
		return CONSOLE_FOCUS;
	}
	if (cmd >= CONSOLE_CMD_FIRST_WINDOW && cmd <= CONSOLE_CMD_LAST_WINDOW) {
		uint32_t w = (uint32_t)(cmd - CONSOLE_CMD_FIRST_WINDOW);

		if (w >= cfg->windows) {
			return CONSOLE_HELP;
		}
		c->focus = w;
		return CONSOLE_FOCUS;
	}
	if (cmd == CONSOLE_CMD_HELP || cmd == CONSOLE_CMD_HELP2) {
		return CONSOLE_HELP;
	}
	if (cmd == CONSOLE_CMD_CRASH) {
		return CONSOLE_CRASH;
	}
	return CONSOLE_CONSUMED;
}

enum console_action console_input(struct uart_console *c,
				  const struct console_cfg *cfg, uint8_t byte,
				  uint8_t *out)
{
	if (c->escape) {
		c->escape = false;
		return command(c, cfg, byte, out);
	}
	if (byte == CONSOLE_ESCAPE) {
		c->escape = true;
		return CONSOLE_CONSUMED;
	}
	*out = byte;
	return CONSOLE_DELIVER;
}

bool console_several_clients(const uint32_t *clients, uint32_t windows)
{
	for (uint32_t i = 1; i < windows; i++) {
		if (clients[i] != clients[0]) {
			return true;
		}
	}
	return false;
}
