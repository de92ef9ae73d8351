/** libipc's kernel calls: `hvc #0` per abi/ipc.h. */
#include <stdarg.h>
#include <string.h>

#include "abi/vgic.h"
#include "ipc/ipc.h"
#include "lib/fmt.h"

void ipc_kernel_call(const uint64_t in[IPC_MSG_WORDS], uint64_t out[IPC_MSG_WORDS])
{
	register uint64_t x0 __asm__("x0") = in[0];
	register uint64_t x1 __asm__("x1") = in[1];
	register uint64_t x2 __asm__("x2") = in[2];
	register uint64_t x3 __asm__("x3") = in[3];
	register uint64_t x4 __asm__("x4") = in[4];
	register uint64_t x5 __asm__("x5") = in[5];

	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4),
			   "+r"(x5)
			 :
			 : "memory");
	out[0] = x0;
	out[1] = x1;
	out[2] = x2;
	out[3] = x3;
	out[4] = x4;
	out[5] = x5;
}

void ipc_sys_recv(struct ipc_msg *msg)
{
	uint64_t in[IPC_MSG_WORDS] = { HYP_IPC_RECV };

	ipc_kernel_call(in, msg->w);
}

void ipc_sys_reply_recv(const struct ipc_reply *reply, struct ipc_msg *msg)
{
	uint64_t in[IPC_MSG_WORDS] = { HYP_IPC_REPLY_RECV, reply->status,
				       reply->word[0], reply->word[1],
				       reply->word[2] };

	ipc_kernel_call(in, msg->w);
}

int ipc_server_init(struct ipc_server *srv)
{
	uint64_t in[IPC_MSG_WORDS] = { HYP_IPC_WINDOW_COUNT };
	uint64_t out[IPC_MSG_WORDS];
	uint64_t sizes[IPC_MAX_WINDOWS];
	uint32_t clients[IPC_MAX_WINDOWS];
	uint64_t shadows[IPC_MAX_WINDOWS];

	ipc_kernel_call(in, out);
	if ((int64_t)out[0] < 0) {
		return (int)(int64_t)out[0];
	}
	uint32_t count = out[0] > IPC_MAX_WINDOWS ? IPC_MAX_WINDOWS
						  : (uint32_t)out[0];

	for (uint32_t i = 0; i < count; i++) {
		uint64_t q[IPC_MSG_WORDS] = { HYP_IPC_WINDOW_INFO, i };

		ipc_kernel_call(q, out);
		sizes[i] = out[0] == IPC_OK ? out[1] : 0;
		clients[i] = (uint32_t)out[2];
		shadows[i] = out[0] == IPC_OK ? out[4] : 0;
	}
	ipc_server_init_windows(srv, count, sizes, clients);
	for (uint32_t i = 0; i < srv->window_count; i++) {
		srv->windows[i].shadow = shadows[i];
	}
	return IPC_OK;
}

/*
 * The main loop keeps the message in x0..x5 from one REPLY_RECV to the
 * next: an MMIO access is checked and handed to its window's handler
 * without going through memory; anything else takes ipc_dispatch().
 */
_Noreturn void ipc_serve(struct ipc_server *srv)
{
	uint64_t fid = HYP_IPC_RECV, status = IPC_OK;
	uint64_t r0 = 0, r1 = 0, r2 = 0;

	for (;;) {
		register uint64_t x0 __asm__("x0") = fid;
		register uint64_t x1 __asm__("x1") = status;
		register uint64_t x2 __asm__("x2") = r0;
		register uint64_t x3 __asm__("x3") = r1;
		register uint64_t x4 __asm__("x4") = r2;
		register uint64_t x5 __asm__("x5");

		__asm__ volatile("hvc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3),
				   "+r"(x4), "=r"(x5)
				 :
				 : "memory");
		fid = HYP_IPC_REPLY_RECV;
		r1 = r2 = 0;
		if (x0 == IPC_MSG_MMIO) {
			struct ipc_mmio_access a;

			status = ipc_serve_mmio(srv, x1, x2, x3, x4, &a);
			r0 = a.write ? 0 : a.value;
			continue;
		}
		struct ipc_msg msg = { { x0, x1, x2, x3, x4, x5 } };
		struct ipc_reply reply;

		ipc_dispatch(srv, &msg, &reply);
		status = reply.status;
		r0 = reply.word[0];
		r1 = reply.word[1];
		r2 = reply.word[2];
	}
}

