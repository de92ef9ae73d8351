/**
 * System test (issue 16): the well-behaved VM beside a hostile virtio-net
 * driver (configs/vnet_hostile, tests/system/test_vnet_hostile.py). It
 * drives its virtual virtio-net with libipc's virtio-mmio driver and, round
 * after round, asks the user network's gateway who has 10.0.2.2 (ARP, RFC
 * 826): every request must be answered while the other VM attacks the
 * same vnet service. Every frame it receives (the gateway's replies, the
 * hostile VM's broadcasts) must carry the header the switch writes
 * (§5.1.6.3.1: no offload, num_buffers 1), whatever header its sender
 * gave it.
 */
#include <stdint.h>
#include <string.h>

#include "guest/delay.h"
#include "guest/test.h"
#include "ipc/virtio_drv.h"

#define VNET_IPA 0x0a001000UL
#define RXQ 0U
#define TXQ 1U
#define F_MAC (1ULL << 5)
#define HDR_BYTES 12U
#define HDR_NUM_BUFFERS 10U
#define MAC_BYTES 6U
#define QUEUE_ENTRIES 16U
#define RX_BUFS 16U
#define BUF_BYTES 2048U
#define ETH_HDR 14U
#define ETHERTYPE_ARP 0x0806U
#define ARP_REQUEST 1U
#define ARP_REPLY 2U
#define ARP_BYTES 28U
#define ETH_MIN_FRAME 60U
#define MY_IP 0x0a00020fU      /* 10.0.2.15 */
#define GATEWAY_IP 0x0a000202U /* 10.0.2.2 */
/** How long a transmit buffer may take to come back, in ms of the
 * virtual counter (host time): the service takes it at the kick, or on
 * another CPU (its doorbell), whose host thread may wait on a busy host. */
#define TX_WAIT_MS 10000U
/*
 * The gateway answers when QEMU's main loop runs: a request unanswered
 * after REPLY_MS of the virtual counter is sent again, up to RETRIES times
 * (Ethernet may lose a frame, e.g. at a full receive queue).
 */
#define REPLY_MS 200U
#define RETRIES 50U
#define ROUNDS 400U
#define REPORT_EVERY 20U

static struct virtio_drv drv;
static _Alignas(16) uint8_t rx_ring[4096];
static _Alignas(16) uint8_t tx_ring[4096];
static _Alignas(16) uint8_t rx_buf[RX_BUFS][BUF_BYTES];
static _Alignas(16) uint8_t tx_buf[BUF_BYTES];
static uint16_t rx_head_buf[QUEUE_ENTRIES];
static uint8_t my_mac[MAC_BYTES];
static uint32_t bad_headers, frames_in, resent;

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void post_rx(uint16_t b)
{
	struct virtio_drv_buf buf = { .pa = (uintptr_t)rx_buf[b],
				      .len = BUF_BYTES,
				      .device_writes = true };
	uint16_t head;

	CHECK_EQ(virtio_drv_submit(&drv, RXQ, &buf, 1, &head), VIRTIO_DRV_OK);
	rx_head_buf[head] = b;
}

static void send_arp_request(void)
{
	uint8_t *eth = tx_buf + HDR_BYTES;
	uint8_t *arp = eth + ETH_HDR;
	uint16_t head;
	uint32_t len;

	memset(tx_buf, 0, sizeof(tx_buf));
	memset(eth, 0xff, MAC_BYTES);
	memcpy(eth + MAC_BYTES, my_mac, MAC_BYTES);
	put16(eth + 2 * MAC_BYTES, ETHERTYPE_ARP);
	put16(arp, 1);
	put16(arp + 2, 0x0800U);
	arp[4] = MAC_BYTES;
	arp[5] = 4;
	put16(arp + 6, ARP_REQUEST);
	memcpy(arp + 8, my_mac, MAC_BYTES);
	put32(arp + 14, MY_IP);
	put32(arp + 24, GATEWAY_IP);

	struct virtio_drv_buf buf = { .pa = (uintptr_t)tx_buf,
				      .len = HDR_BYTES + ETH_MIN_FRAME };

	CHECK_EQ(virtio_drv_submit(&drv, TXQ, &buf, 1, &head), VIRTIO_DRV_OK);
	virtio_drv_kick(&drv, TXQ);
	for (uint64_t end = guest_ms_ahead(TX_WAIT_MS); guest_now() < end;) {
		(void)virtio_drv_irq_ack(&drv);
		if (virtio_drv_harvest(&drv, TXQ, &head, &len) ==
		    VIRTIO_DRV_OK) {
			return;
		}
	}
	printf("good: transmit buffer never returned\n");
	CHECK(false);
}

