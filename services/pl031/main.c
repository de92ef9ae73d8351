/**
 * The PL031 RTC service: one PL031 model (pl031_model.c) per emulated
 * window, the worked example of a small service written only against
 * libipc. This file is the glue:
 *
 *  - time: at its first start the service reads the board's PL031 (RTCDR,
 *    passed through read-only in use at PL031_PHYS_IPA) once, and from then
 *    on counts whole seconds with the generic timer's virtual counter
 *    (CNTVCT_EL0 at CNTFRQ_EL0 Hz; CNTVOFF_EL2 is 0 for every partition, so
 *    it is the physical count). A guest's RTC reads that clock plus the
 *    offset its RTCLR writes set;
 *  - after every access the model's interrupt line (RTCMIS) is mirrored
 *    into the client's virtual GIC as SPI PL031_GUEST_INTID;
 *  - alarms: the service timer (ipc_timer_set) is set to the counter value
 *    at which the earliest next match of all windows begins; when it
 *    fires, every window applies its passed matches and its line follows
 *    (a match is pending whatever the mask: RTCRIS is raw);
 *  - a client reset (ipc_on_client_reset) puts that client's RTCs back to
 *    their reset values except the time;
 *  - surviving a crash: with a RAM region kept across restarts
 *    (configs/common/pl031_service.h) the clock's base and every model
 *    live there, and every access is a journal transaction (ipc/journal.h):
 *    a restarted service keeps the time the guest set, its match and mask,
 *    and tells each client's GIC its line again.
 *
 * Built with PL031_FAULT_INJECT (image "pl031-faultinject"), an RTCLR
 * write arms a crash in the next RTCDR read, after the model has run, so
 * that the restarted service must find the loaded time in its kept state
 * (tests/system/test_rtc.py).
 */
#include "ipc/ipc.h"
#include "ipc/journal.h"
#include "pl031/pl031_model.h"
#include "pl031/pl031_service.h"

void service_main(void);

/** Bump when struct pl031_state changes: kept state of another layout is
 * not trusted. */
#define PL031_STATE_VERSION 1ULL
#define PL031_STATE_VERSION_SHIFT 32

/** One emulated PL031 and what its client's GIC was last told (not
 * journaled: a restarted service tells every GIC its line again). */
struct pl031_window {
	struct pl031_model model;
	bool level;
};

/** All device state: in kept RAM when there is some. */
struct pl031_state {
	struct pl031_clock clock;
	struct pl031_window win[IPC_MAX_WINDOWS];
	/** Fault injection: crash in the next RTCDR read. Not journaled, so
	 * the access sent again after the crash does not crash again. */
	uint32_t crash_armed;
};

/** The service: dispatch table, state, what is rebuilt at each start. */
struct pl031_service {
	struct ipc_server srv;
	struct pl031_state *st;
	struct ipc_journal journal;
	bool journaled; /**< st is in kept RAM. */
	uint32_t client_of[IPC_MAX_WINDOWS];
	/** The deadline last given to ipc_timer_set(); 0: none (the kernel
	 * forgets it when the timer fires). Not kept: a restart sets it. */
	uint64_t timer_at;
};

static struct pl031_service pl031;
/** The state when the scenario keeps no RAM for the service. */
static struct pl031_state pl031_volatile_state;

/* --- Time ------------------------------------------------------------------ */

/* The board's RTC: RTCDR, seconds since the epoch (DDI 0224 3.3.1). */
static uint32_t read_board_rtc(void)
{
	return *(volatile const uint32_t *)(PL031_PHYS_IPA + PL031_DR);
}

static uint64_t now_seconds(const struct pl031_service *p)
{
	return pl031_clock_seconds(&p->st->clock, ipc_now());
}

/* Wake at the earliest next match of all windows (ipc_timer_set). */
static void set_timer(struct pl031_service *p)
{
	uint64_t first = UINT64_MAX;

	for (uint32_t w = 0; w < p->srv.window_count; w++) {
		uint64_t at = pl031_model_next_match(&p->st->win[w].model);

		first = at < first ? at : first;
	}
	uint64_t deadline = pl031_clock_count_at(&p->st->clock, first);

	/* 0 would cancel: a deadline that early is due anyway. */
	deadline = deadline == 0 ? 1 : deadline;
	/* Unchanged (a guest rewriting RTCMR or RTCLR in a loop): no call,
	 * which could interrupt the CPU that watches deadlines. */
	if (deadline != p->timer_at) {
		p->timer_at = deadline;
		(void)ipc_timer_set(deadline);
	}
}

