/**
 * Service interrupt test: the echo service owns the physical PL011 and its
 * interrupt (SPI 1) and resets itself while holding it masked; one client.
 */
#include "../common/test_guest.h"
#include "../common/small_service.h"
#include "../platform/platform.h"
#include "hyp/units.h"

const struct cfg_scenario scenario = {
	.name = "svcirq",
	.platform = &platform_qemu_virt,
	.vm_count = 2,
	.vms = {
		{
			SMALL_SERVICE_FIELDS("echo", "testsvc"),
			SMALL_SERVICE_RAM_KEPT,
			.devices = { {
				.name = "pl011",
				.kind = CFG_DEV_PASSTHROUGH,
				.ipa = 0x09000000,
				.pa = 0x09000000,
				.size = SZ_4K,
			} },
			.device_count = 1,
			/* The physical PL011's interrupt, SPI 1. */
			.irqs = { 33 },
			.irq_count = 1,
		},
		{
			TEST_GUEST_FIELDS,
			.devices = { SMALL_SERVICE_WINDOW("echo0", "echo") },
			.device_count = 1,
		},
	},
};
