/**
 * Switching the Performance Monitors (PMUv3, Arm ARM D11, registers in
 * D13.3) between guest vCPUs that share a CPU. MDCR_EL2 leaves the PMU to
 * the guests (TPM and TPMCR clear, HPMN = PMCR_EL0.N: every counter
 * belongs to EL1, D13.2.96), as the benchmarks need: a guest's cycle
 * counter also counts the kernel and the services working for it
 * (shared/MEASURE.md). So each vCPU's counters, their configuration and
 * their enables follow the vCPU: one guest can neither read nor change
 * another's, and a guest's counters stop while another guest runs.
 * A service running on top of the loaded guest does not switch them (its
 * accesses trap, MDCR_EL2 of the service: see vcpu_arch.c).
 */
#include "arch/vcpu_arch.h"

/* Event counters implemented: PMCR_EL0.N (D13.3.6); at most 31. */
static uint32_t counters(void)
{
	return (uint32_t)((read_sysreg(pmcr_el0) >> PMCR_EL0_N_SHIFT) &
			  PMCR_EL0_N_MASK);
}

/* One case per event counter; falls through to the lower numbers. */
#define SAVE_EV(n)                                                        \
	case (n) + 1:                                                     \
		p->evcntr[n] = read_sysreg(pmevcntr##n##_el0);            \
		p->evtyper[n] = read_sysreg(pmevtyper##n##_el0);          \
		__attribute__((fallthrough));
#define LOAD_EV(n)                                                        \
	case (n) + 1:                                                     \
		write_sysreg(pmevtyper##n##_el0, p->evtyper[n]);          \
		write_sysreg(pmevcntr##n##_el0, p->evcntr[n]);            \
		__attribute__((fallthrough));
#define ALL_COUNTERS(X)                                                   \
	X(30) X(29) X(28) X(27) X(26) X(25) X(24) X(23) X(22) X(21)       \
	X(20) X(19) X(18) X(17) X(16) X(15) X(14) X(13) X(12) X(11)       \
	X(10) X(9) X(8) X(7) X(6) X(5) X(4) X(3) X(2) X(1) X(0)

void arch_pmu_save(struct arch_pmu *p)
{
	/* Stop every counter first: what the kernel does from here on is
	 * counted for nobody. */
	p->cntenset = read_sysreg(pmcntenset_el0);
	write_sysreg(pmcntenclr_el0, PMU_ALL_COUNTERS);
	isb();
	/* P and C are write-only actions (they read as 0). */
	p->pmcr = read_sysreg(pmcr_el0) & ~(PMCR_EL0_P | PMCR_EL0_C);
	p->intenset = read_sysreg(pmintenset_el1);
	p->ovsset = read_sysreg(pmovsset_el0);
	p->selr = read_sysreg(pmselr_el0);
	p->userenr = read_sysreg(pmuserenr_el0);
	p->ccfiltr = read_sysreg(pmccfiltr_el0);
	p->ccntr = read_sysreg(pmccntr_el0);
	switch (counters()) {
	ALL_COUNTERS(SAVE_EV)
	default:
		break;
	}
}

void arch_pmu_load(const struct arch_pmu *p)
{
	/* Nothing counts until this vCPU's enables are back. */
	write_sysreg(pmcntenclr_el0, PMU_ALL_COUNTERS);
	switch (counters()) {
	ALL_COUNTERS(LOAD_EV)
	default:
		break;
	}
	write_sysreg(pmccfiltr_el0, p->ccfiltr);
	write_sysreg(pmccntr_el0, p->ccntr);
	write_sysreg(pmselr_el0, p->selr);
	write_sysreg(pmuserenr_el0, p->userenr);
	/* The SET/CLR pairs hold one state each: clear all, set the saved. */
	write_sysreg(pmintenclr_el1, PMU_ALL_COUNTERS);
	write_sysreg(pmintenset_el1, p->intenset);
	write_sysreg(pmovsclr_el0, PMU_ALL_COUNTERS);
	write_sysreg(pmovsset_el0, p->ovsset);
	write_sysreg(pmcr_el0, p->pmcr);
	write_sysreg(pmcntenset_el0, p->cntenset);
}
