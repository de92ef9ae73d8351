#pragma once
/**
 * Physical interrupts. The kernel owns the GIC: its own EL2 timer, the
 * GIC maintenance interrupt, the EL1 physical timer (the loaded vCPU's
 * emulated physical timer, hyp/vptimer.h), the virtual timer (injected into the loaded
 * guest as virtual PPI 27 with a hardware LR linking the physical one, so the
 * guest's EOI deactivates it), and SPIs a scenario gives to a partition:
 * a service's are masked and sent to it as a notification until it
 * acknowledges them (HYP_IRQ_ACK); a guest's are passed through, injected
 * hardware-linked through its virtual distributor (vgic_passthru_fired).
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

/**
 * @p vm stops or resets: mask and deactivate every physical interrupt it
 * owns (a passed-through SPI may be active in a list register that will
 * never be completed). A restarting service unmasks them again.
 */
void irq_release_owned(const struct vm *vm);

/** HYP_IRQ_ACK: @p vm handled its physical @p intid; unmask it. */
bool irq_ack_owned(const struct vm *vm, uint32_t intid);

/** Send the services' own interrupts to the CPUs in @p cpu_mask. */
void irq_route_owned(uint32_t cpu_mask);
