/**
 * The virtio-blk service (services/vblk/README.md): the driver domain of
 * QEMU virt's virtio-blk disk (virtio-mmio slot 31, passed through, its
 * SPI 79 owned) and, for each client VM, a virtual virtio-blk device on an
 * emulated window (guest SPI 48) whose disk is the client's range of the
 * physical one (vblk/vblk_layout.h).
 *
 * Data path, zero-copy: a client's request is checked (vblk_req.c) and
 * resent to the physical disk as a chain of its own header and status
 * byte (in this service's RAM) around the client's data buffers, given to
 * the device by PA: every buffer is inside a grant (virtq_pop() checked
 * it), translated (ipc_translate(), which also makes the client's memory
 * there ready for the device) unless its blocks were before (dma_pa()). The
 * physical disk so writes into the client's RAM directly: the driver domain is
 * trusted for DMA.
 *
 * Crashes: every virtual device's transport state and its requests in
 * flight live in kept RAM under the journal. A request is a record from
 * the moment it is popped (one transaction: the avail index moves and the
 * record appears together) to the moment it completes (one transaction:
 * the used entry, the used index, the record gone). A restarted service
 * resets the physical disk and resends every record; a completion whose
 * used index reached the guest but whose transaction was rolled back is
 * recognised by the guest's used index being one ahead, and kept. So no
 * used entry is lost or given twice, and a request is done at least once
 * (reads and writes of the same blocks are idempotent).
 */
#include <stddef.h>
#include <string.h>

#include "abi/vgic.h"
#include "ipc/ipc.h"
#include "ipc/journal.h"
#include "ipc/virtio.h"
#include "ipc/virtio_drv.h"
#include "vblk/vblk_layout.h"
#include "vblk/vblk_req.h"

void service_main(void);

/* The physical disk: virt's virtio-mmio slot 31, in the page the scenario
 * passes through (configs/common/vblk_service.h), and its SPI. */
#define VBLK_PHYS_PAGE_IPA 0x0a003000UL
#define VBLK_PHYS_SLOT_OFFSET 0xe00U
#define VBLK_PHYS_INTID 79U
/** The SPI of every client's virtual device (its window's .irq). */
#define VBLK_GUEST_INTID 48U

/** Virtual devices (windows) served; entries of each one's queue. */
#define VBLK_MAX_DEVS 8U
#define VBLK_QUEUE_MAX 128U
/** The one request queue of virtio-blk without VIRTIO_BLK_F_MQ (§5.2.2). */
#define VBLK_QUEUE 0U
#define VBLK_PHYS_QUEUE_WANTED 256U
#define VBLK_RING_BYTES 8192U

/* Configuration space (§5.2.4): le64 capacity, le32 size_max, le32
 * seg_max (valid with VIRTIO_BLK_F_SEG_MAX). */
#define VBLK_CFG_CAPACITY 0U
#define VBLK_CFG_SEG_MAX 12U
#define VBLK_CFG_BYTES 16U

/** Features offered to clients (§5.2.3, §6). */
#define VBLK_FEATURES                                             \
	(VBLK_F_SEG_MAX | VBLK_F_FLUSH | VIRTIO_F_INDIRECT_DESC | \
	 VIRTIO_F_EVENT_IDX)
/** Requests left past drain()'s budget are popped this long after it
 * (ipc_ticks_per_sec() / VBLK_MORE_DIV ticks), on the service's timer. */
#define VBLK_MORE_DIV 1000U

/** A status byte the physical disk has not written. */
#define VBLK_S_NONE 0xffU
/** GET_ID answers this prefix and the client's VM name. */
#define VBLK_ID_PREFIX "tinyhyp-"

/** How long a reset device waits for its requests on the disk before the
 * disk is reset: well under the kernel's 1 s limit on a service's run. */
#define VBLK_DRAIN_MS 50U
#define MS_PER_S 1000U

#define VBLK_STATE_VERSION 1ULL
#define VBLK_STATE_VERSION_SHIFT 32

/** Kept: a device's transport and the epoch its requests belong to (a
 * reset starts a new epoch: older requests are dropped). */
struct vblk_dev_hdr {
	struct virtio_state vio;
	uint32_t epoch;
	uint32_t reserved;
};

/** Kept: one device and its requests in flight, by head descriptor. */
struct vblk_dev_kept {
	struct vblk_dev_hdr h;
	struct vblk_rec rec[VBLK_QUEUE_MAX];
};

/** All kept state. */
struct vblk_state {
	struct vblk_dev_kept dev[VBLK_MAX_DEVS];
	/** Fault injection: crash points passed. Not journaled, so the
	 * work sent again after a crash does not crash at the same point. */
	uint32_t crash_count;
};

/* A pop is one transaction saving the device header and the record
 * (drain()): both must fit the undo log, or the pop would not be undone
 * after a crash. ipc_journal_rec_size() as a constant expression. */
#define VBLK_UNDO_BYTES(len)                                           \
	(sizeof(struct ipc_journal_rec) +                              \
	 ((len) + IPC_JOURNAL_REC_ALIGN - 1) / IPC_JOURNAL_REC_ALIGN * \
		 IPC_JOURNAL_REC_ALIGN)
_Static_assert(VBLK_UNDO_BYTES(sizeof(struct vblk_dev_hdr)) +
			       VBLK_UNDO_BYTES(sizeof(struct vblk_rec)) <=
		       IPC_JOURNAL_UNDO_MAX,
	       "a pop's transaction overflows the journal (VBLK_SEG_MAX)");

