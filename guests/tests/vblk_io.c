/**
 * A bare-metal guest's virtio-blk client (vblk_io.h).
 */
#include "vblk_io.h"

#include "guest/test.h"

/** Polls of the used ring and InterruptStatus before a request counts as
 * lost. Neither exits (the window's registers are read from its shadow
 * page), so a poll costs tens of instructions: this bounds a lost request
 * at some 10^10 of them, and leaves a disk reset's slow completion time. */
#define POLLS 300000000U

struct virtio_drv vblk_drv;
static _Alignas(16) uint8_t ring[8192];

void vblk_io_up(uint16_t entries)
{
	int rc = virtio_drv_probe(&vblk_drv, VBLK_IPA, VIRTIO_ID_BLOCK,
				  virtio_drv_identity);

	if (rc != VIRTIO_DRV_OK) {
		printf("vblk: probe: %s\n", virtio_drv_strerror(rc));
	}
	CHECK_EQ(rc, VIRTIO_DRV_OK);
	CHECK_EQ(virtio_drv_init(&vblk_drv, F_RO | F_FLUSH), VIRTIO_DRV_OK);
	CHECK_EQ(virtio_drv_queue_setup(&vblk_drv, 0, ring, sizeof(ring),
					entries),
		 VIRTIO_DRV_OK);
	virtio_drv_driver_ok(&vblk_drv);
}

void vblk_io_submit(struct blk_req *r, uint32_t type, uint64_t sector,
		    void *data, uint32_t len)
{
	struct virtio_drv_buf bufs[3] = {
		{ .pa = (uintptr_t)&r->hdr, .len = sizeof(r->hdr) },
		{ .pa = (uintptr_t)data,
		  .len = len,
		  .device_writes = type != T_OUT },
		{ .pa = (uintptr_t)&r->status, .len = 1, .device_writes = true },
	};

	if (len == 0) {
		bufs[1] = bufs[2];
	}
	r->hdr = (struct blk_hdr){ .type = type, .sector = sector };
	r->status = NO_STATUS;
	CHECK_EQ(virtio_drv_submit(&vblk_drv, 0, bufs, len == 0 ? 2 : 3,
				   &r->head),
		 VIRTIO_DRV_OK);
}

/*
 * The device sets InterruptStatus after it publishes the used entry
 * (§2.7.7), and the driver reads InterruptStatus without an exit: it may
 * see the entry first. Wait, bounded, for the used-buffer bit (of a
 * single request: several completions may share one interrupt).
 */
static uint32_t irq_after_used(uint32_t seen)
{
	for (uint32_t i = 0; i < POLLS && !(seen & VIRTIO_INT_VRING); i++) {
		seen |= virtio_drv_irq_ack(&vblk_drv);
	}
	return seen;
}

bool vblk_io_wait(uint16_t *head, uint32_t *irq)
{
	uint32_t len, seen = 0;

	for (uint32_t i = 0; i < POLLS; i++) {
		/* The used ring first: it is in RAM, no exit is needed to
		 * see a completion. */
		int rc = virtio_drv_harvest(&vblk_drv, 0, head, &len);

		if (rc == VIRTIO_DRV_OK) {
			*irq = seen | virtio_drv_irq_ack(&vblk_drv);
			return true;
		}
		CHECK_EQ(rc, VIRTIO_DRV_ERR_EMPTY);
		if (rc != VIRTIO_DRV_ERR_EMPTY) {
			return false;
		}
		seen |= virtio_drv_irq_ack(&vblk_drv);
	}
	return false;
}

uint8_t vblk_io_request(uint32_t type, uint64_t sector, void *data,
			uint32_t len)
{
	static struct blk_req r;
	uint32_t irq = 0;
	uint16_t head;

	vblk_io_submit(&r, type, sector, data, len);
	virtio_drv_kick(&vblk_drv, 0);
	if (!vblk_io_wait(&head, &irq)) {
		printf("vblk: request type %u sector %llu: no completion\n",
		       type, (unsigned long long)sector);
		return NO_STATUS;
	}
	CHECK_EQ(head, r.head);
	irq = irq_after_used(irq);
	/* The used entry came with its interrupt (§2.7.7). */
	CHECK(irq & VIRTIO_INT_VRING);
	return r.status;
}
