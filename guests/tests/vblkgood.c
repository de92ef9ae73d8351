/**
 * System test (issue 16): the well-behaved VM next to a hostile one
 * (configs/vblk_hostile, tests/system/test_vblk_hostile.py). It writes and
 * reads back the first SPAN sectors of its own disk, round after round,
 * while the hostile VM (vblkhostile.c) attacks the same vblk service;
 * every request must succeed with its data, and at the end every sector
 * holds what it last wrote. The test reads the same sectors in the image.
 */
#include <stdint.h>
#include <string.h>

#include "guest/test.h"
#include "vblk_io.h"

#define SPAN 32U
/** A multiple of SPAN: the last round writes sector SPAN - 1. */
#define ROUNDS 384U
/* Every round: test_vblk_flood.py looks for a round printed between the
 * flooder's first and last line (10 runs: 14 to 82 rounds fell there;
 * printing every 8th, a late start left none about 1 run in 12). */
#define REPORT_EVERY 1U
#define QUEUE_ENTRIES 16U

static _Alignas(16) uint8_t data[SECTOR];

/* Sector @p n written in round @p r holds this seed (the test computes the
 * same: (r * 31 + n) & 0xff, byte i = seed + 3 i). */
static uint8_t seed(uint32_t r, uint32_t n)
{
	return (uint8_t)(r * 31U + n);
}

static void fill(uint8_t s)
{
	for (uint32_t i = 0; i < SECTOR; i++) {
		data[i] = (uint8_t)(s + i * 3U);
	}
}

static bool same(uint8_t s)
{
	for (uint32_t i = 0; i < SECTOR; i++) {
		if (data[i] != (uint8_t)(s + i * 3U)) {
			return false;
		}
	}
	return true;
}

void test_main(void)
{
	uint32_t bad = 0;

	vblk_io_up(QUEUE_ENTRIES);
	printf("good: start\n");
	for (uint32_t r = 0; r < ROUNDS; r++) {
		uint32_t n = r % SPAN;

		fill(seed(r, n));
		if (vblk_io_request(T_OUT, n, data, SECTOR) != S_OK) {
			bad++;
		}
		memset(data, 0, sizeof(data));
		if (vblk_io_request(T_IN, n, data, SECTOR) != S_OK ||
		    !same(seed(r, n))) {
			bad++;
		}
		if ((r + 1U) % REPORT_EVERY == 0) {
			printf("good: round %u, %u bad\n", r + 1U, bad);
		}
	}
	CHECK_EQ(vblk_io_request(T_FLUSH, 0, data, 0), S_OK);
	for (uint32_t n = 0; n < SPAN; n++) {
		uint32_t last = ROUNDS - SPAN + n;

		memset(data, 0, sizeof(data));
		if (vblk_io_request(T_IN, n, data, SECTOR) != S_OK ||
		    !same(seed(last, n))) {
			bad++;
		}
	}
	printf("good: done, %u rounds, %u bad\n", ROUNDS, bad);
	CHECK_EQ(bad, 0);
}
