#pragma once
/**
 * The virtio-mmio transport as the OASIS virtio 1.2 specification lays it
 * out: register offsets, status and interrupt bits, reserved feature bits,
 * split virtqueue flags and device IDs. One definition for both sides of
 * libipc (the device side, ipc/virtio.h, and the driver of a physical
 * device, ipc/virtio_drv.h) and the test guests that drive our devices.
 */

/* --- Registers (§4.2.2, table "MMIO Device Register Layout"); all are 32
 * bits wide and 32-bit aligned. --- */
#define VIRTIO_MMIO_MAGIC_VALUE 0x000U
#define VIRTIO_MMIO_VERSION 0x004U
#define VIRTIO_MMIO_DEVICE_ID 0x008U
#define VIRTIO_MMIO_VENDOR_ID 0x00cU
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010U
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014U
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020U
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024U
#define VIRTIO_MMIO_QUEUE_SEL 0x030U
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034U
#define VIRTIO_MMIO_QUEUE_NUM 0x038U
#define VIRTIO_MMIO_QUEUE_READY 0x044U
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050U
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060U
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064U
#define VIRTIO_MMIO_STATUS 0x070U
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080U
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084U
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090U
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094U
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0a0U
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4U
#define VIRTIO_MMIO_SHM_SEL 0x0acU
#define VIRTIO_MMIO_SHM_LEN_LOW 0x0b0U
#define VIRTIO_MMIO_SHM_LEN_HIGH 0x0b4U
#define VIRTIO_MMIO_SHM_BASE_LOW 0x0b8U
#define VIRTIO_MMIO_SHM_BASE_HIGH 0x0bcU
#define VIRTIO_MMIO_QUEUE_RESET 0x0c0U
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fcU
/** Device-specific configuration space starts here (§4.2.2). */
#define VIRTIO_MMIO_CONFIG 0x100U

/** MagicValue: "virt" little-endian (§4.2.2). */
#define VIRTIO_MMIO_MAGIC 0x74726976U
/** Version of the non-legacy transport (§4.2.2; 1 is the legacy one). */
#define VIRTIO_MMIO_VERSION_2 2U

/* Device IDs (§5). 0 means no device behind the transport (§4.2.2). */
#define VIRTIO_ID_NONE 0U
#define VIRTIO_ID_NET 1U
#define VIRTIO_ID_BLOCK 2U

/* InterruptStatus bits (§4.2.2). */
#define VIRTIO_INT_VRING (1U << 0)  /**< Used Buffer Notification. */
#define VIRTIO_INT_CONFIG (1U << 1) /**< Configuration Change Notification. */

/* Device status field (§2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01U
#define VIRTIO_STATUS_DRIVER 0x02U
#define VIRTIO_STATUS_DRIVER_OK 0x04U
#define VIRTIO_STATUS_FEATURES_OK 0x08U
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 0x40U
#define VIRTIO_STATUS_FAILED 0x80U

/* Reserved feature bits (§6). */
#define VIRTIO_F_INDIRECT_DESC (1ULL << 28)
#define VIRTIO_F_EVENT_IDX (1ULL << 29)
#define VIRTIO_F_VERSION_1 (1ULL << 32)

/* Split virtqueue flags (§2.7.5, §2.7.6, §2.7.8). */
#define VIRTQ_DESC_F_NEXT 1U
#define VIRTQ_DESC_F_WRITE 2U
#define VIRTQ_DESC_F_INDIRECT 4U
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1U
#define VIRTQ_USED_F_NO_NOTIFY 1U
/** Largest split queue (§2.7: Queue Size up to 32768). */
#define VIRTQ_NUM_LIMIT 32768U
