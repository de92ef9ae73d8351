/**
 * System test: posted PL011 writes (kernel/include/hyp/posted.h) come out
 * while a vCPU alone on its CPU waits in WFI in hardware (its WFI does not
 * trap: docs/architecture.md, "WFI in hardware"), so that only the EL2
 * timer a posted write arms can make the UART service take them. The
 * writes come after a take that left its VM's posted mark set (by the
 * timer of the first line's stores, while the guest spins): a review found
 * that such a write armed no timer, and the line waited in the ring, and
 * the guest in WFI, until some other timer (about a second here). The
 * guest prints how long its WFI took (tests/system/test_posted.py).
 */
#include <stdint.h>

#include "guest/console.h"
#include "guest/gic.h"
#include "guest/sysreg.h"
#include "guest/test.h"

#define UART 0x09000000UL
#define CNT_CTL_ENABLE 1ULL
/* A trapped WFI that blocks ends its watch (hyp/vtimer.h); the EL1
 * physical timer's interrupt (PPI 14), which sets no watch, wakes it
 * after this long. */
#define WAKE_AFTER_MS 2ULL
#define MS_PER_S 1000ULL
#define US_PER_S 1000000ULL
#define PTIMER_INTID 30
#define PMR_ALL 0xf0U

static uint64_t counter(void)
{
	isb();
	return read_sysreg(cntpct_el0);
}

/* Sleep in WFI (interrupts masked: a pending one still ends it) until
 * the EL1 physical timer's interrupt: the kernel's WFI (a reset vCPU's is
 * watched), which stops watching the next ones. Then take the interrupt. */
static void sleep_on_ptimer(void)
{
	uint64_t end = counter() + read_sysreg(cntfrq_el0) * WAKE_AFTER_MS / MS_PER_S;
	uint32_t iar;

	__asm__ volatile("msr daifset, #0xf" ::: "memory");
	gic_setup(PMR_ALL);
	gic_enable_irq(PTIMER_INTID);
	write_sysreg(cntp_cval_el0, end);
	write_sysreg(cntp_ctl_el0, CNT_CTL_ENABLE);
	isb();
	while (((iar = *gicc(GICC_IAR)) & GICC_IAR_ID_MASK) != PTIMER_INTID) {
		__asm__ volatile("wfi");
	}
	write_sysreg(cntp_ctl_el0, 0);
	isb();
	*gicc(GICC_EOIR) = iar;
}

void test_main(void)
{
	sleep_on_ptimer();
	console_use_pl011(UART);
	printf("postwait: first line\n");
	/* Spin past the bound its first store armed: that timer makes the
	 * service take the line, and the exit goes on with the VM's posted
	 * mark still set (posted_taken). */
	uint64_t until = counter() + read_sysreg(cntfrq_el0) * WAKE_AFTER_MS / MS_PER_S;

	while (counter() < until) {
	}
	printf("postwait: second line, then WFI\n");
	/* Nothing pending and the timer's interrupt completed: only the EL2
	 * timer ends the WFI (taken to EL2, HCR_EL2.IMO), and the kernel takes
	 * the writes on that exit. */
	uint64_t before = counter();

	__asm__ volatile("wfi" ::: "memory");
	uint64_t slept = counter() - before;

	console_use_pl011(0);
	printf("postwait: after the WFI (debug console): %llu us\n",
	       (unsigned long long)(slept * US_PER_S / read_sysreg(cntfrq_el0)));
	console_use_pl011(UART);
}
