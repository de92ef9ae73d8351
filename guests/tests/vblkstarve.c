/**
 * System test (issue 16): one client of the vblk service must not keep
 * another's requests waiting by kicking (configs/vblk_flood, scenario
 * test-vblk-starve, tests/system/test_vblk_flood.py). Both VMs run this
 * image and drive their virtual disk with VIRTIO_F_EVENT_IDX (OASIS virtio
 * 1.2 §2.7.10) and indirect descriptors, one descriptor per request, so a
 * whole queue of requests (the service's budget per kick, drain()) fits
 * in the ring. GET_ID tells each VM its name:
 *
 *  - "test2", the kicker: makes a whole queue available and notifies, in
 *    a loop, for KICK_MS. Each kick leaves the service at its budget, so
 *    it asks for its timer (the rest of a queue goes there, 1 ms later);
 *  - "test", the victim: RUNS times, a whole queue with one notification,
 *    then one more request, which avail_event does not ask to notify (as
 *    Linux's virtqueue_kick_prepare decides): only the service's timer
 *    takes it, and it must within WAIT_MS, while the kicker still kicks.
 *
 * What it caught (tests/system/test_vblk_starve.py): every kick set the
 * service's one timer a millisecond later again (ipc_timer_by() now keeps
 * the earliest); a timer set from the kicker's CPU could go unarmed on the
 * victim's, the CPU that watches service timers (the idle loop dropped the
 * kick); on one CPU the kicker's slices, ending inside its service calls,
 * were renewed there and the victim did not run until the kicking ended.
 * Waits are bounded by the counter (virtual time under -icount).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "guest/delay.h"
#include "guest/sysreg.h"
#include "guest/test.h"
#include "ipc/virtio_regs.h"

/* The guest's virtual virtio-blk (configs/common/vblk_service.h). */
#define DEV_IPA 0x0a000000UL
#define QUEUE 0U
#define QNUM 16U
/** The kicker's time of kicking, and how long the victim waits before
 * its first run, so that the kicker is at it by then. */
#define KICK_MS 3000U
#define START_MS 50U
/** Runs of the victim, and the longest its request may wait: far beyond
 * the service's 1 ms, far below KICK_MS. */
#define RUNS 20U
#define WAIT_MS 200U
/** A wait for requests the device takes at a notification. */
#define NOTIFIED_MS 1000U

/* virtio-blk (§5.2): GET_ID answers 20 bytes, "tinyhyp-" and the VM's
 * name (services/vblk). */
#define T_GET_ID 8U
#define S_OK 0U
#define NO_STATUS 0xffU
#define ID_BYTES 20U
#define KICKER_ID "tinyhyp-test2"
/** An indirect table: header, ID buffer, status byte. */
#define CHAIN_DESCS 3U

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* Split rings (§2.7): avail = flags, idx, ring[QNUM], used_event; used =
 * flags, idx, {id, len}[QNUM], avail_event (in 16-bit words). */
static _Alignas(4096) volatile struct desc desc[QNUM];
static _Alignas(16) volatile struct desc table[QNUM][CHAIN_DESCS];
static _Alignas(4) volatile uint16_t avail[3 + QNUM];
static _Alignas(4) volatile uint16_t used[3 + 4 * QNUM];
static _Alignas(16) volatile struct hdr hdr[QNUM];
static _Alignas(16) volatile uint8_t id[QNUM][ID_BYTES];
static _Alignas(16) volatile uint8_t status[QNUM];

#define AVAIL_IDX 1U
#define AVAIL_RING 2U
#define USED_IDX 1U
#define USED_EVENT (AVAIL_RING + QNUM)
#define AVAIL_EVENT (2U + 4U * QNUM)

static uint16_t avail_idx; /**< The driver's avail->idx. */
static uint16_t kicked_at; /**< avail->idx at its last notify decision. */

static uint32_t rd(uint32_t off)
{
	return *(volatile uint32_t *)(DEV_IPA + off);
}

static void wr(uint32_t off, uint32_t v)
{
	__asm__ volatile("dsb sy" ::: "memory");
	*(volatile uint32_t *)(DEV_IPA + off) = v;
}

static void wr64(uint32_t off, uint64_t v)
{
	wr(off, (uint32_t)v);
	wr(off + 4U, (uint32_t)(v >> 32));
}

/** vring_need_event (§2.7.10): @p event in [old, new_idx) modulo 2^16. */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1U) < (uint16_t)(new_idx - old);
}

/** §3.1.1 with VERSION_1, INDIRECT_DESC and EVENT_IDX; each ring slot's
 * descriptor names its own indirect GET_ID request. */
