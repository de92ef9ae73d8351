/**
 * cmocka tests of the device side of virtio in libipc: the virtio-mmio
 * transport (libipc/src/virtio_mmio.c, OASIS virtio 1.2 §4.2.2), split
 * virtqueues (virtq.c, §2.7) and the guest memory view (virtio_gmem.c),
 * driven as a guest driver would: register accesses and rings written in
 * a buffer that stands for the granted client memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ipc/virtio.h"

/** Client memory the device sees: GPA_BASE .. + MEM_SIZE. */
#define GPA_BASE 0x40000000ULL
#define MEM_SIZE 0x10000U
#define MEM_ALIGN 4096U
/* Where the test driver puts its rings and buffers (offsets in MEM). */
#define DESC_OFF 0x0000U
#define AVAIL_OFF 0x1000U
#define USED_OFF 0x2000U
#define TABLE_OFF 0x3000U
#define BUF_OFF 0x4000U
#define QNUM 8U
#define QMAX 16U
#define QCOUNT 2U
#define DEVICE_ID 2U
#define DEV_FEATURE (1ULL << 5)
/** VIRTIO_F_RING_PACKED (§6): not implemented, never offered. */
#define F_RING_PACKED (1ULL << 34)
#define CONFIG_SIZE 8U
#define SEG_MAX 8U
#define WORD 4U

static uint8_t *mem;
static struct virtio_gmem gmem;
static struct virtio_state state;
static struct virtio_dev dev;
static struct virtq_seg segs[SEG_MAX];
static struct virtq_chain chain;

/** What the ops callbacks saw. */
static struct {
	uint8_t config[CONFIG_SIZE];
	unsigned int notifies;
	uint32_t notified_queue;
	unsigned int resets;
	unsigned int irq_calls;
	bool irq;
} seen;

static uint32_t cfg_read(void *ctx, uint32_t off, uint8_t width)
{
	uint32_t v = 0;

	(void)ctx;
	memcpy(&v, &seen.config[off], width);
	return v;
}

static void cfg_write(void *ctx, uint32_t off, uint8_t width, uint32_t value)
{
	(void)ctx;
	memcpy(&seen.config[off], &value, width);
}

static void notify(void *ctx, uint32_t queue)
{
	(void)ctx;
	seen.notifies++;
	seen.notified_queue = queue;
}

static void reset(void *ctx)
{
	(void)ctx;
	seen.resets++;
}

static void set_irq(void *ctx, bool level)
{
	(void)ctx;
	seen.irq_calls++;
	seen.irq = level;
}

static const struct virtio_dev_ops ops = {
	.device_id = DEVICE_ID,
	/* Bits 24..63 other than the transport features the library
	 * implements are dropped (VIRTIO_F_RING_PACKED, bit 34: not). */
	.features = DEV_FEATURE | VIRTIO_F_INDIRECT_DESC | VIRTIO_F_EVENT_IDX |
		    F_RING_PACKED,
	.queue_count = QCOUNT,
	.queue_max = QMAX,
	.config_size = CONFIG_SIZE,
	.config_read = cfg_read,
	.config_write = cfg_write,
	.notify = notify,
	.reset = reset,
	.set_irq = set_irq,
};

static int setup(void **st)
{
	(void)st;
	mem = aligned_alloc(MEM_ALIGN, MEM_SIZE);
	assert_non_null(mem);
	memset(mem, 0, MEM_SIZE);
	memset(&seen, 0, sizeof(seen));
	virtio_gmem_init(&gmem);
	assert_int_equal(virtio_gmem_add(&gmem, GPA_BASE, MEM_SIZE, mem),
			 IPC_OK);
	memset(&state, 0xa5, sizeof(state));
	virtio_dev_bind(&dev, &state, &ops, NULL, &gmem);
	virtio_dev_reset(&dev);
	/* A reset leaves nothing of the old state but the generation. */
	assert_int_equal(state.config_generation, 0xa5a5a5a5U);
	state.config_generation = 0;
	static const struct virtio_state zero;

	assert_memory_equal(&state, &zero, sizeof(state));
	seen.resets = 0;
	seen.irq_calls = 0;
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	free(mem);
	return 0;
}

static uint64_t access(uint64_t off, uint8_t width, bool write, uint64_t value)
{
	struct ipc_mmio_access a = {
		.offset = off, .width = width, .write = write, .value = value
	};

	assert_int_equal(virtio_mmio_access(&dev, &a), IPC_OK);
	return a.value;
}

static uint32_t rd(uint64_t off)
{
	return (uint32_t)access(off, WORD, false, 0xdeadbeef);
}

static void wr(uint64_t off, uint32_t v)
{
	access(off, WORD, true, v);
}

static uint64_t gpa(uint32_t off)
{
	return GPA_BASE + off;
}

static void wr64(uint64_t low_reg, uint64_t v)
{
	wr(low_reg, (uint32_t)v);
	wr(low_reg + WORD, (uint32_t)(v >> 32));
}

/** Driver side of §3.1.1 up to FEATURES_OK; returns the Status read back. */
static uint32_t negotiate(uint64_t features)
{
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE |
				       VIRTIO_STATUS_DRIVER |
				       VIRTIO_STATUS_FEATURES_OK);
	return rd(VIRTIO_MMIO_STATUS);
}

/** Queue 0 with @p num entries at the given ring offsets, made ready. */
static void queue_setup(uint32_t num, uint64_t desc, uint64_t avail,
			uint64_t used)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr64(VIRTIO_MMIO_QUEUE_DESC_LOW, desc);
	wr64(VIRTIO_MMIO_QUEUE_DRIVER_LOW, avail);
	wr64(VIRTIO_MMIO_QUEUE_DEVICE_LOW, used);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

