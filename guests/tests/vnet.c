/**
 * System test (issue 16): a bare-metal guest drives its virtual virtio-net
 * (the vnet service, configs/vnet) with libipc's virtio-mmio driver, as a
 * guest kernel would (its "physical" addresses are its IPAs), and talks to
 * QEMU's user network behind the service's uplink:
 *  1. it reads the MAC the service assigned (VIRTIO_NET_F_MAC) and asks
 *     who has 10.0.2.2 (ARP, RFC 826) from it: the user network's gateway
 *     answers, so frames flow both ways through the switch;
 *  2. it asks again with another VM's MAC as source (a spoofed frame):
 *     the service drops it, no answer comes;
 *  3. it asks with its own MAC once more: answered (the switch still
 *     forwards its frames).
 * tests/system/test_vnet.py reads the lines it prints.
 */
#include <stdint.h>
#include <string.h>

#include "guest/delay.h"
#include "guest/test.h"
#include "ipc/virtio_drv.h"

/* Its virtual virtio-net (configs/common/vnet_service.h). */
#define VNET_IPA 0x0a001000UL

/* virtio-net (virtio 1.2 §5.1). */
#define RXQ 0U
#define TXQ 1U
#define F_MAC (1ULL << 5)
#define NET_HDR_BYTES 12U
#define MAC_BYTES 6U
#define QUEUE_ENTRIES 16U
#define RX_BUFS 8U
#define BUF_BYTES 2048U

/* Ethernet and ARP (RFC 826) for IPv4 over Ethernet. */
#define ETH_HDR 14U
#define ETHERTYPE_ARP 0x0806U
#define ARP_HTYPE_ETHER 1U
#define ARP_PTYPE_IPV4 0x0800U
#define ARP_REQUEST 1U
#define ARP_REPLY 2U
#define ARP_BYTES 28U
/** Ethernet's minimum frame without FCS (IEEE 802.3 §3.2.8). */
#define ETH_MIN_FRAME 60U
/** QEMU user network: the guest's usual address and the gateway's. */
#define MY_IP 0x0a00020fU      /* 10.0.2.15 */
#define GATEWAY_IP 0x0a000202U /* 10.0.2.2 */
/*
 * How long a wait may take, in ms of the virtual counter (host time): the
 * service may work on another CPU (its doorbell) while this vCPU polls,
 * and on a busy host that CPU's thread may wait for the host; a count of
 * polls is no clock.
 */
#define WAIT_MS 10000U

static struct virtio_drv drv;
static _Alignas(16) uint8_t rx_ring[4096];
static _Alignas(16) uint8_t tx_ring[4096];
static _Alignas(16) uint8_t rx_buf[RX_BUFS][BUF_BYTES];
static _Alignas(16) uint8_t tx_buf[BUF_BYTES];
static uint16_t rx_head_buf[QUEUE_ENTRIES];
static uint8_t my_mac[MAC_BYTES];

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

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
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

/* Send "who has GATEWAY_IP, tell MY_IP" from source MAC @p src. */
static void send_arp_request(const uint8_t src[MAC_BYTES])
{
	uint8_t *eth = tx_buf + NET_HDR_BYTES;
	uint8_t *arp = eth + ETH_HDR;
	uint16_t head;
	uint32_t len;

	memset(tx_buf, 0, sizeof(tx_buf));
	memset(eth, 0xff, MAC_BYTES); /* broadcast */
	memcpy(eth + MAC_BYTES, src, MAC_BYTES);
	put16(eth + 2 * MAC_BYTES, ETHERTYPE_ARP);
	put16(arp, ARP_HTYPE_ETHER);
	put16(arp + 2, ARP_PTYPE_IPV4);
	arp[4] = MAC_BYTES;
	arp[5] = 4;
	put16(arp + 6, ARP_REQUEST);
	memcpy(arp + 8, src, MAC_BYTES);
	put32(arp + 14, MY_IP);
	put32(arp + 24, GATEWAY_IP);

	struct virtio_drv_buf buf = { .pa = (uintptr_t)tx_buf,
				      .len = NET_HDR_BYTES + ETH_MIN_FRAME };

	CHECK_EQ(virtio_drv_submit(&drv, TXQ, &buf, 1, &head), VIRTIO_DRV_OK);
	virtio_drv_kick(&drv, TXQ);
	for (uint64_t end = guest_ms_ahead(WAIT_MS); guest_now() < end;) {
		(void)virtio_drv_irq_ack(&drv);
		if (virtio_drv_harvest(&drv, TXQ, &head, &len) ==
		    VIRTIO_DRV_OK) {
			return;
		}
	}
	printf("vnet: transmit buffer never returned\n");
	CHECK(false);
}

