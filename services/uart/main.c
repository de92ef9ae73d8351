/**
 * The UART service: one PL011 model per emulated window, all multiplexed
 * onto the physical PL011 passed through to this partition. The device
 * logic is in pl011_model.c, the console multiplexing (output tagged per
 * VM, input switched between windows) in console.c; this file is the glue
 * to libipc:
 *
 *  - the physical UART's interrupt (UART_PHYS_INTID, owned by this
 *    partition in the scenario) arrives as a notification: received bytes
 *    go through the console's escape handling to the focus window's model;
 *  - after every change a model's interrupt line (RIS & IMSC) is mirrored
 *    into its client's virtual GIC as SPI UART_GUEST_INTID;
 *  - the physical interrupt is unmasked again only while the focus model
 *    has room, so a guest that stops reading cannot cause an interrupt storm.
 *
 * Surviving a crash. When the scenario gives the service a RAM region kept
 * across restarts (configs/common/uart_service.h), all device state (the
 * models, their line levels, the console) lives there and every access is
 * a journal transaction (ipc/journal.h): a restarted service finds the
 * state as it was before the access it died on, which the kernel sends
 * again.
 * Transmitted bytes are buffered during the access and written to the line
 * just before the commit. Without kept RAM the state starts over.
 *
 * Posted DR writes. With kept RAM, a guest's DR store completes in the
 * kernel, which appends it to the ring of the window's page (in kept RAM,
 * after the journal; ipc_window_page()); the service takes the ring in
 * batches of bytes to send, each one transaction with the count of writes
 * taken and an outbox the bytes leave from after the commit
 * (take_tx_batch), before
 * anything else of that window and when the kernel asks (IPC_MSG_POSTED:
 * before any other exit of the guest, when the ring is full, within
 * IPC_POSTED_DELAY_US). A restarted service takes what is left first.
 *
 * Built with UART_FAULT_INJECT (image "uart-faultinject"), the console
 * command Ctrl-] ! makes the service crash on purpose a few accesses later,
 * at a varying point inside an access (tests/system/test_linux.py).
 */
#include "abi/console.h"
#include "abi/hypercall.h"
#include "abi/vgic.h"
#include "ipc/ipc.h"
#include "ipc/journal.h"
#include "lib/pl011_hw.h"
#include "uart/console.h"
#include "uart/pl011_model.h"
#include "uart/uart_service.h"

void service_main(void);

/** Bump when struct uart_state changes: kept state of another layout is
 * not trusted. */
#define UART_STATE_VERSION 6ULL
#define UART_STATE_VERSION_SHIFT 32
/** A window's page (ipc_window_page): one per window. */
#define UART_PAGE_BYTES sizeof(struct ipc_window_page)
#define UART_PAGES_BYTES (IPC_MAX_WINDOWS * UART_PAGE_BYTES)
/** Bits in the masks of ipc_window_page, one per 32-bit register: FR's and
 * CR's reads are answered by the kernel from the page. */
#define UART_READS_FR (1ULL << (PL011_FR / sizeof(uint32_t)))
#define UART_READS_CR (1ULL << (PL011_CR / sizeof(uint32_t)))
#define UART_READS (UART_READS_FR | UART_READS_CR)
/** DR's: its writes are posted. */
#define UART_POSTS_DR (1ULL << (PL011_DR / sizeof(uint32_t)))
/** Bytes one access may transmit (a DR write: one). */
#define UART_TX_BUF_MAX 8U
/** Posted DR writes taken in one transaction (take_tx_batch). */
#define UART_OUTBOX_MAX 64U

/**
 * One emulated PL011 and what its client's GIC was last told. The level is
 * not journaled: a restarted service tells every GIC its line again.
 */
struct uart_window {
	struct pl011_model model;
	uint32_t posted_done;    /**< Posted writes taken (journaled). */
	bool level;
};

/**
 * The bytes of a batch of posted DR writes (take_tx_batch): written and
 * committed with the batch, sent after the commit. The header is
 * journaled; sent is not: it counts each byte sent, so that a restarted
 * service sends the rest (send_outbox) and at most the byte it died
 * sending goes out twice, as for a single access.
 */
