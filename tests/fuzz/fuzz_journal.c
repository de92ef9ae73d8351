/**
 * libFuzzer harness of libipc's undo journal (ipc/journal.h) as the UART
 * service uses it (services/uart/main.c), linked with the real
 * libipc/src/journal.c and services/uart/pl011_model.c.
 *
 * The first input byte picks one of two parts (bit 0).
 *
 * Part 1, untrusted kept memory: whatever a restarted service finds in its
 * kept RAM goes to ipc_journal_open(). Decoded: flags, the memory size
 * (around the header size), the state size (or a huge one), the layout tag,
 * the header fields the flags do not set to a trusted value, then the undo
 * area (records built from the input, with an undo_used off by a signed
 * byte, or raw bytes) and the state bytes (input, then a fixed pattern).
 * The memory is a heap buffer of exactly that size, so ASan catches any
 * access outside it. An independent oracle (its own record parser; each
 * byte takes the value of the oldest record covering it) predicts:
 *  - the result is one of the enum values, TOO_SMALL exactly when the
 *    memory cannot hold header + state, and then nothing is written;
 *  - FRESH exactly for a foreign header or a malformed undo area: state all
 *    zero, magic/layout/size set, undo_used and rollbacks 0;
 *  - KEPT exactly for a trusted header with undo_used 0: nothing written;
 *  - ROLLED_BACK otherwise: undo_used 0, rollbacks + 1, every state byte
 *    the oracle's, so only bytes covered by the records changed;
 *  - nothing past header + state is ever written, and a second open right
 *    after gives KEPT and changes nothing.
 *
 * Part 2, crash consistency: a state like the UART service's (a few
 * struct pl011_model and a small console-like struct, all in kept memory)
 * in two copies: the service under test and a twin that never crashes.
 * Bit 1 of the first byte makes output tagged: the console struct then
 * changes with every transmitted byte, as console_output() does. Then a
 * sequence of operations, each an opcode byte (bit 7: a crash spec
 * follows) and its arguments: guest register writes and reads of a window
 * (pl011_model_write/read), typed bytes (a console-like input step, then
 * pl011_model_rx() to the focus window) singly or in bursts, DR drains and
 * focus changes. Every access or typed byte is one transaction run exactly
 * as main.c runs it: ipc_journal_begin() of the model's first
 * PL011_MODEL_UNDO_BYTES (and of the console when it changes), the change,
 * transmitted bytes buffered in volatile memory and put on the "line" just
 * before ipc_journal_commit(). A crash spec stops the service at one of
 * enum crash_point (before the begin, before the change, after part of the
 * model's stores, after the change, after the console changed for the
 * output, after the bytes went out) and reopens the journal over the same
 * memory, as the restarted service does; then the access is replayed, as
 * the kernel does. Checked:
 *  - the reopen finds KEPT when no transaction was open, else ROLLED_BACK,
 *    undo_used 0 and the rollback count; every model passes
 *    pl011_model_valid();
 *  - after the reopen, byte for byte the state before the transaction: the
 *    console, each model's first PL011_MODEL_UNDO_BYTES and its live FIFO
 *    entries (rx_head .. rx_head + rx_count). Free FIFO slots are not
 *    journaled (the header: an access writes only free slots) and may keep
 *    the bytes of the undone push, so they are not compared; instead the
 *    observable model equals the old one: every register read, the FIFO
 *    drained through DR (contents, order, OE flag), rx space, IRQ level;
 *  - the twin's every transaction changes only the bytes it saved and
 *    free FIFO slots (the undo property the service relies on);
 *  - replayed after the crash, the access returns what the twin's did, and
 *    the state is then the twin's (same bytes as above, same observables);
 *  - the line gets the twin's bytes: none lost or doubled by a crash
 *    before they went out, and twice (repeated, never lost, as journal.h
 *    promises) by a crash between sending and committing.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ipc/journal.h"
#include "uart/pl011_model.h"

#define HDR_SIZE sizeof(struct ipc_journal_hdr)
/** Bits of the first input byte. */
#define MODE_CRASH  0x1U /**< Part 2 (else part 1). */
#define MODE_TAGGED 0x2U /**< Part 2: tagged console output. */

/* --- Part 1: untrusted kept memory ---------------------------------------- */

/** Part 1 flags: header fields set to what open() trusts, record mode. */
#define F_MAGIC	  0x01U /**< magic = IPC_JOURNAL_MAGIC. */
#define F_LAYOUT  0x02U /**< layout = the layout argument. */
#define F_SIZE	  0x04U /**< size = the size argument. */
#define F_RECORDS 0x08U /**< Undo area built of records. */
#define F_HUGE	  0x10U /**< A state size near SIZE_MAX. */
#define F_NULL	  0x20U /**< No memory at all (mem == NULL). */
/** Record flag: offset and length raw 32-bit values, else in the state. */
#define R_RAW 0x01U

/** Largest state tried, and memory past header + state. */
#define STATE_MAX 256U
#define MEM_SPARE 16U
/** Smallest memory tried is this far below the header. */
#define MEM_BELOW_HDR 16U
/** Memory sizes tried: HDR_SIZE - MEM_BELOW_HDR ... + MEM_RANGE - 1. */
#define MEM_RANGE  (MEM_BELOW_HDR + STATE_MAX + MEM_SPARE + 1U)
#define IMAGE_SIZE (HDR_SIZE + STATE_MAX + MEM_SPARE)
/** Records per input in record mode. */
#define RECORDS_MAX 16U
/** Raw undo_used values reach past IPC_JOURNAL_UNDO_MAX. */
#define RAW_UNDO_USED_RANGE (2U * IPC_JOURNAL_UNDO_MAX)
/** State bytes past the input: a pattern, mostly non-zero. */
#define STATE_PATTERN 0xa5U

