/**
 * System test: two of these guests spin on one CPU without ever waiting
 * (no WFI, no exits besides printing), so only the EL2 timer's time slices
 * can share the CPU between them. Each prints its progress; the runner
 * checks that the two interleave.
 */
#include <stdint.h>

#include "guest/sysreg.h"
#include "guest/test.h"

#define STEPS 10
#define STEP_MS 50

void test_main(void)
{
	uint64_t freq = read_sysreg(cntfrq_el0);
	uint64_t step = freq * STEP_MS / 1000;

	for (uint32_t s = 1; s <= STEPS; s++) {
		uint64_t until = read_sysreg(cntvct_el0) + step;

		while (read_sysreg(cntvct_el0) < until) {
		}
		printf("spin step %u\n", s);
	}
}
