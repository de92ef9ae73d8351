/**
 * A virtio-blk ring refilled while the service walks it (issue 16,
 * tests/system/test_vblk_flood.py): one vblk service (vblk-halves layout)
 * serves VM "test" (guests/tests/vblkflood.c: its second vCPU keeps GET_ID
 * requests available while the first one kicks) and VM "test2"
 * (guests/tests/vblkgood.c: writes and reads back its blocks meanwhile).
 */
#include "../common/test_guest.h"
#include "../common/vblk_service.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "vblk-flood",
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
			/* A second vCPU feeds the ring while the service
			 * walks it. */
			TEST_GUEST_FIELDS_SMP("test", 2),
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