struct uart_outbox {
	uint32_t window;
	uint32_t len;
	uint32_t sent;
	uint8_t bytes[UART_OUTBOX_MAX];
};

/** All device state: in kept RAM when there is some. */
struct uart_state {
	struct uart_window win[IPC_MAX_WINDOWS];
	struct uart_console con;
	struct uart_outbox outbox;
	/** Shared with the kernel's log (not journaled: each side writes its
	 * own word, and the kernel's must never be rolled back). */
	_Alignas(HYP_CONSOLE_LINE_ALIGN) struct hyp_console_line line;
};

_Static_assert(2 * sizeof(uint64_t) + PL011_MODEL_UNDO_BYTES +
		       2 * sizeof(uint64_t) + sizeof(struct uart_console) +
		       2 * sizeof(uint64_t) <=
	       IPC_JOURNAL_UNDO_MAX,
	       "one access's undo records (a posted one's count too) fit in "
	       "the journal");
_Static_assert(3 * 2 * sizeof(uint64_t) + PL011_MODEL_TX_UNDO_BYTES +
		       offsetof(struct uart_outbox, bytes) <=
	       IPC_JOURNAL_UNDO_MAX,
	       "a batch's undo records (count, model, outbox) fit in the "
	       "journal");

/** Where a model's transmitted bytes are collected. */
struct uart_tx_ctx {
	struct uart_service *u;
	uint32_t window;
};

/** The service: dispatch table, state and what is rebuilt at each start. */
struct uart_service {
	struct ipc_server srv;
	struct uart_state *st;
	struct ipc_journal journal;
	bool journaled;              /**< st is in kept RAM. */
	bool posts;                  /**< DR writes are posted (kept RAM). */
	bool taking;                 /**< In take_posted_slow(). */
	struct ipc_window_page *pages; /**< One per window. */
	struct uart_tx_ctx tx_ctx[IPC_MAX_WINDOWS];
	uint8_t tx_buf[UART_TX_BUF_MAX];
	uint32_t tx_len, tx_window;
	char names[IPC_MAX_WINDOWS][IPC_NAME_MAX];
	const char *name_of[IPC_MAX_WINDOWS];
	uint32_t client_of[IPC_MAX_WINDOWS];
	struct console_cfg con_cfg;
	bool several;                /**< Windows of two or more clients. */
	bool phys_masked;            /**< Physical IRQ waits for room. */
	uint32_t crash_in;           /**< Fault injection: accesses to go. */
	uint32_t crash_point;        /**< ... and where in the access. */
	uint32_t crash_seed;
};

static struct uart_service uart;
/**
 * Per window, the page the kernel answers FR and CR reads from
 * (ipc_window_page): a driver polls FR before every byte it sends, and
 * Linux's console reads CR before every line it prints (to restore it
 * after). FR changes with the receive FIFO only (the transmit FIFO is
 * always empty: pl011_model_fr), CR with a write of it (never posted), so
 * both are written again after every change of the model (publish_reads),
 * and at every start. These when the scenario keeps no RAM (then no posted writes);
 * else the pages are in kept RAM, for their rings.
 */
static struct ipc_window_page volatile_pages[IPC_MAX_WINDOWS]
	__attribute__((aligned(UART_PAGE_BYTES)));
/** The state when the scenario keeps no RAM for the service. */
static struct uart_state uart_volatile_state;

/* --- Fault injection (test images only) ---------------------------------- */

#ifdef UART_FAULT_INJECT
/* Nothing is mapped here in the service's IPA space: a store faults. */
#define UART_UNMAPPED_IPA 0x70000000UL
/* The crash comes within this many accesses of the command. */
#define UART_CRASH_WINDOW 16U
/* Points inside an access where it may crash. */
#define UART_CRASH_POINTS 2U
#define LCG_MUL 1103515245U
#define LCG_ADD 12345U
#define LCG_SHIFT 16

