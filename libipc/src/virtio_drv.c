/**
 * The driver side of a modern virtio-mmio device (ipc/virtio_drv.h):
 * probe, reset, feature negotiation, split virtqueues in the service's RAM.
 * Section numbers are those of OASIS virtio 1.2.
 */
#include "ipc/virtio_drv.h"

/* Ring alignment (§2.7: descriptor table 16, avail 2, used 4 bytes). */
#define DESC_ALIGN 16U
#define USED_ALIGN 4U
/** avail/used: flags and idx before the ring, used_event/avail_event after
 * it (reserved even without VIRTIO_F_EVENT_IDX). */
#define RING_HDR_BYTES 4U
#define RING_EVENT_BYTES 2U

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

static size_t avail_offset(uint16_t num)
{
	return sizeof(struct virtio_drv_desc) * num;
}

static size_t used_offset(uint16_t num)
{
	return align_up(avail_offset(num) + RING_HDR_BYTES +
				sizeof(uint16_t) * num + RING_EVENT_BYTES,
			USED_ALIGN);
}

size_t virtio_drv_queue_bytes(uint16_t num)
{
	return used_offset(num) + RING_HDR_BYTES +
	       sizeof(struct virtio_drv_used_elem) * num + RING_EVENT_BYTES;
}

/* --- Probe and status ------------------------------------------------------ */

int virtio_drv_identity(uint64_t ipa, uint64_t len, uint64_t *pa)
{
	(void)len;
	*pa = ipa;
	return 0;
}

int virtio_drv_probe(struct virtio_drv *d, uintptr_t base, uint32_t device_id,
		     virtio_drv_translate_fn translate)
{
	*d = (struct virtio_drv){ .base = base, .translate = translate };
	if (virtio_drv_reg_read(d, VIRTIO_MMIO_MAGIC_VALUE) !=
	    VIRTIO_MMIO_MAGIC) {
		return VIRTIO_DRV_ERR_ABSENT;
	}
	if (virtio_drv_reg_read(d, VIRTIO_MMIO_VERSION) !=
	    VIRTIO_MMIO_VERSION_2) {
		return VIRTIO_DRV_ERR_LEGACY;
	}
	uint32_t id = virtio_drv_reg_read(d, VIRTIO_MMIO_DEVICE_ID);

	if (id == VIRTIO_ID_NONE) {
		return VIRTIO_DRV_ERR_ABSENT;
	}
	if (id != device_id) {
		return VIRTIO_DRV_ERR_DEVICE;
	}
	d->device_id = id;
	return VIRTIO_DRV_OK;
}

const char *virtio_drv_strerror(int err)
{
	switch (err) {
	case VIRTIO_DRV_OK:
		return "ok";
	case VIRTIO_DRV_ERR_ABSENT:
		return "no virtio device in this virtio-mmio slot: give QEMU "
		       "the -device (e.g. -device virtio-blk-device,drive=hd0,"
		       "bus=virtio-mmio-bus.31)";
	case VIRTIO_DRV_ERR_LEGACY:
		return "legacy (version 1) virtio-mmio transport: run QEMU "
		       "with -global virtio-mmio.force-legacy=false";
	case VIRTIO_DRV_ERR_DEVICE:
		return "another kind of virtio device in this slot: check "
		       "the -device's bus=virtio-mmio-bus.N";
	case VIRTIO_DRV_ERR_FEATURES:
		return "the device refused the features (VIRTIO_F_VERSION_1 "
		       "is required)";
	case VIRTIO_DRV_ERR_QUEUE:
		return "virtqueue absent, already live or too small";
	case VIRTIO_DRV_ERR_DMA:
		return "queue memory not translatable or not physically "
		       "contiguous";
	case VIRTIO_DRV_ERR_FULL:
		return "virtqueue full";
	case VIRTIO_DRV_ERR_EMPTY:
		return "no used buffer";
	case VIRTIO_DRV_ERR_BROKEN:
		return "the device misbehaved or needs a reset";
	default:
		return "invalid argument";
	}
}

static uint32_t status(const struct virtio_drv *d)
{
	return virtio_drv_reg_read(d, VIRTIO_MMIO_STATUS);
}

