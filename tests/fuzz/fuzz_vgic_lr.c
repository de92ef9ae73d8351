/**
 * libFuzzer harness of the list-register allocator (hyp/vgic_lr.h), linked
 * with the real kernel/core/vgic_lr.c.
 *
 * The input picks a number of LRs and a sequence of operations: the kernel
 * side (queue, flush, sync, clear_pending, state) and the guest side, which
 * changes the LRs the way the GIC virtual CPU interface does when the guest
 * reads GICV_IAR (pending -> active) and writes GICV_EOIR (active ->
 * invalid, pending+active -> pending), IHI 0048B 5.2. A reference model
 * keeps the state every interrupt should be in (an SGI from each source is
 * its own interrupt). After every operation the LRs and the queue must hold
 * exactly the reference: no interrupt lost, none duplicated (at most one
 * valid LR per interrupt, never queued twice, never queued while pending in
 * an LR), LR fields as queued (IHI 0048B 5.3.4 layout, decoded here
 * independently), queue_len <= VGIC_INTIDS and unused LRs untouched.
 * After a flush, no interrupt that could go into a free LR is left queued,
 * and none is left queued with a higher priority than a pending-only
 * software LR (the preemption rule of vgic_cpu_flush()). vgic_cpu_place()
 * succeeds exactly when the header says and then leaves the LRs as queue +
 * flush would (checked on a twin of the state).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "hyp/vgic_lr.h"

/* GICH_LRn, IHI 0048B 5.3.4, written out independently of the header. */
#define LR_VIRTUALID(lr)  ((lr)&0x3ffU)		  /* [9:0] */
#define LR_PHYSICALID(lr) (((lr) >> 10) & 0x3ffU) /* [19:10], HW = 1 */
#define LR_CPUID(lr)	  (((lr) >> 10) & 0x7U)	  /* [12:10], HW = 0 */
#define LR_EOI_BIT	  (1U << 19)		  /* [19], HW = 0 */
#define LR_PRIORITY(lr)	  (((lr) >> 23) & 0x1fU)  /* [27:23] */
#define LR_STATE(lr)	  (((lr) >> 28) & 0x3U)	  /* [29:28] */
#define LR_GRP1_BIT	  (1U << 30)		  /* [30] */
#define LR_HW_BIT	  (1U << 31)		  /* [31] */
#define LR_SW_UNUSED	  0x0077e000U /* [22:20] and [18:13] with HW = 0 */

#define ST_INVALID	  0U
#define ST_PENDING	  1U
#define ST_ACTIVE	  2U
#define ST_PENDING_ACTIVE 3U

#define SGI_COUNT  16U	 /**< IDs 0-15 (IHI 0048B 2.2.1). */
#define SOURCES	   8U	 /**< GICH_LRn.CPUID: source CPUs 0-7. */
#define INTID_LAST 1019U /**< 1020-1023 are special (3.2.5). */
/** Keys: one per (SGI, source), then one per other ID up to 1023. */
#define KEY_COUNT (SGI_COUNT * SOURCES + 1024U)
#define NO_KEY	  UINT32_MAX

/** Where an interrupt should be. */
enum where {
	REF_NONE = 0,
	REF_PENDING,	    /**< In the queue or pending in an LR. */
	REF_ACTIVE,	    /**< Active in an LR. */
	REF_PENDING_ACTIVE, /**< Pending+active in a software LR. */
	REF_ACTIVE_QUEUED,  /**< Active in a HW LR and queued again. */
};

/** Reference state of one interrupt. */
struct ref_irq {
	enum where where;
	uint8_t prio5;	 /**< LR priority of the pending (or LR) copy. */
	uint8_t q_prio5; /**< REF_ACTIVE_QUEUED: priority of the queued copy. */
	bool group1;
	bool q_group1; /**< REF_ACTIVE_QUEUED: group of the queued copy. */
	bool hw;
	uint16_t phys;
};

