/**
 * System test of the exit status of a faulting guest: a load outside its
 * RAM takes an external abort it does not expect; the guest library
 * reports the failure (test_finish) with exit status 1, so `scons qemu=1`
 * fails.
 */
#include <stdint.h>

#include "guest/test.h"

/* Past the 16 MiB of RAM at 0x40000000 of configs/test: unmapped. */
#define OUTSIDE_RAM 0x50000000UL

void test_main(void)
{
	printf("fault: loading from unmapped IPA 0x%lx\n", OUTSIDE_RAM);
	(void)*(volatile uint32_t *)OUTSIDE_RAM;
	printf("fault: went on after the abort\n");
}
