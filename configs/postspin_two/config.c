/**
 * Two guests on one CPU that print through their PL011 windows (posted
 * writes, kernel/include/hyp/posted.h) and then spin, never to exit again:
 * each slice's end hands the CPU to the other, and only the kernel taking
 * each VM's posted writes at those ends gets their lines out
 * (tests/system/test_posted.py).
 */
#include "../common/test_guest.h"
#include "../common/uart_service.h"
#include "../platform/platform.h"

#define SPINNER(vm_name)                                       \
	{                                                      \
		TEST_GUEST_FIELDS_NAMED(vm_name),              \
		.devices = { GUEST_UART_WINDOW },              \
		.device_count = 1,                             \
	}

const struct cfg_scenario scenario = {
	.name = "postspin-two",
	.platform = &platform_qemu_virt,
	.vm_count = 3,
	.vms = { UART_SERVICE_PARTITION, SPINNER("test"), SPINNER("two") },
};