/** What the journal saves of a record when it completes. */
#define VBLK_REC_HEAD_BYTES offsetof(struct vblk_rec, type)

/** Blocks of a grant region (HYP_RAM_ZERO_BLOCK) whose readiness vblk
 * remembers: 4 GiB; a buffer past them is asked for each time. */
#define VBLK_READY_BLOCKS 2048U
#define VBLK_READY_WORDS (VBLK_READY_BLOCKS / 64U)

/** Where the disk reaches one of a client's grant regions, learnt from the
 * kernel a buffer at a time (dma_pa()). */
struct vblk_dma {
	uint64_t pa; /**< PA of the region's first byte, once pa_known. */
	bool pa_known;
	/** Bit b: block b of the region (its IPA in this service, 2 MiB
	 * blocks) was made ready by the kernel for a PA it gave. */
	uint64_t ready[VBLK_READY_WORDS];
};

/** One virtual device, rebuilt at each start. */
struct vblk_dev {
	struct virtio_dev vdev;
	struct virtio_dev_ops ops;
	struct virtio_gmem gmem;
	struct vblk_dma dma[VIRTIO_GMEM_MAX_REGIONS];
	struct vblk_range range;
	struct vblk_dev_kept *kept;
	uint32_t client;
	bool kicked;	/**< QueueNotify in the current access. */
	bool rang;	/**< A kick came as a doorbell (said once). */
	bool was_reset; /**< Reset in the current access (Status 0). */
	/** drain() stopped at its budget with VIRTIO_F_EVENT_IDX: the rest
	 * is the timer's (the driver may not notify it). */
	bool more;
	char name[IPC_NAME_MAX];
};

/** The physical disk's request: header and status byte (DMA memory). */
struct vblk_io {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
	uint8_t status;
	uint8_t pad[15];
};

/** Which request a physical chain is. */
struct vblk_owner {
	uint16_t w;
	uint16_t head;
	uint32_t epoch;
};

/** A request waiting for room on the physical queue. */
struct vblk_pending {
	uint16_t w;
	uint16_t head;
};

#define VBLK_PENDING_MAX (VBLK_MAX_DEVS * VBLK_QUEUE_MAX)

struct vblk_service {
	struct ipc_server srv;
	struct vblk_state *st;
	struct ipc_journal journal;
	bool journaled;
	uint32_t dev_count;
	struct vblk_dev dev[VBLK_MAX_DEVS];
	/* The physical disk. */
	struct virtio_drv drv;
	bool disk;
	bool phys_flush;
	bool phys_ro;
	uint64_t capacity;
	uint64_t io_pa;
	struct vblk_owner owner[VIRTIO_DRV_QUEUE_MAX];
	struct vblk_pending pending[VBLK_PENDING_MAX];
	/** (device, head) has an entry in pending[]: at most one each, so
	 * pending[] never overflows, however often a client resets with
	 * requests waiting (an entry of an older epoch sends the current
	 * record of its head, or nothing). */
	bool queued[VBLK_MAX_DEVS][VBLK_QUEUE_MAX];
	uint32_t pending_head, pending_count;
};

static struct vblk_service vblk;
static struct vblk_state vblk_volatile_state;
static _Alignas(16) uint8_t vblk_ring[VBLK_RING_BYTES];
/** Header and status byte of each physical chain, by its head: never
 * shared by two chains in flight (a client's head may be reused after its
 * reset while the disk still has the old chain, whose header must not
 * change under it: sector checked for one length, used with another). */
static _Alignas(16) struct vblk_io vblk_io[VIRTIO_DRV_QUEUE_MAX];

/* --- Journal --------------------------------------------------------------- */

static void txn_begin(struct vblk_service *p, void *obj, size_t size)
{
	if (p->journaled) {
		(void)ipc_journal_begin(&p->journal, obj, size);
	}
}

static void txn_commit(struct vblk_service *p)
{
	if (p->journaled) {
		ipc_journal_commit(&p->journal);
	}
}

/* --- Fault injection (test image only) ------------------------------------- */

/** Where a test image may crash. */
enum vblk_crash_at {
	VBLK_CRASH_POPPED,    /**< After a pop, before its commit. */
	VBLK_CRASH_PUBLISHED, /**< After a used entry, before its commit. */
	VBLK_CRASH_HARVESTED, /**< With a disk completion taken. */
};

#if defined(VBLK_FAULT_INJECT) || defined(VBLK_FAULT_INJECT_PUBLISHED) || \
	defined(VBLK_FAULT_INJECT_WRITES)
/* Nothing is mapped here in the service's IPA space: a store faults. */
#define VBLK_UNMAPPED_IPA 0x70000000UL

static const char *const vblk_crash_name[] = {
	[VBLK_CRASH_POPPED] = "after a pop, before its commit",
	[VBLK_CRASH_PUBLISHED] = "after a used entry, before its commit",
	[VBLK_CRASH_HARVESTED] = "with a disk completion taken",
};

#if defined(VBLK_FAULT_INJECT)
/** vblk-faultinject: at every 19th crash point of any kind. */
#define VBLK_CRASH_EVERY 19U
#define VBLK_CRASH_ONLY(at, type) true
#define VBLK_CRASH_DELAY_TICKS(freq) 0U
#define VBLK_CRASH_MAX UINT32_MAX
#elif defined(VBLK_FAULT_INJECT_WRITES)
/** vblk-faultinject-writes: at every 16th crash point of a write request
 * (any kind), VBLK_CRASH_MAX times in all: a Linux boot and a few MiB
 * written stay well inside the kernel's restart budget (64). */
