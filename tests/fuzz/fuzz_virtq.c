/**
 * libFuzzer harness of the device side of virtio (ipc/virtio.h), linked
 * with the real libipc/src/virtio_mmio.c, virtq.c and virtio_gmem.c.
 *
 * Input: u16 memory length (mod MEM_MAX, 0 taken as 1), that many bytes of
 * client memory (the whole grant, at GPA_BASE, in a buffer of exactly that size
 * so ASan sees any byte read or written outside it), u8 QueueNumMax choice,
 * then operations until the input ends: OP_WRITE  u16 offset, u8 width, u32
 * value: any guest store; OP_READ   u16 offset, u8 width: any guest load; OP_REG
 * u8 register, u32 value: a 32-bit store to a named register (reaches the
 * interesting states sooner); OP_SERVE  u8 queue, u8 seg_max, u32 written: what
 * a service does on a notification: pop until empty, read every readable and
 * write every writable byte, push, signal; OP_POKE   u16 offset, u8 byte: the
 * driver rewrites its memory (rings, descriptors in use) between device steps;
 *   OP_RESET  the client VM reset (virtio_dev_reset());
 *   OP_RESTART the service restarts: state copied, device bound again.
 * Checked after every step:
 *  - the interrupt line the ops saw is InterruptStatus != 0;
 *  - MagicValue and Version read right; non-word register reads give 0;
 *  - notify only for a ready queue of a running device;
 *  - every popped segment lies inside the memory, its pointer is its GPA's
 *    image, readable ones come first, counts and sums are right, at most
 *    seg_max segments, at most QueueNum chains per serve;
 *  - a device with DEVICE_NEEDS_RESET pops nothing and has a fault code
 *    and the configuration interrupt bit set (until acknowledged);
 *  - with VIRTIO_F_EVENT_IDX (§2.7.10): a serve that found the queue
 *    empty left avail_event = the next entry to pop (else the driver's
 *    next buffer would never be notified), and the used-buffer interrupt
 *    was raised exactly when the driver's used_event (any value) is one
 *    of the entries used since the last decision, 16-bit wrap included.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ipc/virtio.h"

#define GPA_BASE 0x1000ULL
#define MEM_MAX 2048U
#define QUEUE_COUNT 2U
#define QUEUE_MAX_CHOICES 64U
#define CONFIG_SIZE 8U
#define SEG_CAP 16U
#define WORD 4U
/** Every register offset of §4.2.2, for OP_REG. */
static const uint16_t regs[] = {
	VIRTIO_MMIO_DEVICE_FEATURES_SEL,
	VIRTIO_MMIO_DRIVER_FEATURES,
	VIRTIO_MMIO_DRIVER_FEATURES_SEL,
	VIRTIO_MMIO_QUEUE_SEL,
	VIRTIO_MMIO_QUEUE_NUM,
	VIRTIO_MMIO_QUEUE_READY,
	VIRTIO_MMIO_QUEUE_NOTIFY,
	VIRTIO_MMIO_INTERRUPT_ACK,
	VIRTIO_MMIO_STATUS,
	VIRTIO_MMIO_QUEUE_DESC_LOW,
	VIRTIO_MMIO_QUEUE_DESC_HIGH,
	VIRTIO_MMIO_QUEUE_DRIVER_LOW,
	VIRTIO_MMIO_QUEUE_DRIVER_HIGH,
	VIRTIO_MMIO_QUEUE_DEVICE_LOW,
	VIRTIO_MMIO_QUEUE_DEVICE_HIGH,
	VIRTIO_MMIO_CONFIG,
};
#define REG_COUNT (sizeof(regs) / sizeof(regs[0]))

enum {
	OP_WRITE,
	OP_READ,
	OP_REG,
	OP_SERVE,
	OP_POKE,
	OP_RESET,
	OP_RESTART,
	OP_COUNT
};