static void driver_ok(void)
{
	wr(VIRTIO_MMIO_STATUS,
	   rd(VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_DRIVER_OK);
}

/** The whole start-up of a driver with @p features and queue 0 of QNUM. */
static void start(uint64_t features)
{
	/* A driver starts with zeroed rings. */
	memset(mem + AVAIL_OFF, 0, USED_OFF - AVAIL_OFF + MEM_ALIGN);
	assert_true(negotiate(features) & VIRTIO_STATUS_FEATURES_OK);
	queue_setup(QNUM, gpa(DESC_OFF), gpa(AVAIL_OFF), gpa(USED_OFF));
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	driver_ok();
	assert_true(virtio_dev_running(&dev));
}

static void set_desc(uint32_t table_off, uint32_t i, uint64_t addr,
		     uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = mem + table_off + 16U * i;

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

static uint16_t get16(uint32_t off)
{
	uint16_t v;

	memcpy(&v, mem + off, 2);
	return v;
}

static uint32_t get32(uint32_t off)
{
	uint32_t v;

	memcpy(&v, mem + off, 4);
	return v;
}

static void put16(uint32_t off, uint16_t v)
{
	memcpy(mem + off, &v, 2);
}

/** Make chain @p head available (avail->ring[idx % QNUM], idx + 1). */
static void offer(uint16_t head)
{
	uint16_t idx = get16(AVAIL_OFF + 2);

	put16(AVAIL_OFF + 4 + 2 * (idx % QNUM), head);
	put16(AVAIL_OFF + 2, (uint16_t)(idx + 1));
}

static int pop(void)
{
	return virtq_pop(&dev, 0, &chain, segs, SEG_MAX);
}

/** The device failed with @p fault: NEEDS_RESET, config interrupt, stopped. */
static void assert_failed(enum virtio_fault fault)
{
	assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	assert_int_equal(state.fault, fault);
	assert_true(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_INT_CONFIG);
	assert_true(seen.irq);
	assert_false(virtio_dev_running(&dev));
	assert_int_equal(pop(), VIRTQ_ERR_BROKEN);
	unsigned int before = seen.notifies;

	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(seen.notifies, before);
}

/* --- Transport registers ------------------------------------------------ */

static void test_virtio_mmio_identity(void **st)
{
	(void)st;
	assert_int_equal(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	assert_int_equal(rd(VIRTIO_MMIO_VERSION), 2);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_ID), DEVICE_ID);
	assert_int_equal(rd(VIRTIO_MMIO_VENDOR_ID), VIRTIO_VENDOR_TINYHYP);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_int_equal(rd(VIRTIO_MMIO_CONFIG_GENERATION), 0);
	/* No shared memory regions: length -1 (§4.2.2). */
	assert_int_equal(rd(VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffffU);
	assert_int_equal(rd(VIRTIO_MMIO_SHM_LEN_HIGH), 0xffffffffU);
	assert_int_equal(rd(VIRTIO_MMIO_SHM_BASE_LOW), 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_RESET), 0);
	/* Read state is unchanged by writes to read-only registers. */
	wr(VIRTIO_MMIO_MAGIC_VALUE, 0);
	wr(VIRTIO_MMIO_INTERRUPT_STATUS, 3);
	assert_int_equal(rd(VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
}

static void test_virtio_mmio_device_features(void **st)
{
	(void)st;
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES),
			 (uint32_t)(DEV_FEATURE | VIRTIO_F_INDIRECT_DESC |
				    VIRTIO_F_EVENT_IDX));
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1); /* VERSION_1 */
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, UINT32_MAX);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
}

static void test_virtio_features_ok_accepts_subset(void **st)
{
	(void)st;
	assert_true(negotiate(VIRTIO_F_VERSION_1 | DEV_FEATURE) &
		    VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(state.driver_features,
			 VIRTIO_F_VERSION_1 | DEV_FEATURE);
	/* Features are fixed once FEATURES_OK is set (§3.1.1). */
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
	assert_int_equal(state.driver_features,
			 VIRTIO_F_VERSION_1 | DEV_FEATURE);
}

static void test_virtio_features_ok_refused_without_version_1(void **st)
{
	(void)st;
	assert_false(negotiate(DEV_FEATURE) & VIRTIO_STATUS_FEATURES_OK);
	assert_false(virtio_dev_running(&dev));
}

static void test_virtio_features_ok_refused_unoffered(void **st)
{
	(void)st;
	assert_false(negotiate(VIRTIO_F_VERSION_1 | F_RING_PACKED) &
		     VIRTIO_STATUS_FEATURES_OK);
	assert_false(negotiate(VIRTIO_F_VERSION_1 | (1ULL << 40)) &
		     VIRTIO_STATUS_FEATURES_OK);
	assert_false(negotiate(VIRTIO_F_VERSION_1 | (1ULL << 7)) &
		     VIRTIO_STATUS_FEATURES_OK);
	/* A selector past the two words is ignored. */
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, UINT32_MAX);
	assert_int_equal(state.driver_features, 0);
}

static void test_virtio_status_reset(void **st)
{
	(void)st;
	start(VIRTIO_F_VERSION_1);
	virtio_config_changed(&dev);
	assert_int_equal(rd(VIRTIO_MMIO_CONFIG_GENERATION), 1);
	assert_true(seen.irq);
	unsigned int resets = seen.resets;

	wr(VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(seen.resets, resets + 1);
	assert_false(seen.irq);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_DESC_LOW), 0);
	assert_int_equal(state.driver_features, 0);
	assert_int_equal(state.queue[0].last_avail, 0);
	/* The generation does not go back (§4.2.2: it changes with config). */
	assert_int_equal(rd(VIRTIO_MMIO_CONFIG_GENERATION), 1);
	/* The driver may not clear NEEDS_RESET itself, only by a reset. */
	virtio_dev_fail(&dev, VIRTIO_FAULT_AVAIL_IDX);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS),
			 VIRTIO_STATUS_ACKNOWLEDGE |
				 VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	wr(VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(state.fault, VIRTIO_FAULT_NONE);
}