/** Where the model actually holds each interrupt. */
struct seen {
	uint8_t lrs;	/**< Valid LRs holding it. */
	uint8_t queued; /**< Queue entries. */
	uint32_t lr;	/**< Value of (the last) such LR. */
	uint32_t qi;	/**< Index of (the last) such queue entry. */
};

struct harness {
	struct vgic_cpu c;
	uint32_t lr_count; /**< As asked; the model clamps it. */
	uint64_t hw_mask;  /**< ID n >= 16 is HW if bit n % 64 set. */
	struct ref_irq ref[KEY_COUNT];
	struct seen seen[KEY_COUNT];
	/** Keys ever queued, the only ones the model may hold: checking
	 * just these keeps each run fast. */
	bool touched[KEY_COUNT];
	uint32_t touched_list[KEY_COUNT];
	uint32_t touched_count;
};

static bool is_sgi(uint32_t intid)
{
	return intid < SGI_COUNT;
}

static uint32_t key_of(uint32_t intid, bool hw, uint32_t source)
{
	if (intid > 1023U) {
		return NO_KEY;
	}
	if (is_sgi(intid) && !hw) {
		return intid * SOURCES + (source % SOURCES);
	}
	return SGI_COUNT * SOURCES + intid;
}

static uint32_t key_of_lr(uint32_t lr)
{
	return key_of(LR_VIRTUALID(lr), (lr & LR_HW_BIT) != 0, LR_CPUID(lr));
}

static uint32_t key_intid(uint32_t key)
{
	return key < SGI_COUNT * SOURCES ? key / SOURCES
					 : key - SGI_COUNT * SOURCES;
}

static uint32_t lr_count(const struct harness *h)
{
	return h->lr_count > VGIC_MAX_LRS ? VGIC_MAX_LRS : h->lr_count;
}

static bool sgi_id_in_an_lr(const struct harness *h, uint32_t intid, bool hw);

/* --- Checks --------------------------------------------------------------- */

/** The LR value must describe reference interrupt @p r. */
static void check_lr_fields(uint32_t lr, const struct ref_irq *r, uint8_t prio5)
{
	uint32_t intid = LR_VIRTUALID(lr);

	FUZZ_CHECK(((lr & LR_HW_BIT) != 0) == r->hw, "LR 0x%08x HW bit", lr);
	FUZZ_CHECK(((lr & LR_GRP1_BIT) != 0) == r->group1, "LR 0x%08x group",
		   lr);
	FUZZ_CHECK(LR_PRIORITY(lr) == prio5, "LR 0x%08x priority, want %u", lr,
		   prio5);
	if (r->hw) {
		FUZZ_CHECK(LR_PHYSICALID(lr) == r->phys,
			   "LR 0x%08x PhysicalID, want %u", lr, r->phys);
	} else {
		/* EOI maintenance only on an SGI's LR, which another
		 * source's SGI of that ID may wait for (sgi_waits()). */
		FUZZ_CHECK((lr & LR_EOI_BIT) == 0 || is_sgi(intid),
			   "LR 0x%08x has EOI", lr);
		FUZZ_CHECK((lr & LR_SW_UNUSED) == 0 &&
			       (is_sgi(intid) || LR_CPUID(lr) == 0),
			   "LR 0x%08x reserved bits", lr);
	}
}

/** Queue entry @p q must describe reference interrupt @p r. */
static void check_queued(const struct vgic_pending_irq *q,
			 const struct ref_irq *r, uint8_t prio5, bool group1)
{
	FUZZ_CHECK(q->hw == r->hw && q->group1 == group1 &&
		       (q->priority >> 3) == prio5 &&
		       (!r->hw || q->phys == r->phys),
		   "queued ID %u: hw %d grp %d prio 0x%x phys %u", q->intid,
		   q->hw, q->group1, q->priority, q->phys);
}

/** Count @p key among those to check. */
static void touch(struct harness *h, uint32_t key)
{
	if (!h->touched[key]) {
		h->touched[key] = true;
		h->touched_list[h->touched_count++] = key;
	}
}

