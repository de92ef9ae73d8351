/**
 * System test (issue 16): a hostile virtio-net driver (configs/vnet_hostile,
 * tests/system/test_vnet_hostile.py). It drives its virtual virtio-net (the
 * vnet service) with rings of its own making and breaks every rule of
 * OASIS virtio 1.2 it can on both queues: each attack must end in
 * DEVICE_NEEDS_RESET (§2.1.2) or in the frame dropped (its buffer given
 * back, the drop counted by the service), never in an access outside its
 * grant, a hang or a crash of the service. After each attack it resets
 * the device (Status 0) and checks, with an ARP request to the user
 * network's gateway, that its frames flow again. A well-behaved VM
 * (vnetgood.c) exchanges frames with the gateway meanwhile.
 */
#include <stdint.h>
#include <string.h>

#include "guest/psci.h"
#include "guest/smccc.h"
#include "guest/test.h"
#include "ipc/virtio_drv.h"

/* The guest's virtual virtio-net (configs/common/vnet_service.h). */
#define DEV_IPA 0x0a001000UL
/** This VM's RAM (configs/common/test_guest.h), all granted. */
#define RAM_IPA 0x40000000ULL
#define RAM_BYTES 0x01000000ULL
/** Service IPAs: its RAM, and where it sees granted memory. */
#define SERVICE_RAM_IPA 0x20000000ULL
#define SERVICE_GRANT_IPA 0x100000000ULL
/** The uplink's page (the service's passthrough window). */
#define PHYS_NET_IPA 0x0a002e00ULL

/* virtio-net (§5.1): receiveq1, transmitq1, the header with VERSION_1. */
#define RXQ 0U
#define TXQ 1U
#define NO_SUCH_QUEUE 2U
#define F_MAC (1ULL << 5)
#define F_VERSION_1 (1ULL << 32)
#define HDR_BYTES 12U
#define HDR_FLAGS_NEEDS_CSUM 1U
#define HDR_GSO_TCPV4 1U
#define HDR_NUM_BUFFERS 10U
#define MAC_BYTES 6U
/** The largest frame the service takes: 1500 + 14 + a VLAN tag. */
#define FRAME_MAX 1518U
#define DESC_NEXT 1U
#define DESC_WRITE 2U
#define INT_CONFIG 2U

/** A queue of more entries than the service's 32 segments per chain. */
#define QNUM 64U
#define SEG_MAX 32U
/** A queue shorter than that: a loop is walked to its end. */
#define QNUM_SHORT 16U
#define BUF_BYTES 2048U
#define RX_BUFS 32U
#define SMALL_RX 64U
#define POLLS 200000U
/*
 * Frames from the user network's gateway come when QEMU's main loop
 * runs, which the guest's steps do not measure: a request unanswered
 * after REPLY_POLLS steps is sent again (Ethernet may lose a frame; the
 * service only ever loses one counted), with no bound, since a count of
 * steps is no clock: only the harness's timeout ends a wait for a reply
 * that never comes, and every RETRIES requests the console says so.
 */
#define REPLY_POLLS 20000U
#define RETRIES 50U
#define STORM 5000U
#define PACES 100U
#define PASSES 3U
/* PSCI 1.1 (DEN0022): CPU_ON (SMC64) and CPU_OFF. */
#define PSCI_CPU_ON 0xc4000003U
#define PSCI_CPU_OFF 0x84000002U
#define SECONDARY_MPIDR 1U
#define STACK_BYTES 4096U
/** Transmit chains the second vCPU offers during the flood. */
#define FLOOD 20000U
/** Floods per pass: how far the service lags behind the feeder varies. */
#define FLOODS 4U

/* Ethernet and ARP (RFC 826) for IPv4 over Ethernet. */
#define ETH_HDR 14U
#define ETHERTYPE_ARP 0x0806U
#define ARP_REQUEST 1U
#define ARP_REPLY 2U
#define ARP_BYTES 28U
#define ETH_MIN_FRAME 60U
#define MY_IP 0x0a000210U      /* 10.0.2.16 */
#define GATEWAY_IP 0x0a000202U /* 10.0.2.2 */

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct queue {
	volatile struct desc *desc;
	volatile uint16_t *avail;
	volatile uint32_t *used;
	uint16_t avail_idx, used_seen;
	uint16_t num; /**< QueueNum as set up. */
};

