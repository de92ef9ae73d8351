/**
 * System test (issue 16): a client that forges its used ring while the
 * virtio-blk service crashes (image vblk-faultinject, configs/vblk_forge,
 * tests/system/test_vblk_hostile.py). After each disk request it writes,
 * where the service's next used entry will go, an entry whose id is the
 * head in flight plus 2^16, and used->idx one ahead: what a restarted
 * service's reconcile() takes for a completion the crash interrupted. The
 * 32-bit id must be range-checked as a whole (not only its low 16 bits),
 * or the restarted service writes a record far outside its kept RAM,
 * faults, and does so again on every restart until it is given up.
 * Normally the service's own used entry overwrites the forgery; each
 * request must complete with its data.
 */
#include <stdint.h>
#include <string.h>

#include "guest/test.h"
#include "vblk_io.h"

#define REQUESTS 60U
#define QUEUE_ENTRIES 16U
/** Added to the head in the forged entry: the same low 16 bits. */
#define FORGED_ID_HIGH 0x10000U
#define POLLS 10000000U
#define ID_BYTES 20U

static _Alignas(16) uint8_t data[SECTOR];
static struct blk_req req;

static bool same(uint8_t s)
{
	for (uint32_t i = 0; i < SECTOR; i++) {
		if (data[i] != (uint8_t)(s + i * 7U)) {
			return false;
		}
	}
	return true;
}

/* One disk request, with the forgery, waited for; its status. */
static uint8_t forged_request(uint32_t type, uint64_t sector)
{
	struct virtio_drv_queue *q = &vblk_drv.q[0];
	volatile struct virtio_drv_used *used = q->used;
	uint16_t slot = q->last_used % q->num, head, got;
	uint32_t irq = 0;

	vblk_io_submit(&req, type, sector, data, SECTOR);
	head = req.head;
	used->ring[slot].id = FORGED_ID_HIGH + head;
	used->ring[slot].len = 0;
	__asm__ volatile("dmb sy" ::: "memory");
	used->idx = (uint16_t)(q->last_used + 1U);
	virtio_drv_kick(&vblk_drv, 0);
	/* The service's own entry replaces the forged one. */
	for (uint32_t i = 0; i < POLLS && used->ring[slot].id != head; i++) {
		(void)virtio_drv_irq_ack(&vblk_drv);
	}
	if (used->ring[slot].id != head) {
		printf("vblkforge: request at sector %llu: no completion\n",
		       (unsigned long long)sector);
		return NO_STATUS;
	}
	CHECK(vblk_io_wait(&got, &irq));
	CHECK_EQ(got, head);
	return req.status;
}

/* A request the service answers itself: two crash points, not a disk
 * request's three, so the crashes (every 19th point) fall on every kind
 * of point, "with a disk completion taken" too. Returns 1 if it failed. */
static uint32_t get_id(void)
{
	return vblk_io_request(T_GET_ID, 0, data, ID_BYTES) != S_OK;
}

void test_main(void)
{
	uint32_t bad = 0;

	vblk_io_up(QUEUE_ENTRIES);
	for (uint32_t n = 0; n < REQUESTS; n++) {
		uint8_t seed = (uint8_t)(n * 13U + 1U);

		for (uint32_t i = 0; i < SECTOR; i++) {
			data[i] = (uint8_t)(seed + i * 7U);
		}
		if (forged_request(T_OUT, n) != S_OK) {
			bad++;
		}
		bad += get_id();
		memset(data, 0, sizeof(data));
		if (forged_request(T_IN, n) != S_OK || !same(seed)) {
			bad++;
		}
		bad += get_id();
	}
	printf("vblkforge: %u requests with forged used entries, %u bad\n",
	       2U * REQUESTS, bad);
	CHECK_EQ(bad, 0);
}
