/** The hardware side of the guests' EL1 physical timer (arch/ptimer_arch.h). */
#include "arch/ptimer_arch.h"

#include "arch/sysreg.h"

/*
 * System register encodings (op0, op1, CRn, CRm, op2) as ESR_EL2 reports
 * a trapped MRS/MSR (EC 0x18, D13.2.37): CNTP_TVAL_EL0 S3_3_C14_C2_0,
 * CNTP_CTL_EL0 S3_3_C14_C2_1, CNTP_CVAL_EL0 S3_3_C14_C2_2 (D13.8).
 */
#define CNTP_OP0      3
#define CNTP_OP1      3
#define CNTP_CRN      14
#define CNTP_CRM      2
#define CNTP_OP2_TVAL 0
#define CNTP_OP2_CTL  1
#define CNTP_OP2_CVAL 2

bool arch_ptimer_reg(const struct esr_sysreg *s, enum ptimer_reg *reg)
{
	static const enum ptimer_reg by_op2[] = {
		[CNTP_OP2_TVAL] = PTIMER_REG_TVAL,
		[CNTP_OP2_CTL] = PTIMER_REG_CTL,
		[CNTP_OP2_CVAL] = PTIMER_REG_CVAL,
	};

	if (s->op0 != CNTP_OP0 || s->op1 != CNTP_OP1 || s->crn != CNTP_CRN ||
	    s->crm != CNTP_CRM || s->op2 > CNTP_OP2_CVAL) {
		return false;
	}
	*reg = by_op2[s->op2];
	return true;
}

void arch_ptimer_arm(const struct ptimer *t)
{
	uint64_t deadline = ptimer_deadline(t);

	if (deadline == PTIMER_NO_DEADLINE) {
		write_sysreg(cntp_ctl_el0, 0);
		return;
	}
	/* ENABLE with IMASK clear: the PPI is asserted from CVAL on. */
	write_sysreg(cntp_cval_el0, deadline);
	write_sysreg(cntp_ctl_el0, CNT_CTL_ENABLE);
}

void arch_ptimer_disarm(void)
{
	write_sysreg(cntp_ctl_el0, 0);
}
