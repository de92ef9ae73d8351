/**
 * Two VMs on one machine: the Debian Linux guest (as in configs/linux) and
 * the bare-metal console guest (guests/console), each with its own GIC
 * distributor (vgic service) and PL011 (UART service), RAM and VMID. The
 * UART service tags each VM's output lines with its name and switches
 * console input between them (Ctrl-] 1 / Ctrl-] 2; docs/architecture.md).
 */
#include "../common/test_guest.h"
#include "../linux/partition.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "linux-two",
	.platform = &platform_qemu_virt,
	.vm_count = 5,
	.vms = {
		VGIC_SERVICE_PARTITION,
		UART_SERVICE_PARTITION,
		PL031_SERVICE_PARTITION,
		/* First of the UART's clients: its window gets the input. */
		LINUX_GUEST_PARTITION,
		{
			TEST_GUEST_FIELDS_NAMED("console"),
			.devices = { GUEST_GICD_WINDOW, GUEST_GICC_WINDOW,
				     GUEST_UART_WINDOW },
			.device_count = 3,
		},
	},
};
