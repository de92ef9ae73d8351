/**
 * Split virtqueues, device side (OASIS virtio 1.2 §2.7; ipc/virtio.h).
 *
 * The driver owns the rings and may rewrite them at any time, so every
 * field is loaded once through a volatile pointer into a local copy, and
 * every decision is taken on the copy: a descriptor changed while in use
 * cannot move a buffer outside the grant after it was checked. Every walk
 * is bounded (QueueNum descriptors of the ring, seg_max + 1 of an indirect
 * table), and anything the driver MUST NOT do fails the device
 * (DEVICE_NEEDS_RESET, virtio_dev_fail()).
 *
 * Rings are little-endian (§2.7, non-legacy); so are both targets.
 */
#include "ipc/virtio.h"

#include "virtio_barrier.h"
#include "virtio_queue.h"

/* Ring layouts (§2.7.5, §2.7.6, §2.7.8). */
struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

/** Available ring: flags, idx, ring[QueueNum], then used_event with
 * VIRTIO_F_EVENT_IDX (§2.7.6). */
#define AVAIL_FLAGS 0U
#define AVAIL_IDX 1U
#define AVAIL_RING 2U
#define AVAIL_HEADER_BYTES 4U
/** Used ring: flags, idx (16 bits each), then ring[QueueNum], then
 * avail_event with VIRTIO_F_EVENT_IDX (§2.7.8). */
#define USED_HEADER_BYTES 4U
#define USED_IDX 1U
/** used_event / avail_event: one le16 after each ring (§2.7.6, §2.7.8). */
#define EVENT_BYTES 2U

/* §2.7 table "Virtqueue Part Alignment". */
#define DESC_ALIGN 16U
#define AVAIL_ALIGN 2U
#define USED_ALIGN 4U
/** An indirect table is an array of descriptors: 64-bit fields. */
#define INDIRECT_ALIGN 8U

/** Where the service sees the three parts of a usable queue. */
struct ring {
	volatile struct vring_desc *desc;
	volatile uint16_t *avail;
	volatile uint16_t *used_hdr;
	volatile struct vring_used_elem *used;
	/** With VIRTIO_F_EVENT_IDX: the driver's used_event, the device's
	 * avail_event; NULL without. */
	volatile uint16_t *used_event;
	volatile uint16_t *avail_event;
	uint16_t mask;
};

static bool power_of_2(uint32_t n)
{
	return n != 0 && (n & (n - 1U)) == 0;
}

static void *ring_part(const struct virtio_dev *d, uint64_t gpa, uint64_t len)
{
	return virtio_gmem_ptr(d->gmem, gpa, len);
}

/** VIRTIO_F_EVENT_IDX offered and negotiated (fixed from FEATURES_OK on,
 * before any queue is ready). */
static bool event_idx(const struct virtio_dev *d)
{
	return (virtio_offered(d) & d->st->driver_features &
		VIRTIO_F_EVENT_IDX) != 0;
}

enum virtio_fault virtq_check_rings(const struct virtio_dev *d,
				    const struct virtq_state *q)
{
	uint32_t num_max = d->ops->queue_max < VIRTQ_NUM_LIMIT
				   ? d->ops->queue_max
				   : VIRTQ_NUM_LIMIT;
	uint64_t num = q->num;
	/* §2.7 table "Virtqueue Part Alignment": the driver area is 6 + 2 *
	 * QueueNum bytes, the device area 6 + 8 * QueueNum; the last word of
	 * each is used only with VIRTIO_F_EVENT_IDX, checked only then. */
	uint64_t event = event_idx(d) ? EVENT_BYTES : 0;

	if (!power_of_2(q->num) || q->num > num_max) {
		return VIRTIO_FAULT_QUEUE_SIZE;
	}
	if (q->desc % DESC_ALIGN != 0 || q->avail % AVAIL_ALIGN != 0 ||
	    q->used % USED_ALIGN != 0) {
		return VIRTIO_FAULT_RING_ALIGN;
	}
	if (ring_part(d, q->desc, num * sizeof(struct vring_desc)) == NULL ||
	    ring_part(d, q->avail,
		      AVAIL_HEADER_BYTES + num * sizeof(uint16_t) + event) ==
		    NULL ||
	    ring_part(d, q->used,
		      USED_HEADER_BYTES + num * sizeof(struct vring_used_elem) +
			      event) == NULL) {
		return VIRTIO_FAULT_RING_RANGE;
	}
	return VIRTIO_FAULT_NONE;
}

/**
 * The rings of queue @p qi, if the device runs and the queue is ready.
 * The layout is checked again (cheap), so state read back from kept RAM
 * is never trusted blindly. Returns VIRTQ_POPPED, VIRTQ_EMPTY (queue not
 * ready) or VIRTQ_ERR_BROKEN.
 */
