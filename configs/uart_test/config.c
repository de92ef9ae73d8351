/**
 * Scenario of the system tests and benchmarks that need the UART service:
 * the service plus one guest, image "test" (a different test guest behind
 * that name per scenario), with the emulated PL011 at GUEST_UART_IPA.
 */
#include "../common/uart_service.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "uart-test",
	.platform = &platform_qemu_virt,
	.vm_count = 2,
	.vms = {
		UART_SERVICE_PARTITION,
		{
			.name = "test",
			.kind = CFG_VM_GUEST,
			.vcpu_count = 1,
			.image = "test",
			.image_ipa = 0x40000000,
			.entry = 0x40000000,
			.ram = { { .ipa = 0x40000000, .size = 16 * SZ_1M } },
			.ram_count = 1,
			.devices = { GUEST_UART_WINDOW },
			.device_count = 1,
		},
	},
};