/* A received frame: its header must be the switch's; a reply to us? */
static bool take(const uint8_t *b, uint32_t len)
{
	static const uint8_t clean[HDR_BYTES] = { [HDR_NUM_BUFFERS] = 1 };
	const uint8_t *eth = b + HDR_BYTES;
	const uint8_t *arp = eth + ETH_HDR;

	frames_in++;
	if (len < HDR_BYTES || memcmp(b, clean, HDR_BYTES) != 0) {
		bad_headers++;
		return false;
	}
	return len >= HDR_BYTES + ETH_HDR + ARP_BYTES &&
	       memcmp(eth, my_mac, MAC_BYTES) == 0 && arp[6] == 0 &&
	       arp[7] == ARP_REPLY;
}

static bool await_reply(void)
{
	for (uint64_t end = guest_ms_ahead(REPLY_MS); guest_now() < end;) {
		uint16_t head;
		uint32_t len;
		bool got = false;

		(void)virtio_drv_irq_ack(&drv);
		while (virtio_drv_harvest(&drv, RXQ, &head, &len) ==
		       VIRTIO_DRV_OK) {
			uint16_t b = rx_head_buf[head];

			got |= take(rx_buf[b], len);
			post_rx(b);
		}
		virtio_drv_kick(&drv, RXQ);
		if (got) {
			return true;
		}
	}
	return false;
}

void test_main(void)
{
	CHECK_EQ(virtio_drv_probe(&drv, VNET_IPA, VIRTIO_ID_NET,
				  virtio_drv_identity),
		 VIRTIO_DRV_OK);
	CHECK_EQ(virtio_drv_init(&drv, F_MAC), VIRTIO_DRV_OK);
	CHECK_EQ(virtio_drv_queue_setup(&drv, RXQ, rx_ring, sizeof(rx_ring),
					QUEUE_ENTRIES),
		 VIRTIO_DRV_OK);
	CHECK_EQ(virtio_drv_queue_setup(&drv, TXQ, tx_ring, sizeof(tx_ring),
					QUEUE_ENTRIES),
		 VIRTIO_DRV_OK);
	virtio_drv_driver_ok(&drv);
	for (uint16_t b = 0; b < RX_BUFS; b++) {
		post_rx(b);
	}
	virtio_drv_kick(&drv, RXQ);
	uint32_t lo = virtio_drv_config_read32(&drv, 0);
	uint32_t hi = virtio_drv_config_read32(&drv, 4);

	for (uint32_t i = 0; i < MAC_BYTES; i++) {
		my_mac[i] =
			(uint8_t)(i < 4 ? lo >> (8 * i) : hi >> (8 * (i - 4)));
	}
	uint32_t answered = 0;

	for (uint32_t r = 1; r <= ROUNDS; r++) {
		bool got = false;

		for (uint32_t t = 0; t < RETRIES && !got; t++) {
			resent += t == 0 ? 0U : 1U;
			send_arp_request();
			got = await_reply();
		}
		answered += got ? 1U : 0U;
		if (r % REPORT_EVERY == 0) {
			printf("good: round %u, %u answered\n", r, answered);
		}
	}
	printf("good: done, %u rounds, %u answered, %u frames in, %u bad "
	       "headers, %u requests sent again\n",
	       ROUNDS, answered, frames_in, bad_headers, resent);
	CHECK_EQ(answered, ROUNDS);
	CHECK_EQ(bad_headers, 0);
}
