/**
 * System test: posted PL011 writes (kernel/include/hyp/posted.h). DR
 * stores complete in the kernel and wait in a ring for the UART service;
 * nothing the guest does next may overtake them: its debug console (a
 * hypercall), a ring's worth of bytes and more (the ring full), a trapped
 * SMC (answered by the kernel), and the power-off at the end (PSCI SYSTEM_OFF,
 * right after the verdict went out through the PL011).
 * tests/system/test_posted.py checks the order of the lines on the console.
 */
#include <stdint.h>

#include "abi/hypercall.h"
#include "guest/console.h"
#include "guest/smccc.h"
#include "guest/test.h"

#define UART 0x09000000UL
/* More bytes than the kernel's ring holds (IPC_POSTED_SLOTS, 256). */
#define FILL_LINES 12
#define FILL_CHARS 60
#define ALPHABET 26

void test_main(void)
{
	console_use_pl011(UART);
	printf("posted: one (pl011)\n");
	console_use_pl011(0);
	printf("posted: two (debug console)\n");
	console_use_pl011(UART);
	printf("posted: three (pl011)\n");
	for (int line = 0; line < FILL_LINES; line++) {
		char fill[FILL_CHARS + 1];

		for (int i = 0; i < FILL_CHARS; i++) {
			fill[i] = (char)('a' + (line + i) % ALPHABET);
		}
		fill[FILL_CHARS] = '\0';
		printf("posted: fill %02d %s\n", line, fill);
	}
	console_use_pl011(0);
	printf("posted: four (debug console, after %d lines)\n", FILL_LINES);
	console_use_pl011(UART);
	printf("posted: five (pl011, then an SMC)\n");
	/* A trapped SMC the kernel answers (PSCI_VERSION): an exit. */
	(void)smc_call(PSCI_VERSION, 0, 0, 0);
	console_use_pl011(0);
	printf("posted: six (debug console, after the SMC)\n");
	/* The verdict goes out through the PL011, just before SYSTEM_OFF. */
	console_use_pl011(UART);
}