/** Count one LR or queue entry of @p key; it must have been queued. */
static struct seen *seen_key(struct harness *h, uint32_t key, uint32_t intid)
{
	FUZZ_CHECK(key != NO_KEY && intid <= INTID_LAST && h->touched[key],
		   "the model holds ID %u, which was never queued", intid);
	return &h->seen[key];
}

/** Tally where the model holds each interrupt. */
static void collect(struct harness *h)
{
	const struct vgic_cpu *c = &h->c;

	for (uint32_t i = 0; i < h->touched_count; i++) {
		memset(&h->seen[h->touched_list[i]], 0, sizeof(h->seen[0]));
	}
	for (uint32_t i = 0; i < VGIC_MAX_LRS; i++) {
		uint32_t lr = c->lr[i];
		uint32_t key;

		if (i >= lr_count(h)) {
			FUZZ_CHECK(lr == 0, "unimplemented LR%u = 0x%08x", i,
				   lr);
			continue;
		}
		if (LR_STATE(lr) == ST_INVALID) {
			continue;
		}
		key = key_of_lr(lr);
		seen_key(h, key, LR_VIRTUALID(lr))->lrs++;
		h->seen[key].lr = lr;
	}
	for (uint32_t i = 0; i < c->queue_len; i++) {
		const struct vgic_pending_irq *q = &c->queue[i];
		uint32_t key = key_of(q->intid, q->hw, q->source_cpu);

		seen_key(h, key, q->intid)->queued++;
		h->seen[key].qi = i;
	}
}

/** LR state the reference expects, ST_INVALID if none. */
static uint32_t expected_lr_state(const struct ref_irq *r, const struct seen *s)
{
	switch (r->where) {
	case REF_PENDING:
		return s->queued != 0 ? ST_INVALID : ST_PENDING;
	case REF_ACTIVE:
	case REF_ACTIVE_QUEUED:
		return ST_ACTIVE;
	case REF_PENDING_ACTIVE:
		return ST_PENDING_ACTIVE;
	default:
		return ST_INVALID;
	}
}

/** The model holds exactly what the reference says: nothing lost or twice. */
static void check_model(struct harness *h)
{
	FUZZ_CHECK(h->c.queue_len <= VGIC_INTIDS, "queue_len %u",
		   h->c.queue_len);
	FUZZ_CHECK(h->c.lr_count == lr_count(h), "lr_count %u", h->c.lr_count);
	collect(h);
	for (uint32_t t = 0; t < h->touched_count; t++) {
		uint32_t key = h->touched_list[t];
		const struct ref_irq *r = &h->ref[key];
		const struct seen *s = &h->seen[key];
		uint32_t intid = key_intid(key);
		bool want_queued = r->where == REF_ACTIVE_QUEUED ||
				   (r->where == REF_PENDING && s->lrs == 0);
		uint32_t want_lr = expected_lr_state(r, s);

		FUZZ_CHECK(s->lrs <= 1, "ID %u (key %u) in %u LRs", intid, key,
			   s->lrs);
		FUZZ_CHECK(s->queued == (want_queued ? 1 : 0),
			   "ID %u (key %u) queued %u times, reference %d",
			   intid, key, s->queued, (int)r->where);
		FUZZ_CHECK(
		    (s->lrs != 0 ? LR_STATE(s->lr) : ST_INVALID) == want_lr,
		    "ID %u (key %u) LR state %u, reference %d", intid, key,
		    s->lrs != 0 ? LR_STATE(s->lr) : 0, (int)r->where);
		if (s->lrs != 0) {
			check_lr_fields(s->lr, r, r->prio5);
		}
		if (s->queued != 0) {
			bool again = r->where == REF_ACTIVE_QUEUED;

			check_queued(&h->c.queue[s->qi], r,
				     again ? r->q_prio5 : r->prio5,
				     again ? r->q_group1 : r->group1);
		}
	}
}