static _Alignas(4096) volatile struct desc rx_desc[QNUM], tx_desc[QNUM];
static _Alignas(4) volatile uint16_t rx_avail[3 + QNUM], tx_avail[3 + QNUM];
static _Alignas(4) volatile uint32_t rx_used[2 + 2 * QNUM],
	tx_used[2 + 2 * QNUM];
static _Alignas(16) volatile uint8_t rx_buf[RX_BUFS][BUF_BYTES];
static _Alignas(16) volatile uint8_t tx_buf[QNUM][BUF_BYTES];
static struct queue q[2] = {
	{ rx_desc, rx_avail, rx_used, 0, 0, QNUM },
	{ tx_desc, tx_avail, tx_used, 0, 0, QNUM },
};
static uint8_t my_mac[MAC_BYTES];
static _Alignas(16) uint8_t secondary_stack[STACK_BYTES];
static volatile uint32_t flood_offered, flood_stop, flood_done;

void smp_secondary_entry(void);
void smp_secondary_main(void);

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

static uint16_t used_idx(const struct queue *qu)
{
	return (uint16_t)(qu->used[0] >> 16);
}

/* Used entry @p n: le32 id, le32 len (§2.7.8). */
static uint32_t used_len(const struct queue *qu, uint16_t n)
{
	return qu->used[2 + 2U * (n % qu->num)];
}

static void rings_clear(void)
{
	for (uint32_t i = 0; i < 2; i++) {
		memset((void *)q[i].desc, 0, QNUM * sizeof(struct desc));
		memset((void *)q[i].avail, 0, (3 + QNUM) * sizeof(uint16_t));
		memset((void *)q[i].used, 0, (2 + 2 * QNUM) * sizeof(uint32_t));
		q[i].avail_idx = 0;
		q[i].used_seen = 0;
	}
}

/** Status 0, ACKNOWLEDGE, DRIVER, features: the start of §3.1.1. */
static void negotiate(uint64_t want)
{
	wr(VIRTIO_MMIO_STATUS, 0);
	rings_clear();
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)want);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(want >> 32));
}

static void features_ok(void)
{
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE |
				       VIRTIO_STATUS_DRIVER |
				       VIRTIO_STATUS_FEATURES_OK);
}

static void queue_setup(uint32_t qi, uint32_t num)
{
	q[qi].num = (uint16_t)num;
	wr(VIRTIO_MMIO_QUEUE_SEL, qi);
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr64(VIRTIO_MMIO_QUEUE_DESC_LOW, (uintptr_t)q[qi].desc);
	wr64(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uintptr_t)q[qi].avail);
	wr64(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uintptr_t)q[qi].used);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

