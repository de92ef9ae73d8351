/**
 * System test (issue 16): a guest that acts on a used entry before the
 * vblk service that published it dies (image vblk-faultinject-published:
 * it crashes 10 ms after every 4th used entry, before that completion's
 * commit; configs/vblk_reuse runs this guest on the second CPU, the
 * service on the first, where the disk's interrupt lands).
 *
 * Each round: READ sector src into BUF and wait for its used entry by
 * reading the used ring in RAM only (a register access would wait for the
 * dying service); at once reuse BUF for a WRITE of a new pattern to sector
 * dst; then a FLUSH. The restarted service must not do the read again
 * (its completion reached the guest: services/vblk, reconcile()): a read
 * done again would land in BUF, now the write's buffer, and the disk
 * would write the old sector's data to dst. Checked: BUF keeps the
 * pattern after its write completes (and a while later), each request
 * completes once with status OK, and every dst reads back as its pattern.
 */
#include <stdint.h>
#include <string.h>

#include "guest/sysreg.h"
#include "guest/test.h"
#include "vblk_io.h"

#define ROUNDS 16U
#define QUEUE_ENTRIES 16U
/** Sectors read (filled by the test: every byte the sector's number). */
#define SRC_FIRST 8U
/** Sectors written. */
#define DST_FIRST 64U
/** Polls of the used ring before a request counts as lost. */
#define RAM_POLLS 100000000U
/** Time for a read done again to land, after the write completed. */
#define SETTLE_MS 50U
#define MS_PER_S 1000U

static _Alignas(16) uint8_t buf[SECTOR];
static _Alignas(16) uint8_t back[SECTOR];
static struct blk_req rd, wr, fl;

static uint8_t pattern(uint32_t round, uint32_t i)
{
	return (uint8_t)(0xa0U + round * 5U + i * 3U);
}

static bool is_pattern(const uint8_t *p, uint32_t round)
{
	for (uint32_t i = 0; i < SECTOR; i++) {
		if (p[i] != pattern(round, i)) {
			return false;
		}
	}
	return true;
}

/* The next used entry, seen in RAM only (no register access). */
static bool wait_used_in_ram(uint16_t *head)
{
	uint32_t len;

	for (uint32_t i = 0; i < RAM_POLLS; i++) {
		if (virtio_drv_harvest(&vblk_drv, 0, head, &len) ==
		    VIRTIO_DRV_OK) {
			return true;
		}
	}
	return false;
}

static void settle(void)
{
	isb();
	uint64_t until = read_sysreg(cntvct_el0) +
			 read_sysreg(cntfrq_el0) * SETTLE_MS / MS_PER_S;

	while (read_sysreg(cntvct_el0) < until) {
		isb();
	}
}

static void round_trip(uint32_t r)
{
	uint16_t head;
	uint32_t irq = 0;

	memset(buf, 0, sizeof(buf));
	vblk_io_submit(&rd, T_IN, SRC_FIRST + r, buf, SECTOR);
	virtio_drv_kick(&vblk_drv, 0);
	if (!wait_used_in_ram(&head)) {
		printf("vblkreuse: round %u: the read's used entry never "
		       "came\n",
		       r);
		CHECK(false);
		return;
	}
	CHECK_EQ(head, rd.head);
	CHECK_EQ(rd.status, S_OK);
	CHECK_EQ(buf[0], (uint8_t)(SRC_FIRST + r));
	/* Act on it at once: BUF and the head are free again. */
	for (uint32_t i = 0; i < SECTOR; i++) {
		buf[i] = pattern(r, i);
	}
	vblk_io_submit(&wr, T_OUT, DST_FIRST + r, buf, SECTOR);
	virtio_drv_kick(&vblk_drv, 0);
	CHECK(vblk_io_wait(&head, &irq));
	CHECK_EQ(head, wr.head);
	CHECK_EQ(wr.status, S_OK);
	settle();
	if (!is_pattern(buf, r)) {
		printf("vblkreuse: round %u: the write's buffer was written "
		       "(0x%x): a read done again\n",
		       r, buf[0]);
	}
	CHECK(is_pattern(buf, r));
	vblk_io_submit(&fl, T_FLUSH, 0, NULL, 0);
	virtio_drv_kick(&vblk_drv, 0);
	CHECK(vblk_io_wait(&head, &irq));
	CHECK_EQ(head, fl.head);
	CHECK_EQ(fl.status, S_OK);
}

/* What each round wrote, read back (after every round: the crashes come
 * at every 4th used entry, a round has 3, so they hit each kind). */
static void read_back(uint32_t r)
{
	memset(back, 0, sizeof(back));
	CHECK_EQ(vblk_io_request(T_IN, DST_FIRST + r, back, SECTOR), S_OK);
	if (!is_pattern(back, r)) {
		printf("vblkreuse: round %u: sector %u reads back 0x%x\n", r,
		       DST_FIRST + r, back[0]);
	}
	CHECK(is_pattern(back, r));
}

void test_main(void)
{
	vblk_io_up(QUEUE_ENTRIES);
	for (uint32_t r = 0; r < ROUNDS && test_failures == 0; r++) {
		round_trip(r);
	}
	for (uint32_t r = 0; r < ROUNDS && test_failures == 0; r++) {
		read_back(r);
	}
	printf("vblkreuse: %u rounds, buffers reused at once, data intact\n",
	       ROUNDS);
}