static void arm_crash(struct uart_service *u)
{
	u->crash_seed = u->crash_seed * LCG_MUL + LCG_ADD;
	uint32_t r = u->crash_seed >> LCG_SHIFT;

	u->crash_in = 1 + r % UART_CRASH_WINDOW;
	u->crash_point = (r / UART_CRASH_WINDOW) % UART_CRASH_POINTS;
	ipc_log("uart: fault injection: crashing within %u accesses\n",
		u->crash_in);
}

/* Crash at @p point of the access @p ahead after this one (a batch of
 * posted writes counts its bytes as they are sent: take_tx_batch). */
static void crash_point_ahead(struct uart_service *u, uint32_t ahead,
			      uint32_t point)
{
	if (u->crash_in == ahead + 1 && u->crash_point == point) {
		/* Whatever the access changed is in memory: the journal must
		 * undo it. */
		__asm__ volatile("" ::: "memory");
		*(volatile uint64_t *)UART_UNMAPPED_IPA = point;
	}
}

/* One access more has passed. */
static void crash_countdown(struct uart_service *u)
{
	if (u->crash_in > 0) {
		u->crash_in--;
	}
}
#else
static void arm_crash(struct uart_service *u)
{
	(void)u;
	ipc_log("uart: fault injection is not built into this image\n");
}

static void crash_point_ahead(struct uart_service *u, uint32_t ahead,
			      uint32_t point)
{
	(void)u;
	(void)ahead;
	(void)point;
}

static void crash_countdown(struct uart_service *u)
{
	(void)u;
}
#endif

/* Crash points: the access has begun; the model has changed (in a batch of
 * posted writes: a byte of it has been sent, take_tx_batch). */
#define CRASH_BEFORE_MODEL 0U
#define CRASH_AFTER_MODEL 1U

static void crash_point(struct uart_service *u, uint32_t point)
{
	crash_point_ahead(u, 0, point);
}

/* --- Transactions --------------------------------------------------------- */

/*
 * @p obj is about to change. Every journaled transaction saves at most one
 * model and the console, which fit (static assertion above), so this
 * cannot fail.
 */
static void txn_save(struct uart_service *u, const void *obj, size_t len)
{
	if (u->journaled) {
		(void)ipc_journal_begin(&u->journal, obj, len);
	}
}

/* Window @p w's model is about to change (see PL011_MODEL_UNDO_BYTES). */
static void txn_begin(struct uart_service *u, uint32_t w)
{
	txn_save(u, &u->st->win[w].model, PL011_MODEL_UNDO_BYTES);
}

static void put_phys(void *ctx, const char *s, uint32_t len)
{
	(void)ctx;
	pl011_write(UART_PHYS_IPA, s, len);
}

/* Transmit what the access produced; the last step before the commit. */
static void flush_tx(struct uart_service *u)
{
	if (u->tx_len == 0) {
		return;
	}
	/* Not journaled: the console's output state follows the screen,
	 * which no rollback undoes (a byte sent again is on it twice). */
	console_output(&u->st->con, &u->con_cfg, u->tx_window, u->tx_buf,
		       u->tx_len);
	u->tx_len = 0;
}

static void txn_commit(struct uart_service *u)
{
	flush_tx(u);
	if (u->journaled) {
		ipc_journal_commit(&u->journal);
	}
}

static void tx_byte(void *ctx, uint8_t byte)
{
	struct uart_tx_ctx *t = ctx;
	struct uart_service *u = t->u;

	/* One access transmits from one window, and a byte at most. */
	if (__builtin_expect(u->tx_len != 0, 0) &&
	    (u->tx_len == UART_TX_BUF_MAX || u->tx_window != t->window)) {
		flush_tx(u);
	}
	u->tx_window = t->window;
	u->tx_buf[u->tx_len++] = byte;
}

/* --- Interrupt lines ------------------------------------------------------ */

/* Window @p w's FR and CR where the kernel answers their reads from: after
 * a change of its model (a DR read pops the receive FIFO, a write may set
 * CR), before the reply or the interrupt. */
static void publish_reads(const struct uart_service *u, uint32_t w)
{
	const struct pl011_model *m = &u->st->win[w].model;

	u->pages[w].reads[PL011_FR / sizeof(uint32_t)] = pl011_model_fr(m);
	u->pages[w].reads[PL011_CR / sizeof(uint32_t)] = pl011_model_cr(m);
}

