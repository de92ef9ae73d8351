/**
 * The demo scenario booted by `scons qemu=1`: the UART service partition
 * emulating a PL011 for one bare-metal guest. The guest greets through that
 * virtual PL011 with plain stores (each one an MMIO exit forwarded to the
 * service), exercises its RAM and powers off.
 */
#include "../common/uart_service.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "demo",
	.platform = &platform_qemu_virt,
	.vm_count = 2,
	.vms = {
		UART_SERVICE_PARTITION,
		{
			.name = "hello",
			.kind = CFG_VM_GUEST,
			.vcpu_count = 1,
			.image = "hello",
			.image_ipa = 0x40000000,
			.entry = 0x40000000,
			.ram = { { .ipa = 0x40000000, .size = 16 * SZ_1M } },
			.ram_count = 1,
			.devices = { GUEST_UART_WINDOW },
			.device_count = 1,
		},
	},
};
