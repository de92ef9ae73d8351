#pragma once
/**
 * Physical interrupts. The kernel owns the GIC: its own EL2 timer, the
 * GIC maintenance interrupt, the EL1 physical timer (the loaded vCPU's
 * emulated physical timer, hyp/vptimer.h), the virtual timer (injected into the loaded
 * guest as virtual PPI 27 with a hardware LR linking the physical one, so the
 * guest's EOI deactivates it), and SPIs a scenario gives to a service
 * partition: those are masked and sent to the service as a notification
 * until the service acknowledges them (HYP_IRQ_ACK).
 */
#include <stdbool.h>
#include <stdint.h>

struct vm;
struct cfg_scenario;

/** Enable the SPIs the scenario assigns to partitions. */
void irq_init(const struct cfg_scenario *sc);

/** Acknowledge and handle every pending physical interrupt. */
void irq_handle_pending(void);

/** Unmask every physical interrupt @p vm owns (a restarted service). */
void irq_unmask_owned(const struct vm *vm);

/** HYP_IRQ_ACK: @p vm handled its physical @p intid; unmask it. */
bool irq_ack_owned(const struct vm *vm, uint32_t intid);
