/**
 * cmocka tests of the virtio-mmio driver (libipc/src/virtio_drv.c) against
 * a small model of a modern virtio-mmio device in this file: its registers
 * (virtio 1.2 §4.2.2), and a queue that serves each chain it is notified of
 * by filling the device-writable buffers with a pattern. The model reaches
 * the rings by "physical" address: the fake translation adds PA_OFFSET, so
 * a driver that handed the device a virtual address would be caught.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipc/virtio_drv.h"

/** Fake PA = address + PA_OFFSET. */
#define PA_OFFSET 0x100000000000ULL
#define MODEL_QUEUE_MAX 64U
#define OFFERED (VIRTIO_F_VERSION_1 | 1ULL << 9 | 1ULL << 5)
#define CAPACITY 0x123456789aULL
#define QMEM_BYTES 8192U

/** The device model. */
struct model {
	uint32_t magic, version, device_id;
	uint64_t offered;
	bool refuse_features_ok;
	uint32_t status, dev_sel, drv_sel, queue_sel, int_status;
	uint64_t driver_features;
	uint32_t queue_num_max, queue_num, queue_ready;
	uint64_t desc, avail, used;
	uint16_t last_avail;
	uint32_t notifies;
	bool stall;			/* take chains but complete none */
	bool bogus_id;			/* complete with a head not in flight */
	uint32_t generation, gen_bumps; /* bump on the next config reads */
	uint32_t status_writes[8], status_write_count;
};

static struct model dev;
static uint64_t contiguous = UINT64_MAX;
static _Alignas(16) uint8_t qmem[QMEM_BYTES];

/* The kernel refuses a range past what is contiguous (HYP_IPC_TRANSLATE). */
static int fake_translate(uint64_t ipa, uint64_t len, uint64_t *pa)
{
	if (len == 0 || len > contiguous) {
		return -1;
	}
	*pa = ipa + PA_OFFSET;
	return 0;
}

static void *host(uint64_t pa)
{
	return (void *)(uintptr_t)(pa - PA_OFFSET);
}

/* The device serves every new avail entry: writable buffers get the
 * head + 1 as a pattern, the used length counts them. */
static void model_process(void)
{
	struct virtio_drv_desc *desc = host(dev.desc);
	struct virtio_drv_avail *avail = host(dev.avail);
	struct virtio_drv_used *used = host(dev.used);

	while (!dev.stall && dev.last_avail != avail->idx) {
		uint16_t head = avail->ring[dev.last_avail % dev.queue_num];
		uint32_t written = 0;

		for (uint16_t i = head, n = 0;; i = desc[i].next, n++) {
			assert_true(i < dev.queue_num && n < dev.queue_num);
			if (desc[i].flags & VIRTQ_DESC_F_WRITE) {
				memset(host(desc[i].addr), head + 1,
				       desc[i].len);
				written += desc[i].len;
			}
			if (!(desc[i].flags & VIRTQ_DESC_F_NEXT)) {
				break;
			}
		}
		used->ring[used->idx % dev.queue_num] =
			(struct virtio_drv_used_elem){
				.id = dev.bogus_id ? dev.queue_num - 1U : head,
				.len = written
			};
		used->idx++;
		dev.last_avail++;
		/* §2.7.7.2, as QEMU's virtio does without EVENT_IDX: no
		 * interrupt while the driver's flags say NO_INTERRUPT. */
		if ((avail->flags & VIRTQ_AVAIL_F_NO_INTERRUPT) == 0) {
			dev.int_status |= VIRTIO_INT_VRING;
		}
	}
}

static uint64_t set_half(uint64_t v, bool high, uint32_t half)
{
	return high ? (v & 0xffffffffULL) | (uint64_t)half << 32
		    : (v & ~0xffffffffULL) | half;
}

