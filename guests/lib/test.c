/** Test verdicts and the guest's C entry point. */
#include "guest/test.h"

#include "guest/smccc.h"

unsigned test_failures;

void guest_main(void);

void test_check_failed(const char *file, int line, const char *expr)
{
	test_failures++;
	printf("TEST CHECK FAILED: %s:%d: %s\n", file, line, expr);
}

_Noreturn void test_finish(void)
{
	if (test_failures == 0) {
		printf("TEST RESULT: PASS\n");
	} else {
		printf("TEST RESULT: FAIL (%u failed checks)\n", test_failures);
		/* The failure reaches the exit status of `scons qemu=1`. */
		(void)guest_exit(1);
	}
	guest_power_off();
}

void guest_main(void)
{
	test_main();
	test_finish();
}
