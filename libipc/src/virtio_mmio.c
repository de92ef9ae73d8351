/**
 * The virtio-mmio transport, version 2 (OASIS virtio 1.2 §4.2.2), device
 * side: the register file over a struct virtio_state, feature negotiation
 * (§2.2, §3.1.1), reset, and the interrupt status (ipc/virtio.h).
 *
 * Every access has a defined result: a register access that is not 32 bits
 * wide and aligned, an unknown offset, or a configuration access outside
 * the space or of a width §4.2.2.2 does not allow reads 0 and writes are
 * ignored.
 */
#include "ipc/virtio.h"

#include "virtio_queue.h"

/** Control registers are 32 bits wide and aligned (§4.2.2.2). */
#define REG_WIDTH 4U
#define BYTE_BITS 8U
/** DeviceFeaturesSel / DriverFeaturesSel select one of two 32-bit words. */
#define FEATURE_WORDS 2U
#define FEATURE_WORD_BITS 32U
#define LOW_WORD 0xffffffffULL
/** SHMLenLow/High of a region that does not exist read -1 (§4.2.2). */
#define SHM_LEN_NONE 0xffffffffU
/** Status bits the driver may set (§2.1); DEVICE_NEEDS_RESET is the
 * device's. */
#define STATUS_DRIVER_BITS                                     \
	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |    \
	 VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_FEATURES_OK | \
	 VIRTIO_STATUS_FAILED)

uint64_t virtio_offered(const struct virtio_dev *d)
{
	return (d->ops->features &
		(VIRTIO_DEVICE_FEATURES_MASK | VIRTIO_TRANSPORT_FEATURES)) |
	       VIRTIO_F_VERSION_1;
}

/* InterruptStatus: clear @p clear, then set @p set; the line follows. */
static void change_interrupt(struct virtio_dev *d, uint32_t set, uint32_t clear)
{
	uint32_t now;

	if (d->isr_kernel &&
	    ipc_isr_update(d->window, set, clear, &now) == IPC_OK) {
		d->st->interrupt_status = now;
		virtio_shadow_irq(d);
		return;
	}
	/* Kept here (a kernel that refuses: ours again, from the page's
	 * word, which the state's copy may lag). */
	if (d->isr_kernel) {
		d->isr_kernel = false;
		d->st->interrupt_status = *virtio_isr_word(d);
	}
	bool was = d->st->interrupt_status != 0;

	now = (d->st->interrupt_status & ~clear) | set;
	d->st->interrupt_status = now;
	virtio_shadow_irq(d);
	if (was != (now != 0) && d->ops->set_irq != NULL) {
		d->ops->set_irq(d->ctx, now != 0);
	}
}

void virtio_raise(struct virtio_dev *d, uint32_t bits)
{
	change_interrupt(d, bits, 0);
}

void virtio_dev_kernel_isr(struct virtio_dev *d, uint32_t window)
{
	d->isr_kernel = true;
	d->window = window;
}

void virtio_dev_bind(struct virtio_dev *d, struct virtio_state *st,
		     const struct virtio_dev_ops *ops, void *ctx,
		     const struct virtio_gmem *gmem)
{
	*d = (struct virtio_dev){
		.st = st, .ops = ops, .ctx = ctx, .gmem = gmem
	};
}

void virtio_dev_reset(struct virtio_dev *d)
{
	uint32_t generation = d->st->config_generation;

	change_interrupt(d, 0, UINT32_MAX);
	*d->st = (struct virtio_state){ .config_generation = generation };
	if (d->ops->reset != NULL) {
		d->ops->reset(d->ctx);
	}
	virtio_shadow_sync(d);
}

void virtio_config_changed(struct virtio_dev *d)
{
	d->st->config_generation++;
	virtio_shadow_sync(d);
	virtio_raise(d, VIRTIO_INT_CONFIG);
}

