#pragma once
/**
 * List-register allocation for GICv2 virtualization (IHI 0048B chapter 5,
 * "GIC Support for Virtualization"). Per vCPU, the kernel keeps the virtual
 * interrupts that are pending (or active) and not yet in a list register;
 * before entering the vCPU it fills free LRs with the highest-priority ones,
 * and after an exit it reads the LRs back to learn what the guest consumed.
 * Pure logic on LR values: host-tested in tests/host/test_vgic_lr.c; the
 * GICH register access lives in kernel/arch/aarch64/gich.c.
 */
#include <stdbool.h>
#include <stdint.h>

#define VGIC_MAX_LRS 64
#define VGIC_NR_IRQS 128
#define VGIC_SPURIOUS 1023

/* GICH_LRn (IHI 0048B 5.3.x): VirtualID [9:0]; PhysicalID [19:10] when HW,
 * else CPUID (SGI source) [12:10] and EOI [19]; Priority [27:23] (the top
 * five bits of an 8-bit priority); State [29:28]; Grp1 [30]; HW [31]. */
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
#define GICH_LR_STATE_INVALID 0U
#define GICH_LR_STATE_PENDING 1U
#define GICH_LR_STATE_ACTIVE 2U
#define GICH_LR_STATE_PENDING_ACTIVE 3U
#define GICH_LR_GRP1 (1U << 30)
#define GICH_LR_HW (1U << 31)

/** One virtual interrupt waiting for a list register. */
struct vgic_pending_irq {
	uint16_t intid;
	uint8_t priority;
	uint8_t source_cpu;   /**< SGIs: requesting vCPU. */
	bool hw;              /**< Linked to physical interrupt @c phys. */
	uint16_t phys;
	bool group1;
	bool resample;        /**< Software level source the kernel emulates:
				its LR gets GICH_LRn.EOI, so the guest's
				completion raises a maintenance interrupt
				and the kernel looks at the level again. */
};

/** Virtual interrupt state of one vCPU. */
struct vgic_cpu {
	uint32_t lr_count;                 /**< Implemented LRs (GICH_VTR). */
	uint32_t lr[VGIC_MAX_LRS];         /**< Shadow of GICH_LRn. */
	struct vgic_pending_irq queue[VGIC_NR_IRQS]; /**< Not yet in an LR. */
	uint32_t queue_len;
	uint64_t injected;                 /**< Statistics. */
};

/**
 * Empty state for a vCPU whose GIC implements @p lr_count LRs (clamped to
 * VGIC_MAX_LRS): every LR invalid, nothing queued.
 */
void vgic_cpu_init(struct vgic_cpu *c, uint32_t lr_count);

/**
 * Make @p irq pending. If the same interrupt (and, for SGIs, the same
 * source) is already pending in an LR or the queue, nothing changes (a
 * level/edge that is already pending stays one pending interrupt); if it is
 * active in an LR, that LR becomes pending+active. Returns false only if
 * the queue is full or @p irq cannot be put in an LR (ID or PhysicalID
 * above 1019, SGI source above 7).
 *
 * For SGIs the source CPU is part of the identity: the same SGI from two
 * sources is two interrupts. A hardware interrupt that is active in an LR
 * is queued instead, because an HW LR must not be pending+active (the
 * physical distributor holds its pending state); it reaches an LR after
 * the guest has completed the active one.
 */
bool vgic_cpu_queue(struct vgic_cpu *c, const struct vgic_pending_irq *irq);

/**
 * True if a hardware-linked interrupt (GICH_LR.HW) is live in an LR or
 * queued: its physical interrupt is active on the CPU until the guest
 * completes it.
 */
bool vgic_cpu_holds_hw(const struct vgic_cpu *c);

/**
 * The shortcut for the common case: with nothing queued, @p irq in no LR
 * and an LR free, put it straight in that LR as pending, exactly where
 * queue + flush would put it. Returns false (nothing changed) otherwise;
 * the caller then uses vgic_cpu_queue().
 */
bool vgic_cpu_place(struct vgic_cpu *c, const struct vgic_pending_irq *irq);

/**
 * Move the highest-priority queued interrupts (lowest value first; ties in
 * arrival order) into free LRs (state invalid). Returns true if interrupts
 * remain queued: the caller then asks for a maintenance interrupt when LRs
 * free up (GICH_HCR.UIE/NPIE).
 *
 * With every LR busy, a queued interrupt whose 5-bit LR priority is
 * strictly higher than that of a pending-only software LR takes that LR
 * (the lowest-priority one); the displaced interrupt goes back to the
 * front of the queue with its priority rounded to those five bits. Only
 * an interrupt marked @c resample gets the EOI bit.
 */
bool vgic_cpu_flush(struct vgic_cpu *c);

/**
 * After reading the hardware LRs back into c->lr: LRs whose state is
 * invalid are free again (the guest completed them). Nothing else to do in
 * software; provided so tests and callers have one entry point. Free LRs
 * are zeroed so the shadow holds only live interrupts.
 */
void vgic_cpu_sync(struct vgic_cpu *c);

/** Pending/active state of @p intid as the guest last left it (for an SGI,
 * from any source). */
void vgic_cpu_state(const struct vgic_cpu *c, uint32_t intid, bool *pending,
		    bool *active);

/** Drop @p intid from the queue and from LRs where it is only pending
 * (ICPENDR); an active one stays active. Hardware interrupts and every
 * source of an SGI alike. */
void vgic_cpu_clear_pending(struct vgic_cpu *c, uint32_t intid);

/** Build an LR value for @p irq in state @p state. */
uint32_t vgic_lr_make(const struct vgic_pending_irq *irq, uint32_t state);
