#pragma once
/**
 * The device side of virtio for services: the virtio-mmio transport,
 * version 2 (OASIS virtio 1.2 §4.2.2), and split virtqueues (§2.7).
 *
 * A service keeps, per virtual device it presents to a client VM:
 *  - a `struct virtio_state`: the whole transport and queue state, plain
 *    data without pointers, so it may live in kept RAM under the journal
 *    (ipc/journal.h) and survive a restart of the service;
 *  - a `struct virtio_dev_ops`: what the device is (ID, features, queues,
 *    its configuration space) and the callbacks for notify, reset and the
 *    interrupt line;
 *  - a `struct virtio_gmem`: the client's memory as the service sees it
 *    (the grants of that client, virtio_gmem_from_grants());
 *  - a `struct virtio_dev` tying the three together (rebuilt on start).
 *
 * Its MMIO handler is one call, virtio_mmio_access(); on a queue
 * notification the service pops chains with virtq_pop(), does the work on
 * the segments (always inside the grant) and completes them with
 * virtq_push() and virtq_signal(). A malformed ring sets
 * VIRTIO_STATUS_DEVICE_NEEDS_RESET with a configuration-change interrupt
 * and stops the device until the driver resets it (libipc/README.md,
 * "Writing a virtio service").
 *
 * Pure C: no kernel call inside (only through the ops), host-testable.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc/ipc.h"
#include "ipc/virtio_regs.h"

/** VendorID this library reports: "THYP" little-endian. */
#define VIRTIO_VENDOR_TINYHYP 0x50594854U

/** Transport features this library implements and may offer; a device's
 * ops->features is masked to these plus bits 0..23 (device-specific). */
#define VIRTIO_TRANSPORT_FEATURES \
	(VIRTIO_F_INDIRECT_DESC | VIRTIO_F_EVENT_IDX | VIRTIO_F_VERSION_1)
#define VIRTIO_DEVICE_FEATURES_MASK ((1ULL << 24) - 1U)

/** Queues per device this library keeps state for. */
#define VIRTIO_MAX_QUEUES 8U
/** Regions of client memory one device may see (CFG_MAX_GRANTS). */
#define VIRTIO_GMEM_MAX_REGIONS 4U

/* --- Guest memory ------------------------------------------------------- */

/** A range of client memory: client GPA @p gpa .. + @p size, seen by the
 * service at @p ptr. */
struct virtio_gmem_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *ptr;
};

/** What the service sees of one client's memory. */
struct virtio_gmem {
	struct virtio_gmem_region region[VIRTIO_GMEM_MAX_REGIONS];
	uint32_t count;
};

void virtio_gmem_init(struct virtio_gmem *g);

/**
 * Add a region. Returns IPC_OK, or IPC_ERR_INVALID: table full, size 0,
 * NULL pointer, gpa + size or ptr + size wrapping, or @p ptr not aligned to
 * @p gpa modulo 16 (rings are read with naturally aligned loads).
 */
int virtio_gmem_add(struct virtio_gmem *g, uint64_t gpa, uint64_t size,
		    void *ptr);

/**
 * Where the service sees client bytes [@p gpa, @p gpa + @p len), or NULL
 * unless they lie wholly in one region. Overflow-safe for any inputs.
 */
void *virtio_gmem_ptr(const struct virtio_gmem *g, uint64_t gpa, uint64_t len);

/**
 * Target only (virtio_grant.c, needs ipc_grant_info()): fill @p g with
 * every grant of client VM @p client. Returns the number of regions added
 * (0: the scenario grants nothing of that client), or a negative IPC_ERR_*.
 */
int virtio_gmem_from_grants(struct virtio_gmem *g, uint32_t client);

/* --- Device state (plain data: may live in kept RAM) --------------------- */

/** One split virtqueue. */
struct virtq_state {
	uint64_t desc;	     /**< QueueDesc: descriptor table GPA. */
	uint64_t avail;	     /**< QueueDriver: available ring GPA. */
	uint64_t used;	     /**< QueueDevice: used ring GPA. */
	uint16_t num;	     /**< QueueNum. */
	uint16_t last_avail; /**< Next available ring entry to pop. */
	uint16_t used_idx;   /**< used->idx the device published last. */
	uint8_t ready;	     /**< QueueReady. */
	uint8_t reserved;
	/** used_idx when virtq_signal() last decided whether to notify
	 * (VIRTIO_F_EVENT_IDX: the "old" of vring_need_event, §2.7.10). */
	uint16_t signalled;
	uint16_t reserved2[3];
};

