/**
 * The register shadow page of a virtio-mmio window (ipc/virtio.h): the
 * kernel maps it read-only over the client's window, so the client's
 * register reads cost no exit. Every value is what the forwarded read
 * path (virtio_mmio_access()) would answer: it is computed by that path.
 * In virtio-mmio no read has a side effect (§4.2.2), and a readable value
 * changes only on a register write (trapped, to this service) or on an
 * event of the device itself, so the service can keep the page current.
 */
#include "ipc/virtio.h"

#include "virtio_barrier.h"
#include "virtio_queue.h"

#define WORD_BYTES 4U
#define BYTE_BITS 8U

/** The registers at 0x000..0x0fc whose reads are not always 0 or never
 * change after the whole page was written (§4.2.2). */
static const uint16_t shadow_regs[] = {
	VIRTIO_MMIO_DEVICE_FEATURES,   VIRTIO_MMIO_QUEUE_NUM_MAX,
	VIRTIO_MMIO_QUEUE_NUM,	       VIRTIO_MMIO_QUEUE_READY,
	VIRTIO_MMIO_INTERRUPT_STATUS,  VIRTIO_MMIO_STATUS,
	VIRTIO_MMIO_QUEUE_DESC_LOW,    VIRTIO_MMIO_QUEUE_DESC_HIGH,
	VIRTIO_MMIO_QUEUE_DRIVER_LOW,  VIRTIO_MMIO_QUEUE_DRIVER_HIGH,
	VIRTIO_MMIO_QUEUE_DEVICE_LOW,  VIRTIO_MMIO_QUEUE_DEVICE_HIGH,
	VIRTIO_MMIO_CONFIG_GENERATION,
};

/** What a forwarded read of @p width bytes at @p off answers. */
static uint32_t read_path(const struct virtio_dev *d, uint32_t off,
			  uint8_t width)
{
	struct ipc_mmio_access a = { .offset = off, .width = width };

	/* A read changes nothing (§4.2.2): the device is not modified. */
	(void)virtio_mmio_access((struct virtio_dev *)d, &a);
	return (uint32_t)a.value;
}

static void put(const struct virtio_dev *d, uint32_t off)
{
	/* A word the kernel keeps (virtio_dev_kernel_isr): writing it back
	 * could undo an acknowledge the kernel completed meanwhile. */
	if (d->isr_kernel && off == VIRTIO_MMIO_INTERRUPT_STATUS) {
		return;
	}
	d->shadow[off / WORD_BYTES] = read_path(d, off, WORD_BYTES);
}

/* Give the kernel InterruptStatus (virtio_dev_kernel_isr()), from the
 * word the page holds; on refusal it is the library's again (and the
 * caller's rewrite of the page puts back the same word). */
static void kernel_isr(struct virtio_dev *d)
{
	d->st->interrupt_status = *virtio_isr_word(d);
	if (ipc_window_isr(d->window, VIRTIO_MMIO_INTERRUPT_STATUS,
			   VIRTIO_MMIO_INTERRUPT_ACK) != IPC_OK) {
		d->isr_kernel = false;
	}
}

/* A configuration word the space ends inside: its bytes one by one, as
 * the byte reads §4.2.2.2 allows for such a field answer. */
static void put_tail(const struct virtio_dev *d, uint32_t off)
{
	uint32_t v = 0;

	for (uint32_t b = 0; b < WORD_BYTES; b++) {
		v |= (read_path(d, off + b, 1) & UINT8_MAX) << (BYTE_BITS * b);
	}
	d->shadow[off / WORD_BYTES] = v;
}

static void sync_config(const struct virtio_dev *d)
{
	uint32_t size =
		d->ops->config_size < VIRTIO_SHADOW_BYTES - VIRTIO_MMIO_CONFIG
			? d->ops->config_size
			: VIRTIO_SHADOW_BYTES - VIRTIO_MMIO_CONFIG;

	for (uint32_t o = 0; o < size; o += WORD_BYTES) {
		if (size - o >= WORD_BYTES) {
			put(d, VIRTIO_MMIO_CONFIG + o);
		} else {
			put_tail(d, VIRTIO_MMIO_CONFIG + o);
		}
	}
}

static void sync_regs(const struct virtio_dev *d)
{
	for (size_t i = 0; i < sizeof(shadow_regs) / sizeof(shadow_regs[0]);
	     i++) {
		put(d, shadow_regs[i]);
	}
}

void virtio_shadow_sync(const struct virtio_dev *d)
{
	if (d->shadow == NULL) {
		return;
	}
	sync_regs(d);
	sync_config(d);
	virtio_publish();
}

void virtio_dev_shadow(struct virtio_dev *d, volatile uint32_t *page)
{
	d->shadow = page;
	if (page == NULL) {
		d->isr_kernel = false;
		return;
	}
	if (d->isr_kernel) {
		kernel_isr(d);
	}
	for (uint32_t off = 0; off < VIRTIO_MMIO_CONFIG; off += WORD_BYTES) {
		put(d, off);
	}
	for (uint32_t off = VIRTIO_MMIO_CONFIG; off < VIRTIO_SHADOW_BYTES;
	     off += WORD_BYTES) {
		d->shadow[off / WORD_BYTES] = 0;
	}
	virtio_shadow_sync(d);
}

void virtio_shadow_placeholder(volatile uint32_t *page)
{
	for (uint32_t off = 0; off < VIRTIO_SHADOW_BYTES; off += WORD_BYTES) {
		page[off / WORD_BYTES] = 0;
	}
	page[VIRTIO_MMIO_MAGIC_VALUE / WORD_BYTES] = VIRTIO_MMIO_MAGIC;
	page[VIRTIO_MMIO_VERSION / WORD_BYTES] = VIRTIO_MMIO_VERSION_2;
	virtio_publish();
}

void virtio_shadow_irq(const struct virtio_dev *d)
{
	if (d->shadow == NULL) {
		return;
	}
	put(d, VIRTIO_MMIO_INTERRUPT_STATUS);
	put(d, VIRTIO_MMIO_STATUS);
	put(d, VIRTIO_MMIO_CONFIG_GENERATION);
	virtio_publish();
}

void virtio_shadow_write(const struct virtio_dev *d, uint64_t off)
{
	if (d->shadow == NULL) {
		return;
	}
	if (off >= VIRTIO_MMIO_CONFIG) {
		sync_config(d);
	} else if (off != VIRTIO_MMIO_QUEUE_NOTIFY &&
		   off != VIRTIO_MMIO_INTERRUPT_ACK) {
		/* Those two change InterruptStatus and Status only through
		 * set_interrupt(), which wrote them (virtio_shadow_irq). */
		sync_regs(d);
	}
	virtio_publish();
}

int virtio_dev_kernel_doorbell(const struct virtio_dev *d, uint32_t window)
{
	if (d->shadow == NULL) {
		return IPC_ERR_INVALID;
	}
	return ipc_window_doorbell(window, VIRTIO_MMIO_QUEUE_NOTIFY);
}