uint32_t virtio_drv_reg_read(const struct virtio_drv *d, uint32_t off)
{
	(void)d;
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return dev.magic;
	case VIRTIO_MMIO_VERSION:
		return dev.version;
	case VIRTIO_MMIO_DEVICE_ID:
		return dev.device_id;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return (uint32_t)(dev.offered >> (32 * dev.dev_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return dev.queue_sel == 0 ? dev.queue_num_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return dev.queue_ready;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return dev.int_status;
	case VIRTIO_MMIO_STATUS:
		return dev.status;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		if (dev.gen_bumps != 0) {
			dev.gen_bumps--;
			dev.generation++;
		}
		return dev.generation;
	case VIRTIO_MMIO_CONFIG:
		return (uint32_t)CAPACITY;
	case VIRTIO_MMIO_CONFIG + 4:
		return (uint32_t)(CAPACITY >> 32);
	default:
		fail_msg("read of register 0x%x", off);
		return 0;
	}
}

static void model_status(uint32_t v)
{
	if (dev.status_write_count < 8) {
		dev.status_writes[dev.status_write_count++] = v;
	}
	if (v == 0) {
		dev.status = 0;
		dev.queue_ready = 0;
		dev.last_avail = 0;
		dev.int_status = 0;
		return;
	}
	if ((v & VIRTIO_STATUS_FEATURES_OK) && dev.refuse_features_ok) {
		v &= ~VIRTIO_STATUS_FEATURES_OK;
	}
	dev.status = v;
}

void virtio_drv_reg_write(const struct virtio_drv *d, uint32_t off, uint32_t v)
{
	(void)d;
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		dev.dev_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		dev.drv_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		dev.driver_features =
			set_half(dev.driver_features, dev.drv_sel == 1, v);
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		dev.queue_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		dev.queue_num = v;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		dev.queue_ready = v;
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		assert_int_equal(v, 0);
		dev.notifies++;
		model_process();
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		dev.int_status &= ~v;
		break;
	case VIRTIO_MMIO_STATUS:
		model_status(v);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		dev.desc = set_half(dev.desc, off & 4, v);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		dev.avail = set_half(dev.avail, off & 4, v);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		dev.used = set_half(dev.used, off & 4, v);
		break;
	default:
		fail_msg("write of register 0x%x", off);
	}
}

static int setup(void **state)
{
	(void)state;
	dev = (struct model){
		.magic = VIRTIO_MMIO_MAGIC,
		.version = VIRTIO_MMIO_VERSION_2,
		.device_id = VIRTIO_ID_BLOCK,
		.offered = OFFERED,
		.queue_num_max = MODEL_QUEUE_MAX,
	};
	contiguous = UINT64_MAX;
	memset(qmem, 0xee, sizeof(qmem));
	return 0;
}

/* A driver through probe, init, one queue and DRIVER_OK. */
static void bring_up(struct virtio_drv *d, uint16_t num)
{
	assert_int_equal(virtio_drv_probe(d, 0, VIRTIO_ID_BLOCK,
					  fake_translate),
			 VIRTIO_DRV_OK);
	assert_int_equal(virtio_drv_init(d, ~0ULL), VIRTIO_DRV_OK);
	assert_int_equal(virtio_drv_queue_setup(d, 0, qmem, sizeof(qmem), num),
			 VIRTIO_DRV_OK);
	virtio_drv_driver_ok(d);
}

static void test_virtio_drv_probe_accepts_modern_device(void **state)
{
	struct virtio_drv d;

	(void)state;
	assert_int_equal(virtio_drv_probe(&d, 0x1000, VIRTIO_ID_BLOCK,
					  fake_translate),
			 VIRTIO_DRV_OK);
	assert_int_equal(d.device_id, VIRTIO_ID_BLOCK);
	assert_int_equal(d.base, 0x1000);
}