struct harness {
	uint8_t *mem;
	size_t mem_len;
	struct virtio_gmem gmem;
	struct virtio_state st;
	struct virtio_dev dev;
	struct virtio_dev_ops ops;
	uint8_t config[CONFIG_SIZE];
	bool irq;
	bool resync;   /**< A restart re-asserts the line at its level. */
	uint64_t sink; /**< Sum of the bytes read from readable segments. */
};

static uint32_t cfg_read(void *ctx, uint32_t off, uint8_t width)
{
	struct harness *h = ctx;
	uint32_t v = 0;

	FUZZ_CHECK(off + width <= CONFIG_SIZE, "config read %u+%u", off, width);
	memcpy(&v, &h->config[off], width);
	return v;
}

static void cfg_write(void *ctx, uint32_t off, uint8_t width, uint32_t value)
{
	struct harness *h = ctx;

	FUZZ_CHECK(off + width <= CONFIG_SIZE, "config write %u+%u", off,
		   width);
	memcpy(&h->config[off], &value, width);
}

static void on_notify(void *ctx, uint32_t queue)
{
	struct harness *h = ctx;

	FUZZ_CHECK(queue < QUEUE_COUNT && virtio_dev_running(&h->dev) &&
			   h->st.queue[queue].ready,
		   "notify of queue %u", queue);
}

static void on_irq(void *ctx, bool level)
{
	struct harness *h = ctx;

	FUZZ_CHECK(h->resync || level != h->irq, "set_irq(%d) without a change",
		   level);
	h->irq = level;
}

static uint64_t mmio(struct harness *h, uint64_t off, uint8_t width, bool write,
		     uint64_t value)
{
	struct ipc_mmio_access a = {
		.offset = off, .width = width, .write = write, .value = value
	};

	FUZZ_CHECK(virtio_mmio_access(&h->dev, &a) == IPC_OK, "abort");
	return a.value;
}

static void check_segments(struct harness *h, const struct virtq_chain *c,
			   const struct virtq_seg *seg, uint32_t seg_max)
{
	uint64_t readable = 0, writable = 0;
	bool seen_write = false;

	FUZZ_CHECK(c->count <= seg_max, "%u segments > %u", c->count, seg_max);
	for (uint32_t i = 0; i < c->count; i++) {
		const struct virtq_seg *s = &seg[i];
		uintptr_t p = (uintptr_t)s->ptr, m = (uintptr_t)h->mem;

		FUZZ_CHECK(p >= m && p - m <= h->mem_len &&
				   s->len <= h->mem_len - (p - m),
			   "segment %u outside the grant", i);
		FUZZ_CHECK(s->gpa == GPA_BASE + (p - m), "segment gpa");
		FUZZ_CHECK(!(seen_write && !s->write),
			   "readable after writable");
		seen_write |= s->write;
		if (s->write) {
			writable += s->len;
			memset(s->ptr, 0x5a, s->len);
		} else {
			readable += s->len;
			for (uint32_t k = 0; k < s->len; k++) {
				h->sink += s->ptr[k];
			}
		}
	}
	FUZZ_CHECK(readable == c->readable && writable == c->writable,
		   "byte counts");
}

/** Where the harness sees the le16 at client address @p gpa, or NULL. */
static uint8_t *word_at(struct harness *h, uint64_t gpa)
{
	if (gpa < GPA_BASE || gpa - GPA_BASE > h->mem_len - 2U ||
	    h->mem_len < 2U) {
		return NULL;
	}
	return h->mem + (gpa - GPA_BASE);
}

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/** With EVENT_IDX, on a usable queue @p q: its used_event and avail_event
 * words (§2.7.6, §2.7.8), which the ring check put inside the memory. */
static bool event_words(struct harness *h, uint32_t q, uint8_t **used_event,
			uint8_t **avail_event)
{
	const struct virtq_state *vq = &h->st.queue[q];

	if (q >= QUEUE_COUNT || !virtio_dev_running(&h->dev) || !vq->ready ||
	    (h->st.driver_features & VIRTIO_F_EVENT_IDX) == 0) {
		return false;
	}
	*used_event = word_at(h, vq->avail + 4U + 2ULL * vq->num);
	*avail_event = word_at(h, vq->used + 4U + 8ULL * vq->num);
	FUZZ_CHECK(*used_event != NULL && *avail_event != NULL,
		   "a ready queue's event words outside the grant");
	return true;
}