static int map_ring(struct virtio_dev *d, uint32_t qi, struct ring *r)
{
	if (!virtio_dev_running(d) || qi >= d->ops->queue_count ||
	    qi >= VIRTIO_MAX_QUEUES) {
		return VIRTQ_ERR_BROKEN;
	}
	const struct virtq_state *q = &d->st->queue[qi];

	if (q->ready == 0) {
		return VIRTQ_EMPTY;
	}
	enum virtio_fault f = virtq_check_rings(d, q);

	if (f != VIRTIO_FAULT_NONE) {
		virtio_dev_fail(d, f);
		return VIRTQ_ERR_BROKEN;
	}
	uint8_t *used = ring_part(d, q->used, USED_HEADER_BYTES);

	*r = (struct ring){
		.desc = ring_part(d, q->desc, sizeof(struct vring_desc)),
		.avail = ring_part(d, q->avail, AVAIL_HEADER_BYTES),
		.used_hdr = (volatile uint16_t *)used,
		.used = (volatile struct vring_used_elem *)(used +
							    USED_HEADER_BYTES),
		.mask = (uint16_t)(q->num - 1U),
	};
	if (event_idx(d)) {
		/* Both inside the ranges virtq_check_rings() just checked
		 * (each wholly in one region of the grant). */
		r->used_event = &r->avail[AVAIL_RING + q->num];
		r->avail_event = (volatile uint16_t *)&r->used[q->num];
	}
	return VIRTQ_POPPED;
}

/** One descriptor, each field loaded exactly once. */
static struct vring_desc read_desc(const volatile struct vring_desc *p)
{
	struct vring_desc v;

	v.addr = p->addr;
	v.len = p->len;
	v.flags = p->flags;
	v.next = p->next;
	return v;
}

/** A chain being collected. */
struct walk {
	struct virtq_chain *chain;
	struct virtq_seg *seg;
	uint32_t seg_max;
	enum virtio_fault fault;
	bool full;	 /**< More segments than seg_max. */
	bool seen_write; /**< A writable descriptor came (even of 0 bytes). */
};

/** Add the buffer of @p v (past seg_max: only checked); false stops the
 * walk (a fault). */
static bool add_seg(const struct virtio_dev *d, struct walk *w,
		    const struct vring_desc *v)
{
	bool write = (v->flags & VIRTQ_DESC_F_WRITE) != 0;
	uint8_t *ptr = virtio_gmem_ptr(d->gmem, v->addr, v->len);

	if (ptr == NULL) {
		w->fault = VIRTIO_FAULT_BUFFER_RANGE;
		return false;
	}
	if (!write && w->seen_write) {
		/* §2.7.4.2: writable descriptors come after readable ones. */
		w->fault = VIRTIO_FAULT_DESC_ORDER;
		return false;
	}
	w->seen_write |= write;
	if (w->chain->count >= w->seg_max) {
		/* Not taken, but walked to its end: a loop or a bad buffer
		 * further on still breaks the ring (§2.7.4.2), whatever
		 * seg_max the caller has. */
		w->full = true;
		return true;
	}
	w->seg[w->chain->count++] = (struct virtq_seg){
		.gpa = v->addr, .ptr = ptr, .len = v->len, .write = write
	};
	if (write) {
		w->chain->writable += v->len;
	} else {
		w->chain->readable += v->len;
	}
	return true;
}

/** Walk the indirect table @p v refers to (§2.7.5.3), from its entry 0. */
static void walk_indirect(const struct virtio_dev *d, struct walk *w,
			  const struct vring_desc *v)
{
	uint64_t count = v->len / sizeof(struct vring_desc);
	const volatile struct vring_desc *table =
		virtio_gmem_ptr(d->gmem, v->addr, v->len);

	if ((virtio_offered(d) & d->st->driver_features &
	     VIRTIO_F_INDIRECT_DESC) == 0 ||
	    (v->flags & VIRTQ_DESC_F_NEXT) != 0 || count == 0 ||
	    v->len % sizeof(struct vring_desc) != 0 ||
	    v->addr % INDIRECT_ALIGN != 0) {
		w->fault = VIRTIO_FAULT_INDIRECT;
		return;
	}
	if (table == NULL) {
		w->fault = VIRTIO_FAULT_BUFFER_RANGE;
		return;
	}
	uint64_t i = 0;

	for (uint64_t n = 0; n < count; n++) {
		struct vring_desc e = read_desc(&table[i]);

		if ((e.flags & VIRTQ_DESC_F_INDIRECT) != 0) {
			w->fault = VIRTIO_FAULT_INDIRECT; /* One level only. */
			return;
		}
		if (!add_seg(d, w, &e) || (e.flags & VIRTQ_DESC_F_NEXT) == 0) {
			return;
		}
		i = e.next;
		if (i >= count) {
			w->fault = VIRTIO_FAULT_DESC_INDEX;
			return;
		}
	}
	w->fault = VIRTIO_FAULT_CHAIN_LENGTH; /* More links than entries. */
}

