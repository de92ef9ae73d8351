/** cmocka tests of libipc: registration, message decoding, dispatch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipc/ipc.h"

#define WINDOWS 3

/** A fake device: records the last access, answers reads with a pattern. */
struct fake_dev {
	struct ipc_mmio_access last;
	unsigned calls;
	int rc;
	uint64_t read_value;
};

static int fake_mmio(void *ctx, struct ipc_mmio_access *a)
{
	struct fake_dev *d = ctx;

	d->last = *a;
	d->calls++;
	if (!a->write) {
		a->value = d->read_value;
	}
	return d->rc;
}

struct fixture {
	struct ipc_server srv;
	struct fake_dev dev;
};

static int setup(void **state)
{
	static const uint64_t sizes[WINDOWS] = { 0x1000, 0x2000, 0x10 };
	static const uint32_t clients[WINDOWS] = { 1, 2, 1 };
	struct fixture *f = test_calloc(1, sizeof(*f));

	ipc_server_init_windows(&f->srv, WINDOWS, sizes, clients);
	f->dev.read_value = 0x1122334455667788ULL;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	test_free(*state);
	return 0;
}

static struct ipc_msg mmio_msg(uint32_t window, uint64_t offset, uint8_t width,
			       bool write, uint32_t client, uint64_t value)
{
	struct ipc_msg m = { { IPC_MSG_MMIO, window, offset,
			       width | (write ? IPC_MMIO_WRITE : 0) |
				       ((uint64_t)client << IPC_MMIO_CLIENT_SHIFT),
			       value, 0 } };
	return m;
}

static void test_ipc_decode_mmio_fields(void **state)
{
	struct ipc_msg m = mmio_msg(2, 0x38, 4, true, 7, 0xabcd);
	struct ipc_mmio_access a;

	(void)state;
	assert_int_equal(ipc_decode_mmio(&m, &a), IPC_OK);
	assert_int_equal(a.window, 2);
	assert_int_equal(a.offset, 0x38);
	assert_int_equal(a.width, 4);
	assert_true(a.write);
	assert_int_equal(a.client, 7);
	assert_int_equal(a.value, 0xabcd);

	/* A read carries no value even if the word is not zero. */
	m = mmio_msg(0, 0x18, 2, false, 1, 0xdead);
	assert_int_equal(ipc_decode_mmio(&m, &a), IPC_OK);
	assert_false(a.write);
	assert_int_equal(a.value, 0);
}

static void test_ipc_decode_mmio_rejects_bad_width_and_kind(void **state)
{
	struct ipc_mmio_access a;
	struct ipc_msg m;

	(void)state;
	for (unsigned w = 0; w <= 16; w++) {
		m = mmio_msg(0, 0, (uint8_t)w, false, 0, 0);
		int ok = w == 1 || w == 2 || w == 4 || w == 8;

		assert_int_equal(ipc_decode_mmio(&m, &a),
				 ok ? IPC_OK : IPC_ERR_INVALID);
	}
	m = mmio_msg(0, 0, 4, false, 0, 0);
	m.w[0] = IPC_MSG_CALL;
	assert_int_equal(ipc_decode_mmio(&m, &a), IPC_ERR_INVALID);
}

static void test_ipc_register_mmio_one_and_duplicate(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ipc_register_mmio(&f->srv, 1, fake_mmio, &f->dev), IPC_OK);
	assert_int_equal(ipc_register_mmio(&f->srv, 1, fake_mmio, &f->dev),
			 IPC_ERR_EXISTS);
	/* ALL overlaps window 1: refused, and window 0 stays free. */
	assert_int_equal(ipc_register_mmio(&f->srv, IPC_WINDOW_ALL, fake_mmio, &f->dev),
			 IPC_ERR_EXISTS);
	assert_null(f->srv.windows[0].fn);
	assert_int_equal(ipc_register_mmio(&f->srv, 0, fake_mmio, &f->dev), IPC_OK);
}

static void test_ipc_register_mmio_rejects_invalid(void **state)
{
	struct fixture *f = *state;
	struct ipc_server empty;

	assert_int_equal(ipc_register_mmio(&f->srv, WINDOWS, fake_mmio, NULL),
			 IPC_ERR_INVALID);
	assert_int_equal(ipc_register_mmio(&f->srv, 0, NULL, NULL), IPC_ERR_INVALID);
	ipc_server_init_windows(&empty, 0, NULL, NULL);
	assert_int_equal(ipc_register_mmio(&empty, IPC_WINDOW_ALL, fake_mmio, NULL),
			 IPC_ERR_INVALID);
}

