/**
 * Two Linux VMs on a network (issue 16, tests/system/test_vnet_linux.py):
 * each has the Linux partition's devices (configs/linux/partition.h) and a
 * virtual virtio-net (window at 0x0a001000, SPI 49) served by the vnet
 * service, which switches frames between them and the uplink, QEMU's user
 * network (the `net` flag of the scenarios line: tools/hypqemu.py,
 * net_args()). Each boots its own device tree (dtb, dtb2: the build
 * generates one per VM, with its tinyhyp.ip=: linux 10.0.2.15, linux2
 * 10.0.2.16); one vCPU each.
 */
#define LINUX_VCPUS 1
#include "../common/test_guest.h"
#include "../common/vnet_service.h"
#include "../linux/partition.h"
#include "../platform/platform.h"

#define LINUX_NET_DEVICES(k) LINUX_GUEST_DEVICES, GUEST_VNET_WINDOW(k)
#define LINUX_NET_DEVICE_COUNT (LINUX_GUEST_DEVICE_COUNT + 1)

/* A Linux VM named @vm_name with the network window (the k-th client of
 * vnet), its device tree the image @dtb_image. */
#define LINUX_NET_PARTITION(vm_name, k, dtb_image)                          \
	{                                                                \
		.name = vm_name, .kind = CFG_VM_GUEST,                 \
		.vcpu_count = LINUX_VCPUS, .image = "Image",           \
		.image_ipa = LINUX_IMAGE_IPA,                          \
		.entry = LINUX_IMAGE_IPA,                              \
		.entry_arg = LINUX_DTB_IPA, /* x0 = DTB */             \
		.loads = {                                             \
			{ .image = "initrd", .ipa = LINUX_INITRD_IPA }, \
			{ .image = dtb_image, .ipa = LINUX_DTB_IPA },      \
		},                                                     \
		.load_count = 2,                                       \
		.ram = { { .ipa = LINUX_RAM_BASE,                      \
			   .size = LINUX_RAM_SIZE } },                 \
		.ram_count = 1, .devices = { LINUX_NET_DEVICES(k) },      \
		.device_count = LINUX_NET_DEVICE_COUNT, \
	}

const struct cfg_scenario scenario = {
	.name = "linux-net",
	.platform = &platform_qemu_virt,
	.vm_count = 6,
	.vms = {
		VGIC_SERVICE_PARTITION,
		UART_SERVICE_PARTITION,
		PL031_SERVICE_PARTITION,
		{
			VNET_SERVICE_FIELDS,
			.grants = { VNET_GRANT("linux", 0, LINUX_RAM_BASE,
					       LINUX_RAM_SIZE),
				    VNET_GRANT("linux2", 1, LINUX_RAM_BASE,
					       LINUX_RAM_SIZE) },
			.grant_count = 2,
		},
		/* First of the UART's clients: its window gets the input. */
		LINUX_NET_PARTITION("linux", 0, "dtb"),
		LINUX_NET_PARTITION("linux2", 1, "dtb2"),
	},
};
