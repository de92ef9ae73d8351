/**
 * A test-only service for the service timer and client-reset messages
 * (tests/system/test_svctimer.py): an alarm device, one 4 KiB window per
 * client, 64-bit registers:
 *
 *   RESETS      R   IPC_MSG_RESET messages heard for this window's client
 *   BOOTS       R   how often BOOTS was read before (each read counts)
 *   NOW         R   ipc_now() (CNTVCT_EL0 as the service reads it)
 *   FREQ        R   ipc_ticks_per_sec()
 *   DEADLINE    RW  write: ipc_timer_set(value), 0 cancels (an abort if
 *                   the kernel refuses); read: the armed deadline, 0 none
 *   FIRED       R   IPC_MSG_TIMER messages received for this window
 *   FIRED_AT    R   the last one's deadline (x1)
 *   DELIVERED   R   the last one's counter at delivery (x2)
 *
 * The service has one timer: it belongs to the window whose DEADLINE was
 * written last. RESETS and BOOTS are the test's view and survive a client
 * reset; everything else is device state and goes back to its reset value
 * (0, the alarm cancelled) when the client resets.
 */
#include "ipc/ipc.h"
#include "timersvc/regs.h"

void service_main(void);

/** One client's alarm device. */
struct alarm_dev {
	uint64_t deadline; /**< Armed deadline, 0: none. */
	uint64_t fired;
	uint64_t fired_at;
	uint64_t delivered;
};

/** What the test reads about a client, kept across its resets. */
struct alarm_diag {
	uint64_t resets;
	uint64_t boots;
};

struct alarm_service {
	struct ipc_server srv;
	struct alarm_dev dev[IPC_MAX_WINDOWS];
	struct alarm_diag diag[IPC_MAX_WINDOWS];
	uint32_t timer_window; /**< Whose alarm the one timer is. */
};

static struct alarm_service alarm;

static int alarm_write(struct alarm_service *s, struct ipc_mmio_access *a)
{
	if (a->offset != TIMERSVC_REG_DEADLINE) {
		return IPC_ERR_ABORT;
	}
	if (ipc_timer_set(a->value) != IPC_OK) {
		ipc_log("alarm: the kernel refused the timer\n");
		return IPC_ERR_ABORT;
	}
	if (a->value != 0 && s->timer_window != a->window) {
		/* The one timer moves to this window: the other's alarm is
		 * gone. */
		s->dev[s->timer_window].deadline = 0;
		s->timer_window = a->window;
	}
	s->dev[a->window].deadline = a->value;
	return IPC_OK;
}

static int alarm_read(struct alarm_service *s, struct ipc_mmio_access *a)
{
	const struct alarm_dev *d = &s->dev[a->window];
	struct alarm_diag *g = &s->diag[a->window];

	switch (a->offset) {
	case TIMERSVC_REG_RESETS:
		a->value = g->resets;
		return IPC_OK;
	case TIMERSVC_REG_BOOTS:
		a->value = g->boots++;
		return IPC_OK;
	case TIMERSVC_REG_NOW:
		a->value = ipc_now();
		return IPC_OK;
	case TIMERSVC_REG_FREQ:
		a->value = ipc_ticks_per_sec();
		return IPC_OK;
	case TIMERSVC_REG_DEADLINE:
		a->value = d->deadline;
		return IPC_OK;
	case TIMERSVC_REG_FIRED:
		a->value = d->fired;
		return IPC_OK;
	case TIMERSVC_REG_FIRED_AT:
		a->value = d->fired_at;
		return IPC_OK;
	case TIMERSVC_REG_DELIVERED:
		a->value = d->delivered;
		return IPC_OK;
	default:
		return IPC_ERR_ABORT;
	}
}

static int alarm_mmio(void *ctx, struct ipc_mmio_access *a)
{
	struct alarm_service *s = ctx;

	if (a->width != TIMERSVC_REG_WIDTH ||
	    a->offset % TIMERSVC_REG_WIDTH != 0) {
		return IPC_ERR_ABORT;
	}
	return a->write ? alarm_write(s, a) : alarm_read(s, a);
}

static void alarm_timer(void *ctx, uint64_t deadline, uint64_t now)
{
	struct alarm_service *s = ctx;
	struct alarm_dev *d = &s->dev[s->timer_window];

	d->deadline = 0;
	d->fired++;
	d->fired_at = deadline;
	d->delivered = now;
	ipc_log("alarm: timer %llu for deadline %llu delivered at %llu\n",
		(unsigned long long)d->fired, (unsigned long long)deadline,
		(unsigned long long)now);
}

static void alarm_client_reset(void *ctx, uint32_t client)
{
	struct alarm_service *s = ctx;

	for (uint32_t w = 0; w < s->srv.window_count; w++) {
		uint64_t size;
		uint32_t c;

		if (ipc_window_info(&s->srv, w, &size, &c) != IPC_OK ||
		    c != client) {
			continue;
		}
		if (w == s->timer_window && s->dev[w].deadline != 0) {
			(void)ipc_timer_cancel();
		}
		s->dev[w] = (struct alarm_dev){ 0 };
		s->diag[w].resets++;
		ipc_log("alarm: client %u reset (%llu so far): alarm back to "
			"reset values\n",
			client, (unsigned long long)s->diag[w].resets);
	}
}

void service_main(void)
{
	struct alarm_service *s = &alarm;

	if (ipc_server_init(&s->srv) != IPC_OK ||
	    ipc_register_mmio(&s->srv, IPC_WINDOW_ALL, alarm_mmio, s) !=
		    IPC_OK) {
		ipc_log("alarm: no window to serve\n");
		return;
	}
	ipc_on_timer(&s->srv, alarm_timer, s);
	ipc_on_client_reset(&s->srv, alarm_client_reset, s);
	ipc_log("alarm: serving %u window(s), counter at %llu Hz\n",
		s->srv.window_count, (unsigned long long)ipc_ticks_per_sec());
	ipc_serve(&s->srv);
}
