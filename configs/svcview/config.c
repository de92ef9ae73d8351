/**
 * What a service sees of the guest under it (issue 12, item 4): the probe
 * service (services/regprobe) and one client guest (guests/tests/svcview.c)
 * with one window of it.
 */
#include "../common/test_guest.h"
#include "../common/small_service.h"
#include "../platform/platform.h"
#include "hyp/units.h"

const struct cfg_scenario scenario = {
	.name = "svcview",
	.platform = &platform_qemu_virt,
	.vm_count = 2,
	.vms = {
		{
			SMALL_SERVICE_FIELDS("regprobe", "regprobe"),
			SMALL_SERVICE_RAM,
		},
		{
			TEST_GUEST_FIELDS,
			.devices = { SMALL_SERVICE_WINDOW("probe0", "regprobe") },
			.device_count = 1,
		},
	},
};
