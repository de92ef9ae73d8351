/**
 * System test of the service timer and of client-reset messages
 * (tests/system/test_svctimer.py), against the alarm service
 * (services/timersvc) at ALARM. Every check is in counter ticks (QEMU runs
 * with -icount: virtual time).
 *
 * First run: the service reads the same counter as the guest; a deadline
 * fires not before it and within PROMPT_MS after it, whether this CPU
 * idles meanwhile (the guest waits in WFI on its own virtual timer, set
 * well after the deadline) or runs the guest without a trap; a cancelled
 * deadline never fires; a replaced one fires once, at the new deadline
 * (also when it moves earlier); a deadline already past fires at once.
 * Then an alarm is armed and the guest resets (PSCI SYSTEM_RESET).
 *
 * Second run: its first access finds the service already told of the
 * reset (RESETS = 1), and the alarm device back at its reset values, the
 * alarm armed before the reset cancelled. So are the other services'
 * devices: an SPI enabled in the GIC distributor (vgic service) and the
 * PL011's interrupt mask (UART service) read their reset values, 0.
 */
#include <stdint.h>

#include "abi/gicv2.h"
#include "guest/delay.h"
#include "guest/gic.h"
#include "guest/smccc.h"
#include "guest/sysreg.h"
#include "guest/test.h"
#include "timersvc/regs.h"

#define ALARM 0x0a000000UL

/* Set in the first run, reset values (0) in the second. */
#define UART 0x09000000UL
#define PL011_IMSC 0x038U /* interrupt mask set/clear (PL011 TRM) */
#define PL011_IMSC_RXIM 0x10U
#define GICD_ISENABLER_SPI 0x4U /* GICD_ISENABLER1: INTIDs 32-63 */
#define SPI_BIT 0x2U		/* INTID 33 */

#define MS_PER_S 1000U
/** A deadline is this far ahead when set. */
#define LEAD_MS 5U
/** The test looks this long after a deadline. */
#define AFTER_MS 20U
/** Delivery within this of the deadline: well under a 10 ms time slice,
 * so a kernel that checked deadlines only at slice ends would fail. */
#define PROMPT_MS 1U

static uint64_t ticks_per_ms;

static uint64_t rd(uint32_t reg)
{
	return *(volatile uint64_t *)(ALARM + reg);
}

static void wr(uint32_t reg, uint64_t v)
{
	*(volatile uint64_t *)(ALARM + reg) = v;
}

/* The alarm fired exactly once more, for @p deadline, promptly. */
static void check_fired(const char *what, uint64_t deadline, uint64_t before)
{
	uint64_t at = rd(TIMERSVC_REG_DELIVERED);

	CHECK_EQ(rd(TIMERSVC_REG_FIRED), before + 1);
	CHECK_EQ(rd(TIMERSVC_REG_FIRED_AT), deadline);
	CHECK_EQ(rd(TIMERSVC_REG_DEADLINE), 0);
	CHECK(at >= deadline);
	CHECK(at - deadline <= PROMPT_MS * ticks_per_ms);
	printf("svctimer: %s: delivered %llu ticks after its deadline\n", what,
	       (unsigned long long)(at - deadline));
}

static void same_counter(void)
{
	uint64_t before = guest_now();
	uint64_t svc = rd(TIMERSVC_REG_NOW);
	uint64_t after = guest_now();
	uint64_t p0 = read_sysreg(cntpct_el0);
	uint64_t v = guest_now();
	uint64_t p1 = read_sysreg(cntpct_el0);

	CHECK_EQ(rd(TIMERSVC_REG_FREQ), read_sysreg(cntfrq_el0));
	CHECK(before <= svc && svc <= after);
	/* CNTVOFF_EL2 = 0: the virtual counter is the physical one. */
	CHECK(p0 <= v && v <= p1);
	printf("svctimer: the service reads this guest's counter\n");
}

static void fires_while_idle(void)
{
	uint64_t d = guest_ms_ahead(LEAD_MS);

	wr(TIMERSVC_REG_DEADLINE, d);
	CHECK_EQ(rd(TIMERSVC_REG_DEADLINE), d);
	CHECK_EQ(rd(TIMERSVC_REG_FIRED), 0);
	guest_idle_until(d + AFTER_MS * ticks_per_ms);
	check_fired("idle CPU", d, 0);
}

