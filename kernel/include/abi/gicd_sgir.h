#pragma once
/**
 * GICD_SGIR, the GICv2 distributor's software-generated interrupt register
 * (IHI 0048B 4.3.15), decoded the same way by the kernel's virtual IPI fast
 * path (kernel/core/vgic.c) and the vgic service's distributor model
 * (services/vgic/gicd_model.c); its offset and fields also serve the
 * physical GIC driver (kernel/arch/aarch64/gic.c) and the test guests.
 *
 * TargetListFilter [25:24], CPUTargetList [23:16], NSATT [15] (Security
 * Extensions only, ignored), SGIINTID [3:0]. Its offset: abi/gicv2.h.
 */
#include <stdbool.h>
#include <stdint.h>

#include "abi/gicv2.h"
#include "abi/vgic.h"

#define GICD_SGIR_FILTER_SHIFT 24U
#define GICD_SGIR_FILTER_MASK 0x3U
#define GICD_SGIR_FILTER_LIST 0U   /**< Forward to CPUTargetList. */
#define GICD_SGIR_FILTER_OTHERS 1U /**< All CPUs but the requester. */
#define GICD_SGIR_FILTER_SELF 2U   /**< Only the requester; 3 reserved. */
#define GICD_SGIR_TARGETS_SHIFT 16U
#define GICD_SGIR_TARGETS_MASK 0xffU
#define GICD_SGIR_INTID_MASK 0xfU
_Static_assert(GICD_SGIR_INTID_MASK + 1U == VGIC_SGI_COUNT,
	       "SGIINTID names every SGI");

/**
 * The SGI a write of @p value by CPU @p sender raises, and the CPUs it
 * targets (a bit per CPU interface, not yet limited to existing ones).
 * Returns false for the reserved filter: the write is then ignored.
 */
static inline bool gicd_sgir_decode(uint32_t value, uint32_t sender,
				    uint32_t *sgi, uint32_t *targets)
{
	*sgi = value & GICD_SGIR_INTID_MASK;
	switch ((value >> GICD_SGIR_FILTER_SHIFT) & GICD_SGIR_FILTER_MASK) {
	case GICD_SGIR_FILTER_LIST:
		*targets = (value >> GICD_SGIR_TARGETS_SHIFT) &
			   GICD_SGIR_TARGETS_MASK;
		return true;
	case GICD_SGIR_FILTER_OTHERS:
		*targets = ~(1U << sender);
		return true;
	case GICD_SGIR_FILTER_SELF:
		*targets = 1U << sender;
		return true;
	default:
		return false;
	}
}
