/**
 * System test of HYP_CALL_EXIT (abi/hypercall.h): a status out of range is
 * refused, then the guest exits with exit_status (exit_three.c: 3,
 * exit_zero.c: 0), which `scons qemu=1` must exit with.
 */
#include <stdint.h>

#include "guest/smccc.h"
#include "guest/test.h"

/** The status this image exits with (one per image). */
extern const uint64_t exit_status;

void test_main(void)
{
	CHECK_EQ(guest_exit(HYP_EXIT_STATUS_MAX + 1),
		 (uint64_t)(int64_t)HYP_RET_INVALID_PARAMS);
	printf("exit: exiting with status %llu\n",
	       (unsigned long long)exit_status);
	if (test_failures == 0) {
		(void)guest_exit(exit_status);
	}
	/* Not reached unless the call failed: test_finish reports it. */
	CHECK(0 && "HYP_CALL_EXIT returned");
}
