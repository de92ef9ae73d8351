/** Service fault test: the crashing echo service and one client guest. */
#include "../common/test_guest.h"
#include "../common/small_service.h"
#include "../platform/platform.h"
#include "hyp/units.h"

const struct cfg_scenario scenario = {
	.name = "svcfault",
	.platform = &platform_qemu_virt,
	.vm_count = 2,
	.vms = {
		{
			SMALL_SERVICE_FIELDS("echo", "testsvc"),
			SMALL_SERVICE_RAM_KEPT,
		},
		{
			TEST_GUEST_FIELDS,
			.devices = { SMALL_SERVICE_WINDOW("echo0", "echo") },
			.device_count = 1,
		},
	},
};