static void fires_while_busy(void)
{
	uint64_t d = guest_ms_ahead(2 * LEAD_MS);

	wr(TIMERSVC_REG_DEADLINE, d);
	guest_spin_until(d - LEAD_MS * ticks_per_ms);
	CHECK_EQ(rd(TIMERSVC_REG_FIRED), 1); /* not before */
	guest_spin_until(d + AFTER_MS * ticks_per_ms);
	check_fired("busy CPU", d, 1);
}

static void cancel_and_replace(void)
{
	uint64_t d = guest_ms_ahead(LEAD_MS);

	wr(TIMERSVC_REG_DEADLINE, d);
	wr(TIMERSVC_REG_DEADLINE, 0);
	CHECK_EQ(rd(TIMERSVC_REG_DEADLINE), 0);
	guest_idle_until(d + AFTER_MS * ticks_per_ms);
	CHECK_EQ(rd(TIMERSVC_REG_FIRED), 2);
	printf("svctimer: a cancelled deadline does not fire\n");

	uint64_t first = guest_ms_ahead(LEAD_MS);
	uint64_t later = guest_ms_ahead(2 * LEAD_MS);

	wr(TIMERSVC_REG_DEADLINE, first);
	wr(TIMERSVC_REG_DEADLINE, later);
	guest_idle_until(later + AFTER_MS * ticks_per_ms);
	check_fired("replaced by a later one", later, 2);

	uint64_t far = guest_ms_ahead(4 * LEAD_MS);
	uint64_t sooner = guest_ms_ahead(LEAD_MS);

	wr(TIMERSVC_REG_DEADLINE, far);
	wr(TIMERSVC_REG_DEADLINE, sooner);
	guest_idle_until(far + AFTER_MS * ticks_per_ms);
	check_fired("replaced by a sooner one", sooner, 3);

	uint64_t past = guest_now() - 1;

	wr(TIMERSVC_REG_DEADLINE, past);
	/* Told before this read is served: events come first. */
	CHECK_EQ(rd(TIMERSVC_REG_FIRED), 5);
	CHECK_EQ(rd(TIMERSVC_REG_FIRED_AT), past);
	printf("svctimer: a deadline already past fires at once\n");
}

static volatile uint32_t *reg32(uint64_t addr)
{
	return (volatile uint32_t *)addr;
}

/* Device state of the other services, changed before the reset. */
static void dirty_other_devices(void)
{
	*reg32(GUEST_GICD + GICD_ISENABLER + GICD_ISENABLER_SPI) = SPI_BIT;
	*reg32(UART + PL011_IMSC) = PL011_IMSC_RXIM;
	CHECK_EQ(*reg32(GUEST_GICD + GICD_ISENABLER + GICD_ISENABLER_SPI),
		 SPI_BIT);
	CHECK_EQ(*reg32(UART + PL011_IMSC), PL011_IMSC_RXIM);
}

void test_main(void)
{
	/* The first access of each run: the reset must be known by then. */
	uint64_t resets = rd(TIMERSVC_REG_RESETS);
	uint64_t run = rd(TIMERSVC_REG_BOOTS);

	ticks_per_ms = read_sysreg(cntfrq_el0) / MS_PER_S;
	printf("svctimer: run %llu, the service heard of %llu reset(s)\n",
	       (unsigned long long)run, (unsigned long long)resets);
	CHECK_EQ(resets, run);
	if (run == 0) {
		same_counter();
		fires_while_idle();
		fires_while_busy();
		cancel_and_replace();
		dirty_other_devices();
		wr(TIMERSVC_REG_DEADLINE, guest_ms_ahead(LEAD_MS));
		printf("svctimer: alarm armed, resetting\n");
		console_flush();
		if (test_failures == 0) {
			hvc_call(PSCI_SYSTEM_RESET, 0, 0, 0);
		}
		return;
	}
	CHECK_EQ(rd(TIMERSVC_REG_DEADLINE), 0);
	CHECK_EQ(rd(TIMERSVC_REG_FIRED), 0);
	CHECK_EQ(rd(TIMERSVC_REG_FIRED_AT), 0);
	CHECK_EQ(*reg32(GUEST_GICD + GICD_ISENABLER + GICD_ISENABLER_SPI), 0);
	CHECK_EQ(*reg32(UART + PL011_IMSC), 0);
	printf("svctimer: the GIC distributor and the PL011 are at their "
	       "reset values too\n");
	guest_idle_until(guest_ms_ahead(LEAD_MS + AFTER_MS));
	CHECK_EQ(rd(TIMERSVC_REG_FIRED), 0);
	printf("svctimer: after the reset the alarm is at its reset values "
	       "and its old deadline cancelled\n");
}