/* --- Fault injection (test image only) ------------------------------------- */

#ifdef PL031_FAULT_INJECT
/* Nothing is mapped here in the service's IPA space: a store faults. */
#define PL031_UNMAPPED_IPA 0x70000000UL

static void arm_crash(struct pl031_service *p, const struct ipc_mmio_access *a)
{
	if (a->write && a->offset == PL031_LR) {
		p->st->crash_armed = 1;
	}
}

static void crash_point(struct pl031_service *p,
			const struct ipc_mmio_access *a)
{
	if (!a->write && a->offset == PL031_DR && p->st->crash_armed) {
		p->st->crash_armed = 0;
		ipc_log("pl031: fault injection: crashing in an RTCDR read\n");
		/* The model has run: the journal must undo what it changed. */
		__asm__ volatile("" ::: "memory");
		*(volatile uint64_t *)PL031_UNMAPPED_IPA = a->offset;
	}
}
#else
static void arm_crash(struct pl031_service *p, const struct ipc_mmio_access *a)
{
	(void)p;
	(void)a;
}

static void crash_point(struct pl031_service *p,
			const struct ipc_mmio_access *a)
{
	(void)p;
	(void)a;
}
#endif

/* --- Accesses -------------------------------------------------------------- */

/* Mirror window @p w's interrupt line into its client's virtual GIC. */
static void update_line(struct pl031_service *p, uint32_t w, bool force)
{
	struct pl031_window *win = &p->st->win[w];
	bool level = pl031_model_irq_level(&win->model);

	if (level == win->level && !force) {
		return;
	}
	win->level = level;
	(void)ipc_irq_level(p->client_of[w], PL031_GUEST_INTID, level);
}

/* Window @p w's model is about to change (a transaction until commit). */
static void txn_begin(struct pl031_service *p, uint32_t w)
{
	if (p->journaled) {
		(void)ipc_journal_begin(&p->journal, &p->st->win[w].model,
					sizeof(p->st->win[w].model));
	}
}

static void txn_commit(struct pl031_service *p)
{
	if (p->journaled) {
		ipc_journal_commit(&p->journal);
	}
}

static int pl031_mmio(void *ctx, struct ipc_mmio_access *a)
{
	struct pl031_service *p = ctx;
	struct pl031_model *m = &p->st->win[a->window].model;
	uint64_t now = now_seconds(p);
	uint64_t match = pl031_model_next_match(m);
	uint32_t value = 0;
	int rc;

	/* Every access may apply a match: each is a transaction. The model
	 * is plain data, well within one undo record. */
	txn_begin(p, a->window);
	if (a->write) {
		rc = pl031_model_write(m, a->offset, a->width,
				       (uint32_t)a->value, now);
	} else {
		rc = pl031_model_read(m, a->offset, a->width, now, &value);
		a->value = value;
	}
	crash_point(p, a);
	update_line(p, a->window, false);
	txn_commit(p);
	arm_crash(p, a);
	if (pl031_model_next_match(m) != match) {
		set_timer(p);
	}
	return rc == 0 ? IPC_OK : IPC_ERR_ABORT;
}

/* The timer fired: every window applies the matches that have passed. */
static void pl031_timer(void *ctx, uint64_t deadline, uint64_t now)
{
	struct pl031_service *p = ctx;
	uint64_t seconds = pl031_clock_seconds(&p->st->clock, now);

	(void)deadline;
	p->timer_at = 0; /* Fired: the kernel holds no deadline now. */
	for (uint32_t w = 0; w < p->srv.window_count; w++) {
		txn_begin(p, w);
		(void)pl031_model_expire(&p->st->win[w].model, seconds);
		update_line(p, w, false);
		txn_commit(p);
	}
	set_timer(p);
}