static void test_ipc_dispatch_read_masks_to_width(void **state)
{
	struct fixture *f = *state;
	struct ipc_msg m = mmio_msg(0, 0x18, 2, false, 1, 0);
	struct ipc_reply r;

	ipc_register_mmio(&f->srv, IPC_WINDOW_ALL, fake_mmio, &f->dev);
	ipc_dispatch(&f->srv, &m, &r);
	assert_int_equal(r.status, IPC_OK);
	/* The handler answered 8 bytes; a halfword read gets 2. */
	assert_int_equal(r.word[0], 0x7788);
	assert_int_equal(f->dev.last.offset, 0x18);
	assert_int_equal(f->dev.last.client, 1);

	m = mmio_msg(1, 0x1ff8, 8, false, 2, 0);
	ipc_dispatch(&f->srv, &m, &r);
	assert_int_equal(r.word[0], 0x1122334455667788ULL);
}

static void test_ipc_dispatch_write_passes_value(void **state)
{
	struct fixture *f = *state;
	struct ipc_msg m = mmio_msg(2, 0x8, 4, true, 1, 0xcafe);
	struct ipc_reply r;

	ipc_register_mmio(&f->srv, 2, fake_mmio, &f->dev);
	ipc_dispatch(&f->srv, &m, &r);
	assert_int_equal(r.status, IPC_OK);
	assert_int_equal(r.word[0], 0);
	assert_true(f->dev.last.write);
	assert_int_equal(f->dev.last.value, 0xcafe);
	assert_int_equal(f->dev.last.window, 2);
}

static void test_ipc_dispatch_rejects_outside_window(void **state)
{
	struct fixture *f = *state;
	struct ipc_reply r;
	struct ipc_msg m;

	ipc_register_mmio(&f->srv, IPC_WINDOW_ALL, fake_mmio, &f->dev);
	/* Window 2 is 16 bytes: an 8-byte access at 12 leaves it. */
	m = mmio_msg(2, 12, 8, false, 1, 0);
	ipc_dispatch(&f->srv, &m, &r);
	assert_int_equal(r.status, IPC_ERR_ABORT);
	m = mmio_msg(2, 16, 1, false, 1, 0);
	ipc_dispatch(&f->srv, &m, &r);
	assert_int_equal(r.status, IPC_ERR_ABORT);
	/* No such window. */
	m = mmio_msg(WINDOWS, 0, 4, false, 1, 0);
	ipc_dispatch(&f->srv, &m, &r);
	assert_int_equal(r.status, IPC_ERR_ABORT);
	assert_int_equal(f->dev.calls, 0);
	assert_int_equal(f->srv.rejected, 3);
}

static void test_ipc_dispatch_unregistered_window_aborts(void **state)
{
	struct fixture *f = *state;
	struct ipc_msg m = mmio_msg(1, 0, 4, false, 2, 0);
	struct ipc_reply r;

	ipc_register_mmio(&f->srv, 0, fake_mmio, &f->dev);
	ipc_dispatch(&f->srv, &m, &r);
	assert_int_equal(r.status, IPC_ERR_ABORT);
	assert_int_equal(f->dev.calls, 0);
}

static void test_ipc_dispatch_handler_error_is_abort(void **state)
{
	struct fixture *f = *state;
	struct ipc_msg m = mmio_msg(0, 0, 4, false, 1, 0);
	struct ipc_reply r;

	f->dev.rc = -42;
	ipc_register_mmio(&f->srv, 0, fake_mmio, &f->dev);
	ipc_dispatch(&f->srv, &m, &r);
	assert_int_equal(r.status, IPC_ERR_ABORT);
}

static uint32_t seen_badge;
static uint64_t seen_bits;

static int fake_call(void *ctx, uint32_t badge, const uint64_t args[4],
		     uint64_t result[3])
{
	(void)ctx;
	seen_badge = badge;
	result[0] = args[0] + args[3];
	result[2] = 99;
	return 5;
}

static void fake_notify(void *ctx, uint64_t bits)
{
	(void)ctx;
	seen_bits = bits;
}

