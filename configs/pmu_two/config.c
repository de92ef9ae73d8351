/**
 * PMU and OS-lock isolation (issue 12, item 2): two guests, "one" and "two"
 * (guests/tests/pmuiso.c built for each role), that the test runs on one
 * physical CPU, so that only the vCPU switch separates their registers.
 */
#include "../platform/platform.h"
#include "hyp/config.h"
#include "hyp/units.h"

#define PMU_GUEST(vm_name)                                                  \
	{                                                                   \
		.name = vm_name, .kind = CFG_VM_GUEST, .vcpu_count = 1,     \
		.image = vm_name, .image_ipa = 0x40000000,                  \
		.entry = 0x40000000,                                        \
		.ram = { { .ipa = 0x40000000, .size = 16 * SZ_1M } },       \
		.ram_count = 1,                                             \
	}

const struct cfg_scenario scenario = {
	.name = "pmu-two",
	.platform = &platform_qemu_virt,
	.vm_count = 2,
	.vms = { PMU_GUEST("one"), PMU_GUEST("two") },
};
