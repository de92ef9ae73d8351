/**
 * Two bare-metal clients of one virtio-blk service (issue 16): with the
 * vblk-halves layout, VM "test" gets the first VBLK_HALF_SECTORS sectors of
 * the disk and VM "test2" the rest. The scenarios file puts either
 * guests/tests/vblk.c on both (tests/system/test_vblk.py), or a hostile
 * driver (vblkhostile.c: malformed rings, bad buffers, bad requests, bad
 * init orders) on "test" beside a well-behaved one (vblkgood.c: writes and
 * reads back its blocks meanwhile) on "test2" (test_vblk_hostile.py).
 */
#include "../common/test_guest.h"
#include "../common/vblk_service.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "vblk-two",
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
			TEST_GUEST_FIELDS_IMAGE("test2", "test2", 1),
			.devices = { GUEST_VBLK_WINDOW(1) },
			.device_count = 1,
		},
	},
};
