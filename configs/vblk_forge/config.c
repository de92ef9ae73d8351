/**
 * A client forging its used ring while the virtio-blk service crashes (issue
 * 16, tests/system/test_vblk_hostile.py): the guest (vblkforge.c) puts a
 * forged used entry in its ring after each request while the service
 * (vblk-faultinject) crashes every few steps.
 */
#include "../common/test_guest.h"
#include "../common/vblk_service.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "vblk-forge",
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
