/**
 * Isolation test: a probe service (a test image run as a service partition)
 * checks that it can reach nothing but its own RAM, then serves one window
 * to a guest.
 */
#include "../common/test_guest.h"
#include "../platform/platform.h"
#include "hyp/units.h"

const struct cfg_scenario scenario = {
	.name = "isolation",
	.platform = &platform_qemu_virt,
	.vm_count = 2,
	.vms = {
		{
			.name = "probe",
			.kind = CFG_VM_SERVICE,
			.vcpu_count = 1,
			.image = "probe",
			.image_ipa = 0x40000000,
			.entry = 0x40000000,
			.ram = { { .ipa = 0x40000000, .size = 2 * SZ_1M } },
			.ram_count = 1,
		},
		{
			TEST_GUEST_FIELDS,
			.devices = { {
				.name = "probe0",
				.kind = CFG_DEV_EMULATED,
				.ipa = 0x0a000000,
				.size = SZ_4K,
				.service = "probe",
			} },
			.device_count = 1,
		},
	},
};