static void test_virtio_drv_probe_names_missing_device(void **state)
{
	struct virtio_drv d;

	(void)state;
	dev.device_id = VIRTIO_ID_NONE;
	int err = virtio_drv_probe(&d, 0, VIRTIO_ID_BLOCK, fake_translate);

	assert_int_equal(err, VIRTIO_DRV_ERR_ABSENT);
	assert_non_null(strstr(virtio_drv_strerror(err), "-device"));
	dev.magic = 0;
	assert_int_equal(virtio_drv_probe(&d, 0, VIRTIO_ID_BLOCK, NULL),
			 VIRTIO_DRV_ERR_ABSENT);
}

static void test_virtio_drv_probe_names_force_legacy(void **state)
{
	struct virtio_drv d;

	(void)state;
	dev.version = 1;
	int err = virtio_drv_probe(&d, 0, VIRTIO_ID_BLOCK, fake_translate);

	assert_int_equal(err, VIRTIO_DRV_ERR_LEGACY);
	assert_non_null(strstr(virtio_drv_strerror(err),
			       "-global virtio-mmio.force-legacy=false"));
}

static void test_virtio_drv_probe_refuses_other_device(void **state)
{
	struct virtio_drv d;

	(void)state;
	dev.device_id = VIRTIO_ID_NET;
	assert_int_equal(virtio_drv_probe(&d, 0, VIRTIO_ID_BLOCK,
					  fake_translate),
			 VIRTIO_DRV_ERR_DEVICE);
}

