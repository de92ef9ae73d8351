/**
 * Scenario of the system tests and benchmarks that need the UART service:
 * the service plus one guest, image "test" (a different test guest behind
 * that name per scenario), with the emulated PL011 at GUEST_UART_IPA.
 */
#include "../common/uart_service.h"
#include "../common/test_guest.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "uart-test",
	.platform = &platform_qemu_virt,
	.vm_count = 2,
	.vms = {
		UART_SERVICE_PARTITION,
		{
			TEST_GUEST_FIELDS,
			.devices = { GUEST_UART_WINDOW },
			.device_count = 1,
		},
	},
};
