/**
 * The scenario of every bare-metal system test: one guest, image "test" (the
 * build puts a different test guest behind that name for each test), 16 MiB
 * of RAM at IPA 0x40000000 and nothing else: every other IPA is unmapped.
 */
#include "../platform/platform.h"
#include "hyp/units.h"

const struct cfg_scenario scenario = {
	.name = "test",
	.platform = &platform_qemu_virt,
	.vm_count = 1,
	.vms = {
		{
			.name = "test",
			.kind = CFG_VM_GUEST,
			.vcpu_count = 1,
			.image = "test",
			.image_ipa = 0x40000000,
			.entry = 0x40000000,
			.ram = { { .ipa = 0x40000000, .size = 16 * SZ_1M } },
			.ram_count = 1,
		},
	},
};
