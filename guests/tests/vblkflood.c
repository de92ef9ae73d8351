/**
 * System test (issue 16): a virtio-blk ring refilled while the service
 * walks it (configs/vblk_flood, tests/system/test_vblk_flood.py). The
 * second vCPU keeps GET_ID requests available, without notifying; they
 * complete at once (nothing goes to the disk), so the ring never runs
 * dry while the first vCPU's kick is served. One kick must take at most
 * a queue's worth of requests (the queue size); the others go at later
 * kicks. A well-behaved VM (vblkgood.c) uses its disk on the same
 * service meanwhile.
 */
#include <stdint.h>
#include <string.h>

#include "guest/psci.h"
#include "guest/smccc.h"
#include "guest/test.h"
#include "ipc/virtio_drv.h"

/* The guest's virtual virtio-blk (configs/common/vblk_service.h). */
#define DEV_IPA 0x0a000000UL

#define QNUM 16U
/** Descriptors of one request: header, ID buffer, status byte. */
#define CHAIN_DESCS 3U
/** Requests the ring holds at once (heads 0, 3, ..., 12). */
#define SLOTS (QNUM / CHAIN_DESCS)
/** Requests the second vCPU makes available per flood. */
#define FLOOD 2000U
/** Floods: the good VM works meanwhile. */
#define FLOODS 32U
/** Kicks that may find nothing new before the flood counts as stuck. */
#define IDLE_KICKS 1000000U

/* virtio-blk (§5.2). */
#define T_GET_ID 8U
#define S_OK 0U
#define NO_STATUS 0xffU
#define ID_BYTES 20U
#define F_VERSION_1 (1ULL << 32)
#define DESC_NEXT 1U
#define DESC_WRITE 2U

/* PSCI 1.1 (DEN0022): CPU_ON (SMC64) and CPU_OFF. */
#define PSCI_CPU_ON 0xc4000003U
#define PSCI_CPU_OFF 0x84000002U
#define SECONDARY_MPIDR 1U
/** Steps the first flood's second vCPU waits before its CPU_OFF: far
 * longer than the first vCPU takes from its report to the next CPU_ON. */
#define SLOW_OFF_SPINS 2000000U
#define STACK_BYTES 4096U

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

static _Alignas(4096) volatile struct desc desc[QNUM];
static _Alignas(4) volatile uint16_t avail[2 + QNUM];
static _Alignas(4) volatile uint32_t used[1 + 2 * QNUM];
static _Alignas(16) volatile struct hdr hdr[SLOTS];
static _Alignas(16) volatile uint8_t id[SLOTS][ID_BYTES];
static _Alignas(16) volatile uint8_t status[SLOTS];
static _Alignas(16) uint8_t secondary_stack[STACK_BYTES];
static volatile uint16_t avail_idx;
static volatile uint32_t flood_offered, flood_bad, flood_done, flood_number;

void smp_secondary_entry(void);
void smp_secondary_main(void);

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

static uint16_t used_idx(void)
{
	return (uint16_t)(used[0] >> 16);
}

static bool needs_reset(void)
{
	return (rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) != 0;
}

static void set_desc(uint32_t i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	desc[i].addr = addr;
	desc[i].len = len;
	desc[i].flags = flags;
	desc[i].next = next;
}

/** Status 0, the whole §3.1.1 sequence, one queue of QNUM entries, and a
 * GET_ID request per slot in the descriptor table. */
static void up(void)
{
	const uint32_t base = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	wr(VIRTIO_MMIO_STATUS, 0);
	memset((void *)avail, 0, sizeof(avail));
	memset((void *)used, 0, sizeof(used));
	avail_idx = 0;
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, base);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(F_VERSION_1 >> 32));
	wr(VIRTIO_MMIO_STATUS, base | VIRTIO_STATUS_FEATURES_OK);
	CHECK(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, QNUM);
	wr64(VIRTIO_MMIO_QUEUE_DESC_LOW, (uintptr_t)desc);
	wr64(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uintptr_t)avail);
	wr64(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uintptr_t)used);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	wr(VIRTIO_MMIO_STATUS,
	   base | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	CHECK(!needs_reset());
	for (uint32_t s = 0; s < SLOTS; s++) {
		uint32_t h = s * CHAIN_DESCS;

		hdr[s] = (struct hdr){ .type = T_GET_ID };
		set_desc(h, (uintptr_t)&hdr[s], sizeof(hdr[s]), DESC_NEXT,
			 (uint16_t)(h + 1U));
		set_desc(h + 1U, (uintptr_t)id[s], ID_BYTES,
			 DESC_NEXT | DESC_WRITE, (uint16_t)(h + 2U));
		set_desc(h + 2U, (uintptr_t)&status[s], 1, DESC_WRITE, 0);
	}
}