#define REC_HDR	  sizeof(struct ipc_journal_rec)
#define REC_ALIGN sizeof(uint64_t)

/** Bytes a record of @p len data bytes takes in the undo area. */
static uint64_t rec_bytes(uint64_t len)
{
	return REC_HDR + (len + REC_ALIGN - 1) / REC_ALIGN * REC_ALIGN;
}

/** What part 1 puts in memory and passes to open(). */
struct untrusted {
	_Alignas(uint64_t) uint8_t image[IMAGE_SIZE];
	size_t mem_size;
	size_t size;
	uint64_t layout;
	bool null_mem;
};

static struct ipc_journal_hdr *image_hdr(struct untrusted *u)
{
	return (struct ipc_journal_hdr *)(void *)u->image;
}

/** One record at @p pos of the undo area; returns the bytes it took. */
static uint64_t put_record(struct untrusted *u, struct fuzz_in *in,
			   uint64_t pos)
{
	struct ipc_journal_hdr *h = image_hdr(u);
	size_t lim = u->size < STATE_MAX ? u->size : STATE_MAX;
	uint8_t rflags = fuzz_u8(in);
	struct ipc_journal_rec r;
	uint64_t room = IPC_JOURNAL_UNDO_MAX - pos;

	if ((rflags & R_RAW) != 0) {
		r.off = fuzz_u32(in);
		r.len = fuzz_u32(in);
	} else {
		r.off = (uint32_t)(fuzz_u16(in) % (lim + 1));
		r.len = (uint32_t)(fuzz_u16(in) % (lim - r.off + 1));
	}
	if (room < REC_HDR) {
		return room;
	}
	memcpy(&h->undo[pos], &r, sizeof(r));
	for (uint64_t i = 0; i < r.len && REC_HDR + i < room; i++) {
		h->undo[pos + REC_HDR + i] = fuzz_u8(in);
	}
	return rec_bytes(r.len) < room ? rec_bytes(r.len) : room;
}

/** The undo area and undo_used, from records or raw. */
static void put_undo(struct untrusted *u, struct fuzz_in *in, uint8_t flags)
{
	struct ipc_journal_hdr *h = image_hdr(u);

	if ((flags & F_RECORDS) != 0) {
		uint32_t n = fuzz_u8(in) % (RECORDS_MAX + 1);
		uint64_t used = 0;

		for (uint32_t i = 0; i < n && used < IPC_JOURNAL_UNDO_MAX;
		     i++) {
			used += put_record(u, in, used);
		}
		/* A torn or corrupt count: a few bytes either way. */
		h->undo_used = used + (uint64_t)(int64_t)(int8_t)fuzz_u8(in);
		return;
	}
	h->undo_used = fuzz_u16(in) % RAW_UNDO_USED_RANGE;
	uint32_t n = fuzz_u16(in) % (IPC_JOURNAL_UNDO_MAX + 1);

	for (uint32_t i = 0; i < n; i++) {
		h->undo[i] = fuzz_u8(in);
	}
}

static void decode_untrusted(struct untrusted *u, struct fuzz_in *in)
{
	struct ipc_journal_hdr *h = image_hdr(u);
	uint8_t flags = fuzz_u8(in);
	uint16_t size_sel;

	memset(u->image, 0, sizeof(u->image));
	u->null_mem = (flags & F_NULL) != 0;
	u->mem_size = HDR_SIZE - MEM_BELOW_HDR + fuzz_u16(in) % MEM_RANGE;
	size_sel = fuzz_u16(in);
	u->size = (flags & F_HUGE) != 0 ? SIZE_MAX - (size_sel & UINT8_MAX)
					: size_sel % (STATE_MAX + 1);
	u->layout = fuzz_u64(in);
	h->magic = (flags & F_MAGIC) != 0 ? IPC_JOURNAL_MAGIC : fuzz_u64(in);
	h->layout = (flags & F_LAYOUT) != 0 ? u->layout : fuzz_u64(in);
	h->size = (flags & F_SIZE) != 0 ? u->size : fuzz_u64(in);
	h->rollbacks = fuzz_u64(in);
	put_undo(u, in, flags);
	for (size_t i = HDR_SIZE; i < IMAGE_SIZE; i++) {
		u->image[i] =
		    fuzz_done(in) ? (uint8_t)(STATE_PATTERN ^ i) : fuzz_u8(in);
	}
}

/**
 * The oracle's roll-back of the state in @p mem (header + state): false if
 * the undo area is not a well-formed sequence of records inside the state.
 * Each byte gets the value of the oldest record that covers it.
 */
static bool oracle_roll_back(uint8_t *mem, size_t size)
{
	const struct ipc_journal_hdr *h = (const void *)mem;
	bool restored[IMAGE_SIZE - HDR_SIZE] = {false};
	uint64_t used = h->undo_used;
	uint64_t pos;
	struct ipc_journal_rec r;

	if (used > IPC_JOURNAL_UNDO_MAX) {
		return false;
	}
	for (pos = 0; pos < used; pos += rec_bytes(r.len)) {
		if (used - pos < REC_HDR) {
			return false;
		}
		memcpy(&r, &h->undo[pos], sizeof(r));
		if ((uint64_t)r.off + r.len > size ||
		    rec_bytes(r.len) > used - pos) {
			return false;
		}
	}
	for (pos = 0; pos < used; pos += rec_bytes(r.len)) {
		memcpy(&r, &h->undo[pos], sizeof(r));
		for (uint32_t i = 0; i < r.len; i++) {
			if (!restored[r.off + i]) {
				restored[r.off + i] = true;
				mem[HDR_SIZE + r.off + i] =
				    h->undo[pos + REC_HDR + i];
			}
		}
	}
	return true;
}

