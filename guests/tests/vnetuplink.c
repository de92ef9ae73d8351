/**
 * System test (issue 16): frames a client sends to the uplink cost no
 * interrupt of the uplink's transmit queue. The guest drives its virtual
 * virtio-net (configs/vnet, the vnet service) with libipc's virtio-mmio
 * driver and sends FRAMES frames, one at a time, to a unicast MAC no
 * client owns: the switch gives each to the uplink (QEMU's virtio-net on
 * the user network, which drops them: an ethertype it does not speak).
 * After each it waits GAP_MS while QEMU sends it, long enough for the
 * device's used-buffer interrupt to arrive while this guest runs: with
 * the uplink's transmit interrupts on, each would be a physical interrupt
 * taken in this guest and a round trip to the service (counted in the
 * "interrupts" of the kernel's exit line when the guest stops);
 * tests/system/test_vnet_uplink.py reads it.
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
#define BUF_BYTES 2048U
/** Ethernet's minimum frame without FCS (IEEE 802.3 §3.2.8). */
#define ETH_MIN_FRAME 60U
/** IEEE 802 Local Experimental EtherType 1 (IEEE Std 802): no network
 * stack answers it. */
#define ETHERTYPE_EXPERIMENTAL 0x88b5U

#define FRAMES 100U
#define GAP_MS 2U
/** How long the transmit buffer may take to come back, in ms of the
 * virtual counter: the service takes it in the kick's exit, or at once on
 * another CPU (its doorbell), whose host thread may wait on a busy host. */
#define TX_WAIT_MS 10000U

static struct virtio_drv drv;
static _Alignas(16) uint8_t rx_ring[4096];
static _Alignas(16) uint8_t tx_ring[4096];
static _Alignas(16) uint8_t tx_buf[BUF_BYTES];

/** A locally administered unicast MAC (bit 1 of the first byte set, bit
 * 0 clear) outside the service's prefix 02:74:68:79:00: no client's. */
static const uint8_t nobody[MAC_BYTES] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };

static void bring_up(uint8_t mac[MAC_BYTES])
{
	CHECK_EQ(virtio_drv_probe(&drv, VNET_IPA, VIRTIO_ID_NET,
				  virtio_drv_identity),
		 VIRTIO_DRV_OK);
	CHECK_EQ(virtio_drv_init(&drv, F_MAC), VIRTIO_DRV_OK);
	CHECK(drv.features & F_MAC);
	CHECK_EQ(virtio_drv_queue_setup(&drv, RXQ, rx_ring, sizeof(rx_ring),
					QUEUE_ENTRIES),
		 VIRTIO_DRV_OK);
	CHECK_EQ(virtio_drv_queue_setup(&drv, TXQ, tx_ring, sizeof(tx_ring),
					QUEUE_ENTRIES),
		 VIRTIO_DRV_OK);
	/* This guest polls its own transmit queue: no interrupt wanted. */
	virtio_drv_queue_interrupts(&drv, TXQ, false);
	virtio_drv_driver_ok(&drv);
	for (uint32_t i = 0; i < MAC_BYTES; i++) {
		mac[i] = (uint8_t)(virtio_drv_config_read32(&drv, i & ~3U) >>
				   (8U * (i & 3U)));
	}
}

static bool send_one(const uint8_t mac[MAC_BYTES])
{
	uint8_t *eth = tx_buf + NET_HDR_BYTES;
	uint16_t head, got;
	uint32_t len;

	memset(tx_buf, 0, sizeof(tx_buf));
	memcpy(eth, nobody, MAC_BYTES);
	memcpy(eth + MAC_BYTES, mac, MAC_BYTES);
	eth[2 * MAC_BYTES] = (uint8_t)(ETHERTYPE_EXPERIMENTAL >> 8);
	eth[2 * MAC_BYTES + 1] = (uint8_t)ETHERTYPE_EXPERIMENTAL;

	struct virtio_drv_buf buf = { .pa = (uintptr_t)tx_buf,
				      .len = NET_HDR_BYTES + ETH_MIN_FRAME };

	CHECK_EQ(virtio_drv_submit(&drv, TXQ, &buf, 1, &head), VIRTIO_DRV_OK);
	virtio_drv_kick(&drv, TXQ);
	for (uint64_t end = guest_ms_ahead(TX_WAIT_MS); guest_now() < end;) {
		if (virtio_drv_harvest(&drv, TXQ, &got, &len) ==
		    VIRTIO_DRV_OK) {
			return got == head;
		}
	}
	return false;
}

void test_main(void)
{
	uint8_t mac[MAC_BYTES];
	uint32_t sent = 0;

	bring_up(mac);
	for (uint32_t f = 0; f < FRAMES; f++) {
		if (!send_one(mac)) {
			break;
		}
		sent++;
		guest_spin_until(guest_ms_ahead(GAP_MS));
	}
	printf("vnetuplink: %u frames sent to the uplink\n", sent);
	CHECK_EQ(sent, FRAMES);
}
