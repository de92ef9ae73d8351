#pragma once
/**
 * The physical GICv2 (IHI 0048B), owned by the kernel: distributor, CPU
 * interface in split priority-drop/deactivate mode (GICC_CTLR.EOImode = 1,
 * 4.4.1), so that a virtual interrupt linked to a physical one (GICH_LR.HW)
 * deactivates it when the guest completes it.
 */
#include <stdbool.h>
#include <stdint.h>

/** SGI the kernel sends to make another CPU reschedule (cpu_kick). */
#define GIC_INTID_KICK 0
/* PPIs of QEMU virt (hw/arm/virt.h: PPI n = INTID 16 + n). */
#define GIC_INTID_MAINTENANCE 25  /**< GICH maintenance interrupt (PPI 9). */
#define GIC_INTID_HYP_TIMER 26    /**< CNTHP, the EL2 timer (PPI 10). */
#define GIC_INTID_VTIMER 27       /**< CNTV, the virtual timer (PPI 11). */
/** CNTP, the EL1 physical timer (PPI 14): the loaded vCPU's alarm in the
 * physical GIC, and the guests' emulated physical timer (hyp/vptimer.h). */
#define GIC_INTID_PTIMER 30
/** INTIDs 1020-1023 are special; 1023 means "no pending interrupt". */
#define GIC_INTID_SPURIOUS 1023

/** Distributor set-up, once, by the boot CPU. */
void gic_init(void);

/**
 * This CPU's banked distributor registers and its CPU interface (every
 * CPU). Returns its CPU interface mask, the bit SGIs target it with.
 */
uint32_t gic_cpu_init(void);

/** Send physical SGI @p sgi to the CPU interfaces in @p cpu_mask. */
void gic_send_sgi(uint32_t sgi, uint32_t cpu_mask);

/** GICC_IAR.InterruptID [9:0]; for an SGI, [12:10] is the CPU that sent
 * it (IHI 0048B 4.4.4). */
#define GIC_IAR_INTID_MASK 0x3ffU

/**
 * Acknowledge the highest-priority pending interrupt: returns the whole
 * GICC_IAR value, which gic_eoi() and gic_deactivate() must be given back
 * (for an SGI it names the sending CPU: IHI 0048B 4.4.5, 4.4.15).
 */
uint32_t gic_ack(void);

static inline uint32_t gic_iar_intid(uint32_t iar)
{
	return iar & GIC_IAR_INTID_MASK;
}

/**
 * Priority drop (GICC_EOIR) of @p iar, as gic_ack() returned it (for a PPI
 * or SPI the INTID alone is that value): the interrupt stays active.
 */
void gic_eoi(uint32_t iar);

/** Deactivate (GICC_DIR) @p iar, as for gic_eoi(). */
void gic_deactivate(uint32_t iar);

/** Make @p intid active without acknowledging it (GICD_ISACTIVER, 4.3.6;
 * banked per CPU for SGIs and PPIs). */
void gic_set_active(uint32_t intid);

/** Deactivate @p intid if it is active (GICD_ICACTIVER, 4.3.10; banked
 * per CPU for SGIs and PPIs); no effect if it is not. */
void gic_clear_active(uint32_t intid);

/** Enable / disable forwarding of @p intid to this CPU interface. */
void gic_enable(uint32_t intid);
void gic_disable(uint32_t intid);