int64_t ipc_call(uint32_t endpoint, const uint64_t args[4], uint64_t result[3])
{
	uint64_t in[IPC_MSG_WORDS] = { HYP_IPC_CALL, endpoint, args[0],
				       args[1], args[2], args[3] };
	uint64_t out[IPC_MSG_WORDS];

	ipc_kernel_call(in, out);
	for (int i = 0; i < 3; i++) {
		result[i] = out[1 + i];
	}
	return (int64_t)out[0];
}

static int window_page(uint32_t window, uintptr_t page, uint64_t reads,
		       unsigned narrowest, uint64_t posted)
{
	/* Stage 1 is off in a service: a pointer is an IPA. */
	uint64_t in[IPC_MSG_WORDS] = { HYP_IPC_WINDOW_READS, window, page,
				       reads, narrowest, posted };
	uint64_t out[IPC_MSG_WORDS];

	ipc_kernel_call(in, out);
	return (int)(int64_t)out[0];
}

int ipc_window_reads(uint32_t window, volatile uint32_t *page, uint64_t mask,
		     unsigned narrowest)
{
	return window_page(window, (uintptr_t)page, mask, narrowest, 0);
}

int ipc_window_page(uint32_t window, struct ipc_window_page *page,
		    uint64_t reads, unsigned narrowest, uint64_t posted)
{
	return window_page(window, (uintptr_t)page, reads, narrowest, posted);
}

int ipc_window_quiet(uint32_t window, uint64_t mask)
{
	uint64_t in[IPC_MSG_WORDS] = { HYP_IPC_WINDOW_QUIET, window, mask };
	uint64_t out[IPC_MSG_WORDS];

	ipc_kernel_call(in, out);
	return (int)(int64_t)out[0];
}

int64_t ipc_notify(uint32_t endpoint, uint64_t bits)
{
	uint64_t in[IPC_MSG_WORDS] = { HYP_IPC_NOTIFY, endpoint, bits };
	uint64_t out[IPC_MSG_WORDS];

	ipc_kernel_call(in, out);
	return (int64_t)out[0];
}

int64_t ipc_irq_level(uint32_t client, uint32_t intid, bool raised)
{
	uint64_t in[IPC_MSG_WORDS] = { HYP_IRQ_LEVEL, client, intid, raised };
	uint64_t out[IPC_MSG_WORDS];

	ipc_kernel_call(in, out);
	return (int64_t)out[0];
}

int ipc_window_isr(uint32_t window, uint64_t status, uint64_t ack)
{
	uint64_t in[IPC_MSG_WORDS] = { HYP_IPC_WINDOW_ISR, window, status, ack };
	uint64_t out[IPC_MSG_WORDS];

	ipc_kernel_call(in, out);
	return (int)(int64_t)out[0];
}

int ipc_window_doorbell(uint32_t window, uint64_t offset)
{
	uint64_t in[IPC_MSG_WORDS] = { HYP_IPC_WINDOW_DOORBELL, window, offset };
	uint64_t out[IPC_MSG_WORDS];

	ipc_kernel_call(in, out);
	return (int)(int64_t)out[0];
}

int ipc_isr_update(uint32_t window, uint32_t set, uint32_t clear,
		   uint32_t *now)
{
	uint64_t in[IPC_MSG_WORDS] = { HYP_IPC_ISR_UPDATE, window, set, clear };
	uint64_t out[IPC_MSG_WORDS];

	ipc_kernel_call(in, out);
	*now = (uint32_t)out[1];
	return (int)(int64_t)out[0];
}

