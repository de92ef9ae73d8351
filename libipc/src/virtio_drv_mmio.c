/**
 * Register accesses of the virtio-mmio driver (ipc/virtio_drv.h) on the
 * target: 32-bit loads and stores to the passed-through register page,
 * which Stage-2 maps as Device memory.
 *
 * Ordering against the rings in Normal memory, as Linux's writel() and
 * readl() on arm64: a store to a register comes after every earlier store
 * to memory (DMB OSHST first: QueueNotify must not overtake the avail
 * index), and a load from a register comes before every later load from
 * memory (DMB OSHLD after: InterruptStatus before the used ring).
 * Host tests link a device model in place of this file.
 */
#include "ipc/virtio_drv.h"

uint32_t virtio_drv_reg_read(const struct virtio_drv *d, uint32_t off)
{
	uint32_t v = *(volatile const uint32_t *)(d->base + off);

	__asm__ volatile("dmb oshld" ::: "memory");
	return v;
}

void virtio_drv_reg_write(const struct virtio_drv *d, uint32_t off,
			  uint32_t value)
{
	__asm__ volatile("dmb oshst" ::: "memory");
	*(volatile uint32_t *)(d->base + off) = value;
}
