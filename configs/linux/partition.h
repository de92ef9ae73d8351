#pragma once
/**
 * The Linux guest partition: Debian's kernel with the busybox initramfs
 * and the DTB tools/dtgen generates from this partition, LINUX_VCPUS
 * vCPUs, its GIC distributor (vgic service), CPU interface, PL011 (UART
 * service) and PL031 RTC (pl031 service). Used by the linux, linux-up,
 * linux-crash, linux-vgic-crash, linux-rtc-crash and linux-two scenarios,
 * and by the scenario `scons guest=` generates, which all list the three
 * services.
 */
#include "../common/pl031_service.h"
#include "../common/uart_service.h"
#include "../common/vblk_service.h"
#include "../common/vgic_service.h"
#include "layout.h"

/*
 * The Linux VM's device windows (also those of a `scons guest=` VM,
 * site_scons/own_guest.py: one's own Linux sees the same machine). Each
 * has its .compatible, from which tools/dtgen writes the VM's device tree
 * node: adding a window here (and its service to the scenarios) is all it
 * takes to give the VM a device (docs/architecture.md).
 */
#define LINUX_GUEST_DEVICES                                                  \
	GUEST_GICD_WINDOW, GUEST_GICC_WINDOW, GUEST_UART_WINDOW,             \
		GUEST_RTC_WINDOW
#define LINUX_GUEST_DEVICE_COUNT 4

/* Everything of the Linux VM but its devices; _NAMED: another VM of the
 * same kernel, initramfs and device tree (configs/linux_vblk_two). */
#define LINUX_GUEST_FIELDS LINUX_GUEST_FIELDS_NAMED("linux")
#define LINUX_GUEST_FIELDS_NAMED(vm_name)                                    \
	.name = vm_name, .kind = CFG_VM_GUEST, .vcpu_count = LINUX_VCPUS,    \
	.image = "Image", .image_ipa = LINUX_IMAGE_IPA,                      \
	.entry = LINUX_IMAGE_IPA, .entry_arg = LINUX_DTB_IPA, /* x0 = DTB */ \
	.loads = {                                                           \
		{ .image = "initrd", .ipa = LINUX_INITRD_IPA },              \
		{ .image = "dtb", .ipa = LINUX_DTB_IPA },                    \
	},                                                                   \
	.load_count = 2,                                                     \
	.ram = { { .ipa = LINUX_RAM_BASE, .size = LINUX_RAM_SIZE } },        \
	.ram_count = 1

#define LINUX_GUEST_PARTITION                                                \
	{                                                                    \
		LINUX_GUEST_FIELDS,                                          \
		.devices = { LINUX_GUEST_DEVICES },                          \
		.device_count = LINUX_GUEST_DEVICE_COUNT,                    \
	}

/*
 * The Linux VM with a virtio-blk disk (configs/linux: the linux, linux-up,
 * linux-crash, ... scenarios): its window of the vblk service, which sees
 * the whole Linux RAM through a grant (LINUX_VBLK_SERVICE_PARTITION).
 * Without QEMU's disk the slot is empty (DeviceID 0) and the initramfs
 * stays on its shell; with it (the `disk` scenario flag) Linux's root is
 * /dev/vda.
 */
#define LINUX_DISK_GUEST_PARTITION                                           \
	{                                                                    \
		LINUX_GUEST_FIELDS,                                          \
		.devices = { LINUX_GUEST_DEVICES, GUEST_VBLK_WINDOW(0) },    \
		.device_count = LINUX_GUEST_DEVICE_COUNT + 1,                \
	}

#define LINUX_VBLK_SERVICE_PARTITION                                         \
	{                                                                    \
		VBLK_SERVICE_FIELDS("vblk"),                                 \
		.grants = { VBLK_GRANT("linux", 0, LINUX_RAM_BASE,           \
				       LINUX_RAM_SIZE) },                    \
		.grant_count = 1,                                            \
	}
