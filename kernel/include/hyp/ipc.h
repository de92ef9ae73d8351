#pragma once
/**
 * Fast synchronous IPC (abi/ipc.h for the register ABI).
 *
 * Each service partition owns one endpoint. A sender (a guest vCPU whose
 * MMIO access the kernel forwards, or a partition issuing HYP_IPC_CALL) is
 * handed straight to the service's waiting vCPU: the kernel copies the
 * message into the service's registers and switches to it directly, without
 * a scheduler pass. The reply (HYP_IPC_REPLY_RECV) completes the sender and
 * switches straight back. Senders arriving while the service is busy queue
 * in FIFO order; notifications are a word of bits OR-ed in and delivered
 * before queued messages, after events (timer, client reset:
 * hyp/service_event.h).
 *
 * Locking: every function runs under the kernel lock (hyp/klock.h), with
 * interrupts masked. A sender and the service may be on different CPUs:
 * the side that completes a message wakes the other through
 * sched_wake(), which kicks the CPU that runs it.
 */
#include <stdbool.h>
#include <stdint.h>

#include "abi/ipc.h"
#include "hyp/addr.h"
#include "hyp/config.h"

struct vcpu;
struct vm;
struct endpoint;

#define EP_MAX_WINDOWS (CFG_MAX_VMS * CFG_MAX_DEVICES)

/** An emulated MMIO window of a client VM, served by one endpoint. */
struct mmio_window {
	const char *name;
	ipaddr_t base;
	uint64_t size;
	struct vm *client;
	struct endpoint *ep;
	uint16_t id;            /**< Index in the endpoint's window table. */
	bool kernel_sgir;       /**< GICD_SGIR writes: vgic_sgir_write();
				   also: the VM's GIC distributor window. */
	uint8_t reads_min_bytes; /**< Narrower served loads go to the service. */
	uint32_t irq;           /**< Guest SPI its service drives, or 0. */
	uint32_t posted_mask;   /**< Registers whose writes are posted in
				   the ring of reads_pa (hyp/posted.h). */
	uint32_t posted_prod;   /**< The ring's prod (the kernel's copy). */
	uint64_t shadow_ipa;    /**< Its register shadow in the service, or 0. */
	paddr_t shadow_pa;      /**< That page (when shadow_ipa is not 0). */
	bool isr_kept;          /**< The kernel keeps a status register of the
				   shadow page (HYP_IPC_WINDOW_ISR): */
	uint16_t isr_status;    /**< its byte offset in the page, */
	uint16_t isr_ack;       /**< and its acknowledge register's. */
	bool has_doorbell;      /**< Stores to doorbell ring it
				   (HYP_IPC_WINDOW_DOORBELL). */
	uint16_t doorbell;      /**< That register's byte offset. */
	uint64_t reads_mask;    /**< Registers read from reads_pa: bit i,
				   offset 4 * i (HYP_IPC_WINDOW_READS). */
	uint64_t quiet_mask;    /**< Of those, the ones a store of what the
				   page holds leaves alone (window_quiet.c). */
	paddr_t reads_pa;       /**< A page of the service's RAM: struct
				   ipc_window_page. */
};

/** The endpoint of a service partition. */
struct endpoint {
	struct vm *service;
	struct vcpu *receiver;  /**< Service vCPU waiting in RECV, or NULL. */
	struct vcpu *caller;    /**< Sender whose message is being served. */
	uint64_t deadline;      /**< Physical counter by which the service,
				   given work (a message, a notification, its
				   start), must be waiting again
				   (IPC_REPLY_TIMEOUT_MS). */
	uint64_t timeout_ticks; /**< IPC_REPLY_TIMEOUT_MS in counter ticks. */
	struct vcpu *queue_head; /**< Senders waiting, linked by queue_next. */
	uint64_t notify_bits;
	uint64_t doorbells;     /**< Windows whose doorbell rang, bit = id
				   (IPC_MSG_DOORBELL not yet told). */
	uint64_t doorbells_told; /**< Those of the message being handled
				   (told again if the service dies on it). */
	/* Events for the service (hyp/service_event.h). */
	uint64_t timer_at;      /**< HYP_IPC_TIMER_SET deadline, 0: none. */
	uint64_t timer_fired;   /**< The deadline that fired, to be told. */
	uint32_t events;        /**< Not yet told: SERVICE_EVENT_TIMER and
				   SERVICE_EVENT_RESET(client VM id). */
	uint32_t resets_told;   /**< Reset bit of the message being handled
				   (told again if the service dies on it). */
	struct mmio_window *windows[EP_MAX_WINDOWS];
	uint32_t window_count;
};

