/**
 * System test (issue 16): a bare-metal guest drives its virtual virtio-blk
 * (the vblk service, configs/vblk) with libipc's virtio-mmio driver, as a
 * guest kernel would: its "physical" addresses are its IPAs. It reads the
 * capacity, writes a sector and reads it back, reads the last sector, is
 * refused (VIRTIO_BLK_S_IOERR) one sector past the end, flushes, and
 * reads its GET_ID. On a read-only disk (image vblk-ro, VIRTIO_BLK_F_RO
 * offered) the write is refused and the sector keeps its contents.
 * tests/system/test_vblk.py reads the lines it prints.
 */
#include <stdint.h>
#include <string.h>

#include "guest/test.h"
#include "ipc/virtio_drv.h"

/* Its virtual virtio-blk (configs/common/vblk_service.h). */
#define VBLK_IPA 0x0a000000UL

/* virtio-blk (virtio 1.2 §5.2). */
#define T_IN 0U
#define T_OUT 1U
#define T_FLUSH 4U
#define T_GET_ID 8U
#define S_OK 0U
#define S_IOERR 1U
#define F_RO (1ULL << 5)
#define F_FLUSH (1ULL << 9)
#define SECTOR 512U
#define ID_BYTES 20U
#define CFG_CAPACITY 0U
/** The sector the test writes (inside any disk it is given). */
#define TEST_SECTOR 5U
/** Status reads of the device before giving up on a request. */
#define POLLS 10000000U
#define QUEUE_ENTRIES 16U
#define NO_STATUS 0xffU

struct blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

static struct virtio_drv drv;
static _Alignas(16) uint8_t ring[4096];
static _Alignas(16) struct blk_hdr hdr;
static _Alignas(16) uint8_t buf[2 * SECTOR];
static _Alignas(16) uint8_t status;

/* A guest's DMA addresses are its IPAs. */
static int identity(uint64_t ipa, uint64_t *pa, uint64_t *contiguous)
{
	*pa = ipa;
	*contiguous = UINT64_MAX;
	return 0;
}

/* One request: header, @p len bytes of buf (device-written for reads),
 * status. Returns the status byte, NO_STATUS if none came. */
static uint8_t request(uint32_t type, uint64_t sector, uint32_t len)
{
	bool in = type != T_OUT;
	struct virtio_drv_buf bufs[3] = {
		{ .pa = (uintptr_t)&hdr, .len = sizeof(hdr) },
		{ .pa = (uintptr_t)buf, .len = len, .device_writes = in },
		{ .pa = (uintptr_t)&status, .len = 1, .device_writes = true },
	};
	uint16_t count = len == 0 ? 2 : 3;
	uint16_t head, got = 0;
	uint32_t used_len = 0;

	if (len == 0) {
		bufs[1] = bufs[2];
	}
	hdr = (struct blk_hdr){ .type = type, .sector = sector };
	status = NO_STATUS;
	CHECK_EQ(virtio_drv_submit(&drv, 0, bufs, count, &head), VIRTIO_DRV_OK);
	virtio_drv_kick(&drv, 0);
	for (uint32_t i = 0; i < POLLS; i++) {
		/* Each register read is an exit to the service, which
		 * meanwhile takes the physical disk's completion. */
		uint32_t irq = virtio_drv_irq_ack(&drv);

		if (virtio_drv_harvest(&drv, 0, &got, &used_len) ==
		    VIRTIO_DRV_OK) {
			CHECK(irq & VIRTIO_DRV_INT_USED ||
			      virtio_drv_irq_ack(&drv) & VIRTIO_DRV_INT_USED);
			CHECK_EQ(got, head);
			return status;
		}
	}
	printf("vblk: request type %u sector %llu: no completion\n", type,
	       (unsigned long long)sector);
	return NO_STATUS;
}

static void fill(uint8_t seed)
{
	for (uint32_t i = 0; i < sizeof(buf); i++) {
		buf[i] = (uint8_t)(seed + i * 7U);
	}
}

static bool same_as(uint8_t seed, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++) {
		if (buf[i] != (uint8_t)(seed + i * 7U)) {
			return false;
		}
	}
	return true;
}

static void bring_up(void)
{
	int rc =
		virtio_drv_probe(&drv, VBLK_IPA, VIRTIO_DRV_ID_BLOCK, identity);

	if (rc != VIRTIO_DRV_OK) {
		printf("vblk: probe: %s\n", virtio_drv_strerror(rc));
	}
	CHECK_EQ(rc, VIRTIO_DRV_OK);
	CHECK_EQ(virtio_drv_init(&drv, F_RO | F_FLUSH), VIRTIO_DRV_OK);
	CHECK_EQ(virtio_drv_queue_setup(&drv, 0, ring, sizeof(ring),
					QUEUE_ENTRIES),
		 VIRTIO_DRV_OK);
	virtio_drv_driver_ok(&drv);
}

void test_main(void)
{
	bring_up();
	bool ro = (drv.features & F_RO) != 0;
	uint64_t capacity = virtio_drv_config_read64(&drv, CFG_CAPACITY);

	printf("vblk: capacity %llu sectors%s%s\n",
	       (unsigned long long)capacity, ro ? ", read-only" : "",
	       drv.features & F_FLUSH ? ", flush" : "");
	CHECK(capacity > TEST_SECTOR);

	/* Write, then read back. */
	fill(0x5a);
	uint8_t s = request(T_OUT, TEST_SECTOR, SECTOR);

	printf("vblk: write sector %u: status %u\n", TEST_SECTOR, s);
	CHECK_EQ(s, ro ? S_IOERR : S_OK);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ(request(T_IN, TEST_SECTOR, SECTOR), S_OK);
	bool back = same_as(0x5a, SECTOR);

	printf("vblk: read back sector %u: %s\n", TEST_SECTOR,
	       back ? "same data" : "other data");
	CHECK(back != ro);

	/* The last sector, then past the end. */
	CHECK_EQ(request(T_IN, capacity - 1, SECTOR), S_OK);
	s = request(T_IN, capacity, SECTOR);
	printf("vblk: read sector %llu (past the end): status %u\n",
	       (unsigned long long)capacity, s);
	CHECK_EQ(s, S_IOERR);
	CHECK_EQ(request(T_IN, capacity - 1, 2 * SECTOR), S_IOERR);

	s = request(T_FLUSH, 0, 0);
	printf("vblk: flush: status %u\n", s);
	CHECK_EQ(s, S_OK);

	memset(buf, 0, sizeof(buf));
	CHECK_EQ(request(T_GET_ID, 0, ID_BYTES), S_OK);
	buf[ID_BYTES] = '\0';
	printf("vblk: id '%s'\n", (const char *)buf);
}