/**
 * What memory must hold after ipc_journal_open() of @p u: into @p want
 * (which holds the memory before); returns the expected result.
 */
static enum ipc_journal_found oracle_open(const struct untrusted *u,
					  uint8_t *want)
{
	struct ipc_journal_hdr *h = (void *)want;

	if (u->null_mem || u->mem_size < HDR_SIZE ||
	    u->size > u->mem_size - HDR_SIZE) {
		return IPC_JOURNAL_TOO_SMALL;
	}
	if (h->magic == IPC_JOURNAL_MAGIC && h->layout == u->layout &&
	    h->size == u->size) {
		if (h->undo_used == 0) {
			return IPC_JOURNAL_KEPT;
		}
		if (oracle_roll_back(want, u->size)) {
			h->undo_used = 0;
			h->rollbacks++;
			return IPC_JOURNAL_ROLLED_BACK;
		}
	}
	h->magic = IPC_JOURNAL_MAGIC;
	h->layout = u->layout;
	h->size = u->size;
	h->undo_used = 0;
	h->rollbacks = 0;
	memset(want + HDR_SIZE, 0, u->size);
	return IPC_JOURNAL_FRESH;
}

static bool found_valid(enum ipc_journal_found f)
{
	switch (f) {
	case IPC_JOURNAL_FRESH:
	case IPC_JOURNAL_KEPT:
	case IPC_JOURNAL_ROLLED_BACK:
	case IPC_JOURNAL_TOO_SMALL:
		return true;
	}
	return false;
}

/**
 * After an open that did not refuse: the header fields the result fixes,
 * the state as the oracle says, nothing written past it.
 */
static void check_opened(const struct ipc_journal *j, const uint8_t *mem,
			 const uint8_t *want, const struct untrusted *u)
{
	const struct ipc_journal_hdr *h = (const void *)mem;
	const struct ipc_journal_hdr *w = (const void *)want;
	size_t end = HDR_SIZE + u->size;

	FUZZ_CHECK(j->hdr == (const void *)mem && j->state == mem + HDR_SIZE &&
		       j->size == u->size,
		   "journal at %p state %p size %zu, want %p %p %zu",
		   (void *)j->hdr, (void *)j->state, j->size, (const void *)mem,
		   (const void *)(mem + HDR_SIZE), u->size);
	FUZZ_CHECK(h->magic == w->magic && h->layout == w->layout &&
		       h->size == w->size,
		   "header magic 0x%llx layout 0x%llx size %llu",
		   (unsigned long long)h->magic, (unsigned long long)h->layout,
		   (unsigned long long)h->size);
	FUZZ_CHECK(
	    h->undo_used == w->undo_used && h->rollbacks == w->rollbacks,
	    "undo_used %llu rollbacks %llu, want %llu %llu",
	    (unsigned long long)h->undo_used, (unsigned long long)h->rollbacks,
	    (unsigned long long)w->undo_used, (unsigned long long)w->rollbacks);
	for (size_t i = HDR_SIZE; i < end; i++) {
		FUZZ_CHECK(mem[i] == want[i],
			   "state byte %zu is 0x%02x, want 0x%02x",
			   i - HDR_SIZE, mem[i], want[i]);
	}
	FUZZ_CHECK(memcmp(mem + end, want + end, u->mem_size - end) == 0,
		   "memory past the state (%zu bytes) changed",
		   u->mem_size - end);
}

static void part_untrusted(struct fuzz_in *in)
{
	static struct untrusted u;
	static uint8_t want[IMAGE_SIZE], after[IMAGE_SIZE];
	struct ipc_journal j;
	enum ipc_journal_found got, expect;
	uint8_t *mem;

	decode_untrusted(&u, in);
	mem = malloc(u.mem_size);
	FUZZ_CHECK(mem != NULL || u.mem_size == 0, "out of memory");
	memcpy(mem, u.image, u.mem_size);
	memcpy(want, u.image, u.mem_size);
	expect = oracle_open(&u, want);
	got = ipc_journal_open(&j, u.null_mem ? NULL : mem, u.mem_size, u.size,
			       u.layout);
	FUZZ_CHECK(found_valid(got), "open returned %d", (int)got);
	FUZZ_CHECK(got == expect,
		   "open of %zu bytes of state in %zu returned %d, want %d",
		   u.size, u.mem_size, (int)got, (int)expect);
	if (got == IPC_JOURNAL_TOO_SMALL) {
		FUZZ_CHECK(memcmp(mem, u.image, u.mem_size) == 0,
			   "refused memory was written");
		FUZZ_CHECK(!ipc_journal_begin(&j, mem, 0),
			   "begin accepted after a refused open");
		free(mem);
		return;
	}
	if (got == IPC_JOURNAL_KEPT) {
		FUZZ_CHECK(memcmp(mem, u.image, u.mem_size) == 0,
			   "KEPT memory was written");
	}
	check_opened(&j, mem, want, &u);
	/* The restart after a restart: nothing left to undo. */
	memcpy(after, mem, u.mem_size);
	got = ipc_journal_open(&j, mem, u.mem_size, u.size, u.layout);
	FUZZ_CHECK(got == IPC_JOURNAL_KEPT, "second open returned %d",
		   (int)got);
	FUZZ_CHECK(memcmp(mem, after, u.mem_size) == 0,
		   "second open changed memory");
	free(mem);
}

/* --- Part 2: crash consistency of the UART service's state ---------------- */

