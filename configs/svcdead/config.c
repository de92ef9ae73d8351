/**
 * Dead-service policy test: two echo services, each with one client. The
 * client of 'off' makes it power itself off (PSCI SYSTEM_OFF); the client of
 * 'echo' crashes it past its restart budget. Each client is stopped when its
 * service is given up; when none is left the machine powers off with a
 * failure status.
 */
#include "../platform/platform.h"
#include "hyp/units.h"

#define ECHO_SERVICE(svc_name)                                               \
	{                                                                    \
		.name = svc_name, .kind = CFG_VM_SERVICE, .vcpu_count = 1,   \
		.image = "testsvc", .image_ipa = 0x20000000,                 \
		.entry = 0x20000000,                                         \
		.ram = { { .ipa = 0x20000000, .size = 2 * SZ_1M } },         \
		.ram_count = 1,                                              \
	}

#define ECHO_CLIENT(vm_name, img, svc_name)                                  \
	{                                                                    \
		.name = vm_name, .kind = CFG_VM_GUEST, .vcpu_count = 1,      \
		.image = img, .image_ipa = 0x40000000, .entry = 0x40000000,  \
		.ram = { { .ipa = 0x40000000, .size = 16 * SZ_1M } },        \
		.ram_count = 1,                                              \
		.devices = { {                                               \
			.name = "echo0",                                     \
			.kind = CFG_DEV_EMULATED,                            \
			.ipa = 0x0a000000,                                   \
			.size = SZ_4K,                                       \
			.service = svc_name,                                 \
		} },                                                         \
		.device_count = 1,                                           \
	}

const struct cfg_scenario scenario = {
	.name = "svcdead",
	.platform = &platform_qemu_virt,
	.vm_count = 4,
	.vms = {
		ECHO_SERVICE("echo"),
		ECHO_SERVICE("off"),
		ECHO_CLIENT("crasher", "crasher", "echo"),
		ECHO_CLIENT("offer", "offer", "off"),
	},
};