/* Mirror window @p w's interrupt line into its client's virtual GIC. */
static void update_line(struct uart_service *u, uint32_t w, bool force)
{
	struct uart_window *win = &u->st->win[w];
	bool level = pl011_model_irq_level(&win->model);

	if (level == win->level && !force) {
		return;
	}
	win->level = level;
	ipc_irq_level(u->client_of[w], UART_GUEST_INTID, level);
}

/* Unmask the physical interrupt once the focus model has room again. */
static void rearm_phys(struct uart_service *u)
{
	if (u->phys_masked &&
	    pl011_model_rx_space(&u->st->win[u->st->con.focus].model) > 0) {
		u->phys_masked = false;
		ipc_irq_ack(UART_PHYS_INTID);
	}
}

/* --- Console input ---------------------------------------------------------- */

static void say_focus(const struct uart_service *u)
{
	uint32_t f = u->st->con.focus;

	ipc_log("uart: console input goes to '%s' (window %u of %u; "
		"Ctrl-] ? for help)\n", u->name_of[f], f + 1, u->srv.window_count);
}

static void say_help(const struct uart_service *u)
{
	ipc_log("uart: Ctrl-] then: 1..%u input to that window, n next, "
		"Ctrl-] a literal Ctrl-]\n", u->srv.window_count);
	for (uint32_t w = 0; w < u->srv.window_count; w++) {
		ipc_log("uart:   window %u: '%s'%s\n", w + 1, u->name_of[w],
			w == u->st->con.focus ? " (input)" : "");
	}
}

/* One typed byte, as its own transaction. */
static void take_input(struct uart_service *u, uint8_t c)
{
	uint32_t f = u->st->con.focus;
	uint8_t deliver;

	txn_begin(u, f);
	txn_save(u, &u->st->con, sizeof(u->st->con));
	enum console_action act = console_input(&u->st->con, &u->con_cfg, c, &deliver);

	if (act == CONSOLE_DELIVER) {
		pl011_model_rx(&u->st->win[f].model, deliver);
		publish_reads(u, f);
		update_line(u, f, false);
	}
	txn_commit(u);
	if (act == CONSOLE_FOCUS) {
		say_focus(u);
	} else if (act == CONSOLE_HELP) {
		say_help(u);
	} else if (act == CONSOLE_CRASH) {
		arm_crash(u);
	}
}

/* Move what the physical UART received into the focus window's model. */
static __attribute__((noinline)) void pull_rx_slow(struct uart_service *u)
{
	while (pl011_rx_ready(UART_PHYS_IPA) &&
	       pl011_model_rx_space(&u->st->win[u->st->con.focus].model) > 0) {
		int c = pl011_getc(UART_PHYS_IPA);

		if (c < 0) {
			break;
		}
		take_input(u, (uint8_t)c);
	}
}

static inline void pull_rx(struct uart_service *u)
{
	if (pl011_rx_ready(UART_PHYS_IPA)) {
		pull_rx_slow(u);
	}
}

/* --- Handlers ------------------------------------------------------------- */

static uint64_t reg_of(uint64_t offset)
{
	return offset & ~(uint64_t)(sizeof(uint32_t) - 1);
}

/* Registers whose value depends on what has been received. */
static bool reads_rx_state(uint64_t offset)
{
	uint64_t reg = reg_of(offset);

	return reg == PL011_DR || reg == PL011_FR || reg == PL011_RIS ||
	       reg == PL011_MIS;
}

/* Registers whose value a DR write can change (TXRIS: pl011_model.c):
 * RIS and MIS, side by side. */
static bool reads_tx_state(uint64_t offset)
{
	_Static_assert(PL011_MIS == PL011_RIS + sizeof(uint32_t),
		       "RIS and MIS are neighbours");
	return reg_of(offset) - PL011_RIS <= sizeof(uint32_t);
}

/* Only writes and DR reads (which pop the FIFO) change a model. */
static bool changes_model(const struct ipc_mmio_access *a)
{
	return a->write || reg_of(a->offset) == PL011_DR;
}

