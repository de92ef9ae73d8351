/** Two busy guests on one CPU: shared only by the EL2 timer's time slices. */
#include "../platform/platform.h"
#include "hyp/units.h"

#define SPIN_GUEST(vm_name)                                                   \
	{                                                                     \
		.name = vm_name, .kind = CFG_VM_GUEST, .vcpu_count = 1,       \
		.image = "test", .image_ipa = 0x40000000,                     \
		.entry = 0x40000000,                                          \
		.ram = { { .ipa = 0x40000000, .size = 16 * SZ_1M } },         \
		.ram_count = 1,                                               \
	}

const struct cfg_scenario scenario = {
	.name = "spin-two",
	.platform = &platform_qemu_virt,
	.vm_count = 2,
	.vms = { SPIN_GUEST("one"), SPIN_GUEST("two") },
};
