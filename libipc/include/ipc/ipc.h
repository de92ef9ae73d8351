#pragma once
/**
 * libipc: what a device service is written against.
 *
 * A service registers a handler per emulated MMIO window (or one for all of
 * them), optionally a notification and a call handler, and hands control to
 * ipc_serve(). The kernel forwards each guest load/store on a window as one
 * access; the handler fills in the value of a read and returns IPC_OK, or
 * IPC_ERR_ABORT to give the guest an external abort. A whole service:
 *
 *     static int uart_mmio(void *ctx, struct ipc_mmio_access *a) { ... }
 *
 *     void service_main(void)
 *     {
 *             static struct ipc_server srv;
 *
 *             ipc_server_init(&srv);
 *             ipc_register_mmio(&srv, IPC_WINDOW_ALL, uart_mmio, &state);
 *             ipc_serve(&srv);
 *     }
 *
 * Windows are numbered 0..n-1 by the kernel in scenario order (every window
 * of every client that names this service); ipc_window_info() tells a
 * window's size and client VM. No kernel change is needed for a new service.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi/ipc.h"

#define IPC_MAX_WINDOWS 64
/** Register one handler for every window. */
#define IPC_WINDOW_ALL UINT32_MAX

/* libipc's own errors (the kernel's are in abi/ipc.h). */
#define IPC_ERR_EXISTS HYP_RET_EXISTS /**< A handler is already registered there. */

/** One guest access, as the handler sees it. */
struct ipc_mmio_access {
	uint32_t window;   /**< Window id. */
	uint32_t client;   /**< VM id of the guest that made the access. */
	uint32_t vcpu;     /**< Its vCPU (banked registers, e.g. a GIC). */
	uint64_t offset;   /**< Byte offset inside the window. */
	uint8_t width;     /**< 1, 2, 4 or 8 bytes. */
	bool write;
	uint64_t value;    /**< Write: the data. Read: set by the handler. */
};

/** Returns IPC_OK, or IPC_ERR_ABORT for an access the device refuses. */
typedef int (*ipc_mmio_fn)(void *ctx, struct ipc_mmio_access *access);
/** Notification bits raised since the last delivery (e.g. an IRQ). */
typedef void (*ipc_notify_fn)(void *ctx, uint64_t bits);
/** HYP_IPC_CALL from @p badge (caller VM id): 4 argument words in, up to 3
 * result words out; the return value is the call's status. */
typedef int (*ipc_call_fn)(void *ctx, uint32_t badge, const uint64_t args[4],
			   uint64_t result[3]);

/**
 * IPC_MSG_TIMER: the deadline set with ipc_timer_set() (@p deadline) passed;
 * @p now is CNTVCT_EL0 when the message was delivered (>= @p deadline).
 */
typedef void (*ipc_timer_fn)(void *ctx, uint64_t deadline, uint64_t now);
/** IPC_MSG_RESET: client VM @p client reset; its devices go back to their
 * reset values before it runs again. */
typedef void (*ipc_reset_fn)(void *ctx, uint32_t client);
/** IPC_MSG_POSTED: take window @p window's posted writes now (the client
 * waits for the reply; ipc_posted_next()). */
typedef void (*ipc_posted_fn)(void *ctx, uint32_t window);
/** IPC_MSG_DOORBELL: the doorbells of the windows in @p windows (bit i:
 * window i) rang since the last such message (ipc_window_doorbell()). */
typedef void (*ipc_doorbell_fn)(void *ctx, uint64_t windows);

/** One registered window. */
struct ipc_window {
	ipc_mmio_fn fn;
	void *ctx;
	uint64_t size;
	uint32_t client;
	uint64_t shadow; /**< Its register shadow page's IPA here, or 0. */
};

/** A service's dispatch table. */
struct ipc_server {
	struct ipc_window windows[IPC_MAX_WINDOWS];
	uint32_t window_count;
	ipc_notify_fn notify_fn;
	void *notify_ctx;
	ipc_call_fn call_fn;
	void *call_ctx;
	ipc_timer_fn timer_fn;
	void *timer_ctx;
	ipc_reset_fn reset_fn;
	void *reset_ctx;
	ipc_posted_fn posted_fn;
	void *posted_ctx;
	ipc_doorbell_fn doorbell_fn;
	void *doorbell_ctx;
	/** The deadline ipc_timer_by() armed, 0 once its message came. */
	uint64_t timer_at;
	uint64_t rejected;   /**< Accesses answered with an abort by libipc. */
};

/** A message as received in registers x0..x5. */
struct ipc_msg {
	uint64_t w[IPC_MSG_WORDS];
};