/** After a flush: nothing placeable waits while an LR is free or weaker. */
static void check_flushed(struct harness *h, bool more)
{
	const struct vgic_cpu *c = &h->c;
	bool free_lr = false;
	uint32_t weakest = 0;
	bool any_weak = false;

	bool underflow = false;

	for (uint32_t i = 0; i < c->queue_len; i++) {
		underflow = underflow || !sgi_id_in_an_lr(h, c->queue[i].intid,
							  c->queue[i].hw);
	}
	/* A waiting SGI comes back by EOI maintenance, not underflow. */
	FUZZ_CHECK(more == underflow, "flush returned %d, queue %u", more,
		   c->queue_len);
	for (uint32_t i = 0; i < lr_count(h); i++) {
		uint32_t lr = c->lr[i];

		if (LR_STATE(lr) == ST_INVALID) {
			free_lr = true;
		} else if (LR_STATE(lr) == ST_PENDING && !(lr & LR_HW_BIT)) {
			if (!any_weak || LR_PRIORITY(lr) > weakest) {
				weakest = LR_PRIORITY(lr);
			}
			any_weak = true;
		}
	}
	for (uint32_t i = 0; i < c->queue_len; i++) {
		const struct vgic_pending_irq *q = &c->queue[i];
		uint32_t key = key_of(q->intid, q->hw, q->source_cpu);

		if (h->ref[key].where == REF_ACTIVE_QUEUED ||
		    sgi_id_in_an_lr(h, q->intid, q->hw)) {
			continue; /* Waits for an LR of its ID to complete. */
		}
		FUZZ_CHECK(!free_lr, "ID %u left queued with a free LR",
			   q->intid);
		FUZZ_CHECK(!any_weak || (uint32_t)(q->priority >> 3) >= weakest,
			   "ID %u (priority 0x%x) left queued behind a pending "
			   "LR of priority %u",
			   q->intid, q->priority, weakest);
	}
}

/* --- Operations ----------------------------------------------------------- */

static bool irq_valid(const struct vgic_pending_irq *irq)
{
	if (irq->intid > INTID_LAST) {
		return false;
	}
	if (irq->hw) {
		return irq->phys <= INTID_LAST;
	}
	return !is_sgi(irq->intid) || irq->source_cpu < SOURCES;
}

static void op_queue(struct harness *h, const struct vgic_pending_irq *irq)
{
	struct vgic_cpu before;
	uint32_t key = key_of(irq->intid, irq->hw, irq->source_cpu);
	bool valid = irq_valid(irq);
	bool full = h->c.queue_len >= VGIC_INTIDS;
	struct ref_irq *r;
	bool ok;

	memcpy(&before, &h->c, sizeof(before));
	ok = vgic_cpu_queue(&h->c, irq);
	if (!ok) {
		FUZZ_CHECK(!valid || full, "ID %u refused with a queue of %u",
			   irq->intid, h->c.queue_len);
		FUZZ_CHECK(memcmp(&before, &h->c, sizeof(before)) == 0,
			   "refused queue changed the state");
		return;
	}
	FUZZ_CHECK(valid, "invalid ID %u (hw %d phys %u source %u) accepted",
		   irq->intid, irq->hw, irq->phys, irq->source_cpu);
	touch(h, key);
	r = &h->ref[key];
	switch (r->where) {
	case REF_NONE:
		*r = (struct ref_irq){
		    .where = REF_PENDING,
		    .prio5 = irq->priority >> 3,
		    .group1 = irq->group1,
		    .hw = irq->hw,
		    .phys = irq->phys,
		};
		break;
	case REF_ACTIVE:
		if (r->hw) {
			r->where = REF_ACTIVE_QUEUED;
			r->q_prio5 = irq->priority >> 3;
			r->q_group1 = irq->group1;
			r->phys = irq->phys;
		} else {
			r->where = REF_PENDING_ACTIVE;
		}
		break;
	default:
		/* Already pending: one pending interrupt, nothing changes. */
		break;
	}
}

