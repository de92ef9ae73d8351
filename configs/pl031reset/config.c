/**
 * The PL031 RTC service's client reset, bare metal: one guest with the
 * emulated PL031 the Linux VM has (GUEST_RTC_WINDOW, served by "pl031")
 * and its GIC, which loads the time, sets a match and its mask, resets,
 * and reads the RTC back (guests/tests/pl031reset.c,
 * tests/system/test_rtc.py).
 */
#include "../common/pl031_service.h"
#include "../common/test_guest.h"
#include "../common/vgic_service.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "pl031reset",
	.platform = &platform_qemu_virt,
	.vm_count = 3,
	.vms = {
		VGIC_SERVICE_PARTITION,
		PL031_SERVICE_PARTITION,
		{
			TEST_GUEST_FIELDS,
			.devices = { GUEST_GICD_WINDOW, GUEST_GICC_WINDOW,
				     GUEST_RTC_WINDOW },
			.device_count = 3,
		},
	},
};