static void driver_ok(void)
{
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		   VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

static bool needs_reset(void)
{
	return (rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) != 0;
}

static void set_desc(volatile struct desc *d, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

/** Make head @p head of queue @p qi available (no notify). */
static void offer(uint32_t qi, uint16_t head)
{
	struct queue *qu = &q[qi];

	qu->avail[2 + qu->avail_idx % qu->num] = head;
	__asm__ volatile("dmb sy" ::: "memory");
	qu->avail[1] = ++qu->avail_idx;
}

static void kick(uint32_t qi)
{
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, qi);
}

/** Receive buffers 0..RX_BUFS-1 at descriptors of the same index. */
static void post_rx(void)
{
	for (uint16_t b = 0; b < RX_BUFS; b++) {
		set_desc(&rx_desc[b], (uintptr_t)rx_buf[b], BUF_BYTES,
			 DESC_WRITE, 0);
		offer(RXQ, b);
	}
	kick(RXQ);
}

/** The whole §3.1.1 sequence, right, no receive buffers yet. */
static void up_bare(void)
{
	negotiate(F_VERSION_1 | F_MAC);
	features_ok();
	CHECK(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	queue_setup(RXQ, QNUM);
	queue_setup(TXQ, QNUM);
	driver_ok();
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET, 0);
}

/** Up, and receive buffers posted. */
static void up(void)
{
	up_bare();
	post_rx();
}

/*
 * One exit to the service: register reads do not exit (the window's
 * shadow page), so the waits pace themselves with a write to the
 * read-only MagicValue, which the device ignores (§4.2.2).
 */
static void pace(void)
{
	wr(VIRTIO_MMIO_MAGIC_VALUE, 0);
}

/** Wait for a used entry of queue @p qi or DEVICE_NEEDS_RESET. */
static enum outcome wait(uint32_t qi)
{
	for (uint32_t i = 0; i < POLLS; i++) {
		pace();
		if (needs_reset()) {
			return OUT_RESET;
		}
		if (used_idx(&q[qi]) != q[qi].used_seen) {
			q[qi].used_seen++;
			return OUT_USED;
		}
	}
	return OUT_NONE;
}

static void put16(volatile uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(volatile uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/** "Who has GATEWAY_IP" from our MAC, header zero, in tx_buf[@p b]. */
static void arp_request(uint16_t b)
{
	volatile uint8_t *eth = tx_buf[b] + HDR_BYTES;
	volatile uint8_t *arp = eth + ETH_HDR;

	memset((void *)tx_buf[b], 0, HDR_BYTES + ETH_MIN_FRAME);
	memset((void *)eth, 0xff, MAC_BYTES);
	for (uint32_t i = 0; i < MAC_BYTES; i++) {
		eth[MAC_BYTES + i] = my_mac[i];
		arp[8 + i] = my_mac[i];
	}
	put16(eth + 2 * MAC_BYTES, ETHERTYPE_ARP);
	put16(arp, 1);
	put16(arp + 2, 0x0800U);
	arp[4] = MAC_BYTES;
	arp[5] = 4;
	put16(arp + 6, ARP_REQUEST);
	put32(arp + 14, MY_IP);
	put32(arp + 24, GATEWAY_IP);
}

/** Transmit tx_buf[0] as one descriptor of @p len bytes. */
static void send(uint32_t len)
{
	set_desc(&tx_desc[0], (uintptr_t)tx_buf[0], len, 0, 0);
	offer(TXQ, 0);
	kick(TXQ);
}

/** The transmit chain must be given back (the frame taken or dropped). */
static void expect_tx_used(const char *what)
{
	enum outcome o = wait(TXQ);

	printf("vnethostile: %s: %s\n", what, outcome_name[o]);
	CHECK_EQ(o, OUT_USED);
}

/** The attack must end in DEVICE_NEEDS_RESET, with its interrupt. */
static void expect_reset(const char *what)
{
	enum outcome o = wait(TXQ);

	printf("vnethostile: %s: %s\n", what, outcome_name[o]);
	CHECK_EQ(o, OUT_RESET);
	CHECK(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & INT_CONFIG);
	up();
}

/** Request @p t of a wait for the gateway: every RETRIES, say so. */
static void note_retry(uint32_t t, const char *what)
{
	if (t != 0U && t % RETRIES == 0U) {
		printf("vnethostile: %s: no reply after %u requests\n", what,
		       t);
	}
}

/** An ARP request goes out and the gateway's reply comes in. */
static bool reply_in(void)
{
	for (uint32_t i = 0; i < REPLY_POLLS; i++) {
		pace();
		while (used_idx(&q[RXQ]) != q[RXQ].used_seen) {
			uint16_t n = q[RXQ].used_seen++;
			uint16_t b =
				(uint16_t)q[RXQ].used[1 + 2U * (n % q[RXQ].num)];
			volatile uint8_t *arp = rx_buf[b] + HDR_BYTES + ETH_HDR;
			bool reply = used_len(&q[RXQ], n) >=
					     HDR_BYTES + ETH_HDR + ARP_BYTES &&
				     arp[6] == 0 && arp[7] == ARP_REPLY;

			offer(RXQ, b);
			kick(RXQ);
			if (reply) {
				return true;
			}
		}
	}
	return false;
}

/** Send an ARP request (again) until its reply comes. */
static bool frames_flow(void)
{
	for (uint32_t t = 0;; t++) {
		note_retry(t, "frames flow");
		arp_request(0);
		send(HDR_BYTES + ETH_MIN_FRAME);
		if (wait(TXQ) != OUT_USED) {
			return false;
		}
		if (reply_in()) {
			return true;
		}
	}
}

static void check_flow(const char *after)
{
	bool ok = frames_flow();

	if (!ok) {
		printf("vnethostile: no frames after %s\n", after);
	}
	CHECK(ok);
}

/** The device up again with a transmit queue of QNUM_SHORT entries. */
static void short_queue(void)
{
	negotiate(F_VERSION_1 | F_MAC);
	features_ok();
	queue_setup(RXQ, QNUM);
	queue_setup(TXQ, QNUM_SHORT);
	driver_ok();
}

/* --- Transmit rings ------------------------------------------------------- */

static void attack_tx_rings(void)
{
	arp_request(0);
	set_desc(&tx_desc[0], (uintptr_t)tx_buf[0], HDR_BYTES + ETH_MIN_FRAME,
		 0, 0);
	tx_avail[2] = 0;
	q[TXQ].avail_idx = QNUM + 3U;
	tx_avail[1] = q[TXQ].avail_idx;
	kick(TXQ);
	expect_reset("avail idx past the queue size");

	arp_request(0);
	set_desc(&tx_desc[0], (uintptr_t)tx_buf[0], HDR_BYTES + ETH_MIN_FRAME,
		 0, 0);
	offer(TXQ, QNUM + 1U);
	kick(TXQ);
	expect_reset("head index >= queue size");

	set_desc(&tx_desc[0], (uintptr_t)tx_buf[0], HDR_BYTES, DESC_NEXT, 1);
	set_desc(&tx_desc[1], (uintptr_t)tx_buf[1], ETH_MIN_FRAME, DESC_NEXT,
		 QNUM);
	offer(TXQ, 0);
	kick(TXQ);
	expect_reset("next index >= queue size");

	/* Loops on a queue shorter than the service's 32 segments per
	 * chain: caught as loops. */
	short_queue();
	set_desc(&tx_desc[0], (uintptr_t)tx_buf[0], HDR_BYTES, DESC_NEXT, 1);
	set_desc(&tx_desc[1], (uintptr_t)tx_buf[1], ETH_MIN_FRAME, DESC_NEXT,
		 0);
	offer(TXQ, 0);
	kick(TXQ);
	expect_reset("descriptor loop");

	/* Every descriptor links to the next, the last back to the first:
	 * a chain longer than the queue. */
	short_queue();
	for (uint16_t i = 0; i < QNUM_SHORT; i++) {
		set_desc(&tx_desc[i], (uintptr_t)tx_buf[i], 1, DESC_NEXT,
			 (uint16_t)((i + 1U) % QNUM_SHORT));
	}
	offer(TXQ, 0);
	kick(TXQ);
	expect_reset("chain longer than the queue");

	/* On a longer queue the loop is found past the 32 segments the
	 * service takes: still a loop. */
	set_desc(&tx_desc[0], (uintptr_t)tx_buf[0], HDR_BYTES, DESC_NEXT, 1);
	set_desc(&tx_desc[1], (uintptr_t)tx_buf[1], ETH_MIN_FRAME, DESC_NEXT,
		 0);
	offer(TXQ, 0);
	kick(TXQ);
	expect_reset("descriptor loop on a queue longer than seg_max");

	/* More segments than the service takes (32), no loop: given back,
	 * dropped. */
	arp_request(0);
	set_desc(&tx_desc[0], (uintptr_t)tx_buf[0], HDR_BYTES, DESC_NEXT, 1);
	for (uint16_t i = 1; i <= SEG_MAX; i++) {
		set_desc(&tx_desc[i], (uintptr_t)tx_buf[0] + HDR_BYTES + i - 1U,
			 1, DESC_NEXT, (uint16_t)(i + 1U));
	}
	set_desc(&tx_desc[SEG_MAX + 1U],
		 (uintptr_t)tx_buf[0] + HDR_BYTES + SEG_MAX,
		 ETH_MIN_FRAME - SEG_MAX, 0, 0);
	offer(TXQ, 0);
	kick(TXQ);
	expect_tx_used("chain of more segments than seg_max");
	up();

	/* The same head made available twice. */
	arp_request(0);
	set_desc(&tx_desc[0], (uintptr_t)tx_buf[0], HDR_BYTES + ETH_MIN_FRAME,
		 0, 0);
	offer(TXQ, 0);
	offer(TXQ, 0);
	kick(TXQ);
	enum outcome o = wait(TXQ);

	printf("vnethostile: head made available twice: %s\n", outcome_name[o]);
	CHECK(o != OUT_NONE);
	up();
	check_flow("the ring attacks");
}

/* --- Buffers -------------------------------------------------------------- */

static void bad_tx_buffer(const char *what, uint64_t addr, uint32_t len)
{
	arp_request(0);
	set_desc(&tx_desc[0], (uintptr_t)tx_buf[0], HDR_BYTES, DESC_NEXT, 1);
	set_desc(&tx_desc[1], addr, len, 0, 0);
	offer(TXQ, 0);
	kick(TXQ);
	expect_reset(what);
}

static void bad_rx_buffer(const char *what, uint64_t addr, uint32_t len)
{
	/* Every posted receive buffer replaced by the bad one: the
	 * gateway's reply to our request meets it. */
	for (uint16_t b = 0; b < RX_BUFS; b++) {
		set_desc(&rx_desc[b], addr, len, DESC_WRITE, 0);
	}
	enum outcome o = OUT_NONE;

	for (uint32_t t = 0; o == OUT_NONE; t++) {
		note_retry(t, what);
		arp_request(0);
		send(HDR_BYTES + ETH_MIN_FRAME);
		(void)wait(TXQ);
		for (uint32_t i = 0; i < REPLY_POLLS && o == OUT_NONE; i++) {
			pace();
			if (needs_reset()) {
				o = OUT_RESET;
			}
		}
	}
	printf("vnethostile: receive %s: %s\n", what, outcome_name[o]);
	CHECK_EQ(o, OUT_RESET);
	up();
}

static void attack_buffers(void)
{
	bad_tx_buffer("buffer in the service's RAM", SERVICE_RAM_IPA, 64);
	bad_tx_buffer("buffer where the service sees grants", SERVICE_GRANT_IPA,
		      64);
	bad_tx_buffer("buffer on the uplink's registers", PHYS_NET_IPA, 64);
	bad_tx_buffer("buffer across the end of its RAM",
		      RAM_IPA + RAM_BYTES - 32U, 64);
	bad_tx_buffer("buffer below its RAM", RAM_IPA - 64U, 64);
	bad_tx_buffer("length 0xffffffff", (uintptr_t)tx_buf[1], UINT32_MAX);
	bad_tx_buffer("wrapping address", UINT64_MAX - 31U, 64);

	bad_rx_buffer("buffer in the service's RAM", SERVICE_RAM_IPA,
		      BUF_BYTES);
	bad_rx_buffer("buffer across the end of its RAM",
		      RAM_IPA + RAM_BYTES - 64U, BUF_BYTES);
	bad_rx_buffer("length 0xffffffff", (uintptr_t)rx_buf[0], UINT32_MAX);

	/* The rings themselves outside the grant. */
	negotiate(F_VERSION_1 | F_MAC);
	features_ok();
	wr(VIRTIO_MMIO_QUEUE_SEL, TXQ);
	wr(VIRTIO_MMIO_QUEUE_NUM, QNUM);
	wr64(VIRTIO_MMIO_QUEUE_DESC_LOW, SERVICE_RAM_IPA);
	wr64(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uintptr_t)tx_avail);
	wr64(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uintptr_t)tx_used);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	expect_reset("descriptor table in the service's RAM");
	check_flow("the buffer attacks");
}

/* --- Frames --------------------------------------------------------------- */

/** A frame the service must drop: its buffer given back, no reset. */
static void dropped(const char *what, uint32_t len)
{
	arp_request(0);
	send(len);
	expect_tx_used(what);
	CHECK(!needs_reset());
}

static void attack_frames(void)
{
	dropped("frame shorter than a virtio-net header", HDR_BYTES - 4U);
	dropped("header without a frame", HDR_BYTES);
	dropped("frame shorter than an Ethernet header", HDR_BYTES + 6U);
	dropped("frame longer than 1518 bytes", HDR_BYTES + FRAME_MAX + 1U);
	dropped("buffer of 2048 bytes", BUF_BYTES);

	/* A header claiming checksum and TSO offloads the device did not
	 * offer (§5.1.6.2): sent without them (the switch rewrites every
	 * header), the gateway still answers. */
	arp_request(1);
	tx_buf[1][0] = HDR_FLAGS_NEEDS_CSUM;
	tx_buf[1][1] = HDR_GSO_TCPV4;
	tx_buf[1][2] = 0xff; /* hdr_len */
	tx_buf[1][4] = 0x40; /* gso_size */
	tx_buf[1][6] = 0xff; /* csum_start */
	set_desc(&tx_desc[0], (uintptr_t)tx_buf[1], HDR_BYTES + ETH_MIN_FRAME,
		 0, 0);
	offer(TXQ, 0);
	kick(TXQ);
	expect_tx_used("header with offloads not offered");
	CHECK(!needs_reset());

	/* A device-writable buffer in a transmit chain: nothing to send. */
	arp_request(0);
	set_desc(&tx_desc[0], (uintptr_t)tx_buf[0], HDR_BYTES + ETH_MIN_FRAME,
		 DESC_WRITE, 0);
	offer(TXQ, 0);
	kick(TXQ);
	expect_tx_used("device-writable transmit buffer");
	check_flow("the frame attacks");

	/* Receive buffers too small for a frame, or read-only: given back
	 * empty (len 0), counted; the device goes on. Posted on a fresh
	 * device, so no frame met a good buffer before. */
	up_bare();
	for (uint16_t b = 0; b < RX_BUFS; b++) {
		set_desc(&rx_desc[b], (uintptr_t)rx_buf[b],
			 b % 2U ? SMALL_RX : BUF_BYTES, b % 2U ? DESC_WRITE : 0,
			 0);
		offer(RXQ, b);
	}
	kick(RXQ);
	enum outcome o = OUT_NONE;

	for (uint32_t t = 0; o == OUT_NONE; t++) {
		note_retry(t, "small receive buffers");
		arp_request(0);
		send(HDR_BYTES + ETH_MIN_FRAME);
		if (wait(TXQ) != OUT_USED) {
			break;
		}
		for (uint32_t i = 0; i < REPLY_POLLS && o == OUT_NONE; i++) {
			pace();
			if (used_idx(&q[RXQ]) != q[RXQ].used_seen) {
				q[RXQ].used_seen++;
				o = OUT_USED;
			}
		}
	}
	uint32_t len = used_len(&q[RXQ], (uint16_t)(q[RXQ].used_seen - 1U));

	printf("vnethostile: receive buffer too small or read-only: %s, "
	       "len %u\n",
	       outcome_name[o], len);
	CHECK_EQ(o, OUT_USED);
	CHECK_EQ(len, 0);
	CHECK(!needs_reset());
	up();
	check_flow("the receive buffer attacks");
}

/* --- In flight and order -------------------------------------------------- */

static void attack_order(void)
{
	/* Descriptors rewritten right after the kick. */
	arp_request(0);
	set_desc(&tx_desc[0], (uintptr_t)tx_buf[0], HDR_BYTES + ETH_MIN_FRAME,
		 0, 0);
	offer(TXQ, 0);
	kick(TXQ);
	set_desc(&tx_desc[0], SERVICE_RAM_IPA, UINT32_MAX, DESC_NEXT, QNUM);
	enum outcome o = wait(TXQ);

	printf("vnethostile: descriptor rewritten after the kick: %s\n",
	       outcome_name[o]);
	CHECK(o != OUT_NONE);
	up();

	negotiate(F_VERSION_1 | F_MAC);
	queue_setup(TXQ, QNUM);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	expect_reset("queue ready before FEATURES_OK");

	negotiate(F_VERSION_1 | F_MAC);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE |
				       VIRTIO_STATUS_DRIVER |
				       VIRTIO_STATUS_DRIVER_OK);
	expect_reset("DRIVER_OK without FEATURES_OK");

	/* DRIVER_OK before the queues are ready, then a kick: nothing to
	 * do; the queues made ready after DRIVER_OK. */
	negotiate(F_VERSION_1 | F_MAC);
	features_ok();
	driver_ok();
	kick(TXQ);
	kick(RXQ);
	for (uint32_t i = 0; i < PACES; i++) {
		pace();
	}
	printf("vnethostile: kick before the queues are ready: %s\n",
	       needs_reset() ? "DEVICE_NEEDS_RESET" : "ignored");
	up();

	/* Kicks of queues that do not exist. */
	for (uint32_t i = 0; i < STORM; i++) {
		wr(VIRTIO_MMIO_QUEUE_NOTIFY,
		   i % 3U == 0 ? NO_SUCH_QUEUE : UINT32_MAX - i);
	}
	printf("vnethostile: kicks of queues that do not exist: %s\n",
	       needs_reset() ? "DEVICE_NEEDS_RESET" : "ignored");
	up();
	check_flow("the order attacks");
}

