/** One-time EL2 configuration of the boot CPU. */
#include "arch/el2.h"

#include "arch/sysreg.h"
#include "hyp/panic.h"
#include "hyp/s2.h"

void arch_el2_init(void)
{
	uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & ID_AA64MMFR0_PARANGE_MASK;

	if (parange < ID_AA64MMFR0_PARANGE_40) {
		panic("CPU supports fewer than 40 physical address bits "
		      "(ID_AA64MMFR0_EL1.PARange %lu); Stage 2 needs 40",
		      parange);
	}
	write_sysreg(vtcr_el2, s2_vtcr());
	/* Guests use the PMU directly (no TPM/TPMCR traps) and EL2 is counted
	 * (HPMD clear), as the benchmarks require (shared/MEASURE.md); each
	 * vCPU's PMU is switched with it (pmu.c) and services trap on it
	 * (their MDCR_EL2, vcpu_arch.c). */
	uint64_t pmcr_n = (read_sysreg(pmcr_el0) >> PMCR_EL0_N_SHIFT) & PMCR_EL0_N_MASK;

	write_sysreg(mdcr_el2, pmcr_n & MDCR_EL2_HPMN_MASK);
	write_sysreg(cptr_el2, CPTR_EL2_RES1);
	/* EL1 may read the physical counter; its accesses to the EL1
	 * physical timer trap (EL1PCEN = 0) and are emulated per vCPU
	 * (hyp/vptimer.h): EL2 owns the hardware CNTP as an alarm. */
	write_sysreg(cnthctl_el2, CNTHCTL_EL2_EL1PCTEN);
	write_sysreg(cnthp_ctl_el2, 0);
	write_sysreg(cntp_ctl_el0, 0);
	write_sysreg(cntvoff_el2, 0);
	write_sysreg(hcr_el2, HCR_EL2_RW);
	isb();
}
