#pragma once
/**
 * virtio-blk requests as the vblk service checks them (OASIS virtio 1.2
 * §5.2.6): a chain popped from a client's virtqueue becomes a struct
 * vblk_rec, a plain record without pointers (kept RAM: it is what the
 * service resends to the physical disk after a restart). Every check that
 * keeps a client inside its own blocks is here, host-tested
 * (tests/host/test_vblk_req.c): the sector range, read-only, the data
 * direction, the header and status framing.
 */
#include <stdbool.h>
#include <stdint.h>

#include "ipc/virtio.h"

/* Request types (§5.2.6). */
#define VBLK_T_IN 0U
#define VBLK_T_OUT 1U
#define VBLK_T_FLUSH 4U
#define VBLK_T_GET_ID 8U

/* Status byte values (§5.2.6). */
#define VBLK_S_OK 0U
#define VBLK_S_IOERR 1U
#define VBLK_S_UNSUPP 2U

/* Feature bits (§5.2.3). */
#define VBLK_F_SEG_MAX (1ULL << 2)
#define VBLK_F_RO (1ULL << 5)
#define VBLK_F_FLUSH (1ULL << 9)

/** Sector size of the virtio-blk protocol, whatever the disk's (§5.2.6). */
#define VBLK_SECTOR 512U
/** The request header: type, reserved, sector (§5.2.6, le32 le32 le64). */
#define VBLK_HDR_BYTES 16U
/** GET_ID: a 20-byte string, NUL padded (§5.2.6). */
#define VBLK_ID_BYTES 20U

/** Data segments of one request (offered as seg_max, VBLK_F_SEG_MAX).
 * Linux cuts its requests to fit: with 16, a 1 MiB O_DIRECT dd became 2
 * to 3 requests, each a round of switches to this service (the disk rows
 * of docs/benchmarks.md). The bound is the journal: a pop saves the
 * device header and the whole record (main.c checks they fit). */
#define VBLK_SEG_MAX 32U
/** Segments virtq_pop() may fill: the data, header and status. */
#define VBLK_CHAIN_MAX (VBLK_SEG_MAX + 2U)

/** A sector count meaning "to the end of the disk" (vblk_layout.h). */
#define VBLK_TO_END UINT64_MAX

/** The blocks a client's disk is: physical sectors [first, first +
 * sectors), refusing writes if @p read_only. */
struct vblk_range {
	uint64_t first;
	uint64_t sectors;
	bool read_only;
};

/** One data segment of a request: client address, length, direction. */
struct vblk_seg {
	uint64_t gpa;
	uint32_t len;
	uint32_t write; /**< The device writes it (a read request). */
};

/** One request, as decoded: kept in kept RAM while in flight. */
struct vblk_rec {
	uint8_t live;	   /**< In flight (popped, not yet completed). */
	uint8_t status;	   /**< VBLK_S_* of a request the service answers. */
	uint8_t to_device; /**< Needs the physical disk (IN/OUT/FLUSH). */
	uint8_t reserved;
	uint32_t epoch; /**< The device's epoch it was popped in. */
	uint32_t type;
	uint32_t nseg;	     /**< Data segments in seg[]. */
	uint64_t sector;     /**< Physical sector (range.first added). */
	uint64_t status_gpa; /**< Its status byte; 0: the chain has none. */
	uint32_t written;    /**< Used length reported on success. */
	uint32_t data_bytes;
	struct vblk_seg seg[VBLK_SEG_MAX];
};

/**
 * Decode chain @p seg[0..@p count) (header and data from virtq_pop(),
 * already checked to lie in the client's grant) for a client whose disk
 * is @p range; @p phys_flush: the physical disk has a volatile cache to
 * flush (VIRTIO_BLK_F_FLUSH). Fills @p r (live is left to the caller):
 * r->to_device set for a request the physical disk must do, else
 * r->status is the answer (out of range, a write to a read-only disk,
 * bad framing: VBLK_S_IOERR; an unknown type: VBLK_S_UNSUPP).
 */
void vblk_req_decode(const struct virtq_seg *seg, uint32_t count,
		     const struct vblk_range *range, bool phys_flush,
		     struct vblk_rec *r);

/** The range a client gets on a disk of @p capacity sectors: the layout's
 * range clipped to the disk (a range past its end is empty). */
struct vblk_range vblk_range_clip(struct vblk_range want, uint64_t capacity);
