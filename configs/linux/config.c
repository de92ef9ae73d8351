/**
 * The linux scenario: an unmodified Debian arm64 kernel with a busybox
 * initramfs, as one VM with LINUX_VCPUS vCPUs, served by the vgic and UART
 * services. configs/linux_up reuses it with one vCPU.
 */
#include "../common/uart_service.h"
#include "../common/vgic_service.h"
#include "../platform/platform.h"
#include "layout.h"

const struct cfg_scenario scenario = {
	.name = "linux",
	.platform = &platform_qemu_virt,
	.vm_count = 3,
	.vms = {
		VGIC_SERVICE_PARTITION,
		UART_SERVICE_PARTITION,
		{
			.name = "linux",
			.kind = CFG_VM_GUEST,
			.vcpu_count = LINUX_VCPUS,
			.image = "Image",
			.image_ipa = LINUX_IMAGE_IPA,
			.entry = LINUX_IMAGE_IPA,
			.entry_arg = LINUX_DTB_IPA,   /* x0 = DTB */
			.loads = {
				{ .image = "initrd", .ipa = LINUX_INITRD_IPA },
				{ .image = "dtb", .ipa = LINUX_DTB_IPA },
			},
			.load_count = 2,
			.ram = { { .ipa = LINUX_RAM_BASE, .size = LINUX_RAM_SIZE } },
			.ram_count = 1,
			.devices = { GUEST_GICD_WINDOW, GUEST_GICC_WINDOW,
				     GUEST_UART_WINDOW },
			.device_count = 3,
		},
	},
};
