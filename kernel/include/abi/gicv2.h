#pragma once
/**
 * The GICv2 register map (IHI 0048B), one definition for the physical
 * driver (kernel/arch/aarch64/gic.c) and the vgic service's distributor
 * model (services/vgic/gicd_model.c), which emulates what the driver
 * programs. GICD_SGIR and its fields: abi/gicd_sgir.h.
 */

/* Distributor registers (table 4-1), offsets in its 4 KiB frame. */
#define GICD_CTLR 0x000U
#define GICD_TYPER 0x004U
#define GICD_IIDR 0x008U
#define GICD_IGROUPR 0x080U
#define GICD_ISENABLER 0x100U
#define GICD_ICENABLER 0x180U
#define GICD_ISPENDR 0x200U
#define GICD_ICPENDR 0x280U
#define GICD_ISACTIVER 0x300U
#define GICD_ICACTIVER 0x380U
#define GICD_IPRIORITYR 0x400U
#define GICD_ITARGETSR 0x800U
#define GICD_ICFGR 0xc00U
#define GICD_SGIR 0xf00U
#define GICD_CPENDSGIR 0xf10U
#define GICD_SPENDSGIR 0xf20U
#define GICD_PIDR2 0xfe8U
#define GICD_WINDOW_SIZE 0x1000U

/** Registers with one bit per INTID: word n covers INTIDs 32n..32n+31. */
#define GICD_INTIDS_PER_WORD 32U
#define GICD_BIT_WORD(base, intid) \
	((base) + 4U * ((intid) / GICD_INTIDS_PER_WORD))

/* GICD_CTLR without the Security Extensions (4.3.1). */
#define GICD_CTLR_ENABLE_GRP0 (1U << 0)
#define GICD_CTLR_ENABLE_GRP1 (1U << 1)
/* GICD_TYPER.ITLinesNumber [4:0] (4.3.2): 32 * (N + 1) INTIDs. */
#define GICD_TYPER_ITLINES_MASK 0x1fU

/* CPU interface registers (table 4-2). */
#define GICC_CTLR 0x000U
#define GICC_PMR 0x004U
#define GICC_IAR 0x00cU
#define GICC_EOIR 0x010U
/* Highest priority pending interrupt (4.4.8). */
#define GICC_HPPIR 0x018U
#define GICC_DIR 0x1000U
/* GICC_CTLR without the Security Extensions (4.4.1); EOImodeNS [9]:
 * EOIR only drops the priority, DIR deactivates. */
#define GICC_CTLR_ENABLE_GRP0 (1U << 0)
#define GICC_CTLR_ENABLE_GRP1 (1U << 1)
#define GICC_CTLR_EOIMODE (1U << 9)
