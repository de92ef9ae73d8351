/**
 * System test, guest side of the isolation scenario: reads its window, which
 * the probe service answers, after the probe has finished its checks.
 */
#include <stdint.h>

#include "guest/test.h"

#define PROBE_WINDOW 0x0a000000UL
#define PATTERN 0xc0ffee00ULL

void test_main(void)
{
	volatile uint32_t *w = (volatile uint32_t *)PROBE_WINDOW;

	CHECK_EQ(w[0], PATTERN | 0);
	CHECK_EQ(w[2], PATTERN | 8);
	CHECK_EQ(w[1023], PATTERN | 4092);
}
