/**
 * EL1 physical timer test (guests/tests/ptimer.c): the vgic service and two
 * VMs running the same test image, "one" with two vCPUs and "two" with one,
 * each with its GIC distributor and CPU interface. With one physical CPU
 * all three vCPUs share it, so every timer interrupt must find its own
 * vCPU across full switches.
 */
#include "../common/test_guest.h"
#include "../common/vgic_service.h"
#include "../platform/platform.h"

#define PTIMER_TEST_GUEST(vm_name, vcpus)                                     \
	{                                                                     \
		TEST_GUEST_FIELDS_SMP(vm_name, vcpus),                        \
		.devices = { GUEST_GICD_WINDOW, GUEST_GICC_WINDOW },          \
		.device_count = 2,                                            \
	}

const struct cfg_scenario scenario = {
	.name = "ptimer",
	.platform = &platform_qemu_virt,
	.vm_count = 3,
	.vms = {
		VGIC_SERVICE_PARTITION,
		PTIMER_TEST_GUEST("one", 2),
		PTIMER_TEST_GUEST("two", 1),
	},
};