static void add_status(const struct virtio_drv *d, uint32_t bits)
{
	virtio_drv_reg_write(d, VIRTIO_MMIO_STATUS, status(d) | bits);
}

int virtio_drv_reset(struct virtio_drv *d)
{
	for (uint32_t i = 0; i < VIRTIO_DRV_MAX_QUEUES; i++) {
		d->q[i].num = 0;
	}
	d->features = 0;
	virtio_drv_reg_write(d, VIRTIO_MMIO_STATUS, 0);
	/* §4.2.3.1: wait until the device reads back 0 (reset done). */
	for (uint32_t i = 0; i < VIRTIO_DRV_RESET_POLLS; i++) {
		if (status(d) == 0) {
			return VIRTIO_DRV_OK;
		}
	}
	return VIRTIO_DRV_ERR_BROKEN;
}

static uint64_t device_features(const struct virtio_drv *d)
{
	virtio_drv_reg_write(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	uint64_t hi = virtio_drv_reg_read(d, VIRTIO_MMIO_DEVICE_FEATURES);

	virtio_drv_reg_write(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return hi << 32 | virtio_drv_reg_read(d, VIRTIO_MMIO_DEVICE_FEATURES);
}

static void driver_features(const struct virtio_drv *d, uint64_t f)
{
	virtio_drv_reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	virtio_drv_reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	virtio_drv_reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	virtio_drv_reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES,
			     (uint32_t)(f >> 32));
}

int virtio_drv_init(struct virtio_drv *d, uint64_t wanted)
{
	/* §3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK. */
	if (virtio_drv_reset(d) != VIRTIO_DRV_OK) {
		return VIRTIO_DRV_ERR_BROKEN;
	}
	add_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
	add_status(d, VIRTIO_STATUS_DRIVER);
	uint64_t offered = device_features(d);

	if (!(offered & VIRTIO_F_VERSION_1)) {
		add_status(d, VIRTIO_STATUS_FAILED);
		return VIRTIO_DRV_ERR_FEATURES;
	}
	uint64_t f = (offered & wanted) | VIRTIO_F_VERSION_1;

	driver_features(d, f);
	add_status(d, VIRTIO_STATUS_FEATURES_OK);
	/* §3.1.1 step 6: re-read; without FEATURES_OK the subset is refused. */
	if (!(status(d) & VIRTIO_STATUS_FEATURES_OK)) {
		add_status(d, VIRTIO_STATUS_FAILED);
		return VIRTIO_DRV_ERR_FEATURES;
	}
	d->features = f;
	return VIRTIO_DRV_OK;
}

void virtio_drv_driver_ok(struct virtio_drv *d)
{
	add_status(d, VIRTIO_STATUS_DRIVER_OK);
}

bool virtio_drv_needs_reset(const struct virtio_drv *d)
{
	return (status(d) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) != 0;
}

uint32_t virtio_drv_irq_ack(struct virtio_drv *d)
{
	uint32_t bits = virtio_drv_reg_read(d, VIRTIO_MMIO_INTERRUPT_STATUS);

	if (bits != 0) {
		virtio_drv_reg_write(d, VIRTIO_MMIO_INTERRUPT_ACK, bits);
	}
	return bits;
}

uint32_t virtio_drv_config_read32(const struct virtio_drv *d, uint32_t off)
{
	return virtio_drv_reg_read(d, VIRTIO_MMIO_CONFIG + off);
}

uint64_t virtio_drv_config_read64(const struct virtio_drv *d, uint32_t off)
{
	uint32_t gen, lo, hi;

	/* §2.5.1: retry until ConfigGeneration is the same before and after
	 * (a field wider than 32 bits is read in two accesses). */
	do {
		gen = virtio_drv_reg_read(d, VIRTIO_MMIO_CONFIG_GENERATION);
		lo = virtio_drv_config_read32(d, off);
		hi = virtio_drv_config_read32(d, off + sizeof(uint32_t));
	} while (virtio_drv_reg_read(d, VIRTIO_MMIO_CONFIG_GENERATION) != gen);
	return (uint64_t)hi << 32 | lo;
}

/* --- Queues ---------------------------------------------------------------- */

static void write_addr(const struct virtio_drv *d, uint32_t low, uint64_t pa)
{
	virtio_drv_reg_write(d, low, (uint32_t)pa);
	virtio_drv_reg_write(d, low + sizeof(uint32_t), (uint32_t)(pa >> 32));
}

/* Largest power of 2 <= all limits, or 0. */
static uint16_t queue_size(uint32_t max, uint16_t wanted, size_t bytes)
{
	uint32_t n = VIRTIO_DRV_QUEUE_MAX;

	while (n != 0 && (n > max || n > wanted ||
			  virtio_drv_queue_bytes((uint16_t)n) > bytes)) {
		n >>= 1;
	}
	return (uint16_t)n;
}

static void init_free_list(struct virtio_drv_queue *q)
{
	for (uint16_t i = 0; i < q->num; i++) {
		q->desc[i] = (struct virtio_drv_desc){ .next = i + 1 };
		q->chain_len[i] = 0;
	}
	q->free_head = 0;
	q->num_free = q->num;
	q->avail_idx = 0;
	q->last_used = 0;
	q->avail->flags = 0;
	q->avail->idx = 0;
	q->used->flags = 0;
	q->used->idx = 0;
}

int virtio_drv_queue_setup(struct virtio_drv *d, uint16_t index, void *mem,
			   size_t size, uint16_t num_wanted)
{
	uint64_t pa;

	if (index >= VIRTIO_DRV_MAX_QUEUES || mem == NULL ||
	    (uintptr_t)mem % DESC_ALIGN != 0) {
		return VIRTIO_DRV_ERR_INVALID;
	}
	/* §4.2.3.2: select, check it is not live, read its maximum. */
	virtio_drv_reg_write(d, VIRTIO_MMIO_QUEUE_SEL, index);
	if (virtio_drv_reg_read(d, VIRTIO_MMIO_QUEUE_READY) != 0) {
		return VIRTIO_DRV_ERR_QUEUE;
	}
	uint16_t num =
		queue_size(virtio_drv_reg_read(d, VIRTIO_MMIO_QUEUE_NUM_MAX),
			   num_wanted, size);

	if (num == 0) {
		return VIRTIO_DRV_ERR_QUEUE;
	}
	/* The device reaches the rings by PA: one contiguous run. */
	if (d->translate == NULL ||
	    d->translate((uintptr_t)mem, virtio_drv_queue_bytes(num), &pa) !=
		    0 ||
	    pa % DESC_ALIGN != 0) {
		return VIRTIO_DRV_ERR_DMA;
	}
	struct virtio_drv_queue *q = &d->q[index];

	q->num = num;
	q->desc = mem;
	q->avail =
		(struct virtio_drv_avail *)((uint8_t *)mem + avail_offset(num));
	q->used = (struct virtio_drv_used *)((uint8_t *)mem + used_offset(num));
	init_free_list(q);
	virtio_drv_reg_write(d, VIRTIO_MMIO_QUEUE_NUM, num);
	write_addr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, pa);
	write_addr(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, pa + avail_offset(num));
	write_addr(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, pa + used_offset(num));
	/* The register write orders the ring initialisation before it. */
	virtio_drv_reg_write(d, VIRTIO_MMIO_QUEUE_READY, 1);
	return VIRTIO_DRV_OK;
}

