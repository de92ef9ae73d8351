/** Guest GIC helpers and IRQ dispatch (see guest/gic.h). */
#include "guest/gic.h"

#include <stddef.h>

static gic_handler_fn irq_handler;

void gic_setup(uint32_t pmr)
{
	*gicd(GICD_CTLR) = 1;
	*gicc(GICC_PMR) = pmr;
	*gicc(GICC_CTLR) = 1;
}

void gic_set_handler(gic_handler_fn fn)
{
	irq_handler = fn;
}

void gic_enable_irq(uint32_t intid)
{
	*gicd(GICD_BIT_WORD(GICD_ISENABLER, intid)) = 1U << (intid % 32);
}

void gic_disable_irq(uint32_t intid)
{
	*gicd(GICD_BIT_WORD(GICD_ICENABLER, intid)) = 1U << (intid % 32);
}

/** Called by the vectors for an IRQ; false if no handler is set. */
int guest_irq(void);

int guest_irq(void)
{
	if (irq_handler == NULL) {
		return 0;
	}
	uint32_t iar = *gicc(GICC_IAR);

	if ((iar & GICC_IAR_ID_MASK) < 1020) {
		irq_handler(iar);
		*gicc(GICC_EOIR) = iar;
	}
	return 1;
}
