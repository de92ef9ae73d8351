/** The fake kernel side of a kept status register (see fake_ipc_isr.h). */
#include "fake_ipc_isr.h"

#include <stdlib.h>
#include <string.h>

#include "ipc/ipc.h"

#define REG_BYTES 4U

struct fake_isr fake_isr;

void fake_isr_reset(void)
{
	memset(&fake_isr, 0, sizeof(fake_isr));
}

static volatile uint32_t *word(void)
{
	return &fake_isr.page[fake_isr.status / REG_BYTES];
}

static void set_word(uint32_t now)
{
	bool level = now != 0;

	*word() = now;
	if (level != fake_isr.line) {
		fake_isr.line = level;
		fake_isr.line_changes++;
	}
}

int ipc_window_isr(uint32_t window, uint64_t status, uint64_t ack)
{
	if (status == IPC_ISR_NONE && ack == IPC_ISR_NONE) {
		fake_isr.kept = false;
		return IPC_OK;
	}
	if (fake_isr.refuse || fake_isr.page == NULL) {
		return IPC_ERR_INVALID;
	}
	fake_isr.kept = true;
	fake_isr.window = window;
	fake_isr.status = status;
	fake_isr.ack = ack;
	set_word(*word());
	return IPC_OK;
}

int ipc_isr_update(uint32_t window, uint32_t set, uint32_t clear, uint32_t *now)
{
	if (!fake_isr.kept || window != fake_isr.window) {
		*now = 0;
		return IPC_ERR_INVALID;
	}
	fake_isr.updates++;
	*now = (*word() & ~clear) | set;
	set_word(*now);
	return IPC_OK;
}

void fake_isr_client_ack(uint32_t value)
{
	if (!fake_isr.kept) {
		abort();
	}
	set_word(*word() & ~value);
}

int ipc_window_doorbell(uint32_t window, uint64_t offset)
{
	if (fake_isr.refuse || fake_isr.page == NULL) {
		return IPC_ERR_INVALID;
	}
	fake_isr.doorbell_window = window;
	fake_isr.doorbell = offset;
	return IPC_OK;
}
