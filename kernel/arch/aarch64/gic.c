/**
 * Physical GICv2 driver (IHI 0048B). Register offsets from 4.1.2
 * (distributor) and 4.1.3 (CPU interface); QEMU virt addresses in
 * arch/platform.h.
 */
#include "arch/gic.h"

#include "arch/platform.h"

#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_ISENABLER(n) (0x100 + 4 * (n))
#define GICD_ICENABLER(n) (0x180 + 4 * (n))
#define GICD_ICPENDR(n) (0x280 + 4 * (n))
#define GICD_ICACTIVER(n) (0x380 + 4 * (n))
#define GICD_IPRIORITYR_BYTE(id) (0x400 + (id))
#define GICD_ITARGETSR_BYTE(id) (0x800 + (id))
#define GICD_CTLR_ENABLE_GRP0 0x1U
#define GICD_CTLR_ENABLE_GRP1 0x2U
#define GICD_TYPER_ITLINES_MASK 0x1fU

#define GICC_CTLR 0x000
#define GICC_PMR 0x004
#define GICC_IAR 0x00c
#define GICC_EOIR 0x010
#define GICC_DIR 0x1000
#define GICC_CTLR_ENABLE_GRP0 0x1U
#define GICC_CTLR_ENABLE_GRP1 0x2U
#define GICC_CTLR_EOIMODE (1U << 9)  /* EOImodeNS: EOIR drops, DIR deactivates. */
#define GICC_IAR_INTID_MASK 0x3ffU

/* Every priority passes the mask; kernel interrupts at a middle priority. */
#define GIC_PMR_ALLOW_ALL 0xffU
#define GIC_PRIO_KERNEL 0x80U
#define GIC_IRQS_PER_REG 32
#define GIC_TARGET_CPU0 0x01U

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

static uint32_t gic_line_count(void)
{
	uint32_t typer = mmio_read32(PLATFORM_GICD_BASE + GICD_TYPER);

	return ((typer & GICD_TYPER_ITLINES_MASK) + 1) * GIC_IRQS_PER_REG;
}

void gic_init(void)
{
	uintptr_t gicd = PLATFORM_GICD_BASE;
	uintptr_t gicc = PLATFORM_GICC_BASE;
	uint32_t lines = gic_line_count();

	mmio_write32(gicd + GICD_CTLR, 0);
	/* Everything off, inactive, not pending, middle priority, CPU 0. */
	for (uint32_t n = 0; n < lines / GIC_IRQS_PER_REG; n++) {
		mmio_write32(gicd + GICD_ICENABLER(n), UINT32_MAX);
		mmio_write32(gicd + GICD_ICPENDR(n), UINT32_MAX);
		mmio_write32(gicd + GICD_ICACTIVER(n), UINT32_MAX);
	}
	for (uint32_t id = 0; id < lines; id++) {
		mmio_write8(gicd + GICD_IPRIORITYR_BYTE(id), GIC_PRIO_KERNEL);
		if (id >= GIC_INTID_SPI_FIRST) {
			mmio_write8(gicd + GICD_ITARGETSR_BYTE(id), GIC_TARGET_CPU0);
		}
	}
	mmio_write32(gicd + GICD_CTLR,
		     GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1);
	mmio_write32(gicc + GICC_PMR, GIC_PMR_ALLOW_ALL);
	mmio_write32(gicc + GICC_CTLR, GICC_CTLR_ENABLE_GRP0 |
					       GICC_CTLR_ENABLE_GRP1 |
					       GICC_CTLR_EOIMODE);
	gic_enable(GIC_INTID_HYP_TIMER);
}

uint32_t gic_ack(void)
{
	return mmio_read32(PLATFORM_GICC_BASE + GICC_IAR) & GICC_IAR_INTID_MASK;
}

void gic_eoi(uint32_t intid)
{
	mmio_write32(PLATFORM_GICC_BASE + GICC_EOIR, intid);
}

void gic_deactivate(uint32_t intid)
{
	mmio_write32(PLATFORM_GICC_BASE + GICC_DIR, intid);
}

void gic_enable(uint32_t intid)
{
	mmio_write32(PLATFORM_GICD_BASE + GICD_ISENABLER(intid / GIC_IRQS_PER_REG),
		     1U << (intid % GIC_IRQS_PER_REG));
}

void gic_disable(uint32_t intid)
{
	mmio_write32(PLATFORM_GICD_BASE + GICD_ICENABLER(intid / GIC_IRQS_PER_REG),
		     1U << (intid % GIC_IRQS_PER_REG));
}