/** Emulated PL011 windows in the kept state. */
#define WINDOWS 3U
/** The layout tag, built as main.c builds it: version << 32 | size. */
#define STATE_VERSION	    1ULL
#define STATE_VERSION_SHIFT 32
#define KEPT_LAYOUT                                                            \
	(STATE_VERSION << STATE_VERSION_SHIFT | sizeof(struct kept_state))
/** Whatever the RAM held before the first start: not a journal. */
#define RAM_GARBAGE 0x5aU
/** Bytes one access may transmit (main.c: UART_TX_BUF_MAX). */
#define TX_BUF_MAX 8U
/** Bytes one step may put on the line: a crash can repeat them once. */
#define LINE_MAX (2U * TX_BUF_MAX)
/** Transactions of a burst or drain operation: more than a full FIFO. */
#define BURST_MAX 40U
/** The console's escape byte (Ctrl-]) and first window command ('1'). */
#define CON_ESCAPE	 0x1dU
#define CON_FIRST_WINDOW '1'
/** out_window before any output. */
#define CON_NO_WINDOW UINT32_MAX

/** Like struct uart_console: what the service keeps of the console. */
struct console_state {
	uint32_t focus;	     /**< Window that receives typed bytes. */
	uint32_t out_window; /**< Window whose line is on the screen. */
	bool out_line_start; /**< That line is at its start. */
	bool escape;	     /**< The last typed byte was the escape. */
};

/** All device state, as struct uart_state: in kept memory. */
struct kept_state {
	struct pl011_model model[WINDOWS];
	struct console_state con;
};

/** Where the service is stopped (main.c's crash points, and more). */
enum crash_point {
	CRASH_NONE,
	CRASH_BEFORE_BEGIN,  /**< The access arrived; nothing saved. */
	CRASH_BEFORE_CHANGE, /**< Undo records saved; nothing changed. */
	CRASH_TORN,	     /**< Some of the change's stores done. */
	CRASH_AFTER_CHANGE,  /**< Changed; transmitted bytes buffered. */
	CRASH_AFTER_CONSOLE, /**< The console changed for the output too. */
	CRASH_AFTER_EMIT,    /**< The bytes are on the line: no commit. */
	CRASH_COUNT,
};

/** Bytes put on the physical line, with the window that sent each. */
struct line {
	uint8_t byte[LINE_MAX];
	uint32_t window[LINE_MAX];
	uint32_t len;
};

/** Bits of the torn mask: byte i of a torn change uses bit i % 64. */
#define TORN_MASK_BITS 64U

/** An object saved by ipc_journal_begin() in this transaction. */
struct save {
	size_t off;
	size_t len;
};

/** Saves per transaction: a model, the console, the console again. */
#define SAVES_MAX 4U

/** Undo bytes one save takes at most: a model's or the console's. */
#define SAVE_BYTES_MAX                                                         \
	(sizeof(struct ipc_journal_rec) + REC_ALIGN + PL011_MODEL_UNDO_BYTES + \
	 sizeof(struct console_state))

_Static_assert(SAVES_MAX * SAVE_BYTES_MAX <= IPC_JOURNAL_UNDO_MAX,
	       "a transaction's undo records fit in the journal");

struct run;

/** A model's tx callback context, as main.c's struct uart_tx_ctx. */
struct tx_ctx {
	struct run *r;
	uint32_t window;
};

/** One service: kept memory, journal, what a restart loses. */
struct run {
	const char *name;
	uint8_t *mem;
	size_t mem_size;
	struct ipc_journal j;
	struct kept_state *st;
	bool tagged;
	uint64_t rollbacks; /**< Roll-backs the journal should count. */
	/* Volatile: lost with a crash. */
	struct tx_ctx tx_ctx[WINDOWS];
	uint8_t tx_buf[TX_BUF_MAX];
	uint32_t tx_window;
	uint32_t tx_len;
	bool in_txn;
	struct save saves[SAVES_MAX];
	uint32_t saves_len;
	/* The harness's: where to crash, and the line. */
	enum crash_point crash_at;
	uint64_t torn_mask; /**< Bit i % 64: byte i of a torn change stored. */
	jmp_buf crash_env;
	struct line line;
};

/** One transaction's worth of work. */
enum txn_kind {
	TXN_ACCESS, /**< Guest access to a window (main.c: uart_mmio). */
	TXN_INPUT,  /**< A typed byte (main.c: take_input). */
	TXN_FOCUS,  /**< Console change: input to another window. */
};

struct txn {
	enum txn_kind kind;
	uint32_t window;
	uint64_t offset;
	unsigned int width;
	bool write;
	uint32_t value; /**< Written value, or the typed byte. */
};

/** What the transaction returned to its caller. */
struct txn_result {
	int rc;
	uint32_t value;
};

/* Stop the service here if that is where it should crash. */
static void crash_point(struct run *r, enum crash_point p)
{
	if (r->crash_at == p) {
		longjmp(r->crash_env, 1);
	}
}

static void on_tx(void *ctx, uint8_t byte)
{
	struct tx_ctx *t = ctx;
	struct run *r = t->r;

	FUZZ_CHECK(r->tx_len < TX_BUF_MAX, "%s: access transmits over %u bytes",
		   r->name, TX_BUF_MAX);
	FUZZ_CHECK(r->tx_len == 0 || r->tx_window == t->window,
		   "%s: one access transmits from two windows", r->name);
	r->tx_window = t->window;
	r->tx_buf[r->tx_len++] = byte;
}

