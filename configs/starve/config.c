/**
 * A guest that spins beside its service on one CPU: the echo service
 * (services/testsvc) and one client guest that notifies it and then runs
 * without a trap (guests/tests/starve.c, tests/system/test_starve.py).
 */
#include "../common/test_guest.h"
#include "../common/small_service.h"
#include "../platform/platform.h"
#include "hyp/units.h"

const struct cfg_scenario scenario = {
	.name = "starve",
	.platform = &platform_qemu_virt,
	.vm_count = 2,
	.vms = {
		{
			SMALL_SERVICE_FIELDS("echo", "testsvc"),
			SMALL_SERVICE_RAM,
		},
		{
			TEST_GUEST_FIELDS,
			.devices = { SMALL_SERVICE_WINDOW("echo0", "echo") },
			.device_count = 1,
		},
	},
};
