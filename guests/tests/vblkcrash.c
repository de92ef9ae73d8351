/**
 * System test (issue 16): the virtio-blk service crashing under I/O
 * (image vblk-faultinject, configs/vblk_crash). The guest writes
 * ROUNDS batches of BATCH sectors (a batch in flight at once), flushes,
 * and reads them back. Each request must complete exactly once, with
 * status OK: no used entry lost (a wait would time out), none given twice
 * (a second entry for a head not in flight, or used->idx past the number
 * of requests), and the data read back is what was written.
 */
#include <stdint.h>
#include <string.h>

#include "guest/test.h"
#include "vblk_io.h"

#define BATCH 4U
#define ROUNDS 12U
#define QUEUE_ENTRIES 16U

static _Alignas(16) uint8_t data[BATCH][SECTOR];
static struct blk_req req[BATCH];

static uint8_t seed(uint64_t sector)
{
	return (uint8_t)(sector * 13U + 1U);
}

static void fill(uint8_t *p, uint8_t s)
{
	for (uint32_t i = 0; i < SECTOR; i++) {
		p[i] = (uint8_t)(s + i * 7U);
	}
}

static bool same(const uint8_t *p, uint8_t s)
{
	for (uint32_t i = 0; i < SECTOR; i++) {
		if (p[i] != (uint8_t)(s + i * 7U)) {
			return false;
		}
	}
	return true;
}

/* One batch of @p type on sectors first..first+BATCH-1; returns the
 * requests completed (each exactly once, status OK). */
static uint32_t batch(uint32_t type, uint64_t first)
{
	bool done[BATCH] = { false };
	uint32_t completed = 0;

	for (uint32_t i = 0; i < BATCH; i++) {
		if (type == T_OUT) {
			fill(data[i], seed(first + i));
		} else {
			memset(data[i], 0, SECTOR);
		}
		vblk_io_submit(&req[i], type, first + i, data[i], SECTOR);
	}
	virtio_drv_kick(&vblk_drv, 0);
	for (uint32_t n = 0; n < BATCH; n++) {
		uint32_t irq = 0;
		uint16_t head;

		if (!vblk_io_wait(&head, &irq)) {
			printf("vblkcrash: sector %llu..: a request was lost\n",
			       (unsigned long long)first);
			CHECK(false);
			return completed;
		}
		for (uint32_t i = 0; i < BATCH; i++) {
			if (req[i].head == head && !done[i]) {
				done[i] = true;
				CHECK_EQ(req[i].status, S_OK);
				CHECK(type == T_OUT ||
				      same(data[i], seed(first + i)));
				completed++;
				break;
			}
		}
	}
	CHECK_EQ(completed, BATCH);
	return completed;
}

void test_main(void)
{
	uint32_t total = 0;

	vblk_io_up(QUEUE_ENTRIES);
	for (uint32_t r = 0; r < ROUNDS; r++) {
		total += batch(T_OUT, r * BATCH);
	}
	CHECK_EQ(vblk_io_request(T_FLUSH, 0, NULL, 0), S_OK);
	total++;
	for (uint32_t r = 0; r < ROUNDS; r++) {
		total += batch(T_IN, r * BATCH);
	}
	/* Nothing more comes: no used entry was given twice. */
	CHECK_EQ(*(volatile uint16_t *)&vblk_drv.q[0].used->idx,
		 (uint16_t)total);
	printf("vblkcrash: %u requests, each completed once, data intact\n",
	       total);
}
