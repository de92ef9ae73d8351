/**
 * Conformance test: a level-sensitive interrupt that is still asserted when
 * the guest completes it is signalled again (IHI 0048B 1.4.2: it becomes
 * pending again once inactive while its source asserts it).
 *
 * The source is the virtual timer, armed with CVAL = 0: it asserts its
 * interrupt for as long as CNTV_CTL_EL0 has ENABLE = 1 and IMASK = 0 (Arm
 * ARM D11.2.4). The handler completes it (the guest library writes
 * GICC_EOIR, priority drop and deactivation with EOImode 0) without
 * touching the timer, so the line is high at the completion; the guest
 * waits for the next interrupt in WFI, with interrupts masked in PSTATE
 * (a pending one still ends WFI) and unmasks them between WFIs. A WFI may
 * complete early, but each interrupt must come within a few WFIs.
 *
 * The kernel links the virtual timer interrupt to the physical PPI 27
 * (GICH_LR.HW), so the guest's completion deactivates the physical one;
 * QEMU's GIC model then does not look at the physical interface again
 * (docs/architecture.md, "Interrupts"), and a WFI that returned at once
 * looped here until some other interrupt came by.
 */
#include <stdint.h>

#include "guest/gic.h"
#include "guest/sysreg.h"
#include "guest/test.h"

#define VTIMER_INTID 27U
/* CNTV_CTL_EL0 (D13.8.15). */
#define CNT_CTL_ENABLE 1ULL
#define PMR_ALL 0xf0U
#define ROUNDS 200U
/* WFIs one interrupt may take: a couple of early completions, not a storm. */
#define MAX_WFIS_PER_IRQ 50U

static volatile uint32_t taken;

static void handler(uint32_t iar)
{
	if ((iar & GICC_IAR_ID_MASK) == VTIMER_INTID) {
		taken++;
	}
}

/* WFIs until interrupt number @p n has been taken, at most the limit + 1. */
static uint32_t wait_for(uint32_t n)
{
	uint32_t wfis = 0;

	while (taken < n && wfis <= MAX_WFIS_PER_IRQ) {
		__asm__ volatile("wfi");
		wfis++;
		irq_unmask();
		isb();
		irq_mask();
	}
	return wfis;
}

void test_main(void)
{
	uint32_t worst = 0;

	gic_set_handler(handler);
	gic_setup(PMR_ALL);
	irq_mask();
	gic_enable_irq(VTIMER_INTID);
	write_sysreg(cntv_cval_el0, 0);
	write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE);
	isb();
	for (uint32_t r = 1; r <= ROUNDS && worst <= MAX_WFIS_PER_IRQ; r++) {
		uint32_t wfis = wait_for(r);

		worst = wfis > worst ? wfis : worst;
	}
	write_sysreg(cntv_ctl_el0, 0);
	isb();
	irq_unmask();
	printf("vtimer_eoi: %u interrupts taken, at most %u WFIs each\n", taken,
	       worst);
	CHECK_EQ(taken >= ROUNDS, 1);
	CHECK(worst <= MAX_WFIS_PER_IRQ);
}
