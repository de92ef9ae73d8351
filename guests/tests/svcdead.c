/**
 * System test of the dead-service policy: every write to CRASH_OFFSET
 * crashes the echo service, and again when it is sent again, so each write
 * costs two restarts and aborts. Past its restart budget
 * (SERVICE_RESTART_MAX) the kernel gives the service up and must stop
 * this guest, its client: this guest never gets to report a result. If it
 * is still running after twice the budget, the test fails.
 */
#include <stdint.h>

#include "guest/exception.h"
#include "guest/test.h"

#define ECHO 0x0a000000UL
#define CRASH_OFFSET 0x100U
#define EC_DABT_CUR 0x25
/* Two restarts per write: this many writes are twice the budget of 64. */
#define WRITES_MAX 64

void test_main(void)
{
	volatile uint32_t *crash = (volatile uint32_t *)(ECHO + CRASH_OFFSET);

	for (int i = 0; i < WRITES_MAX; i++) {
		exception_expect(RESUME_NEXT_INSN);
		*crash = 1;
		CHECK_EQ(exception_seen()->count, 1);
		CHECK_EQ(ESR_EC(exception_seen()->esr), EC_DABT_CUR);
	}
	printf("svcdead: still running after its service died\n");
	CHECK(0);
}
