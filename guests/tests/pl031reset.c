/**
 * System test of the PL031 RTC service's client reset
 * (tests/system/test_rtc.py, scenario test-pl031reset): the service hears
 * of its client's PSCI SYSTEM_RESET (IPC_MSG_RESET) and puts the client's
 * RTC back to its reset values, except the time, as a battery-backed RTC
 * keeps it (services/pl031, pl031_model_reset).
 *
 * First run (RTCLR reads its reset value, 0): load the counter (RTCLR),
 * set a match an hour ahead (RTCMR, never reached here) and unmask it
 * (RTCIMSC), then reset. Second run (RTCLR reads what the first wrote; the
 * guest's RAM is pristine again, so the RTC is what tells the runs apart):
 * RTCIMSC, RTCMR and RTCRIS read their reset values (0), and the counter
 * runs on from the time loaded: at or after it, within a bound, and a
 * second later than that a second later (the service's clock is the
 * virtual counter: the test runs under -icount, virtual time).
 */
#include <stdint.h>

#include "guest/delay.h"
#include "guest/smccc.h"
#include "guest/sysreg.h"
#include "guest/test.h"

/* The emulated PL031 (configs/common/pl031_service.h, GUEST_RTC_IPA) and
 * its registers (Arm DDI 0224 table 3-1). */
#define RTC_BASE 0x09010000UL
#define RTCDR 0x000U
#define RTCMR 0x004U
#define RTCLR 0x008U
#define RTCIMSC 0x010U
#define RTCRIS 0x014U
#define RTC_INT_MATCH 1U

/** The time loaded in the first run: 2030-01-01 12:00:00 UTC. */
#define LOADED_TIME 1893499200U
#define SECONDS_PER_HOUR 3600U
/** The second run reads the counter within this of LOADED_TIME (the
 * reset and the second boot take well under a second of virtual time). */
#define RESET_BOUND_SECONDS 10U
/** A little over one RTC second of virtual time. */
#define TICK_WAIT_MS 1100U

static volatile uint32_t *rtc(uint32_t off)
{
	return (volatile uint32_t *)(RTC_BASE + off);
}

static void first_run(void)
{
	CHECK_EQ(*rtc(RTCIMSC), 0);
	*rtc(RTCLR) = LOADED_TIME;
	*rtc(RTCMR) = LOADED_TIME + SECONDS_PER_HOUR;
	*rtc(RTCIMSC) = RTC_INT_MATCH;
	CHECK_EQ(*rtc(RTCLR), LOADED_TIME);
	CHECK_EQ(*rtc(RTCMR), LOADED_TIME + SECONDS_PER_HOUR);
	CHECK_EQ(*rtc(RTCIMSC), RTC_INT_MATCH);
	CHECK(*rtc(RTCDR) - LOADED_TIME < RESET_BOUND_SECONDS);
	printf("pl031reset: run 0: time loaded, match set and unmasked, "
	       "resetting\n");
	console_flush();
	if (test_failures == 0) {
		hvc_call(PSCI_SYSTEM_RESET, 0, 0, 0);
	}
}

static void second_run(void)
{
	uint32_t first, later;

	CHECK_EQ(*rtc(RTCIMSC), 0);
	CHECK_EQ(*rtc(RTCMR), 0);
	CHECK_EQ(*rtc(RTCRIS), 0);
	printf("pl031reset: run 1: RTCIMSC, RTCMR and RTCRIS at their reset "
	       "values\n");
	first = *rtc(RTCDR);
	CHECK(first - LOADED_TIME < RESET_BOUND_SECONDS);
	guest_idle_ms(TICK_WAIT_MS);
	later = *rtc(RTCDR);
	CHECK(later > first);
	printf("pl031reset: run 1: the time runs on from the time loaded "
	       "(+%u s, then +%u s)\n",
	       first - LOADED_TIME, later - LOADED_TIME);
}

void test_main(void)
{
	/* RTCLR is kept across the reset: it tells which run this is. */
	if (*rtc(RTCLR) == LOADED_TIME) {
		second_run();
	} else {
		CHECK_EQ(*rtc(RTCLR), 0);
		first_run();
	}
}
