/** The EL1 physical timer model (see hyp/ptimer.h). */
#include "hyp/ptimer.h"

#include "arch/sysreg_bits.h"

/* CNTP_CTL_EL0 bits a write keeps: ENABLE [0] and IMASK [1]. ISTATUS [2]
 * is read-only and bits [63:3] are RES0 (D13.8.x CNTP_CTL_EL0). */
#define PTIMER_CTL_WRITABLE (CNT_CTL_ENABLE | CNT_CTL_IMASK)
/* CNTP_TVAL_EL0.TimerValue is bits [31:0], a signed 32-bit value; bits
 * [63:32] are RES0 (D13.8.x CNTP_TVAL_EL0). */
#define PTIMER_TVAL_MASK 0xffffffffULL

bool ptimer_condition_met(const struct ptimer *t, uint64_t now)
{
	return (t->ctl & CNT_CTL_ENABLE) != 0 && now >= t->cval;
}

bool ptimer_irq_level(const struct ptimer *t, uint64_t now)
{
	return ptimer_condition_met(t, now) && (t->ctl & CNT_CTL_IMASK) == 0;
}

uint64_t ptimer_read(const struct ptimer *t, enum ptimer_reg reg, uint64_t now)
{
	switch (reg) {
	case PTIMER_REG_CTL:
		/* ISTATUS is UNKNOWN while ENABLE = 0; this model reads 0. */
		return t->ctl |
		       (ptimer_condition_met(t, now) ? CNT_CTL_ISTATUS : 0);
	case PTIMER_REG_CVAL:
		return t->cval;
	case PTIMER_REG_TVAL:
		/* TimerValue = (CompareValue - Counter)[31:0] (D11.2.4). */
		return (t->cval - now) & PTIMER_TVAL_MASK;
	}
	return 0;
}

void ptimer_write(struct ptimer *t, enum ptimer_reg reg, uint64_t value,
		  uint64_t now)
{
	switch (reg) {
	case PTIMER_REG_CTL:
		t->ctl = (uint32_t)(value & PTIMER_CTL_WRITABLE);
		break;
	case PTIMER_REG_CVAL:
		t->cval = value;
		break;
	case PTIMER_REG_TVAL:
		/* CompareValue = Counter + SignExtend(TimerValue) (D11.2.4):
		 * bits [31:0] of @p value as a signed offset. */
		t->cval = now + (uint64_t)(int64_t)(int32_t)(uint32_t)value;
		break;
	}
}

uint64_t ptimer_deadline(const struct ptimer *t)
{
	if ((t->ctl & PTIMER_CTL_WRITABLE) != CNT_CTL_ENABLE || t->asserted) {
		return PTIMER_NO_DEADLINE;
	}
	return t->cval;
}
