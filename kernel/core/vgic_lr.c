/**
 * List-register allocation for GICv2 virtualization (see vgic_lr.h and
 * IHI 0048B chapter 5).
 *
 * Invariants kept by this file, for one vCPU:
 * - A queued interrupt is never also pending in an LR: vgic_cpu_queue()
 *   merges a re-trigger into the LR that already holds the interrupt.
 * - At most one valid LR holds a given interrupt (for SGIs: a given
 *   interrupt from a given source), since two LRs with the same VirtualID
 *   are UNPREDICTABLE. The only way a queued entry matches a valid LR is a
 *   hardware interrupt that is still active in its LR; vgic_cpu_flush()
 *   leaves such an entry queued until the guest has completed the LR.
 *
 * Design decisions:
 * - EOI maintenance (GICH_LRn.EOI) only for interrupts marked resample
 *   (the kernel's own level sources: the EL1 physical timer). Hardware
 *   interrupts are deactivated by the GIC itself when the guest EOIs them
 *   (GICH_LRn.HW), edge-triggered software interrupts need no completion,
 *   and a device service's level source that is still asserted is
 *   re-queued by its emulator. Free LRs are requested through
 *   GICH_HCR.UIE/NPIE when vgic_cpu_flush() returns true.
 * - Preemption: when every LR is busy, a queued interrupt whose 5-bit
 *   priority is strictly higher than that of a pending-only, non-hardware
 *   LR takes that LR, and the displaced interrupt goes back to the front of
 *   the queue. The guest has not seen a pending-only LR yet, so this only
 *   changes which interrupt it is shown first (IHI 0048B 5.2: the virtual
 *   CPU interface signals the highest-priority pending LR).
 */
#include "hyp/vgic_lr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* GICH_VTR.ListRegs is a 6-bit "number of LRs minus one" (IHI 0048B 5.3.2),
 * and GICH_ELRSR0/1 cover 64 LRs: no GICv2 has more. */
_Static_assert(VGIC_MAX_LRS <= 64, "GICv2 has at most 64 list registers");
_Static_assert(VGIC_NR_IRQS > 0, "the queue needs room");

/** Interrupt IDs 0-15 are SGIs (IHI 0048B 2.2.1). */
#define SGI_LAST 15U
/** IDs 1020-1023 are special (IHI 0048B 3.2.5); 1019 is the last SPI. */
#define INTID_LAST 1019U
/** GICH_LRn.CPUID holds a source CPU interface number 0-7 (5.3.4). */
#define SOURCE_CPU_LAST 7U
/** Bits of a GIC priority below the 5 that GICH_LRn.Priority keeps. */
#define LR_PRIORITY_DROP 3U

/** Index meaning "no LR" or "no queue entry". */
#define NONE UINT32_MAX

static bool is_sgi(uint32_t intid)
{
	return intid <= SGI_LAST;
}

static uint32_t lr_state(uint32_t lr)
{
	return (lr >> GICH_LR_STATE_SHIFT) & GICH_LR_STATE_MASK;
}

static uint32_t lr_with_state(uint32_t lr, uint32_t state)
{
	lr &= ~(GICH_LR_STATE_MASK << GICH_LR_STATE_SHIFT);
	return lr | ((state & GICH_LR_STATE_MASK) << GICH_LR_STATE_SHIFT);
}

static uint32_t lr_intid(uint32_t lr)
{
	return lr & GICH_LR_VIRTUALID_MASK;
}

static uint32_t lr_priority(uint32_t lr)
{
	return (lr >> GICH_LR_PRIORITY_SHIFT) & GICH_LR_PRIORITY_MASK;
}

static bool lr_is_hw(uint32_t lr)
{
	return (lr & GICH_LR_HW) != 0;
}

/** The SGI source of a software LR (GICH_LRn.CPUID). */
static uint32_t lr_source(uint32_t lr)
{
	return (lr >> GICH_LR_CPUID_SHIFT) & GICH_LR_CPUID_MASK;
}

