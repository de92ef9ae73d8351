/**
 * Minimal physical GICv2 driver (IHI 0048B): enough for the kernel's own
 * timer to wake the CPU. Register offsets from section 4.1.2 (distributor)
 * and 4.1.3 (CPU interface).
 */
#include "arch/gic.h"

#include <stdint.h>

#include "arch/platform.h"

#define GICD_CTLR 0x000
#define GICD_ISENABLER(n) (0x100 + 4 * (n))
#define GICD_IPRIORITYR_BYTE(id) (0x400 + (id))
#define GICD_CTLR_ENABLE_GRP0 0x1U
#define GICD_CTLR_ENABLE_GRP1 0x2U

#define GICC_CTLR 0x000
#define GICC_PMR 0x004
#define GICC_IAR 0x00c
#define GICC_EOIR 0x010
#define GICC_CTLR_ENABLE_GRP0 0x1U
#define GICC_CTLR_ENABLE_GRP1 0x2U
#define GICC_IAR_INTID_MASK 0x3ffU

/* Lowest priority mask lets every priority through; the hyp timer gets a
 * middle priority. */
#define GIC_PMR_ALLOW_ALL 0xffU
#define GIC_PRIO_KERNEL 0x80U
#define GIC_IRQS_PER_REG 32

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void mmio_write8(uintptr_t addr, uint8_t v)
{
	*(volatile uint8_t *)addr = v;
}

void gic_init(void)
{
	uintptr_t gicd = PLATFORM_GICD_BASE;
	uintptr_t gicc = PLATFORM_GICC_BASE;

	mmio_write8(gicd + GICD_IPRIORITYR_BYTE(GIC_INTID_HYP_TIMER),
		    GIC_PRIO_KERNEL);
	mmio_write32(gicd + GICD_ISENABLER(GIC_INTID_HYP_TIMER / GIC_IRQS_PER_REG),
		     1U << (GIC_INTID_HYP_TIMER % GIC_IRQS_PER_REG));
	mmio_write32(gicd + GICD_CTLR,
		     GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1);
	mmio_write32(gicc + GICC_PMR, GIC_PMR_ALLOW_ALL);
	mmio_write32(gicc + GICC_CTLR,
		     GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_ENABLE_GRP1);
}

uint32_t gic_ack(void)
{
	return mmio_read32(PLATFORM_GICC_BASE + GICC_IAR) & GICC_IAR_INTID_MASK;
}

void gic_eoi(uint32_t intid)
{
	mmio_write32(PLATFORM_GICC_BASE + GICC_EOIR, intid);
}
