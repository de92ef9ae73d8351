/**
 * Memory grants and DMA translation (issue 16): the test service
 * services/grantsvc and its client guest (guests/tests/grant.c).
 */
#include "../common/test_guest.h"
#include "../platform/platform.h"
#include "hyp/units.h"

const struct cfg_scenario scenario = {
	.name = "grant",
	.platform = &platform_qemu_virt,
	.vm_count = 2,
	.vms = {
		{
			.name = "grantsvc",
			.kind = CFG_VM_SERVICE,
			.vcpu_count = 1,
			.image = "grantsvc",
			.image_ipa = 0x20000000,
			.entry = 0x20000000,
			.ram = { { .ipa = 0x20000000, .size = 2 * SZ_1M } },
			.ram_count = 1,
			/* 64 KiB of the guest's RAM, past its image, bss and
			 * stack, high in the service's IPA space. */
			.grants = { {
				.client = "test",
				.client_ipa = 0x40800000,
				.size = 16 * SZ_4K,
				.ipa = 0x100000000ULL,
			} },
			.grant_count = 1,
		},
		{
			TEST_GUEST_FIELDS,
			.devices = { {
				.name = "grant0",
				.kind = CFG_DEV_EMULATED,
				.ipa = 0x0a000000,
				.size = SZ_4K,
				.service = "grantsvc",
			} },
			.device_count = 1,
		},
	},
};