static struct virtio_drv_queue *live_queue(struct virtio_drv *d, uint16_t index)
{
	if (index >= VIRTIO_DRV_MAX_QUEUES || d->q[index].num == 0) {
		return NULL;
	}
	return &d->q[index];
}

int virtio_drv_submit(struct virtio_drv *d, uint16_t index,
		      const struct virtio_drv_buf *bufs, uint16_t count,
		      uint16_t *head)
{
	struct virtio_drv_queue *q = live_queue(d, index);

	if (q == NULL || count == 0) {
		return VIRTIO_DRV_ERR_INVALID;
	}
	if (count > q->num_free) {
		return VIRTIO_DRV_ERR_FULL;
	}
	uint16_t first = q->free_head, i = first;

	for (uint16_t b = 0; b < count; b++) {
		struct virtio_drv_desc *desc = &q->desc[i];
		uint16_t next = desc->next;

		desc->addr = bufs[b].pa;
		desc->len = bufs[b].len;
		desc->flags =
			(uint16_t)((bufs[b].device_writes ? VIRTQ_DESC_F_WRITE
							  : 0) |
				   (b + 1 < count ? VIRTQ_DESC_F_NEXT : 0));
		if (b + 1 < count) {
			i = next;
		} else {
			q->free_head = next;
		}
	}
	q->num_free -= count;
	q->chain_len[first] = count;
	q->avail->ring[q->avail_idx % q->num] = first;
	/* §2.7.13: descriptors and ring entry before the index. */
	virtio_drv_wmb();
	q->avail_idx++;
	*(volatile uint16_t *)&q->avail->idx = q->avail_idx;
	*head = first;
	return VIRTIO_DRV_OK;
}

