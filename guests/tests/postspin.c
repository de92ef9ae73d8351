/**
 * System test: posted PL011 writes (kernel/include/hyp/posted.h) wait in
 * the ring no longer than IPC_POSTED_DELAY_US, even when the guest never
 * exits again: it prints a line through its PL011 (each DR store completes
 * in the kernel, no switch), then spins with its interrupts masked, so
 * only the EL2 timer the first store armed can make the UART service take
 * the line (tests/system/test_posted.py).
 */
#include <stdint.h>

#include "guest/console.h"
#include "guest/test.h"

#define UART 0x09000000UL

void test_main(void)
{
	console_use_pl011(UART);
	printf("postspin: spinning now\n");
	__asm__ volatile("msr daifset, #0xf");
	for (;;) {
		__asm__ volatile("" ::: "memory");
	}
}
