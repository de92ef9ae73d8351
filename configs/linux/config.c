/**
 * The linux scenario: an unmodified Debian arm64 kernel with a busybox
 * initramfs, as one VM with LINUX_VCPUS vCPUs, served by the vgic, UART,
 * PL031 RTC and virtio-blk (vblk) services; with QEMU's disk (the `disk`
 * flag of the linux scenario) its root file system is /dev/vda. configs/linux_up reuses it with one vCPU, and the linux-crash
 * scenario with a UART service image that crashes on command.
 */
#include "../platform/platform.h"
#include "partition.h"

const struct cfg_scenario scenario = {
	.name = "linux",
	.platform = &platform_qemu_virt,
	.vm_count = 5,
	.vms = {
		VGIC_SERVICE_PARTITION,
		UART_SERVICE_PARTITION,
		PL031_SERVICE_PARTITION,
		LINUX_VBLK_SERVICE_PARTITION,
		LINUX_DISK_GUEST_PARTITION,
	},
};