/* Is @p a a DR write that window @p w's model transmits? */
static bool transmits(const struct uart_service *u, uint32_t w,
		      const struct ipc_mmio_access *a)
{
	return a->offset == PL011_DR && a->width <= sizeof(uint32_t) &&
	       pl011_model_transmits(&u->st->win[w].model);
}

/*
 * Fast path, the slow twin being the rest of uart_mmio(): a DR write that
 * the model transmits, one console byte, the commonest access. Guards,
 * then the slow path's steps in its order (crash points included), minus
 * the register lookup and the TX buffer. It changes only the model's
 * first PL011_MODEL_TX_UNDO_BYTES (tx_count, RIS), so its transaction
 * saves those 16 bytes, not the model's scalar part.
 */
static bool uart_tx_fp(struct uart_service *u, uint32_t w,
		       const struct ipc_mmio_access *a)
{
	struct pl011_model *m = &u->st->win[w].model;

	/* Guards (the width is 1, 2, 4 or 8: ipc_serve_mmio checked it). */
	if (!a->write || !transmits(u, w, a)) {
		return false;
	}
	/* Point of no return. */
	txn_save(u, m, PL011_MODEL_TX_UNDO_BYTES);
	crash_point(u, CRASH_BEFORE_MODEL);
	uint8_t byte = pl011_model_tx(m, (uint32_t)a->value);

	crash_point(u, CRASH_AFTER_MODEL);
	update_line(u, w, false);
	/* As flush_tx(): the byte leaves just before the commit. */
	console_output(&u->st->con, &u->con_cfg, w, &byte, 1);
	if (u->journaled) {
		ipc_journal_commit(&u->journal);
	}
	crash_countdown(u);
	if (w == u->st->con.focus) {
		rearm_phys(u);
	}
	return true;
}

/*
 * Fast path, the slow twin being the rest of uart_mmio(): a 32-bit FR
 * read, what a driver polls before each byte. It changes no model, so it
 * has no transaction; input is pulled first, as for any read of the
 * receive state.
 */
static bool uart_fr_fp(struct uart_service *u, uint32_t w,
		       struct ipc_mmio_access *a)
{
	bool focus = w == u->st->con.focus;

	/* Guards. */
	if (a->write || a->offset != PL011_FR || a->width != sizeof(uint32_t)) {
		return false;
	}
	/* Point of no return. */
	if (focus) {
		pull_rx(u);
	}
	a->value = pl011_model_fr(&u->st->win[w].model);
	crash_countdown(u);
	if (focus) {
		rearm_phys(u);
	}
	return true;
}

static void take_posted(struct uart_service *u, uint32_t w);

/* Everything of a window comes after its posted writes. */
static int uart_mmio(void *ctx, struct ipc_mmio_access *a)
{
	struct uart_service *u = ctx;
	uint32_t w = a->window;
	struct pl011_model *m = &u->st->win[w].model;
	bool focus = w == u->st->con.focus;
	uint32_t value = 0;
	int rc;

	/* Posted DR writes first where they matter: before a write (a DR
	 * write comes as a message only when the ring is full) and a read
	 * of the transmit interrupt's state; other reads commute with them. */
	if (a->write || reads_tx_state(a->offset)) {
		take_posted(u, w);
	}
	if (uart_tx_fp(u, w, a) || uart_fr_fp(u, w, a)) {
		return IPC_OK;
	}
	/* PL011 registers are at most 32 bits wide. */
	if (a->width > sizeof(uint32_t)) {
		return IPC_ERR_ABORT;
	}
	if (focus && !a->write && reads_rx_state(a->offset)) {
		pull_rx(u);
	}
	bool changes = changes_model(a);

	if (changes) {
		txn_begin(u, w);
	}
	crash_point(u, CRASH_BEFORE_MODEL);
	if (a->write) {
		rc = pl011_model_write(m, a->offset, a->width, (uint32_t)a->value);
	} else {
		rc = pl011_model_read(m, a->offset, a->width, &value);
		a->value = value;
	}
	crash_point(u, CRASH_AFTER_MODEL);
	if (changes) {
		/* A DR read pops the receive FIFO (a DR write, the fast path,
		 * changes no FR: the transmit FIFO is always empty). */
		publish_reads(u, w);
		update_line(u, w, false);
		txn_commit(u);
	}
	crash_countdown(u);
	if (focus) {
		rearm_phys(u);
	}
	return rc == 0 ? IPC_OK : IPC_ERR_ABORT;
}