/** Walk the chain from @p head through the descriptor table. */
static void walk_chain(const struct virtio_dev *d, const struct ring *r,
		       struct walk *w, uint16_t head)
{
	uint32_t num = (uint32_t)r->mask + 1U;
	uint32_t i = head;

	for (uint32_t n = 0; n < num; n++) {
		struct vring_desc v = read_desc(&r->desc[i]);

		if ((v.flags & VIRTQ_DESC_F_INDIRECT) != 0) {
			walk_indirect(d, w, &v);
			return;
		}
		if (!add_seg(d, w, &v) || (v.flags & VIRTQ_DESC_F_NEXT) == 0) {
			return;
		}
		i = v.next;
		if (i >= num) {
			w->fault = VIRTIO_FAULT_DESC_INDEX;
			return;
		}
	}
	/* §2.7.4.2: no chain is longer than the queue: this one loops. */
	w->fault = VIRTIO_FAULT_CHAIN_LENGTH;
}

int virtq_pop(struct virtio_dev *d, uint32_t qi, struct virtq_chain *chain,
	      struct virtq_seg *seg, uint32_t seg_max)
{
	struct ring r;
	int rc = map_ring(d, qi, &r);

	if (rc != VIRTQ_POPPED) {
		return rc;
	}
	struct virtq_state *q = &d->st->queue[qi];
	uint16_t pending = (uint16_t)(r.avail[AVAIL_IDX] - q->last_avail);

	if (pending == 0 && r.avail_event != NULL) {
		/* §2.7.10: notify me when entry last_avail is made available.
		 * The driver writes avail->idx, then (full barrier) reads
		 * avail_event; the device the mirror image: one of the two
		 * sees the other's store, so a buffer is either seen here or
		 * notified (§2.7.13.4; Linux's virtqueue_kick_prepare). */
		*r.avail_event = q->last_avail;
		virtio_mb();
		pending = (uint16_t)(r.avail[AVAIL_IDX] - q->last_avail);
	}
	if (pending == 0) {
		return VIRTQ_EMPTY;
	}
	if (pending > q->num) {
		virtio_dev_fail(d, VIRTIO_FAULT_AVAIL_IDX);
		return VIRTQ_ERR_BROKEN;
	}
	/* The ring entry is read after the index that published it. */
	virtio_rmb();
	uint16_t head = r.avail[AVAIL_RING + (q->last_avail & r.mask)];

	if (head > r.mask) {
		virtio_dev_fail(d, VIRTIO_FAULT_DESC_INDEX);
		return VIRTQ_ERR_BROKEN;
	}
	*chain = (struct virtq_chain){ .head = head };
	struct walk w = { .chain = chain, .seg = seg, .seg_max = seg_max };

	walk_chain(d, &r, &w, head);
	if (w.fault != VIRTIO_FAULT_NONE) {
		chain->count = 0;
		virtio_dev_fail(d, w.fault);
		return VIRTQ_ERR_BROKEN;
	}
	q->last_avail++;
	if (w.full) {
		chain->count = 0;
		chain->readable = chain->writable = 0;
		return VIRTQ_ERR_SEGS;
	}
	return VIRTQ_POPPED;
}

int virtq_push(struct virtio_dev *d, uint32_t qi, uint16_t head,
	       uint32_t written)
{
	struct ring r;

	if (map_ring(d, qi, &r) != VIRTQ_POPPED || head > r.mask) {
		return IPC_ERR_INVALID;
	}
	struct virtq_state *q = &d->st->queue[qi];
	volatile struct vring_used_elem *e = &r.used[q->used_idx & r.mask];

	e->id = head;
	e->len = written;
	/* §2.7.8: the entry is visible before the index that publishes it. */
	virtio_wmb();
	q->used_idx++;
	r.used_hdr[USED_IDX] = q->used_idx;
	return IPC_OK;
}

bool virtq_signal(struct virtio_dev *d, uint32_t qi)
{
	struct ring r;

	if (map_ring(d, qi, &r) != VIRTQ_POPPED) {
		return false;
	}
	/* §2.7.10: used->idx is written before used_event or avail->flags
	 * is read (the driver writes them, then reads used->idx again). */
	virtio_mb();
	if (r.used_event != NULL) {
		struct virtq_state *q = &d->st->queue[qi];
		uint16_t old = q->signalled;

		/* The flags are ignored (§2.7.10: the device MUST); the
		 * driver asked to be told when entry used_event is used. */
		q->signalled = q->used_idx;
		if (!virtq_need_event(*r.used_event, q->used_idx, old)) {
			return false;
		}
	} else if ((r.avail[AVAIL_FLAGS] & VIRTQ_AVAIL_F_NO_INTERRUPT) != 0) {
		return false;
	}
	virtio_raise(d, VIRTIO_INT_VRING);
	return true;
}