/* A received frame: an ARP reply from the gateway to us? */
static bool is_gateway_reply(const uint8_t *eth, uint32_t len)
{
	const uint8_t *arp = eth + ETH_HDR;

	if (len < ETH_HDR + ARP_BYTES ||
	    get16(eth + 2 * MAC_BYTES) != ETHERTYPE_ARP ||
	    get16(arp + 6) != ARP_REPLY || get32(arp + 14) != GATEWAY_IP) {
		return false;
	}
	printf("vnet: ARP reply from 10.0.2.2 at "
	       "%02x:%02x:%02x:%02x:%02x:%02x to "
	       "%02x:%02x:%02x:%02x:%02x:%02x\n",
	       arp[8], arp[9], arp[10], arp[11], arp[12], arp[13], eth[0],
	       eth[1], eth[2], eth[3], eth[4], eth[5]);
	return memcmp(eth, my_mac, MAC_BYTES) == 0;
}

/* Wait for the gateway's ARP reply; false if none came. */
static bool await_reply(void)
{
	for (uint64_t end = guest_ms_ahead(WAIT_MS); guest_now() < end;) {
		uint16_t head;
		uint32_t len;
		bool got = false;

		(void)virtio_drv_irq_ack(&drv);
		while (virtio_drv_harvest(&drv, RXQ, &head, &len) ==
		       VIRTIO_DRV_OK) {
			uint16_t b = rx_head_buf[head];

			if (len > NET_HDR_BYTES &&
			    is_gateway_reply(rx_buf[b] + NET_HDR_BYTES,
					     len - NET_HDR_BYTES)) {
				got = true;
			}
			post_rx(b);
		}
		virtio_drv_kick(&drv, RXQ);
		if (got) {
			return true;
		}
	}
	return false;
}

static void bring_up(void)
{
	int rc = virtio_drv_probe(&drv, VNET_IPA, VIRTIO_ID_NET,
				  virtio_drv_identity);

	if (rc != VIRTIO_DRV_OK) {
		printf("vnet: probe: %s\n", virtio_drv_strerror(rc));
	}
	CHECK_EQ(rc, VIRTIO_DRV_OK);
	CHECK_EQ(virtio_drv_init(&drv, F_MAC), VIRTIO_DRV_OK);
	CHECK(drv.features & F_MAC);
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
}

void test_main(void)
{
	bring_up();
	uint32_t lo = virtio_drv_config_read32(&drv, 0);
	uint32_t hi = virtio_drv_config_read32(&drv, 4);

	for (uint32_t i = 0; i < MAC_BYTES; i++) {
		my_mac[i] = (uint8_t)((i < 4 ? lo >> (8 * i)
					     : hi >> (8 * (i - 4))));
	}
	printf("vnet: MAC %02x:%02x:%02x:%02x:%02x:%02x\n", my_mac[0],
	       my_mac[1], my_mac[2], my_mac[3], my_mac[4], my_mac[5]);

	send_arp_request(my_mac);
	bool answered = await_reply();

	printf("vnet: ARP request from its own MAC: %s\n",
	       answered ? "answered" : "no reply");
	CHECK(answered);

	/* Another VM's MAC (same prefix, another VM id). */
	uint8_t other[MAC_BYTES];

	memcpy(other, my_mac, MAC_BYTES);
	other[MAC_BYTES - 1] ^= 0x40U;
	send_arp_request(other);
	answered = await_reply();
	printf("vnet: ARP request from another VM's MAC: %s\n",
	       answered ? "answered" : "no reply");
	CHECK(!answered);

	send_arp_request(my_mac);
	answered = await_reply();
	printf("vnet: ARP request from its own MAC again: %s\n",
	       answered ? "answered" : "no reply");
	CHECK(answered);
}