/* Send what the outbox holds beyond sent, counting each byte. */
static void send_outbox(struct uart_service *u)
{
	struct uart_outbox *ob = &u->st->outbox;

	while (ob->sent < ob->len) {
		console_output(&u->st->con, &u->con_cfg, ob->window,
			       &ob->bytes[ob->sent], 1);
		ipc_journal_barrier();
		ob->sent++;
		ipc_journal_barrier();
		crash_point(u, CRASH_AFTER_MODEL);
		crash_countdown(u);
	}
}

/*
 * Take up to UART_OUTBOX_MAX of window @p w's posted writes that transmit
 * a byte, as one transaction: the count taken, the model and the outbox
 * holding their bytes commit together, and the bytes leave after the
 * commit (send_outbox). A crash before the commit rolls the batch back and
 * sends nothing; one after it leaves the outbox for the restarted service.
 * Returns how many it took. The journal's work and the switch to the
 * service are paid once per batch, not per byte (issue 14).
 */
static uint32_t take_tx_batch(struct uart_service *u, uint32_t w)
{
	struct uart_window *win = &u->st->win[w];
	struct uart_outbox *ob = &u->st->outbox;
	struct ipc_mmio_access a;
	uint32_t n = 0;

	/* bytes[] is not journaled: a batch begins with the last one sent
	 * (sent == len), so rolling its header back sends nothing again. */
	while (n < UART_OUTBOX_MAX &&
	       ipc_posted_next(&u->pages[w], win->posted_done + n, w,
			       u->client_of[w], &a) &&
	       transmits(u, w, &a)) {
		if (n == 0) {
			txn_save(u, &win->posted_done, sizeof(win->posted_done));
			txn_save(u, &win->model, PL011_MODEL_TX_UNDO_BYTES);
			txn_save(u, ob, offsetof(struct uart_outbox, bytes));
		}
		crash_point_ahead(u, n, CRASH_BEFORE_MODEL);
		ob->bytes[n++] = pl011_model_tx(&win->model, (uint32_t)a.value);
	}
	if (n == 0) {
		return 0;
	}
	win->posted_done += n;
	ob->window = w;
	ob->len = n;
	ob->sent = 0;
	update_line(u, w, false);
	txn_commit(u);
	send_outbox(u);
	/* Only now: the kernel lets the guest's other exits (a power-off,
	 * its own log lines) go on once cons reaches prod, and the bytes
	 * must be out by then. A restart sets cons from posted_done. */
	ipc_posted_release(&u->pages[w], win->posted_done);
	if (w == u->st->con.focus) {
		rearm_phys(u);
	}
	return n;
}

/*
 * Take window @p w's posted DR writes, in order: batches of bytes to send
 * (take_tx_batch), and any other write as an access of its own, one
 * transaction with the count of writes taken. A restart neither repeats
 * nor loses one (but for a byte sent just before a crash, as for any
 * access).
 */
static __attribute__((noinline)) void take_posted_slow(struct uart_service *u,
							uint32_t w)
{
	struct uart_window *win = &u->st->win[w];
	struct ipc_mmio_access a;

	u->taking = true;
	for (;;) {
		if (take_tx_batch(u, w) != 0) {
			continue;
		}
		if (!ipc_posted_next(&u->pages[w], win->posted_done, w,
				     u->client_of[w], &a)) {
			break;
		}
		txn_save(u, &win->posted_done, sizeof(win->posted_done));
		win->posted_done++;
		(void)uart_mmio(u, &a);
		txn_commit(u);
		ipc_posted_release(&u->pages[w], win->posted_done);
	}
	u->taking = false;
}

static inline void take_posted(struct uart_service *u, uint32_t w)
{
	if (u->posts && !u->taking &&
	    u->pages[w].prod != u->st->win[w].posted_done) {
		take_posted_slow(u, w);
	}
}

