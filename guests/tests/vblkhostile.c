/**
 * System test (issue 16): a hostile virtio-blk driver (configs/vblk_hostile,
 * tests/system/test_vblk_hostile.py). It drives its virtual virtio-blk (the
 * vblk service) with rings of its own making and breaks every rule of
 * OASIS virtio 1.2 it can, one attack after the other: each must end in
 * DEVICE_NEEDS_RESET (§2.1.2) or in an error in that request's status
 * byte (§5.2.6), never in a read or write outside its grant or range, a
 * hang or a crash of the service. After each attack it resets the device
 * (Status 0) and goes on. A well-behaved VM (vblkgood.c) uses its own
 * disk on the same service meanwhile.
 */
#include <stdint.h>
#include <string.h>

#include "guest/test.h"
#include "ipc/virtio_drv.h"

/* The guest's virtual virtio-blk (configs/common/vblk_service.h). */
#define DEV_IPA 0x0a000000UL
/** This VM's RAM (configs/common/test_guest.h), all granted. */
#define RAM_IPA 0x40000000ULL
#define RAM_BYTES 0x01000000ULL
/** Service IPAs: its RAM, and where it sees granted memory. */
#define SERVICE_RAM_IPA 0x20000000ULL
#define SERVICE_GRANT_IPA 0x100000000ULL
/** The physical disk's page (the service's passthrough window). */
#define PHYS_DISK_IPA 0x0a003e00ULL

#define QNUM 16U
#define QNUM_NOT_POW2 6U
#define QNUM_TOO_BIG 512U
/* More than the service's seg_max (32) plus header and status. */
#define INDIRECT_ENTRIES 40U
#define INDIRECT_LOOP 4U
#define POLLS 200000U
#define STORM 20000U
#define IN_FLIGHT 3U
#define PATTERN_SECTOR 7U
#define INFLIGHT_SECTOR 100U
/** Times the whole list of attacks is run (the good VM works meanwhile). */
#define PASSES 3U

/* virtio-blk (§5.2). */
#define T_IN 0U
#define T_OUT 1U
#define T_FLUSH 4U
#define T_GET_ID 8U
#define T_BOGUS 0x1234U
#define S_OK 0U
#define S_IOERR 1U
#define S_UNSUPP 2U
#define NO_STATUS 0xffU
#define SECTOR 512U
#define ID_BYTES 20U
#define F_FLUSH (1ULL << 9)
#define F_INDIRECT (1ULL << 28)
#define F_VERSION_1 (1ULL << 32)
#define DESC_NEXT 1U
#define DESC_WRITE 2U
#define DESC_INDIRECT 4U
#define INT_CONFIG 2U

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
static _Alignas(16) volatile struct desc indirect[INDIRECT_ENTRIES];
static _Alignas(4) volatile uint16_t avail[2 + QNUM];
static _Alignas(4) volatile uint32_t used[1 + 2 * QNUM];
static _Alignas(16) volatile struct hdr hdr[QNUM];
static _Alignas(16) volatile uint8_t status[QNUM];
static _Alignas(16) volatile uint8_t buf[QNUM][2 * SECTOR];
static uint16_t avail_idx, used_seen;
static uint64_t capacity;
static uint64_t offered;

enum outcome { OUT_NONE, OUT_USED, OUT_RESET };

static const char *const outcome_name[] = { "nothing (hang)", "used entry",
					    "DEVICE_NEEDS_RESET" };

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

/* The first used entry of a fresh ring: le32 id, le32 len (§2.7.8). */
static uint32_t used0_id(void)
{
	return used[1];
}

static uint32_t used0_len(void)
{
	return used[2];
}

static void rings_clear(void)
{
	memset((void *)desc, 0, sizeof(desc));
	memset((void *)avail, 0, sizeof(avail));
	memset((void *)used, 0, sizeof(used));
	avail_idx = 0;
	used_seen = 0;
}