void virtio_dev_fail(struct virtio_dev *d, enum virtio_fault fault)
{
	if ((d->st->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET) == 0) {
		d->st->fault = (uint32_t)fault;
	}
	/* §2.1.2: a device that sets DEVICE_NEEDS_RESET after DRIVER_OK
	 * MUST send a configuration change notification. */
	d->st->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	virtio_raise(d, VIRTIO_INT_CONFIG);
}

bool virtio_dev_running(const struct virtio_dev *d)
{
	uint32_t s = d->st->status;

	return (s & (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_FEATURES_OK)) ==
		       (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_FEATURES_OK) &&
	       (s &
		(VIRTIO_STATUS_DEVICE_NEEDS_RESET | VIRTIO_STATUS_FAILED)) == 0;
}

void virtio_dev_sync_irq(const struct virtio_dev *d)
{
	/* A kept register: the kernel made the line follow it
	 * (ipc_window_isr()). */
	if (!d->isr_kernel && d->ops->set_irq != NULL) {
		d->ops->set_irq(d->ctx, d->st->interrupt_status != 0);
	}
}

const char *virtio_fault_name(uint32_t fault)
{
	static const char *const names[VIRTIO_FAULT_COUNT] = {
		[VIRTIO_FAULT_NONE] = "none",
		[VIRTIO_FAULT_QUEUE_SIZE] =
			"queue size not a power of 2 <= max",
		[VIRTIO_FAULT_RING_ALIGN] = "ring misaligned",
		[VIRTIO_FAULT_RING_RANGE] = "ring outside the grant",
		[VIRTIO_FAULT_AVAIL_IDX] =
			"avail idx ahead by more than the queue size",
		[VIRTIO_FAULT_DESC_INDEX] =
			"descriptor index past the queue size",
		[VIRTIO_FAULT_CHAIN_LENGTH] =
			"chain longer than the queue (loop)",
		[VIRTIO_FAULT_BUFFER_RANGE] = "buffer outside the grant",
		[VIRTIO_FAULT_DESC_ORDER] =
			"readable descriptor after a writable one",
		[VIRTIO_FAULT_INDIRECT] = "bad indirect descriptor table",
		[VIRTIO_FAULT_SEQUENCE] =
			"queue ready or DRIVER_OK before FEATURES_OK",
		[VIRTIO_FAULT_HEAD_IN_USE] =
			"descriptor head made available while in use",
	};

	return fault < VIRTIO_FAULT_COUNT ? names[fault] : "unknown";
}

/** The queue QueueSel names, or NULL past the device's queues. */
static struct virtq_state *selected(const struct virtio_dev *d)
{
	uint32_t count = d->ops->queue_count < VIRTIO_MAX_QUEUES
				 ? d->ops->queue_count
				 : VIRTIO_MAX_QUEUES;

	return d->st->queue_sel < count ? &d->st->queue[d->st->queue_sel]
					: NULL;
}

static uint32_t queue_num_max(const struct virtio_dev *d)
{
	return d->ops->queue_max < VIRTQ_NUM_LIMIT ? d->ops->queue_max
						   : VIRTQ_NUM_LIMIT;
}

static uint32_t read_queue_reg(const struct virtio_dev *d, uint64_t off)
{
	const struct virtq_state *q = selected(d);

	if (q == NULL) {
		/* §4.2.2: QueueNumMax 0 = the queue is not available. */
		return 0;
	}
	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return queue_num_max(d);
	case VIRTIO_MMIO_QUEUE_NUM:
		return q->num;
	case VIRTIO_MMIO_QUEUE_READY:
		return q->ready;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		return (uint32_t)q->desc;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		return (uint32_t)(q->desc >> FEATURE_WORD_BITS);
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
		return (uint32_t)q->avail;
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		return (uint32_t)(q->avail >> FEATURE_WORD_BITS);
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
		return (uint32_t)q->used;
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		return (uint32_t)(q->used >> FEATURE_WORD_BITS);
	default:
		return 0;
	}
}