#define VBLK_CRASH_EVERY 16U
#define VBLK_CRASH_ONLY(at, type) ((type) == VBLK_T_OUT)
#define VBLK_CRASH_DELAY_TICKS(freq) 0U
#define VBLK_CRASH_MAX 16U
#else
/** vblk-faultinject-published: at every 4th used entry (about one per
 * batch of 4 of guests/tests/vblkcrash.c), 10 ms after it, so that a
 * guest on another CPU sees the entry, and reuses its buffers, before the
 * service dies. */
#define VBLK_CRASH_EVERY 4U
#define VBLK_CRASH_ONLY(at, type) ((at) == VBLK_CRASH_PUBLISHED)
#define VBLK_CRASH_DELAY_TICKS(freq) ((freq) / 100U)
#define VBLK_CRASH_MAX UINT32_MAX
#endif

/* A crash point in the work on a request of VBLK_T_* @p type. */
static void crash_point(struct vblk_service *p, enum vblk_crash_at at,
			uint32_t type)
{
	(void)type;
	if (!VBLK_CRASH_ONLY(at, type) ||
	    p->st->crash_count / VBLK_CRASH_EVERY >= VBLK_CRASH_MAX ||
	    ++p->st->crash_count % VBLK_CRASH_EVERY != 0) {
		return;
	}
	uint64_t until =
		ipc_now() + VBLK_CRASH_DELAY_TICKS(ipc_ticks_per_sec());

	while (ipc_now() < until) {
	}
	ipc_log("vblk: fault injection: crashing %s\n", vblk_crash_name[at]);
	__asm__ volatile("" ::: "memory");
	*(volatile uint64_t *)VBLK_UNMAPPED_IPA = p->st->crash_count;
}
#else
static void crash_point(struct vblk_service *p, enum vblk_crash_at at,
			uint32_t type)
{
	(void)p;
	(void)at;
	(void)type;
}
#endif

/* --- Completing a client's request ----------------------------------------- */

static void write_id(struct vblk_dev *dev, const struct vblk_rec *rec)
{
	char id[VBLK_ID_BYTES] = VBLK_ID_PREFIX;
	uint32_t done = 0;

	/* The prefix, then the VM name, NUL padded, not terminated if full. */
	for (uint32_t i = sizeof(VBLK_ID_PREFIX) - 1, j = 0;
	     i < VBLK_ID_BYTES && dev->name[j] != '\0'; i++, j++) {
		id[i] = dev->name[j];
	}
	for (uint32_t i = 0; i < rec->nseg && done < VBLK_ID_BYTES; i++) {
		uint32_t n = rec->seg[i].len < VBLK_ID_BYTES - done
				     ? rec->seg[i].len
				     : VBLK_ID_BYTES - done;
		uint8_t *dst = virtio_gmem_ptr(&dev->gmem, rec->seg[i].gpa, n);

		if (dst != NULL) {
			memcpy(dst, id + done, n);
		}
		done += n;
	}
}

static bool rec_current(const struct vblk_dev_kept *k, uint16_t head)
{
	return head < VBLK_QUEUE_MAX && k->rec[head].live &&
	       k->rec[head].epoch == k->h.epoch;
}

/* Request @p head of device @p w is done with @p status: one transaction
 * (status byte, used entry and index, record gone, interrupt). */
static void complete(struct vblk_service *p, uint32_t w, uint16_t head,
		     uint8_t status)
{
	struct vblk_dev *dev = &p->dev[w];
	struct vblk_dev_kept *k = dev->kept;
	struct vblk_rec *rec = &k->rec[head];

	if (!rec_current(k, head)) {
		return;
	}
	txn_begin(p, &k->h, sizeof(k->h));
	txn_begin(p, rec, VBLK_REC_HEAD_BYTES);
	if (rec->type == VBLK_T_GET_ID && status == VBLK_S_OK) {
		write_id(dev, rec);
	}
	if (rec->status_gpa != 0) {
		uint8_t *s = virtio_gmem_ptr(&dev->gmem, rec->status_gpa, 1);

		if (s != NULL) {
			*(volatile uint8_t *)s = status;
		}
	}
	(void)virtq_push(&dev->vdev, VBLK_QUEUE, head, rec->written);
	/* The guest may see the used entry already: see reconcile(). */
	crash_point(p, VBLK_CRASH_PUBLISHED, rec->type);
	rec->live = 0;
	(void)virtq_signal(&dev->vdev, VBLK_QUEUE);
	txn_commit(p);
}

/* --- The physical disk ----------------------------------------------------- */

/* Blocks [@p first, @p last] of @p d all ready? */
static bool blocks_ready(const struct vblk_dma *d, uint64_t first,
			 uint64_t last)
{
	for (uint64_t b = first; b <= last; b++) {
		if (b >= VBLK_READY_BLOCKS ||
		    !((d->ready[b / 64] >> b % 64) & 1U)) {
			return false;
		}
	}
	return true;
}

/*
 * The PA of a client buffer, in a grant (virtq_pop() checked it), for the
 * disk. The kernel gives a PA only for a range it makes ready first
 * (HYP_IPC_TRANSLATE: a guest's RAM is zeroed a block at a time when first
 * touched, and a block zeroed after the disk wrote it would lose the
 * data). A block once ready stays so (nothing unmaps a guest's RAM; a
 * reset keeps its touched blocks mapped), so a buffer in blocks asked for
 * before needs no call: a kernel call per buffer cost about 10% of the
 * disk's throughput.
 */
