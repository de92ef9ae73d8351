/**
 * libFuzzer harness of libipc's message and argument validation
 * (ipc/ipc.h), linked with the real libipc/src/server.c: the code that turns
 * the register words the kernel delivers (x0..x5, abi/ipc.h) into handler
 * calls and replies.
 *
 * The input builds a window table (any count, sizes, clients), registers
 * handlers (any window number, IPC_WINDOW_ALL, NULL) and then delivers
 * messages whose words are arbitrary or close to valid. Checked, from the
 * header and abi/ipc.h:
 *  - the table keeps at most IPC_MAX_WINDOWS windows, as given;
 *  - ipc_register_mmio() returns what the header says and a refused
 *    registration changes nothing;
 *  - ipc_decode_mmio() accepts exactly MMIO messages of width 1, 2, 4 or 8
 *    on a window below IPC_MAX_WINDOWS and unpacks the info word;
 *  - ipc_dispatch() runs a window's handler only for an access that lies
 *    inside the window ([offset, offset + width) within its size, no
 *    wrap-around), with the fields of the message; answers everything else
 *    with IPC_ERR_ABORT counted in `rejected`; masks a read result to the
 *    width and answers a write with 0; routes calls and notifications with
 *    their words, and ignores unknown kinds.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "ipc/ipc.h"

/** Window counts to try: up to a few beyond the table. */
#define COUNT_MAX (IPC_MAX_WINDOWS + 8U)

/** What the harness's handlers saw and will answer. */
struct harness {
	struct ipc_server srv;
	uint32_t count; /**< Windows the table was built with. */
	uint64_t sizes[COUNT_MAX];
	uint32_t clients[COUNT_MAX];
	int ctx_tag[4]; /**< Distinct handler contexts. */
	/* MMIO handler. */
	uint32_t mmio_calls;
	struct ipc_mmio_access last;
	void *last_ctx;
	int mmio_rc;
	uint64_t mmio_value;
	/* Call and notify handlers. */
	uint32_t call_calls;
	uint32_t badge;
	uint64_t args[4];
	int call_rc;
	uint64_t call_result[3];
	uint32_t notify_calls;
	uint64_t bits;
};

static struct harness h;

/* The kernel call behind ipc_timer_by(), which the harness never makes
 * (tests/host/test_libipc.c tests it). */
int ipc_timer_set(uint64_t deadline)
{
	(void)deadline;
	return IPC_OK;
}

static int on_mmio(void *ctx, struct ipc_mmio_access *a)
{
	h.mmio_calls++;
	h.last = *a;
	h.last_ctx = ctx;
	/* Answer even writes: the reply of a write must still be 0. */
	a->value = h.mmio_value;
	return h.mmio_rc;
}

static int on_call(void *ctx, uint32_t badge, const uint64_t args[4],
		   uint64_t result[3])
{
	(void)ctx;
	h.call_calls++;
	h.badge = badge;
	memcpy(h.args, args, sizeof(h.args));
	memcpy(result, h.call_result, sizeof(h.call_result));
	return h.call_rc;
}

static void on_notify(void *ctx, uint64_t bits)
{
	(void)ctx;
	h.notify_calls++;
	h.bits = bits;
}

static bool width_ok(uint64_t w)
{
	return w == 1 || w == 2 || w == 4 || w == 8;
}

/** A size: mostly small, sometimes any 64-bit value. */
static uint64_t pick_size(struct fuzz_in *in)
{
	uint8_t sel = fuzz_u8(in);

	return sel == 0xff ? fuzz_u64(in) : (uint64_t)sel * 8U;
}