/** A reply as passed in registers x1..x4 of REPLY_RECV. */
struct ipc_reply {
	uint64_t status;
	uint64_t word[3];
};

/** Ask the kernel which windows this service emulates. */
int ipc_server_init(struct ipc_server *srv);

/** Same, from a known window table (host tests; kernel-less setups). */
void ipc_server_init_windows(struct ipc_server *srv, uint32_t count,
			     const uint64_t *sizes, const uint32_t *clients);

/**
 * Handle @p window (or IPC_WINDOW_ALL) with @p fn. Returns IPC_OK,
 * IPC_ERR_INVALID (no such window, no windows at all, NULL fn) or
 * IPC_ERR_EXISTS (a window already has a handler; nothing changed).
 */
int ipc_register_mmio(struct ipc_server *srv, uint32_t window, ipc_mmio_fn fn,
		      void *ctx);

void ipc_on_notify(struct ipc_server *srv, ipc_notify_fn fn, void *ctx);
void ipc_on_call(struct ipc_server *srv, ipc_call_fn fn, void *ctx);
/** Handler of IPC_MSG_TIMER (without one, the message is dropped). */
void ipc_on_timer(struct ipc_server *srv, ipc_timer_fn fn, void *ctx);
/** Handler of IPC_MSG_RESET (without one, the message is dropped). */
void ipc_on_client_reset(struct ipc_server *srv, ipc_reset_fn fn, void *ctx);
/** Handler of IPC_MSG_POSTED (a service that posts writes must have one). */
void ipc_on_posted(struct ipc_server *srv, ipc_posted_fn fn, void *ctx);
/** Handler of IPC_MSG_DOORBELL (a service that declares doorbells must
 * have one; bits of windows this server does not know are dropped). */
void ipc_on_doorbell(struct ipc_server *srv, ipc_doorbell_fn fn, void *ctx);

/** Size and client VM of a window known to the server. */
int ipc_window_info(const struct ipc_server *srv, uint32_t window,
		    uint64_t *size, uint32_t *client);

/** Where this service sees @p window's register shadow page (the
 * scenario's cfg_device.shadow_ipa, HYP_IPC_WINDOW_INFO x4), or 0: none. */
uint64_t ipc_window_shadow(const struct ipc_server *srv, uint32_t window);

/**
 * Let the kernel answer reads of @p window's registers named in @p mask
 * (bit i: the 32-bit register at offset 4 * i, i < IPC_READS_REGS) from
 * word i of @p page, a 4 KiB-aligned page of this service's RAM, with no
 * message (HYP_IPC_WINDOW_READS): a driver polling a status register then
 * costs one trap, not a round trip to the service. Name only registers
 * whose reads have no side effect, and write each new value to the page
 * before replying to what changed it or signalling it. Loads narrower
 * than @p narrowest bytes (0 or 1: none; 4: all but whole words) still
 * come as messages, for a device that refuses them: what the kernel
 * answers is always what the service would have. A restart forgets it:
 * call it again at start. @p mask 0 stops it. Returns IPC_OK or
 * IPC_ERR_INVALID.
 */
int ipc_window_reads(uint32_t window, volatile uint32_t *page, uint64_t mask,
		     unsigned narrowest);

/**
 * As ipc_window_reads(), with @p page a struct ipc_window_page (abi/ipc.h),
 * and also *posted writes*: a store of at most 32 bits within a register
 * named in @p posted completes in the kernel, which appends it to the
 * page's ring and sends nothing. The service must take the ring
 * (ipc_posted_next(), in order) before it serves anything of the window
 * that depends on those writes, and when IPC_MSG_POSTED asks (ipc_on_posted()); name only
 * registers whose writes answer nothing but what later accesses show. The
 * ring must be empty (take it first: after a restart it may hold writes the
 * last instance did not take). Keep the page in RAM kept across restarts,
 * or writes in it are lost with a crash.
 */
int ipc_window_page(uint32_t window, struct ipc_window_page *page,
		    uint64_t reads, unsigned narrowest, uint64_t posted);

/**
 * HYP_IPC_WINDOW_QUIET: of the registers the kernel answers reads of from
 * the window's page (ipc_window_reads() or ipc_window_page(), called
 * first; none posted), those in @p mask (bit i: offset 4 * i) are *quiet*:
 * a client's store at such a register's first byte whose value,
 * zero-extended, is the page's word completes in
 * the kernel with no message. Name only a register that a write of the
 * value it holds leaves as it is, with no other effect (a control register
 * read back as written). A restart forgets it. Returns IPC_OK or
 * IPC_ERR_INVALID.
 */