static bool dma_pa(struct vblk_dev *dev, uint64_t gpa, uint32_t len,
		   uint64_t *pa)
{
	for (uint32_t i = 0; i < dev->gmem.count && len != 0; i++) {
		const struct virtio_gmem_region *r = &dev->gmem.region[i];
		struct vblk_dma *d = &dev->dma[i];

		if (gpa < r->gpa || gpa - r->gpa >= r->size ||
		    len > r->size - (gpa - r->gpa)) {
			continue;
		}
		uint64_t off = gpa - r->gpa;
		uint64_t lead = (uintptr_t)r->ptr % HYP_RAM_ZERO_BLOCK;
		uint64_t first = (lead + off) / HYP_RAM_ZERO_BLOCK;
		uint64_t last = (lead + off + len - 1) / HYP_RAM_ZERO_BLOCK;

		if (d->pa_known && blocks_ready(d, first, last)) {
			*pa = d->pa + off;
			return true;
		}
		if (ipc_translate((uintptr_t)r->ptr + off, len, pa) != IPC_OK) {
			return false;
		}
		/* A grant is physically contiguous. */
		d->pa = *pa - off;
		d->pa_known = true;
		for (uint64_t b = first; b <= last && b < VBLK_READY_BLOCKS;
		     b++) {
			d->ready[b / 64] |= 1ULL << (b % 64);
		}
		return true;
	}
	return false;
}

static uint64_t io_pa(const struct vblk_service *p, uint16_t ph)
{
	return p->io_pa + (uint64_t)ph * sizeof(struct vblk_io);
}

/*
 * Send request @p head of device @p w to the physical disk. Returns false
 * if the physical queue has no room (try again after completions); a
 * request that cannot go (no disk, a buffer without DMA) is answered.
 */
static bool phys_submit(struct vblk_service *p, uint32_t w, uint16_t head)
{
	struct vblk_dev *dev = &p->dev[w];
	const struct vblk_rec *rec = &dev->kept->rec[head];
	struct virtio_drv_buf bufs[VBLK_SEG_MAX + 2];
	/* The chain's head, known before it is published. */
	uint16_t ph = virtio_drv_next_head(&p->drv, VBLK_QUEUE);
	struct vblk_io *io = &vblk_io[ph % VIRTIO_DRV_QUEUE_MAX];

	if (!rec_current(dev->kept, head)) {
		return true;
	}
	if (!p->disk) {
		complete(p, w, head, VBLK_S_IOERR);
		return true;
	}
	if (rec->nseg > VBLK_SEG_MAX) {
		/* Kept RAM is not trusted blindly: bufs[] has room for so
		 * many. */
		complete(p, w, head, VBLK_S_IOERR);
		return true;
	}
	if (rec->nseg + 2U > p->drv.q[VBLK_QUEUE].num_free) {
		return false;
	}
	*io = (struct vblk_io){ .type = rec->type,
				.sector = rec->sector,
				.status = VBLK_S_NONE };
	bufs[0] = (struct virtio_drv_buf){ .pa = io_pa(p, ph),
					   .len = VBLK_HDR_BYTES };
	for (uint32_t i = 0; i < rec->nseg; i++) {
		bufs[i + 1] = (struct virtio_drv_buf){
			.len = rec->seg[i].len,
			.device_writes = rec->seg[i].write != 0
		};
		if (!dma_pa(dev, rec->seg[i].gpa, rec->seg[i].len,
			    &bufs[i + 1].pa)) {
			complete(p, w, head, VBLK_S_IOERR);
			return true;
		}
	}
	bufs[rec->nseg + 1] =
		(struct virtio_drv_buf){ .pa = io_pa(p, ph) +
					       offsetof(struct vblk_io, status),
					 .len = 1,
					 .device_writes = true };
	uint16_t got;

	if (virtio_drv_submit(&p->drv, VBLK_QUEUE, bufs,
			      (uint16_t)(rec->nseg + 2U),
			      &got) != VIRTIO_DRV_OK) {
		return false;
	}
	p->owner[got] = (struct vblk_owner){ .w = (uint16_t)w,
					     .head = head,
					     .epoch = rec->epoch };
	return true;
}

static void pending_add(struct vblk_service *p, uint32_t w, uint16_t head)
{
	if (p->queued[w][head] || p->pending_count == VBLK_PENDING_MAX) {
		return; /* already waiting; full cannot happen (queued[]) */
	}
	p->queued[w][head] = true;
	uint32_t at = (p->pending_head + p->pending_count) % VBLK_PENDING_MAX;

	p->pending[at] =
		(struct vblk_pending){ .w = (uint16_t)w, .head = head };
	p->pending_count++;
}

/* Send what waits, as long as the physical queue has room. */
static void pump(struct vblk_service *p)
{
	bool sent = false;

	while (p->pending_count != 0) {
		struct vblk_pending *e = &p->pending[p->pending_head];

		if (!phys_submit(p, e->w, e->head)) {
			break;
		}
		p->queued[e->w][e->head] = false;
		p->pending_head = (p->pending_head + 1) % VBLK_PENDING_MAX;
		p->pending_count--;
		sent = true;
	}
	if (sent && p->disk) {
		virtio_drv_kick(&p->drv, VBLK_QUEUE);
	}
}