/** Status 0, ACKNOWLEDGE, DRIVER, features: the start of §3.1.1. */
static void negotiate(uint64_t want)
{
	wr(VIRTIO_MMIO_STATUS, 0);
	rings_clear();
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	offered = rd(VIRTIO_MMIO_DEVICE_FEATURES);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	offered |= (uint64_t)rd(VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	want &= offered;
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)want);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(want >> 32));
}

static void features_ok(void)
{
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
				      VIRTIO_STATUS_FEATURES_OK);
}

static void queue_setup(uint32_t num)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr64(VIRTIO_MMIO_QUEUE_DESC_LOW, (uintptr_t)desc);
	wr64(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uintptr_t)avail);
	wr64(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uintptr_t)used);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

static void driver_ok(void)
{
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
				      VIRTIO_STATUS_FEATURES_OK |
				      VIRTIO_STATUS_DRIVER_OK);
}

/** The whole §3.1.1 sequence, right. */
static void up(void)
{
	negotiate(F_VERSION_1 | F_FLUSH | F_INDIRECT);
	features_ok();
	CHECK(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	queue_setup(QNUM);
	driver_ok();
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET, 0);
}

static bool needs_reset(void)
{
	return (rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) != 0;
}

/** Make head @p head available (no notify). */
static void offer(uint16_t head)
{
	avail[2 + avail_idx % QNUM] = head;
	__asm__ volatile("dmb sy" ::: "memory");
	avail[1] = ++avail_idx;
}

static void kick(void)
{
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

/*
 * One exit to the service: register reads do not exit (the window's
 * shadow page), so the waits below pace themselves with a write to the
 * read-only MagicValue, which the device ignores (§4.2.2).
 */
static void pace(void)
{
	wr(VIRTIO_MMIO_MAGIC_VALUE, 0);
}

/** Wait for a used entry or DEVICE_NEEDS_RESET, one exit per poll. */
static enum outcome wait(void)
{
	for (uint32_t i = 0; i < POLLS; i++) {
		pace();
		if (needs_reset()) {
			return OUT_RESET;
		}
		if (used_idx() != used_seen) {
			used_seen++;
			return OUT_USED;
		}
	}
	return OUT_NONE;
}

/** Descriptor @p i of the ring. */
static void set_desc(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	desc[i].addr = addr;
	desc[i].len = len;
	desc[i].flags = flags;
	desc[i].next = next;
}

/** A well-formed three-descriptor request at head @p h (h, h+1, h+2). */
static void request(uint16_t h, uint32_t type, uint64_t sector, uint32_t len)
{
	hdr[h] = (struct hdr){ .type = type, .sector = sector };
	status[h] = NO_STATUS;
	set_desc(h, (uintptr_t)&hdr[h], sizeof(hdr[h]), DESC_NEXT,
		 (uint16_t)(h + 1U));
	set_desc((uint16_t)(h + 1U), (uintptr_t)buf[h], len,
		 (uint16_t)(DESC_NEXT | (type == T_OUT ? 0 : DESC_WRITE)),
		 (uint16_t)(h + 2U));
	set_desc((uint16_t)(h + 2U), (uintptr_t)&status[h], 1, DESC_WRITE, 0);
}

static void report(const char *what, enum outcome o)
{
	printf("hostile: %s: %s\n", what, outcome_name[o]);
}

/** The attack must end in DEVICE_NEEDS_RESET, with its interrupt. */
static void expect_reset(const char *what)
{
	enum outcome o = wait();

	report(what, o);
	CHECK_EQ(o, OUT_RESET);
	CHECK(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & INT_CONFIG);
	up();
}

/** The request at head 0 must complete with status @p want. */
static void expect_status(const char *what, uint8_t want)
{
	enum outcome o = wait();

	printf("hostile: %s: %s, status %u\n", what, outcome_name[o],
	       status[0]);
	CHECK_EQ(o, OUT_USED);
	CHECK_EQ(status[0], want);
	up();
}

static void fill(volatile uint8_t *p, uint8_t seed, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++) {
		p[i] = (uint8_t)(seed + i * 5U);
	}
}

