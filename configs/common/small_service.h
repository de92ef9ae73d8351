#pragma once
/**
 * A small test service and the one-page window its client has of it (the
 * echo service services/testsvc, the probes): the service's image at IPA
 * 0x20000000 in 2 MiB of RAM, optionally 2 MiB more kept across its
 * restarts; the client's window at 0x0a000000. Splice into initializers:
 * { SMALL_SERVICE_FIELDS("echo", "testsvc"), SMALL_SERVICE_RAM },
 * { TEST_GUEST_FIELDS, .devices = { SMALL_SERVICE_WINDOW("echo0", "echo") },
 *   .device_count = 1 }.
 */
#include "hyp/config.h"
#include "hyp/units.h"

#define SMALL_SERVICE_BASE 0x20000000
#define SMALL_SERVICE_WINDOW_IPA 0x0a000000

#define SMALL_SERVICE_FIELDS(vm_name, image_name)                 \
	.name = vm_name, .kind = CFG_VM_SERVICE, .vcpu_count = 1, \
	.image = image_name, .image_ipa = SMALL_SERVICE_BASE,     \
	.entry = SMALL_SERVICE_BASE

#define SMALL_SERVICE_RAM                                            \
	.ram = { { .ipa = SMALL_SERVICE_BASE, .size = 2 * SZ_1M } }, \
	.ram_count = 1

/** Its RAM and 2 MiB behind it that its restarts keep (cfg_ram.keep). */
#define SMALL_SERVICE_RAM_KEPT                                     \
	.ram = { { .ipa = SMALL_SERVICE_BASE, .size = 2 * SZ_1M }, \
		 { .ipa = SMALL_SERVICE_BASE + 2 * SZ_1M,          \
		   .size = 2 * SZ_1M,                              \
		   .keep = true } },                               \
	.ram_count = 2

/** A client's window @p dev_name of service @p svc_name. */
#define SMALL_SERVICE_WINDOW(dev_name, svc_name)                \
	{                                                       \
		.name = dev_name, .kind = CFG_DEV_EMULATED,     \
		.ipa = SMALL_SERVICE_WINDOW_IPA, .size = SZ_4K, \
		.service = svc_name,                            \
	}