static void test_virtio_queue_registers(void **st)
{
	(void)st;
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), QMAX);
	wr(VIRTIO_MMIO_QUEUE_NUM, QNUM);
	wr64(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x123456789abcdef0ULL);
	wr64(VIRTIO_MMIO_QUEUE_DRIVER_LOW, 0x1111222233334444ULL);
	wr64(VIRTIO_MMIO_QUEUE_DEVICE_LOW, 0x5555666677778888ULL);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM), QNUM);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_DESC_LOW), 0x9abcdef0U);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_DESC_HIGH), 0x12345678U);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_DRIVER_LOW), 0x33334444U);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_DRIVER_HIGH), 0x11112222U);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_DEVICE_LOW), 0x77778888U);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_DEVICE_HIGH), 0x55556666U);
	/* Queue 1 is separate. */
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), QMAX);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_DESC_LOW), 0);
	/* Past the device's queues: not available (QueueNumMax 0), inert. */
	wr(VIRTIO_MMIO_QUEUE_SEL, QCOUNT);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, QNUM);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM), 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	wr(VIRTIO_MMIO_QUEUE_SEL, UINT32_MAX);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	/* A ready queue keeps its layout until QueueReady is 0. */
	start(VIRTIO_F_VERSION_1);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr64(VIRTIO_MMIO_QUEUE_DESC_LOW, gpa(BUF_OFF));
	wr(VIRTIO_MMIO_QUEUE_NUM, 2);
	assert_int_equal(state.queue[0].desc, gpa(DESC_OFF));
	assert_int_equal(state.queue[0].num, QNUM);
	wr(VIRTIO_MMIO_QUEUE_READY, 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(pop(), VIRTQ_EMPTY);
}

static void test_virtio_queue_notify(void **st)
{
	(void)st;
	/* Before DRIVER_OK a notification reaches nobody. */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(seen.notifies, 0);
	start(VIRTIO_F_VERSION_1);
	seen.notifies = 0;
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(seen.notifies, 1);
	assert_int_equal(seen.notified_queue, 0);
	/* Queue 1 is not ready; queue 7 does not exist. */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 7);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, UINT32_MAX);
	assert_int_equal(seen.notifies, 1);
}

/* A doorbell the kernel rang (virtio_dev_doorbell): a QueueNotify of each
 * ready queue, only while the device runs. */
static void test_virtio_doorbell_notifies_ready_queues(void **st)
{
	(void)st;
	virtio_dev_doorbell(&dev);
	assert_int_equal(seen.notifies, 0);
	start(VIRTIO_F_VERSION_1);
	seen.notifies = 0;
	virtio_dev_doorbell(&dev);
	/* Queue 0 is ready, queue 1 is not. */
	assert_int_equal(seen.notifies, 1);
	assert_int_equal(seen.notified_queue, 0);
	wr(VIRTIO_MMIO_STATUS, 0);
	virtio_dev_doorbell(&dev);
	assert_int_equal(seen.notifies, 1);
}

/* Buffers made available before DRIVER_OK are not forgotten: the device
 * looks at every ready queue once the driver is ready (§3.1.1 step 8). */
static void test_virtio_driver_ok_kicks_ready_queues(void **st)
{
	(void)st;
	assert_true(negotiate(VIRTIO_F_VERSION_1) & VIRTIO_STATUS_FEATURES_OK);
	queue_setup(QNUM, gpa(DESC_OFF), gpa(AVAIL_OFF), gpa(USED_OFF));
	assert_int_equal(seen.notifies, 0);
	driver_ok();
	assert_int_equal(seen.notifies, 1);
	assert_int_equal(seen.notified_queue, 0);
	/* Writing DRIVER_OK again is no new start. */
	driver_ok();
	assert_int_equal(seen.notifies, 1);
}

static void test_virtio_interrupt_ack(void **st)
{
	(void)st;
	virtio_config_changed(&dev);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_INT_CONFIG);
	assert_true(seen.irq);
	assert_int_equal(seen.irq_calls, 1);
	/* Raising again while high: no new level change. */
	virtio_config_changed(&dev);
	assert_int_equal(seen.irq_calls, 1);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_INT_VRING);
	assert_true(seen.irq);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_INT_CONFIG);
	assert_false(seen.irq);
	assert_int_equal(seen.irq_calls, 2);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	/* A restarted service puts the line back as the state says. */
	virtio_config_changed(&dev);
	seen.irq = false;
	virtio_dev_sync_irq(&dev);
	assert_true(seen.irq);
}

static void test_virtio_mmio_bad_width_and_offset(void **st)
{
	static const uint8_t widths[] = { 1, 2, 8 };

	(void)st;
	for (size_t i = 0; i < sizeof(widths); i++) {
		assert_int_equal(access(VIRTIO_MMIO_MAGIC_VALUE, widths[i],
					false, 0xdead),
				 0);
		access(VIRTIO_MMIO_STATUS, widths[i], true,
		       VIRTIO_STATUS_ACKNOWLEDGE);
		access(VIRTIO_MMIO_QUEUE_SEL, widths[i], true, 1);
	}
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_SEL), 0);
	assert_int_equal(state.queue_sel, 0);
	/* Misaligned word, reserved offsets, far past the registers. */
	assert_int_equal(access(VIRTIO_MMIO_MAGIC_VALUE + 1, WORD, false, 7),
			 0);
	access(VIRTIO_MMIO_STATUS + 2, WORD, true, VIRTIO_STATUS_ACKNOWLEDGE);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(rd(0x018), 0);
	assert_int_equal(rd(0x0f8), 0);
	assert_int_equal(rd(0xffc), 0);
	assert_int_equal(access(UINT64_MAX - 3, WORD, false, 7), 0);
	wr(0x018, 0xffffffff);
	wr(0xffc, 0xffffffff);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
}

