/**
 * Calls from the kernel to the platform firmware. On QEMU virt with EL2 and
 * no EL3, QEMU itself implements PSCI and its conduit is SMC.
 */
#include "abi/hypercall.h"
#include "arch/sysreg.h"
#include "hyp/hypercall.h"

/* SMCCC: function ID and arguments in x0..x3, result in x0. */
static int64_t firmware_call(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("smc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "memory");
	return (int64_t)x0;
}

_Noreturn void platform_power_off(void)
{
	firmware_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;) {
		wfi();
	}
}

int64_t platform_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context)
{
	return firmware_call(PSCI_CPU_ON_64, mpidr, entry, context);
}
