#pragma once
/**
 * A driver for a physical virtio-mmio device passed through to a service
 * (the driver domain): OASIS virtio 1.2, MMIO transport version 2
 * ("modern", §4.2.2), split virtqueues (§2.7).
 *
 * The service maps the device's register page (a CFG_DEV_PASSTHROUGH
 * window) and owns its SPI (`.irqs`). The driver:
 *
 *     virtio_drv_probe(&d, base, VIRTIO_ID_BLOCK, ipc_translate);
 *     virtio_drv_init(&d, wanted_features);        reset, negotiate
 *     virtio_drv_queue_setup(&d, 0, mem, size, n);  rings in DMA memory
 *     virtio_drv_driver_ok(&d);
 *     virtio_drv_submit(&d, 0, bufs, count, &head); then virtio_drv_kick()
 *     ... the SPI arrives: virtio_drv_irq_ack(), then
 *     while (virtio_drv_harvest(&d, 0, &head, &len) == VIRTIO_DRV_OK) ...
 *
 * The rings live in the service's own RAM: the device reads and writes them
 * by physical address (virt's virtio-mmio has no IOMMU), so the driver
 * asks the kernel for the PA of each ring area (ipc_translate(), passed in
 * as a function so host tests can fake it), which must be physically
 * contiguous: the kernel refuses a range that is not. Buffers are given to
 * virtio_drv_submit() as PAs.
 *
 * Ordering (the service runs with stage 1 off; HCR_EL2.DC makes its RAM
 * Normal cacheable, Stage-2 makes the register page Device-nGnRE): ring
 * stores are ordered before the avail index with a DMA write barrier, the
 * avail index before the used flags read with a full barrier, the used
 * index read before the used entries with a read barrier (§2.7.13, and
 * what Linux's virtio_ring does), and every register access is ordered
 * after the memory accesses before it, as Linux's writel()/readl() are
 * (virtio_drv_mmio.c).
 *
 * Pure C with no kernel call: register accesses go through
 * virtio_drv_reg_read()/virtio_drv_reg_write() (virtio_drv_mmio.c on the
 * target; host tests link a device model instead).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc/virtio_regs.h"

/** Queues one driver drives, and entries per queue it uses at most. */
#define VIRTIO_DRV_MAX_QUEUES 2U
#define VIRTIO_DRV_QUEUE_MAX 256U
/** Reads of Status after a reset before giving up (§4.2.3.1: the driver
 * waits for 0). QEMU resets synchronously. */
#define VIRTIO_DRV_RESET_POLLS 1000000U

/* Results. */
#define VIRTIO_DRV_OK 0
#define VIRTIO_DRV_ERR_ABSENT (-1)   /**< No virtio-mmio / no device. */
#define VIRTIO_DRV_ERR_LEGACY (-2)   /**< Version 1 transport. */
#define VIRTIO_DRV_ERR_DEVICE (-3)   /**< Another device type. */
#define VIRTIO_DRV_ERR_FEATURES (-4) /**< No VERSION_1 / FEATURES_OK refused. */
#define VIRTIO_DRV_ERR_QUEUE (-5)    /**< Queue absent, in use or too small. */
#define VIRTIO_DRV_ERR_DMA (-6)	     /**< Memory not translatable/contiguous. */
#define VIRTIO_DRV_ERR_FULL (-7)     /**< Not enough free descriptors. */
#define VIRTIO_DRV_ERR_EMPTY (-8)    /**< No used entry to harvest. */
#define VIRTIO_DRV_ERR_BROKEN (-9)   /**< Device misbehaved or needs reset. */
#define VIRTIO_DRV_ERR_INVALID (-10) /**< Bad argument. */

/** Split virtqueue layout (§2.7.5, §2.7.6, §2.7.8), little endian. */
struct virtio_drv_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtio_drv_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct virtio_drv_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtio_drv_used {
	uint16_t flags;
	uint16_t idx;
	struct virtio_drv_used_elem ring[];
};

