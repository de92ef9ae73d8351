/**
 * The console guest: a small interactive bare-metal VM that runs beside
 * Linux in the linux-two scenario (both on the UART service, which tags
 * their output and switches console input between them).
 *
 * It checks that the other VM's RAM is out of its reach (every probe of
 * the IPA range where Linux's RAM lies in its own space aborts: that range
 * is simply not mapped in this VM's Stage 2), then waits for console input
 * with its PL011 receive interrupt: typed characters are echoed, and each
 * line is answered with "console: you typed '...'". It never powers off.
 */
#include <stdint.h>

#include "guest/console.h"
#include "guest/exception.h"
#include "guest/gic.h"
#include "guest/sysreg.h"
#include "guest/test.h"

#define UART 0x09000000UL
#define UART_DR 0x000
#define UART_FR 0x018
#define UART_IMSC 0x038
#define FR_RXFE (1U << 4)
#define INT_RX (1U << 4)
#define INT_RT (1U << 6)
#define UART_INTID 33
#define PMR_DEFAULT 0xf0U
#define LINE_MAX 80
#define CR '\r'
#define LF '\n'
#define EC_DABT_CUR 0x25

/* Our RAM ends here (configs/common/test_guest.h: 16 MiB at 1 GiB); the
 * Linux VM's RAM spans [1 GiB, 1.25 GiB) of its own IPA space. */
#define OUR_RAM_END 0x41000000UL
#define LINUX_RAM_END 0x50000000UL
#define PROBE_STRIDE 0x00f00000UL

static volatile char line[LINE_MAX];
static volatile uint32_t line_len;
static volatile uint32_t lines_done;

static volatile uint32_t *uart(uint32_t off)
{
	return (volatile uint32_t *)(UART + off);
}

/* Every probe beyond our RAM must abort, reads and writes. */
static unsigned probe_other_ram(void)
{
	unsigned aborted = 0, probes = 0;

	for (uint64_t a = OUR_RAM_END; a < LINUX_RAM_END; a += PROBE_STRIDE) {
		volatile uint64_t *p = (volatile uint64_t *)a;

		exception_expect(RESUME_NEXT_INSN);
		(void)*p;
		aborted += exception_seen()->count == 1 &&
			   ESR_EC(exception_seen()->esr) == EC_DABT_CUR;
		exception_expect(RESUME_NEXT_INSN);
		*p = 0xbad;
		aborted += exception_seen()->count == 1 &&
			   ESR_EC(exception_seen()->esr) == EC_DABT_CUR;
		probes += 2;
	}
	CHECK_EQ(aborted, probes);
	return aborted;
}

static void take_char(char c)
{
	if (c == CR || c == LF) {
		if (line_len == 0) {
			return;
		}
		line[line_len] = '\0';
		printf("\nconsole: you typed '%s'\n", (const char *)line);
		line_len = 0;
		lines_done++;
		return;
	}
	if (line_len < LINE_MAX - 1) {
		line[line_len++] = c;
		/* Echo, as a terminal would. */
		*uart(UART_DR) = (uint32_t)(uint8_t)c;
	}
}

static void handler(uint32_t iar)
{
	if ((iar & GICC_IAR_ID_MASK) != UART_INTID) {
		return;
	}
	while (!(*uart(UART_FR) & FR_RXFE)) {
		take_char((char)(*uart(UART_DR) & 0xff));
	}
}

void test_main(void)
{
	console_use_pl011(UART);
	printf("console: a bare-metal VM at EL%llu beside Linux\n",
	       (unsigned long long)(read_sysreg(CurrentEL) >> 2));
	printf("console: %u probes of Linux's RAM range aborted: not mapped here\n",
	       probe_other_ram());

	gic_set_handler(handler);
	gic_setup(PMR_DEFAULT);
	gic_enable_irq(UART_INTID);
	*uart(UART_IMSC) = INT_RX | INT_RT;
	printf("console: ready for input (Ctrl-] 2 sends it here)\n");
	for (;;) {
		irq_mask();
		__asm__ volatile("wfi");
		irq_unmask();
		isb();
	}
}
