#pragma once
/**
 * Model of a GICv2 distributor (GIC architecture specification IHI 0048B,
 * chapter 4.3 "Distributor register descriptions") as one guest sees it:
 * the register state of up to GICD_MODEL_MAX_CPUS vCPUs and
 * GICD_MODEL_NR_IRQS interrupts. Pure logic, host-tested in
 * tests/host/test_gicd_model.c; the vgic service glues it to libipc.
 *
 * The model does not deliver interrupts itself. Whatever the guest changes
 * that the kernel's injection fast path must know is reported through
 * struct gicd_ops: the kernel injects without asking the service.
 * Pending/active state lives in the kernel's list registers once the guest
 * runs; reads of ISPENDR/ICPENDR/ISACTIVER/ICACTIVER ask ops->query.
 */
#include <stdbool.h>
#include <stdint.h>

#include "abi/gicd_sgir.h"
#include "abi/gicv2.h"
#include "abi/vgic.h"

#define GICD_MODEL_MAX_CPUS 8
/** SGIs 0-15, PPIs 16-31, SPIs 32..GICD_MODEL_NR_IRQS-1 (a multiple of 32):
 * the kernel's range of virtual INTIDs. */
#define GICD_MODEL_NR_IRQS VGIC_INTIDS
/**
 * What the model tells the kernel (a fake records these in tests). Any
 * pointer may be NULL: the model then skips that report. CPU numbers are
 * vCPU indices below the model's cpu_count; masks have bit n for vCPU n.
 */
struct gicd_ops {
	/**
	 * Enable, priority, target CPUs, group or trigger of @p intid changed.
	 * Called once per interrupt whose state a guest write changed, with
	 * the whole new state. For SGIs/PPIs (banked) @p cpu is the vCPU whose
	 * copy changed and @p targets is 1 << cpu; for SPIs @p cpu is 0.
	 */
	void (*irq_changed)(void *ctx, uint32_t cpu, uint32_t intid,
			    bool enabled, uint8_t priority, uint8_t targets,
			    bool group1, bool edge);
	/**
	 * Make @p intid pending on every CPU in @p cpu_mask (ISPENDR, SGIR,
	 * SPENDSGIR writes). SGIs carry the CPU that sent them in
	 * @p source_cpu; for PPIs and SPIs it is 0 and means nothing.
	 */
	void (*set_pending)(void *ctx, uint32_t cpu_mask, uint32_t intid,
			    uint32_t source_cpu);
	/** Clear pending on every CPU in @p cpu_mask (ICPENDR, CPENDSGIR). */
	void (*clear_pending)(void *ctx, uint32_t cpu_mask, uint32_t intid);
	/** Set or clear active on @p cpu (ISACTIVER, ICACTIVER). */
	void (*set_active)(void *ctx, uint32_t cpu, uint32_t intid,
			   bool active);
	/** Live pending/active state of @p intid on @p cpu (kernel LRs). */
	void (*query)(void *ctx, uint32_t cpu, uint32_t intid, bool *pending,
		      bool *active);
	/** Distributor enable changed (GICD_CTLR.EnableGrp0/Grp1): called
	 * with the new GICD_CTLR value when a write changes it. */
	void (*ctlr_changed)(void *ctx, uint32_t ctlr);
};

/**
 * One distributor. Arrays indexed by interrupt ID keep their first entries
 * (the banked SGIs/PPIs) unused; 32-bit bitmaps hold interrupt n in bit
 * n % 32 of word n / 32, and the ICFGR words 16 interrupts of 2 bits each.
 */
struct gicd_model {
	/** GICD_CTLR: EnableGrp0 and EnableGrp1. */
	uint32_t ctlr;
	/** vCPUs, 1..GICD_MODEL_MAX_CPUS. */
	uint32_t cpu_count;
	/* Per-interrupt state; SGIs/PPIs (0-31) are banked per CPU. */
	uint8_t priority[GICD_MODEL_MAX_CPUS][32];
	uint8_t priority_spi[GICD_MODEL_NR_IRQS];
	uint8_t targets_spi[GICD_MODEL_NR_IRQS];
	uint32_t enabled_private[GICD_MODEL_MAX_CPUS];
	uint32_t enabled_spi[GICD_MODEL_NR_IRQS / 32];
	uint32_t group_private[GICD_MODEL_MAX_CPUS];
	uint32_t group_spi[GICD_MODEL_NR_IRQS / 32];
	/** GICD_ICFGR1 per CPU (PPIs 16-31): read-only, all level (0). */
	uint32_t icfgr_ppi[GICD_MODEL_MAX_CPUS];
	uint32_t icfgr_spi[GICD_MODEL_NR_IRQS / 16];
	/**
	 * Source CPUs of the SGIs pending on each CPU, as far as this model
	 * made them pending (SGIR, SPENDSGIR) and did not clear them
	 * (CPENDSGIR): [target cpu][sgi], bit n for source vCPU n. Dropped
	 * whenever ops->query reports the SGI no longer pending there.
	 */
	uint8_t sgi_pending_sources[GICD_MODEL_MAX_CPUS][16];
	/**
	 * SPIs a guest made pending while their ITARGETSR named no CPU:
	 * forwarded to set_pending once ITARGETSR names one.
	 */
	uint32_t spi_pending_untargeted[GICD_MODEL_NR_IRQS / 32];
	const struct gicd_ops *ops;
	void *ops_ctx;
};

/**
 * Reset state. Priorities reset to GICD_MODEL_RESET_PRIORITY (0xa0) rather
 * than 0, so that a guest setting its priority mask to 0xf0 still receives
 * interrupts it never prioritised (Linux and common test suites do so).
 * Everything else resets as on a GIC-400: distributor disabled, all
 * interrupts group 0, SGIs enabled (RAO/WI) and the rest disabled, SGIs
 * edge and PPIs/SPIs level, SPIs targeting no CPU (CPU 0 when
 * @p cpu_count is 1). @p cpu_count is clamped to 1..GICD_MODEL_MAX_CPUS;
 * @p ops must not be NULL. Makes no ops call: the kernel starts from the
 * same reset state.
 */
#define GICD_MODEL_RESET_PRIORITY 0xa0
void gicd_model_init(struct gicd_model *m, uint32_t cpu_count,
		     const struct gicd_ops *ops, void *ops_ctx);

/**
 * Guest access by vCPU @p cpu at byte @p offset of the 4 KiB window, of
 * @p width bytes (1 or 4, naturally aligned; byte accesses only to the
 * registers IHI 0048B 4.1.4 names byte-accessible). Reserved offsets read
 * as zero and ignore writes. Returns 0, or -1 for an access the
 * architecture does not allow or a @p cpu beyond cpu_count (the caller
 * injects an external abort).
 */
int gicd_model_read(struct gicd_model *m, uint32_t cpu, uint64_t offset,
		    unsigned width, uint32_t *value);
int gicd_model_write(struct gicd_model *m, uint32_t cpu, uint64_t offset,
		     unsigned width, uint32_t value);

/**
 * Forget every recorded SGI source whose SGI ops->query no longer reports
 * pending (what reads and writes of the SGI registers do for the SGIs they
 * touch). The vgic service calls it before it saves a model for a write
 * (vgic_kept.h): what the write then finds pending is its own doing, even
 * when it is sent again after a crash.
 */
void gicd_model_sync_sgi_sources(struct gicd_model *m);
