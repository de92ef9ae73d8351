/**
 * Timer-isolation suite (tests/system/test_timesteal.py): an attacking
 * guest ("test", guests/tests/timesteal.c, two vCPUs) drops its own
 * hardware-linked virtual timer interrupt in every way a guest can, while
 * a bystander ("ticker", guests/tests/ticker.c) takes its virtual timer
 * interrupt 100 times a second on the same physical CPU.
 *
 * Homes are given round robin in partition order (sched_assign_homes):
 * the ticker first, so with one CPU everything shares CPU 0, and with two
 * the ticker and the attacker's vCPU 1 share CPU 0 while its vCPU 0 runs
 * on CPU 1.
 */
#include "../common/test_guest.h"
#include "../common/uart_service.h"
#include "../common/vgic_service.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "timesteal-test",
	.platform = &platform_qemu_virt,
	.vm_count = 4,
	.vms = {
		UART_SERVICE_PARTITION,
		VGIC_SERVICE_PARTITION,
		{
			.name = "ticker", .kind = CFG_VM_GUEST, .vcpu_count = 1,
			.image = "ticker", .image_ipa = 0x40000000,
			.entry = 0x40000000,
			.ram = { { .ipa = 0x40000000, .size = 16 * SZ_1M } },
			.ram_count = 1,
			.devices = { GUEST_UART_WINDOW, GUEST_GICD_WINDOW,
				     GUEST_GICC_WINDOW },
			.device_count = 3,
		},
		{
			TEST_GUEST_FIELDS_SMP("test", 2),
			.devices = { GUEST_UART_WINDOW, GUEST_GICD_WINDOW,
				     GUEST_GICC_WINDOW },
			.device_count = 3,
		},
	},
};