/** virtq_signal() of queue @p q, checked against vring_need_event. */
static void signal_checked(struct harness *h, uint32_t q, int last_rc)
{
	uint8_t *used_event, *avail_event;
	bool checked = event_words(h, q, &used_event, &avail_event);
	uint16_t old = checked ? h->st.queue[q].signalled : 0;
	uint16_t now = checked ? h->st.queue[q].used_idx : 0;
	bool need = checked && virtq_need_event(get16(used_event), now, old);

	if (checked && last_rc == VIRTQ_EMPTY) {
		FUZZ_CHECK(get16(avail_event) == h->st.queue[q].last_avail,
			   "queue %u empty, avail_event %u, next entry %u", q,
			   get16(avail_event), h->st.queue[q].last_avail);
	}
	bool raised = virtq_signal(&h->dev, q);

	if (checked) {
		FUZZ_CHECK(raised == need,
			   "used_event %u, used %u..%u: interrupt %d",
			   get16(used_event), old, now, raised);
		FUZZ_CHECK(!raised || (h->st.interrupt_status &
				       VIRTIO_INT_VRING) != 0,
			   "raised without the status bit");
	}
}

static void serve(struct harness *h, struct fuzz_in *in)
{
	uint32_t q = fuzz_u8(in) % (QUEUE_COUNT + 1U);
	uint32_t seg_max = fuzz_u8(in) % (SEG_CAP + 1U);
	uint32_t written = fuzz_u32(in);
	struct virtq_seg seg[SEG_CAP];
	struct virtq_chain c;
	uint32_t pops = 0;
	bool broken = (h->st.status & VIRTIO_STATUS_DEVICE_NEEDS_RESET) != 0;
	int rc;

	for (;;) {
		rc = virtq_pop(&h->dev, q, &c, seg, seg_max);

		if (broken) {
			FUZZ_CHECK(rc == VIRTQ_ERR_BROKEN,
				   "broken device popped");
		}
		if (rc == VIRTQ_ERR_BROKEN || rc == VIRTQ_EMPTY) {
			break;
		}
		pops++;
		FUZZ_CHECK(q < QUEUE_COUNT && pops <= h->st.queue[q].num,
			   "%u chains from a queue of %u", pops,
			   h->st.queue[q].num);
		FUZZ_CHECK(c.head < h->st.queue[q].num, "head %u", c.head);
		if (rc == VIRTQ_ERR_SEGS) {
			FUZZ_CHECK(c.count == 0, "segments of a long chain");
		} else {
			FUZZ_CHECK(rc == VIRTQ_POPPED, "pop result %d", rc);
			check_segments(h, &c, seg, seg_max);
		}
		FUZZ_CHECK(virtq_push(&h->dev, q, c.head, written) == IPC_OK,
			   "push");
	}
	signal_checked(h, q, rc);
	if (h->st.status & VIRTIO_STATUS_DEVICE_NEEDS_RESET) {
		FUZZ_CHECK(h->st.fault != VIRTIO_FAULT_NONE, "no fault code");
	}
}

static void check_state(struct harness *h)
{
	FUZZ_CHECK(h->irq == (h->st.interrupt_status != 0), "irq line %d",
		   h->irq);
	FUZZ_CHECK(mmio(h, VIRTIO_MMIO_MAGIC_VALUE, WORD, false, 0) ==
			   VIRTIO_MMIO_MAGIC,
		   "magic");
	FUZZ_CHECK(mmio(h, VIRTIO_MMIO_VERSION, 2, false, 0) == 0,
		   "half-word read");
	FUZZ_CHECK((h->st.status & VIRTIO_STATUS_DEVICE_NEEDS_RESET) == 0 ||
			   h->st.fault != VIRTIO_FAULT_NONE,
		   "needs reset without a fault");
	FUZZ_CHECK((h->st.driver_features &
		    ~(VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT_DESC |
		      VIRTIO_F_EVENT_IDX | 1U)) == 0 ||
			   (h->st.status & VIRTIO_STATUS_FEATURES_OK) == 0,
		   "FEATURES_OK with features not offered");
}

