#pragma once
/**
 * What the core needs from the interrupt controller: the arch contract for
 * the GIC. Core code (irq.c, vgic.c, vgic_lr.c, vptimer.c, vtimer.c) names
 * only what is declared here; the architecture implements it
 * (kernel/arch/aarch64: gic.c for the physical GIC, gich.c for the virtual
 * CPU interface, arch/gic_arch.h for the list-register encoding, inline
 * because the vIPI and timer paths build LRs). Today that is GICv2
 * (IHI 0048B); GICv3 would be another implementation of the same hooks.
 *
 * The physical GIC runs in split priority-drop/deactivate mode, so that a
 * virtual interrupt linked to a physical one (a hardware LR) deactivates it
 * when the guest completes it.
 */
#include <stdbool.h>
#include <stdint.h>

/** SGI the kernel sends to make another CPU reschedule (cpu_kick). */
#define GIC_INTID_KICK 0
/** SGI that only makes another CPU leave its guest, so that the guest's
 * next entry there refills its list registers (cpu_kick_entry). */
#define GIC_INTID_KICK_ENTRY 1
/* PPIs of QEMU virt (hw/arm/virt.h: PPI n = INTID 16 + n). */
#define GIC_INTID_MAINTENANCE 25 /**< Virtual interface maintenance (PPI 9). */
#define GIC_INTID_HYP_TIMER 26	 /**< CNTHP, the EL2 timer (PPI 10). */
#define GIC_INTID_VTIMER 27	 /**< CNTV, the virtual timer (PPI 11). */
/** CNTP, the EL1 physical timer (PPI 14): the loaded vCPU's alarm in the
 * physical GIC, and the guests' emulated physical timer (hyp/vptimer.h). */
#define GIC_INTID_PTIMER 30
/** INTIDs 1020-1023 are special; 1023 means "no pending interrupt". */
#define GIC_INTID_SPURIOUS 1023

/** One virtual interrupt to put in a list register (LR). */
struct vgic_pending_irq {
	uint16_t intid;
	uint8_t priority;
	uint8_t source_cpu; /**< SGIs: requesting vCPU. */
	bool hw;	    /**< Linked to physical interrupt @c phys. */
	uint16_t phys;
	bool group1;
	bool resample; /**< Software level source the kernel emulates:
			 its LR asks for an EOI maintenance interrupt,
			 so the guest's completion is seen and the
			 kernel looks at the level again. */
};

/** State of an LR: pending and active are bits (GICv2 GICH_LRn.State and
 * GICv3 ICH_LR<n>_EL2.State alike, IHI 0048B 5.3.4). */
#define VGIC_LR_INVALID 0U
#define VGIC_LR_PENDING 1U
#define VGIC_LR_ACTIVE 2U
#define VGIC_LR_PENDING_ACTIVE 3U

/*
 * The LR encoding, inline (arch/gic_arch.h): arch_lr_make(irq, state),
 * arch_lr_state(), arch_lr_with_state(), arch_lr_intid(),
 * arch_lr_priority() (the 8-bit priority the LR keeps, low bits dropped),
 * arch_lr_priority_round(), arch_lr_is_hw(), arch_lr_source(),
 * arch_lr_phys(), arch_lr_group1(), arch_lr_resample(); and
 * gic_iar_intid() (the INTID of an acknowledge value).
 */
#include "arch/gic_arch.h"

struct vgic_cpu;

/* --- The physical GIC (gic.c) -------------------------------------------- */

/** Distributor set-up, once, by the boot CPU. */
void gic_init(void);

/**
 * This CPU's banked distributor registers and its CPU interface (every
 * CPU). Returns its CPU interface mask, the bit SGIs target it with.
 */
uint32_t gic_cpu_init(void);

/** Send physical SGI @p sgi to the CPU interfaces in @p cpu_mask. */
void gic_send_sgi(uint32_t sgi, uint32_t cpu_mask);

/**
 * Acknowledge the highest-priority pending interrupt: returns the whole
 * acknowledge value, which gic_eoi() and gic_deactivate() must be given
 * back (for an SGI it names the sending CPU).
 */
uint32_t gic_ack(void);

/**
 * Priority drop of @p iar, as gic_ack() returned it (for a PPI or SPI the
 * INTID alone is that value): the interrupt stays active.
 */
void gic_eoi(uint32_t iar);

/** Deactivate @p iar, as for gic_eoi(). */
void gic_deactivate(uint32_t iar);

/** Make @p intid active without acknowledging it (banked per CPU for
 * SGIs and PPIs). */
void gic_set_active(uint32_t intid);

/** Deactivate @p intid if it is active (banked per CPU for SGIs and
 * PPIs); no effect if it is not. */
void gic_clear_active(uint32_t intid);

/** Enable / disable forwarding of @p intid to this CPU interface. */
void gic_enable(uint32_t intid);
void gic_disable(uint32_t intid);

/** Forward SPI @p intid to the CPU interfaces in @p cpu_mask (struct
 * cpu's gic_mask). */
void gic_set_target(uint32_t intid, uint32_t cpu_mask);

/** The INTID of this CPU interface's highest-priority pending interrupt
 * (GICC_HPPIR, 4.4.8), without acknowledging it; GIC_INTID_SPURIOUS if
 * none. */
uint32_t gic_highest_pending(void);

/* --- The virtual CPU interface (gich.c) ---------------------------------- */

/** Enable this CPU's virtual CPU interface; returns its number of LRs. */
uint32_t arch_vgic_init(void);

/** Read back the LRs of @p c that are in use (state changes by the guest);
 * one the guest completed becomes 0, free, as vgic_cpu_sync() leaves it.
 * True if every LR is free (GICH_ELRSR, IHI 0048B 5.3.11). */
bool arch_vgic_lrs_read(struct vgic_cpu *c);

/** Write @p c's LRs; @p underflow asks for a maintenance interrupt when
 * LRs free up. */
void arch_vgic_lrs_write(const struct vgic_cpu *c, bool underflow);
/** The same for LRs 0 to @p count - 1 only: the others are invalid in
 * both the hardware and @p c (an invalid LR is ignored, 5.3.4). */
void arch_vgic_lrs_write_first(const struct vgic_cpu *c, uint32_t count,
			       bool underflow);

/** Maintenance interrupt: stop asking for it. */
void arch_vgic_maintenance_ack(void);

/**
 * The CPU is about to idle or nap with a guest still loaded: its virtual
 * CPU interface stops signalling (the LRs keep their contents), so that a
 * virtual interrupt pending for a guest that waits for something else (a
 * service's answer) does not end the WFI. Returns the virtual interface's
 * control word as it was (GICv2: GICH_HCR). The idle loop drops it: the
 * next arch_vgic_lrs_write*() turns the interface on again. A kernel-lock
 * waiter's nap (kernel_lock_wait()), which returns to the trap it
 * interrupted, not through an entry, gives it to arch_vgic_unquiet() once
 * the lock is taken. Nothing else writes this CPU's interface in between
 * (only its own CPU, under the lock).
 */
uint32_t arch_vgic_quiet(void);
void arch_vgic_unquiet(uint32_t saved);

/** Save / restore the loaded vCPU's virtual interface control state
 * (struct arch_vgic_ctx: the guest's priority mask, binary point, enables
 * and active priorities). */
void arch_vgic_ctx_save(struct arch_vgic_ctx *ctx);
void arch_vgic_ctx_restore(const struct arch_vgic_ctx *ctx);
