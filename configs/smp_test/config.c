/**
 * SMP tests: the vgic service and one test guest with two vCPUs, its GIC
 * distributor and CPU interface.
 */
#include "../common/test_guest.h"
#include "../common/vgic_service.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "smp-test",
	.platform = &platform_qemu_virt,
	.vm_count = 2,
	.vms = {
		VGIC_SERVICE_PARTITION,
		{
			TEST_GUEST_FIELDS_SMP("test", 2),
			.devices = { GUEST_GICD_WINDOW, GUEST_GICC_WINDOW },
			.device_count = 2,
		},
	},
};