/* Reset and set up the physical disk (at start and when it broke). */
static int phys_up(struct vblk_service *p)
{
	int rc = virtio_drv_probe(&p->drv,
				  VBLK_PHYS_PAGE_IPA + VBLK_PHYS_SLOT_OFFSET,
				  VIRTIO_ID_BLOCK, ipc_translate);

	if (rc == VIRTIO_DRV_OK) {
		rc = virtio_drv_init(&p->drv, VBLK_F_FLUSH | VBLK_F_RO);
	}
	if (rc == VIRTIO_DRV_OK) {
		rc = virtio_drv_queue_setup(&p->drv, VBLK_QUEUE, vblk_ring,
					    sizeof(vblk_ring),
					    VBLK_PHYS_QUEUE_WANTED);
	}
	if (rc != VIRTIO_DRV_OK) {
		return rc;
	}
	p->capacity = virtio_drv_config_read64(&p->drv, VBLK_CFG_CAPACITY);
	p->phys_flush = (p->drv.features & VBLK_F_FLUSH) != 0;
	p->phys_ro = (p->drv.features & VBLK_F_RO) != 0;
	virtio_drv_driver_ok(&p->drv);
	return VIRTIO_DRV_OK;
}

/* Every request in flight goes (again) to the disk, or is answered. */
static void resend_all(struct vblk_service *p)
{
	p->pending_head = 0;
	p->pending_count = 0;
	memset(p->queued, 0, sizeof(p->queued));
	for (uint32_t w = 0; w < p->dev_count; w++) {
		for (uint16_t h = 0; h < VBLK_QUEUE_MAX; h++) {
			const struct vblk_rec *rec = &p->dev[w].kept->rec[h];

			if (!rec_current(p->dev[w].kept, h)) {
				continue;
			}
			if (rec->to_device) {
				pending_add(p, w, h);
			} else {
				complete(p, w, h, rec->status);
			}
		}
	}
	pump(p);
}

/* Reset the disk (virtio 1.2 §2.4: it then no longer touches the
 * driver's memory, §4.2.3.1: reset done when Status reads 0), set it up
 * again and resend every current request. */
static void phys_reset_resend(struct vblk_service *p)
{
	p->disk = phys_up(p) == VIRTIO_DRV_OK;
	resend_all(p);
}

/* The disk broke (DEVICE_NEEDS_RESET, a bad used entry): start over. */
static void phys_restart(struct vblk_service *p)
{
	ipc_log("vblk: physical disk needs a reset: resetting, resending\n");
	phys_reset_resend(p);
}

static void phys_harvest(struct vblk_service *p);

static void phys_irq(struct vblk_service *p)
{
	(void)virtio_drv_irq_ack(&p->drv);
	if (virtio_drv_needs_reset(&p->drv)) {
		phys_restart(p);
		return;
	}
	phys_harvest(p);
}

/* Take every completion of the disk, then send what waits. */
static void phys_harvest(struct vblk_service *p)
{
	uint16_t ph;
	uint32_t len;
	int rc;

	while ((rc = virtio_drv_harvest(&p->drv, VBLK_QUEUE, &ph, &len)) ==
	       VIRTIO_DRV_OK) {
		struct vblk_owner o = p->owner[ph];
		uint8_t status = vblk_io[ph].status;

		if (status > VBLK_S_UNSUPP) {
			status = VBLK_S_IOERR;
		}
		/* The disk's completion is lost: the request is resent. */
		crash_point(p, VBLK_CRASH_HARVESTED, vblk_io[ph].type);
		if (o.epoch == p->dev[o.w].kept->rec[o.head].epoch) {
			complete(p, o.w, o.head, status);
		}
	}
	if (rc == VIRTIO_DRV_ERR_BROKEN) {
		phys_restart(p);
		return;
	}
	pump(p);
}

/* Does the disk still have a request of device @p w from before its
 * current epoch (one its client gave before a reset)? */
static bool stale_on_disk(const struct vblk_service *p, uint32_t w)
{
	const struct virtio_drv_queue *q = &p->drv.q[VBLK_QUEUE];

	for (uint16_t ph = 0; ph < q->num; ph++) {
		if (q->chain_len[ph] != 0 && p->owner[ph].w == w &&
		    p->owner[ph].epoch != p->dev[w].kept->h.epoch) {
			return true;
		}
	}
	return false;
}

/*
 * Device @p w was reset (its driver wrote Status 0, or its VM reset): the
 * disk must not write into the client's RAM once the client goes on (its
 * reads land there by DMA). Before the reset's access or message is
 * answered, wait for the disk to finish the device's older requests,
 * taking every completion meanwhile (the others' are given as usual); if
 * they take longer than VBLK_DRAIN_MS, reset the disk, which stops its
 * DMA (virtio 1.2 §2.4), and resend every other request.
 */
static void quiesce(struct vblk_service *p, uint32_t w)
{
	uint64_t until =
		ipc_now() + ipc_ticks_per_sec() * VBLK_DRAIN_MS / MS_PER_S;

	while (p->disk && stale_on_disk(p, w)) {
		if (ipc_now() >= until) {
			ipc_log("vblk: %s: reset with requests on the disk: "
				"resetting the disk\n",
				p->dev[w].name);
			phys_reset_resend(p);
			return;
		}
		if (virtio_drv_needs_reset(&p->drv)) {
			phys_restart(p);
			return;
		}
		phys_harvest(p);
	}
}