static void line_put(struct run *r, uint32_t window, uint8_t byte)
{
	FUZZ_CHECK(r->line.len < LINE_MAX, "%s: more than %u bytes sent",
		   r->name, LINE_MAX);
	r->line.byte[r->line.len] = byte;
	r->line.window[r->line.len++] = window;
}

/** @p obj (in the kept state) is about to change (main.c: txn_save). */
static void txn_save(struct run *r, const void *obj, size_t len)
{
	FUZZ_CHECK(r->saves_len < SAVES_MAX, "%s: too many saves", r->name);
	FUZZ_CHECK(ipc_journal_begin(&r->j, obj, len),
		   "%s: begin of %zu bytes refused", r->name, len);
	r->saves[r->saves_len++] = (struct save){
	    .off = (size_t)((const uint8_t *)obj - (const uint8_t *)r->st),
	    .len = len,
	};
	r->in_txn = true;
}

/* Console-like steps, after services/uart/console.c. */
static void con_init(struct console_state *c)
{
	c->focus = 0;
	c->out_window = CON_NO_WINDOW;
	c->out_line_start = true;
	c->escape = false;
}

static void con_output(struct console_state *c, uint32_t w, uint8_t byte)
{
	c->out_window = w;
	c->out_line_start = byte == '\n';
}

/** A typed byte; true with *out to deliver to the (old) focus window. */
static bool con_input(struct console_state *c, uint8_t byte, uint8_t *out)
{
	if (!c->escape) {
		c->escape = byte == CON_ESCAPE;
		*out = byte;
		return !c->escape;
	}
	c->escape = false;
	if (byte >= CON_FIRST_WINDOW && byte < CON_FIRST_WINDOW + WINDOWS) {
		c->focus = byte - CON_FIRST_WINDOW;
		return false;
	}
	*out = byte;
	return byte == CON_ESCAPE;
}

/**
 * Transmit what the transaction produced, then commit (main.c: flush_tx
 * and txn_commit): with tagged output the console changes first.
 */
static void txn_finish(struct run *r)
{
	if (r->tx_len != 0 && r->tagged) {
		txn_save(r, &r->st->con, sizeof(r->st->con));
		for (uint32_t i = 0; i < r->tx_len; i++) {
			con_output(&r->st->con, r->tx_window, r->tx_buf[i]);
		}
	}
	crash_point(r, CRASH_AFTER_CONSOLE);
	for (uint32_t i = 0; i < r->tx_len; i++) {
		line_put(r, r->tx_window, r->tx_buf[i]);
	}
	r->tx_len = 0;
	crash_point(r, CRASH_AFTER_EMIT);
	if (r->in_txn) {
		ipc_journal_commit(&r->j);
		r->in_txn = false;
	}
}

/**
 * Copy into @p obj the bytes of @p after (its changed value) that the torn
 * mask selects, then crash: the service died inside the change, with some
 * of its stores done.
 */
static void torn_store(struct run *r, void *obj, const void *after, size_t len)
{
	uint8_t *dst = obj;
	const uint8_t *src = after;

	for (size_t i = 0; i < len; i++) {
		if (((r->torn_mask >> (i % TORN_MASK_BITS)) & 1U) != 0) {
			dst[i] = src[i];
		}
	}
	crash_point(r, CRASH_TORN);
}

/** The model part of a transaction: an access, or a received byte. */
static void model_apply(struct pl011_model *m, const struct txn *t,
			struct txn_result *res)
{
	if (t->kind == TXN_INPUT) {
		res->value = pl011_model_rx(m, (uint8_t)t->value);
	} else if (t->write) {
		res->rc = pl011_model_write(m, t->offset, t->width, t->value);
	} else {
		res->rc = pl011_model_read(m, t->offset, t->width, &res->value);
	}
}

/** Change @p m, or only part of it if the service dies in there. */
static void model_change(struct run *r, struct pl011_model *m,
			 const struct txn *t, struct txn_result *res)
{
	if (r->crash_at == CRASH_TORN) {
		struct pl011_model after;
		struct txn_result ignored = {0};

		memcpy(&after, m, sizeof(after));
		after.tx = NULL; /* the bytes would be lost anyway */
		model_apply(&after, t, &ignored);
		after.tx = m->tx;
		torn_store(r, m, &after, sizeof(after));
	}
	model_apply(m, t, res);
}

/* Only writes and DR reads (which pop the FIFO) change a model. */
static bool changes_model(const struct txn *t)
{
	return t->write ||
	       (t->offset & ~(uint64_t)(sizeof(uint32_t) - 1)) == PL011_DR;
}

/** main.c's uart_mmio(). */
static void txn_access(struct run *r, const struct txn *t,
		       struct txn_result *res)
{
	struct pl011_model *m = &r->st->model[t->window];
	bool changes = changes_model(t);

	crash_point(r, CRASH_BEFORE_BEGIN);
	if (changes) {
		txn_save(r, m, PL011_MODEL_UNDO_BYTES);
	}
	crash_point(r, CRASH_BEFORE_CHANGE);
	model_change(r, m, t, res);
	crash_point(r, CRASH_AFTER_CHANGE);
	txn_finish(r);
}

/** main.c's take_input(): console first, then the old focus's model. */
static void txn_input(struct run *r, const struct txn *t,
		      struct txn_result *res)
{
	struct console_state *c = &r->st->con;
	uint32_t f = c->focus;
	struct txn deliver = *t;
	uint8_t byte;

