/**
 * Device passthrough: QEMU virt's PL031 RTC (one 4 KiB frame at 0x09010000,
 * its level-sensitive interrupt SPI 2 = INTID 34) given to the guest "rtc"
 * with its own virtual GIC (distributor served by "vgic", the hardware
 * GICV): the physical SPI reaches the guest through its virtual
 * distributor as a hardware-linked interrupt. A second guest, "other",
 * has no window there and must take a Stage-2 abort.
 */
#include "../common/test_guest.h"
#include "../common/vgic_service.h"
#include "../platform/platform.h"
#include "hyp/units.h"

/* QEMU hw/arm/virt.c: VIRT_RTC base and size, SPI 2 (INTID 32 + 2). */
#define PL031_BASE 0x09010000
#define PL031_INTID 34

const struct cfg_scenario scenario = {
	.name = "pl031pt",
	.platform = &platform_qemu_virt,
	.vm_count = 3,
	.vms = {
		VGIC_SERVICE_PARTITION,
		{
			TEST_GUEST_FIELDS_NAMED("rtc"),
			.devices = { GUEST_GICD_WINDOW, GUEST_GICC_WINDOW,
				     {
					     .name = "pl031",
					     .kind = CFG_DEV_PASSTHROUGH,
					     .ipa = PL031_BASE,
					     .pa = PL031_BASE,
					     .size = SZ_4K,
					     /* The SPI passed through with
					      * it (rule D9). */
					     .irq = PL031_INTID,
				     } },
			.device_count = 3,
			.irqs = { PL031_INTID },
			.irq_count = 1,
		},
		{
			.name = "other", .kind = CFG_VM_GUEST, .vcpu_count = 1,
			.image = "other", .image_ipa = 0x40000000,
			.entry = 0x40000000,
			.ram = { { .ipa = 0x40000000, .size = 16 * SZ_1M } },
			.ram_count = 1,
		},
	},
};