/** Why a device set DEVICE_NEEDS_RESET (virtio_state.fault). */
enum virtio_fault {
	VIRTIO_FAULT_NONE = 0,
	VIRTIO_FAULT_QUEUE_SIZE,   /**< QueueNum 0, not a power of 2, > max. */
	VIRTIO_FAULT_RING_ALIGN,   /**< A ring misaligned (§2.7 table). */
	VIRTIO_FAULT_RING_RANGE,   /**< A ring not wholly inside the grant. */
	VIRTIO_FAULT_AVAIL_IDX,	   /**< avail->idx moved more than QueueNum. */
	VIRTIO_FAULT_DESC_INDEX,   /**< A descriptor index >= QueueNum. */
	VIRTIO_FAULT_CHAIN_LENGTH, /**< Chain longer than the queue: a loop. */
	VIRTIO_FAULT_BUFFER_RANGE, /**< A buffer outside the grant. */
	VIRTIO_FAULT_DESC_ORDER,   /**< Readable after writable (§2.7.4.2). */
	VIRTIO_FAULT_INDIRECT,	   /**< Bad indirect table (§2.7.5.3). */
	/** QueueReady or DRIVER_OK before FEATURES_OK (§3.1.1 order). */
	VIRTIO_FAULT_SEQUENCE,
	/** A head made available again while the device still owns it
	 * (§2.7.13: the driver gives a buffer back only once used). */
	VIRTIO_FAULT_HEAD_IN_USE,
	VIRTIO_FAULT_COUNT
};

/** The transport and queues of one device: no pointers, fixed layout. */
struct virtio_state {
	uint64_t driver_features;     /**< DriverFeatures, both halves. */
	uint32_t status;	      /**< Status. */
	uint32_t device_features_sel; /**< DeviceFeaturesSel. */
	uint32_t driver_features_sel; /**< DriverFeaturesSel. */
	uint32_t queue_sel;	      /**< QueueSel. */
	uint32_t interrupt_status;    /**< InterruptStatus. */
	uint32_t config_generation;   /**< ConfigGeneration. */
	uint32_t fault;		      /**< enum virtio_fault, until reset. */
	uint32_t reserved;
	struct virtq_state queue[VIRTIO_MAX_QUEUES];
};

/* --- The device: ops and binding ----------------------------------------- */

/** What a device is, and how the library calls back into the service. */
struct virtio_dev_ops {
	uint32_t device_id; /**< §5, e.g. 2 = block; never 0. */
	/** Offered features: device bits 0..23, VIRTIO_F_INDIRECT_DESC and
	 * VIRTIO_F_EVENT_IDX; VIRTIO_F_VERSION_1 is always added, other bits
	 * dropped. A device offering VIRTIO_F_EVENT_IDX pops until
	 * VIRTQ_EMPTY, or comes back to the queue by itself (virtq_pop()). */
	uint64_t features;
	uint32_t queue_count; /**< 1..VIRTIO_MAX_QUEUES. */
	uint16_t queue_max;   /**< QueueNumMax, 1..VIRTQ_NUM_LIMIT. */
	uint32_t config_size; /**< Bytes of configuration space. */
	/** Read @p width (1, 2 or 4) bytes at @p offset of the configuration
	 * space (naturally aligned, inside config_size). May be NULL: reads 0. */
	uint32_t (*config_read)(void *ctx, uint32_t offset, uint8_t width);
	/** Write likewise. May be NULL: writes ignored. */
	void (*config_write)(void *ctx, uint32_t offset, uint8_t width,
			     uint32_t value);
	/** QueueNotify on a ready queue of a running device, and once per
	 * ready queue when the driver sets DRIVER_OK (buffers it made
	 * available before). Pops until VIRTQ_EMPTY, or at most the queue
	 * size (a ring refilled meanwhile must not hold the service). */
	void (*notify)(void *ctx, uint32_t queue);
	/** The device was reset (Status 0 or virtio_dev_reset()): drop
	 * requests in flight. May be NULL. */
	void (*reset)(void *ctx);
	/** The interrupt line's level changed (InterruptStatus != 0): the
	 * service calls ipc_irq_level(client, intid, level). */
	void (*set_irq)(void *ctx, bool level);
};