static void uart_posted(void *ctx, uint32_t w)
{
	take_posted(ctx, w);
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
	rearm_phys(u);
}

/*
 * Client VM @p client reset (IPC_MSG_RESET, before it runs again): its
 * PL011s go back to their reset values, their interrupt line with them.
 * One transaction each: a crash in it is rolled back and the kernel tells
 * the restarted service again.
 */
static void uart_client_reset(void *ctx, uint32_t client)
{
	struct uart_service *u = ctx;

	for (uint32_t w = 0; w < u->srv.window_count; w++) {
		if (u->client_of[w] != client) {
			continue;
		}
		/* Written before the reset: printed, then the reset. */
		take_posted(u, w);
		txn_begin(u, w);
		pl011_model_init(&u->st->win[w].model, tx_byte, &u->tx_ctx[w]);
		publish_reads(u, w);
		update_line(u, w, false);
		txn_commit(u);
	}
	/* The focus window may have room for input again. */
	rearm_phys(u);
}

static int uart_call(void *ctx, uint32_t badge, const uint64_t args[4],
		     uint64_t result[3])
{
	struct uart_service *u = ctx;
	uint32_t w = (uint32_t)args[1];

	if (args[0] != UART_CALL_TX_COUNT || args[1] >= u->srv.window_count) {
		return IPC_ERR_INVALID;
	}
	/* A client may only ask about its own UART. */
	if (u->client_of[w] != badge) {
		return IPC_ERR_DENIED;
	}
	result[0] = u->st->win[w].model.tx_count;
	return IPC_OK;
}

/* --- Start ---------------------------------------------------------------- */

/*
 * Find the state: kept RAM or fresh memory. Returns true if it holds the
 * devices as they were before a restart.
 */
static bool open_state(struct uart_service *u, const struct ipc_self *self)
{
	uint64_t layout = UART_STATE_VERSION << UART_STATE_VERSION_SHIFT |
			  sizeof(struct uart_state);
	uintptr_t end = (uintptr_t)self->kept + self->kept_size;
	uintptr_t pages = (end - UART_PAGES_BYTES) & ~(UART_PAGE_BYTES - 1);
	bool room = self->kept_size > UART_PAGES_BYTES &&
		    pages > (uintptr_t)self->kept;
	enum ipc_journal_found found =
		room ? ipc_journal_open(&u->journal, self->kept,
					pages - (uintptr_t)self->kept,
					sizeof(struct uart_state), layout)
		     : IPC_JOURNAL_TOO_SMALL;

	u->journaled = found != IPC_JOURNAL_TOO_SMALL;
	u->posts = u->journaled;
	u->pages = u->posts ? (struct ipc_window_page *)pages : volatile_pages;
	u->st = u->journaled ? (struct uart_state *)u->journal.state
			     : &uart_volatile_state;
	bool kept = found == IPC_JOURNAL_KEPT || found == IPC_JOURNAL_ROLLED_BACK;

	if (self->restarts == 0) {
		return false;
	}
	if (kept) {
		ipc_log("uart: restart %u: device state kept%s\n", self->restarts,
			found == IPC_JOURNAL_ROLLED_BACK
				? " (the unfinished access was rolled back)" : "");
	} else {
		ipc_log("uart: restart %u: no kept state, devices reset\n",
			self->restarts);
	}
	return kept;
}

/*
 * Share the console line with the kernel's log (abi/console.h), so that
 * neither leaves the other's text at the start of a line.
 */
static bool share_line(struct hyp_console_line *line)
{
	uint64_t in[IPC_MSG_WORDS] = { HYP_CALL_CONSOLE_LINE,
				       (uint64_t)(uintptr_t)line };
	uint64_t out[IPC_MSG_WORDS];

	/* Stage 1 is off in a service: a pointer is an IPA. */
	ipc_kernel_call(in, out);
	if ((int64_t)out[0] != SMCCC_SUCCESS) {
		ipc_log("uart: the kernel does not share its console line (%lld): "
			"its lines may follow a guest's on one line\n",
			(long long)(int64_t)out[0]);
		return false;
	}
	return true;
}

