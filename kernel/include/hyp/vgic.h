#pragma once
/**
 * The kernel half of the virtual GIC: each VM's distributor configuration
 * (kept up to date by its vgic service, which models the GICD registers),
 * and injection of virtual interrupts into vCPU list registers. The kernel
 * injects the virtual timer, SGIs and device interrupts without asking the
 * service.
 */

#include "hyp/config.h"
#include "hyp/vgic_lr.h"

struct vm;
struct vcpu;

/** Distributor configuration of one interrupt. */
struct vgic_irq_cfg {
	bool enabled;
	bool group1;
	bool edge;
	bool latched;     /**< Became pending while disabled. */
	uint8_t priority;
	uint8_t targets;  /**< SPIs: vCPU mask. */
};

/** One VM's distributor state as the kernel needs it. */
struct vgic_dist {
	uint32_t ctlr;                                /**< Group enables. */
	/** SPIs whose line a service holds asserted (HYP_IRQ_LEVEL). */
	uint64_t spi_level[VGIC_INTID_WORDS];
	/** Physical SPIs passed through to the VM (cfg_vm.irqs of a guest),
	 * each its virtual SPI of the same INTID, hardware-linked. */
	uint64_t spi_hw[VGIC_INTID_WORDS];
	/** Passed-through SPIs acknowledged while their vCPU's queue was
	 * full: still active, offered again at its next entry. */
	uint64_t spi_owed[VGIC_INTID_WORDS];
	struct vgic_irq_cfg priv[CFG_MAX_VCPUS][32];  /**< SGIs and PPIs. */
	struct vgic_irq_cfg spi[VGIC_INTIDS];        /**< Index = INTID. */
};

/** Reset state, matching the distributor model's reset; the SPI lines
 * services hold asserted (device state) and the passed-through SPIs
 * (configuration) are kept. */
void vgic_dist_init(struct vgic_dist *d);

/**
 * Make @p intid pending for vCPU @p cpu (SGIs/PPIs) or for its target
 * (SPIs). Wakes a vCPU waiting in WFI. Returns false if the interrupt is
 * disabled (it is latched and delivered once enabled) or does not exist.
 */
bool vgic_inject(struct vm *vm, uint32_t cpu, uint32_t intid, bool hw,
		 uint32_t phys, uint32_t source);

/**
 * Physical SPI @p intid, passed through to guest @p vm, was acknowledged
 * on this CPU: make it pending for its target vCPU, linked to the physical
 * one (GICH_LR.HW), so that the guest's completion deactivates it. Returns
 * false if the guest cannot take it here (disabled in its distributor: the
 * physical SPI is masked until it enables it; or the target vCPU's LRs are
 * on another CPU): the caller deactivates it.
 */
bool vgic_passthru_fired(struct vm *vm, uint32_t intid);

/**
 * A guest vCPU wrote @p value to its GICD_SGIR: raise the SGI on the
 * target vCPUs (the kernel's fast path for virtual IPIs, no IPC).
 */
void vgic_sgir_write(struct vcpu *sender, uint32_t value);

/**
 * Drive the level of SPI @p intid of @p vm, a device's interrupt line
 * (HYP_IRQ_LEVEL): asserted, it is pending; lowered, its pending state
 * ends (IHI 0048B 4.3.8: a level-sensitive interrupt's pending state
 * follows its line).
 */
void vgic_line_set(struct vm *vm, uint32_t intid, bool level);

/** Clear pending state of @p intid on every vCPU in @p cpu_mask. */
void vgic_clear_pending(struct vm *vm, uint32_t cpu_mask, uint32_t intid);

/** True if @p vcpu has a virtual interrupt waiting (ends its WFI). */
bool vgic_vcpu_has_pending(struct vcpu *vcpu);

/**
 * Before entering @p vcpu: move queued interrupts into list registers
 * (called on every return to a guest; cheap when nothing is queued).
 */
struct vcpu *vgic_prepare_entry(struct vcpu *vcpu);

/** HYP_VGIC_* and HYP_IRQ_* calls; false if @p fid is not one. */
bool vgic_hypercall(struct vcpu *caller, uint32_t fid, struct vcpu **next);
