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
#include "abi/gicv2.h"

#define GUEST_GICD 0x08000000UL
#define GUEST_GICC 0x08010000UL

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