/** Window @p id (a service's number for it) of @p ep, or NULL. */
static inline struct mmio_window *ep_window(const struct endpoint *ep,
					    uint64_t id)
{
	return id < ep->window_count ? ep->windows[id] : NULL;
}

/**
 * How long a service may run on work it was given (a message, a
 * notification, its start) before waiting for more. A service still busy
 * then is treated like a faulted one: reported and restarted from its
 * image (hyp/service.h says what becomes of its messages). So a
 * service stuck in a loop, with or without a request, cannot hold a CPU.
 */
#define IPC_REPLY_TIMEOUT_MS 1000
#define IPC_MS_PER_S 1000

/**
 * The service of @p ep was given work at @p now (the physical counter; no
 * barrier needed for a 1 s bound): it must be waiting again by then.
 */
static inline void ipc_begin_work(struct endpoint *ep, uint64_t now)
{
	ep->deadline = now + ep->timeout_ticks;
}

/** @p caller's message is now being served by @p ep (ipc_begin_work). */
static inline void ipc_begin_request(struct endpoint *ep, struct vcpu *caller,
				     uint64_t now)
{
	ep->caller = caller;
	ipc_begin_work(ep, now);
}

/** Prepare an endpoint for @p service. */
void ipc_endpoint_init(struct endpoint *ep, struct vm *service);

/**
 * Send the message in @p sender->ipc.msg to @p ep and wait for the reply.
 * Returns the vCPU to run: the service (direct switch) when it was waiting.
 */
struct vcpu *ipc_send(struct vcpu *sender, struct endpoint *ep);

/** HYP_IPC_RECV from a service vCPU (ipc_hypercall() checked that). */
struct vcpu *ipc_recv(struct vcpu *service);

/** HYP_IPC_REPLY_RECV from a service vCPU; any other gets IPC_ERR_INVALID
 * (the fast path's slow twin, reached from any partition). */
struct vcpu *ipc_reply_recv(struct vcpu *service);

/** HYP_IPC_CALL from any partition; checks that it may use the endpoint
 * its x1 names. */
struct vcpu *ipc_call(struct vcpu *caller);

/** Raise @p bits on @p ep; wakes a waiting service (no switch). */
void ipc_notify(struct endpoint *ep, uint64_t bits);

/** If @p ep's service waits in RECV and has something to take (an event,
 * a notification), hand it over and wake the service (no switch). */
void ipc_wake_receiver(struct endpoint *ep);

/** HYP_IPC_NOTIFY from a partition (x1 = endpoint, x2 = bits). */
struct vcpu *ipc_notify_call(struct vcpu *caller);

/**
 * Take @p v out of any IPC it waits in (its VM is being reset or stopped):
 * unqueued, or forgotten as the caller being served.
 */
void ipc_cancel(struct vcpu *v);

/** The service of @p ep stops or restarts: reads go to it as messages, and
 * acknowledges of a status register it gave the kernel too (the word stays
 * in the page). */
void ipc_forget_reads(struct endpoint *ep);

/**
 * Complete sender @p s, whose message failed or was answered with
 * @p status and (calls) @p result (NULL: zeros); an MMIO access finishes
 * or aborts. Wakes it on its CPU.
 */
void ipc_complete(struct vcpu *s, uint64_t status, const uint64_t *result);

/** HYP_IPC_* calls; false if @p fid is not one. A guest making one that
 * only a service may make gets its error (abi/ipc.h) from here. */
bool ipc_hypercall(struct vcpu *vcpu, uint32_t fid, struct vcpu **next);