/* Windows: reset fresh ones, check kept ones, tell each GIC its line. */
static void init_windows(struct uart_service *u, bool fresh)
{
	struct uart_state *st = u->st;

	if (fresh || !console_valid(&st->con, u->srv.window_count)) {
		console_init(&st->con);
	}
	for (uint32_t w = 0; w < u->srv.window_count; w++) {
		struct pl011_model *m = &st->win[w].model;
		uint64_t size;

		u->tx_ctx[w] = (struct uart_tx_ctx){ .u = u, .window = w };
		if (fresh || !pl011_model_valid(m)) {
			pl011_model_init(m, tx_byte, &u->tx_ctx[w]);
		}
		m->tx = tx_byte;
		m->tx_ctx = &u->tx_ctx[w];
		(void)ipc_window_info(&u->srv, w, &size, &u->client_of[w]);
		(void)ipc_client_name(w, u->names[w]);
		u->name_of[w] = u->names[w];
		/* The kernel kept the guest's interrupt as it was: resync it. */
		if (!fresh) {
			update_line(u, w, true);
		}
		/* The ring from where the count of writes taken says (fresh
		 * devices: what it holds is for the devices that were). */
		if (fresh) {
			st->win[w].posted_done = u->pages[w].prod;
		}
		u->pages[w].cons = st->win[w].posted_done;
	}
	u->several = console_several_clients(u->client_of, u->srv.window_count);
	u->con_cfg = (struct console_cfg){
		.windows = u->srv.window_count,
		.names = u->name_of,
		.put = put_phys,
		.put_ctx = u,
		.line = share_line(&st->line) ? &st->line : NULL,
	};
	/* Kept state: the kernel must know whether our line is unfinished. */
	st->line.open = st->con.out_open ? st->line.seq + 1 : 0;
	/* The bytes of a batch the last instance committed but did not
	 * finish sending, before anything newer. */
	struct uart_outbox *ob = &st->outbox;

	if (fresh || ob->window >= u->srv.window_count ||
	    ob->len > UART_OUTBOX_MAX || ob->sent > ob->len) {
		*ob = (struct uart_outbox){ 0 };
	}
	if (ob->sent < ob->len) {
		ipc_log("uart: sending the last %u byte(s) of a batch of %u\n",
			ob->len - ob->sent, ob->len);
	}
	send_outbox(u);
	for (uint32_t w = 0; w < u->srv.window_count; w++) {
		/* What the last instance left, before the ring starts over. */
		take_posted(u, w);
		publish_reads(u, w);
		/* A PL011 takes byte and halfword reads: any width. */
		(void)ipc_window_page(w, &u->pages[w], UART_READS, 1,
				      u->posts ? UART_POSTS_DR : 0);
		/* A write of the CR it holds changes nothing in the model:
		 * Linux's console writes CR twice per line, as it holds it. */
		(void)ipc_window_quiet(w, UART_READS_CR);
	}
}

void service_main(void)
{
	struct uart_service *u = &uart;
	struct ipc_self self = { 0 };

	if (ipc_server_init(&u->srv) != IPC_OK || ipc_self_info(&self) != IPC_OK) {
		ipc_log("uart: cannot read the window table\n");
		return;
	}
	if (u->srv.window_count == 0 ||
	    ipc_register_mmio(&u->srv, IPC_WINDOW_ALL, uart_mmio, u) != IPC_OK) {
		ipc_log("uart: no window to serve\n");
		return;
	}
	init_windows(u, !open_state(u, &self));
	u->crash_seed = self.restarts;
	ipc_on_call(&u->srv, uart_call, u);
	ipc_on_notify(&u->srv, uart_notified, u);
	ipc_on_client_reset(&u->srv, uart_client_reset, u);
	ipc_on_posted(&u->srv, uart_posted, u);
	pl011_enable_rx_irq(UART_PHYS_IPA);
	if (self.restarts == 0) {
		ipc_log("uart: serving %u PL011 window(s)%s%s\n",
			u->srv.window_count,
			u->journaled ? ", state kept across restarts" : "",
			u->several ? ", output tagged per VM" : "");
		if (u->several) {
			say_focus(u);
		}
	}
	ipc_serve(&u->srv);
}