/**
 * True if LR value @p lr is in use and holds the same interrupt as @p irq:
 * the same ID and, for software SGIs, the same source CPU (IHI 0048B 5.3.4:
 * CPUID tells apart SGIs with the same ID).
 */
static bool lr_holds(uint32_t lr, const struct vgic_pending_irq *irq)
{
	if (lr_state(lr) == GICH_LR_STATE_INVALID ||
	    lr_intid(lr) != irq->intid) {
		return false;
	}
	if (!is_sgi(irq->intid) || irq->hw || lr_is_hw(lr)) {
		return true;
	}
	return lr_source(lr) == irq->source_cpu;
}

/** True if queue entries @p a and @p b are the same interrupt. */
static bool same_irq(const struct vgic_pending_irq *a,
		     const struct vgic_pending_irq *b)
{
	if (a->intid != b->intid) {
		return false;
	}
	if (!is_sgi(a->intid) || a->hw || b->hw) {
		return true;
	}
	return a->source_cpu == b->source_cpu;
}

/** Index of the valid LR holding @p irq, or NONE. */
static uint32_t find_lr(const struct vgic_cpu *c,
			const struct vgic_pending_irq *irq)
{
	for (uint32_t i = 0; i < c->lr_count; i++) {
		if (lr_holds(c->lr[i], irq)) {
			return i;
		}
	}
	return NONE;
}

/** Index of the queue entry for @p irq, or NONE. */
static uint32_t find_queued(const struct vgic_cpu *c,
			    const struct vgic_pending_irq *irq)
{
	for (uint32_t i = 0; i < c->queue_len; i++) {
		if (same_irq(&c->queue[i], irq)) {
			return i;
		}
	}
	return NONE;
}

/**
 * Copy a queue entry field by field: under -mstrict-align at -Os, GCC turns
 * a plain struct assignment into a memcpy call, and the kernel has no libc.
 */
static void irq_copy(struct vgic_pending_irq *dst,
		     const struct vgic_pending_irq *src)
{
	dst->intid = src->intid;
	dst->priority = src->priority;
	dst->source_cpu = src->source_cpu;
	dst->hw = src->hw;
	dst->phys = src->phys;
	dst->group1 = src->group1;
	dst->resample = src->resample;
}

/** Remove queue entry @p idx, keeping the others in order. */
static void queue_remove(struct vgic_cpu *c, uint32_t idx)
{
	for (uint32_t i = idx; i + 1 < c->queue_len; i++) {
		irq_copy(&c->queue[i], &c->queue[i + 1]);
	}
	c->queue_len--;
}

/** Insert @p irq before every queue entry; the queue must have room. */
static void queue_push_front(struct vgic_cpu *c,
			     const struct vgic_pending_irq *irq)
{
	for (uint32_t i = c->queue_len; i > 0; i--) {
		irq_copy(&c->queue[i], &c->queue[i - 1]);
	}
	irq_copy(&c->queue[0], irq);
	c->queue_len++;
}

/** True if @p irq can be written into an LR (IHI 0048B 5.3.4). */
static bool irq_valid(const struct vgic_pending_irq *irq)
{
	if (irq->intid > INTID_LAST) {
		return false;
	}
	if (irq->hw) {
		return irq->phys <= INTID_LAST;
	}
	return !is_sgi(irq->intid) || irq->source_cpu <= SOURCE_CPU_LAST;
}

void vgic_cpu_init(struct vgic_cpu *c, uint32_t lr_count)
{
	static const struct vgic_pending_irq no_irq = {0};

	c->lr_count = lr_count > VGIC_MAX_LRS ? VGIC_MAX_LRS : lr_count;
	for (uint32_t i = 0; i < VGIC_MAX_LRS; i++) {
		c->lr[i] = 0;
	}
	for (uint32_t i = 0; i < VGIC_NR_IRQS; i++) {
		irq_copy(&c->queue[i], &no_irq);
	}
	c->queue_len = 0;
	c->injected = 0;
}

