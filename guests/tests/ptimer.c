/**
 * System test: the EL1 physical timer (CNTP_CTL/CVAL/TVAL_EL0, interrupt
 * INTID 30, PPI 14), which the kernel emulates per vCPU (hyp/vptimer.h).
 * Scenario test-ptimer runs this image twice on one physical CPU: VM "one"
 * has two vCPUs, VM "two" one; each finds its role by asking PSCI
 * AFFINITY_INFO about a vCPU 1.
 *
 * VM one, vCPU 0: register semantics (CVAL read-back, CTL's read-only
 * ISTATUS, TVAL as a signed 32-bit view of CVAL - CNTPCT, Arm ARM D11.2.4),
 * ISTATUS with IMASK, the interrupt delivered through its GIC, IMASK
 * holding it back, disabling / masking / moving CVAL withdrawing a pending
 * state not yet taken, the level staying asserted across an EOI, a
 * periodic timer at 1 kHz, its state across vCPU switches and across
 * CPU_OFF / CPU_ON of vCPU 1 (which runs its own timer, and finds it reset
 * after CPU_ON). VM two: a quiet period (no INTID 30 may reach it while VM
 * one's timer fires), then a periodic timer at a third of the rate.
 * Every INTID 30 taken must find the vCPU's own timer firing (CTL reads
 * ENABLE | ISTATUS, IMASK clear): anything else is another's interrupt.
 */
#include <stdbool.h>
#include <stdint.h>

#include "guest/gic.h"
#include "guest/smccc.h"
#include "guest/sysreg.h"
#include "guest/test.h"

#define PTIMER_INTID 30
#define VTIMER_INTID 27
/* CNTx_CTL_EL0 (D13.8): ENABLE [0], IMASK [1], ISTATUS [2] (read-only). */
#define CTL_ENABLE	1ULL
#define CTL_IMASK	2ULL
#define CTL_ISTATUS	4ULL
#define TVAL_UPPER_MASK 0xffffffff00000000ULL

#define PSCI_CPU_OFF	    0x84000002U
#define PSCI_CPU_ON	    0xc4000003U
#define PSCI_AFFINITY_INFO  0xc4000004U
#define PSCI_INVALID_PARAMS ((uint64_t)-2)
#define AFF_OFF		    1
#define MPIDR_AFF0_MASK	    0xffULL

#define PMR_ALL		0xf0U
#define TIMEOUT_SECONDS 5
#define STACK_BYTES	8192
#define NCPUS		2

/* Rates: VM one ticks at 1 kHz, VM two at a third of that, vCPU 1 at 500 Hz. */
#define ONE_HZ	   1000
#define ONE_TICKS  100
#define TWO_HZ	   333
#define TWO_TICKS  60
#define CPU1_HZ	   500
#define CPU1_TICKS 10
/* How late the last of N periodic ticks may be: the other VM's turn on
 * the CPU (one 10 ms slice) plus a period. Virtual time (QEMU -icount). */
#define LATE_SLICES_HZ 100
/* Quiet periods and pauses, in Hz of their length. */
#define QUIET_HZ 20
#define PAUSE_HZ 50
#define SHORT_HZ 500

enum mode {
	MODE_MASK,     /**< Handler sets IMASK (a one-shot, as Linux does). */
	MODE_PERIODIC, /**< Handler adds the period to CVAL. */
	MODE_LEVEL,    /**< Handler leaves the line asserted (level test). */
};

/** One vCPU's view of its physical timer interrupts. */
struct timer_stats {
	volatile uint32_t ticks; /**< INTID 30 taken. */
	volatile uint32_t
	    foreign; /**< ... while its own timer was not firing. */
	volatile uint32_t vticks; /**< Virtual timer (sleeps). */
	volatile uint32_t other;  /**< Any other interrupt. */
	volatile enum mode mode;
	volatile uint64_t period;
	volatile uint32_t limit; /**< Periodic / level: stop at this count. */
};

static struct timer_stats stats[NCPUS];
static uint8_t secondary_stack[STACK_BYTES] __attribute__((aligned(16)));
static volatile uint32_t secondary_lives, secondary_done;
static volatile uint32_t secondary_failures;

void smp_secondary_entry(void);
void smp_secondary_main(void);

