/**
 * Hostile-guest suite: a test guest ("test") that attacks the hypervisor
 * (memory outside its RAM, bogus calls, IPC it was not granted, odd MMIO
 * forms, cache/TLB maintenance, trapped and EL2 registers) while a second
 * guest ("victim") keeps printing a heartbeat. Both guests are linked at IPA
 * 0x40000000 (guests/lib/guest.ld): the same IPA range in two separate
 * Stage-2 spaces is exactly what the suite checks.
 *
 * Endpoints (partition index): 0 = uart, 1 = vgic. The attacker uses only
 * the UART service; the victim also has a distributor window, so the vgic
 * service is an endpoint the attacker was not granted, and the victim's
 * PL011 window is a UART window that is not the attacker's.
 */
#include "../common/test_guest.h"
#include "../common/uart_service.h"
#include "../common/vgic_service.h"
#include "../platform/platform.h"

const struct cfg_scenario scenario = {
	.name = "hostile-test",
	.platform = &platform_qemu_virt,
	.vm_count = 4,
	.vms = {
		UART_SERVICE_PARTITION,
		VGIC_SERVICE_PARTITION,
		{
			TEST_GUEST_FIELDS,
			.devices = { GUEST_UART_WINDOW },
			.device_count = 1,
		},
		{
			.name = "victim", .kind = CFG_VM_GUEST, .vcpu_count = 1,
			.image = "victim", .image_ipa = 0x40000000,
			.entry = 0x40000000,
			.ram = { { .ipa = 0x40000000, .size = 16 * SZ_1M } },
			.ram_count = 1,
			.devices = { GUEST_UART_WINDOW, GUEST_GICD_WINDOW,
				     GUEST_GICC_WINDOW },
			.device_count = 3,
		},
	},
};