static void vblk_notify(void *ctx, uint64_t bits)
{
	struct vblk_service *p = ctx;

	if (bits & IRQ_NOTIFY_BIT(VBLK_PHYS_INTID)) {
		if (p->disk) {
			phys_irq(p);
		}
		(void)ipc_irq_ack(VBLK_PHYS_INTID);
	}
}

/* --- The virtual devices --------------------------------------------------- */

/*
 * Pop the available requests of device @p w, each one transaction: at
 * most a queue's worth per call. A request that completes at once (GET_ID,
 * an error: nothing for the disk) frees its head at once, so a driver that
 * refills the ring from another vCPU while this loop runs would otherwise
 * hold it (and so every other client's MMIO access) for as long as it
 * likes; a request past the budget goes at the kick that follows its
 * making available (§2.7.13.4: the driver notifies after adding buffers),
 * or, with VIRTIO_F_EVENT_IDX (the driver does not notify buffers added
 * while the device works on the queue: virtq_pop()), on the service's
 * timer a millisecond later. Each pass begins and commits its own
 * transaction, so stopping between passes leaves none open.
 */
static void drain(struct vblk_service *p, uint32_t w)
{
	struct vblk_dev *dev = &p->dev[w];
	struct vblk_dev_kept *k = dev->kept;
	uint32_t budget = dev->vdev.st->queue[VBLK_QUEUE].num;

	dev->more = false;
	for (; budget != 0; budget--) {
		struct virtq_seg seg[VBLK_CHAIN_MAX];
		struct virtq_chain ch;

		txn_begin(p, &k->h, sizeof(k->h));
		int rc = virtq_pop(&dev->vdev, VBLK_QUEUE, &ch, seg,
				   VBLK_CHAIN_MAX);

		if ((rc != VIRTQ_POPPED && rc != VIRTQ_ERR_SEGS) ||
		    ch.head >= VBLK_QUEUE_MAX) {
			txn_commit(p);
			return;
		}
		struct vblk_rec *rec = &k->rec[ch.head];

		if (rec_current(k, ch.head)) {
			/* §2.7.13: the driver offered again a head the disk
			 * still works on; a new record would answer the old
			 * request with the new one's status and buffers. */
			virtio_dev_fail(&dev->vdev, VIRTIO_FAULT_HEAD_IN_USE);
			txn_commit(p);
			return;
		}
		txn_begin(p, rec, sizeof(*rec));
		if (rc == VIRTQ_ERR_SEGS) {
			/* Longer than seg_max: no status byte was found. */
			*rec = (struct vblk_rec){ .status = VBLK_S_IOERR };
		} else {
			vblk_req_decode(seg, ch.count, &dev->range,
					p->phys_flush, rec);
		}
		rec->live = 1;
		rec->epoch = k->h.epoch;
		crash_point(p, VBLK_CRASH_POPPED, rec->type);
		txn_commit(p);
		if (rec->to_device) {
			pending_add(p, w, ch.head);
		} else {
			complete(p, w, ch.head, rec->status);
		}
	}
	if ((dev->vdev.st->driver_features & VIRTIO_F_EVENT_IDX) != 0 &&
	    dev->vdev.st->queue[VBLK_QUEUE].num != 0) {
		dev->more = true;
		(void)ipc_timer_by(&p->srv, ipc_now() + ipc_ticks_per_sec() /
								VBLK_MORE_DIV);
	}
}

/* The timer drain() set: pop what waited past a budget. */
static void vblk_timer(void *ctx, uint64_t deadline, uint64_t now)
{
	struct vblk_service *p = ctx;

	(void)deadline;
	(void)now;
	for (uint32_t w = 0; w < p->dev_count; w++) {
		if (p->dev[w].more) {
			drain(p, w);
		}
	}
	pump(p);
}

/*
 * Without the physical disk a client sees an empty virtio-mmio slot:
 * MagicValue and Version, DeviceID 0 (§4.2.2: a placeholder, which a
 * driver ignores, as Linux's virtio_mmio does), the rest 0, writes
 * ignored; so a Linux VM without a disk boots as before.
 */
static void placeholder(struct ipc_mmio_access *a)
{
	if (a->write) {
		return;
	}
	a->value = a->offset == VIRTIO_MMIO_MAGIC_VALUE ? VIRTIO_MMIO_MAGIC
		   : a->offset == VIRTIO_MMIO_VERSION	? VIRTIO_MMIO_VERSION_2
							: 0;
}

static int vblk_mmio(void *ctx, struct ipc_mmio_access *a)
{
	struct vblk_service *p = ctx;

	if (a->window >= p->dev_count) {
		return IPC_ERR_ABORT;
	}
	if (!p->disk) {
		placeholder(a);
		return IPC_OK;
	}
	struct vblk_dev *dev = &p->dev[a->window];

	txn_begin(p, &dev->kept->h, sizeof(dev->kept->h));
	(void)virtio_mmio_access(&dev->vdev, a);
	txn_commit(p);
	if (dev->was_reset) {
		dev->was_reset = false;
		quiesce(p, a->window);
	}
	if (dev->kicked) {
		dev->kicked = false;
		drain(p, a->window);
		pump(p);
	}
	return IPC_OK;
}

/* Kicks that rang doorbells (attach_shadow()): as QueueNotify stores. */
static void vblk_doorbell(void *ctx, uint64_t windows)
{
	struct vblk_service *p = ctx;

	for (uint32_t w = 0; w < p->dev_count && p->disk; w++) {
		struct vblk_dev *dev = &p->dev[w];

		if (((windows >> w) & 1U) == 0) {
			continue;
		}
		if (!dev->rang) {
			dev->rang = true;
			ipc_log("vblk: %s: kicks ring the doorbell (this "
				"service runs on an idle CPU)\n",
				dev->name);
		}
		virtio_dev_doorbell(&dev->vdev);
		if (dev->kicked) {
			dev->kicked = false;
			drain(p, w);
		}
	}
	pump(p);
}

