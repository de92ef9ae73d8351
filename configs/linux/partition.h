#pragma once
/**
 * The Linux guest partition: Debian's kernel with the busybox initramfs
 * and the DTB tools/dtgen generates from this partition, LINUX_VCPUS
 * vCPUs, its GIC distributor (vgic service), CPU interface and PL011 (UART
 * service). Used by the linux, linux-up, linux-crash and linux-two
 * scenarios.
 */
#include "../common/uart_service.h"
#include "../common/vgic_service.h"
#include "layout.h"

/*
 * The Linux VM's device windows (also those of a `scons guest=` VM,
 * site_scons/own_guest.py). Each has its .compatible, from which
 * tools/dtgen writes the VM's device tree node: adding a window here is
 * all it takes to give the VM a device (docs/architecture.md).
 */
#define LINUX_GUEST_DEVICES                                                  \
	GUEST_GICD_WINDOW, GUEST_GICC_WINDOW, GUEST_UART_WINDOW
#define LINUX_GUEST_DEVICE_COUNT 3

#define LINUX_GUEST_PARTITION                                                \
	{                                                                    \
		.name = "linux",                                             \
		.kind = CFG_VM_GUEST,                                        \
		.vcpu_count = LINUX_VCPUS,                                   \
		.image = "Image",                                            \
		.image_ipa = LINUX_IMAGE_IPA,                                \
		.entry = LINUX_IMAGE_IPA,                                    \
		.entry_arg = LINUX_DTB_IPA, /* x0 = DTB */                   \
		.loads = {                                                   \
			{ .image = "initrd", .ipa = LINUX_INITRD_IPA },      \
			{ .image = "dtb", .ipa = LINUX_DTB_IPA },            \
		},                                                           \
		.load_count = 2,                                             \
		.ram = { { .ipa = LINUX_RAM_BASE, .size = LINUX_RAM_SIZE } },\
		.ram_count = 1,                                              \
		.devices = { LINUX_GUEST_DEVICES },                          \
		.device_count = LINUX_GUEST_DEVICE_COUNT,                    \
	}
