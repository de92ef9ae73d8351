/**
 * A GICv2 list register built from a virtual interrupt (GICH_LRn, IHI 0048B
 * 5.3.4; the layout is in arch/gic_arch.h). Pure: host tests and fuzzers
 * link it with vgic_lr.c.
 */
#include "hyp/arch_gic.h"

arch_lr_t arch_lr_make(const struct vgic_pending_irq *irq, uint32_t state)
{
	arch_lr_t lr = irq->intid & GICH_LR_VIRTUALID_MASK;
	uint32_t prio = (uint32_t)irq->priority >> GICH_LR_PRIORITY_DROP;

	lr |= (prio & GICH_LR_PRIORITY_MASK) << GICH_LR_PRIORITY_SHIFT;
	lr |= (state & GICH_LR_STATE_MASK) << GICH_LR_STATE_SHIFT;
	if (irq->group1) {
		lr |= GICH_LR_GRP1;
	}
	if (irq->hw) {
		lr |= GICH_LR_HW;
		lr |= (irq->phys & GICH_LR_PHYSICALID_MASK)
		      << GICH_LR_PHYSICALID_SHIFT;
	} else {
		if (arch_lr_is_sgi(irq->intid)) {
			lr |= ((uint32_t)irq->source_cpu & GICH_LR_CPUID_MASK)
			      << GICH_LR_CPUID_SHIFT;
		}
		/* Bit 19 is EOI only in a software LR (PhysicalID if HW). */
		if (irq->resample) {
			lr |= GICH_LR_EOI;
		}
	}
	return lr;
}