static void test_virtio_config_space(void **st)
{
	(void)st;
	memcpy(seen.config, "\x01\x02\x03\x04\x05\x06\x07\x08", CONFIG_SIZE);
	assert_int_equal(access(VIRTIO_MMIO_CONFIG, 1, false, 0), 0x01);
	assert_int_equal(access(VIRTIO_MMIO_CONFIG + 3, 1, false, 0), 0x04);
	assert_int_equal(access(VIRTIO_MMIO_CONFIG + 2, 2, false, 0), 0x0403);
	assert_int_equal(access(VIRTIO_MMIO_CONFIG + 4, 4, false, 0),
			 0x08070605);
	/* Widths and alignments §4.2.2.2 does not allow, and outside. */
	assert_int_equal(access(VIRTIO_MMIO_CONFIG, 8, false, 0), 0);
	assert_int_equal(access(VIRTIO_MMIO_CONFIG + 1, 2, false, 0), 0);
	assert_int_equal(access(VIRTIO_MMIO_CONFIG + 2, 4, false, 0), 0);
	assert_int_equal(access(VIRTIO_MMIO_CONFIG + CONFIG_SIZE, 1, false, 0),
			 0);
	assert_int_equal(access(VIRTIO_MMIO_CONFIG + 0xefc, 4, false, 0), 0);
	access(VIRTIO_MMIO_CONFIG + 1, 1, true, 0xaa);
	access(VIRTIO_MMIO_CONFIG + 6, 2, true, 0xbbcc);
	access(VIRTIO_MMIO_CONFIG + 3, 2, true, 0xeeee);
	access(VIRTIO_MMIO_CONFIG + 8, 4, true, 0xeeeeeeee);
	access(VIRTIO_MMIO_CONFIG, 8, true, UINT64_MAX);
	assert_memory_equal(seen.config, "\x01\xaa\x03\x04\x05\x06\xcc\xbb",
			    CONFIG_SIZE);
}

/* --- Split virtqueues -------------------------------------------------- */

static void test_virtq_normal_chain(void **st)
{
	(void)st;
	start(VIRTIO_F_VERSION_1);
	assert_int_equal(pop(), VIRTQ_EMPTY);
	set_desc(DESC_OFF, 3, gpa(BUF_OFF), 16, VIRTQ_DESC_F_NEXT, 5);
	set_desc(DESC_OFF, 5, gpa(BUF_OFF + 0x100), 512, VIRTQ_DESC_F_NEXT, 0);
	set_desc(DESC_OFF, 0, gpa(BUF_OFF + 0x400), 1, VIRTQ_DESC_F_WRITE, 0);
	offer(3);
	assert_int_equal(pop(), VIRTQ_POPPED);
	assert_int_equal(chain.head, 3);
	assert_int_equal(chain.count, 3);
	assert_int_equal(chain.readable, 528);
	assert_int_equal(chain.writable, 1);
	assert_int_equal(segs[0].gpa, gpa(BUF_OFF));
	assert_ptr_equal(segs[0].ptr, mem + BUF_OFF);
	assert_int_equal(segs[0].len, 16);
	assert_false(segs[0].write);
	assert_ptr_equal(segs[1].ptr, mem + BUF_OFF + 0x100);
	assert_int_equal(segs[1].len, 512);
	assert_ptr_equal(segs[2].ptr, mem + BUF_OFF + 0x400);
	assert_true(segs[2].write);
	assert_int_equal(pop(), VIRTQ_EMPTY);

	assert_int_equal(virtq_push(&dev, 0, chain.head, 1), IPC_OK);
	assert_int_equal(get16(USED_OFF + 2), 1);
	assert_int_equal(get32(USED_OFF + 4), 3);
	assert_int_equal(get32(USED_OFF + 8), 1);
	assert_true(virtq_signal(&dev, 0));
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_INT_VRING);
	assert_true(seen.irq);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_INT_VRING);
	assert_false(seen.irq);

	/* The ring wraps: 2 * QNUM more chains, in order. */
	for (uint32_t i = 0; i < 2 * QNUM; i++) {
		set_desc(DESC_OFF, i % QNUM, gpa(BUF_OFF + i), 1, 0, 0);
		offer((uint16_t)(i % QNUM));
		assert_int_equal(pop(), VIRTQ_POPPED);
		assert_int_equal(chain.head, i % QNUM);
		assert_int_equal(segs[0].gpa, gpa(BUF_OFF + i));
		assert_int_equal(virtq_push(&dev, 0, chain.head, 0), IPC_OK);
	}
	assert_int_equal(get16(USED_OFF + 2), 1 + 2 * QNUM);
	assert_int_equal(state.queue[0].last_avail, 1 + 2 * QNUM);
	/* A head past the queue is refused by push (service bug). */
	assert_int_equal(virtq_push(&dev, 0, QNUM, 0), IPC_ERR_INVALID);
	assert_int_equal(virtq_push(&dev, 1, 0, 0), IPC_ERR_INVALID);
	assert_int_equal(virtq_push(&dev, QCOUNT, 0, 0), IPC_ERR_INVALID);
	assert_true(virtio_dev_running(&dev));
}

