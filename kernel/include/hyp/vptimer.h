#pragma once
/**
 * Each guest vCPU's EL1 physical timer (CNTP_CTL/CVAL/TVAL_EL0), emulated
 * by the kernel with its interrupt on virtual PPI 14 (INTID 30), as the
 * guest device trees advertise it.
 *
 * The registers live in struct vcpu (struct ptimer, hyp/ptimer.h); every
 * guest access traps (CNTHCTL_EL2.EL1PCEN = 0). The interrupt is a level:
 * high while ENABLE = 1, IMASK = 0 and CNTPCT >= CVAL. It is a software
 * interrupt (no hardware LR link), so the kernel follows the level:
 * - a register write re-evaluates it: rising, INTID 30 is made pending
 *   (vgic_inject); falling, a pending state not yet taken is withdrawn
 *   (vgic_clear_pending);
 * - the deadline (CVAL) of the loaded vCPU is armed on the hardware EL1
 *   physical timer, which EL2 owns (arch/ptimer_arch.h); its PPI raises
 *   the line. A vCPU in WFI that is not loaded wakes at the same deadline
 *   (vcpu_wake_deadline) and, once loaded, finds CNTP already due;
 * - the guest's completion of INTID 30 (an EOI maintenance interrupt: its
 *   LR asks for EOI maintenance) makes it pending again while the line is
 *   still high, as a level interrupt is (IHI 0048B 1.4.2).
 * Services have no physical timer: their accesses stay faults.
 */

#include "arch/esr.h"

struct vcpu;

/**
 * A trapped MRS/MSR of guest vCPU @p v (loaded on this CPU): performs it
 * if it names a CNTP_* register (the caller skips the instruction) and
 * returns true; false if it is another register.
 */
bool vptimer_access(struct vcpu *v, const struct esr_sysreg *s);

/**
 * The level of @p v's timer interrupt now (ENABLE, !IMASK, CNTPCT >= CVAL),
 * whether or not @p v is loaded: GICD_ISPENDR reads INTID 30 pending while
 * it is high, even when disabled in the distributor (IHI 0048B 1.4.2).
 */
bool vptimer_line(const struct vcpu *v);

/** The physical CNTP PPI fired: raise the loaded vCPU's line. */
void vptimer_fired(void);

/**
 * An EOI maintenance interrupt for the loaded vCPU @p v: if its timer's
 * line is still high, INTID 30 is pending again.
 */
void vptimer_resample(struct vcpu *v);

/**
 * Architectural reset (PSCI CPU_ON, SYSTEM_RESET): CTL = 0 (ENABLE and
 * IMASK are UNKNOWN on a warm reset; 0 is chosen), CVAL = 0, line low and
 * any pending state it left withdrawn.
 */
void vptimer_reset(struct vcpu *v);
