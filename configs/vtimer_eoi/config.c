/**
 * Virtual timer completion test (guests/tests/vtimer_eoi.c): the vgic
 * service and one test guest with its GIC distributor and CPU interface.
 */
#include "../common/test_guest.h"
#include "../common/vgic_service.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "vtimer-eoi",
	.platform = &platform_qemu_virt,
	.vm_count = 2,
	.vms = {
		VGIC_SERVICE_PARTITION,
		{
			TEST_GUEST_FIELDS,
			.devices = { GUEST_GICD_WINDOW, GUEST_GICC_WINDOW },
			.device_count = 2,
		},
	},
};
