/**
 * The virtio-net service with one bare-metal client (issue 16,
 * tests/system/test_vnet.py): the guest (guests/tests/vnet.c) drives its
 * virtual virtio-net, the service the uplink QEMU gets with the test's
 * -netdev/-device (QEMU's user network, restrict=on). Its 16 MiB of RAM
 * are granted to the service. A second client, "idle", exits at once
 * without setting its device up: frames for it are dropped (counted)
 * while the test guest's go on.
 */
#include "../common/test_guest.h"
#include "../common/vnet_service.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "vnet",
	.platform = &platform_qemu_virt,
	.vm_count = 3,
	.vms = {
		{
			VNET_SERVICE_FIELDS,
			.grants = { VNET_GRANT("test", 0, 0x40000000,
					       16 * SZ_1M),
				    VNET_GRANT("idle", 1, 0x40000000,
					       16 * SZ_1M) },
			.grant_count = 2,
		},
		{
			TEST_GUEST_FIELDS,
			.devices = { GUEST_VNET_WINDOW(0) },
			.device_count = 1,
		},
		{
			.name = "idle", .kind = CFG_VM_GUEST, .vcpu_count = 1,
			.image = "idle", .image_ipa = 0x40000000,
			.entry = 0x40000000,
			.ram = { { .ipa = 0x40000000, .size = 16 * SZ_1M } },
			.ram_count = 1,
			.devices = { GUEST_VNET_WINDOW(1) },
			.device_count = 1,
		},
	},
};
