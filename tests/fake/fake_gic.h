#pragma once
/**
 * Host stand-in for the physical GIC as kernel/core/vgic.c sees it
 * (hyp/arch_gic.h): per physical CPU, the list registers of its
 * GICH and the banked active state of its private interrupts (SGIs and
 * PPIs, IHI 0048B 4.3.9). A hardware-linked LR (GICH_LR.HW) deactivates its
 * physical interrupt when the guest completes it (5.3.4), as
 * fake_gic_guest_eoi() models. Shared by tests/host/test_vgic.c and
 * tests/fuzz/fuzz_ipc_kernel.c (site_scons/test_units.py: FAKE_GIC).
 */
#include <stdbool.h>
#include <stdint.h>

#include "hyp/cpu.h"
#include "hyp/vgic_lr.h"

/** Private interrupts per CPU interface (SGIs 0-15, PPIs 16-31). */
#define FAKE_GIC_PRIVATE 32
/** INTIDs the fake models: the private ones and SPIs up to 127. */
#define FAKE_GIC_INTIDS 128

/** One CPU's GIC state. */
struct fake_gic_cpu {
	uint32_t lr[VGIC_MAX_LRS];       /**< The hardware GICH_LRn. */
	bool active[FAKE_GIC_PRIVATE];   /**< Banked GICD_ISACTIVER0 bits. */
	bool enabled[FAKE_GIC_PRIVATE];  /**< Banked GICD_ISENABLER0 bits. */
	unsigned bad_dir;                /**< GICC_DIR of an inactive ID. */
	unsigned deactivations;          /**< Effective deactivations. */
};

extern struct fake_gic_cpu fake_gic[CPU_MAX];

/** The distributor's state of an SPI, shared by every CPU (not banked). */
struct fake_gic_spi {
	bool active;    /**< GICD_ISACTIVER bit. */
	bool enabled;   /**< GICD_ISENABLER bit. */
	uint8_t target; /**< GICD_ITARGETSR byte. */
};

extern struct fake_gic_spi fake_spi[FAKE_GIC_INTIDS];

/** Every CPU's GIC back to reset (nothing active, LRs empty). */
void fake_gic_reset(void);

/** The physical interrupt @p intid fired on @p cpu and the kernel
 * acknowledged it (GICC_IAR, then EOIR: active, priority dropped; an SPI
 * in the distributor, whichever CPU). */
void fake_gic_fire(uint32_t cpu, uint32_t intid);

/**
 * The loaded guest of @p cpu acknowledges its highest pending LR with
 * @p intid (GICV_IAR: pending -> active) and, if @p eoi, completes it
 * (GICV_EOIR: invalid; a hardware LR deactivates its physical interrupt).
 * Returns false if no LR held @p intid pending (or active, for an EOI).
 */
bool fake_gic_guest_ack(uint32_t cpu, uint32_t intid);
bool fake_gic_guest_eoi(uint32_t cpu, uint32_t intid);

/** Number of valid hardware-linked LRs of @p cpu naming physical @p phys. */
unsigned fake_gic_hw_lrs(uint32_t cpu, uint32_t phys);
