#pragma once
/**
 * The partition every bare-metal system test uses: image "test" (the build
 * puts a different test guest behind that name per scenario; a second VM
 * may have an image of its own: TEST_GUEST_FIELDS_IMAGE), one vCPU
 * (TEST_GUEST_FIELDS_SMP: several),
 * 16 MiB of RAM at IPA 0x40000000 where guests/lib/guest.ld links it.
 * Splice into an initializer: { TEST_GUEST_FIELDS, .devices = ... }.
 */
#include "hyp/config.h"
#include "hyp/units.h"

#define TEST_GUEST_FIELDS_IMAGE(vm_name, image_name, vcpus)                  \
	.name = vm_name, .kind = CFG_VM_GUEST, .vcpu_count = vcpus,          \
	.image = image_name, .image_ipa = 0x40000000, .entry = 0x40000000,   \
	.ram = { { .ipa = 0x40000000, .size = 16 * SZ_1M } }, .ram_count = 1

#define TEST_GUEST_FIELDS_SMP(vm_name, vcpus)                                \
	TEST_GUEST_FIELDS_IMAGE(vm_name, "test", vcpus)

#define TEST_GUEST_FIELDS_NAMED(vm_name) TEST_GUEST_FIELDS_SMP(vm_name, 1)
#define TEST_GUEST_FIELDS TEST_GUEST_FIELDS_NAMED("test")