static bool same(const volatile uint8_t *p, uint8_t seed, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++) {
		if (p[i] != (uint8_t)(seed + i * 5U)) {
			return false;
		}
	}
	return true;
}

/* --- Rings ------------------------------------------------------------- */

static void attack_rings(void)
{
	request(0, T_IN, 0, SECTOR);
	avail[2] = 0;
	avail_idx = QNUM + 3U;
	avail[1] = avail_idx;
	kick();
	expect_reset("avail idx past the queue size");

	request(0, T_IN, 0, SECTOR);
	offer(QNUM + 1U);
	kick();
	expect_reset("head index >= queue size");

	request(0, T_IN, 0, SECTOR);
	desc[1].next = QNUM;
	offer(0);
	kick();
	expect_reset("next index >= queue size");

	request(0, T_IN, 0, SECTOR);
	desc[2].flags = DESC_WRITE | DESC_NEXT;
	desc[2].next = 0;
	offer(0);
	kick();
	expect_reset("descriptor loop");

	/* An indirect table whose entries loop (1 <-> 2): more links than
	 * entries. */
	hdr[0] = (struct hdr){ .type = T_IN };
	indirect[0] = (struct desc){ .addr = (uintptr_t)&hdr[0],
				     .len = sizeof(hdr[0]),
				     .flags = DESC_NEXT,
				     .next = 1 };
	for (uint16_t i = 1; i < INDIRECT_LOOP; i++) {
		indirect[i] = (struct desc){ .addr = (uintptr_t)buf[0],
					     .len = SECTOR,
					     .flags = DESC_NEXT | DESC_WRITE,
					     .next = (uint16_t)(i % 2U + 1U) };
	}
	set_desc(0, (uintptr_t)indirect, INDIRECT_LOOP * sizeof(indirect[0]),
		 DESC_INDIRECT, 0);
	offer(0);
	kick();
	expect_reset("indirect chain longer than its table (loop)");

	/* An indirect chain longer than seg_max: consumed, nothing written
	 * (the service never walks to its status byte). */
	for (uint16_t i = 1; i < INDIRECT_ENTRIES; i++) {
		indirect[i] = (struct desc){ .addr = (uintptr_t)buf[0],
					     .len = SECTOR,
					     .flags = DESC_NEXT | DESC_WRITE,
					     .next = (uint16_t)(i + 1U) };
	}
	indirect[INDIRECT_ENTRIES - 1] = (struct desc){
		.addr = (uintptr_t)&status[0], .len = 1, .flags = DESC_WRITE
	};
	set_desc(0, (uintptr_t)indirect, sizeof(indirect), DESC_INDIRECT, 0);
	status[0] = NO_STATUS;
	offer(0);
	kick();
	enum outcome o = wait();

	printf("hostile: chain longer than seg_max: %s, len %u, status 0x%x\n",
	       outcome_name[o], used0_len(), status[0]);
	CHECK_EQ(o, OUT_USED);
	CHECK_EQ(used0_len(), 0);
	CHECK_EQ(status[0], NO_STATUS);
	up();

	/* The same head made available twice while it is in flight. */
	request(0, T_IN, 0, SECTOR);
	offer(0);
	offer(0);
	kick();
	expect_reset("head made available twice while in flight");
}

/* --- Buffers ------------------------------------------------------------ */

static void bad_buffer(const char *what, uint64_t addr, uint32_t len)
{
	request(0, T_IN, 0, SECTOR);
	desc[1].addr = addr;
	desc[1].len = len;
	offer(0);
	kick();
	expect_reset(what);
}