uint16_t virtio_drv_next_head(const struct virtio_drv *d, uint16_t index)
{
	if (index >= VIRTIO_DRV_MAX_QUEUES || d->q[index].num == 0) {
		return 0;
	}
	return d->q[index].free_head;
}

void virtio_drv_kick(struct virtio_drv *d, uint16_t index)
{
	struct virtio_drv_queue *q = live_queue(d, index);

	if (q == NULL) {
		return;
	}
	/* §2.7.13.4: the index store before reading the device's flags. */
	virtio_drv_mb();
	if (*(volatile uint16_t *)&q->used->flags & VIRTQ_USED_F_NO_NOTIFY) {
		return;
	}
	virtio_drv_reg_write(d, VIRTIO_MMIO_QUEUE_NOTIFY, index);
}

void virtio_drv_queue_interrupts(struct virtio_drv *d, uint16_t index, bool on)
{
	struct virtio_drv_queue *q = live_queue(d, index);

	if (q == NULL) {
		return;
	}
	/* §2.7.7.1: without VIRTIO_F_EVENT_IDX the driver sets flags to 0
	 * or 1. The device reads them after it used a buffer (§2.7.7.2): one
	 * used before it sees the change may interrupt or not (the header:
	 * harvest after turning interrupts on). */
	*(volatile uint16_t *)&q->avail->flags =
		on ? 0 : (uint16_t)VIRTQ_AVAIL_F_NO_INTERRUPT;
}

uint16_t virtio_drv_in_flight(const struct virtio_drv *d, uint16_t index)
{
	uint16_t chains = 0;

	if (index >= VIRTIO_DRV_MAX_QUEUES) {
		return 0;
	}
	for (uint16_t i = 0; i < d->q[index].num; i++) {
		chains += d->q[index].chain_len[i] != 0;
	}
	return chains;
}

/* Chain @p head goes back on the free list. */
static void free_chain(struct virtio_drv_queue *q, uint16_t head)
{
	uint16_t last = head;

	for (uint16_t n = 1; n < q->chain_len[head]; n++) {
		last = q->desc[last].next;
	}
	q->desc[last].next = q->free_head;
	q->free_head = head;
	q->num_free += q->chain_len[head];
	q->chain_len[head] = 0;
}

int virtio_drv_harvest(struct virtio_drv *d, uint16_t index, uint16_t *head,
		       uint32_t *len)
{
	struct virtio_drv_queue *q = live_queue(d, index);

	if (q == NULL) {
		return VIRTIO_DRV_ERR_INVALID;
	}
	uint16_t used_idx = *(volatile uint16_t *)&q->used->idx;

	if (used_idx == q->last_used) {
		return VIRTIO_DRV_ERR_EMPTY;
	}
	/* §2.7.14: the index before the entries it covers. */
	virtio_drv_rmb();
	struct virtio_drv_used_elem e = q->used->ring[q->last_used % q->num];

	if (e.id >= q->num || q->chain_len[e.id] == 0) {
		return VIRTIO_DRV_ERR_BROKEN;
	}
	q->last_used++;
	free_chain(q, (uint16_t)e.id);
	*head = (uint16_t)e.id;
	*len = e.len;
	return VIRTIO_DRV_OK;
}
