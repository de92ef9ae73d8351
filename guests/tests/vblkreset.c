/**
 * System test (issue 16): a client's reset with reads in flight on the
 * physical disk (configs/vblk_reset, tests/system/test_vblk.py). The disk
 * is slowed by QEMU's throttling, so the reads take seconds.
 *
 * First run (RTCLR reads 0: the emulated PL031 keeps its counter across
 * the reset and tells the runs apart, as the guest's RAM is pristine
 * again): queue READS reads of READ_BYTES each into BUF, notify, and reset
 * at once (PSCI SYSTEM_RESET). Second run: write a canary over BUF, wait
 * WAIT_MS of virtual time (longer than the reads would take), and check
 * the canary: the disk must not have written into this RAM after the
 * reset (the service drains or resets the disk before the client runs
 * again). Then one read shows the disk still works.
 */
#include <stdint.h>
#include <string.h>

#include "guest/delay.h"
#include "guest/smccc.h"
#include "guest/sysreg.h"
#include "guest/test.h"
#include "vblk_io.h"

/* The emulated PL031 (configs/common/pl031_service.h) and its load
 * register (Arm DDI 0224 table 3-1). */
#define RTC_BASE 0x09010000UL
#define RTCLR 0x008U
#define FIRST_RUN_DONE 1U

/** The read buffers: 2 MiB of the guest's granted RAM. */
#define BUF 0x40400000UL
#define READS 16U
#define READ_BYTES (128U * 1024U)
/** Reads of blocks apart: QEMU's virtio-blk would merge adjacent ones
 * into one request, which its throttling lets through at once. */
#define READ_STRIDE (2U * READ_BYTES)
#define QUEUE_ENTRIES 64U
#define CANARY 0xc5U
/** What the test's disk holds (tests/system/test_vblk.py). */
#define DISK_BYTE 0x44U
/** Longer than the reads take at the throttled rate. */
#define WAIT_MS 3000U

static struct blk_req req[READS];
static _Alignas(16) uint8_t check[SECTOR];

static volatile uint32_t *rtc(uint32_t off)
{
	return (volatile uint32_t *)(RTC_BASE + off);
}

static void first_run(void)
{
	*rtc(RTCLR) = FIRST_RUN_DONE;
	vblk_io_up(QUEUE_ENTRIES);
	for (uint32_t i = 0; i < READS; i++) {
		vblk_io_submit(&req[i], T_IN,
			       (uint64_t)i * READ_STRIDE / SECTOR,
			       (void *)(BUF + (uintptr_t)i * READ_BYTES),
			       READ_BYTES);
	}
	/* The service takes them all to the disk in this one access. */
	virtio_drv_kick(&vblk_drv, 0);
	printf("vblkreset: run 0: %u reads of %u KiB in flight, resetting\n",
	       READS, READ_BYTES / 1024U);
	console_flush();
	if (test_failures == 0) {
		hvc_call(PSCI_SYSTEM_RESET, 0, 0, 0);
	}
}

static void second_run(void)
{
	volatile uint8_t *buf = (volatile uint8_t *)BUF;
	uint64_t bad = 0, first_bad = 0, early = 0;

	for (uint64_t i = 0; i < (uint64_t)READS * READ_BYTES; i++) {
		early += buf[i] != 0 ? 1U : 0U;
	}
	/* Reloaded after the service stopped the disk: pristine. */
	if (early != 0) {
		printf("vblkreset: run 1: %llu bytes not zero at the start\n",
		       (unsigned long long)early);
	}
	CHECK_EQ(early, 0);
	for (uint64_t i = 0; i < (uint64_t)READS * READ_BYTES; i++) {
		buf[i] = CANARY;
	}
	guest_idle_ms(WAIT_MS); /* the services run meanwhile */
	for (uint64_t i = 0; i < (uint64_t)READS * READ_BYTES; i++) {
		if (buf[i] != CANARY) {
			first_bad = bad == 0 ? i : first_bad;
			bad++;
		}
	}
	if (bad != 0) {
		printf("vblkreset: run 1: %llu bytes written after the reset, "
		       "the first at +0x%llx\n",
		       (unsigned long long)bad, (unsigned long long)first_bad);
	} else {
		printf("vblkreset: run 1: no byte written after the reset\n");
	}
	CHECK_EQ(bad, 0);
	vblk_io_up(QUEUE_ENTRIES);
	memset(check, 0, sizeof(check));
	CHECK_EQ(vblk_io_request(T_IN, 0, check, SECTOR), S_OK);
	CHECK_EQ(check[0], DISK_BYTE);
	CHECK_EQ(check[SECTOR - 1], DISK_BYTE);
	printf("vblkreset: run 1: the disk still reads\n");
}

void test_main(void)
{
	if (*rtc(RTCLR) == FIRST_RUN_DONE) {
		second_run();
	} else {
		first_run();
	}
}