static void attack_buffers(void)
{
	bad_buffer("buffer in the service's RAM", SERVICE_RAM_IPA, SECTOR);
	bad_buffer("buffer where the service sees grants", SERVICE_GRANT_IPA,
		   SECTOR);
	bad_buffer("buffer on the physical disk's registers", PHYS_DISK_IPA,
		   SECTOR);
	bad_buffer("buffer across the end of its RAM",
		   RAM_IPA + RAM_BYTES - SECTOR / 2U, SECTOR);
	bad_buffer("buffer below its RAM", RAM_IPA - SECTOR, SECTOR);
	bad_buffer("huge length", (uintptr_t)buf[0], UINT32_MAX);
	bad_buffer("wrapping address", UINT64_MAX - SECTOR / 2U + 1U, SECTOR);

	/* The rings themselves outside the grant. */
	negotiate(F_VERSION_1);
	features_ok();
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, QNUM);
	wr64(VIRTIO_MMIO_QUEUE_DESC_LOW, SERVICE_RAM_IPA);
	wr64(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uintptr_t)avail);
	wr64(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uintptr_t)used);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	expect_reset("descriptor table in the service's RAM");
}

/* --- Requests ------------------------------------------------------------ */

static void status_of(const char *what, uint32_t type, uint64_t sector,
		      uint32_t len, uint8_t want)
{
	request(0, type, sector, len);
	offer(0);
	kick();
	expect_status(what, want);
}

static void attack_requests(void)
{
	request(0, T_IN, 0, SECTOR);
	desc[0].flags |= DESC_WRITE;
	desc[1].flags |= DESC_WRITE;
	offer(0);
	kick();
	expect_status("header in a device-writable descriptor", S_IOERR);

	request(0, T_OUT, 0, SECTOR);
	desc[2].flags = 0;
	offer(0);
	kick();
	enum outcome o = wait();

	printf("hostile: read-only status byte: %s, len %u, status 0x%x\n",
	       outcome_name[o], used0_len(), status[0]);
	CHECK_EQ(o, OUT_USED);
	CHECK_EQ(used0_len(), 0);
	CHECK_EQ(status[0], NO_STATUS);
	up();

	status_of("read at its capacity", T_IN, capacity, SECTOR, S_IOERR);
	status_of("write at its capacity", T_OUT, capacity, SECTOR, S_IOERR);
	status_of("write across its end", T_OUT, capacity - 1U, 2 * SECTOR,
		  S_IOERR);
	status_of("read at sector 2^64-1", T_IN, UINT64_MAX, SECTOR, S_IOERR);
	status_of("write at sector 2^55 (x512 wraps)", T_OUT, 1ULL << 55,
		  SECTOR, S_IOERR);
	status_of("write of half a sector", T_OUT, 0, SECTOR / 2U, S_IOERR);
	status_of("flush", T_FLUSH, 0, 0, S_OK);
	status_of("GET_ID", T_GET_ID, 0, ID_BYTES, S_OK);
	buf[0][ID_BYTES] = '\0';
	printf("hostile: id '%s'\n", (const char *)buf[0]);
	status_of("unsupported type", T_BOGUS, 0, SECTOR, S_UNSUPP);

	request(0, T_OUT, 0, SECTOR);
	desc[1].flags |= DESC_WRITE;
	offer(0);
	kick();
	expect_status("write whose data is device-writable", S_IOERR);
}

/* --- In flight ------------------------------------------------------------ */

