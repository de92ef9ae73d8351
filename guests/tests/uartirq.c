/**
 * System test: console input raises the guest's UART interrupt. The guest
 * enables the PL011 receive interrupts (IMSC) and SPI 33 in its virtual
 * distributor, says it is ready, and sleeps; the test runner types a line
 * on QEMU's console. The physical UART interrupt reaches the UART service
 * as a notification, the service raises the guest's virtual SPI 33, and the
 * guest's handler reads the characters from DR.
 */
#include <stdint.h>

#include "guest/gic.h"
#include "guest/sysreg.h"
#include "guest/test.h"

#define UART 0x09000000UL
#define UART_DR 0x000
#define UART_FR 0x018
#define UART_IMSC 0x038
#define UART_MIS 0x040
#define FR_RXFE (1U << 4)
#define INT_RX (1U << 4)
#define INT_RT (1U << 6)
#define UART_INTID 33
#define PMR_DEFAULT 0xf0U
#define LINE_END '!'
#define BUF_MAX 64
#define TIMEOUT_SECONDS 30

static volatile char buf[BUF_MAX];
static volatile uint32_t len;
static volatile uint32_t uart_irqs;
static volatile uint32_t mis_seen;

static volatile uint32_t *uart(uint32_t off)
{
	return (volatile uint32_t *)(UART + off);
}

static void handler(uint32_t iar)
{
	if ((iar & GICC_IAR_ID_MASK) != UART_INTID) {
		return;
	}
	uart_irqs++;
	mis_seen |= *uart(UART_MIS);
	while (!(*uart(UART_FR) & FR_RXFE) && len < BUF_MAX - 1) {
		buf[len++] = (char)(*uart(UART_DR) & 0xff);
	}
}

static int line_complete(void)
{
	return len > 0 && buf[len - 1] == LINE_END;
}

void test_main(void)
{
	uint64_t end = read_sysreg(cntvct_el0) +
		       TIMEOUT_SECONDS * read_sysreg(cntfrq_el0);

	gic_set_handler(handler);
	gic_setup(PMR_DEFAULT);
	gic_enable_irq(UART_INTID);
	*uart(UART_IMSC) = INT_RX | INT_RT;
	printf("UART RX READY\n");

	/* Check and sleep with IRQs masked; take them in a short window. */
	irq_mask();
	while (!line_complete() && read_sysreg(cntvct_el0) < end) {
		__asm__ volatile("wfi");
		irq_unmask();
		isb();
		irq_mask();
	}
	irq_unmask();
	buf[len] = '\0';
	printf("UART RX GOT: %s (%u interrupts)\n", (const char *)buf, uart_irqs);
	CHECK(line_complete());
	CHECK(uart_irqs > 0);
	CHECK(mis_seen & (INT_RX | INT_RT));
	*uart(UART_IMSC) = 0;
}
