/**
 * System test: interrupts through the virtual GIC. The guest programs its
 * distributor (the vgic service) and CPU interface (the hardware GICV) and
 * checks: periodic virtual-timer interrupts acknowledged and completed
 * through GICC IAR/EOIR, with a switch to the vgic service between ticks;
 * enable, pending, active and priority semantics of the distributor; and an
 * SGI it sends to itself.
 */
#include <stdint.h>

#include "guest/gic.h"
#include "guest/sysreg.h"
#include "guest/test.h"

#define VTIMER_INTID 27
#define SPI_A 40
#define SPI_B 41
#define SPI_C 42
#define SGI_ID 5
#define TICKS 10
#define TICK_HZ 100
#define CNT_CTL_ENABLE 1ULL
#define PMR_DEFAULT 0xf0U
#define PMR_ALL 0xffU
/* Masked by PMR 0xf0 (not strictly higher), passed by PMR 0xff: with five
 * priority bits 0xff reads back as 0xf8, and 0xf8 itself is never signalled. */
#define PRIO_MASKED 0xf0U
#define TIMEOUT_SECONDS 5

static volatile uint32_t seen[1024];
static volatile uint32_t last_iar;
static volatile uint32_t active_in_handler;
static uint64_t tick;

static void handler(uint32_t iar)
{
	uint32_t id = iar & GICC_IAR_ID_MASK;

	last_iar = iar;
	seen[id]++;
	if (id == VTIMER_INTID) {
		if (seen[id] < TICKS) {
			write_sysreg(cntv_tval_el0, tick);
		} else {
			write_sysreg(cntv_ctl_el0, 0);
		}
	}
	if (id == SPI_C) {
		active_in_handler = *gicd(GICD_BIT_WORD(GICD_ISACTIVER, SPI_C)) &
				    (1U << (SPI_C % 32));
	}
}

/*
 * Wait until @p id was seen @p n times or the timeout passes. The check and
 * the WFI run with IRQs masked (a pending interrupt still ends WFI), then a
 * short unmasked window takes it: otherwise an interrupt arriving between
 * the check and the WFI would be handled and the WFI would sleep for good.
 */
static void wait_for(uint32_t id, uint32_t n)
{
	uint64_t freq = read_sysreg(cntfrq_el0);
	uint64_t end = read_sysreg(cntvct_el0) + TIMEOUT_SECONDS * freq;

	irq_mask();
	while (seen[id] < n && read_sysreg(cntvct_el0) < end) {
		__asm__ volatile("wfi");
		irq_unmask();
		isb();
		irq_mask();
		/* A GICD read between ticks: a switch to the vgic service
		 * (TYPER the kernel answers itself: an interrupt's priority). */
		(void)*gicd8(GICD_IPRIORITYR);
	}
	irq_unmask();
}

static void check_timer(void)
{
	tick = read_sysreg(cntfrq_el0) / TICK_HZ;
	gic_enable_irq(VTIMER_INTID);
	write_sysreg(cntv_tval_el0, tick);
	write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE);
	isb();
	wait_for(VTIMER_INTID, TICKS);
	CHECK_EQ(seen[VTIMER_INTID], TICKS);
	printf("irq: %u timer ticks through GICC IAR/EOIR\n", seen[VTIMER_INTID]);
}

/*
 * The timer fires again right after each completion, with no exit in
 * between: the kernel must not mistake the completed interrupt for one
 * still pending in its list-register shadow (a regression test).
 */
static void check_back_to_back_timer(void)
{
	const uint32_t rounds = 5;
	uint32_t start = seen[VTIMER_INTID];

	for (uint32_t r = 1; r <= rounds; r++) {
		uint64_t spins = 0;

		tick = 0;
		seen[VTIMER_INTID] = TICKS;   /* handler: stop after one */
		write_sysreg(cntv_cval_el0, 0);
		write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE);
		isb();
		while (seen[VTIMER_INTID] == TICKS && spins < 10000000) {
			spins++;
		}
		CHECK_EQ(seen[VTIMER_INTID], TICKS + 1);
	}
	seen[VTIMER_INTID] = start;
	printf("irq: %u back-to-back timer interrupts without exits\n", rounds);
}