static uint32_t cpu_index(void)
{
	return (uint32_t)(read_sysreg(mpidr_el1) & MPIDR_AFF0_MASK);
}

static uint64_t now(void)
{
	isb();
	return read_sysreg(cntpct_el0);
}

static uint64_t freq(void)
{
	return read_sysreg(cntfrq_el0);
}

static void timer_fired(struct timer_stats *st)
{
	uint64_t ctl = read_sysreg(cntp_ctl_el0);

	st->ticks++;
	if ((ctl & (CTL_ENABLE | CTL_IMASK | CTL_ISTATUS)) !=
	    (CTL_ENABLE | CTL_ISTATUS)) {
		st->foreign++;
		return;
	}
	switch (st->mode) {
	case MODE_MASK:
		write_sysreg(cntp_ctl_el0, CTL_ENABLE | CTL_IMASK);
		break;
	case MODE_PERIODIC:
		write_sysreg(cntp_cval_el0,
			     read_sysreg(cntp_cval_el0) + st->period);
		if (st->ticks >= st->limit) {
			write_sysreg(cntp_ctl_el0, 0);
		}
		break;
	case MODE_LEVEL:
		if (st->ticks >= st->limit) {
			write_sysreg(cntp_ctl_el0, 0);
		}
		break;
	}
	isb();
}

static void handler(uint32_t iar)
{
	struct timer_stats *st = &stats[cpu_index()];
	uint32_t id = iar & GICC_IAR_ID_MASK;

	if (id == PTIMER_INTID) {
		timer_fired(st);
	} else if (id == VTIMER_INTID) {
		st->vticks++;
		write_sysreg(cntv_ctl_el0, 0);
	} else {
		st->other++;
	}
}

/*
 * Wait until *@p var >= @p n or the counter reaches @p end, when the
 * virtual timer wakes the vCPU (so a lost interrupt fails the check
 * instead of sleeping for ever). The check and the WFI run with IRQs
 * masked (a pending interrupt still ends WFI), then a short unmasked
 * window takes it.
 */
static bool wait_until(volatile uint32_t *var, uint32_t n, uint64_t end)
{
	/* Relative (TVAL): the virtual counter may be offset. At most
	 * TIMEOUT_SECONDS ahead, well inside its signed 32 bits. */
	write_sysreg(cntv_tval_el0, (uint32_t)(end - now()));
	write_sysreg(cntv_ctl_el0, CTL_ENABLE);
	isb();
	irq_mask();
	while (*var < n && now() < end) {
		__asm__ volatile("wfi");
		irq_unmask();
		isb();
		irq_mask();
	}
	write_sysreg(cntv_ctl_el0, 0);
	irq_unmask();
	return *var >= n;
}

static bool wait_for(volatile uint32_t *var, uint32_t n)
{
	return wait_until(var, n, now() + TIMEOUT_SECONDS * freq());
}

/* Sleep for 1/@p hz s, interrupts taken meanwhile. */
static void sleep_hz(uint32_t hz)
{
	uint64_t end = now() + freq() / hz;

	(void)wait_until(&stats[cpu_index()].vticks, UINT32_MAX, end);
	CHECK(now() >= end);
}

static uint32_t ptimer_pending(void)
{
	return *gicd(GICD_ISPENDR) & (1U << PTIMER_INTID);
}

static int32_t tval_signed(void)
{
	uint64_t tval = read_sysreg(cntp_tval_el0);

	CHECK_EQ(tval & TVAL_UPPER_MASK, 0); /* bits [63:32] RES0 */
	return (int32_t)(uint32_t)tval;
}

static void check_tval(void)
{
	int64_t d = (int64_t)(freq() / PAUSE_HZ);
	uint64_t before, after;
	int32_t t;

	/* Read: (CVAL - CNTPCT) as a signed 32-bit value, both signs. */
	before = now();
	write_sysreg(cntp_cval_el0, before + (uint64_t)d);
	t = tval_signed();
	after = now();
	CHECK(t <= d && t >= d - (int64_t)(after - before));
	before = now();
	write_sysreg(cntp_cval_el0, before - (uint64_t)d);
	t = tval_signed();
	after = now();
	CHECK(t <= -d && t >= -d - (int64_t)(after - before));

	/* Write: CVAL = CNTPCT + SignExtend(TVAL[31:0]). */
	const int32_t values[] = {5000, -1000, INT32_MIN, INT32_MAX};

	for (unsigned i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		before = now();
		write_sysreg(cntp_tval_el0, (uint32_t)values[i]);
		after = now();
		uint64_t cval = read_sysreg(cntp_cval_el0);

		CHECK(cval >= before + (uint64_t)(int64_t)values[i] &&
		      cval <= after + (uint64_t)(int64_t)values[i]);
	}
}