/** True if a valid LR holds the interrupt of reference key @p key. */
static bool in_an_lr(const struct harness *h, uint32_t key)
{
	for (uint32_t i = 0; i < lr_count(h); i++) {
		if (LR_STATE(h->c.lr[i]) != ST_INVALID &&
		    key_of_lr(h->c.lr[i]) == key) {
			return true;
		}
	}
	return false;
}

/**
 * True if software SGI @p intid must wait in the queue: a valid software LR
 * holds its ID, from whichever source (one LR per SGI ID, vgic_lr.c).
 */
static bool sgi_id_in_an_lr(const struct harness *h, uint32_t intid, bool hw)
{
	if (!is_sgi(intid) || hw) {
		return false;
	}
	for (uint32_t i = 0; i < lr_count(h); i++) {
		uint32_t lr = h->c.lr[i];

		if (LR_STATE(lr) != ST_INVALID && !(lr & LR_HW_BIT) &&
		    LR_VIRTUALID(lr) == intid) {
			return true;
		}
	}
	return false;
}

/** True if some LR is free (state invalid). */
static bool lr_free(const struct harness *h)
{
	for (uint32_t i = 0; i < lr_count(h); i++) {
		if (LR_STATE(h->c.lr[i]) == ST_INVALID) {
			return true;
		}
	}
	return false;
}

/**
 * vgic_cpu_place(): succeeds exactly when nothing is queued, the interrupt
 * is valid and in no LR, and an LR is free; then the LRs are what queue +
 * flush would have made them (vgic_lr.h). Otherwise nothing changes.
 */
static void op_place(struct harness *h, const struct vgic_pending_irq *irq)
{
	static struct vgic_cpu before;
	static struct vgic_cpu twin;
	uint32_t key = key_of(irq->intid, irq->hw, irq->source_cpu);
	bool want = h->c.queue_len == 0 && irq_valid(irq) &&
		    !in_an_lr(h, key) && lr_free(h) &&
		    !sgi_id_in_an_lr(h, irq->intid, irq->hw);
	bool got;
	bool all_free = true;

	/* Told when every LR is free, place() must still match (the
	 * kernel says so after reading GICH_ELRSR all set). */
	for (uint32_t i = 0; i < h->c.lr_count; i++) {
		all_free = all_free && arch_lr_state(h->c.lr[i]) == VGIC_LR_INVALID;
	}
	memcpy(&before, &h->c, sizeof(before));
	memcpy(&twin, &h->c, sizeof(twin));
	got = vgic_cpu_place(&h->c, irq, all_free);
	FUZZ_CHECK(got == want, "place of ID %u: %d, want %d", irq->intid, got,
		   want);
	if (!got) {
		/* Only the EOI bit of the LR a refused SGI waits for. */
		for (uint32_t i = 0; i < VGIC_MAX_LRS; i++) {
			before.lr[i] |= h->c.lr[i] & LR_EOI_BIT;
		}
		FUZZ_CHECK(memcmp(&before, &h->c, sizeof(before)) == 0,
			   "refused place changed the state");
		return;
	}
	FUZZ_CHECK(vgic_cpu_queue(&twin, irq) && !vgic_cpu_flush(&twin),
		   "queue + flush of a placeable ID %u", irq->intid);
	FUZZ_CHECK(memcmp(twin.lr, h->c.lr, sizeof(twin.lr)) == 0 &&
		       h->c.queue_len == 0 && twin.injected == h->c.injected,
		   "place of ID %u differs from queue + flush", irq->intid);
	touch(h, key);
	h->ref[key] = (struct ref_irq){
	    .where = REF_PENDING,
	    .prio5 = irq->priority >> 3,
	    .group1 = irq->group1,
	    .hw = irq->hw,
	    .phys = irq->phys,
	};
}

