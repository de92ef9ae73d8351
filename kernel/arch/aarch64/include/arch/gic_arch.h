#pragma once
/**
 * GICv2 specifics behind the GIC contract (hyp/arch_gic.h): the layout of
 * a list register, GICH_LRn (IHI 0048B 5.3.4), and of GICC_IAR (4.4.4),
 * inline because the vIPI and timer paths build LRs; and the per-vCPU
 * GICH control state. Included through hyp/arch_gic.h only.
 */
#include <stdbool.h>
#include <stdint.h>

/* GICH_LRn (IHI 0048B 5.3.4): VirtualID [9:0]; PhysicalID [19:10] when HW,
 * else CPUID (SGI source) [12:10] and EOI [19]; Priority [27:23] (the top
 * five bits of an 8-bit priority); State [29:28], encoded as the core's
 * VGIC_LR_* (hyp/arch_gic.h); Grp1 [30]; HW [31]. */
#define GICH_LR_VIRTUALID_MASK 0x3ffU
#define GICH_LR_PHYSICALID_SHIFT 10
#define GICH_LR_PHYSICALID_MASK 0x3ffU
#define GICH_LR_CPUID_SHIFT 10
#define GICH_LR_CPUID_MASK 0x7U
#define GICH_LR_EOI (1U << 19)
#define GICH_LR_PRIORITY_SHIFT 23
#define GICH_LR_PRIORITY_MASK 0x1fU
#define GICH_LR_STATE_SHIFT 28
#define GICH_LR_STATE_MASK 0x3U
#define GICH_LR_GRP1 (1U << 30)
#define GICH_LR_HW (1U << 31)
/** Bits of a GIC priority below the 5 that GICH_LRn.Priority keeps. */
#define GICH_LR_PRIORITY_DROP 3U
/** Interrupt IDs 0-15 are SGIs (IHI 0048B 2.2.1). */
#define GICH_LR_SGI_LAST 15U
/** IDs 1020-1023 are special (IHI 0048B 3.2.5); 1019 is the last SPI. */
#define GICH_LR_INTID_LAST 1019U
/** GICH_LRn.CPUID holds a source CPU interface number 0-7 (5.3.4). */
#define GICH_LR_SOURCE_CPU_LAST 7U

/** GICC_IAR.InterruptID [9:0]; for an SGI, [12:10] is the CPU that sent
 * it (IHI 0048B 4.4.4). */
#define GIC_IAR_INTID_MASK 0x3ffU

/**
 * One list-register value as the core keeps it (struct vgic_cpu's shadow):
 * GICH_LRn is 32 bits (IHI 0048B 5.3.4); a GICv3 implementation would make
 * this 64 bits (ICH_LR<n>_EL2) without a core change.
 */
typedef uint32_t arch_lr_t;

/** GICH_VMCR and GICH_APR of a switched-out vCPU (IHI 0048B 5.3.3, 5.3.6). */
struct arch_vgic_ctx {
	uint32_t vmcr, apr;
};

static inline uint32_t gic_iar_intid(uint32_t iar)
{
	return iar & GIC_IAR_INTID_MASK;
}

static inline bool arch_lr_is_sgi(uint32_t intid)
{
	return intid <= GICH_LR_SGI_LAST;
}

static inline uint32_t arch_lr_state(arch_lr_t lr)
{
	return (lr >> GICH_LR_STATE_SHIFT) & GICH_LR_STATE_MASK;
}

static inline arch_lr_t arch_lr_with_state(arch_lr_t lr, uint32_t state)
{
	lr &= ~(GICH_LR_STATE_MASK << GICH_LR_STATE_SHIFT);
	return lr | ((state & GICH_LR_STATE_MASK) << GICH_LR_STATE_SHIFT);
}

static inline uint32_t arch_lr_intid(arch_lr_t lr)
{
	return lr & GICH_LR_VIRTUALID_MASK;
}

/** The 8-bit priority @p prio as an LR keeps it (its top five bits). */
static inline uint32_t arch_lr_priority_round(uint32_t prio)
{
	return (prio >> GICH_LR_PRIORITY_DROP) << GICH_LR_PRIORITY_DROP;
}

/** The priority of LR @p lr, as an 8-bit value with the low bits 0. */
static inline uint32_t arch_lr_priority(arch_lr_t lr)
{
	return ((lr >> GICH_LR_PRIORITY_SHIFT) & GICH_LR_PRIORITY_MASK)
	       << GICH_LR_PRIORITY_DROP;
}

static inline bool arch_lr_is_hw(arch_lr_t lr)
{
	return (lr & GICH_LR_HW) != 0;
}

/** The SGI source of a software LR (GICH_LRn.CPUID). */
static inline uint32_t arch_lr_source(arch_lr_t lr)
{
	return (lr >> GICH_LR_CPUID_SHIFT) & GICH_LR_CPUID_MASK;
}

/** The physical interrupt of a hardware LR (GICH_LRn.PhysicalID). */
static inline uint32_t arch_lr_phys(arch_lr_t lr)
{
	return (lr >> GICH_LR_PHYSICALID_SHIFT) & GICH_LR_PHYSICALID_MASK;
}

static inline bool arch_lr_group1(arch_lr_t lr)
{
	return (lr & GICH_LR_GRP1) != 0;
}

/** A software LR that asks for an EOI maintenance interrupt. */
static inline bool arch_lr_resample(arch_lr_t lr)
{
	return (lr & GICH_LR_EOI) != 0;
}

/** True if @p irq can be written into an LR (IHI 0048B 5.3.4). */
static inline bool arch_lr_valid(const struct vgic_pending_irq *irq)
{
	if (irq->intid > GICH_LR_INTID_LAST) {
		return false;
	}
	if (irq->hw) {
		return irq->phys <= GICH_LR_INTID_LAST;
	}
	return !arch_lr_is_sgi(irq->intid) ||
	       irq->source_cpu <= GICH_LR_SOURCE_CPU_LAST;
}

/** Build an LR value for @p irq in state @p state (gic_lr.c). */
arch_lr_t arch_lr_make(const struct vgic_pending_irq *irq, uint32_t state);
