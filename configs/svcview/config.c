/**
 * What a service sees of the guest under it (issue 12, item 4): the probe
 * service (services/regprobe) and one client guest (guests/tests/svcview.c)
 * with one window of it.
 */
#include "../common/test_guest.h"
#include "../platform/platform.h"
#include "hyp/units.h"

const struct cfg_scenario scenario = {
	.name = "svcview",
	.platform = &platform_qemu_virt,
	.vm_count = 2,
	.vms = {
		{
			.name = "regprobe",
			.kind = CFG_VM_SERVICE,
			.vcpu_count = 1,
			.image = "regprobe",
			.image_ipa = 0x20000000,
			.entry = 0x20000000,
			.ram = { { .ipa = 0x20000000, .size = 2 * SZ_1M } },
			.ram_count = 1,
		},
		{
			TEST_GUEST_FIELDS,
			.devices = { {
				.name = "probe0",
				.kind = CFG_DEV_EMULATED,
				.ipa = 0x0a000000,
				.size = SZ_4K,
				.service = "regprobe",
			} },
			.device_count = 1,
		},
	},
};
