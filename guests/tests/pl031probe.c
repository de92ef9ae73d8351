/**
 * System test, the second guest of configs/pl031pt: it has no window at
 * the PL031 RTC that the scenario passes through to the guest "rtc", so
 * every read and write of that frame is a Stage-2 fault, injected back as
 * a synchronous external data abort (EC 0x25), and the device is not
 * touched.
 */
#include <stdint.h>

#include "guest/exception.h"
#include "guest/test.h"

#define RTC_BASE 0x09010000UL
#define RTCDR 0x000U
#define RTCMR 0x004U
#define RTCIMSC 0x010U
#define EC_DABT_CUR 0x25

static void expect_abort(volatile uint32_t *p, int write)
{
	const struct exception_record *r = exception_seen();

	exception_expect(RESUME_NEXT_INSN);
	if (write) {
		*p = 1;
	} else {
		(void)*p;
	}
	CHECK_EQ(r->count, 1);
	CHECK_EQ(r->far, (uint64_t)(uintptr_t)p);
	CHECK_EQ(ESR_EC(r->esr), EC_DABT_CUR);
}

void test_main(void)
{
	expect_abort((volatile uint32_t *)(RTC_BASE + RTCDR), 0);
	expect_abort((volatile uint32_t *)(RTC_BASE + RTCMR), 1);
	expect_abort((volatile uint32_t *)(RTC_BASE + RTCIMSC), 1);
	printf("pl031probe: the passed-through RTC frame aborts here\n");
}
