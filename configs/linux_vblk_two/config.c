/**
 * Two Linux VMs on one physical disk, each its own half (issue 16: disks of
 * two VMs are disjoint): the vblk service's halves layout
 * (services/vblk/include/vblk/vblk_layout.h) gives VM "linux" sectors
 * 0..2047 and VM "linux2" the rest, both seeing a /dev/vda. One vCPU each;
 * both boot the same kernel, initramfs and device tree (generated from VM
 * "linux", the same machine as "linux2"'s). The disk holds no file system:
 * each stays on its initramfs (tests/system/test_vblk_linux_two.py).
 */
#define LINUX_VCPUS 1
#include "../linux/partition.h"
#include "../platform/platform.h"

#define LINUX_VBLK_GUEST(vm_name, k)                                           \
	{                                                                      \
		LINUX_GUEST_FIELDS_NAMED(vm_name),                             \
			.devices = { LINUX_GUEST_DEVICES,                      \
				     GUEST_VBLK_WINDOW(k) },                   \
			.device_count = LINUX_GUEST_DEVICE_COUNT + 1,          \
	}

const struct cfg_scenario scenario = {
	.name = "linux-vblk-two",
	.platform = &platform_qemu_virt,
	.vm_count = 6,
	.vms = {
		VGIC_SERVICE_PARTITION,
		UART_SERVICE_PARTITION,
		PL031_SERVICE_PARTITION,
		{
			VBLK_SERVICE_FIELDS("vblk"),
			.grants = { VBLK_GRANT("linux", 0, LINUX_RAM_BASE,
					       LINUX_RAM_SIZE),
				    VBLK_GRANT("linux2", 1, LINUX_RAM_BASE,
					       LINUX_RAM_SIZE) },
			.grant_count = 2,
		},
		/* First of the UART's clients: its window gets the input. */
		LINUX_VBLK_GUEST("linux", 0),
		LINUX_VBLK_GUEST("linux2", 1),
	},
};
