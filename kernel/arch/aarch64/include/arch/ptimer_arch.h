#pragma once
/**
 * The architecture side of the guests' EL1 physical timer (hyp/vptimer.h):
 * which trapped system register is a CNTP_* register, and the hardware
 * EL1 physical timer (CNTP) used by EL2 as the loaded vCPU's alarm.
 *
 * EL1 cannot reach CNTP (CNTHCTL_EL2.EL1PCEN = 0 traps its accesses, EC
 * 0x18), so EL2 owns the comparator: while a vCPU is loaded, CNTP holds its
 * deadline and its PPI (INTID 30) is a kernel interrupt.
 */

#include "arch/esr.h"
#include "hyp/ptimer.h"

/**
 * True if the trapped MRS/MSR @p s names CNTP_CTL_EL0, CNTP_CVAL_EL0 or
 * CNTP_TVAL_EL0; *@p reg tells which.
 */
bool arch_ptimer_reg(const struct esr_sysreg *s, enum ptimer_reg *reg);

/**
 * Program the hardware CNTP to fire at @p t's deadline, or stop it if it
 * has none (PTIMER_NO_DEADLINE).
 */
void arch_ptimer_arm(const struct ptimer *t);

/** Stop the hardware CNTP (its interrupt line drops). */
void arch_ptimer_disarm(void);
