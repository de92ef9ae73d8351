/**
 * A scenario that breaks a rule the kernel itself checks at boot (a vCPU
 * count beyond its per-partition array), linked without cfgcheck: the
 * build refuses it otherwise. test_foundation.py boots it to see the
 * kernel's own check name the field, panic, and QEMU exit with a failure
 * status instead of hanging.
 */
#include "../platform/platform.h"
#include "hyp/units.h"

#define BOUNDS_TOO_MANY_VCPUS 9 /* one more than CFG_MAX_VCPUS */

const struct cfg_scenario scenario = {
	.name = "bounds",
	.platform = &platform_qemu_virt,
	.vm_count = 1,
	.vms = {
		{
			.name = "hello",
			.kind = CFG_VM_GUEST,
			.vcpu_count = BOUNDS_TOO_MANY_VCPUS,
			.image = "hello",
			.image_ipa = 0x40000000,
			.entry = 0x40000000,
			.ram = { { .ipa = 0x40000000, .size = 16 * SZ_1M } },
			.ram_count = 1,
		},
	},
};
