/**
 * Interrupt tests: the vgic and UART services and one test guest with its
 * GIC distributor, CPU interface and PL011 (with its interrupt, SPI 33).
 */
#include "../common/test_guest.h"
#include "../common/uart_service.h"
#include "../common/vgic_service.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "irq-test",
	.platform = &platform_qemu_virt,
	.vm_count = 3,
	.vms = {
		VGIC_SERVICE_PARTITION,
		UART_SERVICE_PARTITION,
		{
			TEST_GUEST_FIELDS,
			.devices = { GUEST_GICD_WINDOW, GUEST_GICC_WINDOW,
				     GUEST_UART_WINDOW },
			.device_count = 3,
		},
	},
};
