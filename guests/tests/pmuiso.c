/**
 * System test (issue 12, item 2): two of these guests share one physical
 * CPU (configs/pmu_two, smp=1), one built with role 1 ("one") and one with
 * role 2 ("two"). Each expects its vCPU's reset values in the PMU and OS-lock
 * registers, writes values of its own (different for the two roles), then,
 * over many time slices of the other guest, checks that it keeps reading
 * exactly its own values: one VM's PMU or OS lock must never show in, nor
 * change, another's. Counting stays off (PMCR_EL0.E = 0) so the values
 * are stable. Last, guest one runs its cycle counter while guest two
 * spins: it must count only while guest one itself runs, not during guest
 * two's slices.
 */
#include <stdbool.h>
#include <stdint.h>

#include "guest/sysreg.h"
#include "guest/test.h"

/* Which of the two guests this image is (pmuiso_one.c / pmuiso_two.c). */
extern const uint32_t pmuiso_role;

/* PMCR_EL0 (D13.3.6): E bit 0, C bit 2 (reset the cycle counter), N
 * [15:11]; PMCNTENSET bit 31 = the cycle counter; PMEVTYPER event
 * 0x11 = CPU_CYCLES; PMUSERENR: EN 0, SW 1, CR 2, ER 3; PMCCFILTR and
 * PMEVTYPER: P 31, U 30; OSLSR_EL1.OSLK bit 1 (D13.3.22). */
#define PMCR_E (1ULL << 0)
#define PMCR_C (1ULL << 2)
#define PMCR_N(pmcr) (((pmcr) >> 11) & 0x1f)
#define CYCLE_COUNTER (1ULL << 31)
#define EVENT_CPU_CYCLES 0x11ULL
#define FILTER_P (1ULL << 31)
#define FILTER_U (1ULL << 30)
#define OSLSR_OSLK (1ULL << 1)

/* The OS lock is locked after a cold reset (D13.3.22). */
#define RESET_OSLK OSLSR_OSLK

#define CHECK_STEPS 30
#define STEP_MS 10
/* Guest two keeps the CPU busy this long after its checks, while guest
 * one measures its cycle counter. */
#define SPIN_MS 600
#define MEASURE_MS 200
#define NS_PER_S 1000000000ULL
#define MS_PER_S 1000ULL

/** The registers compared, one index each. */
enum pmu_reg {
	CCNTR, EVCNTR0, EVTYPER0, USERENR, INTENSET, CNTENSET, SELR, CCFILTR,
	OSLK, REG_COUNT
};

static const char *const reg_names[REG_COUNT] = {
	[CCNTR] = "PMCCNTR_EL0", [EVCNTR0] = "PMEVCNTR0_EL0",
	[EVTYPER0] = "PMEVTYPER0_EL0", [USERENR] = "PMUSERENR_EL0",
	[INTENSET] = "PMINTENSET_EL1", [CNTENSET] = "PMCNTENSET_EL0",
	[SELR] = "PMSELR_EL0", [CCFILTR] = "PMCCFILTR_EL0",
	[OSLK] = "OSLSR_EL1.OSLK",
};

/** One guest's values, all different between the two roles. */
struct pmu_values {
	uint64_t r[REG_COUNT];
};

static struct pmu_values own_values(void)
{
	uint64_t role = pmuiso_role;

	return (struct pmu_values){ .r = {
		[CCNTR] = 0x0123456700000000ULL | role,
		[EVCNTR0] = 0x5a000000ULL | role,
		[EVTYPER0] = EVENT_CPU_CYCLES | (role == 1 ? FILTER_P : FILTER_U),
		[USERENR] = role == 1 ? 0x1ULL : 0xcULL,
		[INTENSET] = role == 1 ? 0x1ULL : CYCLE_COUNTER,
		[CNTENSET] = role == 1 ? 0x2ULL : 0x4ULL,
		[SELR] = role,
		[CCFILTR] = role == 1 ? FILTER_P : FILTER_U,
		[OSLK] = role == 1 ? 0 : OSLSR_OSLK,
	} };
}

static struct pmu_values read_values(void)
{
	return (struct pmu_values){ .r = {
		[CCNTR] = read_sysreg(pmccntr_el0),
		[EVCNTR0] = read_sysreg(pmevcntr0_el0),
		[EVTYPER0] = read_sysreg(pmevtyper0_el0),
		[USERENR] = read_sysreg(pmuserenr_el0),
		[INTENSET] = read_sysreg(pmintenset_el1),
		[CNTENSET] = read_sysreg(pmcntenset_el0),
		[SELR] = read_sysreg(pmselr_el0),
		[CCFILTR] = read_sysreg(pmccfiltr_el0),
		[OSLK] = read_sysreg(oslsr_el1) & OSLSR_OSLK,
	} };
}

