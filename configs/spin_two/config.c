/** Two busy guests on one CPU: shared only by the EL2 timer's time slices. */
#include "../common/test_guest.h"
#include "../platform/platform.h"
#include "hyp/units.h"

#define SPIN_GUEST(vm_name) { TEST_GUEST_FIELDS_NAMED(vm_name) }

const struct cfg_scenario scenario = {
	.name = "spin-two",
	.platform = &platform_qemu_virt,
	.vm_count = 2,
	.vms = { SPIN_GUEST("one"), SPIN_GUEST("two") },
};