uint32_t vgic_lr_make(const struct vgic_pending_irq *irq, uint32_t state)
{
	uint32_t lr = irq->intid & GICH_LR_VIRTUALID_MASK;
	uint32_t prio = (uint32_t)irq->priority >> LR_PRIORITY_DROP;

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
		if (is_sgi(irq->intid)) {
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

bool vgic_cpu_queue(struct vgic_cpu *c, const struct vgic_pending_irq *irq)
{
	uint32_t lr;

	if (!irq_valid(irq)) {
		return false;
	}
	lr = find_lr(c, irq);
	if (lr != NONE && (lr_state(c->lr[lr]) & GICH_LR_STATE_PENDING) != 0) {
		return true;
	}
	if (find_queued(c, irq) != NONE) {
		return true;
	}
	/*
	 * Active in an LR. A software interrupt becomes pending and active:
	 * the guest sees it again after its EOI. A hardware LR must not be
	 * pending and active (its pending state lives in the physical
	 * distributor, IHI 0048B 5.3.4), so the new edge waits in the queue
	 * until the guest has completed the LR.
	 */
	if (lr != NONE && !lr_is_hw(c->lr[lr])) {
		c->lr[lr] =
		    lr_with_state(c->lr[lr], GICH_LR_STATE_PENDING_ACTIVE);
		return true;
	}
	if (c->queue_len >= VGIC_NR_IRQS) {
		return false;
	}
	irq_copy(&c->queue[c->queue_len], irq);
	c->queue_len++;
	return true;
}

bool vgic_cpu_holds_hw(const struct vgic_cpu *c)
{
	for (uint32_t i = 0; i < c->lr_count; i++) {
		if (lr_is_hw(c->lr[i]) &&
		    lr_state(c->lr[i]) != GICH_LR_STATE_INVALID) {
			return true;
		}
	}
	for (uint32_t i = 0; i < c->queue_len; i++) {
		if (c->queue[i].hw) {
			return true;
		}
	}
	return false;
}

bool vgic_cpu_place(struct vgic_cpu *c, const struct vgic_pending_irq *irq)
{
	uint32_t lr;

	if (c->queue_len != 0 || !irq_valid(irq) || find_lr(c, irq) != NONE) {
		return false;
	}
	for (lr = 0; lr < c->lr_count; lr++) {
		if (lr_state(c->lr[lr]) == GICH_LR_STATE_INVALID) {
			c->lr[lr] = vgic_lr_make(irq, GICH_LR_STATE_PENDING);
			c->injected++;
			return true;
		}
	}
	return false;
}

/**
 * The queued interrupt to place next: lowest priority value, earliest in
 * the queue among equals, skipping one whose LR is still in use (a
 * hardware interrupt still active). NONE if there is none.
 */
static uint32_t next_queued(const struct vgic_cpu *c)
{
	uint32_t best = NONE;

	for (uint32_t i = 0; i < c->queue_len; i++) {
		const struct vgic_pending_irq *irq = &c->queue[i];

		if (best != NONE && irq->priority >= c->queue[best].priority) {
			continue;
		}
		if (find_lr(c, irq) == NONE) {
			best = i;
		}
	}
	return best;
}

static uint32_t free_lr(const struct vgic_cpu *c)
{
	for (uint32_t i = 0; i < c->lr_count; i++) {
		if (lr_state(c->lr[i]) == GICH_LR_STATE_INVALID) {
			return i;
		}
	}
	return NONE;
}

/**
 * The LR that a queued interrupt of priority @p prio may take from its
 * owner: pending only (the guest has not acknowledged it), software, and of
 * strictly lower 5-bit priority; the lowest-priority such LR. NONE if none.
 */
static uint32_t victim_lr(const struct vgic_cpu *c, uint8_t prio)
{
	uint32_t victim = NONE;
	uint32_t worst = (uint32_t)prio >> LR_PRIORITY_DROP;

	for (uint32_t i = 0; i < c->lr_count; i++) {
		uint32_t lr = c->lr[i];

		if (lr_state(lr) != GICH_LR_STATE_PENDING || lr_is_hw(lr)) {
			continue;
		}
		if (lr_priority(lr) > worst) {
			worst = lr_priority(lr);
			victim = i;
		}
	}
	return victim;
}

/**
 * Rebuild the queue entry of software LR @p lr. The low three priority bits
 * were dropped when the LR was made; the 5-bit value is what the guest's
 * virtual CPU interface compares anyway.
 */
static struct vgic_pending_irq irq_from_lr(uint32_t lr)
{
	struct vgic_pending_irq irq = {
	    .intid = (uint16_t)lr_intid(lr),
	    .priority = (uint8_t)(lr_priority(lr) << LR_PRIORITY_DROP),
	    .group1 = (lr & GICH_LR_GRP1) != 0,
	    .resample = (lr & GICH_LR_EOI) != 0,   /* software LRs only */
	};

	if (is_sgi(irq.intid)) {
		irq.source_cpu = (uint8_t)lr_source(lr);
	}
	return irq;
}

bool vgic_cpu_flush(struct vgic_cpu *c)
{
	for (;;) {
		uint32_t next = next_queued(c);
		struct vgic_pending_irq irq;
		uint32_t lr;

		if (next == NONE) {
			break;
		}
		irq_copy(&irq, &c->queue[next]);
		lr = free_lr(c);
		if (lr == NONE) {
			lr = victim_lr(c, irq.priority);
		}
		if (lr == NONE) {
			/* next is the best candidate: nothing else fits. */
			break;
		}
		queue_remove(c, next);
		if (lr_state(c->lr[lr]) != GICH_LR_STATE_INVALID) {
			struct vgic_pending_irq old = irq_from_lr(c->lr[lr]);

			/* It was queued before everything still queued. */
			queue_push_front(c, &old);
		}
		c->lr[lr] = vgic_lr_make(&irq, GICH_LR_STATE_PENDING);
		c->injected++;
	}
	return c->queue_len > 0;
}

void vgic_cpu_sync(struct vgic_cpu *c)
{
	/* The GIC leaves the other fields of a completed LR as they were;
	 * clear them so the shadow shows only live interrupts. */
	for (uint32_t i = 0; i < c->lr_count; i++) {
		if (lr_state(c->lr[i]) == GICH_LR_STATE_INVALID) {
			c->lr[i] = 0;
		}
	}
}

void vgic_cpu_state(const struct vgic_cpu *c, uint32_t intid, bool *pending,
		    bool *active)
{
	*pending = false;
	*active = false;
	for (uint32_t i = 0; i < c->lr_count; i++) {
		uint32_t state = lr_state(c->lr[i]);

		if (state == GICH_LR_STATE_INVALID ||
		    lr_intid(c->lr[i]) != intid) {
			continue;
		}
		if ((state & GICH_LR_STATE_PENDING) != 0) {
			*pending = true;
		}
		if ((state & GICH_LR_STATE_ACTIVE) != 0) {
			*active = true;
		}
	}
	for (uint32_t i = 0; i < c->queue_len; i++) {
		if (c->queue[i].intid == intid) {
			*pending = true;
		}
	}
}

void vgic_cpu_clear_pending(struct vgic_cpu *c, uint32_t intid)
{
	uint32_t i = 0;

	while (i < c->queue_len) {
		if (c->queue[i].intid == intid) {
			queue_remove(c, i);
		} else {
			i++;
		}
	}
	for (i = 0; i < c->lr_count; i++) {
		uint32_t state = lr_state(c->lr[i]);

		if (state == GICH_LR_STATE_INVALID ||
		    lr_intid(c->lr[i]) != intid) {
			continue;
		}
		if (state == GICH_LR_STATE_PENDING) {
			c->lr[i] = 0;
		} else if (state == GICH_LR_STATE_PENDING_ACTIVE) {
			c->lr[i] =
			    lr_with_state(c->lr[i], GICH_LR_STATE_ACTIVE);
		}
	}
}
