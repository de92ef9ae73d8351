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
#include "guest/delay.h"
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
/* Longer than the service's reply deadline (1 s). */
#define SPIN_MS 1100U
#define IDLE_MS 1U
#define ROUNDS 2

static uint32_t restarts(void)
{
	return ((volatile uint32_t *)ECHO)[RESTARTS_OFFSET / 4];
}

void test_main(void)
{
	CHECK_EQ(((volatile uint32_t *)ECHO)[0], ECHO_PATTERN);
	for (int i = 0; i < ROUNDS; i++) {
		guest_idle_ms(IDLE_MS);
		CHECK_EQ(hvc_call(HYP_IPC_NOTIFY, ECHO_ENDPOINT, PLAIN_BIT, 0)
				 .a0,
			 IPC_OK);
		guest_spin_until(guest_ms_ahead(SPIN_MS));
		CHECK_EQ(restarts(), 0);
		printf("starve: round %d: notified, spun %u ms, service "
		       "restarted "
		       "%u times\n",
		       i, SPIN_MS, restarts());
	}
}
