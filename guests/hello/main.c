/**
 * The demo guest: greets through its PL011 (emulated by the UART service:
 * every store is an MMIO exit the kernel forwards over IPC), checks a
 * stretch of its RAM and the hypervisor ABI version, and powers off with
 * PSCI SYSTEM_OFF.
 */
#include <stdint.h>

#include "guest/console.h"
#include "guest/smccc.h"
#include "guest/sysreg.h"
#include "guest/test.h"

#define RAM_PROBE_BASE 0x40400000UL
/* QEMU virt's UART address: the scenario puts the emulated PL011 there. */
#define UART_BASE 0x09000000UL
#define RAM_PROBE_WORDS 4096

void test_main(void)
{
	volatile uint64_t *ram = (volatile uint64_t *)RAM_PROBE_BASE;
	struct smccc_res ver = hvc_call(HYP_CALL_VERSION, 0, 0, 0);
	struct smccc_res psci = hvc_call(PSCI_VERSION, 0, 0, 0);

	console_use_pl011(UART_BASE);
	printf("Hello from a guest at EL%llu, MPIDR 0x%llx\n",
	       (unsigned long long)(read_sysreg(CurrentEL) >> 2),
	       (unsigned long long)read_sysreg(mpidr_el1));
	printf("hypervisor ABI %llu.%llu, PSCI %llu.%llu\n",
	       (unsigned long long)(ver.a0 >> 16),
	       (unsigned long long)(ver.a0 & 0xffff),
	       (unsigned long long)(psci.a0 >> 16),
	       (unsigned long long)(psci.a0 & 0xffff));
	for (uint64_t i = 0; i < RAM_PROBE_WORDS; i++) {
		ram[i] = i * 0x9e3779b97f4a7c15ULL;
	}
	for (uint64_t i = 0; i < RAM_PROBE_WORDS; i++) {
		CHECK_EQ(ram[i], i * 0x9e3779b97f4a7c15ULL);
	}
	printf("wrote and read back %u KiB of RAM; powering off\n",
	       (unsigned)(RAM_PROBE_WORDS * 8 / 1024));
}
