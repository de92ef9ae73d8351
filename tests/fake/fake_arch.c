/**
 * Host fake of the arch contract (hyp/arch.h) and of the system registers
 * that arch units linked into host tests read (tests/fake/arch/sysreg.h):
 * every register is a variable fake_sysreg_<name> the test sets and reads.
 * The counter is fake_sysreg_cntpct_el0 and only moves when the test (or a
 * sleep) moves it: host tests run on virtual time.
 */
#include "fake_arch.h"

#include <stdio.h>
#include <stdlib.h>

#include "hyp/arch.h"
#include "hyp/vcpu.h"

uint64_t fake_sysreg_cntfrq_el0, fake_sysreg_cntpct_el0;
uint64_t fake_sysreg_far_el2, fake_sysreg_sctlr_el1;
uint64_t fake_sysreg_par_el1, fake_sysreg_sp_el1, fake_sysreg_sp_el0;
uint64_t fake_sysreg_tpidr_el2, fake_sysreg_cnthp_ctl_el2;
uint64_t fake_sysreg_cnthp_cval_el2, fake_sysreg_mpidr_el1;
uint64_t fake_at_va;
unsigned fake_at_count;
unsigned fake_relax_count, fake_barrier_count, fake_sleep_count;
uint64_t fake_counter_step;
void (*fake_sleep_hook)(uint64_t deadline);
unsigned fake_spin_contended, fake_nap_count;
unsigned fake_wfi_watch_writes;
uint32_t fake_nap_us;
uint32_t fake_vgic_hcr;
unsigned fake_loud_naps;

void fake_arch_reset(void)
{
	fake_sysreg_cntfrq_el0 = FAKE_COUNTER_HZ;
	fake_sysreg_cntpct_el0 = 0;
	fake_sysreg_cnthp_ctl_el2 = 0;
	fake_sysreg_cnthp_cval_el2 = 0;
	fake_sysreg_mpidr_el1 = 0;
	fake_relax_count = 0;
	fake_barrier_count = 0;
	fake_sleep_count = 0;
	fake_counter_step = 0;
	fake_sleep_hook = NULL;
	fake_spin_contended = 0;
	fake_nap_count = 0;
	fake_nap_us = 0;
	fake_wfi_watch_writes = 0;
	fake_vgic_hcr = 0;
	fake_loud_naps = 0;
}

uint32_t arch_vgic_quiet(void)
{
	uint32_t hcr = fake_vgic_hcr;

	fake_vgic_hcr = 0;
	return hcr;
}

void arch_vgic_unquiet(uint32_t saved)
{
	fake_vgic_hcr = saved;
}

void arch_vcpu_watch_wfi(struct vcpu *vcpu, bool watch, bool live)
{
	vcpu->wfi_watch = watch;
	fake_wfi_watch_writes += live ? 1U : 0U;
}

void arch_nap(uint32_t us)
{
	fake_nap_count++;
	fake_nap_us = us;
	fake_loud_naps += fake_vgic_hcr != 0 ? 1U : 0U;
	/* The counter moves on by the nap; the slice timer is untouched. */
	fake_sysreg_cntpct_el0 += fake_sysreg_cntfrq_el0 * us / 1000000U;
}

uint64_t arch_counter_now(void)
{
	uint64_t now = fake_sysreg_cntpct_el0;

	fake_sysreg_cntpct_el0 += fake_counter_step;
	return now;
}

uint64_t arch_counter_freq(void)
{
	return fake_sysreg_cntfrq_el0;
}

void arch_slice_arm_at(uint64_t when)
{
	if (when == UINT64_MAX) {
		arch_slice_disarm();
		return;
	}
	fake_sysreg_cnthp_cval_el2 = when;
	fake_sysreg_cnthp_ctl_el2 = CNT_CTL_ENABLE;
}

void arch_slice_disarm(void)
{
	fake_sysreg_cnthp_ctl_el2 = 0;
}

void arch_sleep_until(uint64_t deadline)
{
	fake_sleep_count++;
	if (fake_sleep_hook != NULL) {
		fake_sleep_hook(deadline);
		return;
	}
	/* Nothing else runs on the host: the next event is the deadline,
	 * and without one nothing would ever wake this CPU. */
	if (deadline == UINT64_MAX || fake_sleep_count > FAKE_SLEEP_MAX) {
		fprintf(stderr, "fake arch: CPU sleeps for ever (sleep %u, "
			"deadline 0x%llx)\n", fake_sleep_count,
			(unsigned long long)deadline);
		abort();
	}
	if (deadline > fake_sysreg_cntpct_el0) {
		fake_sysreg_cntpct_el0 = deadline;
	}
}

uint64_t arch_cpu_mpidr(void)
{
	return fake_sysreg_mpidr_el1 & MPIDR_AFF_MASK;
}