/* IRQs masked and INTID 30 disabled: registers only. */
static void check_registers(void)
{
	const uint64_t cval = 0x0123456789abcdefULL;
	uint64_t later = now() + freq() * TIMEOUT_SECONDS * 10;

	write_sysreg(cntp_ctl_el0, 0);
	write_sysreg(cntp_cval_el0, cval);
	CHECK_EQ(read_sysreg(cntp_cval_el0), cval);
	/* ISTATUS is read-only: a write of it is ignored. */
	write_sysreg(cntp_cval_el0, later);
	write_sysreg(cntp_ctl_el0, CTL_ENABLE | CTL_IMASK | CTL_ISTATUS);
	CHECK_EQ(read_sysreg(cntp_ctl_el0), CTL_ENABLE | CTL_IMASK);
	write_sysreg(cntp_ctl_el0, CTL_ENABLE);
	CHECK_EQ(read_sysreg(cntp_ctl_el0), CTL_ENABLE);
	/* Condition met: ISTATUS, with or without IMASK. */
	write_sysreg(cntp_cval_el0, now() - 1);
	CHECK_EQ(read_sysreg(cntp_ctl_el0), CTL_ENABLE | CTL_ISTATUS);
	write_sysreg(cntp_ctl_el0, CTL_ENABLE | CTL_IMASK);
	CHECK_EQ(read_sysreg(cntp_ctl_el0),
		 CTL_ENABLE | CTL_IMASK | CTL_ISTATUS);
	/* XZR as the source: CTL = 0. */
	__asm__ volatile("msr cntp_ctl_el0, xzr");
	CHECK_EQ(read_sysreg(cntp_ctl_el0), 0);
	check_tval();
	write_sysreg(cntp_ctl_el0, 0);
	printf("ptimer: CTL/CVAL/TVAL read back as the architecture says\n");
}

static void check_interrupt(struct timer_stats *st)
{
	uint32_t start = st->ticks;

	/* Nothing left over from the register checks (the line was high
	 * while INTID 30 was disabled: that pending state was dropped). */
	gic_enable_irq(PTIMER_INTID);
	irq_unmask();
	sleep_hz(SHORT_HZ);
	CHECK_EQ(st->ticks, start);

	st->mode = MODE_MASK;
	write_sysreg(cntp_tval_el0, freq() / ONE_HZ);
	write_sysreg(cntp_ctl_el0, CTL_ENABLE);
	isb();
	CHECK(wait_for(&st->ticks, start + 1));
	CHECK_EQ(st->ticks, start + 1);
	CHECK_EQ(read_sysreg(cntp_ctl_el0),
		 CTL_ENABLE | CTL_IMASK | CTL_ISTATUS);

	/* IMASK holds it back; clearing IMASK delivers it. */
	sleep_hz(SHORT_HZ);
	CHECK_EQ(st->ticks, start + 1);
	CHECK(!ptimer_pending());
	write_sysreg(cntp_ctl_el0, CTL_ENABLE);
	isb();
	CHECK(wait_for(&st->ticks, start + 2));
	CHECK_EQ(st->ticks, start + 2);
	write_sysreg(cntp_ctl_el0, 0);
	printf("ptimer: INTID 30 through GICC IAR/EOIR; IMASK holds it back\n");
}

/* Raise the line with IRQs masked, then lower it as @p how says. */
static void check_withdrawn(struct timer_stats *st)
{
	uint32_t start = st->ticks;

	irq_mask();
	for (int how = 0; how < 3; how++) {
		write_sysreg(cntp_cval_el0, now() - 1);
		write_sysreg(cntp_ctl_el0, CTL_ENABLE);
		CHECK(ptimer_pending());
		if (how == 0) {
			write_sysreg(cntp_ctl_el0, 0);
		} else if (how == 1) {
			write_sysreg(cntp_ctl_el0, CTL_ENABLE | CTL_IMASK);
		} else {
			write_sysreg(cntp_tval_el0, freq());
		}
		CHECK(!ptimer_pending());
	}
	write_sysreg(cntp_ctl_el0, 0);
	irq_unmask();
	sleep_hz(SHORT_HZ);
	CHECK_EQ(st->ticks, start);
	printf("ptimer: disabling, masking or moving CVAL drops the pending "
	       "state\n");
}

