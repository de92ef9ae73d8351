#pragma once
/**
 * Each guest vCPU's virtual timer (CNTV_*_EL0), which the guest drives
 * directly in hardware: the kernel only routes its interrupt. The physical
 * PPI 27 of the loaded vCPU is injected as virtual PPI 27 in a hardware LR
 * linking the two, so the guest's EOI deactivates it (IHI 0048B 5.3.4).
 * When nobody can take it, the PPI is masked on that CPU (cpu->vtimer_masked)
 * until a guest that enables it is loaded. A vCPU blocked in WFI wakes at
 * its timer's deadline (vtimer_deadline, sched.c).
 *
 * The register switch and the hardware-link bookkeeping of a switched-out
 * vCPU (vcpu->vtimer_phys_active) are arch-side, in vcpu_arch.c
 * (arch_vcpu_save/load/discard, arch_vtimer_asserted, arch_vcpu_timer_sync).
 * The EL1 physical timer is a separate mechanism: hyp/vptimer.h.
 */
#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/** The physical virtual-timer PPI fired on this CPU: inject it into the
 * loaded guest, or mask it if nobody takes it. */
void vtimer_fired(void);

/** Unmask this CPU's physical vtimer PPI if a guest left it masked. */
void vtimer_unmask(void);

/** Before entering @p v (its LRs being refilled): unmask the PPI if it is
 * masked and @p v's guest has its timer interrupt enabled. */
void vtimer_prepare_entry(const struct vcpu *v);

/** @p v's guest enabled its timer interrupt in its distributor: its CPU
 * unmasks the physical PPI on its next entry. */
void vtimer_enabled(struct vcpu *v);

/**
 * Does @p v's virtual timer assert its interrupt now? Read live if @p v is
 * loaded here with no service on top, else from its saved context.
 */
bool vtimer_line(const struct vcpu *v);

/**
 * @p v, loaded here, traps a WFI with no virtual interrupt pending: if its
 * virtual timer asserts its interrupt, make sure the physical PPI reaches
 * this CPU. True if it is now pending here (the WFI completes and the
 * interrupt is taken as soon as @p v runs).
 */
bool vtimer_wfi_resample(const struct vcpu *v);

/** Physical counter value at which @p v's virtual timer fires, or
 * VCPU_NO_DEADLINE. */
uint64_t vtimer_deadline(const struct vcpu *v);
