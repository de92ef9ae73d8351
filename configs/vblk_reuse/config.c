/**
 * A vblk client acting on a used entry while the service that published
 * it is still dying (issue 16, guests/tests/vblkreuse.c,
 * tests/system/test_vblk_reuse.py). Guest vCPUs get their home CPU round
 * robin in this order: "idle" (a guest that sleeps in WFI, then ends) the
 * first CPU, "test" the second, so the service, woken by the disk's
 * interrupt on the first, runs beside the client (two CPUs).
 */
#include "../common/test_guest.h"
#include "../common/vblk_service.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "vblk-reuse",
	.platform = &platform_qemu_virt,
	.vm_count = 3,
	.vms = {
		{
			VBLK_SERVICE_FIELDS("vblk"),
			.grants = { VBLK_GRANT("test", 0, 0x40000000,
					       16 * SZ_1M) },
			.grant_count = 1,
		},
		{
			.name = "idle",
			.kind = CFG_VM_GUEST,
			.vcpu_count = 1,
			.image = "idle",
			.image_ipa = 0x40000000,
			.entry = 0x40000000,
			.ram = { { .ipa = 0x40000000, .size = 16 * SZ_1M } },
			.ram_count = 1,
		},
		{
			TEST_GUEST_FIELDS,
			.devices = { GUEST_VBLK_WINDOW(0) },
			.device_count = 1,
		},
	},
};