static void build_table(struct fuzz_in *in)
{
	uint32_t n;

	memset(&h.srv, 0xa5, sizeof(h.srv));
	h.count = fuzz_u8(in) % COUNT_MAX;
	for (uint32_t i = 0; i < h.count; i++) {
		h.sizes[i] = pick_size(in);
		h.clients[i] = fuzz_u8(in);
	}
	ipc_server_init_windows(&h.srv, h.count, h.sizes,
				fuzz_bool(in) ? h.clients : NULL);
	n = h.count > IPC_MAX_WINDOWS ? IPC_MAX_WINDOWS : h.count;
	FUZZ_CHECK(h.srv.window_count == n && h.srv.rejected == 0 &&
		       h.srv.call_fn == NULL && h.srv.notify_fn == NULL,
		   "table of %u windows: count %u", h.count,
		   h.srv.window_count);
	for (uint32_t i = 0; i < IPC_MAX_WINDOWS + 2U; i++) {
		uint64_t size = 0;
		uint32_t client = 0;
		int rc = ipc_window_info(&h.srv, i, &size, &client);

		FUZZ_CHECK(rc == (i < n ? IPC_OK : IPC_ERR_INVALID),
			   "window_info(%u) = %d", i, rc);
		FUZZ_CHECK(i >= n || (size == h.sizes[i] &&
				      h.srv.windows[i].fn == NULL),
			   "window %u size 0x%llx", i,
			   (unsigned long long)size);
	}
}

/** Expected result of ipc_register_mmio(). */
static int expected_register(uint32_t window, bool fn)
{
	const struct ipc_server *s = &h.srv;
	uint32_t first = window;
	uint32_t last = window;

	if (!fn || s->window_count == 0) {
		return IPC_ERR_INVALID;
	}
	if (window == IPC_WINDOW_ALL) {
		first = 0;
		last = s->window_count - 1;
	} else if (window >= s->window_count) {
		return IPC_ERR_INVALID;
	}
	for (uint32_t i = first; i <= last; i++) {
		if (s->windows[i].fn != NULL) {
			return IPC_ERR_EXISTS;
		}
	}
	return IPC_OK;
}

static void op_register(struct fuzz_in *in)
{
	uint8_t sel = fuzz_u8(in);
	uint8_t how = fuzz_u8(in);
	uint32_t window = sel == 0xff	? IPC_WINDOW_ALL
			  : sel == 0xfe ? fuzz_u32(in)
					: sel % COUNT_MAX;
	bool fn = (how & 0x3U) != 0;
	void *ctx = &h.ctx_tag[how % 4];
	int want = expected_register(window, fn);
	struct ipc_server before;
	int rc;

	memcpy(&before, &h.srv, sizeof(before));
	rc = ipc_register_mmio(&h.srv, window, fn ? on_mmio : NULL, ctx);
	FUZZ_CHECK(rc == want, "register window 0x%x: %d, want %d", window, rc,
		   want);
	if (rc != IPC_OK) {
		FUZZ_CHECK(memcmp(&before, &h.srv, sizeof(before)) == 0,
			   "refused registration changed the table");
		return;
	}
	for (uint32_t i = 0; i < h.srv.window_count; i++) {
		bool hit = window == IPC_WINDOW_ALL || window == i;

		FUZZ_CHECK(!hit || (h.srv.windows[i].fn == on_mmio &&
				    h.srv.windows[i].ctx == ctx),
			   "window %u not registered", i);
	}
}

/** Message words: each close to valid or arbitrary. */
static void pick_msg(struct fuzz_in *in, struct ipc_msg *msg)
{
	static const uint64_t kinds[] = {IPC_MSG_MMIO, IPC_MSG_MMIO,
					 IPC_MSG_CALL, IPC_MSG_NOTIFY};
	static const uint64_t widths[] = {1, 2, 4, 8, 0, 3, 16, 0xff};
	uint8_t sel = fuzz_u8(in);
	uint8_t info = fuzz_u8(in);

	msg->w[0] = (sel & 0x4U) ? fuzz_u64(in) : kinds[sel & 0x3U];
	msg->w[1] = (sel & 0x8U) ? fuzz_u64(in) : fuzz_u8(in) % COUNT_MAX;
	msg->w[2] = (sel & 0x10U) ? fuzz_u64(in) : fuzz_u16(in);
	if (sel & 0x20U) {
		msg->w[3] = fuzz_u64(in);
	} else {
		msg->w[3] = widths[info & 0x7U] |
			    ((info & 0x8U) ? IPC_MMIO_WRITE : 0) |
			    ((uint64_t)fuzz_u16(in) << IPC_MMIO_CLIENT_SHIFT) |
			    ((uint64_t)fuzz_u16(in) << IPC_MMIO_VCPU_SHIFT);
	}
	msg->w[4] = fuzz_u64(in);
	msg->w[5] = (sel & 0x40U) ? fuzz_u64(in) : 0;
}

