#pragma once
/**
 * List-register allocation for GIC virtualization (IHI 0048B chapter 5,
 * "GIC Support for Virtualization"). Per vCPU, the kernel keeps the virtual
 * interrupts that are pending (or active) and not yet in a list register;
 * before entering the vCPU it fills free LRs with the highest-priority ones,
 * and after an exit it reads the LRs back to learn what the guest consumed.
 * Pure logic on LR values, which it reads and builds only through the GIC
 * contract (hyp/arch_gic.h): host-tested in tests/host/test_vgic_lr.c; the
 * register access lives in kernel/arch/aarch64/gich.c.
 */

#include "abi/vgic.h"
#include "hyp/arch_gic.h"

#define VGIC_MAX_LRS 64
/** Words of a bitmap with one bit per virtual INTID. */
#define VGIC_INTID_WORDS (VGIC_INTIDS / 64)
/** No physical interrupt (vgic_cpu_clear_pending()). */
#define VGIC_NO_PHYS UINT32_MAX

/** Virtual interrupt state of one vCPU. */
struct vgic_cpu {
	uint32_t lr_count;                 /**< Implemented LRs. */
	arch_lr_t lr[VGIC_MAX_LRS];        /**< Shadow of the LRs. */
	struct vgic_pending_irq queue[VGIC_INTIDS]; /**< Not yet in an LR. */
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
 * the guest has completed the active one. A hardware interrupt never
 * merges into a software one of the same ID: a pending software LR or
 * queue entry becomes the hardware-linked one, and behind an active
 * software LR it waits in the queue.
 */
bool vgic_cpu_queue(struct vgic_cpu *c, const struct vgic_pending_irq *irq);

/**
 * True if an interrupt hardware-linked to physical @p phys (a hardware LR)
 * is live in an LR or queued: @p phys is active until the guest completes
 * it. Other physical interrupts (a passed-through SPI) do not count.
 */
bool vgic_cpu_holds_hw(const struct vgic_cpu *c, uint32_t phys);

/**
 * The shortcut for the common case: with nothing queued, @p irq in no LR
 * and an LR free, put it straight in that LR as pending, exactly where
 * queue + flush would put it. Returns false (nothing changed) otherwise;
 * the caller then uses vgic_cpu_queue(). @p lrs_free: the caller knows
 * every LR is free (it just read them so), which spares the scans.
 */
bool vgic_cpu_place(struct vgic_cpu *c, const struct vgic_pending_irq *irq,
		    bool lrs_free);

/**
 * Move the highest-priority queued interrupts (lowest value first; ties in
 * arrival order) into free LRs (state invalid). Returns
 * vgic_cpu_needs_underflow(): the caller then asks for a maintenance
 * interrupt when LRs free up (underflow).
 *
 * With every LR busy, a queued interrupt whose 5-bit LR priority is
 * strictly higher than that of a pending-only software LR takes that LR
 * (the lowest-priority one); the displaced interrupt goes back to the
 * front of the queue with its priority rounded to those five bits. Only
 * an interrupt marked @c resample gets the EOI bit.
 */
bool vgic_cpu_flush(struct vgic_cpu *c);

/**
 * True if an interrupt is queued that only a free LR lets in (the underflow
 * maintenance interrupt, GICH_HCR.UIE); an SGI waiting for an LR of its ID
 * from another source comes back by that LR's EOI maintenance instead.
 */
bool vgic_cpu_queue_needs_lr(struct vgic_cpu *c);

static inline bool vgic_cpu_needs_underflow(struct vgic_cpu *c)
{
	/* Inline: the timer's delivery asks with nothing queued. */
	return c->queue_len != 0 && vgic_cpu_queue_needs_lr(c);
}

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

/**
 * Drop @p intid from the queue and from LRs where it is only pending
 * (ICPENDR); an active one stays active. Hardware interrupts and every
 * source of an SGI alike. Returns the PhysicalID of a hardware-linked
 * interrupt it dropped, or VGIC_NO_PHYS: that physical interrupt is still
 * active and the caller must deactivate it (IHI 0048B 5.3.4: only the
 * guest's completion of the LR would have).
 */
uint32_t vgic_cpu_clear_pending(struct vgic_cpu *c, uint32_t intid);