	FUZZ_CHECK(f < WINDOWS, "%s: focus %u", r->name, f);
	crash_point(r, CRASH_BEFORE_BEGIN);
	txn_save(r, &r->st->model[f], PL011_MODEL_UNDO_BYTES);
	txn_save(r, c, sizeof(*c));
	crash_point(r, CRASH_BEFORE_CHANGE);
	res->rc = con_input(c, (uint8_t)t->value, &byte);
	deliver.value = byte;
	if (res->rc) {
		model_change(r, &r->st->model[f], &deliver, res);
	}
	crash_point(r, CRASH_TORN); /* nothing to tear: the model stays */
	crash_point(r, CRASH_AFTER_CHANGE);
	txn_finish(r);
}

/** A console-only transaction: typed input goes to another window. */
static void txn_focus(struct run *r, const struct txn *t)
{
	struct console_state *c = &r->st->con;
	struct console_state after = *c;

	crash_point(r, CRASH_BEFORE_BEGIN);
	txn_save(r, c, sizeof(*c));
	crash_point(r, CRASH_BEFORE_CHANGE);
	after.focus = t->window;
	after.escape = false;
	if (r->crash_at == CRASH_TORN) {
		torn_store(r, c, &after, sizeof(after));
	}
	c->focus = after.focus;
	c->escape = after.escape;
	crash_point(r, CRASH_AFTER_CHANGE);
	txn_finish(r);
}

static void run_txn(struct run *r, const struct txn *t, struct txn_result *res)
{
	*res = (struct txn_result){0};
	r->saves_len = 0;
	switch (t->kind) {
	case TXN_ACCESS:
		txn_access(r, t, res);
		break;
	case TXN_INPUT:
		txn_input(r, t, res);
		break;
	default:
		txn_focus(r, t);
		break;
	}
}

/** What init_windows() redoes at every start: the tx callbacks. */
static void attach_models(struct run *r)
{
	for (uint32_t w = 0; w < WINDOWS; w++) {
		struct pl011_model *m = &r->st->model[w];

		FUZZ_CHECK(pl011_model_valid(m), "%s: model %u invalid",
			   r->name, w);
		r->tx_ctx[w] = (struct tx_ctx){.r = r, .window = w};
		m->tx = on_tx;
		m->tx_ctx = &r->tx_ctx[w];
	}
	r->tx_len = 0;
	r->in_txn = false;
	r->saves_len = 0;
}

/** (Re)open the journal over the run's memory: its service (re)starts. */
static void open_state(struct run *r, enum ipc_journal_found want)
{
	enum ipc_journal_found got = ipc_journal_open(
	    &r->j, r->mem, r->mem_size, sizeof(struct kept_state), KEPT_LAYOUT);

	FUZZ_CHECK(got == want, "%s: open returned %d, want %d", r->name,
		   (int)got, (int)want);
	if (got == IPC_JOURNAL_ROLLED_BACK) {
		r->rollbacks++;
	}
	FUZZ_CHECK(r->j.hdr->undo_used == 0 &&
		       r->j.hdr->rollbacks == r->rollbacks,
		   "%s: undo_used %llu, rollbacks %llu (want %llu)", r->name,
		   (unsigned long long)r->j.hdr->undo_used,
		   (unsigned long long)r->j.hdr->rollbacks,
		   (unsigned long long)r->rollbacks);
	r->st = (struct kept_state *)(void *)r->j.state;
}

static void run_start(struct run *r, const char *name, bool tagged)
{
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->tagged = tagged;
	r->mem_size = HDR_SIZE + sizeof(struct kept_state);
	r->mem = malloc(r->mem_size);
	FUZZ_CHECK(r->mem != NULL, "out of memory");
	memset(r->mem, RAM_GARBAGE, r->mem_size);
	open_state(r, IPC_JOURNAL_FRESH);
	for (uint32_t w = 0; w < WINDOWS; w++) {
		pl011_model_init(&r->st->model[w], on_tx, NULL);
	}
	con_init(&r->st->con);
	attach_models(r);
}

/* --- Part 2 checks -------------------------------------------------------- */

/** Registers whose reads have no side effect (all but DR). */
static const uint32_t peek_regs[] = {
    PL011_RSR_ECR, PL011_FR,  PL011_ILPR,  PL011_IBRD, PL011_FBRD,
    PL011_LCR_H,   PL011_CR,  PL011_IFLS,  PL011_IMSC, PL011_RIS,
    PL011_MIS,	   PL011_ICR, PL011_DMACR,
};

#define PEEK_REGS (sizeof(peek_regs) / sizeof(peek_regs[0]))

/** FIFO slot @p i of the live entries of @p m, oldest first. */
static uint16_t live_entry(const struct pl011_model *m, uint32_t i)
{
	return m->rx_fifo[(m->rx_head + i) % PL011_FIFO_DEPTH];
}

/** Byte for byte what the journal guarantees: see the comment on top. */
static void check_same_bytes(const struct kept_state *got,
			     const struct kept_state *want, const char *what)
{
	for (uint32_t w = 0; w < WINDOWS; w++) {
		const struct pl011_model *g = &got->model[w];
		const struct pl011_model *e = &want->model[w];

		FUZZ_CHECK(memcmp(g, e, PL011_MODEL_UNDO_BYTES) == 0,
			   "%s: model %u differs in its journaled bytes", what,
			   w);
		for (uint32_t i = 0; i < e->rx_count; i++) {
			FUZZ_CHECK(
			    live_entry(g, i) == live_entry(e, i),
			    "%s: model %u FIFO entry %u is 0x%x, want 0x%x",
			    what, w, i, live_entry(g, i), live_entry(e, i));
		}
	}
	FUZZ_CHECK(memcmp(&got->con, &want->con, sizeof(got->con)) == 0,
		   "%s: console differs", what);
}