/** ipc_decode_mmio() against abi/ipc.h's layout. */
static void check_decode(const struct ipc_msg *msg)
{
	uint64_t info = msg->w[3];
	uint64_t width = info & IPC_MMIO_WIDTH_MASK;
	bool write = (info & IPC_MMIO_WRITE) != 0;
	bool ok = msg->w[0] == IPC_MSG_MMIO && width_ok(width) &&
		  msg->w[1] < IPC_MAX_WINDOWS;
	struct ipc_mmio_access a;
	int rc;

	memset(&a, 0x5a, sizeof(a));
	rc = ipc_decode_mmio(msg, &a);
	FUZZ_CHECK(rc == (ok ? IPC_OK : IPC_ERR_INVALID),
		   "decode kind %llu width %llu window %llu: %d",
		   (unsigned long long)msg->w[0], (unsigned long long)width,
		   (unsigned long long)msg->w[1], rc);
	if (!ok) {
		return;
	}
	FUZZ_CHECK(a.window == msg->w[1] && a.offset == msg->w[2] &&
		       a.width == width && a.write == write &&
		       a.client == ((info >> IPC_MMIO_CLIENT_SHIFT) &
				    IPC_MMIO_CLIENT_MASK) &&
		       a.vcpu == ((info >> IPC_MMIO_VCPU_SHIFT) &
				  IPC_MMIO_VCPU_MASK) &&
		       a.value == (write ? msg->w[4] : 0),
		   "decoded fields");
}

/** True if libipc must hand the access to a handler (the header). */
static bool mmio_routed(const struct ipc_msg *msg)
{
	uint64_t width = msg->w[3] & IPC_MMIO_WIDTH_MASK;
	const struct ipc_window *w;

	if (msg->w[1] >= h.srv.window_count || !width_ok(width)) {
		return false;
	}
	w = &h.srv.windows[msg->w[1]];
	/* Inside the window, computed without a sum that could wrap. */
	return w->fn != NULL && msg->w[2] < w->size &&
	       width <= w->size - msg->w[2];
}

static void check_mmio_reply(const struct ipc_msg *msg,
			     const struct ipc_reply *r, uint32_t calls,
			     uint64_t rejected)
{
	uint64_t info = msg->w[3];
	uint64_t width = info & IPC_MMIO_WIDTH_MASK;
	bool write = (info & IPC_MMIO_WRITE) != 0;
	bool routed = mmio_routed(msg);
	bool ok = routed && h.mmio_rc == IPC_OK;
	const struct ipc_mmio_access *a = &h.last;

	FUZZ_CHECK(h.mmio_calls == calls + (routed ? 1U : 0U),
		   "window %llu offset 0x%llx width %llu: handler calls %u",
		   (unsigned long long)msg->w[1], (unsigned long long)msg->w[2],
		   (unsigned long long)width, h.mmio_calls - calls);
	FUZZ_CHECK(h.srv.rejected == rejected + (routed ? 0U : 1U),
		   "rejected count");
	FUZZ_CHECK(r->status == (uint64_t)(ok ? IPC_OK : IPC_ERR_ABORT),
		   "MMIO status %llu", (unsigned long long)r->status);
	FUZZ_CHECK(
	    r->word[0] ==
		(ok && !write ? h.mmio_value & fuzz_byte_mask(width) : 0),
	    "MMIO reply word 0x%llx", (unsigned long long)r->word[0]);
	FUZZ_CHECK(r->word[1] == 0 && r->word[2] == 0, "MMIO reply words");
	if (!routed) {
		return;
	}
	FUZZ_CHECK(a->window == msg->w[1] && a->offset == msg->w[2] &&
		       a->width == width && a->write == write &&
		       a->value == (write ? msg->w[4] : 0) &&
		       a->client == ((info >> IPC_MMIO_CLIENT_SHIFT) &
				     IPC_MMIO_CLIENT_MASK) &&
		       a->vcpu == ((info >> IPC_MMIO_VCPU_SHIFT) &
				   IPC_MMIO_VCPU_MASK) &&
		       h.last_ctx == h.srv.windows[msg->w[1]].ctx,
		   "handler saw other fields");
	FUZZ_CHECK(a->offset < h.sizes[a->window] &&
		       a->width <= h.sizes[a->window] - a->offset,
		   "handler got an access outside its window");
}

