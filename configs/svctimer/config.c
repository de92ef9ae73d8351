/**
 * Service timer and client-reset test: the alarm service (one timer,
 * services/timersvc), the vgic and UART services, and one guest with a
 * window of each, which resets once (guests/tests/svctimer.c,
 * tests/system/test_svctimer.py).
 */
#include "../common/test_guest.h"
#include "../common/uart_service.h"
#include "../common/vgic_service.h"
#include "../platform/platform.h"
#include "hyp/units.h"

const struct cfg_scenario scenario = {
	.name = "svctimer",
	.platform = &platform_qemu_virt,
	.vm_count = 4,
	.vms = {
		VGIC_SERVICE_PARTITION,
		UART_SERVICE_PARTITION,
		{
			.name = "alarm",
			.kind = CFG_VM_SERVICE,
			.vcpu_count = 1,
			.image = "timersvc",
			.image_ipa = 0x20000000,
			.entry = 0x20000000,
			.ram = { { .ipa = 0x20000000, .size = 2 * SZ_1M } },
			.ram_count = 1,
		},
		{
			TEST_GUEST_FIELDS,
			.devices = { GUEST_GICD_WINDOW, GUEST_GICC_WINDOW,
				     GUEST_UART_WINDOW,
				     {
					     .name = "alarm0",
					     .kind = CFG_DEV_EMULATED,
					     .ipa = 0x0a000000,
					     .size = SZ_4K,
					     .service = "alarm",
				     } },
			.device_count = 4,
		},
	},
};
