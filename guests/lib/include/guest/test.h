#pragma once
/**
 * Test verdicts read by the system-test runner from the console:
 *   "TEST CHECK FAILED: <file>:<line>: <expr>" for each failed check and
 *   "TEST RESULT: PASS" or "TEST RESULT: FAIL (<n> failed checks)" at the end.
 */
#include <stdint.h>

#include "guest/console.h"

extern unsigned test_failures;

void test_check_failed(const char *file, int line, const char *expr);

#define CHECK(cond)                                                     \
	do {                                                            \
		if (!(cond)) {                                          \
			test_check_failed(__FILE__, __LINE__, #cond);   \
		}                                                       \
	} while (0)

/** Compare two 64-bit values, printing both on mismatch. */
#define CHECK_EQ(a, b)                                                  \
	do {                                                            \
		uint64_t __a = (uint64_t)(a), __b = (uint64_t)(b);      \
		if (__a != __b) {                                       \
			printf("  %s = 0x%llx, expected 0x%llx\n", #a,  \
			       (unsigned long long)__a,                 \
			       (unsigned long long)__b);                \
			test_check_failed(__FILE__, __LINE__, #a " == " #b); \
		}                                                       \
	} while (0)

/** Print the verdict and power off. */
_Noreturn void test_finish(void);

/** Each test guest defines this; returning ends the test. */
void test_main(void);
