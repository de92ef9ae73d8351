#pragma once
/**
 * Scenario building blocks for the virtio-net service (services/vnet): the
 * service partition, driver of QEMU virt's virtio-net device (virtio-mmio
 * slot 23: its page passed through, its SPI 71 owned), and the emulated
 * virtio-mmio window a client guest gets. The service reaches a client's
 * buffers through a grant of the client's RAM (VNET_GRANT), given after
 * the fields: { VNET_SERVICE_FIELDS, .grants = { VNET_GRANT(...) },
 * .grant_count = 1 }. QEMU needs the uplink on slot 23, modern
 * (tools/hypqemu.py, net_args(); a scenarios line with the `net` flag).
 */
#include "hyp/config.h"
#include "hyp/units.h"

/** Where a guest finds its virtual virtio-net, and its SPI. */
#define GUEST_VNET_IPA 0x0a001000ULL
#define GUEST_VNET_INTID 49
/** virt's virtio-mmio slots 16..23 (slot 23 is the uplink), its SPI. */
#define VNET_PHYS_PAGE 0x0a002000ULL
#define VNET_PHYS_INTID 71
/** The service's RAM kept across restarts (its clients' devices). */
#define VNET_KEPT_IPA 0x20200000ULL
/** Where the service sees the k-th client's granted RAM. */
#define VNET_GRANT_IPA(k) (0x100000000ULL + 0x40000000ULL * (k))

#define VNET_SERVICE_FIELDS                                                  \
	.name = "vnet", .kind = CFG_VM_SERVICE, .vcpu_count = 1,             \
	.image = "vnet", .image_ipa = 0x20000000, .entry = 0x20000000,       \
	.ram = { { .ipa = 0x20000000, .size = 2 * SZ_1M },                   \
		 /* Its clients' devices, kept across restarts. */          \
		 { .ipa = VNET_KEPT_IPA, .size = SZ_2M, .keep = true } },     \
	.ram_count = 2,                                                      \
	.devices = { {                                                       \
		.name = "virtio-mmio-16-23",                                 \
		.kind = CFG_DEV_PASSTHROUGH,                                 \
		.ipa = VNET_PHYS_PAGE,                                       \
		.pa = VNET_PHYS_PAGE,                                        \
		.size = SZ_4K,                                               \
	} },                                                                 \
	.device_count = 1, .irqs = { VNET_PHYS_INTID }, .irq_count = 1

/** The k-th client's RAM region [ipa, ipa + size), granted to the service. */
#define VNET_GRANT(vm_name, k, ram_ipa, ram_size)                           \
	{                                                                   \
		.client = vm_name, .client_ipa = ram_ipa, .size = ram_size, \
		.ipa = VNET_GRANT_IPA(k),                                   \
	}

/** Where the service sees the k-th client's register shadow page
 * (cfg_device.shadow_ipa, rules H1-H4): the client reads its registers
 * there without an exit. */
#define VNET_SHADOW_IPA(k) (0x30000000ULL + SZ_4K * (k))

/** The window of the k-th client (the k of its VNET_GRANT). */
#define GUEST_VNET_WINDOW(k)                                                  \
	{                                                                     \
		.name = "eth0", .kind = CFG_DEV_EMULATED,                     \
		.ipa = GUEST_VNET_IPA, .size = SZ_4K,                         \
		.service = "vnet", /* Its virtio interrupt, raised by the     \
				      service. */                             \
			.irq = GUEST_VNET_INTID, .compatible = "virtio,mmio", \
			.shadow_ipa = VNET_SHADOW_IPA(k),                     \
	}
