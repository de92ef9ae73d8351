/**
 * Scenario of the AArch32 EL0 test (guests/tests/aarch32.c): the UART
 * service and the test guest with its emulated PL011 and a second RAM
 * region. The pool hands RAM out first fit, 2 MiB aligned, so the second
 * region normally follows the first in physical memory: the guest
 * controls the bytes right after its first region's last page, which is
 * what a kernel reading past that page would see.
 */
#include "../common/uart_service.h"
#include "../platform/platform.h"

/** The second region's IPA (guests/tests/aarch32.c: AARCH32_NEXT_RAM). */
#define TEST_NEXT_RAM_IPA 0x48000000ULL

const struct cfg_scenario scenario = {
	.name = "aarch32",
	.platform = &platform_qemu_virt,
	.vm_count = 2,
	.vms = {
		UART_SERVICE_PARTITION,
		{
			.name = "test",
			.kind = CFG_VM_GUEST,
			.vcpu_count = 1,
			.image = "test",
			.image_ipa = 0x40000000,
			.entry = 0x40000000,
			.ram = { { .ipa = 0x40000000, .size = 16 * SZ_1M },
				 { .ipa = TEST_NEXT_RAM_IPA, .size = 2 * SZ_1M } },
			.ram_count = 2,
			.devices = { GUEST_UART_WINDOW },
			.device_count = 1,
		},
	},
};