int ipc_window_quiet(uint32_t window, uint64_t mask);

/**
 * The posted write after the first @p done of @p page's ring, as an access
 * of window @p window by client @p client; false once none is left. @p done
 * counts what the service took (it may keep it in journaled state); tell
 * the kernel with ipc_posted_release() after each.
 */
bool ipc_posted_next(const struct ipc_window_page *page, uint32_t done,
		     uint32_t window, uint32_t client,
		     struct ipc_mmio_access *a);

/** The first @p done writes of @p page's ring are taken: slots free. */
void ipc_posted_release(struct ipc_window_page *page, uint32_t done);

/**
 * Decode a received MMIO message. Returns IPC_OK, or IPC_ERR_INVALID if it
 * is not an MMIO message or its width is not 1, 2, 4 or 8.
 */
int ipc_decode_mmio(const struct ipc_msg *msg, struct ipc_mmio_access *out);

/**
 * Check an MMIO access (window id, offset, info word and value as they
 * arrive in x1..x4) against the window table and run its handler. Returns
 * IPC_OK with @p a->value the (width-masked) read result, or IPC_ERR_ABORT.
 */
uint64_t ipc_serve_mmio(struct ipc_server *srv, uint64_t window,
			uint64_t offset, uint64_t info, uint64_t value,
			struct ipc_mmio_access *a);

/** Route one received message to its handler and build the reply. */
void ipc_dispatch(struct ipc_server *srv, const struct ipc_msg *msg,
		  struct ipc_reply *reply);

/** The service's main loop: receive, dispatch, reply-and-receive. */
_Noreturn void ipc_serve(struct ipc_server *srv);

/* Kernel calls (sys.c). */

/**
 * Any kernel call: function ID and arguments in @p in (x0..x5), results
 * (x0..x5) in @p out. The wrappers below use it; so may a service for calls
 * libipc has no wrapper for (e.g. the vgic service's HYP_VGIC_*).
 */
void ipc_kernel_call(const uint64_t in[IPC_MSG_WORDS], uint64_t out[IPC_MSG_WORDS]);
void ipc_sys_recv(struct ipc_msg *msg);
void ipc_sys_reply_recv(const struct ipc_reply *reply, struct ipc_msg *msg);
/** HYP_IPC_CALL: returns the status; @p result gets up to 3 words. */
int64_t ipc_call(uint32_t endpoint, const uint64_t args[4], uint64_t result[3]);
/** HYP_IPC_NOTIFY. */
int64_t ipc_notify(uint32_t endpoint, uint64_t bits);
/**
 * Set the level of interrupt @p intid (an SPI) of client VM @p client:
 * raised, the kernel makes it pending in the guest's virtual GIC; lowered,
 * a pending (not yet taken) one is withdrawn. Only the SPI that a window
 * this service serves for @p client names (cfg_device.irq, rule D9).
 * Returns IPC_OK, IPC_ERR_DENIED (not that window's SPI, not a client)
 * or IPC_ERR_INVALID (a number out of range).
 */
int64_t ipc_irq_level(uint32_t client, uint32_t intid, bool raised);
/**
 * Give the kernel @p window's interrupt status register (HYP_IPC_WINDOW_ISR,
 * write 1 to clear): the 32-bit word at byte @p status of the window's
 * register shadow page, which a client's aligned 32-bit store to @p ack of
 * the window acknowledges in the trap, with no message; the window's
 * interrupt line is asserted while the word is not 0. From then on change
 * the word only with ipc_isr_update(), never in the page. A restart gives
 * the register back: call it again at start (the word stays in the page).
 * @p status = @p ack = IPC_ISR_NONE gives it back now. Returns IPC_OK or
 * IPC_ERR_INVALID (no shadow page or no interrupt, a bad offset).
 */
int ipc_window_isr(uint32_t window, uint64_t status, uint64_t ack);
/**
 * Clear @p clear, then set @p set, in @p window's kept status register
 * (ipc_window_isr()); the line follows. @p now gets the word after the
 * change. Returns IPC_OK or IPC_ERR_INVALID (not kept).
 */
int ipc_isr_update(uint32_t window, uint32_t set, uint32_t clear,
		   uint32_t *now);

/**
 * Make the register at byte @p offset of @p window a doorbell
 * (HYP_IPC_WINDOW_DOORBELL): while this service waits for work and another
 * CPU idles, a client's aligned 32-bit store there completes in the trap,
 * its value dropped, and this service receives IPC_MSG_DOORBELL
 * (ipc_on_doorbell()) on that CPU while the client goes on; otherwise the
 * store is an ordinary access. For a register whose store only asks the
 * device to look at memory again (virtio's QueueNotify). @p offset =
 * IPC_DOORBELL_NONE makes stores messages again; so does a restart.
 * Returns IPC_OK or IPC_ERR_INVALID (no shadow page, a bad offset).
 */
