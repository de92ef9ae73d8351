#pragma once
/**
 * Calls a vgic service (the GICv2 distributor model) and IRQ-owning
 * services make to the kernel, which owns the injection fast path. All take
 * x1 = client VM id; a caller may act only on VMs whose window it serves:
 * HYP_VGIC_* only for a VM whose GIC distributor window (the one marked
 * kernel_sgir) it serves, HYP_IRQ_LEVEL only for its windows' SPIs
 * (IPC_ERR_DENIED). A vCPU, vCPU mask, INTID or SGI source out of range
 * gives IPC_ERR_INVALID and changes nothing.
 */
#include "abi/hypercall.h"

/** x2 = vCPU, x3 = INTID, x4 = flags (VGIC_CFG_*) | priority << 8 |
 * targets << 16: the distributor configuration of one interrupt. */
#define HYP_VGIC_CONFIG (HYP_CALL_BASE | SMCCC_64BIT | 0x20U)
/** x2 = vCPU mask, x3 = INTID, x4 = 1 set / 0 clear, x5 = SGI source. */
#define HYP_VGIC_PENDING (HYP_CALL_BASE | SMCCC_64BIT | 0x21U)
/** x2 = vCPU, x3 = INTID, x4 = 1 set / 0 clear. */
#define HYP_VGIC_ACTIVE (HYP_CALL_BASE | SMCCC_64BIT | 0x22U)
/** x2 = vCPU, x3 = INTID; returns x1 = pending, x2 = active. */
#define HYP_VGIC_QUERY (HYP_CALL_BASE | SMCCC_64BIT | 0x23U)
/** x2 = GICD_CTLR value. */
#define HYP_VGIC_CTLR (HYP_CALL_BASE | SMCCC_64BIT | 0x24U)
/** Raise (x3 = 1) or lower (x3 = 0) the level of SPI x2 of VM x1: used by
 * device services for their guests' interrupts. Only the SPI the scenario
 * gives a window of VM x1 that the caller serves (cfg_device.irq);
 * IPC_ERR_DENIED otherwise. */
#define HYP_IRQ_LEVEL (HYP_CALL_BASE | SMCCC_64BIT | 0x25U)
/** x1 = physical INTID owned by the caller: handled, unmask it again. */
#define HYP_IRQ_ACK (HYP_CALL_BASE | SMCCC_64BIT | 0x26U)

#define VGIC_CFG_ENABLED (1U << 0)
#define VGIC_CFG_GROUP1 (1U << 1)
#define VGIC_CFG_EDGE (1U << 2)
#define VGIC_CFG_PRIORITY_SHIFT 8
#define VGIC_CFG_TARGETS_SHIFT 16
#define VGIC_CTLR_ENABLE_MASK 0x3U

/* The interrupt ranges, one fact each, used by the kernel, the scenario
 * validator (rules Q1, D9) and the vgic service's distributor model. */
/** SGIs are INTIDs 0 .. VGIC_SGI_COUNT - 1 (IHI 0048B 2.2.1). */
#define VGIC_SGI_COUNT 16U
/** SGIs and PPIs, banked per CPU interface: INTIDs 0 .. 31 (2.2.1). */
#define VGIC_PRIVATE_INTIDS 32U
/** The first SPI (IHI 0048B 2.2.1: SGIs 0-15, PPIs 16-31, SPIs 32-1019). */
#define VGIC_SPI_FIRST VGIC_PRIVATE_INTIDS
/** Interrupt IDs of a VM's virtual distributor: 0 .. VGIC_INTIDS - 1
 * (a multiple of 32: GICD_TYPER.ITLinesNumber, IHI 0048B 4.3.2). */
#define VGIC_INTIDS 128U
/** Notification bits of an endpoint: one per physical SPI a service owns. */
#define IRQ_NOTIFY_BITS 64U
/** The highest physical SPI a service may own (rule Q1). */
#define IRQ_OWNED_SPI_LAST (VGIC_SPI_FIRST + IRQ_NOTIFY_BITS - 1U)

/** Notification bit a service receives for its physical IRQ number n:
 * bit (n - 32) of the notification word, for SPIs 32..IRQ_OWNED_SPI_LAST
 * only (a wider shift is undefined). */
#define IRQ_NOTIFY_BIT(intid) (1ULL << ((intid) - VGIC_SPI_FIRST))
