/**
 * A scenario for tests/system/test_dtgen_passthru.py only (never booted):
 * a Linux-like guest given QEMU virt's PL031 as the README says to pass a
 * device through (a PASSTHROUGH window whose .irq names the SPI, which is
 * also in the partition's .irqs: rule D9), and one that passes an SPI
 * through without naming it in a window, which dtgen refuses.
 */
#include "../../configs/linux/partition.h"
#include "../../configs/platform/platform.h"

/* QEMU virt's PL031 RTC: 0x09010000, SPI 2 (INTID 34). */
#define PT_RTC_BASE 0x09010000ULL
#define PT_RTC_INTID 34
/* QEMU virt's first virtio-mmio transport, SPI 16 (INTID 48). */
#define PT_VIRTIO_BASE 0x0a000000ULL
#define PT_VIRTIO_INTID 48

const struct cfg_scenario scenario = {
	.name = "dtgen-passthru",
	.platform = &platform_qemu_virt,
	.vm_count = 4,
	.vms = {
		VGIC_SERVICE_PARTITION,
		UART_SERVICE_PARTITION,
		{
			.name = "pt",
			.kind = CFG_VM_GUEST,
			.vcpu_count = 1,
			.image = "guest",
			.image_ipa = 0x40000000,
			.entry = 0x40000000,
			.ram = { { .ipa = 0x40000000, .size = 16 * SZ_1M } },
			.ram_count = 1,
			/* The Linux VM's windows but its emulated RTC: this
			 * one gets the physical PL031. */
			.devices = {
				GUEST_GICD_WINDOW,
				GUEST_GICC_WINDOW,
				GUEST_UART_WINDOW,
				{
					.name = "rtc",
					.kind = CFG_DEV_PASSTHROUGH,
					.ipa = PT_RTC_BASE,
					.pa = PT_RTC_BASE,
					.size = SZ_4K,
					.irq = PT_RTC_INTID,
					.compatible = "arm,pl031",
				},
			},
			.device_count = 4,
			.irqs = { PT_RTC_INTID },
			.irq_count = 1,
		},
		{
			.name = "unlinked",
			.kind = CFG_VM_GUEST,
			.vcpu_count = 1,
			.image = "guest",
			.image_ipa = 0x40000000,
			.entry = 0x40000000,
			.ram = { { .ipa = 0x40000000, .size = 16 * SZ_1M } },
			.ram_count = 1,
			.devices = {
				GUEST_GICD_WINDOW,
				GUEST_GICC_WINDOW,
				GUEST_UART_WINDOW,
				{
					.name = "virtio0",
					.kind = CFG_DEV_PASSTHROUGH,
					.ipa = PT_VIRTIO_BASE,
					.pa = PT_VIRTIO_BASE,
					.size = SZ_4K,
					.compatible = "virtio,mmio",
				},
			},
			.device_count = 4,
			.irqs = { PT_VIRTIO_INTID },
			.irq_count = 1,
		},
	},
};