/** IPA -> PA of the caller's memory (ipc_translate()). */
typedef int (*virtio_drv_translate_fn)(uint64_t ipa, uint64_t len,
				       uint64_t *pa);

/** The translation of a guest's driver: its DMA addresses are its IPAs. */
int virtio_drv_identity(uint64_t ipa, uint64_t len, uint64_t *pa);

/** One buffer of a chain: physical address, length, who writes it. */
struct virtio_drv_buf {
	uint64_t pa;
	uint32_t len;
	bool device_writes;
};

/** One split virtqueue as the driver keeps it. */
struct virtio_drv_queue {
	struct virtio_drv_desc *desc;
	struct virtio_drv_avail *avail;
	struct virtio_drv_used *used;
	uint16_t num;	    /**< Entries; 0: not set up. */
	uint16_t free_head; /**< First free descriptor (free list in .next). */
	uint16_t num_free;
	uint16_t avail_idx; /**< Next avail->idx the driver publishes. */
	uint16_t last_used; /**< Used entries harvested so far (mod 2^16). */
	uint16_t chain_len[VIRTIO_DRV_QUEUE_MAX]; /**< Per head in flight. */
};

/** One device. */
struct virtio_drv {
	uintptr_t base; /**< Register page, where the service maps it. */
	uint32_t device_id;
	uint64_t features; /**< Negotiated. */
	virtio_drv_translate_fn translate;
	struct virtio_drv_queue q[VIRTIO_DRV_MAX_QUEUES];
};

/* Register access (virtio_drv_mmio.c; a host test links a model). */
uint32_t virtio_drv_reg_read(const struct virtio_drv *d, uint32_t off);
void virtio_drv_reg_write(const struct virtio_drv *d, uint32_t off,
			  uint32_t value);

/**
 * Check the transport at @p base: MagicValue, Version 2, DeviceID
 * @p device_id. Returns VIRTIO_DRV_OK, VIRTIO_DRV_ERR_ABSENT (no magic,
 * or no device: DeviceID 0), VIRTIO_DRV_ERR_LEGACY or
 * VIRTIO_DRV_ERR_DEVICE; virtio_drv_strerror() says what to fix.
 */
int virtio_drv_probe(struct virtio_drv *d, uintptr_t base, uint32_t device_id,
		     virtio_drv_translate_fn translate);

/** One line naming what is wrong and the QEMU option that fixes it. */
const char *virtio_drv_strerror(int err);

/** Status 0 and wait until the device reads back 0 (§4.2.3.1). Queues are
 * forgotten. Returns VIRTIO_DRV_OK or VIRTIO_DRV_ERR_BROKEN. */
int virtio_drv_reset(struct virtio_drv *d);

/**
 * Reset, ACKNOWLEDGE, DRIVER, then negotiate (§3.1.1): accept the
 * device's features that are in @p wanted, plus VIRTIO_F_VERSION_1, which
 * the device must offer; set FEATURES_OK and check it stuck. The result is
 * in d->features. On failure the status is FAILED.
 */
int virtio_drv_init(struct virtio_drv *d, uint64_t wanted);

/**
 * Set up queue @p index in @p mem (@p size bytes of the service's RAM,
 * 16-byte aligned, physically contiguous) with at most @p num_wanted
 * entries (a power of 2), and enable it. Returns VIRTIO_DRV_OK,
 * VIRTIO_DRV_ERR_QUEUE or VIRTIO_DRV_ERR_DMA.
 */
int virtio_drv_queue_setup(struct virtio_drv *d, uint16_t index, void *mem,
			   size_t size, uint16_t num_wanted);

/** Bytes queue memory needs for @p num entries. */
size_t virtio_drv_queue_bytes(uint16_t num);

/** Set DRIVER_OK: the device is live (§3.1.1 step 8). */
void virtio_drv_driver_ok(struct virtio_drv *d);

