/**
 * libipc dispatch: window registration and message routing. Pure C with no
 * kernel calls, host-tested in tests/host/test_libipc.c.
 */
#include "ipc/ipc.h"

static bool width_ok(uint64_t w)
{
	return w == 1 || w == 2 || w == 4 || w == 8;
}

void ipc_server_init_windows(struct ipc_server *srv, uint32_t count,
			     const uint64_t *sizes, const uint32_t *clients)
{
	*srv = (struct ipc_server){ 0 };
	srv->window_count = count > IPC_MAX_WINDOWS ? IPC_MAX_WINDOWS : count;
	for (uint32_t i = 0; i < srv->window_count; i++) {
		srv->windows[i].size = sizes[i];
		srv->windows[i].client = clients ? clients[i] : 0;
	}
}

int ipc_register_mmio(struct ipc_server *srv, uint32_t window, ipc_mmio_fn fn,
		      void *ctx)
{
	uint32_t first = window, last = window;

	if (fn == NULL || srv->window_count == 0) {
		return IPC_ERR_INVALID;
	}
	if (window == IPC_WINDOW_ALL) {
		first = 0;
		last = srv->window_count - 1;
	} else if (window >= srv->window_count) {
		return IPC_ERR_INVALID;
	}
	/* Check everything first: a refused registration changes nothing. */
	for (uint32_t i = first; i <= last; i++) {
		if (srv->windows[i].fn != NULL) {
			return IPC_ERR_EXISTS;
		}
	}
	for (uint32_t i = first; i <= last; i++) {
		srv->windows[i].fn = fn;
		srv->windows[i].ctx = ctx;
	}
	return IPC_OK;
}

void ipc_on_notify(struct ipc_server *srv, ipc_notify_fn fn, void *ctx)
{
	srv->notify_fn = fn;
	srv->notify_ctx = ctx;
}

void ipc_on_call(struct ipc_server *srv, ipc_call_fn fn, void *ctx)
{
	srv->call_fn = fn;
	srv->call_ctx = ctx;
}

void ipc_on_timer(struct ipc_server *srv, ipc_timer_fn fn, void *ctx)
{
	srv->timer_fn = fn;
	srv->timer_ctx = ctx;
}

int ipc_timer_by(struct ipc_server *srv, uint64_t deadline)
{
	/* 0 would cancel the timer another purpose may still wait for. */
	if (deadline == 0) {
		return IPC_ERR_INVALID;
	}
	if (srv->timer_at != 0 && srv->timer_at <= deadline) {
		return IPC_OK;
	}
	int rc = ipc_timer_set(deadline);

	/* Refused: nothing armed, so the next call must try again. */
	srv->timer_at = rc == IPC_OK ? deadline : 0;
	return rc;
}

void ipc_on_client_reset(struct ipc_server *srv, ipc_reset_fn fn, void *ctx)
{
	srv->reset_fn = fn;
	srv->reset_ctx = ctx;
}

void ipc_on_posted(struct ipc_server *srv, ipc_posted_fn fn, void *ctx)
{
	srv->posted_fn = fn;
	srv->posted_ctx = ctx;
}

void ipc_on_doorbell(struct ipc_server *srv, ipc_doorbell_fn fn, void *ctx)
{
	srv->doorbell_fn = fn;
	srv->doorbell_ctx = ctx;
}

int ipc_window_info(const struct ipc_server *srv, uint32_t window,
		    uint64_t *size, uint32_t *client)
{
	if (window >= srv->window_count) {
		return IPC_ERR_INVALID;
	}
	*size = srv->windows[window].size;
	*client = srv->windows[window].client;
	return IPC_OK;
}

uint64_t ipc_window_shadow(const struct ipc_server *srv, uint32_t window)
{
	return window < srv->window_count ? srv->windows[window].shadow : 0;
}

int ipc_decode_mmio(const struct ipc_msg *msg, struct ipc_mmio_access *out)
{
	uint64_t info = msg->w[3];
	uint64_t width = info & IPC_MMIO_WIDTH_MASK;

	if (msg->w[0] != IPC_MSG_MMIO || !width_ok(width) ||
	    msg->w[1] >= IPC_MAX_WINDOWS) {
		return IPC_ERR_INVALID;
	}
	*out = (struct ipc_mmio_access){
		.window = (uint32_t)msg->w[1],
		.client = (uint32_t)((info >> IPC_MMIO_CLIENT_SHIFT) &
				     IPC_MMIO_CLIENT_MASK),
		.vcpu = (uint32_t)((info >> IPC_MMIO_VCPU_SHIFT) & IPC_MMIO_VCPU_MASK),
		.offset = msg->w[2],
		.width = (uint8_t)width,
		.write = (info & IPC_MMIO_WRITE) != 0,
		.value = (info & IPC_MMIO_WRITE) ? msg->w[4] : 0,
	};
	return IPC_OK;
}

