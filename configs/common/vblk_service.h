#pragma once
/**
 * Scenario building blocks for the virtio-blk service (services/vblk): the
 * service partition, driver of QEMU virt's virtio-blk disk (virtio-mmio
 * slot 31: its page passed through, its SPI 79 owned), and the emulated
 * virtio-mmio window a client guest gets. The service reaches a client's
 * buffers through a grant of the client's RAM (VBLK_GRANT), given after
 * the fields: { VBLK_SERVICE_FIELDS("vblk"), .grants = { VBLK_GRANT(...) },
 * .grant_count = 1 }. The image (vblk, vblk-ro, vblk-halves) picks which
 * blocks each client gets (services/vblk/include/vblk/vblk_layout.h).
 * QEMU needs the disk on slot 31, modern: -drive
 * file=IMG,format=raw,if=none,id=hd0 -device
 * virtio-blk-device,drive=hd0,bus=virtio-mmio-bus.31 -global
 * virtio-mmio.force-legacy=false.
 */
#include "hyp/config.h"
#include "hyp/units.h"

/** Where a guest finds its virtual virtio-blk, and its SPI. */
#define GUEST_VBLK_IPA 0x0a000000ULL
#define GUEST_VBLK_INTID 48
/** virt's virtio-mmio slots 24..31 (slot 31 is the disk), and its SPI. */
#define VBLK_PHYS_PAGE 0x0a003000ULL
#define VBLK_PHYS_INTID 79
/** The service's RAM kept across restarts (devices, requests in flight). */
#define VBLK_KEPT_IPA 0x20200000ULL
/** Where the service sees the k-th client's granted RAM. */
#define VBLK_GRANT_IPA(k) (0x100000000ULL + 0x40000000ULL * (k))

#define VBLK_SERVICE_FIELDS(image_name)                                       \
	.name = "vblk", .kind = CFG_VM_SERVICE, .vcpu_count = 1,              \
	.image = image_name, .image_ipa = 0x20000000, .entry = 0x20000000,    \
	.ram = { { .ipa = 0x20000000,                                         \
		   .size = 2 * SZ_1M }, /* Devices and requests in flight,    \
					   kept across restarts. */           \
		 { .ipa = VBLK_KEPT_IPA, .size = 2 * SZ_1M, .keep = true } }, \
	.ram_count = 2,                                                       \
	.devices = { {                                                        \
		.name = "virtio-mmio-24-31",                                  \
		.kind = CFG_DEV_PASSTHROUGH,                                  \
		.ipa = VBLK_PHYS_PAGE,                                        \
		.pa = VBLK_PHYS_PAGE,                                         \
		.size = SZ_4K,                                                \
	} },                                                                  \
	.device_count = 1, .irqs = { VBLK_PHYS_INTID }, .irq_count = 1

/** The k-th client's RAM region [ipa, ipa + size), granted to the service. */
#define VBLK_GRANT(vm_name, k, ram_ipa, ram_size)                           \
	{                                                                   \
		.client = vm_name, .client_ipa = ram_ipa, .size = ram_size, \
		.ipa = VBLK_GRANT_IPA(k),                                   \
	}

/** Where the service sees the k-th client's register shadow page
 * (cfg_device.shadow_ipa, rules H1-H4): the client reads its registers
 * there without an exit. */
#define VBLK_SHADOW_IPA(k) (0x30000000ULL + SZ_4K * (k))

/** The window of the k-th client (the k of its VBLK_GRANT). */
#define GUEST_VBLK_WINDOW(k)                                                  \
	{                                                                     \
		.name = "vda", .kind = CFG_DEV_EMULATED,                      \
		.ipa = GUEST_VBLK_IPA, .size = SZ_4K,                         \
		.service = "vblk", /* Its virtio interrupt, raised by the     \
				      service. */                             \
			.irq = GUEST_VBLK_INTID, .compatible = "virtio,mmio", \
			.shadow_ipa = VBLK_SHADOW_IPA(k),                     \
	}
