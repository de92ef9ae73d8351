/**
 * System test (issue 16, item 5): the register shadow page of a virtio-mmio
 * window (configs/vblk, tests/system/test_vshadow.py). The guest reads
 * its virtual virtio-blk's registers, which it reads from the page the
 * vblk service keeps current, not through an exit: MagicValue, Version,
 * DeviceID, VendorID, DeviceFeatures for both selector values after
 * writing the selector, QueueNumMax of a queue that exists and of one that
 * does not, Status after each write of it, InterruptStatus after a
 * completed request and after its acknowledgement; a write to the
 * read-only MagicValue changes nothing; 1000 reads of InterruptStatus,
 * which the test checks cost no exit (the kernel's exit count). With the
 * fault-injecting service (test-vshadow-crash) it then does requests
 * while the service crashes and is restarted, and checks the registers
 * again.
 */
#include <stdint.h>
#include <string.h>

#include "guest/test.h"
#include "vblk_io.h"

#define QUEUE_ENTRIES 16U
/** The vblk service's QueueNumMax (services/vblk/main.c). */
#define VBLK_QUEUE_MAX 128U
/** VendorID of libipc's devices: "THYP" little endian. */
#define VENDOR_TINYHYP 0x50594854U
/** VendorID's offset (§4.2.2). */
#define VIRTIO_DRV_VENDOR_ID 0x00cU
/** DeviceFeatures bits: VIRTIO_BLK_F_FLUSH in word 0, VIRTIO_F_VERSION_1
 * (bit 32) as bit 0 of word 1 (§6, §5.2.3). */
#define FEATURE_FLUSH (1U << 9)
#define FEATURE_VERSION_1_HIGH 1U
#define INT_USED 1U
#define READS 1000U
/** Requests while the service crashes (every 19th crash point, three a
 * request: some six crashes). */
#define CRASH_REQUESTS 40U
#define POLLS 300000000U

static _Alignas(16) uint8_t buf[SECTOR];

static uint32_t rd(uint32_t off)
{
	return *(volatile uint32_t *)(VBLK_IPA + off);
}

static void wr(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(VBLK_IPA + off) = v;
}

static void check_identity(void)
{
	CHECK_EQ(rd(VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
	CHECK_EQ(rd(VIRTIO_MMIO_VERSION), VIRTIO_MMIO_VERSION_2);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
	CHECK_EQ(rd(VIRTIO_DRV_VENDOR_ID), VENDOR_TINYHYP);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	CHECK(rd(VIRTIO_MMIO_DEVICE_FEATURES) & FEATURE_FLUSH);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), FEATURE_VERSION_1_HIGH);
	wr(VIRTIO_MMIO_QUEUE_SEL, 1); /* the device has one queue */
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), VBLK_QUEUE_MAX);
}

static void check_status_writes(void)
{
	static const uint32_t seq[] = { 0, VIRTIO_STATUS_ACKNOWLEDGE,
					VIRTIO_STATUS_ACKNOWLEDGE |
						VIRTIO_STATUS_DRIVER };

	for (uint32_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		wr(VIRTIO_MMIO_STATUS, seq[i]);
		CHECK_EQ(rd(VIRTIO_MMIO_STATUS), seq[i]);
	}
	/* Read-only: the write reaches the service, which ignores it. */
	wr(VIRTIO_MMIO_MAGIC_VALUE, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS),
		 VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
}

/* One read, completed: InterruptStatus shows the used buffer until the
 * driver acknowledges it. */
static void check_interrupt_status(void)
{
	static struct blk_req r;
	uint16_t head;
	uint32_t len, i;

	vblk_io_submit(&r, T_IN, 0, buf, SECTOR);
	virtio_drv_kick(&vblk_drv, 0);
	for (i = 0; i < POLLS && virtio_drv_harvest(&vblk_drv, 0, &head,
						    &len) != VIRTIO_DRV_OK;
	     i++) {
	}
	CHECK(i < POLLS);
	for (i = 0; i < POLLS && rd(VIRTIO_MMIO_INTERRUPT_STATUS) == 0; i++) {
	}
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), INT_USED);
	CHECK_EQ(r.status, S_OK);
	printf("vshadow: InterruptStatus after a completed read: %u\n",
	       rd(VIRTIO_MMIO_INTERRUPT_STATUS));
	wr(VIRTIO_MMIO_INTERRUPT_ACK, INT_USED);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
}

static void check_running(void)
{
	check_identity();
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS),
		 VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			 VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM), QUEUE_ENTRIES);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_DESC_LOW),
		 (uint32_t)(uintptr_t)vblk_drv.q[0].desc);
}

void test_main(void)
{
	check_identity();
	check_status_writes();
	printf("vshadow: identity, features, queues and status read\n");
	vblk_io_up(QUEUE_ENTRIES);
	check_running();
	check_interrupt_status();

	uint32_t sum = 0;

	for (uint32_t i = 0; i < READS; i++) {
		sum |= rd(VIRTIO_MMIO_INTERRUPT_STATUS);
	}
	CHECK_EQ(sum, 0);
	printf("vshadow: %u reads of InterruptStatus\n", READS);

	for (uint32_t i = 0; i < CRASH_REQUESTS; i++) {
		CHECK_EQ(vblk_io_request(T_IN, i, buf, SECTOR), S_OK);
	}
	check_running();
	printf("vshadow: %u requests, registers read again\n", CRASH_REQUESTS);
}
