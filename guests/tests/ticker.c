/**
 * Timer-isolation suite, the bystander: a guest that takes its virtual
 * timer interrupt TICK_HZ times a second through its GIC (the vgic
 * service's distributor and the hardware GICV) and prints
 * "ticker: N ticks" every TICKS_PER_LINE ticks, while the "test" guest of
 * the same scenario (guests/tests/timesteal.c), on the same physical CPU,
 * tries to take the physical timer interrupt away from every VM there. It
 * never exits: QEMU is killed at teardown.
 */
#include <stdint.h>

#include "guest/gic.h"
#include "guest/sysreg.h"
#include "guest/test.h"

#define VTIMER_INTID 27U
#define TICK_HZ 100U
#define TICKS_PER_LINE 10U
#define PMR_ALL 0xf0U
/* CNTV_CTL_EL0.ENABLE (D13.8.15). */
#define CNT_CTL_ENABLE 1ULL

static volatile uint32_t ticks;
static uint64_t period;

static void handler(uint32_t iar)
{
	if ((iar & GICC_IAR_ID_MASK) == VTIMER_INTID) {
		ticks++;
		write_sysreg(cntv_tval_el0, period);
		isb();
	}
}

void test_main(void)
{
	uint32_t printed = 0;

	period = read_sysreg(cntfrq_el0) / TICK_HZ;
	gic_setup(PMR_ALL);
	gic_set_handler(handler);
	gic_enable_irq(VTIMER_INTID);
	write_sysreg(cntv_tval_el0, period);
	write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE);
	isb();
	printf("ticker: started\n");
	irq_unmask();
	for (;;) {
		/* An interrupt between the test and the WFI only delays the
		 * line by one tick. */
		__asm__ volatile("wfi" ::: "memory");
		if (ticks - printed >= TICKS_PER_LINE) {
			printed += TICKS_PER_LINE;
			printf("ticker: %u ticks\n", printed);
		}
	}
}
