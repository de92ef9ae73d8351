#pragma once
/**
 * The Linux guest partition: Debian's kernel with the busybox initramfs
 * and the generated DTB, LINUX_VCPUS vCPUs, its GIC distributor (vgic
 * service), CPU interface and PL011 (UART service). Used by the linux,
 * linux-up, linux-crash and linux-two scenarios.
 */
#include "../common/uart_service.h"
#include "../common/vgic_service.h"
#include "layout.h"

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
		.devices = { GUEST_GICD_WINDOW, GUEST_GICC_WINDOW,           \
			     GUEST_UART_WINDOW },                            \
		.device_count = 3,                                           \
	}
