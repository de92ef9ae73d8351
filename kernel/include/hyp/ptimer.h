#pragma once
/**
 * The EL1 physical timer of a vCPU as a pure model: its three registers
 * CNTP_CTL_EL0, CNTP_CVAL_EL0 and CNTP_TVAL_EL0 against a counter value
 * given by the caller (Arm ARM D11.2 "The Generic Timer in AArch64 state",
 * D11.2.4 for the timer condition; D13.8 for the register layouts). The
 * guest's physical counter is CNTPCT_EL0 itself: v8.0 has no physical
 * offset (CNTPOFF_EL2 is FEAT_ECV). No side effects here: the kernel glue
 * (hyp/vptimer.h) turns the interrupt condition into a virtual interrupt.
 * Host-tested in tests/host/test_ptimer.c.
 */
#include <stdbool.h>
#include <stdint.h>

/** No deadline: the timer cannot fire without a register write first. */
#define PTIMER_NO_DEADLINE UINT64_MAX

/** The three registers a trapped MRS/MSR may name. */
enum ptimer_reg {
	PTIMER_REG_CTL,	 /**< CNTP_CTL_EL0. */
	PTIMER_REG_CVAL, /**< CNTP_CVAL_EL0. */
	PTIMER_REG_TVAL, /**< CNTP_TVAL_EL0. */
};

/** State of one vCPU's EL1 physical timer. */
struct ptimer {
	uint64_t cval; /**< CNTP_CVAL_EL0.CompareValue. */
	uint32_t ctl;  /**< CNTP_CTL_EL0.ENABLE and IMASK only: ISTATUS
			is computed on every read. */
	bool asserted; /**< Its interrupt line is high: the condition was
			seen met and no register write has lowered it
			since (the counter only moves forward). */
};

/**
 * TimerConditionMet (D11.2.4): enabled and CNTPCT >= CVAL, as unsigned
 * 64-bit values.
 */
bool ptimer_condition_met(const struct ptimer *t, uint64_t now);

/** The interrupt condition: met and not masked (CNTP_CTL_EL0.IMASK = 0). */
bool ptimer_irq_level(const struct ptimer *t, uint64_t now);

/** MRS of @p reg at counter value @p now. */
uint64_t ptimer_read(const struct ptimer *t, enum ptimer_reg reg, uint64_t now);

/** MSR of @p value to @p reg at counter value @p now. */
void ptimer_write(struct ptimer *t, enum ptimer_reg reg, uint64_t value,
		  uint64_t now);

/**
 * When the interrupt line rises next without a register write: CVAL while
 * the timer is enabled, unmasked and its line is still low; otherwise
 * PTIMER_NO_DEADLINE.
 */
uint64_t ptimer_deadline(const struct ptimer *t);