/** The guest sees the same device: registers, then the FIFO through DR. */
static void check_same_device(const struct pl011_model *got,
			      const struct pl011_model *want, const char *what,
			      uint32_t w)
{
	struct pl011_model g, e;
	uint32_t gv, ev;

	memcpy(&g, got, sizeof(g));
	memcpy(&e, want, sizeof(e));
	g.tx = e.tx = NULL;
	for (size_t i = 0; i < PEEK_REGS; i++) {
		int grc = pl011_model_read(&g, peek_regs[i], sizeof(gv), &gv);
		int erc = pl011_model_read(&e, peek_regs[i], sizeof(ev), &ev);

		FUZZ_CHECK(grc == erc && gv == ev,
			   "%s: model %u reg 0x%x reads 0x%x, want 0x%x", what,
			   w, peek_regs[i], gv, ev);
	}
	FUZZ_CHECK(pl011_model_rx_space(&g) == pl011_model_rx_space(&e) &&
		       pl011_model_irq_level(&g) == pl011_model_irq_level(&e) &&
		       g.tx_count == e.tx_count,
		   "%s: model %u rx space, IRQ level or tx count", what, w);
	/* One read more than the FIFO holds: then both read empty. */
	for (uint32_t i = 0; i <= PL011_FIFO_DEPTH; i++) {
		(void)pl011_model_read(&g, PL011_DR, sizeof(gv), &gv);
		(void)pl011_model_read(&e, PL011_DR, sizeof(ev), &ev);
		FUZZ_CHECK(gv == ev, "%s: model %u DR read %u: 0x%x, want 0x%x",
			   what, w, i, gv, ev);
	}
}

static void check_same(const struct kept_state *got,
		       const struct kept_state *want, const char *what)
{
	check_same_bytes(got, want, what);
	for (uint32_t w = 0; w < WINDOWS; w++) {
		check_same_device(&got->model[w], &want->model[w], what, w);
	}
}

static bool in_saved(const struct run *r, size_t off)
{
	for (uint32_t i = 0; i < r->saves_len; i++) {
		if (off >= r->saves[i].off &&
		    off - r->saves[i].off < r->saves[i].len) {
			return true;
		}
	}
	return false;
}

/** Byte @p off of the state is in a FIFO slot free in @p s. */
static bool in_free_slot(const struct kept_state *s, size_t off)
{
	for (uint32_t w = 0; w < WINDOWS; w++) {
		const struct pl011_model *m = &s->model[w];
		size_t base = offsetof(struct kept_state, model) +
			      w * sizeof(*m) +
			      offsetof(struct pl011_model, rx_fifo);

		if (off >= base && off - base < sizeof(m->rx_fifo)) {
			uint32_t slot =
			    (uint32_t)((off - base) / sizeof(m->rx_fifo[0]));
			uint32_t age = (slot + PL011_FIFO_DEPTH - m->rx_head) %
				       PL011_FIFO_DEPTH;

			return age >= m->rx_count;
		}
	}
	return false;
}

/** The transaction just run changed only what it saved and free slots. */
static void check_undo_covers(const struct run *r,
			      const struct kept_state *before)
{
	const uint8_t *now = (const uint8_t *)r->st;
	const uint8_t *was = (const uint8_t *)before;

	for (size_t i = 0; i < sizeof(*before); i++) {
		FUZZ_CHECK(
		    now[i] == was[i] || in_saved(r, i) ||
			in_free_slot(before, i),
		    "%s: state byte %zu changed outside the undo records",
		    r->name, i);
	}
}

/* --- Part 2 steps --------------------------------------------------------- */

struct harness {
	struct run svc;	 /**< The service under test: it crashes. */
	struct run twin; /**< The same service, never crashing. */
	struct kept_state snap, twin_before;
};

/**
 * Run @p t on the service, stopped at @p at; restart it and check that the
 * state is the one before the transaction.
 */
static void crash_and_restart(struct harness *h, const struct txn *t,
			      enum crash_point at, uint64_t mask)
{
	struct run *r = &h->svc;
	struct txn_result ignored;
	bool in_txn;

	memcpy(&h->snap, r->st, sizeof(h->snap));
	r->crash_at = at;
	r->torn_mask = mask;
	if (setjmp(r->crash_env) == 0) {
		run_txn(r, t, &ignored);
		FUZZ_CHECK(false, "crash point %d not reached", (int)at);
	}
	r->crash_at = CRASH_NONE;
	in_txn = r->in_txn;
	open_state(r, in_txn ? IPC_JOURNAL_ROLLED_BACK : IPC_JOURNAL_KEPT);
	attach_models(r);
	if (!in_txn) {
		FUZZ_CHECK(memcmp(r->st, &h->snap, sizeof(h->snap)) == 0,
			   "state changed outside a transaction");
	}
	check_same(r->st, &h->snap, "after the restart");
}

/** One transaction on both runs, the service crashing at @p at first. */
static void step(struct harness *h, const struct txn *t, enum crash_point at,
		 uint64_t mask)
{
	struct txn_result want, got;
	uint32_t repeat = at == CRASH_AFTER_EMIT ? 2U : 1U;

	h->twin.line.len = 0;
	h->svc.line.len = 0;
	memcpy(&h->twin_before, h->twin.st, sizeof(h->twin_before));
	run_txn(&h->twin, t, &want);
	check_undo_covers(&h->twin, &h->twin_before);
	if (at != CRASH_NONE) {
		crash_and_restart(h, t, at, mask);
	}
	run_txn(&h->svc, t, &got);
	FUZZ_CHECK(got.rc == want.rc && got.value == want.value,
		   "replayed transaction returned %d/0x%x, want %d/0x%x",
		   got.rc, got.value, want.rc, want.value);
	FUZZ_CHECK(h->svc.line.len == repeat * h->twin.line.len,
		   "%u bytes sent, want %u", h->svc.line.len,
		   repeat * h->twin.line.len);
	for (uint32_t i = 0; i < h->svc.line.len; i++) {
		uint32_t k = i % (h->twin.line.len ? h->twin.line.len : 1);

		FUZZ_CHECK(h->svc.line.byte[i] == h->twin.line.byte[k] &&
			       h->svc.line.window[i] == h->twin.line.window[k],
			   "byte %u sent 0x%x from window %u", i,
			   h->svc.line.byte[i], h->svc.line.window[i]);
	}
	if (at != CRASH_NONE) {
		check_same(h->svc.st, h->twin.st, "replayed after a crash");
	} else {
		check_same_bytes(h->svc.st, h->twin.st, "beside the twin");
	}
}

