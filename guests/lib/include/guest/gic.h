#pragma once
/**
 * A guest's view of its GICv2 (IHI 0048B): the distributor window at
 * GUEST_GICD (emulated by the vgic service) and the CPU interface at
 * GUEST_GICC (the hardware virtual CPU interface, GICV). IRQ exceptions go
 * to the handler set with gic_set_handler(), which gets the IAR value; the
 * library writes EOIR afterwards.
 */
#include <stdint.h>

#include "abi/gicd_sgir.h"

#define GUEST_GICD 0x08000000UL
#define GUEST_GICC 0x08010000UL

#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_ISENABLER(n) (0x100 + 4 * (n))
#define GICD_ICENABLER(n) (0x180 + 4 * (n))
#define GICD_ISPENDR(n) (0x200 + 4 * (n))
#define GICD_ICPENDR(n) (0x280 + 4 * (n))
#define GICD_ISACTIVER(n) (0x300 + 4 * (n))
#define GICD_IPRIORITYR(n) (0x400 + (n))
#define GICD_ITARGETSR(n) (0x800 + (n))
#define GICC_CTLR 0x000
#define GICC_PMR 0x004
#define GICC_IAR 0x00c
#define GICC_EOIR 0x010
#define GICC_IAR_ID_MASK 0x3ffU
#define GICC_IAR_CPU_SHIFT 10

static inline volatile uint32_t *gicd(uint32_t off)
{
	return (volatile uint32_t *)(GUEST_GICD + off);
}

static inline volatile uint8_t *gicd8(uint32_t off)
{
	return (volatile uint8_t *)(GUEST_GICD + off);
}

static inline volatile uint32_t *gicc(uint32_t off)
{
	return (volatile uint32_t *)(GUEST_GICC + off);
}

typedef void (*gic_handler_fn)(uint32_t iar);

/** Enable distributor and CPU interface, priority mask @p pmr. */
void gic_setup(uint32_t pmr);
void gic_set_handler(gic_handler_fn fn);
void gic_enable_irq(uint32_t intid);
void gic_disable_irq(uint32_t intid);

static inline void irq_unmask(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

static inline void irq_mask(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}