static void test_virtio_drv_init_negotiates_subset(void **state)
{
	struct virtio_drv d;

	(void)state;
	dev.status = VIRTIO_STATUS_DRIVER_OK; /* left live by a previous run */
	assert_int_equal(virtio_drv_probe(&d, 0, VIRTIO_ID_BLOCK,
					  fake_translate),
			 VIRTIO_DRV_OK);
	assert_int_equal(virtio_drv_init(&d, 1ULL << 9 | 1ULL << 3),
			 VIRTIO_DRV_OK);
	/* Only what both want, and VERSION_1 always. */
	assert_int_equal(d.features, VIRTIO_F_VERSION_1 | 1ULL << 9);
	assert_int_equal(dev.driver_features, d.features);
	/* §3.1.1: reset, ACKNOWLEDGE, DRIVER, FEATURES_OK in that order. */
	assert_int_equal(dev.status_writes[0], 0);
	assert_int_equal(dev.status_writes[1], VIRTIO_STATUS_ACKNOWLEDGE);
	assert_int_equal(dev.status_writes[2],
			 VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	assert_int_equal(dev.status, VIRTIO_STATUS_ACKNOWLEDGE |
					     VIRTIO_STATUS_DRIVER |
					     VIRTIO_STATUS_FEATURES_OK);
}

static void test_virtio_drv_init_requires_version_1(void **state)
{
	struct virtio_drv d;

	(void)state;
	dev.offered = 1ULL << 9;
	(void)virtio_drv_probe(&d, 0, VIRTIO_ID_BLOCK, fake_translate);
	assert_int_equal(virtio_drv_init(&d, ~0ULL), VIRTIO_DRV_ERR_FEATURES);
	assert_true(dev.status & VIRTIO_STATUS_FAILED);
}

static void test_virtio_drv_init_checks_features_ok(void **state)
{
	struct virtio_drv d;

	(void)state;
	dev.refuse_features_ok = true;
	(void)virtio_drv_probe(&d, 0, VIRTIO_ID_BLOCK, fake_translate);
	assert_int_equal(virtio_drv_init(&d, ~0ULL), VIRTIO_DRV_ERR_FEATURES);
	assert_true(dev.status & VIRTIO_STATUS_FAILED);
}

static void test_virtio_drv_queue_setup_gives_physical_addresses(void **state)
{
	struct virtio_drv d;

	(void)state;
	bring_up(&d, 16);
	assert_int_equal(d.q[0].num, 16);
	assert_int_equal(dev.queue_num, 16);
	assert_int_equal(dev.queue_ready, 1);
	assert_true(dev.desc == (uintptr_t)qmem + PA_OFFSET);
	assert_true(dev.avail == (uintptr_t)d.q[0].avail + PA_OFFSET);
	assert_true(dev.used == (uintptr_t)d.q[0].used + PA_OFFSET);
	assert_int_equal(dev.used % 4, 0);
	assert_true(dev.status & VIRTIO_STATUS_DRIVER_OK);
}

static void test_virtio_drv_queue_setup_caps_at_device_max(void **state)
{
	struct virtio_drv d;

	(void)state;
	bring_up(&d, 256);
	/* The model allows 64; 64 entries fit in 8 KiB. */
	assert_int_equal(d.q[0].num, MODEL_QUEUE_MAX);
}

/* A guest's driver: DMA addresses are IPAs. */
static void test_virtio_drv_identity(void **state)
{
	uint64_t pa = 0;

	(void)state;
	assert_int_equal(virtio_drv_identity(0x40201234ULL, 4096, &pa), 0);
	assert_int_equal(pa, 0x40201234ULL);
}

static void test_virtio_drv_queue_setup_refuses_bad_memory(void **state)
{
	struct virtio_drv d;

	(void)state;
	(void)virtio_drv_probe(&d, 0, VIRTIO_ID_BLOCK, fake_translate);
	(void)virtio_drv_init(&d, 0);
	contiguous = virtio_drv_queue_bytes(16) - 1;
	assert_int_equal(virtio_drv_queue_setup(&d, 0, qmem, sizeof(qmem), 16),
			 VIRTIO_DRV_ERR_DMA);
	contiguous = UINT64_MAX;
	assert_int_equal(virtio_drv_queue_setup(&d, 0, qmem, 16, 16),
			 VIRTIO_DRV_ERR_QUEUE);
	assert_int_equal(virtio_drv_queue_setup(&d, 0, qmem + 1, 8000, 16),
			 VIRTIO_DRV_ERR_INVALID);
	/* Queue 1 does not exist in the model (QueueNumMax 0). */
	assert_int_equal(virtio_drv_queue_setup(&d, 1, qmem, sizeof(qmem), 16),
			 VIRTIO_DRV_ERR_QUEUE);
	assert_int_equal(dev.queue_ready, 0);
	/* The rings' bytes, exactly, are what is asked for. */
	contiguous = virtio_drv_queue_bytes(16);
	assert_int_equal(virtio_drv_queue_setup(&d, 0, qmem, sizeof(qmem), 16),
			 VIRTIO_DRV_OK);
	contiguous = UINT64_MAX;
}

static void test_virtio_drv_submit_kick_harvest_round_trip(void **state)
{
	struct virtio_drv d;
	uint8_t hdr[16] = { 0 }, data[512], status = 0;
	uint16_t head, got;
	uint32_t len;

	(void)state;
	bring_up(&d, 8);
	struct virtio_drv_buf bufs[] = {
		{ .pa = (uintptr_t)hdr + PA_OFFSET, .len = sizeof(hdr) },
		{ .pa = (uintptr_t)data + PA_OFFSET,
		  .len = sizeof(data),
		  .device_writes = true },
		{ .pa = (uintptr_t)&status + PA_OFFSET,
		  .len = 1,
		  .device_writes = true },
	};

	assert_int_equal(virtio_drv_submit(&d, 0, bufs, 3, &head),
			 VIRTIO_DRV_OK);
	assert_int_equal(virtio_drv_in_flight(&d, 0), 1);
	assert_int_equal(virtio_drv_harvest(&d, 0, &got, &len),
			 VIRTIO_DRV_ERR_EMPTY);
	virtio_drv_kick(&d, 0);
	assert_int_equal(dev.notifies, 1);
	assert_int_equal(virtio_drv_irq_ack(&d), VIRTIO_INT_VRING);
	assert_int_equal(dev.int_status, 0);
	assert_int_equal(virtio_drv_harvest(&d, 0, &got, &len), VIRTIO_DRV_OK);
	assert_int_equal(got, head);
	assert_int_equal(len, sizeof(data) + 1);
	assert_int_equal(data[511], head + 1);
	assert_int_equal(status, head + 1);
	assert_int_equal(hdr[0], 0); /* device-readable: untouched */
	assert_int_equal(virtio_drv_in_flight(&d, 0), 0);
	assert_int_equal(d.q[0].num_free, 8);
	assert_int_equal(virtio_drv_harvest(&d, 0, &got, &len),
			 VIRTIO_DRV_ERR_EMPTY);
}

static void test_virtio_drv_submit_reuses_freed_descriptors(void **state)
{
	struct virtio_drv d;
	uint8_t buf[4][8];
	uint16_t head, got;
	uint32_t len;

	(void)state;
	bring_up(&d, 4);
	/* Many more chains than entries: the free list must recycle. */
	for (uint32_t round = 0; round < 100; round++) {
		struct virtio_drv_buf b[2] = {
			{ .pa = (uintptr_t)buf[0] + PA_OFFSET, .len = 8 },
			{ .pa = (uintptr_t)buf[1] + PA_OFFSET,
			  .len = 8,
			  .device_writes = true },
		};
		uint16_t heads[2], next[2];

		next[0] = virtio_drv_next_head(&d, 0);
		assert_int_equal(virtio_drv_submit(&d, 0, b, 2, &heads[0]),
				 VIRTIO_DRV_OK);
		next[1] = virtio_drv_next_head(&d, 0);
		assert_int_equal(virtio_drv_submit(&d, 0, b, 2, &heads[1]),
				 VIRTIO_DRV_OK);
		/* Known before the chain is published. */
		assert_int_equal(heads[0], next[0]);
		assert_int_equal(heads[1], next[1]);
		assert_int_equal(virtio_drv_submit(&d, 0, b, 1, &head),
				 VIRTIO_DRV_ERR_FULL);
		virtio_drv_kick(&d, 0);
		for (int i = 0; i < 2; i++) {
			assert_int_equal(virtio_drv_harvest(&d, 0, &got, &len),
					 VIRTIO_DRV_OK);
			assert_int_equal(got, heads[i]);
			assert_int_equal(len, 8);
		}
	}
	assert_int_equal(d.q[0].num_free, 4);
}

static void test_virtio_drv_kick_respects_no_notify(void **state)
{
	struct virtio_drv d;
	uint8_t b8[8];
	uint16_t head;

	(void)state;
	bring_up(&d, 4);
	d.q[0].used->flags = VIRTQ_USED_F_NO_NOTIFY;
	struct virtio_drv_buf b = { .pa = (uintptr_t)b8 + PA_OFFSET, .len = 8 };

	assert_int_equal(virtio_drv_submit(&d, 0, &b, 1, &head), VIRTIO_DRV_OK);
	virtio_drv_kick(&d, 0);
	assert_int_equal(dev.notifies, 0);
}

/* Interrupts off: the device uses buffers without interrupting, the
 * driver harvests them all the same; on again: it interrupts. */
static void test_virtio_drv_queue_interrupts_off_and_on(void **state)
{
	struct virtio_drv d;
	uint8_t b8[8];
	uint16_t head, got;
	uint32_t len;

	(void)state;
	bring_up(&d, 4);
	struct virtio_drv_buf b = { .pa = (uintptr_t)b8 + PA_OFFSET,
				    .len = 8,
				    .device_writes = true };

	virtio_drv_queue_interrupts(&d, 0, false);
	assert_int_equal(d.q[0].avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(virtio_drv_submit(&d, 0, &b, 1, &head),
				 VIRTIO_DRV_OK);
		virtio_drv_kick(&d, 0);
		assert_int_equal(dev.int_status, 0);
		assert_int_equal(virtio_drv_harvest(&d, 0, &got, &len),
				 VIRTIO_DRV_OK);
		assert_int_equal(got, head);
	}
	virtio_drv_queue_interrupts(&d, 0, true);
	assert_int_equal(d.q[0].avail->flags, 0);
	assert_int_equal(virtio_drv_submit(&d, 0, &b, 1, &head), VIRTIO_DRV_OK);
	virtio_drv_kick(&d, 0);
	assert_int_equal(virtio_drv_irq_ack(&d), VIRTIO_INT_VRING);
	/* No such queue: nothing happens. */
	virtio_drv_queue_interrupts(&d, VIRTIO_DRV_MAX_QUEUES, false);
	virtio_drv_queue_interrupts(&d, 1, false);
}

static void test_virtio_drv_harvest_refuses_head_not_in_flight(void **state)
{
	struct virtio_drv d;
	uint8_t b8[8];
	uint16_t head, got;
	uint32_t len;

	(void)state;
	bring_up(&d, 4);
	dev.bogus_id = true;
	struct virtio_drv_buf b = { .pa = (uintptr_t)b8 + PA_OFFSET, .len = 8 };

	assert_int_equal(virtio_drv_submit(&d, 0, &b, 1, &head), VIRTIO_DRV_OK);
	virtio_drv_kick(&d, 0);
	assert_int_equal(virtio_drv_harvest(&d, 0, &got, &len),
			 VIRTIO_DRV_ERR_BROKEN);
	assert_int_equal(d.q[0].num_free, 3);
}

static void test_virtio_drv_config_read64_retries_on_generation(void **state)
{
	struct virtio_drv d;

	(void)state;
	(void)virtio_drv_probe(&d, 0, VIRTIO_ID_BLOCK, fake_translate);
	dev.gen_bumps = 2;
	assert_true(virtio_drv_config_read64(&d, 0) == CAPACITY);
	assert_int_equal(dev.gen_bumps, 0);
}

static void test_virtio_drv_needs_reset_and_reset(void **state)
{
	struct virtio_drv d;

	(void)state;
	bring_up(&d, 4);
	assert_false(virtio_drv_needs_reset(&d));
	dev.status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	assert_true(virtio_drv_needs_reset(&d));
	assert_int_equal(virtio_drv_reset(&d), VIRTIO_DRV_OK);
	assert_int_equal(dev.status, 0);
	assert_int_equal(d.q[0].num, 0);
	assert_int_equal(virtio_drv_in_flight(&d, 0), 0);
	uint16_t head;
	struct virtio_drv_buf b = { .pa = PA_OFFSET, .len = 8 };

	assert_int_equal(virtio_drv_submit(&d, 0, &b, 1, &head),
			 VIRTIO_DRV_ERR_INVALID);
}

#define T(name) cmocka_unit_test_setup(name, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_virtio_drv_probe_accepts_modern_device),
		T(test_virtio_drv_probe_names_missing_device),
		T(test_virtio_drv_probe_names_force_legacy),
		T(test_virtio_drv_probe_refuses_other_device),
		T(test_virtio_drv_init_negotiates_subset),
		T(test_virtio_drv_init_requires_version_1),
		T(test_virtio_drv_init_checks_features_ok),
		T(test_virtio_drv_queue_setup_gives_physical_addresses),
		T(test_virtio_drv_queue_setup_caps_at_device_max),
		T(test_virtio_drv_identity),
		T(test_virtio_drv_queue_setup_refuses_bad_memory),
		T(test_virtio_drv_submit_kick_harvest_round_trip),
		T(test_virtio_drv_submit_reuses_freed_descriptors),
		T(test_virtio_drv_kick_respects_no_notify),
		T(test_virtio_drv_queue_interrupts_off_and_on),
		T(test_virtio_drv_harvest_refuses_head_not_in_flight),
		T(test_virtio_drv_config_read64_retries_on_generation),
		T(test_virtio_drv_needs_reset_and_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
