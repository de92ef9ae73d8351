/**
 * A hostile virtio-blk driver next to a well-behaved one (issue 16,
 * tests/system/test_vblk_hostile.py): one vblk service (layout
 * vblk-halves) serves VM "test" (guests/tests/vblkhostile.c: malformed
 * rings, bad buffers, bad requests, bad init orders) on sectors 0..2047
 * and VM "test2" (guests/tests/vblkgood.c: writes and reads back its
 * blocks meanwhile) on the rest of the disk.
 */
#include "../common/test_guest.h"
#include "../common/vblk_service.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "vblk-hostile",
	.platform = &platform_qemu_virt,
	.vm_count = 3,
	.vms = {
		{
			VBLK_SERVICE_FIELDS("vblk"),
			.grants = { VBLK_GRANT("test", 0, 0x40000000,
					       16 * SZ_1M),
				    VBLK_GRANT("test2", 1, 0x40000000,
					       16 * SZ_1M) },
			.grant_count = 2,
		},
		{
			TEST_GUEST_FIELDS,
			.devices = { GUEST_VBLK_WINDOW(0) },
			.device_count = 1,
		},
		{
			.name = "test2", .kind = CFG_VM_GUEST, .vcpu_count = 1,
			.image = "good", .image_ipa = 0x40000000,
			.entry = 0x40000000,
			.ram = { { .ipa = 0x40000000, .size = 16 * SZ_1M } },
			.ram_count = 1,
			.devices = { GUEST_VBLK_WINDOW(1) },
			.device_count = 1,
		},
	},
};