/** Operations of part 2, from the low bits of an opcode byte. */
enum op {
	OP_WRITE,
	OP_READ,
	OP_INPUT,
	OP_INPUT_BURST,
	OP_DRAIN,
	OP_FOCUS,
	OP_COUNT,
};

#define OP_KIND_MASK 0x7fU
#define OP_CRASH     0x80U /**< A crash spec follows the opcode. */

/** Offsets an access picks from (low nibble): registers, one reserved. */
static const uint32_t access_regs[] = {
    PL011_DR,	 PL011_RSR_ECR, PL011_FR,      PL011_IBRD,
    PL011_FBRD,	 PL011_LCR_H,	PL011_CR,      PL011_IFLS,
    PL011_IMSC,	 PL011_RIS,	PL011_MIS,     PL011_ICR,
    PL011_DMACR, PL011_ILPR,	PL011_CELLID0, 0x008, /* reserved */
};

#define ACCESS_REGS	  (sizeof(access_regs) / sizeof(access_regs[0]))
#define REG_INDEX_MASK	  0x0fU
#define REG_WIDTH_SHIFT	  4U
#define REG_WIDTH_MASK	  0x3U
#define REG_SUBWORD_SHIFT 6U

/** Access widths (bits 5:4 of the register byte): mostly words. */
static const unsigned int widths[] = {4, 4, 1, 2};

/** A register byte: which register, width, which bytes of it. */
static void pick_access(struct txn *t, struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);

	t->width = widths[(b >> REG_WIDTH_SHIFT) & REG_WIDTH_MASK];
	t->offset = access_regs[(b & REG_INDEX_MASK) % ACCESS_REGS] +
		    ((b >> REG_SUBWORD_SHIFT) * t->width) % sizeof(uint32_t);
}

/** @p n transactions of @p t, the crash (if any) in the last one. */
static void step_n(struct harness *h, struct txn *t, uint32_t n,
		   enum crash_point at, uint64_t mask, bool inc_byte)
{
	for (uint32_t i = 0; i < n; i++) {
		step(h, t, i + 1 == n ? at : CRASH_NONE, mask);
		if (inc_byte) {
			t->value = (uint8_t)(t->value + 1U);
		}
	}
}

static void run_op(struct harness *h, struct fuzz_in *in)
{
	uint8_t op = fuzz_u8(in);
	enum crash_point at = CRASH_NONE;
	uint64_t mask = 0;
	struct txn t = {.kind = TXN_ACCESS};

	if ((op & OP_CRASH) != 0) {
		at = (enum crash_point)(CRASH_BEFORE_BEGIN +
					fuzz_u8(in) % (CRASH_COUNT - 1));
		if (at == CRASH_TORN) {
			mask = fuzz_u64(in);
		}
	}
	switch ((op & OP_KIND_MASK) % OP_COUNT) {
	case OP_WRITE:
		t.window = fuzz_u8(in) % WINDOWS;
		pick_access(&t, in);
		t.write = true;
		t.value = fuzz_u32(in);
		step(h, &t, at, mask);
		break;
	case OP_READ:
		t.window = fuzz_u8(in) % WINDOWS;
		pick_access(&t, in);
		step(h, &t, at, mask);
		break;
	case OP_INPUT:
		t.kind = TXN_INPUT;
		t.value = fuzz_u8(in);
		step(h, &t, at, mask);
		break;
	case OP_INPUT_BURST: {
		uint32_t n = fuzz_u8(in) % BURST_MAX;

		t.kind = TXN_INPUT;
		t.value = fuzz_u8(in);
		step_n(h, &t, n, at, mask, true);
		break;
	}
	case OP_DRAIN:
		t.window = fuzz_u8(in) % WINDOWS;
		t.offset = PL011_DR;
		t.width = sizeof(uint32_t);
		step_n(h, &t, fuzz_u8(in) % BURST_MAX, at, mask, false);
		break;
	default:
		t.kind = TXN_FOCUS;
		t.window = fuzz_u8(in) % WINDOWS;
		step(h, &t, at, mask);
		break;
	}
}

static void part_crash(struct fuzz_in *in, bool tagged)
{
	static struct harness h;

	run_start(&h.svc, "service", tagged);
	run_start(&h.twin, "twin", tagged);
	check_same(h.svc.st, h.twin.st, "at start");
	while (!fuzz_done(in)) {
		run_op(&h, in);
	}
	check_same(h.svc.st, h.twin.st, "at the end");
	free(h.svc.mem);
	free(h.twin.mem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in;
	uint8_t mode;

	fuzz_in_init(&in, data, size);
	mode = fuzz_u8(&in);
	if ((mode & MODE_CRASH) == 0) {
		part_untrusted(&in);
	} else {
		part_crash(&in, (mode & MODE_TAGGED) != 0);
	}
	return 0;
}
