/**
 * System test (tests/system/test_starve.py, scenario test-starve, -smp 1
 * and -icount): a guest that gives its service work and then runs without
 * a trap must not get that service restarted. Each round it notifies the
 * echo service (services/testsvc; a bit the service ignores, so it waits
 * again at once) and spins in virtual time past the service's 1 s reply
 * deadline (IPC_REPLY_TIMEOUT_MS), then reads the service's restart count:
 * still 0. Before each round it waits in WFI for a moment: the kernel
 * then has no EL2 timer armed (a reply deadline armed for an earlier
 * access would otherwise end the spin by chance). Services run before guests,
 * so the service must take the CPU from this guest, not wait for its next trap;
 * had it waited, its deadline (counted from the notification) would have passed
 * and the kernel would restart it, every round: a guest could spend the
 * service's restart budget and so stop every other client of it.
 */
#include <stdint.h>

#include "abi/ipc.h"
#include "guest/smccc.h"
#include "guest/sysreg.h"
#include "guest/test.h"

#define ECHO 0x0a000000UL
#define ECHO_PATTERN 0x5a5aULL
#define RESTARTS_OFFSET 0x308U
#define ECHO_ENDPOINT 0
/* Neither SPIN_BIT, WFI_BIT nor the UART's interrupt bit (testsvc):
 * the service takes the notification and waits again. */
#define PLAIN_BIT (1ULL << 8)
#define MS_PER_S 1000U
/* Longer than the service's reply deadline (1 s). */
#define SPIN_MS 1100U
#define IDLE_MS 1U
#define ROUNDS 2
#define CNT_CTL_ENABLE 1ULL

static uint64_t now(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

static uint64_t ms_ahead(uint64_t ms)
{
	return now() + ms * (read_sysreg(cntfrq_el0) / MS_PER_S);
}

/* Run without a trap for @p ms of (virtual) counter time. */
static void spin_ms(uint64_t ms)
{
	uint64_t end = ms_ahead(ms);

	while (now() < end) {
	}
}

/* Wait in WFI for @p ms: the virtual timer wakes it (masked in PSTATE, so
 * no handler runs). */
static void idle_ms(uint64_t ms)
{
	uint64_t end = ms_ahead(ms);

	write_sysreg(cntv_cval_el0, end);
	write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE);
	isb();
	while (now() < end) {
		__asm__ volatile("wfi");
	}
	write_sysreg(cntv_ctl_el0, 0);
	isb();
}

static uint32_t restarts(void)
{
	return ((volatile uint32_t *)ECHO)[RESTARTS_OFFSET / 4];
}

void test_main(void)
{
	CHECK_EQ(((volatile uint32_t *)ECHO)[0], ECHO_PATTERN);
	for (int i = 0; i < ROUNDS; i++) {
		idle_ms(IDLE_MS);
		CHECK_EQ(hvc_call(HYP_IPC_NOTIFY, ECHO_ENDPOINT, PLAIN_BIT, 0)
				 .a0,
			 IPC_OK);
		spin_ms(SPIN_MS);
		CHECK_EQ(restarts(), 0);
		printf("starve: round %d: notified, spun %u ms, service "
		       "restarted "
		       "%u times\n",
		       i, SPIN_MS, restarts());
	}
}
