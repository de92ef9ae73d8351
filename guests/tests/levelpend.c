/**
 * Conformance test: the pending state of level-sensitive interrupts (IHI
 * 0048B 1.4.2 and 4.3.7, GICD_ISPENDRn: a level-sensitive interrupt is
 * pending while its source asserts it, whatever its enable bit, and a
 * write to GICD_ICPENDRn does not make an asserted one inactive).
 *
 * Two level sources, each with its distributor enable bit clear:
 *  - the virtual timer (INTID 27): asserted while CNTV_CTL_EL0 has
 *    ENABLE = 1, IMASK = 0 and ISTATUS = 1 (Arm ARM D11.2.4), armed here
 *    with CVAL in the past;
 *  - the PL011's SPI 33, driven by the UART service: asserted while
 *    UARTRIS & UARTIMSC is not 0 (a transmitted byte sets TXRIS).
 * ISPENDR must read 1 while asserted (after ICPENDR too) and 0 once the
 * source drops; enabling the SPI while asserted delivers it.
 */
#include <stdint.h>

#include "guest/gic.h"
#include "guest/sysreg.h"
#include "guest/test.h"

#define VTIMER_INTID 27U
#define UART_INTID 33U
/* CNTV_CTL_EL0 (D13.8.15). */
#define CNT_CTL_ENABLE 1ULL
#define CNT_CTL_IMASK 2ULL
#define PMR_ALL 0xf0U
#define UART 0x09000000UL
#define UART_DR 0x000
#define UART_FR 0x018
#define UART_IMSC 0x038
#define UART_RIS 0x03c
#define UART_ICR 0x044
#define FR_BUSY (1U << 3)
#define INT_TX (1U << 5)
#define WAIT_POLLS 1000000U

static volatile uint32_t taken[64];

static void handler(uint32_t iar)
{
	uint32_t id = iar & GICC_IAR_ID_MASK;

	if (id < 64) {
		taken[id]++;
	}
	if (id == UART_INTID) {
		/* Drop the line: clear TXRIS. */
		*(volatile uint32_t *)(UART + UART_ICR) = INT_TX;
	}
}

static volatile uint32_t *uart(uint32_t off)
{
	return (volatile uint32_t *)(UART + off);
}

static uint32_t pending(uint32_t id)
{
	return (*gicd(GICD_BIT_WORD(GICD_ISPENDR, id)) >> (id % 32)) & 1U;
}

static void clear_pending(uint32_t id)
{
	*gicd(GICD_BIT_WORD(GICD_ICPENDR, id)) = 1U << (id % 32);
}

static void timer_ctl(uint64_t ctl)
{
	write_sysreg(cntv_cval_el0, 0);
	write_sysreg(cntv_ctl_el0, ctl);
	isb();
}

static void check_timer(void)
{
	gic_disable_irq(VTIMER_INTID);
	timer_ctl(CNT_CTL_ENABLE);
	CHECK_EQ(pending(VTIMER_INTID), 1);
	clear_pending(VTIMER_INTID);
	CHECK_EQ(pending(VTIMER_INTID), 1);
	timer_ctl(CNT_CTL_ENABLE | CNT_CTL_IMASK);
	CHECK_EQ(pending(VTIMER_INTID), 0);
	timer_ctl(CNT_CTL_ENABLE);
	CHECK_EQ(pending(VTIMER_INTID), 1);
	timer_ctl(0);
	CHECK_EQ(pending(VTIMER_INTID), 0);
	printf("levelpend: virtual timer pending while asserted\n");
}

static void check_uart_spi(void)
{
	uint32_t i;

	gic_disable_irq(UART_INTID);
	*uart(UART_IMSC) = 0;
	*uart(UART_DR) = '\n';
	for (i = 0; i < WAIT_POLLS && !(*uart(UART_RIS) & INT_TX); i++) {
	}
	CHECK(*uart(UART_RIS) & INT_TX);
	CHECK_EQ(pending(UART_INTID), 0);
	*uart(UART_IMSC) = INT_TX;             /* the line rises */
	CHECK_EQ(pending(UART_INTID), 1);
	clear_pending(UART_INTID);
	CHECK_EQ(pending(UART_INTID), 1);      /* still asserted */
	/* Enabled while asserted: delivered (its handler drops the line). */
	irq_unmask();
	gic_enable_irq(UART_INTID);
	for (i = 0; i < WAIT_POLLS && taken[UART_INTID] == 0; i++) {
	}
	irq_mask();
	CHECK_EQ(taken[UART_INTID], 1);
	CHECK_EQ(pending(UART_INTID), 0);
	gic_disable_irq(UART_INTID);
	*uart(UART_IMSC) = INT_TX;
	CHECK_EQ(pending(UART_INTID), 0);      /* TXRIS was cleared */
	*uart(UART_IMSC) = 0;
	printf("levelpend: UART SPI pending while asserted\n");
}

void test_main(void)
{
	gic_setup(PMR_ALL);
	gic_set_handler(handler);
	irq_mask();
	check_timer();
	check_uart_spi();
}