/* Client @p client reset: its RTCs keep only their time. */
static void pl031_client_reset(void *ctx, uint32_t client)
{
	struct pl031_service *p = ctx;
	uint64_t now = now_seconds(p);

	for (uint32_t w = 0; w < p->srv.window_count; w++) {
		if (p->client_of[w] != client) {
			continue;
		}
		txn_begin(p, w);
		pl031_model_reset(&p->st->win[w].model, now);
		update_line(p, w, false);
		txn_commit(p);
	}
	set_timer(p);
}

/* --- Start ----------------------------------------------------------------- */

/*
 * Find the state: kept RAM or fresh memory. Returns true if it holds the
 * clock and the devices as they were before a restart.
 */
static bool open_state(struct pl031_service *p, const struct ipc_self *self)
{
	uint64_t layout = PL031_STATE_VERSION << PL031_STATE_VERSION_SHIFT |
			  sizeof(struct pl031_state);
	enum ipc_journal_found found =
		ipc_journal_open(&p->journal, self->kept, self->kept_size,
				 sizeof(struct pl031_state), layout);

	p->journaled = found != IPC_JOURNAL_TOO_SMALL;
	p->st = p->journaled ? (struct pl031_state *)p->journal.state
			     : &pl031_volatile_state;
	bool kept = (found == IPC_JOURNAL_KEPT ||
		     found == IPC_JOURNAL_ROLLED_BACK) &&
		    p->st->clock.freq != 0;

	if (self->restarts == 0) {
		return false;
	}
	if (kept) {
		ipc_log("pl031: restart %u: device state kept%s\n",
			self->restarts,
			found == IPC_JOURNAL_ROLLED_BACK
				? " (the unfinished access was rolled back)"
				: "");
	} else {
		ipc_log("pl031: restart %u: no kept state, devices reset\n",
			self->restarts);
	}
	return kept;
}

/* Fresh: start the clock from the board's RTC and reset every model. */
static void init_fresh(struct pl031_service *p)
{
	struct pl031_state *st = p->st;

	st->clock = (struct pl031_clock){
		.base_seconds = read_board_rtc(),
		.base_count = ipc_now(),
		.freq = ipc_ticks_per_sec(),
	};
	st->crash_armed = 0;
	uint64_t now = now_seconds(p);

	for (uint32_t w = 0; w < p->srv.window_count; w++) {
		pl031_model_init(&st->win[w].model, now);
		st->win[w].level = false;
	}
}

/* Kept: reset only models that are not sound, tell each GIC its line. */
static void init_kept(struct pl031_service *p)
{
	uint64_t now = now_seconds(p);

	for (uint32_t w = 0; w < p->srv.window_count; w++) {
		struct pl031_model *m = &p->st->win[w].model;

		if (!pl031_model_valid(m)) {
			ipc_log("pl031: window %u: kept state unsound, reset\n",
				w);
			pl031_model_init(m, now);
		}
		/* The kernel kept the guest's interrupt as it was: resync. */
		update_line(p, w, true);
	}
}

void service_main(void)
{
	struct pl031_service *p = &pl031;
	struct ipc_self self = { 0 };

	if (ipc_server_init(&p->srv) != IPC_OK ||
	    ipc_self_info(&self) != IPC_OK) {
		ipc_log("pl031: cannot read the window table\n");
		return;
	}
	if (p->srv.window_count == 0 ||
	    ipc_register_mmio(&p->srv, IPC_WINDOW_ALL, pl031_mmio, p) !=
		    IPC_OK) {
		ipc_log("pl031: no window to serve\n");
		return;
	}
	for (uint32_t w = 0; w < p->srv.window_count; w++) {
		uint64_t size;

		(void)ipc_window_info(&p->srv, w, &size, &p->client_of[w]);
	}
	if (open_state(p, &self)) {
		init_kept(p);
	} else {
		init_fresh(p);
	}
	/* A restart cancelled the timer: set it again. */
	set_timer(p);
	ipc_on_timer(&p->srv, pl031_timer, p);
	ipc_on_client_reset(&p->srv, pl031_client_reset, p);
	if (self.restarts == 0) {
		ipc_log("pl031: serving %u PL031 window(s), time from the "
			"board's RTC (%llu s since the epoch)%s\n",
			p->srv.window_count,
			(unsigned long long)p->st->clock.base_seconds,
			p->journaled ? ", state kept across restarts" : "");
	}
	ipc_serve(&p->srv);
}
