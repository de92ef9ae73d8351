/**
 * Service interrupt test: the echo service owns the physical PL011 and its
 * interrupt (SPI 1) and resets itself while holding it masked; one client.
 */
#include "../common/test_guest.h"
#include "../platform/platform.h"
#include "hyp/units.h"

const struct cfg_scenario scenario = {
	.name = "svcirq",
	.platform = &platform_qemu_virt,
	.vm_count = 2,
	.vms = {
		{
			.name = "echo",
			.kind = CFG_VM_SERVICE,
			.vcpu_count = 1,
			.image = "testsvc",
			.image_ipa = 0x20000000,
			.entry = 0x20000000,
			.ram = { { .ipa = 0x20000000, .size = 2 * SZ_1M },
				 { .ipa = 0x20200000, .size = 2 * SZ_1M,
				   .keep = true } },
			.ram_count = 2,
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
			.devices = { {
				.name = "echo0",
				.kind = CFG_DEV_EMULATED,
				.ipa = 0x0a000000,
				.size = SZ_4K,
				.service = "echo",
			} },
			.device_count = 1,
		},
	},
};