static uint32_t read_reg(const struct virtio_dev *d, uint64_t off)
{
	const struct virtio_state *st = d->st;

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return VIRTIO_MMIO_VERSION_2;
	case VIRTIO_MMIO_DEVICE_ID:
		return d->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_VENDOR_TINYHYP;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return st->device_features_sel < FEATURE_WORDS
			       ? (uint32_t)(virtio_offered(d) >>
					    (FEATURE_WORD_BITS *
					     st->device_features_sel))
			       : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		/* Kept by the kernel: only the page has it (virtio_shadow.c). */
		return d->isr_kernel ? *virtio_isr_word(d)
				     : st->interrupt_status;
	case VIRTIO_MMIO_STATUS:
		return st->status;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
		return SHM_LEN_NONE;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return st->config_generation;
	default:
		return read_queue_reg(d, off);
	}
}

/** §2.2.2: FEATURES_OK only for a subset of what is offered, with
 * VIRTIO_F_VERSION_1 (§6.1: a non-legacy driver MUST accept it). */
static bool features_acceptable(const struct virtio_dev *d)
{
	uint64_t f = d->st->driver_features;

	return (f & ~virtio_offered(d)) == 0 && (f & VIRTIO_F_VERSION_1) != 0;
}

static void write_notify(struct virtio_dev *d, uint32_t queue)
{
	if (!virtio_dev_running(d) || queue >= d->ops->queue_count ||
	    queue >= VIRTIO_MAX_QUEUES || d->st->queue[queue].ready == 0 ||
	    d->ops->notify == NULL) {
		return;
	}
	d->ops->notify(d->ctx, queue);
}

void virtio_dev_doorbell(struct virtio_dev *d)
{
	for (uint32_t q = 0; q < d->ops->queue_count; q++) {
		write_notify(d, q);
	}
}

static void write_status(struct virtio_dev *d, uint32_t value)
{
	struct virtio_state *st = d->st;
	bool was_running = virtio_dev_running(d);

	if (value == 0) {
		virtio_dev_reset(d); /* §4.2.2: writing 0 resets the device. */
		return;
	}
	uint32_t next = value & STATUS_DRIVER_BITS;

	if ((next & VIRTIO_STATUS_FEATURES_OK) != 0 &&
	    (st->status & VIRTIO_STATUS_FEATURES_OK) == 0 &&
	    !features_acceptable(d)) {
		next &= ~VIRTIO_STATUS_FEATURES_OK;
	}
	st->status = next | (st->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	/* §3.1.1: DRIVER_OK (step 8) comes after FEATURES_OK (steps 5-6);
	 * a device left without negotiated features would hang the driver
	 * silently: say it needs a reset (§2.1.2). */
	if ((next & VIRTIO_STATUS_DRIVER_OK) != 0 &&
	    (next & VIRTIO_STATUS_FEATURES_OK) == 0) {
		virtio_dev_fail(d, VIRTIO_FAULT_SEQUENCE);
		return;
	}
	if (!was_running && virtio_dev_running(d)) {
		/* Buffers the driver made available before DRIVER_OK
		 * (§3.1.1 step 8): look at each ready queue once. */
		for (uint32_t q = 0; q < VIRTIO_MAX_QUEUES; q++) {
			write_notify(d, q);
		}
	}
}

static void write_half(uint64_t *reg, bool high, uint32_t value)
{
	if (high) {
		*reg = (*reg & LOW_WORD) |
		       ((uint64_t)value << FEATURE_WORD_BITS);
	} else {
		*reg = (*reg & ~LOW_WORD) | value;
	}
}

static void write_queue_ready(struct virtio_dev *d, struct virtq_state *q,
			      uint32_t value)
{
	if (value == 0) {
		q->ready = 0;
		return;
	}
	/* §3.1.1: virtqueues are set up (step 7) once FEATURES_OK is set,
	 * so the features the queue is walked with are fixed. */
	if ((d->st->status & VIRTIO_STATUS_FEATURES_OK) == 0) {
		virtio_dev_fail(d, VIRTIO_FAULT_SEQUENCE);
		return;
	}
	enum virtio_fault f = virtq_check_rings(d, q);

	if (f != VIRTIO_FAULT_NONE) {
		virtio_dev_fail(d, f);
		return;
	}
	q->ready = 1;
}

static void write_queue_reg(struct virtio_dev *d, uint64_t off, uint32_t value)
{
	struct virtq_state *q = selected(d);

	if (q == NULL) {
		return;
	}
	if (off == VIRTIO_MMIO_QUEUE_READY) {
		write_queue_ready(d, q, value);
		return;
	}
	if (q->ready != 0) {
		return; /* The layout of a live queue stays as it was. */
	}
	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM:
		/* Checked when the queue is made ready (§4.2.3.2). */
		q->num = (uint16_t)(value > VIRTQ_NUM_LIMIT ? 0 : value);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		write_half(&q->desc, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, value);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		write_half(&q->avail, off == VIRTIO_MMIO_QUEUE_DRIVER_HIGH,
			   value);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		write_half(&q->used, off == VIRTIO_MMIO_QUEUE_DEVICE_HIGH,
			   value);
		break;
	default:
		break;
	}
}

