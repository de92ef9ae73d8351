/**
 * A hostile virtio-net driver next to a well-behaved one (issue 16,
 * tests/system/test_vnet_hostile.py): one vnet service serves VM "test"
 * (guests/tests/vnethostile.c: malformed rings, bad buffers, bad frames,
 * bad init orders) and VM "test2" (guests/tests/vnetgood.c: ARP requests
 * to the user network's gateway, answered, meanwhile), both on the
 * uplink QEMU gets with the test's -netdev/-device.
 */
#include "../common/test_guest.h"
#include "../common/vnet_service.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "vnet-hostile",
	.platform = &platform_qemu_virt,
	.vm_count = 3,
	.vms = {
		{
			VNET_SERVICE_FIELDS,
			.grants = { VNET_GRANT("test", 0, 0x40000000,
					       16 * SZ_1M),
				    VNET_GRANT("test2", 1, 0x40000000,
					       16 * SZ_1M) },
			.grant_count = 2,
		},
		{
			/* A second vCPU feeds its rings while the service
			 * walks them. */
			TEST_GUEST_FIELDS_SMP("test", 2),
			.devices = { GUEST_VNET_WINDOW(0) },
			.device_count = 1,
		},
		{
			.name = "test2", .kind = CFG_VM_GUEST, .vcpu_count = 1,
			.image = "good", .image_ipa = 0x40000000,
			.entry = 0x40000000,
			.ram = { { .ipa = 0x40000000, .size = 16 * SZ_1M } },
			.ram_count = 1,
			.devices = { GUEST_VNET_WINDOW(1) },
			.device_count = 1,
		},
	},
};
