/**
 * Virtual IPI benchmark: vCPU 0 sends SGI IPI_PING to vCPU 1 (GICD_SGIR),
 * vCPU 1's vector records the virtual counter at its first instruction and
 * answers with IPI_PONG. Under -icount shift=0 the virtual counter runs at
 * one nanosecond per instruction executed on any CPU, so the counter delta
 * is every instruction between the SGIR store and the handler: the
 * sender's trap, the kernel, the other CPU's wake-up and entry.
 */
#include <stdint.h>

#include "guest/gic.h"
#include "guest/smccc.h"
#include "guest/sysreg.h"


#define PSCI_CPU_ON 0xc4000003U
#define IPI_PING 1
#define STACK_BYTES 4096
#define NS_PER_S 1000000000ULL
#define SPURIOUS 1023

static uint8_t ipi_stack[STACK_BYTES] __attribute__((aligned(16)));

extern volatile uint64_t ipi_t1, ipi_ready;
void ipi_secondary_entry(void);

static uint64_t counter(void)
{
	uint64_t t;

	__asm__ volatile("isb\n"
			 "mrs %0, cntvct_el0" : "=r"(t) : : "memory");
	return t;
}

/* Sleep (IRQs masked: a pending one ends WFI) until the PONG, and take it. */
static void wait_pong(void)
{
	uint32_t iar;

	while (((iar = *gicc(GICC_IAR)) & GICC_IAR_ID_MASK) == SPURIOUS) {
		__asm__ volatile("wfi");
	}
	*gicc(GICC_EOIR) = iar;
}

uint64_t bench_ipi(uint32_t n);

uint64_t bench_ipi(uint32_t n)
{
	uint64_t ticks = 0;

	if (hvc_call(PSCI_CPU_ON, 1, (uint64_t)ipi_secondary_entry,
		     (uint64_t)(ipi_stack + STACK_BYTES)).a0 != 0) {
		return 0;
	}
	while (!ipi_ready) {
		__asm__ volatile("wfe");
	}
	gic_setup(0xf0);
	__asm__ volatile("msr daifset, #2");
	for (uint32_t i = 0; i < n; i++) {
		uint64_t t0 = counter();

		*gicd(GICD_SGIR) = (1U << (GICD_SGIR_TARGETS_SHIFT + 1)) | IPI_PING;
		wait_pong();
		ticks += ipi_t1 - t0;
	}
	/* Counter ticks to instructions (ns at -icount shift=0). */
	return ticks * (NS_PER_S / read_sysreg(cntfrq_el0));
}
