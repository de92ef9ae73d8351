/**
 * System test: several vCPUs. vCPU 0 starts vCPU 1 with PSCI CPU_ON and
 * checks the PSCI answers around it (AFFINITY_INFO before, during and
 * after; CPU_ON errors), the vCPUs' MPIDRs, a ping-pong of SGIs through
 * GICD_SGIR (every ping answered by a pong, none lost), both vCPUs hammering
 * the distributor window at once (banked ITARGETSR0 must read each one's own
 * bit), then CPU_OFF and a second CPU_ON of the same vCPU.
 */
#include <stdint.h>

#include "guest/gic.h"
#include "guest/smccc.h"
#include "guest/sysreg.h"
#include "guest/test.h"

#define PSCI_CPU_OFF 0x84000002U
#define PSCI_CPU_ON 0xc4000003U
#define PSCI_AFFINITY_INFO 0xc4000004U
#define PSCI_MIGRATE_INFO_TYPE 0x84000006U
#define PSCI_CPU_SUSPEND 0xc4000001U
#define PSCI_INVALID_PARAMS ((uint64_t)-2)
#define PSCI_ALREADY_ON ((uint64_t)-4)
#define PSCI_INVALID_ADDRESS ((uint64_t)-9)
#define AFF_ON 0
#define AFF_OFF 1
#define TOS_NOT_PRESENT 2
/* MPIDR_EL1 (D13.2.86): bit 31 RES1, Aff0 [7:0]. */
#define MPIDR_RES1 (1ULL << 31)
#define MPIDR_AFF_MASK 0xff00ffffffULL

#define PMR_ALL 0xf0U
#define VTIMER_INTID 27
#define CNT_CTL_ENABLE 1ULL
#define SUSPEND_HZ 100
#define SGI_PING 1
#define SGI_PONG 2
#define GICC_IAR_CPU_MASK 0x7U
#define ROUNDS 10000
#define HAMMER_READS 2000
#define TIMEOUT_SECONDS 10
#define STACK_BYTES 8192
/* ITARGETSR0 reads the accessing CPU's bit in every byte (4.3.12). */
#define TARGETS_BYTE_REPLICATE 0x01010101U

static uint8_t secondary_stack[STACK_BYTES] __attribute__((aligned(16)));
static volatile uint32_t pings, pongs, bad_source, secondary_ready;
static volatile uint32_t secondary_stop, secondary_hammer, hammer_errors;
static volatile uint64_t secondary_mpidr;

void smp_secondary_entry(void);
void smp_secondary_main(void);

static void send_sgi(uint32_t sgi, uint32_t target_cpu)
{
	*gicd(GICD_SGIR) = (1U << (GICD_SGIR_TARGETS_SHIFT + target_cpu)) | sgi;
}

static void handler(uint32_t iar)
{
	uint32_t id = iar & GICC_IAR_ID_MASK;
	uint32_t source = (iar >> GICC_IAR_CPU_SHIFT) & GICC_IAR_CPU_MASK;

	if (id == SGI_PING) {
		bad_source += source != 0;
		pings++;
		send_sgi(SGI_PONG, 0);
	} else if (id == SGI_PONG) {
		bad_source += source != 1;
		pongs++;
	}
}

static uint64_t now(void)
{
	return read_sysreg(cntvct_el0);
}

static uint64_t deadline(void)
{
	return now() + TIMEOUT_SECONDS * read_sysreg(cntfrq_el0);
}

/* Sleep until *@p var >= @p n, taking interrupts between checks (the
 * check and WFI run masked: a pending interrupt still ends WFI). */
static int wait_until(volatile uint32_t *var, uint32_t n)
{
	uint64_t end = deadline();

	irq_mask();
	while (*var < n && now() < end) {
		__asm__ volatile("wfi");
		irq_unmask();
		isb();
		irq_mask();
	}
	irq_unmask();
	return *var >= n;
}

/* Poll (no interrupt announces it) until *@p var >= @p n. */
static int spin_until(volatile uint32_t *var, uint32_t n)
{
	uint64_t end = deadline();

	while (*var < n && now() < end) {
	}
	return *var >= n;
}

static uint32_t read_own_targets(void)
{
	return *gicd(GICD_ITARGETSR);
}

static uint32_t hammer(uint32_t cpu)
{
	uint32_t errors = 0;

	for (uint32_t i = 0; i < HAMMER_READS; i++) {
		errors += read_own_targets() != (TARGETS_BYTE_REPLICATE << cpu);
	}
	return errors;
}

void smp_secondary_main(void)
{
	secondary_mpidr = read_sysreg(mpidr_el1);
	*gicc(GICC_PMR) = PMR_ALL;
	*gicc(GICC_CTLR) = 1;
	irq_unmask();
	secondary_ready++;
	while (!secondary_stop) {
		if (secondary_hammer) {
			hammer_errors += hammer(1);
			secondary_hammer = 0;
		}
		__asm__ volatile("wfi");
	}
	secondary_stop = 0;
	hvc_call(PSCI_CPU_OFF, 0, 0, 0);
	/* CPU_OFF returns only on failure. */
	hammer_errors += 1000;
}

