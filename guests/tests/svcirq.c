/**
 * System test: a service that does PSCI SYSTEM_RESET while it holds its
 * physical interrupt masked (notified, not yet acknowledged) finds it
 * unmasked after its restart, as after a fault. The echo service owns the
 * physical PL011's interrupt; the test types one byte, whose notification
 * makes the service reset, then another, which it must hear too.
 */
#include <stdint.h>

#include "guest/test.h"

#define ECHO 0x0a000000UL
#define IRQ_ARM_OFFSET 0x700U
#define IRQ_NOTES_OFFSET 0x708U
#define RESTARTS_OFFSET 0x308U

static volatile uint32_t *reg(uint32_t offset)
{
	return (volatile uint32_t *)(ECHO + offset);
}

/* Wait (the test's deadline bounds it) until the service heard @p n. */
static void wait_for_notes(uint32_t n)
{
	while (*reg(IRQ_NOTES_OFFSET) < n) {
	}
}

void test_main(void)
{
	*reg(IRQ_ARM_OFFSET) = 1;
	printf("svcirq: type a byte (1)\n");
	wait_for_notes(1);
	CHECK_EQ(*reg(RESTARTS_OFFSET), 1);
	printf("svcirq: service reset while its interrupt was masked; "
	       "type a byte (2)\n");
	wait_for_notes(2);
	printf("svcirq: the restarted service hears its interrupt again\n");
}