/**
 * Put a chain of @p count buffers on queue @p index (device-readable ones
 * first, §2.7.4) and publish it in the avail ring; @p head gets its head
 * descriptor (the id virtio_drv_harvest() gives back). The device is not
 * notified: call virtio_drv_kick() after a batch. Returns VIRTIO_DRV_OK,
 * VIRTIO_DRV_ERR_FULL or VIRTIO_DRV_ERR_INVALID.
 */
int virtio_drv_submit(struct virtio_drv *d, uint16_t index,
		      const struct virtio_drv_buf *bufs, uint16_t count,
		      uint16_t *head);

/** The head the next virtio_drv_submit() on queue @p index returns (its
 * first free descriptor), so a caller can place per-chain data (a request
 * header) by head before the chain is published; 0 for no such queue. */
uint16_t virtio_drv_next_head(const struct virtio_drv *d, uint16_t index);

/** Notify queue @p index unless the device asked not to be (§2.7.10). */
void virtio_drv_kick(struct virtio_drv *d, uint16_t index);

/**
 * Ask the device to interrupt, or not, when it uses a buffer of queue
 * @p index: VIRTQ_AVAIL_F_NO_INTERRUPT in the avail ring's flags (§2.7.7,
 * without VIRTIO_F_EVENT_IDX, which this driver does not negotiate). A
 * hint the device may ignore (§2.7.7.2). With interrupts off, harvest the
 * queue without waiting for one (e.g. when its buffers run out); after
 * turning them on, harvest once more: a buffer used before the device
 * saw the flag may not interrupt. A queue starts with interrupts on.
 */
void virtio_drv_queue_interrupts(struct virtio_drv *d, uint16_t index, bool on);

/**
 * Take the next used entry of queue @p index: @p head the chain's head,
 * @p len the bytes the device wrote. Its descriptors are free again.
 * Returns VIRTIO_DRV_OK, VIRTIO_DRV_ERR_EMPTY, or VIRTIO_DRV_ERR_BROKEN
 * (the device returned a head not in flight: reset it).
 */
int virtio_drv_harvest(struct virtio_drv *d, uint16_t index, uint16_t *head,
		       uint32_t *len);

/** Chains in flight on queue @p index. */
uint16_t virtio_drv_in_flight(const struct virtio_drv *d, uint16_t index);

/** Read InterruptStatus and acknowledge those bits (§4.2.2); returns them
 * (VIRTIO_INT_VRING, VIRTIO_INT_CONFIG). */
uint32_t virtio_drv_irq_ack(struct virtio_drv *d);

/** The device set DEVICE_NEEDS_RESET (§2.1.2): reset and set it up again. */
bool virtio_drv_needs_reset(const struct virtio_drv *d);

/** Device configuration space (§4.2.2 Config, §2.5.1): a 32-bit field, and
 * a 64-bit one read consistently with ConfigGeneration. */
uint32_t virtio_drv_config_read32(const struct virtio_drv *d, uint32_t off);
uint64_t virtio_drv_config_read64(const struct virtio_drv *d, uint32_t off);

/* --- Barriers between ring accesses (the device is another observer) ----- */
#if defined(__aarch64__)
/** Ring stores before later ring stores (Linux dma_wmb: DMB OSHST). */
static inline void virtio_drv_wmb(void)
{
	__asm__ volatile("dmb oshst" ::: "memory");
}

/** Ring loads before later ring loads (dma_rmb: DMB OSHLD). */
static inline void virtio_drv_rmb(void)
{
	__asm__ volatile("dmb oshld" ::: "memory");
}

/** Stores before later loads (virtio_mb: DMB OSH). */
static inline void virtio_drv_mb(void)
{
	__asm__ volatile("dmb osh" ::: "memory");
}
#else
static inline void virtio_drv_wmb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static inline void virtio_drv_rmb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static inline void virtio_drv_mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
#endif
