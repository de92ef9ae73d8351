/**
 * A scenario for tests/system/test_dtgen.py only (never booted): a guest
 * with two vCPUs, two RAM regions, the Linux VM's devices (among them the
 * emulated PL031 RTC the RTC service gives it) and a passthrough device
 * with a compatible dtgen has no entry for, so that each kind of node
 * dtgen writes appears in its device tree; and a guest with a window
 * dtgen cannot describe. cfgcheck accepts it (test_dtgen_passthru.py).
 */
#include "../../configs/linux/partition.h"
#include "../../configs/platform/platform.h"

/* QEMU virt's first virtio-mmio transport, SPI 16 (INTID 48). */
#define EXAMPLE_VIRTIO_IPA 0x0a000000ULL
#define EXAMPLE_VIRTIO_INTID 48
/* QEMU virt's last page of virtio-mmio transports (24..31), for "nodt". */
#define EXAMPLE_MYSTERY_PA 0x0a003000ULL

const struct cfg_scenario scenario = {
	.name = "dtgen-example",
	.platform = &platform_qemu_virt,
	.vm_count = 5,
	.vms = {
		VGIC_SERVICE_PARTITION,
		UART_SERVICE_PARTITION,
		PL031_SERVICE_PARTITION,
		{
			.name = "two",
			.kind = CFG_VM_GUEST,
			.vcpu_count = 2,
			.image = "guest",
			.image_ipa = 0x40000000,
			.entry = 0x40000000,
			.entry_arg = 0x47e00000,
			.loads = { { .image = "initrd", .ipa = 0x47000000 },
				   { .image = "dtb", .ipa = 0x47e00000 } },
			.load_count = 2,
			.ram = { { .ipa = 0x40000000, .size = 128 * SZ_1M },
				 { .ipa = 0x60000000, .size = 64 * SZ_1M } },
			.ram_count = 2,
			.devices = {
				LINUX_GUEST_DEVICES,
				{
					.name = "virtio0",
					.kind = CFG_DEV_PASSTHROUGH,
					.ipa = EXAMPLE_VIRTIO_IPA,
					.pa = EXAMPLE_VIRTIO_IPA,
					.size = SZ_4K,
					.irq = EXAMPLE_VIRTIO_INTID,
					.compatible = "virtio,mmio",
				},
			},
			.device_count = LINUX_GUEST_DEVICE_COUNT + 1,
			/* The virtio window's SPI, passed through (rule D9). */
			.irqs = { EXAMPLE_VIRTIO_INTID },
			.irq_count = 1,
		},
		{
			/* A window without .compatible: dtgen refuses. */
			.name = "nodt",
			.kind = CFG_VM_GUEST,
			.vcpu_count = 1,
			.image = "guest",
			.image_ipa = 0x40000000,
			.entry = 0x40000000,
			.ram = { { .ipa = 0x40000000, .size = 16 * SZ_1M } },
			.ram_count = 1,
			.devices = { GUEST_GICD_WINDOW, GUEST_GICC_WINDOW,
				     { .name = "mystery",
				       .kind = CFG_DEV_PASSTHROUGH,
				       .ipa = EXAMPLE_VIRTIO_IPA,
				       .pa = EXAMPLE_MYSTERY_PA,
				       .size = SZ_4K } },
			.device_count = 3,
		},
	},
};
