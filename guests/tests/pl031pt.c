/**
 * System test: a physical device passed through with its interrupt. The
 * scenario (configs/pl031pt) gives this guest QEMU virt's PL031 RTC frame
 * and its level-sensitive SPI, INTID 34, which reaches it through its
 * virtual distributor as a hardware-linked interrupt (GICH_LR.HW): its EOI
 * deactivates the physical SPI.
 *
 * First life: two alarms (RTCMR = RTCDR + 1, RTCIMSC on), each taken once
 * by the handler, which clears it with RTCICR before its EOI; a quiet
 * period after each shows that the level line does not storm. Then the
 * hostile part: a third alarm is acknowledged (GICC_IAR) but never
 * completed, its priority changed and the interrupt disabled while
 * active, and the VM resets itself (PSCI SYSTEM_RESET) with the physical
 * SPI still active and the device still asserting it.
 *
 * Second life (the device keeps RTCIMSC set across the VM's reset: it is
 * the physical device): enabling INTID 34 again must deliver the pending
 * alarm at once. It can only if the kernel deactivated the physical SPI
 * when the VM was reset; otherwise the line stays blocked for ever.
 */
#include <stdint.h>

#include "guest/gic.h"
#include "guest/smccc.h"
#include "guest/sysreg.h"
#include "guest/test.h"

/* PL031 (ARM DDI 0224): data, match, interrupt mask set/clear, masked
 * status, interrupt clear registers; bit 0 is the alarm interrupt. */
#define RTC_BASE 0x09010000UL
#define RTCDR 0x000U
#define RTCMR 0x004U
#define RTCIMSC 0x010U
#define RTCMIS 0x018U
#define RTCICR 0x01cU
#define RTC_INT_ALARM 1U
#define RTC_INTID 34U

#define GIC_INTID_VTIMER 27U
#define PMR_DEFAULT 0xf0U
/* A lower priority than the reset one (0xa0), written while active. */
#define HOSTILE_PRIORITY 0xe0U
/* CNTV_CTL_EL0: ENABLE [0], IMASK [1] (Arm ARM D11.2.4). */
#define CNT_CTL_ENABLE 1U
/* Virtual time to wait: for an alarm (it is at most 2 s of RTC time
 * away), and for a storm to show after one. */
#define ALARM_WAIT_SECONDS 10U
#define QUIET_MS 200U
#define MS_PER_S 1000U

static volatile uint32_t rtc_irqs;
static volatile uint32_t timer_expired;

static volatile uint32_t *rtc(uint32_t off)
{
	return (volatile uint32_t *)(RTC_BASE + off);
}

static void handler(uint32_t iar)
{
	uint32_t intid = iar & GICC_IAR_ID_MASK;

	if (intid == GIC_INTID_VTIMER) {
		write_sysreg(cntv_ctl_el0, 0);
		timer_expired = 1;
		return;
	}
	if (intid == RTC_INTID) {
		CHECK(*rtc(RTCMIS) & RTC_INT_ALARM);
		*rtc(RTCICR) = RTC_INT_ALARM;
		rtc_irqs++;
	}
}

/* Sleep in WFI until rtc_irqs reaches @p want or @p ms of virtual time
 * pass (the virtual timer, INTID 27); IRQs are taken in a short window. */
static void wait_irqs(uint32_t want, uint32_t ms)
{
	uint64_t ticks = read_sysreg(cntfrq_el0) * ms / MS_PER_S;

	timer_expired = 0;
	write_sysreg(cntv_tval_el0, ticks);
	write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE);
	irq_mask();
	while (rtc_irqs < want && !timer_expired) {
		__asm__ volatile("wfi");
		irq_unmask();
		isb();
		irq_mask();
	}
	irq_unmask();
	write_sysreg(cntv_ctl_el0, 0);
}

static void set_alarm(void)
{
	*rtc(RTCMR) = *rtc(RTCDR) + 1;
	*rtc(RTCIMSC) = RTC_INT_ALARM;
}

/*
 * Enable the distributor, INTID 34 and the timer. Each enable is written
 * off then on: after a VM reset the distributor service's model may
 * still hold the old values and would report no change to the kernel.
 */
static void gic_init_rtc(void)
{
	gic_set_handler(handler);
	*gicd(GICD_CTLR) = 0;
	gic_setup(PMR_DEFAULT);
	gic_disable_irq(RTC_INTID);
	gic_enable_irq(RTC_INTID);
	gic_disable_irq(GIC_INTID_VTIMER);
	gic_enable_irq(GIC_INTID_VTIMER);
}

/* One alarm: delivered exactly once, and nothing more in a quiet period. */
static void alarm_once(uint32_t n)
{
	set_alarm();
	wait_irqs(n, ALARM_WAIT_SECONDS * MS_PER_S);
	CHECK_EQ(rtc_irqs, n);
	wait_irqs(n + 1, QUIET_MS);
	CHECK_EQ(rtc_irqs, n);
	printf("pl031pt: alarm %u: %u interrupt(s) in all\n", n, rtc_irqs);
}

/* Take the third alarm's interrupt and keep it active, then reset. */
static _Noreturn void hold_active_and_reset(void)
{
	uint32_t iar;

	irq_mask();
	set_alarm();
	while ((*gicc(GICC_HPPIR) & GICC_IAR_ID_MASK) != RTC_INTID) {
		__asm__ volatile("wfi");
	}
	iar = *gicc(GICC_IAR);
	CHECK_EQ(iar & GICC_IAR_ID_MASK, RTC_INTID);
	*gicd8(GICD_IPRIORITYR + RTC_INTID) = HOSTILE_PRIORITY;
	gic_disable_irq(RTC_INTID);
	printf("pl031pt: INTID 34 held active, disabled; resetting\n");
	console_flush();
	hvc_call(PSCI_SYSTEM_RESET, 0, 0, 0);
	CHECK(0);
	test_finish();
}

void test_main(void)
{
	gic_init_rtc();
	if (*rtc(RTCIMSC) & RTC_INT_ALARM) {
		/* Second life: the alarm left asserted before the reset. */
		wait_irqs(1, ALARM_WAIT_SECONDS * MS_PER_S);
		CHECK_EQ(rtc_irqs, 1);
		printf("pl031pt: after reset, the held alarm arrives: %u\n",
		       rtc_irqs);
		alarm_once(2);
		*rtc(RTCIMSC) = 0;
		return;
	}
	CHECK_EQ(rtc_irqs, 0);
	alarm_once(1);
	alarm_once(2);
	if (test_failures == 0) {
		hold_active_and_reset();
	}
}
