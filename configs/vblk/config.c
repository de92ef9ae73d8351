/**
 * The virtio-blk service with one bare-metal client (issue 16,
 * tests/system/test_vblk.py, test_vblk_hostile.py): the guest drives its
 * virtual virtio-blk, the service the physical disk QEMU gets with the
 * test's -drive/-device. Its 16 MiB of RAM are granted to the service.
 * The scenarios file names the guest (vblk.c, vblkcrash.c, vblkforge.c,
 * vshadow.c) and the service build (plain, read-only, crashing).
 */
#include "../common/test_guest.h"
#include "../common/vblk_service.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "vblk",
	.platform = &platform_qemu_virt,
	.vm_count = 2,
	.vms = {
		{
			VBLK_SERVICE_FIELDS("vblk"),
			.grants = { VBLK_GRANT("test", 0, 0x40000000,
					       16 * SZ_1M) },
			.grant_count = 1,
		},
		{
			TEST_GUEST_FIELDS,
			.devices = { GUEST_VBLK_WINDOW(0) },
			.device_count = 1,
		},
	},
};