/** GICV_IAR: the highest-priority pending LR becomes active. */
static void guest_ack(struct harness *h)
{
	int best = -1;

	for (uint32_t i = 0; i < lr_count(h); i++) {
		uint32_t lr = h->c.lr[i];

		if (LR_STATE(lr) != ST_PENDING) {
			continue;
		}
		if (best < 0 || LR_PRIORITY(lr) < LR_PRIORITY(h->c.lr[best])) {
			best = (int)i;
		}
	}
	if (best < 0) {
		return;
	}
	h->c.lr[best] = (h->c.lr[best] & ~(3U << 28)) | (ST_ACTIVE << 28);
	h->ref[key_of_lr(h->c.lr[best])].where = REF_ACTIVE;
}

/** GICV_EOIR for the @p n-th active LR (wrapping). */
static void guest_eoi(struct harness *h, uint32_t n)
{
	uint32_t active[VGIC_MAX_LRS];
	uint32_t count = 0;
	uint32_t i;
	struct ref_irq *r;

	for (i = 0; i < lr_count(h); i++) {
		if (LR_STATE(h->c.lr[i]) & ST_ACTIVE) {
			active[count++] = i;
		}
	}
	if (count == 0) {
		return;
	}
	i = active[n % count];
	r = &h->ref[key_of_lr(h->c.lr[i])];
	if (LR_STATE(h->c.lr[i]) == ST_ACTIVE) {
		/* The GIC leaves the other fields alone. */
		h->c.lr[i] &= ~(3U << 28);
	} else {
		h->c.lr[i] = (h->c.lr[i] & ~(3U << 28)) | (ST_PENDING << 28);
	}
	switch (r->where) {
	case REF_ACTIVE:
		r->where = REF_NONE;
		break;
	case REF_PENDING_ACTIVE:
		r->where = REF_PENDING;
		break;
	case REF_ACTIVE_QUEUED:
		r->where = REF_PENDING;
		r->prio5 = r->q_prio5;
		r->group1 = r->q_group1;
		break;
	default:
		FUZZ_CHECK(false, "EOI of LR%u in reference state %d", i,
			   (int)r->where);
	}
}

static void op_clear_pending(struct harness *h, uint32_t intid)
{
	vgic_cpu_clear_pending(&h->c, intid);
	for (uint32_t t = 0; t < h->touched_count; t++) {
		uint32_t key = h->touched_list[t];
		struct ref_irq *r = &h->ref[key];

		if (key_intid(key) != intid) {
			continue;
		}
		if (r->where == REF_PENDING) {
			r->where = REF_NONE;
		} else if (r->where == REF_PENDING_ACTIVE ||
			   r->where == REF_ACTIVE_QUEUED) {
			r->where = REF_ACTIVE;
		}
	}
}

static void op_state(struct harness *h, uint32_t intid)
{
	bool pending = true;
	bool active = true;
	bool want_pending = false;
	bool want_active = false;

	vgic_cpu_state(&h->c, intid, &pending, &active);
	for (uint32_t t = 0; t < h->touched_count; t++) {
		uint32_t key = h->touched_list[t];
		enum where w = h->ref[key].where;

		if (key_intid(key) != intid) {
			continue;
		}
		want_pending |= w == REF_PENDING || w == REF_PENDING_ACTIVE ||
				w == REF_ACTIVE_QUEUED;
		want_active |= w == REF_ACTIVE || w == REF_PENDING_ACTIVE ||
			       w == REF_ACTIVE_QUEUED;
	}
	FUZZ_CHECK(pending == want_pending && active == want_active,
		   "state of %u: pending %d active %d, want %d %d", intid,
		   pending, active, want_pending, want_active);
}

/** An interrupt ID: mostly one of a few, so that they collide. */
static uint32_t pick_intid(struct fuzz_in *in)
{
	uint8_t sel = fuzz_u8(in);

	if (sel >= 0xf0) {
		return fuzz_u16(in) % 1100U;
	}
	return sel % 48U;
}