/** One device: its state, ops, the client memory it sees. */
struct virtio_dev {
	struct virtio_state *st;
	const struct virtio_dev_ops *ops;
	void *ctx;
	const struct virtio_gmem *gmem;
	/** The window's register shadow page, or NULL (virtio_dev_shadow). */
	volatile uint32_t *shadow;
	/** The kernel keeps InterruptStatus in the shadow page
	 * (virtio_dev_kernel_isr): the word there is the truth. */
	bool isr_kernel;
	uint32_t window; /**< The window, for ipc_isr_update(). */
};

/** Bind the parts; the state is left as it is (kept across a restart). */
void virtio_dev_bind(struct virtio_dev *d, struct virtio_state *st,
		     const struct virtio_dev_ops *ops, void *ctx,
		     const struct virtio_gmem *gmem);

/** Reset the device (Status written 0; a client VM reset): every register
 * to its reset value, ops->reset, interrupt lowered. config_generation
 * stays. Also what a fresh state needs. */
void virtio_dev_reset(struct virtio_dev *d);

/** The configuration space changed: ConfigGeneration moves on and a
 * configuration-change interrupt is raised (§2.5.1, §4.2.2). */
void virtio_config_changed(struct virtio_dev *d);

/** Set DEVICE_NEEDS_RESET for @p fault (§2.1.2): configuration-change
 * interrupt, the device stops until reset. The first fault is kept. */
void virtio_dev_fail(struct virtio_dev *d, enum virtio_fault fault);

/** True when the driver set DRIVER_OK and the device is not broken. */
bool virtio_dev_running(const struct virtio_dev *d);

/** Re-assert the line from InterruptStatus (after a service restart). */
void virtio_dev_sync_irq(const struct virtio_dev *d);

/** A short name of @p fault, for log lines. */
const char *virtio_fault_name(uint32_t fault);

/**
 * The MMIO handler: one guest access to the device's window. Registers
 * take 32-bit aligned accesses, the configuration space 1, 2 or 4 byte
 * naturally aligned ones; anything else reads 0 and writes are ignored.
 * Always returns IPC_OK (the guest never gets an abort).
 */
int virtio_mmio_access(struct virtio_dev *d, struct ipc_mmio_access *a);

/* --- Register shadow page (HYP_IPC_WINDOW_INFO x4) ------------------------ */

/** A register shadow page: the window's one 4 KiB page (rule H2). */
#define VIRTIO_SHADOW_BYTES 4096U

/**
 * Attach the window's read-only register shadow page, where the service
 * sees it (ipc_window_shadow()), and rewrite the whole page from the
 * state (also what a restarted service needs). From then on the library
 * keeps every readable register current there, so the client reads the
 * window without an exit: after each register write before the reply,
 * after each InterruptStatus or Status change before the interrupt line
 * is told, after a reset and after virtio_config_changed(). A device whose
 * config space changes otherwise calls virtio_shadow_sync().
 */
void virtio_dev_shadow(struct virtio_dev *d, volatile uint32_t *page);

/**
 * Before virtio_dev_shadow(): ask the kernel to keep InterruptStatus for
 * @p window, the device's (ipc_window_isr()), so that the client's
 * InterruptACK completes in the trap instead of a round trip to this
 * service. virtio_dev_shadow() then takes the word the page holds (a
 * restarted service: what the kernel kept; the state's copy may be stale),
 * never writes it again, and makes the call; the device's set_irq is no
 * longer used (the kernel drives the line). If the kernel refuses, the
 * library keeps the register itself as before.
 */
void virtio_dev_kernel_isr(struct virtio_dev *d, uint32_t window);

/**
 * After virtio_dev_shadow(): make QueueNotify of @p window, the device's,
 * a doorbell (ipc_window_doorbell()), so that the client's kick costs it
 * no switch to this service; the service then calls virtio_dev_doorbell()
 * when IPC_MSG_DOORBELL names the window. Returns IPC_OK, or the kernel's
 * refusal (kicks then stay messages, served as before).
 */
int virtio_dev_kernel_doorbell(const struct virtio_dev *d, uint32_t window);

/** The device's doorbell rang: a QueueNotify of each of its ready queues
 * (the value of the store is not known; §2.7.13 makes a notify a hint). */
void virtio_dev_doorbell(struct virtio_dev *d);