static uint64_t cpu_on(uint64_t mpidr, uint64_t entry)
{
	return hvc_call(PSCI_CPU_ON, mpidr, entry,
			(uint64_t)(secondary_stack + STACK_BYTES)).a0;
}

static uint64_t affinity(uint64_t mpidr, uint64_t level)
{
	return hvc_call(PSCI_AFFINITY_INFO, mpidr, level, 0).a0;
}

static int wait_off(uint64_t mpidr)
{
	uint64_t end = deadline();

	while (affinity(mpidr, 0) != AFF_OFF && now() < end) {
	}
	return affinity(mpidr, 0) == AFF_OFF;
}

static void check_psci_errors(void)
{
	uint64_t entry = (uint64_t)smp_secondary_entry;

	CHECK_EQ(affinity(1, 0), AFF_OFF);          /* never started */
	CHECK_EQ(affinity(0, 0), AFF_ON);
	CHECK_EQ(affinity(5, 0), PSCI_INVALID_PARAMS);
	CHECK_EQ(affinity(0, 4), PSCI_INVALID_PARAMS);
	CHECK_EQ(cpu_on(5, entry), PSCI_INVALID_PARAMS);
	CHECK_EQ(cpu_on(1ULL << 8, entry), PSCI_INVALID_PARAMS);  /* Aff1 */
	CHECK_EQ(cpu_on(1, 0x1000), PSCI_INVALID_ADDRESS);
	CHECK_EQ(cpu_on(0, entry), PSCI_ALREADY_ON);
	CHECK_EQ(hvc_call(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0).a0, TOS_NOT_PRESENT);
}

static void start_secondary(uint32_t expect_ready)
{
	CHECK_EQ(cpu_on(1, (uint64_t)smp_secondary_entry), 0);
	CHECK_EQ(cpu_on(1, (uint64_t)smp_secondary_entry), PSCI_ALREADY_ON);
	CHECK_EQ(affinity(1, 0), AFF_ON);
	CHECK(spin_until(&secondary_ready, expect_ready));
}

static void check_ping_pong(void)
{
	uint32_t lost_at = 0;

	for (uint32_t r = 1; r <= ROUNDS && lost_at == 0; r++) {
		send_sgi(SGI_PING, 1);
		if (!wait_until(&pongs, r)) {
			lost_at = r;
		}
	}
	CHECK_EQ(lost_at, 0);
	CHECK_EQ(pings, ROUNDS);
	CHECK_EQ(pongs, ROUNDS);
	CHECK_EQ(bad_source, 0);
	printf("smp: %u SGI ping-pong rounds, none lost\n", pongs);
}

static void check_concurrent_distributor(void)
{
	secondary_hammer = 1;
	send_sgi(SGI_PING, 1);     /* wake it */
	hammer_errors += hammer(0);
	uint64_t end = deadline();

	while (secondary_hammer && now() < end) {
	}
	CHECK_EQ(secondary_hammer, 0);
	CHECK_EQ(hammer_errors, 0);
	printf("smp: %u concurrent GICD reads per vCPU, each saw its own bank\n",
	       HAMMER_READS);
}

static void stop_secondary(void)
{
	secondary_stop = 1;
	send_sgi(SGI_PING, 1);
	CHECK(wait_off(1));
	CHECK_EQ(affinity(0, 1), AFF_ON);   /* level 1: the cluster */
}

/* CPU_SUSPEND sleeps until an interrupt is pending, then returns SUCCESS. */
static void check_cpu_suspend(void)
{
	uint64_t wake = now() + read_sysreg(cntfrq_el0) / SUSPEND_HZ;

	irq_mask();
	gic_enable_irq(VTIMER_INTID);
	write_sysreg(cntv_cval_el0, wake);
	write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE);
	isb();
	CHECK_EQ(hvc_call(PSCI_CPU_SUSPEND, 0, 0, 0).a0, 0);
	CHECK(now() >= wake);
	write_sysreg(cntv_ctl_el0, 0);
	isb();
	irq_unmask();
	printf("smp: CPU_SUSPEND woke on the timer interrupt\n");
}

void test_main(void)
{
	gic_set_handler(handler);
	gic_setup(PMR_ALL);
	CHECK_EQ(read_sysreg(mpidr_el1) & MPIDR_AFF_MASK, 0);
	CHECK(read_sysreg(mpidr_el1) & MPIDR_RES1);
	check_psci_errors();
	start_secondary(1);
	CHECK_EQ(secondary_mpidr & MPIDR_AFF_MASK, 1);
	check_ping_pong();
	check_concurrent_distributor();
	stop_secondary();
	printf("smp: vcpu 1 off; AFFINITY_INFO agrees\n");

	/* A vCPU turned off can be started again, from a clean state. */
	pongs = 0;
	pings = 0;
	start_secondary(2);
	send_sgi(SGI_PING, 1);
	CHECK(wait_until(&pongs, 1));
	stop_secondary();
	printf("smp: vcpu 1 restarted and stopped again\n");

	check_cpu_suspend();
}