/*
 * The second vCPU: keeps GET_ID requests available (at most SLOTS ahead
 * of the used index, so the ring stays well-formed), never notifying.
 * Requests are used in order (each completes at its pop), so the slot of
 * the request it offers next is done: its status must be S_OK.
 */
void smp_secondary_main(void)
{
	while (flood_offered < FLOOD) {
		if ((uint16_t)(avail_idx - used_idx()) >= SLOTS) {
			continue;
		}
		uint32_t s = avail_idx % SLOTS;

		if (flood_offered >= SLOTS && status[s] != S_OK) {
			flood_bad++;
		}
		status[s] = NO_STATUS;
		avail[2 + avail_idx % QNUM] = (uint16_t)(s * CHAIN_DESCS);
		__asm__ volatile("dmb sy" ::: "memory");
		avail_idx = (uint16_t)(avail_idx + 1U);
		avail[1] = avail_idx;
		flood_offered++;
	}
	flood_done = 1;
	/* The first flood's second vCPU is slow to go off, as a vCPU whose
	 * host thread the host deschedules here is: the next CPU_ON must
	 * wait for it (psci_wait_cpu_off), or it is refused. */
	if (flood_number == 1) {
		for (volatile uint32_t i = 0; i < SLOW_OFF_SPINS; i++) {
		}
	}
	(void)hvc_call(PSCI_CPU_OFF, 0, 0, 0);
}

/*
 * One flood: kick until every request the second vCPU made available is
 * used; each kick's share is the used index after it less the one before
 * (only this vCPU notifies, and nothing of this device goes to the disk).
 * Returns the largest share.
 */
static uint32_t flood(uint32_t n)
{
	uint32_t most = 0, kicks = 0, idle = 0;

	up();
	flood_offered = flood_bad = flood_done = 0;
	flood_number = n;
	psci_wait_cpu_off(SECONDARY_MPIDR);
	uint64_t on = hvc_call(PSCI_CPU_ON, SECONDARY_MPIDR,
			       (uint64_t)smp_secondary_entry,
			       (uint64_t)(secondary_stack + STACK_BYTES))
			      .a0;

	CHECK_EQ(on, 0);
	if (on != 0) {
		return 0;   /* No second vCPU: nothing would be offered. */
	}
	while (flood_offered == 0) {
	}
	while (!(flood_done && used_idx() == avail_idx) && idle < IDLE_KICKS) {
		uint16_t before = used_idx();

		wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
		uint32_t took = (uint16_t)(used_idx() - before);

		most = took > most ? took : most;
		idle = took == 0 ? idle + 1U : 0;
		kicks++;
	}
	printf("vblkflood: flood %u: %u requests, at most %u in one kick, "
	       "%u kicks, %u bad, %s\n",
	       n, flood_offered, most, kicks, flood_bad,
	       needs_reset() ? "DEVICE_NEEDS_RESET" : "device running");
	CHECK(flood_done);
	CHECK_EQ(used_idx(), avail_idx);
	CHECK_EQ(flood_bad, 0);
	CHECK(!needs_reset());
	return most;
}

void test_main(void)
{
	static const char want[] = "tinyhyp-test";
	uint32_t most = 0;

	printf("vblkflood: start\n");
	for (uint32_t f = 1; f <= FLOODS; f++) {
		uint32_t m = flood(f);

		most = m > most ? m : most;
	}
	CHECK_EQ(memcmp((const void *)id[0], want, sizeof(want) - 1U), 0);
	printf("vblkflood: done, %u floods, at most %u requests in one kick "
	       "(queue size %u)\n",
	       FLOODS, most, QNUM);
	/* A kick takes at most the queue's worth (§2.7.13.4: later ones go
	 * at their own kick). */
	CHECK(most <= QNUM);
}