/* Completed while still asserted: pending again (a level interrupt). */
static void check_level(struct timer_stats *st)
{
	const uint32_t rounds = 3;
	uint32_t start = st->ticks;

	st->mode = MODE_LEVEL;
	st->limit = start + rounds;
	write_sysreg(cntp_cval_el0, now());
	write_sysreg(cntp_ctl_el0, CTL_ENABLE);
	isb();
	CHECK(wait_for(&st->ticks, start + rounds));
	CHECK_EQ(st->ticks, start + rounds);
	CHECK_EQ(read_sysreg(cntp_ctl_el0), 0);
	printf("ptimer: an asserted level is taken again after each EOI\n");
}

/* @p n ticks every 1/@p hz s: never early, none lost, none extra. */
static void run_periodic(struct timer_stats *st, uint32_t hz, uint32_t n)
{
	uint64_t period = freq() / hz;
	uint32_t start = st->ticks;
	uint64_t t0 = now();

	st->mode = MODE_PERIODIC;
	st->period = period;
	st->limit = start + n;
	write_sysreg(cntp_cval_el0, t0 + period);
	write_sysreg(cntp_ctl_el0, CTL_ENABLE);
	isb();
	CHECK(wait_for(&st->ticks, start + n));
	uint64_t elapsed = now() - t0;

	CHECK_EQ(st->ticks, start + n);
	CHECK(elapsed >= n * period);
	CHECK(elapsed <= n * period + period + freq() / LATE_SLICES_HZ);
	/* It stopped itself: no more. */
	sleep_hz(PAUSE_HZ);
	CHECK_EQ(st->ticks, start + n);
	printf("ptimer: %u ticks at %u Hz in %llu us\n", n, hz,
	       (unsigned long long)(elapsed * 1000000 / freq()));
}

/* Its state survives the other VM's turns on the CPU. */
static void check_kept_across_switches(void)
{
	uint64_t cval = now() + freq() * TIMEOUT_SECONDS * 10;

	write_sysreg(cntp_cval_el0, cval);
	write_sysreg(cntp_ctl_el0, CTL_ENABLE | CTL_IMASK);
	for (int i = 0; i < 5; i++) {
		sleep_hz(PAUSE_HZ);
		CHECK_EQ(read_sysreg(cntp_cval_el0), cval);
		CHECK_EQ(read_sysreg(cntp_ctl_el0), CTL_ENABLE | CTL_IMASK);
	}
	write_sysreg(cntp_ctl_el0, 0);
	printf("ptimer: CTL and CVAL kept across vCPU switches\n");
}

/* A quiet spell: its own timer off, INTID 30 enabled, nothing arrives. */
static void check_quiet(struct timer_stats *st)
{
	uint32_t start = st->ticks;

	write_sysreg(cntp_ctl_el0, 0);
	sleep_hz(QUIET_HZ);
	CHECK_EQ(st->ticks, start);
}

#define SECONDARY_CHECK(cond)                                                  \
	do {                                                                   \
		if (!(cond)) {                                                 \
			secondary_failures++;                                  \
		}                                                              \
	} while (0)

