#pragma once
/**
 * Shared between virtio_mmio.c and virtq.c (not part of the API).
 */
#include "ipc/virtio.h"

/** Features offered: ops->features masked, plus VIRTIO_F_VERSION_1. */
uint64_t virtio_offered(const struct virtio_dev *d);

/** InterruptStatus |= @p bits, telling ops->set_irq on a level change. */
void virtio_raise(struct virtio_dev *d, uint32_t bits);

/**
 * Check the layout of queue @p q against §2.7: QueueNum a power of 2 in
 * 1..QueueNumMax, each ring aligned (descriptors 16, driver area 2, device
 * area 4) and wholly inside the grant. VIRTIO_FAULT_NONE if usable.
 */
enum virtio_fault virtq_check_rings(const struct virtio_dev *d,
				    const struct virtq_state *q);

/* Register shadow page (virtio_shadow.c); each does nothing without one. */

/** InterruptStatus, Status, ConfigGeneration, then a barrier: before the
 * interrupt line is told (ops->set_irq). */
void virtio_shadow_irq(const struct virtio_dev *d);

/** InterruptStatus's word in the shadow page: the truth while the kernel
 * keeps it (d->isr_kernel, virtio_dev_kernel_isr()). */
static inline volatile uint32_t *virtio_isr_word(const struct virtio_dev *d)
{
	return &d->shadow[VIRTIO_MMIO_INTERRUPT_STATUS / sizeof(uint32_t)];
}

/** After the register write at @p off: every register it may change, then
 * a barrier, before the reply. */
void virtio_shadow_write(const struct virtio_dev *d, uint64_t off);
