/**
 * System test: WFI with nothing pending sleeps instead of spinning. The
 * guest arms its virtual timer 2 s ahead (interrupt unmasked at the timer,
 * masked in PSTATE, so the WFI wakes but no handler runs) and waits in WFI.
 * The runner measures QEMU's host CPU time between the two marker lines.
 * WFE returns at once with nothing else to run.
 */
#include <stdint.h>

#include "guest/sysreg.h"
#include "guest/test.h"

#define CNT_CTL_ENABLE 1ULL
#define SLEEP_SECONDS 2
/* A WFI may end early (spurious wake-ups are allowed), but a trapped WFI
 * that returned at once would loop millions of times in 2 s. */
#define MAX_WAKEUPS 100
/* After its report the guest sleeps on a while, so that QEMU still runs
 * when the test reads its CPU time: a guest that powered off at once left
 * the test (descheduled for a moment on a busy host) reading the CPU time
 * of a QEMU pexpect had already reaped. */
#define AFTER_REPORT_MS 1000ULL
#define MS_PER_S 1000ULL

void test_main(void)
{
	uint64_t freq = read_sysreg(cntfrq_el0);
	uint64_t start = read_sysreg(cntvct_el0);
	uint64_t deadline = start + SLEEP_SECONDS * freq;
	unsigned wakeups = 0;

	CHECK(freq != 0);
	for (int i = 0; i < 1000; i++) {
		__asm__ volatile("wfe");
	}
	write_sysreg(cntv_cval_el0, deadline);
	write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE);
	isb();
	printf("WFI SLEEP START\n");
	while (read_sysreg(cntvct_el0) < deadline) {
		__asm__ volatile("wfi");
		wakeups++;
	}
	uint64_t end = read_sysreg(cntvct_el0);

	write_sysreg(cntv_ctl_el0, 0);
	printf("WFI SLEEP END: %llu ms, %u wake-ups\n",
	       (unsigned long long)((end - start) * 1000 / freq), wakeups);
	deadline = read_sysreg(cntvct_el0) + AFTER_REPORT_MS * freq / MS_PER_S;
	write_sysreg(cntv_cval_el0, deadline);
	write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE);
	isb();
	while (read_sysreg(cntvct_el0) < deadline) {
		__asm__ volatile("wfi");
	}
	write_sysreg(cntv_ctl_el0, 0);
	CHECK(end >= start + SLEEP_SECONDS * freq);
	CHECK(wakeups >= 1);
	CHECK(wakeups <= MAX_WAKEUPS);
}