static void attack_in_flight(void)
{
	/* A pattern on its sector, then read it while rewriting the chain. */
	fill(buf[0], 0x3c, SECTOR);
	status_of("write the pattern sector", T_OUT, PATTERN_SECTOR, SECTOR,
		  S_OK);
	memset((void *)buf[0], 0, SECTOR);
	request(0, T_IN, PATTERN_SECTOR, SECTOR);
	offer(0);
	kick();
	desc[1].addr = SERVICE_RAM_IPA;
	desc[1].len = UINT32_MAX;
	desc[0].next = QNUM + 1U;
	hdr[0].sector = capacity + 1U;
	hdr[0].type = T_OUT;
	enum outcome o = wait();

	printf("hostile: descriptors rewritten in flight: %s, status %u, %s\n",
	       outcome_name[o], status[0],
	       same(buf[0], 0x3c, SECTOR) ? "data as before" : "other data");
	CHECK_EQ(o, OUT_USED);
	CHECK_EQ(status[0], S_OK);
	CHECK(same(buf[0], 0x3c, SECTOR));
	up();

	/* Requests in flight when the device is reset: dropped. */
	for (uint16_t i = 0; i < IN_FLIGHT; i++) {
		uint16_t h = (uint16_t)(i * 3U);

		fill(buf[h], (uint8_t)i, 2 * SECTOR);
		request(h, T_OUT, INFLIGHT_SECTOR + 2U * i, 2 * SECTOR);
		offer(h);
	}
	kick();
	wr(VIRTIO_MMIO_STATUS, 0);
	up();
	memset((void *)buf[0], 0, SECTOR);
	request(0, T_IN, PATTERN_SECTOR, SECTOR);
	offer(0);
	kick();
	o = wait();
	/* Whatever the disk still does of the old requests, no used entry
	 * of theirs reaches the new ring. */
	for (uint32_t i = 0; i < POLLS / 10U; i++) {
		pace();
	}
	printf("hostile: reset with writes in flight, then a read: %s, "
	       "status %u, used idx %u\n",
	       outcome_name[o], status[0], used_idx());
	CHECK_EQ(o, OUT_USED);
	CHECK_EQ(status[0], S_OK);
	CHECK_EQ(used_idx(), 1);
	CHECK_EQ(used0_id(), 0);
	CHECK(same(buf[0], 0x3c, SECTOR));
	up();

	/* A notify storm: nothing available, queues that do not exist. */
	for (uint32_t i = 0; i < STORM; i++) {
		wr(VIRTIO_MMIO_QUEUE_NOTIFY, i % 3U == 0 ? 0 : i);
	}
	memset((void *)buf[0], 0, SECTOR);
	status_of("read after a notify storm", T_IN, PATTERN_SECTOR, SECTOR,
		  S_OK);
	CHECK(same(buf[0], 0x3c, SECTOR));
}

/* --- Initialisation order -------------------------------------------------- */

static void attack_init(void)
{
	negotiate(F_VERSION_1);
	features_ok();
	queue_setup(QNUM_NOT_POW2);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	expect_reset("queue size not a power of 2");

	negotiate(F_VERSION_1);
	features_ok();
	queue_setup(QNUM_TOO_BIG);
	expect_reset("queue size above QueueNumMax");

	negotiate(F_VERSION_1);
	queue_setup(QNUM);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	expect_reset("queue ready before FEATURES_OK");

	negotiate(F_VERSION_1);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
				      VIRTIO_STATUS_DRIVER_OK);
	expect_reset("DRIVER_OK without FEATURES_OK");

	/* Features the device did not offer: FEATURES_OK refused. */
	negotiate(F_VERSION_1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, UINT32_MAX);
	features_ok();
	bool refused = (rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK) == 0;

	printf("hostile: features not offered: FEATURES_OK %s\n",
	       refused ? "refused" : "accepted");
	CHECK(refused);
	up();
}

void test_main(void)
{
	up();
	capacity = (uint64_t)rd(VIRTIO_MMIO_CONFIG) |
		   (uint64_t)rd(VIRTIO_MMIO_CONFIG + 4U) << 32;
	printf("hostile: start, capacity %llu sectors\n",
	       (unsigned long long)capacity);
	CHECK(capacity > INFLIGHT_SECTOR + 2U * IN_FLIGHT);
	for (uint32_t pass = 1; pass <= PASSES; pass++) {
		attack_rings();
		attack_buffers();
		attack_requests();
		attack_in_flight();
		attack_init();
		printf("hostile: pass %u done\n", pass);
	}
	printf("hostile: done\n");
}
