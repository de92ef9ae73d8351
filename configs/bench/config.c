/**
 * Benchmarks (scons bench): the vgic and UART services and the benchmark
 * guest with two vCPUs (the second only for the virtual IPI figure), its
 * GIC distributor, CPU interface and PL011.
 */
#include "../common/test_guest.h"
#include "../common/uart_service.h"
#include "../common/vgic_service.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "bench",
	.platform = &platform_qemu_virt,
	.vm_count = 3,
	.vms = {
		VGIC_SERVICE_PARTITION,
		UART_SERVICE_PARTITION,
		{
			TEST_GUEST_FIELDS_SMP("test", 2),
			.devices = { GUEST_GICD_WINDOW, GUEST_GICC_WINDOW,
				     GUEST_UART_WINDOW },
			.device_count = 3,
		},
	},
};