static void test_virtq_interrupt_suppressed(void **st)
{
	(void)st;
	start(VIRTIO_F_VERSION_1);
	set_desc(DESC_OFF, 0, gpa(BUF_OFF), 4, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	put16(AVAIL_OFF, VIRTQ_AVAIL_F_NO_INTERRUPT);
	assert_int_equal(pop(), VIRTQ_POPPED);
	assert_int_equal(virtq_push(&dev, 0, 0, 4), IPC_OK);
	assert_false(virtq_signal(&dev, 0));
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_false(seen.irq);
	put16(AVAIL_OFF, 0);
	assert_true(virtq_signal(&dev, 0));
}

static void test_virtq_indirect(void **st)
{
	(void)st;
	start(VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT_DESC);
	set_desc(TABLE_OFF, 0, gpa(BUF_OFF), 16, VIRTQ_DESC_F_NEXT, 2);
	set_desc(TABLE_OFF, 2, gpa(BUF_OFF + 16), 8,
		 VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	set_desc(TABLE_OFF, 1, gpa(BUF_OFF + 32), 1, VIRTQ_DESC_F_WRITE, 0);
	/* A readable descriptor, then the table (its WRITE flag ignored). */
	set_desc(DESC_OFF, 6, gpa(BUF_OFF + 64), 4, VIRTQ_DESC_F_NEXT, 7);
	set_desc(DESC_OFF, 7, gpa(TABLE_OFF), 3 * 16,
		 VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
	offer(6);
	assert_int_equal(pop(), VIRTQ_POPPED);
	assert_int_equal(chain.head, 6);
	assert_int_equal(chain.count, 4);
	assert_int_equal(segs[0].gpa, gpa(BUF_OFF + 64));
	assert_int_equal(segs[1].gpa, gpa(BUF_OFF));
	assert_int_equal(segs[2].gpa, gpa(BUF_OFF + 16));
	assert_true(segs[2].write);
	assert_int_equal(segs[3].gpa, gpa(BUF_OFF + 32));
	assert_int_equal(chain.readable, 20);
	assert_int_equal(chain.writable, 9);
}

/** Start a device with indirect descriptors and offer @p desc as head 0. */
static void offer_indirect(uint32_t len, uint16_t flags, uint64_t table)
{
	start(VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT_DESC);
	set_desc(DESC_OFF, 0, table, len, flags, 0);
	offer(0);
}

static void test_virtq_indirect_malformed(void **st)
{
	(void)st;
	/* Not negotiated. */
	start(VIRTIO_F_VERSION_1);
	set_desc(TABLE_OFF, 0, gpa(BUF_OFF), 1, 0, 0);
	set_desc(DESC_OFF, 0, gpa(TABLE_OFF), 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	assert_int_equal(pop(), VIRTQ_ERR_BROKEN);
	assert_failed(VIRTIO_FAULT_INDIRECT);
	/* INDIRECT with NEXT (§2.7.5.3.1). */
	offer_indirect(16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT,
		       gpa(TABLE_OFF));
	assert_int_equal(pop(), VIRTQ_ERR_BROKEN);
	assert_failed(VIRTIO_FAULT_INDIRECT);
	/* Length not a multiple of a descriptor; empty table. */
	offer_indirect(24, VIRTQ_DESC_F_INDIRECT, gpa(TABLE_OFF));
	assert_int_equal(pop(), VIRTQ_ERR_BROKEN);
	assert_failed(VIRTIO_FAULT_INDIRECT);
	offer_indirect(0, VIRTQ_DESC_F_INDIRECT, gpa(TABLE_OFF));
	assert_int_equal(pop(), VIRTQ_ERR_BROKEN);
	assert_failed(VIRTIO_FAULT_INDIRECT);
	/* Misaligned table. */
	offer_indirect(16, VIRTQ_DESC_F_INDIRECT, gpa(TABLE_OFF + 4));
	assert_int_equal(pop(), VIRTQ_ERR_BROKEN);
	assert_failed(VIRTIO_FAULT_INDIRECT);
	/* Nested table. */
	set_desc(TABLE_OFF, 0, gpa(TABLE_OFF), 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer_indirect(16, VIRTQ_DESC_F_INDIRECT, gpa(TABLE_OFF));
	assert_int_equal(pop(), VIRTQ_ERR_BROKEN);
	assert_failed(VIRTIO_FAULT_INDIRECT);
	/* Table outside the grant, and one of 2^28 entries. */
	offer_indirect(16, VIRTQ_DESC_F_INDIRECT, gpa(MEM_SIZE));
	assert_int_equal(pop(), VIRTQ_ERR_BROKEN);
	assert_failed(VIRTIO_FAULT_BUFFER_RANGE);
	offer_indirect(0xfffffff0U, VIRTQ_DESC_F_INDIRECT, gpa(TABLE_OFF));
	assert_int_equal(pop(), VIRTQ_ERR_BROKEN);
	assert_failed(VIRTIO_FAULT_BUFFER_RANGE);
	/* A loop inside the table; a next past its end. */
	set_desc(TABLE_OFF, 0, gpa(BUF_OFF), 1, VIRTQ_DESC_F_NEXT, 1);
	set_desc(TABLE_OFF, 1, gpa(BUF_OFF), 1, VIRTQ_DESC_F_NEXT, 0);
	offer_indirect(2 * 16, VIRTQ_DESC_F_INDIRECT, gpa(TABLE_OFF));
	assert_int_equal(pop(), VIRTQ_ERR_BROKEN);
	assert_failed(VIRTIO_FAULT_CHAIN_LENGTH);
	set_desc(TABLE_OFF, 1, gpa(BUF_OFF), 1, VIRTQ_DESC_F_NEXT, 2);
	offer_indirect(2 * 16, VIRTQ_DESC_F_INDIRECT, gpa(TABLE_OFF));
	assert_int_equal(pop(), VIRTQ_ERR_BROKEN);
	assert_failed(VIRTIO_FAULT_DESC_INDEX);
	/* A buffer of the table outside the grant. */
	set_desc(TABLE_OFF, 0, gpa(MEM_SIZE - 4), 8, 0, 0);
	offer_indirect(16, VIRTQ_DESC_F_INDIRECT, gpa(TABLE_OFF));
	assert_int_equal(pop(), VIRTQ_ERR_BROKEN);
	assert_failed(VIRTIO_FAULT_BUFFER_RANGE);
}

static void test_virtq_avail_idx_jump(void **st)
{
	(void)st;
	start(VIRTIO_F_VERSION_1);
	set_desc(DESC_OFF, 0, gpa(BUF_OFF), 1, 0, 0);
	/* QNUM ahead is the most a driver can have outstanding. */
	put16(AVAIL_OFF + 2, QNUM);
	assert_int_equal(pop(), VIRTQ_POPPED);
	put16(AVAIL_OFF + 2, 1 + QNUM + 1);
	assert_int_equal(pop(), VIRTQ_ERR_BROKEN);
	assert_failed(VIRTIO_FAULT_AVAIL_IDX);
}

static void test_virtq_head_index_past_size(void **st)
{
	(void)st;
	start(VIRTIO_F_VERSION_1);
	offer(QNUM);
	assert_int_equal(pop(), VIRTQ_ERR_BROKEN);
	assert_failed(VIRTIO_FAULT_DESC_INDEX);
}

static void test_virtq_next_index_past_size(void **st)
{
	(void)st;
	start(VIRTIO_F_VERSION_1);
	set_desc(DESC_OFF, 0, gpa(BUF_OFF), 1, VIRTQ_DESC_F_NEXT, 0xffff);
	offer(0);
	assert_int_equal(pop(), VIRTQ_ERR_BROKEN);
	assert_failed(VIRTIO_FAULT_DESC_INDEX);
}

static void test_virtq_descriptor_loop(void **st)
{
	(void)st;
	start(VIRTIO_F_VERSION_1);
	/* 0 -> 1 -> 2 -> 1: never ends. */
	set_desc(DESC_OFF, 0, gpa(BUF_OFF), 1, VIRTQ_DESC_F_NEXT, 1);
	set_desc(DESC_OFF, 1, gpa(BUF_OFF), 1, VIRTQ_DESC_F_NEXT, 2);
	set_desc(DESC_OFF, 2, gpa(BUF_OFF), 1, VIRTQ_DESC_F_NEXT, 1);
	offer(0);
	assert_int_equal(virtq_pop(&dev, 0, &chain, segs, SEG_MAX),
			 VIRTQ_ERR_BROKEN);
	assert_failed(VIRTIO_FAULT_CHAIN_LENGTH);
}

static void test_virtq_chain_of_queue_size(void **st)
{
	struct virtq_seg many[QNUM + 1];

	(void)st;
	start(VIRTIO_F_VERSION_1);
	/* The longest legal chain: all QNUM descriptors. */
	for (uint16_t i = 0; i < QNUM; i++) {
		set_desc(DESC_OFF, i, gpa(BUF_OFF), 1,
			 i + 1U < QNUM ? VIRTQ_DESC_F_NEXT : 0, i + 1U);
	}
	offer(0);
	assert_int_equal(virtq_pop(&dev, 0, &chain, many, QNUM + 1),
			 VIRTQ_POPPED);
	assert_int_equal(chain.count, QNUM);
}

static void test_virtq_chain_longer_than_segments(void **st)
{
	(void)st;
	start(VIRTIO_F_VERSION_1);
	for (uint16_t i = 0; i < 3; i++) {
		set_desc(DESC_OFF, i, gpa(BUF_OFF), 1, VIRTQ_DESC_F_NEXT,
			 i + 1U);
	}
	set_desc(DESC_OFF, 3, gpa(BUF_OFF), 1, 0, 0);
	offer(0);
	offer(3);
	/* Consumed, not a ring fault: the service completes it empty. */
	assert_int_equal(virtq_pop(&dev, 0, &chain, segs, 2), VIRTQ_ERR_SEGS);
	assert_int_equal(chain.head, 0);
	assert_int_equal(chain.count, 0);
	assert_true(virtio_dev_running(&dev));
	assert_int_equal(virtq_push(&dev, 0, chain.head, 0), IPC_OK);
	assert_int_equal(virtq_pop(&dev, 0, &chain, segs, 2), VIRTQ_POPPED);
	assert_int_equal(chain.head, 3);
}

/* A loop found only after seg_max segments is still a loop (§2.7.4.2):
 * the walk goes on past the segments it takes. So does a buffer outside
 * the grant further on. */
static void test_virtq_loop_past_segments(void **st)
{
	(void)st;
	start(VIRTIO_F_VERSION_1);
	set_desc(DESC_OFF, 0, gpa(BUF_OFF), 1, VIRTQ_DESC_F_NEXT, 1);
	set_desc(DESC_OFF, 1, gpa(BUF_OFF), 1, VIRTQ_DESC_F_NEXT, 2);
	set_desc(DESC_OFF, 2, gpa(BUF_OFF), 1, VIRTQ_DESC_F_NEXT, 1);
	offer(0);
	assert_int_equal(virtq_pop(&dev, 0, &chain, segs, 2), VIRTQ_ERR_BROKEN);
	assert_failed(VIRTIO_FAULT_CHAIN_LENGTH);

	start(VIRTIO_F_VERSION_1);
	set_desc(DESC_OFF, 0, gpa(BUF_OFF), 1, VIRTQ_DESC_F_NEXT, 1);
	set_desc(DESC_OFF, 1, gpa(BUF_OFF), 1, VIRTQ_DESC_F_NEXT, 2);
	set_desc(DESC_OFF, 2, 0, 1, 0, 0);
	offer(0);
	assert_int_equal(virtq_pop(&dev, 0, &chain, segs, 2), VIRTQ_ERR_BROKEN);
	assert_failed(VIRTIO_FAULT_BUFFER_RANGE);
}

static void test_virtq_buffer_outside_grant(void **st)
{
	static const struct {
		uint64_t addr;
		uint32_t len;
	} bad[] = {
		{ GPA_BASE + MEM_SIZE, 1 },	/* just past */
		{ GPA_BASE + MEM_SIZE - 4, 8 }, /* straddles the end */
		{ GPA_BASE - 1, 2 },		/* straddles the start */
		{ GPA_BASE, 0xffffffffU },	/* huge length */
		{ UINT64_MAX - 0xf, 0x20 },	/* wraps around */
		{ 0, 1 },
	};

	(void)st;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		teardown(NULL);
		setup(NULL);
		start(VIRTIO_F_VERSION_1);
		set_desc(DESC_OFF, 0, gpa(BUF_OFF), 4, VIRTQ_DESC_F_NEXT, 1);
		set_desc(DESC_OFF, 1, bad[i].addr, bad[i].len, 0, 0);
		offer(0);
		assert_int_equal(pop(), VIRTQ_ERR_BROKEN);
		assert_failed(VIRTIO_FAULT_BUFFER_RANGE);
	}
}

static void test_virtq_readable_after_writable(void **st)
{
	(void)st;
	start(VIRTIO_F_VERSION_1);
	set_desc(DESC_OFF, 0, gpa(BUF_OFF), 4,
		 VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	set_desc(DESC_OFF, 1, gpa(BUF_OFF), 4, 0, 0);
	offer(0);
	assert_int_equal(pop(), VIRTQ_ERR_BROKEN);
	assert_failed(VIRTIO_FAULT_DESC_ORDER);
}

/* Found by fuzz_virtq: the order rule holds for an empty writable buffer. */
static void test_virtq_readable_after_empty_writable(void **st)
{
	(void)st;
	start(VIRTIO_F_VERSION_1);
	set_desc(DESC_OFF, 0, gpa(BUF_OFF), 0,
		 VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	set_desc(DESC_OFF, 1, gpa(BUF_OFF), 4, 0, 0);
	offer(0);
	assert_int_equal(pop(), VIRTQ_ERR_BROKEN);
	assert_failed(VIRTIO_FAULT_DESC_ORDER);
}

/** Queue 0 made ready with @p num and rings at @p desc/@p avail/@p used:
 * refused with @p fault. */
static void check_bad_queue(uint32_t num, uint64_t desc, uint64_t avail,
			    uint64_t used, enum virtio_fault fault)
{
	teardown(NULL);
	setup(NULL);
	assert_true(negotiate(VIRTIO_F_VERSION_1) & VIRTIO_STATUS_FEATURES_OK);
	queue_setup(num, desc, avail, used);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	driver_ok();
	assert_failed(fault);
}

static void test_virtq_bad_queue_size(void **st)
{
	(void)st;
	check_bad_queue(0, gpa(DESC_OFF), gpa(AVAIL_OFF), gpa(USED_OFF),
			VIRTIO_FAULT_QUEUE_SIZE);
	check_bad_queue(3, gpa(DESC_OFF), gpa(AVAIL_OFF), gpa(USED_OFF),
			VIRTIO_FAULT_QUEUE_SIZE);
	check_bad_queue(2 * QMAX, gpa(DESC_OFF), gpa(AVAIL_OFF), gpa(USED_OFF),
			VIRTIO_FAULT_QUEUE_SIZE);
	check_bad_queue(0x10000 + QNUM, gpa(DESC_OFF), gpa(AVAIL_OFF),
			gpa(USED_OFF), VIRTIO_FAULT_QUEUE_SIZE);
}

static void test_virtq_bad_ring_alignment(void **st)
{
	(void)st;
	check_bad_queue(QNUM, gpa(DESC_OFF + 8), gpa(AVAIL_OFF), gpa(USED_OFF),
			VIRTIO_FAULT_RING_ALIGN);
	check_bad_queue(QNUM, gpa(DESC_OFF), gpa(AVAIL_OFF + 1), gpa(USED_OFF),
			VIRTIO_FAULT_RING_ALIGN);
	check_bad_queue(QNUM, gpa(DESC_OFF), gpa(AVAIL_OFF), gpa(USED_OFF + 2),
			VIRTIO_FAULT_RING_ALIGN);
}

static void test_virtq_ring_outside_grant(void **st)
{
	(void)st;
	check_bad_queue(QNUM, gpa(MEM_SIZE), gpa(AVAIL_OFF), gpa(USED_OFF),
			VIRTIO_FAULT_RING_RANGE);
	/* The descriptor table's last entry past the end. */
	check_bad_queue(QNUM, gpa(MEM_SIZE - 16 * (QNUM - 1)), gpa(AVAIL_OFF),
			gpa(USED_OFF), VIRTIO_FAULT_RING_RANGE);
	check_bad_queue(QNUM, gpa(DESC_OFF), gpa(MEM_SIZE - 4 - 2 * QNUM + 2),
			gpa(USED_OFF), VIRTIO_FAULT_RING_RANGE);
	check_bad_queue(QNUM, gpa(DESC_OFF), gpa(AVAIL_OFF),
			gpa(MEM_SIZE - 4 - 8 * QNUM + 4),
			VIRTIO_FAULT_RING_RANGE);
	check_bad_queue(QNUM, UINT64_MAX - 0xf, gpa(AVAIL_OFF), gpa(USED_OFF),
			VIRTIO_FAULT_RING_RANGE);
	teardown(NULL);
	setup(NULL);
	/* Exactly at the end is fine. */
	assert_true(negotiate(VIRTIO_F_VERSION_1) & VIRTIO_STATUS_FEATURES_OK);
	queue_setup(QNUM, gpa(MEM_SIZE - 16 * QNUM),
		    gpa(MEM_SIZE - 4 - 2 * QNUM), gpa(MEM_SIZE - 4 - 8 * QNUM));
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 1);
}

static void test_virtq_reset_after_failure_recovers(void **st)
{
	(void)st;
	start(VIRTIO_F_VERSION_1);
	offer(QNUM);
	assert_int_equal(pop(), VIRTQ_ERR_BROKEN);
	assert_failed(VIRTIO_FAULT_DESC_INDEX);
	assert_int_equal(virtq_push(&dev, 0, 0, 0), IPC_ERR_INVALID);
	memset(mem, 0, MEM_SIZE);
	start(VIRTIO_F_VERSION_1);
	assert_int_equal(state.fault, VIRTIO_FAULT_NONE);
	assert_false(seen.irq);
	set_desc(DESC_OFF, 0, gpa(BUF_OFF), 1, 0, 0);
	offer(0);
	assert_int_equal(pop(), VIRTQ_POPPED);
}

static void test_virtq_state_survives_restart(void **st)
{
	struct virtio_state kept;
	struct virtio_dev again;

	(void)st;
	start(VIRTIO_F_VERSION_1);
	set_desc(DESC_OFF, 0, gpa(BUF_OFF), 1, 0, 0);
	offer(0);
	offer(0);
	assert_int_equal(pop(), VIRTQ_POPPED);
	assert_int_equal(virtq_push(&dev, 0, 0, 0), IPC_OK);
	/* A restarted service binds the state it kept: no pointer in it. */
	memcpy(&kept, &state, sizeof(kept));
	virtio_dev_bind(&again, &kept, &ops, NULL, &gmem);
	assert_int_equal(virtq_pop(&again, 0, &chain, segs, SEG_MAX),
			 VIRTQ_POPPED);
	assert_int_equal(virtq_pop(&again, 0, &chain, segs, SEG_MAX),
			 VIRTQ_EMPTY);
	assert_int_equal(virtq_push(&again, 0, 0, 0), IPC_OK);
	assert_int_equal(get16(USED_OFF + 2), 2);
	/* A kept queue size that is not valid fails the device, no crash. */
	kept.queue[0].num = 3;
	assert_int_equal(virtq_pop(&again, 0, &chain, segs, SEG_MAX),
			 VIRTQ_ERR_BROKEN);
	assert_int_equal(kept.fault, VIRTIO_FAULT_QUEUE_SIZE);
}

/* --- Guest memory ------------------------------------------------------ */

static void test_virtio_gmem_lookup(void **st)
{
	struct virtio_gmem g;
	static uint8_t a[64] __attribute__((aligned(16)));
	static uint8_t b[32] __attribute__((aligned(16)));

	(void)st;
	virtio_gmem_init(&g);
	assert_null(virtio_gmem_ptr(&g, 0, 0));
	assert_int_equal(virtio_gmem_add(&g, 0x1000, sizeof(a), a), IPC_OK);
	assert_int_equal(virtio_gmem_add(&g, 0x2000, sizeof(b), b), IPC_OK);
	assert_ptr_equal(virtio_gmem_ptr(&g, 0x1000, 64), a);
	assert_ptr_equal(virtio_gmem_ptr(&g, 0x1010, 48), a + 16);
	assert_ptr_equal(virtio_gmem_ptr(&g, 0x1040, 0), a + 64);
	assert_ptr_equal(virtio_gmem_ptr(&g, 0x2000, 32), b);
	assert_null(virtio_gmem_ptr(&g, 0x1000, 65));
	assert_null(virtio_gmem_ptr(&g, 0x0fff, 2));
	assert_null(virtio_gmem_ptr(&g, 0x1041, 0));
	assert_null(virtio_gmem_ptr(&g, 0x1020, UINT64_MAX));
	assert_null(virtio_gmem_ptr(&g, UINT64_MAX, 2));
	/* Across two regions is outside (each buffer lies in one grant). */
	assert_null(virtio_gmem_ptr(&g, 0x1030, 0x1000));
	/* Refused regions. */
	assert_int_equal(virtio_gmem_add(&g, 0x3000, 0, a), IPC_ERR_INVALID);
	assert_int_equal(virtio_gmem_add(&g, 0x3000, 16, NULL),
			 IPC_ERR_INVALID);
	assert_int_equal(virtio_gmem_add(&g, UINT64_MAX - 15, 32, a),
			 IPC_ERR_INVALID);
	assert_int_equal(virtio_gmem_add(&g, 0x3004, 16, a), IPC_ERR_INVALID);
	assert_int_equal(virtio_gmem_add(&g, 0x3000, 16, a + 16), IPC_OK);
	assert_int_equal(virtio_gmem_add(&g, 0x4000, 16, a + 32), IPC_OK);
	assert_int_equal(virtio_gmem_add(&g, 0x5000, 16, a), IPC_ERR_INVALID);
	assert_int_equal(g.count, VIRTIO_GMEM_MAX_REGIONS);
}

/* §3.1.1: features first (FEATURES_OK), then queues, then DRIVER_OK. */
static void test_virtio_init_order(void **st)
{
	(void)st;
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	queue_setup(QNUM, gpa(DESC_OFF), gpa(AVAIL_OFF), gpa(USED_OFF));
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_failed(VIRTIO_FAULT_SEQUENCE);

	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE |
				       VIRTIO_STATUS_DRIVER |
				       VIRTIO_STATUS_DRIVER_OK);
	assert_failed(VIRTIO_FAULT_SEQUENCE);

	/* After a reset, the right order works. */
	start(VIRTIO_F_VERSION_1);
}

static void test_virtio_fault_names(void **st)
{
	(void)st;
	for (uint32_t f = 0; f < VIRTIO_FAULT_COUNT; f++) {
		assert_non_null(virtio_fault_name(f));
	}
	assert_string_equal(virtio_fault_name(VIRTIO_FAULT_COUNT), "unknown");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_virtio_mmio_identity),
		T(test_virtio_mmio_device_features),
		T(test_virtio_features_ok_accepts_subset),
		T(test_virtio_features_ok_refused_without_version_1),
		T(test_virtio_features_ok_refused_unoffered),
		T(test_virtio_status_reset),
		T(test_virtio_queue_registers),
		T(test_virtio_queue_notify),
		T(test_virtio_doorbell_notifies_ready_queues),
		T(test_virtio_driver_ok_kicks_ready_queues),
		T(test_virtio_interrupt_ack),
		T(test_virtio_mmio_bad_width_and_offset),
		T(test_virtio_config_space),
		T(test_virtq_normal_chain),
		T(test_virtq_interrupt_suppressed),
		T(test_virtq_indirect),
		T(test_virtq_indirect_malformed),
		T(test_virtq_avail_idx_jump),
		T(test_virtq_head_index_past_size),
		T(test_virtq_next_index_past_size),
		T(test_virtq_descriptor_loop),
		T(test_virtq_chain_of_queue_size),
		T(test_virtq_chain_longer_than_segments),
		T(test_virtq_loop_past_segments),
		T(test_virtq_buffer_outside_grant),
		T(test_virtq_readable_after_writable),
		T(test_virtq_readable_after_empty_writable),
		T(test_virtq_bad_queue_size),
		T(test_virtq_bad_ring_alignment),
		T(test_virtq_ring_outside_grant),
		T(test_virtq_reset_after_failure_recovers),
		T(test_virtq_state_survives_restart),
		T(test_virtio_gmem_lookup),
		T(test_virtio_init_order),
		T(test_virtio_fault_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
