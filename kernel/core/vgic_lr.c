/**
 * List-register allocation for GICv2 virtualization (see vgic_lr.h and
 * IHI 0048B chapter 5).
 *
 * Invariants kept by this file, for one vCPU:
 * - A queued interrupt is never also pending in an LR: vgic_cpu_queue()
 *   merges a re-trigger into the LR that already holds the interrupt.
 * - At most one valid LR holds a given virtual ID, SGIs from different
 *   sources included (sgi_waits()): two LRs with the same VirtualID are
 *   UNPREDICTABLE. The only way a queued entry matches a valid LR is a
 *   hardware interrupt whose ID is still active in an LR (its own, or a
 *   software copy the guest acknowledged); vgic_cpu_flush() leaves such an
 *   entry queued until the guest has completed the LR.
 * - A hardware-linked interrupt leaves only by the guest's completion of
 *   its LR, or through vgic_cpu_clear_pending(), which names its physical
 *   interrupt so that the caller deactivates it (IHI 0048B 5.3.4).
 *
 * Design decisions:
 * - EOI maintenance (the LR's EOI bit) only for interrupts marked resample
 *   (the kernel's own level sources: the EL1 physical timer) and for an LR
 *   an SGI from another source waits for (sgi_waits()). Hardware
 *   interrupts are deactivated by the GIC itself when the guest EOIs them
 *   (a hardware LR), edge-triggered software interrupts need no completion,
 *   and a device service's level source that is still asserted is
 *   re-queued by its emulator. Free LRs are requested through
 *   an underflow maintenance interrupt when vgic_cpu_flush() returns true.
 * - Preemption: when every LR is busy, a queued interrupt whose 5-bit
 *   priority is strictly higher than that of a pending-only, non-hardware
 *   LR takes that LR, and the displaced interrupt goes back to the front of
 *   the queue. The guest has not seen a pending-only LR yet, so this only
 *   changes which interrupt it is shown first (IHI 0048B 5.2: the virtual
 *   CPU interface signals the highest-priority pending LR).
 */
#include "hyp/vgic_lr.h"

_Static_assert(VGIC_INTIDS > 0, "the queue needs room");

/** Index meaning "no LR" or "no queue entry". */
#define NONE UINT32_MAX

static bool is_sgi(uint32_t intid)
{
	return intid < VGIC_SGI_COUNT;
}

/**
 * True if queue entries @p a and @p b are the same interrupt: the same ID
 * and, for software SGIs, the same source CPU (IHI 0048B 5.3.4: CPUID tells
 * apart SGIs with the same ID).
 */
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

/**
 * Rebuild the queue entry of software LR @p lr. The low three priority bits
 * were dropped when the LR was made; the 5-bit value is what the guest's
 * virtual CPU interface compares anyway.
 */
static struct vgic_pending_irq irq_from_lr(arch_lr_t lr)
{
	struct vgic_pending_irq irq = {
	    .intid = (uint16_t)arch_lr_intid(lr),
	    .priority = (uint8_t)arch_lr_priority(lr),
	    .group1 = arch_lr_group1(lr),
	    .resample = arch_lr_resample(lr),   /* software LRs only */
	};

	if (is_sgi(irq.intid)) {
		irq.source_cpu = (uint8_t)arch_lr_source(lr);
	}
	return irq;
}

/** True if LR value @p lr is in use and holds the same interrupt as @p irq
 * (same_irq(), the LR's HW bit as the entry's hw). */