static bool up(void)
{
	const uint64_t want = VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT_DESC |
			      VIRTIO_F_EVENT_IDX;
	const uint32_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, st);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)want);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(want >> 32));
	wr(VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_FEATURES_OK);
	if ((rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK) == 0) {
		return false;
	}
	wr(VIRTIO_MMIO_QUEUE_SEL, QUEUE);
	wr(VIRTIO_MMIO_QUEUE_NUM, QNUM);
	wr64(VIRTIO_MMIO_QUEUE_DESC_LOW, (uintptr_t)desc);
	wr64(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uintptr_t)avail);
	wr64(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uintptr_t)used);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	wr(VIRTIO_MMIO_STATUS,
	   st | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	for (uint32_t i = 0; i < QNUM; i++) {
		hdr[i] = (struct hdr){ .type = T_GET_ID };
		table[i][0] = (struct desc){ .addr = (uintptr_t)&hdr[i],
					     .len = sizeof(hdr[i]),
					     .flags = VIRTQ_DESC_F_NEXT,
					     .next = 1 };
		table[i][1] = (struct desc){ .addr = (uintptr_t)id[i],
					     .len = ID_BYTES,
					     .flags = VIRTQ_DESC_F_NEXT |
						      VIRTQ_DESC_F_WRITE,
					     .next = 2 };
		table[i][2] = (struct desc){ .addr = (uintptr_t)&status[i],
					     .len = 1,
					     .flags = VIRTQ_DESC_F_WRITE };
		desc[i] = (struct desc){ .addr = (uintptr_t)table[i],
					 .len = sizeof(table[i]),
					 .flags = VIRTQ_DESC_F_INDIRECT };
	}
	/* No interrupt wanted: every wait reads the used index. */
	avail[USED_EVENT] = 0x8000;
	return (rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) == 0;
}

/** Make the next request available (its slot's status reset). */
static void add_one(void)
{
	uint16_t slot = avail_idx % QNUM;

	status[slot] = NO_STATUS;
	avail[AVAIL_RING + slot] = slot;
	__asm__ volatile("dmb ish" ::: "memory");
	avail_idx = (uint16_t)(avail_idx + 1U);
	avail[AVAIL_IDX] = avail_idx;
}

/** Notify if avail_event asks for a request made available since the last
 * decision (§2.7.13.4; the index is visible before avail_event is read). */
static bool kick_if_asked(void)
{
	__asm__ volatile("dmb ish" ::: "memory");
	uint16_t old = kicked_at;

	kicked_at = avail_idx;
	if (!need_event(used[AVAIL_EVENT], avail_idx, old)) {
		return false;
	}
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, QUEUE);
	return true;
}

/** Wait until every request made available is used, at most @p ms;
 * returns the counter ticks waited, or UINT64_MAX past @p ms. */
static uint64_t wait_used(uint64_t ms)
{
	uint64_t start = guest_now();
	uint64_t end = guest_ms_ahead(ms);

	while (used[USED_IDX] != avail_idx) {
		if (guest_now() > end) {
			return UINT64_MAX;
		}
	}
	return guest_now() - start;
}

#define US_PER_S 1000000U

static uint32_t ticks_to_us(uint64_t ticks)
{
	return (uint32_t)(ticks * US_PER_S / read_sysreg(cntfrq_el0));
}

static void kicker(void)
{
	uint64_t end = guest_ms_ahead(KICK_MS);
	uint32_t kicks = 0;

	while (guest_now() < end) {
		for (uint32_t i = 0; i < QNUM; i++) {
			add_one();
		}
		/* A driver may always notify (§2.7.13.4). */
		kicked_at = avail_idx;
		wr(VIRTIO_MMIO_QUEUE_NOTIFY, QUEUE);
		kicks++;
		CHECK(wait_used(NOTIFIED_MS) != UINT64_MAX);
	}
	printf("vblkstarve: kicker: %u kicks of a whole queue in %u ms\n",
	       kicks, KICK_MS);
}

static void victim(void)
{
	uint64_t longest = 0;
	uint32_t unasked = 0;

	guest_spin_until(guest_ms_ahead(START_MS));
	for (uint32_t run = 0; run < RUNS; run++) {
		for (uint32_t i = 0; i < QNUM; i++) {
			add_one();
		}
		/* Not asked only if the device took them meanwhile (its timer,
		 * on the other CPU). */
		(void)kick_if_asked();
		CHECK(wait_used(NOTIFIED_MS) != UINT64_MAX);
		add_one();
		unasked += !kick_if_asked();
		uint64_t waited = wait_used(WAIT_MS);

		CHECK(waited != UINT64_MAX);
		if (waited == UINT64_MAX) {
			printf("vblkstarve: victim: run %u: a request waited "
			       "over %u ms\n",
			       run, WAIT_MS);
			return;
		}
		longest = waited > longest ? waited : longest;
	}
	printf("vblkstarve: victim: %u runs, %u requests not notified, "
	       "the longest waited %u us\n",
	       RUNS, unasked, ticks_to_us(longest));
	/* Most runs leave their request to the timer (the device may ask
	 * for a notification if its timer took the queue just before). */
	CHECK(unasked >= RUNS / 2U);
}

void test_main(void)
{
	printf("vblkstarve: start\n");
	if (!up()) {
		CHECK(false);
		return;
	}
	add_one();
	CHECK(kick_if_asked());
	CHECK(wait_used(NOTIFIED_MS) != UINT64_MAX);
	CHECK_EQ(status[0], S_OK);
	if (memcmp((const void *)id[0], KICKER_ID, sizeof(KICKER_ID)) == 0) {
		kicker();
	} else {
		victim();
	}
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET, 0);
	printf("vblkstarve: done\n");
}
