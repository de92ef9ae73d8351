#pragma once
/**
 * The physical GICv2 as far as the kernel itself needs it: distributor and
 * CPU interface enabled, the EL2 physical timer PPI enabled so that it wakes
 * the CPU from WFI (GIC architecture spec IHI 0048B, chapter 4).
 */
#include <stdint.h>

/** INTID of the EL2 physical timer, CNTHP (QEMU virt: PPI 10 = INTID 26). */
#define GIC_INTID_HYP_TIMER 26
/** INTIDs 1020-1023 are special; 1023 means "no pending interrupt". */
#define GIC_INTID_SPURIOUS 1023

void gic_init(void);

/** Acknowledge the highest-priority pending interrupt; returns its INTID. */
uint32_t gic_ack(void);

/** Signal end of interrupt for @p intid. */
void gic_eoi(uint32_t intid);