/* vCPU 1 of VM one: each life starts here (PSCI CPU_ON). */
void smp_secondary_main(void)
{
	struct timer_stats *st = &stats[1];
	uint32_t life = secondary_lives + 1;

	/* A fresh (reset) timer, and nothing pending from the last life. */
	SECONDARY_CHECK(read_sysreg(cntp_ctl_el0) == 0);
	SECONDARY_CHECK(!ptimer_pending());
	*gicc(GICC_PMR) = PMR_ALL;
	*gicc(GICC_CTLR) = 1;
	gic_enable_irq(PTIMER_INTID);
	gic_enable_irq(VTIMER_INTID);
	secondary_lives = life;
	irq_unmask();
	if (life == 1) {
		uint64_t period = freq() / CPU1_HZ;

		st->mode = MODE_PERIODIC;
		st->period = period;
		st->limit = CPU1_TICKS;
		write_sysreg(cntp_cval_el0, now() + period);
		write_sysreg(cntp_ctl_el0, CTL_ENABLE);
		isb();
		SECONDARY_CHECK(wait_for(&st->ticks, CPU1_TICKS));
		/* Go off with the line high and the interrupt pending. */
		irq_mask();
		write_sysreg(cntp_cval_el0, now() - 1);
		write_sysreg(cntp_ctl_el0, CTL_ENABLE);
		SECONDARY_CHECK(ptimer_pending());
	} else {
		/* No stale interrupt; a new one still works. */
		sleep_hz(SHORT_HZ);
		SECONDARY_CHECK(st->ticks == 0);
		st->mode = MODE_MASK;
		write_sysreg(cntp_tval_el0, freq() / CPU1_HZ);
		write_sysreg(cntp_ctl_el0, CTL_ENABLE);
		isb();
		SECONDARY_CHECK(wait_for(&st->ticks, 1));
		irq_mask();
	}
	SECONDARY_CHECK(st->foreign == 0 && st->other == 0);
	secondary_done = life;
	hvc_call(PSCI_CPU_OFF, 0, 0, 0);
	secondary_failures += 1000; /* CPU_OFF returns only on failure. */
}

static void start_secondary(void)
{
	stats[1] = (struct timer_stats){0};
	CHECK_EQ(hvc_call(PSCI_CPU_ON, 1, (uint64_t)smp_secondary_entry,
			  (uint64_t)(secondary_stack + STACK_BYTES))
		     .a0,
		 0);
}

static bool wait_secondary_off(uint32_t life)
{
	uint64_t end = now() + TIMEOUT_SECONDS * freq();

	while ((secondary_done < life ||
		hvc_call(PSCI_AFFINITY_INFO, 1, 0, 0).a0 != AFF_OFF) &&
	       now() < end) {
		sleep_hz(SHORT_HZ);
	}
	return secondary_done >= life;
}

/* vCPU 1 runs its own timer, goes off with it firing, comes back reset;
 * vCPU 0's timer is neither disturbed nor hit meanwhile. */
static void check_cpu_off_on(struct timer_stats *st)
{
	uint64_t cval = now() + freq() * TIMEOUT_SECONDS * 10;
	uint32_t start = st->ticks;

	write_sysreg(cntp_cval_el0, cval);
	write_sysreg(cntp_ctl_el0, CTL_ENABLE | CTL_IMASK);
	for (uint32_t life = 1; life <= 2; life++) {
		start_secondary();
		CHECK(wait_secondary_off(life));
		CHECK_EQ(read_sysreg(cntp_cval_el0), cval);
		CHECK_EQ(read_sysreg(cntp_ctl_el0), CTL_ENABLE | CTL_IMASK);
	}
	CHECK_EQ(secondary_failures, 0);
	CHECK_EQ(st->ticks, start);
	write_sysreg(cntp_ctl_el0, 0);
	printf("ptimer: vcpu 1 had its own timer, and a reset one after "
	       "CPU_OFF/CPU_ON\n");
}

static void run_one(struct timer_stats *st)
{
	irq_mask();
	check_registers();
	check_interrupt(st);
	check_withdrawn(st);
	check_level(st);
	run_periodic(st, ONE_HZ, ONE_TICKS);
	check_kept_across_switches();
	check_cpu_off_on(st);
	check_quiet(st);
}

static void run_two(struct timer_stats *st)
{
	gic_enable_irq(PTIMER_INTID);
	check_quiet(st);
	run_periodic(st, TWO_HZ, TWO_TICKS);
	check_quiet(st);
}

void test_main(void)
{
	struct timer_stats *st = &stats[0];
	bool two =
	    hvc_call(PSCI_AFFINITY_INFO, 1, 0, 0).a0 == PSCI_INVALID_PARAMS;

	gic_set_handler(handler);
	gic_setup(PMR_ALL);
	gic_enable_irq(VTIMER_INTID);
	irq_unmask();
	if (two) {
		run_two(st);
	} else {
		run_one(st);
	}
	irq_mask();
	CHECK_EQ(st->foreign, 0);
	CHECK_EQ(st->other, 0);
	printf("ptimer: %u physical timer interrupts, none foreign\n",
	       st->ticks);
}