/* --- A ring fed while the service walks it ------------------------------- */

/*
 * The second vCPU: keeps transmit chains available (a short frame the
 * service drops at once), always less than a queue ahead of the used
 * index, so the ring stays well-formed while the service is still in the
 * loop the first vCPU's one kick started.
 */
void smp_secondary_main(void)
{
	struct queue *qu = &q[TXQ];

	while (!flood_stop && flood_offered < FLOOD) {
		if ((uint16_t)(qu->avail_idx - used_idx(qu)) < QNUM - 1U) {
			offer(TXQ, 0);
			flood_offered++;
		}
	}
	flood_done = 1;
	(void)hvc_call(PSCI_CPU_OFF, 0, 0, 0);
}

static void attack_flood(void)
{
	up();
	arp_request(0);
	set_desc(&tx_desc[0], (uintptr_t)tx_buf[0], HDR_BYTES + 6U, 0, 0);
	flood_offered = flood_stop = flood_done = 0;
	psci_wait_cpu_off(SECONDARY_MPIDR);
	CHECK_EQ(hvc_call(PSCI_CPU_ON, SECONDARY_MPIDR,
			  (uint64_t)smp_secondary_entry,
			  (uint64_t)(secondary_stack + STACK_BYTES))
			 .a0,
		 0);
	while (flood_offered == 0) {
	}
	uint16_t before = used_idx(&q[TXQ]);

	kick(TXQ);
	uint16_t in_one = (uint16_t)(used_idx(&q[TXQ]) - before);

	flood_stop = 1;
	while (!flood_done) {
	}
	/* Whatever is left is sent at the next kicks. */
	for (uint32_t i = 0; i < POLLS && used_idx(&q[TXQ]) != q[TXQ].avail_idx;
	     i++) {
		kick(TXQ);
	}
	printf("vnethostile: ring fed during one kick: %u chains taken in it "
	       "(%u offered), %s\n",
	       in_one, flood_offered,
	       needs_reset() ? "DEVICE_NEEDS_RESET" : "device running");
	CHECK(in_one <= QNUM);
	CHECK_EQ(used_idx(&q[TXQ]), q[TXQ].avail_idx);
	up();
	check_flow("the flood");
}

void test_main(void)
{
	up();
	uint32_t lo = rd(VIRTIO_MMIO_CONFIG), hi = rd(VIRTIO_MMIO_CONFIG + 4U);

	for (uint32_t i = 0; i < MAC_BYTES; i++) {
		my_mac[i] =
			(uint8_t)(i < 4 ? lo >> (8 * i) : hi >> (8 * (i - 4)));
	}
	printf("vnethostile: start\n");
	check_flow("the start");
	for (uint32_t pass = 1; pass <= PASSES; pass++) {
		attack_tx_rings();
		attack_buffers();
		attack_frames();
		attack_order();
		for (uint32_t f = 0; f < FLOODS; f++) {
			attack_flood();
		}
		printf("vnethostile: pass %u done\n", pass);
	}
	printf("vnethostile: done\n");
}