/** Rewrite every register and the configuration space in the page. */
void virtio_shadow_sync(const struct virtio_dev *d);

/** Fill @p page as an empty virtio-mmio slot reads: MagicValue, Version
 * 2, everything else 0 (DeviceID 0: no device, §4.2.2). */
void virtio_shadow_placeholder(volatile uint32_t *page);

/* --- Split virtqueues ---------------------------------------------------- */

/** One buffer of a chain, checked to lie inside the grant. */
struct virtq_seg {
	uint64_t gpa; /**< Client address. */
	uint8_t *ptr; /**< Where the service sees it (@p len bytes valid). */
	uint32_t len;
	bool write; /**< Device-writable (VIRTQ_DESC_F_WRITE). */
};

/** A popped chain: @p count segments, readable ones first. */
struct virtq_chain {
	uint16_t head;	   /**< Descriptor index to hand to virtq_push(). */
	uint32_t count;	   /**< Segments filled in. */
	uint64_t readable; /**< Bytes in readable segments. */
	uint64_t writable; /**< Bytes in writable segments. */
};

/* virtq_pop() results. */
#define VIRTQ_POPPED 1	      /**< A chain is in @p chain and @p seg. */
#define VIRTQ_EMPTY 0	      /**< Nothing available. */
#define VIRTQ_ERR_BROKEN (-1) /**< Device not running / needs reset. */
/** The chain is longer than @p seg_max (and valid to its end: a loop or a
 * bad buffer past seg_max is VIRTQ_ERR_BROKEN): it is consumed
 * (chain->head set, no segments); push it back with 0 bytes written. */
#define VIRTQ_ERR_SEGS (-2)

/**
 * Take the next available chain of queue @p q: each descriptor is read
 * once, every buffer checked against the grant, at most @p seg_max
 * segments filled. A malformed ring fails the device (virtio_dev_fail())
 * and returns VIRTQ_ERR_BROKEN. Bounded: at most QueueNum descriptors of
 * the ring and @p seg_max + 1 of an indirect table are read.
 *
 * With VIRTIO_F_EVENT_IDX negotiated, an empty queue publishes avail_event
 * = the next entry to pop (§2.7.10: the driver notifies when it makes that
 * one available), then, after a full barrier, reads avail->idx again
 * before answering VIRTQ_EMPTY: a buffer made available before the driver
 * could see the new avail_event is popped now, not left waiting for a
 * notification that never comes (§2.7.13.4). Until then avail_event stays
 * behind, so a driver adding buffers while the device works on the queue
 * does not notify: a caller that stops before VIRTQ_EMPTY (a budget) must
 * come back to the queue without waiting for a QueueNotify.
 */
int virtq_pop(struct virtio_dev *d, uint32_t q, struct virtq_chain *chain,
	      struct virtq_seg *seg, uint32_t seg_max);

/**
 * Complete chain @p head of queue @p q with @p written bytes written to its
 * writable segments: a used ring entry, then used->idx (§2.7.8), with the
 * barriers between. Returns IPC_OK, or IPC_ERR_INVALID (device not running,
 * queue not ready, @p head >= QueueNum).
 */
int virtq_push(struct virtio_dev *d, uint32_t q, uint16_t head,
	       uint32_t written);

/**
 * After pushes: raise the used-buffer interrupt unless the driver
 * suppressed it: with VIRTIO_F_EVENT_IDX, unless used_event (the last
 * word of the available ring) lies outside the entries published since
 * the last call (virtq_need_event(), §2.7.10; avail->flags is ignored);
 * without, if avail->flags has VIRTQ_AVAIL_F_NO_INTERRUPT (§2.7.7).
 * Returns true if it was raised. Call it after every batch of pushes
 * (fewer than 65536 entries).
 */
bool virtq_signal(struct virtio_dev *d, uint32_t q);

/**
 * vring_need_event of virtio 1.2 §2.7.10: true if the ring index @p event
 * is one of those the index moved past, from @p old to @p new_idx (in
 * [old, new_idx) modulo 2^16): the other side asked to be told at it.
 * Any values are safe (the driver writes @p event): 16-bit arithmetic.
 */
static inline bool virtq_need_event(uint16_t event, uint16_t new_idx,
				    uint16_t old)
{
	return (uint16_t)(new_idx - event - 1U) < (uint16_t)(new_idx - old);
}
