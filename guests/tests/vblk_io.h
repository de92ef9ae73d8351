#pragma once
/**
 * A bare-metal guest's virtio-blk client (guests/tests/vblk_io.c): libipc's
 * virtio-mmio driver on the guest's virtual virtio-blk at VBLK_IPA (the
 * vblk service), with the guest's IPAs as DMA addresses.
 */
#include <stdbool.h>
#include <stdint.h>

#include "ipc/virtio_drv.h"

/* The guest's virtual virtio-blk (configs/common/vblk_service.h). */
#define VBLK_IPA 0x0a000000UL

/* virtio-blk (virtio 1.2 §5.2). */
#define T_IN 0U
#define T_OUT 1U
#define T_FLUSH 4U
#define T_GET_ID 8U
#define S_OK 0U
#define S_IOERR 1U
#define F_RO (1ULL << 5)
#define F_FLUSH (1ULL << 9)
#define SECTOR 512U
#define CFG_CAPACITY 0U
/** A status byte the device has not written. */
#define NO_STATUS 0xffU

/** One request's device-readable header (§5.2.6). */
struct blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/** One request: header, data, status, in the guest's RAM. */
struct blk_req {
	struct blk_hdr hdr;
	uint8_t status;
	uint16_t head;
};

extern struct virtio_drv vblk_drv;

/** Probe, negotiate (RO, FLUSH), one queue of @p entries, DRIVER_OK. */
void vblk_io_up(uint16_t entries);

/** Queue @p r (@p len bytes at @p data; none if 0) without notifying. */
void vblk_io_submit(struct blk_req *r, uint32_t type, uint64_t sector,
		    void *data, uint32_t len);

/** Wait for the next used entry: its head in @p head, the InterruptStatus
 * bits seen (and acknowledged) meanwhile in @p irq; false on timeout.
 * Every register read is an exit to the service, which meanwhile takes
 * the physical disk's completions. */
bool vblk_io_wait(uint16_t *head, uint32_t *irq);

/** One request, waited for: its status byte (NO_STATUS if none came). */
uint8_t vblk_io_request(uint32_t type, uint64_t sector, void *data,
			uint32_t len);