static uint32_t vblk_config_read(void *ctx, uint32_t offset, uint8_t width)
{
	const struct vblk_dev *dev = ctx;
	uint8_t cfg[VBLK_CFG_BYTES] = { 0 };
	uint32_t seg_max = VBLK_SEG_MAX, v = 0;

	memcpy(cfg + VBLK_CFG_CAPACITY, &dev->range.sectors,
	       sizeof(dev->range.sectors));
	memcpy(cfg + VBLK_CFG_SEG_MAX, &seg_max, sizeof(seg_max));
	if (offset < VBLK_CFG_BYTES && width <= VBLK_CFG_BYTES - offset) {
		memcpy(&v, cfg + offset, width);
	}
	return v;
}

static void vblk_queue_notify(void *ctx, uint32_t queue)
{
	struct vblk_dev *dev = ctx;

	(void)queue;
	dev->kicked = true;
}

/* The driver reset the device: its requests in flight are dropped. */
static void vblk_dev_reset(void *ctx)
{
	struct vblk_dev *dev = ctx;

	dev->kept->h.epoch++;
	dev->was_reset = true;
}

static void vblk_set_irq(void *ctx, bool level)
{
	const struct vblk_dev *dev = ctx;

	(void)ipc_irq_level(dev->client, VBLK_GUEST_INTID, level);
}

static void vblk_client_reset(void *ctx, uint32_t client)
{
	struct vblk_service *p = ctx;

	for (uint32_t w = 0; w < p->dev_count; w++) {
		if (p->dev[w].client != client) {
			continue;
		}
		txn_begin(p, &p->dev[w].kept->h, sizeof(p->dev[w].kept->h));
		virtio_dev_reset(&p->dev[w].vdev);
		txn_commit(p);
		/* The client runs again once this message is handled. */
		p->dev[w].was_reset = false;
		quiesce(p, w);
	}
}

/* --- Start ----------------------------------------------------------------- */

static struct vblk_range layout_range(const char *name)
{
	for (size_t i = 0; i < VBLK_LAYOUT_COUNT; i++) {
		if (vblk_layout[i].client == NULL ||
		    strcmp(vblk_layout[i].client, name) == 0) {
			return vblk_layout[i].range;
		}
	}
	return (struct vblk_range){ .sectors = 0 };
}

/* The client's grants: where its buffers are, and all the disk reaches
 * (what is ready there is learnt again, dma_pa()). */
static void map_grants(struct vblk_dev *dev)
{
	memset(dev->dma, 0, sizeof(dev->dma));
	if (virtio_gmem_from_grants(&dev->gmem, dev->client) <= 0) {
		ipc_log("vblk: %s: no memory granted: every request fails\n",
			dev->name);
	}
}

/*
 * The window's register shadow page (HYP_IPC_WINDOW_INFO x4), rewritten
 * whole: from the device's state (kept across a restart), or as the empty
 * slot placeholder() answers without the disk.
 */
static void attach_shadow(struct vblk_service *p, uint32_t w)
{
	volatile uint32_t *page =
		(volatile uint32_t *)(uintptr_t)ipc_window_shadow(&p->srv, w);

	if (page == NULL) {
		return;
	}
	if (p->disk) {
		/* InterruptStatus kept by the kernel: a client's InterruptACK
		 * costs no switch. */
		virtio_dev_kernel_isr(&p->dev[w].vdev, w);
		virtio_dev_shadow(&p->dev[w].vdev, page);
		/* QueueNotify a doorbell: a kick costs the client no switch
		 * when this service can run on an idle CPU (refused: kicks
		 * stay messages, served in vblk_mmio()). */
		(void)virtio_dev_kernel_doorbell(&p->dev[w].vdev, w);
	} else {
		virtio_shadow_placeholder(page);
	}
}

static void setup_dev(struct vblk_service *p, uint32_t w, bool quiet)
{
	struct vblk_dev *dev = &p->dev[w];
	uint64_t size;

	dev->kept = &p->st->dev[w];
	(void)ipc_window_info(&p->srv, w, &size, &dev->client);
	if (ipc_client_name(w, dev->name) != IPC_OK) {
		dev->name[0] = '\0';
	}
	dev->range = vblk_range_clip(layout_range(dev->name),
				     p->disk ? p->capacity : 0);
	dev->range.read_only = dev->range.read_only || p->phys_ro;
	map_grants(dev);
	dev->ops = (struct virtio_dev_ops){
		.device_id = VIRTIO_ID_BLOCK,
		.features =
			VBLK_FEATURES | (dev->range.read_only ? VBLK_F_RO : 0),
		.queue_count = 1,
		.queue_max = VBLK_QUEUE_MAX,
		.config_size = VBLK_CFG_BYTES,
		.config_read = vblk_config_read,
		.notify = vblk_queue_notify,
		.reset = vblk_dev_reset,
		.set_irq = vblk_set_irq,
	};
	virtio_dev_bind(&dev->vdev, &dev->kept->h.vio, &dev->ops, dev,
			&dev->gmem);
	attach_shadow(p, w);
	if (quiet) {
		return;
	}
	ipc_log("vblk: %s: sectors %llu..+%llu of the disk%s\n", dev->name,
		(unsigned long long)dev->range.first,
		(unsigned long long)dev->range.sectors,
		dev->range.read_only ? ", read-only" : "");
}