static void test_ipc_dispatch_call_and_notify(void **state)
{
	struct fixture *f = *state;
	struct ipc_msg call = { { IPC_MSG_CALL, 4, 10, 20, 30, 40 } };
	struct ipc_msg note = { { IPC_MSG_NOTIFY, 0x5 } };
	struct ipc_reply r;

	ipc_dispatch(&f->srv, &call, &r);
	assert_int_equal((int64_t)r.status, IPC_ERR_INVALID);
	ipc_on_call(&f->srv, fake_call, NULL);
	ipc_on_notify(&f->srv, fake_notify, NULL);
	ipc_dispatch(&f->srv, &call, &r);
	assert_int_equal(r.status, 5);
	assert_int_equal(seen_badge, 4);
	assert_int_equal(r.word[0], 50);
	assert_int_equal(r.word[2], 99);
	ipc_dispatch(&f->srv, &note, &r);
	assert_int_equal(seen_bits, 0x5);
}

/** What the timer and reset handlers saw. */
static struct {
	unsigned timers, resets;
	void *ctx;
	uint64_t deadline, now;
	uint32_t client;
} seen_event;

static void fake_timer(void *ctx, uint64_t deadline, uint64_t now)
{
	seen_event.timers++;
	seen_event.ctx = ctx;
	seen_event.deadline = deadline;
	seen_event.now = now;
}

static void fake_reset(void *ctx, uint32_t client)
{
	seen_event.resets++;
	seen_event.ctx = ctx;
	seen_event.client = client;
}

/* Each event reaches its handler; the reply (to no caller) is IPC_OK with
 * zero words, as REPLY_RECV expects. */
static void test_ipc_dispatch_timer_and_reset(void **state)
{
	struct fixture *f = *state;
	struct ipc_msg timer = { { IPC_MSG_TIMER, 1000, 1003 } };
	struct ipc_msg reset = { { IPC_MSG_RESET, 2 } };
	struct ipc_reply r;
	int ctx;

	memset(&seen_event, 0, sizeof(seen_event));
	ipc_on_timer(&f->srv, fake_timer, &ctx);
	ipc_dispatch(&f->srv, &timer, &r);
	assert_int_equal(seen_event.timers, 1);
	assert_ptr_equal(seen_event.ctx, &ctx);
	assert_int_equal(seen_event.deadline, 1000);
	assert_int_equal(seen_event.now, 1003);
	assert_int_equal(r.status, IPC_OK);
	assert_int_equal(r.word[0], 0);
	assert_int_equal(seen_event.resets, 0);
	ipc_on_client_reset(&f->srv, fake_reset, f);
	ipc_dispatch(&f->srv, &reset, &r);
	assert_int_equal(seen_event.resets, 1);
	assert_ptr_equal(seen_event.ctx, f);
	assert_int_equal(seen_event.client, 2);
	assert_int_equal(r.status, IPC_OK);
	assert_int_equal(seen_event.timers, 1);
	assert_int_equal(f->dev.calls, 0);
}

/* The kernel's timer as ipc_timer_by() sets it (HYP_IPC_TIMER_SET). */
static struct {
	unsigned sets;
	uint64_t deadline;
	int rc; /**< What the call answers. */
} kernel_timer;

int ipc_timer_set(uint64_t deadline)
{
	kernel_timer.sets++;
	kernel_timer.deadline = deadline;
	return kernel_timer.rc;
}

/* One timer for several purposes: a later deadline never pushes back an
 * earlier one still to come (a client asking again and again for a
 * later one would keep another's work waiting), an earlier one brings it
 * forward, and once its message came any deadline arms it again. */
static void test_ipc_timer_by_keeps_the_earliest(void **state)
{
	struct fixture *f = *state;
	struct ipc_msg fired = { { IPC_MSG_TIMER, 900, 905 } };
	struct ipc_reply r;

	memset(&kernel_timer, 0, sizeof(kernel_timer));
	assert_int_equal(ipc_timer_by(&f->srv, 1000), IPC_OK);
	assert_int_equal(kernel_timer.deadline, 1000);
	for (uint64_t later = 1001; later < 1100; later += 10) {
		assert_int_equal(ipc_timer_by(&f->srv, later), IPC_OK);
	}
	assert_int_equal(ipc_timer_by(&f->srv, 1000), IPC_OK);
	assert_int_equal(kernel_timer.sets, 1);
	assert_int_equal(kernel_timer.deadline, 1000);
	assert_int_equal(ipc_timer_by(&f->srv, 900), IPC_OK);
	assert_int_equal(kernel_timer.sets, 2);
	assert_int_equal(kernel_timer.deadline, 900);
	/* 0 is no deadline: it would cancel the one still to come. */
	assert_int_equal(ipc_timer_by(&f->srv, 0), IPC_ERR_INVALID);
	assert_int_equal(kernel_timer.sets, 2);
	/* Fired (no handler registered: the message is still taken). */
	ipc_dispatch(&f->srv, &fired, &r);
	assert_int_equal(ipc_timer_by(&f->srv, 5000), IPC_OK);
	assert_int_equal(kernel_timer.sets, 3);
	assert_int_equal(kernel_timer.deadline, 5000);
}

