/**
 * A virtio-mmio window with a register shadow page (issue 16, item 5;
 * tests/system/test_vshadow.py): the guest (guests/tests/vshadow.c) reads
 * its virtual virtio-blk's registers from the page the vblk service keeps
 * current (GUEST_VBLK_WINDOW(0): shadow_ipa, rules H1-H4), with the plain
 * service and with its fault-injecting build.
 */
#include "../common/test_guest.h"
#include "../common/vblk_service.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "vshadow",
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