/*
 * After a restart: a completion whose transaction was rolled back but
 * whose used index the guest already sees (the crash came between the
 * two) is kept, not given again.
 */
static void reconcile(struct vblk_service *p, uint32_t w)
{
	struct vblk_dev *dev = &p->dev[w];
	struct vblk_dev_kept *k = dev->kept;
	struct virtq_state *q = &k->h.vio.queue[VBLK_QUEUE];

	if (!virtio_dev_running(&dev->vdev) || !q->ready || q->num == 0) {
		return;
	}
	/* §2.7.8: used ring = le16 flags, le16 idx, then (le32 id, le32
	 * len) entries. */
	const uint8_t *idx = virtio_gmem_ptr(&dev->gmem, q->used + 2, 2);
	const uint8_t *elem =
		virtio_gmem_ptr(&dev->gmem,
				q->used + 4 + 8ULL * (q->used_idx % q->num), 8);
	uint16_t guest_idx;
	uint32_t id;

	if (idx == NULL || elem == NULL) {
		return;
	}
	memcpy(&guest_idx, idx, sizeof(guest_idx));
	memcpy(&id, elem, sizeof(id));
	/* The entry is in the client's memory: its whole 32-bit id is
	 * checked before it indexes rec[] (not only the low 16 bits). */
	if (guest_idx != (uint16_t)(q->used_idx + 1U) || id >= VBLK_QUEUE_MAX ||
	    !rec_current(k, (uint16_t)id)) {
		return;
	}
	txn_begin(p, &k->h, sizeof(k->h));
	txn_begin(p, &k->rec[id], VBLK_REC_HEAD_BYTES);
	q->used_idx++;
	k->rec[id].live = 0;
	/* The crash came before complete() signalled it (§2.7.7): a driver
	 * waiting for the interrupt would wait for ever. */
	(void)virtq_signal(&dev->vdev, VBLK_QUEUE);
	txn_commit(p);
	ipc_log("vblk: %s: request %u was completed before the crash\n",
		dev->name, id);
}

static bool open_state(struct vblk_service *p, const struct ipc_self *self)
{
	uint64_t layout = VBLK_STATE_VERSION << VBLK_STATE_VERSION_SHIFT |
			  sizeof(struct vblk_state);
	enum ipc_journal_found found =
		ipc_journal_open(&p->journal, self->kept, self->kept_size,
				 sizeof(struct vblk_state), layout);

	p->journaled = found != IPC_JOURNAL_TOO_SMALL;
	p->st = p->journaled ? (struct vblk_state *)p->journal.state
			     : &vblk_volatile_state;
	return self->restarts != 0 &&
	       (found == IPC_JOURNAL_KEPT || found == IPC_JOURNAL_ROLLED_BACK);
}

static void start_disk(struct vblk_service *p)
{
	int rc = phys_up(p);

	if (rc != VIRTIO_DRV_OK) {
		ipc_log("vblk: disk at 0x%lx: %s\n",
			VBLK_PHYS_PAGE_IPA + VBLK_PHYS_SLOT_OFFSET,
			virtio_drv_strerror(rc));
		return;
	}
	if (ipc_translate((uintptr_t)vblk_io, sizeof(vblk_io), &p->io_pa) !=
	    IPC_OK) {
		ipc_log("vblk: request headers: the kernel gives no PA\n");
		return;
	}
	p->disk = true;
}

void service_main(void)
{
	struct vblk_service *p = &vblk;
	struct ipc_self self = { 0 };

	if (ipc_server_init(&p->srv) != IPC_OK ||
	    ipc_self_info(&self) != IPC_OK || p->srv.window_count == 0 ||
	    ipc_register_mmio(&p->srv, IPC_WINDOW_ALL, vblk_mmio, p) !=
		    IPC_OK) {
		ipc_log("vblk: no window to serve\n");
		return;
	}
	p->dev_count = p->srv.window_count < VBLK_MAX_DEVS ? p->srv.window_count
							   : VBLK_MAX_DEVS;
	bool kept = open_state(p, &self);

	start_disk(p);
	for (uint32_t w = 0; w < p->dev_count; w++) {
		setup_dev(p, w, self.restarts != 0);
		if (!kept) {
			virtio_dev_reset(&p->dev[w].vdev);
		}
	}
	if (kept) {
		ipc_log("vblk: restart %u: devices and requests kept\n",
			self.restarts);
		for (uint32_t w = 0; w < p->dev_count; w++) {
			reconcile(p, w);
			virtio_dev_sync_irq(&p->dev[w].vdev);
		}
		resend_all(p);
		for (uint32_t w = 0; w < p->dev_count; w++) {
			drain(p, w);
		}
		pump(p);
	} else if (p->disk) {
		ipc_log("vblk: disk of %llu sectors, %u client(s)\n",
			(unsigned long long)p->capacity, p->dev_count);
	}
	ipc_on_notify(&p->srv, vblk_notify, p);
	ipc_on_doorbell(&p->srv, vblk_doorbell, p);
	ipc_on_timer(&p->srv, vblk_timer, p);
	ipc_on_client_reset(&p->srv, vblk_client_reset, p);
	/* A restart may find the line masked from before: unmask it. */
	(void)ipc_irq_ack(VBLK_PHYS_INTID);
	ipc_serve(&p->srv);
}