/* A refused call arms nothing: the next one asks the kernel again. */
static void test_ipc_timer_by_refused_arms_nothing(void **state)
{
	struct fixture *f = *state;

	memset(&kernel_timer, 0, sizeof(kernel_timer));
	kernel_timer.rc = IPC_ERR_INVALID;
	assert_int_equal(ipc_timer_by(&f->srv, 1000), IPC_ERR_INVALID);
	kernel_timer.rc = IPC_OK;
	assert_int_equal(ipc_timer_by(&f->srv, 2000), IPC_OK);
	assert_int_equal(kernel_timer.sets, 2);
	assert_int_equal(kernel_timer.deadline, 2000);
}

/* Without a handler an event is dropped, with an IPC_OK reply. */
static void test_ipc_dispatch_events_without_handler(void **state)
{
	struct fixture *f = *state;
	struct ipc_msg timer = { { IPC_MSG_TIMER, 1000, 1003 } };
	struct ipc_msg reset = { { IPC_MSG_RESET, 2 } };
	struct ipc_reply r = { .status = 7 };

	ipc_dispatch(&f->srv, &timer, &r);
	assert_int_equal(r.status, IPC_OK);
	r.status = 7;
	ipc_dispatch(&f->srv, &reset, &r);
	assert_int_equal(r.status, IPC_OK);
	assert_int_equal(f->srv.rejected, 0);
}

static void fake_doorbell(void *ctx, uint64_t windows)
{
	(void)ctx;
	seen_bits = windows;
}

/* IPC_MSG_DOORBELL reaches its handler with the bits of this server's
 * windows only (WINDOWS of them); without a handler it is dropped. */
static void test_ipc_dispatch_doorbell_masks_unknown_windows(void **state)
{
	struct fixture *f = *state;
	struct ipc_msg bell = { { IPC_MSG_DOORBELL, 0x5 | 1ULL << WINDOWS |
							    1ULL << 63 } };
	struct ipc_reply r = { .status = 7 };

	seen_bits = 0;
	ipc_dispatch(&f->srv, &bell, &r);
	assert_int_equal(r.status, IPC_OK);
	assert_int_equal(seen_bits, 0);
	ipc_on_doorbell(&f->srv, fake_doorbell, NULL);
	ipc_dispatch(&f->srv, &bell, &r);
	assert_int_equal(seen_bits, 0x5);
	assert_int_equal(r.status, IPC_OK);
	assert_int_equal(f->srv.rejected, 0);
}

static void test_ipc_window_info_reports_table(void **state)
{
	struct fixture *f = *state;
	uint64_t size;
	uint32_t client;

	assert_int_equal(ipc_window_info(&f->srv, 1, &size, &client), IPC_OK);
	assert_int_equal(size, 0x2000);
	assert_int_equal(client, 2);
	assert_int_equal(ipc_window_info(&f->srv, WINDOWS, &size, &client),
			 IPC_ERR_INVALID);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_ipc_decode_mmio_fields),
		T(test_ipc_decode_mmio_rejects_bad_width_and_kind),
		T(test_ipc_register_mmio_one_and_duplicate),
		T(test_ipc_register_mmio_rejects_invalid),
		T(test_ipc_dispatch_read_masks_to_width),
		T(test_ipc_dispatch_write_passes_value),
		T(test_ipc_dispatch_rejects_outside_window),
		T(test_ipc_dispatch_unregistered_window_aborts),
		T(test_ipc_dispatch_handler_error_is_abort),
		T(test_ipc_dispatch_call_and_notify),
		T(test_ipc_dispatch_timer_and_reset),
		T(test_ipc_timer_by_keeps_the_earliest),
		T(test_ipc_timer_by_refused_arms_nothing),
		T(test_ipc_dispatch_events_without_handler),
		T(test_ipc_dispatch_doorbell_masks_unknown_windows),
		T(test_ipc_window_info_reports_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
