/** The fake physical GIC of fake_gic.h: arch/gic.h and arch/gich.h. */
#include "fake_gic.h"

#include <string.h>

#include "hyp/arch_gic.h"

struct fake_gic_cpu fake_gic[CPU_MAX];
struct fake_gic_spi fake_spi[FAKE_GIC_INTIDS];

static struct fake_gic_cpu *here(void)
{
	return &fake_gic[cpu_this()->id];
}

static uint32_t lr_state(uint32_t lr)
{
	return (lr >> GICH_LR_STATE_SHIFT) & GICH_LR_STATE_MASK;
}

static uint32_t lr_with_state(uint32_t lr, uint32_t state)
{
	lr &= ~(GICH_LR_STATE_MASK << GICH_LR_STATE_SHIFT);
	return lr | (state << GICH_LR_STATE_SHIFT);
}

void fake_gic_reset(void)
{
	memset(fake_gic, 0, sizeof(fake_gic));
	memset(fake_spi, 0, sizeof(fake_spi));
}

void fake_gic_fire(uint32_t cpu, uint32_t intid)
{
	if (intid < FAKE_GIC_PRIVATE) {
		fake_gic[cpu].active[intid] = true;
	} else if (intid < FAKE_GIC_INTIDS) {
		fake_spi[intid].active = true;
	}
}

/* The active bit of @p intid as CPU @p g sees it, or NULL. */
static bool *active_bit(struct fake_gic_cpu *g, uint32_t intid)
{
	if (intid < FAKE_GIC_PRIVATE) {
		return &g->active[intid];
	}
	return intid < FAKE_GIC_INTIDS ? &fake_spi[intid].active : NULL;
}

static void deactivate(struct fake_gic_cpu *g, uint32_t intid)
{
	bool *active = active_bit(g, intid);

	if (active == NULL) {
		return;
	}
	if (!*active) {
		g->bad_dir++;
		return;
	}
	*active = false;
	g->deactivations++;
}

bool fake_gic_guest_ack(uint32_t cpu, uint32_t intid)
{
	struct fake_gic_cpu *g = &fake_gic[cpu];

	for (uint32_t i = 0; i < VGIC_MAX_LRS; i++) {
		if ((g->lr[i] & GICH_LR_VIRTUALID_MASK) == intid &&
		    lr_state(g->lr[i]) == VGIC_LR_PENDING) {
			g->lr[i] = lr_with_state(g->lr[i], VGIC_LR_ACTIVE);
			return true;
		}
	}
	return false;
}

bool fake_gic_guest_eoi(uint32_t cpu, uint32_t intid)
{
	struct fake_gic_cpu *g = &fake_gic[cpu];

	for (uint32_t i = 0; i < VGIC_MAX_LRS; i++) {
		uint32_t lr = g->lr[i];

		if ((lr & GICH_LR_VIRTUALID_MASK) != intid ||
		    !(lr_state(lr) & VGIC_LR_ACTIVE)) {
			continue;
		}
		g->lr[i] = lr_with_state(lr, lr_state(lr) & ~VGIC_LR_ACTIVE);
		if (lr & GICH_LR_HW) {
			/* IHI 0048B 5.3.4: the GIC deactivates PhysicalID. */
			deactivate(g, (lr >> GICH_LR_PHYSICALID_SHIFT) &
					      GICH_LR_PHYSICALID_MASK);
		}
		return true;
	}
	return false;
}

unsigned fake_gic_hw_lrs(uint32_t cpu, uint32_t phys)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < VGIC_MAX_LRS; i++) {
		uint32_t lr = fake_gic[cpu].lr[i];

		n += (lr & GICH_LR_HW) && lr_state(lr) != VGIC_LR_INVALID &&
		     ((lr >> GICH_LR_PHYSICALID_SHIFT) &
		      GICH_LR_PHYSICALID_MASK) == phys;
	}
	return n;
}

/* --- arch/gich.h ---------------------------------------------------------- */

bool arch_vgic_lrs_read(struct vgic_cpu *c)
{
	bool all_free = true;

	for (uint32_t i = 0; i < c->lr_count; i++) {
		if (c->lr[i] != 0) {
			c->lr[i] = lr_state(here()->lr[i]) == VGIC_LR_INVALID
					   ? 0
					   : here()->lr[i];
		}
		all_free =
			all_free && lr_state(here()->lr[i]) == VGIC_LR_INVALID;
	}
	if (all_free) {
		for (uint32_t i = 0; i < c->lr_count; i++) {
			c->lr[i] = 0;
		}
	}
	return all_free;
}

void arch_vgic_lrs_write_first(const struct vgic_cpu *c, uint32_t count,
			       bool underflow)
{
	(void)underflow;
	for (uint32_t i = 0; i < count; i++) {
		here()->lr[i] = c->lr[i];
	}
}

void arch_vgic_lrs_write(const struct vgic_cpu *c, bool underflow)
{
	arch_vgic_lrs_write_first(c, c->lr_count, underflow);
}

/* --- hyp/arch_gic.h: the physical GIC ----------------------------------------
 */

/* Priority drop only: the fake keeps no running priority, and the
 * interrupt stays active (fake_gic_fire made it so). */
void gic_eoi(uint32_t iar)
{
	(void)iar;
}

void gic_deactivate(uint32_t iar)
{
	deactivate(here(), gic_iar_intid(iar));
}

void gic_clear_active(uint32_t intid)
{
	bool *active = active_bit(here(), intid);

	if (active != NULL && *active) {
		*active = false;
		here()->deactivations++;
	}
}

void gic_set_active(uint32_t intid)
{
	if (intid < FAKE_GIC_PRIVATE) {
		here()->active[intid] = true;
	}
}

void gic_enable(uint32_t intid)
{
	if (intid < FAKE_GIC_PRIVATE) {
		here()->enabled[intid] = true;
	} else if (intid < FAKE_GIC_INTIDS) {
		fake_spi[intid].enabled = true;
	}
}

void gic_disable(uint32_t intid)
{
	if (intid < FAKE_GIC_PRIVATE) {
		here()->enabled[intid] = false;
	} else if (intid < FAKE_GIC_INTIDS) {
		fake_spi[intid].enabled = false;
	}
}

void gic_set_target(uint32_t intid, uint32_t cpu_mask)
{
	if (intid >= FAKE_GIC_PRIVATE && intid < FAKE_GIC_INTIDS) {
		fake_spi[intid].target = (uint8_t)cpu_mask;
	}
}

uint32_t gic_highest_pending(void)
{
	/* The fake models no pending state at the CPU interface. */
	return GIC_INTID_SPURIOUS;
}
