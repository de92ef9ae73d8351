/**
 * A client that keeps the vblk service busy must not hold another back
 * (issue 16, tests/system/test_vblk_starve.py): one vblk service
 * (vblk-halves layout) serves VMs "test" and "test2", one vCPU each, both
 * running guests/tests/vblkstarve.c: "test2" kicks a whole queue again
 * and again, "test" has a request only the service's timer takes. With
 * QEMU -smp 1 both VMs share the one CPU, with -smp 2 each has its own
 * (homes are given round robin in VM order).
 */
#include "../common/test_guest.h"
#include "../common/vblk_service.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "vblk-starve",
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
			TEST_GUEST_FIELDS_IMAGE("test", "test", 1),
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
