/**
 * A guest that spins beside its service on one CPU: the echo service
 * (services/testsvc) and one client guest that notifies it and then runs
 * without a trap (guests/tests/starve.c, tests/system/test_starve.py).
 */
#include "../common/test_guest.h"
#include "../platform/platform.h"
#include "hyp/units.h"

const struct cfg_scenario scenario = {
	.name = "starve",
	.platform = &platform_qemu_virt,
	.vm_count = 2,
	.vms = {
		{
			.name = "echo",
			.kind = CFG_VM_SERVICE,
			.vcpu_count = 1,
			.image = "testsvc",
			.image_ipa = 0x20000000,
			.entry = 0x20000000,
			.ram = { { .ipa = 0x20000000, .size = 2 * SZ_1M } },
			.ram_count = 1,
		},
		{
			TEST_GUEST_FIELDS,
			.devices = { {
				.name = "echo0",
				.kind = CFG_DEV_EMULATED,
				.ipa = 0x0a000000,
				.size = SZ_4K,
				.service = "echo",
			} },
			.device_count = 1,
		},
	},
};
