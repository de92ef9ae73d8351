/**
 * The UART service: one PL011 model per emulated window, transmit to and
 * receive from the physical PL011 passed through to this partition. All of
 * the device logic is in pl011_model.c; this file is the glue to libipc:
 *
 *  - the physical UART's interrupt (UART_PHYS_INTID, owned by this
 *    partition in the scenario) arrives as a notification: received bytes
 *    move into the input window's model;
 *  - after every change the model's interrupt line (RIS & IMSC) is mirrored
 *    into the client's virtual GIC as SPI UART_GUEST_INTID (raised or
 *    lowered through libipc);
 *  - the physical interrupt is unmasked again only while the model has room,
 *    so a guest that stops reading cannot cause an interrupt storm.
 */
#include "abi/vgic.h"
#include "ipc/ipc.h"
#include "lib/pl011_hw.h"
#include "uart/pl011_model.h"
#include "uart/uart_service.h"

void service_main(void);

/** The service's state: its dispatch table and one model per window. */
struct uart_service {
	struct ipc_server srv;
	struct pl011_model model[IPC_MAX_WINDOWS];
	bool level[IPC_MAX_WINDOWS];   /**< Virtual line as last reported. */
	bool phys_masked;              /**< Physical IRQ waits for room. */
};

static struct uart_service uart;

static void tx_byte(void *ctx, uint8_t byte)
{
	(void)ctx;
	pl011_putc(UART_PHYS_IPA, (char)byte);
}

/* Move what the physical UART received into the input window's model. */
static void pull_rx(struct uart_service *u)
{
	struct pl011_model *m = &u->model[UART_INPUT_WINDOW];

	while (pl011_rx_ready(UART_PHYS_IPA) && pl011_model_rx_space(m) > 0) {
		int c = pl011_getc(UART_PHYS_IPA);

		if (c < 0) {
			break;
		}
		pl011_model_rx(m, (uint8_t)c);
	}
}

/* Mirror window @p w's interrupt line into its client's virtual GIC. */
static void update_line(struct uart_service *u, uint32_t w)
{
	bool level = pl011_model_irq_level(&u->model[w]);
	uint64_t size;
	uint32_t client;

	if (level == u->level[w] ||
	    ipc_window_info(&u->srv, w, &size, &client) != IPC_OK) {
		return;
	}
	u->level[w] = level;
	ipc_irq_level(client, UART_GUEST_INTID, level);
}

/* Unmask the physical interrupt once the input model has room again. */
static void rearm_phys(struct uart_service *u)
{
	if (u->phys_masked &&
	    pl011_model_rx_space(&u->model[UART_INPUT_WINDOW]) > 0) {
		u->phys_masked = false;
		ipc_irq_ack(UART_PHYS_INTID);
	}
}

/* Registers whose value depends on what has been received. */
static bool reads_rx_state(uint64_t offset)
{
	uint64_t reg = offset & ~(uint64_t)(sizeof(uint32_t) - 1);

	return reg == PL011_DR || reg == PL011_FR || reg == PL011_RIS ||
	       reg == PL011_MIS;
}

static int uart_mmio(void *ctx, struct ipc_mmio_access *a)
{
	struct uart_service *u = ctx;
	struct pl011_model *m = &u->model[a->window];
	uint32_t value = 0;
	int rc;

	/* PL011 registers are at most 32 bits wide. */
	if (a->width > sizeof(uint32_t)) {
		return IPC_ERR_ABORT;
	}
	if (a->window == UART_INPUT_WINDOW && !a->write && reads_rx_state(a->offset)) {
		pull_rx(u);
	}
	if (a->write) {
		rc = pl011_model_write(m, a->offset, a->width, (uint32_t)a->value);
	} else {
		rc = pl011_model_read(m, a->offset, a->width, &value);
		a->value = value;
	}
	if (pl011_model_irq_level(m) != u->level[a->window]) {
		update_line(u, a->window);
	}
	if (a->window == UART_INPUT_WINDOW) {
		rearm_phys(u);
	}
	return rc == 0 ? IPC_OK : IPC_ERR_ABORT;
}

static void uart_notified(void *ctx, uint64_t bits)
{
	struct uart_service *u = ctx;

	if (!(bits & IRQ_NOTIFY_BIT(UART_PHYS_INTID))) {
		return;
	}
	/* The kernel masked the physical interrupt until we acknowledge. */
	u->phys_masked = true;
	pull_rx(u);
	update_line(u, UART_INPUT_WINDOW);
	rearm_phys(u);
}

static int uart_call(void *ctx, uint32_t badge, const uint64_t args[4],
		     uint64_t result[3])
{
	struct uart_service *u = ctx;
	uint64_t size;
	uint32_t client;

	if (args[0] != UART_CALL_TX_COUNT ||
	    ipc_window_info(&u->srv, (uint32_t)args[1], &size, &client) != IPC_OK) {
		return IPC_ERR_INVALID;
	}
	/* A client may only ask about its own UART. */
	if (client != badge) {
		return IPC_ERR_DENIED;
	}
	result[0] = u->model[args[1]].tx_count;
	return IPC_OK;
}

void service_main(void)
{
	struct uart_service *u = &uart;

	if (ipc_server_init(&u->srv) != IPC_OK) {
		ipc_log("uart: cannot read the window table\n");
		return;
	}
	for (uint32_t i = 0; i < u->srv.window_count; i++) {
		pl011_model_init(&u->model[i], tx_byte, NULL);
	}
	if (ipc_register_mmio(&u->srv, IPC_WINDOW_ALL, uart_mmio, u) != IPC_OK) {
		ipc_log("uart: no window to serve\n");
		return;
	}
	ipc_on_call(&u->srv, uart_call, u);
	ipc_on_notify(&u->srv, uart_notified, u);
	pl011_enable_rx_irq(UART_PHYS_IPA);
	ipc_log("uart: serving %u PL011 window(s)\n", u->srv.window_count);
	ipc_serve(&u->srv);
}