static void pend(uint32_t id)
{
	*gicd(GICD_BIT_WORD(GICD_ISPENDR, id)) = 1U << (id % 32);
}

static uint32_t pending_bit(uint32_t id)
{
	return *gicd(GICD_BIT_WORD(GICD_ISPENDR, id)) & (1U << (id % 32));
}

static void check_distributor(void)
{
	/* Enabled and pended: delivered. */
	gic_enable_irq(SPI_A);
	pend(SPI_A);
	wait_for(SPI_A, 1);
	CHECK_EQ(seen[SPI_A], 1);

	/* Disabled: stays pending, visible in ISPENDR, delivered on enable. */
	gic_disable_irq(SPI_A);
	pend(SPI_A);
	CHECK(pending_bit(SPI_A));
	CHECK_EQ(seen[SPI_A], 1);
	gic_enable_irq(SPI_A);
	wait_for(SPI_A, 2);
	CHECK_EQ(seen[SPI_A], 2);
	CHECK(!pending_bit(SPI_A));

	/* Cleared while disabled: never delivered. */
	gic_disable_irq(SPI_A);
	pend(SPI_A);
	*gicd(GICD_BIT_WORD(GICD_ICPENDR, SPI_A)) = 1U << (SPI_A % 32);
	CHECK(!pending_bit(SPI_A));
	gic_enable_irq(SPI_A);
	CHECK_EQ(seen[SPI_A], 2);

	/* Priority below the mask: held back until the mask opens. */
	*gicd8(GICD_IPRIORITYR + SPI_B) = PRIO_MASKED;
	CHECK_EQ(*gicd8(GICD_IPRIORITYR + SPI_B), PRIO_MASKED);
	gic_enable_irq(SPI_B);
	pend(SPI_B);
	for (int i = 0; i < 100; i++) {
		(void)*gicd8(GICD_IPRIORITYR);
	}
	CHECK_EQ(seen[SPI_B], 0);
	*gicc(GICC_PMR) = PMR_ALL;
	wait_for(SPI_B, 1);
	CHECK_EQ(seen[SPI_B], 1);
	*gicc(GICC_PMR) = PMR_DEFAULT;

	/* Active while its handler runs. */
	gic_enable_irq(SPI_C);
	pend(SPI_C);
	wait_for(SPI_C, 1);
	CHECK_EQ(seen[SPI_C], 1);
	CHECK(active_in_handler);
	CHECK(!(*gicd(GICD_BIT_WORD(GICD_ISACTIVER, SPI_C)) & (1U << (SPI_C % 32))));

	/* Banked targets of private interrupts read as this CPU. */
	CHECK_EQ(*gicd(GICD_ITARGETSR), 0x01010101);
	printf("irq: distributor enable/pending/active/priority behave\n");
}

/*
 * More interrupts pending at once than the GIC has list registers (QEMU's
 * GICv2 has 4): the rest wait in the kernel's queue and move in when the
 * guest completes some (maintenance interrupt on underflow).
 */
static void check_lr_overflow(void)
{
	const uint32_t first = 50, count = 8;

	irq_mask();
	for (uint32_t id = first; id < first + count; id++) {
		gic_enable_irq(id);
		pend(id);
	}
	irq_unmask();
	for (uint32_t id = first; id < first + count; id++) {
		wait_for(id, 1);
		CHECK_EQ(seen[id], 1);
	}
	printf("irq: %u interrupts pending at once, all delivered\n", count);
}

static void check_sgi(void)
{
	*gicd(GICD_SGIR) = (GICD_SGIR_FILTER_SELF << GICD_SGIR_FILTER_SHIFT) | SGI_ID;
	wait_for(SGI_ID, 1);
	CHECK_EQ(seen[SGI_ID], 1);
	CHECK_EQ(last_iar, SGI_ID);   /* source CPU 0 in IAR[12:10] */
	printf("irq: SGI %u to itself\n", SGI_ID);
}

void test_main(void)
{
	gic_set_handler(handler);
	gic_setup(PMR_DEFAULT);
	irq_unmask();
	check_timer();
	check_back_to_back_timer();
	check_distributor();
	check_lr_overflow();
	check_sgi();
	irq_mask();
}
