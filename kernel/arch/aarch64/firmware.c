/**
 * Calls from the kernel to the platform firmware. On QEMU virt with EL2 and
 * no EL3, QEMU itself implements PSCI and its conduit is SMC.
 */
#include "abi/hypercall.h"
#include "arch/sysreg.h"
#include "hyp/hypercall.h"

_Noreturn void platform_power_off(void)
{
	register uint64_t x0 __asm__("x0") = PSCI_SYSTEM_OFF;

	__asm__ volatile("smc #0" : "+r"(x0) : : "memory");
	for (;;) {
		wfi();
	}
}
