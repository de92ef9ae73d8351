/**
 * A client's reset with reads in flight on the physical disk (issue 16,
 * guests/tests/vblkreset.c, tests/system/test_vblk.py): one bare-metal
 * client of the vblk service, its 16 MiB of RAM granted; the emulated
 * PL031 (which keeps its counter across the reset) tells its two runs
 * apart.
 */
#include "../common/pl031_service.h"
#include "../common/test_guest.h"
#include "../common/vblk_service.h"
#include "../common/vgic_service.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "vblk-reset",
	.platform = &platform_qemu_virt,
	.vm_count = 4,
	.vms = {
		VGIC_SERVICE_PARTITION,
		PL031_SERVICE_PARTITION,
		{
			VBLK_SERVICE_FIELDS("vblk"),
			.grants = { VBLK_GRANT("test", 0, 0x40000000,
					       16 * SZ_1M) },
			.grant_count = 1,
		},
		{
			TEST_GUEST_FIELDS,
			.devices = { GUEST_GICD_WINDOW, GUEST_GICC_WINDOW,
				     GUEST_RTC_WINDOW, GUEST_VBLK_WINDOW(0) },
			.device_count = 4,
		},
	},
};
