/**
 * System test: a service that faults is restarted from its image and its
 * client goes on. The access in flight is sent once more to the restarted
 * service; one that crashes it again completes with a synchronous external
 * abort (the defined result). The restarted service answers again, as often
 * as it crashes, and finds its kept RAM as it left it.
 */
#include <stdint.h>

#include "abi/ipc.h"
#include "guest/exception.h"
#include "guest/smccc.h"
#include "guest/test.h"

#define ECHO 0x0a000000UL
#define ECHO_PATTERN 0x5a5aULL
#define CRASH_OFFSET 0x100U
#define HANG_OFFSET 0x200U
#define FLAKY_OFFSET 0x300U
#define RESTARTS_OFFSET 0x308U
#define BREAK_VECTORS_OFFSET 0x400U
#define SPIN_BIT 0x1ULL
#define FLAKY_VALUE 0x1234abcdU
/* Each poison access: the crash, and the crash when it is sent again. */
#define RESTARTS_PER_POISON 2
#define ECHO_ENDPOINT 0
#define EC_DABT_CUR 0x25
#define CRASHES 3

static void check_echo_works(void)
{
	volatile uint32_t *echo = (volatile uint32_t *)ECHO;

	CHECK_EQ(echo[0], ECHO_PATTERN);
	CHECK_EQ(echo[2], 8 ^ ECHO_PATTERN);
	CHECK_EQ(hvc_call(HYP_IPC_CALL, ECHO_ENDPOINT, 40, 0).a1, 41);
}

void test_main(void)
{
	volatile uint32_t *echo = (volatile uint32_t *)ECHO;

	check_echo_works();
	for (int i = 0; i < CRASHES; i++) {
		/* This write crashes the service, and again when resent: the
		 * write itself aborts. */
		exception_expect(RESUME_NEXT_INSN);
		echo[CRASH_OFFSET / 4] = 1;
		CHECK_EQ(exception_seen()->count, 1);
		CHECK_EQ(ESR_EC(exception_seen()->esr), EC_DABT_CUR);
		/* Restarted: it answers again. */
		check_echo_works();
		CHECK_EQ(echo[RESTARTS_OFFSET / 4], (uint32_t)((i + 1) * RESTARTS_PER_POISON));
	}
	printf("svcfault: service crashed %d times, restarted each time\n", CRASHES);

	/* This write makes the service hang: past the reply deadline the
	 * kernel restarts it and the write aborts. */
	exception_expect(RESUME_NEXT_INSN);
	echo[HANG_OFFSET / 4] = 1;
	CHECK_EQ(exception_seen()->count, 1);
	CHECK_EQ(ESR_EC(exception_seen()->esr), EC_DABT_CUR);
	check_echo_works();
	printf("svcfault: hung service restarted after its reply deadline\n");

	/* This write crashes the service once: sent again, it completes. */
	uint32_t before = echo[RESTARTS_OFFSET / 4];

	echo[FLAKY_OFFSET / 4] = FLAKY_VALUE;
	CHECK_EQ(echo[RESTARTS_OFFSET / 4], before + 1);
	CHECK_EQ(echo[FLAKY_OFFSET / 4], FLAKY_VALUE);
	printf("svcfault: transient crash survived, kept RAM survived the restart\n");

	/* The service loses its vectors and faults: the kernel stops it
	 * without them, twice (this write is sent again), and the write
	 * aborts. */
	before = echo[RESTARTS_OFFSET / 4];
	exception_expect(RESUME_NEXT_INSN);
	echo[BREAK_VECTORS_OFFSET / 4] = 1;
	CHECK_EQ(exception_seen()->count, 1);
	check_echo_works();
	CHECK_EQ(echo[RESTARTS_OFFSET / 4], before + RESTARTS_PER_POISON);
	printf("svcfault: service without vectors restarted\n");

	/* A notification makes it loop with no request in flight: it must not
	 * keep the CPU (this guest shares it). The next access waits for the
	 * restarted service and completes. */
	before = echo[RESTARTS_OFFSET / 4];
	CHECK_EQ(hvc_call(HYP_IPC_NOTIFY, ECHO_ENDPOINT, SPIN_BIT, 0).a0, IPC_OK);
	check_echo_works();
	CHECK_EQ(echo[RESTARTS_OFFSET / 4], before + 1);
	printf("svcfault: looping service restarted, guest went on\n");
}