static uint64_t width_mask(uint8_t width)
{
	return width == 8 ? UINT64_MAX : (1ULL << (width * 8)) - 1;
}

uint64_t ipc_serve_mmio(struct ipc_server *srv, uint64_t window,
			uint64_t offset, uint64_t info, uint64_t value,
			struct ipc_mmio_access *a)
{
	uint64_t width = info & IPC_MMIO_WIDTH_MASK;
	const struct ipc_window *w;

	a->write = (info & IPC_MMIO_WRITE) != 0;
	if (window >= srv->window_count || !width_ok(width) ||
	    (w = &srv->windows[window])->fn == NULL || offset >= w->size ||
	    w->size - offset < width) {
		srv->rejected++;
		a->value = 0;
		return IPC_ERR_ABORT;
	}
	a->window = (uint32_t)window;
	a->client = (uint32_t)((info >> IPC_MMIO_CLIENT_SHIFT) & IPC_MMIO_CLIENT_MASK);
	a->vcpu = (uint32_t)((info >> IPC_MMIO_VCPU_SHIFT) & IPC_MMIO_VCPU_MASK);
	a->offset = offset;
	a->width = (uint8_t)width;
	a->value = a->write ? value : 0;
	if (w->fn(w->ctx, a) != IPC_OK) {
		a->value = 0;
		return IPC_ERR_ABORT;
	}
	/* Never hand the guest more bits than it asked for (a write's value
	 * goes back to no one: ipc_serve() answers 0). */
	if (!a->write) {
		a->value &= width_mask(a->width);
	}
	return IPC_OK;
}

static void dispatch_mmio(struct ipc_server *srv, const struct ipc_msg *msg,
			  struct ipc_reply *reply)
{
	struct ipc_mmio_access a;

	reply->status = ipc_serve_mmio(srv, msg->w[1], msg->w[2], msg->w[3],
				       msg->w[4], &a);
	reply->word[0] = a.write ? 0 : a.value;
}

static void dispatch_call(struct ipc_server *srv, const struct ipc_msg *msg,
			  struct ipc_reply *reply)
{
	if (srv->call_fn == NULL) {
		reply->status = (uint64_t)(int64_t)IPC_ERR_INVALID;
		return;
	}
	int rc = srv->call_fn(srv->call_ctx, (uint32_t)msg->w[1], &msg->w[2],
			      reply->word);

	reply->status = (uint64_t)(int64_t)rc;
}

/* A bit for each window of @p srv (bit i: window i). */
static uint64_t known_windows(const struct ipc_server *srv)
{
	return srv->window_count >= 64 ? UINT64_MAX
				       : (1ULL << srv->window_count) - 1;
}

void ipc_dispatch(struct ipc_server *srv, const struct ipc_msg *msg,
		  struct ipc_reply *reply)
{
	*reply = (struct ipc_reply){ 0 };
	switch (msg->w[0]) {
	case IPC_MSG_MMIO:
		dispatch_mmio(srv, msg, reply);
		break;
	case IPC_MSG_CALL:
		dispatch_call(srv, msg, reply);
		break;
	case IPC_MSG_NOTIFY:
		if (srv->notify_fn != NULL) {
			srv->notify_fn(srv->notify_ctx, msg->w[1]);
		}
		break;
	case IPC_MSG_TIMER:
		/* Fired: the kernel's timer is free again (ipc_timer_by). */
		srv->timer_at = 0;
		if (srv->timer_fn != NULL) {
			srv->timer_fn(srv->timer_ctx, msg->w[1], msg->w[2]);
		}
		break;
	case IPC_MSG_RESET:
		if (srv->reset_fn != NULL) {
			srv->reset_fn(srv->reset_ctx, (uint32_t)msg->w[1]);
		}
		break;
	case IPC_MSG_POSTED:
		if (srv->posted_fn != NULL && msg->w[1] < srv->window_count) {
			srv->posted_fn(srv->posted_ctx, (uint32_t)msg->w[1]);
		}
		break;
	case IPC_MSG_DOORBELL:
		if (srv->doorbell_fn != NULL) {
			srv->doorbell_fn(srv->doorbell_ctx,
					 msg->w[1] & known_windows(srv));
		}
		break;
	default:
		/* Unknown kind (or an error code from the kernel): nothing to
		 * answer; the reply goes to no caller. */
		break;
	}
}
