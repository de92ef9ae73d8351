/**
 * The scenario of every bare-metal system test: one guest, image "test" (the
 * build puts a different test guest behind that name for each test), 16 MiB
 * of RAM at IPA 0x40000000 and nothing else: every other IPA is unmapped.
 */
#include "../common/test_guest.h"
#include "../platform/platform.h"
#include "hyp/units.h"

const struct cfg_scenario scenario = {
	.name = "test",
	.platform = &platform_qemu_virt,
	.vm_count = 1,
	.vms = {
		{
			TEST_GUEST_FIELDS,
		},
	},
};