static void write_reg(struct virtio_dev *d, uint64_t off, uint32_t value)
{
	struct virtio_state *st = d->st;

	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		st->device_features_sel = value;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		/* Features are fixed once FEATURES_OK is set (§3.1.1). */
		if (st->driver_features_sel < FEATURE_WORDS &&
		    (st->status & VIRTIO_STATUS_FEATURES_OK) == 0) {
			write_half(&st->driver_features,
				   st->driver_features_sel == 1, value);
		}
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		st->driver_features_sel = value;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		st->queue_sel = value;
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		write_notify(d, value);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		change_interrupt(d, 0, value);
		break;
	case VIRTIO_MMIO_STATUS:
		write_status(d, value);
		break;
	default:
		write_queue_reg(d, off, value);
		break;
	}
}

/** §4.2.2.2: 8-bit fields by 8-bit accesses, 16-bit by 16-bit aligned,
 * 32- and 64-bit fields by 32-bit aligned accesses. */
static bool config_access_ok(const struct virtio_dev *d, uint64_t off,
			     uint8_t width)
{
	if (width != 1 && width != 2 && width != REG_WIDTH) {
		return false;
	}
	return off % width == 0 && off < d->ops->config_size &&
	       width <= d->ops->config_size - off;
}

static void config_access(struct virtio_dev *d, struct ipc_mmio_access *a,
			  uint64_t off)
{
	if (!config_access_ok(d, off, a->width)) {
		return;
	}
	if (!a->write) {
		if (d->ops->config_read != NULL) {
			uint32_t v = d->ops->config_read(d->ctx, (uint32_t)off,
							 a->width);

			a->value = v & (UINT32_MAX >>
					(BYTE_BITS * (REG_WIDTH - a->width)));
		}
	} else if (d->ops->config_write != NULL) {
		d->ops->config_write(d->ctx, (uint32_t)off, a->width,
				     (uint32_t)a->value);
	}
}

int virtio_mmio_access(struct virtio_dev *d, struct ipc_mmio_access *a)
{
	uint64_t off = a->offset;

	if (!a->write) {
		a->value = 0;
	}
	if (off >= VIRTIO_MMIO_CONFIG) {
		config_access(d, a, off - VIRTIO_MMIO_CONFIG);
		if (a->write) {
			virtio_shadow_write(d, off);
		}
		return IPC_OK;
	}
	if (a->width != REG_WIDTH || off % REG_WIDTH != 0) {
		return IPC_OK;
	}
	if (a->write) {
		write_reg(d, off, (uint32_t)a->value);
		virtio_shadow_write(d, off);
	} else {
		a->value = read_reg(d, off);
	}
	return IPC_OK;
}
