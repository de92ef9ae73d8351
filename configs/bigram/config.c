/**
 * The demo's guest with 768 MiB of RAM: it fits the board of `-m 1G` (the
 * build's check, against configs/platform) and of `scons mem=2G`, not the
 * board of `mem=512M`, which the kernel must refuse at boot by name
 * (tests/system/test_board.py).
 */
#include "../common/uart_service.h"
#include "../platform/platform.h"

#define BIGRAM_GUEST_RAM (768 * SZ_1M)

const struct cfg_scenario scenario = {
	.name = "bigram",
	.platform = &platform_qemu_virt,
	.vm_count = 2,
	.vms = {
		UART_SERVICE_PARTITION,
		{
			.name = "hello",
			.kind = CFG_VM_GUEST,
			.vcpu_count = 1,
			.image = "hello",
			.image_ipa = 0x40000000,
			.entry = 0x40000000,
			.ram = { { .ipa = 0x40000000, .size = BIGRAM_GUEST_RAM } },
			.ram_count = 1,
			.devices = { GUEST_UART_WINDOW },
			.device_count = 1,
		},
	},
};