/** Build an interrupt; HW-ness is fixed per ID for the whole input. */
static struct vgic_pending_irq make_irq(const struct harness *h, uint32_t intid,
					uint8_t prio, uint8_t flags)
{
	bool hw = intid >= SGI_COUNT && ((h->hw_mask >> (intid % 64)) & 1U);
	struct vgic_pending_irq irq = {
	    .intid = (uint16_t)intid,
	    .priority = prio,
	    .source_cpu = (uint8_t)(flags & 0x7U),
	    .hw = hw,
	    .phys = (uint16_t)intid,
	    .group1 = (flags & 0x8U) != 0,
	};

	if (flags == 0xff) {
		/* Out of range fields must be refused. */
		irq.source_cpu = 8;
		irq.phys = 1020;
	}
	return irq;
}

enum op {
	OP_QUEUE,
	OP_QUEUE_BURST,
	OP_FLUSH,
	OP_SYNC,
	OP_GUEST_ACK,
	OP_GUEST_EOI,
	OP_CLEAR_PENDING,
	OP_STATE,
	OP_PLACE,
	OP_COUNT,
};

static void run_op(struct harness *h, struct fuzz_in *in)
{
	uint8_t op = fuzz_u8(in);

	switch (op % OP_COUNT) {
	case OP_QUEUE: {
		uint32_t intid = pick_intid(in);
		uint8_t prio = fuzz_u8(in);
		struct vgic_pending_irq irq =
		    make_irq(h, intid, prio, fuzz_u8(in));

		op_queue(h, &irq);
		break;
	}
	case OP_QUEUE_BURST: {
		uint32_t first = pick_intid(in);
		uint32_t n = fuzz_u8(in);
		uint8_t prio = fuzz_u8(in);

		for (uint32_t i = 0; i < n; i++) {
			/* SGIs from each source, then further IDs. */
			uint32_t intid = (first + i / SOURCES) % 1024U;
			struct vgic_pending_irq irq =
			    make_irq(h, intid, (uint8_t)(prio + 8 * i),
				     (uint8_t)(i % SOURCES));

			op_queue(h, &irq);
		}
		break;
	}
	case OP_FLUSH:
		check_flushed(h, vgic_cpu_flush(&h->c));
		break;
	case OP_SYNC:
		vgic_cpu_sync(&h->c);
		for (uint32_t i = 0; i < lr_count(h); i++) {
			FUZZ_CHECK(LR_STATE(h->c.lr[i]) != ST_INVALID ||
				       h->c.lr[i] == 0,
				   "free LR%u not zeroed", i);
		}
		break;
	case OP_GUEST_ACK:
		guest_ack(h);
		break;
	case OP_GUEST_EOI:
		guest_eoi(h, fuzz_u8(in));
		break;
	case OP_CLEAR_PENDING:
		op_clear_pending(h, pick_intid(in));
		break;
	case OP_STATE:
		op_state(h, pick_intid(in));
		break;
	default: {
		uint32_t intid = pick_intid(in);
		uint8_t prio = fuzz_u8(in);
		struct vgic_pending_irq irq =
		    make_irq(h, intid, prio, fuzz_u8(in));

		op_place(h, &irq);
		break;
	}
	}
	check_model(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct harness h;
	struct fuzz_in in;
	uint8_t lrs;

	fuzz_in_init(&in, data, size);
	lrs = fuzz_u8(&in);
	/* Mostly a few LRs (GIC-400 has 4), sometimes too many. */
	h.lr_count = lrs < 0xc0 ? lrs % 6U : lrs % (VGIC_MAX_LRS + 8U);
	h.hw_mask = fuzz_u64(&in);
	memset(&h.c, 0xa5, sizeof(h.c));
	vgic_cpu_init(&h.c, h.lr_count);
	memset(h.ref, 0, sizeof(h.ref));
	memset(h.touched, 0, sizeof(h.touched));
	h.touched_count = 0;
	check_model(&h);
	while (!fuzz_done(&in)) {
		run_op(&h, &in);
	}
	return 0;
}
