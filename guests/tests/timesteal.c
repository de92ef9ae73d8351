/**
 * Timer-isolation suite, the attacker (scenario timesteal-test, with the
 * "ticker" guest on the same physical CPU). Each attack leaves this
 * guest's virtual timer interrupt in a list register linked to the
 * physical PPI 27 (GICH_LR.HW: it fired while IRQs were masked here, so
 * the physical PPI is active until the guest completes it), then drops it
 * without completing it:
 *  - icpendr: GICD_ICPENDR0 bit 27;
 *  - icactiver: GICD_ICACTIVER bit 27;
 *  - cpu-off-on: vCPU 1 arms it and calls CPU_OFF; vCPU 0 starts it again
 *    with CPU_ON at once (with smp=2 vCPU 1 shares CPU 0 with the ticker
 *    and vCPU 0 runs on CPU 1), several rounds;
 *  - system-reset: PSCI SYSTEM_RESET (the guest starts again from the top).
 * The kernel must deactivate the physical PPI whenever it drops such an
 * interrupt: if it does not, no timer interrupt reaches any VM on that CPU
 * again. After each attack the guest prints "<attack>: attacked", spins
 * SETTLE_MS of virtual time, and prints "<attack>: done"; the system test
 * (tests/system/test_timesteal.py) counts the ticker's lines in between.
 * Each boot starts with the same SETTLE_MS window ("boot" .. "start").
 */
#include <stdint.h>

#include "guest/gic.h"
#include "guest/smccc.h"
#include "guest/sysreg.h"
#include "guest/test.h"

#define VTIMER_INTID 27U
#define VTIMER_BIT (1U << VTIMER_INTID)
#define PMR_ALL 0xf0U
/* CNTV_CTL_EL0.ENABLE (D13.8.15). */
#define CNT_CTL_ENABLE 1ULL
#define SETTLE_MS 1000U
#define MS_PER_S 1000U
/* A pending timer interrupt shows in ISPENDR0 within this many reads. */
#define ARM_POLLS 100000U
#define OFF_ON_ROUNDS 20U
#define OFF_TIMEOUT_MS 2000U
#define STACK_BYTES 8192
#define SECONDARY_MPIDR 1U

static uint8_t secondary_stack[STACK_BYTES] __attribute__((aligned(16)));
static volatile uint32_t secondary_armed, secondary_failed;
static volatile uint32_t taken;

void smp_secondary_entry(void);
void smp_secondary_main(void);

static uint64_t now(void)
{
	return read_sysreg(cntvct_el0);
}

static void spin_ms(uint32_t ms)
{
	uint64_t end = now() + read_sysreg(cntfrq_el0) * ms / MS_PER_S;

	while (now() < end) {
	}
}

static void handler(uint32_t iar)
{
	if ((iar & GICC_IAR_ID_MASK) == VTIMER_INTID) {
		taken++;
		write_sysreg(cntv_ctl_el0, 0);
		isb();
	}
}

/*
 * With IRQs masked: fire this vCPU's timer now and wait until its
 * interrupt is pending in a list register (ISPENDR0 asks the kernel,
 * which reads the LRs back). False if it never showed.
 */
static int arm_pending_timer(void)
{
	irq_mask();
	gic_enable_irq(VTIMER_INTID);
	write_sysreg(cntv_cval_el0, 0);
	write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE);
	isb();
	for (uint32_t i = 0; i < ARM_POLLS; i++) {
		if (*gicd(GICD_ISPENDR) & VTIMER_BIT) {
			return 1;
		}
	}
	return 0;
}

/* Stop the timer and take whatever is still pending (EOI included). */
static void disarm(void)
{
	write_sysreg(cntv_ctl_el0, 0);
	isb();
	irq_unmask();
	spin_ms(1);
	irq_mask();
	gic_disable_irq(VTIMER_INTID);
}

static void settle(const char *attack)
{
	printf("timesteal: %s: attacked\n", attack);
	spin_ms(SETTLE_MS);
	printf("timesteal: %s: done\n", attack);
}

static void attack_register(const char *attack, uint32_t offset)
{
	CHECK(arm_pending_timer());
	*gicd(offset) = VTIMER_BIT;
	settle(attack);
	disarm();
}

/* vCPU 1: arm its own timer (PPI 27 and GICC are banked), then CPU_OFF. */
void smp_secondary_main(void)
{
	*gicc(GICC_PMR) = PMR_ALL;
	*gicc(GICC_CTLR) = 1;
	if (!arm_pending_timer()) {
		secondary_failed++;
	}
	secondary_armed++;
	hvc_call(PSCI_CPU_OFF, 0, 0, 0);
	secondary_failed++;
}

static uint64_t start_secondary(void)
{
	return hvc_call(PSCI_CPU_ON_64, SECONDARY_MPIDR,
			(uint64_t)(uintptr_t)smp_secondary_entry,
			(uint64_t)(uintptr_t)(secondary_stack + STACK_BYTES)).a0;
}

static int secondary_off(void)
{
	uint64_t end = now() + read_sysreg(cntfrq_el0) * OFF_TIMEOUT_MS / MS_PER_S;

	while (now() < end) {
		if (hvc_call(PSCI_AFFINITY_INFO_64, SECONDARY_MPIDR, 0, 0).a0 ==
		    PSCI_AFFINITY_OFF) {
			return 1;
		}
	}
	return 0;
}

/* Each CPU_ON resets vCPU 1 while the previous round's armed interrupt
 * may still sit in CPU 0's list registers. */
static void attack_cpu_off_on(void)
{
	for (uint32_t r = 0; r < OFF_ON_ROUNDS; r++) {
		CHECK_EQ(start_secondary(), PSCI_RET_SUCCESS);
		CHECK(secondary_off());
	}
	CHECK_EQ(secondary_armed, OFF_ON_ROUNDS);
	CHECK_EQ(secondary_failed, 0);
	settle("cpu-off-on");
}

void test_main(void)
{
	printf("timesteal: boot\n");
	spin_ms(SETTLE_MS);
	printf("timesteal: start\n");
	gic_setup(PMR_ALL);
	gic_set_handler(handler);
	attack_register("icpendr", GICD_ICPENDR);
	attack_register("icactiver", GICD_ICACTIVER);
	attack_cpu_off_on();
	printf("timesteal: checks %s\n", test_failures == 0 ? "ok" : "FAILED");
	CHECK(arm_pending_timer());
	printf("timesteal: system-reset: attacked\n");
	console_flush();
	hvc_call(PSCI_SYSTEM_RESET, 0, 0, 0);
	CHECK(0);
}
