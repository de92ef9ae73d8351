/**
 * AArch64 functions of the arch contract (hyp/arch.h) that have no other
 * home: the counter frequency, the slice timer's disarm, this CPU's MPIDR.
 * The counter itself and the slice timer's arming are in vcpu_arch.c.
 */
#include "hyp/arch.h"

uint64_t arch_counter_freq(void)
{
	/* CNTFRQ_EL0 (Arm ARM D13.8.1): set by firmware, fixed after. */
	return read_sysreg(cntfrq_el0);
}

void arch_slice_disarm(void)
{
	/* CNTHP_CTL_EL2.ENABLE = 0 (D13.8.7): no further interrupt. */
	write_sysreg(cnthp_ctl_el2, 0);
}

uint64_t arch_cpu_mpidr(void)
{
	return read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
}