static bool lr_holds(arch_lr_t lr, const struct vgic_pending_irq *irq)
{
	struct vgic_pending_irq held = irq_from_lr(lr);

	held.hw = arch_lr_is_hw(lr);
	return arch_lr_state(lr) != VGIC_LR_INVALID && same_irq(&held, irq);
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

/*
 * One LR per virtual SGI ID, whatever its source CPU (as KVM's vgic-v2
 * does): QEMU's GICv2 virtual interface looks an LR up by its virtual ID
 * alone, so a guest's GICV_EOIR of SGI 1 from CPU 1 deactivated nothing
 * while another LR held SGI 1 from CPU 2 pending: the first stayed active
 * for good, the second could never be taken, and every WFI of the guest
 * trapped and came back at once (Linux on 8 CPUs stalled 74 s). An SGI
 * from another source waits in the queue; the LR it waits for asks for an
 * EOI maintenance interrupt (GICH_LRn.EOI, IHI 0048B 5.3.4), after which
 * the next refill places it. True if @p irq must wait so.
 */
static bool sgi_waits(struct vgic_cpu *c, const struct vgic_pending_irq *irq)
{
	if (!is_sgi(irq->intid) || irq->hw) {
		return false;
	}
	for (uint32_t i = 0; i < c->lr_count; i++) {
		arch_lr_t lr = c->lr[i];

		if (arch_lr_state(lr) == VGIC_LR_INVALID ||
		    arch_lr_is_hw(lr) || arch_lr_intid(lr) != irq->intid) {
			continue;
		}
		if (!arch_lr_resample(lr)) {
			struct vgic_pending_irq held = irq_from_lr(lr);

			held.resample = true;
			c->lr[i] = arch_lr_make(&held, arch_lr_state(lr));
		}
		return true;
	}
	return false;
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

/** Remove queue entry @p idx, keeping the others in order. */
static void queue_remove(struct vgic_cpu *c, uint32_t idx)
{
	for (uint32_t i = idx; i + 1 < c->queue_len; i++) {
		c->queue[i] = c->queue[i + 1];
	}
	c->queue_len--;
}

/** Insert @p irq before every queue entry; the queue must have room. */
static void queue_push_front(struct vgic_cpu *c,
			     const struct vgic_pending_irq *irq)
{
	for (uint32_t i = c->queue_len; i > 0; i--) {
		c->queue[i] = c->queue[i - 1];
	}
	c->queue[0] = *irq;
	c->queue_len++;
}

void vgic_cpu_init(struct vgic_cpu *c, uint32_t lr_count)
{
	c->lr_count = lr_count > VGIC_MAX_LRS ? VGIC_MAX_LRS : lr_count;
	for (uint32_t i = 0; i < VGIC_MAX_LRS; i++) {
		c->lr[i] = 0;
	}
	c->queue_len = 0;
	c->injected = 0;
}

bool vgic_cpu_queue(struct vgic_cpu *c, const struct vgic_pending_irq *irq)
{
	uint32_t lr;

	if (!arch_lr_valid(irq)) {
		return false;
	}
	lr = find_lr(c, irq);
	/*
	 * A hardware interrupt never merges into a software copy of its ID
	 * (a guest's GICD_ISPENDR write): only the completion of a
	 * hardware-linked LR deactivates the physical interrupt (IHI 0048B
	 * 5.3.4), which would otherwise stay active. A software copy that is
	 * only pending becomes the linked one; an acknowledged one keeps its
	 * LR and the hardware interrupt waits in the queue for it.
	 */
	bool hw_over_sw = irq->hw && lr != NONE && !arch_lr_is_hw(c->lr[lr]);

	if (hw_over_sw && arch_lr_state(c->lr[lr]) == VGIC_LR_PENDING) {
		c->lr[lr] = arch_lr_make(irq, VGIC_LR_PENDING);
		return true;
	}
	if (lr != NONE && !hw_over_sw &&
	    (arch_lr_state(c->lr[lr]) & VGIC_LR_PENDING) != 0) {
		return true;
	}
	uint32_t q = find_queued(c, irq);

	if (q != NONE) {
		if (irq->hw && !c->queue[q].hw) {
			c->queue[q].hw = true;
			c->queue[q].phys = irq->phys;
		}
		return true;
	}
	/*
	 * Active in an LR. A software interrupt becomes pending and active:
	 * the guest sees it again after its EOI. A hardware LR must not be
	 * pending and active (its pending state lives in the physical
	 * distributor, IHI 0048B 5.3.4), so the new edge waits in the queue
	 * until the guest has completed the LR.
	 */
	if (lr != NONE && !arch_lr_is_hw(c->lr[lr]) && !irq->hw) {
		c->lr[lr] =
		    arch_lr_with_state(c->lr[lr], VGIC_LR_PENDING_ACTIVE);
		return true;
	}
	if (c->queue_len >= VGIC_INTIDS) {
		return false;
	}
	c->queue[c->queue_len] = *irq;
	c->queue_len++;
	return true;
}

bool vgic_cpu_holds_hw(const struct vgic_cpu *c, uint32_t phys)
{
	for (uint32_t i = 0; i < c->lr_count; i++) {
		if (arch_lr_is_hw(c->lr[i]) && arch_lr_phys(c->lr[i]) == phys &&
		    arch_lr_state(c->lr[i]) != VGIC_LR_INVALID) {
			return true;
		}
	}
	for (uint32_t i = 0; i < c->queue_len; i++) {
		if (c->queue[i].hw && c->queue[i].phys == phys) {
			return true;
		}
	}
	return false;
}

/** Index of an unused LR, or NONE. */
static uint32_t free_lr(const struct vgic_cpu *c)
{
	for (uint32_t i = 0; i < c->lr_count; i++) {
		if (arch_lr_state(c->lr[i]) == VGIC_LR_INVALID) {
			return i;
		}
	}
	return NONE;
}

bool vgic_cpu_place(struct vgic_cpu *c, const struct vgic_pending_irq *irq,
		    bool lrs_free)
{
	uint32_t lr;

	/* With every LR free, none holds @p irq and LR 0 (if any) is the
	 * first free one: the two scans would find exactly that. */
	if (c->queue_len != 0 || !arch_lr_valid(irq) ||
	    (!lrs_free && (find_lr(c, irq) != NONE || sgi_waits(c, irq)))) {
		return false;
	}
	lr = lrs_free && c->lr_count > 0 ? 0 : free_lr(c);
	if (lr == NONE) {
		return false;
	}
	c->lr[lr] = arch_lr_make(irq, VGIC_LR_PENDING);
	c->injected++;
	return true;
}

/**
 * The queued interrupt to place next: lowest priority value, earliest in
 * the queue among equals, skipping an SGI that waits for its ID's LR
 * (sgi_waits()) and one whose LR is still in use (a
 * hardware interrupt still active). NONE if there is none.
 */
static uint32_t next_queued(struct vgic_cpu *c)
{
	uint32_t best = NONE;

	for (uint32_t i = 0; i < c->queue_len; i++) {
		const struct vgic_pending_irq *irq = &c->queue[i];

		/* Every waiting SGI marks the LR it waits for. */
		if (sgi_waits(c, irq)) {
			continue;
		}
		if (best != NONE && irq->priority >= c->queue[best].priority) {
			continue;
		}
		if (find_lr(c, irq) == NONE) {
			best = i;
		}
	}
	return best;
}

/**
 * The LR that a queued interrupt of priority @p prio may take from its
 * owner: pending only (the guest has not acknowledged it), software, and of
 * strictly lower 5-bit priority; the lowest-priority such LR. NONE if none.
 */
static uint32_t victim_lr(const struct vgic_cpu *c, uint8_t prio)
{
	uint32_t victim = NONE;
	uint32_t worst = arch_lr_priority_round(prio);

	for (uint32_t i = 0; i < c->lr_count; i++) {
		arch_lr_t lr = c->lr[i];

		if (arch_lr_state(lr) != VGIC_LR_PENDING || arch_lr_is_hw(lr)) {
			continue;
		}
		if (arch_lr_priority(lr) > worst) {
			worst = arch_lr_priority(lr);
			victim = i;
		}
	}
	return victim;
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
		irq = c->queue[next];
		lr = free_lr(c);
		if (lr == NONE) {
			lr = victim_lr(c, irq.priority);
		}
		if (lr == NONE) {
			/* next is the best candidate: nothing else fits. */
			break;
		}
		queue_remove(c, next);
		if (arch_lr_state(c->lr[lr]) != VGIC_LR_INVALID) {
			struct vgic_pending_irq old = irq_from_lr(c->lr[lr]);

			/* It was queued before everything still queued. */
			queue_push_front(c, &old);
		}
		c->lr[lr] = arch_lr_make(&irq, VGIC_LR_PENDING);
		c->injected++;
	}
	return vgic_cpu_needs_underflow(c);
}

/* vgic_cpu_needs_underflow() with something queued. */
bool vgic_cpu_queue_needs_lr(struct vgic_cpu *c)
{
	/* An SGI waiting for its ID's LR comes back by EOI maintenance: an
	 * underflow interrupt would fire at once and again while that LR is
	 * the only valid one (IHI 0048B 5.3.1, GICH_HCR.UIE). */
	for (uint32_t i = 0; i < c->queue_len; i++) {
		if (!sgi_waits(c, &c->queue[i])) {
			return true;
		}
	}
	return false;
}

void vgic_cpu_sync(struct vgic_cpu *c)
{
	/* The GIC leaves the other fields of a completed LR as they were;
	 * clear them so the shadow shows only live interrupts. */
	for (uint32_t i = 0; i < c->lr_count; i++) {
		if (arch_lr_state(c->lr[i]) == VGIC_LR_INVALID) {
			c->lr[i] = 0;
		}
	}
}

/** State of LR value @p lr if it holds @p intid, else VGIC_LR_INVALID. */
static uint32_t lr_state_of(arch_lr_t lr, uint32_t intid)
{
	return arch_lr_intid(lr) == intid ? arch_lr_state(lr) : VGIC_LR_INVALID;
}

void vgic_cpu_state(const struct vgic_cpu *c, uint32_t intid, bool *pending,
		    bool *active)
{
	*pending = false;
	*active = false;
	for (uint32_t i = 0; i < c->lr_count; i++) {
		uint32_t state = lr_state_of(c->lr[i], intid);

		*pending |= (state & VGIC_LR_PENDING) != 0;
		*active |= (state & VGIC_LR_ACTIVE) != 0;
	}
	for (uint32_t i = 0; i < c->queue_len; i++) {
		*pending |= c->queue[i].intid == intid;
	}
}

uint32_t vgic_cpu_clear_pending(struct vgic_cpu *c, uint32_t intid)
{
	uint32_t dropped = VGIC_NO_PHYS;
	uint32_t i = 0;

	while (i < c->queue_len) {
		if (c->queue[i].intid == intid) {
			if (c->queue[i].hw) {
				dropped = c->queue[i].phys;
			}
			queue_remove(c, i);
		} else {
			i++;
		}
	}
	for (i = 0; i < c->lr_count; i++) {
		uint32_t state = lr_state_of(c->lr[i], intid);

		if (state == VGIC_LR_PENDING) {
			if (arch_lr_is_hw(c->lr[i])) {
				dropped = arch_lr_phys(c->lr[i]);
			}
			c->lr[i] = 0;
		} else if (state == VGIC_LR_PENDING_ACTIVE) {
			c->lr[i] =
			    arch_lr_with_state(c->lr[i], VGIC_LR_ACTIVE);
		}
	}
	return dropped;
}
