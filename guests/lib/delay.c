/** Waiting on the virtual counter (see guest/delay.h). */
#include "guest/delay.h"

#include "guest/sysreg.h"

#define MS_PER_S 1000U
/* CNTV_CTL_EL0.ENABLE (Arm ARM D11.2.4); IMASK clear: the timer's
 * condition reaches the GIC, which WFI waits for. */
#define CNTV_CTL_ENABLE 1ULL

uint64_t guest_now(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

uint64_t guest_ms_ahead(uint64_t ms)
{
	return guest_now() + read_sysreg(cntfrq_el0) * ms / MS_PER_S;
}

void guest_spin_until(uint64_t t)
{
	while (guest_now() < t) {
	}
}

void guest_idle_until(uint64_t t)
{
	write_sysreg(cntv_cval_el0, t);
	write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE);
	isb();
	while (guest_now() < t) {
		__asm__ volatile("wfi");
	}
	write_sysreg(cntv_ctl_el0, 0);
	isb();
}

void guest_idle_ms(uint64_t ms)
{
	guest_idle_until(guest_ms_ahead(ms));
}