int64_t ipc_irq_ack(uint32_t intid)
{
	uint64_t in[IPC_MSG_WORDS] = { HYP_IRQ_ACK, intid };
	uint64_t out[IPC_MSG_WORDS];

	ipc_kernel_call(in, out);
	return (int64_t)out[0];
}

int ipc_self_info(struct ipc_self *self)
{
	uint64_t in[IPC_MSG_WORDS] = { HYP_IPC_SELF_INFO };
	uint64_t out[IPC_MSG_WORDS];

	ipc_kernel_call(in, out);
	if (out[0] != IPC_OK) {
		return (int)(int64_t)out[0];
	}
	/* Stage 1 is off in a service: an IPA is its address. */
	*self = (struct ipc_self){
		.restarts = (uint32_t)out[1],
		.kept = out[3] != 0 ? (void *)(uintptr_t)out[2] : NULL,
		.kept_size = out[3],
	};
	return IPC_OK;
}

int ipc_grant_info(uint32_t index, struct ipc_grant *g)
{
	uint64_t in[IPC_MSG_WORDS] = { HYP_IPC_GRANT_INFO, index };
	uint64_t out[IPC_MSG_WORDS];

	ipc_kernel_call(in, out);
	if (out[0] != IPC_OK) {
		return (int)(int64_t)out[0];
	}
	*g = (struct ipc_grant){
		.ipa = out[1],
		.size = out[2],
		.client = (uint32_t)out[3],
		.client_ipa = out[4],
	};
	return IPC_OK;
}

int ipc_translate(uint64_t ipa, uint64_t len, uint64_t *pa)
{
	uint64_t in[IPC_MSG_WORDS] = { HYP_IPC_TRANSLATE, ipa, len };
	uint64_t out[IPC_MSG_WORDS];

	ipc_kernel_call(in, out);
	if (out[0] != IPC_OK) {
		return (int)(int64_t)out[0];
	}
	*pa = out[1];
	return IPC_OK;
}

int ipc_client_name(uint32_t window, char name[IPC_NAME_MAX])
{
	uint64_t in[IPC_MSG_WORDS] = { HYP_IPC_CLIENT_NAME, window };
	uint64_t out[IPC_MSG_WORDS];

	_Static_assert(IPC_NAME_MAX == IPC_NAME_WORDS * sizeof(uint64_t),
		       "the name fills the result words");
	ipc_kernel_call(in, out);
	if (out[0] != IPC_OK) {
		name[0] = '\0';
		return (int)(int64_t)out[0];
	}
	memcpy(name, &out[1], IPC_NAME_MAX);
	name[IPC_NAME_MAX - 1] = '\0';
	return IPC_OK;
}

_Noreturn void ipc_fault(uint64_t esr, uint64_t elr, uint64_t far)
{
	uint64_t in[IPC_MSG_WORDS] = { HYP_IPC_FAULT, esr, elr, far };
	uint64_t out[IPC_MSG_WORDS];

	for (;;) {
		ipc_kernel_call(in, out);
	}
}

#define LOG_LINE_MAX 128

/** Line buffer of ipc_log (one service vCPU: no locking). */
static struct {
	char buf[LOG_LINE_MAX];
	uint32_t len;
} log_line;

static void log_flush(void)
{
	uint64_t in[IPC_MSG_WORDS] = { HYP_CALL_CONSOLE_WRITE,
				       (uint64_t)(uintptr_t)log_line.buf,
				       log_line.len };
	uint64_t out[IPC_MSG_WORDS];

	/* Stage 1 is off in a service: a pointer is an IPA. */
	ipc_kernel_call(in, out);
	log_line.len = 0;
}

static void log_putc(void *ctx, char c)
{
	(void)ctx;
	log_line.buf[log_line.len++] = c;
	if (c == '\n' || log_line.len == LOG_LINE_MAX) {
		log_flush();
	}
}

int ipc_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = fmt_vprintf(log_putc, NULL, fmt, ap);

	va_end(ap);
	return n;
}
