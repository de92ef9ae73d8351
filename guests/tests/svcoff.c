/**
 * System test of the dead-service policy: a write to POWER_OFF_OFFSET makes
 * the echo service call PSCI SYSTEM_OFF. The service is gone for good, so
 * the kernel must stop this guest, its client, rather than leave it facing
 * aborts: this guest never gets past the write.
 */
#include <stdint.h>

#include "guest/exception.h"
#include "guest/test.h"

#define ECHO 0x0a000000UL
#define POWER_OFF_OFFSET 0x600U

void test_main(void)
{
	exception_expect(RESUME_NEXT_INSN);
	*(volatile uint32_t *)(ECHO + POWER_OFF_OFFSET) = 1;
	printf("svcoff: still running after its service powered off\n");
	CHECK(0);
}
