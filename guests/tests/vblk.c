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

#include "guest/sysreg.h"
#include "guest/test.h"
#include "vblk_io.h"

/** The sector the test writes (inside any disk it is given). */
#define TEST_SECTOR 5U
#define ID_BYTES 20U
#define QUEUE_ENTRIES 16U
/** Polls of InterruptStatus for a completion (virtual time: ample). */
#define ISR_POLLS 10000000U

static _Alignas(16) uint8_t buf[2 * SECTOR];
/** A buffer in the last 2 MiB block of the guest's 16 MiB, which nothing
 * else touches: the kernel zeroes a block of a guest's RAM when first
 * touched (HYP_RAM_ZERO_BLOCK), so the disk writing it by PA comes first. */
#define UNTOUCHED_BUF 0x40f00000UL

static uint8_t request(uint32_t type, uint64_t sector, uint32_t len)
{
	return vblk_io_request(type, sector, buf, len);
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

/*
 * A completion's InterruptStatus, acknowledged with one InterruptACK store:
 * the bit ends with the store. The kernel keeps the register
 * (HYP_IPC_WINDOW_ISR), so the store costs no switch to the service: the
 * test prints the virtual counter ticks it took (16 instructions each under
 * -icount shift=0). (This scenario gives the guest no distributor to see
 * the line in; tests/host/test_window_isr.c checks it.)
 */
static void ack_ends_the_interrupt(void)
{
	static struct blk_req r;
	uint32_t bits = 0;
	uint16_t head;

	vblk_io_submit(&r, T_GET_ID, 0, buf, ID_BYTES);
	virtio_drv_kick(&vblk_drv, 0);
	for (uint32_t i = 0; i < ISR_POLLS && !(bits & VIRTIO_INT_VRING); i++) {
		bits = virtio_drv_reg_read(&vblk_drv,
					   VIRTIO_MMIO_INTERRUPT_STATUS);
	}
	CHECK(bits & VIRTIO_INT_VRING);
	uint64_t t0 = read_sysreg(cntvct_el0);

	virtio_drv_reg_write(&vblk_drv, VIRTIO_MMIO_INTERRUPT_ACK, bits);
	uint64_t ticks = read_sysreg(cntvct_el0) - t0;

	CHECK_EQ(virtio_drv_reg_read(&vblk_drv, VIRTIO_MMIO_INTERRUPT_STATUS),
		 0);
	CHECK(vblk_io_wait(&head, &bits));
	CHECK_EQ(head, r.head);
	CHECK_EQ(r.status, S_OK);
	printf("vblk: InterruptACK: status cleared in %llu counter ticks\n",
	       (unsigned long long)ticks);
}

/*
 * A read into RAM the guest has never touched: the physical disk writes it
 * by PA (the service's DMA). Zeroed when the guest first reads it, the
 * block would lose the sector: the kernel makes it ready when the service
 * asks for the buffer's PA (HYP_IPC_TRANSLATE).
 */
static void read_into_untouched_ram(void)
{
	const volatile uint8_t *far = (const volatile uint8_t *)UNTOUCHED_BUF;
	uint32_t same = 0;

	CHECK_EQ(vblk_io_request(T_IN, TEST_SECTOR, (void *)UNTOUCHED_BUF,
				 SECTOR),
		 S_OK);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ(request(T_IN, TEST_SECTOR, SECTOR), S_OK);
	for (uint32_t i = 0; i < SECTOR; i++) {
		same += far[i] == buf[i];
	}
	printf("vblk: read into untouched RAM: %s\n",
	       same == SECTOR ? "same data" : "other data");
	CHECK_EQ(same, SECTOR);
}

void test_main(void)
{
	vblk_io_up(QUEUE_ENTRIES);
	bool ro = (vblk_drv.features & F_RO) != 0;
	uint64_t capacity = virtio_drv_config_read64(&vblk_drv, CFG_CAPACITY);

	printf("vblk: capacity %llu sectors%s%s\n",
	       (unsigned long long)capacity, ro ? ", read-only" : "",
	       vblk_drv.features & F_FLUSH ? ", flush" : "");
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
	read_into_untouched_ram();

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
	ack_ends_the_interrupt();
}
