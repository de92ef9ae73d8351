/**
 * The virtio-blk service crashing under a bare-metal client's I/O (issue
 * 16, tests/system/test_vblk.py): the guest (guests/tests/vblkcrash.c)
 * writes and reads back batches of sectors while the service
 * (vblk-faultinject) crashes every few steps.
 */
#include "../common/test_guest.h"
#include "../common/vblk_service.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "vblk-crash",
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