int ipc_window_doorbell(uint32_t window, uint64_t offset);

/** A physical interrupt this service owns (delivered as notification bit
 * IRQ_NOTIFY_BIT(intid), masked meanwhile) is handled: unmask it. */
int64_t ipc_irq_ack(uint32_t intid);

/*
 * Time (timer.c). The counter is CNTVCT_EL0, which the kernel runs with
 * CNTVOFF_EL2 = 0: a service reads the physical counter, the same one
 * every partition reads. See libipc/README.md.
 */

/** CNTVCT_EL0, read in program order (ISB first). */
uint64_t ipc_now(void);
/** CNTFRQ_EL0: ticks of ipc_now() per second. */
uint64_t ipc_ticks_per_sec(void);
/**
 * HYP_IPC_TIMER_SET: receive one IPC_MSG_TIMER (ipc_on_timer) at or after
 * ipc_now() reaches @p deadline (one in the past fires at once). One timer
 * per service: this replaces the previous deadline, and a fired one not yet
 * received is dropped. 0 cancels. A restart of the service cancels it.
 * Returns IPC_OK, or IPC_ERR_INVALID if the caller is not a service.
 */
int ipc_timer_set(uint64_t deadline);
/** ipc_timer_set(0): no IPC_MSG_TIMER until the next ipc_timer_set(). */
int ipc_timer_cancel(void);
/**
 * The one timer shared by several purposes: an IPC_MSG_TIMER comes by
 * @p deadline (non-zero) at the latest, and an earlier deadline asked since
 * the last message stays (ipc_timer_set() alone would push it back: one
 * client's later deadline would delay another's work for as long as it
 * keeps asking). So the handler (ipc_on_timer) must do whatever is due by
 * then, not only what the last call was for. Use it or ipc_timer_set(),
 * not both. Returns what ipc_timer_set() does; IPC_OK if nothing changed;
 * IPC_ERR_INVALID for @p deadline 0 (it cancels nothing: the timer stays).
 */
int ipc_timer_by(struct ipc_server *srv, uint64_t deadline);

/** What the kernel tells a service about itself. */
struct ipc_self {
	uint32_t restarts;   /**< Times it was restarted after a fault. */
	void *kept;          /**< Its RAM kept across restarts, or NULL. */
	uint64_t kept_size;
};

/** HYP_IPC_SELF_INFO. Returns IPC_OK, or IPC_ERR_INVALID (not a service). */
int ipc_self_info(struct ipc_self *self);

/** RAM of a client VM granted to this service by the scenario. */
struct ipc_grant {
	uint64_t ipa;        /**< Where this service sees it. */
	uint64_t size;       /**< Bytes. */
	uint32_t client;     /**< Client VM id (as ipc_mmio_access.client). */
	uint64_t client_ipa; /**< Its base in the client's IPA space. */
};

/**
 * HYP_IPC_GRANT_INFO: grant @p index (0..n-1, the order of the service's
 * grants in the scenario). Returns IPC_OK, or IPC_ERR_INVALID (no such
 * grant, or not a service).
 */
int ipc_grant_info(uint32_t index, struct ipc_grant *g);

/**
 * HYP_IPC_TRANSLATE: the PA of [@p ipa, +@p len), a range of this service's
 * RAM or of one grant (ipc_grant_info()), in *@p pa: what a device this
 * service drives needs for DMA (there is no IOMMU; see libipc/README.md).
 * The range is physically contiguous, and a client's memory in it is made
 * ready for the device to write (zeroed now if the client never touched
 * it): give the device addresses inside the range asked only.
 * Returns IPC_OK, or IPC_ERR_INVALID (@p len 0, or the range not inside one
 * RAM region or grant).
 */
int ipc_translate(uint64_t ipa, uint64_t len, uint64_t *pa);

/** Bytes of a client VM name, with its NUL. */
#define IPC_NAME_MAX 32

/**
 * Name of the client VM of @p window (HYP_IPC_CLIENT_NAME), NUL
 * terminated. Returns IPC_OK or IPC_ERR_INVALID (no such window).
 */
int ipc_client_name(uint32_t window, char name[IPC_NAME_MAX]);

/** Report a fault in this service; the kernel stops it. */
_Noreturn void ipc_fault(uint64_t esr, uint64_t elr, uint64_t far);

/** printf to the debug console, line buffered ("[service] ..."). */
int ipc_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