static void op_dispatch(struct fuzz_in *in)
{
	struct ipc_msg msg;
	struct ipc_reply r;
	uint32_t mmio_calls = h.mmio_calls;
	uint32_t call_calls = h.call_calls;
	uint32_t notify_calls = h.notify_calls;
	uint64_t rejected = h.srv.rejected;

	pick_msg(in, &msg);
	check_decode(&msg);
	memset(&r, 0x5a, sizeof(r));
	ipc_dispatch(&h.srv, &msg, &r);
	switch (msg.w[0]) {
	case IPC_MSG_MMIO:
		check_mmio_reply(&msg, &r, mmio_calls, rejected);
		return;
	case IPC_MSG_CALL:
		if (h.srv.call_fn == NULL) {
			FUZZ_CHECK(r.status ==
					   (uint64_t)(int64_t)IPC_ERR_INVALID &&
				       r.word[0] == 0 && r.word[1] == 0 &&
				       r.word[2] == 0,
				   "call without a handler");
			break;
		}
		FUZZ_CHECK(h.call_calls == call_calls + 1 &&
			       h.badge == (uint32_t)msg.w[1] &&
			       memcmp(h.args, &msg.w[2], sizeof(h.args)) == 0,
			   "call routed with other words");
		FUZZ_CHECK(r.status == (uint64_t)(int64_t)h.call_rc &&
			       memcmp(r.word, h.call_result, sizeof(r.word)) ==
				   0,
			   "call reply");
		break;
	case IPC_MSG_NOTIFY:
		FUZZ_CHECK(h.notify_calls ==
				   notify_calls + (h.srv.notify_fn ? 1U : 0U) &&
			       (h.srv.notify_fn == NULL || h.bits == msg.w[1]),
			   "notification");
		FUZZ_CHECK(r.status == 0 && r.word[0] == 0 && r.word[1] == 0 &&
			       r.word[2] == 0,
			   "notification reply");
		break;
	default:
		FUZZ_CHECK(r.status == 0 && r.word[0] == 0 && r.word[1] == 0 &&
			       r.word[2] == 0 && h.call_calls == call_calls &&
			       h.notify_calls == notify_calls,
			   "unknown kind %llu handled",
			   (unsigned long long)msg.w[0]);
		break;
	}
	FUZZ_CHECK(h.mmio_calls == mmio_calls && h.srv.rejected == rejected,
		   "non-MMIO message reached an MMIO handler");
}

/** Handler answers: status and value of the next accesses and calls. */
static void op_answers(struct fuzz_in *in)
{
	static const int rcs[] = {IPC_OK, IPC_OK, IPC_ERR_ABORT, -42};
	uint8_t sel = fuzz_u8(in);

	h.mmio_rc = rcs[sel & 0x3U];
	h.mmio_value = fuzz_u64(in);
	h.call_rc = (int)(int8_t)fuzz_u8(in);
	for (int i = 0; i < 3; i++) {
		h.call_result[i] = (sel & 0x4U) ? fuzz_u64(in) : 0;
	}
	ipc_on_call(&h.srv, (sel & 0x8U) ? on_call : NULL, NULL);
	ipc_on_notify(&h.srv, (sel & 0x10U) ? on_notify : NULL, NULL);
}

enum op {
	OP_REGISTER,
	OP_DISPATCH,
	OP_DISPATCH2,
	OP_DISPATCH3,
	OP_ANSWERS,
	OP_REBUILD,
	OP_COUNT,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in;

	fuzz_in_init(&in, data, size);
	memset(&h, 0, sizeof(h));
	build_table(&in);
	while (!fuzz_done(&in)) {
		switch (fuzz_u8(&in) % OP_COUNT) {
		case OP_REGISTER:
			op_register(&in);
			break;
		case OP_ANSWERS:
			op_answers(&in);
			break;
		case OP_REBUILD:
			build_table(&in);
			break;
		default:
			op_dispatch(&in);
			break;
		}
	}
	return 0;
}