static void write_values(const struct pmu_values *v)
{
	write_sysreg(pmccntr_el0, v->r[CCNTR]);
	write_sysreg(pmevtyper0_el0, v->r[EVTYPER0]);
	write_sysreg(pmevcntr0_el0, v->r[EVCNTR0]);
	write_sysreg(pmuserenr_el0, v->r[USERENR]);
	write_sysreg(pmintenset_el1, v->r[INTENSET]);
	write_sysreg(pmcntenset_el0, v->r[CNTENSET]);
	write_sysreg(pmselr_el0, v->r[SELR]);
	write_sysreg(pmccfiltr_el0, v->r[CCFILTR]);
	/* OSLAR_EL1.OSLK is bit 0 (D13.3.21). */
	write_sysreg(oslar_el1, v->r[OSLK] ? 1 : 0);
	isb();
}

/* Number of differing registers; prints them if @p print. */
static unsigned compare(const char *when, const struct pmu_values *want,
			bool print)
{
	struct pmu_values got = read_values();
	unsigned bad = 0;

	for (unsigned i = 0; i < REG_COUNT; i++) {
		if (got.r[i] != want->r[i]) {
			bad++;
			if (print) {
				printf("pmuiso %s: %s = 0x%llx, expected 0x%llx\n",
				       when, reg_names[i],
				       (unsigned long long)got.r[i],
				       (unsigned long long)want->r[i]);
			}
		}
	}
	return bad;
}

static void wait_ms(uint64_t ms)
{
	uint64_t until = read_sysreg(cntvct_el0) +
			 read_sysreg(cntfrq_el0) * ms / MS_PER_S;

	while (read_sysreg(cntvct_el0) < until) {
	}
}

/* Guest one: its cycle counter must not run during guest two's slices. */
static void measure_own_cycles(void)
{
	uint64_t freq = read_sysreg(cntfrq_el0);

	write_sysreg(pmccfiltr_el0, 0);  /* count EL1 and EL0 */
	write_sysreg(pmcr_el0, PMCR_E | PMCR_C);
	write_sysreg(pmcntenset_el0, CYCLE_COUNTER);
	isb();
	uint64_t t0 = read_sysreg(cntvct_el0);
	uint64_t c0 = read_sysreg(pmccntr_el0);

	wait_ms(MEASURE_MS);
	uint64_t c1 = read_sysreg(pmccntr_el0);
	uint64_t t1 = read_sysreg(cntvct_el0);
	/* The cycle counter runs at 1 GHz of virtual time under QEMU. */
	uint64_t elapsed_ns = (t1 - t0) * (NS_PER_S / freq);
	uint64_t counted = c1 - c0;

	write_sysreg(pmcntenclr_el0, CYCLE_COUNTER);
	write_sysreg(pmcr_el0, 0);
	printf("pmuiso: cycle counter %llu of %llu ns\n",
	       (unsigned long long)counted, (unsigned long long)elapsed_ns);
	/* Guest two spins all along: guest one runs about half the time. */
	CHECK(counted < elapsed_ns * 3 / 4);
}

void test_main(void)
{
	const struct pmu_values reset = { .r = { [OSLK] = RESET_OSLK } };
	struct pmu_values own = own_values();
	unsigned bad_steps = 0;

	printf("pmuiso: role %u, PMCR_EL0.N %llu\n", pmuiso_role,
	       (unsigned long long)PMCR_N(read_sysreg(pmcr_el0)));
	CHECK(PMCR_N(read_sysreg(pmcr_el0)) >= 1);
	CHECK(compare("at reset", &reset, true) == 0);
	write_values(&own);
	CHECK(compare("just written", &own, true) == 0);
	for (unsigned step = 0; step < CHECK_STEPS; step++) {
		wait_ms(STEP_MS);
		if (compare("after other guest ran", &own, bad_steps == 0) != 0) {
			bad_steps++;
		}
	}
	CHECK_EQ(bad_steps, 0);
	if (pmuiso_role == 1) {
		measure_own_cycles();
	} else {
		wait_ms(SPIN_MS);
	}
}