static void bind(struct harness *h)
{
	virtio_dev_bind(&h->dev, &h->st, &h->ops, h, &h->gmem);
}

static void run_op(struct harness *h, struct fuzz_in *in)
{
	static const uint8_t widths[] = { 1, 2, 4, 8 };
	uint8_t op = fuzz_u8(in) % OP_COUNT;

	switch (op) {
	case OP_WRITE: {
		uint16_t off = fuzz_u16(in);
		uint8_t w = widths[fuzz_u8(in) & 3U];

		mmio(h, off, w, true, fuzz_u32(in));
		break;
	}
	case OP_READ: {
		uint16_t off = fuzz_u16(in);
		uint8_t w = widths[fuzz_u8(in) & 3U];
		uint64_t v = mmio(h, off, w, false, UINT64_MAX);

		FUZZ_CHECK(w == WORD || off >= VIRTIO_MMIO_CONFIG || v == 0,
			   "width %u read of %#x gave %#llx", w, off,
			   (unsigned long long)v);
		FUZZ_CHECK(w == 8 || v <= fuzz_byte_mask(w), "read not masked");
		break;
	}
	case OP_REG: {
		uint16_t reg = regs[fuzz_u8(in) % REG_COUNT];

		mmio(h, reg, WORD, true, fuzz_u32(in));
		break;
	}
	case OP_SERVE:
		serve(h, in);
		break;
	case OP_POKE: {
		uint16_t off = fuzz_u16(in);

		h->mem[off % h->mem_len] = fuzz_u8(in);
		break;
	}
	case OP_RESET:
		virtio_dev_reset(&h->dev);
		FUZZ_CHECK(h->st.status == 0 && !h->irq, "reset");
		break;
	default:
		/* The state is plain data: a new instance binds it again. */
		memset(&h->dev, 0xee, sizeof(h->dev));
		bind(h);
		h->resync = true;
		virtio_dev_sync_irq(&h->dev);
		h->resync = false;
		break;
	}
	check_state(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct harness h;
	struct fuzz_in in;

	fuzz_in_init(&in, data, size);
	memset(&h, 0, sizeof(h));
	h.mem_len = fuzz_u16(&in) % MEM_MAX;
	if (h.mem_len == 0) {
		h.mem_len = 1;
	}
	h.mem = malloc(h.mem_len);
	FUZZ_CHECK(h.mem != NULL, "malloc");
	for (size_t i = 0; i < h.mem_len; i++) {
		h.mem[i] = fuzz_u8(&in);
	}
	virtio_gmem_init(&h.gmem);
	FUZZ_CHECK(virtio_gmem_add(&h.gmem, GPA_BASE, h.mem_len, h.mem) ==
			   IPC_OK,
		   "gmem");
	h.ops = (struct virtio_dev_ops){
		.device_id = 2,
		.features = 1U | VIRTIO_F_INDIRECT_DESC | VIRTIO_F_EVENT_IDX,
		.queue_count = QUEUE_COUNT,
		.queue_max = (uint16_t)(1U + fuzz_u8(&in) % QUEUE_MAX_CHOICES),
		.config_size = CONFIG_SIZE,
		.config_read = cfg_read,
		.config_write = cfg_write,
		.notify = on_notify,
		.set_irq = on_irq,
	};
	bind(&h);
	virtio_dev_reset(&h.dev);
	check_state(&h);
	while (!fuzz_done(&in)) {
		run_op(&h, &in);
	}
	free(h.mem);
	return 0;
}
