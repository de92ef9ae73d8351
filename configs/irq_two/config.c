/**
 * Two guests running the interrupt test side by side on one CPU: every WFI
 * of one switches the CPU (EL1 state, virtual timer, GICH list registers
 * and VMCR/APR) to the other, so each guest's timer ticks, distributor and
 * SGI checks run across full vCPU switches. One vgic service serves both
 * distributors.
 */
#include "../common/test_guest.h"
#include "../common/vgic_service.h"
#include "../platform/platform.h"

#define IRQ_TEST_GUEST(vm_name)                                               \
	{                                                                     \
		TEST_GUEST_FIELDS_NAMED(vm_name),                             \
		.devices = { GUEST_GICD_WINDOW, GUEST_GICC_WINDOW },          \
		.device_count = 2,                                            \
	}

const struct cfg_scenario scenario = {
	.name = "irq-two",
	.platform = &platform_qemu_virt,
	.vm_count = 3,
	.vms = {
		VGIC_SERVICE_PARTITION,
		IRQ_TEST_GUEST("one"),
		IRQ_TEST_GUEST("two"),
	},
};
