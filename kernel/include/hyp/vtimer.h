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
 * Watching a WFI. A guest vCPU alone on its CPU waits in WFI in hardware
 * (vcpu_arch.c), woken only by an interrupt that reaches the CPU. Two
 * cases need the kernel's trapped WFI instead, and for them its WFI traps
 * (vcpu->wfi_watch) from the timer interrupt on until a trapped WFI that
 * blocks finds neither left: the timer's interrupt masked because its
 * guest does not take it (the kernel's WFI still wakes at the timer's
 * deadline: bare-metal guests sleep without a GIC driver), and the QEMU
 * GIC model's unsignalled PPI after the guest completes the linked
 * interrupt (vtimer_wfi_resample). A reset vCPU starts watched.
 *
 * The register switch and the hardware-link bookkeeping of a switched-out
 * vCPU (vcpu->vtimer_phys_active) are arch-side, in vcpu_arch.c
 * (arch_vcpu_save/load/discard, arch_vtimer_asserted, arch_vcpu_timer_sync).
 * The EL1 physical timer is a separate mechanism: hyp/vptimer.h.
 */
#include <stdbool.h>
#include <stdint.h>

#include "hyp/cpu.h"

struct vcpu;

/** The physical virtual-timer PPI fired on this CPU: inject it into the
 * loaded guest, or mask it if nobody takes it. */
void vtimer_fired(void);

/** Unmask this CPU's physical vtimer PPI if a guest left it masked. */
void vtimer_unmask(void);

/** vtimer_prepare_entry()'s work, with the PPI masked on this CPU. */
void vtimer_prepare_masked(const struct vcpu *v);

/** Before entering @p v (its LRs being refilled): unmask the PPI if it is
 * masked and @p v's guest has its timer interrupt enabled. Inline: on
 * every delivery, and the PPI is rarely masked. */
static inline void vtimer_prepare_entry(const struct vcpu *v)
{
	if (__builtin_expect(cpu_this()->vtimer_masked, 0)) {
		vtimer_prepare_masked(v);
	}
}

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

/**
 * @p v, loaded here, blocks in a trapped WFI with no virtual interrupt
 * pending (its LR shadow fresh): stop trapping its WFI if its timer's
 * interrupt is neither masked nor in its LRs.
 */
void vtimer_wfi_blocks(struct vcpu *v);

/** Physical counter value at which @p v's virtual timer fires, or
 * VCPU_NO_DEADLINE. */
uint64_t vtimer_deadline(const struct vcpu *v);
