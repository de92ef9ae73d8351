/**
 * A virtio-net driver with VIRTIO_F_EVENT_IDX (issue 16,
 * tests/system/test_vnet_event.py): VM "test" (guests/tests/vnetevent.c,
 * two vCPUs) notifies the vnet service only when avail_event asks and
 * expects interrupts only where used_event asks, on the uplink QEMU gets
 * with the test's -netdev/-device. Its 16 MiB of RAM are granted.
 */
#include "../common/test_guest.h"
#include "../common/vnet_service.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "vnet-event",
	.platform = &platform_qemu_virt,
	.vm_count = 2,
	.vms = {
		{
			VNET_SERVICE_FIELDS,
			.grants = { VNET_GRANT("test", 0, 0x40000000,
					       16 * SZ_1M) },
			.grant_count = 1,
		},
		{
			/* The second vCPU feeds the ring in the flood. */
			TEST_GUEST_FIELDS_SMP("test", 2),
			.devices = { GUEST_VNET_WINDOW(0) },
			.device_count = 1,
		},
	},
};
