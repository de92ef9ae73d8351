/**
 * System test: a service that faults is stopped and its client goes on.
 * The access that crashes the service, and every later one, completes with
 * a synchronous external abort; IPC calls report IPC_ERR_DEAD.
 */
#include <stdint.h>

#include "abi/ipc.h"
#include "guest/exception.h"
#include "guest/smccc.h"
#include "guest/test.h"

#define ECHO 0x0a000000UL
#define ECHO_PATTERN 0x5a5aULL
#define CRASH_OFFSET 0x100U
#define ECHO_ENDPOINT 0
#define EC_DABT_CUR 0x25

static void expect_abort_read(uint64_t addr)
{
	exception_expect(RESUME_NEXT_INSN);
	(void)*(volatile uint32_t *)addr;
	CHECK_EQ(exception_seen()->count, 1);
	CHECK_EQ(ESR_EC(exception_seen()->esr), EC_DABT_CUR);
}

void test_main(void)
{
	volatile uint32_t *echo = (volatile uint32_t *)ECHO;

	CHECK_EQ(echo[0], ECHO_PATTERN);
	CHECK_EQ(echo[2], 8 ^ ECHO_PATTERN);
	CHECK_EQ(hvc_call(HYP_IPC_CALL, ECHO_ENDPOINT, 40, 0).a1, 41);

	/* This write crashes the service: the write itself aborts. */
	exception_expect(RESUME_NEXT_INSN);
	echo[CRASH_OFFSET / 4] = 1;
	CHECK_EQ(exception_seen()->count, 1);
	CHECK_EQ(ESR_EC(exception_seen()->esr), EC_DABT_CUR);

	/* The service is gone: accesses abort, calls report it. */
	expect_abort_read(ECHO);
	expect_abort_read(ECHO + 8);
	CHECK_EQ(hvc_call(HYP_IPC_CALL, ECHO_ENDPOINT, 40, 0).a0,
		 (uint64_t)(int64_t)IPC_ERR_DEAD);
	printf("svcfault: guest alive after its service crashed\n");
}
