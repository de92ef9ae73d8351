/**
 * System test: PSCI SYSTEM_RESET restarts the VM from a pristine image. The
 * guest dirties a variable and its RAM, then resets; after the reset both
 * are back to their initial state. The runner sees two boots and stops QEMU.
 */
#include <stdint.h>

#include "guest/smccc.h"
#include "guest/test.h"

#define SCRATCH 0x40800000UL

static volatile uint64_t boots = 0x1234;

void test_main(void)
{
	CHECK_EQ(boots, 0x1234);
	CHECK_EQ(*(volatile uint64_t *)SCRATCH, 0);
	printf("reset: boot with pristine state\n");
	console_flush();
	if (test_failures != 0) {
		return;
	}
	boots = 0x5678;
	*(volatile uint64_t *)SCRATCH = 0xdead;
	hvc_call(PSCI_SYSTEM_RESET, 0, 0, 0);
	printf("reset: SYSTEM_RESET returned\n");
	CHECK(0);
}
