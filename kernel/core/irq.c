/** Physical interrupt routing (see hyp/irq.h). */
#include "hyp/irq.h"

#include "hyp/bitmap.h"
#include "hyp/cpu.h"
#include "hyp/log.h"
#include "hyp/service_event.h"
#include "hyp/vm.h"
#include "hyp/vptimer.h"
#include "hyp/vtimer.h"

#define IRQ_MAX 1020
/** SPIs a partition may own: each has a notification bit (rule Q1). */
#define IRQ_OWNED_COUNT (IRQ_OWNED_SPI_LAST + 1U)

/** Owner partition of each SPI (per-VM state; NULL = kernel/none). */
static struct vm *irq_owner[IRQ_OWNED_COUNT];

static bool owned_range(uint32_t intid)
{
	return intid >= VGIC_SPI_FIRST && intid < IRQ_OWNED_COUNT;
}

void irq_init(const struct cfg_scenario *sc)
{
	for (uint32_t i = 0; i < sc->vm_count; i++) {
		const struct cfg_vm *c = &sc->vms[i];

		for (size_t k = 0; k < c->irq_count; k++) {
			uint32_t intid = c->irqs[k];

			/* Validated at boot (rule Q1). */
			if (!owned_range(intid)) {
				continue;
			}
			irq_owner[intid] = vm_get(i);
			if (c->kind == CFG_VM_GUEST) {
				/* Passed through: unmasked when the guest
				 * enables it in its distributor (vgic.c). */
				bitmap_assign(vm_get(i)->vgic.spi_hw, intid, true);
			} else {
				gic_enable(intid);
			}
		}
	}
}

/* @p iar as gic_ack() gave it: gic_eoi() and gic_deactivate() get it
 * back whole (hyp/arch_gic.h). */
static void handle_one(uint32_t iar)
{
	uint32_t intid = gic_iar_intid(iar);
	struct vm *owner;
	struct vcpu *g;

	switch (intid) {
	case GIC_INTID_VTIMER:
		vtimer_fired();
		return;
	case GIC_INTID_KICK:
		/* Another CPU changed something this one must act on; the
		 * trap path reschedules after every interrupt anyway. */
		cpu_this()->kicked = true;
		break;
	case GIC_INTID_KICK_ENTRY:
		/* The trap path's exit refills the LRs (vgic_dirty). */
		break;
	case GIC_INTID_HYP_TIMER:
		arch_slice_disarm();
		cpu_this()->slice_expired = true;
		/* Services whose deadline passed run before the guest goes on
		 * (sched_preempt). */
		(void)service_timer_poll(cpu_this(), NULL);
		break;
	case GIC_INTID_PTIMER:
		vptimer_fired();
		break;
	case GIC_INTID_MAINTENANCE:
		arch_vgic_maintenance_ack();
		g = cpu_this()->loaded;
		if (g != NULL) {
			g->vgic_dirty = true;
			vptimer_resample(g);
		}
		break;
	default:
		owner = owned_range(intid) ? irq_owner[intid] : NULL;
		if (owner != NULL && owner->cfg->kind == CFG_VM_GUEST) {
			/* Passed through: priority drop only; the guest's
			 * completion of its hardware LR deactivates it (IHI
			 * 0048B 5.3.4), so a level line cannot storm. */
			if (vgic_passthru_fired(owner, intid)) {
				gic_eoi(iar);
				return;
			}
		} else if (owner != NULL) {
			/* Masked until the service says it is handled. Every
			 * caller reschedules after the interrupts: the woken
			 * service needs no timer (sched_wake). */
			gic_disable(intid);
			cpu_this()->in_irq = true;
			ipc_notify(&owner->ep, IRQ_NOTIFY_BIT(intid));
			cpu_this()->in_irq = false;
		} else {
			log_warn("unexpected physical IRQ %u: masked", intid);
			gic_disable(intid);
		}
		break;
	}
	gic_eoi(iar);
	gic_deactivate(iar);
}

void irq_handle_pending(void)
{
	for (;;) {
		uint32_t iar = gic_ack();

		if (gic_iar_intid(iar) >= IRQ_MAX) {
			return;
		}
		handle_one(iar);
	}
}

void irq_route_owned(uint32_t cpu_mask)
{
	for (uint32_t i = VGIC_SPI_FIRST; i < IRQ_OWNED_COUNT; i++) {
		if (irq_owner[i] != NULL &&
		    irq_owner[i]->cfg->kind == CFG_VM_SERVICE) {
			gic_set_target(i, cpu_mask);
		}
	}
}

void irq_unmask_owned(const struct vm *vm)
{
	for (uint32_t i = VGIC_SPI_FIRST; i < IRQ_OWNED_COUNT; i++) {
		if (irq_owner[i] == vm) {
			gic_enable(i);
		}
	}
}

bool irq_ack_owned(const struct vm *vm, uint32_t intid)
{
	if (!owned_range(intid) || irq_owner[intid] != vm) {
		return false;
	}
	gic_enable(intid);
	return true;
}

void irq_release_owned(const struct vm *vm)
{
	for (uint32_t i = VGIC_SPI_FIRST; i < IRQ_OWNED_COUNT; i++) {
		if (irq_owner[i] == vm) {
			/* A passed-through SPI may be active in an LR the VM
			 * will never complete (GICD_ICACTIVER, 4.3.10). */
			gic_disable(i);
			gic_clear_active(i);
		}
	}
}
