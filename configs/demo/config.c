/**
 * The demo scenario booted by `scons qemu=1`: one bare-metal guest that
 * greets, exercises its RAM and a hypercall, and powers off.
 */
#include "../platform/platform.h"
#include "hyp/units.h"

const struct cfg_scenario scenario = {
	.name = "demo",
	.platform = &platform_qemu_virt,
	.vm_count = 1,
	.vms = {
		{
			.name = "hello",
			.kind = CFG_VM_GUEST,
			.vcpu_count = 1,
			.image = "hello",
			.image_ipa = 0x40000000,
			.entry = 0x40000000,
			.ram = { { .ipa = 0x40000000, .size = 16 * SZ_1M } },
			.ram_count = 1,
		},
	},
};
