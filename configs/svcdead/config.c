/**
 * Dead-service policy test: two echo services, each with one client. The
 * client of 'off' makes it power itself off (PSCI SYSTEM_OFF); the client of
 * 'echo' crashes it past its restart budget. Each client is stopped when its
 * service is given up; when none is left the machine powers off with a
 * failure status.
 */
#include "../common/small_service.h"
#include "../common/test_guest.h"
#include "../platform/platform.h"
#include "hyp/units.h"

#define ECHO_SERVICE(svc_name)                                               \
	{                                                                    \
		SMALL_SERVICE_FIELDS(svc_name, "testsvc"), SMALL_SERVICE_RAM \
	}

#define ECHO_CLIENT(vm_name, img, svc_name)                            \
	{                                                              \
		TEST_GUEST_FIELDS_IMAGE(vm_name, img, 1),              \
			.devices = { SMALL_SERVICE_WINDOW("echo0",     \
							  svc_name) }, \
			.device_count = 1,                             \
	}

const struct cfg_scenario scenario = {
	.name = "svcdead",
	.platform = &platform_qemu_virt,
	.vm_count = 4,
	.vms = {
		ECHO_SERVICE("echo"),
		ECHO_SERVICE("off"),
		ECHO_CLIENT("crasher", "crasher", "echo"),
		ECHO_CLIENT("offer", "offer", "off"),
	},
};
